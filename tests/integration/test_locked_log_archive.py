"""The log-archive bucket as write-once storage: the seed organization trail delivering
into a bucket with Object Lock (COMPLIANCE default retention), and the log-archive
account's own root user unable to delete a log file's version or shorten its retention.
Also `orgtrail root-key`, which gives a member account's root user an access key."""
import datetime
import subprocess
import unittest

import botocore.exceptions

from tests.integration.delivery_util import KEY_RE, BucketReader, wait_for
from tests.integration.harness import BINARY, OrgtrailServer, error_code
from tests.integration.test_cloudtrail import policy_for, trail_arn

CT = "cloudtrail.amazonaws.com"


class LockedLogArchiveTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = OrgtrailServer(extra_args=["--delivery-interval", "1"]).start()
        org = cls.srv.client("organizations")
        org.create_organization(FeatureSet="ALL")
        org_id = org.describe_organization()["Organization"]["Id"]
        cls.log_archive = cls.srv.create_account("log-archive")
        org.enable_aws_service_access(ServicePrincipal=CT)
        cls.bucket = "org-trail-logs-%s" % cls.log_archive
        cls.root = cls.srv.root_of(cls.log_archive)
        s3 = cls.srv.client("s3", cls.root)
        s3.create_bucket(Bucket=cls.bucket, ObjectLockEnabledForBucket=True)
        s3.put_object_lock_configuration(Bucket=cls.bucket, ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 30}}})
        s3.put_bucket_policy(Bucket=cls.bucket, Policy=policy_for(cls.bucket, org_id, ["org-trail"]))
        ct = cls.srv.client("cloudtrail")
        ct.create_trail(Name="org-trail", S3BucketName=cls.bucket, IsOrganizationTrail=True,
                        IsMultiRegionTrail=True, EnableLogFileValidation=True)
        ct.start_logging(Name="org-trail")
        reader = BucketReader(cls.srv, cls.bucket, cls.root)
        cls.key = wait_for(lambda: next((k for k in reader.keys() if KEY_RE.match(k)), None))
        assert cls.key, "no log file was delivered"

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def s3(self):
        return self.srv.client("s3", self.root)

    def refused(self, fn, **kw):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(**kw)
        self.assertEqual(error_code(cm.exception), "AccessDenied")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)

    def test_the_root_key_is_the_log_archive_root(self):
        who = self.srv.client("sts", self.root).get_caller_identity()
        self.assertEqual(who["Account"], self.log_archive)
        self.assertEqual(who["Arn"], "arn:aws:iam::%s:root" % self.log_archive)

    def test_log_file_is_locked_for_the_owner_root(self):
        s3 = self.s3()
        head = s3.head_object(Bucket=self.bucket, Key=self.key)
        self.assertEqual(head["ObjectLockMode"], "COMPLIANCE")
        until = head["ObjectLockRetainUntilDate"]
        self.assertGreater(until, datetime.datetime.now(datetime.timezone.utc)
                           + datetime.timedelta(days=29))
        vid = head["VersionId"]

        self.refused(s3.delete_object, Bucket=self.bucket, Key=self.key, VersionId=vid)
        self.refused(s3.delete_object, Bucket=self.bucket, Key=self.key, VersionId=vid,
                     BypassGovernanceRetention=True)
        self.refused(s3.put_object_retention, Bucket=self.bucket, Key=self.key, VersionId=vid,
                     Retention={"Mode": "COMPLIANCE",
                                "RetainUntilDate": until - datetime.timedelta(days=1)})
        self.refused(s3.put_object_retention, Bucket=self.bucket, Key=self.key, VersionId=vid,
                     Retention={"Mode": "GOVERNANCE", "RetainUntilDate": until},
                     BypassGovernanceRetention=True)
        # The AWS CLI as the same root user: refused the same way.
        rc, _, err = self.srv.aws("s3api", "delete-object", "--bucket", self.bucket, "--key",
                                  self.key, "--version-id", vid, creds=self.root)
        self.assertNotEqual(rc, 0)
        self.assertIn("AccessDenied", err)

        # Nothing changed: the version and its retention are as delivered.
        again = s3.head_object(Bucket=self.bucket, Key=self.key, VersionId=vid)
        self.assertEqual(again["ObjectLockRetainUntilDate"], until)
        self.assertEqual(again["ObjectLockMode"], "COMPLIANCE")
        versions = s3.list_object_versions(Bucket=self.bucket, Prefix=self.key)["Versions"]
        self.assertEqual([v["VersionId"] for v in versions], [vid])

    def test_extending_retention_is_allowed(self):
        s3 = self.s3()
        head = s3.head_object(Bucket=self.bucket, Key=self.key)
        later = head["ObjectLockRetainUntilDate"] + datetime.timedelta(days=1)
        s3.put_object_retention(Bucket=self.bucket, Key=self.key, VersionId=head["VersionId"],
                                Retention={"Mode": "COMPLIANCE", "RetainUntilDate": later})
        got = s3.get_object_retention(Bucket=self.bucket, Key=self.key,
                                      VersionId=head["VersionId"])["Retention"]
        self.assertEqual(got["RetainUntilDate"], later)


class RootKeyCommandTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = OrgtrailServer().start()

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def run_cmd(self, *args):
        return subprocess.run([BINARY, "root-key", "--data", self.srv.data] + list(args),
                              capture_output=True, text=True)

    def test_unknown_account_and_limit(self):
        p = self.run_cmd("--account-id", "999999999999")
        self.assertEqual(p.returncode, 1)
        self.assertIn("not in this store", p.stderr)
        p = self.run_cmd("--account-id", "12")
        self.assertEqual(p.returncode, 2)
        # init made the management root's first key; one more is allowed, a third is not.
        self.assertEqual(self.run_cmd("--account-id", self.srv.account_id).returncode, 0)
        p = self.run_cmd("--account-id", self.srv.account_id)
        self.assertEqual(p.returncode, 1)
        self.assertIn("already has 2 access keys", p.stderr)
        p = subprocess.run([BINARY, "root-key", "--help"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0)
        self.assertIn("usage: orgtrail root-key", p.stdout)


if __name__ == "__main__":
    unittest.main()
