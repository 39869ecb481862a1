#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/ids.h"
#include "core/timeutil.h"
#include "state/db.h"
#include "cli/options.h"

int cli_valid_account_id(const char *s)
{
    if (strlen(s) != 12) return 0;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9') return 0;
    return 1;
}

static int valid_region(const char *s)
{
    size_t n = strlen(s);
    if (n < 4 || n > 32) return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-')) return 0;
    return 1;
}

static int write_file_0600(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    size_t n = strlen(text);
    int rc = write(fd, text, n) == (ssize_t)n && fsync(fd) == 0 ? 0 : -1;
    close(fd);
    return rc;
}

int store_create(const char *dir, const char *account_id, const char *region, char access_key[32],
                 char secret[48], char *err, size_t errlen)
{
    char path[4096];
    if (mkdir(dir, 0700) && errno != EEXIST) {
        snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    snprintf(path, sizeof path, "%s/state.db", dir);
    if (access(path, F_OK) == 0) {
        snprintf(err, errlen,
                 "%s already holds an orgtrail store; refusing to overwrite it "
                 "(use another --data directory, or remove this one)",
                 dir);
        return -1;
    }
    db_pool pool;
    if (db_pool_open(&pool, path, true, err, errlen)) return -1;
    db_conn *c = db_acquire(&pool);
    ids_key_id(access_key, 32, "AKIA", 16);
    ids_secret(secret);
    int64_t now = time_now_ms();
    char email[64];
    snprintf(email, sizeof email, "management+%s@orgtrail.invalid", account_id);
    int rc =
        db_begin(c) ||
        db_exec(c, "INSERT INTO meta(key, value) VALUES('owner_account', ?)", "s", account_id) ||
        db_exec(c, "INSERT INTO meta(key, value) VALUES('default_region', ?)", "s", region) ||
        db_exec(c, "INSERT INTO accounts(id, name, email, created_ms) VALUES(?, ?, ?, ?)", "sssi",
                account_id, "management", email, now) ||
        db_exec(c,
                "INSERT INTO access_keys(access_key_id, secret, account_id, created_ms) "
                "VALUES(?, ?, ?, ?)",
                "sssi", access_key, secret, account_id, now) ||
        db_commit(c);
    if (rc) snprintf(err, errlen, "cannot initialise the store: %s", db_errmsg(c));
    db_release(&pool, c);
    db_pool_close(&pool);
    if (rc) return -1;

    char text[512];
    snprintf(path, sizeof path, "%s/credentials", dir);
    snprintf(text, sizeof text, "[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n",
             access_key, secret);
    if (write_file_0600(path, text)) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    snprintf(path, sizeof path, "%s/config", dir);
    snprintf(text, sizeof text, "[default]\nregion = %s\n", region);
    if (write_file_0600(path, text)) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static void usage(FILE *f)
{
    fputs("usage: orgtrail init --data DIR [--account-id 12DIGITS] [--region REGION]\n"
          "\n"
          "Creates a new orgtrail store in DIR holding the management account and its root\n"
          "access key. Prints {\"AccountId\",\"AccessKeyId\",\"SecretAccessKey\",\"Region\"}\n"
          "and writes DIR/credentials (AWS shared-credentials format) and DIR/config.\n"
          "Refuses to overwrite an existing store.\n"
          "\n"
          "  --data DIR          directory of the store (created if missing)\n"
          "  --account-id ID     the management account's id (default: random)\n"
          "  --region REGION     default region (default: us-east-1)\n",
          f);
}

int cmd_init(int argc, char **argv)
{
    const char *dir = NULL, *region = "us-east-1", *account_arg = NULL;
    const cli_option opts[] = {
        {"data", &dir, NULL}, {"account-id", &account_arg, NULL}, {"region", &region, NULL}, {0}};
    int parsed = cli_parse_options(argc, argv, "init", opts, usage);
    if (parsed >= 0) return parsed;
    if (!dir) return cli_usage_error("init", usage, "--data DIR is required");
    char account[16] = "";
    if (account_arg) snprintf(account, sizeof account, "%s", account_arg);
    if (account[0] && !cli_valid_account_id(account)) {
        fprintf(stderr, "orgtrail init: --account-id must be 12 digits\n");
        return 2;
    }
    if (!valid_region(region)) {
        fprintf(stderr, "orgtrail init: --region '%s' is not a region name like us-east-1\n",
                region);
        return 2;
    }
    if (!account[0]) {
        ids_from_alphabet(account, 12, IDS_DIGITS);
        if (account[0] == '0') account[0] = '1';
    }
    char akid[32], secret[48], err[512];
    if (store_create(dir, account, region, akid, secret, err, sizeof err)) {
        fprintf(stderr, "orgtrail init: %s\n", err);
        return 1;
    }
    printf("{\"AccountId\":\"%s\",\"AccessKeyId\":\"%s\",\"SecretAccessKey\":\"%s\","
           "\"Region\":\"%s\"}\n",
           account, akid, secret, region);
    return 0;
}
