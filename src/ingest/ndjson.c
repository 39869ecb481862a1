#include "ingest/ndjson.h"

#include <ctype.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/timeutil.h"

void ndjson_init(ndjson_cursor *c, const char *data, size_t len)
{
    c->p = data;
    c->end = data + len;
    c->line_no = 0;
}

int ndjson_next(ndjson_cursor *c, const char **line, size_t *len)
{
    while (c->p < c->end) {
        const char *start = c->p;
        const char *nl = memchr(start, '\n', (size_t)(c->end - start));
        const char *stop = nl ? nl : c->end;
        c->p = nl ? nl + 1 : c->end;
        c->line_no++;
        if (stop > start && stop[-1] == '\r') stop--;
        const char *q = start;
        while (q < stop && (*q == ' ' || *q == '\t'))
            q++;
        if (q == stop) continue;
        *line = start;
        *len = (size_t)(stop - start);
        return 1;
    }
    return 0;
}

static int fail(ingest_fault *f, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(ingest_fault *f, const char *code, const char *fmt, ...)
{
    snprintf(f->code, sizeof f->code, "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof f->message, fmt, ap);
    va_end(ap);
    return -1;
}

/* A required string member: -1 with the fault when absent, not a string, empty or long. */
static int need_string(const json_t *o, const char *name, size_t max, const char **out,
                       ingest_fault *f)
{
    const json_t *v = json_object_get(o, name);
    if (!v || json_is_null(v)) return fail(f, "FieldNotFound", "%s is required.", name);
    if (!json_is_string(v)) return fail(f, "InvalidData", "%s must be a string.", name);
    size_t n = json_string_length(v);
    if (n == 0) return fail(f, "FieldNotFound", "%s is empty.", name);
    if (n > max) return fail(f, "FieldTooLong", "%s is longer than %zu bytes.", name, max);
    *out = json_string_value(v);
    return 0;
}

static bool all_digits(const char *s)
{
    for (; *s; s++)
        if (!isdigit((unsigned char)*s)) return false;
    return true;
}

static int check(const json_t *r, ndjson_record_info *info, ingest_fault *f)
{
    const char *s;
    if (need_string(r, "eventVersion", 16, &s, f)) return -1;
    const char *dot = strchr(s, '.');
    char major[17];
    snprintf(major, sizeof major, "%.*s", dot ? (int)(dot - s) : 0, s);
    if (!dot || !major[0] || !dot[1] || !all_digits(major) || !all_digits(dot + 1))
        return fail(f, "InvalidData", "eventVersion %.16s is not <major>.<minor>.", s);
    if (need_string(r, "eventTime", 32, &s, f)) return -1;
    int64_t ms;
    size_t tl = strlen(s);
    if (time_parse_iso8601(s, &ms) || tl < 20 || s[tl - 1] != 'Z')
        return fail(f, "InvalidData", "eventTime %.32s is not yyyy-mm-ddThh:mm:ssZ.", s);
    if (need_string(r, "eventSource", 1024, &s, f)) return -1;
    if (need_string(r, "eventName", 1024, &s, f)) return -1;
    if (need_string(r, "awsRegion", 32, &s, f)) return -1;
    for (const char *p = s; *p; p++)
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-')
            return fail(f, "InvalidData", "awsRegion %.32s is not a region name.", s);
    if (need_string(r, "eventID", 128, &s, f)) return -1;
    snprintf(info->event_id, sizeof info->event_id, "%s", s);
    if (need_string(r, "recipientAccountId", 12, &s, f)) return -1;
    if (strlen(s) != 12 || !all_digits(s))
        return fail(f, "InvalidData", "recipientAccountId must be a 12-digit account ID.");
    snprintf(info->recipient, sizeof info->recipient, "%s", s);
    const json_t *u = json_object_get(r, "userIdentity");
    if (!u || json_is_null(u)) return fail(f, "FieldNotFound", "userIdentity is required.");
    if (!json_is_object(u)) return fail(f, "InvalidData", "userIdentity must be an object.");
    const json_t *type = json_object_get(u, "type");
    if (!json_is_string(type) || json_string_length(type) == 0 || json_string_length(type) > 128)
        return fail(f, type ? "InvalidData" : "FieldNotFound",
                    "userIdentity.type must be a string of 1 to 128 bytes.");
    return 0;
}

int ndjson_check_record(const char *line, size_t len, ndjson_record_info *info, ingest_fault *f)
{
    memset(f, 0, sizeof *f);
    memset(info, 0, sizeof *info);
    if (len > NDJSON_MAX_RECORD)
        return fail(f, "FieldTooLong", "The record is %zu bytes; at most %d are allowed.", len,
                    NDJSON_MAX_RECORD);
    json_error_t je;
    json_t *r = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
    if (!r)
        return fail(f, "InvalidJson", "Not valid JSON: %.200s (column %d).", je.text, je.column);
    int rc = json_is_object(r) ? check(r, info, f)
                               : fail(f, "InvalidJson", "A record must be a JSON object.");
    json_decref(r);
    return rc;
}
