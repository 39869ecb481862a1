#!/usr/bin/env python3
"""Benchmark: event-to-notification latency of orgtrail's detection path, under load.

Setup (a fresh store, boto3): the seed organization trail of scripts/quickstart.sh,
streaming to a CloudWatch Logs group of the management account through the seed's role;
100 metric filters on that group: the 15 CIS monitoring filters of
tests/integration/fixtures/cis_controls.json, one per probe (PutUserPolicy of the probe's
policy name), and the rest of the same shape on other event names. Each probe filter's
metric has an alarm as the CIS remediation writes them (Sum >= 1 over 300 s) whose action
is an SNS topic with an http subscription to a local receiver, confirmed through its
SubscribeURL.

Each probe: a member account's IAM PutUserPolicy (also a CIS 4.4 event); the latency is
from that call's response to the SNS POST of its alarm's notification at the receiver. Meanwhile build/orgtrail-ingestgen --rate ingests real CloudTrail records
(../shared/datasets/invictus-aws-dataset, spread over the organization's accounts) through
the bulk endpoint, all of which the organization trail streams to the group and its 100
filters evaluate. AWS documents CloudTrail's delivery to CloudWatch Logs in minutes; the
aim here is a p99 under 250 ms.

Usage: python3 bench/detection.py [--probes 40] [--rate 50000] [--filters 100]
"""
import argparse
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import boto3

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ingest  # noqa: E402  (the bulk-ingestion benchmark's server and record helpers)

REGION = ingest.REGION
CIS = os.path.join(ROOT, "tests", "integration", "fixtures", "cis_controls.json")
TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


class Receiver:
    """A local SNS http endpoint: confirms subscriptions, timestamps notifications."""

    def __init__(self):
        self.notes, self.cv = [], threading.Condition()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                t = time.time()
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                self.send_response(200)
                self.end_headers()
                if body.get("Type") == "SubscriptionConfirmation":
                    urllib.request.urlopen(body["SubscribeURL"]).read()
                    return
                with outer.cv:
                    outer.notes.append((t, body))
                    outer.cv.notify_all()

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/sns" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, alarm, timeout=30):
        """The arrival time of the notification of `alarm`."""
        def found():
            for t, body in self.notes:
                if json.loads(body["Message"]).get("AlarmName") == alarm:
                    return t
            return None
        with self.cv:
            if not self.cv.wait_for(lambda: found() is not None, timeout):
                raise SystemExit("no notification for %s within %d s" % (alarm, timeout))
            return found()


def setup(o, receiver, n_filters, n_probes):
    kw = dict(endpoint_url="http://127.0.0.1:%d" % o.port, region_name=REGION,
              aws_access_key_id=o.creds["AccessKeyId"], aws_secret_access_key=o.creds["SecretAccessKey"])
    c = lambda s: boto3.client(s, **kw)
    org_id = c("organizations").describe_organization()["Organization"]["Id"]
    mgmt = o.creds["AccountId"]
    group = "org-trail-events"
    c("logs").create_log_group(logGroupName=group)
    base = "arn:aws:logs:%s:%s:log-group:%s:log-stream:" % (REGION, mgmt, group)
    res = [base + "%s_CloudTrail_%s*" % (mgmt, REGION), base + "%s_*" % org_id]
    c("iam").create_role(RoleName="CloudTrail_CloudWatchLogs_Role", AssumeRolePolicyDocument=json.dumps(TRUST))
    c("iam").put_role_policy(RoleName="CloudTrail_CloudWatchLogs_Role", PolicyName="cwl",
                             PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
                                 {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                                  "Resource": res}]}))
    c("cloudtrail").update_trail(
        Name=o.trail["TrailARN"],
        CloudWatchLogsLogGroupArn="arn:aws:logs:%s:%s:log-group:%s:*" % (REGION, mgmt, group),
        CloudWatchLogsRoleArn="arn:aws:iam::%s:role/CloudTrail_CloudWatchLogs_Role" % mgmt)
    controls = json.load(open(CIS))
    logs = c("logs")
    for ctl in controls["controls"]:
        logs.put_metric_filter(logGroupName=group, filterName=ctl["filter"], filterPattern=ctl["pattern"],
                               metricTransformations=[{"metricName": ctl["metric"], "metricNamespace": "CISBenchmark",
                                                       "metricValue": "1"}])
    # One filter and alarm per probe, so that each probe's notification is its alarm's
    # first (an alarm stays in ALARM while its period holds the datapoint; SetAlarmState
    # OK would only be undone by the next evaluation).
    for i in range(n_probes):
        logs.put_metric_filter(
            logGroupName=group, filterName="probe-%03d" % i,
            filterPattern='{ ($.eventName = "PutUserPolicy") && ($.requestParameters.policyName = "probe-%03d") }' % i,
            metricTransformations=[{"metricName": "probe-%03d" % i, "metricNamespace": "Bench", "metricValue": "1"}])
    for i in range(n_filters - len(controls["controls"]) - n_probes):
        logs.put_metric_filter(
            logGroupName=group, filterName="extra-%03d" % i,
            filterPattern='{ ($.eventSource = "svc%d.amazonaws.com") && (($.eventName = "Create%d") || '
                          '($.eventName = "Delete%d")) }' % (i, i, i),
            metricTransformations=[{"metricName": "extra-%03d" % i, "metricNamespace": "Bench", "metricValue": "1"}])
    sns = c("sns")
    topic = sns.create_topic(Name="cis-alarms")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=receiver.url)
    for i in range(n_probes):
        c("cloudwatch").put_metric_alarm(
            AlarmName="probe-%03d" % i, MetricName="probe-%03d" % i, Namespace="Bench",
            Statistic="Sum", Period=300, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold",
            EvaluationPeriods=1, AlarmActions=[topic])
    member = [a for a in o.accounts if a != mgmt][0]
    # AWS refuses AssumeRole to root credentials: an administrator user assumes the
    # member's OrganizationAccountAccessRole.
    iam = c("iam")
    iam.create_user(UserName="bench-admin")
    iam.attach_user_policy(UserName="bench-admin", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    key = iam.create_access_key(UserName="bench-admin")["AccessKey"]
    sts = boto3.client("sts", endpoint_url=kw["endpoint_url"], region_name=REGION,
                       aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    r = sts.assume_role(RoleArn="arn:aws:iam::%s:role/OrganizationAccountAccessRole" % member,
                        RoleSessionName="bench")["Credentials"]
    member_iam = boto3.client("iam", endpoint_url=kw["endpoint_url"], region_name=REGION,
                              aws_access_key_id=r["AccessKeyId"], aws_secret_access_key=r["SecretAccessKey"],
                              aws_session_token=r["SessionToken"])
    return c("cloudwatch"), member_iam


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--probes", type=int, default=40, help="at most --filters - 15")
    ap.add_argument("--rate", type=float, default=50000, help="records/s ingested meanwhile (0: none)")
    ap.add_argument("--filters", type=int, default=100)
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--batch", type=int, default=1000)
    args = ap.parse_args()
    for f in (ingest.BIN, ingest.GEN):
        if not os.access(f, os.X_OK):
            sys.exit("%s is missing: run `make build` first" % f)
    tmp = tempfile.mkdtemp(prefix="orgtrail-bench-detect-")
    o = ingest.Orgtrail(tmp, 60)
    receiver = Receiver()
    try:
        o.setup()
        cw, member_iam = setup(o, receiver, args.filters, args.probes)
        records = os.path.join(tmp, "records.ndjson")
        ingest.make_records(records, 100000, o.accounts)
        load = None
        if args.rate > 0:
            gen_args = argparse.Namespace(batch=args.batch, connections=args.connections,
                                          duration=args.probes * 1.5 + 10, warmup=1.0)
            cmd = [ingest.GEN, "--mode", "http", "--endpoint", "127.0.0.1:%d" % o.port, "--records", records,
                   "--batch", str(gen_args.batch), "--connections", str(gen_args.connections),
                   "--duration", str(gen_args.duration), "--warmup", "1", "--rate", str(args.rate),
                   "--access-key", o.creds["AccessKeyId"], "--secret", o.creds["SecretAccessKey"],
                   "--region", REGION]
            load = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
            time.sleep(3)  # the load settles
        lat = []
        for i in range(args.probes):
            member_iam.create_user(UserName="probe-%03d" % i)  # IAM caps one user's inline policies
            member_iam.put_user_policy(UserName="probe-%03d" % i, PolicyName="probe-%03d" % i, PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}))
            t0 = time.time()
            t1 = receiver.wait("probe-%03d" % i)
            lat.append((t1 - t0) * 1000)
            print("probe %2d: %.1f ms" % (i + 1, lat[-1]), file=sys.stderr)
            time.sleep(0.2)
        gen = None
        if load:
            out, _ = load.communicate(timeout=args.probes * 2 + 60)
            gen = json.loads(out)
        lat.sort()
        p = lambda q: lat[min(len(lat) - 1, int(round(q * (len(lat) - 1))))]
        print("\n%d probes, %d metric filters on the group, ingest %s" % (
            len(lat), args.filters, "%.0f records/s acknowledged (asked %.0f)" % (gen["records_per_s"], args.rate)
            if gen else "none"))
        print("| measure | p50 ms | p99 ms | max ms |")
        print("| --- | ---: | ---: | ---: |")
        print("| call response -> SNS POST at the receiver | %.1f | %.1f | %.1f |" % (p(0.5), p(0.99), lat[-1]))
    finally:
        o.stop()
        receiver.server.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)  # a run leaves gigabytes of store behind


if __name__ == "__main__":
    main()
