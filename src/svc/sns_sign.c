#include "svc/sns_sign.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/ids.h"

#define SNS_KEY_BITS 2048
#define SNS_CERT_DAYS 3650

struct sns_key {
    EVP_PKEY *pkey;
    char id[33];
    char *key_pem, *cert_pem;
};

static const char *const TYPE_NAMES[] = {
    [SNS_NOTIFICATION] = "Notification",
    [SNS_SUBSCRIPTION_CONFIRMATION] = "SubscriptionConfirmation",
    [SNS_UNSUBSCRIBE_CONFIRMATION] = "UnsubscribeConfirmation",
};

const char *sns_msg_type_name(sns_msg_type t)
{
    return TYPE_NAMES[t];
}

int sns_msg_type_parse(const char *s, sns_msg_type *t)
{
    for (size_t i = 0; i < sizeof TYPE_NAMES / sizeof *TYPE_NAMES; i++)
        if (s && !strcmp(s, TYPE_NAMES[i])) {
            *t = (sns_msg_type)i;
            return 0;
        }
    return -1;
}

static void pair(buf *out, const char *name, const char *value)
{
    buf_printf(out, "%s\n%s\n", name, value ? value : "");
}

void sns_string_to_sign(const sns_message *m, buf *out)
{
    pair(out, "Message", m->message);
    pair(out, "MessageId", m->message_id);
    if (m->type == SNS_NOTIFICATION) {
        if (m->subject) pair(out, "Subject", m->subject);
        pair(out, "Timestamp", m->timestamp);
        pair(out, "TopicArn", m->topic_arn);
    } else {
        pair(out, "SubscribeURL", m->subscribe_url);
        pair(out, "Timestamp", m->timestamp);
        pair(out, "Token", m->token);
        pair(out, "TopicArn", m->topic_arn);
    }
    pair(out, "Type", sns_msg_type_name(m->type));
}

static void set(json_t *o, const char *k, const char *v)
{
    json_object_set_new(o, k, json_string(v ? v : ""));
}

char *sns_document_alloc(const sns_message *m, const char *signature)
{
    char version[4];
    snprintf(version, sizeof version, "%d", m->signature_version);
    json_t *o = json_object();
    set(o, "Type", sns_msg_type_name(m->type));
    set(o, "MessageId", m->message_id);
    if (m->type == SNS_NOTIFICATION) {
        set(o, "TopicArn", m->topic_arn);
        if (m->subject) set(o, "Subject", m->subject);
        set(o, "Message", m->message);
        set(o, "Timestamp", m->timestamp);
        set(o, "SignatureVersion", version);
        set(o, "Signature", signature);
        set(o, "SigningCertURL", m->signing_cert_url);
        set(o, "UnsubscribeURL", m->unsubscribe_url);
        if (m->attributes && json_object_size(m->attributes))
            json_object_set(o, "MessageAttributes", (json_t *)m->attributes);
    } else {
        set(o, "Token", m->token);
        set(o, "TopicArn", m->topic_arn);
        set(o, "Message", m->message);
        set(o, "SubscribeURL", m->subscribe_url);
        set(o, "Timestamp", m->timestamp);
        set(o, "SignatureVersion", version);
        set(o, "Signature", signature);
        set(o, "SigningCertURL", m->signing_cert_url);
    }
    /* SNS indents its documents by two spaces; receivers parse them as JSON either way. */
    char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(o);
    return text;
}

static char *bio_text(BIO *b)
{
    char *data;
    long n = BIO_get_mem_data(b, &data);
    char *s = n >= 0 ? strndup(data, (size_t)n) : NULL;
    BIO_free(b);
    return s;
}

static int cert_id(X509 *x, char out[33])
{
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    if (n <= 0) return -1;
    unsigned char digest[SHA256_LEN];
    hash_sha256(der, (size_t)n, digest);
    OPENSSL_free(der);
    hex_encode(digest, 16, out);
    out[32] = '\0';
    return 0;
}

static X509 *make_cert(EVP_PKEY *pkey, int64_t now_ms)
{
    X509 *x = X509_new();
    if (!x) return NULL;
    unsigned char serial[8];
    ids_random_bytes(serial, sizeof serial);
    serial[0] &= 0x7f; /* a positive serial number */
    BIGNUM *bn = BN_bin2bn(serial, sizeof serial, NULL);
    X509_NAME *name = X509_NAME_new();
    time_t now = (time_t)(now_ms / 1000);
    int ok = bn && name && X509_set_version(x, 2) &&
             BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) &&
             X509_time_adj_ex(X509_getm_notBefore(x), 0, -3600, &now) &&
             X509_time_adj_ex(X509_getm_notAfter(x), SNS_CERT_DAYS, 0, &now) &&
             X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"orgtrail",
                                        -1, -1, 0) &&
             X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                        (const unsigned char *)"sns.amazonaws.com", -1, -1, 0) &&
             X509_set_subject_name(x, name) && X509_set_issuer_name(x, name) &&
             X509_set_pubkey(x, pkey) && X509_sign(x, pkey, EVP_sha256()) > 0;
    BN_free(bn);
    X509_NAME_free(name);
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

/* Fills k's PEM texts and id from its key and certificate. 0, or -1. */
static int key_texts(sns_key *k, X509 *x)
{
    BIO *kb = BIO_new(BIO_s_mem()), *cb = BIO_new(BIO_s_mem());
    int ok = kb && cb && PEM_write_bio_PrivateKey(kb, k->pkey, NULL, NULL, 0, NULL, NULL) &&
             PEM_write_bio_X509(cb, x);
    k->key_pem = ok ? bio_text(kb) : NULL;
    k->cert_pem = ok ? bio_text(cb) : NULL;
    if (!ok) {
        BIO_free(kb);
        BIO_free(cb);
    }
    return k->key_pem && k->cert_pem && !cert_id(x, k->id) ? 0 : -1;
}

sns_key *sns_key_generate(int64_t now_ms)
{
    sns_key *k = calloc(1, sizeof *k);
    if (!k) abort();
    k->pkey = EVP_RSA_gen(SNS_KEY_BITS);
    X509 *x = k->pkey ? make_cert(k->pkey, now_ms) : NULL;
    int rc = x ? key_texts(k, x) : -1;
    X509_free(x);
    if (rc) {
        sns_key_free(k);
        return NULL;
    }
    return k;
}

/* The key from its stored PEM texts; NULL when they do not parse. */
static sns_key *key_from_pem(const char *id, const char *key_pem, const char *cert_pem)
{
    BIO *b = BIO_new_mem_buf(key_pem, -1);
    EVP_PKEY *pkey = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    if (!pkey) return NULL;
    sns_key *k = calloc(1, sizeof *k);
    if (!k) abort();
    k->pkey = pkey;
    snprintf(k->id, sizeof k->id, "%s", id);
    k->key_pem = strdup(key_pem);
    k->cert_pem = strdup(cert_pem);
    if (!k->key_pem || !k->cert_pem) abort();
    return k;
}

static sns_key *key_newest(db_conn *db)
{
    sqlite3_stmt *st = db_query(
        db, "SELECT id, key_pem, cert_pem FROM sns_signing_keys ORDER BY created_ms DESC LIMIT 1",
        "");
    sns_key *k = NULL;
    if (st && db_row(st)) k = key_from_pem(db_text(st, 0), db_text(st, 1), db_text(st, 2));
    db_done(st);
    return k;
}

int sns_key_load_or_create(db_conn *db, int64_t now_ms, sns_key **out, aws_error *e)
{
    *out = key_newest(db);
    if (*out) return 0;
    /* Made outside the transaction (RSA generation takes a while); a second maker that
     * loses the race finds the first one's key inside it and drops its own. */
    sns_key *k = sns_key_generate(now_ms);
    if (!k) return aws_fail(e, 500, "InternalError", "cannot make the SNS signing key");
    if (db_begin(db)) {
        sns_key_free(k);
        return aws_fail(e, 500, "InternalError", "cannot store the SNS signing key: %s",
                        db_errmsg(db));
    }
    sns_key *other = key_newest(db);
    if (other) {
        db_rollback(db);
        sns_key_free(k);
        *out = other;
        return 0;
    }
    if (db_exec(db,
                "INSERT INTO sns_signing_keys(id, key_pem, cert_pem, created_ms) VALUES(?,?,?,?)",
                "sssi", k->id, k->key_pem, k->cert_pem, now_ms) ||
        db_commit(db)) {
        if (db_in_transaction(db)) db_rollback(db);
        sns_key_free(k);
        return aws_fail(e, 500, "InternalError", "cannot store the SNS signing key: %s",
                        db_errmsg(db));
    }
    *out = k;
    return 0;
}

const char *sns_key_id(const sns_key *k)
{
    return k->id;
}

const char *sns_key_cert_pem(const sns_key *k)
{
    return k->cert_pem;
}

char *sns_key_sign(const sns_key *k, int version, const void *msg, size_t n)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    const EVP_MD *md = version == 2 ? EVP_sha256() : EVP_sha1();
    unsigned char sig[SNS_KEY_BITS / 8 + 64];
    size_t sig_len = sizeof sig;
    int ok = ctx && EVP_DigestSignInit(ctx, NULL, md, NULL, k->pkey) == 1 &&
             EVP_DigestSign(ctx, sig, &sig_len, msg, n) == 1;
    EVP_MD_CTX_free(ctx);
    return ok ? base64_encode_alloc(sig, sig_len) : NULL;
}

void sns_key_free(sns_key *k)
{
    if (!k) return;
    EVP_PKEY_free(k->pkey);
    if (k->key_pem) OPENSSL_cleanse(k->key_pem, strlen(k->key_pem));
    free(k->key_pem);
    free(k->cert_pem);
    free(k);
}

char *sns_cert_pem_alloc(db_conn *db, const char *id)
{
    char *pem = NULL;
    sqlite3_stmt *st = db_query(db, "SELECT cert_pem FROM sns_signing_keys WHERE id = ?", "s", id);
    if (st && db_row(st)) pem = strdup(db_text(st, 0));
    db_done(st);
    return pem;
}
