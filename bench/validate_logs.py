#!/usr/bin/env python3
"""Benchmark: orgtrail validate-logs against `aws cloudtrail validate-logs` on the same data.

Generates delivered-looking CloudTrail log files (gzipped {"Records":[...]}, realistic
records with unique ids, times and addresses) for a single-account trail, hourly digest
files over them, chained and signed with the shared test-vector key exactly as the format
requires, and uploads everything through the S3 API to a fresh `orgtrail serve`. Then it
times, with --s3-bucket and the public key given to both:

  orgtrail  validate-logs --endpoint-url   (S3 API)
  orgtrail  validate-logs --data           (the local store, read-only)
  aws cloudtrail validate-logs             (AWS CLI v1 1.45.11, its driver run in-process,
                                            AWS_ENDPOINT_URL = orgtrail)

orgtrail's server has no ListPublicKeys yet (the digest writer brings it) nor S3 ListObjects
v1, so those two calls of the AWS CLI are answered in-process (see run_aws_cli); every
object byte the AWS CLI checks still comes through orgtrail's S3 API (GetObject).

"Log bytes checked" = inflated bytes, the bytes the digests' SHA-256 values cover (the
stored .gz size is printed too). Prints a table of medians and the ratio.

usage: python3 bench/validate_logs.py [--files 10000] [--kib 110] [--runs 3]
                                      [--aws-files N] [--bin build/orgtrail]
"""
import argparse
import concurrent.futures
import datetime as dt
import gzip
import hashlib
import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, ROOT)
os.environ.setdefault("ORGTRAIL_BIN", os.path.join(ROOT, "build", "orgtrail"))

ACCOUNT = "111111111111"
REGION = "us-east-1"
TRAIL = "bench-trail"
ARN = "arn:aws:cloudtrail:%s:%s:trail/%s" % (REGION, ACCOUNT, TRAIL)
BUCKET = "bench-trail-bucket"
T0 = dt.datetime(2024, 5, 1, 0, 0, 0, tzinfo=dt.timezone.utc)
KEYS = os.path.join(ROOT, "..", "shared", "reference", "vectors", "keys")

EVENTS = [("iam.amazonaws.com", "GetUser"), ("ec2.amazonaws.com", "DescribeInstances"),
          ("s3.amazonaws.com", "ListBuckets"), ("sts.amazonaws.com", "AssumeRole"),
          ("kms.amazonaws.com", "Decrypt"), ("cloudtrail.amazonaws.com", "LookupEvents")]


def record(rng, t):
    src, name = rng.choice(EVENTS)
    uid = "%08x-%04x-4%03x-%04x-%012x" % (rng.getrandbits(32), rng.getrandbits(16),
                                           rng.getrandbits(12), rng.getrandbits(16),
                                           rng.getrandbits(48))
    ip = "%d.%d.%d.%d" % (rng.randint(1, 223), rng.randint(0, 255), rng.randint(0, 255),
                          rng.randint(1, 254))
    return {
        "eventVersion": "1.09",
        "userIdentity": {"type": "IAMUser", "principalId": "AIDA%016X" % rng.getrandbits(64),
                         "arn": "arn:aws:iam::%s:user/user-%d" % (ACCOUNT, rng.randint(1, 500)),
                         "accountId": ACCOUNT, "accessKeyId": "AKIA%016X" % rng.getrandbits(64),
                         "userName": "user-%d" % rng.randint(1, 500)},
        "eventTime": t.strftime("%Y-%m-%dT%H:%M:%SZ"), "eventSource": src, "eventName": name,
        "awsRegion": REGION, "sourceIPAddress": ip,
        "userAgent": "aws-cli/2.%d.%d Python/3.11.%d Linux/6.1 botocore/2.%d" % (
            rng.randint(0, 20), rng.randint(0, 30), rng.randint(0, 9), rng.randint(0, 99)),
        "requestParameters": {"resource": "r-%x" % rng.getrandbits(64),
                              "maxResults": rng.randint(1, 1000)},
        "responseElements": None, "requestID": uid, "eventID": uid[::-1],
        "readOnly": True, "eventType": "AwsApiCall", "managementEvent": True,
        "recipientAccountId": ACCOUNT, "eventCategory": "Management",
        "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                       "clientProvidedHostHeader": src}}


def make_log(args):
    """One log file: (key, gz bytes, sha256 of plain, plain size, oldest, newest)."""
    i, kib, per_hour = args
    rng = random.Random(i)
    delivered = T0 + dt.timedelta(seconds=int(3600 * (i // per_hour) + 1 +
                                              (3598 * (i % per_hour)) / per_hour))
    recs, size = [], 0
    while size < kib * 1024:
        r = record(rng, delivered - dt.timedelta(seconds=rng.randint(60, 600)))
        recs.append(r)
        size += len(json.dumps(r, separators=(",", ":")))
    plain = json.dumps({"Records": recs}, separators=(",", ":")).encode()
    uniq = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
                   for _ in range(16))
    key = "AWSLogs/%s/CloudTrail/%s/%s/%s_CloudTrail_%s_%s_%s.json.gz" % (
        ACCOUNT, REGION, delivered.strftime("%Y/%m/%d"), ACCOUNT, REGION,
        delivered.strftime("%Y%m%dT%H%MZ"), uniq)
    times = [r["eventTime"] for r in recs]
    return key, gzip.compress(plain, 6), hashlib.sha256(plain).hexdigest(), len(plain), \
        min(times), max(times), delivered


def make_digests(logs, hours):
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    with open(os.path.join(KEYS, "private_key_pkcs8.pem"), "rb") as f:
        priv = serialization.load_pem_private_key(f.read(), None)
    with open(os.path.join(KEYS, "fingerprint.txt")) as f:
        fp = f.read().strip()
    by_hour = {}
    for lg in logs:
        by_hour.setdefault(int((lg[6] - T0).total_seconds() // 3600), []).append(lg)
    out, prev = [], None
    for h in range(hours):
        start, end = T0 + dt.timedelta(hours=h), T0 + dt.timedelta(hours=h + 1)
        key = "AWSLogs/%s/CloudTrail-Digest/%s/%s/%s_CloudTrail-Digest_%s_%s_%s_%s.json.gz" % (
            ACCOUNT, REGION, end.strftime("%Y/%m/%d"), ACCOUNT, REGION, TRAIL, REGION,
            end.strftime("%Y%m%dT%H%M%SZ"))
        files = by_hour.get(h, [])
        d = {"awsAccountId": ACCOUNT, "digestStartTime": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
             "digestEndTime": end.strftime("%Y-%m-%dT%H:%M:%SZ"), "digestS3Bucket": BUCKET,
             "digestS3Object": key, "digestPublicKeyFingerprint": fp,
             "digestSignatureAlgorithm": "SHA256withRSA",
             "newestEventTime": max(f[5] for f in files) if files else None,
             "oldestEventTime": min(f[4] for f in files) if files else None,
             "previousDigestS3Bucket": BUCKET if prev else None,
             "previousDigestS3Object": prev[0] if prev else None,
             "previousDigestHashValue": prev[1] if prev else None,
             "previousDigestHashAlgorithm": "SHA-256" if prev else None,
             "previousDigestSignature": prev[2] if prev else None,
             "logFiles": [{"s3Bucket": BUCKET, "s3Object": f[0], "hashValue": f[2],
                           "hashAlgorithm": "SHA-256", "newestEventTime": f[5],
                           "oldestEventTime": f[4]} for f in files]}
        plain = json.dumps(d, separators=(",", ":")).encode()
        sha = hashlib.sha256(plain).hexdigest()
        to_sign = "\n".join([d["digestEndTime"], BUCKET + "/" + key, sha,
                             prev[2] if prev else "null"]).encode()
        sig = priv.sign(to_sign, padding.PKCS1v15(), hashes.SHA256()).hex()
        out.append((key, gzip.compress(plain), {"signature": sig,
                                                "signature-algorithm": "SHA256withRSA"}))
        prev = (key, sha, sig)
    return out


def run_aws_cli(argv, env, srv, keys_doc):
    """Runs `aws <argv>` (the AWS CLI v1 driver, in this process) with S3 going to orgtrail.
    Two calls are answered here instead: CloudTrail ListPublicKeys (orgtrail serves it only
    once the digest writer lands) and S3 ListObjects v1 (orgtrail's S3 API has
    ListObjectsV2 only): the listing is fetched from orgtrail with ListObjectsV2 and handed
    back in v1 form. GetBucketLocation and every GetObject go to orgtrail's S3 API."""
    import io
    import contextlib
    from urllib.parse import parse_qs, urlsplit
    from xml.sax.saxutils import escape
    from botocore.awsrequest import AWSResponse
    from awscli.clidriver import create_clidriver
    s3 = srv.client("s3")

    class Raw(io.BytesIO):
        def stream(self, **kw):
            data = self.read()
            while data:
                yield data
                data = self.read()

    def cloudtrail(request, **kw):
        return AWSResponse(request.url, 200, {"Content-Type": "application/x-amz-json-1.1"},
                           Raw(json.dumps(keys_doc).encode()))

    def list_v1(request, **kw):
        u = urlsplit(request.url)
        q = parse_qs(u.query, keep_blank_values=True)
        if request.method != "GET" or "list-type" in q or "location" in q or \
                u.path.strip("/").count("/"):
            return None
        kw2 = {"Bucket": BUCKET, "Prefix": q.get("prefix", [""])[0], "MaxKeys": 1000}
        if q.get("marker", [""])[0]:
            kw2["StartAfter"] = q["marker"][0]
        r = s3.list_objects_v2(**kw2)
        body = "<ListBucketResult><Name>%s</Name><IsTruncated>%s</IsTruncated>%s</ListBucketResult>" % (
            BUCKET, "true" if r["IsTruncated"] else "false",
            "".join("<Contents><Key>%s</Key></Contents>" % escape(c["Key"])
                    for c in r.get("Contents", [])))
        return AWSResponse(request.url, 200, {"Content-Type": "application/xml"},
                           Raw(body.encode()))

    saved = dict(os.environ)
    for k in [k for k in os.environ if k.startswith("AWS_") and k != "AWS_DATA_PATH"]:
        del os.environ[k]
    os.environ.update({k: v for k, v in env.items() if k.startswith("AWS_")})
    try:
        t = time.perf_counter()
        driver = create_clidriver()
        em = driver.session.get_component("event_emitter")
        em.register_first("before-send.cloudtrail", cloudtrail)
        em.register_first("before-send.s3", list_v1)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = driver.main(argv)
        return time.perf_counter() - t, (rc, out.getvalue(), err.getvalue())
    finally:
        for k in [k for k in os.environ if k.startswith("AWS_") and k != "AWS_DATA_PATH"]:
            del os.environ[k]
        os.environ.update(saved)


def timed(cmd, env):
    t = time.perf_counter()
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    el = time.perf_counter() - t
    return el, p


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--files", type=int, default=10000)
    ap.add_argument("--kib", type=int, default=110, help="inflated size of each log file")
    ap.add_argument("--per-hour", type=int, default=100, help="log files per digest")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--aws-files", type=int, default=0,
                    help="time the AWS CLI over only the first N files' hours (0 = all)")
    ap.add_argument("--aws-runs", type=int, default=1)
    ap.add_argument("--bin", default=os.environ["ORGTRAIL_BIN"])
    a = ap.parse_args()
    os.environ["ORGTRAIL_BIN"] = os.path.abspath(a.bin)
    from tests.integration.harness import OrgtrailServer

    t = time.perf_counter()
    with multiprocessing.Pool() as pool:
        logs = pool.map(make_log, [(i, a.kib, a.per_hour) for i in range(a.files)], chunksize=50)
    hours = (a.files + a.per_hour - 1) // a.per_hour
    digests = make_digests(logs, hours)
    plain_bytes = sum(lg[3] for lg in logs)
    gz_bytes = sum(len(lg[1]) for lg in logs)
    print("generated %d log files (%.1f MB inflated, %.1f MB stored) and %d digests in %.0f s"
          % (len(logs), plain_bytes / 1e6, gz_bytes / 1e6, len(digests), time.perf_counter() - t),
          flush=True)

    srv = OrgtrailServer(account_id=ACCOUNT).start()
    try:
        s3 = srv.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        t = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(8) as ex:
            list(ex.map(lambda lg: s3.put_object(Bucket=BUCKET, Key=lg[0], Body=lg[1]), logs))
            list(ex.map(lambda d: s3.put_object(Bucket=BUCKET, Key=d[0], Body=d[1], Metadata=d[2]),
                        digests))
        print("uploaded through the S3 API in %.0f s" % (time.perf_counter() - t), flush=True)
        del logs

        with open(os.path.join(KEYS, "list_public_keys_value.b64.txt")) as f:
            value = f.read().strip()
        with open(os.path.join(KEYS, "fingerprint.txt")) as f:
            fp = f.read().strip()
        keys_doc = {"PublicKeyList": [{"Value": value, "ValidityStartTime": 1700000000,
                                       "ValidityEndTime": 1800000000, "Fingerprint": fp}]}
        tmp = tempfile.mkdtemp(prefix="orgtrail-bench-")
        keys_file = os.path.join(tmp, "keys.json")
        with open(keys_file, "w") as f:
            json.dump(keys_doc, f)

        start = T0.strftime("%Y-%m-%dT%H:%M:%SZ")
        end = (T0 + dt.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")
        common = ["--trail-arn", ARN, "--start-time", start, "--end-time", end,
                  "--s3-bucket", BUCKET, "--region", REGION]
        env = srv.env()
        results = {}
        for mode, where in (("orgtrail, S3 API", ["--endpoint-url", srv.endpoint]),
                            ("orgtrail, --data", ["--data", srv.data])):
            cmd = [a.bin, "validate-logs"] + common + ["--public-keys", keys_file,
                                                       "--no-progress"] + where
            times = []
            for _ in range(a.runs):
                el, p = timed(cmd, env)
                if p.returncode != 0 or "%d/%d log files valid" % (a.files, a.files) not in p.stdout:
                    raise SystemExit("%s failed (%d):\n%s%s" % (mode, p.returncode, p.stdout,
                                                                 p.stderr[-3000:]))
                times.append(el)
            results[mode] = (statistics.median(times), a.files, plain_bytes, " ".join(cmd))
            print("%-18s median %.2f s of %s" % (mode, results[mode][0],
                                                 ["%.2f" % x for x in times]), flush=True)

        aws_files = a.aws_files or a.files
        aws_hours = (aws_files + a.per_hour - 1) // a.per_hour
        aws_end = (T0 + dt.timedelta(hours=aws_hours)).strftime("%Y-%m-%dT%H:%M:%SZ")
        argv = ["cloudtrail", "validate-logs", "--trail-arn", ARN, "--start-time", start,
                "--end-time", aws_end, "--s3-bucket", BUCKET, "--region", REGION]
        n = min(aws_files, aws_hours * a.per_hour)
        times = []
        for _ in range(a.aws_runs):
            el, (rc, out, err) = run_aws_cli(argv, env, srv, keys_doc)
            if rc != 0 or "%d/%d log files valid" % (n, n) not in out:
                raise SystemExit("aws cli failed (%d):\n%s%s" % (rc, out, err[-3000:]))
            times.append(el)
        aws_bytes = plain_bytes * n / a.files
        results["aws cloudtrail"] = (statistics.median(times), n, aws_bytes,
                                     "aws " + " ".join(argv))
        print("%-18s median %.2f s of %s" % ("aws cloudtrail", results["aws cloudtrail"][0],
                                             ["%.2f" % x for x in times]), flush=True)

        aws_rate = results["aws cloudtrail"][2] / results["aws cloudtrail"][0]
        print()
        print("| validator | log files | log MB checked | median s | MB/s | vs AWS CLI |")
        print("| --- | --- | --- | --- | --- | --- |")
        for mode, (sec, nfiles, nbytes, _) in results.items():
            rate = nbytes / sec
            print("| %s | %d | %.0f | %.2f | %.0f | %.1fx |" % (mode, nfiles, nbytes / 1e6, sec,
                                                               rate / 1e6, rate / aws_rate))
        if aws_files < a.files:
            print("\nAWS CLI measured on the first %d files only; the ratio compares throughput "
                  "(MB/s); its time for all %d files extrapolates to ~%.0f s." % (
                      n, a.files, results["aws cloudtrail"][0] * a.files / n))
        print("stored (.gz) size of all log files: %.1f MB" % (gz_bytes / 1e6))
    finally:
        srv.close()


if __name__ == "__main__":
    main()
