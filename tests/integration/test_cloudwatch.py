"""CloudWatch with boto3, the AWS CLI and hand-built requests in each protocol the service
speaks: boto3 and the CLI send AWS JSON 1.0 (botocore 1.43 picks "json" first of the
model's protocols); Smithy RPC v2 CBOR and Query are built here with botocore's own
serializers and signed with SigV4Auth. Every operation, AWS's errors with their codes
(x-amzn-query-error in JSON and CBOR answers), SigV4 refusals and CloudTrail records
(eventSource monitoring.amazonaws.com) in all three protocols, metric math, and an alarm
going OK -> ALARM -> OK from PutMetricData with its history and its outbox rows."""
import datetime
import json
import sqlite3
import time
import unittest
import urllib.parse

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import botocore.parsers
import botocore.serialize
import botocore.session
import requests

from tests.integration.harness import ServerTestCase

ACCOUNT = "111111111111"
UTC = datetime.timezone.utc
TOPIC = "arn:aws:sns:us-east-1:111111111111:alerts"


def utcnow():
    return datetime.datetime.now(UTC)


class Raw:
    """Requests in a protocol boto3 would not pick: botocore's serializer and parser for it,
    signed as the SDKs sign."""

    def __init__(self, srv, protocol, secret=None):
        self.srv = srv
        self.protocol = protocol
        self.model = botocore.session.get_session().get_service_model("cloudwatch")
        self.creds = botocore.credentials.Credentials(srv.root.access_key,
                                                      secret or srv.root.secret)

    def call(self, op, params):
        om = self.model.operation_model(op)
        d = botocore.serialize.create_serializer(self.protocol).serialize_to_request(params, om)
        body = d["body"]
        if isinstance(body, dict):
            body = urllib.parse.urlencode(body)
        headers = dict(d["headers"])
        headers["User-Agent"] = "orgtrail-test/" + self.protocol
        req = botocore.awsrequest.AWSRequest(method="POST", url=self.srv.endpoint + d["url_path"],
                                             data=body, headers=headers)
        botocore.auth.SigV4Auth(self.creds, "monitoring", self.srv.region).add_auth(req)
        p = req.prepare()
        r = requests.post(p.url, data=p.body, headers=dict(p.headers), timeout=60)
        parsed = botocore.parsers.create_parser(self.protocol).parse(
            {"status_code": r.status_code, "headers": r.headers, "body": r.content},
            om.output_shape)
        return r, parsed


class CloudWatchTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cw = cls.srv.client("cloudwatch")

    def put(self, ns, name, value, **kw):
        d = dict(MetricName=name, Value=value, **kw)
        self.cw.put_metric_data(Namespace=ns, MetricData=[d])

    def alarm(self, name):
        r = self.cw.describe_alarms(AlarmNames=[name])["MetricAlarms"]
        self.assertEqual(len(r), 1)
        return r[0]

    def outbox(self, alarm_name):
        db = sqlite3.connect("file:%s/state.db?mode=ro" % self.srv.data, uri=True)
        try:
            return db.execute("SELECT action_arn, new_state, message, delivered_ms FROM "
                              "alarm_actions WHERE alarm_name = ? ORDER BY seq",
                              (alarm_name,)).fetchall()
        finally:
            db.close()

    # -- protocols ---------------------------------------------------------------------
    def test_boto3_speaks_json_1_0(self):
        sent = []
        cw = self.srv.client("cloudwatch")
        cw.meta.events.register("before-send.cloudwatch.*",
                                lambda request, **kw: sent.append(dict(request.headers)))
        cw.list_metrics()
        h = {k.lower(): v for k, v in sent[0].items()}
        self.assertEqual(h["x-amz-target"], b"GraniteServiceVersion20100801.ListMetrics")
        self.assertEqual(h["content-type"], b"application/x-amz-json-1.0")
        self.assertEqual(h["x-amzn-query-mode"], b"true")

    def test_three_protocols(self):
        for proto in ("smithy-rpc-v2-cbor", "query", "json"):
            with self.subTest(proto=proto):
                raw = Raw(self.srv, proto)
                ns = "Proto/" + proto
                r, _ = raw.call("PutMetricData", {"Namespace": ns, "MetricData": [
                    {"MetricName": "m", "Value": 3.0, "Timestamp": utcnow(),
                     "Dimensions": [{"Name": "P", "Value": proto}]}]})
                self.assertEqual(r.status_code, 200, r.content)
                want = {"smithy-rpc-v2-cbor": "application/cbor", "query": "text/xml",
                        "json": "application/x-amz-json-1.0"}[proto]
                self.assertEqual(r.headers["content-type"], want)
                _, out = raw.call("ListMetrics", {"Namespace": ns})
                self.assertEqual(out["Metrics"], [{"Namespace": ns, "MetricName": "m",
                                                   "Dimensions": [{"Name": "P", "Value": proto}]}])
                _, out = raw.call("GetMetricStatistics", {
                    "Namespace": ns, "MetricName": "m", "Dimensions": [{"Name": "P", "Value": proto}],
                    "StartTime": utcnow() - datetime.timedelta(minutes=5),
                    "EndTime": utcnow() + datetime.timedelta(minutes=1), "Period": 60,
                    "Statistics": ["Sum"]})
                self.assertEqual(sum(p["Sum"] for p in out["Datapoints"]), 3.0)
                self.assertIsInstance(out["Datapoints"][0]["Timestamp"], datetime.datetime)
                r, out = raw.call("PutMetricData", {"Namespace": "AWS/EC2", "MetricData": [
                    {"MetricName": "m", "Value": 1.0}]})
                self.assertEqual(r.status_code, 400)
                self.assertEqual(out["Error"]["Code"], "InvalidParameterValue")
                self.assertEqual(out["Error"]["Message"],
                                 "The value AWS/EC2 for parameter Namespace is invalid.")
                if proto != "query":
                    self.assertEqual(r.headers["x-amzn-query-error"], "InvalidParameterValue;Sender")
                # SigV4 is checked whatever the protocol
                r, out = Raw(self.srv, proto, secret="x" * 40).call("ListMetrics", {})
                # Query's code and status for Query, the JSON family's for JSON and CBOR
                self.assertEqual(r.status_code, 403 if proto == "query" else 400)
                self.assertIn(out["Error"]["Code"], ("SignatureDoesNotMatch",
                                                     "InvalidSignatureException"))
        records = [e for e in self.srv.events() if e["eventSource"] == "monitoring.amazonaws.com"]
        for proto in ("smithy-rpc-v2-cbor", "query", "json"):
            mine = [e for e in records if e.get("userAgent") == "orgtrail-test/" + proto]
            names = {(e["eventName"], e.get("errorCode")) for e in mine}
            self.assertIn(("PutMetricData", None), names, proto)
            self.assertIn(("PutMetricData", "InvalidParameterValue"), names, proto)
            self.assertIn(("ListMetrics", None), names, proto)
            self.assertTrue(any(e.get("errorCode") in ("SignatureDoesNotMatch",
                                                       "InvalidSignatureException")
                                for e in mine), proto)
            ok = [e for e in mine if e["eventName"] == "PutMetricData" and not e.get("errorCode")]
            self.assertEqual(ok[0]["requestParameters"]["namespace"], "Proto/" + proto)
            self.assertEqual(ok[0]["recipientAccountId"], ACCOUNT)

    def test_cbor_malformed_body(self):
        raw = Raw(self.srv, "smithy-rpc-v2-cbor")
        om = raw.model.operation_model("ListMetrics")
        req = botocore.awsrequest.AWSRequest(
            method="POST",
            url=self.srv.endpoint + "/service/GraniteServiceVersion20100801/operation/ListMetrics",
            data=b"\x9b\x00\x00\x01\x00\x00\x00\x00\x00",
            headers={"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"})
        botocore.auth.SigV4Auth(raw.creds, "monitoring", "us-east-1").add_auth(req)
        p = req.prepare()
        r = requests.post(p.url, data=p.body, headers=dict(p.headers), timeout=60)
        self.assertEqual(r.status_code, 400)
        out = botocore.parsers.create_parser("smithy-rpc-v2-cbor").parse(
            {"status_code": r.status_code, "headers": r.headers, "body": r.content},
            om.output_shape)
        self.assertEqual(out["Error"]["Code"], "SerializationException")

    def test_cli(self):
        rc, _, err = self.srv.aws("cloudwatch", "put-metric-data", "--namespace", "Cli",
                                  "--metric-name", "hits", "--value", "4", "--unit", "Count")
        self.assertEqual(rc, 0, err)
        rc, out, err = self.srv.aws("cloudwatch", "list-metrics", "--namespace", "Cli")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out["Metrics"][0]["MetricName"], "hits")
        rc, out, err = self.srv.aws("cloudwatch", "get-metric-statistics", "--namespace", "Cli",
                                    "--metric-name", "hits", "--statistics", "Sum",
                                    "--start-time", (utcnow() - datetime.timedelta(minutes=5)).isoformat(),
                                    "--end-time", (utcnow() + datetime.timedelta(minutes=1)).isoformat(),
                                    "--period", "60")
        self.assertEqual(rc, 0, err)
        self.assertEqual(sum(p["Sum"] for p in out["Datapoints"]), 4.0)
        self.assertEqual(out["Datapoints"][0]["Unit"], "Count")
        rc, out, err = self.srv.aws("cloudwatch", "put-metric-data", "--namespace", "AWS/Lambda",
                                    "--metric-name", "x", "--value", "1")
        self.assertNotEqual(rc, 0)
        self.assertIn("InvalidParameterValue", err)
        rc, out, err = self.srv.aws("cloudwatch", "describe-alarms")
        self.assertEqual(rc, 0, err)
        self.assertIn("MetricAlarms", out)
        agents = [e.get("userAgent", "") for e in self.srv.events()
                  if e["eventSource"] == "monitoring.amazonaws.com"]
        self.assertTrue(any(a.startswith("aws-cli/") for a in agents))

    # -- PutMetricData -------------------------------------------------------------------
    def test_put_metric_data_limits(self):
        cw = self.cw
        self.fails(cw.put_metric_data, "InvalidParameterValue", 400, Namespace="App",
                   MetricData=[{"MetricName": "m", "Value": 1} for _ in range(1001)])
        msg = self.fails(cw.put_metric_data, "InvalidParameterValue", 400, Namespace="App",
                         MetricData=[{"MetricName": "m", "Value": 1,
                                      "Timestamp": utcnow() - datetime.timedelta(days=15)}])
        self.assertIn("MetricData.member.1.Timestamp", msg)
        self.fails(cw.put_metric_data, "InvalidParameterValue", 400, Namespace="App",
                   MetricData=[{"MetricName": "m", "Value": 1},
                               {"MetricName": "m", "Value": 1,
                                "Timestamp": utcnow() + datetime.timedelta(hours=3)}])
        self.fails(cw.put_metric_data, "InvalidParameterCombination", 400, Namespace="App",
                   MetricData=[{"MetricName": "m", "Value": 1, "StatisticValues": {
                       "SampleCount": 1, "Sum": 1, "Minimum": 1, "Maximum": 1}}])
        self.fails(cw.put_metric_data, "InvalidParameterValue", 400, Namespace="App",
                   MetricData=[{"MetricName": "m", "Values": [1, 2], "Counts": [1]}])
        self.fails(cw.put_metric_data, "InvalidParameterValue", 400, Namespace="App",
                   MetricData=[{"MetricName": "m", "Value": 1, "StorageResolution": 5}])
        self.fails(cw.put_metric_data, "MissingParameter", 400, Namespace="App",
                   MetricData=[{"MetricName": "m"}])
        self.fails(cw.put_metric_data, "ValidationError", 400, Namespace="App",
                   MetricData=[{"MetricName": "m", "Value": 1, "Dimensions": [
                       {"Name": "d%d" % i, "Value": "v"} for i in range(31)]}])
        self.fails(cw.put_metric_data, "InvalidParameterValue", 400, Namespace="App",
                   MetricData=[{"MetricName": "m", "Value": 1, "Dimensions": [
                       {"Name": "d", "Value": "1"}, {"Name": "d", "Value": "2"}]}])
        big = [{"MetricName": "m" * 200, "Values": [float(i) for i in range(150)],
                "Dimensions": [{"Name": "d%d" % i, "Value": "v" * 200} for i in range(30)]}
               for _ in range(200)]
        self.fails(cw.put_metric_data, "RequestEntityTooLarge", 413, Namespace="App",
                   MetricData=big)
        # nothing of a refused call was stored
        self.assertEqual(cw.list_metrics(Namespace="App", MetricName="m")["Metrics"], [])
        # a statistic set and values with counts
        cw.put_metric_data(Namespace="Sets", MetricData=[
            {"MetricName": "s", "StatisticValues": {"SampleCount": 4, "Sum": 10, "Minimum": 1,
                                                    "Maximum": 4}, "Unit": "Seconds"},
            {"MetricName": "v", "Values": [1, 2, 3], "Counts": [1, 1, 2], "Unit": "Seconds"}])
        start, end = utcnow() - datetime.timedelta(minutes=5), utcnow() + datetime.timedelta(minutes=1)
        dp = cw.get_metric_statistics(Namespace="Sets", MetricName="v", StartTime=start,
                                      EndTime=end, Period=300, Statistics=["SampleCount", "Sum",
                                                                           "Average"],
                                      ExtendedStatistics=["p50"])["Datapoints"]
        self.assertEqual(len(dp), 1)
        self.assertEqual((dp[0]["SampleCount"], dp[0]["Sum"], dp[0]["Average"]), (4.0, 9.0, 2.25))
        self.assertEqual(dp[0]["ExtendedStatistics"]["p50"], 2.0)
        dp = cw.get_metric_statistics(Namespace="Sets", MetricName="s", StartTime=start,
                                      EndTime=end, Period=300, Statistics=["Maximum"],
                                      Unit="Seconds")["Datapoints"]
        self.assertEqual(dp[0]["Maximum"], 4.0)

    # -- ListMetrics ---------------------------------------------------------------------
    def test_list_metrics(self):
        cw = self.cw
        for chunk in range(2):
            cw.put_metric_data(Namespace="Many", MetricData=[
                {"MetricName": "m", "Value": 1,
                 "Dimensions": [{"Name": "i", "Value": str(chunk * 300 + i)}]} for i in range(300)])
        page = cw.list_metrics(Namespace="Many")
        self.assertEqual(len(page["Metrics"]), 500)
        rest = cw.list_metrics(Namespace="Many", NextToken=page["NextToken"])
        self.assertEqual(len(rest["Metrics"]), 100)
        self.assertNotIn("NextToken", rest)
        pages = list(cw.get_paginator("list_metrics").paginate(Namespace="Many"))
        self.assertEqual(sum(len(p["Metrics"]) for p in pages), 600)
        one = cw.list_metrics(Namespace="Many", Dimensions=[{"Name": "i", "Value": "42"}])
        self.assertEqual(len(one["Metrics"]), 1)
        self.assertEqual(len(cw.list_metrics(Namespace="Many", Dimensions=[{"Name": "i"}],
                                             RecentlyActive="PT3H")["Metrics"]), 500)
        self.assertEqual(cw.list_metrics(Namespace="Many", MetricName="other")["Metrics"], [])
        self.fails(cw.list_metrics, "InvalidNextToken", 400, NextToken="garbage")

    # -- GetMetricStatistics -------------------------------------------------------------
    def test_get_metric_statistics(self):
        cw = self.cw
        t0 = utcnow().replace(second=0, microsecond=0) - datetime.timedelta(minutes=10)
        dims = [{"Name": "Host", "Value": "a"}]
        cw.put_metric_data(Namespace="Stats", MetricData=[
            {"MetricName": "lat", "Dimensions": dims, "Value": v,
             "Timestamp": t0 + datetime.timedelta(seconds=s)}
            for s, v in ((1, 1.0), (2, 3.0), (61, 10.0))])
        r = cw.get_metric_statistics(Namespace="Stats", MetricName="lat", Dimensions=dims,
                                     StartTime=t0, EndTime=t0 + datetime.timedelta(minutes=5),
                                     Period=60, Statistics=["Average", "Minimum", "Maximum",
                                                            "Sum", "SampleCount"])
        self.assertEqual(r["Label"], "lat")
        pts = sorted(r["Datapoints"], key=lambda p: p["Timestamp"])
        self.assertEqual([(p["Average"], p["SampleCount"]) for p in pts], [(2.0, 2.0), (10.0, 1.0)])
        self.assertEqual(pts[0]["Timestamp"], t0)
        # dimensions match exactly: none given is another metric
        r = cw.get_metric_statistics(Namespace="Stats", MetricName="lat", StartTime=t0,
                                     EndTime=t0 + datetime.timedelta(minutes=5), Period=60,
                                     Statistics=["Sum"])
        self.assertEqual(r["Datapoints"], [])
        kw = dict(Namespace="Stats", MetricName="lat", StartTime=t0,
                  EndTime=t0 + datetime.timedelta(minutes=5))
        self.fails(cw.get_metric_statistics, "InvalidParameterValue", 400, Period=45,
                   Statistics=["Sum"], **kw)
        self.fails(cw.get_metric_statistics, "InvalidParameterCombination", 400, Period=60, **kw)
        self.fails(cw.get_metric_statistics, "InvalidParameterValue", 400, Period=60,
                   ExtendedStatistics=["p101"], **kw)
        msg = self.fails(cw.get_metric_statistics, "InvalidParameterCombination", 400,
                         Namespace="Stats", MetricName="lat", StartTime=t0,
                         EndTime=t0 + datetime.timedelta(hours=25), Period=60, Statistics=["Sum"])
        self.assertIn("exceeds the limit of 1440", msg)
        self.fails(cw.get_metric_statistics, "ValidationError", 400, Period=60,
                   Statistics=["Median"], **kw)
        self.fails(cw.get_metric_statistics, "InvalidParameterValue", 400, Namespace="Stats",
                   MetricName="lat", StartTime=t0, EndTime=t0, Period=60, Statistics=["Sum"])

    # -- GetMetricData -------------------------------------------------------------------
    def test_get_metric_data(self):
        cw = self.cw
        t0 = utcnow().replace(second=0, microsecond=0) - datetime.timedelta(minutes=10)
        data = []
        for i, (a, b) in enumerate(((1.0, 10.0), (2.0, 20.0), (3.0, None))):
            ts = t0 + datetime.timedelta(minutes=i, seconds=5)
            data.append({"MetricName": "a", "Value": a, "Timestamp": ts})
            if b is not None:
                data.append({"MetricName": "b", "Value": b, "Timestamp": ts})
        cw.put_metric_data(Namespace="Math", MetricData=data)

        def stat(i, name):
            return {"Id": i, "MetricStat": {"Metric": {"Namespace": "Math", "MetricName": name},
                                            "Period": 60, "Stat": "Sum"}, "ReturnData": False}
        queries = [stat("m1", "a"), stat("m2", "b"),
                   {"Id": "sum", "Expression": "m1 + m2", "Label": "a plus b"},
                   {"Id": "scaled", "Expression": "(m1 - 1) * 2 / 4"},
                   {"Id": "total", "Expression": "SUM(m1)"},
                   {"Id": "avg", "Expression": "AVG([m1, m2])"},
                   {"Id": "mn", "Expression": "MIN(m2)"},
                   {"Id": "mx", "Expression": "MAX([m1, m2])"},
                   {"Id": "filled", "Expression": "FILL(m2, 0) + -m1"}]
        r = cw.get_metric_data(MetricDataQueries=queries, StartTime=t0,
                               EndTime=t0 + datetime.timedelta(minutes=5),
                               ScanBy="TimestampAscending")
        res = {x["Id"]: x for x in r["MetricDataResults"]}
        self.assertNotIn("m1", res)
        self.assertEqual(res["sum"]["Values"], [11.0, 22.0])
        self.assertEqual(res["sum"]["Label"], "a plus b")
        self.assertEqual(res["sum"]["StatusCode"], "Complete")
        self.assertEqual(res["sum"]["Timestamps"][0], t0)
        self.assertEqual(res["scaled"]["Values"], [0.0, 0.5, 1.0])
        self.assertEqual(res["total"]["Values"], [6.0, 6.0, 6.0])
        self.assertEqual(res["avg"]["Values"], [5.5, 11.0, 3.0])
        self.assertEqual(res["mn"]["Values"], [10.0, 10.0, 10.0])
        self.assertEqual(res["mx"]["Values"], [10.0, 20.0, 3.0])
        self.assertEqual(res["filled"]["Values"], [9.0, 18.0, -3.0])
        # descending by default; MaxDatapoints pages with NextToken
        q = [dict(stat("m1", "a"), ReturnData=True)]
        r = cw.get_metric_data(MetricDataQueries=q, StartTime=t0,
                               EndTime=t0 + datetime.timedelta(minutes=5), MaxDatapoints=2)
        self.assertEqual(r["MetricDataResults"][0]["Values"], [3.0, 2.0])
        self.assertEqual(r["MetricDataResults"][0]["StatusCode"], "PartialData")
        r2 = cw.get_metric_data(MetricDataQueries=q, StartTime=t0,
                                EndTime=t0 + datetime.timedelta(minutes=5), MaxDatapoints=2,
                                NextToken=r["NextToken"])
        self.assertEqual(r2["MetricDataResults"][0]["Values"], [1.0])
        self.assertNotIn("NextToken", r2)
        kw = dict(StartTime=t0, EndTime=t0 + datetime.timedelta(minutes=5))
        msg = self.fails(cw.get_metric_data, "ValidationError", 400,
                         MetricDataQueries=[{"Id": "e1", "Expression": "m9 * 2"}], **kw)
        self.assertIn("Unrecognized metric id m9", msg)
        self.fails(cw.get_metric_data, "ValidationError", 400,
                   MetricDataQueries=[{"Id": "e1", "Expression": "SUM(("}], **kw)
        self.fails(cw.get_metric_data, "ValidationError", 400,
                   MetricDataQueries=[{"Id": "e1", "Expression": "e1 + 1"}], **kw)
        self.fails(cw.get_metric_data, "ValidationError", 400,
                   MetricDataQueries=[{"Id": "x"}], **kw)
        self.fails(cw.get_metric_data, "InvalidNextToken", 400, NextToken="zz",
                   MetricDataQueries=q, **kw)

    # -- alarms --------------------------------------------------------------------------
    def put_alarm(self, name, **kw):
        args = dict(AlarmName=name, MetricName="lat", Namespace="Alarms", Statistic="Average",
                    Period=60, EvaluationPeriods=1, Threshold=1.0,
                    ComparisonOperator="GreaterThanOrEqualToThreshold")
        args.update(kw)
        self.cw.put_metric_alarm(**args)

    def test_alarm_goes_ok_alarm_ok(self):
        cw = self.cw
        dims = [{"Name": "Host", "Value": "web-1"}]
        self.put_alarm("latency-high", Dimensions=dims, AlarmDescription="p latency",
                       AlarmActions=[TOPIC], OKActions=[TOPIC + "-ok"], MetricName="flow",
                       Namespace="Flow")
        a = self.alarm("latency-high")
        self.assertEqual(a["StateValue"], "INSUFFICIENT_DATA")
        self.assertEqual(a["StateReason"], "Unchecked: Initial alarm creation")
        self.assertEqual(a["AlarmArn"], "arn:aws:cloudwatch:us-east-1:%s:alarm:latency-high" % ACCOUNT)

        def put(v):
            cw.put_metric_data(Namespace="Flow", MetricData=[
                {"MetricName": "flow", "Value": v, "Dimensions": dims}])
        put(0.0)
        self.assertEqual(self.alarm("latency-high")["StateValue"], "OK")
        put(5.0)  # the average of the period is now at least 2.5
        a = self.alarm("latency-high")
        self.assertEqual(a["StateValue"], "ALARM")
        self.assertRegex(a["StateReason"], r"^Threshold Crossed: 1 datapoint \[[0-9.]+ \(\d\d/\d\d/\d\d "
                                           r"\d\d:\d\d:00\)\] was greater than or equal to the "
                                           r"threshold \(1\.0\)\.$")
        data = json.loads(a["StateReasonData"])
        self.assertEqual(data["version"], "1.0")
        self.assertEqual(data["statistic"], "Average")
        self.assertEqual(data["period"], 60)
        self.assertEqual(data["threshold"], 1.0)
        put(-10.0)
        self.assertEqual(self.alarm("latency-high")["StateValue"], "OK")

        items = cw.describe_alarm_history(AlarmName="latency-high")["AlarmHistoryItems"]
        updates = [i["HistorySummary"] for i in items if i["HistoryItemType"] == "StateUpdate"]
        self.assertEqual(updates, ["Alarm updated from ALARM to OK", "Alarm updated from OK to ALARM",
                                   "Alarm updated from INSUFFICIENT_DATA to OK"])
        conf = [i for i in items if i["HistoryItemType"] == "ConfigurationUpdate"]
        self.assertEqual(conf[0]["HistorySummary"], 'Alarm "latency-high" created')
        hd = json.loads([i for i in items if i["HistoryItemType"] == "StateUpdate"][1]["HistoryData"])
        self.assertEqual(hd["oldState"]["stateValue"], "OK")
        self.assertEqual(hd["newState"]["stateValue"], "ALARM")
        actions = [i for i in items if i["HistoryItemType"] == "Action"]
        self.assertEqual(len(actions), 3)
        self.assertEqual(actions[1]["HistorySummary"], "Successfully executed action " + TOPIC)
        only = cw.describe_alarm_history(AlarmName="latency-high", HistoryItemType="Action",
                                         ScanBy="TimestampAscending")["AlarmHistoryItems"]
        self.assertEqual([i["HistoryItemType"] for i in only], ["Action"] * 3)
        paged = cw.describe_alarm_history(AlarmName="latency-high", MaxRecords=2)
        self.assertEqual(len(paged["AlarmHistoryItems"]), 2)
        more = cw.describe_alarm_history(AlarmName="latency-high", NextToken=paged["NextToken"])
        self.assertEqual(len(more["AlarmHistoryItems"]), len(items) - 2)

        rows = self.outbox("latency-high")
        self.assertEqual([(r[0], r[1]) for r in rows],
                         [(TOPIC + "-ok", "OK"), (TOPIC, "ALARM"), (TOPIC + "-ok", "OK")])
        msg = json.loads(rows[1][2])
        self.assertEqual(msg["AlarmName"], "latency-high")
        self.assertEqual(msg["AlarmDescription"], "p latency")
        self.assertEqual(msg["AWSAccountId"], ACCOUNT)
        self.assertEqual((msg["OldStateValue"], msg["NewStateValue"]), ("OK", "ALARM"))
        self.assertEqual(msg["Region"], "US East (N. Virginia)")
        self.assertEqual(msg["AlarmActions"], [TOPIC])
        self.assertEqual(msg["InsufficientDataActions"], [])
        self.assertRegex(msg["StateChangeTime"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$")
        t = msg["Trigger"]
        self.assertEqual((t["MetricName"], t["Namespace"], t["StatisticType"], t["Statistic"]),
                         ("flow", "Flow", "Statistic", "AVERAGE"))
        self.assertEqual(t["Dimensions"], [{"value": "web-1", "name": "Host"}])
        self.assertEqual((t["Period"], t["EvaluationPeriods"], t["DatapointsToAlarm"]), (60, 1, 1))
        self.assertEqual((t["ComparisonOperator"], t["Threshold"], t["TreatMissingData"]),
                         ("GreaterThanOrEqualToThreshold", 1.0, "missing"))
        # delivered_ms (rows[1][3]) is set once the SNS thread has taken the action; the
        # topic here does not exist, so it is taken and dropped, whenever that happens.

    def test_alarm_operations(self):
        cw = self.cw
        for i in range(5):
            self.put_alarm("ops-%d" % i, AlarmActions=[TOPIC] if i % 2 else [],
                           Tags=[{"Key": "team", "Value": "t%d" % i}])
        names = [a["AlarmName"] for a in cw.describe_alarms(AlarmNamePrefix="ops-")["MetricAlarms"]]
        self.assertEqual(names, ["ops-%d" % i for i in range(5)])
        page = cw.describe_alarms(AlarmNamePrefix="ops-", MaxRecords=2)
        self.assertEqual(len(page["MetricAlarms"]), 2)
        allp = list(cw.get_paginator("describe_alarms").paginate(AlarmNamePrefix="ops-",
                                                                 PaginationConfig={"PageSize": 2}))
        self.assertEqual(sum(len(p["MetricAlarms"]) for p in allp), 5)
        self.assertEqual(len(cw.describe_alarms(AlarmNamePrefix="ops-", ActionPrefix="arn:aws:sns:")["MetricAlarms"]), 2)
        self.assertEqual(len(cw.describe_alarms(AlarmNames=["ops-1", "nope"])["MetricAlarms"]), 1)
        self.assertEqual(cw.describe_alarms(AlarmTypes=["CompositeAlarm"])["MetricAlarms"], [])
        insufficient = cw.describe_alarms(AlarmNamePrefix="ops-", StateValue="INSUFFICIENT_DATA")
        self.assertEqual(len(insufficient["MetricAlarms"]), 5)
        self.fails(cw.describe_alarms, "InvalidParameterCombination", 400, AlarmNames=["a"],
                   AlarmNamePrefix="a")
        self.fails(cw.describe_alarms, "InvalidNextToken", 400, NextToken="zz")

        for_metric = cw.describe_alarms_for_metric(MetricName="lat", Namespace="Alarms",
                                                   Statistic="Average", Period=60)
        self.assertGreaterEqual(len(for_metric["MetricAlarms"]), 5)
        self.assertEqual(cw.describe_alarms_for_metric(MetricName="lat", Namespace="Alarms",
                                                       Statistic="Maximum")["MetricAlarms"], [])
        self.assertEqual(cw.describe_alarms_for_metric(
            MetricName="lat", Namespace="Alarms",
            Dimensions=[{"Name": "x", "Value": "y"}])["MetricAlarms"], [])

        cw.set_alarm_state(AlarmName="ops-1", StateValue="ALARM", StateReason="testing",
                           StateReasonData='{"k": 1}')
        a = self.alarm("ops-1")
        self.assertEqual((a["StateValue"], a["StateReason"], a["StateReasonData"]),
                         ("ALARM", "testing", '{"k": 1}'))
        self.assertEqual([r[1] for r in self.outbox("ops-1")], ["ALARM"])
        self.fails(cw.set_alarm_state, "ResourceNotFound", 404, AlarmName="nope",
                   StateValue="OK", StateReason="x")
        self.fails(cw.set_alarm_state, "InvalidFormat", 400, AlarmName="ops-1",
                   StateValue="OK", StateReason="x", StateReasonData="{not json")

        cw.disable_alarm_actions(AlarmNames=["ops-3", "nope"])
        self.assertFalse(self.alarm("ops-3")["ActionsEnabled"])
        cw.set_alarm_state(AlarmName="ops-3", StateValue="ALARM", StateReason="quiet")
        self.assertEqual(self.outbox("ops-3"), [])
        cw.enable_alarm_actions(AlarmNames=["ops-3"])
        self.assertTrue(self.alarm("ops-3")["ActionsEnabled"])

        arn = self.alarm("ops-2")["AlarmArn"]
        self.assertEqual(cw.list_tags_for_resource(ResourceARN=arn)["Tags"],
                         [{"Key": "team", "Value": "t2"}])
        cw.tag_resource(ResourceARN=arn, Tags=[{"Key": "env", "Value": "prod"}])
        cw.untag_resource(ResourceARN=arn, TagKeys=["team"])
        self.assertEqual(cw.list_tags_for_resource(ResourceARN=arn)["Tags"],
                         [{"Key": "env", "Value": "prod"}])
        self.fails(cw.list_tags_for_resource, "ResourceNotFoundException", 404,
                   ResourceARN=arn + "-gone")

        self.fails(cw.delete_alarms, "ResourceNotFound", 404, AlarmNames=["ops-0", "nope"])
        self.assertEqual(len(cw.describe_alarms(AlarmNames=["ops-0"])["MetricAlarms"]), 1)
        cw.delete_alarms(AlarmNames=["ops-0", "ops-4"])
        self.assertEqual(cw.describe_alarms(AlarmNames=["ops-0", "ops-4"])["MetricAlarms"], [])

        # updating keeps the state and records a ConfigurationUpdate
        self.put_alarm("ops-1", Threshold=100.0)
        a = self.alarm("ops-1")
        self.assertEqual(a["Threshold"], 100.0)
        hist = cw.describe_alarm_history(AlarmName="ops-1",
                                         HistoryItemType="ConfigurationUpdate")["AlarmHistoryItems"]
        self.assertEqual(hist[0]["HistorySummary"], 'Alarm "ops-1" updated')

    def test_put_metric_alarm_refusals(self):
        cw = self.cw
        base = dict(AlarmName="bad", MetricName="lat", Namespace="Alarms", Period=60,
                    EvaluationPeriods=1, Threshold=1.0,
                    ComparisonOperator="GreaterThanOrEqualToThreshold")
        self.fails(cw.put_metric_alarm, "InvalidParameterCombination", 400, **base)
        self.fails(cw.put_metric_alarm, "InvalidParameterCombination", 400, Statistic="Sum",
                   ExtendedStatistic="p99", **base)
        bad_op = dict(base, ComparisonOperator="LessThanLowerOrGreaterThanUpperThreshold")
        msg = self.fails(cw.put_metric_alarm, "ValidationError", 400, Statistic="Sum", **bad_op)
        self.assertIn("anomaly detection", msg)
        self.fails(cw.put_metric_alarm, "ValidationError", 400, AlarmName="m", EvaluationPeriods=1,
                   ComparisonOperator="GreaterThanThreshold", Threshold=1.0, Metrics=[
                       {"Id": "e1", "Expression": "m1 * 2"}])
        self.fails(cw.put_metric_alarm, "InvalidParameterValue", 400, Statistic="Sum",
                   **dict(base, Period=45))
        self.fails(cw.put_metric_alarm, "InvalidParameterValue", 400, Statistic="Sum",
                   DatapointsToAlarm=2, **base)
        self.fails(cw.put_metric_alarm, "InvalidParameterValue", 400, Statistic="Sum",
                   TreatMissingData="sometimes", **base)
        self.fails(cw.put_metric_alarm, "ValidationError", 400, Statistic="Sum",
                   **dict(base, ComparisonOperator="Bigger"))
        self.fails(cw.put_metric_alarm, "InvalidParameterValue", 400, Statistic="Sum",
                   AlarmActions=["not-an-arn"], **base)
        self.assertEqual(cw.describe_alarms(AlarmNames=["bad", "m"])["MetricAlarms"], [])

    def test_tick_evaluates_missing_data(self):
        """A ten-second alarm whose metric stops goes to INSUFFICIENT_DATA by the server's
        own sweep, without any further call."""
        cw = self.cw
        cw.put_metric_data(Namespace="Tick", MetricData=[
            {"MetricName": "beat", "Value": 5.0, "StorageResolution": 1}])
        self.put_alarm("tick", Namespace="Tick", MetricName="beat", Period=10)
        self.assertEqual(self.alarm("tick")["StateValue"], "ALARM")
        deadline = time.time() + 40
        while time.time() < deadline and self.alarm("tick")["StateValue"] == "ALARM":
            time.sleep(1)
        a = self.alarm("tick")
        self.assertEqual(a["StateValue"], "INSUFFICIENT_DATA")
        self.assertEqual(a["StateReason"], "Insufficient Data: 1 datapoint was unknown.")


if __name__ == "__main__":
    unittest.main()
