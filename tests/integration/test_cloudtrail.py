"""CloudTrail over the wire: the seed organization trail, what members and delegated
admins see and may do, each organization-trail precondition's error, persistence."""
import json
import os
import unittest

import botocore.exceptions

from tests.integration.harness import OrgtrailServer, error_code

HERE = os.path.dirname(__file__)
MGMT = "111111111111"
CT = "cloudtrail.amazonaws.com"


def seed_policy(bucket, org_id, trail_name, region="us-east-1"):
    with open(os.path.join(HERE, "fixtures", "org-trail-bucket-policy.json")) as f:
        text = f.read()
    for k, v in {"bucket": bucket, "management_account": MGMT, "org_id": org_id,
                 "region": region, "trail_name": trail_name}.items():
        text = text.replace("{%s}" % k, v)
    return json.loads(text)


def policy_for(bucket, org_id, trail_names):
    """The seed policy admitting several trails (aws:SourceArn lists each)."""
    pol = seed_policy(bucket, org_id, trail_names[0])
    arns = ["arn:aws:cloudtrail:us-east-1:%s:trail/%s" % (MGMT, n) for n in trail_names]
    for st in pol["Statement"]:
        st["Condition"]["StringEquals"]["aws:SourceArn"] = arns
    return json.dumps(pol)


def trail_arn(name, account=MGMT, region="us-east-1"):
    return "arn:aws:cloudtrail:%s:%s:trail/%s" % (region, account, name)


class CloudTrailCase(unittest.TestCase):
    def code(self, fn, **kw):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(**kw)
        return error_code(cm.exception)


class SeedOrgTrailTest(CloudTrailCase):
    """The seed documents' setup: organization with all features, a log-archive account
    and two members, trusted access, the bucket in log-archive with the documented policy,
    a multi-region organization trail with log file validation, logging."""

    @classmethod
    def setUpClass(cls):
        cls.srv = OrgtrailServer().start()
        org = cls.srv.client("organizations")
        org.create_organization(FeatureSet="ALL")
        cls.org_id = org.describe_organization()["Organization"]["Id"]
        cls.log_archive = cls.srv.create_account("log-archive")
        cls.member_a = cls.srv.create_account("workload-a")
        cls.member_b = cls.srv.create_account("workload-b")
        cls.admin_acct = cls.srv.create_account("ct-admin")
        org.enable_aws_service_access(ServicePrincipal=CT)
        cls.bucket = "org-trail-logs-%s" % cls.log_archive
        la = cls.srv.client("s3", cls.srv.member_admin(cls.log_archive))
        la.create_bucket(Bucket=cls.bucket)
        la.put_bucket_policy(Bucket=cls.bucket,
                             Policy=policy_for(cls.bucket, cls.org_id, ["org-trail", "da-trail"]))
        cls.arn = trail_arn("org-trail")
        cls.created = cls.srv.client("cloudtrail").create_trail(
            Name="org-trail", S3BucketName=cls.bucket, IsOrganizationTrail=True,
            IsMultiRegionTrail=True, EnableLogFileValidation=True,
            TagsList=[{"Key": "team", "Value": "security"}])
        cls.srv.client("cloudtrail").start_logging(Name="org-trail")

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def ct(self, creds=None, region=None):
        return self.srv.client("cloudtrail", creds, region)

    def test_create_response(self):
        c = dict(self.created)
        c.pop("ResponseMetadata")
        self.assertEqual(c, {"Name": "org-trail", "S3BucketName": self.bucket,
                             "IncludeGlobalServiceEvents": True, "IsMultiRegionTrail": True,
                             "TrailARN": self.arn, "LogFileValidationEnabled": True,
                             "IsOrganizationTrail": True})

    def test_management_views(self):
        ct = self.ct()
        trails = ct.describe_trails()["trailList"]
        self.assertEqual(trails, [{
            "Name": "org-trail", "S3BucketName": self.bucket, "IncludeGlobalServiceEvents": True,
            "IsMultiRegionTrail": True, "HomeRegion": "us-east-1", "TrailARN": self.arn,
            "LogFileValidationEnabled": True, "HasCustomEventSelectors": False,
            "HasInsightSelectors": False, "IsOrganizationTrail": True}])
        self.assertEqual(ct.get_trail(Name="org-trail")["Trail"], trails[0])
        self.assertEqual(ct.get_trail(Name=self.arn)["Trail"], trails[0])
        st = ct.get_trail_status(Name="org-trail")
        self.assertTrue(st["IsLogging"])
        self.assertIn("StartLoggingTime", st)
        self.assertEqual(ct.list_trails()["Trails"],
                         [{"TrailARN": self.arn, "Name": "org-trail", "HomeRegion": "us-east-1"}])
        sel = ct.get_event_selectors(TrailName="org-trail")
        self.assertEqual(sel["TrailARN"], self.arn)
        self.assertEqual(sel["EventSelectors"], [{
            "ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": [],
            "ExcludeManagementEventSources": []}])
        tags = ct.list_tags(ResourceIdList=[self.arn])["ResourceTagList"]
        self.assertEqual(tags, [{"ResourceId": self.arn,
                                 "TagsList": [{"Key": "team", "Value": "security"}]}])

    def test_other_region_shadow(self):
        ct = self.ct(region="eu-west-1")
        trails = ct.describe_trails()["trailList"]
        self.assertEqual([(t["TrailARN"], t["HomeRegion"]) for t in trails],
                         [(self.arn, "us-east-1")])
        self.assertEqual(ct.describe_trails(includeShadowTrails=False)["trailList"], [])
        self.assertEqual(self.code(ct.stop_logging, Name=self.arn), "InvalidHomeRegionException")

    def test_member_sees_org_trail(self):
        creds = self.srv.member_admin(self.member_a)
        ct = self.ct(creds)
        trails = ct.describe_trails()["trailList"]
        self.assertEqual(len(trails), 1)
        self.assertEqual(trails[0]["TrailARN"], self.arn)
        self.assertTrue(trails[0]["IsOrganizationTrail"])
        self.assertEqual(ct.describe_trails(includeShadowTrails=False)["trailList"], [])
        self.assertEqual([t["TrailARN"] for t in ct.list_trails()["Trails"]], [self.arn])
        self.assertEqual(ct.get_trail(Name=self.arn)["Trail"]["TrailARN"], self.arn)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            ct.get_trail_status(Name=self.arn)
        self.assertEqual(error_code(cm.exception), "CloudTrailARNInvalidException")
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         "AccountID in ARN is wrong, you can only access resources with "
                         "AccountID %s." % self.member_a)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            ct.get_trail(Name="org-trail")
        self.assertEqual(error_code(cm.exception), "TrailNotFoundException")
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         "Unknown trail: %s for the user: %s"
                         % (trail_arn("org-trail", self.member_a), self.member_a))
        self.assertEqual(self.code(ct.get_event_selectors, TrailName=self.arn),
                         "CloudTrailARNInvalidException")

    def test_member_cannot_change_org_trail(self):
        ct = self.ct(self.srv.member_admin(self.member_b))
        for name, expected in ((self.arn, "CloudTrailARNInvalidException"),
                               ("org-trail", "TrailNotFoundException")):
            self.assertEqual(self.code(ct.update_trail, Name=name, EnableLogFileValidation=False),
                             expected)
            self.assertEqual(self.code(ct.delete_trail, Name=name), expected)
            self.assertEqual(self.code(ct.stop_logging, Name=name), expected)
            self.assertEqual(self.code(ct.start_logging, Name=name), expected)
            self.assertEqual(self.code(ct.put_event_selectors, TrailName=name,
                                       EventSelectors=[{"ReadWriteType": "WriteOnly"}]), expected)
        # The AWS CLI reports the same refusal.
        rc, _, err = self.srv.aws("cloudtrail", "stop-logging", "--name", self.arn,
                                  creds=self.srv.member_admin(self.member_b))
        self.assertNotEqual(rc, 0)
        self.assertIn("CloudTrailARNInvalidException", err)
        # Nothing changed.
        mg = self.ct()
        self.assertTrue(mg.get_trail_status(Name="org-trail")["IsLogging"])
        self.assertTrue(mg.get_trail(Name="org-trail")["Trail"]["LogFileValidationEnabled"])
        recs = [r for r in self.srv.events(self.member_b)
                if r["eventSource"] == CT and r["eventName"] == "StopLogging"]
        self.assertTrue(recs)
        self.assertTrue(all(r.get("errorCode") for r in recs))

    def test_joined_later_and_removed(self):
        late = self.srv.create_account("late-joiner")
        creds = self.srv.member_admin(late)
        ct = self.ct(creds)
        self.assertEqual([t["TrailARN"] for t in ct.describe_trails()["trailList"]], [self.arn])
        self.srv.client("organizations").remove_account_from_organization(AccountId=late)
        self.assertEqual(ct.describe_trails()["trailList"], [])
        self.assertEqual(ct.list_trails()["Trails"], [])
        self.assertEqual(self.code(ct.get_trail, Name=self.arn), "CloudTrailARNInvalidException")

    def test_records_name_the_trail(self):
        recs = [r for r in self.srv.events(MGMT)
                if r["eventSource"] == CT and r["eventName"] == "CreateTrail"
                and not r.get("errorCode")]
        self.assertTrue(recs)
        self.assertEqual(recs[0]["resources"], [
            {"accountId": MGMT, "type": "AWS::CloudTrail::Trail", "ARN": self.arn}])

    def test_delegated_admin_flow(self):
        mg = self.ct()
        admin = self.srv.member_admin(self.admin_acct)
        da = self.ct(admin)
        self.assertEqual(self.code(da.register_organization_delegated_admin,
                                   MemberAccountId=self.admin_acct),
                         "NotOrganizationManagementAccountException")
        self.assertEqual(self.code(mg.register_organization_delegated_admin, MemberAccountId=MGMT),
                         "CannotDelegateManagementAccountException")
        mg.register_organization_delegated_admin(MemberAccountId=self.admin_acct)
        admins = self.srv.client("organizations").list_delegated_administrators(
            ServicePrincipal=CT)["DelegatedAdministrators"]
        self.assertEqual([a["Id"] for a in admins], [self.admin_acct])
        self.assertEqual(self.code(mg.register_organization_delegated_admin,
                                   MemberAccountId=self.admin_acct), "AccountRegisteredException")
        try:
            t = da.create_trail(Name="da-trail", S3BucketName=self.bucket,
                                IsOrganizationTrail=True, IsMultiRegionTrail=True)
            da_arn = trail_arn("da-trail")
            self.assertEqual(t["TrailARN"], da_arn)
            # The admin reaches organization trails by ARN; by name it has none.
            self.assertEqual(self.code(da.start_logging, Name="da-trail"), "TrailNotFoundException")
            da.start_logging(Name=da_arn)
            da.stop_logging(Name=self.arn)
            self.assertFalse(mg.get_trail_status(Name="org-trail")["IsLogging"])
            da.start_logging(Name=self.arn)
            self.assertEqual(self.code(da.update_trail, Name=da_arn, IsOrganizationTrail=False),
                             "NotOrganizationMasterAccountException")
            arns = {x["TrailARN"] for x in da.describe_trails()["trailList"]}
            self.assertEqual(arns, {self.arn, da_arn})
            # Members see both organization trails.
            member = self.ct(self.srv.member_admin(self.member_a))
            self.assertEqual({x["TrailARN"] for x in member.describe_trails()["trailList"]}, arns)
            self.assertIn("da-trail", [x["Name"] for x in mg.describe_trails()["trailList"]])
            da.delete_trail(Name=da_arn)
            self.assertEqual(self.code(mg.get_trail, Name="da-trail"), "TrailNotFoundException")
            self.assertEqual([x["TrailARN"] for x in member.describe_trails()["trailList"]],
                             [self.arn])
        finally:
            mg.deregister_organization_delegated_admin(DelegatedAdminAccountId=self.admin_acct)
        self.assertEqual(self.code(mg.deregister_organization_delegated_admin,
                                   DelegatedAdminAccountId=self.admin_acct),
                         "AccountNotRegisteredException")
        self.assertEqual(self.code(da.stop_logging, Name=self.arn), "CloudTrailARNInvalidException")

    def test_selectors_and_tags_over_cli(self):
        rc, out, err = self.srv.aws("cloudtrail", "put-event-selectors", "--trail-name", "org-trail",
                                    "--event-selectors",
                                    json.dumps([{"ReadWriteType": "All",
                                                 "IncludeManagementEvents": True,
                                                 "DataResources": [{"Type": "AWS::S3::Object",
                                                                    "Values": ["arn:aws:s3"]}]}]))
        self.assertEqual(rc, 0, err)
        self.assertEqual(out["EventSelectors"][0]["DataResources"][0]["Values"], ["arn:aws:s3"])
        rc, out, err = self.srv.aws("cloudtrail", "get-trail", "--name", "org-trail")
        self.assertTrue(out["Trail"]["HasCustomEventSelectors"])
        rc, out, err = self.srv.aws("cloudtrail", "add-tags", "--resource-id", self.arn,
                                    "--tags-list", "Key=env,Value=prod")
        self.assertEqual(rc, 0, err)
        rc, out, err = self.srv.aws("cloudtrail", "list-tags", "--resource-id-list", self.arn)
        self.assertEqual(out["ResourceTagList"][0]["TagsList"],
                         [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "security"}])
        rc, out, err = self.srv.aws("cloudtrail", "remove-tags", "--resource-id", self.arn,
                                    "--tags-list", "Key=env")
        self.assertEqual(rc, 0, err)

    def test_zz_state_survives_restart(self):
        # Runs last in this class (alphabetical order): every client is made afresh.
        self.srv.restart()
        ct = self.ct()
        t = ct.get_trail(Name="org-trail")["Trail"]
        self.assertTrue(t["IsOrganizationTrail"])
        self.assertTrue(t["LogFileValidationEnabled"])
        self.assertTrue(ct.get_trail_status(Name="org-trail")["IsLogging"])
        self.assertIn({"Key": "team", "Value": "security"},
                      ct.list_tags(ResourceIdList=[self.arn])["ResourceTagList"][0]["TagsList"])
        member = self.ct(self.srv.member_admin(self.member_a))
        self.assertEqual([x["TrailARN"] for x in member.describe_trails()["trailList"]], [self.arn])


class PreconditionsTest(CloudTrailCase):
    """Each precondition of an organization trail, and the single-account rules, in the
    order a user meets them."""

    @classmethod
    def setUpClass(cls):
        cls.srv = OrgtrailServer().start()

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def test_preconditions_in_order(self):
        srv = self.srv
        ct = srv.client("cloudtrail")
        s3 = srv.client("s3")
        s3.create_bucket(Bucket="mgmt-trail-logs")
        org_trail = dict(Name="org-trail", S3BucketName="mgmt-trail-logs",
                         IsOrganizationTrail=True, IsMultiRegionTrail=True)
        self.assertEqual(self.code(ct.create_trail, **org_trail), "OrganizationsNotInUseException")
        org = srv.client("organizations")
        org.create_organization(FeatureSet="ALL")
        org_id = org.describe_organization()["Organization"]["Id"]
        member = srv.create_account("member")
        self.assertEqual(self.code(ct.create_trail, **org_trail),
                         "CloudTrailAccessNotEnabledException")
        mct = srv.client("cloudtrail", srv.member_admin(member))
        self.assertEqual(self.code(mct.create_trail, **org_trail),
                         "NotOrganizationMasterAccountException")
        self.assertEqual(self.code(ct.register_organization_delegated_admin,
                                   MemberAccountId=member), "CloudTrailAccessNotEnabledException")
        org.enable_aws_service_access(ServicePrincipal=CT)
        self.assertEqual(self.code(ct.create_trail, **dict(org_trail, S3BucketName="missing-bucket")),
                         "S3BucketDoesNotExistException")
        self.assertEqual(self.code(ct.create_trail, **org_trail),
                         "InsufficientS3BucketPolicyException")
        # The single-account statements only: the organization prefix is missing.
        pol = seed_policy("mgmt-trail-logs", org_id, "org-trail")
        pol["Statement"] = pol["Statement"][:2]
        s3.put_bucket_policy(Bucket="mgmt-trail-logs", Policy=json.dumps(pol))
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            ct.create_trail(**org_trail)
        self.assertEqual(error_code(cm.exception), "InsufficientS3BucketPolicyException")
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         "Incorrect S3 bucket policy is detected for bucket: mgmt-trail-logs")
        s3.put_bucket_policy(Bucket="mgmt-trail-logs",
                             Policy=policy_for("mgmt-trail-logs", org_id,
                                               ["org-trail", "t-1", "t-2", "t-3", "t-4", "t-5"]))
        ct.create_trail(**org_trail)
        srv.client("iam").get_role(RoleName="AWSServiceRoleForCloudTrail")
        self.assertEqual(self.code(ct.create_trail, **org_trail), "TrailAlreadyExistsException")
        for i in range(1, 5):
            ct.create_trail(Name="t-%d" % i, S3BucketName="mgmt-trail-logs")
        self.assertEqual(self.code(ct.create_trail, Name="t-5", S3BucketName="mgmt-trail-logs"),
                         "MaximumNumberOfTrailsExceededException")
        self.assertEqual(self.code(ct.create_trail, Name="-bad", S3BucketName="mgmt-trail-logs"),
                         "InvalidTrailNameException")
        self.assertEqual(self.code(ct.get_trail, Name="nope-trail"), "TrailNotFoundException")
        self.assertEqual(self.code(ct.get_trail, Name="arn:aws:cloudtrail:us-east-1:1:trail/x"),
                         "CloudTrailARNInvalidException")
        self.assertEqual(self.code(ct.create_trail, Name="multi", S3BucketName="mgmt-trail-logs",
                                   IsMultiRegionTrail=True, IncludeGlobalServiceEvents=False),
                         "InvalidParameterCombinationException")

    def test_zz_delegated_admin_without_cloudtrail_role(self):
        # After test_preconditions_in_order: the organization exists with trusted access.
        srv = self.srv
        ct = srv.client("cloudtrail")
        admin = srv.create_account("ct-admin")
        ct.register_organization_delegated_admin(MemberAccountId=admin)
        iam = srv.client("iam")
        iam.get_role(RoleName="AWSServiceRoleForCloudTrail")
        iam.delete_service_linked_role(RoleName="AWSServiceRoleForCloudTrail")
        da = srv.client("cloudtrail", srv.member_admin(admin))
        self.assertEqual(self.code(da.create_trail, Name="da-trail", S3BucketName="mgmt-trail-logs",
                                   IsOrganizationTrail=True),
                         "InsufficientDependencyServiceAccessPermissionException")
        ct.deregister_organization_delegated_admin(DelegatedAdminAccountId=admin)

    def test_consolidated_billing_refused(self):
        srv = OrgtrailServer(account_id="222222222222").start()
        try:
            srv.client("organizations").create_organization(FeatureSet="CONSOLIDATED_BILLING")
            srv.client("s3").create_bucket(Bucket="cb-trail-logs")
            ct = srv.client("cloudtrail")
            self.assertEqual(self.code(ct.create_trail, Name="org-trail", S3BucketName="cb-trail-logs",
                                       IsOrganizationTrail=True),
                             "OrganizationNotInAllFeaturesModeException")
        finally:
            srv.close()


if __name__ == "__main__":
    unittest.main()
