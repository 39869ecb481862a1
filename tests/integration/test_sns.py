"""Amazon SNS with boto3 and the AWS CLI: topics (names, idempotent CreateTopic, the
attributes and the default topic policy, paging, tags), http subscriptions with both
confirmation handshakes (the SubscribeURL a local receiver GETs, and ConfirmSubscription
with the token), Publish delivered with SNS's headers and a signature that verifies against
the certificate fetched from SigningCertURL (SignatureVersion 1 and 2), retries when the
receiver answers 500 and then 200, a delivery pending across a kill -9 of the server that
arrives after the restart, cross-account Publish refused and then allowed by a topic policy
(and still refused where the caller's own identity policies do not allow it), and every
refusal with SNS's error code.

The receiver is python's http.server in a thread. Retry delays are scaled down with the
server option --sns-delay-scale (SNS's 20 s become 200 ms at 0.01)."""
import base64
import http.server
import json
import os
import socket
import sqlite3
import threading
import time
import unittest
import urllib.request

import botocore.exceptions

from tests.integration.harness import OrgtrailServer, ServerTestCase, free_port

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
except ImportError:  # pragma: no cover - the openssl command does the same below
    x509 = None


class Receiver:
    """An http endpoint that records every POST and answers with the next status of
    `statuses` (200 once they are used up)."""

    def __init__(self, port=0):
        self.messages = []
        self.statuses = []
        self.cond = threading.Condition()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.cond:
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    receiver.messages.append((dict(self.headers), json.loads(body), status,
                                              time.time()))
                    receiver.cond.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.httpd.server_address[1]
        self.url = "http://127.0.0.1:%d/sns" % self.port
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def wait(self, n, timeout=20):
        """The first n messages, once they have arrived."""
        deadline = time.time() + timeout
        with self.cond:
            while len(self.messages) < n:
                left = deadline - time.time()
                if left <= 0:
                    raise AssertionError("%d of %d SNS messages arrived: %s"
                                         % (len(self.messages), n, self.messages))
                self.cond.wait(left)
            return list(self.messages[:n])

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def string_to_sign(m):
    if m["Type"] == "Notification":
        names = ["Message", "MessageId"] + (["Subject"] if "Subject" in m else []) + \
            ["Timestamp", "TopicArn", "Type"]
    else:
        names = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
    return "".join("%s\n%s\n" % (n, m[n]) for n in names).encode()


def verify(test, m):
    """Checks m's signature against the certificate at its SigningCertURL."""
    pem = urllib.request.urlopen(m["SigningCertURL"], timeout=10).read()
    sig = base64.b64decode(m["Signature"])
    sha = hashes.SHA256() if m["SignatureVersion"] == "2" else hashes.SHA1()
    if x509 is not None:
        cert = x509.load_pem_x509_certificate(pem)
        cert.public_key().verify(sig, string_to_sign(m), padding.PKCS1v15(), sha)
    else:  # pragma: no cover
        import subprocess
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            for name, data in (("c.pem", pem), ("s", sig), ("m", string_to_sign(m))):
                with open(os.path.join(d, name), "wb") as f:
                    f.write(data)
            pub = subprocess.run(["openssl", "x509", "-in", os.path.join(d, "c.pem"), "-pubkey",
                                  "-noout"], capture_output=True, check=True).stdout
            with open(os.path.join(d, "p.pem"), "wb") as f:
                f.write(pub)
            alg = "-sha256" if m["SignatureVersion"] == "2" else "-sha1"
            subprocess.run(["openssl", "dgst", alg, "-verify", os.path.join(d, "p.pem"),
                            "-signature", os.path.join(d, "s"), os.path.join(d, "m")],
                           check=True, capture_output=True)
    test.assertTrue(m["SigningCertURL"].startswith("http://127.0.0.1:"))


class SnsTestCase(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = OrgtrailServer(extra_args=["--sns-delay-scale", "0.01"]).start()
        cls.iam = cls.srv.client("iam")
        cls.sns = cls.srv.client("sns")
        cls.rx = Receiver()

    @classmethod
    def tearDownClass(cls):
        cls.rx.close()
        cls.srv.close()

    def subscribed(self, name, rx=None, signature_version=None):
        """A topic with a confirmed http subscription of rx (through its SubscribeURL)."""
        rx = rx or self.rx
        arn = self.sns.create_topic(Name=name)["TopicArn"]
        if signature_version:
            self.sns.set_topic_attributes(TopicArn=arn, AttributeName="SignatureVersion",
                                          AttributeValue=signature_version)
        seen = len(rx.messages)
        self.sns.subscribe(TopicArn=arn, Protocol="http", Endpoint=rx.url)
        confirmation = rx.wait(seen + 1)[seen][1]
        self.assertEqual(confirmation["Type"], "SubscriptionConfirmation")
        urllib.request.urlopen(confirmation["SubscribeURL"], timeout=10).read()
        return arn


class Topics(SnsTestCase):
    def test_create_is_idempotent_and_checks_attributes(self):
        arn = self.sns.create_topic(Name="idem", Attributes={"DisplayName": "Idem"},
                                    Tags=[{"Key": "team", "Value": "sec"}])["TopicArn"]
        self.assertEqual(arn, "arn:aws:sns:us-east-1:111111111111:idem")
        self.assertEqual(self.sns.create_topic(Name="idem")["TopicArn"], arn)
        self.assertEqual(self.sns.create_topic(Name="idem", Attributes={"DisplayName": "Idem"},
                                               Tags=[{"Key": "team", "Value": "sec"}])
                         ["TopicArn"], arn)
        msg = self.fails(self.sns.create_topic, "InvalidParameter", 400, Name="idem",
                         Attributes={"DisplayName": "Other"})
        self.assertIn("different attributes", msg)
        self.fails(self.sns.create_topic, "InvalidParameter", 400, Name="idem",
                   Tags=[{"Key": "team", "Value": "ops"}])

    def test_names(self):
        for bad in ("has space", "x" * 257, "dot.name", "t.fifo"):
            self.fails(self.sns.create_topic, "InvalidParameter", 400, Name=bad)
        self.sns.create_topic(Name="A-z_09")
        self.sns.create_topic(Name="y" * 256)

    def test_attributes_and_default_policy(self):
        arn = self.sns.create_topic(Name="attrs")["TopicArn"]
        a = self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        self.assertEqual(a["Owner"], "111111111111")
        self.assertEqual(a["TopicArn"], arn)
        self.assertEqual(a["DisplayName"], "")
        self.assertEqual(a["SignatureVersion"], "1")
        self.assertEqual((a["SubscriptionsConfirmed"], a["SubscriptionsPending"],
                          a["SubscriptionsDeleted"]), ("0", "0", "0"))
        policy = json.loads(a["Policy"])
        self.assertEqual(policy["Id"], "__default_policy_ID")
        st = policy["Statement"][0]
        self.assertEqual(st["Principal"], {"AWS": "*"})
        self.assertIn("SNS:Publish", st["Action"])
        self.assertEqual(st["Resource"], arn)
        self.assertEqual(st["Condition"], {"StringEquals": {"AWS:SourceOwner": "111111111111"}})
        eff = json.loads(a["EffectiveDeliveryPolicy"])["http"]["defaultHealthyRetryPolicy"]
        self.assertEqual(eff, {"minDelayTarget": 20, "maxDelayTarget": 20, "numRetries": 3,
                               "numMaxDelayRetries": 0, "numNoDelayRetries": 0,
                               "numMinDelayRetries": 0, "backoffFunction": "linear"})
        self.sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName",
                                      AttributeValue="Shown")
        dp = {"http": {"defaultHealthyRetryPolicy": {"minDelayTarget": 5, "maxDelayTarget": 10,
                                                     "numRetries": 4,
                                                     "backoffFunction": "exponential"}}}
        self.sns.set_topic_attributes(TopicArn=arn, AttributeName="DeliveryPolicy",
                                      AttributeValue=json.dumps(dp))
        self.sns.set_topic_attributes(TopicArn=arn, AttributeName="SignatureVersion",
                                      AttributeValue="2")
        a = self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        self.assertEqual(a["DisplayName"], "Shown")
        self.assertEqual(a["SignatureVersion"], "2")
        eff = json.loads(a["EffectiveDeliveryPolicy"])["http"]["defaultHealthyRetryPolicy"]
        self.assertEqual((eff["minDelayTarget"], eff["numRetries"], eff["backoffFunction"]),
                         (5, 4, "exponential"))
        for name, value in (("SignatureVersion", "3"), ("NoSuchAttribute", "x"),
                            ("Policy", "{not json"),
                            ("DeliveryPolicy", json.dumps({"http": {"defaultHealthyRetryPolicy":
                                                                    {"minDelayTarget": 0}}})),
                            ("DeliveryPolicy", json.dumps({"http": {"defaultHealthyRetryPolicy":
                                                                    {"numRetries": 101}}}))):
            self.fails(self.sns.set_topic_attributes, "InvalidParameter", 400, TopicArn=arn,
                       AttributeName=name, AttributeValue=value)

    def test_not_found(self):
        missing = "arn:aws:sns:us-east-1:111111111111:missing"
        self.fails(self.sns.get_topic_attributes, "NotFound", 404, TopicArn=missing)
        self.fails(self.sns.publish, "NotFound", 404, TopicArn=missing, Message="m")
        self.fails(self.sns.subscribe, "NotFound", 404, TopicArn=missing, Protocol="http",
                   Endpoint=self.rx.url)
        self.fails(self.sns.list_tags_for_resource, "ResourceNotFound", 404, ResourceArn=missing)
        other_region = self.srv.client("sns", region="eu-west-1")
        arn = self.sns.create_topic(Name="regional")["TopicArn"]
        self.fails(other_region.get_topic_attributes, "NotFound", 404, TopicArn=arn)
        self.sns.delete_topic(TopicArn=missing)  # as on AWS: not an error

    def test_list_topics_pages_by_100(self):
        sns = self.srv.client("sns", region="us-west-2")
        made = sorted(sns.create_topic(Name="p%03d" % i)["TopicArn"] for i in range(105))
        first = sns.list_topics()
        self.assertEqual(len(first["Topics"]), 100)
        second = sns.list_topics(NextToken=first["NextToken"])
        self.assertNotIn("NextToken", second)
        self.assertEqual([t["TopicArn"] for t in first["Topics"] + second["Topics"]], made)

    def test_tags(self):
        arn = self.sns.create_topic(Name="tagged")["TopicArn"]
        self.sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "1"},
                                                     {"Key": "b", "Value": "2"}])
        self.sns.untag_resource(ResourceArn=arn, TagKeys=["a"])
        self.assertEqual(self.sns.list_tags_for_resource(ResourceArn=arn)["Tags"],
                         [{"Key": "b", "Value": "2"}])
        self.fails(self.sns.tag_resource, "TagLimitExceeded", 400, ResourceArn=arn,
                   Tags=[{"Key": "k%d" % i, "Value": "v"} for i in range(50)])

    def test_delete_topic_takes_its_subscriptions(self):
        arn = self.sns.create_topic(Name="doomed")["TopicArn"]
        self.sns.subscribe(TopicArn=arn, Protocol="http", Endpoint=self.rx.url + "/doomed")
        self.sns.delete_topic(TopicArn=arn)
        self.fails(self.sns.get_topic_attributes, "NotFound", 404, TopicArn=arn)
        subs = self.sns.list_subscriptions()["Subscriptions"]
        self.assertFalse([s for s in subs if s["TopicArn"] == arn])


class Subscriptions(SnsTestCase):
    def test_protocols_and_endpoints(self):
        arn = self.sns.create_topic(Name="protocols")["TopicArn"]
        for protocol, endpoint in (("email", "a@example.com"), ("sqs", "arn:aws:sqs:x"),
                                   ("lambda", "arn:aws:lambda:x"), ("gopher", "x"),
                                   ("http", "https://example.com/"), ("https", "http://x/"),
                                   ("http", "not a url")):
            self.fails(self.sns.subscribe, "InvalidParameter", 400, TopicArn=arn,
                       Protocol=protocol, Endpoint=endpoint)

    def test_confirm_through_subscribe_url(self):
        arn = self.sns.create_topic(Name="via-url")["TopicArn"]
        seen = len(self.rx.messages)
        r = self.sns.subscribe(TopicArn=arn, Protocol="http", Endpoint=self.rx.url)
        self.assertEqual(r["SubscriptionArn"], "pending confirmation")
        headers, m, _, _ = self.rx.wait(seen + 1)[seen]
        self.assertEqual(headers["x-amz-sns-message-type"], "SubscriptionConfirmation")
        self.assertEqual(headers["x-amz-sns-topic-arn"], arn)
        self.assertEqual(headers["x-amz-sns-message-id"], m["MessageId"])
        self.assertEqual(headers["Content-Type"], "text/plain; charset=UTF-8")
        self.assertEqual(list(m), ["Type", "MessageId", "Token", "TopicArn", "Message",
                                   "SubscribeURL", "Timestamp", "SignatureVersion", "Signature",
                                   "SigningCertURL"])
        verify(self, m)
        a = self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        self.assertEqual(a["SubscriptionsPending"], "1")
        self.assertEqual(self.sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"][0]
                         ["SubscriptionArn"], "PendingConfirmation")
        body = urllib.request.urlopen(m["SubscribeURL"], timeout=10).read().decode()
        self.assertIn("<SubscriptionArn>%s:" % arn, body)
        subs = self.sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
        self.assertEqual(subs[0]["Endpoint"], self.rx.url)
        self.assertTrue(subs[0]["SubscriptionArn"].startswith(arn + ":"))
        a = self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        self.assertEqual((a["SubscriptionsConfirmed"], a["SubscriptionsPending"]), ("1", "0"))
        # The confirmation is in the topic owner's trail, by an unknown caller.
        events = [e for e in self.srv.events("111111111111")
                  if e["eventSource"] == "sns.amazonaws.com"
                  and e["eventName"] == "ConfirmSubscription"
                  and (e.get("requestParameters") or {}).get("topicArn") == arn]
        self.assertEqual(len(events), 1, events)
        self.assertEqual(events[0]["responseElements"]["subscriptionArn"],
                         subs[0]["SubscriptionArn"])
        self.assertNotIn("token", events[0]["requestParameters"])
        # The same endpoint again is the same subscription.
        again = self.sns.subscribe(TopicArn=arn, Protocol="http", Endpoint=self.rx.url)
        self.assertEqual(again["SubscriptionArn"], subs[0]["SubscriptionArn"])

    def test_confirm_with_token_and_unsubscribe(self):
        arn = self.sns.create_topic(Name="via-token")["TopicArn"]
        seen = len(self.rx.messages)
        sub = self.sns.subscribe(TopicArn=arn, Protocol="http", Endpoint=self.rx.url,
                                 ReturnSubscriptionArn=True)["SubscriptionArn"]
        self.assertTrue(sub.startswith(arn + ":"))
        token = self.rx.wait(seen + 1)[seen][1]["Token"]
        self.fails(self.sns.confirm_subscription, "InvalidParameter", 400, TopicArn=arn,
                   Token="0" * 64)
        r = self.sns.confirm_subscription(TopicArn=arn, Token=token)
        self.assertEqual(r["SubscriptionArn"], sub)
        attrs = self.sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
        self.assertEqual((attrs["PendingConfirmation"], attrs["Protocol"], attrs["Endpoint"]),
                         ("false", "http", self.rx.url))
        self.assertIn(sub, [s["SubscriptionArn"]
                            for s in self.sns.list_subscriptions()["Subscriptions"]])
        self.sns.unsubscribe(SubscriptionArn=sub)
        self.fails(self.sns.unsubscribe, "NotFound", 404, SubscriptionArn=sub)
        self.fails(self.sns.get_subscription_attributes, "NotFound", 404, SubscriptionArn=sub)
        self.assertEqual(self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]
                         ["SubscriptionsDeleted"], "1")

    def test_unsubscribe_url(self):
        arn = self.subscribed("unsub-url")
        seen = len(self.rx.messages)
        self.sns.publish(TopicArn=arn, Message="last")
        m = self.rx.wait(seen + 1)[seen][1]
        urllib.request.urlopen(m["UnsubscribeURL"], timeout=10).read()
        self.assertEqual(self.sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"], [])

    def test_cli_handshake_and_publish(self):
        rc, out, err = self.srv.aws("sns", "create-topic", "--name", "cli-topic")
        self.assertEqual(rc, 0, err)
        arn = out["TopicArn"]
        seen = len(self.rx.messages)
        rc, out, err = self.srv.aws("sns", "subscribe", "--topic-arn", arn, "--protocol", "http",
                                    "--notification-endpoint", self.rx.url)
        self.assertEqual((rc, out.get("SubscriptionArn")), (0, "pending confirmation"), err)
        token = self.rx.wait(seen + 1)[seen][1]["Token"]
        rc, out, err = self.srv.aws("sns", "confirm-subscription", "--topic-arn", arn, "--token",
                                    token)
        self.assertEqual(rc, 0, err)
        self.assertTrue(out["SubscriptionArn"].startswith(arn + ":"))
        rc, out, err = self.srv.aws("sns", "publish", "--topic-arn", arn, "--message", "from cli",
                                    "--subject", "cli")
        self.assertEqual(rc, 0, err)
        m = self.rx.wait(seen + 2)[seen + 1][1]
        self.assertEqual((m["MessageId"], m["Message"], m["Subject"]),
                         (out["MessageId"], "from cli", "cli"))
        verify(self, m)
        rc, out, err = self.srv.aws("sns", "list-topics")
        self.assertIn(arn, [t["TopicArn"] for t in out["Topics"]])
        rc, out, err = self.srv.aws("sns", "get-topic-attributes", "--topic-arn", arn + "-none")
        self.assertNotEqual(rc, 0)
        self.assertIn("NotFound", err)
        rc, out, err = self.srv.aws("sns", "subscribe", "--topic-arn", arn, "--protocol", "email",
                                    "--notification-endpoint", "a@example.com")
        self.assertNotEqual(rc, 0)
        self.assertIn("InvalidParameter", err)


class Publishing(SnsTestCase):
    def test_notification_signed_v1_and_v2(self):
        for version in ("1", "2"):
            arn = self.subscribed("signed-v" + version, signature_version=version)
            seen = len(self.rx.messages)
            r = self.sns.publish(TopicArn=arn, Message="hello \u00e9 " + version,
                                 Subject="Greeting",
                                 MessageAttributes={"colour": {"DataType": "String",
                                                               "StringValue": "blue"},
                                                    "n": {"DataType": "Number",
                                                          "StringValue": "7"}})
            headers, m, _, _ = self.rx.wait(seen + 1)[seen]
            self.assertEqual(headers["x-amz-sns-message-type"], "Notification")
            self.assertEqual(headers["x-amz-sns-message-id"], r["MessageId"])
            self.assertTrue(headers["x-amz-sns-subscription-arn"].startswith(arn + ":"))
            self.assertEqual(list(m), ["Type", "MessageId", "TopicArn", "Subject", "Message",
                                       "Timestamp", "SignatureVersion", "Signature",
                                       "SigningCertURL", "UnsubscribeURL", "MessageAttributes"])
            self.assertEqual((m["MessageId"], m["TopicArn"], m["Message"], m["SignatureVersion"]),
                             (r["MessageId"], arn, "hello \u00e9 " + version, version))
            self.assertEqual(m["MessageAttributes"]["colour"], {"Type": "String",
                                                                "Value": "blue"})
            self.assertRegex(m["Timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            verify(self, m)
            # A message altered in transit does not verify.
            m["Message"] += "!"
            with self.assertRaises(Exception):
                verify(self, m)

    def test_without_subject_and_json_structure(self):
        arn = self.subscribed("plain")
        seen = len(self.rx.messages)
        self.sns.publish(TopicArn=arn, Message=json.dumps({"default": "d", "http": "for http"}),
                         MessageStructure="json")
        m = self.rx.wait(seen + 1)[seen][1]
        self.assertNotIn("Subject", m)
        self.assertEqual(m["Message"], "for http")
        verify(self, m)

    def test_content_type_from_the_delivery_policy(self):
        arn = self.subscribed("json-typed")
        dp = {"http": {"defaultRequestPolicy": {"headerContentType": "application/json"}}}
        self.sns.set_topic_attributes(TopicArn=arn, AttributeName="DeliveryPolicy",
                                      AttributeValue=json.dumps(dp))
        eff = json.loads(self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]
                         ["EffectiveDeliveryPolicy"])
        self.assertEqual(eff["http"]["defaultRequestPolicy"],
                         {"headerContentType": "application/json"})
        seen = len(self.rx.messages)
        self.sns.publish(TopicArn=arn, Message="typed")
        self.assertEqual(self.rx.wait(seen + 1)[seen][0]["Content-Type"], "application/json")
        bad = {"http": {"defaultRequestPolicy": {"headerContentType": "a\r\nX-Evil: 1"}}}
        self.fails(self.sns.set_topic_attributes, "InvalidParameter", 400, TopicArn=arn,
                   AttributeName="DeliveryPolicy", AttributeValue=json.dumps(bad))

    def test_publish_refusals(self):
        arn = self.sns.create_topic(Name="refusals")["TopicArn"]
        for kw in ({"Message": ""}, {"Message": "m", "Subject": "two\nlines"},
                   {"Message": "m", "Subject": "s" * 101},
                   {"Message": "x" * (256 * 1024 + 1)},
                   {"Message": "{}", "MessageStructure": "json"},
                   {"Message": "m", "MessageAttributes": {"a": {"DataType": "Blob",
                                                                "StringValue": "v"}}},
                   {"Message": "m", "MessageAttributes": {"a": {"DataType": "String"}}}):
            self.fails(self.sns.publish, "InvalidParameter", 400, TopicArn=arn, **kw)
        self.fails(self.sns.publish, "InvalidParameter", 400, PhoneNumber="+15555550100",
                   Message="m")

    def test_retries_after_500(self):
        arn = self.subscribed("retried")
        seen = len(self.rx.messages)
        self.rx.statuses[:] = [500, 503]
        r = self.sns.publish(TopicArn=arn, Message="again")
        got = self.rx.wait(seen + 3)[seen:]
        self.assertEqual([g[2] for g in got], [500, 503, 200])
        self.assertEqual({g[1]["MessageId"] for g in got}, {r["MessageId"]})
        self.assertEqual(len({g[1]["Signature"] for g in got}), 1)  # the same document
        # 20 s apart scaled by 0.01: about 200 ms (the thread ticks every 200 ms).
        gap = got[1][3] - got[0][3]
        self.assertGreaterEqual(gap, 0.19)
        self.assertLess(gap, 2.0)
        time.sleep(0.5)
        self.assertEqual(len(self.rx.messages), seen + 3)

    def test_discarded_after_the_policy_is_spent(self):
        arn = self.subscribed("spent")
        self.sns.set_topic_attributes(
            TopicArn=arn, AttributeName="DeliveryPolicy",
            AttributeValue=json.dumps({"http": {"defaultHealthyRetryPolicy": {
                "numRetries": 1, "minDelayTarget": 1, "maxDelayTarget": 1}}}))
        seen = len(self.rx.messages)
        self.rx.statuses[:] = [500, 500, 500]
        self.sns.publish(TopicArn=arn, Message="doomed")
        got = self.rx.wait(seen + 2)[seen:]
        self.assertEqual([g[2] for g in got], [500, 500])
        time.sleep(0.6)
        self.assertEqual(len(self.rx.messages), seen + 2)
        self.rx.statuses[:] = []


class CrossAccount(SnsTestCase):
    def test_publish_refused_then_allowed_by_topic_policy(self):
        self.srv.client("organizations").create_organization(FeatureSet="ALL")
        member = self.srv.create_account("sns-member")
        other = self.srv.client("sns", creds=self.srv.root_of(member))
        arn = self.subscribed("shared")
        msg = self.fails(other.publish, "AuthorizationError", 403, TopicArn=arn, Message="no")
        self.assertIn("SNS:Publish".lower(), msg.lower())
        self.fails(other.get_topic_attributes, "AuthorizationError", 403, TopicArn=arn)
        policy = json.loads(self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"])
        policy["Statement"].append({"Sid": "member", "Effect": "Allow",
                                    "Principal": {"AWS": "arn:aws:iam::%s:root" % member},
                                    "Action": "sns:Publish", "Resource": arn})
        self.sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy",
                                      AttributeValue=json.dumps(policy))
        seen = len(self.rx.messages)
        r = other.publish(TopicArn=arn, Message="from the member")
        m = self.rx.wait(seen + 1)[seen][1]
        self.assertEqual((m["MessageId"], m["Message"]), (r["MessageId"], "from the member"))
        # Only Publish: the policy grants nothing else.
        self.fails(other.get_topic_attributes, "AuthorizationError", 403, TopicArn=arn)
        # Subscribing needs sns:Subscribe; once granted, the member's subscription may be
        # removed by the topic's owner as well as by the member.
        policy["Statement"][-1]["Action"] = ["sns:Publish", "sns:Subscribe"]
        self.sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy",
                                      AttributeValue=json.dumps(policy))
        sub = other.subscribe(TopicArn=arn, Protocol="http", Endpoint=self.rx.url + "/member",
                              ReturnSubscriptionArn=True)["SubscriptionArn"]
        self.assertEqual(self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]
                         ["SubscriptionsPending"], "1")
        mine = other.list_subscriptions()["Subscriptions"]
        self.assertEqual([(s["Endpoint"], s["SubscriptionArn"], s["Owner"]) for s in mine],
                         [(self.rx.url + "/member", "PendingConfirmation", member)])
        self.sns.unsubscribe(SubscriptionArn=sub)
        self.fails(other.unsubscribe, "NotFound", 404, SubscriptionArn=sub)
        # Cross-account needs the caller's identity policies too: a user without any is
        # refused although the topic policy names its account.
        member_iam = self.srv.client("iam", creds=self.srv.root_of(member))
        member_iam.create_user(UserName="nobody")
        k = member_iam.create_access_key(UserName="nobody")["AccessKey"]
        from tests.integration.harness import Creds
        nobody = self.srv.client("sns", creds=Creds(k["AccessKeyId"], k["SecretAccessKey"],
                                                    None, member))
        self.fails(nobody.publish, "AuthorizationError", 403, TopicArn=arn, Message="no")
        member_iam.put_user_policy(UserName="nobody", PolicyName="pub", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sns:Publish",
                                                     "Resource": "*"}]}))
        time.sleep(0.1)
        nobody.publish(TopicArn=arn, Message="now allowed")

    def test_same_account_user_needs_identity_policy(self):
        arn = self.sns.create_topic(Name="own")["TopicArn"]
        self.iam.create_user(UserName="sns-user")
        k = self.iam.create_access_key(UserName="sns-user")["AccessKey"]
        from tests.integration.harness import Creds
        user = self.srv.client("sns", creds=Creds(k["AccessKeyId"], k["SecretAccessKey"]))
        self.fails(user.publish, "AuthorizationError", 403, TopicArn=arn, Message="m")
        self.fails(user.create_topic, "AuthorizationError", 403, Name="mine")


class Durability(unittest.TestCase):
    """A delivery pending when the server is killed (its receiver was down) arrives after
    the restart."""

    def test_pending_delivery_survives_kill_9(self):
        srv = OrgtrailServer(extra_args=["--sns-delay-scale", "0.1"]).start()
        rx = Receiver()
        try:
            sns = srv.client("sns")
            arn = sns.create_topic(Name="durable")["TopicArn"]
            sub = sns.subscribe(TopicArn=arn, Protocol="http", Endpoint=rx.url,
                                ReturnSubscriptionArn=True)["SubscriptionArn"]
            sns.confirm_subscription(TopicArn=arn, Token=rx.wait(1)[0][1]["Token"])
            port = rx.port
            rx.close()  # the receiver goes down
            r = sns.publish(TopicArn=arn, Message="survives")
            time.sleep(0.3)  # a first attempt fails; the retry waits 2 s
            srv.kill()
            db = sqlite3.connect(os.path.join(srv.data, "state.db"))
            rows = db.execute("SELECT message_id, subscription_arn FROM sns_outbox").fetchall()
            db.close()
            self.assertEqual(rows, [(r["MessageId"], sub)])
            rx = Receiver(port)
            srv._spawn()
            m = rx.wait(1, timeout=30)[0][1]
            self.assertEqual((m["MessageId"], m["Message"]), (r["MessageId"], "survives"))
        finally:
            rx.close()
            srv.close()


if __name__ == "__main__":
    unittest.main()
