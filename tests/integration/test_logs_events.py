"""CloudWatch Logs events with boto3 and the AWS CLI: PutLogEvents' rules (sizes, order,
span, the 14-day / 2-hour window and the retention, each refusal with AWS's code and
text), GetLogEvents' directions, time range and tokens (clients loop until the token
repeats), what DescribeLogStreams and DescribeLogGroups report of the events, retention
policies with real expiry (gone from reads at once, deleted from the store by the
server's sweep), tags of log groups (both APIs, AWS's limits), and durability: after a
kill -9 in the middle of a stream of PutLogEvents calls every acknowledged event is there,
once."""
import json
import os
import random
import sqlite3
import threading
import time
import unittest

import boto3
import botocore.config
import botocore.exceptions

from tests.integration.harness import NO_RETRY, Creds, OrgtrailServer, ServerTestCase

ACCOUNT = "111111111111"
REGION = "us-east-1"
DAY_MS = 86400000
RETENTION_SET = ("1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, "
                 "1827, 2192, 2557, 2922, 3288, 3653")


def now_ms():
    return int(time.time() * 1000)


def unchecked(srv):
    """A logs client that sends what it is given (botocore checks some minimums itself)."""
    c = srv.root
    return boto3.session.Session().client(
        "logs", endpoint_url=srv.endpoint, region_name=srv.region,
        aws_access_key_id=c.access_key, aws_secret_access_key=c.secret,
        config=NO_RETRY.merge(botocore.config.Config(parameter_validation=False)))


def read_stream(logs, group, stream, **kw):
    """Every event of the stream, oldest first, the way clients page: forward tokens until
    one comes back unchanged. Returns (events, number of calls)."""
    events, token, calls = [], None, 0
    while True:
        args = dict(logGroupName=group, logStreamName=stream, startFromHead=True, **kw)
        if token:
            args["nextToken"] = token
        r = logs.get_log_events(**args)
        calls += 1
        events += r["events"]
        if r["nextForwardToken"] == token:
            return events, calls
        token = r["nextForwardToken"]
        assert calls < 1000, "the tokens never repeat"


class LogEventsTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.logs = cls.srv.client("logs")
        cls.raw = unchecked(cls.srv)

    def stream(self, group, stream="s", **kw):
        self.logs.create_log_group(logGroupName=group, **kw)
        self.logs.create_log_stream(logGroupName=group, logStreamName=stream)

    def put(self, group, events, stream="s", **kw):
        return self.logs.put_log_events(logGroupName=group, logStreamName=stream,
                                        logEvents=events, **kw)

    def test_put_get_and_describe(self):
        self.stream("ev/basic")
        t = now_ms()
        r = self.put("ev/basic", [{"timestamp": t - 2000, "message": "one"},
                                  {"timestamp": t - 1000, "message": "twé"},
                                  {"timestamp": t - 1000, "message": "three"}],
                     sequenceToken="anything: AWS ignores it")
        self.assertRegex(r["nextSequenceToken"], r"^\d{56}$")
        self.assertNotIn("rejectedLogEventsInfo", r)
        got = self.logs.get_log_events(logGroupName="ev/basic", logStreamName="s",
                                       startFromHead=True)
        self.assertEqual([(e["timestamp"], e["message"]) for e in got["events"]],
                         [(t - 2000, "one"), (t - 1000, "twé"), (t - 1000, "three")])
        self.assertTrue(all(abs(e["ingestionTime"] - now_ms()) < 60000 for e in got["events"]))
        self.assertRegex(got["nextForwardToken"], r"^f/\d+$")
        self.assertRegex(got["nextBackwardToken"], r"^b/\d+$")
        # Latest first is the default direction; the page itself is still in order.
        latest = self.logs.get_log_events(logGroupName="ev/basic", logStreamName="s", limit=2)
        self.assertEqual([e["message"] for e in latest["events"]], ["twé", "three"])
        s = self.logs.describe_log_streams(logGroupName="ev/basic")["logStreams"][0]
        self.assertEqual(s["firstEventTimestamp"], t - 2000)
        self.assertEqual(s["lastEventTimestamp"], t - 1000)
        self.assertLess(abs(s["lastIngestionTime"] - now_ms()), 60000)
        self.assertEqual(s["storedBytes"], 0)  # AWS: always 0 for streams since 2019
        g = self.logs.describe_log_groups(logGroupNamePrefix="ev/basic")["logGroups"][0]
        self.assertEqual(g["storedBytes"], 3 + 4 + 5)  # UTF-8 bytes: "twé" is 4
        # A stream without events has none of the event figures.
        self.logs.create_log_stream(logGroupName="ev/basic", logStreamName="empty")
        e = self.logs.describe_log_streams(logGroupName="ev/basic",
                                           logStreamNamePrefix="empty")["logStreams"][0]
        self.assertNotIn("firstEventTimestamp", e)
        # Deleting the stream takes its bytes from the group.
        self.logs.delete_log_stream(logGroupName="ev/basic", logStreamName="s")
        g = self.logs.describe_log_groups(logGroupNamePrefix="ev/basic")["logGroups"][0]
        self.assertEqual(g["storedBytes"], 0)

    def test_put_refusals(self):
        self.stream("ev/rules")
        t = now_ms()
        one = [{"timestamp": t, "message": "x"}]
        msg = self.fails(self.logs.put_log_events, "ResourceNotFoundException", 400,
                         logGroupName="ev/none", logStreamName="s", logEvents=one)
        self.assertEqual(msg, "The specified log group does not exist.")
        msg = self.fails(self.logs.put_log_events, "ResourceNotFoundException", 400,
                         logGroupName="ev/rules", logStreamName="none", logEvents=one)
        self.assertEqual(msg, "The specified log stream does not exist.")
        msg = self.fails(self.logs.put_log_events, "InvalidParameterException", 400,
                         logGroupName="ev/rules", logStreamName="s",
                         logEvents=[{"timestamp": t, "message": "b"},
                                    {"timestamp": t - 1, "message": "a"}])
        self.assertEqual(msg, "Log events in a single PutLogEvents request must be in "
                              "chronological order.")
        msg = self.fails(self.logs.put_log_events, "InvalidParameterException", 400,
                         logGroupName="ev/rules", logStreamName="s",
                         logEvents=[{"timestamp": t - DAY_MS - 1, "message": "a"},
                                    {"timestamp": t, "message": "b"}])
        self.assertEqual(msg, "The batch of log events in a single PutLogEvents request "
                              "cannot span more than 24 hours.")
        # Exactly 24 hours is allowed.
        self.put("ev/rules", [{"timestamp": t - DAY_MS, "message": "a"},
                              {"timestamp": t, "message": "b"}])
        # 1 MB events (AWS since 2025): one event fills the batch limit with its 26 bytes.
        self.put("ev/rules", [{"timestamp": t, "message": "m" * (1048576 - 26)}])
        msg = self.fails(self.logs.put_log_events, "InvalidParameterException", 400,
                         logGroupName="ev/rules", logStreamName="s",
                         logEvents=[{"timestamp": t, "message": "m" * (1048576 - 25)}])
        self.assertEqual(msg, "Upload too large: 1048577 bytes exceeds limit of 1048576")
        msg = self.fails(self.logs.put_log_events, "InvalidParameterException", 400,
                         logGroupName="ev/rules", logStreamName="s",
                         logEvents=[{"timestamp": t, "message": "é" * 300000},
                                    {"timestamp": t, "message": "x" * 448551}])
        self.assertEqual(msg, "Upload too large: 1048603 bytes exceeds limit of 1048576")
        # 10,000 events is the most; the count is the model's rule.
        many = [{"timestamp": t, "message": "e"}] * 10000
        self.put("ev/rules", many)
        msg = self.fails(self.raw.put_log_events, "InvalidParameterException", 400,
                         logGroupName="ev/rules", logStreamName="s", logEvents=many + one)
        self.assertIn("at 'logEvents' failed to satisfy constraint: Member must have length "
                      "less than or equal to 10000", msg)
        msg = self.fails(self.raw.put_log_events, "InvalidParameterException", 400,
                         logGroupName="ev/rules", logStreamName="s", logEvents=[])
        self.assertIn("Member must have length greater than or equal to 1", msg)
        # Nothing of a refused batch was stored.
        events, _ = read_stream(self.logs, "ev/rules", "s")
        self.assertEqual(len(events), 2 + 1 + 10000)

    def test_rejected_events(self):
        self.stream("ev/window")
        t = now_ms()
        # The batch spans 15 days, but the 24-hour rule counts the events kept (an hour).
        r = self.put("ev/window", [{"timestamp": t - 15 * DAY_MS, "message": "ancient"},
                                   {"timestamp": t - 3600000, "message": "recent"},
                                   {"timestamp": t, "message": "now"},
                                   {"timestamp": t + 3 * 3600000, "message": "future"}])
        self.assertEqual(r["rejectedLogEventsInfo"],
                         {"tooOldLogEventEndIndex": 1, "tooNewLogEventStartIndex": 3})
        events, _ = read_stream(self.logs, "ev/window", "s")
        self.assertEqual([e["message"] for e in events], ["recent", "now"])
        # Exactly 14 days old and exactly 2 hours ahead are still in the window.
        r = self.put("ev/window", [{"timestamp": t - 14 * DAY_MS + 60000, "message": "edge"}])
        self.assertNotIn("rejectedLogEventsInfo", r)
        r = self.put("ev/window", [{"timestamp": now_ms() + 2 * 3600000 - 60000, "message": "soon"}])
        self.assertNotIn("rejectedLogEventsInfo", r)
        self.logs.put_retention_policy(logGroupName="ev/window", retentionInDays=1)
        r = self.put("ev/window", [{"timestamp": t - 10 * DAY_MS, "message": "expired"},
                                   {"timestamp": t - 2 * DAY_MS, "message": "expired too"},
                                   {"timestamp": t - 1000, "message": "kept"}])
        self.assertEqual(r["rejectedLogEventsInfo"],
                         {"tooOldLogEventEndIndex": 2, "expiredLogEventEndIndex": 2})
        events, _ = read_stream(self.logs, "ev/window", "s")
        # The new retention took "edge" (14 days old) with it.
        self.assertEqual([e["message"] for e in events], ["recent", "kept", "now", "soon"])

    def test_get_paging_and_range(self):
        self.stream("ev/page")
        t = now_ms() - 100000
        self.put("ev/page", [{"timestamp": t + i * 10, "message": "m%02d" % i}
                             for i in range(25)])
        events, calls = read_stream(self.logs, "ev/page", "s", limit=10)
        self.assertEqual([e["message"] for e in events], ["m%02d" % i for i in range(25)])
        self.assertEqual(calls, 4)  # 10, 10, 5, then the same token back
        # Backward from the end, the default: pages of the latest, each in order.
        pages, token = [], None
        while True:
            kw = {"nextToken": token} if token else {}
            r = self.logs.get_log_events(logGroupName="ev/page", logStreamName="s", limit=10,
                                         **kw)
            if r["nextBackwardToken"] == token:
                self.assertEqual(r["events"], [])
                break
            pages.append([e["message"] for e in r["events"]])
            token = r["nextBackwardToken"]
        self.assertEqual(pages, [["m%02d" % i for i in range(15, 25)],
                                 ["m%02d" % i for i in range(5, 15)],
                                 ["m%02d" % i for i in range(0, 5)]])
        # A forward token sees what is added after it.
        r = self.logs.get_log_events(logGroupName="ev/page", logStreamName="s",
                                     startFromHead=True)
        self.put("ev/page", [{"timestamp": t + 1000, "message": "later"}])
        r2 = self.logs.get_log_events(logGroupName="ev/page", logStreamName="s",
                                      nextToken=r["nextForwardToken"])
        self.assertEqual([e["message"] for e in r2["events"]], ["later"])
        # startTime inclusive, endTime exclusive.
        r = self.logs.get_log_events(logGroupName="ev/page", logStreamName="s",
                                     startFromHead=True, startTime=t + 20, endTime=t + 50)
        self.assertEqual([e["message"] for e in r["events"]], ["m02", "m03", "m04"])
        # The group by identifier: its name or its ARN (":*" is not in the model's pattern).
        arn = "arn:aws:logs:%s:%s:log-group:ev/page" % (REGION, ACCOUNT)
        for ident in ("ev/page", arn):
            r = self.logs.get_log_events(logGroupIdentifier=ident, logStreamName="s",
                                         startFromHead=True, limit=1)
            self.assertEqual([e["message"] for e in r["events"]], ["m00"], ident)
        self.fails(self.logs.get_log_events, "InvalidParameterException", 400,
                   logGroupIdentifier=arn + ":*", logStreamName="s")
        self.fails(self.logs.get_log_events, "ResourceNotFoundException", 400,
                   logGroupIdentifier="arn:aws:logs:%s:222222222222:log-group:ev/page" % REGION,
                   logStreamName="s")
        self.fails(self.logs.get_log_events, "InvalidParameterException", 400,
                   logGroupIdentifier=arn, logGroupName="ev/page", logStreamName="s")
        self.fails(self.logs.get_log_events, "InvalidParameterException", 400,
                   logStreamName="s")
        self.fails(self.logs.get_log_events, "InvalidParameterException", 400,
                   logGroupName="ev/page", logStreamName="s", nextToken="f/garbage")
        msg = self.fails(self.logs.get_log_events, "ResourceNotFoundException", 400,
                         logGroupName="ev/page", logStreamName="nope")
        self.assertEqual(msg, "The specified log stream does not exist.")
        self.fails(self.logs.get_log_events, "InvalidParameterException", 400,
                   logGroupName="ev/page", logStreamName="s", limit=10001)

    def test_cli_paging_terminates(self):
        self.stream("ev/cli")
        t = now_ms() - 1000
        rc, out, err = self.srv.aws(
            "logs", "put-log-events", "--log-group-name", "ev/cli", "--log-stream-name", "s",
            "--log-events", json.dumps([{"timestamp": t + i, "message": "c%d" % i}
                                        for i in range(7)]))
        self.assertEqual(rc, 0, err)
        self.assertIn("nextSequenceToken", out)
        # botocore defines no paginator for GetLogEvents (the token repeats at the end
        # instead of disappearing), so clients loop on the token themselves.
        self.assertFalse(self.logs.can_paginate("get_log_events"))
        seen, token, calls = [], None, 0
        while calls < 20:
            args = ["logs", "get-log-events", "--log-group-name", "ev/cli",
                    "--log-stream-name", "s", "--start-from-head", "--limit", "3"]
            if token:
                args += ["--next-token", token]
            rc, out, err = self.srv.aws(*args)
            self.assertEqual(rc, 0, err)
            calls += 1
            seen += [e["message"] for e in out["events"]]
            if out["nextForwardToken"] == token:
                break
            token = out["nextForwardToken"]
        self.assertEqual(seen, ["c%d" % i for i in range(7)])
        self.assertEqual(calls, 4)

    def test_retention(self):
        self.stream("ev/ret")
        msg = self.fails(self.logs.put_retention_policy, "InvalidParameterException", 400,
                         logGroupName="ev/ret", retentionInDays=10)
        self.assertEqual(msg, "1 validation error detected: Value '10' at 'retentionInDays' "
                              "failed to satisfy constraint: Member must satisfy enum value "
                              "set: [%s]" % RETENTION_SET)
        msg = self.fails(self.logs.put_retention_policy, "ResourceNotFoundException", 400,
                         logGroupName="ev/none", retentionInDays=1)
        self.assertEqual(msg, "The specified log group does not exist.")
        self.fails(self.logs.delete_retention_policy, "ResourceNotFoundException", 400,
                   logGroupName="ev/none")
        t = now_ms()
        self.put("ev/ret", [{"timestamp": t - 3 * DAY_MS, "message": "three days"}])
        self.put("ev/ret", [{"timestamp": t - DAY_MS + 6000, "message": "edge"},
                            {"timestamp": t, "message": "fresh"}])
        # The new retention deletes at once what it expires.
        self.logs.put_retention_policy(logGroupName="ev/ret", retentionInDays=1)
        g = self.logs.describe_log_groups(logGroupNamePrefix="ev/ret")["logGroups"][0]
        self.assertEqual(g["retentionInDays"], 1)
        self.assertEqual(g["storedBytes"], len("edge") + len("fresh"))
        self.assertEqual(self.stored("ev/ret"), ["edge", "fresh"])
        events, _ = read_stream(self.logs, "ev/ret", "s")
        self.assertEqual([e["message"] for e in events], ["edge", "fresh"])
        # "edge" passes the retention six seconds after it was written: gone from reads
        # at once, and from the store by the server's sweep (once a second).
        time.sleep(max(0, (t + 6500 - now_ms()) / 1000))
        events, _ = read_stream(self.logs, "ev/ret", "s")
        self.assertEqual([e["message"] for e in events], ["fresh"])
        deadline = time.time() + 10
        while self.stored("ev/ret") != ["fresh"] and time.time() < deadline:
            time.sleep(0.2)
        self.assertEqual(self.stored("ev/ret"), ["fresh"])
        g = self.logs.describe_log_groups(logGroupNamePrefix="ev/ret")["logGroups"][0]
        self.assertEqual(g["storedBytes"], len("fresh"))
        self.logs.delete_retention_policy(logGroupName="ev/ret")
        g = self.logs.describe_log_groups(logGroupNamePrefix="ev/ret")["logGroups"][0]
        self.assertNotIn("retentionInDays", g)
        r = self.put("ev/ret", [{"timestamp": t - 2 * DAY_MS, "message": "kept now"}])
        self.assertNotIn("rejectedLogEventsInfo", r)

    def stored(self, group):
        """The messages of the group's events as the store holds them (read beside the
        running server: WAL lets a reader in)."""
        db = sqlite3.connect("file:%s/state.db?mode=ro" % self.srv.data, uri=True)
        try:
            rows = db.execute("SELECT e.message FROM log_events e JOIN log_groups g ON "
                              "g.id = e.group_id WHERE g.name = ? ORDER BY e.ts, e.seq",
                              (group,)).fetchall()
        finally:
            db.close()
        return [bytes(r[0]).decode() for r in rows]

    def test_tags(self):
        arn = "arn:aws:logs:%s:%s:log-group:ev/tags" % (REGION, ACCOUNT)
        self.logs.create_log_group(logGroupName="ev/tags", tags={"team": "audit"})
        self.assertEqual(self.logs.list_tags_for_resource(resourceArn=arn)["tags"],
                         {"team": "audit"})
        self.logs.tag_resource(resourceArn=arn, tags={"env": "prod", "team": "sec"})
        self.assertEqual(self.logs.list_tags_log_group(logGroupName="ev/tags")["tags"],
                         {"env": "prod", "team": "sec"})
        self.logs.untag_resource(resourceArn=arn, tagKeys=["env"])
        self.logs.tag_log_group(logGroupName="ev/tags", tags={"a": ""})
        self.logs.untag_log_group(logGroupName="ev/tags", tags=["team"])
        rc, out, err = self.srv.aws("logs", "list-tags-for-resource", "--resource-arn", arn)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out["tags"], {"a": ""})
        # 50 tags at most on a group; a request of more than 50 is the model's refusal.
        self.logs.tag_resource(resourceArn=arn, tags={"k%02d" % i: "v" for i in range(49)})
        msg = self.fails(self.logs.tag_resource, "TooManyTagsException", 400,
                         resourceArn=arn, tags={"one-more": "v"})
        self.assertEqual(msg, "A resource can have no more than 50 tags.")
        self.assertEqual(len(self.logs.list_tags_for_resource(resourceArn=arn)["tags"]), 50)
        self.fails(self.logs.tag_resource, "InvalidParameterException", 400,
                   resourceArn=arn, tags={"k%02d" % i: "v" for i in range(51)})
        self.fails(self.logs.tag_resource, "InvalidParameterException", 400,
                   resourceArn=arn, tags={"k" * 129: "v"})
        self.fails(self.logs.tag_resource, "InvalidParameterException", 400,
                   resourceArn=arn, tags={"k": "v" * 257})
        self.fails(self.logs.tag_resource, "InvalidParameterException", 400,
                   resourceArn=arn, tags={"bad*key": "v"})
        # The ARN without ":*" names the group (the model's pattern refuses the "*").
        self.fails(self.logs.list_tags_for_resource, "InvalidParameterException", 400,
                   resourceArn=arn + ":*")
        msg = self.fails(self.logs.list_tags_for_resource, "ResourceNotFoundException", 400,
                         resourceArn=arn + "-none")
        self.assertEqual(msg, "The specified log group does not exist.")
        self.fails(self.logs.list_tags_for_resource, "InvalidParameterException", 400,
                   resourceArn="ev/tags")
        self.fails(self.logs.list_tags_log_group, "ResourceNotFoundException", 400,
                   logGroupName="ev/none")
        # The tags go with the group.
        self.logs.delete_log_group(logGroupName="ev/tags")
        self.logs.create_log_group(logGroupName="ev/tags")
        self.assertEqual(self.logs.list_tags_for_resource(resourceArn=arn)["tags"], {})
        # CreateLogGroup's tags follow the same rules, and a refusal creates nothing.
        self.fails(self.logs.create_log_group, "InvalidParameterException", 400,
                   logGroupName="ev/tags2", tags={"k%02d" % i: "v" for i in range(51)})
        self.assertEqual(self.logs.describe_log_groups(
            logGroupNamePrefix="ev/tags2")["logGroups"], [])


    def test_record_and_tagging_permission(self):
        self.stream("ev/rec")
        self.put("ev/rec", [{"timestamp": now_ms(), "message": "secret payload"}])
        recs = [r for r in self.srv.events() if r["eventName"] == "PutLogEvents"]
        self.assertTrue(recs)
        self.assertEqual(recs[-1]["requestParameters"],
                         {"logGroupName": "ev/rec", "logStreamName": "s"})
        # Tags at creation need logs:TagResource (or logs:TagLogGroup) as well.
        self.iam.create_user(UserName="logs-creator")
        self.iam.put_user_policy(UserName="logs-creator", PolicyName="p",
                                 PolicyDocument=json.dumps({
                                     "Version": "2012-10-17", "Statement": [
                                         {"Effect": "Allow", "Action": "logs:CreateLogGroup",
                                          "Resource": "*"}]}))
        k = self.iam.create_access_key(UserName="logs-creator")["AccessKey"]
        logs = self.srv.client("logs", Creds(k["AccessKeyId"], k["SecretAccessKey"], None,
                                             ACCOUNT))
        logs.create_log_group(logGroupName="ev/untagged")
        msg = self.fails(logs.create_log_group, "AccessDeniedException", 400,
                         logGroupName="ev/tagged", tags={"a": "b"})
        self.assertIn("logs:TagResource", msg)
        self.assertEqual(self.logs.describe_log_groups(
            logGroupNamePrefix="ev/tagged")["logGroups"], [])


class LogEventsKillTest(unittest.TestCase):
    """kill -9 while clients stream PutLogEvents: every acknowledged batch is stored once,
    and a batch in flight is stored whole or not at all."""

    def test_kill9_during_puts(self):
        srv = OrgtrailServer().start()
        try:
            logs = srv.client("logs")
            logs.create_log_group(logGroupName="ev/kill")
            for s in ("a", "b"):
                logs.create_log_stream(logGroupName="ev/kill", logStreamName=s)
            rng = random.Random(os.environ.get("ORGTRAIL_KILL_SEED"))
            acked, tried, lock = [], [], threading.Lock()
            stop = threading.Event()

            def client(stream):
                c = srv.client("logs")
                n = 0
                while not stop.is_set():
                    batch = ["%s-%d-%d" % (stream, n, i) for i in range(50)]
                    n += 1
                    with lock:
                        tried.append(batch)
                    try:
                        t = now_ms()
                        c.put_log_events(logGroupName="ev/kill", logStreamName=stream,
                                         logEvents=[{"timestamp": t, "message": m}
                                                    for m in batch])
                    except (botocore.exceptions.BotoCoreError,
                            botocore.exceptions.ClientError):
                        return  # the server is gone: this batch was never acknowledged
                    with lock:
                        acked.append(batch)

            threads = [threading.Thread(target=client, args=(s,)) for s in ("a", "b")]
            for th in threads:
                th.start()
            time.sleep(rng.uniform(0.8, 2.0))
            srv.kill()
            stop.set()
            for th in threads:
                th.join()
            srv._spawn()
            logs = srv.client("logs")
            stored = []
            for s in ("a", "b"):
                events, _ = read_stream(logs, "ev/kill", s)
                stored += [e["message"] for e in events]
            self.assertGreater(len(acked), 0)
            self.assertEqual(len(stored), len(set(stored)), "an event stored twice")
            got = set(stored)
            for batch in acked:
                self.assertTrue(set(batch) <= got, "acknowledged batch %s lost" % batch[0])
            for batch in tried:
                n = len(set(batch) & got)
                self.assertIn(n, (0, len(batch)), "batch %s stored in part" % batch[0])
            self.assertEqual(len(got), 50 * sum(1 for b in tried if set(b) <= got))
        finally:
            srv.close()


if __name__ == "__main__":
    unittest.main()
