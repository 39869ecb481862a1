"""CloudWatch Logs filter patterns through the API, with boto3 and the AWS CLI:

- the whole conformance suite (tests/data/filter/, the same cases the C matcher runs)
  through TestMetricFilter: which messages match, what each match extracts, and
  InvalidParameterException "Invalid metric filter pattern" for every malformed pattern;
- metric filters: the 15 CIS AWS Foundations monitoring filters created with the AWS CLI
  exactly as the benchmark's remediation writes them, described, replaced and deleted;
  AWS's rules (a missing group, a malformed pattern, dimensions only with JSON or
  space-delimited patterns and never with a default value, 100 filters a group, five with
  a regex), and the filters leave with their group;
- FilterLogEvents: a pattern over a group's streams, stream names or a prefix, a time
  range, paging by nextToken (and the AWS CLI's own paging), a malformed pattern."""
import glob
import json
import os
import time
import unittest

from tests.integration.harness import ServerTestCase

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CASES = os.path.join(ROOT, "tests", "data", "filter")
CIS = os.path.join(ROOT, "tests", "integration", "fixtures", "cis_controls.json")


def conformance_cases():
    """(file, case, message) for every case, messages as the C loop builds them."""
    out = []
    for path in sorted(glob.glob(os.path.join(CASES, "*.json"))):
        with open(path) as f:
            doc = json.load(f)
        events = doc.get("events", {})
        for case in doc["cases"]:
            ev = case.get("event")
            if isinstance(ev, str) and ev.startswith("@"):
                ev = events[ev[1:]]
            msg = ev if isinstance(ev, str) or ev is None else json.dumps(ev, separators=(",", ":"),
                                                                          ensure_ascii=False)
            out.append((os.path.basename(path), case, msg))
    return out


def now_ms():
    return int(time.time() * 1000)


class LogsFiltersTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.logs = cls.srv.client("logs")

    def test_conformance_through_test_metric_filter(self):
        cases = conformance_cases()
        self.assertGreaterEqual(len(cases), 300)
        by_pattern = {}
        for f, case, msg in cases:
            by_pattern.setdefault(case["pattern"], []).append((f, case, msg))
        checked = 0
        for pattern, group in by_pattern.items():
            if group[0][1]["expect"] == "invalid":
                for f, case, _ in group:
                    self.assertEqual(case["expect"], "invalid", (f, case["name"]))
                msg = self.fails(self.logs.test_metric_filter, "InvalidParameterException", 400,
                                 filterPattern=pattern, logEventMessages=["x"])
                # Over 1024 characters the model's constraint answers first, with its
                # "1 validation error detected" text, as AWS's does.
                if len(pattern) <= 1024:
                    self.assertEqual(msg, "Invalid metric filter pattern", pattern)
                checked += len(group)
                continue
            for start in range(0, len(group), 50):
                chunk = group[start:start + 50]
                r = self.logs.test_metric_filter(filterPattern=pattern,
                                                 logEventMessages=[m for _, _, m in chunk])
                got = {m["eventNumber"]: m for m in r["matches"]}
                for i, (f, case, msg) in enumerate(chunk, start=1):
                    where = "%s: %s: [%s]" % (f, case["name"], pattern)
                    self.assertEqual(i in got, case["expect"] == "match", where)
                    if i in got:
                        self.assertEqual(got[i]["eventMessage"], msg, where)
                        for k, v in case.get("extracted", {}).items():
                            self.assertEqual(got[i]["extractedValues"].get(k), v, where)
                    checked += 1
        self.assertEqual(checked, len(cases))

    def test_cis_metric_filters_with_the_cli(self):
        with open(CIS) as f:
            controls = json.load(f)
        group = "cis/CloudTrail/DefaultLogGroup"
        self.logs.create_log_group(logGroupName=group)
        for c in controls["controls"]:
            rc, out, err = self.srv.aws(
                "logs", "put-metric-filter", "--log-group-name", group,
                "--filter-name", c["filter"],
                "--metric-transformations",
                "metricName=%s,metricNamespace=%s,metricValue=1" % (c["metric"],
                                                                    controls["namespace"]),
                "--filter-pattern", c["pattern"])
            self.assertEqual(rc, 0, (c["id"], err))
        rc, out, err = self.srv.aws("logs", "describe-metric-filters", "--log-group-name", group)
        self.assertEqual(rc, 0, err)
        got = {f["filterName"]: f for f in out["metricFilters"]}
        self.assertEqual(len(got), 15)
        for c in controls["controls"]:
            f = got[c["filter"]]
            self.assertEqual(f["filterPattern"], c["pattern"])
            self.assertEqual(f["logGroupName"], group)
            self.assertEqual(f["metricTransformations"],
                             [{"metricName": c["metric"], "metricNamespace": "CISBenchmark",
                               "metricValue": "1"}])
        # By metric, and a page at a time.
        r = self.logs.describe_metric_filters(metricName="root_usage_metric",
                                              metricNamespace="CISBenchmark")
        self.assertEqual([f["filterName"] for f in r["metricFilters"]], ["root_usage_metric"])
        pages = self.logs.get_paginator("describe_metric_filters").paginate(
            logGroupName=group, PaginationConfig={"PageSize": 4})
        names = [f["filterName"] for p in pages for f in p["metricFilters"]]
        self.assertEqual(sorted(names), sorted(got))
        r = self.logs.describe_metric_filters(logGroupName=group, filterNamePrefix="vpc")
        self.assertEqual([f["filterName"] for f in r["metricFilters"]], ["vpc_changes_metric"])
        # Putting a filter of the same name replaces it.
        self.logs.put_metric_filter(
            logGroupName=group, filterName="vpc_changes_metric", filterPattern="{ $.eventName = CreateVpc }",
            metricTransformations=[{"metricName": "vpc_changes_metric",
                                    "metricNamespace": "CISBenchmark", "metricValue": "1"}])
        r = self.logs.describe_metric_filters(logGroupName=group, filterNamePrefix="vpc")
        self.assertEqual(r["metricFilters"][0]["filterPattern"], "{ $.eventName = CreateVpc }")
        rc, _, err = self.srv.aws("logs", "delete-metric-filter", "--log-group-name", group,
                                  "--filter-name", "vpc_changes_metric")
        self.assertEqual(rc, 0, err)
        msg = self.fails(self.logs.delete_metric_filter, "ResourceNotFoundException", 400,
                         logGroupName=group, filterName="vpc_changes_metric")
        self.assertEqual(msg, "The specified metric filter does not exist.")
        # The filters leave with their group.
        self.logs.delete_log_group(logGroupName=group)
        self.logs.create_log_group(logGroupName=group)
        self.assertEqual(self.logs.describe_metric_filters(logGroupName=group)["metricFilters"], [])

    def test_metric_filter_rules(self):
        t = {"metricName": "m", "metricNamespace": "ns", "metricValue": "1"}
        msg = self.fails(self.logs.put_metric_filter, "ResourceNotFoundException", 400,
                         logGroupName="mf/none", filterName="f", filterPattern="ERROR",
                         metricTransformations=[t])
        self.assertEqual(msg, "The specified log group does not exist.")
        self.logs.create_log_group(logGroupName="mf/rules")
        put = lambda **kw: self.logs.put_metric_filter(logGroupName="mf/rules", **kw)
        msg = self.fails(put, "InvalidParameterException", 400, filterName="f",
                         filterPattern="{ $.a = ", metricTransformations=[t])
        self.assertEqual(msg, "Invalid metric filter pattern")
        msg = self.fails(put, "InvalidParameterException", 400, filterName="f",
                         filterPattern="ERROR",
                         metricTransformations=[dict(t, dimensions={"d": "$.a"})])
        self.assertEqual(msg, "The specified filter pattern does not support dimensions")
        self.fails(put, "InvalidParameterException", 400, filterName="f",
                   filterPattern="{ $.a = * }",
                   metricTransformations=[dict(t, dimensions={"d": "$.a"}, defaultValue=0.0)])
        self.fails(put, "InvalidParameterException", 400, filterName="f",
                   filterPattern="{ $.a = * }",
                   metricTransformations=[dict(t, dimensions={"a": "$.a", "b": "$.b", "c": "$.c",
                                                              "d": "$.d"})])
        self.fails(put, "InvalidParameterException", 400, filterName="f",
                   filterPattern="[ip, user]", metricTransformations=[dict(t, metricValue="$bytes")])
        self.assertEqual(self.logs.describe_metric_filters(logGroupName="mf/rules")["metricFilters"], [])
        # What is allowed: a selector value, dimensions of a JSON or delimited pattern.
        put(filterName="latency", filterPattern="{ $.latency = * }",
            metricTransformations=[dict(t, metricValue="$.latency", dimensions={"op": "$.op"})])
        put(filterName="bytes", filterPattern="[ip, user, ..., status, bytes]",
            metricTransformations=[dict(t, metricValue="$bytes", dimensions={"status": "$status"})])
        # At most five filters with a regex, and 100 in all.
        for i in range(5):
            put(filterName="re%d" % i, filterPattern="%ERR[0-9]%", metricTransformations=[t])
        self.fails(put, "LimitExceededException", 400, filterName="re5",
                   filterPattern="%ERR[0-9]%", metricTransformations=[t])
        put(filterName="re4", filterPattern="%WARN%", metricTransformations=[t])  # a replacement
        for i in range(93):
            put(filterName="f%02d" % i, filterPattern="ERROR", metricTransformations=[t])
        msg = self.fails(put, "LimitExceededException", 400, filterName="one-too-many",
                         filterPattern="ERROR", metricTransformations=[t])
        self.assertEqual(msg, "Resource limit exceeded.")
        put(filterName="f00", filterPattern="WARN", metricTransformations=[t])

    def test_filter_log_events(self):
        g = "fl/app"
        self.logs.create_log_group(logGroupName=g)
        t0 = now_ms() - 60000
        for s in ("web-1", "web-2", "db-1"):
            self.logs.create_log_stream(logGroupName=g, logStreamName=s)
            self.logs.put_log_events(logGroupName=g, logStreamName=s, logEvents=[
                {"timestamp": t0 + i, "message": json.dumps({"level": "ERROR" if i % 3 == 0 else "INFO",
                                                             "n": i, "stream": s})}
                for i in range(30)])
        r = self.logs.filter_log_events(logGroupName=g, filterPattern='{ $.level = "ERROR" }')
        self.assertEqual(len(r["events"]), 30)
        self.assertNotIn("nextToken", r)
        self.assertEqual([e["timestamp"] for e in r["events"]],
                         sorted(e["timestamp"] for e in r["events"]))
        e = r["events"][0]
        self.assertEqual(set(e), {"logStreamName", "timestamp", "message", "ingestionTime", "eventId"})
        r = self.logs.filter_log_events(logGroupName=g, filterPattern="{ $.n >= 27 }",
                                        logStreamNamePrefix="web")
        self.assertEqual(sorted((e["logStreamName"], json.loads(e["message"])["n"]) for e in r["events"]),
                         [(s, n) for s in ("web-1", "web-2") for n in (27, 28, 29)])
        r = self.logs.filter_log_events(logGroupName=g, logStreamNames=["db-1"],
                                        startTime=t0 + 10, endTime=t0 + 20)
        self.assertEqual([json.loads(e["message"])["n"] for e in r["events"]], list(range(10, 20)))
        # Paging: a page of 7 at a time finds the same 30 events, once each.
        seen, token, calls = [], None, 0
        while True:
            kw = {"nextToken": token} if token else {}
            r = self.logs.filter_log_events(logGroupName=g, filterPattern="ERROR", limit=7, **kw)
            seen += [e["eventId"] for e in r["events"]]
            calls += 1
            token = r.get("nextToken")
            if not token:
                break
        self.assertEqual(len(seen), 30)
        self.assertEqual(len(set(seen)), 30)
        self.assertGreaterEqual(calls, 5)
        rc, out, err = self.srv.aws("logs", "filter-log-events", "--log-group-name", g,
                                    "--filter-pattern", "?ERROR ?INFO", "--page-size", "11")
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(out["events"]), 90)
        # The AWS CLI's documented flag form for a JSON pattern, quoted for the shell.
        rc, out, err = self.srv.aws("logs", "filter-log-events", "--log-group-name", g,
                                    "--filter-pattern", '{ ($.n = 1) || ($.n = 2) }',
                                    "--log-stream-names", "web-2")
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(out["events"]), 2)
        msg = self.fails(self.logs.filter_log_events, "InvalidParameterException", 400,
                         logGroupName=g, filterPattern="{ $.n = }")
        self.assertEqual(msg, "Invalid filter pattern")
        self.fails(self.logs.filter_log_events, "InvalidParameterException", 400,
                   logGroupName=g, logStreamNames=["web-1"], logStreamNamePrefix="web")
        self.fails(self.logs.filter_log_events, "ResourceNotFoundException", 400,
                   logGroupName="fl/none")
        self.fails(self.logs.filter_log_events, "InvalidParameterException", 400,
                   logGroupName=g, nextToken="f/bogus")


if __name__ == "__main__":
    unittest.main()
