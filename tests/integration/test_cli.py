"""The command line: every command answers --help, and a usage error the same way.

Each case is one row: the arguments, the exit status, and what stdout or stderr must
hold. Usage errors are "orgtrail COMMAND: problem", a blank line, then the command's usage
on stderr, exit status 2 (src/cli/options.h); --help prints the usage on stdout, exit 0.
"""
import subprocess
import unittest

from tests.integration.harness import BINARY

COMMANDS = ["init", "serve", "events", "root-key", "journal", "validate-logs", "signer"]

# (arguments, exit status, stream, text it contains)
USAGE_ERRORS = [
    (["serve", "--bogus"], 2, "stderr", "orgtrail serve: unknown option '--bogus'"),
    (["serve", "--data"], 2, "stderr", "orgtrail serve: --data needs a value"),
    (["serve"], 2, "stderr", "orgtrail serve: --data DIR is required"),
    (["serve", "--data", "/nonexistent", "--listen", "nope"], 2, "stderr",
     "orgtrail serve: --listen wants HOST:PORT, got 'nope'"),
    (["serve", "--data", "/nonexistent", "--delivery-interval", "0"], 2, "stderr",
     "--delivery-interval wants 1..86400 seconds"),
    (["events", "--data", "/nonexistent", "stray"], 2, "stderr",
     "orgtrail events: unexpected argument 'stray'"),
    (["init"], 2, "stderr", "orgtrail init: --data DIR is required"),
    (["root-key", "--data", "/nonexistent"], 2, "stderr",
     "--data DIR and --account-id ID are required"),
    (["journal", "check"], 2, "stderr", "orgtrail journal: --data DIR is required"),
    (["journal", "check", "--data"], 2, "stderr", "orgtrail journal: --data needs a value"),
    (["validate-logs", "--trail-arn", "x"], 2, "stderr",
     "orgtrail validate-logs: --trail-arn and --start-time are required"),
    (["signer", "--data", "/nonexistent", "--fd", "x"], 2, "stderr",
     "orgtrail signer: --fd wants a descriptor number"),
    ([], 2, "stderr", "usage: orgtrail <command>"),
    (["frobnicate"], 2, "stderr", "orgtrail: unknown command 'frobnicate'"),
    (["--help"], 0, "stdout", "usage: orgtrail <command>"),
]


def run(args):
    p = subprocess.run([BINARY] + args, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


class CliTest(unittest.TestCase):
    def test_every_command_has_help(self):
        for cmd in COMMANDS:
            with self.subTest(cmd=cmd):
                rc, out, err = run([cmd, "--help"])
                self.assertEqual(rc, 0, err)
                self.assertTrue(out.startswith("usage: orgtrail " + cmd), out)
                self.assertEqual(err, "")

    def test_usage_errors(self):
        for args, status, stream, text in USAGE_ERRORS:
            with self.subTest(args=args):
                rc, out, err = run(args)
                self.assertEqual(rc, status, (out, err))
                self.assertIn(text, out if stream == "stdout" else err)
                if status == 2 and args and args[0] in COMMANDS:
                    # The problem, then the usage (validation errors of values print
                    # only the problem: the option is named, the usage would bury it).
                    first = err.splitlines()[0]
                    self.assertTrue(first.startswith("orgtrail "), err)


if __name__ == "__main__":
    unittest.main()
