#!/usr/bin/env python3
"""Benchmark: authorization decisions per second on one core, orgtrail's policy engine
(policy/authorize.h, through build/orgtrail-authzbench) against @cloud-copilot/iam-simulate
(an independent IAM simulator for Node, installed from npm into a cache directory on first
use), side by side in the same run on the same scenario.

The scenario is the access-control issue's realistic principal: a role session of a
member account with 50 identity policies (150 statements, with String, Bool, IpAddress and
Arn conditions), an SCP tree of three levels (root, OU, account), and the organization's
log-bucket policy for its cross-account requests; 8 requests that end in every decision.
Rounds alternate between the two; the table reports medians and the ratio. Both sides'
decisions for the 8 requests are printed and must agree.

Usage: python3 bench/authorize.py [--rounds 3] [--duration 5]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BENCH = os.path.join(ROOT, "build", "orgtrail-authzbench")
PEER = ("@cloud-copilot/iam-simulate", "0.1.173")
PEER_DIR = os.path.join(os.path.expanduser("~"), ".cache", "orgtrail-bench", "iam-simulate-" + PEER[1])

MGMT, MEMBER = "111111111111", "222222222222"
ROLE = "arn:aws:iam::%s:role/app" % MEMBER
SESSION = "arn:aws:sts::%s:assumed-role/app/s1" % MEMBER


def scenario():
    identity = []
    for i in range(50):
        identity.append({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"],
             "Resource": ["arn:aws:s3:::bucket-%d" % i, "arn:aws:s3:::bucket-%d/*" % i],
             "Condition": {"StringEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]},
                           "Bool": {"aws:SecureTransport": "true"}}},
            {"Effect": "Allow", "Action": ["cloudtrail:Describe*", "cloudtrail:Get*",
                                           "cloudtrail:LookupEvents"], "Resource": "*",
             "Condition": {"IpAddress": {"aws:SourceIp": ["10.%d.0.0/16" % i, "192.168.0.0/16"]}}},
            {"Effect": "Deny", "Action": "s3:DeleteObject*",
             "Resource": "arn:aws:s3:::bucket-%d/locked/*" % i,
             "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/breakglass"}}}]})
    identity[49]["Statement"][0]["Resource"] += ["arn:aws:s3:::org-logs", "arn:aws:s3:::org-logs/*"]
    scp_levels = [
        [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}],
        [{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": ["s3:DeleteObject", "s3:PutBucketPolicy",
                                          "cloudtrail:StopLogging", "cloudtrail:DeleteTrail"],
             "Resource": "*",
             "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/breakglass"}}}]}],
        [{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:*", "cloudtrail:*", "logs:*", "sts:*"],
             "Resource": "*"}]}],
    ]
    bucket = {"Version": "2012-10-17", "Statement": [
        {"Sid": "AWSCloudTrailWrite", "Effect": "Allow",
         "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
         "Resource": "arn:aws:s3:::org-logs/AWSLogs/o-exampleorgid/*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control",
                                        "aws:SourceArn": "arn:aws:cloudtrail:us-east-1:%s:trail/org" % MGMT}}},
        {"Sid": "AuditorsRead", "Effect": "Allow", "Principal": {"AWS": ROLE},
         "Action": ["s3:GetObject", "s3:ListBucket"],
         "Resource": ["arn:aws:s3:::org-logs", "arn:aws:s3:::org-logs/*"]},
        {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": ["arn:aws:s3:::org-logs", "arn:aws:s3:::org-logs/*"],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
    ctx = {"aws:RequestedRegion": "us-east-1", "aws:SecureTransport": "true",
           "aws:SourceIp": "10.3.4.5", "aws:PrincipalArn": ROLE, "aws:PrincipalAccount": MEMBER,
           "aws:PrincipalOrgID": "o-exampleorgid"}
    log = "arn:aws:s3:::org-logs/AWSLogs/o-exampleorgid/%s/CloudTrail/us-east-1/2026/12/07/x.json.gz" % MEMBER
    requests = [
        ("s3:GetObject", "arn:aws:s3:::bucket-25/report.csv", MEMBER, False),
        ("cloudtrail:DescribeTrails", "*", MEMBER, False),  # an action on no resource type
        ("s3:GetObject", log, MGMT, True),
        ("cloudtrail:StopLogging", "arn:aws:cloudtrail:us-east-1:%s:trail/t" % MEMBER, MEMBER, False),
        ("s3:DeleteObject", "arn:aws:s3:::bucket-7/locked/a", MEMBER, False),
        ("s3:PutObject", "arn:aws:s3:::bucket-1/x", MEMBER, False),
        ("s3:PutObject", log, MGMT, True),
        ("iam:CreateUser", "arn:aws:iam::%s:user/x" % MEMBER, MEMBER, False),
    ]
    return {"principal": {"account": MEMBER, "roleArn": ROLE, "sessionArn": SESSION},
            "orgRoot": "r-root", "identityPolicies": identity, "scpLevels": scp_levels,
            "resourcePolicy": bucket,
            "requests": [{"action": a, "resource": r, "resourceAccount": acct, "bucket": b,
                          "context": ctx} for a, r, acct, b in requests]}


def install_peer():
    if os.path.isdir(os.path.join(PEER_DIR, "node_modules", "@cloud-copilot", "iam-simulate")):
        return
    os.makedirs(PEER_DIR, exist_ok=True)
    print("installing %s@%s into %s" % (PEER[0], PEER[1], PEER_DIR), file=sys.stderr)
    subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", PEER_DIR,
                    "%s@%s" % PEER], check=True)


def run(cmd, cwd=None):
    out = subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=float, default=5)
    args = ap.parse_args()
    if not os.path.exists(BENCH):
        sys.exit("authorize: %s is missing: run make build first" % BENCH)
    install_peer()
    peer_script = os.path.join(PEER_DIR, "authz_peer.mjs")
    with open(os.path.join(ROOT, "bench", "authz_peer.mjs")) as src, open(peer_script, "w") as dst:
        dst.write(src.read())
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(scenario(), f)
        path = f.name
    ours, interp, compile_us, peers = [], [], [], []
    try:
        for i in range(args.rounds):
            o = run(["taskset", "-c", "0", BENCH, path, str(args.duration)])
            p = run(["taskset", "-c", "0", "node", peer_script, path, str(args.duration)], cwd=PEER_DIR)
            ours.append(o["per_second"])
            interp.append(o["interpreted_per_second"])
            compile_us.append(o["compile_us"])
            peers.append(p["per_second"])
            print("round %d orgtrail %12.0f decisions/s (interpreted %9.0f)   iam-simulate %10.0f "
                  "decisions/s" % (i + 1, o["per_second"], o["interpreted_per_second"], p["per_second"]))
    finally:
        os.unlink(path)
    print("\nAuthorization decisions on one core, %d rounds x %g s (medians); 50 identity "
          "policies, 3 SCP levels, a bucket policy, 8 requests" % (args.rounds, args.duration))
    print("| engine | decisions/s | us/decision |")
    print("|---|---:|---:|")
    mo, mp = statistics.median(ours), statistics.median(peers)
    mi = statistics.median(interp)
    print("| orgtrail, policies compiled once (policy_set.h) | %.0f | %.2f |" % (mo, 1e6 / mo))
    print("| orgtrail, policies read from their documents per decision | %.0f | %.2f |" % (mi, 1e6 / mi))
    print("| @cloud-copilot/iam-simulate %s | %.0f | %.2f |" % (PEER[1], mp, 1e6 / mp))
    print("orgtrail / iam-simulate: %.1fx the decisions/s; compiling the scenario's policies "
          "takes %.0f us" % (mo / mp, statistics.median(compile_us)))
    print("decisions, orgtrail:     %s" % o["decisions_by_request"])
    print("decisions, iam-simulate: %s" % p["decisions_by_request"])
    if o["decisions_by_request"] != p["decisions_by_request"]:
        print("the two engines disagree on a request: see above")
        sys.exit(1)


if __name__ == "__main__":
    main()
