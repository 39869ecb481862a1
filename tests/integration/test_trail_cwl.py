"""Trails that send their records to CloudWatch Logs (CloudWatchLogsLogGroupArn and
CloudWatchLogsRoleArn), with boto3 and the AWS CLI:

- CreateTrail / UpdateTrail refuse, with AWS's errors, a group without a role, a
  malformed group ARN, a group in another account or region, a group that does not
  exist, a role of another account, and a role CloudTrail cannot use (one whose trust
  policy does not name cloudtrail.amazonaws.com, one that does not allow
  logs:PutLogEvents); GetTrail shows what was accepted;
- the organization trail streams every member's records, in seconds, into the
  management account's group, in the streams CloudTrail names
  (o-ORGID_ACCOUNT_CloudTrail_REGION for a member, ACCOUNT_CloudTrail_REGION for the
  management account itself); FilterLogEvents finds them; GetTrailStatus reports
  LatestCloudWatchLogsDeliveryTime;
- a role that stops allowing PutLogEvents gets nothing written and the status says so;
- kill -9 while records stream, of a trail and of the organization trail (a member's
  calls): every acknowledged call's record is in the group once."""
import json
import threading
import time
import unittest

from tests.integration.harness import OrgtrailServer, ServerTestCase
from tests.integration.test_cloudtrail import MGMT, policy_for
from tests.integration.test_delivery import solo_policy

CT = "cloudtrail.amazonaws.com"
REGION = "us-east-1"
GROUP = "aws-cloudtrail-logs-org"

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": CT}, "Action": "sts:AssumeRole"}]})


def role_policy(group, org_id, account=MGMT, region=REGION):
    """The seed's role policy: CloudTrail's default for the trail's own stream, and the
    organization's streams (the AWS CloudTrail User Guide's example)."""
    base = "arn:aws:logs:%s:%s:log-group:%s:log-stream:" % (region, account, group)
    res = [base + "%s_CloudTrail_%s*" % (account, region), base + "%s_*" % org_id]
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "AWSCloudTrailCreateLogStream", "Effect": "Allow",
         "Action": ["logs:CreateLogStream"], "Resource": res},
        {"Sid": "AWSCloudTrailPutLogEvents", "Effect": "Allow",
         "Action": ["logs:PutLogEvents"], "Resource": res}]})


def group_arn(group=GROUP, account=MGMT, region=REGION):
    return "arn:aws:logs:%s:%s:log-group:%s:*" % (region, account, group)


def wait_for(fn, timeout=20, what="condition"):
    deadline = time.time() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.time() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.1)


class TrailCloudWatchLogsTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        org = srv.client("organizations")
        org.create_organization(FeatureSet="ALL")
        cls.org_id = org.describe_organization()["Organization"]["Id"]
        cls.log_archive = srv.create_account("log-archive")
        cls.member = srv.create_account("workload")
        org.enable_aws_service_access(ServicePrincipal=CT)
        cls.bucket = "org-trail-logs-%s" % cls.log_archive
        la = srv.client("s3", srv.member_admin(cls.log_archive))
        la.create_bucket(Bucket=cls.bucket)
        la.put_bucket_policy(Bucket=cls.bucket,
                             Policy=policy_for(cls.bucket, cls.org_id, ["org-trail", "bad"]))
        cls.logs = srv.client("logs")
        cls.logs.create_log_group(logGroupName=GROUP)
        cls.iam.create_role(RoleName="CloudTrail_CloudWatchLogs_Role", AssumeRolePolicyDocument=TRUST)
        cls.iam.put_role_policy(RoleName="CloudTrail_CloudWatchLogs_Role", PolicyName="cwl",
                                PolicyDocument=role_policy(GROUP, cls.org_id))
        cls.role = "arn:aws:iam::%s:role/CloudTrail_CloudWatchLogs_Role" % MGMT
        cls.ct = srv.client("cloudtrail")

    def create(self, **kw):
        return self.ct.create_trail(Name="bad", S3BucketName=self.bucket, IsOrganizationTrail=True,
                                    IsMultiRegionTrail=True, **kw)

    def test_1_refusals(self):
        self.fails(self.create, "InvalidCloudWatchLogsRoleArnException", 400,
                   CloudWatchLogsLogGroupArn=group_arn())
        self.fails(self.create, "InvalidCloudWatchLogsLogGroupArnException", 400,
                   CloudWatchLogsLogGroupArn="arn:aws:logs:us-east-1:%s:nothing" % MGMT,
                   CloudWatchLogsRoleArn=self.role)
        self.fails(self.create, "InvalidCloudWatchLogsLogGroupArnException", 400,
                   CloudWatchLogsLogGroupArn=group_arn(account=self.member),
                   CloudWatchLogsRoleArn=self.role)
        self.fails(self.create, "InvalidCloudWatchLogsLogGroupArnException", 400,
                   CloudWatchLogsLogGroupArn=group_arn(region="eu-west-1"),
                   CloudWatchLogsRoleArn=self.role)
        self.fails(self.create, "InvalidCloudWatchLogsLogGroupArnException", 400,
                   CloudWatchLogsLogGroupArn=group_arn("no-such-group"),
                   CloudWatchLogsRoleArn=self.role)
        self.fails(self.create, "InvalidCloudWatchLogsRoleArnException", 400,
                   CloudWatchLogsLogGroupArn=group_arn(),
                   CloudWatchLogsRoleArn="arn:aws:iam::%s:role/x" % self.member)
        # A role CloudTrail may not assume, and one that may not write.
        self.iam.create_role(RoleName="NotForCloudTrail", AssumeRolePolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
                "Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
        self.iam.put_role_policy(RoleName="NotForCloudTrail", PolicyName="cwl",
                                 PolicyDocument=role_policy(GROUP, self.org_id))
        msg = self.fails(self.create, "InvalidCloudWatchLogsRoleArnException", 400,
                         CloudWatchLogsLogGroupArn=group_arn(),
                         CloudWatchLogsRoleArn="arn:aws:iam::%s:role/NotForCloudTrail" % MGMT)
        self.assertIn("Access denied. Verify in IAM that the role has adequate permissions", msg)
        self.iam.create_role(RoleName="MayNotWrite", AssumeRolePolicyDocument=TRUST)
        self.fails(self.create, "InvalidCloudWatchLogsRoleArnException", 400,
                   CloudWatchLogsLogGroupArn=group_arn(),
                   CloudWatchLogsRoleArn="arn:aws:iam::%s:role/MayNotWrite" % MGMT)
        self.assertEqual(self.ct.describe_trails(trailNameList=["bad"])["trailList"], [])

    def test_2_org_trail_streams_members(self):
        rc, out, err = self.srv.aws(
            "cloudtrail", "create-trail", "--name", "org-trail", "--s3-bucket-name", self.bucket,
            "--is-organization-trail", "--is-multi-region-trail",
            "--cloud-watch-logs-log-group-arn", group_arn(),
            "--cloud-watch-logs-role-arn", self.role)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out["CloudWatchLogsLogGroupArn"], group_arn())
        self.assertEqual(out["CloudWatchLogsRoleArn"], self.role)
        self.ct.start_logging(Name="org-trail")
        member_iam = self.srv.client("iam", self.srv.member_admin(self.member))
        marker = "cwl-marker-%d" % int(time.time())
        member_iam.create_user(UserName=marker)
        self.srv.client("iam").create_user(UserName=marker + "-mgmt")
        member_stream = "%s_%s_CloudTrail_%s" % (self.org_id, self.member, REGION)
        own_stream = "%s_CloudTrail_%s" % (MGMT, REGION)

        def found(stream, name):
            r = self.logs.filter_log_events(logGroupName=GROUP, logStreamNames=[stream],
                                            filterPattern='{ $.requestParameters.userName = "%s" }' % name)
            return r["events"]

        ev = wait_for(lambda: found(member_stream, marker), what="the member's record")
        rec = json.loads(ev[0]["message"])
        self.assertEqual(rec["eventName"], "CreateUser")
        self.assertEqual(rec["recipientAccountId"], self.member)
        self.assertEqual(len(ev), 1)
        wait_for(lambda: found(own_stream, marker + "-mgmt"), what="the management account's record")
        streams = {s["logStreamName"] for s in
                   self.logs.describe_log_streams(logGroupName=GROUP)["logStreams"]}
        self.assertIn(member_stream, streams)
        self.assertIn(own_stream, streams)
        st = self.ct.get_trail_status(Name="org-trail")
        self.assertIn("LatestCloudWatchLogsDeliveryTime", st)
        self.assertNotIn("LatestCloudWatchLogsDeliveryError", st)
        # The CLI's filter-log-events, as a user would look for it.
        rc, out, err = self.srv.aws("logs", "filter-log-events", "--log-group-name", GROUP,
                                    "--filter-pattern", '{ $.eventName = "CreateUser" }')
        self.assertEqual(rc, 0, err)
        self.assertGreaterEqual(len(out["events"]), 2)

    def test_3_role_that_stops_allowing(self):
        self.iam.put_role_policy(RoleName="CloudTrail_CloudWatchLogs_Role", PolicyName="cwl",
                                 PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
                                     {"Effect": "Deny", "Action": "logs:PutLogEvents", "Resource": "*"}]}))
        try:
            marker = "cwl-denied-%d" % int(time.time())
            self.srv.client("iam").create_user(UserName=marker)
            wait_for(lambda: self.ct.get_trail_status(Name="org-trail").get(
                "LatestCloudWatchLogsDeliveryError") == "AccessDeniedException",
                what="the status to show the refusal")
            r = self.logs.filter_log_events(logGroupName=GROUP, filterPattern='"%s"' % marker)
            self.assertEqual(r["events"], [])
        finally:
            self.iam.put_role_policy(RoleName="CloudTrail_CloudWatchLogs_Role", PolicyName="cwl",
                                     PolicyDocument=role_policy(GROUP, self.org_id))


def kill_while_calling(srv, credentials, group, prefix):
    """Calls CreateUser with credentials (None: the management admin's) until some are
    acknowledged, kills srv -9 meanwhile, restarts it on the same data and asserts that
    every acknowledged call's record reaches the group, in streams named with prefix,
    exactly once."""
    acked, stop = [], threading.Event()

    def caller():
        iam = srv.client("iam", credentials) if credentials else srv.client("iam")
        i = 0
        while not stop.is_set():
            name = "%sk%05d" % (prefix[:8], i)
            try:
                iam.create_user(UserName=name)
                acked.append(name)
            except Exception:
                pass
            i += 1

    th = threading.Thread(target=caller)
    th.start()
    wait_for(lambda: len(acked) >= 30, what="some calls")
    srv.kill()
    stop.set()
    th.join()
    srv._spawn()  # the same data directory, after the kill
    logs = srv.client("logs")

    def names():
        out = []
        for page in logs.get_paginator("filter_log_events").paginate(
                logGroupName=group, logStreamNamePrefix=prefix,
                filterPattern='{ $.eventName = "CreateUser" }'):
            out += [json.loads(e["message"])["requestParameters"]["userName"]
                    for e in page["events"]]
        return out

    got = wait_for(lambda: (lambda n: n if set(acked) <= set(n) else None)(names()),
                   timeout=30, what="every acknowledged record")
    return acked, got


class StreamingKillTest(unittest.TestCase):
    """kill -9 while calls stream: each acknowledged call's record is in the group once."""

    def test_kill_during_streaming(self):
        srv = OrgtrailServer().start()
        try:
            iam = srv.client("iam")
            s3 = srv.client("s3")
            bucket = "solo-logs"
            s3.create_bucket(Bucket=bucket)
            s3.put_bucket_policy(Bucket=bucket, Policy=solo_policy(bucket, ["solo"]))
            srv.client("logs").create_log_group(logGroupName="solo")
            iam.create_role(RoleName="cwl", AssumeRolePolicyDocument=TRUST)
            iam.put_role_policy(RoleName="cwl", PolicyName="cwl",
                                PolicyDocument=role_policy("solo", "o-none"))
            ct = srv.client("cloudtrail")
            ct.create_trail(Name="solo", S3BucketName=bucket,
                            CloudWatchLogsLogGroupArn=group_arn("solo"),
                            CloudWatchLogsRoleArn="arn:aws:iam::%s:role/cwl" % MGMT)
            ct.start_logging(Name="solo")
            acked, got = kill_while_calling(srv, None, "solo", "%s_CloudTrail_" % MGMT)
            self.assertEqual(len(got), len(set(got)), "a record was streamed twice")
        finally:
            srv.close()

    def test_kill_during_org_trail_streaming(self):
        """The organization trail: a member's calls, in the member's stream of the
        management account's group."""
        srv = OrgtrailServer().start()
        try:
            org = srv.client("organizations")
            org.create_organization(FeatureSet="ALL")
            org_id = org.describe_organization()["Organization"]["Id"]
            member = srv.create_account("workload")
            org.enable_aws_service_access(ServicePrincipal=CT)
            bucket = "org-kill-logs"
            s3 = srv.client("s3")
            s3.create_bucket(Bucket=bucket)
            s3.put_bucket_policy(Bucket=bucket, Policy=policy_for(bucket, org_id, ["org-trail"]))
            srv.client("logs").create_log_group(logGroupName=GROUP)
            iam = srv.client("iam")
            iam.create_role(RoleName="cwl", AssumeRolePolicyDocument=TRUST)
            iam.put_role_policy(RoleName="cwl", PolicyName="cwl",
                                PolicyDocument=role_policy(GROUP, org_id))
            ct = srv.client("cloudtrail")
            ct.create_trail(Name="org-trail", S3BucketName=bucket, IsOrganizationTrail=True,
                            IsMultiRegionTrail=True, CloudWatchLogsLogGroupArn=group_arn(),
                            CloudWatchLogsRoleArn="arn:aws:iam::%s:role/cwl" % MGMT)
            ct.start_logging(Name="org-trail")
            acked, got = kill_while_calling(srv, srv.member_admin(member), GROUP,
                                            "%s_%s_CloudTrail_" % (org_id, member))
            self.assertEqual(len(got), len(set(got)), "a record was streamed twice")
        finally:
            srv.close()


if __name__ == "__main__":
    unittest.main()
