/* orgtrail: a self-hosted, AWS-compatible organization trail. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static void usage(FILE *f)
{
    fputs("usage: orgtrail <command> [options]\n"
          "\n"
          "commands:\n"
          "  init     create a new store with the management account and its root key\n"
          "  serve    serve the AWS APIs (Organizations, CloudTrail, STS, IAM, S3, ...)\n"
          "  events   print the captured CloudTrail records as JSON lines\n"
          "  root-key create an access key for an account's root user\n"
          "  journal  check or salvage the journal of captured records (check, salvage)\n"
          "  validate-logs  check log files against their signed digests (as the AWS CLI)\n"
          "  signer   (internal) the digest signer that serve starts by itself\n"
          "\n"
          "Run 'orgtrail <command> --help' for a command's options.\n",
          f);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "init")) return cmd_init(argc - 1, argv + 1);
    if (!strcmp(cmd, "serve")) return cmd_serve(argc - 1, argv + 1);
    if (!strcmp(cmd, "events")) return cmd_events(argc - 1, argv + 1);
    if (!strcmp(cmd, "root-key")) return cmd_root_key(argc - 1, argv + 1);
    if (!strcmp(cmd, "journal")) return cmd_journal(argc - 1, argv + 1);
    if (!strcmp(cmd, "signer")) return cmd_signer(argc - 1, argv + 1);
    if (!strcmp(cmd, "validate-logs")) return cmd_validate_logs(argc - 1, argv + 1);
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "orgtrail: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return 2;
}
