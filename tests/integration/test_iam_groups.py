"""IAM groups with boto3 and the AWS CLI: the API (create, get with members, list, add and
remove users, inline and attached policies, delete conflicts, errors) and what it is for:
a user's permissions are its own and its groups', an explicit Deny in any of them wins,
and leaving a group takes its permissions away on the next request."""
import json
import unittest

from tests.integration.harness import Creds, ServerTestCase

ACCOUNT = "111111111111"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


class GroupsTest(ServerTestCase):
    def keys(self, user):
        k = self.iam.create_access_key(UserName=user)["AccessKey"]
        return Creds(k["AccessKeyId"], k["SecretAccessKey"], None, ACCOUNT)

    def test_group_api(self):
        g = self.iam.create_group(GroupName="Auditors", Path="/audit/")["Group"]
        self.assertEqual(g["Arn"], "arn:aws:iam::%s:group/audit/Auditors" % ACCOUNT)
        self.assertTrue(g["GroupId"].startswith("AGPA"), g)
        self.fails(self.iam.create_group, "EntityAlreadyExists", 409, GroupName="auditors")
        self.iam.create_user(UserName="ann")
        self.iam.add_user_to_group(GroupName="Auditors", UserName="ann")
        self.iam.add_user_to_group(GroupName="Auditors", UserName="ann")  # no change
        got = self.iam.get_group(GroupName="auditors")
        self.assertEqual(got["Group"]["GroupName"], "Auditors")
        self.assertEqual([u["UserName"] for u in got["Users"]], ["ann"])
        self.assertEqual([x["GroupName"] for x in
                          self.iam.list_groups_for_user(UserName="ann")["Groups"]], ["Auditors"])
        self.assertIn("Auditors", [x["GroupName"] for x in
                                   self.iam.list_groups(PathPrefix="/audit/")["Groups"]])
        self.assertEqual(self.iam.list_groups(PathPrefix="/nothing/")["Groups"], [])
        self.iam.put_group_policy(GroupName="Auditors", PolicyName="read",
                                  PolicyDocument=doc({"Effect": "Allow", "Action": "s3:Get*",
                                                      "Resource": "*"}))
        self.assertEqual(self.iam.list_group_policies(GroupName="Auditors")["PolicyNames"], ["read"])
        self.assertEqual(self.iam.get_group_policy(GroupName="Auditors", PolicyName="read")
                         ["PolicyDocument"]["Statement"][0]["Action"], "s3:Get*")
        self.iam.attach_group_policy(GroupName="Auditors",
                                     PolicyArn="arn:aws:iam::aws:policy/SecurityAudit")
        self.assertEqual([p["PolicyName"] for p in self.iam.list_attached_group_policies(
            GroupName="Auditors")["AttachedPolicies"]], ["SecurityAudit"])
        self.fails(self.iam.delete_user, "DeleteConflict", 409, UserName="ann")
        msg = self.fails(self.iam.delete_group, "DeleteConflict", 409, GroupName="Auditors")
        self.assertEqual(msg, "Cannot delete entity, must remove users from group first.")
        self.iam.remove_user_from_group(GroupName="Auditors", UserName="ann")
        self.fails(self.iam.remove_user_from_group, "NoSuchEntity", 404, GroupName="Auditors",
                   UserName="ann")
        self.fails(self.iam.delete_group, "DeleteConflict", 409, GroupName="Auditors")
        self.iam.detach_group_policy(GroupName="Auditors",
                                     PolicyArn="arn:aws:iam::aws:policy/SecurityAudit")
        self.iam.delete_group_policy(GroupName="Auditors", PolicyName="read")
        rc, _, err = self.srv.aws("iam", "delete-group", "--group-name", "Auditors")
        self.assertEqual(rc, 0, err)
        self.fails(self.iam.get_group, "NoSuchEntity", 404, GroupName="Auditors")
        self.fails(self.iam.add_user_to_group, "NoSuchEntity", 404, GroupName="Auditors",
                   UserName="ann")

    def test_group_policies_are_the_members(self):
        self.iam.create_group(GroupName="Admins")
        self.iam.attach_group_policy(GroupName="Admins", PolicyArn=ADMIN)
        self.iam.create_group(GroupName="NoTrailChanges")
        self.iam.put_group_policy(GroupName="NoTrailChanges", PolicyName="deny",
                                  PolicyDocument=doc({"Effect": "Deny",
                                                      "Action": "cloudtrail:StopLogging",
                                                      "Resource": "*"}))
        self.iam.create_user(UserName="bob")
        bob = self.keys("bob")
        ct = self.srv.client("cloudtrail", bob)
        self.fails(ct.describe_trails, "AccessDeniedException", 400)
        self.iam.add_user_to_group(GroupName="Admins", UserName="bob")
        ct.describe_trails()  # the next request sees the membership
        self.iam.add_user_to_group(GroupName="NoTrailChanges", UserName="bob")
        msg = self.fails(ct.stop_logging, "AccessDeniedException", 400, Name="any-trail")
        self.assertIn("with an explicit deny in an identity-based policy", msg)
        self.iam.remove_user_from_group(GroupName="Admins", UserName="bob")
        self.fails(ct.describe_trails, "AccessDeniedException", 400)


if __name__ == "__main__":
    unittest.main()
