#include "digest/keystore.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fsync_dir.h"

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

static void key_path(char *out, size_t n, const char *data_dir, const char *region,
                     const char *fingerprint)
{
    snprintf(out, n, "%s/signing-keys/%s/%s.pem", data_dir, region, fingerprint);
}

static int mkdir_0700(const char *path)
{
    return mkdir(path, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

/* Writes the private key file durably: temp, fsync, rename, fsync(dir). */
static int write_private(const char *data_dir, const char *region, const char *fingerprint,
                         const char *pem, size_t len)
{
    char dir[4096], path[4200], tmp[4300];
    snprintf(dir, sizeof dir, "%s/signing-keys", data_dir);
    if (mkdir_0700(dir)) return -1;
    snprintf(dir, sizeof dir, "%s/signing-keys/%s", data_dir, region);
    if (mkdir_0700(dir)) return -1;
    key_path(path, sizeof path, data_dir, region, fingerprint);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, pem + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        off += (size_t)w;
    }
    int rc = off == len && fsync(fd) == 0 ? 0 : -1;
    close(fd);
    if (rc || rename(tmp, path) || fsync_dir(dir)) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

static signkey *read_private(const char *data_dir, const char *region, const char *fingerprint)
{
    char path[4200];
    key_path(path, sizeof path, data_dir, region, fingerprint);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    char pem[8192];
    size_t len = 0;
    for (;;) {
        ssize_t r = read(fd, pem + len, sizeof pem - 1 - len);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        len += (size_t)r;
        if (len == sizeof pem - 1) break;
    }
    close(fd);
    signkey *k = signkey_from_pem(pem, len);
    /* The PEM held private key material: do not leave it on the stack. */
    memset(pem, 0, sizeof pem);
    return k;
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

static int make_key(db_conn *db, const char *data_dir, const char *region, int64_t t_ms,
                    int64_t period_ms, int64_t now_ms, public_key *pub, signkey **priv,
                    aws_error *e)
{
    signkey *k = signkey_generate();
    unsigned char *der = NULL;
    size_t der_len = 0;
    char *pem = NULL;
    size_t pem_len = 0;
    if (!k || signkey_public_der(k, &der, &der_len) || signkey_to_pem(k, &pem, &pem_len)) {
        signkey_free(k);
        free(der);
        return aws_fail(e, 500, "InternalError", "Could not make a digest signing key.");
    }
    memset(pub, 0, sizeof *pub);
    snprintf(pub->region, sizeof pub->region, "%s", region);
    signkey_fingerprint(der, der_len, pub->fingerprint);
    pub->der = der;
    pub->der_len = der_len;
    pub->valid_from_ms = t_ms / 1000 * 1000;
    pub->valid_to_ms = pub->valid_from_ms + (period_ms < 1000 ? 1000 : period_ms);
    int rc = write_private(data_dir, region, pub->fingerprint, pem, pem_len);
    memset(pem, 0, pem_len);
    free(pem);
    if (rc || db_exec(db,
                      "INSERT INTO signing_keys(" KEY_COLUMNS ", created_ms) "
                      "VALUES(?, ?, ?, ?, ?, ?)",
                      "ssbiii", pub->fingerprint, region, der, der_len, pub->valid_from_ms,
                      pub->valid_to_ms, now_ms)) {
        signkey_free(k);
        public_key_clear(pub);
        return aws_fail(e, 500, "InternalError", "Could not store a digest signing key.");
    }
    if (priv)
        *priv = k;
    else
        signkey_free(k);
    return 0;
}

int keystore_key_for(db_conn *db, const char *data_dir, const char *region, int64_t t_ms,
                     int64_t period_ms, int64_t now_ms, public_key *pub, signkey **priv,
                     aws_error *e)
{
    if (priv) *priv = NULL;
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
    if (!found) return make_key(db, data_dir, region, t_ms, period_ms, now_ms, pub, priv, e);
    if (priv && !(*priv = read_private(data_dir, region, pub->fingerprint))) {
        public_key_clear(pub);
        return aws_fail(e, 500, "InternalError",
                        "The private signing key %s of region %s cannot be read.", pub->fingerprint,
                        region);
    }
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
        if (n == cap) {
            cap = cap ? cap * 2 : 4;
            *out = realloc(*out, cap * sizeof **out);
            if (!*out) abort();
        }
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
