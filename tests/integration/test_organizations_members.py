"""Organizations as member accounts and delegated admins see it, over the wire."""
import unittest
import botocore.exceptions
from tests.integration.harness import OrgtrailServer, error_code


class MemberWireTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = OrgtrailServer().start()
        cls.mgmt = cls.srv.client("organizations")
        cls.mgmt.create_organization()
        cls.mgmt.enable_aws_service_access(ServicePrincipal="cloudtrail.amazonaws.com")
        cls.member = cls.srv.create_account("member")
        cls.admin = cls.srv.create_account("ct-admin")

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def code(self, fn, **kw):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(**kw)
        return error_code(cm.exception)

    def test_member_sees_org_but_not_accounts(self):
        org = self.srv.client("organizations", self.srv.member_admin(self.member))
        o = org.describe_organization()["Organization"]
        self.assertEqual(o["MasterAccountId"], "111111111111")
        self.assertEqual(self.code(org.list_accounts), "AccessDeniedException")
        self.assertEqual(self.code(org.create_organizational_unit, ParentId="r-abcd", Name="x"),
                         "AccessDeniedException")
        recs = [r for r in self.srv.events(self.member)
                if r["eventSource"] == "organizations.amazonaws.com"]
        self.assertTrue(any(r["eventName"] == "ListAccounts"
                            and r.get("errorCode") == "AccessDeniedException" for r in recs))
        self.assertTrue(all(r["awsRegion"] == "us-east-1" for r in recs))
        self.assertEqual(recs[0]["userIdentity"]["type"], "AssumedRole")

    def test_delegated_admin_reads(self):
        self.mgmt.register_delegated_administrator(AccountId=self.admin,
                                                   ServicePrincipal="cloudtrail.amazonaws.com")
        org = self.srv.client("organizations", self.srv.member_admin(self.admin))
        ids = {a["Id"] for a in org.list_accounts()["Accounts"]}
        self.assertIn(self.member, ids)
        org.list_roots()
        self.assertEqual(self.code(org.leave_organization), "ConstraintViolationException")

    def test_invite_accept_leave(self):
        acct = self.srv.create_account("wanderer")
        self.mgmt.remove_account_from_organization(AccountId=acct)
        creds = self.srv.member_admin(acct, session="standalone")
        org = self.srv.client("organizations", creds)
        self.assertEqual(self.code(org.describe_organization), "AWSOrganizationsNotInUseException")
        h = self.mgmt.invite_account_to_organization(Target={"Id": acct, "Type": "ACCOUNT"})["Handshake"]
        mine = org.list_handshakes_for_account()["Handshakes"]
        self.assertEqual([x["Id"] for x in mine], [h["Id"]])
        acc = org.accept_handshake(HandshakeId=h["Id"])["Handshake"]
        self.assertEqual(acc["State"], "ACCEPTED")
        a = self.mgmt.describe_account(AccountId=acct)["Account"]
        self.assertEqual(a["JoinedMethod"], "INVITED")
        iam = self.srv.client("iam", creds)
        iam.get_role(RoleName="AWSServiceRoleForCloudTrail")
        org.leave_organization()
        self.assertEqual(self.code(org.describe_organization), "AWSOrganizationsNotInUseException")
        with self.assertRaises(botocore.exceptions.ClientError):
            iam.get_role(RoleName="AWSServiceRoleForCloudTrail")
        iam.get_role(RoleName="OrganizationAccountAccessRole")

    def test_created_account_role_over_iam(self):
        iam = self.srv.client("iam", self.srv.member_admin(self.member))
        r = iam.get_role(RoleName="OrganizationAccountAccessRole")["Role"]
        self.assertEqual(r["Path"], "/")
        stmt = r["AssumeRolePolicyDocument"]["Statement"][0]
        self.assertEqual(stmt["Principal"]["AWS"], "arn:aws:iam::111111111111:root")
        att = iam.list_attached_role_policies(RoleName="OrganizationAccountAccessRole")["AttachedPolicies"]
        self.assertEqual([p["PolicyArn"] for p in att], ["arn:aws:iam::aws:policy/AdministratorAccess"])
        for name in ("AWSServiceRoleForOrganizations", "AWSServiceRoleForCloudTrail"):
            iam.get_role(RoleName=name)


if __name__ == "__main__":
    unittest.main()
