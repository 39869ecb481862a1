#include "cli/options.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>

#define HELP_CODE 'h'
#define FIRST_CODE 256 /* option i is returned by getopt_long as FIRST_CODE + i */

int cli_usage_error(const char *command, cli_usage_fn usage, const char *fmt, ...)
{
    fprintf(stderr, "orgtrail %s: ", command);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n\n", stderr);
    usage(stderr);
    return 2;
}

int cli_parse_options(int argc, char **argv, const char *command, const cli_option *opts,
                      cli_usage_fn usage)
{
    size_t n = 0;
    while (opts[n].name)
        n++;
    struct option *lo = calloc(n + 2, sizeof *lo);
    if (!lo) abort();
    for (size_t i = 0; i < n; i++)
        lo[i] = (struct option){opts[i].name, opts[i].value ? required_argument : no_argument, NULL,
                                FIRST_CODE + (int)i};
    lo[n] = (struct option){"help", no_argument, NULL, HELP_CODE};
    int status = -1, o;
    optind = 1;
    opterr = 0; /* the messages are ours, naming the command */
    while (status < 0 && (o = getopt_long(argc, argv, ":", lo, NULL)) != -1) {
        if (o == HELP_CODE) {
            usage(stdout);
            status = 0;
        } else if (o >= FIRST_CODE && o < FIRST_CODE + (int)n) {
            const cli_option *opt = &opts[o - FIRST_CODE];
            if (opt->value) *opt->value = optarg;
            if (opt->flag) *opt->flag = true;
        } else if (o == ':') {
            status = cli_usage_error(command, usage, "%s needs a value", argv[optind - 1]);
        } else {
            status = cli_usage_error(command, usage, "unknown option '%s'", argv[optind - 1]);
        }
    }
    free(lo);
    if (status < 0 && optind < argc)
        status = cli_usage_error(command, usage, "unexpected argument '%s'", argv[optind]);
    return status;
}
