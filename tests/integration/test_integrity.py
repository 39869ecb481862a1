"""Issue 4 end to end: delivered logs and digests of a real organization trail, checked by
the official `aws cloudtrail validate-logs` and by `orgtrail validate-logs` (through the S3
API and straight from the store with --data), untouched and tampered with.

Setup: `orgtrail serve --delivery-interval 1 --digest-interval 2 --signing-key-period 5`
(so keys rotate during the run), the seed organization trail with log file validation,
calls from three accounts in two regions over several digest periods. Then the server is
restarted with day-long intervals ("frozen"): nothing is delivered or signed while the
validators run, so every run sees the same objects and their outputs can be compared
byte for byte (the validators' own API calls are captured, and delivered after the thaw).

Tampering is done as the bucket owner (log-archive) in a bucket without Object Lock, and
undone after each case. Verdicts AWS's validator gives must be orgtrail's too: with
--no-extra-checks orgtrail's output equals the AWS CLI's; with its extra checks it adds
lines (e.g. the log files of a deleted digest are then named by no digest) but every
INVALID line and summary line of the AWS CLI is among them. Two cases only orgtrail sees:
a log file no digest names, and a changed previousDigestHashValue re-signed with the
trail's own key (read from DATA/signing-keys, as an insider with the disk could)."""
import datetime
import glob
import gzip
import json
import os
import re
import subprocess
import time
import unittest

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.integration.harness import BINARY
from tests.integration.test_digests import REGIONS, OrgSetup, iso

LIVE = ("--delivery-interval", "1", "--digest-interval", "2", "--signing-key-period", "5")
FROZEN = ("--delivery-interval", "86400", "--digest-interval", "86400",
          "--signing-key-period", "5")


def sha256_hex(b):
    import hashlib
    return hashlib.sha256(b).hexdigest()


def string_to_sign(doc, plain):
    """CloudTrail's (cloudtrail-formats.md d): end time, bucket/key, SHA-256 of the
    uncompressed digest, previous signature."""
    prev = doc["previousDigestSignature"]
    return "\n".join([doc["digestEndTime"], "%s/%s" % (doc["digestS3Bucket"], doc["digestS3Object"]),
                      sha256_hex(plain), "null" if prev is None else prev]).encode()


def sign(priv, doc, plain):
    return priv.sign(string_to_sign(doc, plain), padding.PKCS1v15(), hashes.SHA256()).hex()


def invalid_lines(err):
    return [line for line in err.splitlines() if "INVALID" in line]


def summary_lines(out):
    return [line for line in out.splitlines() if re.match(r"^\d+/\d+ .* files valid", line)]


class IntegrityTest(OrgSetup, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.start_org(extra=LIVE)
        for _ in range(4):
            cls.traffic()
            time.sleep(2.2)
        time.sleep(4.5)  # the last log files delivered, their digests written
        cls.freeze()

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    # -- server phases -------------------------------------------------------------------
    @classmethod
    def restart_with(cls, args):
        cls.srv.stop(check=True)
        cls.srv.extra_args = list(args)
        cls.srv._spawn()

    @classmethod
    def freeze(cls):
        cls.restart_with(FROZEN)
        cls.end = iso(time.time())
        cls.s3 = cls.srv.client("s3", cls.la_creds)

    # -- running the validators ----------------------------------------------------------
    def args(self, account, region):
        return ["--trail-arn", self.arn, "--start-time", iso(self.t0), "--end-time", self.end,
                "--account-id", account, "--verbose", "--region", region]

    def aws_validate(self, account, region):
        p = subprocess.run(["aws", "cloudtrail", "validate-logs"] + self.args(account, region),
                           env=self.srv.env(self.la_creds, region), capture_output=True,
                           text=True, timeout=120)
        return p.returncode, p.stdout, p.stderr

    def ours(self, account, region, data=False, extras=True):
        a = [BINARY, "validate-logs"] + self.args(account, region) + ["--no-progress"]
        if data:
            a += ["--data", self.srv.data]  # keys from the store itself
        if not extras:
            a.append("--no-extra-checks")
        p = subprocess.run(a, env=self.srv.env(self.la_creds, region), capture_output=True,
                           text=True, timeout=120)
        return p.returncode, p.stdout, p.stderr

    def agree(self, account, region, want_rc, want_line):
        """Both validators see the tampering: the AWS CLI's output is orgtrail's without its
        extra checks; with them orgtrail still has every INVALID and summary line."""
        aws = self.aws_validate(account, region)
        self.assertEqual(aws[0], want_rc, aws)
        if want_line:
            self.assertIn(want_line, aws[2])
        for data in (False, True):
            with self.subTest(data=data):
                self.assertEqual(self.ours(account, region, data, extras=False), aws)
                rc, out, err = self.ours(account, region, data)
                self.assertEqual(rc, want_rc, (out, err))
                ours_invalid = invalid_lines(err)
                for line in invalid_lines(aws[2]):
                    self.assertIn(line, ours_invalid)
                self.assertEqual(summary_lines(out)[:len(summary_lines(aws[1]))],
                                 summary_lines(aws[1]), out)
        return aws

    # -- objects -------------------------------------------------------------------------
    def chain(self, account, region):
        """(digest key, parsed digest, uncompressed bytes) oldest first."""
        out = []
        for k in self.digests(account, region):
            plain = gzip.decompress(self.s3.get_object(Bucket=self.bucket, Key=k)["Body"].read())
            out.append((k, json.loads(plain), plain))
        return out

    def snapshot(self, key):
        o = self.s3.get_object(Bucket=self.bucket, Key=key)
        return o["Body"].read(), o["Metadata"]

    def restore(self, key, snap):
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=snap[0], Metadata=snap[1])

    def tampered(self, key, body=None, metadata=None, delete=False):
        """A context: the object changed (or deleted), then put back as it was."""
        test = self
        snap = self.snapshot(key)

        class Ctx:
            def __enter__(self):
                if delete:
                    test.s3.delete_object(Bucket=test.bucket, Key=key)
                else:
                    test.s3.put_object(Bucket=test.bucket, Key=key,
                                       Body=snap[0] if body is None else body,
                                       Metadata=snap[1] if metadata is None else metadata)

            def __exit__(self, *exc):
                test.restore(key, snap)
        return Ctx()

    def named_log(self, account, region):
        """A digest of the chain with log files (not the newest, so that a later digest
        links to it), and the first log file it names."""
        ch = self.chain(account, region)
        for k, d, plain in ch[:-1]:
            if d["logFiles"]:
                return k, d, plain, d["logFiles"][0]["s3Object"]
        self.fail("no digest with log files in %s %s" % (account, region))

    # -- 1. everything valid, both tools agree -------------------------------------------
    def test_1_all_valid_both_validators_agree(self):
        for acct in (self.srv.account_id, self.member_a):
            for region in REGIONS:
                with self.subTest(account=acct, region=region):
                    aws = self.aws_validate(acct, region)
                    rc, out, err = aws
                    self.assertEqual(rc, 0, aws)
                    self.assertNotIn("INVALID", out + err)
                    s = summary_lines(out)
                    m = re.match(r"(\d+)/(\d+) digest files valid$", s[0])
                    self.assertTrue(m and m[1] == m[2] and int(m[2]) >= 3, out)
                    m = re.match(r"(\d+)/(\d+) log files valid$", s[1])
                    self.assertTrue(m and m[1] == m[2] and int(m[2]) >= 1, out)
                    self.assertEqual(self.ours(acct, region), aws)
                    self.assertEqual(self.ours(acct, region, data=True), aws)

    def test_2_keys_rotated_during_the_run(self):
        fps = {d["digestPublicKeyFingerprint"] for _, d, _ in
               self.chain(self.srv.account_id, "us-east-1")}
        self.assertGreater(len(fps), 1, fps)

    # -- 2. tampering both validators report ---------------------------------------------
    def test_3_log_file_modified(self):
        _, _, _, victim = self.named_log(self.member_a, "eu-west-1")
        body = gzip.decompress(self.snapshot(victim)[0]).replace(b'"eventName"', b'"eventname"', 1)
        with self.tampered(victim, body=gzip.compress(body)):
            self.agree(self.member_a, "eu-west-1", 1, "Log file\ts3://%s/%s\tINVALID: hash value "
                       "doesn't match" % (self.bucket, victim))

    def test_4_log_file_deleted(self):
        _, _, _, victim = self.named_log(self.srv.account_id, "us-east-1")
        with self.tampered(victim, delete=True):
            self.agree(self.srv.account_id, "us-east-1", 1,
                       "Log file\ts3://%s/%s\tINVALID: not found" % (self.bucket, victim))

    def test_5_digest_modified(self):
        key, _, plain, _ = self.named_log(self.member_a, "us-east-1")
        changed = re.sub(rb'"hashValue":"(.)', lambda m: b'"hashValue":"' +
                         (b"0" if m[1] != b"0" else b"1"), plain, count=1)
        self.assertNotEqual(changed, plain)
        with self.tampered(key, body=gzip.compress(changed)):
            self.agree(self.member_a, "us-east-1", 1, "Digest file\ts3://%s/%s\tINVALID: "
                       "signature verification failed" % (self.bucket, key))

    def test_6_digest_deleted(self):
        ch = self.chain(self.member_a, "eu-west-1")
        self.assertGreaterEqual(len(ch), 2)
        victim = ch[-2][0]  # the newest one names it
        with self.tampered(victim, delete=True):
            self.agree(self.member_a, "eu-west-1", 1,
                       "Digest file\ts3://%s/%s\tINVALID: not found" % (self.bucket, victim))

    def test_7_digest_resigned_with_a_foreign_key(self):
        key, doc, plain, _ = self.named_log(self.srv.account_id, "eu-west-1")
        foreign = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        meta = dict(self.snapshot(key)[1], signature=sign(foreign, doc, plain))
        self.assertRegex(meta["signature"], r"^[0-9a-f]{512}$")
        with self.tampered(key, metadata=meta):
            self.agree(self.srv.account_id, "eu-west-1", 1, "Digest file\ts3://%s/%s\tINVALID: "
                       "signature verification failed" % (self.bucket, key))
        # The same, naming the foreign key's fingerprint: a key the region never had.
        der = foreign.public_key().public_bytes(serialization.Encoding.DER,
                                                serialization.PublicFormat.PKCS1)
        import hashlib
        fp = hashlib.md5(der).hexdigest()
        doc2 = dict(doc, digestPublicKeyFingerprint=fp)
        plain2 = json.dumps(doc2, separators=(",", ":")).encode()
        meta2 = dict(meta, signature=sign(foreign, doc2, plain2))
        with self.tampered(key, body=gzip.compress(plain2), metadata=meta2):
            self.agree(self.srv.account_id, "eu-west-1", 1,
                       "Digest file\ts3://%s/%s\tINVALID: public key not found in region "
                       "us-east-1 for fingerprint %s" % (self.bucket, key, fp))

    # -- 3. what only orgtrail's validator reports ---------------------------------------
    @classmethod
    def thaw_until_a_whole_minute_is_signed(cls, account, region):
        """Orgtrail judges a log file no digest names only when its key's whole minute lies
        inside signed windows: run live until the chain covers one, then freeze again."""
        cls.restart_with(LIVE)
        deadline = time.time() + 150
        while True:
            time.sleep(2)
            ch = cls.digests(account, region)
            first = cls.digest(ch[0])["digestStartTime"]
            last = cls.digest(ch[-1])["digestEndTime"]
            t = lambda s: datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=datetime.timezone.utc).timestamp()
            minute = (int(t(first)) // 60 + 1) * 60
            if minute + 60 + 3 <= t(last) or time.time() > deadline:
                break
        time.sleep(4.5)  # the validators' own calls delivered and signed
        cls.freeze()
        return minute

    def test_8_unnamed_log_file_and_relinked_digest(self):
        mgmt = self.srv.account_id
        minute = self.thaw_until_a_whole_minute_is_signed(mgmt, "us-east-1")
        # Still all valid after the thaw, for both.
        self.agree(mgmt, "us-east-1", 0, None)

        # (a) A log file that no digest names, in a minute the chain has signed.
        m = datetime.datetime.fromtimestamp(minute, datetime.timezone.utc)
        key = ("AWSLogs/%s/%s/CloudTrail/us-east-1/%s/%s_CloudTrail_us-east-1_%s_%s.json.gz"
               % (self.org_id, mgmt, m.strftime("%Y/%m/%d"), mgmt, m.strftime("%Y%m%dT%H%MZ"),
                  "AddedByAnInsider"))
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=gzip.compress(b'{"Records":[]}'))
        try:
            aws = self.aws_validate(mgmt, "us-east-1")
            self.assertEqual(aws[0], 0, aws)  # AWS's validator never lists log files
            self.assertNotIn("INVALID", aws[1] + aws[2])
            for data in (False, True):
                rc, out, err = self.ours(mgmt, "us-east-1", data)
                self.assertEqual(rc, 1, (out, err))
                self.assertEqual(invalid_lines(err), ["Log file\ts3://%s/%s\tINVALID: not named "
                                                      "by any digest" % (self.bucket, key)])
                self.assertEqual(summary_lines(out), summary_lines(aws[1]))
                self.assertIn("1 log files not named by any digest", out)
        finally:
            self.s3.delete_object(Bucket=self.bucket, Key=key)

        # (b) previousDigestHashValue changed, re-signed with the trail's own key.
        ch = self.chain(self.member_a, "us-east-1")
        prev_key, key, doc, next_key = ch[-3][0], ch[-2][0], ch[-2][1], ch[-1][0]
        self.assertEqual(doc["previousDigestS3Object"], prev_key)
        pem = os.path.join(self.srv.data, "signing-keys", "us-east-1",
                           doc["digestPublicKeyFingerprint"] + ".pem")
        self.assertEqual(os.stat(pem).st_mode & 0o777, 0o600)
        with open(pem, "rb") as f:
            own = serialization.load_pem_private_key(f.read(), None)
        doc2 = dict(doc, previousDigestHashValue="0" * 64)
        plain2 = json.dumps(doc2, separators=(",", ":")).encode()
        meta = dict(self.snapshot(key)[1], signature=sign(own, doc2, plain2))
        with self.tampered(key, body=gzip.compress(plain2), metadata=meta):
            # The signature covers previousDigestSignature, not the hash: the AWS CLI's
            # chain walk still passes (it never compares the hash) ...
            aws = self.aws_validate(self.member_a, "us-east-1")
            self.assertEqual(aws[0], 0, aws)
            self.assertNotIn("INVALID", aws[1] + aws[2])
            for data in (False, True):
                rc, out, err = self.ours(self.member_a, "us-east-1", data)
                self.assertEqual(rc, 1, (out, err))
                # ... orgtrail's finds both broken links, newest first: the next digest's
                # hash of the rewritten one, and the rewritten one's hash of its predecessor.
                line = ("Digest file\ts3://{b}/%s\tINVALID: previousDigestHashValue does not "
                        "match the SHA-256 of s3://{b}/%s").replace("{b}", self.bucket)
                self.assertEqual(invalid_lines(err), [line % (next_key, key),
                                                      line % (key, prev_key)])

    def test_9_private_keys_stay_private(self):
        files = glob.glob(os.path.join(self.srv.data, "signing-keys", "*", "*.pem"))
        self.assertGreater(len(files), 2)  # rotated, in two regions
        for f in files:
            self.assertEqual(os.stat(f).st_mode & 0o777, 0o600, f)


if __name__ == "__main__":
    unittest.main()
