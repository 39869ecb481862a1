"""The front end as a whole: health, SigV4 outcomes, protocols, capture."""
import unittest
import urllib.request

import botocore.exceptions

from tests.integration.harness import Creds, OrgtrailServer, error_code


class SmokeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = OrgtrailServer().start()

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def test_health_is_anonymous(self):
        body = urllib.request.urlopen(self.srv.endpoint + "/_orgtrail/health").read()
        self.assertEqual(body, b'{"status":"ok"}')

    def test_caller_identity_of_root(self):
        ident = self.srv.client("sts").get_caller_identity()
        self.assertEqual(ident["Account"], "111111111111")
        self.assertEqual(ident["Arn"], "arn:aws:iam::111111111111:root")

    def test_cli_reads_the_written_credentials(self):
        rc, out, err = self.srv.aws("sts", "get-caller-identity")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out["Account"], "111111111111")

    def test_wrong_secret_is_refused_and_recorded(self):
        bad = Creds(self.srv.root.access_key, "x" * 40)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.srv.client("sts", bad).get_caller_identity()
        self.assertEqual(error_code(cm.exception), "SignatureDoesNotMatch")
        recs = [r for r in self.srv.events() if r.get("errorCode") == "SignatureDoesNotMatch"]
        self.assertTrue(recs)
        self.assertEqual(recs[-1]["userIdentity"]["type"], "Unknown")
        self.assertEqual(recs[-1]["recipientAccountId"], "111111111111")
        self.assertNotIn("x" * 40, str(recs[-1]))


if __name__ == "__main__":
    unittest.main()
