#include "ingest/ndjson.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/timeutil.h"
#include "ingest/jscan.h"

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

enum { M_VERSION, M_TIME, M_SOURCE, M_NAME, M_REGION, M_ID, M_RECIPIENT, M_USER, M_COUNT };

/* A required string member, decoded into out: -1 with the fault when absent, not a
 * string, empty or longer than max bytes. */
static int need_string(const jscan_member *m, size_t max, char *out, size_t outsz, ingest_fault *f)
{
    if (m->type == JSCAN_ABSENT || m->type == JSCAN_NULL)
        return fail(f, "FieldNotFound", "%s is required.", m->name);
    if (m->type != JSCAN_STRING) return fail(f, "InvalidData", "%s must be a string.", m->name);
    long n = jscan_string(m, out, outsz);
    if (n == 0) return fail(f, "FieldNotFound", "%s is empty.", m->name);
    if (n < 0 || (size_t)n > max)
        return fail(f, "FieldTooLong", "%s is longer than %zu bytes.", m->name, max);
    return 0;
}

static bool all_digits(const char *s)
{
    for (; *s; s++)
        if (!isdigit((unsigned char)*s)) return false;
    return true;
}

static int check(const jscan_member *m, ndjson_record_info *info, ingest_fault *f)
{
    char s[1100];
    if (need_string(&m[M_VERSION], 16, s, sizeof s, f)) return -1;
    const char *dot = strchr(s, '.');
    char major[17];
    snprintf(major, sizeof major, "%.*s", dot ? (int)(dot - s) : 0, s);
    if (!dot || !major[0] || !dot[1] || !all_digits(major) || !all_digits(dot + 1))
        return fail(f, "InvalidData", "eventVersion %.16s is not <major>.<minor>.", s);
    if (need_string(&m[M_TIME], 32, s, sizeof s, f)) return -1;
    int64_t ms;
    size_t tl = strlen(s);
    if (time_parse_iso8601(s, &ms) || tl < 20 || s[tl - 1] != 'Z')
        return fail(f, "InvalidData", "eventTime %.32s is not yyyy-mm-ddThh:mm:ssZ.", s);
    if (need_string(&m[M_SOURCE], 1024, s, sizeof s, f)) return -1;
    if (need_string(&m[M_NAME], 1024, s, sizeof s, f)) return -1;
    if (need_string(&m[M_REGION], 32, s, sizeof s, f)) return -1;
    for (const char *p = s; *p; p++)
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-')
            return fail(f, "InvalidData", "awsRegion %.32s is not a region name.", s);
    if (need_string(&m[M_ID], 128, info->event_id, sizeof info->event_id, f)) return -1;
    if (need_string(&m[M_RECIPIENT], 12, s, sizeof s, f)) return -1;
    if (strlen(s) != 12 || !all_digits(s))
        return fail(f, "InvalidData", "recipientAccountId must be a 12-digit account ID.");
    memcpy(info->recipient, s, 13); /* 12 digits and the NUL, checked above */
    const jscan_member *u = &m[M_USER];
    if (u->type == JSCAN_ABSENT || u->type == JSCAN_NULL)
        return fail(f, "FieldNotFound", "userIdentity is required.");
    if (u->type != JSCAN_OBJECT) return fail(f, "InvalidData", "userIdentity must be an object.");
    /* AWS service events (eventType AwsServiceEvent) have a userIdentity of accountId
     * and invokedBy only, without a type: real records are the contract. */
    jscan_member type = {"type", JSCAN_ABSENT, NULL, 0};
    jscan_fields(u->start, u->len, &type, 1); /* already checked */
    if (type.type == JSCAN_ABSENT) return 0;
    long n = type.type == JSCAN_STRING ? jscan_string(&type, s, sizeof s) : -1;
    if (n <= 0 || n > 128)
        return fail(f, "InvalidData", "userIdentity.type must be a string of 1 to 128 bytes.");
    return 0;
}

int ndjson_check_record(const char *line, size_t len, ndjson_record_info *info, ingest_fault *f)
{
    memset(f, 0, sizeof *f);
    memset(info, 0, sizeof *info);
    if (len > NDJSON_MAX_RECORD)
        return fail(f, "FieldTooLong", "The record is %zu bytes; at most %d are allowed.", len,
                    NDJSON_MAX_RECORD);
    jscan_member m[M_COUNT] = {
        [M_VERSION] = {.name = "eventVersion"},
        [M_TIME] = {.name = "eventTime"},
        [M_SOURCE] = {.name = "eventSource"},
        [M_NAME] = {.name = "eventName"},
        [M_REGION] = {.name = "awsRegion"},
        [M_ID] = {.name = "eventID"},
        [M_RECIPIENT] = {.name = "recipientAccountId"},
        [M_USER] = {.name = "userIdentity"},
    };
    char why[160];
    int rc = jscan_object(line, len, m, M_COUNT, why, sizeof why);
    if (rc == -1) return fail(f, "InvalidJson", "Not valid JSON: %s.", why);
    if (rc == -2) return fail(f, "InvalidJson", "A record must be a JSON object.");
    return check(m, info, f);
}
