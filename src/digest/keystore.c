#include "digest/keystore.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xalloc.h"

bool keystore_region_ok(const char *region)
{
    size_t n = strlen(region);
    if (n == 0 || n > 31) return false;
    for (size_t i = 0; i < n; i++)
        if (!((region[i] >= 'a' && region[i] <= 'z') || (region[i] >= '0' && region[i] <= '9') ||
              region[i] == '-'))
            return false;
    return true;
}

static void fill(sqlite3_stmt *st, public_key *k)
{
    memset(k, 0, sizeof *k);
    snprintf(k->fingerprint, sizeof k->fingerprint, "%s", db_text(st, 0));
    snprintf(k->region, sizeof k->region, "%s", db_text(st, 1));
    size_t len;
    const void *p = db_blob(st, 2, &len);
    k->der = malloc(len ? len : 1);
    if (!k->der) abort();
    if (len) memcpy(k->der, p, len);
    k->der_len = len;
    k->valid_from_ms = db_int(st, 3);
    k->valid_to_ms = db_int(st, 4);
}

#define KEY_COLUMNS "fingerprint, region, public_der, valid_from_ms, valid_to_ms"

static int make_key(db_conn *db, signer_client *sg, const char *region, int64_t t_ms,
                    int64_t period_ms, int64_t now_ms, public_key *pub, aws_error *e)
{
    memset(pub, 0, sizeof *pub);
    /* The signer makes the pair and keeps the private half; only the public one is here. */
    if (signer_new_key(sg, region, &pub->der, &pub->der_len, pub->fingerprint, e)) return -1;
    snprintf(pub->region, sizeof pub->region, "%s", region);
    pub->valid_from_ms = t_ms / 1000 * 1000;
    pub->valid_to_ms = pub->valid_from_ms + (period_ms < 1000 ? 1000 : period_ms);
    if (db_exec(db,
                "INSERT INTO signing_keys(" KEY_COLUMNS ", created_ms) "
                "VALUES(?, ?, ?, ?, ?, ?)",
                "ssbiii", pub->fingerprint, region, pub->der, pub->der_len, pub->valid_from_ms,
                pub->valid_to_ms, now_ms)) {
        public_key_clear(pub);
        return aws_fail(e, 500, "InternalError", "Could not store a digest signing key.");
    }
    return 0;
}

int keystore_key_for(db_conn *db, signer_client *sg, const char *region, int64_t t_ms,
                     int64_t period_ms, int64_t now_ms, public_key *pub, aws_error *e)
{
    if (!keystore_region_ok(region))
        return aws_fail(e, 400, "InvalidParameterException", "Not a region name: %.40s", region);
    sqlite3_stmt *st = db_query(db,
                                "SELECT " KEY_COLUMNS " FROM signing_keys WHERE region = ? AND "
                                "valid_from_ms <= ? AND valid_to_ms > ? "
                                "ORDER BY valid_from_ms DESC, created_ms DESC LIMIT 1",
                                "sii", region, t_ms, t_ms);
    bool found = db_row(st);
    if (found) fill(st, pub);
    db_done(st);
    if (!found) return make_key(db, sg, region, t_ms, period_ms, now_ms, pub, e);
    return 0;
}

size_t keystore_list(db_conn *db, const char *region, int64_t from_ms, int64_t to_ms,
                     public_key **out)
{
    size_t n = 0, cap = 0;
    *out = NULL;
    sqlite3_stmt *st = db_query(db,
                                "SELECT " KEY_COLUMNS " FROM signing_keys WHERE region = ? AND "
                                "valid_from_ms <= ? AND valid_to_ms > ? "
                                "ORDER BY valid_from_ms DESC, created_ms DESC",
                                "sii", region, to_ms, from_ms);
    while (db_row(st)) {
        *out = xgrow(*out, &cap, n + 1, sizeof **out);
        fill(st, &(*out)[n++]);
    }
    db_done(st);
    return n;
}

void public_key_clear(public_key *k)
{
    free(k->der);
    k->der = NULL;
    k->der_len = 0;
}

void public_keys_free(public_key *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        public_key_clear(&v[i]);
    free(v);
}
