#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "digest/signer.h"

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
    static const struct option opts[] = {{"data", required_argument, NULL, 'd'},
                                         {"fd", required_argument, NULL, 'f'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *dir = NULL;
    int fd = -1;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'd':
            dir = optarg;
            break;
        case 'f': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 0 || v > 1 << 20) {
                fprintf(stderr, "orgtrail signer: --fd wants a descriptor number\n");
                return 2;
            }
            fd = (int)v;
            break;
        }
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (!dir || fd < 0) {
        usage(stderr);
        return 2;
    }
    return signer_serve(dir, fd);
}
