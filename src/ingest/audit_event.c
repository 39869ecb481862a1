#include "ingest/audit_event.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/hash.h"
#include "core/timeutil.h"

static json_t *fail(ingest_fault *f, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static json_t *fail(ingest_fault *f, const char *code, const char *fmt, ...)
{
    snprintf(f->code, sizeof f->code, "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof f->message, fmt, ap);
    va_end(ap);
    return NULL;
}

typedef enum kind { K_STRING, K_OBJECT, K_USER } kind;

typedef struct field_rule {
    const char *name;
    kind kind;
    bool required;
    size_t max; /* strings: UTF-8 bytes */
} field_rule;

static const field_rule FIELDS[] = {
    {"version", K_STRING, true, 256},
    {"userIdentity", K_USER, true, 0},
    {"userAgent", K_STRING, false, 1024},
    {"eventSource", K_STRING, true, 1024},
    {"eventName", K_STRING, true, 1024},
    {"eventTime", K_STRING, true, 64},
    {"UID", K_STRING, true, 1024},
    {"requestParameters", K_OBJECT, false, 0},
    {"responseElements", K_OBJECT, false, 0},
    {"errorCode", K_STRING, false, 1024},
    {"errorMessage", K_STRING, false, 4096},
    {"sourceIPAddress", K_STRING, false, 1024},
    {"recipientAccountId", K_STRING, false, 12},
    {"additionalEventData", K_OBJECT, false, 0},
};
#define N_FIELDS (sizeof FIELDS / sizeof *FIELDS)

static const field_rule *rule_for(const char *name)
{
    for (size_t i = 0; i < N_FIELDS; i++)
        if (!strcmp(FIELDS[i].name, name)) return &FIELDS[i];
    return NULL;
}

static bool checksum_matches(const char *event_data, size_t len, const char *checksum)
{
    unsigned char digest[SHA256_LEN];
    hash_sha256(event_data, len, digest);
    size_t cl = strlen(checksum);
    if (cl == 64) {
        char hex[65];
        hex_encode(digest, sizeof digest, hex);
        for (size_t i = 0; i < 64; i++)
            if (tolower((unsigned char)checksum[i]) != hex[i]) return false;
        return true;
    }
    char *b64 = base64_encode_alloc(digest, sizeof digest);
    bool ok = !strcmp(b64, checksum);
    free(b64);
    return ok;
}

static json_t *check_user(json_t *u, ingest_fault *f)
{
    if (!json_is_object(u)) return fail(f, "InvalidData", "userIdentity must be a JSON object.");
    const char *k;
    json_t *v;
    json_object_foreach(u, k, v)
    {
        if (strcmp(k, "type") && strcmp(k, "principalId") && strcmp(k, "details"))
            return fail(f, "InvalidData", "userIdentity.%.64s is not a field of the schema.", k);
    }
    static const struct {
        const char *name;
        size_t max;
    } req[] = {{"type", 128}, {"principalId", 1024}};
    for (size_t i = 0; i < 2; i++) {
        json_t *s = json_object_get(u, req[i].name);
        if (!s || json_is_null(s))
            return fail(f, "FieldNotFound", "userIdentity.%s is required.", req[i].name);
        if (!json_is_string(s))
            return fail(f, "InvalidData", "userIdentity.%s must be a string.", req[i].name);
        if (json_string_length(s) == 0)
            return fail(f, "FieldNotFound", "userIdentity.%s is empty.", req[i].name);
        if (json_string_length(s) > req[i].max)
            return fail(f, "FieldTooLong", "userIdentity.%s is longer than %zu characters.",
                        req[i].name, req[i].max);
    }
    json_t *d = json_object_get(u, "details");
    if (d && !json_is_object(d) && !json_is_null(d))
        return fail(f, "InvalidData", "userIdentity.details must be a JSON object.");
    return u;
}

json_t *audit_event_check(const char *event_data, size_t len, const char *checksum, ingest_fault *f)
{
    memset(f, 0, sizeof *f);
    if (len > AUDIT_EVENT_MAX_DATA)
        return fail(f, "FieldTooLong", "eventData is %zu bytes; at most %d are allowed.", len,
                    AUDIT_EVENT_MAX_DATA);
    if (checksum && !checksum_matches(event_data, len, checksum))
        return fail(f, "InvalidChecksum",
                    "eventDataChecksum is not the SHA-256 of eventData (base64, as "
                    "'openssl dgst -binary -sha256 | base64' prints it).");
    json_error_t je;
    json_t *ed = json_loadb(event_data, len, JSON_REJECT_DUPLICATES, &je);
    if (!ed) return fail(f, "InvalidData", "eventData is not valid JSON: %.200s", je.text);
    if (!json_is_object(ed)) {
        json_decref(ed);
        return fail(f, "InvalidData", "eventData must be a JSON object.");
    }
    const char *k;
    json_t *v;
    json_object_foreach(ed, k, v)
    {
        if (!rule_for(k)) {
            fail(f, "InvalidData", "%.64s is not a field of the eventData schema.", k);
            json_decref(ed);
            return NULL;
        }
    }
    for (size_t i = 0; i < N_FIELDS; i++) {
        const field_rule *r = &FIELDS[i];
        v = json_object_get(ed, r->name);
        bool absent = !v || json_is_null(v);
        if (absent) {
            if (r->required) {
                fail(f, "FieldNotFound", "eventData.%s is required.", r->name);
                json_decref(ed);
                return NULL;
            }
            continue;
        }
        bool ok = true;
        switch (r->kind) {
        case K_STRING:
            if (!json_is_string(v)) {
                ok = fail(f, "InvalidData", "eventData.%s must be a string.", r->name) != NULL;
            } else if (r->required && json_string_length(v) == 0) {
                ok = fail(f, "FieldNotFound", "eventData.%s is empty.", r->name) != NULL;
            } else if (json_string_length(v) > r->max) {
                ok = fail(f, "FieldTooLong", "eventData.%s is longer than %zu characters.", r->name,
                          r->max) != NULL;
            }
            break;
        case K_OBJECT:
            if (!json_is_object(v))
                ok = fail(f, "InvalidData", "eventData.%s must be a JSON object.", r->name) != NULL;
            break;
        case K_USER:
            ok = check_user(v, f) != NULL;
            break;
        }
        if (!ok) {
            json_decref(ed);
            return NULL;
        }
    }
    int64_t ms;
    const char *t = json_string_value(json_object_get(ed, "eventTime"));
    if (time_parse_iso8601(t, &ms)) {
        fail(f, "InvalidData", "eventData.eventTime %.64s is not a yyyy-MM-ddTHH:mm:ssZ time.", t);
        json_decref(ed);
        return NULL;
    }
    const char *rcpt = json_string_value(json_object_get(ed, "recipientAccountId"));
    if (rcpt) {
        bool digits = strlen(rcpt) == 12;
        for (const char *p = rcpt; digits && *p; p++)
            digits = isdigit((unsigned char)*p);
        if (!digits) {
            fail(f, "InvalidData", "eventData.recipientAccountId must be a 12-digit account ID.");
            json_decref(ed);
            return NULL;
        }
    }
    const char *src = json_string_value(json_object_get(ed, "eventSource"));
    size_t sl = strlen(src);
    static const char aws[] = "amazonaws.com";
    if (sl >= sizeof aws - 1 && !strcasecmp(src + sl - (sizeof aws - 1), aws)) {
        fail(f, "InvalidEventSource",
             "eventSource %.200s names an AWS service; events from outside AWS need their own "
             "source name.",
             src);
        json_decref(ed);
        return NULL;
    }
    return ed;
}

const char *audit_event_recipient(const json_t *event_data)
{
    return json_string_value(json_object_get(event_data, "recipientAccountId"));
}

static void copy_member(json_t *r, const json_t *ed, const char *name)
{
    json_t *v = json_object_get(ed, name);
    if (v && !json_is_null(v)) json_object_set(r, name, v);
}

char *audit_event_record_alloc(const json_t *ed, const audit_record_ctx *ctx, size_t *len)
{
    json_t *r = json_object();
    const json_t *u = json_object_get(ed, "userIdentity");
    json_t *ui = json_object();
    copy_member(ui, u, "type");
    copy_member(ui, u, "principalId");
    copy_member(ui, u, "details");
    int64_t ms = 0;
    time_parse_iso8601(json_string_value(json_object_get(ed, "eventTime")), &ms);
    char t[32], ingested[32];
    time_iso8601(ms, t, sizeof t);
    time_iso8601(ctx->ingestion_ms, ingested, sizeof ingested);

    json_object_set_new(r, "eventVersion", json_string("1.11"));
    json_object_set_new(r, "userIdentity", ui);
    json_object_set_new(r, "eventTime", json_string(t));
    copy_member(r, ed, "eventSource");
    copy_member(r, ed, "eventName");
    json_object_set_new(r, "awsRegion", json_string(ctx->region));
    copy_member(r, ed, "sourceIPAddress");
    copy_member(r, ed, "userAgent");
    copy_member(r, ed, "errorCode");
    copy_member(r, ed, "errorMessage");
    json_t *rp = json_object_get(ed, "requestParameters");
    json_t *re = json_object_get(ed, "responseElements");
    json_object_set(r, "requestParameters", rp ? rp : json_null());
    json_object_set(r, "responseElements", re ? re : json_null());
    copy_member(r, ed, "additionalEventData");
    if (ctx->request_id) json_object_set_new(r, "requestID", json_string(ctx->request_id));
    json_object_set_new(r, "eventID", json_string(ctx->event_id));
    json_object_set_new(r, "eventType", json_string("ActivityLog"));
    json_object_set_new(r, "recipientAccountId", json_string(ctx->recipient));
    json_object_set_new(r, "eventCategory", json_string("ActivityAuditLog"));
    json_t *extra = json_object();
    copy_member(extra, ed, "version");
    copy_member(extra, ed, "UID");
    json_object_set_new(r, "eventData", extra);
    json_object_set_new(
        r, "metadata",
        json_pack("{s:s, s:s}", "ingestionTime", ingested, "channelARN", ctx->channel_arn));
    char *text = json_dumps(r, JSON_COMPACT | JSON_REAL_PRECISION(17));
    json_decref(r);
    if (!text) abort();
    *len = strlen(text);
    return text;
}
