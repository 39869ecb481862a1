"""The separate signer under a real `orgtrail serve` (issue 9, item 4).

The serving process, which parses every request, cannot open a private signing key: the
test attaches gdb to it and calls open(2) inside it on a key file (refused, EACCES) and on
the state database (allowed, which shows the probe itself works). Digests are still
written and `aws cloudtrail validate-logs` accepts them. Killing the signer with SIGKILL
while digests are being made loses none: the supervisor starts a new signer, the chain
carries on without a restart (every digest after the first names its predecessor), and the
official validator finds every digest and log file valid.
"""
import glob
import os
import re
import signal
import subprocess
import shutil
import time
import unittest

from tests.integration.delivery_util import wait_for
from tests.integration.test_digests import OrgSetup, summary

EACCES = 13


def signer_pids(data_dir):
    """Pids of `orgtrail signer` processes working on data_dir."""
    out = []
    for d in glob.glob("/proc/[0-9]*"):
        try:
            with open(d + "/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if len(argv) > 3 and argv[1] == b"signer" and argv[3] == data_dir.encode():
            out.append(int(d[6:]))
    return out


def call_open_in(pid, path):
    """(return value, errno) of open(path, O_RDONLY) run inside process pid, by gdb."""
    # The path goes into memory the probe allocates and frees itself: a string literal in
    # a call would make gdb malloc it in the process, and the sanitizer report the leak.
    n = len(path.encode()) + 1
    p = subprocess.run(
        ["gdb", "-nx", "-q", "-batch", "-p", str(pid),
         "-ex", "set $p = (char *)malloc(%d)" % n,
         "-ex", 'set {char[%d]}$p = "%s"' % (n, path),
         "-ex", "set $fd = (int)open($p, 0)",
         "-ex", "print $fd",
         "-ex", "print *(int *)__errno_location()",
         "-ex", "call (void)free($p)",
         "-ex", "call (void)close($fd)"],
        capture_output=True, text=True, timeout=120)
    vals = re.findall(r"^\$\d+ = (-?\d+)$", p.stdout, re.M)
    if len(vals) != 2:
        raise AssertionError("gdb did not run the probe:\n%s\n%s" % (p.stdout, p.stderr))
    return int(vals[0]), int(vals[1])


@unittest.skipUnless(shutil.which("gdb"), "gdb is needed to probe the serving process")
class SignerTest(OrgSetup, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.start_org()

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def key_files(self):
        return glob.glob(os.path.join(self.srv.data, "signing-keys", "*", "*.pem"))

    def chain(self, account, region):
        docs = [self.digest(k) for k in self.digests(account, region)]
        return sorted(docs, key=lambda d: d["digestEndTime"])

    def test_1_serving_process_cannot_read_keys(self):
        self.traffic()
        keys = wait_for(self.key_files, timeout=60)
        self.assertTrue(keys, "a signing key is made once digests are due:\n" + self.srv.log())
        with open(keys[0], "rb") as f:  # the file is there and readable to others
            self.assertIn(b"PRIVATE KEY", f.read())
        rc, err = call_open_in(self.srv.proc.pid, keys[0])
        self.assertEqual((rc, err), (-1, EACCES), "the serving process opened a private key")
        rc, _ = call_open_in(self.srv.proc.pid, os.path.join(self.srv.data, "state.db"))
        self.assertGreaterEqual(rc, 0, "the probe must be able to open an allowed file")
        self.assertEqual(len(signer_pids(self.srv.data)), 1)

    def test_2_killed_signer_loses_no_digest(self):
        for _ in range(2):
            self.traffic()
            time.sleep(2.2)
        before = signer_pids(self.srv.data)
        self.assertEqual(len(before), 1, self.srv.log())
        os.kill(before[0], signal.SIGKILL)
        for _ in range(3):
            self.traffic()
            time.sleep(2.2)
        time.sleep(4.5)
        after = wait_for(lambda: [p for p in signer_pids(self.srv.data) if p not in before],
                         timeout=30)
        self.assertTrue(after, "the signer is restarted:\n" + self.srv.log())
        self.assertIn("restarting it", self.srv.log())
        for region in ("us-east-1", "eu-west-1"):
            chain = self.chain(self.srv.account_id, region)
            self.assertGreaterEqual(len(chain), 5, region)
            # One chain from the first digest on: the kill made no restart, so none lost.
            for prev, cur in zip(chain, chain[1:]):
                self.assertEqual(cur["previousDigestS3Object"], prev["digestS3Object"],
                                 "%s: the chain restarted at %s" % (region, cur["digestEndTime"]))
                self.assertEqual(cur["digestStartTime"], prev["digestEndTime"], region)
            rc, out, err = self.validate(self.srv.account_id, region)
            self.assertEqual(rc, 0, out + err + self.srv.log())
            s = summary(out)
            self.assertEqual(s["digest"][0], s["digest"][1], out)
            self.assertGreaterEqual(s["digest"][1], 5, out)
            self.assertEqual(s["log"][0], s["log"][1], out)
            self.assertNotIn("INVALID", out + err)


if __name__ == "__main__":
    unittest.main()
