#include "digest/digestfile.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/timeutil.h"
#include "digest/signkey.h"

int digest_key(char *out, size_t n, const char *prefix, const char *org_id, const char *account,
               const char *region, const char *trail_name, const char *home_region, int64_t end_ms)
{
    time_t t = (time_t)(end_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    int len = snprintf(out, n,
                       "%s%sAWSLogs/%s%s%s/CloudTrail-Digest/%s/%04d/%02d/%02d/"
                       "%s_CloudTrail-Digest_%s_%s_%s_%04d%02d%02dT%02d%02d%02dZ.json.gz",
                       prefix && *prefix ? prefix : "", prefix && *prefix ? "/" : "",
                       org_id && *org_id ? org_id : "", org_id && *org_id ? "/" : "", account,
                       region, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, account, region,
                       trail_name, home_region, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                       tm.tm_hour, tm.tm_min, tm.tm_sec);
    return len < 0 || (size_t)len >= n ? -1 : len;
}

static json_t *time_or_null(int64_t ms)
{
    if (ms < 0) return json_null();
    char text[32];
    time_iso8601(ms, text, sizeof text);
    return json_string(text);
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

void digest_json(const digest_doc *d, buf *out)
{
    /* Event times over all files: the newest of the newest, the oldest of the oldest. */
    int64_t newest = -1, oldest = -1;
    json_t *logs = json_array();
    for (size_t i = 0; i < d->n_logs; i++) {
        const digest_log *l = &d->logs[i];
        if (l->newest_event_ms >= 0 && (newest < 0 || l->newest_event_ms > newest))
            newest = l->newest_event_ms;
        if (l->oldest_event_ms >= 0 && (oldest < 0 || l->oldest_event_ms < oldest))
            oldest = l->oldest_event_ms;
        json_t *e = json_object();
        json_object_set_new(e, "s3Bucket", json_string(l->bucket));
        json_object_set_new(e, "s3Object", json_string(l->key));
        json_object_set_new(e, "hashValue", json_string(l->sha256));
        json_object_set_new(e, "hashAlgorithm", json_string(DIGEST_HASH_ALGORITHM));
        json_object_set_new(e, "newestEventTime", time_or_null(l->newest_event_ms));
        json_object_set_new(e, "oldestEventTime", time_or_null(l->oldest_event_ms));
        json_array_append_new(logs, e);
    }
    bool first = !d->prev_key;
    json_t *o = json_object();
    json_object_set_new(o, "awsAccountId", json_string(d->account_id));
    json_object_set_new(o, "digestStartTime", time_or_null(d->start_ms));
    json_object_set_new(o, "digestEndTime", time_or_null(d->end_ms));
    json_object_set_new(o, "digestS3Bucket", json_string(d->bucket));
    json_object_set_new(o, "digestS3Object", json_string(d->key));
    json_object_set_new(o, "digestPublicKeyFingerprint", json_string(d->fingerprint));
    json_object_set_new(o, "digestSignatureAlgorithm", json_string(SIGNKEY_ALGORITHM));
    json_object_set_new(o, "newestEventTime", time_or_null(newest));
    json_object_set_new(o, "oldestEventTime", time_or_null(oldest));
    json_object_set_new(o, "previousDigestS3Bucket", str_or_null(first ? NULL : d->prev_bucket));
    json_object_set_new(o, "previousDigestS3Object", str_or_null(first ? NULL : d->prev_key));
    json_object_set_new(o, "previousDigestHashValue", str_or_null(first ? NULL : d->prev_hash));
    json_object_set_new(o, "previousDigestHashAlgorithm",
                        str_or_null(first ? NULL : DIGEST_HASH_ALGORITHM));
    json_object_set_new(o, "previousDigestSignature",
                        str_or_null(first ? NULL : d->prev_signature));
    json_object_set_new(o, "logFiles", logs);
    /* Compact, in insertion order, "/" unescaped: the layout of the vectors. */
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!text) abort();
    buf_puts(out, text);
    free(text);
    json_decref(o);
}

void digest_signing_string(int64_t end_ms, const char *bucket, const char *key,
                           const char *json_sha256, const char *prev_signature, buf *out)
{
    char end[32];
    time_iso8601(end_ms, end, sizeof end);
    buf_puts(out, end);
    buf_putc(out, '\n');
    buf_puts(out, bucket);
    buf_putc(out, '/');
    buf_puts(out, key);
    buf_putc(out, '\n');
    buf_puts(out, json_sha256);
    buf_putc(out, '\n');
    buf_puts(out, prev_signature ? prev_signature : "null");
}
