#!/usr/bin/env python3
"""Bulk-ingestion benchmark: records/s acknowledged durably by POST /_orgtrail/ingest.

Starts `orgtrail serve` (the release build) on a fresh store, writes an NDJSON body of
--records realistic CloudTrail records, and drives it with orgtrail-loadgen (C, signs each
request itself) over --connections keep-alive connections. Every acknowledged request means
its records were fsync'ed to the journal. Prints the loadgen JSON plus records_per_s.

  python3 bench/ingest.py [--records 2000] [--connections 4] [--duration 10]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def record(i, account):
    return {
        "eventVersion": "1.11",
        "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLE%06d" % (i % 1000),
                         "arn": "arn:aws:iam::%s:user/app-%d" % (account, i % 50),
                         "accountId": account, "accessKeyId": "AKIAEXAMPLE%09d" % (i % 1000),
                         "userName": "app-%d" % (i % 50)},
        "eventTime": "2026-05-01T09:%02d:%02dZ" % (i // 60 % 60, i % 60),
        "eventSource": "inventory.internal.example",
        "eventName": "UpdateItem",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "10.0.%d.%d" % (i // 256 % 256, i % 256),
        "userAgent": "inventory-service/2.4 (linux)",
        "requestParameters": {"itemId": "item-%d" % i, "quantity": i % 17},
        "responseElements": None,
        "requestID": str(uuid.uuid4()),
        "eventID": str(uuid.uuid4()),
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "orgtrail"))
    ap.add_argument("--loadgen", default=os.path.join(ROOT, "build", "orgtrail-loadgen"))
    ap.add_argument("--records", type=int, default=2000, help="records per request")
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--duration", type=float, default=10)
    ap.add_argument("--port", type=int, default=45661)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="orgtrail-bench-") as tmp:
        data = os.path.join(tmp, "data")
        info = json.loads(subprocess.run([a.bin, "init", "--data", data], check=True,
                                         capture_output=True, text=True).stdout)
        body = os.path.join(tmp, "body.ndjson")
        with open(body, "w") as f:
            for i in range(a.records):
                f.write(json.dumps(record(i, info["AccountId"]), separators=(",", ":")) + "\n")
        size = os.path.getsize(body)
        srv = subprocess.Popen([a.bin, "serve", "--data", data, "--listen",
                                "127.0.0.1:%d" % a.port], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        try:
            for _ in range(200):
                try:
                    urllib.request.urlopen("http://127.0.0.1:%d/_orgtrail/health" % a.port,
                                           timeout=1).read()
                    break
                except OSError:
                    time.sleep(0.05)
            out = subprocess.run(
                [a.loadgen, "--endpoint", "127.0.0.1:%d" % a.port, "--access-key",
                 info["AccessKeyId"], "--secret", info["SecretAccessKey"], "--service",
                 "cloudtrail-data", "--path", "/_orgtrail/ingest", "--content-type",
                 "application/x-ndjson", "--body-file", body, "--records", str(a.records),
                 "--connections", str(a.connections), "--duration", str(a.duration)],
                check=True, capture_output=True, text=True).stdout
            res = json.loads(out)
            res["bytes_per_request"] = size
            res["mb_per_s"] = round(res["rps"] * size / 1e6, 1)
            print(json.dumps(res))
        finally:
            srv.terminate()
            srv.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
