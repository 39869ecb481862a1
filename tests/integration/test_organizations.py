"""AWS Organizations through boto3 and the AWS CLI, as the management account sees it.

Member-account views (DescribeOrganization as a member, AccessDenied for ListAccounts,
accepting invitations, LeaveOrganization, approving all features) need member
credentials, which come from IAM/STS (another branch); until then they are covered by
tests/unit/test_organizations.c, which calls the handlers with member principals.
"""
import json
import re
import unittest

import botocore.exceptions

from tests.integration.harness import OrgtrailServer, error_code

SCP = "SERVICE_CONTROL_POLICY"
DENY_STOP_LOGGING = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Deny", "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"],
                   "Resource": "*"}]})


def scp_document(action):
    return json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Effect": "Deny", "Action": action, "Resource": "*"}]})


class OrgTestCase(unittest.TestCase):
    srv = None

    @classmethod
    def tearDownClass(cls):
        if cls.srv:
            cls.srv.close()

    @classmethod
    def org(cls, region=None):
        return cls.srv.client("organizations", region=region)

    def fails(self, code, fn, reason=None, **kwargs):
        """Calls fn(**kwargs), asserts it fails with `code` (and Reason), returns the error."""
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(**kwargs)
        self.assertEqual(error_code(cm.exception), code, cm.exception.response)
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        if reason is not None:
            self.assertEqual(cm.exception.response.get("Reason"), reason, cm.exception.response)
        self.assertTrue(cm.exception.response["Error"]["Message"])
        return cm.exception.response

    @classmethod
    def root_id(cls):
        return cls.org().list_roots()["Roots"][0]["Id"]

    @classmethod
    def new_ou(cls, name, parent=None):
        return cls.org().create_organizational_unit(ParentId=parent or cls.root_id(),
                                                    Name=name)["OrganizationalUnit"]["Id"]


class BeforeAnOrganizationTest(OrgTestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = OrgtrailServer().start()

    def test_every_read_says_not_in_use(self):
        org = self.org()
        self.fails("AWSOrganizationsNotInUseException", org.describe_organization)
        self.fails("AWSOrganizationsNotInUseException", org.list_accounts)
        self.fails("AWSOrganizationsNotInUseException", org.list_roots)
        self.fails("AWSOrganizationsNotInUseException", org.create_account,
                   Email="a@example.com", AccountName="a")
        self.fails("AWSOrganizationsNotInUseException", org.delete_organization)

    def test_handshakes_of_an_account_without_organization_are_empty(self):
        self.assertEqual(self.org().list_handshakes_for_account()["Handshakes"], [])

    def test_cli_reports_not_in_use(self):
        rc, _, err = self.srv.aws("organizations", "describe-organization")
        self.assertNotEqual(rc, 0)
        self.assertIn("AWSOrganizationsNotInUseException", err)

    def test_organizations_role_can_go_without_an_organization(self):
        iam = self.srv.client("iam")
        iam.create_service_linked_role(AWSServiceName="organizations.amazonaws.com")
        task = iam.delete_service_linked_role(
            RoleName="AWSServiceRoleForOrganizations")["DeletionTaskId"]
        self.assertEqual(iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"],
                         "SUCCEEDED")


class SeedFlowTest(OrgTestCase):
    """The organization the product's seed flow builds, then everything around it."""

    @classmethod
    def setUpClass(cls):
        cls.srv = OrgtrailServer().start()
        org = cls.org()
        cls.created = org.create_organization(FeatureSet="ALL")["Organization"]
        cls.roots_at_creation = org.list_roots()["Roots"]
        cls.root = cls.roots_at_creation[0]["Id"]
        cls.log_archive = cls.srv.create_account("log-archive")
        cls.member1 = cls.srv.create_account("member-one")
        cls.member2 = cls.srv.create_account("member-two")
        cls.workloads = cls.new_ou("Workloads")
        for acct in (cls.member1, cls.member2):
            org.move_account(AccountId=acct, SourceParentId=cls.root,
                             DestinationParentId=cls.workloads)
        org.enable_aws_service_access(ServicePrincipal="cloudtrail.amazonaws.com")
        cls.enabled_root = org.enable_policy_type(RootId=cls.root, PolicyType=SCP)["Root"]
        cls.policy = org.create_policy(Name="DenyCloudTrailTamper", Description="deny stop/delete",
                                       Type=SCP, Content=DENY_STOP_LOGGING)["Policy"]
        cls.policy_id = cls.policy["PolicySummary"]["Id"]
        org.attach_policy(PolicyId=cls.policy_id, TargetId=cls.workloads)
        org.register_delegated_administrator(AccountId=cls.log_archive,
                                             ServicePrincipal="cloudtrail.amazonaws.com")

    # -- the organization --------------------------------------------------------------
    def test_organizations_role_stays_while_the_account_manages_it(self):
        """IAM accepts the deletion request; the task fails because Organizations still
        uses the role, and GetServiceLinkedRoleDeletionStatus says so (IAM API
        reference, DeleteServiceLinkedRole)."""
        iam = self.srv.client("iam")
        task = iam.delete_service_linked_role(
            RoleName="AWSServiceRoleForOrganizations")["DeletionTaskId"]
        status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
        self.assertEqual(status["Status"], "FAILED")
        self.assertIn(self.created["Id"], status["Reason"]["Reason"])
        usage = status["Reason"]["RoleUsageList"][0]
        self.assertEqual(usage["Resources"], [self.created["Arn"]])
        self.assertEqual(iam.get_role(RoleName="AWSServiceRoleForOrganizations")["Role"]["RoleName"],
                         "AWSServiceRoleForOrganizations")

    def test_organization_shape(self):
        o = self.created
        self.assertRegex(o["Id"], r"^o-[a-z0-9]{10}$")
        self.assertEqual(o["Arn"], "arn:aws:organizations::111111111111:organization/" + o["Id"])
        self.assertEqual(o["FeatureSet"], "ALL")
        self.assertEqual(o["MasterAccountId"], "111111111111")
        self.assertEqual(o["MasterAccountArn"],
                         "arn:aws:organizations::111111111111:account/%s/111111111111" % o["Id"])
        self.assertIn("@", o["MasterAccountEmail"])
        self.assertEqual(self.org().describe_organization()["Organization"], o)

    def test_root_shape_and_scp_not_enabled_at_creation(self):
        r = self.roots_at_creation[0]
        self.assertRegex(r["Id"], r"^r-[a-z0-9]{4}$")
        self.assertEqual(r["Name"], "Root")
        self.assertEqual(r["Arn"], "arn:aws:organizations::111111111111:root/%s/%s"
                         % (self.created["Id"], r["Id"]))
        self.assertEqual(r["PolicyTypes"], [])
        self.assertEqual(self.enabled_root["PolicyTypes"], [{"Type": SCP, "Status": "ENABLED"}])
        self.assertEqual(self.org().list_roots()["Roots"][0]["PolicyTypes"],
                         [{"Type": SCP, "Status": "ENABLED"}])

    def test_second_organization_is_refused(self):
        self.fails("AlreadyInOrganizationException", self.org().create_organization)

    def test_organization_with_members_cannot_be_deleted(self):
        self.fails("OrganizationNotEmptyException", self.org().delete_organization)

    # -- accounts ----------------------------------------------------------------------
    def test_create_account_answers_in_progress_then_succeeds(self):
        org = self.org()
        st = org.create_account(Email="async@example.com", AccountName="async")["CreateAccountStatus"]
        self.assertEqual(st["State"], "IN_PROGRESS")
        self.assertRegex(st["Id"], r"^car-[a-z0-9]{8}$")
        self.assertEqual(st["AccountName"], "async")
        self.assertNotIn("AccountId", st)
        done = org.describe_create_account_status(CreateAccountRequestId=st["Id"])["CreateAccountStatus"]
        self.assertEqual(done["State"], "SUCCEEDED")
        self.assertRegex(done["AccountId"], r"^\d{12}$")
        self.assertIn("CompletedTimestamp", done)
        acct = org.describe_account(AccountId=done["AccountId"])["Account"]
        self.assertEqual(acct["JoinedMethod"], "CREATED")
        self.assertEqual(acct["Email"], "async@example.com")
        self.assertEqual(org.list_parents(ChildId=done["AccountId"])["Parents"],
                         [{"Id": self.root, "Type": "ROOT"}])
        statuses = org.list_create_account_status(States=["SUCCEEDED"])["CreateAccountStatuses"]
        self.assertIn(st["Id"], [s["Id"] for s in statuses])

    def test_create_account_with_a_taken_email_fails_asynchronously(self):
        org = self.org()
        st = org.create_account(Email="log-archive@example.com",
                                AccountName="again")["CreateAccountStatus"]
        self.assertEqual(st["State"], "IN_PROGRESS")
        done = org.describe_create_account_status(CreateAccountRequestId=st["Id"])["CreateAccountStatus"]
        self.assertEqual(done["State"], "FAILED")
        self.assertEqual(done["FailureReason"], "EMAIL_ALREADY_EXISTS")
        self.assertNotIn("AccountId", done)
        failed = org.list_create_account_status(States=["FAILED"])["CreateAccountStatuses"]
        self.assertEqual([s["Id"] for s in failed], [st["Id"]])

    def test_create_account_refuses_a_service_role_name(self):
        self.fails("InvalidInputException", self.org().create_account, reason="INVALID_ROLE_NAME",
                   Email="svc@example.com", AccountName="svc", RoleName="AWSServiceRoleForX")

    def test_create_account_with_tags(self):
        org = self.org()
        st = org.create_account(Email="tagged@example.com", AccountName="tagged",
                                Tags=[{"Key": "team", "Value": "audit"}])["CreateAccountStatus"]
        acct = org.describe_create_account_status(
            CreateAccountRequestId=st["Id"])["CreateAccountStatus"]["AccountId"]
        self.assertEqual(org.list_tags_for_resource(ResourceId=acct)["Tags"],
                         [{"Key": "team", "Value": "audit"}])

    def test_unknown_create_account_request(self):
        self.fails("CreateAccountStatusNotFoundException",
                   self.org().describe_create_account_status, CreateAccountRequestId="car-00000000")

    def test_account_shape(self):
        a = self.org().describe_account(AccountId=self.member1)["Account"]
        self.assertEqual(a["Id"], self.member1)
        self.assertEqual(a["Arn"], "arn:aws:organizations::111111111111:account/%s/%s"
                         % (self.created["Id"], self.member1))
        self.assertEqual(a["Name"], "member-one")
        self.assertEqual(a["Email"], "member-one@example.com")
        self.assertEqual((a["Status"], a["State"], a["JoinedMethod"]), ("ACTIVE", "ACTIVE", "CREATED"))
        self.assertEqual(a["Paths"], ["%s/%s/%s/%s/" % (self.created["Id"], self.root,
                                                         self.workloads, self.member1)])
        mgmt = self.org().describe_account(AccountId="111111111111")["Account"]
        self.assertEqual(mgmt["JoinedMethod"], "INVITED")

    def test_unknown_account(self):
        self.fails("AccountNotFoundException", self.org().describe_account, AccountId="999999999999")

    def test_model_validation_carries_a_reason(self):
        self.fails("InvalidInputException", self.org().describe_account, reason="INVALID_PATTERN",
                   AccountId="12345")

    def test_list_accounts_pages(self):
        org = self.org()
        everyone = set()
        token, pages = None, 0
        while True:
            kw = {"MaxResults": 2}
            if token:
                kw["NextToken"] = token
            page = org.list_accounts(**kw)
            pages += 1
            self.assertLessEqual(len(page["Accounts"]), 2)
            everyone.update(a["Id"] for a in page["Accounts"])
            token = page.get("NextToken")
            if not token:
                break
        self.assertGreaterEqual(pages, 2)
        self.assertTrue({"111111111111", self.log_archive, self.member1, self.member2} <= everyone)
        self.assertEqual(everyone, {a["Id"] for a in org.list_accounts()["Accounts"]})

    def test_paginator_and_cli_follow_tokens(self):
        org = self.org()
        ids = [a["Id"] for p in org.get_paginator("list_accounts").paginate(
            PaginationConfig={"PageSize": 1}) for a in p["Accounts"]]
        self.assertEqual(len(ids), len(set(ids)))
        self.assertEqual(set(ids), {a["Id"] for a in org.list_accounts()["Accounts"]})
        rc, out, err = self.srv.aws("organizations", "list-accounts", "--page-size", "1")
        self.assertEqual(rc, 0, err)
        self.assertEqual({a["Id"] for a in out["Accounts"]}, set(ids))

    def test_bad_next_token(self):
        org = self.org()
        self.fails("InvalidInputException", org.list_accounts, reason="INVALID_NEXT_TOKEN",
                   NextToken="garbage")
        token = org.list_accounts(MaxResults=1)["NextToken"]
        # A token belongs to the operation that issued it.
        self.fails("InvalidInputException", org.list_roots, reason="INVALID_NEXT_TOKEN",
                   NextToken=token)

    def test_list_accounts_for_parent_and_children(self):
        org = self.org()
        in_ou = {a["Id"] for a in org.list_accounts_for_parent(ParentId=self.workloads)["Accounts"]}
        self.assertEqual(in_ou, {self.member1, self.member2})
        at_root = {a["Id"] for a in org.list_accounts_for_parent(ParentId=self.root)["Accounts"]}
        self.assertIn(self.log_archive, at_root)
        self.assertNotIn(self.member1, at_root)
        kids = org.list_children(ParentId=self.root, ChildType="ORGANIZATIONAL_UNIT")["Children"]
        self.assertIn({"Id": self.workloads, "Type": "ORGANIZATIONAL_UNIT"}, kids)
        kids = org.list_children(ParentId=self.workloads, ChildType="ACCOUNT")["Children"]
        self.assertEqual({k["Id"] for k in kids}, {self.member1, self.member2})
        self.assertEqual(org.list_parents(ChildId=self.member1)["Parents"],
                         [{"Id": self.workloads, "Type": "ORGANIZATIONAL_UNIT"}])
        self.assertEqual(org.list_parents(ChildId=self.workloads)["Parents"],
                         [{"Id": self.root, "Type": "ROOT"}])

    def test_unknown_parents_and_children(self):
        org = self.org()
        ghost_ou = "ou-%s-zzzzzzzz" % self.root[2:]
        self.fails("ParentNotFoundException", org.list_accounts_for_parent, ParentId=ghost_ou)
        self.fails("ParentNotFoundException", org.list_children, ParentId="r-zzzz",
                   ChildType="ACCOUNT")
        self.fails("ParentNotFoundException", org.list_organizational_units_for_parent,
                   ParentId=ghost_ou)
        self.fails("ChildNotFoundException", org.list_parents, ChildId="999999999999")
        self.fails("ChildNotFoundException", org.list_parents, ChildId=ghost_ou)

    def test_move_account_errors(self):
        org = self.org()
        self.fails("AccountNotFoundException", org.move_account, AccountId="999999999999",
                   SourceParentId=self.root, DestinationParentId=self.workloads)
        self.fails("SourceParentNotFoundException", org.move_account, AccountId=self.log_archive,
                   SourceParentId="ou-%s-zzzzzzzz" % self.root[2:],
                   DestinationParentId=self.workloads)
        self.fails("DestinationParentNotFoundException", org.move_account,
                   AccountId=self.log_archive, SourceParentId=self.root,
                   DestinationParentId="ou-%s-zzzzzzzz" % self.root[2:])
        self.fails("DuplicateAccountException", org.move_account, AccountId=self.log_archive,
                   SourceParentId=self.root, DestinationParentId=self.root)

    def test_move_account_there_and_back(self):
        org = self.org()
        acct = self.srv.create_account("mover")
        ou = self.new_ou("MoveTarget")
        org.move_account(AccountId=acct, SourceParentId=self.root, DestinationParentId=ou)
        self.assertEqual(org.list_parents(ChildId=acct)["Parents"][0]["Id"], ou)
        org.move_account(AccountId=acct, SourceParentId=ou, DestinationParentId=self.root)
        self.assertEqual(org.list_parents(ChildId=acct)["Parents"][0]["Id"], self.root)

    # -- organizational units -----------------------------------------------------------
    def test_ou_shape_and_update(self):
        org = self.org()
        ou = org.create_organizational_unit(ParentId=self.workloads, Name="Prod")["OrganizationalUnit"]
        self.assertRegex(ou["Id"], r"^ou-%s-[a-z0-9]{8}$" % self.root[2:])
        self.assertEqual(ou["Arn"], "arn:aws:organizations::111111111111:ou/%s/%s"
                         % (self.created["Id"], ou["Id"]))
        self.assertEqual(ou["Path"], "%s/%s/%s/%s/" % (self.created["Id"], self.root,
                                                       self.workloads, ou["Id"]))
        self.assertEqual(org.describe_organizational_unit(OrganizationalUnitId=ou["Id"])
                         ["OrganizationalUnit"], ou)
        renamed = org.update_organizational_unit(OrganizationalUnitId=ou["Id"],
                                                 Name="Production")["OrganizationalUnit"]
        self.assertEqual(renamed["Name"], "Production")
        listed = org.list_organizational_units_for_parent(ParentId=self.workloads)["OrganizationalUnits"]
        self.assertIn(renamed, listed)

    def test_duplicate_ou_names(self):
        org = self.org()
        self.fails("DuplicateOrganizationalUnitException", org.create_organizational_unit,
                   ParentId=self.root, Name="Workloads")
        other = self.new_ou("Other")
        self.fails("DuplicateOrganizationalUnitException", org.update_organizational_unit,
                   OrganizationalUnitId=other, Name="Workloads")
        # The same name under another parent is fine.
        self.new_ou("Workloads", parent=other)

    def test_ou_depth_limit_is_five(self):
        parent = self.root
        for depth in range(1, 6):
            parent = self.new_ou("level-%d" % depth, parent=parent)
        self.fails("ConstraintViolationException", self.org().create_organizational_unit,
                   reason="OU_DEPTH_LIMIT_EXCEEDED", ParentId=parent, Name="level-6")

    def test_delete_ou(self):
        org = self.org()
        self.fails("OrganizationalUnitNotEmptyException", org.delete_organizational_unit,
                   OrganizationalUnitId=self.workloads)
        ou = self.new_ou("Ephemeral")
        org.delete_organizational_unit(OrganizationalUnitId=ou)
        for fn in (org.describe_organizational_unit, org.delete_organizational_unit):
            self.fails("OrganizationalUnitNotFoundException", fn, OrganizationalUnitId=ou)
        self.fails("OrganizationalUnitNotFoundException", org.update_organizational_unit,
                   OrganizationalUnitId=ou, Name="x")

    def test_create_ou_under_unknown_parent(self):
        self.fails("ParentNotFoundException", self.org().create_organizational_unit,
                   ParentId="ou-%s-zzzzzzzz" % self.root[2:], Name="x")

    # -- trusted access ---------------------------------------------------------------
    def test_trusted_access(self):
        org = self.org()
        enabled = org.list_aws_service_access_for_organization()["EnabledServicePrincipals"]
        self.assertIn("cloudtrail.amazonaws.com", [e["ServicePrincipal"] for e in enabled])
        org.enable_aws_service_access(ServicePrincipal="config.amazonaws.com")
        org.enable_aws_service_access(ServicePrincipal="config.amazonaws.com")  # no-op
        names = [e["ServicePrincipal"] for e in
                 org.list_aws_service_access_for_organization()["EnabledServicePrincipals"]]
        self.assertEqual(names.count("config.amazonaws.com"), 1)
        org.disable_aws_service_access(ServicePrincipal="config.amazonaws.com")
        names = [e["ServicePrincipal"] for e in
                 org.list_aws_service_access_for_organization()["EnabledServicePrincipals"]]
        self.assertNotIn("config.amazonaws.com", names)

    def test_unknown_service_principal(self):
        org = self.org()
        for fn in (org.enable_aws_service_access, org.disable_aws_service_access):
            self.fails("InvalidInputException", fn, reason="UNRECOGNIZED_SERVICE_PRINCIPAL",
                       ServicePrincipal="nonsense.amazonaws.com")

    # -- delegated administrators -------------------------------------------------------
    def test_delegated_administrator_listed(self):
        org = self.org()
        admins = org.list_delegated_administrators(
            ServicePrincipal="cloudtrail.amazonaws.com")["DelegatedAdministrators"]
        self.assertEqual([a["Id"] for a in admins], [self.log_archive])
        self.assertIn("DelegationEnabledDate", admins[0])
        self.assertEqual(admins[0]["Name"], "log-archive")
        services = org.list_delegated_services_for_account(
            AccountId=self.log_archive)["DelegatedServices"]
        self.assertEqual([s["ServicePrincipal"] for s in services], ["cloudtrail.amazonaws.com"])
        self.assertEqual(org.list_delegated_administrators(
            ServicePrincipal="guardduty.amazonaws.com")["DelegatedAdministrators"], [])

    def test_delegated_administrator_errors(self):
        org = self.org()
        ct = "cloudtrail.amazonaws.com"
        self.fails("ConstraintViolationException", org.register_delegated_administrator,
                   reason="CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR",
                   AccountId="111111111111", ServicePrincipal=ct)
        self.fails("AccountAlreadyRegisteredException", org.register_delegated_administrator,
                   AccountId=self.log_archive, ServicePrincipal=ct)
        self.fails("AccountNotFoundException", org.register_delegated_administrator,
                   AccountId="999999999999", ServicePrincipal=ct)
        self.fails("InvalidInputException", org.register_delegated_administrator,
                   reason="UNRECOGNIZED_SERVICE_PRINCIPAL", AccountId=self.member1,
                   ServicePrincipal="nonsense.amazonaws.com")
        self.fails("AccountNotRegisteredException", org.deregister_delegated_administrator,
                   AccountId=self.member1, ServicePrincipal=ct)
        self.fails("AccountNotFoundException", org.deregister_delegated_administrator,
                   AccountId="999999999999", ServicePrincipal=ct)
        self.fails("AccountNotRegisteredException", org.list_delegated_services_for_account,
                   AccountId=self.member2)
        self.fails("AccountNotFoundException", org.list_delegated_services_for_account,
                   AccountId="999999999999")
        self.fails("ConstraintViolationException", org.register_delegated_administrator,
                   reason="SERVICE_ACCESS_NOT_ENABLED", AccountId=self.member1,
                   ServicePrincipal="macie.amazonaws.com")

    def test_cloudtrail_allows_three_delegated_administrators(self):
        org = self.org()
        ct = "cloudtrail.amazonaws.com"
        extra = [self.srv.create_account("ct-admin-%d" % i) for i in range(3)]
        org.register_delegated_administrator(AccountId=extra[0], ServicePrincipal=ct)
        org.register_delegated_administrator(AccountId=extra[1], ServicePrincipal=ct)
        self.fails("ConstraintViolationException", org.register_delegated_administrator,
                   reason="MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED",
                   AccountId=extra[2], ServicePrincipal=ct)
        for acct in extra[:2]:
            org.deregister_delegated_administrator(AccountId=acct, ServicePrincipal=ct)
        admins = org.list_delegated_administrators(ServicePrincipal=ct)["DelegatedAdministrators"]
        self.assertEqual([a["Id"] for a in admins], [self.log_archive])

    def test_single_admin_services(self):
        org = self.org()
        gd = "guardduty.amazonaws.com"
        org.enable_aws_service_access(ServicePrincipal=gd)
        a, b = self.srv.create_account("gd-a"), self.srv.create_account("gd-b")
        org.register_delegated_administrator(AccountId=a, ServicePrincipal=gd)
        self.fails("ConstraintViolationException", org.register_delegated_administrator,
                   reason="DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE", AccountId=b,
                   ServicePrincipal=gd)
        services = org.list_delegated_services_for_account(AccountId=a)["DelegatedServices"]
        self.assertEqual([s["ServicePrincipal"] for s in services], [gd])
        org.deregister_delegated_administrator(AccountId=a, ServicePrincipal=gd)

    # -- policies ---------------------------------------------------------------------
    def test_policy_shape(self):
        s = self.policy["PolicySummary"]
        self.assertRegex(s["Id"], r"^p-[a-z0-9]{8}$")
        self.assertEqual(s["Arn"], "arn:aws:organizations::111111111111:policy/%s/"
                         "service_control_policy/%s" % (self.created["Id"], s["Id"]))
        self.assertEqual((s["Name"], s["Type"], s["AwsManaged"]),
                         ("DenyCloudTrailTamper", SCP, False))
        self.assertEqual(self.policy["Content"], DENY_STOP_LOGGING)
        self.assertEqual(self.org().describe_policy(PolicyId=s["Id"])["Policy"], self.policy)

    def test_full_aws_access_everywhere(self):
        org = self.org()
        full = org.describe_policy(PolicyId="p-FullAWSAccess")["Policy"]
        self.assertEqual(full["PolicySummary"]["Arn"],
                         "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess")
        self.assertTrue(full["PolicySummary"]["AwsManaged"])
        self.assertEqual(json.loads(full["Content"])["Statement"][0]["Action"], "*")
        targets = {t["TargetId"]: t for t in
                   org.list_targets_for_policy(PolicyId="p-FullAWSAccess")["Targets"]}
        for t in (self.root, self.workloads, self.log_archive, self.member1, "111111111111"):
            self.assertIn(t, targets)
        self.assertEqual(targets[self.root]["Type"], "ROOT")
        self.assertEqual(targets[self.workloads]["Type"], "ORGANIZATIONAL_UNIT")
        self.assertEqual(targets[self.workloads]["Name"], "Workloads")
        self.assertEqual(targets[self.member1]["Type"], "ACCOUNT")
        # New OUs and accounts start with it too.
        ou = self.new_ou("FreshOu")
        acct = self.srv.create_account("fresh")
        for t in (ou, acct):
            attached = org.list_policies_for_target(TargetId=t, Filter=SCP)["Policies"]
            self.assertEqual([p["Id"] for p in attached], ["p-FullAWSAccess"])

    def test_policies_listed(self):
        org = self.org()
        ids = [p["Id"] for p in org.list_policies(Filter=SCP)["Policies"]]
        self.assertIn("p-FullAWSAccess", ids)
        self.assertIn(self.policy_id, ids)
        self.assertEqual(org.list_policies(Filter="TAG_POLICY")["Policies"], [])
        on_ou = [p["Id"] for p in org.list_policies_for_target(TargetId=self.workloads,
                                                                Filter=SCP)["Policies"]]
        self.assertEqual(set(on_ou), {"p-FullAWSAccess", self.policy_id})
        targets = [t["TargetId"] for t in org.list_targets_for_policy(PolicyId=self.policy_id)["Targets"]]
        self.assertIn(self.workloads, targets)
        self.assertNotIn(self.root, targets)

    def test_policy_type_errors(self):
        org = self.org()
        self.fails("PolicyTypeAlreadyEnabledException", org.enable_policy_type, RootId=self.root,
                   PolicyType=SCP)
        self.fails("RootNotFoundException", org.enable_policy_type, RootId="r-zzzz",
                   PolicyType=SCP)
        self.fails("RootNotFoundException", org.disable_policy_type, RootId="r-zzzz",
                   PolicyType=SCP)
        self.fails("PolicyTypeNotEnabledException", org.disable_policy_type, RootId=self.root,
                   PolicyType="BACKUP_POLICY")

    def test_create_policy_errors(self):
        org = self.org()
        self.fails("MalformedPolicyDocumentException", org.create_policy, Name="bad",
                   Description="", Type=SCP, Content="{not json")
        self.fails("MalformedPolicyDocumentException", org.create_policy, Name="bad",
                   Description="", Type=SCP, Content=json.dumps({"Version": "2012-10-17"}))
        huge = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Action": "s3:%s" % ("x" * 40), "Resource": "*"}] * 120})
        self.assertGreater(len(huge), 5120)
        self.fails("ConstraintViolationException", org.create_policy,
                   reason="POLICY_CONTENT_LIMIT_EXCEEDED", Name="huge", Description="", Type=SCP,
                   Content=huge)
        self.fails("DuplicatePolicyException", org.create_policy, Name="DenyCloudTrailTamper",
                   Description="", Type=SCP, Content=DENY_STOP_LOGGING)
        self.fails("DuplicatePolicyException", org.create_policy, Name="FullAWSAccess",
                   Description="", Type=SCP, Content=DENY_STOP_LOGGING)
        self.fails("PolicyNotFoundException", org.describe_policy, PolicyId="p-zzzzzzzz")

    def test_update_and_delete_policy(self):
        org = self.org()
        p = org.create_policy(Name="temp", Description="first", Type=SCP,
                              Content=scp_document("s3:DeleteBucket"))["Policy"]
        pid = p["PolicySummary"]["Id"]
        up = org.update_policy(PolicyId=pid, Name="temp2", Description="second",
                               Content=scp_document("s3:PutObject"))["Policy"]
        self.assertEqual((up["PolicySummary"]["Name"], up["PolicySummary"]["Description"]),
                         ("temp2", "second"))
        self.assertIn("s3:PutObject", up["Content"])
        self.assertEqual(org.describe_policy(PolicyId=pid)["Policy"], up)
        self.fails("DuplicatePolicyException", org.update_policy, PolicyId=pid,
                   Name="DenyCloudTrailTamper")
        self.fails("MalformedPolicyDocumentException", org.update_policy, PolicyId=pid,
                   Content="[]")
        self.fails("InvalidInputException", org.update_policy, reason="IMMUTABLE_POLICY",
                   PolicyId="p-FullAWSAccess", Name="mine")
        self.fails("InvalidInputException", org.delete_policy, reason="IMMUTABLE_POLICY",
                   PolicyId="p-FullAWSAccess")
        self.fails("PolicyInUseException", org.delete_policy, PolicyId=self.policy_id)
        org.delete_policy(PolicyId=pid)
        self.fails("PolicyNotFoundException", org.delete_policy, PolicyId=pid)
        self.fails("PolicyNotFoundException", org.update_policy, PolicyId=pid, Name="x")

    def test_attach_and_detach(self):
        org = self.org()
        ou = self.new_ou("PolicyPlayground")
        self.fails("PolicyNotFoundException", org.attach_policy, PolicyId="p-zzzzzzzz", TargetId=ou)
        self.fails("TargetNotFoundException", org.attach_policy, PolicyId=self.policy_id,
                   TargetId="ou-%s-zzzzzzzz" % self.root[2:])
        self.fails("TargetNotFoundException", org.attach_policy, PolicyId=self.policy_id,
                   TargetId="999999999999")
        self.fails("DuplicatePolicyAttachmentException", org.attach_policy,
                   PolicyId="p-FullAWSAccess", TargetId=ou)
        # The last SCP stays: without one nothing would be allowed.
        self.fails("ConstraintViolationException", org.detach_policy,
                   reason="MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
                   PolicyId="p-FullAWSAccess", TargetId=ou)
        self.fails("PolicyNotAttachedException", org.detach_policy, PolicyId=self.policy_id,
                   TargetId=ou)
        org.attach_policy(PolicyId=self.policy_id, TargetId=ou)
        org.detach_policy(PolicyId="p-FullAWSAccess", TargetId=ou)
        self.assertEqual([p["Id"] for p in org.list_policies_for_target(TargetId=ou, Filter=SCP)["Policies"]],
                         [self.policy_id])
        # At most five SCPs per target.
        for i in range(4):
            pid = org.create_policy(Name="limit-%d" % i, Description="", Type=SCP,
                                    Content=scp_document("ec2:Action%d" % i))["Policy"]["PolicySummary"]["Id"]
            org.attach_policy(PolicyId=pid, TargetId=ou)
        self.fails("ConstraintViolationException", org.attach_policy,
                   reason="MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
                   PolicyId="p-FullAWSAccess", TargetId=ou)

    def test_policy_type_must_be_enabled_to_attach(self):
        org = self.org()
        tag_policy = org.create_policy(Name="tags", Description="", Type="TAG_POLICY",
                                       Content=json.dumps({"tags": {}}))["Policy"]
        self.fails("PolicyTypeNotEnabledException", org.attach_policy,
                   PolicyId=tag_policy["PolicySummary"]["Id"], TargetId=self.root)
        self.fails("MalformedPolicyDocumentException", org.create_policy, Name="tags2",
                   Description="", Type="TAG_POLICY", Content="nope")

    # -- tags -----------------------------------------------------------------------
    def test_tags(self):
        org = self.org()
        for rid in (self.member1, self.workloads, self.root, self.policy_id):
            org.tag_resource(ResourceId=rid, Tags=[{"Key": "env", "Value": "prod"},
                                                   {"Key": "owner", "Value": "sec"}])
            org.tag_resource(ResourceId=rid, Tags=[{"Key": "env", "Value": "dev"}])
            self.assertEqual(org.list_tags_for_resource(ResourceId=rid)["Tags"],
                             [{"Key": "env", "Value": "dev"}, {"Key": "owner", "Value": "sec"}])
            org.untag_resource(ResourceId=rid, TagKeys=["env", "owner"])
            self.assertEqual(org.list_tags_for_resource(ResourceId=rid)["Tags"], [])

    def test_tag_errors(self):
        org = self.org()
        for fn, kw in ((org.tag_resource, {"Tags": [{"Key": "a", "Value": "b"}]}),
                       (org.untag_resource, {"TagKeys": ["a"]}),
                       (org.list_tags_for_resource, {})):
            self.fails("TargetNotFoundException", fn, ResourceId="999999999999", **kw)
        self.fails("InvalidInputException", org.tag_resource,
                   reason="INVALID_SYSTEM_TAGS_PARAMETER", ResourceId=self.member2,
                   Tags=[{"Key": "aws:reserved", "Value": "x"}])
        self.fails("InvalidInputException", org.tag_resource, reason="DUPLICATE_TAG_KEY",
                   ResourceId=self.member2,
                   Tags=[{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}])
        org.tag_resource(ResourceId=self.member2,
                         Tags=[{"Key": "k%d" % i, "Value": "v"} for i in range(50)])
        self.fails("ConstraintViolationException", org.tag_resource,
                   reason="MAX_TAG_LIMIT_EXCEEDED", ResourceId=self.member2,
                   Tags=[{"Key": "one-more", "Value": "v"}])
        org.untag_resource(ResourceId=self.member2, TagKeys=["k%d" % i for i in range(50)])

    # -- removal and invitations ------------------------------------------------------
    def test_removal_errors(self):
        org = self.org()
        self.fails("MasterCannotLeaveOrganizationException", org.remove_account_from_organization,
                   AccountId="111111111111")
        self.fails("MasterCannotLeaveOrganizationException", org.leave_organization)
        self.fails("AccountNotFoundException", org.remove_account_from_organization,
                   AccountId="999999999999")
        self.fails("ConstraintViolationException", org.remove_account_from_organization,
                   reason="CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG",
                   AccountId=self.log_archive)

    def test_remove_and_invite_back(self):
        org = self.org()
        acct = self.srv.create_account("leaver")
        org.tag_resource(ResourceId=acct, Tags=[{"Key": "k", "Value": "v"}])
        org.remove_account_from_organization(AccountId=acct)
        self.assertNotIn(acct, [a["Id"] for a in org.list_accounts()["Accounts"]])
        self.fails("AccountNotFoundException", org.describe_account, AccountId=acct)
        self.fails("TargetNotFoundException", org.list_tags_for_resource, ResourceId=acct)
        self.fails("AccountNotFoundException", org.remove_account_from_organization, AccountId=acct)

        h = org.invite_account_to_organization(Target={"Id": acct, "Type": "ACCOUNT"},
                                               Notes="come back")["Handshake"]
        self.assertRegex(h["Id"], r"^h-[a-z0-9]{8,32}$")
        self.assertEqual(h["Arn"], "arn:aws:organizations::111111111111:handshake/%s/invite/%s"
                         % (self.created["Id"], h["Id"]))
        self.assertEqual((h["Action"], h["State"]), ("INVITE", "OPEN"))
        self.assertIn({"Id": acct, "Type": "ACCOUNT"}, h["Parties"])
        self.assertIn({"Id": self.created["Id"], "Type": "ORGANIZATION"}, h["Parties"])
        self.assertGreater(h["ExpirationTimestamp"], h["RequestedTimestamp"])
        types = [r["Type"] for r in h["Resources"]]
        self.assertIn("ORGANIZATION", types)
        self.assertIn("NOTES", types)
        self.assertEqual(org.describe_handshake(HandshakeId=h["Id"])["Handshake"], h)
        listed = org.list_handshakes_for_organization(Filter={"ActionType": "INVITE"})["Handshakes"]
        self.assertIn(h["Id"], [x["Id"] for x in listed])

        self.fails("DuplicateHandshakeException", org.invite_account_to_organization,
                   Target={"Id": acct, "Type": "ACCOUNT"})
        # The management account sent it and may cancel it, but not accept or decline it.
        self.fails("AccessDeniedException", org.accept_handshake, HandshakeId=h["Id"])
        self.fails("AccessDeniedException", org.decline_handshake, HandshakeId=h["Id"])
        canceled = org.cancel_handshake(HandshakeId=h["Id"])["Handshake"]
        self.assertEqual(canceled["State"], "CANCELED")
        self.fails("HandshakeAlreadyInStateException", org.cancel_handshake, HandshakeId=h["Id"])
        # Invite again by email address.
        again = org.invite_account_to_organization(
            Target={"Id": "leaver@example.com", "Type": "EMAIL"})["Handshake"]
        self.assertIn({"Id": acct, "Type": "ACCOUNT"}, again["Parties"])
        org.cancel_handshake(HandshakeId=again["Id"])

    def test_invitation_errors(self):
        org = self.org()
        self.fails("HandshakeConstraintViolationException", org.invite_account_to_organization,
                   reason="ALREADY_IN_AN_ORGANIZATION",
                   Target={"Id": self.member1, "Type": "ACCOUNT"})
        self.fails("AccountNotFoundException", org.invite_account_to_organization,
                   Target={"Id": "999999999999", "Type": "ACCOUNT"})
        self.fails("InvalidInputException", org.invite_account_to_organization,
                   reason="INVALID_PATTERN", Target={"Id": "12345", "Type": "ACCOUNT"})
        self.fails("InvalidInputException", org.invite_account_to_organization,
                   reason="INVALID_EMAIL_ADDRESS_TARGET",
                   Target={"Id": "nobody@example.com", "Type": "EMAIL"})
        self.fails("InvalidInputException", org.invite_account_to_organization,
                   reason="INVALID_PARTY_TYPE_TARGET",
                   Target={"Id": self.created["Id"], "Type": "ORGANIZATION"})
        for fn in (org.describe_handshake, org.accept_handshake, org.decline_handshake,
                   org.cancel_handshake):
            self.fails("HandshakeNotFoundException", fn, HandshakeId="h-0000000000")

    def test_enable_all_features_when_already_all(self):
        self.fails("HandshakeConstraintViolationException", self.org().enable_all_features,
                   reason="ORGANIZATION_ALREADY_HAS_ALL_FEATURES")

    # -- the AWS CLI ------------------------------------------------------------------
    def test_cli(self):
        rc, out, err = self.srv.aws("organizations", "describe-organization")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out["Organization"]["Id"], self.created["Id"])
        rc, out, err = self.srv.aws("organizations", "create-organizational-unit",
                                    "--parent-id", self.root, "--name", "FromCli")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out["OrganizationalUnit"]["Name"], "FromCli")
        ou = out["OrganizationalUnit"]["Id"]
        rc, out, err = self.srv.aws("organizations", "list-children", "--parent-id", self.root,
                                    "--child-type", "ORGANIZATIONAL_UNIT")
        self.assertEqual(rc, 0, err)
        self.assertIn(ou, [c["Id"] for c in out["Children"]])
        rc, _, err = self.srv.aws("organizations", "describe-account", "--account-id",
                                  "999999999999")
        self.assertNotEqual(rc, 0)
        self.assertIn("AccountNotFoundException", err)

    # -- CloudTrail records -----------------------------------------------------------
    def test_calls_are_recorded_in_us_east_1(self):
        # Organizations is global: records land in us-east-1 whatever region signed.
        self.org(region="eu-west-1").list_roots()
        self.fails("AccountNotFoundException", self.org(region="eu-west-1").describe_account,
                   AccountId="999999999999")
        recs = [r for r in self.srv.events("111111111111")
                if r["eventSource"] == "organizations.amazonaws.com"]
        names = {r["eventName"] for r in recs}
        for op in ("CreateOrganization", "CreateAccount", "CreateOrganizationalUnit",
                   "EnableAWSServiceAccess", "EnablePolicyType", "CreatePolicy", "AttachPolicy",
                   "RegisterDelegatedAdministrator", "MoveAccount", "ListRoots"):
            self.assertIn(op, names)
        self.assertTrue(all(r["awsRegion"] == "us-east-1" for r in recs))
        failed = [r for r in recs if r["eventName"] == "DescribeAccount"
                  and r.get("errorCode") == "AccountNotFoundException"]
        self.assertTrue(failed)
        create = [r for r in recs if r["eventName"] == "CreateOrganization"][0]
        self.assertEqual(create["requestParameters"], {"featureSet": "ALL"})
        self.assertEqual(create["responseElements"]["organization"]["id"], self.created["Id"])
        self.assertFalse(create["readOnly"])
        # Account emails are sensitive and stay out of records.
        created = [r for r in recs if r["eventName"] == "CreateAccount"]
        self.assertNotIn("member-one@example.com", json.dumps(created))


class PolicyTypeToggleTest(OrgTestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = OrgtrailServer().start()
        cls.org().create_organization()

    def test_disable_detaches_and_reenable_starts_from_full_access(self):
        org = self.org()
        root = self.root_id()
        org.enable_policy_type(RootId=root, PolicyType=SCP)
        ou = self.new_ou("Team")
        pid = org.create_policy(Name="p", Description="", Type=SCP,
                                Content=DENY_STOP_LOGGING)["Policy"]["PolicySummary"]["Id"]
        org.attach_policy(PolicyId=pid, TargetId=ou)
        after = org.disable_policy_type(RootId=root, PolicyType=SCP)["Root"]
        self.assertEqual(after["PolicyTypes"], [])
        self.assertEqual(org.list_targets_for_policy(PolicyId=pid)["Targets"], [])
        self.fails("PolicyTypeNotEnabledException", org.disable_policy_type, RootId=root,
                   PolicyType=SCP)
        self.fails("PolicyTypeNotEnabledException", org.attach_policy, PolicyId=pid, TargetId=ou)
        org.enable_policy_type(RootId=root, PolicyType=SCP)
        on_ou = [p["Id"] for p in org.list_policies_for_target(TargetId=ou, Filter=SCP)["Policies"]]
        self.assertEqual(on_ou, ["p-FullAWSAccess"])
        # The policy itself survived.
        self.assertEqual(org.describe_policy(PolicyId=pid)["Policy"]["PolicySummary"]["Name"], "p")

    def test_other_policy_types(self):
        org = self.org()
        root = self.root_id()
        r = org.enable_policy_type(RootId=root, PolicyType="TAG_POLICY")["Root"]
        self.assertIn({"Type": "TAG_POLICY", "Status": "ENABLED"}, r["PolicyTypes"])
        pid = org.create_policy(Name="tags", Description="", Type="TAG_POLICY",
                                Content=json.dumps({"tags": {"env": {}}}))["Policy"]["PolicySummary"]
        self.assertEqual(pid["Arn"].split("/")[-2], "tag_policy")
        org.attach_policy(PolicyId=pid["Id"], TargetId=root)
        # Only SCPs must keep one attachment.
        org.detach_policy(PolicyId=pid["Id"], TargetId=root)
        org.disable_policy_type(RootId=root, PolicyType="TAG_POLICY")


class ConsolidatedBillingTest(OrgTestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = OrgtrailServer().start()
        cls.created = cls.org().create_organization(FeatureSet="CONSOLIDATED_BILLING")["Organization"]

    def test_a_no_policies_or_trusted_access(self):
        org = self.org()
        self.assertEqual(self.created["FeatureSet"], "CONSOLIDATED_BILLING")
        self.assertEqual(self.created["AvailablePolicyTypes"], [])
        root = self.root_id()
        self.fails("PolicyTypeNotAvailableForOrganizationException", org.enable_policy_type,
                   RootId=root, PolicyType=SCP)
        self.fails("PolicyTypeNotAvailableForOrganizationException", org.create_policy,
                   Name="p", Description="", Type=SCP, Content=DENY_STOP_LOGGING)
        self.fails("ConstraintViolationException", org.enable_aws_service_access,
                   reason="ORGANIZATION_NOT_IN_ALL_FEATURES_MODE",
                   ServicePrincipal="cloudtrail.amazonaws.com")

    def test_b_enable_all_features(self):
        org = self.org()
        acct = self.srv.create_account("created-member")
        h = org.enable_all_features()["Handshake"]
        self.assertEqual(h["Action"], "ENABLE_ALL_FEATURES")
        self.assertEqual(h["Arn"], "arn:aws:organizations::111111111111:handshake/%s/"
                         "enable_all_features/%s" % (self.created["Id"], h["Id"]))
        # Created accounts need not approve, so the management account can finalize now.
        self.assertEqual(h["State"], "OPEN")
        mine = org.list_handshakes_for_account()["Handshakes"]
        self.assertEqual([x["Id"] for x in mine], [h["Id"]])
        children = org.list_handshakes_for_organization(
            Filter={"ParentHandshakeId": h["Id"]})["Handshakes"]
        self.assertEqual(children, [])
        self.fails("HandshakeConstraintViolationException", org.enable_all_features,
                   reason="ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION")
        self.fails("HandshakeConstraintViolationException", org.invite_account_to_organization,
                   reason="INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES",
                   Target={"Id": acct, "Type": "ACCOUNT"})
        self.fails("InvalidInputException", org.list_handshakes_for_organization,
                   reason="MAX_LIMIT_EXCEEDED_FILTER",
                   Filter={"ActionType": "INVITE", "ParentHandshakeId": h["Id"]})
        done = org.accept_handshake(HandshakeId=h["Id"])["Handshake"]
        self.assertEqual(done["State"], "ACCEPTED")
        self.fails("HandshakeAlreadyInStateException", org.accept_handshake, HandshakeId=h["Id"])
        self.fails("InvalidHandshakeTransitionException", org.cancel_handshake, HandshakeId=h["Id"])
        o = org.describe_organization()["Organization"]
        self.assertEqual(o["FeatureSet"], "ALL")
        org.enable_policy_type(RootId=self.root_id(), PolicyType=SCP)
        self.assertIn("p-FullAWSAccess", [p["Id"] for p in org.list_policies(Filter=SCP)["Policies"]])

    def test_c_cancel_a_migration_then_delete_the_organization(self):
        org = self.org()
        for a in org.list_accounts()["Accounts"]:
            if a["Id"] != "111111111111":
                org.remove_account_from_organization(AccountId=a["Id"])
        org.delete_organization()
        self.fails("AWSOrganizationsNotInUseException", org.describe_organization)
        # A fresh consolidated-billing organization; a migration can be canceled.
        org.create_organization(FeatureSet="CONSOLIDATED_BILLING")
        h = org.enable_all_features()["Handshake"]
        self.assertEqual(org.cancel_handshake(HandshakeId=h["Id"])["Handshake"]["State"], "CANCELED")
        self.assertEqual(org.describe_organization()["Organization"]["FeatureSet"],
                         "CONSOLIDATED_BILLING")
        again = org.enable_all_features()["Handshake"]
        self.assertNotEqual(again["Id"], h["Id"])


class PersistenceTest(OrgTestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = OrgtrailServer().start()

    def test_state_survives_restart(self):
        org = self.org()
        o = org.create_organization()["Organization"]
        root = self.root_id()
        org.enable_policy_type(RootId=root, PolicyType=SCP)
        acct = self.srv.create_account("durable")
        ou = self.new_ou("Durable")
        org.move_account(AccountId=acct, SourceParentId=root, DestinationParentId=ou)
        pid = org.create_policy(Name="keep", Description="", Type=SCP,
                                Content=DENY_STOP_LOGGING)["Policy"]["PolicySummary"]["Id"]
        org.attach_policy(PolicyId=pid, TargetId=ou)
        org.tag_resource(ResourceId=ou, Tags=[{"Key": "k", "Value": "v"}])
        org.enable_aws_service_access(ServicePrincipal="cloudtrail.amazonaws.com")
        org.register_delegated_administrator(AccountId=acct,
                                             ServicePrincipal="cloudtrail.amazonaws.com")
        before = (org.list_accounts()["Accounts"], org.list_roots()["Roots"],
                  org.list_policies_for_target(TargetId=ou, Filter=SCP)["Policies"])
        self.srv.restart()
        org = self.org()
        self.assertEqual(org.describe_organization()["Organization"], o)
        after = (org.list_accounts()["Accounts"], org.list_roots()["Roots"],
                 org.list_policies_for_target(TargetId=ou, Filter=SCP)["Policies"])
        self.assertEqual(after, before)
        self.assertEqual(org.list_tags_for_resource(ResourceId=ou)["Tags"],
                         [{"Key": "k", "Value": "v"}])
        self.assertEqual([a["Id"] for a in org.list_delegated_administrators()["DelegatedAdministrators"]],
                         [acct])
        self.assertEqual(org.list_parents(ChildId=acct)["Parents"][0]["Id"], ou)


if __name__ == "__main__":
    unittest.main()
