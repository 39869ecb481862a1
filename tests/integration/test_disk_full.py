"""A full disk under a running `orgtrail serve` (issue 3, item 5): the data directory lives on
a small tmpfs of its own and a filler file takes its last byte, so the kernel really answers
ENOSPC.

While full: calls that would change something get HTTP 503 ServiceUnavailable and change
nothing; read-only calls are answered 200; the server stays up. Once the filler is deleted,
orgtrail resumes by itself (no restart): changes succeed again, and every call acknowledged
before the disk filled is delivered exactly once. kill -9 while full, restart (still full:
it starts degraded), free the space: nothing acknowledged is lost and the state database is
intact. A data directory that is read-only at start-up (the tmpfs remounted ro) is refused
with a clear message, and nothing is lost once it is writable again. (A read-only remount
under the running server is impossible: the kernel refuses it while files are open for
writing.)

Mounting needs root; without it the tests are skipped with the reason. Mounts are removed by
cleanups, also when a test fails.
"""
import json
import os
import sqlite3
import subprocess
import time
import unittest
import urllib.request

import botocore.exceptions

from tests.integration.delivery_util import BucketReader, request_ids, wait_for
from tests.integration.harness import OrgtrailServer, error_code
from tests.integration.test_delivery import rid, solo_policy

SIZE = "32m"
BUCKET = "full-disk-logs"
TRAIL = "full-disk-trail"


def status(exc):
    return exc.response["ResponseMetadata"]["HTTPStatusCode"]


class DiskFullTest(unittest.TestCase):
    def setUp(self):
        self.srv = OrgtrailServer(extra_args=["--delivery-interval", "1"])
        # Cleanups run last-registered first: stop the server, unmount, remove the temp dir.
        self.addCleanup(self.srv.tmp.cleanup)
        os.makedirs(self.srv.data)
        p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s,mode=0700" % SIZE, "tmpfs",
                            self.srv.data], capture_output=True, text=True)
        if p.returncode != 0:
            self.skipTest("cannot mount a tmpfs for the data directory (needs root): %s"
                          % p.stderr.strip())
        self.addCleanup(subprocess.run, ["umount", "-l", self.srv.data], capture_output=True)
        self.addCleanup(self.srv.stop, False)
        self.filler = os.path.join(self.srv.data, "filler")
        self.srv.start()
        s3 = self.srv.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        s3.put_bucket_policy(Bucket=BUCKET, Policy=solo_policy(BUCKET, [TRAIL, "after-full"]))
        ct = self.srv.client("cloudtrail")
        ct.create_trail(Name=TRAIL, S3BucketName=BUCKET, IsMultiRegionTrail=True)
        ct.start_logging(Name=TRAIL)
        self.reader = BucketReader(self.srv, BUCKET)

    # -- helpers ---------------------------------------------------------------------
    def fill(self):
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            chunk = 1 << 20
            while chunk >= 512:
                try:
                    while os.write(fd, b"\0" * chunk) == chunk:
                        pass
                except OSError:
                    chunk //= 2
        finally:
            os.close(fd)
        st = os.statvfs(self.srv.data)
        self.assertLess(st.f_bavail * st.f_frsize, 1 << 20)

    def unfill(self):
        os.unlink(self.filler)

    def health(self):
        with urllib.request.urlopen(self.srv.endpoint + "/_orgtrail/health", timeout=5) as r:
            return json.loads(r.read())

    def wait_health(self, want):
        got = wait_for(lambda: self.health()["status"] == want, timeout=15, step=0.2)
        self.assertTrue(got, "health never became %s: %s" % (want, self.health()))

    def acknowledged_calls(self, tag):
        """A few calls whose records must be delivered: reads and changes."""
        ct, s3 = self.srv.client("cloudtrail"), self.srv.client("s3")
        ids = [rid(ct.describe_trails()) for _ in range(3)]
        ids.append(rid(s3.create_bucket(Bucket="acked-%s" % tag)))
        ids.append(rid(ct.add_tags(ResourceId=ct.describe_trails()["trailList"][0]["TrailARN"],
                                   TagsList=[{"Key": "k-%s" % tag, "Value": "v"}])))
        ids.append(rid(self.srv.client("sts").get_caller_identity()))
        return ids

    def assert_refused(self, call, **kw):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            call(**kw)
        self.assertEqual(status(cm.exception), 503, cm.exception.response)
        self.assertEqual(error_code(cm.exception), "ServiceUnavailable")
        return cm.exception

    def wait_delivered(self, ids, timeout=90):
        want = set(ids)
        idx = wait_for(lambda: (lambda i: i if want <= set(i) else None)(
            request_ids(self.reader.all_records())), timeout=timeout, step=0.5)
        have = set(request_ids(self.reader.all_records()))
        self.assertTrue(idx, "not delivered: %s" % sorted(want - have))
        dup = {r: len(idx[r]) for r in want if len(idx[r]) > 1}
        self.assertEqual(dup, {})
        return idx

    # -- tests -----------------------------------------------------------------------
    def test_full_disk_refuses_changes_serves_reads_and_recovers(self):
        before = self.acknowledged_calls("before")
        self.fill()
        s3, ct = self.srv.client("s3"), self.srv.client("cloudtrail")
        # At once, before the once-a-second check may have noticed: the object store's
        # ENOSPC itself must come back as 503 (never 500), and degrade the server.
        self.assert_refused(s3.put_object, Bucket="acked-before", Key="early.txt",
                            Body=b"e" * 65536)
        self.wait_health("degraded")

        # Changes: 503 before anything is touched; the message says what to do.
        e = self.assert_refused(s3.create_bucket, Bucket="during-full")
        self.assertIn(self.srv.data, e.response["Error"]["Message"])
        self.assertIn("Free disk space", e.response["Error"]["Message"])
        self.assert_refused(s3.put_object, Bucket="acked-before", Key="k.txt", Body=b"x")
        self.assert_refused(ct.create_trail, Name="during-full", S3BucketName=BUCKET)
        self.assert_refused(ct.stop_logging, Name=TRAIL)

        # Reads: answered.
        reads = [rid(ct.describe_trails()), rid(s3.list_buckets()),
                 rid(self.srv.client("sts").get_caller_identity()),
                 rid(ct.get_trail_status(Name=TRAIL))]
        self.assertEqual(ct.describe_trails()["trailList"][0]["Name"], TRAIL)
        self.assertIsNone(self.srv.proc.poll(), "the server died:\n" + self.srv.log())
        self.assertGreaterEqual(self.health()["heldRecords"], len(reads))

        # Space returns: orgtrail resumes by itself.
        self.unfill()
        self.wait_health("ok")
        after = rid(s3.create_bucket(Bucket="after-full"))
        put = rid(s3.put_object(Bucket="after-full", Key="k.txt", Body=b"back"))
        self.assertEqual(s3.get_object(Bucket="after-full", Key="k.txt")["Body"].read(), b"back")
        ct.create_trail(Name="after-full", S3BucketName=BUCKET)

        # The refused changes changed nothing.
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            s3.head_bucket(Bucket="during-full")
        self.assertEqual(status(cm.exception), 404)
        for key in ("k.txt", "early.txt"):
            with self.assertRaises(botocore.exceptions.ClientError) as cm:
                s3.head_object(Bucket="acked-before", Key=key)
            self.assertEqual(status(cm.exception), 404)
        names = {t["Name"] for t in ct.describe_trails()["trailList"]}
        self.assertEqual(names, {TRAIL, "after-full"})
        self.assertTrue(ct.get_trail_status(Name=TRAIL)["IsLogging"])

        # Everything acknowledged arrives once, the reads answered while full and the
        # refusals' records included (no kill: the held records were written on recovery).
        idx = self.wait_delivered(before + reads + [after])
        refusals = [r for recs in self.reader.all_records().values() for r in recs
                    if r.get("errorCode") == "ServiceUnavailable"]
        self.assertEqual(sorted({r["eventName"] for r in refusals}),
                         ["CreateBucket", "CreateTrail", "StopLogging"])
        self.assertNotIn(put, idx)  # a data event: not selected by this trail
        self.assertIn("is full", self.srv.log())
        self.assertIn("writable again", self.srv.log())
        self.srv.stop(check=True)  # clean exit: no sanitizer report

    def test_kill_nine_while_full_loses_nothing_acknowledged(self):
        before = self.acknowledged_calls("before")
        self.fill()
        self.wait_health("degraded")
        s3 = self.srv.client("s3")
        self.assert_refused(s3.create_bucket, Bucket="during-full")
        rid(self.srv.client("cloudtrail").describe_trails())  # held only: may be lost
        self.srv.kill()

        # Restarted while still full: it starts, serves reads, refuses changes.
        self.srv._spawn()
        self.assertEqual(self.health()["status"], "degraded")
        s3 = self.srv.client("s3")
        self.assertEqual(self.srv.client("cloudtrail").describe_trails()["trailList"][0]["Name"],
                         TRAIL)
        self.assert_refused(s3.create_bucket, Bucket="during-full")

        self.unfill()
        self.wait_health("ok")
        after = rid(s3.create_bucket(Bucket="after-full"))
        self.wait_delivered(before + [after])
        buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
        self.assertEqual(buckets, {BUCKET, "acked-before", "after-full"})
        self.srv.stop(check=True)
        db = sqlite3.connect("file:%s?mode=ro" % os.path.join(self.srv.data, "state.db"),
                             uri=True)
        try:
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        finally:
            db.close()

    def test_read_only_data_directory_at_start(self):
        before = self.acknowledged_calls("before")
        self.srv.stop(check=True)
        p = subprocess.run(["mount", "-o", "remount,ro", self.srv.data], capture_output=True,
                           text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        try:
            with self.assertRaises(RuntimeError) as cm:
                self.srv._spawn()
            self.assertIn("is not writable (Read-only file system)", str(cm.exception))
            self.assertIn("make it writable", str(cm.exception))
        finally:
            subprocess.run(["mount", "-o", "remount,rw", self.srv.data], check=True)
        self.srv._spawn()
        after = rid(self.srv.client("s3").create_bucket(Bucket="after-ro"))
        self.wait_delivered(before + [after])
        self.srv.stop(check=True)


if __name__ == "__main__":
    unittest.main()
