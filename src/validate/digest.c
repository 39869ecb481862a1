#include "validate/digest.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/hash.h"
#include "core/timeutil.h"

static const char *str_or_null(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

digest_parse_rc digest_parse(const void *inflated, size_t len, digest *d)
{
    memset(d, 0, sizeof d[0]);
    /* Python decodes UTF-8 first, then parses: jansson rejects invalid UTF-8 as well. */
    json_error_t je;
    d->root = json_loadb(inflated, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (!d->root || !json_is_object(d->root)) {
        json_decref(d->root);
        d->root = NULL;
        return DIGEST_NOT_JSON;
    }
    hash_sha256_hex(inflated, len, d->sha256_hex);
    static const char *required[] = {
        "digestPublicKeyFingerprint", "digestS3Bucket", "digestS3Object",
        "previousDigestSignature",    "digestEndTime",  "digestStartTime"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (!json_object_get(d->root, required[i])) return DIGEST_MISSING_KEYS;
    json_t *r = d->root;
    d->end_time = str_or_null(r, "digestEndTime");
    d->start_time = str_or_null(r, "digestStartTime");
    d->bucket = str_or_null(r, "digestS3Bucket");
    d->object = str_or_null(r, "digestS3Object");
    d->fingerprint = str_or_null(r, "digestPublicKeyFingerprint");
    d->sig_alg = str_or_null(r, "digestSignatureAlgorithm");
    d->prev_bucket = str_or_null(r, "previousDigestS3Bucket");
    d->prev_object = str_or_null(r, "previousDigestS3Object");
    d->prev_hash = str_or_null(r, "previousDigestHashValue");
    d->prev_hash_alg = str_or_null(r, "previousDigestHashAlgorithm");
    d->prev_signature = str_or_null(r, "previousDigestSignature");
    json_t *logs = json_object_get(r, "logFiles");
    if (logs && !json_is_array(logs)) d->logs_malformed = true;
    size_t n = json_array_size(logs);
    if (n) {
        d->logs = calloc(n, sizeof d->logs[0]);
        if (!d->logs) abort();
        for (size_t i = 0; i < n; i++) {
            json_t *e = json_array_get(logs, i);
            d->logs[i].bucket = str_or_null(e, "s3Bucket");
            d->logs[i].key = str_or_null(e, "s3Object");
            d->logs[i].hash = str_or_null(e, "hashValue");
            d->logs[i].hash_alg = str_or_null(e, "hashAlgorithm");
        }
    }
    d->n_logs = n;
    return DIGEST_OK;
}

void digest_free(digest *d)
{
    json_decref(d->root);
    free(d->logs);
    memset(d, 0, sizeof d[0]);
}

/* Python formats the values with str(): a JSON string as itself, None as "None" except
 * previousDigestSignature (None -> "null", "to match the Java implementation"). Numbers
 * and other types would print Python's repr; a signed digest never has them, and any
 * stand-in we print cannot verify either, so the verdict is the same. */
static void put_value(buf *b, json_t *v, const char *null_text)
{
    if (json_is_string(v))
        buf_append(b, json_string_value(v), json_string_length(v));
    else if (!v || json_is_null(v))
        buf_puts(b, null_text);
    else {
        char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        buf_puts(b, t ? t : "");
        free(t);
    }
}

void digest_string_to_sign(const digest *d, buf *out)
{
    json_t *r = d->root;
    put_value(out, json_object_get(r, "digestEndTime"), "None");
    buf_putc(out, '\n');
    put_value(out, json_object_get(r, "digestS3Bucket"), "None");
    buf_putc(out, '/');
    put_value(out, json_object_get(r, "digestS3Object"), "None");
    buf_putc(out, '\n');
    buf_puts(out, d->sha256_hex);
    buf_putc(out, '\n');
    put_value(out, json_object_get(r, "previousDigestSignature"), "null");
}

static int num(const char **p, int digits, int *v)
{
    *v = 0;
    for (int i = 0; i < digits; i++) {
        if (!isdigit((unsigned char)**p)) return -1;
        *v = *v * 10 + (**p - '0');
        (*p)++;
    }
    return 0;
}

int digest_parse_time(const char *s, int64_t *ms)
{
    if (!s) return -1;
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, sec = 0;
    if (num(&p, 4, &y) || *p++ != '-' || num(&p, 2, &mo) || *p++ != '-' || num(&p, 2, &d))
        return -1;
    if (*p == 'T' || *p == ' ') {
        p++;
        if (num(&p, 2, &h) || *p++ != ':' || num(&p, 2, &mi)) return -1;
        if (*p == ':') {
            p++;
            if (num(&p, 2, &sec)) return -1;
            if (*p == '.') {
                p++;
                while (isdigit((unsigned char)*p))
                    p++;
            }
        }
    }
    /* The offset is dropped, not applied: the AWS CLI replaces the zone with UTC. */
    if (*p == 'Z')
        p++;
    else if (*p == '+' || *p == '-') {
        p++;
        int oh, om = 0;
        if (num(&p, 2, &oh)) return -1;
        if (*p == ':') p++;
        if (isdigit((unsigned char)*p) && num(&p, 2, &om)) return -1;
    }
    if (*p) return -1;
    /* dateutil refuses a day past the end of its month ("day is out of range for month"). */
    if (d < 1 || d > time_days_in_month(y, mo) || h > 23 || mi > 59 || sec > 59) return -1;
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = sec};
    *ms = (int64_t)timegm(&tm) * 1000;
    return 0;
}
