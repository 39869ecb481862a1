"""IAM customer managed policies with boto3 and the AWS CLI: CreatePolicy and its
versions (at most five, one default), GetPolicy and GetPolicyVersion, the conflicts IAM
reports, and what a policy does once attached: its default version grants, and changing
the default changes what the user may do on its next request."""
import json
import unittest

from tests.integration.harness import Creds, ServerTestCase

ACCOUNT = "111111111111"


def doc(*actions):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": list(actions), "Resource": "*"}]})


class CustomerPoliciesTest(ServerTestCase):
    def test_policy_and_versions(self):
        p = self.iam.create_policy(PolicyName="TrailReader", Path="/audit/",
                                   PolicyDocument=doc("cloudtrail:DescribeTrails"),
                                   Description="reads trails")["Policy"]
        arn = "arn:aws:iam::%s:policy/audit/TrailReader" % ACCOUNT
        self.assertEqual(p["Arn"], arn)
        self.assertEqual(p["DefaultVersionId"], "v1")
        self.assertTrue(p["PolicyId"].startswith("ANPA"), p)
        msg = self.fails(self.iam.create_policy, "EntityAlreadyExists", 409,
                         PolicyName="trailreader", PolicyDocument=doc("s3:ListBucket"))
        self.assertEqual(msg, "A policy called trailreader already exists. Duplicate names are "
                         "not allowed.")
        self.fails(self.iam.create_policy, "MalformedPolicyDocument", 400, PolicyName="Bad",
                   PolicyDocument='{"Version": "2012-10-17", "Statement": [{"Effect": "Maybe"}]}')
        self.fails(self.iam.get_policy, "NoSuchEntity", 404, PolicyArn=arn.replace("Reader", "X"))
        got = self.iam.get_policy(PolicyArn=arn)["Policy"]
        self.assertEqual(got["Description"], "reads trails")
        v1 = self.iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]
        self.assertTrue(v1["IsDefaultVersion"])
        self.assertEqual(v1["Document"]["Statement"][0]["Action"], ["cloudtrail:DescribeTrails"])
        for i in range(4):
            v = self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc("s3:List*"))
            self.assertEqual(v["PolicyVersion"]["VersionId"], "v%d" % (i + 2))
            self.assertFalse(v["PolicyVersion"]["IsDefaultVersion"])
        self.fails(self.iam.create_policy_version, "LimitExceeded", 409, PolicyArn=arn,
                   PolicyDocument=doc("s3:List*"))
        versions = self.iam.list_policy_versions(PolicyArn=arn)["Versions"]
        self.assertEqual(sorted(v["VersionId"] for v in versions), ["v1", "v2", "v3", "v4", "v5"])
        self.assertEqual([v["VersionId"] for v in versions if v["IsDefaultVersion"]], ["v1"])
        msg = self.fails(self.iam.delete_policy_version, "DeleteConflict", 409, PolicyArn=arn,
                         VersionId="v1")
        self.assertEqual(msg, "Cannot delete the default version of a policy.")
        self.iam.set_default_policy_version(PolicyArn=arn, VersionId="v3")
        self.assertEqual(self.iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"], "v3")
        self.fails(self.iam.set_default_policy_version, "NoSuchEntity", 404, PolicyArn=arn,
                   VersionId="v9")
        self.fails(self.iam.delete_policy, "DeleteConflict", 409, PolicyArn=arn)  # versions
        for v in ("v1", "v2", "v4", "v5"):
            self.iam.delete_policy_version(PolicyArn=arn, VersionId=v)
        rc, _, err = self.srv.aws("iam", "delete-policy", "--policy-arn", arn)
        self.assertEqual(rc, 0, err)
        self.fails(self.iam.get_policy, "NoSuchEntity", 404, PolicyArn=arn)

    def test_attached_policy_grants_its_default_version(self):
        arn = self.iam.create_policy(PolicyName="Ops", PolicyDocument=doc(
            "cloudtrail:DescribeTrails"))["Policy"]["Arn"]
        self.iam.create_user(UserName="carl")
        self.iam.attach_user_policy(UserName="carl", PolicyArn=arn)
        self.assertEqual(self.iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"], 1)
        k = self.iam.create_access_key(UserName="carl")["AccessKey"]
        carl = Creds(k["AccessKeyId"], k["SecretAccessKey"], None, ACCOUNT)
        ct = self.srv.client("cloudtrail", carl)
        ct.describe_trails()
        self.fails(self.srv.client("s3", carl).list_buckets, "AccessDenied", 403)
        self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc("s3:ListAllMyBuckets"),
                                       SetAsDefault=True)
        self.srv.client("s3", carl).list_buckets()  # the new default grants at once
        self.fails(ct.describe_trails, "AccessDeniedException", 400)
        msg = self.fails(self.iam.delete_policy, "DeleteConflict", 409, PolicyArn=arn)
        self.assertEqual(msg, "Cannot delete a policy attached to entities.")
        # As a permissions boundary, too.
        self.iam.attach_user_policy(UserName="carl",
                                    PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
        self.iam.put_user_permissions_boundary(UserName="carl", PermissionsBoundary=arn)
        self.srv.client("s3", carl).list_buckets()
        self.fails(ct.describe_trails, "AccessDeniedException", 400)
        self.fails(self.iam.attach_user_policy, "NoSuchEntity", 404, UserName="carl",
                   PolicyArn="arn:aws:iam::222222222222:policy/Ops")


if __name__ == "__main__":
    unittest.main()
