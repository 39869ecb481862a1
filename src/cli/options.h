/* options: the long options of every subcommand, parsed one way.
 *
 * A command lists its options in a table (each filling a string or a flag), calls
 * cli_parse_options, and checks what it got afterwards. Every command takes --help, and
 * answers an unknown option, a missing argument or a stray positional argument the same
 * way: the problem, then its usage on stderr, exit status 2. Values are validated by the
 * command after parsing, so its messages name the option and what it wants. */
#ifndef ORGTRAIL_CLI_OPTIONS_H
#define ORGTRAIL_CLI_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

typedef struct cli_option {
    const char *name;   /* without the leading "--" */
    const char **value; /* an option with an argument: where it goes (the last one wins) */
    bool *flag;         /* an option without one: set when given */
} cli_option;

typedef void (*cli_usage_fn)(FILE *f);

/* Parses argv[1..argc) against opts (terminated by name == NULL). Returns -1 when the
 * command goes on, else the exit status to return now: 0 after --help (usage printed on
 * stdout), 2 after a usage error (reported, usage printed on stderr). */
int cli_parse_options(int argc, char **argv, const char *command, const cli_option *opts,
                      cli_usage_fn usage);

/* "orgtrail COMMAND: <message>", a blank line and the usage on stderr; returns 2. */
int cli_usage_error(const char *command, cli_usage_fn usage, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
