"""CloudWatch Logs, first slice, with boto3 and the AWS CLI: log groups and log streams
per account and region (create, describe with prefix and paging, delete), AWS's errors,
the ARNs in the answers, and authorization on the log group's ARN."""
import json
import unittest

from tests.integration.harness import Creds, ServerTestCase

ACCOUNT = "111111111111"
REGION = "us-east-1"


class LogGroupsTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.logs = cls.srv.client("logs")

    def test_groups_and_streams(self):
        self.logs.create_log_group(logGroupName="CloudTrail/org-trail")
        msg = self.fails(self.logs.create_log_group, "ResourceAlreadyExistsException", 400,
                         logGroupName="CloudTrail/org-trail")
        self.assertEqual(msg, "The specified log group already exists")
        groups = self.logs.describe_log_groups(logGroupNamePrefix="CloudTrail/")["logGroups"]
        self.assertEqual(len(groups), 1)
        g = groups[0]
        self.assertEqual(g["logGroupName"], "CloudTrail/org-trail")
        arn = "arn:aws:logs:%s:%s:log-group:CloudTrail/org-trail" % (REGION, ACCOUNT)
        self.assertEqual(g["arn"], arn + ":*")
        self.assertEqual(g["logGroupArn"], arn)
        self.assertIsInstance(g["creationTime"], int)
        # Groups are regional.
        other = self.srv.client("logs", region="eu-west-1")
        self.assertEqual(other.describe_log_groups()["logGroups"], [])

        stream = "%s_CloudTrail_%s" % (ACCOUNT, REGION)
        self.logs.create_log_stream(logGroupName="CloudTrail/org-trail", logStreamName=stream)
        self.fails(self.logs.create_log_stream, "ResourceAlreadyExistsException", 400,
                   logGroupName="CloudTrail/org-trail", logStreamName=stream)
        self.fails(self.logs.create_log_stream, "ResourceNotFoundException", 400,
                   logGroupName="missing", logStreamName=stream)
        rc, out, err = self.srv.aws("logs", "describe-log-streams", "--log-group-name",
                                    "CloudTrail/org-trail")
        self.assertEqual(rc, 0, err)
        self.assertEqual([s["logStreamName"] for s in out["logStreams"]], [stream])
        self.assertEqual(out["logStreams"][0]["arn"], "%s:log-stream:%s" % (arn, stream))
        self.logs.delete_log_stream(logGroupName="CloudTrail/org-trail", logStreamName=stream)
        self.fails(self.logs.delete_log_stream, "ResourceNotFoundException", 400,
                   logGroupName="CloudTrail/org-trail", logStreamName=stream)
        self.logs.delete_log_group(logGroupName="CloudTrail/org-trail")
        msg = self.fails(self.logs.delete_log_group, "ResourceNotFoundException", 400,
                         logGroupName="CloudTrail/org-trail")
        self.assertEqual(msg, "The specified log group does not exist.")

    def test_paging(self):
        for i in range(5):
            self.logs.create_log_group(logGroupName="page/%d" % i)
        first = self.logs.describe_log_groups(logGroupNamePrefix="page/", limit=2)
        self.assertEqual([g["logGroupName"] for g in first["logGroups"]], ["page/0", "page/1"])
        names = [g["logGroupName"] for p in self.logs.get_paginator("describe_log_groups")
                 .paginate(logGroupNamePrefix="page/", PaginationConfig={"PageSize": 2})
                 for g in p["logGroups"]]
        self.assertEqual(names, ["page/%d" % i for i in range(5)])

    def test_authorized_on_the_group_arn(self):
        iam = self.iam
        iam.create_user(UserName="logs-reader")
        iam.put_user_policy(UserName="logs-reader", PolicyName="p", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "logs:CreateLogGroup",
                 "Resource": "arn:aws:logs:*:%s:log-group:team-*" % ACCOUNT}]}))
        k = iam.create_access_key(UserName="logs-reader")["AccessKey"]
        logs = self.srv.client("logs", Creds(k["AccessKeyId"], k["SecretAccessKey"], None,
                                             ACCOUNT))
        logs.create_log_group(logGroupName="team-a")
        msg = self.fails(logs.create_log_group, "AccessDeniedException", 400,
                         logGroupName="other")
        self.assertIn("logs:CreateLogGroup on resource: arn:aws:logs:%s:%s:log-group:other"
                      % (REGION, ACCOUNT), msg)


if __name__ == "__main__":
    unittest.main()
