"""The CIS AWS Foundations Benchmark monitoring controls 4.1 to 4.15, end to end, with the
AWS CLI exactly as the benchmark's remediation writes them:

    aws logs put-metric-filter --log-group-name <trail-log-group-name> --filter-name <m>
        --metric-transformations metricName=<m>,metricNamespace=CISBenchmark,metricValue=1
        --filter-pattern '<pattern>'
    aws cloudwatch put-metric-alarm --alarm-name <a> --metric-name <m> --statistic Sum
        --period 300 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold
        --evaluation-periods 1 --namespace CISBenchmark --alarm-actions <sns_topic_arn>
    aws sns create-topic / aws sns subscribe --protocol http

on the organization trail's log group in the management account. Each control's event
then happens in a member account — a real IAM call for 4.4, the other events (console
sign-ins, EC2, KMS, Config: services orgtrail does not serve) through the bulk ingestion
endpoint as the collector of the member's records — and its alarm sends a signed SNS
notification in AWS's alarm format to a local HTTP endpoint. The near-miss events of
every control (tests/data/filter/110-cis.json) go first and fire nothing: when the first
control's notification arrives every near miss before it has been evaluated (one
journal, one streamer, notifications in order), and none of them had sent one."""
import json
import os
import time
import unittest
import urllib.request
import uuid

import botocore.auth
import botocore.awsrequest
import botocore.credentials

from tests.integration.harness import OrgtrailServer, ServerTestCase
from tests.integration.test_cloudtrail import MGMT, policy_for
from tests.integration.test_sns import Receiver, verify
from tests.integration.test_trail_cwl import TRUST, group_arn, role_policy

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CT = "cloudtrail.amazonaws.com"
GROUP = "CloudTrail/DefaultLogGroup"


def load(path):
    with open(path) as f:
        return json.load(f)


class CisDetectionTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = OrgtrailServer(extra_args=["--sns-delay-scale", "0.01"]).start()
        srv = cls.srv
        cls.iam = srv.client("iam")
        org = srv.client("organizations")
        org.create_organization(FeatureSet="ALL")
        cls.org_id = org.describe_organization()["Organization"]["Id"]
        log_archive = srv.create_account("log-archive")
        cls.member = srv.create_account("workload")
        org.enable_aws_service_access(ServicePrincipal=CT)
        bucket = "org-trail-logs-%s" % log_archive
        la = srv.client("s3", srv.member_admin(log_archive))
        la.create_bucket(Bucket=bucket)
        la.put_bucket_policy(Bucket=bucket, Policy=policy_for(bucket, cls.org_id, ["org-trail"]))
        srv.client("logs").create_log_group(logGroupName=GROUP)
        cls.iam.create_role(RoleName="CloudTrail_CloudWatchLogs_Role", AssumeRolePolicyDocument=TRUST)
        cls.iam.put_role_policy(RoleName="CloudTrail_CloudWatchLogs_Role", PolicyName="cwl",
                                PolicyDocument=role_policy(GROUP, cls.org_id))
        ct = srv.client("cloudtrail")
        ct.create_trail(Name="org-trail", S3BucketName=bucket, IsOrganizationTrail=True,
                        IsMultiRegionTrail=True, CloudWatchLogsLogGroupArn=group_arn(GROUP),
                        CloudWatchLogsRoleArn="arn:aws:iam::%s:role/CloudTrail_CloudWatchLogs_Role" % MGMT)
        ct.start_logging(Name="org-trail")
        cls.rx = Receiver()
        # From here on as the admin user: the root user's own calls are what CIS 4.3
        # watches for, and would (rightly) fire it.
        cls.admin = srv.admin()

    @classmethod
    def tearDownClass(cls):
        cls.rx.close()
        cls.srv.close()

    def cli(self, *args):
        rc, out, err = self.srv.aws(*args, creds=self.admin)
        self.assertEqual(rc, 0, (args, err))
        return out

    def ingest(self, records):
        body = "".join(json.dumps(r) + "\n" for r in records).encode()
        req = botocore.awsrequest.AWSRequest(method="POST", url=self.srv.endpoint + "/_orgtrail/ingest",
                                             data=body, headers={"Content-Type": "application/x-ndjson"})
        c = self.admin
        botocore.auth.SigV4Auth(botocore.credentials.Credentials(c.access_key, c.secret),
                                "cloudtrail-data", "us-east-1").add_auth(req)
        p = req.prepare()
        with urllib.request.urlopen(urllib.request.Request(p.url, data=p.body, headers=dict(p.headers),
                                                           method="POST")) as r:
            out = json.loads(r.read())
        self.assertEqual(out.get("rejected", 0), 0, out)

    def as_member(self, rec):
        r = json.loads(json.dumps(rec))
        r["recipientAccountId"] = self.member
        if isinstance(r.get("userIdentity"), dict) and "accountId" in r["userIdentity"]:
            r["userIdentity"]["accountId"] = self.member
        r["eventTime"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        r["eventID"] = str(uuid.uuid4())
        r.setdefault("eventVersion", "1.08")
        r.setdefault("awsRegion", "us-east-1")
        return r

    def matching(self, patterns, message):
        """The controls whose pattern matches message (through TestMetricFilter)."""
        logs = self.srv.client("logs", self.admin)
        return {cid for cid, p in patterns.items()
                if logs.test_metric_filter(filterPattern=p, logEventMessages=[message])["matches"]}

    def notifications(self):
        return [m for _, m, _, _ in self.rx.messages if m.get("Type") == "Notification"]

    def wait_alarm(self, alarm, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for m in self.notifications():
                if json.loads(m["Message"]).get("AlarmName") == alarm:
                    return m
            time.sleep(0.05)
        self.fail("no notification for %s" % alarm)

    def test_cis_controls(self):
        controls = load(os.path.join(ROOT, "tests", "integration", "fixtures", "cis_controls.json"))
        cases = load(os.path.join(ROOT, "tests", "data", "filter", "110-cis.json"))["events"]
        topic = self.cli("sns", "create-topic", "--name", "cis-alarms")["TopicArn"]
        self.cli("sns", "subscribe", "--topic-arn", topic, "--protocol", "http",
                 "--notification-endpoint", self.rx.url)
        confirm = self.rx.wait(1)[0][1]
        urllib.request.urlopen(confirm["SubscribeURL"], timeout=10).read()
        for c in controls["controls"]:
            self.cli("logs", "put-metric-filter", "--log-group-name", GROUP, "--filter-name", c["filter"],
                     "--metric-transformations",
                     "metricName=%s,metricNamespace=CISBenchmark,metricValue=1" % c["metric"],
                     "--filter-pattern", c["pattern"])
            self.cli("cloudwatch", "put-metric-alarm", "--alarm-name", c["alarm"], "--metric-name",
                     c["metric"], "--statistic", "Sum", "--period", "300", "--threshold", "1",
                     "--comparison-operator", "GreaterThanOrEqualToThreshold",
                     "--evaluation-periods", "1", "--namespace", "CISBenchmark",
                     "--alarm-actions", topic)
        patterns = {c["id"]: c["pattern"] for c in controls["controls"]}
        # Each control's events: the near misses that match no control, and one event that
        # matches its control and otherwise only controls before it (a failed console
        # sign-in is 4.6's and 4.2's), so that no alarm fires before its turn.
        ids = list(patterns)
        near, positive = [], {}
        for name, ev in sorted(cases.items()):
            cid = name.split("-")[1]
            msg = json.dumps(ev, separators=(",", ":"))
            hits = self.matching(patterns, msg)
            if "-near-" in name:
                if not hits:
                    near.append(ev)
            elif cid in hits and cid not in positive and hits <= set(ids[:ids.index(cid) + 1]):
                positive[cid] = ev
        self.assertEqual(sorted(positive, key=lambda k: int(k.split(".")[1])), list(patterns))
        self.assertGreaterEqual(len(near), 30)
        self.ingest([self.as_member(e) for e in near])
        order = [c for c in controls["controls"]]
        for i, c in enumerate(order):
            if c["id"] == "4.4":
                # A real call in the member account: CIS 4.4's PutUserPolicy.
                member_iam = self.srv.client("iam", self.srv.member_admin(self.member))
                member_iam.create_user(UserName="cis-probe")
                member_iam.put_user_policy(UserName="cis-probe", PolicyName="p", PolicyDocument=json.dumps(
                    {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}))
            else:
                self.ingest([self.as_member(positive[c["id"]])])
            note = self.wait_alarm(c["alarm"])
            # Every notification so far is for a control whose event has happened: no near
            # miss (all evaluated before the first of these) and no other control fired.
            fired = {json.loads(m["Message"])["AlarmName"] for m in self.notifications()}
            self.assertEqual(fired, {x["alarm"] for x in order[:i + 1]}, c["id"])
            verify(self, note)
            self.assertEqual(note["TopicArn"], topic)
            self.assertTrue(note["Subject"].startswith('ALARM: "%s" in ' % c["alarm"]), note["Subject"])
            m = json.loads(note["Message"])
            self.assertEqual(m["NewStateValue"], "ALARM")
            self.assertEqual(m["AWSAccountId"], MGMT)
            self.assertEqual(m["Trigger"]["MetricName"], c["metric"])
            self.assertEqual(m["Trigger"]["Namespace"], "CISBenchmark")
            self.assertEqual(m["Trigger"]["ComparisonOperator"], "GreaterThanOrEqualToThreshold")
        alarms = self.srv.client("cloudwatch", self.admin).describe_alarms(StateValue="ALARM")["MetricAlarms"]
        self.assertEqual(len(alarms), 15)


if __name__ == "__main__":
    unittest.main()
