"""IAM SimulateCustomPolicy against the policy conformance cases (tests/data/policy/).

The same cases the C loop runs through policy/authorize.h (tests/unit/
test_policy_conformance.c) run here through the API with boto3, wherever the simulator
can express them: an IAM user principal (CallerArn), identity policies, at most one
permissions boundary, a resource policy with its owner, and context entries. Cases with
SCPs, session policies, trust policies, or a root, role or service principal are the C
loop's alone.
The AWS CLI answers one case too, as a user would ask it.
"""
import glob
import json
import os
import unittest

import botocore.exceptions

from tests.integration.harness import ROOT, OrgtrailServer, error_code

DECISIONS = {"allow": "allowed", "explicit-deny": "explicitDeny", "implicit-deny": "implicitDeny"}
# The simulator wants a type per context key; the engine reads values per operator.
KEY_TYPES = {"aws:sourceip": "ip", "aws:currenttime": "date", "aws:securetransport": "boolean",
             "s3:max-keys": "numeric", "aws:multifactorauthage": "numeric"}
# PolicyInputList is required and may not be empty: a policy that allows nothing the
# cases ask for stands in for "no identity policy".
NOTHING = json.dumps({"Version": "2012-10-17",
                      "Statement": [{"Effect": "Allow", "Action": "none:none", "Resource": "*"}]})


def cases():
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "data", "policy", "*.json"))):
        with open(path) as f:
            doc = json.load(f)
        for c in doc["cases"]:
            merged = dict(doc.get("defaults", {}))
            merged.update(c)
            yield os.path.basename(path), merged


def expressible(c):
    p = c.get("principal", {})
    return (p.get("type", "user") == "user" and not c.get("scp") and not c.get("session")
            and not c.get("scps_apply") and not c.get("trust"))


def managed_documents():
    with open(os.path.join(ROOT, "data", "iam", "managed-policies.json")) as f:
        return {p["Arn"]: p["Document"] for p in json.load(f)["policies"]}


MANAGED = managed_documents()


def request_for(c):
    p = c["principal"]
    identity = c.get("identity", []) + [MANAGED[arn] for arn in c.get("managed", [])]
    req = {
        "PolicyInputList": [json.dumps(x) for x in identity] or [NOTHING],
        "ActionNames": [c["action"]],
        "ResourceArns": [c["resource"]],
        "CallerArn": p["arn"],
        "ResourceOwner": "arn:aws:iam::%s:root" % c.get("resource_account", p["account"]),
    }
    boundary = c.get("boundary") or MANAGED.get(c.get("boundary_managed"))
    if boundary:
        req["PermissionsBoundaryPolicyInputList"] = [json.dumps(boundary)]
    if c.get("resource_policy"):
        req["ResourcePolicy"] = json.dumps(c["resource_policy"])
    entries = []
    for key, value in c.get("context", {}).items():
        many = isinstance(value, list)
        kind = KEY_TYPES.get(key.lower(), "string")
        entries.append({"ContextKeyName": key, "ContextKeyValues": value if many else [value],
                        "ContextKeyType": kind + ("List" if many else "")})
    if entries:
        req["ContextEntries"] = entries
    return req


class SimulateCustomPolicyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = OrgtrailServer().start()
        cls.iam = cls.srv.client("iam")

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def test_conformance_cases(self):
        ran = 0
        for file, c in cases():
            if not expressible(c):
                continue
            with self.subTest(file=file, case=c["name"]):
                out = self.iam.simulate_custom_policy(**request_for(c))
                results = out["EvaluationResults"]
                self.assertEqual(len(results), 1)
                r = results[0]
                self.assertEqual(r["EvalActionName"], c["action"])
                self.assertEqual(r["EvalDecision"], DECISIONS[c["expect"]], c["rule"])
                specific = r["ResourceSpecificResults"]
                self.assertEqual([(x["EvalResourceName"], x["EvalResourceDecision"]) for x in specific],
                                 [(c["resource"], DECISIONS[c["expect"]])])
                if c.get("boundary") or c.get("boundary_managed"):
                    self.assertIn("PermissionsBoundaryDecisionDetail", r)
            ran += 1
        self.assertGreater(ran, 150)

    def test_most_restrictive_across_resources(self):
        policy = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::a/*"},
            {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::c/*"}]})
        out = self.iam.simulate_custom_policy(
            PolicyInputList=[policy], ActionNames=["s3:GetObject", "s3:PutObject"],
            ResourceArns=["arn:aws:s3:::a/x", "arn:aws:s3:::b/x", "arn:aws:s3:::c/x"])
        get, put = out["EvaluationResults"]
        self.assertEqual(get["EvalDecision"], "explicitDeny")
        self.assertEqual([x["EvalResourceDecision"] for x in get["ResourceSpecificResults"]],
                         ["allowed", "implicitDeny", "explicitDeny"])
        self.assertEqual(put["EvalDecision"], "implicitDeny")
        self.assertFalse(out["IsTruncated"])

    def test_missing_context_values(self):
        policy = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
             "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
                           "StringEquals": {"aws:RequestedRegion": "us-east-1"}}},
            {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*",
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})
        region = [{"ContextKeyName": "aws:RequestedRegion", "ContextKeyValues": ["us-east-1"],
                   "ContextKeyType": "string"}]
        # The "*" resource: the result's own list; only statements for the action count.
        out = self.iam.simulate_custom_policy(PolicyInputList=[policy], ActionNames=["s3:GetObject"],
                                              ContextEntries=region)["EvaluationResults"][0]
        self.assertEqual(out["MissingContextValues"], ["aws:SourceIp"])
        self.assertEqual(out["EvalDecision"], "implicitDeny")
        # With resources: each resource's list.
        out = self.iam.simulate_custom_policy(
            PolicyInputList=[policy], ActionNames=["s3:GetObject"],
            ResourceArns=["arn:aws:s3:::b/k"])["EvaluationResults"][0]
        self.assertEqual(sorted(out["ResourceSpecificResults"][0]["MissingContextValues"]),
                         ["aws:RequestedRegion", "aws:SourceIp"])
        ip = region + [{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.1.2.3"],
                        "ContextKeyType": "ip"}]
        out = self.iam.simulate_custom_policy(PolicyInputList=[policy], ActionNames=["s3:GetObject"],
                                              ContextEntries=ip)["EvaluationResults"][0]
        self.assertEqual(out["MissingContextValues"], [])
        self.assertEqual(out["EvalDecision"], "allowed")

    def test_paging_by_action(self):
        policy = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
        names = ["s3:GetObject", "s3:PutObject", "s3:ListBucket"]
        first = self.iam.simulate_custom_policy(PolicyInputList=[policy], ActionNames=names,
                                                MaxItems=2)
        self.assertTrue(first["IsTruncated"])
        rest = self.iam.simulate_custom_policy(PolicyInputList=[policy], ActionNames=names,
                                               MaxItems=2, Marker=first["Marker"])
        got = [r["EvalActionName"] for r in first["EvaluationResults"] + rest["EvaluationResults"]]
        self.assertEqual(got, names)

    def test_bad_input(self):
        bad = [
            ({"PolicyInputList": ["{not json"], "ActionNames": ["s3:GetObject"]}, "InvalidInput"),
            ({"PolicyInputList": [NOTHING], "ActionNames": ["s3:GetObject"],
              "ResourcePolicy": json.dumps({"Version": "2012-10-17", "Statement": [
                  {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]})},
             "InvalidInput"),  # a resource policy needs a CallerArn
            ({"PolicyInputList": [NOTHING], "ActionNames": ["s3:GetObject"],
              "CallerArn": "arn:aws:iam::111111111111:role/r"}, "InvalidInput"),
            ({"PolicyInputList": [NOTHING], "ActionNames": ["s3:GetObject"],
              "PermissionsBoundaryPolicyInputList": [NOTHING, NOTHING]}, "InvalidInput"),
            ({"PolicyInputList": [NOTHING], "ActionNames": ["s3:GetObject"],
              "ResourceOwner": "111111111111"}, "InvalidInput"),
        ]
        for kwargs, code in bad:
            with self.subTest(kwargs=kwargs):
                with self.assertRaises(botocore.exceptions.ClientError) as cm:
                    self.iam.simulate_custom_policy(**kwargs)
                self.assertEqual(error_code(cm.exception), code)

    def test_the_cli_asks_too(self):
        policy = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "cloudtrail:Describe*", "Resource": "*"}]})
        rc, out, err = self.srv.aws("iam", "simulate-custom-policy", "--policy-input-list", policy,
                                    "--action-names", "cloudtrail:DescribeTrails",
                                    "cloudtrail:StopLogging")
        self.assertEqual(rc, 0, err)
        self.assertEqual([r["EvalDecision"] for r in out["EvaluationResults"]],
                         ["allowed", "implicitDeny"])


if __name__ == "__main__":
    unittest.main()
