"""Integration-test harness: a real `orgtrail serve` and real AWS clients.

Each test module starts its own server (OrgtrailServer) on a free loopback port with a
fresh store, and talks to it with boto3 and the AWS CLI exactly as a user would, through
AWS_ENDPOINT_URL. The binary is $ORGTRAIL_BIN (the sanitizer build under `make test`).
Stopping the server checks that it exits cleanly: a sanitizer report fails the test.
"""
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.request
from collections import namedtuple

import boto3
import botocore.config
import botocore.exceptions

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SHARED = os.environ.get("ORGTRAIL_SHARED", os.path.join(ROOT, "..", "shared"))
BINARY = os.environ.get("ORGTRAIL_BIN", os.path.join(ROOT, "build", "orgtrail"))

Creds = namedtuple("Creds", "access_key secret token account")
Creds.__new__.__defaults__ = (None, None)

NO_RETRY = botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"},
                                  connect_timeout=10, read_timeout=60)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OrgtrailServer:
    def __init__(self, account_id="111111111111", region="us-east-1", extra_args=()):
        self.account_id = account_id
        self.region = region
        self.extra_args = list(extra_args)
        self.tmp = tempfile.TemporaryDirectory(prefix="orgtrail-test-")
        self.data = os.path.join(self.tmp.name, "data")
        self.proc = None
        self.port = None
        self.log_path = os.path.join(self.tmp.name, "serve.log")

    # -- lifecycle -------------------------------------------------------------------
    def start(self):
        out = subprocess.run([BINARY, "init", "--data", self.data, "--account-id", self.account_id,
                              "--region", self.region], check=True, capture_output=True, text=True)
        info = json.loads(out.stdout)
        self.root = Creds(info["AccessKeyId"], info["SecretAccessKey"], None, info["AccountId"])
        self._spawn()
        return self

    def _spawn(self):
        self.port = free_port()
        self.endpoint = "http://127.0.0.1:%d" % self.port
        with open(self.log_path, "a") as log:  # the child keeps its own descriptor
            self.proc = subprocess.Popen(
                [BINARY, "serve", "--data", self.data, "--listen", "127.0.0.1:%d" % self.port]
                + self.extra_args, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("orgtrail serve exited early:\n" + self.log())
            try:
                urllib.request.urlopen(self.endpoint + "/_orgtrail/health", timeout=1).read()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("orgtrail serve did not come up:\n" + self.log())

    def restart(self):
        self.stop(check=True)
        self._spawn()

    def stop(self, check=True):
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.proc = None
        if check and rc != 0:
            raise AssertionError("orgtrail serve exited with %d:\n%s" % (rc, self.log()))

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.proc = None

    def close(self):
        try:
            self.stop()
        finally:
            self.tmp.cleanup()

    def log(self):
        with open(self.log_path) as f:
            return f.read()[-20000:]

    # -- clients ---------------------------------------------------------------------
    def client(self, service, creds=None, region=None):
        creds = creds or self.root
        return boto3.session.Session().client(
            service, endpoint_url=self.endpoint, region_name=region or self.region,
            aws_access_key_id=creds.access_key, aws_secret_access_key=creds.secret,
            aws_session_token=creds.token, config=NO_RETRY)

    def env(self, creds=None, region=None):
        creds = creds or self.root
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update({"AWS_ENDPOINT_URL": self.endpoint,
                    "AWS_ACCESS_KEY_ID": creds.access_key,
                    "AWS_SECRET_ACCESS_KEY": creds.secret,
                    "AWS_DEFAULT_REGION": region or self.region,
                    "AWS_MAX_ATTEMPTS": "1",
                    "AWS_CONFIG_FILE": "/dev/null",
                    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"})
        if creds.token:
            env["AWS_SESSION_TOKEN"] = creds.token
        return env

    def aws(self, *args, creds=None, region=None):
        """Runs the AWS CLI; returns (exit code, parsed JSON stdout or text, stderr)."""
        p = subprocess.run(["aws", "--output", "json"] + list(args), env=self.env(creds, region),
                           capture_output=True, text=True, timeout=120)
        out = p.stdout
        try:
            out = json.loads(out) if out.strip() else {}
        except ValueError:
            pass
        return p.returncode, out, p.stderr

    def events(self, account=None):
        args = [BINARY, "events", "--data", self.data]
        if account:
            args += ["--account", account]
        out = subprocess.run(args, check=True, capture_output=True, text=True)
        return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]

    # -- organization helpers (need Organizations and STS) ---------------------------
    def assume(self, role_arn, session="test-session", creds=None):
        c = self.client("sts", creds).assume_role(RoleArn=role_arn, RoleSessionName=session)
        k = c["Credentials"]
        account = role_arn.split(":")[4]
        return Creds(k["AccessKeyId"], k["SecretAccessKey"], k["SessionToken"], account)

    def admin(self):
        """An IAM user "admin" in the management account with AdministratorAccess and an
        access key (AWS refuses AssumeRole with root credentials). Made once, then reused."""
        if getattr(self, "_admin", None) is None:
            iam = self.client("iam")
            iam.create_user(UserName="admin")
            iam.attach_user_policy(UserName="admin",
                                   PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
            k = iam.create_access_key(UserName="admin")["AccessKey"]
            self._admin = Creds(k["AccessKeyId"], k["SecretAccessKey"], None, self.account_id)
        return self._admin

    def member_admin(self, account_id, session="test-session"):
        """Credentials in a member account via OrganizationAccountAccessRole, assumed by
        the management account's admin user."""
        return self.assume("arn:aws:iam::%s:role/OrganizationAccountAccessRole" % account_id,
                           session, creds=self.admin())

    def root_of(self, account_id):
        """Root-user access key of any account in the store (`orgtrail root-key`)."""
        out = subprocess.run([BINARY, "root-key", "--data", self.data, "--account-id", account_id],
                             check=True, capture_output=True, text=True)
        info = json.loads(out.stdout)
        return Creds(info["AccessKeyId"], info["SecretAccessKey"], None, account_id)

    def create_account(self, name, email=None):
        org = self.client("organizations")
        st = org.create_account(Email=email or "%s@example.com" % name, AccountName=name)
        rid = st["CreateAccountStatus"]["Id"]
        for _ in range(100):
            st = org.describe_create_account_status(CreateAccountRequestId=rid)["CreateAccountStatus"]
            if st["State"] == "SUCCEEDED":
                return st["AccountId"]
            if st["State"] == "FAILED":
                raise AssertionError("CreateAccount failed: %s" % st)
            time.sleep(0.05)
        raise AssertionError("CreateAccount did not finish")


def error_code(exc):
    return exc.response["Error"]["Code"]


class ServerTestCase(unittest.TestCase):
    """One server for the whole class, cls.srv, its management root's IAM client cls.iam,
    and fails(): the call must fail with this AWS error code and HTTP status."""

    @classmethod
    def setUpClass(cls):
        cls.srv = OrgtrailServer().start()
        cls.iam = cls.srv.client("iam")

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def fails(self, fn, code, status, **kw):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(**kw)
        self.assertEqual(error_code(cm.exception), code, cm.exception.response["Error"])
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], status)
        return cm.exception.response["Error"]["Message"]
