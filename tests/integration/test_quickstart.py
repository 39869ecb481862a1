"""The README's quickstart (scripts/quickstart.sh, AWS CLI only) against a fresh server."""
import os
import subprocess
import unittest

from tests.integration.harness import OrgtrailServer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class QuickstartTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = OrgtrailServer().start()

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def run_quickstart(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        # As a newcomer runs it: credentials come from the data directory `init` wrote.
        env.update({"AWS_ENDPOINT_URL": self.srv.endpoint, "ORGTRAIL_DATA": self.srv.data,
                    "AWS_MAX_ATTEMPTS": "1"})
        return subprocess.run([os.path.join(ROOT, "scripts", "quickstart.sh")], env=env,
                              capture_output=True, text=True, timeout=300)

    def test_quickstart_sets_up_the_org_trail_and_is_idempotent(self):
        p = self.run_quickstart()
        self.assertEqual(p.returncode, 0, p.stderr[-4000:])
        self.assertIn("is logging to s3://org-trail-logs-", p.stderr)

        trails = self.srv.client("cloudtrail").describe_trails()["trailList"]
        self.assertEqual(len(trails), 1)
        t = trails[0]
        self.assertEqual(t["TrailARN"], "arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail")
        self.assertTrue(t["IsOrganizationTrail"])
        self.assertTrue(t["IsMultiRegionTrail"])
        self.assertTrue(t["LogFileValidationEnabled"])
        self.assertTrue(self.srv.client("cloudtrail").get_trail_status(Name="org-trail")["IsLogging"])
        accounts = self.srv.client("organizations").list_accounts()["Accounts"]
        self.assertEqual(len(accounts), 4)
        self.assertLessEqual({"log-archive", "workload-a", "workload-b"},
                             {a["Name"] for a in accounts})
        self.assertEqual(self.srv.client("organizations").list_aws_service_access_for_organization()
                         ["EnabledServicePrincipals"][0]["ServicePrincipal"],
                         "cloudtrail.amazonaws.com")

        # A second run changes nothing and says what exists.
        again = self.run_quickstart()
        self.assertEqual(again.returncode, 0, again.stderr[-4000:])
        self.assertIn("already in an organization", again.stderr)
        self.assertEqual(len(self.srv.client("cloudtrail").describe_trails()["trailList"]), 1)

        # Each CLI call left a record in the management account.
        names = {r["eventName"] for r in self.srv.events("111111111111")}
        for n in ("CreateOrganization", "CreateAccount", "EnableAWSServiceAccess", "CreateUser",
                  "CreateTrail", "StartLogging", "DescribeTrails"):
            self.assertIn(n, names)


if __name__ == "__main__":
    unittest.main()
