#!/usr/bin/env python3
"""Benchmark: authenticated CloudTrail DescribeTrails calls/s and p99 latency,
orgtrail against moto's server, side by side in the same run.

Since access control (issue 10) every call is authorized by the policy engine, so the run
also measures, in the same rounds: orgtrail called by an IAM user with AdministratorAccess
(its policies are evaluated, where the management account's root takes a shortcut), and
the orgtrail of --baseline-rev (default a74ceba, the last commit before enforcement; built
once into ~/.cache/orgtrail-bench/), whose figure the authorized one must stay within 10 % of.

Both servers get the same setup through boto3 (a bucket with a CloudTrail bucket policy and
a trail), then the same closed-loop load from build/orgtrail-loadgen: 16 keep-alive
connections sending SigV4-signed DescribeTrails requests. Rounds alternate between the two
servers so that machine noise hits both; the table reports medians over rounds.

Note what each side does per call: orgtrail verifies the signature, validates the request
against the AWS model, answers from SQLite, and makes the call's CloudTrail record durable
(fdatasync, group commit) before answering; moto checks no signature and records nothing.

Usage: python3 bench/describe_trails.py [--rounds 3] [--duration 10] [--connections 16]
                                        [--baseline-rev REV | --no-baseline]
"""
import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3
import botocore.config

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BIN = os.path.join(ROOT, "build", "orgtrail")
LOADGEN = os.path.join(ROOT, "build", "orgtrail-loadgen")
TARGET = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails"
REGION = "us-east-1"
CACHE = os.path.join(os.path.expanduser("~"), ".cache", "orgtrail-bench")


def baseline_binary(rev):
    """The orgtrail binary of an earlier commit, built once (RelWithDebInfo, as make build)."""
    sha = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", rev], check=True,
                         capture_output=True, text=True).stdout.strip()
    out = os.path.join(CACHE, "orgtrail-" + sha)
    if os.access(out, os.X_OK):
        return out, sha
    os.makedirs(CACHE, exist_ok=True)
    src = tempfile.mkdtemp(prefix="orgtrail-baseline-")
    print("building the baseline orgtrail of %s (once, into %s)" % (sha, out), file=sys.stderr)
    try:
        subprocess.run(["git", "-C", ROOT, "worktree", "add", "--detach", src, sha], check=True,
                       capture_output=True)
        build = os.path.join(src, "build")
        subprocess.run(["cmake", "-S", src, "-B", build, "-DCMAKE_BUILD_TYPE=RelWithDebInfo"],
                       check=True, capture_output=True)
        subprocess.run(["cmake", "--build", build, "-j", "2", "--target", "orgtrail"], check=True,
                       capture_output=True)
        os.replace(os.path.join(build, "orgtrail"), out)
    finally:
        subprocess.run(["git", "-C", ROOT, "worktree", "remove", "--force", src], capture_output=True)
    return out, sha


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url, proc, what):
    for _ in range(300):
        if proc.poll() is not None:
            sys.exit("%s exited early" % what)
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.05)
    sys.exit("%s did not start" % what)


def start_orgtrail(tmp, binary=BIN, name="orgtrail"):
    data = os.path.join(tmp, name)
    out = subprocess.run([binary, "init", "--data", data, "--account-id", "111111111111"],
                         check=True, capture_output=True, text=True)
    creds = json.loads(out.stdout)
    port = free_port()
    proc = subprocess.Popen([binary, "serve", "--data", data, "--listen", "127.0.0.1:%d" % port],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_up("http://127.0.0.1:%d/_orgtrail/health" % port, proc, "orgtrail")
    return proc, port, creds["AccessKeyId"], creds["SecretAccessKey"]


def start_moto():
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_up("http://127.0.0.1:%d/" % port, proc, "moto")
    return proc, port, "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


def setup(port, key, secret, account):
    cfg = botocore.config.Config(retries={"max_attempts": 1})
    kw = dict(endpoint_url="http://127.0.0.1:%d" % port, region_name=REGION,
              aws_access_key_id=key, aws_secret_access_key=secret, config=cfg)
    s3 = boto3.client("s3", **kw)
    ct = boto3.client("cloudtrail", **kw)
    bucket = "bench-trail-logs"
    s3.create_bucket(Bucket=bucket)
    trail_arn = "arn:aws:cloudtrail:%s:%s:trail/bench-trail" % (REGION, account)
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow",
         "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl",
         "Resource": "arn:aws:s3:::%s" % bucket,
         "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}}},
        {"Sid": "AWSCloudTrailWrite", "Effect": "Allow",
         "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
         "Resource": "arn:aws:s3:::%s/AWSLogs/%s/*" % (bucket, account),
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control",
                                        "aws:SourceArn": trail_arn}}}]}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    ct.create_trail(Name="bench-trail", S3BucketName=bucket, IsMultiRegionTrail=True,
                    EnableLogFileValidation=True)
    ct.start_logging(Name="bench-trail")
    trails = ct.describe_trails()["trailList"]
    assert [t["Name"] for t in trails] == ["bench-trail"], trails


def iam_admin_user(port, key, secret):
    """An IAM user of the management account with AdministratorAccess, and its keys."""
    iam = boto3.client("iam", endpoint_url="http://127.0.0.1:%d" % port, region_name=REGION,
                       aws_access_key_id=key, aws_secret_access_key=secret)
    iam.create_user(UserName="bench-admin")
    iam.attach_user_policy(UserName="bench-admin",
                           PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    k = iam.create_access_key(UserName="bench-admin")["AccessKey"]
    return k["AccessKeyId"], k["SecretAccessKey"]


def load(port, key, secret, args):
    cmd = [LOADGEN, "--endpoint", "127.0.0.1:%d" % port, "--access-key", key, "--secret", secret,
           "--service", "cloudtrail", "--region", REGION, "--target", TARGET, "--body", "{}",
           "--connections", str(args.connections), "--duration", str(args.duration),
           "--warmup", str(args.warmup)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    r = json.loads(out.stdout)
    if r["non2xx"] or r["errors"]:
        sys.exit("load run had failures: %s" % r)
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=float, default=10.0)
    ap.add_argument("--warmup", type=float, default=2.0)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--baseline-rev", default="a74ceba",
                    help="the commit whose orgtrail is measured beside this one (default: "
                    "a74ceba, the last before access control)")
    ap.add_argument("--no-baseline", action="store_true", help="measure no earlier orgtrail")
    args = ap.parse_args()
    for f in (BIN, LOADGEN):
        if not os.access(f, os.X_OK):
            sys.exit("%s is missing: run `make build` first" % f)
    tmp = tempfile.TemporaryDirectory(prefix="orgtrail-bench-")
    procs = []
    try:
        o = start_orgtrail(tmp.name)
        procs.append(o[0])
        m = start_moto()
        procs.append(m[0])
        setup(o[1], o[2], o[3], "111111111111")
        setup(m[1], m[2], m[3], "123456789012")
        servers = [("orgtrail", o), ("orgtrail-iam-user", (o[0], o[1]) + iam_admin_user(*o[1:4]))]
        if not args.no_baseline:
            binary, sha = baseline_binary(args.baseline_rev)
            b = start_orgtrail(tmp.name, binary, "baseline")
            procs.append(b[0])
            setup(b[1], b[2], b[3], "111111111111")
            servers.append(("orgtrail-" + sha, b))
        servers.append(("moto", m))
        results = {n: [] for n, _ in servers}
        for rnd in range(args.rounds):
            for name, (_, port, key, secret) in servers:
                r = load(port, key, secret, args)
                results[name].append(r)
                print("round %d %-18s %8.0f calls/s  p99 %7.2f ms" % (rnd + 1, name, r["rps"], r["p99_ms"]),
                      file=sys.stderr)
        med = {n: {k: statistics.median(x[k] for x in rs) for k in ("rps", "p50_ms", "p99_ms")}
               for n, rs in results.items()}
        print("DescribeTrails, %d connections, %d rounds x %.0f s (medians)\n" %
              (args.connections, args.rounds, args.duration))
        print("| server | calls/s | p50 ms | p99 ms |")
        print("|---|---:|---:|---:|")
        for n, _ in servers:
            print("| %s | %.0f | %.2f | %.2f |" % (n, med[n]["rps"], med[n]["p50_ms"], med[n]["p99_ms"]))
        print("\norgtrail / moto: %.1fx the calls/s, %.1fx lower p99" %
              (med["orgtrail"]["rps"] / med["moto"]["rps"], med["moto"]["p99_ms"] / med["orgtrail"]["p99_ms"]))
        if not args.no_baseline:
            base = servers[2][0]
            # Each round's servers ran back to back: the median of the per-round ratios
            # cancels the noise that moves a whole round.
            for n in ("orgtrail", "orgtrail-iam-user"):
                ratio = statistics.median(a["rps"] / b["rps"] for a, b in zip(results[n], results[base]))
                print("%s / %s: %.3f the calls/s (median of per-round ratios)" % (n, base, ratio))
        os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
        with open(os.path.join(ROOT, "bench", "results", "describe_trails.json"), "w") as f:
            json.dump({"args": vars(args), "rounds": results, "medians": med}, f, indent=1)
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        tmp.cleanup()


if __name__ == "__main__":
    main()
