"""Ingestion over the wire: channels (boto3 cloudtrail), PutAuditEvents (boto3
cloudtrail-data) with per-event failures, checksums, limits and recipients across the
organization, the bulk NDJSON endpoint, and that all of it survives a restart."""
import base64
import hashlib
import json
import os
import sqlite3
import unittest
import urllib.error
import urllib.request
import uuid

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import botocore.exceptions

from tests.integration.harness import OrgtrailServer, error_code

MGMT = "111111111111"
EDS = [{"Type": "EVENT_DATA_STORE",
        "Location": "arn:aws:cloudtrail:us-east-1:%s:eventdatastore/orgtrail-eds" % MGMT}]


def event_data(**over):
    d = {"version": "1.0",
         "userIdentity": {"type": "ServiceAccount", "principalId": "svc-billing",
                          "details": {"team": "payments"}},
         "userAgent": "billing/3.1", "eventSource": "billing.internal.example",
         "eventName": "ChargeCard", "eventTime": "2026-05-01T09:35:00Z",
         "UID": str(uuid.uuid4()), "requestParameters": {"invoice": "inv-1"},
         "responseElements": {"status": "ok"}, "sourceIPAddress": "10.1.2.3"}
    d.update(over)
    return json.dumps(d)


def checksum(text):
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def record(account, **over):
    r = {"eventVersion": "1.11", "userIdentity": {"type": "IAMUser", "principalId": "AIDAX"},
         "eventTime": "2026-05-01T09:35:00Z", "eventSource": "inventory.internal.example",
         "eventName": "UpdateItem", "awsRegion": "us-east-1", "eventID": str(uuid.uuid4()),
         "recipientAccountId": account, "eventCategory": "Management"}
    r.update(over)
    return json.dumps(r)


class IngestTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = OrgtrailServer().start()
        org = cls.srv.client("organizations")
        org.create_organization(FeatureSet="ALL")
        cls.member = cls.srv.create_account("workload")
        cls.outsider_srv = None
        cls.ct = cls.srv.client("cloudtrail")
        cls.data = cls.srv.client("cloudtrail-data")
        cls.arn = cls.ct.create_channel(Name="org-services", Source="Custom",
                                        Destinations=EDS)["ChannelArn"]

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def code(self, fn, **kw):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(**kw)
        return error_code(cm.exception)

    def bulk(self, body, creds=None, sign=True):
        creds = creds or self.srv.root
        req = botocore.awsrequest.AWSRequest(method="POST", url=self.srv.endpoint + "/_orgtrail/ingest",
                                             data=body.encode(),
                                             headers={"Content-Type": "application/x-ndjson"})
        if sign:
            botocore.auth.SigV4Auth(botocore.credentials.Credentials(creds.access_key, creds.secret,
                                                                     creds.token),
                                    "cloudtrail-data", "us-east-1").add_auth(req)
        p = req.prepare()
        try:
            with urllib.request.urlopen(urllib.request.Request(p.url, data=p.body,
                                                               headers=dict(p.headers),
                                                               method="POST")) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    # -- channels ---------------------------------------------------------------------
    def test_channel_lifecycle(self):
        ct = self.ct
        out = ct.create_channel(Name="lifecycle", Source="Custom", Destinations=EDS,
                                Tags=[{"Key": "team", "Value": "sec"}])
        arn = out["ChannelArn"]
        self.assertRegex(arn, r"^arn:aws:cloudtrail:us-east-1:111111111111:channel/[0-9a-f-]{36}$")
        self.assertEqual(out["Tags"], [{"Key": "team", "Value": "sec"}])
        got = ct.get_channel(Channel=arn)
        self.assertEqual((got["Name"], got["Source"], got["Destinations"]), ("lifecycle", "Custom", EDS))
        self.assertEqual(ct.get_channel(Channel=arn.split("/")[-1])["ChannelArn"], arn)
        self.assertIn(arn, [c["ChannelArn"] for c in ct.list_channels()["Channels"]])
        self.assertEqual(ct.update_channel(Channel=arn, Name="lifecycle-2")["Name"], "lifecycle-2")
        self.assertEqual(self.code(ct.create_channel, Name="lifecycle-2", Source="Custom",
                                   Destinations=EDS), "ChannelAlreadyExistsException")
        self.assertEqual(self.code(ct.create_channel, Name="partner", Source="ExamplePartner",
                                   Destinations=EDS), "InvalidSourceException")
        self.assertEqual(self.code(ct.create_channel, Name="bad-eds", Source="Custom",
                                   Destinations=[{"Type": "EVENT_DATA_STORE", "Location": "nowhere"}]),
                         "EventDataStoreARNInvalidException")
        ct.delete_channel(Channel=arn)
        self.assertEqual(self.code(ct.get_channel, Channel=arn), "ChannelNotFoundException")
        self.assertEqual(self.code(ct.get_channel, Channel="arn:aws:cloudtrail:us-east-1:111111111111:trail/t"),
                         "ChannelARNInvalidException")
        # a member does not see the management account's channel
        member_ct = self.srv.client("cloudtrail", self.srv.member_admin(self.member))
        self.assertEqual(self.code(member_ct.get_channel, Channel=self.arn), "ChannelNotFoundException")

    # -- PutAuditEvents ---------------------------------------------------------------
    def test_put_audit_events(self):
        good = event_data()
        out = self.data.put_audit_events(channelArn=self.arn, auditEvents=[
            {"id": "ok-1", "eventData": good, "eventDataChecksum": checksum(good)},
            {"id": "ok-2", "eventData": event_data(eventName="RefundCard")},
            {"id": "bad-sum", "eventData": good, "eventDataChecksum": checksum(good + " ")},
            {"id": "missing", "eventData": json.dumps({"version": "1.0"})},
            {"id": "not-json", "eventData": "{nope"},
            {"id": "aws-source", "eventData": event_data(eventSource="iam.amazonaws.com")},
        ])
        ok = {e["id"]: e["eventID"] for e in out["successful"]}
        self.assertEqual(set(ok), {"ok-1", "ok-2"})
        failed = {e["id"]: e["errorCode"] for e in out["failed"]}
        self.assertEqual(failed, {"bad-sum": "InvalidChecksum", "missing": "FieldNotFound",
                                  "not-json": "InvalidData", "aws-source": "InvalidEventSource"})
        recs = {r["eventID"]: r for r in self.srv.events(MGMT)
                if r.get("eventCategory") == "ActivityAuditLog"}
        r = recs[ok["ok-1"]]
        self.assertEqual(r["eventSource"], "billing.internal.example")
        self.assertEqual(r["eventName"], "ChargeCard")
        self.assertEqual(r["eventType"], "ActivityLog")
        self.assertEqual(r["recipientAccountId"], MGMT)
        self.assertEqual(r["userIdentity"]["principalId"], "svc-billing")
        self.assertEqual(r["requestParameters"], {"invoice": "inv-1"})
        self.assertEqual(r["metadata"]["channelARN"], self.arn)
        self.assertEqual(recs[ok["ok-2"]]["eventName"], "RefundCard")
        # the call itself is recorded too, without the event bodies
        calls = [x for x in self.srv.events(MGMT) if x["eventName"] == "PutAuditEvents"]
        self.assertIn("ok-1", calls[-1]["requestParameters"]["auditEventIds"])
        status = self.ct.get_channel(Channel=self.arn)["IngestionStatus"]
        self.assertIn("LatestIngestionSuccessEventID", status)

    def test_channel_id_is_not_an_arn(self):
        # The documentation says "the ARN or ID (the ARN suffix) of a channel", but the
        # service model's ChannelArn pattern is ^arn:.*$, which AWS enforces: even the
        # channel's own ID is refused before the channel is looked up.
        chan_id = self.arn.rsplit("/", 1)[1]
        ev = [{"id": "by-id", "eventData": event_data()}]
        self.assertEqual(self.code(self.data.put_audit_events, channelArn=chan_id,
                                   auditEvents=ev), "InvalidChannelARN")
        self.assertEqual(self.code(self.data.put_audit_events, channelArn=self.arn.upper(),
                                   auditEvents=ev), "InvalidChannelARN")

    def test_request_errors(self):
        ev = [{"id": "a", "eventData": event_data()}]
        self.assertEqual(self.code(self.data.put_audit_events, channelArn="arn:aws:cloudtrail:x",
                                   auditEvents=ev), "InvalidChannelARN")
        self.assertEqual(self.code(self.data.put_audit_events, channelArn="not-an-arn",
                                   auditEvents=ev), "InvalidChannelARN")
        missing = self.arn.rsplit("/", 1)[0] + "/" + str(uuid.uuid4())
        self.assertEqual(self.code(self.data.put_audit_events, channelArn=missing, auditEvents=ev),
                         "ChannelNotFound")
        self.assertEqual(self.code(self.data.put_audit_events, channelArn=self.arn,
                                   auditEvents=ev + ev), "DuplicatedAuditEventId")
        many = [{"id": "e%d" % i, "eventData": event_data()} for i in range(101)]
        self.assertEqual(self.code(self.data.put_audit_events, channelArn=self.arn, auditEvents=many),
                         "ValidationException")
        big = event_data(requestParameters={"blob": "x" * 200000})
        five = [{"id": "b%d" % i, "eventData": big} for i in range(6)]
        self.assertEqual(self.code(self.data.put_audit_events, channelArn=self.arn, auditEvents=five),
                         "ValidationException")
        member_data = self.srv.client("cloudtrail-data", self.srv.member_admin(self.member))
        self.assertEqual(self.code(member_data.put_audit_events, channelArn=self.arn, auditEvents=ev),
                         "ChannelInsufficientPermission")
        # nothing of a refused request was stored
        ids = [r["eventData"]["UID"] for r in self.srv.events()
               if r.get("eventCategory") == "ActivityAuditLog"]
        self.assertEqual(len(ids), len(set(ids)))

    def test_recipients(self):
        # the management account writes for a member of its organization
        out = self.data.put_audit_events(channelArn=self.arn, auditEvents=[
            {"id": "for-member", "eventData": event_data(recipientAccountId=self.member)},
            {"id": "for-stranger", "eventData": event_data(recipientAccountId="999999999999")}])
        self.assertEqual([e["id"] for e in out["successful"]], ["for-member"])
        self.assertEqual(out["failed"][0]["errorCode"], "InvalidRecipient")
        eid = out["successful"][0]["eventID"]
        mine = [r for r in self.srv.events(self.member) if r["eventID"] == eid]
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine[0]["eventCategory"], "ActivityAuditLog")
        self.assertEqual(mine[0]["recipientAccountId"], self.member)
        # a member's channel writes for the member only
        creds = self.srv.member_admin(self.member)
        arn = self.srv.client("cloudtrail", creds).create_channel(
            Name="member-app", Source="Custom", Destinations=EDS)["ChannelArn"]
        md = self.srv.client("cloudtrail-data", creds)
        out = md.put_audit_events(channelArn=arn, auditEvents=[
            {"id": "own", "eventData": event_data()},
            {"id": "up", "eventData": event_data(recipientAccountId=MGMT)}])
        self.assertEqual([e["id"] for e in out["successful"]], ["own"])
        self.assertEqual(out["failed"][0]["errorCode"], "InvalidRecipient")

    # -- bulk -------------------------------------------------------------------------
    def test_bulk(self):
        good = [record(MGMT) for _ in range(5)] + [record(self.member)]
        dup = json.loads(good[0])
        lines = good + ["not json", record(MGMT, eventTime="yesterday"),
                        json.dumps({k: v for k, v in json.loads(record(MGMT)).items() if k != "eventName"}),
                        record("999999999999"), json.dumps(dup), ""]
        status, out = self.bulk("\n".join(lines) + "\n")
        self.assertEqual(status, 200)
        self.assertEqual((out["accepted"], out["rejected"]), (6, 5))
        errs = {e["line"]: e["errorCode"] for e in out["errors"]}
        self.assertEqual(errs, {7: "InvalidJson", 8: "InvalidData", 9: "FieldNotFound",
                                10: "InvalidRecipient", 11: "DuplicatedEventID"})
        ids = {json.loads(x)["eventID"] for x in good}
        stored = [r for r in self.srv.events() if r["eventID"] in ids]
        self.assertEqual(len(stored), 6)
        self.assertEqual(sorted(json.dumps(r, separators=(",", ":")) for r in stored),
                         sorted(json.dumps(json.loads(x), separators=(",", ":")) for x in good))
        member = [r for r in self.srv.events(self.member) if r["eventID"] in ids]
        self.assertEqual(len(member), 1)
        # the request is recorded as IngestRecords
        calls = [r for r in self.srv.events(MGMT) if r["eventName"] == "IngestRecords"]
        self.assertEqual(calls[-1]["responseElements"], {"accepted": 6, "rejected": 5})
        # unsigned, or by a member for the management account
        status, _ = self.bulk(record(MGMT), sign=False)
        self.assertEqual(status, 403)
        status, out = self.bulk(record(MGMT), creds=self.srv.member_admin(self.member))
        self.assertEqual((status, out["accepted"], out["errors"][0]["errorCode"]),
                         (200, 0, "InvalidRecipient"))

    def test_z_restart(self):
        out = self.data.put_audit_events(channelArn=self.arn, auditEvents=[
            {"id": "durable", "eventData": event_data()}])
        eid = out["successful"][0]["eventID"]
        rec = record(MGMT)
        self.assertEqual(self.bulk(rec)[1]["accepted"], 1)
        self.srv.restart()
        ids = {r["eventID"] for r in self.srv.events(MGMT)}
        self.assertIn(eid, ids)
        self.assertIn(json.loads(rec)["eventID"], ids)
        ct = self.srv.client("cloudtrail")  # the port changed
        self.assertEqual(ct.get_channel(Channel=self.arn)["Name"], "org-services")
        # and ingestion goes on after it
        data = self.srv.client("cloudtrail-data")
        out = data.put_audit_events(channelArn=self.arn, auditEvents=[
            {"id": "after", "eventData": event_data()}])
        self.assertEqual(len(out["successful"]), 1)



class BackpressureTest(unittest.TestCase):
    """Bulk ingestion waits while delivery's planning lags more than --ingest-backlog
    records behind capture: the unplanned backlog stays bounded however fast a collector
    sends, and every record is still stored once."""
    LIMIT, BATCH = 50, 100

    @classmethod
    def setUpClass(cls):
        cls.srv = OrgtrailServer(extra_args=("--delivery-interval", "1", "--ingest-backlog",
                                             str(cls.LIMIT))).start()

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def cursor(self):
        db = sqlite3.connect("file:%s?mode=ro" % os.path.join(self.srv.data, "state.db"),
                             uri=True, timeout=30)
        try:
            row = db.execute("SELECT next_seq FROM delivery_cursor WHERE id = 1").fetchone()
            return row[0] if row else 1
        finally:
            db.close()

    def test_backlog_stays_bounded(self):
        sent = set()
        for _ in range(8):
            lines = [record(MGMT) for _ in range(self.BATCH)]
            sent |= {json.loads(x)["eventID"] for x in lines}
            status, out = IngestTest.bulk(self, "\n".join(lines))
            self.assertEqual((status, out["accepted"]), (200, self.BATCH))
            # Each request stored its records only once planning had caught up to within
            # the limit, so no more than one batch (and a few API records) lies beyond it.
            captured = len(self.srv.events())
            self.assertLessEqual(captured - (self.cursor() - 1), self.LIMIT + self.BATCH + 10)
        stored = [r["eventID"] for r in self.srv.events(MGMT) if r["eventID"] in sent]
        self.assertEqual(len(stored), len(sent))
        self.assertEqual(len(set(stored)), len(sent))


if __name__ == "__main__":
    unittest.main()
