#!/usr/bin/env python3
"""Benchmark: orgtrail validate-logs against `aws cloudtrail validate-logs` on the same data.

Generates delivered-looking CloudTrail log files (gzipped {"Records":[...]}, realistic
records with unique ids, times and addresses) for a single-account trail, hourly digest
files over them, chained and signed exactly as the format requires with the server's own
us-east-1 signing key (made by ListPublicKeys, read from DATA/signing-keys as only a
benchmark or test may), and uploads everything through the S3 API to a fresh
`orgtrail serve`. The data's hours start at the key's validity start, so ListPublicKeys
for the validated range returns that key. Then it times, with --s3-bucket given to all:

  orgtrail  validate-logs --endpoint-url   (S3 API; keys from ListPublicKeys)
  orgtrail  validate-logs --data           (the local store, read-only; keys from it)
  aws cloudtrail validate-logs             (AWS CLI v1, a real subprocess,
                                            AWS_ENDPOINT_URL = orgtrail: ListPublicKeys,
                                            GetBucketLocation, ListObjects v1, GetObject)

"Log bytes checked" = inflated bytes, the bytes the digests' SHA-256 values cover (the
stored .gz size is printed too). Prints a table of medians and the ratio, with the CPU
seconds the validator and the server spent per run (they share the machine's cores), and
the CPU budget 20x the AWS CLI would leave. A fourth row runs --data on one thread: the
validator's own work without HTTP, its CPU floor.

usage: python3 bench/validate_logs.py [--files 10000] [--kib 110] [--runs 3]
                                      [--aws-runs 3] [--aws-files N] [--bin build/orgtrail]
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
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, ROOT)
os.environ.setdefault("ORGTRAIL_BIN", os.path.join(ROOT, "build", "orgtrail"))

ACCOUNT = "111111111111"
REGION = "us-east-1"
TRAIL = "bench-trail"
ARN = "arn:aws:cloudtrail:%s:%s:trail/%s" % (REGION, ACCOUNT, TRAIL)
BUCKET = "bench-trail-bucket"
T0 = None  # set from the signing key's validity start (main)

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
    i, kib, per_hour, t0 = args
    rng = random.Random(i)
    delivered = t0 + dt.timedelta(seconds=int(3600 * (i // per_hour) + 1 +
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


def make_digests(logs, hours, priv, fp):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
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


def proc_cpu_s(pid):
    """CPU seconds (user + system) a running process has used so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(cmd, env, server_pid):
    """Wall seconds, the finished process, and the CPU seconds the validator and the server
    spent on this run (the machine's cores are shared by both)."""
    c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    s0 = proc_cpu_s(server_pid)
    t = time.perf_counter()
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    el = time.perf_counter() - t
    c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    client = (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime)
    return el, p, client, proc_cpu_s(server_pid) - s0


def server_key(srv):
    """The server's us-east-1 signing key: ListPublicKeys makes it on first use; its private
    half is read from the store (the server never serves it)."""
    from cryptography.hazmat.primitives import serialization
    k = srv.client("cloudtrail").list_public_keys()["PublicKeyList"][0]
    with open(os.path.join(srv.data, "signing-keys", REGION, k["Fingerprint"] + ".pem"),
              "rb") as f:
        priv = serialization.load_pem_private_key(f.read(), None)
    return priv, k["Fingerprint"], k["ValidityStartTime"]


def main():
    global T0
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--files", type=int, default=10000)
    ap.add_argument("--kib", type=int, default=110, help="inflated size of each log file")
    ap.add_argument("--per-hour", type=int, default=100, help="log files per digest")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--aws-files", type=int, default=0,
                    help="time the AWS CLI over only the first N files' hours (0 = all)")
    ap.add_argument("--aws-runs", type=int, default=1)
    ap.add_argument("--parallel", type=int, default=0,
                    help="orgtrail's --parallel through the S3 API (0 = its default)")
    ap.add_argument("--bin", default=os.environ["ORGTRAIL_BIN"])
    a = ap.parse_args()
    os.environ["ORGTRAIL_BIN"] = os.path.abspath(a.bin)
    from tests.integration.harness import OrgtrailServer

    srv = OrgtrailServer(account_id=ACCOUNT).start()
    try:
        priv, fp, valid_from = server_key(srv)
        # Whole minutes from the key's start: every digest falls in its validity range.
        T0 = (valid_from.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)).astimezone(
            dt.timezone.utc)
        t = time.perf_counter()
        with multiprocessing.Pool() as pool:
            logs = pool.map(make_log, [(i, a.kib, a.per_hour, T0) for i in range(a.files)],
                            chunksize=50)
        hours = (a.files + a.per_hour - 1) // a.per_hour
        digests = make_digests(logs, hours, priv, fp)
        plain_bytes = sum(lg[3] for lg in logs)
        gz_bytes = sum(len(lg[1]) for lg in logs)
        print("generated %d log files (%.1f MB inflated, %.1f MB stored) and %d digests in "
              "%.0f s" % (len(logs), plain_bytes / 1e6, gz_bytes / 1e6, len(digests),
                          time.perf_counter() - t), flush=True)

        s3 = srv.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        t = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(8) as ex:
            list(ex.map(lambda lg: s3.put_object(Bucket=BUCKET, Key=lg[0], Body=lg[1]), logs))
            list(ex.map(lambda d: s3.put_object(Bucket=BUCKET, Key=d[0], Body=d[1], Metadata=d[2]),
                        digests))
        print("uploaded through the S3 API in %.0f s" % (time.perf_counter() - t), flush=True)
        del logs

        start = T0.strftime("%Y-%m-%dT%H:%M:%SZ")
        end = (T0 + dt.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")
        common = ["--trail-arn", ARN, "--start-time", start, "--end-time", end,
                  "--s3-bucket", BUCKET, "--region", REGION]
        env = srv.env()
        results = {}
        par = ["--parallel", str(a.parallel)] if a.parallel else []
        pid = srv.proc.pid
        # The last mode is no contender: one hashing thread on the local store measures the
        # validator's own CPU floor (inflate + SHA-256 + digests, no HTTP).
        for mode, where in (("orgtrail, S3 API", ["--endpoint-url", srv.endpoint] + par),
                            ("orgtrail, --data", ["--data", srv.data]),
                            ("orgtrail, --data, 1 thread", ["--data", srv.data, "--parallel", "1"])):
            cmd = [a.bin, "validate-logs"] + common + ["--no-progress"] + where
            times, cpu = [], []
            for _ in range(a.runs):
                el, p, ccpu, scpu = timed(cmd, env, pid)
                if p.returncode != 0 or "%d/%d log files valid" % (a.files, a.files) not in p.stdout:
                    raise SystemExit("%s failed (%d):\n%s%s" % (mode, p.returncode, p.stdout,
                                                                 p.stderr[-3000:]))
                times.append(el)
                cpu.append((ccpu, scpu))
            results[mode] = (statistics.median(times), a.files, plain_bytes, times,
                             statistics.median(c for c, _ in cpu),
                             statistics.median(s for _, s in cpu))
            print("%-18s median %.2f s of %s" % (mode, results[mode][0],
                                                 ["%.2f" % x for x in times]), flush=True)

        aws_files = a.aws_files or a.files
        aws_hours = (aws_files + a.per_hour - 1) // a.per_hour
        aws_end = (T0 + dt.timedelta(hours=aws_hours)).strftime("%Y-%m-%dT%H:%M:%SZ")
        cmd = ["aws", "cloudtrail", "validate-logs", "--trail-arn", ARN, "--start-time", start,
               "--end-time", aws_end, "--s3-bucket", BUCKET, "--region", REGION]
        n = min(aws_files, aws_hours * a.per_hour)
        times, cpu = [], []
        for _ in range(a.aws_runs):
            el, p, ccpu, scpu = timed(cmd, env, pid)
            if p.returncode != 0 or "%d/%d log files valid" % (n, n) not in p.stdout:
                raise SystemExit("aws cli failed (%d):\n%s%s" % (p.returncode, p.stdout,
                                                                 p.stderr[-3000:]))
            times.append(el)
            cpu.append((ccpu, scpu))
        aws_bytes = plain_bytes * n / a.files
        results["aws cloudtrail"] = (statistics.median(times), n, aws_bytes, times,
                                     statistics.median(c for c, _ in cpu),
                                     statistics.median(s for _, s in cpu))
        print("%-18s median %.2f s of %s" % ("aws cloudtrail", results["aws cloudtrail"][0],
                                             ["%.2f" % x for x in times]), flush=True)

        aws_rate = results["aws cloudtrail"][2] / results["aws cloudtrail"][0]
        print()
        print("| validator | log files | log MB checked | median s (runs) | MB/s | vs AWS CLI "
              "| validator CPU s | server CPU s |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for mode, (sec, nfiles, nbytes, ts, ccpu, scpu) in results.items():
            rate = nbytes / sec
            print("| %s | %d | %.0f | %.2f (%s) | %.0f | %.1fx | %.2f | %.2f |" % (
                mode, nfiles, nbytes / 1e6, sec, ", ".join("%.2f" % x for x in ts), rate / 1e6,
                rate / aws_rate, ccpu, scpu))
        cores = os.cpu_count() or 1
        aws_per_file = results["aws cloudtrail"][0] / results["aws cloudtrail"][1]
        budget = aws_per_file * a.files / 20
        s3 = results["orgtrail, S3 API"]
        print("\n20x the AWS CLI on these %d files = %.2f s = %.2f CPU s on %d cores; the S3 "
              "API run used %.2f (validator %.2f + server %.2f); the validator's own work on "
              "one thread (no HTTP) %.2f." % (a.files, budget, budget * cores, cores,
                                              s3[4] + s3[5], s3[4], s3[5],
                                              results["orgtrail, --data, 1 thread"][4]))
        if aws_files < a.files:
            print("\nAWS CLI measured on the first %d files only; the ratio compares throughput "
                  "(MB/s); its time for all %d files extrapolates to ~%.0f s." % (
                      n, a.files, results["aws cloudtrail"][0] * a.files / n))
        print("stored (.gz) size of all log files: %.1f MB" % (gz_bytes / 1e6))
    finally:
        srv.close()


if __name__ == "__main__":
    main()
