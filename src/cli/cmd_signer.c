#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "digest/signer.h"
#include "cli/options.h"

static void usage(FILE *f)
{
    fputs("usage: orgtrail signer --data DIR --fd N\n"
          "\n"
          "Internal: the digest signer that 'orgtrail serve' starts and restarts by itself.\n"
          "It alone reads DIR/signing-keys/ and answers the server's signing requests on the\n"
          "socket N, signing only what moves a digest chain forward. There is no need to\n"
          "run it by hand.\n"
          "\n"
          "  --data DIR  the store\n"
          "  --fd N      the connected SOCK_SEQPACKET socket from the server\n",
          f);
}

int cmd_signer(int argc, char **argv)
{
    const char *dir = NULL, *fd_arg = NULL;
    const cli_option opts[] = {{"data", &dir, NULL}, {"fd", &fd_arg, NULL}, {0}};
    int parsed = cli_parse_options(argc, argv, "signer", opts, usage);
    if (parsed >= 0) return parsed;
    int fd = -1;
    if (fd_arg) {
        char *end;
        long v = strtol(fd_arg, &end, 10);
        if (*end || !*fd_arg || v < 0 || v > 1 << 20) {
            fprintf(stderr, "orgtrail signer: --fd wants a descriptor number\n");
            return 2;
        }
        fd = (int)v;
    }
    if (!dir || fd < 0) {
        usage(stderr);
        return 2;
    }
    return signer_serve(dir, fd);
}
