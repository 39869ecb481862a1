"""Digest files over the wire, checked by the official validator: a real
`orgtrail serve --delivery-interval 1 --digest-interval 2`, the seed organization trail with
log file validation, calls as the management account and members in two regions, several
digest periods; then `aws cloudtrail validate-logs` (awscli v1, AWS_ENDPOINT_URL pointing at
orgtrail) finds every digest and log file valid, for the management account and for
members, in both regions. Tampering is reported by the same validator: a log file
overwritten -> "hash value doesn't match"; a digest in the chain deleted -> "not found".
The chain resumes across a restart, StopLogging/StartLogging and switching validation off
and on (a new chain then starts, which the CLI reports as a harmless gap). DeleteTrail ends
each chain with a last digest naming what was delivered before it, which both validators
check with the trail gone."""
import datetime
import gzip
import json
import re
import subprocess
import time
import unittest

from tests.integration.delivery_util import BucketReader, wait_for
from tests.integration.harness import BINARY, OrgtrailServer
from tests.integration.test_cloudtrail import policy_for, trail_arn

CT = "cloudtrail.amazonaws.com"
REGIONS = ("us-east-1", "eu-west-1")
DIGEST_RE = re.compile(
    r"^AWSLogs/(?P<org>o-[a-z0-9]+)/(?P<acct>\d{12})/CloudTrail-Digest/(?P<region>[a-z0-9-]+)/"
    r"\d{4}/\d{2}/\d{2}/(?P=acct)_CloudTrail-Digest_(?P=region)_org-trail_us-east-1_"
    r"(?P<ts>\d{8}T\d{6}Z)\.json\.gz$")


def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class OrgSetup:
    """The seed org trail with validation on, in a fresh server."""

    @classmethod
    def start_org(cls, extra=("--delivery-interval", "1", "--digest-interval", "2")):
        cls.t0 = int(time.time()) - 5
        cls.srv = OrgtrailServer(extra_args=list(extra)).start()
        org = cls.srv.client("organizations")
        org.create_organization(FeatureSet="ALL")
        cls.org_id = org.describe_organization()["Organization"]["Id"]
        cls.log_archive = cls.srv.create_account("log-archive")
        cls.member_a = cls.srv.create_account("workload-a")
        cls.member_b = cls.srv.create_account("workload-b")
        org.enable_aws_service_access(ServicePrincipal=CT)
        cls.bucket = "org-trail-logs-%s" % cls.log_archive
        cls.la_creds = cls.srv.member_admin(cls.log_archive)
        la = cls.srv.client("s3", cls.la_creds)
        la.create_bucket(Bucket=cls.bucket)
        la.put_bucket_policy(Bucket=cls.bucket,
                             Policy=policy_for(cls.bucket, cls.org_id, ["org-trail"]))
        cls.arn = trail_arn("org-trail")
        ct = cls.srv.client("cloudtrail")
        ct.create_trail(Name="org-trail", S3BucketName=cls.bucket, IsOrganizationTrail=True,
                        IsMultiRegionTrail=True, EnableLogFileValidation=True)
        ct.start_logging(Name="org-trail")
        cls.reader = BucketReader(cls.srv, cls.bucket, cls.la_creds)
        cls.creds = {cls.srv.account_id: None, cls.member_a: cls.srv.member_admin(cls.member_a),
                     cls.member_b: cls.srv.member_admin(cls.member_b)}

    @classmethod
    def traffic(cls):
        for acct, creds in cls.creds.items():
            for region in REGIONS:
                cls.srv.client("cloudtrail", creds, region).describe_trails()
                cls.srv.client("sts", creds, region).get_caller_identity()

    @classmethod
    def digests(cls, account=None, region=None):
        out = []
        for k in cls.reader.keys():
            m = DIGEST_RE.match(k)
            if m and (account is None or m["acct"] == account) and (
                    region is None or m["region"] == region):
                out.append(k)
        return sorted(out)

    @classmethod
    def digest(cls, key):
        return json.loads(gzip.decompress(cls.reader.body(key)))

    @classmethod
    def validate(cls, account, region="us-east-1", start=None):
        """Runs the official validator as the bucket owner (log-archive): (rc, out, err).
        --region picks the digest folder and the ListPublicKeys region (AWS_DEFAULT_REGION
        does not: without --region the CLI reads the trail's home region's digests)."""
        return cls.srv.aws("cloudtrail", "validate-logs", "--trail-arn", cls.arn, "--start-time",
                           iso(start or cls.t0), "--account-id", account, "--verbose",
                           "--region", region, creds=cls.la_creds, region=region)


def summary(out):
    """{"digest": (valid, total), "log": (valid, total)} from the CLI's summary."""
    res = {}
    for kind in ("digest", "log"):
        m = re.search(r"(\d+)/(\d+) %s files valid" % kind, out)
        res[kind] = (int(m[1]), int(m[2])) if m else (0, 0)
    return res


class OfficialValidatorTest(OrgSetup, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.start_org()
        # Traffic over several digest periods, then enough quiet for the last digests.
        for _ in range(3):
            cls.traffic()
            time.sleep(2.2)
        time.sleep(4.5)

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def assert_all_valid(self, account, region):
        rc, out, err = self.validate(account, region)
        self.assertEqual(rc, 0, "%s %s: %s\n%s\n%s" % (account, region, out, err, self.srv.log()))
        self.assertNotIn("INVALID", out + err)
        s = summary(out)
        self.assertGreaterEqual(s["digest"][1], 3, out)
        self.assertEqual(s["digest"][0], s["digest"][1], out)
        self.assertGreaterEqual(s["log"][1], 1, out)
        self.assertEqual(s["log"][0], s["log"][1], out)
        return out

    def test_1_management_account_valid_in_both_regions(self):
        for region in REGIONS:
            self.assert_all_valid(self.srv.account_id, region)

    def test_2_member_valid_in_both_regions(self):
        for region in REGIONS:
            self.assert_all_valid(self.member_a, region)

    def test_3_digest_fields_and_metadata(self):
        keys = self.digests(self.member_a, "us-east-1")
        self.assertGreaterEqual(len(keys), 3)
        s3 = self.srv.client("s3", self.la_creds)
        prev = None
        for k in keys:
            d = self.digest(k)
            self.assertEqual(d["digestS3Object"], k)
            self.assertEqual(d["digestS3Bucket"], self.bucket)
            self.assertEqual(d["awsAccountId"], self.member_a)
            self.assertEqual(d["digestSignatureAlgorithm"], "SHA256withRSA")
            head = s3.head_object(Bucket=self.bucket, Key=k)
            self.assertEqual(head["Metadata"]["signature-algorithm"], "SHA256withRSA")
            self.assertRegex(head["Metadata"]["signature"], r"^[0-9a-f]{512}$")
            if prev:
                self.assertEqual(d["previousDigestS3Object"], prev[0])
                self.assertEqual(d["previousDigestSignature"], prev[1])
                self.assertEqual(d["digestStartTime"], prev[2])
            prev = (k, head["Metadata"]["signature"], d["digestEndTime"])
        # The fingerprint is one ListPublicKeys returns for the region.
        keys_ = self.srv.client("cloudtrail").list_public_keys()["PublicKeyList"]
        self.assertIn(self.digest(keys[-1])["digestPublicKeyFingerprint"],
                      [k["Fingerprint"] for k in keys_])
        # Every account the trail covers gets digests in the home region, even idle ones.
        self.assertTrue(self.digests(self.log_archive, "us-east-1"))

    def test_4_overwritten_log_file_is_reported(self):
        names = [f for k in self.digests(self.member_a, "eu-west-1")
                 for f in self.digest(k)["logFiles"]]
        self.assertTrue(names)
        victim = names[0]["s3Object"]
        body = gzip.decompress(self.reader.body(victim)).replace(b'"eventName"', b'"eventname"', 1)
        self.srv.client("s3", self.la_creds).put_object(Bucket=self.bucket, Key=victim,
                                                        Body=gzip.compress(body))
        rc, out, err = self.validate(self.member_a, "eu-west-1")
        self.assertEqual(rc, 1, out + err)
        self.assertIn("s3://%s/%s\tINVALID: hash value doesn't match" % (self.bucket, victim), err)

    def test_5_deleted_digest_is_reported(self):
        keys = self.digests(self.member_b, "us-east-1")
        self.assertGreaterEqual(len(keys), 3)
        victim = keys[-2]  # the newest one names it
        self.srv.client("s3", self.la_creds).delete_object(Bucket=self.bucket, Key=victim)
        rc, out, err = self.validate(self.member_b, "us-east-1")
        self.assertEqual(rc, 1, out + err)
        self.assertIn("Digest file\ts3://%s/%s\tINVALID: not found" % (self.bucket, victim), err)


class ChainLifecycleTest(OrgSetup, unittest.TestCase):
    """Restart, StopLogging/StartLogging and validation off/on, then the official
    validator: nothing invalid; the chain continues across the restart and restarts (gap
    line, not an error) after the stop and after validation was off."""

    @classmethod
    def setUpClass(cls):
        cls.start_org()

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def test_chain_resumes(self):
        ct = self.srv.client("cloudtrail")
        mgmt = self.srv.account_id
        self.traffic()
        time.sleep(4.5)
        before = self.digests(mgmt, "us-east-1")
        self.assertTrue(before)
        self.srv.restart()
        ct = self.srv.client("cloudtrail")
        self.traffic()
        time.sleep(4.5)
        after = [k for k in self.digests(mgmt, "us-east-1") if k not in before]
        self.assertTrue(after)
        self.assertEqual(self.digest(after[0])["previousDigestS3Object"], before[-1])

        ct.stop_logging(Name="org-trail")
        time.sleep(4.5)
        stopped = self.digests(mgmt, "us-east-1")
        time.sleep(2.5)
        self.assertEqual(self.digests(mgmt, "us-east-1"), stopped, "digests while stopped")
        ct.start_logging(Name="org-trail")
        self.traffic()
        time.sleep(4.5)
        ct.update_trail(Name="org-trail", EnableLogFileValidation=False)
        time.sleep(4.5)
        ct.update_trail(Name="org-trail", EnableLogFileValidation=True)
        self.traffic()
        time.sleep(4.5)
        firsts = [k for k in self.digests(mgmt, "us-east-1")
                  if self.digest(k)["previousDigestS3Object"] is None]
        self.assertEqual(len(firsts), 3, firsts)  # the start, after StartLogging, after re-enabling
        status = ct.get_trail_status(Name="org-trail")
        self.assertIn("LatestDigestDeliveryTime", status)
        self.assertNotIn("LatestDigestDeliveryError", status)
        for acct in (mgmt, self.member_a):
            rc, out, err = self.validate(acct, "us-east-1")
            self.assertEqual(rc, 0, out + err)
            self.assertNotIn("INVALID", out + err)
            self.assertIn("No log files were delivered by CloudTrail between", err)
            s = summary(out)
            self.assertEqual(s["digest"][0], s["digest"][1], out)
            self.assertEqual(s["log"][0], s["log"][1], out)
            self.assertGreaterEqual(s["log"][1], 1, out)


class DeletedTrailTest(OrgSetup, unittest.TestCase):
    """DeleteTrail on the organization trail and on a single-account trail "solo" beside it
    (the AWS CLI cannot check a deleted organization trail: without the trail it does not
    know the organization's folder; orgtrail's validator takes --organization-id)."""

    @classmethod
    def setUpClass(cls):
        cls.start_org()
        cls.srv.client("s3", cls.la_creds).put_bucket_policy(
            Bucket=cls.bucket, Policy=policy_for(cls.bucket, cls.org_id, ["org-trail", "solo"]))
        ct = cls.srv.client("cloudtrail")
        ct.create_trail(Name="solo", S3BucketName=cls.bucket, EnableLogFileValidation=True)
        ct.start_logging(Name="solo")
        cls.solo_arn = trail_arn("solo")

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def test_last_digest_after_delete(self):
        mgmt = self.srv.account_id
        self.traffic()
        time.sleep(2.5)
        self.traffic()
        time.sleep(1.5)  # delivered (--delivery-interval 1), not yet named by a digest
        ct = self.srv.client("cloudtrail")
        deleted_at = iso(time.time())
        ct.delete_trail(Name="org-trail")
        ct.delete_trail(Name="solo")
        time.sleep(4.5)  # the open windows end: last digests
        # The window open at DeleteTrail ended with a digest (it would have been dropped).
        ends = [self.digest(k)["digestEndTime"] for k in self.digests(mgmt, "us-east-1")]
        self.assertGreaterEqual(max(ends), deleted_at, ends)

        org_logs = "AWSLogs/%s/%s/CloudTrail/us-east-1/" % (self.org_id, mgmt)
        logs = [k for k in self.reader.keys() if k.startswith(org_logs)]
        self.assertTrue(logs)
        named = set()
        for k in self.digests(mgmt, "us-east-1"):
            named.update(f["s3Object"] for f in self.digest(k)["logFiles"])
        self.assertEqual(set(logs) - named, set(), "log files no digest names")
        last = self.reader.keys()
        time.sleep(2.5)
        self.assertEqual(self.reader.keys(), last, "objects written after the last digests")

        # The official validator on the deleted single-account trail, given its bucket.
        rc, out, err = self.srv.aws(
            "cloudtrail", "validate-logs", "--trail-arn", self.solo_arn, "--start-time",
            iso(self.t0), "--region", "us-east-1", "--s3-bucket", self.bucket,
            creds=self.la_creds, region="us-east-1")
        self.assertEqual(rc, 0, out + err)
        self.assertNotIn("INVALID", out + err)
        s = summary(out)
        self.assertGreaterEqual(s["digest"][1], 2, out)
        self.assertEqual(s["digest"][0], s["digest"][1], out)
        self.assertGreaterEqual(s["log"][1], 1, out)
        self.assertEqual(s["log"][0], s["log"][1], out)

        # orgtrail's on the deleted organization trail, which also looks for unnamed files.
        env = self.srv.env(self.la_creds)
        env.pop("AWS_ENDPOINT_URL", None)
        p = subprocess.run([BINARY, "validate-logs", "--trail-arn", self.arn, "--start-time",
                            iso(self.t0), "--account-id", mgmt, "--region", "us-east-1",
                            "--s3-bucket", self.bucket, "--organization-id", self.org_id,
                            "--endpoint-url", self.srv.endpoint, "--no-progress"],
                           env=env, capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertNotIn("INVALID", p.stdout + p.stderr)
        self.assertEqual(summary(p.stdout)["log"], (len(logs), len(logs)), p.stdout)

if __name__ == "__main__":
    unittest.main()
