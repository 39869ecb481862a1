"""Access control as the seeds rely on it, end to end with boto3 and the AWS CLI: a
read-only auditor role in the log-archive account assumed from a security account; an
SCP that stops even a member account's administrator and root; who may create an
organization trail; a user with no policy; and every refusal in the trail."""
import json
import unittest

import botocore.exceptions

from tests.integration.harness import Creds, OrgtrailServer, error_code
from tests.integration.test_cloudtrail import policy_for

MGMT = "111111111111"
CT = "cloudtrail.amazonaws.com"
SCP = "SERVICE_CONTROL_POLICY"


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


class AccessControlTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = OrgtrailServer().start()
        org = cls.srv.client("organizations")
        org.create_organization(FeatureSet="ALL")
        cls.org_id = org.describe_organization()["Organization"]["Id"]
        cls.root_id = org.list_roots()["Roots"][0]["Id"]
        org.enable_policy_type(RootId=cls.root_id, PolicyType=SCP)
        cls.log_archive = cls.srv.create_account("log-archive")
        cls.security = cls.srv.create_account("security")
        cls.member_a = cls.srv.create_account("member-a")
        cls.member_b = cls.srv.create_account("member-b")
        org.enable_aws_service_access(ServicePrincipal=CT)

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def refused(self, fn, code="AccessDenied", status=403, **kw):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(**kw)
        self.assertEqual(error_code(cm.exception), code, cm.exception.response["Error"])
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], status)
        return cm.exception.response["Error"]["Message"]

    def user(self, account_creds, name, *, policy=None, managed=None):
        iam = self.srv.client("iam", account_creds)
        iam.create_user(UserName=name)
        if policy:
            iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy)
        for arn in managed or []:
            iam.attach_user_policy(UserName=name, PolicyArn=arn)
        k = iam.create_access_key(UserName=name)["AccessKey"]
        return Creds(k["AccessKeyId"], k["SecretAccessKey"], None, account_creds.account)

    def denials(self, account, event_name):
        return [r for r in self.srv.events(account) if r["eventName"] == event_name
                and r.get("errorCode") in ("AccessDenied", "AccessDeniedException")]

    # -- the auditor role -------------------------------------------------------------
    def test_auditor_role_reads_the_log_bucket_and_changes_nothing(self):
        archive = self.srv.root_of(self.log_archive)
        bucket = "audit-logs-%s" % self.log_archive
        s3 = self.srv.client("s3", archive)
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="AWSLogs/o/log.json.gz", Body=b"evidence")
        iam = self.srv.client("iam", archive)
        role_arn = iam.create_role(
            RoleName="Auditor",
            AssumeRolePolicyDocument=doc({"Effect": "Allow", "Action": "sts:AssumeRole",
                                          "Principal": {"AWS": "arn:aws:iam::%s:root"
                                                        % self.security}}))["Role"]["Arn"]
        iam.attach_role_policy(RoleName="Auditor",
                               PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
        security = self.srv.root_of(self.security)
        analyst = self.user(security, "analyst", policy=doc(
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arn}))
        nobody = self.user(security, "bystander")

        # The trust names the security account: its users need their own Allow too.
        self.refused(self.srv.client("sts", nobody).assume_role, RoleArn=role_arn,
                     RoleSessionName="bystander")
        auditor = self.srv.assume(role_arn, "audit", creds=analyst)
        a3 = self.srv.client("s3", auditor)
        keys = [o["Key"] for o in a3.list_objects_v2(Bucket=bucket)["Contents"]]
        self.assertEqual(keys, ["AWSLogs/o/log.json.gz"])
        body = a3.get_object(Bucket=bucket, Key="AWSLogs/o/log.json.gz")["Body"].read()
        self.assertEqual(body, b"evidence")

        session = "arn:aws:sts::%s:assumed-role/Auditor/audit" % self.log_archive
        msg = self.refused(a3.put_object, Bucket=bucket, Key="forged", Body=b"x")
        self.assertEqual(msg, 'User: %s is not authorized to perform: s3:PutObject on resource: '
                              '"arn:aws:s3:::%s/forged" because no identity-based policy allows '
                              'the s3:PutObject action' % (session, bucket))
        self.refused(a3.delete_object, Bucket=bucket, Key="AWSLogs/o/log.json.gz")
        policy_msg = self.refused(a3.put_bucket_policy, Bucket=bucket, Policy=doc(
            {"Effect": "Deny", "Principal": "*", "Action": "s3:*",
             "Resource": "arn:aws:s3:::%s" % bucket}))
        self.refused(a3.delete_bucket, Bucket=bucket)
        # The evidence is intact, and the refusals are in the log-archive account's trail
        # (PutBucketPolicy's: object calls are data events, recorded for trails that
        # select them).
        self.assertEqual(s3.get_object(Bucket=bucket, Key="AWSLogs/o/log.json.gz")["Body"].read(),
                         b"evidence")
        self.assertIn("s3:PutBucketPolicy", policy_msg)
        denied = self.denials(self.log_archive, "PutBucketPolicy")
        self.assertTrue(denied)
        self.assertEqual(denied[-1]["errorMessage"], policy_msg)
        self.assertEqual(denied[-1]["userIdentity"]["arn"], session)

    # -- SCPs ---------------------------------------------------------------------------
    def test_scp_stops_member_root_and_admin(self):
        org = self.srv.client("organizations")
        guard = org.create_policy(Name="protect-logs", Type=SCP, Description="keep the logs",
                                  Content=doc({"Effect": "Deny", "Resource": "*", "Action": [
                                      "s3:DeleteObject", "s3:PutBucketPolicy",
                                      "cloudtrail:StopLogging", "cloudtrail:DeleteTrail"]}))
        pid = guard["Policy"]["PolicySummary"]["Id"]
        org.attach_policy(PolicyId=pid, TargetId=self.member_a)
        try:
            root = self.srv.root_of(self.member_a)
            admin = self.srv.member_admin(self.member_a)
            for who, arn in ((root, "arn:aws:iam::%s:root" % self.member_a),
                             (admin, "arn:aws:sts::%s:assumed-role/OrganizationAccountAccessRole/"
                                     "test-session" % self.member_a)):
                ct = self.srv.client("cloudtrail", who)
                msg = self.refused(ct.stop_logging, "AccessDeniedException", 400, Name="trail")
                self.assertEqual(msg, "User: %s is not authorized to perform: "
                                      "cloudtrail:StopLogging on resource: arn:aws:cloudtrail:"
                                      "us-east-1:%s:trail/trail with an explicit deny in a "
                                      "service control policy" % (arn, self.member_a))
                self.refused(ct.delete_trail, "AccessDeniedException", 400, Name="trail")
                s3 = self.srv.client("s3", who)
                bucket = "guarded-%s-%s" % (who.access_key[:4].lower(), self.member_a)
                s3.create_bucket(Bucket=bucket)
                s3.put_object(Bucket=bucket, Key="k", Body=b"v")
                self.refused(s3.delete_object, Bucket=bucket, Key="k")
                self.refused(s3.put_bucket_policy, Bucket=bucket, Policy=doc(
                    {"Effect": "Allow", "Principal": {"AWS": self.member_a},
                     "Action": "s3:GetObject", "Resource": "arn:aws:s3:::%s/*" % bucket}))
                # What the SCP does not name still works.
                ct.describe_trails()
            # The AWS CLI sees the same refusal.
            rc, _, err = self.srv.aws("cloudtrail", "stop-logging", "--name", "trail", creds=root)
            self.assertNotEqual(rc, 0)
            self.assertIn("AccessDeniedException", err)
            self.assertIn("explicit deny in a service control policy", err)
            # Another member is not limited: it reaches the handler (no such trail).
            other = self.srv.client("cloudtrail", self.srv.root_of(self.member_b))
            self.refused(other.stop_logging, "TrailNotFoundException", 400, Name="trail")
            # Nor is the management account, even with the SCP on the root.
            org.attach_policy(PolicyId=pid, TargetId=self.root_id)
            mine = self.srv.client("cloudtrail")
            self.refused(mine.stop_logging, "TrailNotFoundException", 400, Name="trail")
            self.refused(other.stop_logging, "AccessDeniedException", 400, Name="trail")
            org.detach_policy(PolicyId=pid, TargetId=self.root_id)
            records = self.denials(self.member_a, "StopLogging")
            self.assertTrue(records)
            self.assertIn("service control policy", records[-1]["errorMessage"])
        finally:
            org.detach_policy(PolicyId=pid, TargetId=self.member_a)

    # -- who may create an organization trail --------------------------------------------
    def test_organization_trail_needs_the_seed_permissions(self):
        mgmt = self.srv.root
        bucket = "org-trail-%s" % MGMT
        self.srv.client("s3").create_bucket(Bucket=bucket)
        self.srv.client("s3").put_bucket_policy(Bucket=bucket,
                                                Policy=policy_for(bucket, self.org_id, ["org"]))
        creator = self.user(mgmt, "trail-maker",
                            managed=["arn:aws:iam::aws:policy/AWSCloudTrail_FullAccess"])
        ct = self.srv.client("cloudtrail", creator)
        msg = self.refused(ct.create_trail, "InsufficientDependencyServiceAccessPermissionException",
                           400, Name="org", S3BucketName=bucket, IsOrganizationTrail=True)
        self.assertIn("is not authorized to perform: iam:GetRole", msg)
        self.assertIn("Add iam:GetRole", msg)
        self.assertEqual(ct.describe_trails()["trailList"], [])
        # The seed's policy added: it can.
        self.srv.client("iam").put_user_policy(
            UserName="trail-maker", PolicyName="org-trail", PolicyDocument=doc(
                {"Effect": "Allow", "Resource": "*", "Action": [
                    "iam:GetRole", "organizations:EnableAWSServiceAccess",
                    "organizations:ListAccounts", "iam:CreateServiceLinkedRole",
                    "organizations:DisableAWSServiceAccess",
                    "organizations:DescribeOrganization",
                    "organizations:ListAWSServiceAccessForOrganization"]}))
        t = ct.create_trail(Name="org", S3BucketName=bucket, IsOrganizationTrail=True)
        self.assertTrue(t["IsOrganizationTrail"])
        ct.delete_trail(Name="org")

    # -- a user with no policy ----------------------------------------------------------
    # -- permissions boundaries and session policies (R7, R8) ---------------------------
    def test_permissions_boundary_limits_an_administrator(self):
        member = self.srv.root_of(self.member_a)
        admin = self.user(member, "bounded-admin",
                          managed=["arn:aws:iam::aws:policy/AdministratorAccess"])
        iam = self.srv.client("iam", member)
        rc, _, err = self.srv.aws("iam", "put-user-permissions-boundary", "--user-name",
                                  "bounded-admin", "--permissions-boundary",
                                  "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", creds=member)
        self.assertEqual(rc, 0, err)
        self.srv.client("s3", admin).list_buckets()  # inside the boundary
        ct = self.srv.client("cloudtrail", admin)
        msg = self.refused(ct.describe_trails, "AccessDeniedException", 400)
        self.assertEqual(msg, "User: arn:aws:iam::%s:user/bounded-admin is not authorized to "
                         "perform: cloudtrail:DescribeTrails because no permissions boundary "
                         "allows the cloudtrail:DescribeTrails action" % self.member_a)
        self.refused(self.srv.client("iam", admin).create_user, UserName="escalated")
        # Removing the boundary takes effect on the very next request.
        iam.delete_user_permissions_boundary(UserName="bounded-admin")
        ct.describe_trails()
        self.assertTrue(self.denials(self.member_a, "DescribeTrails"))

    def test_session_policy_limits_the_assumed_role(self):
        member = self.srv.root_of(self.member_b)
        iam = self.srv.client("iam", member)
        role_arn = iam.create_role(
            RoleName="Operator",
            AssumeRolePolicyDocument=doc({"Effect": "Allow", "Action": "sts:AssumeRole",
                                          "Principal": {"AWS": "arn:aws:iam::%s:root"
                                                        % self.member_b}}))["Role"]["Arn"]
        iam.attach_role_policy(RoleName="Operator",
                               PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
        caller = self.user(member, "operator", policy=doc(
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arn}))
        sts = self.srv.client("sts", caller)

        def session(**kw):
            c = sts.assume_role(RoleArn=role_arn, RoleSessionName="ops", **kw)["Credentials"]
            return Creds(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"], self.member_b)

        full = session()
        self.srv.client("cloudtrail", full).describe_trails()
        inline = session(Policy=doc({"Effect": "Allow", "Action": "s3:ListAllMyBuckets",
                                     "Resource": "*"}))
        self.srv.client("s3", inline).list_buckets()
        msg = self.refused(self.srv.client("cloudtrail", inline).describe_trails,
                           "AccessDeniedException", 400)
        self.assertIn("because no session policy allows the cloudtrail:DescribeTrails action", msg)
        self.assertIn("arn:aws:sts::%s:assumed-role/Operator/ops" % self.member_b, msg)
        managed = session(PolicyArns=[{"arn": "arn:aws:iam::aws:policy/AWSCloudTrail_ReadOnlyAccess"}])
        self.srv.client("cloudtrail", managed).describe_trails()
        self.refused(self.srv.client("s3", managed).list_buckets)
        # The session policy never grants more than the role has.
        wide = session(Policy=doc({"Effect": "Allow", "Action": "*", "Resource": "*"}))
        iam.detach_role_policy(RoleName="Operator",
                               PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
        self.refused(self.srv.client("s3", wide).list_buckets)

    def test_organizations_resources_are_arns(self):
        mgmt = self.srv.root
        account_arn = "arn:aws:organizations::%s:account/%s/%s" % (MGMT, self.org_id,
                                                                   self.member_a)
        reader = self.user(mgmt, "org-reader", policy=doc(
            {"Effect": "Allow", "Action": "organizations:DescribeAccount",
             "Resource": account_arn},
            {"Effect": "Allow", "Action": "organizations:DescribePolicy",
             "Resource": "arn:aws:organizations::aws:policy/service_control_policy/*"}))
        org = self.srv.client("organizations", reader)
        self.assertEqual(org.describe_account(AccountId=self.member_a)["Account"]["Id"],
                         self.member_a)
        msg = self.refused(org.describe_account, "AccessDeniedException", 400,
                           AccountId=self.member_b)
        self.assertIn("on resource: arn:aws:organizations::%s:account/%s/%s" % (
            MGMT, self.org_id, self.member_b), msg)
        org.describe_policy(PolicyId="p-FullAWSAccess")
        mine = self.srv.client("organizations").create_policy(
            Name="mine", Description="", Type=SCP,
            Content=doc({"Effect": "Allow", "Action": "*", "Resource": "*"}))["Policy"]
        pid = mine["PolicySummary"]["Id"]
        msg = self.refused(org.describe_policy, "AccessDeniedException", 400, PolicyId=pid)
        self.assertIn("arn:aws:organizations::%s:policy/%s/service_control_policy/%s" % (
            MGMT, self.org_id, pid), msg)
        # organizations:PolicyType: the request's, or the policy's it names.
        def typed(name, policy_type):
            return self.srv.client("organizations", self.user(mgmt, name, policy=doc(
                {"Effect": "Allow", "Action": ["organizations:DescribePolicy",
                                               "organizations:ListPolicies"], "Resource": "*",
                 "Condition": {"StringEquals": {"organizations:PolicyType": policy_type}}})))
        scps, tags = typed("scp-reader", SCP), typed("tag-reader", "TAG_POLICY")
        scps.describe_policy(PolicyId=pid)
        scps.list_policies(Filter=SCP)
        self.refused(tags.describe_policy, "AccessDeniedException", 400, PolicyId=pid)
        self.refused(tags.list_policies, "AccessDeniedException", 400, Filter=SCP)

    def test_user_without_policy_may_only_ask_who_it_is(self):
        bare = self.user(self.srv.root, "bare")
        who = self.srv.client("sts", bare).get_caller_identity()
        self.assertEqual(who["Arn"], "arn:aws:iam::%s:user/bare" % MGMT)
        arn = who["Arn"]
        calls = [
            (self.srv.client("cloudtrail", bare).describe_trails, {}, "AccessDeniedException",
             400, "cloudtrail:DescribeTrails"),
            (self.srv.client("cloudtrail", bare).stop_logging, {"Name": "org"},
             "AccessDeniedException", 400, "cloudtrail:StopLogging"),
            (self.srv.client("iam", bare).create_user, {"UserName": "mallory"}, "AccessDenied",
             403, "iam:CreateUser"),
            (self.srv.client("organizations", bare).describe_organization, {},
             "AccessDeniedException", 400, "organizations:DescribeOrganization"),
            (self.srv.client("s3", bare).list_buckets, {}, "AccessDenied", 403,
             "s3:ListAllMyBuckets"),
            (self.srv.client("s3", bare).create_bucket, {"Bucket": "bare-bucket"}, "AccessDenied",
             403, "s3:CreateBucket"),
        ]
        for fn, kw, code, status, action in calls:
            msg = self.refused(fn, code, status, **kw)
            self.assertTrue(msg.startswith("User: %s is not authorized to perform: %s"
                                           % (arn, action)), msg)
            self.assertTrue(msg.endswith("because no identity-based policy allows the %s action"
                                         % action), msg)
        self.refused(self.srv.client("iam").get_user, "NoSuchEntity", 404, UserName="mallory")
        rc, _, err = self.srv.aws("cloudtrail", "describe-trails", creds=bare)
        self.assertNotEqual(rc, 0)
        self.assertIn("AccessDeniedException", err)
        # Every refusal is in the trail, with its code and message.
        for name, code in (("DescribeTrails", "AccessDeniedException"),
                           ("CreateUser", "AccessDenied"), ("ListBuckets", "AccessDenied")):
            recs = [r for r in self.srv.events(MGMT) if r["eventName"] == name
                    and r["userIdentity"].get("arn") == arn]
            self.assertTrue(recs, name)
            self.assertEqual(recs[-1]["errorCode"], code)
            self.assertIn("is not authorized to perform", recs[-1]["errorMessage"])


if __name__ == "__main__":
    unittest.main()
