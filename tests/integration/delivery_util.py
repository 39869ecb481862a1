"""Reading what delivery wrote: the log-archive bucket's objects, through S3 when the
object API is there (ListObjectsV2, GetObject, `aws s3 ls`), else straight from the
embedded store's metadata and blob files (read-only), so delivery is testable on its own."""
import gzip
import json
import os
import re
import sqlite3
import time

import botocore.exceptions

KEY_RE = re.compile(
    r"^(?:(?P<prefix>.+)/)?AWSLogs/(?:(?P<org>o-[a-z0-9]{10,32})/)?(?P<acct>\d{12})/CloudTrail/"
    r"(?P<region>[a-z0-9-]+)/(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/"
    r"(?P=acct)_CloudTrail_(?P=region)_(?P<ts>\d{8}T\d{4}Z)_(?P<uniq>[A-Za-z0-9]{16})\.json\.gz$")

MANDATORY = ("eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion",
             "sourceIPAddress", "requestParameters", "responseElements", "eventID", "eventType",
             "recipientAccountId", "eventCategory")


class BucketReader:
    def __init__(self, srv, bucket, creds=None):
        self.srv, self.bucket, self.creds = srv, bucket, creds
        self.via_s3 = None  # decided on first use

    def _s3(self):
        return self.srv.client("s3", self.creds)

    def _store_rows(self):
        db = sqlite3.connect("file:%s?mode=ro" % os.path.join(self.srv.data, "state.db"),
                             uri=True, timeout=30)
        try:
            return db.execute("SELECT key, blob FROM s3_objects WHERE bucket = ? AND "
                              "is_latest = 1 AND delete_marker = 0 ORDER BY key",
                              (self.bucket,)).fetchall()
        finally:
            db.close()

    def keys(self):
        if self.via_s3 is not False:
            try:
                keys = []
                for page in self._s3().get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
                    keys += [o["Key"] for o in page.get("Contents", [])]
                self.via_s3 = True
                return keys
            except botocore.exceptions.ClientError as e:
                if self.via_s3 or e.response["Error"]["Code"] not in (
                        "NotImplemented", "UnknownOperationException", "InvalidAction"):
                    raise
                self.via_s3 = False
        return [k for k, _ in self._store_rows()]

    def body(self, key):
        if self.via_s3:
            return self._s3().get_object(Bucket=self.bucket, Key=key)["Body"].read()
        blob = dict(self._store_rows())[key]
        with open(os.path.join(self.srv.data, "objects", "blobs", blob[:2], blob), "rb") as f:
            return f.read()

    def records(self, key):
        doc = json.loads(gzip.decompress(self.body(key)))
        return doc["Records"]

    def all_records(self):
        """{key: [record, ...]} for every log file."""
        return {k: self.records(k) for k in self.keys() if "/CloudTrail/" in k}


def wait_for(pred, timeout=40, step=0.3):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = pred()
        if last:
            return last
        time.sleep(step)
    return last


def request_ids(files):
    """{requestID: [(key, record), ...]} over all files."""
    out = {}
    for key, recs in files.items():
        for r in recs:
            if "requestID" in r:
                out.setdefault(r["requestID"], []).append((key, r))
    return out
