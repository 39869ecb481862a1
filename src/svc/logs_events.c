/* logs_events: PutLogEvents, GetLogEvents and the retention policy of a log group.
 *
 * PutLogEvents checks a batch as AWS does (size, order, span) and stores what falls in
 * its window (state/logstore.h logstore_classify), reporting the rest in
 * rejectedLogEventsInfo; the batch is stored in the operation's transaction, so an
 * acknowledged batch is on disk whole (WAL, synchronous=FULL). The sequence token is
 * accepted and ignored, as AWS has done since 2023; nextSequenceToken is still returned.
 *
 * Events may be up to 1 MB each, AWS's limit since 2025 (it was 256 KB): the batch limit
 * below (1,048,576 bytes with 26 per event) is then the only bound, so one event holds at
 * most 1,048,550 bytes, and an oversized event is refused as an oversized batch.
 *
 * GetLogEvents' tokens are "f/" or "b/" and 39 digits: a position in the stream's
 * (timestamp, ingestion) order, after which (f) or before which (b) the next page starts.
 * Positions stay valid while events are added or expire, and a page that finds nothing
 * new returns the token it was given, which is how clients know to stop. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonutil.h"
#include "core/xalloc.h"
#include "detect/metric_filters.h"
#include "svc/logs_internal.h"

#define BATCH_MAX_BYTES 1048576
#define EVENT_OVERHEAD 26
#define BATCH_MAX_SPAN_MS (24LL * 3600 * 1000)
#define GET_MAX_EVENTS 10000
#define GET_MAX_BYTES 1048576
#define TOKEN_DIGITS 39

int logs_put_log_events(call_ctx *c)
{
    const char *group = in_str(c, "logGroupName"), *stream = in_str(c, "logStreamName");
    const json_t *list = json_object_get(c->in, "logEvents");
    size_t n = json_array_size(list), bytes = 0;
    logstore_input *ev = xcalloc(n ? n : 1, sizeof *ev);
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(list, i);
        const json_t *msg = json_object_get(e, "message");
        ev[i] = (logstore_input){json_integer_value(json_object_get(e, "timestamp")),
                                 json_string_value(msg), json_string_length(msg)};
        bytes += ev[i].len + EVENT_OVERHEAD;
    }
    /* The record names the stream, not the messages: a batch may be 1 MB, and the events
     * are the log group's data, not the call's. */
    c->request_parameters = json_pack("{s:s, s:s}", "logGroupName", group, "logStreamName", stream);
    int rc = -1;
    if (bytes > BATCH_MAX_BYTES) {
        aws_fail(&c->err, 400, "InvalidParameterException",
                 "Upload too large: %zu bytes exceeds limit of %d", bytes, BATCH_MAX_BYTES);
        goto out;
    }
    for (size_t i = 1; i < n; i++)
        if (ev[i].timestamp < ev[i - 1].timestamp) {
            aws_fail(&c->err, 400, "InvalidParameterException",
                     "Log events in a single PutLogEvents request must be in chronological "
                     "order.");
            goto out;
        }
    logstore_key k = logs_key(c, group, stream);
    int retention = logstore_retention(c->db, &k);
    if (retention < 0) {
        logs_fail_store(c, retention);
        goto out;
    }
    if (!logs_stream_exists(c, group, stream)) {
        logs_fail_no_stream(c);
        goto out;
    }
    logstore_window w;
    logstore_classify(ev, n, c->now_ms, retention, &w);
    /* The span counts the events the window keeps (AWS: "for valid events"). */
    if (w.end > w.first && ev[w.end - 1].timestamp - ev[w.first].timestamp > BATCH_MAX_SPAN_MS) {
        aws_fail(&c->err, 400, "InvalidParameterException",
                 "The batch of log events in a single PutLogEvents request cannot span more "
                 "than 24 hours.");
        goto out;
    }
    int64_t seq = 0;
    int st = logstore_append(c->db, &k, ev + w.first, w.end - w.first, c->now_ms, &seq);
    if (st) {
        logs_fail_store(c, st);
        goto out;
    }
    /* The group's metric filters see the events in the same transaction (OP_TX). */
    if (mf_publish(c->db, c->caller->account_id, c->region, group, ev + w.first, w.end - w.first,
                   c->now_ms)) {
        logs_fail_db(c);
        goto out;
    }
    char token[64];
    snprintf(token, sizeof token, "%056" PRId64, seq);
    c->out = json_pack("{s:s}", "nextSequenceToken", token);
    if (w.too_old_end >= 0 || w.expired_end >= 0 || w.too_new_start >= 0) {
        json_t *r = json_object();
        if (w.too_new_start >= 0)
            json_object_set_new(r, "tooNewLogEventStartIndex", json_integer(w.too_new_start));
        if (w.too_old_end >= 0)
            json_object_set_new(r, "tooOldLogEventEndIndex", json_integer(w.too_old_end));
        if (w.expired_end >= 0)
            json_object_set_new(r, "expiredLogEventEndIndex", json_integer(w.expired_end));
        json_object_set_new(c->out, "rejectedLogEventsInfo", r);
    }
    rc = 0;
out:
    free(ev);
    return rc;
}

/* Tokens: the timestamp shifted to unsigned (20 digits) then the seq (19). */
void logs_token_make(char dir, logstore_pos p, char *out, size_t n)
{
    snprintf(out, n, "%c/%020" PRIu64 "%019" PRId64, dir, (uint64_t)p.ts ^ ((uint64_t)1 << 63),
             p.seq);
}

int logs_token_parse(const char *t, char *dir, logstore_pos *p)
{
    if ((t[0] != 'f' && t[0] != 'b' && t[0] != 'n') || t[1] != '/' || strlen(t) != 2 + TOKEN_DIGITS)
        return -1;
    for (const char *d = t + 2; *d; d++)
        if (*d < '0' || *d > '9') return -1;
    char ts[21], seq[20];
    memcpy(ts, t + 2, 20);
    ts[20] = '\0';
    memcpy(seq, t + 22, 19);
    seq[19] = '\0';
    errno = 0;
    uint64_t u = strtoull(ts, NULL, 10);
    if (errno) return -1;
    *dir = t[0];
    p->ts = (int64_t)(u ^ ((uint64_t)1 << 63));
    p->seq = strtoll(seq, NULL, 10);
    return 0;
}

/* The events array of a page read backward, put back in ascending order. */
static json_t *reversed(json_t *a)
{
    json_t *r = json_array();
    for (size_t i = json_array_size(a); i-- > 0;)
        json_array_append(r, json_array_get(a, i));
    json_decref(a);
    return r;
}

const char *logs_group_param(call_ctx *c, char *name_buf, size_t n)
{
    const char *name = in_str(c, "logGroupName"), *ident = in_str(c, "logGroupIdentifier");
    /* Both or neither: orgtrail's wording (AWS documents the rule, not its message). */
    if (name && ident) {
        aws_fail(&c->err, 400, "InvalidParameterException",
                 "LogGroupName and LogGroupIdentifier cannot both be specified.");
        return NULL;
    }
    if (!name && !ident) {
        aws_fail(&c->err, 400, "InvalidParameterException",
                 "Either logGroupName or logGroupIdentifier must be specified.");
        return NULL;
    }
    const char *group = name ? name : logs_group_of(c, ident, name_buf, n);
    if (!group) logs_fail_no_group(c);
    return group;
}

int logs_get_log_events(call_ctx *c)
{
    char name_buf[600];
    const char *group = logs_group_param(c, name_buf, sizeof name_buf);
    if (!group) return -1;
    const char *token = in_str(c, "nextToken");
    char dir = 0;
    logstore_query q = {
        .key = logs_key(c, group, in_str(c, "logStreamName")),
        .start_ms = in_int(c, "startTime", INT64_MIN),
        .end_ms = in_int(c, "endTime", INT64_MAX),
        .now_ms = c->now_ms,
    };
    if (token) {
        if (logs_token_parse(token, &dir, &q.from))
            return aws_fail(&c->err, 400, "InvalidParameterException",
                            "The specified nextToken is invalid.");
        q.has_from = true;
        q.backward = dir == 'b';
    } else {
        q.backward = !in_bool(c, "startFromHead", false);
    }
    int64_t limit = in_int(c, "limit", GET_MAX_EVENTS);
    logstore_iter it;
    int rc = logstore_open(c->db, &q, &it);
    if (rc) return logs_fail_store(c, rc);
    json_t *events = json_array();
    size_t bytes = 0;
    logstore_pos first = q.has_from ? q.from : LOGSTORE_POS_MIN, last = first;
    while ((int64_t)json_array_size(events) < limit && logstore_next(&it)) {
        const logstore_event *e = &it.cur;
        /* The 1 MB cap counts as PutLogEvents does; a page holds at least one event. */
        if (json_array_size(events) && bytes + e->len + EVENT_OVERHEAD > GET_MAX_BYTES) break;
        bytes += e->len + EVENT_OVERHEAD;
        json_array_append_new(events,
                              json_pack("{s:I, s:o, s:I}", "timestamp", (json_int_t)e->timestamp,
                                        "message", json_string_safe(e->message, e->len),
                                        "ingestionTime", (json_int_t)e->ingest_ms));
        if (json_array_size(events) == 1) first = last = logstore_pos_of(e);
        if (q.backward)
            first = logstore_pos_of(e);
        else
            last = logstore_pos_of(e);
    }
    logstore_close(&it);
    if (q.backward) events = reversed(events);
    char fwd[64], back[64];
    logs_token_make('f', last, fwd, sizeof fwd);
    logs_token_make('b', first, back, sizeof back);
    c->out = json_pack("{s:o, s:s, s:s}", "events", events, "nextForwardToken", fwd,
                       "nextBackwardToken", back);
    return 0;
}

/* The retention periods AWS allows, in days. */
static const int RETENTION_DAYS[] = {1,   3,   5,   7,   14,   30,   60,   90,   120,  150,  180,
                                     365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653};

int logs_put_retention_policy(call_ctx *c)
{
    int64_t days = in_int(c, "retentionInDays", 0);
    bool allowed = false;
    char set[256];
    size_t used = 0;
    for (size_t i = 0; i < sizeof RETENTION_DAYS / sizeof *RETENTION_DAYS; i++) {
        allowed |= days == RETENTION_DAYS[i];
        used += (size_t)snprintf(set + used, sizeof set - used, "%s%d", i ? ", " : "",
                                 RETENTION_DAYS[i]);
    }
    if (!allowed)
        return aws_fail(&c->err, 400, "InvalidParameterException",
                        "1 validation error detected: Value '%" PRId64 "' at 'retentionInDays' "
                        "failed to satisfy constraint: Member must satisfy enum value set: [%s]",
                        days, set);
    logstore_key k = logs_key(c, in_str(c, "logGroupName"), NULL);
    int rc = logstore_set_retention(c->db, &k, (int)days, c->now_ms);
    if (rc) return logs_fail_store(c, rc);
    c->out = json_object();
    return 0;
}

int logs_delete_retention_policy(call_ctx *c)
{
    logstore_key k = logs_key(c, in_str(c, "logGroupName"), NULL);
    int rc = logstore_set_retention(c->db, &k, 0, c->now_ms);
    if (rc) return logs_fail_store(c, rc);
    c->out = json_object();
    return 0;
}
