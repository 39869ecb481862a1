"""IAM (roles, users, access keys, policies, tags) and STS (AssumeRole, GetCallerIdentity)
through boto3 and the AWS CLI, with the records they leave.

Cross-account role assumption, expired and forged sessions are covered by the C unit
test tests/unit/test_iam_sts.c, which can create a second account directly."""
import base64
import datetime
import json
import re
import unittest
import urllib.parse

import boto3
import botocore.config
import botocore.exceptions

from tests.integration.harness import NO_RETRY, Creds, OrgtrailServer, error_code

ACCOUNT = "111111111111"


def trust(principal=None, **statement):
    st = {"Effect": "Allow", "Principal": principal or {"AWS": "arn:aws:iam::%s:root" % ACCOUNT},
          "Action": "sts:AssumeRole"}
    st.update(statement)
    return json.dumps({"Version": "2012-10-17", "Statement": [st]})


def allow_all():
    return json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


class IamStsCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = OrgtrailServer().start()
        cls.iam = cls.srv.client("iam")
        cls.sts = cls.srv.client("sts")

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def assertFails(self, call, code, status, message=None, **kwargs):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            call(**kwargs)
        self.assertEqual(error_code(cm.exception), code, cm.exception.response["Error"])
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], status)
        if message is not None:
            self.assertEqual(cm.exception.response["Error"]["Message"], message)
        return cm.exception

    def unvalidated(self, service, creds=None):
        """A client that sends what it is given, for the server's own range checks."""
        creds = creds or self.srv.root
        return boto3.session.Session().client(
            service, endpoint_url=self.srv.endpoint, region_name=self.srv.region,
            aws_access_key_id=creds.access_key, aws_secret_access_key=creds.secret,
            aws_session_token=creds.token,
            config=NO_RETRY.merge(botocore.config.Config(parameter_validation=False)))

    def user_with_key(self, name, policy_arn=None):
        self.iam.create_user(UserName=name)
        if policy_arn:
            self.iam.attach_user_policy(UserName=name, PolicyArn=policy_arn)
        k = self.iam.create_access_key(UserName=name)["AccessKey"]
        return Creds(k["AccessKeyId"], k["SecretAccessKey"], None, ACCOUNT)

    def records(self, name, **match):
        out = []
        for r in self.srv.events():
            if r["eventName"] != name:
                continue
            if all(r.get(k) == v for k, v in match.items()):
                out.append(r)
        return out


class RoleTest(IamStsCase):
    def test_create_role_defaults_and_get(self):
        r = self.iam.create_role(RoleName="Plain", AssumeRolePolicyDocument=trust())["Role"]
        self.assertEqual(r["Path"], "/")
        self.assertEqual(r["Arn"], "arn:aws:iam::%s:role/Plain" % ACCOUNT)
        self.assertRegex(r["RoleId"], r"^AROA[A-Z2-7]{17}$")
        self.assertEqual(r["MaxSessionDuration"], 3600)
        # The document comes back URL-encoded in the XML; botocore decodes it to a dict.
        self.assertEqual(r["AssumeRolePolicyDocument"], json.loads(trust()))
        g = self.iam.get_role(RoleName="plain")["Role"]  # names ignore case
        self.assertEqual(g["RoleName"], "Plain")
        self.assertEqual(g["RoleId"], r["RoleId"])
        self.assertEqual(g["RoleLastUsed"], {})
        self.assertNotIn("Tags", g)

    def test_document_is_url_encoded_on_the_wire(self):
        self.iam.create_role(RoleName="Wire", AssumeRolePolicyDocument=trust())
        seen = {}

        def grab(http_response, **kwargs):
            seen["body"] = http_response.text
        client = self.srv.client("iam")
        client.meta.events.register("after-call.iam.GetRole", grab)
        client.get_role(RoleName="Wire")
        doc = re.search(r"<AssumeRolePolicyDocument>(.*?)</AssumeRolePolicyDocument>",
                        seen["body"]).group(1)
        self.assertTrue(doc.startswith("%7B%22Version%22%3A%20%222012-10-17%22"), doc)

    def test_cli_decodes_the_trust_policy(self):
        rc, out, err = self.srv.aws("iam", "create-role", "--role-name", "CliRole",
                                    "--path", "/cli/", "--assume-role-policy-document", trust(),
                                    "--description", "made by the CLI", "--max-session-duration",
                                    "7200")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out["Role"]["Arn"], "arn:aws:iam::%s:role/cli/CliRole" % ACCOUNT)
        rc, out, err = self.srv.aws("iam", "get-role", "--role-name", "CliRole")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out["Role"]["AssumeRolePolicyDocument"], json.loads(trust()))
        self.assertEqual(out["Role"]["Description"], "made by the CLI")
        self.assertEqual(out["Role"]["MaxSessionDuration"], 7200)

    def test_duplicate_role_name_in_any_case(self):
        self.iam.create_role(RoleName="Twice", AssumeRolePolicyDocument=trust())
        self.assertFails(self.iam.create_role, "EntityAlreadyExists", 409,
                         "Role with name TWICE already exists.",
                         RoleName="TWICE", AssumeRolePolicyDocument=trust())

    def test_missing_role(self):
        self.assertFails(self.iam.get_role, "NoSuchEntity", 404,
                         "The role with name NoSuchRoleHere cannot be found.",
                         RoleName="NoSuchRoleHere")
        self.assertFails(self.iam.delete_role, "NoSuchEntity", 404, RoleName="NoSuchRoleHere")
        self.assertFails(self.iam.update_assume_role_policy, "NoSuchEntity", 404,
                         RoleName="NoSuchRoleHere", PolicyDocument=trust())

    def test_malformed_trust_policies(self):
        bad = [
            "{not json",
            json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                                                                 "Action": "sts:AssumeRole"}]}),
            trust(Resource="*"),
            trust(Action="s3:GetObject"),
            trust({"AWS": "arn:aws:iam::%s:user/nobody" % ACCOUNT}),
        ]
        for doc in bad:
            self.assertFails(self.iam.create_role, "MalformedPolicyDocument", 400,
                             RoleName="Malformed", AssumeRolePolicyDocument=doc)
        self.assertFails(self.iam.get_role, "NoSuchEntity", 404, RoleName="Malformed")
        e = self.assertFails(self.iam.create_role, "MalformedPolicyDocument", 400,
                             RoleName="Malformed",
                             AssumeRolePolicyDocument=trust({"AWS": "arn:aws:iam::%s:role/Ghost"
                                                                    % ACCOUNT}))
        self.assertEqual(e.response["Error"]["Message"],
                         'Invalid principal in policy: "AWS":"arn:aws:iam::%s:role/Ghost"' % ACCOUNT)

    def test_trust_policy_may_name_existing_principals(self):
        self.iam.create_user(UserName="trusted-user")
        self.iam.create_role(RoleName="NamesUser", AssumeRolePolicyDocument=trust(
            {"AWS": ["arn:aws:iam::%s:user/trusted-user" % ACCOUNT, "222222222222"],
             "Service": "cloudtrail.amazonaws.com"}))

    def test_trust_policy_size_quota(self):
        padding = ["arn:aws:iam::%012d:root" % i for i in range(100)]
        self.assertFails(self.iam.create_role, "LimitExceeded", 409,
                         "Cannot exceed quota for ACLSizePerRole: 2048",
                         RoleName="Huge", AssumeRolePolicyDocument=trust({"AWS": padding}))

    def test_max_session_duration_range(self):
        for bad in (100, 43201):
            self.assertFails(self.unvalidated("iam").create_role, "ValidationError", 400,
                             RoleName="Range", AssumeRolePolicyDocument=trust(),
                             MaxSessionDuration=bad)

    def test_permissions_boundary_of_a_role(self):
        ro = "arn:aws:iam::aws:policy/ReadOnlyAccess"
        self.assertFails(self.iam.create_role, "NoSuchEntity", 404, RoleName="Bounded",
                         AssumeRolePolicyDocument=trust(),
                         PermissionsBoundary="arn:aws:iam::aws:policy/NoSuchPolicy")
        self.assertFails(self.iam.get_role, "NoSuchEntity", 404, RoleName="Bounded")
        role = self.iam.create_role(RoleName="Bounded", AssumeRolePolicyDocument=trust(),
                                    PermissionsBoundary=ro)["Role"]
        want = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": ro}
        self.assertEqual(role["PermissionsBoundary"], want)
        self.assertEqual(self.iam.get_role(RoleName="Bounded")["Role"]["PermissionsBoundary"],
                         want)
        listed = [r for r in self.iam.list_roles()["Roles"] if r["RoleName"] == "Bounded"]
        self.assertNotIn("PermissionsBoundary", listed[0])
        self.assertFails(self.iam.put_role_permissions_boundary, "InvalidInput", 400,
                         RoleName="Bounded", PermissionsBoundary="arn:aws:iam::aws:notapolicy/x")
        self.assertFails(self.iam.put_role_permissions_boundary, "NoSuchEntity", 404,
                         RoleName="Missing", PermissionsBoundary=ro)
        self.iam.delete_role_permissions_boundary(RoleName="Bounded")
        self.assertNotIn("PermissionsBoundary", self.iam.get_role(RoleName="Bounded")["Role"])
        self.iam.put_role_permissions_boundary(
            RoleName="Bounded", PermissionsBoundary="arn:aws:iam::aws:policy/SecurityAudit")
        self.assertEqual(self.iam.get_role(RoleName="Bounded")["Role"]["PermissionsBoundary"]
                         ["PermissionsBoundaryArn"], "arn:aws:iam::aws:policy/SecurityAudit")

    def test_list_roles_pages_and_path_prefix(self):
        for n in ("pa", "pb", "pc", "pd", "pe"):
            self.iam.create_role(RoleName=n, Path="/paging/", AssumeRolePolicyDocument=trust())
        first = self.iam.list_roles(PathPrefix="/paging/", MaxItems=2)
        self.assertTrue(first["IsTruncated"])
        self.assertEqual([r["RoleName"] for r in first["Roles"]], ["pa", "pb"])
        self.assertNotIn("RoleLastUsed", first["Roles"][0])
        second = self.iam.list_roles(PathPrefix="/paging/", MaxItems=2, Marker=first["Marker"])
        self.assertEqual([r["RoleName"] for r in second["Roles"]], ["pc", "pd"])
        pages = self.iam.get_paginator("list_roles").paginate(PathPrefix="/paging/",
                                                              PaginationConfig={"PageSize": 2})
        names = [r["RoleName"] for p in pages for r in p["Roles"]]
        self.assertEqual(names, ["pa", "pb", "pc", "pd", "pe"])
        last = self.iam.list_roles(PathPrefix="/paging/", MaxItems=10)
        self.assertFalse(last["IsTruncated"])
        self.assertNotIn("Marker", last)
        rc, out, err = self.srv.aws("iam", "list-roles", "--path-prefix", "/paging/",
                                    "--page-size", "1")
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(out["Roles"]), 5)
        self.assertFails(self.iam.list_roles, "ValidationError", 400, Marker="!!not-a-marker!!")

    def test_update_role_and_trust_policy(self):
        self.iam.create_role(RoleName="Changing", AssumeRolePolicyDocument=trust())
        self.iam.update_role(RoleName="Changing", Description="new", MaxSessionDuration=43200)
        r = self.iam.get_role(RoleName="Changing")["Role"]
        self.assertEqual((r["Description"], r["MaxSessionDuration"]), ("new", 43200))
        r = self.iam.update_role_description(RoleName="Changing", Description="newer")["Role"]
        self.assertEqual(r["Description"], "newer")
        doc = trust({"Service": "cloudtrail.amazonaws.com"})
        self.iam.update_assume_role_policy(RoleName="Changing", PolicyDocument=doc)
        self.assertEqual(self.iam.get_role(RoleName="Changing")["Role"]["AssumeRolePolicyDocument"],
                         json.loads(doc))
        self.assertFails(self.iam.update_assume_role_policy, "MalformedPolicyDocument", 400,
                         RoleName="Changing", PolicyDocument="[]")
        self.assertEqual(self.iam.get_role(RoleName="Changing")["Role"]["AssumeRolePolicyDocument"],
                         json.loads(doc))

    def test_long_latin1_description_round_trips(self):
        desc = "\u00e9" * 1000
        self.iam.create_role(RoleName="Described", AssumeRolePolicyDocument=trust(),
                             Description=desc)
        self.assertEqual(self.iam.get_role(RoleName="Described")["Role"]["Description"], desc)

    def test_inline_role_policies(self):
        self.iam.create_role(RoleName="Inline", AssumeRolePolicyDocument=trust())
        self.iam.put_role_policy(RoleName="Inline", PolicyName="b-all", PolicyDocument=allow_all())
        self.iam.put_role_policy(RoleName="Inline", PolicyName="a-all", PolicyDocument=allow_all())
        got = self.iam.get_role_policy(RoleName="inline", PolicyName="b-all")
        self.assertEqual(got["RoleName"], "Inline")
        self.assertEqual(got["PolicyDocument"], json.loads(allow_all()))
        self.assertEqual(self.iam.list_role_policies(RoleName="Inline")["PolicyNames"],
                         ["a-all", "b-all"])
        rc, out, err = self.srv.aws("iam", "get-role-policy", "--role-name", "Inline",
                                    "--policy-name", "a-all")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out["PolicyDocument"], json.loads(allow_all()))
        self.assertFails(self.iam.get_role_policy, "NoSuchEntity", 404,
                         "The role policy with name nope cannot be found.",
                         RoleName="Inline", PolicyName="nope")
        with_principal = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]})
        self.assertFails(self.iam.put_role_policy, "MalformedPolicyDocument", 400,
                         RoleName="Inline", PolicyName="p", PolicyDocument=with_principal)
        big = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject"],
             "Resource": ["arn:aws:s3:::bucket-%05d/*" % i for i in range(400)]}]})
        self.assertFails(self.iam.put_role_policy, "LimitExceeded", 409,
                         RoleName="Inline", PolicyName="big", PolicyDocument=big)
        self.iam.delete_role_policy(RoleName="Inline", PolicyName="a-all")
        self.assertFails(self.iam.delete_role_policy, "NoSuchEntity", 404,
                         RoleName="Inline", PolicyName="a-all")
        self.assertEqual(self.iam.list_role_policies(RoleName="Inline")["PolicyNames"], ["b-all"])

    def test_attached_role_policies(self):
        self.iam.create_role(RoleName="Attached", AssumeRolePolicyDocument=trust())
        admin = "arn:aws:iam::aws:policy/AdministratorAccess"
        view = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
        self.iam.attach_role_policy(RoleName="Attached", PolicyArn=admin)
        self.iam.attach_role_policy(RoleName="Attached", PolicyArn=view)
        self.iam.attach_role_policy(RoleName="Attached", PolicyArn=view)  # idempotent
        got = self.iam.list_attached_role_policies(RoleName="Attached")["AttachedPolicies"]
        self.assertEqual(got, [{"PolicyName": "AdministratorAccess", "PolicyArn": admin},
                               {"PolicyName": "ViewOnlyAccess", "PolicyArn": view}])
        got = self.iam.list_attached_role_policies(RoleName="Attached",
                                                   PathPrefix="/job-function/")
        self.assertEqual([p["PolicyArn"] for p in got["AttachedPolicies"]], [view])
        self.assertFails(self.iam.attach_role_policy, "NoSuchEntity", 404,
                         "Policy arn:aws:iam::aws:policy/NoSuchPolicy does not exist or is not "
                         "attachable.",
                         RoleName="Attached", PolicyArn="arn:aws:iam::aws:policy/NoSuchPolicy")
        self.assertFails(self.iam.attach_role_policy, "NoSuchEntity", 404, RoleName="Attached",
                         PolicyArn="arn:aws:iam::%s:policy/Customer" % ACCOUNT)
        self.assertFails(self.iam.attach_role_policy, "InvalidInput", 400,
                         "ARN this-is-not-a-policy-arn is not valid.",
                         RoleName="Attached", PolicyArn="this-is-not-a-policy-arn")
        self.assertFails(self.iam.attach_role_policy, "PolicyNotAttachable", 400,
                         RoleName="Attached",
                         PolicyArn="arn:aws:iam::aws:policy/aws-service-role/"
                                   "CloudTrailServiceRolePolicy")
        self.assertFails(self.iam.detach_role_policy, "NoSuchEntity", 404,
                         "Policy arn:aws:iam::aws:policy/ReadOnlyAccess was not found.",
                         RoleName="Attached", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
        self.iam.detach_role_policy(RoleName="Attached", PolicyArn=admin)
        got = self.iam.list_attached_role_policies(RoleName="Attached")["AttachedPolicies"]
        self.assertEqual([p["PolicyArn"] for p in got], [view])

    def test_managed_policy_quota(self):
        self.iam.create_role(RoleName="Crowded", AssumeRolePolicyDocument=trust())
        names = ["AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess", "SecurityAudit",
                 "AWSCloudTrail_FullAccess", "AWSCloudTrail_ReadOnlyAccess",
                 "AWSOrganizationsFullAccess", "AWSOrganizationsReadOnlyAccess",
                 "AmazonS3FullAccess", "AmazonS3ReadOnlyAccess"]
        for n in names:
            self.iam.attach_role_policy(RoleName="Crowded",
                                        PolicyArn="arn:aws:iam::aws:policy/" + n)
        self.assertFails(self.iam.attach_role_policy, "LimitExceeded", 409,
                         "Cannot exceed quota for PoliciesPerRole: 10", RoleName="Crowded",
                         PolicyArn="arn:aws:iam::aws:policy/CloudWatchLogsFullAccess")

    def test_delete_role_conflicts(self):
        self.iam.create_role(RoleName="Busy", AssumeRolePolicyDocument=trust(),
                             Tags=[{"Key": "k", "Value": "v"}])
        self.iam.put_role_policy(RoleName="Busy", PolicyName="p", PolicyDocument=allow_all())
        self.iam.attach_role_policy(RoleName="Busy",
                                    PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
        self.assertFails(self.iam.delete_role, "DeleteConflict", 409,
                         "Cannot delete entity, must detach all policies first.", RoleName="Busy")
        self.iam.detach_role_policy(RoleName="Busy",
                                    PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
        self.assertFails(self.iam.delete_role, "DeleteConflict", 409,
                         "Cannot delete entity, must delete policies first.", RoleName="Busy")
        self.iam.delete_role_policy(RoleName="Busy", PolicyName="p")
        self.iam.delete_role(RoleName="Busy")
        self.assertFails(self.iam.get_role, "NoSuchEntity", 404, RoleName="Busy")
        # A new role of the same name starts clean (no tags carried over).
        self.iam.create_role(RoleName="Busy", AssumeRolePolicyDocument=trust())
        self.assertEqual(self.iam.list_role_tags(RoleName="Busy")["Tags"], [])

    def test_role_tags(self):
        self.iam.create_role(RoleName="Tagged", AssumeRolePolicyDocument=trust(),
                             Tags=[{"Key": "team", "Value": "sec"}])
        self.assertEqual(self.iam.get_role(RoleName="Tagged")["Role"]["Tags"],
                         [{"Key": "team", "Value": "sec"}])
        self.iam.tag_role(RoleName="Tagged", Tags=[{"Key": "TEAM", "Value": "audit"},
                                                   {"Key": "env", "Value": "prod"}])
        tags = self.iam.list_role_tags(RoleName="Tagged")["Tags"]
        self.assertEqual(sorted((t["Key"], t["Value"]) for t in tags),
                         [("TEAM", "audit"), ("env", "prod")])
        self.iam.untag_role(RoleName="Tagged", TagKeys=["team", "absent"])
        self.assertEqual(self.iam.list_role_tags(RoleName="Tagged")["Tags"],
                         [{"Key": "env", "Value": "prod"}])
        self.assertFails(self.iam.tag_role, "InvalidInput", 400, RoleName="Tagged",
                         Tags=[{"Key": "a", "Value": "1"}, {"Key": "A", "Value": "2"}])
        self.iam.tag_role(RoleName="Tagged",
                          Tags=[{"Key": "k%02d" % i, "Value": "v"} for i in range(49)])
        self.assertFails(self.iam.tag_role, "LimitExceeded", 409,
                         "Cannot exceed quota for TagsPerRole: 50", RoleName="Tagged",
                         Tags=[{"Key": "one-too-many", "Value": "v"}])
        self.assertEqual(len(self.iam.list_role_tags(RoleName="Tagged")["Tags"]), 50)
        self.assertFails(self.iam.tag_role, "NoSuchEntity", 404, RoleName="Untaggable",
                         Tags=[{"Key": "a", "Value": "1"}])

    def test_service_linked_roles(self):
        r = self.iam.create_service_linked_role(AWSServiceName="cloudtrail.amazonaws.com")["Role"]
        self.assertEqual(r["RoleName"], "AWSServiceRoleForCloudTrail")
        self.assertEqual(r["Path"], "/aws-service-role/cloudtrail.amazonaws.com/")
        self.assertEqual(r["Arn"], "arn:aws:iam::%s:role/aws-service-role/cloudtrail.amazonaws.com/"
                                   "AWSServiceRoleForCloudTrail" % ACCOUNT)
        self.assertEqual(r["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
                         {"Service": "cloudtrail.amazonaws.com"})
        attached = self.iam.list_attached_role_policies(
            RoleName="AWSServiceRoleForCloudTrail")["AttachedPolicies"]
        self.assertEqual(attached, [{"PolicyName": "CloudTrailServiceRolePolicy",
                                     "PolicyArn": "arn:aws:iam::aws:policy/aws-service-role/"
                                                  "CloudTrailServiceRolePolicy"}])
        self.assertFails(self.iam.create_service_linked_role, "InvalidInput", 400,
                         "Service role name AWSServiceRoleForCloudTrail has been taken in this "
                         "account, please try a different suffix.",
                         AWSServiceName="cloudtrail.amazonaws.com")
        self.assertFails(self.iam.create_service_linked_role, "InvalidInput", 400,
                         AWSServiceName="nosuchservice.amazonaws.com")
        self.assertFails(self.iam.create_service_linked_role, "InvalidInput", 400,
                         AWSServiceName="config.amazonaws.com", CustomSuffix="mine")
        protected = ("Cannot perform the operation on the protected role "
                     "'AWSServiceRoleForCloudTrail' - this role is only modifiable by AWS")
        self.assertFails(self.iam.delete_role, "UnmodifiableEntity", 400, protected,
                         RoleName="AWSServiceRoleForCloudTrail")
        self.assertFails(self.iam.put_role_policy, "UnmodifiableEntity", 400,
                         RoleName="AWSServiceRoleForCloudTrail", PolicyName="p",
                         PolicyDocument=allow_all())
        self.assertFails(self.iam.update_assume_role_policy, "UnmodifiableEntity", 400,
                         RoleName="AWSServiceRoleForCloudTrail", PolicyDocument=trust())
        self.assertFails(self.iam.detach_role_policy, "UnmodifiableEntity", 400,
                         RoleName="AWSServiceRoleForCloudTrail",
                         PolicyArn="arn:aws:iam::aws:policy/aws-service-role/"
                                   "CloudTrailServiceRolePolicy")
        # The service's trust policy admits no user: assuming it is denied.
        admin = self.srv.admin()
        self.assertFails(self.srv.client("sts", admin).assume_role, "AccessDenied", 403,
                         RoleArn=r["Arn"], RoleSessionName="sneaky")
        self.iam.create_role(RoleName="NotLinked", AssumeRolePolicyDocument=trust())
        self.assertFails(self.iam.delete_service_linked_role, "NoSuchEntity", 404,
                         RoleName="NotLinked")
        task = self.iam.delete_service_linked_role(
            RoleName="AWSServiceRoleForCloudTrail")["DeletionTaskId"]
        self.assertRegex(task, r"^task/aws-service-role/cloudtrail\.amazonaws\.com/"
                               r"AWSServiceRoleForCloudTrail/[0-9a-f-]{36}$")
        self.assertEqual(self.iam.get_service_linked_role_deletion_status(
            DeletionTaskId=task)["Status"], "SUCCEEDED")
        self.assertFails(self.iam.get_service_linked_role_deletion_status, "InvalidInput", 400,
                         DeletionTaskId="garbage")
        self.assertFails(self.iam.get_role, "NoSuchEntity", 404,
                         RoleName="AWSServiceRoleForCloudTrail")
        self.assertFails(self.iam.delete_service_linked_role, "NoSuchEntity", 404,
                         RoleName="AWSServiceRoleForCloudTrail")
        # It can be made again once deleted.
        self.iam.create_service_linked_role(AWSServiceName="cloudtrail.amazonaws.com",
                                            Description="for trails")
        self.assertEqual(self.iam.get_role(RoleName="AWSServiceRoleForCloudTrail")["Role"]
                         ["Description"], "for trails")

    def test_create_role_record(self):
        self.iam.create_role(RoleName="Recorded", AssumeRolePolicyDocument=trust())
        rec = self.records("CreateRole", eventSource="iam.amazonaws.com")
        rec = [r for r in rec if r["requestParameters"]["roleName"] == "Recorded"][-1]
        self.assertEqual(rec["awsRegion"], "us-east-1")
        self.assertEqual(rec["userIdentity"]["type"], "Root")
        self.assertEqual(rec["requestParameters"]["assumeRolePolicyDocument"], trust())
        self.assertEqual(rec["responseElements"]["role"]["arn"],
                         "arn:aws:iam::%s:role/Recorded" % ACCOUNT)
        # As in CloudTrail: the response's document is the URL-encoded one IAM returned.
        self.assertEqual(rec["responseElements"]["role"]["assumeRolePolicyDocument"],
                         urllib.parse.quote(trust(), safe=""))
        self.assertIn("createDate", rec["responseElements"]["role"])
        self.assertFalse(rec["readOnly"])


class UserAndKeyTest(IamStsCase):
    def test_users(self):
        u = self.iam.create_user(UserName="alice", Path="/staff/",
                                 Tags=[{"Key": "dept", "Value": "sec"}])["User"]
        self.assertRegex(u["UserId"], r"^AIDA[A-Z2-7]{17}$")
        self.assertEqual(u["Arn"], "arn:aws:iam::%s:user/staff/alice" % ACCOUNT)
        self.assertEqual(u["Tags"], [{"Key": "dept", "Value": "sec"}])
        g = self.iam.get_user(UserName="ALICE")["User"]
        self.assertEqual((g["UserName"], g["UserId"]), ("alice", u["UserId"]))
        self.assertFails(self.iam.create_user, "EntityAlreadyExists", 409,
                         "User with name Alice already exists.", UserName="Alice")
        self.assertFails(self.iam.get_user, "NoSuchEntity", 404,
                         "The user with name bob cannot be found.", UserName="bob")
        self.assertFails(self.iam.delete_user, "NoSuchEntity", 404, UserName="bob")
        self.iam.create_user(UserName="carol", Path="/staff/")
        self.iam.create_user(UserName="dave")
        staff = self.iam.list_users(PathPrefix="/staff/")
        self.assertEqual([x["UserName"] for x in staff["Users"]], ["alice", "carol"])
        self.assertNotIn("Tags", staff["Users"][0])
        page = self.iam.list_users(PathPrefix="/staff/", MaxItems=1)
        self.assertTrue(page["IsTruncated"])
        page = self.iam.list_users(PathPrefix="/staff/", MaxItems=1, Marker=page["Marker"])
        self.assertEqual([x["UserName"] for x in page["Users"]], ["carol"])
        self.assertFalse(page["IsTruncated"])
        self.iam.tag_user(UserName="carol", Tags=[{"Key": "a", "Value": "b"}])
        self.assertEqual(self.iam.list_user_tags(UserName="carol")["Tags"],
                         [{"Key": "a", "Value": "b"}])
        self.iam.untag_user(UserName="carol", TagKeys=["A"])
        self.assertEqual(self.iam.list_user_tags(UserName="carol")["Tags"], [])
        self.assertFails(self.iam.create_user, "InvalidInput", 400, UserName="bounded",
                         PermissionsBoundary="arn:aws:iam::aws:notapolicy/x")
        self.iam.create_user(UserName="bounded",
                             PermissionsBoundary="arn:aws:iam::aws:policy/ReadOnlyAccess")
        self.assertEqual(self.iam.get_user(UserName="bounded")["User"]["PermissionsBoundary"],
                         {"PermissionsBoundaryType": "Policy",
                          "PermissionsBoundaryArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"})
        self.iam.delete_user_permissions_boundary(UserName="bounded")
        self.assertNotIn("PermissionsBoundary", self.iam.get_user(UserName="bounded")["User"])
        rc, out, err = self.srv.aws("iam", "get-user", "--user-name", "dave")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out["User"]["Arn"], "arn:aws:iam::%s:user/dave" % ACCOUNT)

    def test_user_policies(self):
        self.iam.create_user(UserName="pol")
        self.iam.put_user_policy(UserName="pol", PolicyName="all", PolicyDocument=allow_all())
        got = self.iam.get_user_policy(UserName="pol", PolicyName="all")
        self.assertEqual(got["PolicyDocument"], json.loads(allow_all()))
        self.assertEqual(self.iam.list_user_policies(UserName="pol")["PolicyNames"], ["all"])
        self.assertFails(self.iam.get_user_policy, "NoSuchEntity", 404,
                         "The user policy with name none cannot be found.",
                         UserName="pol", PolicyName="none")
        big = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject",
             "Resource": ["arn:aws:s3:::b-%03d/*" % i for i in range(100)]}]})
        self.assertFails(self.iam.put_user_policy, "LimitExceeded", 409,
                         "Maximum policy size of 2048 bytes exceeded for user pol",
                         UserName="pol", PolicyName="big", PolicyDocument=big)
        self.assertFails(self.iam.put_user_policy, "NoSuchEntity", 404, UserName="nobody",
                         PolicyName="p", PolicyDocument=allow_all())
        self.iam.attach_user_policy(UserName="pol",
                                    PolicyArn="arn:aws:iam::aws:policy/SecurityAudit")
        self.assertEqual(self.iam.list_attached_user_policies(UserName="pol")["AttachedPolicies"],
                         [{"PolicyName": "SecurityAudit",
                           "PolicyArn": "arn:aws:iam::aws:policy/SecurityAudit"}])
        self.assertFails(self.iam.delete_user, "DeleteConflict", 409,
                         "Cannot delete entity, must detach all policies first.", UserName="pol")
        self.iam.detach_user_policy(UserName="pol",
                                    PolicyArn="arn:aws:iam::aws:policy/SecurityAudit")
        self.assertFails(self.iam.delete_user, "DeleteConflict", 409,
                         "Cannot delete entity, must delete policies first.", UserName="pol")
        self.iam.delete_user_policy(UserName="pol", PolicyName="all")
        self.iam.delete_user(UserName="pol")
        self.assertFails(self.iam.get_user, "NoSuchEntity", 404, UserName="pol")

    def test_access_keys_of_a_user(self):
        creds = self.user_with_key("keyed")
        self.assertRegex(creds.access_key, r"^AKIA[A-Z2-7]{16}$")
        self.assertEqual(len(creds.secret), 40)
        ident = self.srv.client("sts", creds).get_caller_identity()
        user = self.iam.get_user(UserName="keyed")["User"]
        self.assertEqual(ident["Arn"], "arn:aws:iam::%s:user/keyed" % ACCOUNT)
        self.assertEqual(ident["UserId"], user["UserId"])
        second = self.iam.create_access_key(UserName="keyed")["AccessKey"]
        self.assertFails(self.iam.create_access_key, "LimitExceeded", 409,
                         "Cannot exceed quota for AccessKeysPerUser: 2", UserName="keyed")
        meta = self.iam.list_access_keys(UserName="keyed")["AccessKeyMetadata"]
        self.assertEqual(sorted(k["AccessKeyId"] for k in meta),
                         sorted([creds.access_key, second["AccessKeyId"]]))
        self.assertTrue(all(k["Status"] == "Active" and k["UserName"] == "keyed" for k in meta))
        self.assertTrue(all("SecretAccessKey" not in k for k in meta))
        # Deactivated keys stop authenticating at once; reactivated ones work again.
        self.iam.update_access_key(UserName="keyed", AccessKeyId=creds.access_key,
                                   Status="Inactive")
        self.assertFails(self.srv.client("sts", creds).get_caller_identity,
                         "InvalidClientTokenId", 403)
        meta = self.iam.list_access_keys(UserName="keyed")["AccessKeyMetadata"]
        self.assertIn({"Inactive"}, [{k["Status"]} for k in meta
                                     if k["AccessKeyId"] == creds.access_key])
        self.iam.update_access_key(UserName="keyed", AccessKeyId=creds.access_key,
                                   Status="Active")
        self.srv.client("sts", creds).get_caller_identity()
        self.assertFails(self.iam.update_access_key, "InvalidInput", 400, UserName="keyed",
                         AccessKeyId=creds.access_key, Status="Expired")
        self.assertFails(self.iam.delete_user, "DeleteConflict", 409,
                         "Cannot delete entity, must delete access keys first.",
                         UserName="keyed")
        self.iam.create_user(UserName="other")
        self.assertFails(self.iam.delete_access_key, "NoSuchEntity", 404,
                         "The Access Key with id %s cannot be found." % creds.access_key,
                         UserName="other", AccessKeyId=creds.access_key)
        self.iam.delete_access_key(UserName="keyed", AccessKeyId=creds.access_key)
        self.assertFails(self.srv.client("sts", creds).get_caller_identity,
                         "InvalidClientTokenId", 403)
        self.assertFails(self.iam.delete_access_key, "NoSuchEntity", 404, UserName="keyed",
                         AccessKeyId=creds.access_key)
        self.assertFails(self.iam.update_access_key, "NoSuchEntity", 404, UserName="keyed",
                         AccessKeyId=creds.access_key, Status="Active")
        self.assertFails(self.iam.create_access_key, "NoSuchEntity", 404, UserName="ghost")

    def test_user_manages_own_keys_without_a_name(self):
        creds = self.user_with_key("self-service")
        mine = self.srv.client("iam", creds)
        # Without a policy even its own user is out of reach; the IAM User Guide's
        # "manage your own access keys" policy, with ${aws:username}, lets it in.
        self.assertFails(mine.get_user, "AccessDenied", 403,
                         "User: arn:aws:iam::%s:user/self-service is not authorized to perform: "
                         "iam:GetUser on resource: arn:aws:iam::%s:user/self-service because no "
                         "identity-based policy allows the iam:GetUser action" % (ACCOUNT, ACCOUNT))
        self.iam.put_user_policy(UserName="self-service", PolicyName="own-keys",
                                 PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
                                     "Effect": "Allow",
                                     "Action": ["iam:GetUser", "iam:*AccessKey*"],
                                     "Resource": "arn:aws:iam::*:user/${aws:username}"}]}))
        self.assertEqual(mine.get_user()["User"]["UserName"], "self-service")
        k = mine.create_access_key()["AccessKey"]
        self.assertEqual(k["UserName"], "self-service")
        ids = [x["AccessKeyId"] for x in mine.list_access_keys()["AccessKeyMetadata"]]
        self.assertEqual(sorted(ids), sorted([creds.access_key, k["AccessKeyId"]]))
        mine.delete_access_key(AccessKeyId=k["AccessKeyId"])
        # Without a name, a key of another user is not the caller's.
        other = self.user_with_key("someone-else")
        self.assertFails(mine.delete_access_key, "NoSuchEntity", 404,
                         AccessKeyId=other.access_key)

    def test_root_keys_and_root_get_user(self):
        u = self.iam.get_user()["User"]
        self.assertEqual(u["UserId"], ACCOUNT)
        self.assertEqual(u["Arn"], "arn:aws:iam::%s:root" % ACCOUNT)
        self.assertNotIn("UserName", u)
        k = self.iam.create_access_key()["AccessKey"]
        self.assertNotIn("UserName", k)
        try:
            root2 = Creds(k["AccessKeyId"], k["SecretAccessKey"], None, ACCOUNT)
            self.assertEqual(self.srv.client("sts", root2).get_caller_identity()["Arn"],
                             "arn:aws:iam::%s:root" % ACCOUNT)
            ids = [x["AccessKeyId"] for x in self.iam.list_access_keys()["AccessKeyMetadata"]]
            self.assertEqual(sorted(ids), sorted([self.srv.root.access_key, k["AccessKeyId"]]))
            self.assertFails(self.iam.create_access_key, "LimitExceeded", 409)
        finally:
            self.iam.delete_access_key(AccessKeyId=k["AccessKeyId"])
        self.srv.client("sts").get_caller_identity()

    def test_role_sessions_must_name_the_user(self):
        self.iam.create_role(RoleName="KeyRole", AssumeRolePolicyDocument=trust())
        self.iam.put_role_policy(RoleName="KeyRole", PolicyName="all", PolicyDocument=allow_all())
        admin = self.srv.admin()
        session = self.srv.assume("arn:aws:iam::%s:role/KeyRole" % ACCOUNT, creds=admin)
        msg = "Must specify userName when calling with non-User credentials"
        as_role = self.srv.client("iam", session)
        self.assertFails(as_role.get_user, "ValidationError", 400, msg)
        self.assertFails(as_role.create_access_key, "ValidationError", 400, msg)
        self.assertFails(as_role.list_access_keys, "ValidationError", 400, msg)

    def test_secret_is_returned_once_and_never_recorded(self):
        creds = self.user_with_key("secretive")
        rc, out, err = self.srv.aws("iam", "create-access-key", "--user-name", "secretive")
        self.assertEqual(rc, 0, err)
        cli_secret = out["AccessKey"]["SecretAccessKey"]
        text = json.dumps(self.srv.events())
        self.assertNotIn(creds.secret, text)
        self.assertNotIn(cli_secret, text)
        rec = [r for r in self.records("CreateAccessKey")
               if r["requestParameters"] == {"userName": "secretive"}][-1]
        self.assertEqual(set(rec["responseElements"]["accessKey"]),
                         {"userName", "accessKeyId", "status", "createDate"})


class AssumeRoleTest(IamStsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.srv.admin()
        cls.iam.create_role(RoleName="Ops", AssumeRolePolicyDocument=trust(),
                            MaxSessionDuration=7200)
        cls.iam.put_role_policy(RoleName="Ops", PolicyName="all", PolicyDocument=allow_all())
        cls.role = cls.iam.get_role(RoleName="Ops")["Role"]

    def assume(self, creds=None, **kw):
        kw.setdefault("RoleArn", self.role["Arn"])
        kw.setdefault("RoleSessionName", "ops-session")
        return self.srv.client("sts", creds or self.admin).assume_role(**kw)

    def test_same_account_end_to_end(self):
        out = self.assume(DurationSeconds=900)
        k = out["Credentials"]
        self.assertRegex(k["AccessKeyId"], r"^ASIA[A-Z2-7]{16}$")
        self.assertEqual(len(k["SecretAccessKey"]), 40)
        self.assertGreater(len(k["SessionToken"]), 300)
        base64.b64decode(k["SessionToken"], validate=True)
        served = datetime.datetime.strptime(out["ResponseMetadata"]["HTTPHeaders"]["date"],
                                            "%a, %d %b %Y %H:%M:%S GMT").replace(
            tzinfo=datetime.timezone.utc)
        self.assertAlmostEqual((k["Expiration"] - served).total_seconds(), 900, delta=5)
        self.assertEqual(out["AssumedRoleUser"],
                         {"AssumedRoleId": self.role["RoleId"] + ":ops-session",
                          "Arn": "arn:aws:sts::%s:assumed-role/Ops/ops-session" % ACCOUNT})
        self.assertNotIn("PackedPolicySize", out)
        self.assertNotIn("SourceIdentity", out)
        session = Creds(k["AccessKeyId"], k["SecretAccessKey"], k["SessionToken"], ACCOUNT)
        ident = self.srv.client("sts", session).get_caller_identity()
        self.assertEqual(ident["Arn"], "arn:aws:sts::%s:assumed-role/Ops/ops-session" % ACCOUNT)
        self.assertEqual(ident["UserId"], self.role["RoleId"] + ":ops-session")
        self.assertEqual(ident["Account"], ACCOUNT)
        # The session works for other services too, and the role shows it was used.
        role = self.srv.client("iam", session).get_role(RoleName="Ops")["Role"]
        self.assertIn("LastUsedDate", role["RoleLastUsed"])
        # Its token is checked.
        forged = Creds(k["AccessKeyId"], k["SecretAccessKey"], k["SessionToken"][:-4] + "AAAA")
        self.assertFails(self.srv.client("sts", forged).get_caller_identity,
                         "InvalidClientTokenId", 403)
        no_token = Creds(k["AccessKeyId"], k["SecretAccessKey"])
        self.assertFails(self.srv.client("sts", no_token).get_caller_identity,
                         "InvalidClientTokenId", 403)

        recs = self.records("AssumeRole")
        rec = [r for r in recs if r.get("responseElements") and
               r["responseElements"]["credentials"]["accessKeyId"] == k["AccessKeyId"]]
        self.assertEqual(len(rec), 1)  # same account: one record, no copy
        rec = rec[0]
        self.assertEqual(rec["userIdentity"]["type"], "IAMUser")
        self.assertEqual(rec["userIdentity"]["userName"], "admin")
        self.assertEqual(rec["recipientAccountId"], ACCOUNT)
        self.assertEqual(rec["resources"], [{"accountId": ACCOUNT, "type": "AWS::IAM::Role",
                                             "ARN": self.role["Arn"]}])
        self.assertEqual(rec["requestParameters"],
                         {"roleArn": self.role["Arn"], "roleSessionName": "ops-session",
                          "durationSeconds": 900})
        self.assertEqual(set(rec["responseElements"]["credentials"]), {"accessKeyId", "expiration"})
        self.assertNotIn("sharedEventID", rec)
        text = json.dumps(self.srv.events())
        self.assertNotIn(k["SecretAccessKey"], text)
        self.assertNotIn(k["SessionToken"], text)

        used = [r for r in self.srv.events() if r["eventName"] == "GetRole"
                and r["userIdentity"].get("accessKeyId") == k["AccessKeyId"]]
        ui = used[-1]["userIdentity"]
        self.assertEqual(ui["type"], "AssumedRole")
        self.assertEqual(ui["principalId"], self.role["RoleId"] + ":ops-session")
        self.assertEqual(ui["arn"], "arn:aws:sts::%s:assumed-role/Ops/ops-session" % ACCOUNT)
        self.assertEqual(ui["sessionContext"]["sessionIssuer"],
                         {"type": "Role", "principalId": self.role["RoleId"],
                          "arn": self.role["Arn"], "accountId": ACCOUNT, "userName": "Ops"})
        self.assertEqual(ui["sessionContext"]["attributes"]["mfaAuthenticated"], "false")

    def test_cli_assume_role(self):
        rc, out, err = self.srv.aws("sts", "assume-role", "--role-arn", self.role["Arn"],
                                    "--role-session-name", "cli-session", creds=self.admin)
        self.assertEqual(rc, 0, err)
        k = out["Credentials"]
        session = Creds(k["AccessKeyId"], k["SecretAccessKey"], k["SessionToken"], ACCOUNT)
        rc, out, err = self.srv.aws("sts", "get-caller-identity", creds=session)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out["Arn"], "arn:aws:sts::%s:assumed-role/Ops/cli-session" % ACCOUNT)

    def test_root_is_refused(self):
        self.assertFails(self.srv.client("sts").assume_role, "AccessDenied", 403,
                         "Roles may not be assumed by root accounts.",
                         RoleArn=self.role["Arn"], RoleSessionName="as-root")

    def test_missing_role_is_access_denied(self):
        arn = "arn:aws:iam::%s:role/DoesNotExist" % ACCOUNT
        self.assertFails(self.assume, "AccessDenied", 403,
                         "User: arn:aws:iam::%s:user/admin is not authorized to perform: "
                         "sts:AssumeRole on resource: %s" % (ACCOUNT, arn), RoleArn=arn)
        # A role ARN with the wrong path names no role either.
        self.assertFails(self.assume, "AccessDenied", 403,
                         RoleArn="arn:aws:iam::%s:role/wrong/Ops" % ACCOUNT)
        self.assertFails(self.assume, "AccessDenied", 403,
                         RoleArn="arn:aws:iam::%s:user/admin" % ACCOUNT)
        self.assertFails(self.assume, "ValidationError", 400, RoleArn="not-an-arn-at-all-really")
        rec = [r for r in self.records("AssumeRole", errorCode="AccessDenied")
               if r["requestParameters"]["roleArn"] == arn][-1]
        self.assertEqual(rec["resources"][0]["ARN"], arn)

    def test_trust_policy_decides(self):
        self.iam.create_user(UserName="outsider")
        outsider_key = self.iam.create_access_key(UserName="outsider")["AccessKey"]
        outsider = Creds(outsider_key["AccessKeyId"], outsider_key["SecretAccessKey"])
        self.iam.create_role(RoleName="AdminOnly", AssumeRolePolicyDocument=trust(
            {"AWS": "arn:aws:iam::%s:user/admin" % ACCOUNT}))
        arn = "arn:aws:iam::%s:role/AdminOnly" % ACCOUNT
        self.assume(RoleArn=arn)
        self.assertFails(self.assume, "AccessDenied", 403,
                         "User: arn:aws:iam::%s:user/outsider is not authorized to perform: "
                         "sts:AssumeRole on resource: %s" % (ACCOUNT, arn),
                         creds=outsider, RoleArn=arn)
        # An explicit Deny wins over the account-wide Allow.
        deny = json.loads(trust())
        deny["Statement"].append({"Effect": "Deny", "Action": "sts:AssumeRole",
                                  "Principal": {"AWS": "arn:aws:iam::%s:user/outsider" % ACCOUNT}})
        self.iam.create_role(RoleName="DenyOutsider", AssumeRolePolicyDocument=json.dumps(deny))
        arn = "arn:aws:iam::%s:role/DenyOutsider" % ACCOUNT
        self.assume(RoleArn=arn)
        self.assertFails(self.assume, "AccessDenied", 403, creds=outsider, RoleArn=arn)

    def test_external_id_condition(self):
        self.iam.create_role(RoleName="Vendor", AssumeRolePolicyDocument=trust(
            Condition={"StringEquals": {"sts:ExternalId": "shared-secret-42"}}))
        arn = "arn:aws:iam::%s:role/Vendor" % ACCOUNT
        self.assertFails(self.assume, "AccessDenied", 403, RoleArn=arn)
        self.assertFails(self.assume, "AccessDenied", 403, RoleArn=arn, ExternalId="wrong-one")
        self.assume(RoleArn=arn, ExternalId="shared-secret-42")

    def test_session_tags_and_source_identity_need_their_own_permission(self):
        tags = [{"Key": "project", "Value": "trail"}]
        self.assertFails(self.assume, "AccessDenied", 403,
                         "User: arn:aws:iam::%s:user/admin is not authorized to perform: "
                         "sts:TagSession on resource: %s" % (ACCOUNT, self.role["Arn"]),
                         Tags=tags)
        self.assertFails(self.assume, "AccessDenied", 403, SourceIdentity="alice")
        doc = trust(Action=["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"])
        self.iam.create_role(RoleName="Taggable", AssumeRolePolicyDocument=doc)
        arn = "arn:aws:iam::%s:role/Taggable" % ACCOUNT
        out = self.assume(RoleArn=arn, Tags=tags, SourceIdentity="alice")
        self.assertEqual(out["SourceIdentity"], "alice")
        self.assertGreater(out["PackedPolicySize"], 0)

    def test_session_policy(self):
        policy = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
        out = self.assume(Policy=policy)
        self.assertTrue(0 < out["PackedPolicySize"] <= 100)
        out = self.assume(PolicyArns=[{"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}])
        self.assertIn("PackedPolicySize", out)
        self.assertFails(self.assume, "MalformedPolicyDocument", 400, Policy="{nope")
        big = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject",
             "Resource": ["arn:aws:s3:::bucket-%04d/*" % i for i in range(100)]}]})
        e = self.assertFails(self.assume, "PackedPolicyTooLarge", 400, Policy=big)
        self.assertRegex(e.response["Error"]["Message"],
                         r"^Packed policy consumes \d+% of allotted space, please use smaller "
                         r"policy\.$")

    def test_duration_limits(self):
        self.assume(DurationSeconds=7200)
        self.assertFails(self.assume, "ValidationError", 400,
                         "The requested DurationSeconds exceeds the MaxSessionDuration set for "
                         "this role.", DurationSeconds=7201)
        raw = self.unvalidated("sts", self.admin).assume_role
        for bad in (899, 43201):
            self.assertFails(raw, "ValidationError", 400, RoleArn=self.role["Arn"],
                             RoleSessionName="ops-session", DurationSeconds=bad)

    def test_session_name_pattern(self):
        raw = self.unvalidated("sts", self.admin).assume_role
        for bad in ("has space", "x" * 65, "x"):
            self.assertFails(raw, "ValidationError", 400, RoleArn=self.role["Arn"],
                             RoleSessionName=bad)

    def test_mfa_codes_cannot_be_validated(self):
        self.assertFails(self.assume, "AccessDenied", 403,
                         SerialNumber="arn:aws:iam::%s:mfa/admin" % ACCOUNT, TokenCode="123456")

    def test_role_chaining(self):
        self.iam.create_role(RoleName="Chained", MaxSessionDuration=43200,
                             AssumeRolePolicyDocument=trust({"AWS": self.role["Arn"]}))
        arn = "arn:aws:iam::%s:role/Chained" % ACCOUNT
        k = self.assume()["Credentials"]
        session = Creds(k["AccessKeyId"], k["SecretAccessKey"], k["SessionToken"], ACCOUNT)
        # A user is not the trusted role.
        self.assertFails(self.assume, "AccessDenied", 403, RoleArn=arn)
        self.assertFails(self.assume, "ValidationError", 400,
                         "The requested DurationSeconds exceeds the 1 hour session limit for "
                         "roles assumed by role chaining.",
                         creds=session, RoleArn=arn, DurationSeconds=7200)
        out = self.assume(creds=session, RoleArn=arn, RoleSessionName="second-hop")
        k2 = out["Credentials"]
        hop = Creds(k2["AccessKeyId"], k2["SecretAccessKey"], k2["SessionToken"], ACCOUNT)
        self.assertEqual(self.srv.client("sts", hop).get_caller_identity()["Arn"],
                         "arn:aws:sts::%s:assumed-role/Chained/second-hop" % ACCOUNT)
        rec = [r for r in self.records("AssumeRole") if r.get("responseElements") and
               r["responseElements"]["credentials"]["accessKeyId"] == k2["AccessKeyId"]][0]
        self.assertEqual(rec["userIdentity"]["type"], "AssumedRole")
        self.assertEqual(rec["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"],
                         self.role["Arn"])

    def test_session_of_a_deleted_role_keeps_its_identity(self):
        # Credentials already issued stay valid until they expire (AWS behaviour); the
        # role's name can be reused and new sessions get the new role's id.
        self.iam.create_role(RoleName="Ephemeral", AssumeRolePolicyDocument=trust())
        arn = "arn:aws:iam::%s:role/Ephemeral" % ACCOUNT
        old_id = self.iam.get_role(RoleName="Ephemeral")["Role"]["RoleId"]
        k = self.assume(RoleArn=arn)["Credentials"]
        self.iam.delete_role(RoleName="Ephemeral")
        self.assertFails(self.assume, "AccessDenied", 403, RoleArn=arn)
        session = Creds(k["AccessKeyId"], k["SecretAccessKey"], k["SessionToken"], ACCOUNT)
        self.assertEqual(self.srv.client("sts", session).get_caller_identity()["UserId"],
                         old_id + ":ops-session")


if __name__ == "__main__":
    unittest.main()
