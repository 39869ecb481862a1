"""S3 objects on the embedded store through boto3 and the AWS CLI: puts and gets with
ranges, digests and metadata, listing, versions and delete markers, copies, multipart
uploads (`aws s3 cp` of 100 MB both ways, byte-exact), Object Lock refusals for the
bucket owner's root, cross-account access decided by the bucket policy, data-event
records, and persistence across a restart."""
import base64
import hashlib
import json
import os
import tempfile
import time
import unittest
from datetime import datetime, timedelta, timezone

import botocore.exceptions

from tests.integration.harness import OrgtrailServer, error_code
from tests.integration.test_s3_buckets import OTHER, add_account


class S3ObjectsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = OrgtrailServer().start()
        cls.other = add_account(cls.srv, OTHER, "log-reader")

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def s3(self, creds=None):
        return self.srv.client("s3", creds)

    def bucket(self, name, **kwargs):
        self.s3().create_bucket(Bucket=name, **kwargs)
        return name

    def assert_error(self, call, code, status, **kwargs):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            call(**kwargs)
        self.assertEqual(error_code(cm.exception), code)
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], status)
        return cm.exception.response

    def test_put_get_head_range(self):
        s3 = self.s3()
        b = self.bucket("objects-basic")
        body = b"hello world, this is orgtrail"
        r = s3.put_object(Bucket=b, Key="dir/a.txt", Body=body, ContentType="text/plain",
                          Metadata={"purpose": "test"})
        self.assertEqual(r["ETag"], '"%s"' % hashlib.md5(body).hexdigest())
        self.assertEqual(r["ServerSideEncryption"], "AES256")
        self.assertNotIn("VersionId", r)
        g = s3.get_object(Bucket=b, Key="dir/a.txt")
        self.assertEqual(g["Body"].read(), body)
        self.assertEqual(g["ContentType"], "text/plain")
        self.assertEqual(g["Metadata"], {"purpose": "test"})
        self.assertEqual(g["ContentLength"], len(body))
        h = s3.head_object(Bucket=b, Key="dir/a.txt")
        self.assertEqual(h["ContentLength"], len(body))
        self.assertEqual(h["ETag"], r["ETag"])
        self.assertEqual(h["ServerSideEncryption"], "AES256")
        rg = s3.get_object(Bucket=b, Key="dir/a.txt", Range="bytes=6-10")
        self.assertEqual(rg["Body"].read(), b"world")
        self.assertEqual(rg["ResponseMetadata"]["HTTPStatusCode"], 206)
        self.assertEqual(rg["ContentRange"], "bytes 6-10/%d" % len(body))
        self.assertEqual(s3.get_object(Bucket=b, Key="dir/a.txt", Range="bytes=-3")["Body"].read(),
                         body[-3:])
        self.assert_error(s3.get_object, "InvalidRange", 416, Bucket=b, Key="dir/a.txt",
                          Range="bytes=1000-")
        self.assert_error(s3.get_object, "NoSuchKey", 404, Bucket=b, Key="missing")
        self.assert_error(s3.get_object, "NoSuchBucket", 404, Bucket="no-such-bucket-x", Key="k")
        self.assert_error(s3.head_object, "404", 404, Bucket=b, Key="missing")
        # Empty objects work too.
        s3.put_object(Bucket=b, Key="empty", Body=b"")
        self.assertEqual(s3.get_object(Bucket=b, Key="empty")["Body"].read(), b"")
        # A bucket with objects cannot be deleted.
        self.assert_error(s3.delete_bucket, "BucketNotEmpty", 409, Bucket=b)

    def test_conditional_reads(self):
        s3 = self.s3()
        b = self.bucket("objects-conditional")
        etag = s3.put_object(Bucket=b, Key="k", Body=b"conditional")["ETag"]
        modified = s3.head_object(Bucket=b, Key="k")["LastModified"]
        before, after = modified - timedelta(hours=1), modified + timedelta(hours=1)
        for call in (s3.get_object, s3.head_object):
            # If-Match: the ETag with or without its quotes, or one of a list; else 412.
            self.assertEqual(call(Bucket=b, Key="k", IfMatch=etag)["ETag"], etag)
            self.assertEqual(call(Bucket=b, Key="k", IfMatch=etag.strip('"'))["ETag"], etag)
            self.assertEqual(call(Bucket=b, Key="k", IfMatch='"x", ' + etag)["ETag"], etag)
            self.assert_error(call, "PreconditionFailed" if call == s3.get_object else "412",
                              412, Bucket=b, Key="k", IfMatch='"x"')
            self.assert_error(call, "PreconditionFailed" if call == s3.get_object else "412",
                              412, Bucket=b, Key="k", IfUnmodifiedSince=before)
            self.assertEqual(call(Bucket=b, Key="k", IfUnmodifiedSince=after)["ETag"], etag)
            # S3: If-Match true and If-Unmodified-Since false -> 200 OK.
            self.assertEqual(call(Bucket=b, Key="k", IfMatch=etag,
                                  IfUnmodifiedSince=before)["ETag"], etag)
            # If-None-Match / If-Modified-Since: 304 Not Modified, no body.
            self.assert_error(call, "304", 304, Bucket=b, Key="k", IfNoneMatch=etag)
            self.assert_error(call, "304", 304, Bucket=b, Key="k", IfModifiedSince=after)
            self.assert_error(call, "304", 304, Bucket=b, Key="k", IfModifiedSince=modified)
            self.assertEqual(call(Bucket=b, Key="k", IfModifiedSince=before)["ETag"], etag)
            self.assertEqual(call(Bucket=b, Key="k", IfNoneMatch='"x"')["ETag"], etag)
            # S3: If-None-Match false and If-Modified-Since true -> 304.
            self.assert_error(call, "304", 304, Bucket=b, Key="k", IfNoneMatch=etag,
                              IfModifiedSince=before)
        r = self.assert_error(s3.get_object, "PreconditionFailed", 412, Bucket=b, Key="k",
                              IfMatch='"x"')
        self.assertEqual(r["Error"]["Condition"], "If-Match")
        r = self.assert_error(s3.get_object, "304", 304, Bucket=b, Key="k", IfNoneMatch=etag)
        self.assertEqual(r["ResponseMetadata"]["HTTPHeaders"]["etag"], etag)
        # A matching If-Match still serves the body and ranges.
        g = s3.get_object(Bucket=b, Key="k", IfMatch=etag, Range="bytes=0-3")
        self.assertEqual(g["Body"].read(), b"cond")

    def test_digests(self):
        s3 = self.s3()
        b = self.bucket("objects-digests")
        good = base64.b64encode(hashlib.md5(b"abc").digest()).decode()
        s3.put_object(Bucket=b, Key="k", Body=b"abc", ContentMD5=good)
        self.assert_error(s3.put_object, "BadDigest", 400, Bucket=b, Key="k", Body=b"abd",
                          ContentMD5=good)
        self.assert_error(s3.put_object, "InvalidDigest", 400, Bucket=b, Key="k", Body=b"abd",
                          ContentMD5="bm90LW1kNQ==")
        sha = base64.b64encode(hashlib.sha256(b"abc").digest()).decode()
        s3.put_object(Bucket=b, Key="s", Body=b"abc", ChecksumSHA256=sha)
        self.assert_error(s3.put_object, "BadDigest", 400, Bucket=b, Key="s", Body=b"abd",
                          ChecksumSHA256=sha)
        h = s3.head_object(Bucket=b, Key="s", ChecksumMode="ENABLED")
        self.assertEqual(h["ChecksumSHA256"], sha)
        self.assertEqual(s3.get_object(Bucket=b, Key="k")["Body"].read(), b"abc")
        # boto3's default: aws-chunked body with a CRC32 trailer.
        s3.put_object(Bucket=b, Key="crc", Body=b"x" * 100000, ChecksumAlgorithm="CRC32")
        self.assertEqual(len(s3.get_object(Bucket=b, Key="crc")["Body"].read()), 100000)

    def test_list_v2(self):
        s3 = self.s3()
        b = self.bucket("objects-list")
        keys = ["a/1", "a/2", "b", "c/x/1", "c/y", "d", "e/1", "sp ace/é"]
        for k in keys:
            s3.put_object(Bucket=b, Key=k, Body=k.encode())
        r = s3.list_objects_v2(Bucket=b)
        self.assertEqual([o["Key"] for o in r["Contents"]], sorted(keys))
        self.assertEqual(r["KeyCount"], len(keys))
        r = s3.list_objects_v2(Bucket=b, Delimiter="/")
        self.assertEqual([o["Key"] for o in r["Contents"]], ["b", "d"])
        self.assertEqual([p["Prefix"] for p in r["CommonPrefixes"]], ["a/", "c/", "e/", "sp ace/"])
        r = s3.list_objects_v2(Bucket=b, Prefix="c/", Delimiter="/")
        self.assertEqual([o["Key"] for o in r["Contents"]], ["c/y"])
        self.assertEqual([p["Prefix"] for p in r["CommonPrefixes"]], ["c/x/"])
        r = s3.list_objects_v2(Bucket=b, StartAfter="c/y")
        self.assertEqual([o["Key"] for o in r["Contents"]], ["d", "e/1", "sp ace/é"])
        seen, token = [], None
        while True:
            kw = {"ContinuationToken": token} if token else {}
            r = s3.list_objects_v2(Bucket=b, MaxKeys=3, **kw)
            seen += [o["Key"] for o in r.get("Contents", [])]
            self.assertLessEqual(r["KeyCount"], 3)
            if not r["IsTruncated"]:
                break
            token = r["NextContinuationToken"]
        self.assertEqual(seen, sorted(keys))
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=b, Delimiter="/",
                                                              PaginationConfig={"PageSize": 2})
        prefixes = [p["Prefix"] for page in pages for p in page.get("CommonPrefixes", [])]
        self.assertEqual(prefixes, ["a/", "c/", "e/", "sp ace/"])
        self.assert_error(s3.list_objects_v2, "InvalidArgument", 400, Bucket=b,
                          ContinuationToken="!!!")
        code, out, err = self.srv.aws("s3", "ls", "--recursive", "s3://%s/" % b)
        self.assertEqual(code, 0, err)
        listed = [line.split(None, 3)[3] for line in out.splitlines()]
        self.assertEqual(listed, sorted(keys))

    def test_versions_and_delete_markers(self):
        s3 = self.s3()
        b = self.bucket("objects-versions")
        s3.put_object(Bucket=b, Key="pre", Body=b"before versioning")
        s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        self.assertEqual(s3.get_bucket_versioning(Bucket=b)["Status"], "Enabled")
        v1 = s3.put_object(Bucket=b, Key="k", Body=b"one")["VersionId"]
        v2 = s3.put_object(Bucket=b, Key="k", Body=b"two")["VersionId"]
        self.assertNotEqual(v1, v2)
        self.assertEqual(s3.get_object(Bucket=b, Key="k", VersionId=v1)["Body"].read(), b"one")
        d = s3.delete_object(Bucket=b, Key="k")
        self.assertTrue(d["DeleteMarker"])
        marker = d["VersionId"]
        self.assert_error(s3.get_object, "NoSuchKey", 404, Bucket=b, Key="k")
        self.assert_error(s3.get_object, "MethodNotAllowed", 405, Bucket=b, Key="k",
                          VersionId=marker)
        self.assert_error(s3.get_object, "NoSuchVersion", 404, Bucket=b, Key="k",
                          VersionId="nosuchversion0000000000000000000")
        lv = s3.list_object_versions(Bucket=b)
        self.assertEqual([(v["Key"], v["VersionId"], v["IsLatest"]) for v in lv["Versions"]],
                         [("k", v2, False), ("k", v1, False), ("pre", "null", True)])
        self.assertEqual([(m["Key"], m["VersionId"], m["IsLatest"]) for m in lv["DeleteMarkers"]],
                         [("k", marker, True)])
        code, out, err = self.srv.aws("s3api", "list-object-versions", "--bucket", b)
        self.assertEqual(code, 0, err)
        self.assertEqual(len(out["Versions"]), 3)
        self.assertEqual(out["DeleteMarkers"][0]["VersionId"], marker)
        s3.delete_object(Bucket=b, Key="k", VersionId=marker)
        self.assertEqual(s3.get_object(Bucket=b, Key="k")["Body"].read(), b"two")
        # Suspended: puts write the "null" version again.
        s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Suspended"})
        r = s3.put_object(Bucket=b, Key="k", Body=b"null-one")
        self.assertEqual(r["VersionId"], "null")
        s3.put_object(Bucket=b, Key="k", Body=b"null-two")
        versions = [v["VersionId"] for v in s3.list_object_versions(Bucket=b, Prefix="k")["Versions"]]
        self.assertEqual(versions, ["null", v2, v1])
        # DeleteObjects, quiet and not.
        out = s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "k", "VersionId": v1},
                                                              {"Key": "pre"}]})
        self.assertEqual(sorted(d["Key"] for d in out["Deleted"]), ["k", "pre"])
        out = s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "k"}], "Quiet": True})
        self.assertNotIn("Deleted", out)

    def test_copy(self):
        s3 = self.s3()
        b = self.bucket("objects-copy")
        s3.put_object(Bucket=b, Key="src", Body=b"payload", Metadata={"a": "1"},
                      ContentType="text/plain")
        r = s3.copy_object(Bucket=b, Key="dst", CopySource={"Bucket": b, "Key": "src"})
        self.assertEqual(r["CopyObjectResult"]["ETag"], '"%s"' % hashlib.md5(b"payload").hexdigest())
        g = s3.get_object(Bucket=b, Key="dst")
        self.assertEqual((g["Body"].read(), g["Metadata"], g["ContentType"]),
                         (b"payload", {"a": "1"}, "text/plain"))
        s3.copy_object(Bucket=b, Key="dst", CopySource="%s/src" % b, MetadataDirective="REPLACE",
                       Metadata={"b": "2"})
        self.assertEqual(s3.head_object(Bucket=b, Key="dst")["Metadata"], {"b": "2"})
        self.assert_error(s3.copy_object, "InvalidRequest", 400, Bucket=b, Key="src",
                          CopySource="%s/src" % b)
        self.assert_error(s3.copy_object, "NoSuchKey", 404, Bucket=b, Key="x",
                          CopySource="%s/nope" % b)

    def test_multipart_api(self):
        s3 = self.s3()
        b = self.bucket("objects-mpu")
        up = s3.create_multipart_upload(Bucket=b, Key="big", ContentType="application/gzip")
        uid = up["UploadId"]
        p1 = os.urandom(5 * 1024 * 1024)
        e1 = s3.upload_part(Bucket=b, Key="big", UploadId=uid, PartNumber=1, Body=p1)["ETag"]
        e2 = s3.upload_part(Bucket=b, Key="big", UploadId=uid, PartNumber=2, Body=b"tail")["ETag"]
        self.assertEqual([u["UploadId"] for u in s3.list_multipart_uploads(Bucket=b)["Uploads"]],
                         [uid])
        parts = s3.list_parts(Bucket=b, Key="big", UploadId=uid)["Parts"]
        self.assertEqual([(p["PartNumber"], p["Size"]) for p in parts], [(1, len(p1)), (2, 4)])
        self.assert_error(s3.complete_multipart_upload, "InvalidPartOrder", 400, Bucket=b,
                          Key="big", UploadId=uid,
                          MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": e2},
                                                     {"PartNumber": 1, "ETag": e1}]})
        self.assert_error(s3.complete_multipart_upload, "InvalidPart", 400, Bucket=b, Key="big",
                          UploadId=uid,
                          MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e2}]})
        r = s3.complete_multipart_upload(Bucket=b, Key="big", UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
        want = hashlib.md5(hashlib.md5(p1).digest() + hashlib.md5(b"tail").digest()).hexdigest()
        self.assertEqual(r["ETag"], '"%s-2"' % want)
        self.assertEqual(s3.get_object(Bucket=b, Key="big")["Body"].read(), p1 + b"tail")
        self.assert_error(s3.list_parts, "NoSuchUpload", 404, Bucket=b, Key="big", UploadId=uid)
        small = s3.create_multipart_upload(Bucket=b, Key="small")["UploadId"]
        t1 = s3.upload_part(Bucket=b, Key="small", UploadId=small, PartNumber=1, Body=b"a")["ETag"]
        t2 = s3.upload_part(Bucket=b, Key="small", UploadId=small, PartNumber=2, Body=b"b")["ETag"]
        self.assert_error(s3.complete_multipart_upload, "EntityTooSmall", 400, Bucket=b,
                          Key="small", UploadId=small, MultipartUpload={
                              "Parts": [{"PartNumber": 1, "ETag": t1}, {"PartNumber": 2, "ETag": t2}]})
        s3.abort_multipart_upload(Bucket=b, Key="small", UploadId=small)
        self.assert_error(s3.abort_multipart_upload, "NoSuchUpload", 404, Bucket=b, Key="small",
                          UploadId=small)

    def test_cli_cp_100mb_round_trip(self):
        b = self.bucket("objects-cli")
        with tempfile.TemporaryDirectory() as d:
            src, dst = os.path.join(d, "src.bin"), os.path.join(d, "dst.bin")
            with open(src, "wb") as f:
                for _ in range(100):
                    f.write(os.urandom(1024 * 1024))
            code, out, err = self.srv.aws("s3", "cp", src, "s3://%s/big/file.bin" % b)
            self.assertEqual(code, 0, err)
            code, out, err = self.srv.aws("s3", "cp", "s3://%s/big/file.bin" % b, dst)
            self.assertEqual(code, 0, err)
            with open(src, "rb") as f1, open(dst, "rb") as f2:
                self.assertEqual(hashlib.sha256(f1.read()).digest(),
                                 hashlib.sha256(f2.read()).digest())
        h = self.s3().head_object(Bucket=b, Key="big/file.bin")
        self.assertEqual(h["ContentLength"], 100 * 1024 * 1024)
        self.assertTrue(h["ETag"].endswith('-13"'), h["ETag"])  # 8 MB parts

    def test_object_lock(self):
        s3 = self.s3()
        b = self.bucket("objects-locked", ObjectLockEnabledForBucket=True)
        s3.put_object_lock_configuration(Bucket=b, ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 1}}})
        cfg = s3.get_object_lock_configuration(Bucket=b)["ObjectLockConfiguration"]
        self.assertEqual(cfg["Rule"]["DefaultRetention"], {"Mode": "COMPLIANCE", "Days": 1})
        v = s3.put_object(Bucket=b, Key="log.json.gz", Body=b"evidence")["VersionId"]
        h = s3.head_object(Bucket=b, Key="log.json.gz")
        self.assertEqual(h["ObjectLockMode"], "COMPLIANCE")
        until = s3.get_object_retention(Bucket=b, Key="log.json.gz")["Retention"]["RetainUntilDate"]
        # The owner's root cannot delete the version, bypass or not...
        self.assert_error(s3.delete_object, "AccessDenied", 403, Bucket=b, Key="log.json.gz",
                          VersionId=v)
        self.assert_error(s3.delete_object, "AccessDenied", 403, Bucket=b, Key="log.json.gz",
                          VersionId=v, BypassGovernanceRetention=True)
        # ...nor shorten the retention or weaken it to governance.
        self.assert_error(s3.put_object_retention, "AccessDenied", 403, Bucket=b,
                          Key="log.json.gz", VersionId=v,
                          Retention={"Mode": "COMPLIANCE", "RetainUntilDate": until - timedelta(hours=1)})
        self.assert_error(s3.put_object_retention, "AccessDenied", 403, Bucket=b,
                          Key="log.json.gz", VersionId=v, BypassGovernanceRetention=True,
                          Retention={"Mode": "GOVERNANCE", "RetainUntilDate": until + timedelta(days=1)})
        s3.put_object_retention(Bucket=b, Key="log.json.gz", VersionId=v, Retention={
            "Mode": "COMPLIANCE", "RetainUntilDate": until + timedelta(days=1)})
        # The CLI's root user gets the same answer.
        code, out, err = self.srv.aws("s3api", "delete-object", "--bucket", b, "--key",
                                      "log.json.gz", "--version-id", v)
        self.assertNotEqual(code, 0)
        self.assertIn("AccessDenied", err)
        # A plain delete only adds a marker; the version is still there.
        self.assertTrue(s3.delete_object(Bucket=b, Key="log.json.gz")["DeleteMarker"])
        self.assertEqual(s3.get_object(Bucket=b, Key="log.json.gz", VersionId=v)["Body"].read(),
                         b"evidence")
        self.assert_error(s3.put_bucket_versioning, "InvalidBucketState", 409, Bucket=b,
                          VersioningConfiguration={"Status": "Suspended"})
        # Governance yields to the bypass; legal hold to nothing.
        later = datetime.now(timezone.utc) + timedelta(days=1)
        g = s3.put_object(Bucket=b, Key="gov", Body=b"g", ObjectLockMode="GOVERNANCE",
                          ObjectLockRetainUntilDate=later)["VersionId"]
        self.assert_error(s3.delete_object, "AccessDenied", 403, Bucket=b, Key="gov", VersionId=g)
        s3.put_object_legal_hold(Bucket=b, Key="gov", VersionId=g, LegalHold={"Status": "ON"})
        self.assertEqual(s3.get_object_legal_hold(Bucket=b, Key="gov", VersionId=g)["LegalHold"],
                         {"Status": "ON"})
        self.assert_error(s3.delete_object, "AccessDenied", 403, Bucket=b, Key="gov", VersionId=g,
                          BypassGovernanceRetention=True)
        s3.put_object_legal_hold(Bucket=b, Key="gov", VersionId=g, LegalHold={"Status": "OFF"})
        s3.delete_object(Bucket=b, Key="gov", VersionId=g, BypassGovernanceRetention=True)
        # Lock operations on a bucket without Object Lock.
        plain = self.bucket("objects-unlocked")
        s3.put_object(Bucket=plain, Key="k", Body=b"x")
        self.assert_error(s3.put_object_legal_hold, "InvalidRequest", 400, Bucket=plain, Key="k",
                          LegalHold={"Status": "ON"})
        self.assert_error(s3.get_object_retention, "InvalidRequest", 400, Bucket=plain, Key="k")
        self.assert_error(s3.get_object_lock_configuration, "ObjectLockConfigurationNotFoundError",
                          404, Bucket=plain)

    def test_encryption(self):
        s3 = self.s3()
        b = self.bucket("objects-sse")
        rules = s3.get_bucket_encryption(Bucket=b)["ServerSideEncryptionConfiguration"]["Rules"]
        self.assertEqual(rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"], "AES256")
        s3.put_bucket_encryption(Bucket=b, ServerSideEncryptionConfiguration={"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})
        rules = s3.get_bucket_encryption(Bucket=b)["ServerSideEncryptionConfiguration"]["Rules"]
        self.assertEqual(rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"], "aws:kms")
        self.assertEqual(s3.put_object(Bucket=b, Key="k", Body=b"x")["ServerSideEncryption"],
                         "aws:kms")

    def test_cross_account_by_policy(self):
        s3 = self.s3()
        b = self.bucket("objects-shared")
        s3.put_object(Bucket=b, Key="reports/r1", Body=b"r1")
        s3.put_object(Bucket=b, Key="private/p1", Body=b"p1")
        other = self.s3(self.other["root"])
        self.assert_error(other.get_object, "AccessDenied", 403, Bucket=b, Key="reports/r1")
        s3.put_bucket_policy(Bucket=b, Policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % OTHER},
                 "Action": ["s3:GetObject", "s3:PutObject"],
                 "Resource": "arn:aws:s3:::%s/reports/*" % b},
                {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % OTHER},
                 "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::%s" % b,
                 "Condition": {"StringEquals": {"s3:prefix": "reports/"}}},
                {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
                 "Resource": "arn:aws:s3:::%s/*" % b,
                 "Condition": {"StringEquals": {"s3:x-amz-acl": "public-read"}}}]}))
        self.assertEqual(other.get_object(Bucket=b, Key="reports/r1")["Body"].read(), b"r1")
        self.assert_error(other.get_object, "AccessDenied", 403, Bucket=b, Key="private/p1")
        other.put_object(Bucket=b, Key="reports/r2", Body=b"r2")
        self.assert_error(other.put_object, "AccessDenied", 403, Bucket=b, Key="reports/r3",
                          Body=b"x", ACL="public-read")
        self.assert_error(other.delete_object, "AccessDenied", 403, Bucket=b, Key="reports/r1")
        keys = [o["Key"] for o in other.list_objects_v2(Bucket=b, Prefix="reports/")["Contents"]]
        self.assertEqual(keys, ["reports/r1", "reports/r2"])
        self.assert_error(other.list_objects_v2, "AccessDenied", 403, Bucket=b)
        # The same deny applies to the owner.
        self.assert_error(s3.put_object, "AccessDenied", 403, Bucket=b, Key="x", Body=b"x",
                          ACL="public-read")

    def object_records(self, bucket, key):
        return [e for e in self.srv.events() if e["eventSource"] == "s3.amazonaws.com"
                and (e.get("requestParameters") or {}).get("key") == key
                and e["requestParameters"].get("bucketName") == bucket]

    def test_data_event_records(self):
        s3 = self.s3()
        b = self.bucket("objects-records")
        # No trail selects data events: like CloudTrail, orgtrail records none.
        s3.put_object(Bucket=b, Key="rec/k0", Body=b"x")
        s3.get_object(Bucket=b, Key="rec/k0")["Body"].read()
        self.assertEqual(self.object_records(b, "rec/k0"), [])

        logs = self.bucket("objects-records-trail")
        s3.put_bucket_policy(Bucket=logs, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::%s" % logs},
            {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": "arn:aws:s3:::%s/AWSLogs/*" % logs}]}))
        ct = self.srv.client("cloudtrail")
        ct.create_trail(Name="objects-data", S3BucketName=logs)
        try:
            ct.put_event_selectors(TrailName="objects-data", EventSelectors=[{
                "ReadWriteType": "All", "IncludeManagementEvents": True,
                "DataResources": [{"Type": "AWS::S3::Object",
                                   "Values": ["arn:aws:s3:::%s/" % b]}]}])
            s3.put_object(Bucket=b, Key="rec/k1", Body=b"x")
            s3.get_object(Bucket=b, Key="rec/k1")["Body"].read()
            events = self.object_records(b, "rec/k1")
            names = [e["eventName"] for e in events]
            self.assertIn("PutObject", names)
            self.assertIn("GetObject", names)
            for e in events:
                self.assertEqual(e["eventCategory"], "Data")
                self.assertFalse(e["managementEvent"])
                self.assertEqual(e["readOnly"], e["eventName"] == "GetObject")
                self.assertEqual(e["requestParameters"]["bucketName"], b)
                types = {r["type"]: r["ARN"] for r in e["resources"]}
                self.assertEqual(types["AWS::S3::Object"], "arn:aws:s3:::%s/rec/k1" % b)
                self.assertEqual(types["AWS::S3::Bucket"], "arn:aws:s3:::%s" % b)
            # Advanced selectors for management events only: recording stops again.
            ct.put_event_selectors(TrailName="objects-data", AdvancedEventSelectors=[{
                "Name": "management only", "FieldSelectors": [
                    {"Field": "eventCategory", "Equals": ["Management"]}]}])
            s3.get_object(Bucket=b, Key="rec/k1")["Body"].read()
            self.assertEqual(len(self.object_records(b, "rec/k1")), len(events))
            # Advanced selectors that may select data events: recorded.
            ct.put_event_selectors(TrailName="objects-data", AdvancedEventSelectors=[{
                "Name": "objects", "FieldSelectors": [
                    {"Field": "eventCategory", "Equals": ["Data"]},
                    {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}]}])
            s3.get_object(Bucket=b, Key="rec/k1")["Body"].read()
            self.assertEqual(len(self.object_records(b, "rec/k1")), len(events) + 1)
        finally:
            ct.delete_trail(Name="objects-data")
        # Its trail deleted, no trail wants data events any more.
        s3.get_object(Bucket=b, Key="rec/k0")["Body"].read()
        self.assertEqual(self.object_records(b, "rec/k0"), [])

    def test_survives_restart(self):
        s3 = self.s3()
        b = self.bucket("objects-restart")
        s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        v = s3.put_object(Bucket=b, Key="k", Body=b"durable")["VersionId"]
        self.srv.restart()
        s3 = self.s3()
        self.assertEqual(s3.get_object(Bucket=b, Key="k")["Body"].read(), b"durable")
        self.assertEqual(s3.head_object(Bucket=b, Key="k")["VersionId"], v)
        self.srv.kill() if hasattr(self.srv, "kill") else None
        self.srv._spawn()
        self.assertEqual(self.s3().get_object(Bucket=b, Key="k")["Body"].read(), b"durable")


if __name__ == "__main__":
    unittest.main()
