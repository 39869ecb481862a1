/* root-key: an access key for the root user of any account in the store.
 *
 * AWS lets an account's root user make access keys once it can sign in; accounts that
 * CreateAccount made have no root password until someone resets it. orgtrail has no
 * console, so the operator of the store (who holds its data directory, as AWS holds its
 * own) makes the key here. Like AWS, a root user has at most two access keys. Safe while
 * `orgtrail serve` runs: the key is one SQLite row, looked up on each request. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/ids.h"
#include "core/timeutil.h"
#include "state/db.h"
#include "cli/options.h"

#define ROOT_KEYS_MAX 2

static void usage(FILE *f)
{
    fputs("usage: orgtrail root-key --data DIR --account-id 12DIGITS\n"
          "\n"
          "Creates an access key for the root user of an account in the store (the\n"
          "management account or any account of the organization) and prints\n"
          "{\"AccountId\",\"AccessKeyId\",\"SecretAccessKey\"}. A root user has at most two\n"
          "access keys. Works while the server runs.\n"
          "\n"
          "  --data DIR          directory of the store\n"
          "  --account-id ID     the account whose root user gets the key\n",
          f);
}

/* Returns 0 with the key made, 1 with err filled. */
static int make_root_key(db_conn *c, const char *account, char akid[32], char secret[48], char *err,
                         size_t errlen)
{
    int64_t known = 0, keys = 0;
    /* COUNT(*) always yields a row: no row means the query failed. */
    if (db_begin(c) ||
        !db_get_int(c, &known, "SELECT COUNT(*) FROM accounts WHERE id = ?", "s", account) ||
        !db_get_int(c, &keys,
                    "SELECT COUNT(*) FROM access_keys WHERE account_id = ? AND user_name IS NULL",
                    "s", account)) {
        snprintf(err, errlen, "cannot read the store: %s", db_errmsg(c));
        db_rollback(c);
        return 1;
    }
    if (!known) {
        snprintf(err, errlen,
                 "account %s is not in this store (list them with "
                 "'aws organizations list-accounts')",
                 account);
        db_rollback(c);
        return 1;
    }
    if (keys >= ROOT_KEYS_MAX) {
        snprintf(err, errlen,
                 "the root user of %s already has %d access keys, the most AWS allows; "
                 "delete one with 'aws iam delete-access-key' as that root user first",
                 account, ROOT_KEYS_MAX);
        db_rollback(c);
        return 1;
    }
    ids_key_id(akid, 32, "AKIA", 16);
    ids_secret(secret);
    if (db_exec(c,
                "INSERT INTO access_keys(access_key_id, secret, account_id, created_ms) "
                "VALUES(?, ?, ?, ?)",
                "sssi", akid, secret, account, time_now_ms()) ||
        db_commit(c)) {
        snprintf(err, errlen, "cannot write the store: %s", db_errmsg(c));
        db_rollback(c);
        return 1;
    }
    return 0;
}

int cmd_root_key(int argc, char **argv)
{
    const char *dir = NULL, *account = NULL;
    const cli_option opts[] = {{"data", &dir, NULL}, {"account-id", &account, NULL}, {0}};
    int parsed = cli_parse_options(argc, argv, "root-key", opts, usage);
    if (parsed >= 0) return parsed;
    if (!dir || !account)
        return cli_usage_error("root-key", usage, "--data DIR and --account-id ID are required");
    if (!cli_valid_account_id(account)) {
        fprintf(stderr, "orgtrail root-key: --account-id must be 12 digits\n");
        return 2;
    }
    char path[4096], err[512];
    snprintf(path, sizeof path, "%s/state.db", dir);
    db_pool pool;
    if (db_pool_open(&pool, path, false, err, sizeof err)) {
        fprintf(stderr,
                "orgtrail root-key: %s (is %s an orgtrail store? 'orgtrail init' makes one)\n", err,
                dir);
        return 1;
    }
    db_conn *c = db_acquire(&pool);
    char akid[32], secret[48];
    int rc = make_root_key(c, account, akid, secret, err, sizeof err);
    db_release(&pool, c);
    db_pool_close(&pool);
    if (rc) {
        fprintf(stderr, "orgtrail root-key: %s\n", err);
        return 1;
    }
    printf("{\"AccountId\":\"%s\",\"AccessKeyId\":\"%s\",\"SecretAccessKey\":\"%s\"}\n", account,
           akid, secret);
    return 0;
}
