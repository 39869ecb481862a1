"""`orgtrail validate-logs` against the shared test vectors and against AWS's own validator.

The vectors (../shared/reference/vectors) hold an organization trail's logs and digests
signed with a published test key, and the official `aws cloudtrail validate-logs`
transcripts for 21 scenarios. Each scenario's objects (built by the vectors' own
make_vectors.py) are put into a bucket of a real `orgtrail serve`; orgtrail's validator
then reads them through the S3 API and straight from the store (--data), and its stdout,
stderr and exit status must equal the transcript byte for byte.

Further tamper cases (a digest re-signed with a foreign key, algorithm names, a changed
previousDigestHashValue re-signed with the trail's key, an unnamed log file) are run
through the official validator too (in-process, S3 in moto, as make_vectors.py does) and
must get the same verdicts; the checks only orgtrail makes add their own lines."""
import base64
import copy
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import unittest

from tests.integration.harness import BINARY, SHARED, OrgtrailServer

VECTORS = os.path.join(SHARED, "reference", "vectors")
sys.path.insert(0, VECTORS)
import make_vectors as mv  # noqa: E402  (the vectors' generator: scenario objects and keys)

ORG = mv.ORG_ID
SKIP_HERE = {"15-org-trail-without-account-id"}  # needs DescribeTrails of a real org trail


def parse_transcript(path):
    with open(path) as f:
        text = f.read()
    head, rest = text.split("# ---- stdout ----\n", 1)
    out, err = rest.split("# ---- stderr ----\n", 1)
    rc = int(head.split("# exit status: ")[1].split("\n")[0])
    return rc, out, err


def our_args(argv, prefix, keys_file):
    """The AWS CLI's argv (after `cloudtrail validate-logs`) as orgtrail options: the
    trail is not known to the server, so the bucket and organization are given."""
    a = list(argv[2:])
    if "--s3-bucket" not in a:
        a += ["--s3-bucket", mv.BUCKET, "--organization-id", ORG]
        if prefix:
            a += ["--s3-prefix", prefix]
    return a + ["--public-keys", keys_file, "--no-progress"]


class VectorsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = OrgtrailServer(account_id=mv.MGMT).start()
        cls.s3 = cls.srv.client("s3")
        cls.s3.create_bucket(Bucket=mv.BUCKET)
        cls.tmp = tempfile.TemporaryDirectory()
        cls.priv, cls.pub_der = mv.load_or_make_keys(False, False)
        cls.variants = {}
        for name, prefix in mv.VARIANTS.items():
            v = mv.build_variant(cls.priv, cls.pub_der, prefix)
            api = mv.api_wire(v, cls.pub_der)
            cls.variants[name] = (v, api)

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()
        cls.tmp.cleanup()

    def put(self, objects):
        listed = self.s3.list_objects_v2(Bucket=mv.BUCKET).get("Contents", [])
        for o in listed:
            self.s3.delete_object(Bucket=mv.BUCKET, Key=o["Key"])
        for o in objects:
            self.s3.put_object(Bucket=mv.BUCKET, Key=o.key, Body=o.body, Metadata=o.metadata)

    def keys_file(self, api):
        path = os.path.join(self.tmp.name, "keys-%s.json" % hashlib.md5(
            json.dumps(api["ListPublicKeys"], sort_keys=True).encode()).hexdigest())
        with open(path, "w") as f:
            json.dump(api["ListPublicKeys"], f)
        return path

    def run_orgtrail(self, args, data=False):
        where = ["--data", self.srv.data] if data else ["--endpoint-url", self.srv.endpoint]
        env = self.srv.env()
        env.pop("AWS_ENDPOINT_URL", None)
        p = subprocess.run([BINARY, "validate-logs"] + args + where, env=env,
                           capture_output=True, text=True, timeout=120)
        return p.returncode, p.stdout, p.stderr

    def test_vectors_match_the_official_transcripts(self):
        for vname, (v, api) in self.variants.items():
            for name, objects, api_used, argv, _, _ in mv.scenarios(v, api, self.priv, self.pub_der):
                if name in SKIP_HERE:
                    continue
                self.put(objects)
                want = parse_transcript(os.path.join(VECTORS, vname, "expected-cli-output",
                                                     name + ".txt"))
                args = our_args(argv, v["prefix"], self.keys_file(api_used))
                if name == "11-unreferenced-log-not-detected":
                    args.append("--no-extra-checks")
                for data in (False, True):
                    with self.subTest(variant=vname, scenario=name, data=data):
                        self.assertEqual(self.run_orgtrail(args, data), want)

    def test_unreferenced_log_is_reported(self):
        v, api = self.variants["with-prefix"]
        sc = {s[0]: s for s in mv.scenarios(v, api, self.priv, self.pub_der)}
        _, objects, api_used, argv, _, _ = sc["11-unreferenced-log-not-detected"]
        self.put(objects)
        extra = [o for o in objects if o.name == "EXTRA"][0]
        rc_aws, out_aws, err_aws = parse_transcript(os.path.join(
            VECTORS, "with-prefix", "expected-cli-output", "11-unreferenced-log-not-detected.txt"))
        for data in (False, True):
            rc, out, err = self.run_orgtrail(our_args(argv, v["prefix"], self.keys_file(api_used)), data)
            self.assertEqual(rc, 1)
            # After a verbose stdout line an error line starts with a blank line (as the
            # AWS CLI's), and the summary then follows without one.
            self.assertEqual(err, "\nLog file\ts3://%s/%s\tINVALID: not named by any digest\n\n"
                             % (mv.BUCKET, extra.key))
            aws_summary = out_aws[out_aws.index("Results requested"):]
            self.assertTrue(out.endswith(aws_summary[:-1] + "\n1 log files not named by any "
                                         "digest (not checked by the AWS CLI)\n"), out)


class OfficialValidatorAgreesTest(VectorsTest):
    """Tamper cases beyond the transcripts: the official validator (in-process, moto) and
    orgtrail's see the same objects and must print the same verdicts."""

    def official(self, objects, api, argv):
        return mv.run_cli(objects, api, argv, [])

    def resign(self, d, priv=None, fingerprint=None, mutate=None, hash_alg=None):
        """A copy of digest object d, changed by mutate(dict), signed again."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding
        doc = copy.deepcopy(d.digest)
        if fingerprint:
            doc["digestPublicKeyFingerprint"] = fingerprint
        if mutate:
            mutate(doc)
        plain = mv.compact(doc)
        sig = (priv or self.priv).sign(mv.signing_string(doc, plain), padding.PKCS1v15(),
                                       hash_alg or hashes.SHA256()).hex()
        o = mv.Obj("digest", d.key, plain, {"signature": sig, "signature-algorithm": mv.SIG_ALG},
                   d.name)
        o.digest, o.signature = doc, sig
        return o

    def compare(self, objects, extra_err=None, extra_rc=None):
        v, api = self.variants["no-prefix"]
        argv = mv.cli_args()
        self.put(objects)
        want = self.official(objects, api, argv)
        args = our_args(argv, v["prefix"], self.keys_file(api))
        for data in (False, True):
            self.assertEqual(self.run_orgtrail(args + ["--no-extra-checks"], data), want)
            rc, out, err = self.run_orgtrail(args, data)
            if extra_err is None:
                self.assertEqual((rc, out, err), want)
            else:
                self.assertEqual(rc, extra_rc)
                self.assertIn(extra_err, err)
        return want

    def test_digest_resigned_with_a_foreign_key(self):
        from cryptography.hazmat.primitives.asymmetric import rsa
        v, _ = self.variants["no-prefix"]
        foreign = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        d2 = self.resign(v["D2"], priv=foreign)
        rc, _, err = self.compare([v["L1"], v["L2"], v["D1"], d2])
        self.assertEqual(rc, 1)
        self.assertIn("INVALID: signature verification failed", err)

    def test_log_modified_deleted_digest_modified_deleted(self):
        v, _ = self.variants["no-prefix"]
        L1, L2, D1, D2 = v["L1"], v["L2"], v["D1"], v["D2"]
        changed = copy.copy(L2)
        changed.body = mv.gz(L2.plain.replace(b"us-east-1", b"us-east-2", 1))
        self.assertEqual(self.compare([L1, changed, D1, D2])[0], 1)
        self.assertEqual(self.compare([L1, D1, D2])[0], 1)
        d1 = copy.copy(D1)
        d1.body = mv.gz(D1.plain.replace(b"SHA-256", b"SHA-257", 1))
        self.assertEqual(self.compare([L1, L2, d1, D2])[0], 1)
        self.assertEqual(self.compare([L1, L2, D2])[0], 1)

    def test_previous_digest_hash_changed_and_resigned(self):
        v, _ = self.variants["no-prefix"]
        d2 = self.resign(v["D2"], mutate=lambda d: d.update(previousDigestHashValue="0" * 64))
        rc, _, _ = self.compare(
            [v["L1"], v["L2"], v["D1"], d2],
            extra_err="Digest file\ts3://%s/%s\tINVALID: previousDigestHashValue does not match "
                      "the SHA-256 of s3://%s/%s" % (mv.BUCKET, d2.key, mv.BUCKET, v["D1"].key),
            extra_rc=1)
        self.assertEqual(rc, 0)  # AWS's validator misses it

    def test_algorithm_names(self):
        from cryptography.hazmat.primitives import hashes
        v, _ = self.variants["no-prefix"]
        # Signed with SHA-1 though the digest says SHA256withRSA: python-rsa accepts it.
        d2 = self.resign(v["D2"], hash_alg=hashes.SHA1())
        rc, _, _ = self.compare([v["L1"], v["L2"], v["D1"], d2],
                                extra_err="INVALID: signed with SHA-1, not SHA256withRSA",
                                extra_rc=1)
        self.assertEqual(rc, 0)
        d2 = self.resign(v["D2"], mutate=lambda d: d["logFiles"][0].update(hashAlgorithm="MD5"))
        rc, _, _ = self.compare([v["L1"], v["L2"], v["D1"], d2],
                                extra_err="is MD5, not SHA-256", extra_rc=1)
        self.assertEqual(rc, 0)

    def test_vectors_match_the_official_transcripts(self):
        pass  # run once, in VectorsTest

    def test_unreferenced_log_is_reported(self):
        pass


if __name__ == "__main__":
    unittest.main()
