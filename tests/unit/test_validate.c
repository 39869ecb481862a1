/* validate-logs' pieces against the shared vectors: key layout, digest parsing and the
 * string to sign, signatures with the vector key, gunzip + hash semantics, and whole runs
 * over an in-memory object source (tampered copies included), compared with the official
 * validator's transcripts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/hash.h"
#include "validate/digest.h"
#include "validate/layout.h"
#include "validate/loghash.h"
#include "validate/pubkeys.h"
#include "validate/source.h"
#include "validate/validator.h"

#define ORG "o-exampleorgid"
#define BUCKET "example-org-trail-bucket"
#define D1_NAME "222222222222_CloudTrail-Digest_us-east-1_org-trail_us-east-1_20240501T101237Z"
#define D2_NAME "222222222222_CloudTrail-Digest_us-east-1_org-trail_us-east-1_20240501T111237Z"
#define DIGEST_DIR "AWSLogs/" ORG "/222222222222/CloudTrail-Digest/us-east-1/2024/05/01/"
#define LOG_DIR "AWSLogs/" ORG "/222222222222/CloudTrail/us-east-1/2024/05/01/"
#define L1_NAME "222222222222_CloudTrail_us-east-1_20240501T0935Z_Kq3VnB8xT2mLp9Za"

static char *vec_path(const char *rel)
{
    const char *shared = getenv("ORGTRAIL_SHARED");
    static char p[4096];
    snprintf(p, sizeof p, "%s/reference/vectors/%s", shared ? shared : "../shared", rel);
    return p;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    p[n] = 0;
    fclose(f);
    if (len) *len = (size_t)n;
    return p;
}

static const vlayout LAYOUT = {NULL, ORG, "222222222222", "us-east-1", "us-east-1", "org-trail"};

static void test_layout(void **state)
{
    char s[2048];
    layout_digest_prefix(&LAYOUT, s, sizeof s);
    assert_string_equal(s, "AWSLogs/" ORG "/222222222222/CloudTrail-Digest/us-east-1");
    int64_t t;
    /* As strptime with the AWS CLI's DATE_FORMAT: no month 00, Feb 30 or second 60. */
    assert_int_equal(layout_parse_compact("20240001T000000Z", &t), -1);
    assert_int_equal(layout_parse_compact("20240230T000000Z", &t), -1);
    assert_int_equal(layout_parse_compact("20240101T000060Z", &t), -1);
    assert_int_equal(layout_parse_compact("20240229T000059Z", &t), 0);
    assert_int_equal(layout_parse_compact("20240501T101237Z", &t), 0);
    layout_digest_key(&LAYOUT, t, s, sizeof s);
    assert_string_equal(s, DIGEST_DIR D1_NAME ".json.gz");
    assert_true(layout_is_digest_key(&LAYOUT, s));
    assert_false(layout_is_digest_key(&LAYOUT, LOG_DIR L1_NAME ".json.gz"));
    assert_false(layout_is_digest_key(
        &LAYOUT, DIGEST_DIR
        "222222222222_CloudTrail-Digest_us-east-1_other_us-east-1_20240501T101237Z.json.gz"));
    assert_true(layout_is_backfill_key("x_20240501T101237Z_backfill.json.gz"));
    char ts[17];
    layout_digest_key_time("x_20240501T101237Z_backfill.json.gz", ts);
    assert_string_equal(ts, "20240501T101237Z");
    vlayout pl = LAYOUT;
    pl.prefix = "org-audit";
    layout_log_day_prefix(&pl, t, s, sizeof s);
    assert_string_equal(s, "org-audit/" LOG_DIR);
    int64_t lt = layout_log_key_time(LOG_DIR L1_NAME ".json.gz");
    assert_int_equal(layout_parse_compact("20240501T093500Z", &t), 0);
    assert_int_equal(lt, t);
    assert_int_equal(layout_log_key_time(DIGEST_DIR D1_NAME ".json.gz"), -1);
}

static void test_digest_parse_and_string_to_sign(void **state)
{
    size_t n;
    char *plain = slurp(vec_path("no-prefix/plain/" D1_NAME ".json"), &n);
    digest d;
    assert_int_equal(digest_parse(plain, n, &d), DIGEST_OK);
    assert_string_equal(d.sha256_hex,
                        "49f4add7f6d9d00736c61204aa83bd7d84881a565b0a433ea99539459f990942");
    assert_string_equal(d.bucket, BUCKET);
    assert_null(d.prev_object);
    assert_null(d.prev_signature);
    assert_int_equal(d.n_logs, 1);
    assert_string_equal(d.logs[0].hash,
                        "539b74b58204ca2b0e27d7aa0fac7abb3d6390f16e473589e9de38cb2259505a");
    buf s = BUF_INIT;
    digest_string_to_sign(&d, &s);
    size_t wl;
    char *want = slurp(vec_path("no-prefix/signing-strings/" D1_NAME ".txt"), &wl);
    assert_int_equal(s.len, wl);
    assert_memory_equal(s.data, want, wl);
    free(want);
    buf_free(&s);
    digest_free(&d);
    /* A required key missing, and not JSON at all. */
    assert_int_equal(digest_parse("{\"digestS3Bucket\":\"b\"}", 22, &d), DIGEST_MISSING_KEYS);
    digest_free(&d);
    assert_int_equal(digest_parse("[1]", 3, &d), DIGEST_NOT_JSON);
    assert_int_equal(digest_parse("\xff", 1, &d), DIGEST_NOT_JSON);
    free(plain);
    int64_t t;
    assert_int_equal(digest_parse_time("2024-05-01T10:12:37Z", &t), 0);
    assert_int_equal(t, 1714558357000);
    assert_int_equal(digest_parse_time("2024-05-01T10:12:37+02:00", &t), 0);
    assert_int_equal(t, 1714558357000); /* the offset is dropped, as the AWS CLI does */
    assert_int_equal(digest_parse_time("yesterday", &t), -1);
    /* dateutil refuses days past the end of their month instead of rolling over. */
    assert_int_equal(digest_parse_time("2024-02-30T00:00:00Z", &t), -1);
    assert_int_equal(digest_parse_time("2023-02-29T00:00:00Z", &t), -1);
    assert_int_equal(digest_parse_time("2024-04-31", &t), -1);
    assert_int_equal(digest_parse_time("2024-02-29T23:59:59Z", &t), 0);
    assert_int_equal(t, 1709251199000);
}

static char *b64_key(void)
{
    char *k = slurp(vec_path("keys/list_public_keys_value.b64.txt"), NULL);
    k[strcspn(k, "\r\n")] = 0;
    return k;
}

static char *sig_of(const char *variant, const char *name)
{
    json_t *m = json_load_file(vec_path(variant), 0, NULL);
    assert_non_null(m);
    size_t i;
    json_t *o;
    char *sig = NULL;
    json_array_foreach(json_object_get(m, "objects"), i, o)
    {
        if (!strstr(json_string_value(json_object_get(o, "key")), name)) continue;
        sig = strdup(json_string_value(
            json_object_get(json_object_get(o, "userMetadataHeaders"), "x-amz-meta-signature")));
    }
    json_decref(m);
    assert_non_null(sig);
    return sig;
}

static void test_signature_with_vector_key(void **state)
{
    char *key = b64_key();
    char *sig = sig_of("no-prefix/metadata.json", D1_NAME);
    size_t n;
    char *sts = slurp(vec_path("no-prefix/signing-strings/" D1_NAME ".txt"), &n);
    const char *h = NULL;
    assert_int_equal(pubkeys_verify(key, sig, sts, n, &h), SIG_VALID);
    assert_string_equal(h, "SHA-256");
    sts[5] ^= 1;
    assert_int_equal(pubkeys_verify(key, sig, sts, n, NULL), SIG_MISMATCH);
    sts[5] ^= 1;
    sig[3] = sig[3] == '0' ? '1' : '0';
    assert_int_equal(pubkeys_verify(key, sig, sts, n, NULL), SIG_MISMATCH);
    assert_int_equal(pubkeys_verify(key, "abc", sts, n, NULL), SIG_ODD_HEX);
    assert_int_equal(pubkeys_verify(key, "zz", sts, n, NULL), SIG_BAD_HEX);
    /* An SPKI value is not a PKCS#1 key: the CLI cannot load it either. */
    size_t dl;
    char *spki = slurp(vec_path("keys/public_key_spki.der"), &dl);
    char *spki_b64 = base64_encode_alloc(spki, dl);
    assert_int_equal(pubkeys_verify(spki_b64, sig, sts, n, NULL), SIG_BAD_KEY);
    /* The fingerprint is the MD5 of the PKCS#1 DER. */
    size_t kl;
    unsigned char *der = base64_decode_alloc(key, strlen(key), &kl);
    unsigned char md[16];
    char hex[33];
    hash_md5(der, kl, md);
    hex_encode(md, 16, hex);
    char *fp = slurp(vec_path("keys/fingerprint.txt"), NULL);
    assert_memory_equal(hex, fp, 32);
    free(fp);
    free(der);
    free(spki);
    free(spki_b64);
    free(sts);
    free(sig);
    free(key);
}

static unsigned char *gz(const void *p, size_t n, size_t *out)
{
    z_stream z = {0};
    deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
    size_t cap = deflateBound(&z, n) + 64;
    unsigned char *o = malloc(cap);
    z.next_in = (unsigned char *)p;
    z.avail_in = (uInt)n;
    z.next_out = o;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    *out = cap - z.avail_out;
    deflateEnd(&z);
    return o;
}

static void test_loghash_semantics(void **state)
{
    loghash_scratch s;
    loghash_scratch_init(&s);
    size_t n;
    char *body = slurp(vec_path("no-prefix/s3/" BUCKET "/" LOG_DIR L1_NAME ".json.gz"), &n);
    char hex[65];
    uint64_t inflated;
    assert_int_equal(loghash_gzip_sha256(&s, body, n, hex, &inflated), 0);
    assert_string_equal(hex, "539b74b58204ca2b0e27d7aa0fac7abb3d6390f16e473589e9de38cb2259505a");
    assert_int_equal(inflated, 4309);
    /* Bytes after the member are ignored (zlib's unused_data). */
    char *more = malloc(n + 5);
    memcpy(more, body, n);
    memcpy(more + n, "junk!", 5);
    assert_int_equal(loghash_gzip_sha256(&s, more, n + 5, hex, &inflated), 0);
    assert_string_equal(hex, "539b74b58204ca2b0e27d7aa0fac7abb3d6390f16e473589e9de38cb2259505a");
    /* Truncated: what was inflated is hashed, no error (the CLI says "doesn't match"). */
    assert_int_equal(loghash_gzip_sha256(&s, body, n / 2, hex, &inflated), 0);
    assert_string_not_equal(hex,
                            "539b74b58204ca2b0e27d7aa0fac7abb3d6390f16e473589e9de38cb2259505a");
    /* Corrupt deflate data, and not gzip at all: invalid format. */
    body[n / 2] ^= 1;
    assert_int_equal(loghash_gzip_sha256(&s, body, n, hex, &inflated), -1);
    assert_int_equal(loghash_gzip_sha256(&s, "{\"Records\":[]}", 14, hex, &inflated), -1);
    /* Empty body: nothing inflated, hashed as empty. */
    assert_int_equal(loghash_gzip_sha256(&s, "", 0, hex, &inflated), 0);
    /* Whole-object gunzip (digests) refuses a truncated stream. */
    body[n / 2] ^= 1;
    size_t pl;
    assert_null(loghash_gunzip_alloc(body, n / 2, &pl));
    unsigned char *plain = loghash_gunzip_alloc(body, n, &pl);
    assert_int_equal(pl, 4309);
    free(plain);
    /* A large file takes the same path. */
    size_t big = 3 << 20, gl;
    char *b = malloc(big);
    for (size_t i = 0; i < big; i++)
        b[i] = (char)('a' + (i * 7 + i / 13) % 26);
    unsigned char *g = gz(b, big, &gl);
    char want[65];
    hash_sha256_hex(b, big, want);
    assert_int_equal(loghash_gzip_sha256(&s, g, gl, hex, &inflated), 0);
    assert_string_equal(hex, want);
    free(g);
    free(b);
    free(more);
    free(body);
    loghash_scratch_free(&s);
}

/* ---- an in-memory object source ---- */

typedef struct mobj {
    char *bucket, *key;
    unsigned char *data;
    size_t len;
    json_t *meta;
} mobj;

typedef struct mem {
    mobj o[16];
    size_t n;
} mem;

struct vs_handle {
    mem *m;
};

static vs_handle *mem_open(void *ctx, char *err, size_t errlen)
{
    vs_handle *h = malloc(sizeof *h);
    h->m = ctx;
    return h;
}

static int cmp_obj(const void *a, const void *b)
{
    return strcmp(((const mobj *)a)->key, ((const mobj *)b)->key);
}

/* Pages of two keys, to exercise paging. */
static int mem_list(vs_handle *h, const char *bucket, const char *prefix, const char *after,
                    vs_page *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    qsort(h->m->o, h->m->n, sizeof h->m->o[0], cmp_obj);
    out->keys = calloc(3, sizeof(char *));
    for (size_t i = 0; i < h->m->n; i++) {
        mobj *o = &h->m->o[i];
        if (strcmp(o->bucket, bucket) || strncmp(o->key, prefix, strlen(prefix))) continue;
        if (after && strcmp(o->key, after) <= 0) continue;
        if (out->n == 2) {
            out->truncated = true;
            break;
        }
        out->keys[out->n++] = strdup(o->key);
    }
    return VS_OK;
}

static int mem_get(vs_handle *h, const char *bucket, const char *key, vs_object *out, char *err,
                   size_t errlen)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < h->m->n; i++) {
        mobj *o = &h->m->o[i];
        if (strcmp(o->bucket, bucket) || strcmp(o->key, key)) continue;
        out->heap = malloc(o->len + 1);
        memcpy(out->heap, o->data, o->len);
        out->data = out->heap;
        out->len = o->len;
        out->metadata = json_deep_copy(o->meta);
        return VS_OK;
    }
    return VS_NOT_FOUND;
}

static void mem_close(vs_handle *h)
{
    free(h);
}

static const vs_ops MEM_OPS = {mem_open, mem_list, mem_get, mem_close};

static void mem_load_vectors(mem *m)
{
    json_t *meta = json_load_file(vec_path("no-prefix/metadata.json"), 0, NULL);
    size_t i;
    json_t *o;
    m->n = 0;
    json_array_foreach(json_object_get(meta, "objects"), i, o)
    {
        if (!json_is_true(json_object_get(o, "inBucket"))) continue;
        mobj *x = &m->o[m->n++];
        x->bucket = strdup(BUCKET);
        x->key = strdup(json_string_value(json_object_get(o, "key")));
        char rel[2048];
        snprintf(rel, sizeof rel, "%s", json_string_value(json_object_get(o, "file")));
        x->data = (unsigned char *)slurp(vec_path(rel), &x->len);
        x->meta = json_object();
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(o, "userMetadataHeaders"), k, v)
            json_object_set(x->meta, k + strlen("x-amz-meta-"), v);
    }
    json_decref(meta);
}

static void mem_free(mem *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->o[i].bucket);
        free(m->o[i].key);
        free(m->o[i].data);
        json_decref(m->o[i].meta);
    }
    m->n = 0;
}

static mobj *mem_find(mem *m, const char *name)
{
    for (size_t i = 0; i < m->n; i++)
        if (strstr(m->o[i].key, name)) return &m->o[i];
    fail();
    return NULL;
}

static void mem_remove(mem *m, const char *name)
{
    mobj *o = mem_find(m, name);
    free(o->bucket);
    free(o->key);
    free(o->data);
    json_decref(o->meta);
    *o = m->o[--m->n];
}

typedef struct keyfile {
    const char *text;
} keyfile;

static int file_keys(void *ctx, int64_t s, int64_t e, pubkeys *into, char *err, size_t errlen)
{
    const char *t = ((keyfile *)ctx)->text;
    return pubkeys_add_json(into, t, strlen(t), err, errlen) < 0 ? -1 : 0;
}

/* Runs a validation of the vector window over m; compares with a transcript. */
static void run_and_compare(mem *m, const char *transcript, int workers)
{
    char *keys = slurp(vec_path("no-prefix/api/ListPublicKeys.json"), NULL);
    keyfile kf = {keys};
    char *outb = NULL, *errb = NULL;
    size_t outl = 0, errl = 0;
    FILE *out = open_memstream(&outb, &outl), *err = open_memstream(&errb, &errl);
    int64_t start, end;
    digest_parse_time("2024-05-01T09:00:00Z", &start);
    digest_parse_time("2024-05-01T12:00:00Z", &end);
    vrun_opts o = {.trail_arn = "arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail",
                   .start_ms = start,
                   .end_ms = end,
                   .layout = LAYOUT,
                   .bucket = BUCKET,
                   .verbose = true,
                   .extras = true,
                   .workers = workers,
                   .out = out,
                   .err = err,
                   .load_keys = file_keys,
                   .keys_ctx = &kf};
    vsource src = {&MEM_OPS, m, "memory"};
    int rc = validate_run(&src, &o, NULL);
    fclose(out);
    fclose(err);
    char rel[512];
    snprintf(rel, sizeof rel, "no-prefix/expected-cli-output/%s.txt", transcript);
    char *t = slurp(vec_path(rel), NULL);
    char *so = strstr(t, "# ---- stdout ----\n") + strlen("# ---- stdout ----\n");
    char *se = strstr(so, "# ---- stderr ----\n");
    *se = 0;
    se += strlen("# ---- stderr ----\n");
    int want_rc = atoi(strstr(t, "# exit status: ") + strlen("# exit status: "));
    assert_string_equal(outb, so);
    assert_string_equal(errb, se);
    assert_int_equal(rc, want_rc);
    free(t);
    free(outb);
    free(errb);
    free(keys);
}

static void test_run_valid(void **state)
{
    mem m;
    mem_load_vectors(&m);
    run_and_compare(&m, "01-valid", 1);
    run_and_compare(&m, "01-valid", 4);
    mem_free(&m);
}

static void test_run_tampered(void **state)
{
    mem m;
    mem_load_vectors(&m);
    /* 09: a log file deleted */
    mem_remove(&m, L1_NAME);
    run_and_compare(&m, "09-log-missing", 3);
    mem_free(&m);
    /* 10: the first digest deleted (reached through the second's link) */
    mem_load_vectors(&m);
    mem_remove(&m, D1_NAME);
    run_and_compare(&m, "10-digest-missing", 2);
    mem_free(&m);
    /* 07: one hex digit of the second digest's signature metadata */
    mem_load_vectors(&m);
    mobj *d2 = mem_find(&m, D2_NAME);
    char *sig = strdup(json_string_value(json_object_get(d2->meta, "signature")));
    sig[10] = sig[10] == '0' ? '1' : '0';
    json_object_set_new(d2->meta, "signature", json_string(sig));
    free(sig);
    run_and_compare(&m, "07-digest-signature-metadata-altered", 2);
    /* 08: no signature metadata */
    json_object_clear(d2->meta);
    run_and_compare(&m, "08-digest-signature-metadata-missing", 2);
    mem_free(&m);
    /* 06: a byte of the stored digest .gz */
    mem_load_vectors(&m);
    d2 = mem_find(&m, D2_NAME);
    d2->data[d2->len / 2] ^= 1;
    run_and_compare(&m, "06-digest-gzip-byte-flipped", 2);
    mem_free(&m);
    /* 03: a byte of the stored log .gz */
    mem_load_vectors(&m);
    mobj *l1 = mem_find(&m, L1_NAME);
    l1->data[l1->len / 2] ^= 1;
    run_and_compare(&m, "03-log-gzip-byte-flipped", 2);
    mem_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_digest_parse_and_string_to_sign),
        cmocka_unit_test(test_signature_with_vector_key),
        cmocka_unit_test(test_loghash_semantics),
        cmocka_unit_test(test_run_valid),
        cmocka_unit_test(test_run_tampered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
