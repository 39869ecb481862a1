/* logs_filters: what CloudWatch Logs does with filter patterns (filter/filter_pattern.h):
 * metric filters (PutMetricFilter, DescribeMetricFilters, DeleteMetricFilter),
 * TestMetricFilter, and FilterLogEvents over a group's stored events.
 *
 * A metric filter is stored with its pattern's text and its one metric transformation as
 * the JSON the API returns (migration 16); the pattern is compiled when the filter is put
 * (a malformed one is refused there, with AWS's "Invalid metric filter pattern") and again
 * by whoever evaluates it. Limits are AWS's: 100 metric filters a log group, five of them
 * with a regular expression, three dimensions, and dimensions only with JSON or
 * space-delimited patterns, never with a default value. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonutil.h"
#include "filter/filter_pattern.h"
#include "svc/logs_internal.h"

#define METRIC_FILTERS_PER_GROUP 100
#define REGEX_FILTERS_PER_GROUP 5
#define DIMENSIONS_MAX 3
#define DESCRIBE_PAGE_MAX 50
#define FILTER_EVENTS_MAX 10000
#define FILTER_RESPONSE_BYTES (1024 * 1024)
#define EVENT_OVERHEAD 26

static int fail_param(call_ctx *c, const char *msg)
{
    return aws_fail(&c->err, 400, "InvalidParameterException", "%s", msg);
}

/* Compiles the request's pattern; NULL after failing the call with AWS's message. */
static fp_pattern *compile_or_fail(call_ctx *c, const char *text, const char *message)
{
    fp_pattern *p = NULL;
    char why[300];
    /* AWS says no more than its message; the parser's reason stays out of the answer so
     * that clients matching on the text see AWS's. */
    if (fp_compile(text ? text : "", text ? strlen(text) : 0, &p, why, sizeof why)) {
        fail_param(c, message);
        return NULL;
    }
    return p;
}

static int64_t group_id(call_ctx *c, const char *group)
{
    int64_t id = 0;
    db_get_int(c->db, &id,
               "SELECT id FROM log_groups WHERE account_id = ? AND region = ? AND name = ?", "sss",
               c->caller->account_id, c->region, group);
    return id;
}

/* metricValue: a number, or a selector of the pattern ($.x for JSON, $name for
 * space-delimited); dimensions: a selector each, at most three. */
static int check_transformation(call_ctx *c, const fp_pattern *p, const json_t *t)
{
    const char *value = json_string_value(json_object_get(t, "metricValue"));
    char why[200];
    fp_value_ref *v = NULL;
    char *end = NULL;
    bool numeric = value && *value && value[0] != '$' && (strtod(value, &end), *end == 0);
    if (!numeric) {
        if (!value || value[0] != '$' || fp_value_compile(p, value, &v, why, sizeof why))
            return fail_param(c, "Invalid metric value");
        fp_value_free(v);
    }
    const json_t *dims = json_object_get(t, "dimensions");
    if (json_object_size(dims) == 0) return 0;
    if (json_object_get(t, "defaultValue"))
        return fail_param(c, "Default value cannot be specified with dimensions");
    if (fp_pattern_kind(p) != FP_KIND_JSON && fp_pattern_kind(p) != FP_KIND_DELIMITED)
        return fail_param(c, "The specified filter pattern does not support dimensions");
    if (json_object_size(dims) > DIMENSIONS_MAX)
        return fail_param(c, "A metric filter can have at most 3 dimensions");
    const char *key;
    const json_t *val;
    json_object_foreach((json_t *)dims, key, val)
    {
        const char *sel = json_string_value(val);
        if (!sel || fp_value_compile(p, sel, &v, why, sizeof why))
            return aws_fail(&c->err, 400, "InvalidParameterException",
                            "Invalid dimension value for %s", key);
        fp_value_free(v);
    }
    return 0;
}

int logs_put_metric_filter(call_ctx *c)
{
    const char *group = in_str(c, "logGroupName"), *name = in_str(c, "filterName");
    const char *text = in_str(c, "filterPattern");
    int64_t gid = group_id(c, group);
    if (!gid) return logs_fail_no_group(c);
    fp_pattern *p = compile_or_fail(c, text, "Invalid metric filter pattern");
    if (!p) return -1;
    const json_t *ts = json_object_get(c->in, "metricTransformations");
    int rc = json_array_size(ts) == 1 ? check_transformation(c, p, json_array_get(ts, 0))
                                      : fail_param(c, "Exactly one metric transformation is "
                                                      "required");
    int regexes = fp_pattern_regex_count(p);
    fp_free(p);
    if (rc) return rc;
    int64_t others = 0, other_regex = 0;
    db_get_int(c->db, &others,
               "SELECT COUNT(*) FROM metric_filters WHERE group_id = ? AND name <> ?", "is", gid,
               name);
    db_get_int(c->db, &other_regex,
               "SELECT COUNT(*) FROM metric_filters WHERE group_id = ? AND name <> ? AND "
               "has_regex",
               "is", gid, name);
    if (others >= METRIC_FILTERS_PER_GROUP)
        return aws_fail(&c->err, 400, "LimitExceededException", "Resource limit exceeded.");
    if (regexes && other_regex >= REGEX_FILTERS_PER_GROUP)
        return aws_fail(&c->err, 400, "LimitExceededException",
                        "A log group can have at most %d metric filters with regular "
                        "expressions.",
                        REGEX_FILTERS_PER_GROUP);
    char *tjson = json_dumps(json_array_get(ts, 0), JSON_COMPACT | JSON_PRESERVE_ORDER);
    rc = db_exec(c->db,
                 "INSERT INTO metric_filters(group_id, name, pattern, transformation, has_regex, "
                 "created_ms) VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT(group_id, name) DO UPDATE SET "
                 "pattern = excluded.pattern, transformation = excluded.transformation, "
                 "has_regex = excluded.has_regex",
                 "isssii", gid, name, text ? text : "", tjson, (int64_t)(regexes > 0), c->now_ms);
    free(tjson);
    if (rc) return logs_fail_db(c);
    c->out = json_object();
    return 0;
}

int logs_delete_metric_filter(call_ctx *c)
{
    const char *group = in_str(c, "logGroupName"), *name = in_str(c, "filterName");
    int64_t gid = group_id(c, group);
    if (!gid) return logs_fail_no_group(c);
    int64_t n = 0;
    db_get_int(c->db, &n, "SELECT COUNT(*) FROM metric_filters WHERE group_id = ? AND name = ?",
               "is", gid, name);
    if (!n)
        return aws_fail(&c->err, 400, "ResourceNotFoundException",
                        "The specified metric filter does not exist.");
    if (db_exec(c->db, "DELETE FROM metric_filters WHERE group_id = ? AND name = ?", "is", gid,
                name))
        return logs_fail_db(c);
    c->out = json_object();
    return 0;
}

int logs_drop_metric_filters(call_ctx *c, const char *group)
{
    return db_exec(c->db,
                   "DELETE FROM metric_filters WHERE group_id IN (SELECT id FROM log_groups "
                   "WHERE account_id = ? AND region = ? AND name = ?)",
                   "sss", c->caller->account_id, c->region, group);
}

int logs_describe_metric_filters(call_ctx *c)
{
    const char *group = in_str(c, "logGroupName"), *prefix = in_str(c, "filterNamePrefix");
    const char *metric = in_str(c, "metricName"), *ns = in_str(c, "metricNamespace");
    const char *after = in_str(c, "nextToken");
    if (prefix && !group)
        return fail_param(c, "If filterNamePrefix is specified, logGroupName must also be "
                             "specified.");
    if ((metric != NULL) != (ns != NULL))
        return fail_param(c, "If you include the metricName or metricNamespace, you must "
                             "include both of them.");
    if (group && !group_id(c, group)) return logs_fail_no_group(c);
    int64_t limit = in_int(c, "limit", DESCRIBE_PAGE_MAX);
    if (limit <= 0 || limit > DESCRIBE_PAGE_MAX) limit = DESCRIBE_PAGE_MAX;
    /* Paging: the token is "group\nfilter" of the last row returned. */
    sqlite3_stmt *st = db_query(
        c->db,
        "SELECT g.name, f.name, f.pattern, f.transformation, f.created_ms FROM metric_filters f "
        "JOIN log_groups g ON g.id = f.group_id WHERE g.account_id = ? AND g.region = ? AND "
        "(? IS NULL OR g.name = ?) AND (? IS NULL OR substr(f.name, 1, length(?)) = ?) AND "
        "(? IS NULL OR (json_extract(f.transformation, '$.metricName') = ? AND "
        "json_extract(f.transformation, '$.metricNamespace') = ?)) AND "
        "(? IS NULL OR g.name || char(10) || f.name > ?) ORDER BY g.name, f.name LIMIT ?",
        "ssssssssssssi", c->caller->account_id, c->region, group, group, prefix, prefix, prefix,
        metric, metric, ns, after, after, limit + 1);
    json_t *list = json_array();
    char last[1200] = "";
    int64_t rows = 0;
    bool more = false;
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        if (rows == limit) {
            more = true;
            break;
        }
        rows++;
        const char *g = (const char *)sqlite3_column_text(st, 0);
        const char *f = (const char *)sqlite3_column_text(st, 1);
        json_t *t = json_loads((const char *)sqlite3_column_text(st, 3), 0, NULL);
        json_array_append_new(list,
                              json_pack("{s:s, s:s, s:[o], s:I, s:s, s:b}", "filterName", f,
                                        "filterPattern", (const char *)sqlite3_column_text(st, 2),
                                        "metricTransformations", t ? t : json_object(),
                                        "creationTime", (json_int_t)sqlite3_column_int64(st, 4),
                                        "logGroupName", g, "applyOnTransformedLogs", 0));
        snprintf(last, sizeof last, "%s\n%s", g, f);
    }
    db_done(st);
    c->out = json_pack("{s:o}", "metricFilters", list);
    if (more) json_object_set_new(c->out, "nextToken", json_string(last));
    return 0;
}

typedef struct extracted_ctx {
    json_t *obj;
} extracted_ctx;

static void put_extracted(const char *name, const char *value, size_t n, void *arg)
{
    extracted_ctx *x = arg;
    json_object_set_new(x->obj, name, json_stringn(value, n));
}

int logs_test_metric_filter(call_ctx *c)
{
    fp_pattern *p = compile_or_fail(c, in_str(c, "filterPattern"), "Invalid metric filter pattern");
    if (!p) return -1;
    json_t *matches = json_array();
    size_t i;
    const json_t *m;
    json_array_foreach(json_object_get(c->in, "logEventMessages"), i, m)
    {
        const char *msg = json_string_value(m);
        if (!msg) continue;
        fp_event ev;
        size_t len = json_string_length(m);
        fp_event_init(&ev, msg, len);
        if (fp_match(p, &ev)) {
            extracted_ctx x = {json_object()};
            fp_extracted_fields(p, &ev, put_extracted, &x);
            json_array_append_new(matches,
                                  json_pack("{s:I, s:s%, s:o}", "eventNumber", (json_int_t)(i + 1),
                                            "eventMessage", msg, len, "extractedValues", x.obj));
        }
        fp_event_release(&ev);
    }
    fp_free(p);
    c->out = json_pack("{s:o}", "matches", matches);
    return 0;
}

/* How many stored events one FilterLogEvents call reads at most before it answers with a
 * nextToken (AWS's calls also return early, possibly with no events, and a client pages
 * until the token is gone). */
#define FILTER_SCAN_BUDGET 200000

int logs_filter_log_events(call_ctx *c)
{
    char name_buf[600];
    const char *group = logs_group_param(c, name_buf, sizeof name_buf);
    if (!group) return -1;
    const json_t *names = json_object_get(c->in, "logStreamNames");
    const char *prefix = in_str(c, "logStreamNamePrefix");
    if (names && prefix)
        return fail_param(c, "logStreamNames and logStreamNamePrefix cannot both be specified.");
    const char *stream_names[100];
    size_t n_names = 0, i;
    const json_t *v;
    json_array_foreach(names, i, v)
    {
        if (n_names < sizeof stream_names / sizeof *stream_names && json_string_value(v))
            stream_names[n_names++] = json_string_value(v);
    }
    fp_pattern *p = compile_or_fail(c, in_str(c, "filterPattern"), "Invalid filter pattern");
    if (!p) return -1;
    logstore_query q = {
        .key = logs_key(c, group, NULL),
        .stream_names = names ? stream_names : NULL,
        .n_stream_names = n_names,
        .stream_prefix = prefix,
        .start_ms = in_int(c, "startTime", INT64_MIN),
        .end_ms = in_int(c, "endTime", INT64_MAX),
        .now_ms = c->now_ms,
    };
    const char *token = in_str(c, "nextToken");
    if (token) {
        char dir = 0;
        if (logs_token_parse(token, &dir, &q.from) || dir != 'n') {
            fp_free(p);
            return fail_param(c, "The specified nextToken is invalid.");
        }
        q.has_from = true;
    }
    int64_t limit = in_int(c, "limit", FILTER_EVENTS_MAX);
    if (limit <= 0 || limit > FILTER_EVENTS_MAX) limit = FILTER_EVENTS_MAX;
    logstore_iter it;
    int rc = logstore_open(c->db, &q, &it);
    if (rc) {
        fp_free(p);
        return logs_fail_store(c, rc);
    }
    json_t *events = json_array();
    size_t bytes = 0, scanned = 0;
    bool more = false;
    logstore_pos last = q.from;
    while (logstore_next(&it)) {
        const logstore_event *e = &it.cur;
        if ((int64_t)json_array_size(events) == limit || scanned == FILTER_SCAN_BUDGET ||
            (json_array_size(events) && bytes + e->len + EVENT_OVERHEAD > FILTER_RESPONSE_BYTES)) {
            more = true;
            break;
        }
        scanned++;
        last = logstore_pos_of(e);
        fp_event ev;
        fp_event_init(&ev, e->message, e->len);
        bool hit = fp_match(p, &ev);
        fp_event_release(&ev);
        if (!hit) continue;
        bytes += e->len + EVENT_OVERHEAD;
        char id[64];
        snprintf(id, sizeof id, "%020" PRId64 "%019" PRId64, e->timestamp, e->seq);
        json_array_append_new(events,
                              json_pack("{s:s, s:I, s:o, s:I, s:s}", "logStreamName", e->stream,
                                        "timestamp", (json_int_t)e->timestamp, "message",
                                        json_string_safe(e->message, e->len), "ingestionTime",
                                        (json_int_t)e->ingest_ms, "eventId", id));
    }
    logstore_close(&it);
    fp_free(p);
    c->out = json_pack("{s:o, s:[]}", "events", events, "searchedLogStreams");
    if (more) {
        char next[64];
        logs_token_make('n', last, next, sizeof next);
        json_object_set_new(c->out, "nextToken", json_string(next));
    }
    return 0;
}
