"""S3 buckets and bucket policies through boto3 and the AWS CLI: every operation and error,
cross-account access decided by the bucket policy, persistence, and the CloudTrail records."""
import json
import os
import re
import sqlite3
import time
import unittest

import botocore.exceptions

from tests.integration.harness import Creds, OrgtrailServer, error_code

MGMT = "111111111111"
OTHER = "222222222222"
FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")


def org_trail_policy(bucket, management_account=MGMT, org_id="o-exampleorgid",
                     region="us-east-1", trail_name="org-trail"):
    with open(os.path.join(FIXTURES, "org-trail-bucket-policy.json")) as f:
        text = f.read()
    for key, value in (("{bucket}", bucket), ("{management_account}", management_account),
                       ("{org_id}", org_id), ("{region}", region), ("{trail_name}", trail_name)):
        text = text.replace(key, value)
    return text


def add_account(srv, account_id, name):
    """A second account with root and IAM-user access keys and an assumed-role session,
    written straight into the store. Organizations (CreateAccount + member_admin) will
    make this unnecessary; until then it is the only way to get a second account."""
    stamp = int(time.time() * 1000)
    suffix = account_id[-4:]
    creds = {
        "root": Creds("AKIAROOTKEY%s0000" % suffix, "r" * 40, None, account_id),
        "user": Creds("AKIAUSERKEY%s0000" % suffix, "u" * 40, None, account_id),
        "role": Creds("ASIAROLEKEY%s0000" % suffix, "s" * 40, "token-" + suffix, account_id),
    }
    db = sqlite3.connect(os.path.join(srv.data, "state.db"), timeout=30)
    with db:
        db.execute("INSERT INTO accounts(id, name, email, created_ms) VALUES (?, ?, ?, ?)",
                   (account_id, name, "%s@example.com" % name, stamp))
        db.execute("INSERT INTO access_keys(access_key_id, secret, account_id, created_ms) "
                   "VALUES (?, ?, ?, ?)", (creds["root"].access_key, creds["root"].secret,
                                           account_id, stamp))
        db.execute("INSERT INTO iam_users(account_id, name, user_id, path, created_ms) "
                   "VALUES (?, 'auditor', ?, '/', ?)", (account_id, "AIDA" + suffix * 4, stamp))
        db.execute("INSERT INTO access_keys(access_key_id, secret, account_id, user_name, "
                   "created_ms) VALUES (?, ?, ?, 'auditor', ?)",
                   (creds["user"].access_key, creds["user"].secret, account_id, stamp))
        db.execute("INSERT INTO sessions(access_key_id, secret, session_token, account_id, "
                   "role_name, role_id, role_path, session_name, created_ms, expires_ms) "
                   "VALUES (?, ?, ?, ?, 'Reader', ?, '/', 'reader-session', ?, ?)",
                   (creds["role"].access_key, creds["role"].secret, creds["role"].token,
                    account_id, "AROA" + suffix * 4, stamp, stamp + 3600 * 1000))
        # Their own account lets them use S3; what another account's bucket allows them
        # is its bucket policy's to say (cross-account access needs both).
        s3_all = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
        db.execute("INSERT INTO iam_user_policies(account_id, user_name, policy_name, document) "
                   "VALUES (?, 'auditor', 's3', ?)", (account_id, s3_all))
        db.execute("INSERT INTO iam_role_policies(account_id, role_name, policy_name, document) "
                   "VALUES (?, 'Reader', 's3', ?)", (account_id, s3_all))
    db.close()
    return creds


class S3BucketsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = OrgtrailServer().start()
        cls.other = add_account(cls.srv, OTHER, "log-reader")

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def s3(self, creds=None, region=None):
        return self.srv.client("s3", creds, region)

    def assert_error(self, call, code, status, **kwargs):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            call(**kwargs)
        self.assertEqual(error_code(cm.exception), code)
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], status)
        return cm.exception.response

    def records(self, event_name, account=MGMT, bucket=None):
        out = [r for r in self.srv.events(account) if r["eventName"] == event_name
               and r["eventSource"] == "s3.amazonaws.com"]
        if bucket:
            out = [r for r in out if (r.get("requestParameters") or {}).get("bucketName") == bucket]
        return out

    # -- CreateBucket / HeadBucket / ListBuckets / DeleteBucket --------------------------
    def test_bucket_lifecycle(self):
        s3 = self.s3()
        out = s3.create_bucket(Bucket="life-cycle-bucket")
        self.assertEqual(out["Location"], "/life-cycle-bucket")
        head = s3.head_bucket(Bucket="life-cycle-bucket")
        self.assertEqual(head["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"], "us-east-1")
        self.assertEqual(head["ResponseMetadata"]["HTTPHeaders"].get("content-length"), "0")
        listed = s3.list_buckets()
        names = [b["Name"] for b in listed["Buckets"]]
        self.assertIn("life-cycle-bucket", names)
        self.assertEqual(names, sorted(names))
        self.assertTrue(re.fullmatch(r"[0-9a-f]{64}", listed["Owner"]["ID"]))
        self.assertEqual(listed["Owner"]["DisplayName"], "management")
        created = [b for b in listed["Buckets"] if b["Name"] == "life-cycle-bucket"][0]
        self.assertLess(abs(created["CreationDate"].timestamp() - time.time()), 300)
        self.assertNotIn("BucketRegion", created)  # only with the new ListBuckets parameters

        deleted = s3.delete_bucket(Bucket="life-cycle-bucket")
        self.assertEqual(deleted["ResponseMetadata"]["HTTPStatusCode"], 204)
        # HEAD errors carry no body: the client sees the bare status
        self.assert_error(s3.head_bucket, "404", 404, Bucket="life-cycle-bucket")
        resp = self.assert_error(s3.delete_bucket, "NoSuchBucket", 404, Bucket="life-cycle-bucket")
        self.assertEqual(resp["Error"]["Message"], "The specified bucket does not exist")
        self.assertEqual(resp["Error"]["BucketName"], "life-cycle-bucket")
        self.assertNotIn("life-cycle-bucket", [b["Name"] for b in s3.list_buckets()["Buckets"]])

    def test_cli_mb_ls_rb(self):
        rc, out, err = self.srv.aws("s3", "mb", "s3://cli-made-bucket")
        self.assertEqual(rc, 0, err)
        self.assertIn("make_bucket: cli-made-bucket", out)
        rc, out, err = self.srv.aws("s3", "ls")
        self.assertEqual(rc, 0, err)
        self.assertIn("cli-made-bucket", out)
        rc, out, err = self.srv.aws("s3api", "head-bucket", "--bucket", "cli-made-bucket")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.get("BucketRegion"), "us-east-1")
        rc, out, err = self.srv.aws("s3api", "get-bucket-location", "--bucket", "cli-made-bucket")
        self.assertEqual(rc, 0, err)
        self.assertIsNone(out["LocationConstraint"])
        rc, out, err = self.srv.aws("s3", "rb", "s3://cli-made-bucket")
        self.assertEqual(rc, 0, err)
        rc, out, err = self.srv.aws("s3api", "head-bucket", "--bucket", "cli-made-bucket")
        self.assertNotEqual(rc, 0)
        self.assertIn("404", err)
        rc, out, err = self.srv.aws("s3api", "create-bucket", "--bucket", "Not_Valid")
        self.assertNotEqual(rc, 0)
        self.assertIn("InvalidBucketName", err)

    def test_invalid_bucket_names(self):
        s3 = self.s3()
        for name in ["ab", "UpperCase", "under_score", "-leading", "trailing-", "two..dots",
                     "192.168.5.4", "xn--punycode", "sthree-reserved", "name-s3alias",
                     "a" * 64]:
            resp = self.assert_error(s3.create_bucket, "InvalidBucketName", 400, Bucket=name)
            self.assertEqual(resp["Error"]["Message"], "The specified bucket is not valid.")
            self.assertEqual(resp["Error"]["BucketName"], name)
        self.assertFalse([b for b in s3.list_buckets()["Buckets"] if b["Name"] == "ab"])

    def test_location_constraints(self):
        s3 = self.s3()
        self.assert_error(s3.create_bucket, "InvalidLocationConstraint", 400, Bucket="loc-east",
                          CreateBucketConfiguration={"LocationConstraint": "us-east-1"})
        self.assert_error(s3.create_bucket, "InvalidLocationConstraint", 400, Bucket="loc-east",
                          CreateBucketConfiguration={"LocationConstraint": "mars-north-1"})
        eu = self.s3(region="eu-west-1")
        resp = self.assert_error(eu.create_bucket, "IllegalLocationConstraintException", 400,
                                 Bucket="loc-eu")
        self.assertIn("unspecified location constraint is incompatible", resp["Error"]["Message"])
        resp = self.assert_error(eu.create_bucket, "IllegalLocationConstraintException", 400,
                                 Bucket="loc-eu",
                                 CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
        self.assertIn("The us-west-2 location constraint is incompatible", resp["Error"]["Message"])
        out = eu.create_bucket(Bucket="loc-eu",
                               CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        self.assertEqual(out["Location"], "http://loc-eu.s3.amazonaws.com/")
        self.assertEqual(eu.get_bucket_location(Bucket="loc-eu")["LocationConstraint"], "eu-west-1")
        head = eu.head_bucket(Bucket="loc-eu")
        self.assertEqual(head["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"], "eu-west-1")
        # CLI in another region adds the constraint itself
        rc, out, err = self.srv.aws("s3", "mb", "s3://loc-cli-west", region="us-west-2")
        self.assertEqual(rc, 0, err)
        rc, out, err = self.srv.aws("s3api", "get-bucket-location", "--bucket", "loc-cli-west")
        self.assertEqual(out["LocationConstraint"], "us-west-2")
        # ListBuckets filters by region and shows regions when asked to
        listed = s3.list_buckets(BucketRegion="eu-west-1", Prefix="loc-")["Buckets"]
        self.assertEqual([(b["Name"], b["BucketRegion"]) for b in listed], [("loc-eu", "eu-west-1")])
        self.assertFalse([b for b in s3.list_buckets()["Buckets"] if b["Name"] == "loc-east"])

    def test_bucket_already_exists(self):
        s3 = self.s3()
        s3.create_bucket(Bucket="taken-bucket")
        # AWS's legacy behaviour: re-creating one's own us-east-1 bucket answers 200
        again = s3.create_bucket(Bucket="taken-bucket")
        self.assertEqual(again["ResponseMetadata"]["HTTPStatusCode"], 200)
        eu = self.s3(region="eu-west-1")
        eu.create_bucket(Bucket="taken-eu", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        resp = self.assert_error(eu.create_bucket, "BucketAlreadyOwnedByYou", 409, Bucket="taken-eu",
                                 CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        self.assertEqual(resp["Error"]["BucketName"], "taken-eu")
        other = self.s3(self.other["root"])
        resp = self.assert_error(other.create_bucket, "BucketAlreadyExists", 409, Bucket="taken-bucket")
        self.assertIn("bucket namespace is shared", resp["Error"]["Message"])
        self.assertNotIn("taken-bucket", [b["Name"] for b in other.list_buckets()["Buckets"]])
        rc, out, err = self.srv.aws("s3", "mb", "s3://taken-bucket", creds=self.other["root"])
        self.assertNotEqual(rc, 0)
        self.assertIn("BucketAlreadyExists", err)

    def test_list_buckets_pages_and_prefix(self):
        s3 = self.s3(self.other["user"])
        for n in ("page-a", "page-b", "page-c", "page-d", "zz-other"):
            s3.create_bucket(Bucket=n)
        first = s3.list_buckets(MaxBuckets=2, Prefix="page-")
        self.assertEqual([b["Name"] for b in first["Buckets"]], ["page-a", "page-b"])
        self.assertEqual(first["Prefix"], "page-")
        self.assertEqual(first["Buckets"][0]["BucketRegion"], "us-east-1")
        second = s3.list_buckets(MaxBuckets=2, Prefix="page-",
                                 ContinuationToken=first["ContinuationToken"])
        self.assertEqual([b["Name"] for b in second["Buckets"]], ["page-c", "page-d"])
        self.assertNotIn("ContinuationToken", second)
        paged = [b["Name"] for page in s3.get_paginator("list_buckets").paginate(
            PaginationConfig={"PageSize": 3}) for b in page["Buckets"]]
        self.assertEqual([n for n in paged if n.startswith("page-") or n == "zz-other"],
                         ["page-a", "page-b", "page-c", "page-d", "zz-other"])
        self.assert_error(s3.list_buckets, "InvalidArgument", 400, ContinuationToken="%%%")
        self.assert_error(s3.list_buckets, "InvalidArgument", 400, MaxBuckets=10001)
        # one account never sees another's buckets
        mine = [b["Name"] for b in self.s3().list_buckets()["Buckets"]]
        self.assertFalse([n for n in mine if n.startswith("page-")])

    # -- configuration reads -------------------------------------------------------------
    def test_acl_versioning_object_lock(self):
        s3 = self.s3()
        s3.create_bucket(Bucket="plain-bucket")
        s3.create_bucket(Bucket="locked-bucket", ObjectLockEnabledForBucket=True)
        acl = s3.get_bucket_acl(Bucket="plain-bucket")
        owner_id = s3.list_buckets()["Owner"]["ID"]
        self.assertEqual(acl["Owner"]["ID"], owner_id)
        self.assertEqual(acl["Grants"], [{"Grantee": {"ID": owner_id, "DisplayName": "management",
                                                      "Type": "CanonicalUser"},
                                          "Permission": "FULL_CONTROL"}])
        plain = s3.get_bucket_versioning(Bucket="plain-bucket")
        self.assertNotIn("Status", plain)
        self.assertEqual(s3.get_bucket_versioning(Bucket="locked-bucket")["Status"], "Enabled")
        self.assertEqual(s3.get_object_lock_configuration(Bucket="locked-bucket")
                         ["ObjectLockConfiguration"], {"ObjectLockEnabled": "Enabled"})
        resp = self.assert_error(s3.get_object_lock_configuration,
                                 "ObjectLockConfigurationNotFoundError", 404, Bucket="plain-bucket")
        self.assertEqual(resp["Error"]["Message"],
                         "Object Lock configuration does not exist for this bucket")
        for call in (s3.get_bucket_acl, s3.get_bucket_versioning, s3.get_bucket_location,
                     s3.get_object_lock_configuration, s3.get_bucket_policy, s3.delete_bucket_policy):
            self.assert_error(call, "NoSuchBucket", 404, Bucket="no-such-bucket-here")
        rc, out, err = self.srv.aws("s3api", "create-bucket", "--bucket", "cli-locked",
                                    "--object-lock-enabled-for-bucket")
        self.assertEqual(rc, 0, err)
        rc, out, err = self.srv.aws("s3api", "get-object-lock-configuration", "--bucket", "cli-locked")
        self.assertEqual(out["ObjectLockConfiguration"]["ObjectLockEnabled"], "Enabled")
        rc, out, err = self.srv.aws("s3api", "get-bucket-versioning", "--bucket", "plain-bucket")
        self.assertEqual(rc, 0, err)

    def test_expected_bucket_owner(self):
        s3 = self.s3()
        s3.create_bucket(Bucket="owner-checked")
        self.assertEqual(s3.get_bucket_acl(Bucket="owner-checked", ExpectedBucketOwner=MGMT)
                         ["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assert_error(s3.get_bucket_acl, "AccessDenied", 403, Bucket="owner-checked",
                          ExpectedBucketOwner=OTHER)
        self.assert_error(s3.delete_bucket, "AccessDenied", 403, Bucket="owner-checked",
                          ExpectedBucketOwner=OTHER)
        s3.head_bucket(Bucket="owner-checked")

    # -- bucket policies -----------------------------------------------------------------
    def test_policy_lifecycle(self):
        s3 = self.s3()
        s3.create_bucket(Bucket="policy-bucket")
        resp = self.assert_error(s3.get_bucket_policy, "NoSuchBucketPolicy", 404, Bucket="policy-bucket")
        self.assertEqual(resp["Error"]["Message"], "The bucket policy does not exist")
        text = org_trail_policy("policy-bucket")
        put = s3.put_bucket_policy(Bucket="policy-bucket", Policy=text)
        self.assertEqual(put["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertEqual(s3.get_bucket_policy(Bucket="policy-bucket")["Policy"], text)
        deleted = s3.delete_bucket_policy(Bucket="policy-bucket")
        self.assertEqual(deleted["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assert_error(s3.get_bucket_policy, "NoSuchBucketPolicy", 404, Bucket="policy-bucket")
        # deleting again is not an error
        self.assertEqual(s3.delete_bucket_policy(Bucket="policy-bucket")
                         ["ResponseMetadata"]["HTTPStatusCode"], 204)

    def test_malformed_policies(self):
        s3 = self.s3()
        s3.create_bucket(Bucket="strict-bucket")
        good = org_trail_policy("strict-bucket")
        s3.put_bucket_policy(Bucket="strict-bucket", Policy=good)

        def stmt(**fields):
            base = {"Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": "s3:GetBucketAcl",
                    "Resource": "arn:aws:s3:::strict-bucket"}
            base.update(fields)
            for k in [k for k, v in base.items() if v is None]:
                del base[k]
            return json.dumps({"Version": "2012-10-17", "Statement": [base]})

        cases = [
            ("{not json", "This policy contains invalid Json"),
            (stmt(Resource="arn:aws:s3:::another-bucket"), "Policy has invalid resource"),
            (stmt(Resource="arn:aws:s3:::strict-bucket-2/*"), "Policy has invalid resource"),
            (stmt(Principal={"AWS": "not-an-account"}), "Invalid principal in policy"),
            (stmt(Principal=None), "Missing required field Principal"),
            (stmt(Action="iam:CreateUser"), "Policy has invalid action"),
            (stmt(Action="s3:PutObject"), "Action does not apply to any resource(s) in statement"),
            (stmt(Effect=None), "Missing required field Effect"),
            (stmt(Condition={"StringEqualz": {"aws:SourceArn": "x"}}),
             "Policy has an invalid condition key"),
        ]
        for text, message in cases:
            resp = self.assert_error(s3.put_bucket_policy, "MalformedPolicy", 400,
                                     Bucket="strict-bucket", Policy=text)
            self.assertEqual(resp["Error"]["Message"], message, text)
        # refused documents change nothing
        self.assertEqual(s3.get_bucket_policy(Bucket="strict-bucket")["Policy"], good)
        rc, out, err = self.srv.aws("s3api", "put-bucket-policy", "--bucket", "strict-bucket",
                                    "--policy", stmt(Principal={"AWS": "nobody"}))
        self.assertNotEqual(rc, 0)
        self.assertIn("MalformedPolicy", err)
        self.assertIn("Invalid principal in policy", err)

    def test_policy_with_cli(self):
        self.s3().create_bucket(Bucket="cli-policy-bucket")
        path = os.path.join(self.srv.tmp.name, "policy.json")
        text = org_trail_policy("cli-policy-bucket", trail_name="cli-trail")
        with open(path, "w") as f:
            f.write(text)
        rc, out, err = self.srv.aws("s3api", "put-bucket-policy", "--bucket", "cli-policy-bucket",
                                    "--policy", "file://" + path)
        self.assertEqual(rc, 0, err)
        rc, out, err = self.srv.aws("s3api", "get-bucket-policy", "--bucket", "cli-policy-bucket")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out["Policy"], text)
        rc, out, err = self.srv.aws("s3api", "delete-bucket-policy", "--bucket", "cli-policy-bucket")
        self.assertEqual(rc, 0, err)

    # -- cross-account access ------------------------------------------------------------
    def test_cross_account_decided_by_policy(self):
        owner = self.s3()
        owner.create_bucket(Bucket="shared-archive")
        root, user, role = (self.s3(self.other[k]) for k in ("root", "user", "role"))
        # no policy: nothing but the name's existence
        for c in (root, user, role):
            resp = self.assert_error(c.get_bucket_acl, "AccessDenied", 403, Bucket="shared-archive")
            self.assertEqual(resp["Error"]["Message"], "Access Denied")
        self.assert_error(root.head_bucket, "403", 403, Bucket="shared-archive")
        self.assert_error(root.get_bucket_location, "AccessDenied", 403, Bucket="shared-archive")

        policy = {"Version": "2012-10-17", "Statement": [
            {"Sid": "ReadForTheOtherAccount", "Effect": "Allow", "Principal": {"AWS": OTHER},
             "Action": ["s3:GetBucketAcl", "s3:GetBucketLocation", "s3:ListBucket",
                        "s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucket"],
             "Resource": "arn:aws:s3:::shared-archive"},
            {"Sid": "VersioningForTheRoleOnly", "Effect": "Allow",
             "Principal": {"AWS": "arn:aws:iam::%s:role/Reader" % OTHER},
             "Action": "s3:GetBucketVersioning", "Resource": "arn:aws:s3:::shared-archive"},
            {"Sid": "NoAclForTheUser", "Effect": "Deny",
             "Principal": {"AWS": "arn:aws:iam::%s:user/auditor" % OTHER},
             "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::shared-archive"},
        ]}
        owner.put_bucket_policy(Bucket="shared-archive", Policy=json.dumps(policy))

        self.assertEqual(root.get_bucket_acl(Bucket="shared-archive")["Owner"]["ID"],
                         owner.list_buckets()["Owner"]["ID"])
        self.assertIsNone(user.get_bucket_location(Bucket="shared-archive")["LocationConstraint"])
        root.head_bucket(Bucket="shared-archive")
        role.head_bucket(Bucket="shared-archive")
        # allowed for the role's sessions only
        self.assertNotIn("Status", role.get_bucket_versioning(Bucket="shared-archive"))
        self.assert_error(root.get_bucket_versioning, "AccessDenied", 403, Bucket="shared-archive")
        # Deny beats Allow
        self.assert_error(user.get_bucket_acl, "AccessDenied", 403, Bucket="shared-archive")
        # never across accounts, whatever the policy says
        resp = self.assert_error(root.get_bucket_policy, "MethodNotAllowed", 405, Bucket="shared-archive")
        self.assertEqual(resp["Error"]["Method"], "GET")
        self.assert_error(root.put_bucket_policy, "MethodNotAllowed", 405, Bucket="shared-archive",
                          Policy=json.dumps(policy))
        self.assert_error(root.delete_bucket_policy, "AccessDenied", 403, Bucket="shared-archive")
        self.assert_error(root.delete_bucket, "AccessDenied", 403, Bucket="shared-archive")
        # the other account's ListBuckets still lists only its own buckets
        self.assertNotIn("shared-archive", [b["Name"] for b in root.list_buckets()["Buckets"]])
        # the owner is untouched by the grant and still manages everything
        self.assertEqual(owner.get_bucket_policy(Bucket="shared-archive")["Policy"], json.dumps(policy))
        owner.delete_bucket_policy(Bucket="shared-archive")
        self.assert_error(root.get_bucket_acl, "AccessDenied", 403, Bucket="shared-archive")

    def test_cross_account_records(self):
        self.s3().create_bucket(Bucket="recorded-shared")
        self.s3().put_bucket_policy(Bucket="recorded-shared", Policy=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % OTHER},
                "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::recorded-shared"}]}))
        self.s3(self.other["user"]).get_bucket_acl(Bucket="recorded-shared")
        self.assert_error(self.s3(self.other["user"]).get_bucket_versioning, "AccessDenied", 403,
                          Bucket="recorded-shared")

        mine = self.records("GetBucketAcl", OTHER, "recorded-shared")[-1]
        theirs = self.records("GetBucketAcl", MGMT, "recorded-shared")[-1]
        self.assertEqual(mine["recipientAccountId"], OTHER)
        self.assertEqual(mine["userIdentity"]["type"], "IAMUser")
        self.assertEqual(mine["userIdentity"]["arn"], "arn:aws:iam::%s:user/auditor" % OTHER)
        self.assertEqual(theirs["recipientAccountId"], MGMT)
        self.assertEqual(theirs["userIdentity"]["type"], "AWSAccount")
        self.assertEqual(theirs["userIdentity"]["accountId"], OTHER)
        self.assertEqual(mine["sharedEventID"], theirs["sharedEventID"])
        self.assertEqual(mine["requestID"], theirs["requestID"])
        self.assertEqual(theirs["resources"], [{"accountId": MGMT, "type": "AWS::S3::Bucket",
                                                "ARN": "arn:aws:s3:::recorded-shared"}])
        # refusals reach the owner as well
        denied = self.records("GetBucketVersioning", MGMT, "recorded-shared")[-1]
        self.assertEqual(denied["errorCode"], "AccessDenied")
        self.assertEqual(denied["userIdentity"]["type"], "AWSAccount")
        # the owner's own calls are not copied anywhere
        own = self.records("PutBucketPolicy", MGMT, "recorded-shared")[-1]
        self.assertNotIn("sharedEventID", own)
        self.assertFalse(self.records("PutBucketPolicy", OTHER, "recorded-shared"))

    # -- records -------------------------------------------------------------------------
    def test_records(self):
        s3 = self.s3()
        host = "127.0.0.1:%d" % self.srv.port
        s3.create_bucket(Bucket="recorded-bucket", ACL="private")
        text = org_trail_policy("recorded-bucket")
        s3.put_bucket_policy(Bucket="recorded-bucket", Policy=text)
        s3.get_bucket_policy(Bucket="recorded-bucket")
        s3.get_bucket_location(Bucket="recorded-bucket")
        s3.get_bucket_acl(Bucket="recorded-bucket")
        s3.get_bucket_versioning(Bucket="recorded-bucket")
        self.assert_error(s3.get_object_lock_configuration, "ObjectLockConfigurationNotFoundError",
                          404, Bucket="recorded-bucket")
        s3.head_bucket(Bucket="recorded-bucket")
        s3.list_buckets()
        s3.delete_bucket_policy(Bucket="recorded-bucket")
        s3.delete_bucket(Bucket="recorded-bucket")
        self.assert_error(s3.get_bucket_acl, "NoSuchBucket", 404, Bucket="recorded-bucket")
        resource = [{"accountId": MGMT, "type": "AWS::S3::Bucket",
                     "ARN": "arn:aws:s3:::recorded-bucket"}]

        create = self.records("CreateBucket", bucket="recorded-bucket")[-1]
        self.assertEqual(create["requestParameters"], {"bucketName": "recorded-bucket", "Host": host,
                                                       "x-amz-acl": "private"})
        self.assertIsNone(create["responseElements"])
        self.assertFalse(create["readOnly"])
        self.assertTrue(create["managementEvent"])
        self.assertEqual(create["eventCategory"], "Management")
        self.assertEqual(create["awsRegion"], "us-east-1")

        put = self.records("PutBucketPolicy", bucket="recorded-bucket")[-1]
        self.assertEqual(put["requestParameters"], {"bucketPolicy": json.loads(text),
                                                    "bucketName": "recorded-bucket", "Host": host,
                                                    "policy": ""})
        self.assertEqual(list(put["requestParameters"])[0], "bucketPolicy")
        self.assertEqual(put["resources"], resource)
        self.assertIsNone(put["responseElements"])
        for name, sub in (("GetBucketPolicy", "policy"), ("DeleteBucketPolicy", "policy"),
                          ("GetBucketLocation", "location"), ("GetBucketAcl", "acl"),
                          ("GetBucketVersioning", "versioning"),
                          ("GetBucketObjectLockConfiguration", "object-lock")):
            rec = self.records(name, bucket="recorded-bucket")[0]
            self.assertEqual(rec["requestParameters"], {"bucketName": "recorded-bucket", "Host": host,
                                                        sub: ""}, name)
            self.assertEqual(rec["resources"], resource, name)
            self.assertIsNone(rec["responseElements"], name)
            self.assertEqual(rec["readOnly"], name.startswith("Get"), name)
            self.assertEqual(rec["eventSource"], "s3.amazonaws.com")
        # CloudTrail names the call GetBucketObjectLockConfiguration, not after the API
        self.assertEqual(self.records("GetObjectLockConfiguration", bucket="recorded-bucket"), [])
        lock = self.records("GetBucketObjectLockConfiguration", bucket="recorded-bucket")[-1]
        self.assertEqual(lock["errorCode"], "ObjectLockConfigurationNotFoundError")
        for name in ("HeadBucket", "DeleteBucket"):
            rec = self.records(name, bucket="recorded-bucket")[-1]
            self.assertEqual(rec["requestParameters"], {"bucketName": "recorded-bucket", "Host": host})
            self.assertEqual(rec["resources"], resource)
        listing = self.records("ListBuckets")[-1]
        self.assertEqual(listing["requestParameters"], {"Host": host})
        self.assertNotIn("resources", listing)
        self.assertIsNone(listing["responseElements"])
        missing = self.records("GetBucketAcl", bucket="recorded-bucket")[-1]
        self.assertEqual(missing["errorCode"], "NoSuchBucket")
        self.assertEqual(missing["errorMessage"], "The specified bucket does not exist")
        self.assertEqual(missing["resources"], [{"type": "AWS::S3::Bucket",
                                                 "ARN": "arn:aws:s3:::recorded-bucket"}])

    def test_create_records_configuration(self):
        eu = self.s3(region="eu-west-1")
        eu.create_bucket(Bucket="recorded-eu", ObjectLockEnabledForBucket=True,
                         CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        rec = self.records("CreateBucket", bucket="recorded-eu")[-1]
        self.assertEqual(rec["requestParameters"]["CreateBucketConfiguration"], {
            "LocationConstraint": "eu-west-1", "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/"})
        self.assertEqual(rec["requestParameters"]["x-amz-bucket-object-lock-enabled"], "true")
        self.assertEqual(rec["awsRegion"], "eu-west-1")
        self.assert_error(eu.create_bucket, "InvalidBucketName", 400, Bucket="Bad..Name")
        bad = self.records("CreateBucket", bucket="Bad..Name")[-1]
        self.assertEqual(bad["errorCode"], "InvalidBucketName")
        self.assertEqual(bad["errorMessage"], "The specified bucket is not valid.")

    # -- persistence ---------------------------------------------------------------------
    def test_survives_restart(self):
        s3 = self.s3()
        s3.create_bucket(Bucket="durable-bucket", ObjectLockEnabledForBucket=True)
        text = org_trail_policy("durable-bucket")
        s3.put_bucket_policy(Bucket="durable-bucket", Policy=text)
        before = s3.list_buckets()
        self.srv.restart()
        s3 = self.s3()
        after = s3.list_buckets()
        self.assertEqual(after["Owner"], before["Owner"])
        self.assertEqual([(b["Name"], b["CreationDate"]) for b in after["Buckets"]],
                         [(b["Name"], b["CreationDate"]) for b in before["Buckets"]])
        self.assertEqual(s3.get_bucket_policy(Bucket="durable-bucket")["Policy"], text)
        self.assertEqual(s3.get_bucket_versioning(Bucket="durable-bucket")["Status"], "Enabled")
        self.assertEqual(s3.get_object_lock_configuration(Bucket="durable-bucket")
                         ["ObjectLockConfiguration"]["ObjectLockEnabled"], "Enabled")
        self.assert_error(self.s3(self.other["root"]).get_bucket_acl, "AccessDenied", 403,
                          Bucket="durable-bucket")


if __name__ == "__main__":
    unittest.main()
