/* Digest files against the test vectors (../shared/reference/vectors): the fingerprint of
 * the vector key, the digest keys, the JSON bytes, the signing strings and the
 * signatures are reproduced byte for byte from the scenario's inputs (the log files, the
 * windows, the chain); and the key store: keys made on first use with mode 0600, rotation
 * by validity range, old keys kept and listed by range. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/hash.h"
#include "core/timeutil.h"
#include "digest/digestfile.h"
#include "digest/keystore.h"
#include "digest/signer_client.h"
#include "digest/signkey.h"
#include "testenv.h"

static char *slurp(const char *rel, size_t *len)
{
    const char *shared = getenv("ORGTRAIL_SHARED");
    char path[4096];
    snprintf(path, sizeof path, "%s/reference/vectors/%s", shared ? shared : "../shared", rel);
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open %s", path);
    buf b = {0};
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    fclose(f);
    *len = b.len;
    buf_putc(&b, '\0');
    return buf_steal(&b);
}

static void test_fingerprint_of_vector_key(void **state)
{
    size_t der_len, fp_len, pem_len;
    char *der = slurp("keys/public_key_pkcs1.der", &der_len);
    char *fp = slurp("keys/fingerprint.txt", &fp_len);
    char got[SIGNKEY_FINGERPRINT_LEN + 1];
    signkey_fingerprint((unsigned char *)der, der_len, got);
    assert_memory_equal(got, fp, SIGNKEY_FINGERPRINT_LEN);
    /* The private key yields exactly that PKCS#1 public DER (not SPKI). */
    char *pem = slurp("keys/private_key_pkcs8.pem", &pem_len);
    signkey *k = signkey_from_pem(pem, pem_len);
    assert_non_null(k);
    unsigned char *pub;
    size_t pub_len;
    assert_int_equal(signkey_public_der(k, &pub, &pub_len), 0);
    assert_int_equal(pub_len, der_len);
    assert_memory_equal(pub, der, der_len);
    /* And the base64 is what ListPublicKeys carries. */
    size_t b64_len;
    char *b64 = slurp("keys/list_public_keys_value.b64.txt", &b64_len);
    char *mine = base64_encode_alloc(pub, pub_len);
    assert_int_equal(strncmp(mine, b64, strlen(mine)), 0);
    assert_int_equal(strncmp(mine, "MIIBCgKCAQEA", 12), 0);
    free(mine);
    free(b64);
    free(pub);
    signkey_free(k);
    free(pem);
    free(fp);
    free(der);
}

/* Newest and oldest eventTime of a plain log file. */
static void event_range(const char *plain, int64_t *oldest, int64_t *newest)
{
    json_t *doc = json_loads(plain, 0, NULL);
    assert_non_null(doc);
    *oldest = *newest = -1;
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(doc, "Records"), i, r)
    {
        int64_t ms;
        assert_int_equal(
            time_parse_iso8601(json_string_value(json_object_get(r, "eventTime")), &ms), 0);
        if (*oldest < 0 || ms < *oldest) *oldest = ms;
        if (ms > *newest) *newest = ms;
    }
    json_decref(doc);
}

static const json_t *object_named(const json_t *meta, const char *name)
{
    size_t i;
    json_t *o;
    json_array_foreach(
        json_object_get(meta, "objects"), i,
        o) if (!strcmp(json_string_value(json_object_get(o, "name")), name)) return o;
    fail_msg("no object %s", name);
    return NULL;
}

static const char *sig_of(const json_t *o)
{
    return json_string_value(
        json_object_get(json_object_get(o, "userMetadataHeaders"), "x-amz-meta-signature"));
}

static void check_variant(const char *variant)
{
    char rel[512];
    size_t len;
    snprintf(rel, sizeof rel, "%s/metadata.json", variant);
    char *meta_text = slurp(rel, &len);
    json_t *meta = json_loads(meta_text, 0, NULL);
    assert_non_null(meta);
    size_t pem_len;
    char *pem = slurp("keys/private_key_pkcs8.pem", &pem_len);
    signkey *k = signkey_from_pem(pem, pem_len);
    assert_non_null(k);
    unsigned char *pub;
    size_t pub_len;
    assert_int_equal(signkey_public_der(k, &pub, &pub_len), 0);
    char fp[SIGNKEY_FINGERPRINT_LEN + 1];
    signkey_fingerprint(pub, pub_len, fp);

    const char *bucket = json_string_value(json_object_get(meta, "bucket"));
    const char *prefix = json_string_value(json_object_get(meta, "prefix")); /* NULL: none */
    /* The scenario: D1 lists L1, D2 lists L2, D3 none; windows of an hour from 09:12:37. */
    static const char *digests[] = {"D1", "D2", "D3"};
    static const char *logs[] = {"L1", "L2", NULL};
    int64_t start;
    assert_int_equal(time_parse_iso8601("2024-05-01T09:12:37Z", &start), 0);
    char prev_key[1024] = "", prev_hash[65] = "", prev_sig[600] = "";
    for (int i = 0; i < 3; i++) {
        const json_t *d = object_named(meta, digests[i]);
        digest_log entry;
        char log_hash[65];
        char *log_plain = NULL;
        size_t n_logs = 0;
        if (logs[i]) {
            const json_t *l = object_named(meta, logs[i]);
            log_plain = slurp(json_string_value(json_object_get(l, "plainFile")), &len);
            hash_sha256_hex(log_plain, len, log_hash);
            entry.bucket = bucket;
            entry.key = json_string_value(json_object_get(l, "key"));
            entry.sha256 = log_hash;
            event_range(log_plain, &entry.oldest_event_ms, &entry.newest_event_ms);
            n_logs = 1;
        }
        int64_t end = start + 3600 * 1000;
        char key[1024];
        assert_true(digest_key(key, sizeof key, prefix, "o-exampleorgid", "222222222222",
                               "us-east-1", "org-trail", "us-east-1", end) > 0);
        assert_string_equal(key, json_string_value(json_object_get(d, "key")));
        digest_doc doc = {.account_id = "222222222222",
                          .start_ms = start,
                          .end_ms = end,
                          .bucket = bucket,
                          .key = key,
                          .fingerprint = fp,
                          .prev_bucket = i ? bucket : NULL,
                          .prev_key = i ? prev_key : NULL,
                          .prev_hash = i ? prev_hash : NULL,
                          .prev_signature = i ? prev_sig : NULL,
                          .logs = &entry,
                          .n_logs = n_logs};
        buf json = {0};
        digest_json(&doc, &json);
        char *want = slurp(json_string_value(json_object_get(d, "plainFile")), &len);
        assert_int_equal(json.len, len);
        assert_memory_equal(json.data, want, len);
        char hash[65];
        hash_sha256_hex(json.data, json.len, hash);
        buf ss = {0};
        digest_signing_string(doc.end_ms, doc.bucket, doc.key, hash, doc.prev_signature, &ss);
        const char *base = strrchr(key, '/') + 1;
        snprintf(rel, sizeof rel, "%s/signing-strings/%.*s.txt", variant,
                 (int)(strlen(base) - strlen(".json.gz")), base);
        char *want_ss = slurp(rel, &len);
        assert_int_equal(ss.len, len);
        assert_memory_equal(ss.data, want_ss, len);
        char sig[SIGNKEY_SIG_HEX_LEN + 1];
        assert_int_equal(signkey_sign_hex(k, ss.data, ss.len, sig), 0);
        assert_string_equal(sig, sig_of(d));
        assert_true(signkey_verify_hex(pub, pub_len, ss.data, ss.len, sig));
        ss.data[0] ^= 1;
        assert_false(signkey_verify_hex(pub, pub_len, ss.data, ss.len, sig));

        snprintf(prev_key, sizeof prev_key, "%s", key);
        snprintf(prev_hash, sizeof prev_hash, "%s", hash);
        snprintf(prev_sig, sizeof prev_sig, "%s", sig);
        start = end;
        free(want_ss);
        buf_free(&ss);
        free(want);
        buf_free(&json);
        free(log_plain);
    }
    free(pub);
    signkey_free(k);
    free(pem);
    json_decref(meta);
    free(meta_text);
}

static void test_vectors_no_prefix(void **state)
{
    check_variant("no-prefix");
}

static void test_vectors_with_prefix(void **state)
{
    check_variant("with-prefix");
}

/* ---- the key store ---- */

typedef struct fixture {
    char dir[256];
    db_pool pool;
    db_conn *db;
    signer_client signer;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    testenv_mkdtemp(f->dir, sizeof f->dir, "digestkeys");
    f->db = testenv_db_open(f->dir, &f->pool);
    char err[256];
    assert_int_equal(signer_client_open_local(&f->signer, f->dir, err, sizeof err), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    signer_client_close(&f->signer);
    testenv_db_close(&f->pool, f->db);
    testenv_rmtree(f->dir);
    free(f);
    return 0;
}

/* A signature by the key `fp` of region, as the signer gives it for a new chain. */
static void sign_once(fixture *f, const char *region, const char *fp, int64_t end_ms,
                      const char *hash, char sig[SIGNKEY_SIG_HEX_LEN + 1])
{
    aws_error e;
    aws_error_clear(&e);
    signer_request r = {.trail_arn = "arn:aws:cloudtrail:us-east-1:111111111111:trail/t",
                        .account_id = "111111111111",
                        .region = region,
                        .fingerprint = fp,
                        .end_ms = end_ms,
                        .bucket = "b",
                        .key = "k",
                        .sha256 = hash};
    assert_int_equal(signer_sign(&f->signer, &r, sig, &e), 0);
}

static void test_keys_made_on_first_use_and_rotated(void **state)
{
    fixture *f = *state;
    const int64_t t0 = 1714554757000LL, period = 3600 * 1000;
    const char *hash = "0000000000000000000000000000000000000000000000000000000000000001";
    aws_error e;
    aws_error_clear(&e);
    public_key a, b, c;
    public_key *none;
    assert_int_equal(keystore_list(f->db, "us-east-1", 0, INT64_MAX, &none), 0);
    free(none);
    assert_int_equal(db_begin(f->db), 0);
    assert_int_equal(keystore_key_for(f->db, &f->signer, "us-east-1", t0 + 250, period, t0, &a, &e),
                     0);
    assert_int_equal(db_commit(f->db), 0);
    assert_int_equal(a.valid_from_ms, t0);
    assert_int_equal(a.valid_to_ms, t0 + period);
    assert_int_equal(strlen(a.fingerprint), 32);
    /* The signer's private key file: 0600, named by fingerprint, signs for the public key. */
    char path[512];
    snprintf(path, sizeof path, "%s/signing-keys/us-east-1/%s.pem", f->dir, a.fingerprint);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    char sig[SIGNKEY_SIG_HEX_LEN + 1];
    sign_once(f, "us-east-1", a.fingerprint, t0 + 250, hash, sig);
    buf ss = BUF_INIT;
    digest_signing_string(t0 + 250, "b", "k", hash, NULL, &ss);
    assert_true(signkey_verify_hex(a.der, a.der_len, ss.data, ss.len, sig));
    buf_free(&ss);

    /* Within the range: the same key. */
    assert_int_equal(
        keystore_key_for(f->db, &f->signer, "us-east-1", t0 + period - 1, period, t0, &b, &e), 0);
    assert_string_equal(a.fingerprint, b.fingerprint);
    public_key_clear(&b);
    /* Past it: a new key from that moment; the old one is kept. */
    assert_int_equal(
        keystore_key_for(f->db, &f->signer, "us-east-1", t0 + period, period, t0, &c, &e), 0);
    assert_string_not_equal(a.fingerprint, c.fingerprint);
    assert_int_equal(c.valid_from_ms, t0 + period);
    /* Another region has its own keys. */
    assert_int_equal(keystore_key_for(f->db, &f->signer, "eu-west-1", t0, period, t0, &b, &e), 0);
    assert_string_not_equal(a.fingerprint, b.fingerprint);
    public_key_clear(&b);

    public_key *list;
    assert_int_equal(keystore_list(f->db, "us-east-1", t0, t0 + 10, &list), 1);
    assert_string_equal(list[0].fingerprint, a.fingerprint);
    public_keys_free(list, 1);
    assert_int_equal(keystore_list(f->db, "us-east-1", t0, t0 + period + 1, &list), 2);
    assert_string_equal(list[0].fingerprint, c.fingerprint); /* newest first */
    assert_string_equal(list[1].fingerprint, a.fingerprint);
    public_keys_free(list, 2);
    assert_int_equal(keystore_list(f->db, "us-east-1", t0 + 2 * period, t0 + 3 * period, &list), 0);
    free(list);
    public_key_clear(&a);
    public_key_clear(&c);
}

static void test_region_names_are_checked(void **state)
{
    fixture *f = *state;
    aws_error e;
    aws_error_clear(&e);
    public_key k;
    assert_int_equal(keystore_key_for(f->db, &f->signer, "../etc", 0, 1000, 0, &k, &e), -1);
    assert_false(keystore_region_ok("us-east-1/.."));
    assert_true(keystore_region_ok("ap-southeast-2"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fingerprint_of_vector_key),
        cmocka_unit_test(test_vectors_no_prefix),
        cmocka_unit_test(test_vectors_with_prefix),
        cmocka_unit_test_setup_teardown(test_keys_made_on_first_use_and_rotated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_region_names_are_checked, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
