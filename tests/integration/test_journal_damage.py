"""Journal damage under a real `orgtrail serve` (issue 9, item 5): bytes of the journal that
were acknowledged and then changed on disk (a flipped bit, a bad sector) are told apart from
a torn tail, never cut, and never skipped.

Each test captures calls through a real server whose delivery waits an hour (so the records
stay in the journal), stops it, damages the journal's files the way a disk would, and then:
serve refuses to start and names the file and the offset; `orgtrail journal check` reports
the damage (exit 1) and changes nothing; `orgtrail journal salvage` keeps every readable
record; serve starts again, and every acknowledged call whose record was readable is
delivered exactly once (the damaged one is lost, and nothing is delivered twice).

The segment format (capture/journal_segment.h): DATA/journal/<first seq, 20 digits>.jnl, a
series of frames  u32 length | u32 crc32(seq bytes + payload) | u64 seq | payload, LE.
"""
import json
import os
import sqlite3
import struct
import subprocess
import unittest

from tests.integration.delivery_util import BucketReader, request_ids, wait_for
from tests.integration.harness import BINARY, OrgtrailServer, free_port
from tests.integration.test_delivery import rid, solo_policy

BUCKET = "damage-logs"
TRAIL = "damage-trail"
CALLS = 30


def frames(path):
    """[(offset, seq, payload bytes)] of a segment file's whole frames from offset 0."""
    out = []
    with open(path, "rb") as f:
        data = f.read()
    off = 0
    while off + 16 <= len(data):
        length, _crc, seq = struct.unpack_from("<IIQ", data, off)
        if off + 16 + length > len(data):
            break
        out.append((off, seq, data[off + 16:off + 16 + length]))
        off += 16 + length
    return out, data


def segment_path(data_dir, first):
    return os.path.join(data_dir, "journal", "%020d.jnl" % first)


def journal_cmd(srv, verb):
    return subprocess.run([BINARY, "journal", verb, "--data", srv.data], capture_output=True,
                          text=True, timeout=120)


class JournalDamageTest(unittest.TestCase):
    def setUp(self):
        self.srv = OrgtrailServer(extra_args=["--delivery-interval", "3600"])
        self.addCleanup(self.srv.close)
        self.srv.start()
        s3 = self.srv.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        s3.put_bucket_policy(Bucket=BUCKET, Policy=solo_policy(BUCKET, [TRAIL]))
        ct = self.srv.client("cloudtrail")
        ct.create_trail(Name=TRAIL, S3BucketName=BUCKET, IsMultiRegionTrail=True)
        ct.start_logging(Name=TRAIL)
        self.acked = [rid(ct.get_trail_status(Name=TRAIL)) for _ in range(CALLS)]
        self.srv.stop()

    # -- helpers ---------------------------------------------------------------------
    def cursor(self):
        db = sqlite3.connect("file:%s?mode=ro" % os.path.join(self.srv.data, "state.db"),
                             uri=True)
        try:
            row = db.execute("SELECT next_seq FROM delivery_cursor WHERE id = 1").fetchone()
        finally:
            db.close()
        return row[0] if row else 1

    def pick_acked_frame(self, fr, lowest_index=1):
        """Index of a frame in the middle of fr holding one of our acknowledged calls that
        was not delivered yet, and that call's request id."""
        cursor = self.cursor()
        mine = [i for i, (_, seq, payload) in enumerate(fr)
                if i >= lowest_index and seq >= cursor
                and json.loads(payload).get("requestID") in self.acked]
        self.assertGreater(len(mine), 4, "the calls must be in the journal, undelivered")
        i = mine[len(mine) // 2]
        return i, json.loads(fr[i][2])["requestID"]

    def assert_refused(self, path, offset):
        p = subprocess.run([BINARY, "serve", "--data", self.srv.data, "--listen", "127.0.0.1:%d" % free_port()],
                           capture_output=True, text=True, timeout=120)
        self.assertNotEqual(p.returncode, 0, "serve must not start on a damaged journal")
        self.assertIn(path, p.stderr)
        self.assertIn("at offset %d" % offset, p.stderr)
        self.assertIn("orgtrail journal salvage --data %s" % self.srv.data, p.stderr)

    def check_salvage_and_deliver(self, damaged_path, lost_rid, before):
        # check: reports, exits 1, changes nothing.
        p = journal_cmd(self.srv, "check")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("DAMAGED", p.stdout)
        self.assertEqual(self.journal_bytes(), before)
        # salvage: the original is kept aside, check is then clean.
        p = journal_cmd(self.srv, "salvage")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        kept = os.listdir(os.path.join(self.srv.data, "journal-damaged"))
        self.assertEqual(len(kept), 1)
        self.assertTrue(kept[0].startswith(os.path.basename(damaged_path)))
        with open(os.path.join(self.srv.data, "journal-damaged", kept[0]), "rb") as f:
            self.assertEqual(f.read(), before[os.path.basename(damaged_path)])
        p = journal_cmd(self.srv, "check")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

        # serve again: every readable acknowledged call delivered exactly once.
        self.srv.extra_args = ["--delivery-interval", "1"]
        self.srv._spawn()
        reader = BucketReader(self.srv, BUCKET)
        want = [r for r in self.acked if r != lost_rid]

        def delivered():
            ids = request_ids(reader.all_records())
            return ids if all(r in ids for r in want) else None

        ids = wait_for(delivered, timeout=60)
        self.assertIsNotNone(ids, "every readable record must be delivered:\n" + self.srv.log())
        for r in want:
            self.assertEqual(len(ids[r]), 1, "delivered %d times: %s" % (len(ids[r]), r))
        self.assertNotIn(lost_rid, ids)
        self.assertEqual([r for r, v in ids.items() if len(v) > 1], [])
        # New calls still work and get new sequence numbers (none reused).
        ct = self.srv.client("cloudtrail")
        extra = rid(ct.get_trail_status(Name=TRAIL))
        self.assertTrue(wait_for(lambda: extra in request_ids(reader.all_records()), timeout=60))
        self.srv.stop()

    def journal_bytes(self):
        d = os.path.join(self.srv.data, "journal")
        out = {}
        for name in sorted(os.listdir(d)):
            with open(os.path.join(d, name), "rb") as f:
                out[name] = f.read()
        return out

    # -- the cases -------------------------------------------------------------------
    def test_flipped_byte_in_the_newest_segment(self):
        path = segment_path(self.srv.data, 1)
        fr, data = frames(path)
        i, lost = self.pick_acked_frame(fr)
        off, _, payload = fr[i]
        damaged = bytearray(data)
        damaged[off + 16 + len(payload) // 2] ^= 0x20
        with open(path, "r+b") as f:
            f.write(damaged)
        before = self.journal_bytes()
        self.assert_refused(path, off)
        self.assertEqual(self.journal_bytes(), before, "a refused start changes nothing")
        self.check_salvage_and_deliver(path, lost, before)

    def test_flipped_byte_in_an_older_segment(self):
        # Two segments, as the journal leaves them after a rotation: split at a frame
        # boundary, the second named after its first record.
        path = segment_path(self.srv.data, 1)
        fr, data = frames(path)
        i, lost = self.pick_acked_frame(fr)
        split = fr[i + 2][0]
        with open(segment_path(self.srv.data, fr[i + 2][1]), "wb") as f:
            f.write(data[split:])
        damaged = bytearray(data[:split])
        off, _, payload = fr[i]
        damaged[off + 16 + len(payload) // 2] ^= 0x01
        with open(path, "wb") as f:
            f.write(damaged)
        before = self.journal_bytes()
        self.assert_refused(path, off)
        self.assertEqual(self.journal_bytes(), before, "a refused start changes nothing")
        self.check_salvage_and_deliver(path, lost, before)

    def test_torn_tail_is_cut_without_refusal(self):
        # The one thing a crash can do: the newest segment ends in part of a frame. That is
        # never acknowledged, so serve cuts it and starts; every call is delivered.
        path = segment_path(self.srv.data, 1)
        fr, data = frames(path)
        with open(path, "ab") as f:
            f.write(data[fr[-1][0]:fr[-1][0] + 20])  # the start of a frame, cut short
        p = journal_cmd(self.srv, "check")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("torn tail", p.stdout)
        self.srv.extra_args = ["--delivery-interval", "1"]
        self.srv._spawn()
        reader = BucketReader(self.srv, BUCKET)
        ids = wait_for(lambda: (lambda d: d if all(r in d for r in self.acked) else None)(
            request_ids(reader.all_records())), timeout=60)
        self.assertIsNotNone(ids, self.srv.log())
        for r in self.acked:
            self.assertEqual(len(ids[r]), 1)
        self.srv.stop()
        self.assertEqual(os.path.getsize(path), len(data))


if __name__ == "__main__":
    unittest.main()
