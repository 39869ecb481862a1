"""Trails with an SNS topic (SnsTopicName), with boto3 and the AWS CLI: CreateTrail and
UpdateTrail refuse a topic that does not exist or whose policy does not let
cloudtrail.amazonaws.com publish for the trail (InsufficientSnsTopicPolicyException, 403,
as the model says); with the policy CloudTrail's documentation gives (aws:SourceArn of the
trail), every log file the trail delivers is announced on the topic with CloudTrail's
message ({"s3Bucket": ..., "s3ObjectKey": [key]}), signed by SNS, naming a file that is in
the bucket; GetTrail reports SnsTopicName and SnsTopicARN."""
import json
import time
import unittest
import urllib.request

from tests.integration.harness import OrgtrailServer, ServerTestCase
from tests.integration.test_cloudtrail import MGMT, trail_arn
from tests.integration.test_delivery import solo_policy
from tests.integration.test_sns import Receiver, verify

REGION = "us-east-1"


def topic_policy(topic, trail):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "AWSCloudTrailSNSPolicy", "Effect": "Allow",
         "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "SNS:Publish",
         "Resource": topic, "Condition": {"StringEquals": {"aws:SourceArn": trail}}}]})


class TrailSnsTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = OrgtrailServer(extra_args=["--delivery-interval", "1", "--sns-delay-scale", "0.01"]).start()
        cls.iam = cls.srv.client("iam")
        cls.rx = Receiver()

    @classmethod
    def tearDownClass(cls):
        cls.rx.close()
        cls.srv.close()

    def test_announces_each_log_file(self):
        s3, sns, ct = self.srv.client("s3"), self.srv.client("sns"), self.srv.client("cloudtrail")
        bucket = "announced-logs"
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_policy(Bucket=bucket, Policy=solo_policy(bucket, ["announced"]))
        topic = sns.create_topic(Name="trail-files")["TopicArn"]
        sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=self.rx.url)
        urllib.request.urlopen(self.rx.wait(1)[0][1]["SubscribeURL"], timeout=10).read()
        # The default topic policy does not let CloudTrail publish: refused, nothing made.
        msg = self.fails(ct.create_trail, "InsufficientSnsTopicPolicyException", 403,
                         Name="announced", S3BucketName=bucket, SnsTopicName="trail-files")
        self.assertIn("cloudtrail.amazonaws.com", msg)
        self.fails(ct.create_trail, "InsufficientSnsTopicPolicyException", 403,
                   Name="announced", S3BucketName=bucket, SnsTopicName="no-such-topic")
        self.assertEqual(ct.describe_trails(trailNameList=["announced"])["trailList"], [])
        # A policy for another trail is not enough either.
        sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy",
                                 AttributeValue=topic_policy(topic, trail_arn("other")))
        self.fails(ct.create_trail, "InsufficientSnsTopicPolicyException", 403,
                   Name="announced", S3BucketName=bucket, SnsTopicName="trail-files")
        sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy",
                                 AttributeValue=topic_policy(topic, trail_arn("announced")))
        rc, out, err = self.srv.aws("cloudtrail", "create-trail", "--name", "announced",
                                    "--s3-bucket-name", bucket, "--sns-topic-name", "trail-files")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out["SnsTopicName"], "trail-files")
        self.assertEqual(out["SnsTopicARN"], topic)
        ct.start_logging(Name="announced")
        self.iam.create_user(UserName="announced-user")
        note = None
        deadline = time.time() + 30
        while note is None and time.time() < deadline:
            for headers, m, status, t in self.rx.messages:
                if m["Type"] == "Notification" and m["TopicArn"] == topic:
                    note = m
            time.sleep(0.1)
        self.assertIsNotNone(note, "no log file was announced")
        verify(self, note)
        body = json.loads(note["Message"])
        self.assertEqual(set(body), {"s3Bucket", "s3ObjectKey"})
        self.assertEqual(body["s3Bucket"], bucket)
        self.assertEqual(len(body["s3ObjectKey"]), 1)
        key = body["s3ObjectKey"][0]
        self.assertRegex(key, r"^AWSLogs/%s/CloudTrail/%s/\d{4}/\d{2}/\d{2}/%s_CloudTrail_%s_.*\.json\.gz$"
                         % (MGMT, REGION, MGMT, REGION))
        s3.head_object(Bucket=bucket, Key=key)
        got = ct.get_trail(Name="announced")["Trail"]
        self.assertEqual(got["SnsTopicARN"], topic)
        # UpdateTrail checks the topic the same way, and "" removes it.
        self.fails(ct.update_trail, "InsufficientSnsTopicPolicyException", 403,
                   Name="announced", SnsTopicName="no-such-topic")
        ct.update_trail(Name="announced", SnsTopicName="")
        self.assertNotIn("SnsTopicARN", ct.get_trail(Name="announced")["Trail"])


if __name__ == "__main__":
    unittest.main()
