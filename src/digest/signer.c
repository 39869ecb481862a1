#include "digest/signer.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fsync_dir.h"
#include "core/hash.h"
#include "core/log.h"
#include "digest/digestfile.h"
#include "digest/keystore.h"
#include "digest/signkey.h"

#define SIGNER_MAX_KEYS 64

typedef struct cached_key {
    char region[32];
    char fingerprint[SIGNKEY_FINGERPRINT_LEN + 1];
    signkey *key;
} cached_key;

struct signer {
    char *keys_dir; /* data_dir/signing-keys */
    sqlite3 *chains;
    cached_key keys[SIGNER_MAX_KEYS];
    size_t n_keys;
};

static int mkdir_0700(const char *path)
{
    return mkdir(path, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

signer *signer_open(const char *data_dir, char *err, size_t errlen)
{
    signer *s = calloc(1, sizeof *s);
    if (!s) abort();
    if (asprintf(&s->keys_dir, "%s/signing-keys", data_dir) < 0) abort();
    char *db_path;
    if (asprintf(&db_path, "%s/chains.db", s->keys_dir) < 0) abort();
    int rc = mkdir_0700(s->keys_dir)
                 ? SQLITE_CANTOPEN
                 : sqlite3_open_v2(db_path, &s->chains,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                   NULL);
    /* The server's own in-process signer may hold it a moment while serve starts. */
    if (rc == SQLITE_OK) rc = sqlite3_busy_timeout(s->chains, 10000);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(s->chains,
                          "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                          "CREATE TABLE IF NOT EXISTS chain_heads("
                          " chain TEXT PRIMARY KEY, end_ms INTEGER NOT NULL,"
                          " sha256 TEXT NOT NULL, signature TEXT NOT NULL,"
                          " previous_signature TEXT NOT NULL)",
                          NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot open the signer's chain heads %s: %s", db_path,
                 s->chains ? sqlite3_errmsg(s->chains) : strerror(errno));
        free(db_path);
        signer_close(s);
        return NULL;
    }
    chmod(db_path, 0600);
    free(db_path);
    return s;
}

void signer_close(signer *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n_keys; i++)
        signkey_free(s->keys[i].key); /* EVP_PKEY_free cleanses the key material */
    if (s->chains) sqlite3_close(s->chains);
    free(s->keys_dir);
    free(s);
}

/* ---- private key files ------------------------------------------------------------- */

static void key_path(const signer *s, const char *region, const char *fingerprint, char *out,
                     size_t n)
{
    snprintf(out, n, "%s/%s/%s.pem", s->keys_dir, region, fingerprint);
}

/* Writes the private key file durably: temp, fsync, rename, fsync(dir). */
static int write_private(const signer *s, const char *region, const char *fingerprint,
                         const char *pem, size_t len)
{
    char dir[4096], path[4200], tmp[4300];
    snprintf(dir, sizeof dir, "%s/%s", s->keys_dir, region);
    if (mkdir_0700(dir)) return -1;
    key_path(s, region, fingerprint, path, sizeof path);
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

static signkey *read_private(const signer *s, const char *region, const char *fingerprint)
{
    char path[4200];
    key_path(s, region, fingerprint, path, sizeof path);
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
    OPENSSL_cleanse(pem, sizeof pem); /* private key material: never left on the stack */
    return k;
}

/* The key, from the cache or its file; NULL when it has none. */
static signkey *key_of(signer *s, const char *region, const char *fingerprint)
{
    for (size_t i = 0; i < s->n_keys; i++)
        if (!strcmp(s->keys[i].region, region) && !strcmp(s->keys[i].fingerprint, fingerprint))
            return s->keys[i].key;
    signkey *k = read_private(s, region, fingerprint);
    if (!k) return NULL;
    if (s->n_keys == SIGNER_MAX_KEYS) { /* keys rotate every 30 days: forget the oldest */
        signkey_free(s->keys[0].key);
        memmove(&s->keys[0], &s->keys[1], (SIGNER_MAX_KEYS - 1) * sizeof s->keys[0]);
        s->n_keys--;
    }
    cached_key *c = &s->keys[s->n_keys++];
    snprintf(c->region, sizeof c->region, "%s", region);
    snprintf(c->fingerprint, sizeof c->fingerprint, "%s", fingerprint);
    c->key = k;
    return k;
}

/* ---- requests ---------------------------------------------------------------------- */

static void answer(buf *reply, json_t *o)
{
    char *text = json_dumps(o, JSON_COMPACT);
    if (!text) abort();
    buf_reset(reply);
    buf_puts(reply, text);
    free(text);
    json_decref(o);
}

static void answer_error(buf *reply, json_int_t id, bool refused, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void answer_error(buf *reply, json_int_t id, bool refused, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    answer(reply,
           json_pack("{sI sb sb ss}", "id", id, "ok", 0, "refused", refused, "message", msg));
}

static bool is_hex(const char *s, size_t len)
{
    if (strlen(s) != len) return false;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
    return true;
}

static void new_key(signer *s, json_int_t id, const char *region, buf *reply)
{
    if (!region || !keystore_region_ok(region)) {
        answer_error(reply, id, false, "new_key: not a region name");
        return;
    }
    signkey *k = signkey_generate();
    unsigned char *der = NULL;
    size_t der_len = 0;
    char *pem = NULL;
    size_t pem_len = 0;
    char fp[SIGNKEY_FINGERPRINT_LEN + 1];
    if (!k || signkey_public_der(k, &der, &der_len) || signkey_to_pem(k, &pem, &pem_len)) {
        signkey_free(k);
        free(der);
        answer_error(reply, id, false, "new_key: OpenSSL could not make a key");
        return;
    }
    signkey_fingerprint(der, der_len, fp);
    int rc = write_private(s, region, fp, pem, pem_len);
    OPENSSL_cleanse(pem, pem_len);
    free(pem);
    signkey_free(k);
    if (rc) {
        free(der);
        answer_error(reply, id, false, "new_key: cannot store the private key: %s",
                     strerror(errno));
        return;
    }
    char *hex = malloc(2 * der_len + 1);
    if (!hex) abort();
    hex_encode(der, der_len, hex);
    free(der);
    answer(reply,
           json_pack("{sI sb ss ss}", "id", id, "ok", 1, "fingerprint", fp, "public_der", hex));
    free(hex);
}

typedef struct head {
    int64_t end_ms;
    char sha256[65];
    char signature[SIGNKEY_SIG_HEX_LEN + 1];
    char previous[SIGNKEY_SIG_HEX_LEN + 1];
} head;

static int head_get(signer *s, const char *chain, head *h)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->chains,
                           "SELECT end_ms, sha256, signature, previous_signature FROM chain_heads "
                           "WHERE chain = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, chain, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int found = rc == SQLITE_ROW;
    if (found) {
        h->end_ms = sqlite3_column_int64(st, 0);
        snprintf(h->sha256, sizeof h->sha256, "%s", (const char *)sqlite3_column_text(st, 1));
        snprintf(h->signature, sizeof h->signature, "%s", (const char *)sqlite3_column_text(st, 2));
        snprintf(h->previous, sizeof h->previous, "%s", (const char *)sqlite3_column_text(st, 3));
    }
    sqlite3_finalize(st);
    return found ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static int head_put(signer *s, const char *chain, const head *h)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->chains,
                           "INSERT INTO chain_heads(chain, end_ms, sha256, signature, "
                           "previous_signature) VALUES(?, ?, ?, ?, ?) ON CONFLICT(chain) DO "
                           "UPDATE SET end_ms = excluded.end_ms, sha256 = excluded.sha256, "
                           "signature = excluded.signature, "
                           "previous_signature = excluded.previous_signature",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, chain, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, h->end_ms);
    sqlite3_bind_text(st, 3, h->sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, h->signature, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, h->previous, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
    return rc;
}

static void sign(signer *s, json_int_t id, const json_t *req, buf *reply)
{
    const char *chain = json_string_value(json_object_get(req, "chain"));
    const char *region = json_string_value(json_object_get(req, "region"));
    const char *fp = json_string_value(json_object_get(req, "fingerprint"));
    const char *bucket = json_string_value(json_object_get(req, "bucket"));
    const char *key = json_string_value(json_object_get(req, "key"));
    const char *sha = json_string_value(json_object_get(req, "sha256"));
    const char *prev = json_string_value(json_object_get(req, "previous_signature"));
    const json_t *end = json_object_get(req, "end_ms");
    if (!chain || !*chain || strlen(chain) > 1024 || !region || !keystore_region_ok(region) ||
        !fp || !is_hex(fp, SIGNKEY_FINGERPRINT_LEN) || !bucket || !*bucket || strlen(bucket) > 63 ||
        !key || !*key || strlen(key) > 1024 || !sha || !is_hex(sha, 64) || !prev ||
        (strcmp(prev, "null") && !is_hex(prev, SIGNKEY_SIG_HEX_LEN)) || !json_is_integer(end) ||
        json_integer_value(end) <= 0) {
        answer_error(reply, id, false, "sign: a malformed request");
        return;
    }
    int64_t end_ms = json_integer_value(end);
    head h;
    int found = head_get(s, chain, &h);
    if (found < 0) {
        answer_error(reply, id, false, "sign: cannot read the chain heads: %s",
                     sqlite3_errmsg(s->chains));
        return;
    }
    if (found && end_ms == h.end_ms && !strcmp(sha, h.sha256) && !strcmp(prev, h.previous)) {
        /* A retry of the head's own request: the same answer, not a new signature. */
        answer(reply, json_pack("{sI sb ss}", "id", id, "ok", 1, "signature", h.signature));
        return;
    }
    if (found && end_ms <= h.end_ms) {
        answer_error(reply, id, true,
                     "sign: refused: the digest ends at %" PRId64 ", not after the chain's last "
                     "signed digest (%" PRId64 "): the past is never signed again",
                     end_ms, h.end_ms);
        return;
    }
    if (found && strcmp(prev, "null") && strcmp(prev, h.signature)) {
        answer_error(reply, id, true,
                     "sign: refused: the previous signature is not the chain's last one");
        return;
    }
    signkey *k = key_of(s, region, fp);
    if (!k) {
        answer_error(reply, id, false, "sign: no private key %s in region %s", fp, region);
        return;
    }
    buf ss = BUF_INIT;
    digest_signing_string(end_ms, bucket, key, sha, strcmp(prev, "null") ? prev : NULL, &ss);
    head next = {.end_ms = end_ms};
    snprintf(next.sha256, sizeof next.sha256, "%s", sha);
    snprintf(next.previous, sizeof next.previous, "%s", prev);
    int rc = signkey_sign_hex(k, ss.data, ss.len, next.signature);
    buf_free(&ss);
    if (rc) {
        answer_error(reply, id, false, "sign: OpenSSL could not sign");
        return;
    }
    /* The head is durable before the signature leaves: a crash cannot sign twice. */
    if (head_put(s, chain, &next)) {
        answer_error(reply, id, false, "sign: cannot store the chain head: %s",
                     sqlite3_errmsg(s->chains));
        return;
    }
    answer(reply, json_pack("{sI sb ss}", "id", id, "ok", 1, "signature", next.signature));
}

void signer_handle(signer *s, const char *req, size_t len, buf *reply)
{
    json_error_t je;
    json_t *o = json_loadb(req, len, JSON_REJECT_DUPLICATES, &je);
    const json_t *idv = o ? json_object_get(o, "id") : NULL;
    json_int_t id = json_is_integer(idv) ? json_integer_value(idv) : 0;
    const char *op = o ? json_string_value(json_object_get(o, "op")) : NULL;
    if (!json_is_object(o) || !op)
        answer_error(reply, id, false, "not a signer request");
    else if (!strcmp(op, "new_key"))
        new_key(s, id, json_string_value(json_object_get(o, "region")), reply);
    else if (!strcmp(op, "sign"))
        sign(s, id, o, reply);
    else
        answer_error(reply, id, false, "unknown signer request");
    json_decref(o);
}

int signer_serve(const char *data_dir, int fd)
{
    char err[512];
    signer *s = signer_open(data_dir, err, sizeof err);
    if (!s) {
        ot_log("signer: %s", err);
        return 1;
    }
    char *msg = malloc(SIGNER_MAX_MESSAGE);
    if (!msg) abort();
    buf reply = BUF_INIT;
    int status = 0;
    for (;;) {
        ssize_t n = recv(fd, msg, SIGNER_MAX_MESSAGE, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) { /* 0: the server closed its end, our cue to go */
            if (n < 0) status = 1;
            break;
        }
        signer_handle(s, msg, (size_t)n, &reply);
        while (send(fd, reply.data, reply.len, MSG_NOSIGNAL) < 0 && errno == EINTR) {
        }
    }
    buf_free(&reply);
    free(msg);
    signer_close(s);
    return status;
}
