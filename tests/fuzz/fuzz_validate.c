/* fuzz_validate: the parsers of `validate-logs`, which read untrusted bytes from the log
 * bucket: digest files (digest_parse, digest_string_to_sign, digest_parse_time), stored
 * log files and digests (loghash_gzip_sha256, loghash_gunzip_alloc), public key lists
 * (pubkeys_add_json) and object keys (the layout_* key and time parsers).
 *
 * Input: the first byte, modulo 6, picks the parser; the rest is its input.
 *   0  digest JSON (inflated)     3  ListPublicKeys JSON
 *   1  gzip object as stored      4  an object key (up to the first NUL)
 *   2  gzip built by the harness  5  a time text (up to the first NUL), whose first 8
 *                                    bytes are also read as an instant
 * Mode 2 reads an options byte, then raw deflate data, and wraps that data in a gzip member
 * with a correct CRC and size (and optional FEXTRA, FNAME, FCOMMENT, FHCRC, a wrong header
 * CRC, a second member, trailing bytes, truncation), so that mutated streams still reach
 * the paths behind the trailer check; hand-written seeds start with '0'..'5'.
 *
 * Properties checked besides memory safety and leaks:
 *  - loghash_gzip_sha256 (libdeflate fast path, then zlib) gives exactly the verdict, hash
 *    and size of loghash_gzip_sha256_stream (the zlib path alone), but for the Huffman
 *    codes only libdeflate accepts (libdeflate_tolerates), and both give those of
 *    an independent model of the AWS CLI's reader: zlib.decompressobj(16 + MAX_WBITS) fed
 *    2048-byte chunks, any zlib error "invalid format", an early end not an error, bytes
 *    after the first member ignored;
 *  - loghash_gunzip_alloc succeeds exactly when that model reaches the end of the first
 *    member (Python's zlib.decompress), with the same bytes, NUL-terminated;
 *  - digest_parse: its verdict follows the six required keys, sha256_hex is the SHA-256 of
 *    the input, every field is the string the JSON holds, logFiles is read entry by entry;
 *    digest_string_to_sign is the four lines the AWS CLI signs;
 *  - digest_parse_time and layout_parse_compact accept no out-of-range field, and what they
 *    accept is the instant the text names (no day past the end of its month, no month 00, no
 *    second 60 in keys); formatting any instant and parsing it back gives that instant (to the
 *    second; to the minute for log file keys);
 *  - the digest and log file keys that layout builds are recognised by layout's parsers,
 *    with their time; on any key, the suffix and time-slice parsers agree with a direct
 *    reading of the key;
 *  - pubkeys_add_json adds exactly the entries with a string Fingerprint and Value (the
 *    last one wins per fingerprint), refuses a document without a PublicKeyList array with
 *    a message, and adding the same document twice changes nothing. */
#include <ctype.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "core/buf.h"
#include "core/hash.h"
#include "fuzz_target.h"
#include "validate/digest.h"
#include "validate/layout.h"
#include "validate/loghash.h"
#include "validate/pubkeys.h"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_validate: %s:%d: check failed: %s\n", __FILE__, __LINE__,        \
                    #cond);                                                                        \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* One scratch for the whole run, as a pipe worker keeps one across files: a file's
 * verdict must not depend on what the scratch held before. */
static loghash_scratch scratch;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    loghash_scratch_init(&scratch);
    return 0;
}

/* A copy of exactly n bytes, so that ASan sees any read past the end. */
static unsigned char *dup_exact(const uint8_t *p, size_t n)
{
    unsigned char *c = malloc(n ? n : 1);
    if (!c) abort();
    if (n) memcpy(c, p, n);
    return c;
}

static char *dup_cstr(const uint8_t *p, size_t n)
{
    size_t k = strnlen((const char *)p, n);
    char *c = malloc(k + 1);
    if (!c) abort();
    memcpy(c, p, k);
    c[k] = 0;
    return c;
}

static bool same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !memcmp(s + a - b, suffix, b);
}

static bool is_lower_hex64(const char *h)
{
    for (int i = 0; i < 64; i++)
        if (!isdigit((unsigned char)h[i]) && !(h[i] >= 'a' && h[i] <= 'f')) return false;
    return h[64] == 0;
}

/* ---- gzip: the AWS CLI's reader, modelled on CPython's zlib module ---------------- */

typedef struct cli_read {
    int rc;       /* 0, or -1 when zlib raised ("invalid format") */
    char msg[64]; /* zlib's message when it raised */
    bool ended;   /* the first member ended (zlib.decompress would succeed) */
    buf out;      /* everything inflated */
} cli_read;

/* Decompress.decompress(): inflate(Z_SYNC_FLUSH) until the chunk is used up or the
 * stream ends, draining the output each time it fills; Z_OK, Z_BUF_ERROR and
 * Z_STREAM_END are not errors, anything else raises. */
static int cli_step(z_stream *z, int flush, buf *out)
{
    unsigned char tmp[4096];
    int err;
    do {
        z->next_out = tmp;
        z->avail_out = sizeof tmp;
        err = inflate(z, flush);
        buf_append(out, tmp, sizeof tmp - z->avail_out);
        if (err != Z_OK && err != Z_BUF_ERROR && err != Z_STREAM_END) return err;
    } while (z->avail_out == 0);
    return err;
}

static void cli_gunzip(const unsigned char *gz, size_t len, cli_read *r)
{
    memset(r, 0, sizeof *r);
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) abort();
    /* validation.py: for chunk in iter(lambda: body.read(2048), b""): decompress(chunk).
     * After the end of the member, chunks only go to unused_data. */
    for (size_t off = 0; off < len && !r->ended; off += 2048) {
        z.next_in = (unsigned char *)gz + off;
        z.avail_in = (uInt)(len - off < 2048 ? len - off : 2048);
        int err = cli_step(&z, Z_SYNC_FLUSH, &r->out);
        if (err == Z_STREAM_END)
            r->ended = true;
        else if (err != Z_OK && err != Z_BUF_ERROR) {
            r->rc = -1;
            snprintf(r->msg, sizeof r->msg, "%s", z.msg ? z.msg : "");
            break;
        }
    }
    /* flush(): no input is left; its errors are not raised, its output is hashed. */
    if (!r->rc && !r->ended) {
        z.avail_in = 0;
        if (cli_step(&z, Z_FINISH, &r->out) == Z_STREAM_END) r->ended = true;
    }
    inflateEnd(&z);
}

/* The one known divergence (src/validate/loghash.h, docs/compatibility.md): libdeflate
 * builds Huffman codes that zlib refuses (more than 286/30 code lengths, a one-symbol
 * code whose unused codeword appears, a length with no distance code) and inflates such a
 * stream, which the AWS CLI calls invalid format. The inflated bytes still have to hash to
 * the digest's value to be reported valid. Any other zlib refusal must be ours too. */
static bool libdeflate_tolerates(const char *zlib_msg)
{
    return !strcmp(zlib_msg, "too many length or distance symbols") ||
           !strcmp(zlib_msg, "invalid literal/length code") ||
           !strcmp(zlib_msg, "invalid distance code");
}

static void check_gzip(const unsigned char *gz, size_t len)
{
    char fast_hex[65] = "", exact_hex[65] = "";
    uint64_t fast_n = 0, exact_n = 0;
    int fast_rc = loghash_gzip_sha256(&scratch, gz, len, fast_hex, &fast_n);
    int exact_rc = loghash_gzip_sha256_stream(gz, len, exact_hex, &exact_n);
    cli_read cli;
    cli_gunzip(gz, len, &cli);

    bool tolerated =
        fast_rc == 0 && exact_rc == -1 && cli.rc == -1 && libdeflate_tolerates(cli.msg);
    if (!tolerated && (fast_rc != exact_rc || exact_rc != cli.rc)) {
        fprintf(stderr, "verdicts differ: loghash_gzip_sha256 %d, stream %d, CLI model %d\n",
                fast_rc, exact_rc, cli.rc);
        abort();
    }
    if (exact_rc == 0 && !tolerated) {
        char want[65];
        hash_sha256_hex(cli.out.data ? cli.out.data : "", cli.out.len, want);
        if (strcmp(fast_hex, exact_hex) || strcmp(exact_hex, want) || fast_n != exact_n ||
            exact_n != cli.out.len) {
            fprintf(stderr, "results differ: fast %s (%llu), stream %s (%llu), CLI %s (%zu)\n",
                    fast_hex, (unsigned long long)fast_n, exact_hex, (unsigned long long)exact_n,
                    want, cli.out.len);
            abort();
        }
        CHECK(is_lower_hex64(fast_hex));
    }

    size_t n = (size_t)-1;
    unsigned char *all = loghash_gunzip_alloc(gz, len, &n);
    bool want_all = cli.rc == 0 && cli.ended;
    if (!all != !want_all) {
        fprintf(stderr, "loghash_gunzip_alloc %s, CLI model rc %d ended %d\n",
                all ? "succeeded" : "failed", cli.rc, cli.ended);
        abort();
    }
    if (all) {
        CHECK(n == cli.out.len);
        CHECK(n == 0 || !memcmp(all, cli.out.data, n));
        CHECK(all[n] == 0);
        free(all);
    }
    buf_free(&cli.out);
}

/* Mode 2: options byte, then raw deflate data, wrapped here into a member zlib checks. */
enum {
    GZ_FEXTRA = 0x01,
    GZ_FNAME = 0x02,
    GZ_FCOMMENT = 0x04,
    GZ_FHCRC = 0x08,
    GZ_BAD_HCRC = 0x10,
    GZ_TWICE = 0x20,    /* a second member follows (ignored by the CLI) */
    GZ_TRAILING = 0x40, /* what follows the deflate stream is kept after the trailer */
    GZ_TRUNCATE = 0x80, /* cut the object in half */
};

static void gzip_member(buf *b, unsigned opts, const uint8_t *deflated, size_t dlen, uint32_t crc,
                        uint32_t isize)
{
    size_t start = b->len;
    unsigned char flg = (opts & GZ_FEXTRA ? 0x04 : 0) | (opts & GZ_FNAME ? 0x08 : 0) |
                        (opts & GZ_FCOMMENT ? 0x10 : 0) | (opts & GZ_FHCRC ? 0x02 : 0);
    const unsigned char head[10] = {0x1f, 0x8b, 8, flg, 0x5c, 0x2e, 0x32, 0x66, 0, 3};
    buf_append(b, head, sizeof head);
    if (opts & GZ_FEXTRA) buf_append(b, "\x06\x00OT\x02\x00ok", 8);
    if (opts & GZ_FNAME) buf_append(b, "log.json", 9);
    if (opts & GZ_FCOMMENT) buf_append(b, "orgtrail", 9);
    if (opts & GZ_FHCRC) {
        uint32_t h = (uint32_t)crc32(0, (const Bytef *)b->data + start, (uInt)(b->len - start));
        if (opts & GZ_BAD_HCRC) h ^= 0x5a5a;
        unsigned char hc[2] = {(unsigned char)h, (unsigned char)(h >> 8)};
        buf_append(b, hc, 2);
    }
    buf_append(b, deflated, dlen);
    unsigned char tr[8] = {(unsigned char)crc,           (unsigned char)(crc >> 8),
                           (unsigned char)(crc >> 16),   (unsigned char)(crc >> 24),
                           (unsigned char)isize,         (unsigned char)(isize >> 8),
                           (unsigned char)(isize >> 16), (unsigned char)(isize >> 24)};
    buf_append(b, tr, 8);
}

static void check_built_gzip(const uint8_t *p, size_t n)
{
    if (n == 0) return;
    unsigned opts = p[0];
    const uint8_t *d = p + 1;
    size_t dlen = n - 1;

    /* What the raw stream inflates to, and where it ends. */
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK) abort();
    z.next_in = (unsigned char *)d;
    z.avail_in = (uInt)dlen;
    uint32_t crc = (uint32_t)crc32(0, NULL, 0);
    unsigned char tmp[16384];
    int zr;
    do {
        z.next_out = tmp;
        z.avail_out = sizeof tmp;
        zr = inflate(&z, Z_NO_FLUSH);
        crc = (uint32_t)crc32(crc, tmp, (uInt)(sizeof tmp - z.avail_out));
    } while (zr == Z_OK);
    size_t used = zr == Z_STREAM_END ? (size_t)z.total_in : dlen;
    uint32_t isize = (uint32_t)z.total_out;
    inflateEnd(&z);

    buf b = BUF_INIT;
    gzip_member(&b, opts, d, used, crc, isize);
    if (opts & GZ_TWICE) gzip_member(&b, opts & ~(unsigned)GZ_BAD_HCRC, d, used, crc, isize);
    if (opts & GZ_TRAILING) buf_append(&b, d + used, dlen - used);
    size_t len = opts & GZ_TRUNCATE ? b.len / 2 : b.len;
    unsigned char *gz = dup_exact((const uint8_t *)b.data, len);
    buf_free(&b);
    check_gzip(gz, len);
    free(gz);
}

/* ---- times ---------------------------------------------------------------------- */

static int days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dim[m - 1];
}

/* The value of exactly n digits at s, or -1. Stops at the first non-digit (so at a NUL). */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* ms names exactly y-mo-d h:mi:sec UTC. */
static void check_instant(int64_t ms, int y, int mo, int d, int h, int mi, int sec)
{
    CHECK(ms % 1000 == 0);
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    CHECK(gmtime_r(&t, &tm));
    if (tm.tm_year + 1900 != y || tm.tm_mon + 1 != mo || tm.tm_mday != d || tm.tm_hour != h ||
        tm.tm_min != mi || tm.tm_sec != sec) {
        fprintf(stderr, "%04d-%02d-%02d %02d:%02d:%02d parsed as %lld ms\n", y, mo, d, h, mi, sec,
                (long long)ms);
        abort();
    }
}

/* digest_parse_time: "YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][Z|(+|-)HH[[:]MM]]". */
static void check_digest_time(const char *s)
{
    int64_t ms = 1;
    if (!s || digest_parse_time(s, &ms) != 0) return;
    int y = digits(s, 4), mo = -1, d = -1, h = 0, mi = 0, sec = 0;
    CHECK(y >= 0 && s[4] == '-');
    CHECK((mo = digits(s + 5, 2)) >= 0 && s[7] == '-');
    CHECK((d = digits(s + 8, 2)) >= 0);
    if (s[10] == 'T' || s[10] == ' ') {
        CHECK((h = digits(s + 11, 2)) >= 0 && s[13] == ':');
        CHECK((mi = digits(s + 14, 2)) >= 0);
        if (s[16] == ':') CHECK((sec = digits(s + 17, 2)) >= 0);
    }
    CHECK(mo >= 1 && mo <= 12 && d >= 1 && h <= 23 && mi <= 59 && sec <= 59);
    /* A day past the end of its month (2024-02-30) is refused, as dateutil does. */
    CHECK(d <= days_in_month(y, mo));
    check_instant(ms, y, mo, d, h, mi, sec);
}

/* layout_parse_compact: "YYYYMMDDTHHMMSSZ". */
static void check_compact(const char *s)
{
    int64_t ms = 1;
    if (layout_parse_compact(s, &ms) != 0) return;
    CHECK(strlen(s) == 16 && s[8] == 'T' && s[15] == 'Z');
    int y = digits(s, 4), mo = digits(s + 4, 2), d = digits(s + 6, 2), h = digits(s + 9, 2),
        mi = digits(s + 11, 2), sec = digits(s + 13, 2);
    CHECK(y >= 0 && mo >= 0 && d >= 0 && h >= 0 && mi >= 0 && sec >= 0);
    /* Month 00, a day past the end of its month and second 60 are refused, as strptime
     * with the CLI's DATE_FORMAT does. */
    CHECK(mo >= 1 && mo <= 12 && d >= 1 && h <= 23 && mi <= 59 && sec <= 59);
    CHECK(d <= days_in_month(y, mo));
    check_instant(ms, y, mo, d, h, mi, sec);
    char back[17];
    layout_format_compact(ms, back);
    if (y >= 1000) CHECK(!strcmp(back, s));
}

/* Years 1000..9999: what the 16-character compact form can hold. */
static const int64_t MIN_MS = -30610224000000LL, MAX_MS = 253402300799999LL;

static int64_t ms_from(const uint8_t *p, size_t n)
{
    uint64_t u = 0;
    for (size_t i = 0; i < 8; i++)
        u = u << 8 | (i < n ? p[i] : 0);
    return MIN_MS + (int64_t)(u % (uint64_t)(MAX_MS - MIN_MS + 1));
}

/* Formatting an instant and parsing it back. */
static void check_time_round_trip(int64_t ms, unsigned variant)
{
    int64_t sec_ms = floor_div(ms, 1000) * 1000, back = 1;
    char compact[17];
    layout_format_compact(ms, compact);
    CHECK(strlen(compact) == 16);
    CHECK(layout_parse_compact(compact, &back) == 0 && back == sec_ms);

    time_t t = (time_t)(sec_ms / 1000);
    struct tm tm;
    CHECK(gmtime_r(&t, &tm));
    static const char *const forms[] = {"%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.250Z",
                                        "%Y-%m-%d %H:%M:%S+05:30", "%Y-%m-%dT%H:%M:%S-0800",
                                        "%Y-%m-%dT%H:%M:%S"};
    char text[64];
    strftime(text, sizeof text, forms[variant % 5], &tm);
    back = 1;
    CHECK(digest_parse_time(text, &back) == 0 && back == sec_ms);
}

/* ---- digests -------------------------------------------------------------------- */

static const char *const REQUIRED[] = {
    "digestPublicKeyFingerprint", "digestS3Bucket", "digestS3Object",
    "previousDigestSignature",    "digestEndTime",  "digestStartTime"};

/* str() of a value as the AWS CLI formats it, when it is a string, null or absent; false
 * for other types (their text is a stand-in that cannot verify either way). */
static bool cli_str(json_t *v, const char *none, buf *out)
{
    if (json_is_string(v))
        buf_append(out, json_string_value(v), json_string_length(v));
    else if (!v || json_is_null(v))
        buf_puts(out, none);
    else
        return false;
    return true;
}

static void check_digest(const uint8_t *p, size_t n)
{
    unsigned char *text = dup_exact(p, n);
    digest d;
    digest_parse_rc rc = digest_parse(text, n, &d);
    if (rc == DIGEST_NOT_JSON) {
        CHECK(!d.root && !d.logs && !d.n_logs);
        digest_free(&d);
        free(text);
        return;
    }
    CHECK(rc == DIGEST_OK || rc == DIGEST_MISSING_KEYS);
    CHECK(json_is_object(d.root));
    char want[65];
    hash_sha256_hex(text, n, want);
    CHECK(!strcmp(d.sha256_hex, want));

    size_t missing = 0;
    for (size_t i = 0; i < sizeof REQUIRED / sizeof REQUIRED[0]; i++)
        missing += !json_object_get(d.root, REQUIRED[i]);
    CHECK((rc == DIGEST_MISSING_KEYS) == (missing > 0));

    if (rc == DIGEST_OK) {
        json_t *r = d.root;
#define FIELD(f, k) CHECK(same_str(d.f, json_string_value(json_object_get(r, k))))
        FIELD(end_time, "digestEndTime");
        FIELD(start_time, "digestStartTime");
        FIELD(bucket, "digestS3Bucket");
        FIELD(object, "digestS3Object");
        FIELD(fingerprint, "digestPublicKeyFingerprint");
        FIELD(sig_alg, "digestSignatureAlgorithm");
        FIELD(prev_bucket, "previousDigestS3Bucket");
        FIELD(prev_object, "previousDigestS3Object");
        FIELD(prev_hash, "previousDigestHashValue");
        FIELD(prev_hash_alg, "previousDigestHashAlgorithm");
        FIELD(prev_signature, "previousDigestSignature");
#undef FIELD
        json_t *logs = json_object_get(r, "logFiles");
        CHECK(d.logs_malformed == (logs && !json_is_array(logs)));
        CHECK(d.n_logs == json_array_size(logs));
        CHECK(!d.n_logs == !d.logs);
        for (size_t i = 0; i < d.n_logs; i++) {
            json_t *e = json_array_get(logs, i);
            CHECK(same_str(d.logs[i].bucket, json_string_value(json_object_get(e, "s3Bucket"))));
            CHECK(same_str(d.logs[i].key, json_string_value(json_object_get(e, "s3Object"))));
            CHECK(same_str(d.logs[i].hash, json_string_value(json_object_get(e, "hashValue"))));
            CHECK(same_str(d.logs[i].hash_alg,
                           json_string_value(json_object_get(e, "hashAlgorithm"))));
        }

        /* "{digestEndTime}\n{digestS3Bucket}/{digestS3Object}\n{sha256}\n{previous sig}" */
        buf got = BUF_INIT, exp = BUF_INIT;
        digest_string_to_sign(&d, &got);
        bool plain = cli_str(json_object_get(r, "digestEndTime"), "None", &exp);
        buf_putc(&exp, '\n');
        plain &= cli_str(json_object_get(r, "digestS3Bucket"), "None", &exp);
        buf_putc(&exp, '/');
        plain &= cli_str(json_object_get(r, "digestS3Object"), "None", &exp);
        buf_printf(&exp, "\n%s\n", want);
        plain &= cli_str(json_object_get(r, "previousDigestSignature"), "null", &exp);
        if (plain) {
            CHECK(got.len == exp.len && !memcmp(got.data, exp.data, exp.len));
        } else {
            char line[68];
            snprintf(line, sizeof line, "\n%s\n", want);
            CHECK(memmem(got.data, got.len, line, 66));
        }
        buf_free(&got);
        buf_free(&exp);

        check_digest_time(d.end_time);
        check_digest_time(d.start_time);
    }
    digest_free(&d);
    CHECK(!d.root && !d.logs);
    free(text);
}

/* ---- public keys ---------------------------------------------------------------- */

static void check_pubkeys(const uint8_t *p, size_t n)
{
    char *text = (char *)dup_exact(p, n);
    /* What the document holds, read here with jansson directly. */
    json_t *root = json_loadb(text, n, 0, NULL);
    json_t *list = json_object_get(root, "PublicKeyList");
    json_t *want = json_object(); /* fingerprint -> the last value */
    int want_added = -1;
    if (json_is_array(list)) {
        want_added = 0;
        size_t i;
        json_t *e;
        json_array_foreach(list, i, e)
        {
            json_t *fp = json_object_get(e, "Fingerprint"), *v = json_object_get(e, "Value");
            if (!json_is_string(fp) || !json_is_string(v)) continue;
            json_object_set(want, json_string_value(fp), v);
            want_added++;
        }
    }

    pubkeys k;
    pubkeys_init(&k);
    pubkeys_add(&k, "fp-seed", "AAAA"); /* a key already present, as from a local store */
    char err[256] = "";
    int added = pubkeys_add_json(&k, text, n, err, sizeof err);
    CHECK(added == want_added);
    size_t with_seed = json_object_size(want) + !json_object_get(want, "fp-seed");
    if (added < 0) {
        CHECK(err[0] && k.n == 1);
        CHECK(same_str(pubkeys_find(&k, "fp-seed"), "AAAA"));
    } else {
        CHECK(k.n == with_seed);
        const char *fp;
        json_t *v;
        json_object_foreach(want, fp, v)
            CHECK(same_str(pubkeys_find(&k, fp), json_string_value(v)));
        if (!json_object_get(want, "fp-seed")) CHECK(same_str(pubkeys_find(&k, "fp-seed"), "AAAA"));
        /* The same document again: the same count, nothing new. */
        char small[8];
        CHECK(pubkeys_add_json(&k, text, n, small, sizeof small) == added);
        CHECK(k.n == with_seed);
    }
    CHECK(!pubkeys_find(&k, NULL));
    pubkeys_free(&k);
    json_decref(want);
    json_decref(root);
    free(text);
}

/* ---- object keys ---------------------------------------------------------------- */

/* A name of 1..max characters from charset, taken from the input (or 'a' past its end). */
static void take_name(const uint8_t **p, const uint8_t *end, const char *charset, size_t max,
                      char *out)
{
    size_t cs = strlen(charset);
    size_t len = 1 + (*p < end ? *(*p)++ % max : 0);
    for (size_t i = 0; i < len; i++)
        out[i] = *p < end ? charset[*(*p)++ % cs] : 'a';
    out[len] = 0;
}

static void check_key(const uint8_t *p, size_t n)
{
    char *key = dup_cstr(p, n);
    size_t klen = strlen(key);

    /* The suffix and slice parsers, against a direct reading of the key. */
    bool bf = layout_is_backfill_key(key);
    CHECK(bf == ends_with(key, "_backfill.json.gz"));
    char ts[17];
    memset(ts, 'x', sizeof ts);
    layout_digest_key_time(key, ts);
    size_t tail = bf ? 17 : 8;
    if (klen < tail + 16)
        CHECK(ts[0] == 0);
    else
        CHECK(strlen(ts) == 16 && !memcmp(ts, key + klen - tail - 16, 16));
    check_compact(ts);
    int64_t lt = layout_log_key_time(key);
    if (lt != -1) {
        const char *name = strrchr(key, '/');
        name = name ? name + 1 : key;
        CHECK(lt % 60000 == 0 && strstr(name, "_CloudTrail_") && ends_with(name, ".json.gz"));
    }

    /* A layout named by the input: the keys it builds must be read back. */
    const uint8_t *q = p, *end = p + n;
    char prefix[16], org[16], acct[16], region[16], home[16], trail[16], unique[16];
    static const char NAME[] = "abcdefghijklmnopqrstuvwxyz0123456789-";
    take_name(&q, end, "abc/xyz-_.0189", 12, prefix);
    take_name(&q, end, NAME, 12, org + 2);
    memcpy(org, "o-", 2);
    take_name(&q, end, "0123456789", 12, acct);
    take_name(&q, end, NAME, 14, region);
    take_name(&q, end, NAME, 14, home);
    take_name(&q, end, "abcdefghijklmnopqrstuvwxyzABCXYZ0123456789-_.", 14, trail);
    take_name(&q, end, "abcdefghijklmnopqrstuvwxyzABCXYZ0123456789", 14, unique);
    unsigned shape = q < end ? *q++ : 0;
    int64_t ms = ms_from(q, (size_t)(end - q));
    vlayout l = {.prefix = shape & 1 ? prefix : NULL,
                 .org_id = shape & 2 ? org : NULL,
                 .account_id = acct,
                 .region = region,
                 .home_region = home,
                 .trail_name = trail};

    if (layout_is_digest_key(&l, key)) {
        char dp[1024];
        layout_digest_prefix(&l, dp, sizeof dp);
        size_t dl = strlen(dp);
        CHECK(!strncmp(key, dp, dl) && key[dl] == '/' && ends_with(key, ".json.gz"));
    }

    char compact[17], dkey[2048], bkey[2100], dp[1024];
    layout_format_compact(ms, compact);
    layout_digest_key(&l, ms, dkey, sizeof dkey);
    layout_digest_prefix(&l, dp, sizeof dp);
    CHECK(!strncmp(dkey, dp, strlen(dp)) && dkey[strlen(dp)] == '/');
    CHECK(layout_is_digest_key(&l, dkey) && !layout_is_backfill_key(dkey));
    layout_digest_key_time(dkey, ts);
    CHECK(!strcmp(ts, compact));
    snprintf(bkey, sizeof bkey, "%.*s_backfill.json.gz", (int)(strlen(dkey) - 8), dkey);
    CHECK(layout_is_digest_key(&l, bkey) && layout_is_backfill_key(bkey));
    layout_digest_key_time(bkey, ts);
    CHECK(!strcmp(ts, compact));

    char day[1024], lkey[2048];
    layout_log_day_prefix(&l, ms, day, sizeof day);
    snprintf(lkey, sizeof lkey, "%s%s_CloudTrail_%s_%.13sZ_%s.json.gz", day, acct, region, compact,
             unique);
    CHECK(layout_log_key_time(lkey) == floor_div(ms, 60000) * 60000);

    free(key);
}

static void check_time_text(const uint8_t *p, size_t n)
{
    char *s = dup_cstr(p, n);
    check_digest_time(s);
    check_compact(s);
    free(s);
    check_time_round_trip(ms_from(p, n), n ? p[n - 1] : 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    switch (data[0] % 6) {
    case 0:
        check_digest(p, n);
        break;
    case 1: {
        unsigned char *gz = dup_exact(p, n);
        check_gzip(gz, n);
        free(gz);
        break;
    }
    case 2:
        check_built_gzip(p, n);
        break;
    case 3:
        check_pubkeys(p, n);
        break;
    case 4:
        check_key(p, n);
        break;
    default:
        check_time_text(p, n);
        break;
    }
    return 0;
}
