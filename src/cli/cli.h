/* cli: the orgtrail subcommands. Each takes argc/argv after the subcommand name, prints
 * its own --help, and returns the process exit status. */
#ifndef ORGTRAIL_CLI_H
#define ORGTRAIL_CLI_H

int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_root_key(int argc, char **argv);
int cmd_journal(int argc, char **argv);
int cmd_signer(int argc, char **argv);

/* 1 when s is a 12-digit account id. */
int cli_valid_account_id(const char *s);
int cmd_validate_logs(int argc, char **argv);

/* Creates a new store (exposed for tests). Fills the credentials it made. Returns 0, or
 * -1 with err filled. */
int store_create(const char *dir, const char *account_id, const char *region, char access_key[32],
                 char secret[48], char *err, size_t errlen);

#endif
