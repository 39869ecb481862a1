/* logs: CloudWatch Logs (AWS JSON 1.1): log groups and log streams per account and
 * region — CreateLogGroup, DeleteLogGroup, DescribeLogGroups, CreateLogStream,
 * DeleteLogStream, DescribeLogStreams — and the operation table of the service, whose
 * other operations live in logs_events.c and logs_tags.c (logs_internal.h). Metric
 * filters, FilterLogEvents and trails streaming into groups come next (the detection
 * issue).
 *
 * Paging: nextToken is the name the next page starts after, as an opaque string to
 * clients. Every write runs in one transaction (OP_TX). Constraint violations of the
 * model are InvalidParameterException, as CloudWatch Logs reports them. */
#include <stdio.h>
#include <string.h>

#include "svc/logs_internal.h"

#define LOGS_PAGE_MAX 50

int logs_fail_db(call_ctx *c)
{
    return aws_fail(&c->err, 500, "ServiceUnavailableException",
                    "orgtrail could not update its store: %s", db_errmsg(c->db));
}

void logs_group_arn(const call_ctx *c, const char *group, char *out, size_t n)
{
    snprintf(out, n, "arn:aws:logs:%s:%s:log-group:%s", c->region, c->caller->account_id, group);
}

logstore_key logs_key(const call_ctx *c, const char *group, const char *stream)
{
    return (logstore_key){c->caller->account_id, c->region, group, stream};
}

bool logs_group_exists(call_ctx *c, const char *group)
{
    int64_t n = 0;
    db_get_int(c->db, &n,
               "SELECT COUNT(*) FROM log_groups WHERE account_id = ? AND region = ? AND name = ?",
               "sss", c->caller->account_id, c->region, group);
    return n > 0;
}

int logs_fail_no_group(call_ctx *c)
{
    return aws_fail(&c->err, 400, "ResourceNotFoundException",
                    "The specified log group does not exist.");
}

int logs_fail_no_stream(call_ctx *c)
{
    return aws_fail(&c->err, 400, "ResourceNotFoundException",
                    "The specified log stream does not exist.");
}

int logs_fail_store(call_ctx *c, int rc)
{
    if (rc == LOGSTORE_NO_GROUP) return logs_fail_no_group(c);
    if (rc == LOGSTORE_NO_STREAM) return logs_fail_no_stream(c);
    return logs_fail_db(c);
}

const char *logs_group_of(const call_ctx *c, const char *id, char *out, size_t n)
{
    if (strncmp(id, "arn:", 4)) return id;
    char prefix[128];
    int len = snprintf(prefix, sizeof prefix, "arn:aws:logs:%s:%s:log-group:", c->region,
                       c->caller->account_id);
    if (strncmp(id, prefix, (size_t)len)) return NULL;
    snprintf(out, n, "%s", id + len);
    size_t name_len = strlen(out);
    if (name_len >= 2 && !strcmp(out + name_len - 2, ":*")) out[name_len - 2] = '\0';
    return *out && !strchr(out, ':') ? out : NULL;
}

static int create_log_group(call_ctx *c)
{
    const char *group = in_str(c, "logGroupName");
    const json_t *tags = json_object_get(c->in, "tags");
    if (in_str(c, "kmsKeyId"))
        return aws_fail(&c->err, 400, "InvalidParameterException",
                        "orgtrail has no KMS: create the log group without kmsKeyId.");
    if (logs_group_exists(c, group))
        return aws_fail(&c->err, 400, "ResourceAlreadyExistsException",
                        "The specified log group already exists");
    /* AWS: tagging at creation needs logs:TagResource or logs:TagLogGroup as well. */
    char arn[700];
    logs_group_arn(c, group, arn, sizeof arn);
    if (tags && call_authorize(c, "logs:TagResource", arn, NULL, NULL, NULL)) {
        aws_error denied = c->err;
        if (call_authorize(c, "logs:TagLogGroup", arn, NULL, NULL, NULL)) {
            c->err = denied;
            return -1;
        }
        memset(&c->err, 0, sizeof c->err);
    }
    if (db_exec(c->db,
                "INSERT INTO log_groups(account_id, region, name, created_ms) VALUES(?, ?, ?, ?)",
                "sssi", c->caller->account_id, c->region, group, c->now_ms))
        return logs_fail_db(c);
    if (tags && logs_tags_add(c, group, tags)) return -1;
    c->out = json_object();
    return 0;
}

static int delete_log_group(call_ctx *c)
{
    const char *group = in_str(c, "logGroupName"), *acct = c->caller->account_id;
    if (!logs_group_exists(c, group)) return logs_fail_no_group(c);
    logstore_key k = logs_key(c, group, NULL);
    if (logs_drop_metric_filters(c, group) || logstore_drop(c->db, &k) ||
        logs_tags_drop(c, group) ||
        db_exec(c->db,
                "DELETE FROM log_streams WHERE account_id = ? AND region = ? AND group_name = ?",
                "sss", acct, c->region, group) ||
        db_exec(c->db, "DELETE FROM log_groups WHERE account_id = ? AND region = ? AND name = ?",
                "sss", acct, c->region, group))
        return logs_fail_db(c);
    c->out = json_object();
    return 0;
}

/* The page size a request asks for: limit, 1..50 (the model checks the range). */
static int64_t page_limit(call_ctx *c)
{
    int64_t limit = in_int(c, "limit", LOGS_PAGE_MAX);
    return limit > 0 && limit <= LOGS_PAGE_MAX ? limit : LOGS_PAGE_MAX;
}

/* One row of a Describe page as its JSON item (column 0 is the name). */
typedef json_t *(*row_fn)(const call_ctx *c, sqlite3_stmt *st, const void *arg);

/* Answers a Describe call from st (at most limit + 1 rows, by name): c->out is
 * {member: items} with nextToken, the last name, when there are more. Finishes st. */
static void page_rows(call_ctx *c, sqlite3_stmt *st, int64_t limit, const char *member, row_fn fn,
                      const void *arg)
{
    json_t *items = json_array();
    char last[600] = "";
    bool more = false;
    while (db_row(st)) {
        if ((int64_t)json_array_size(items) == limit) {
            more = true;
            break;
        }
        json_array_append_new(items, fn(c, st, arg));
        snprintf(last, sizeof last, "%s", db_text(st, 0));
    }
    db_done(st);
    c->out = json_pack("{s:o}", member, items);
    if (more) json_object_set_new(c->out, "nextToken", json_string(last));
}

static json_t *group_row(const call_ctx *c, sqlite3_stmt *st, const void *arg)
{
    (void)arg;
    const char *name = db_text(st, 0);
    char arn[700], arn_any[720];
    logs_group_arn(c, name, arn, sizeof arn);
    snprintf(arn_any, sizeof arn_any, "%s:*", arn);
    json_t *g =
        json_pack("{s:s, s:I, s:i, s:s, s:I, s:s, s:s}", "logGroupName", name, "creationTime",
                  (json_int_t)db_int(st, 1), "metricFilterCount", 0, "arn", arn_any, "storedBytes",
                  (json_int_t)db_int(st, 3), "logGroupClass", "STANDARD", "logGroupArn", arn);
    if (!db_is_null(st, 2)) json_object_set_new(g, "retentionInDays", json_integer(db_int(st, 2)));
    return g;
}

/* A stream as DescribeLogStreams shows it: the event figures once it has had events;
 * storedBytes is 0, as AWS has reported for streams since 2019 (the group's is real). */
static json_t *stream_row(const call_ctx *c, sqlite3_stmt *st, const void *group_arn_text)
{
    (void)c;
    const char *name = db_text(st, 0);
    char arn[1400];
    snprintf(arn, sizeof arn, "%s:log-stream:%s", (const char *)group_arn_text, name);
    json_t *s = json_pack("{s:s, s:I, s:s, s:i}", "logStreamName", name, "creationTime",
                          (json_int_t)db_int(st, 1), "arn", arn, "storedBytes", 0);
    if (!db_is_null(st, 2)) {
        char token[64];
        snprintf(token, sizeof token, "%056lld", (long long)db_int(st, 5));
        json_object_set_new(s, "firstEventTimestamp", json_integer(db_int(st, 2)));
        json_object_set_new(s, "lastEventTimestamp", json_integer(db_int(st, 3)));
        json_object_set_new(s, "lastIngestionTime", json_integer(db_int(st, 4)));
        json_object_set_new(s, "uploadSequenceToken", json_string(token));
    }
    return s;
}

static int describe_log_groups(call_ctx *c)
{
    const char *prefix = in_str(c, "logGroupNamePrefix"), *after = in_str(c, "nextToken");
    int64_t limit = page_limit(c);
    sqlite3_stmt *st =
        db_query(c->db,
                 "SELECT name, created_ms, retention_days, stored_bytes FROM log_groups "
                 "WHERE "
                 "account_id = ? AND region = ? AND "
                 "(? IS NULL OR substr(name, 1, length(?)) = ?) AND "
                 "(? IS NULL OR name > ?) ORDER BY name LIMIT ?",
                 "sssssssi", c->caller->account_id, c->region, prefix, prefix, prefix, after, after,
                 limit + 1);
    page_rows(c, st, limit, "logGroups", group_row, NULL);
    return 0;
}

bool logs_stream_exists(call_ctx *c, const char *group, const char *stream)
{
    int64_t n = 0;
    db_get_int(c->db, &n,
               "SELECT COUNT(*) FROM log_streams WHERE account_id = ? AND region = ? AND "
               "group_name = ? AND name = ?",
               "ssss", c->caller->account_id, c->region, group, stream);
    return n > 0;
}

static int create_log_stream(call_ctx *c)
{
    const char *group = in_str(c, "logGroupName"), *stream = in_str(c, "logStreamName");
    if (!logs_group_exists(c, group)) return logs_fail_no_group(c);
    if (logs_stream_exists(c, group, stream))
        return aws_fail(&c->err, 400, "ResourceAlreadyExistsException",
                        "The specified log stream already exists");
    if (db_exec(c->db,
                "INSERT INTO log_streams(group_id, account_id, region, group_name, name, "
                "created_ms) SELECT id, account_id, region, name, ?, ? FROM log_groups WHERE "
                "account_id = ? AND region = ? AND name = ?",
                "sisss", stream, c->now_ms, c->caller->account_id, c->region, group))
        return logs_fail_db(c);
    c->out = json_object();
    return 0;
}

static int delete_log_stream(call_ctx *c)
{
    const char *group = in_str(c, "logGroupName"), *stream = in_str(c, "logStreamName");
    if (!logs_group_exists(c, group)) return logs_fail_no_group(c);
    if (!logs_stream_exists(c, group, stream)) return logs_fail_no_stream(c);
    logstore_key k = logs_key(c, group, stream);
    if (logstore_drop(c->db, &k) ||
        db_exec(c->db,
                "DELETE FROM log_streams WHERE account_id = ? AND region = ? AND group_name = ? "
                "AND name = ?",
                "ssss", c->caller->account_id, c->region, group, stream))
        return logs_fail_db(c);
    c->out = json_object();
    return 0;
}

static int describe_log_streams(call_ctx *c)
{
    const char *group = in_str(c, "logGroupName");
    const char *prefix = in_str(c, "logStreamNamePrefix"), *after = in_str(c, "nextToken");
    if (!logs_group_exists(c, group)) return logs_fail_no_group(c);
    int64_t limit = page_limit(c);
    sqlite3_stmt *st = db_query(c->db,
                                "SELECT name, created_ms, first_event_ms, last_event_ms, "
                                "last_ingest_ms, last_seq FROM log_streams WHERE account_id = ? "
                                "AND region = ? AND group_name = ? AND "
                                "(? IS NULL OR substr(name, 1, length(?)) = ?) AND "
                                "(? IS NULL OR name > ?) ORDER BY name LIMIT ?",
                                "ssssssssi", c->caller->account_id, c->region, group, prefix,
                                prefix, prefix, after, after, limit + 1);
    char garn[700];
    logs_group_arn(c, group, garn, sizeof garn);
    page_rows(c, st, limit, "logStreams", stream_row, garn);
    return 0;
}

/* The log group (or its stream) an operation names; the tagging operations' resourceArn
 * as it is. */
static void logs_resource(const call_ctx *c, char *out, size_t n)
{
    const char *group = in_str(c, "logGroupName"), *stream = in_str(c, "logStreamName");
    const char *ident = in_str(c, "logGroupIdentifier"), *resource = in_str(c, "resourceArn");
    char name_buf[600];
    if (resource) {
        snprintf(out, n, "%s", resource);
        return;
    }
    if (!group && ident) group = logs_group_of(c, ident, name_buf, sizeof name_buf);
    if (!group) return;
    char arn[700];
    logs_group_arn(c, group, arn, sizeof arn);
    if (stream)
        snprintf(out, n, "%s:log-stream:%s", arn, stream);
    else
        snprintf(out, n, "%s", arn);
}

/* CloudWatch Logs answers every constraint violation so, with the validation text. */
static const validation_override INVALID[] = {
    {"*", "InvalidParameterException", NULL},
    {NULL, NULL, NULL},
};

static const op_def OPS[] = {
    {"CreateLogGroup", create_log_group, INVALID, OP_TX},
    {"CreateLogStream", create_log_stream, INVALID, OP_TX},
    {"DeleteLogGroup", delete_log_group, INVALID, OP_TX},
    {"DeleteLogStream", delete_log_stream, INVALID, OP_TX},
    {"DeleteMetricFilter", logs_delete_metric_filter, INVALID, OP_TX},
    {"DeleteRetentionPolicy", logs_delete_retention_policy, INVALID, OP_TX},
    {"DescribeLogGroups", describe_log_groups, INVALID, 0},
    {"DescribeLogStreams", describe_log_streams, INVALID, 0},
    {"DescribeMetricFilters", logs_describe_metric_filters, INVALID, 0},
    {"FilterLogEvents", logs_filter_log_events, INVALID, 0},
    {"GetLogEvents", logs_get_log_events, INVALID, 0},
    {"ListTagsForResource", logs_list_tags_for_resource, INVALID, 0},
    {"ListTagsLogGroup", logs_list_tags_log_group, INVALID, 0},
    {"PutLogEvents", logs_put_log_events, INVALID, OP_TX},
    {"PutMetricFilter", logs_put_metric_filter, INVALID, OP_TX},
    {"PutRetentionPolicy", logs_put_retention_policy, INVALID, OP_TX},
    {"TagLogGroup", logs_tag_log_group, INVALID, OP_TX},
    {"TagResource", logs_tag_resource, INVALID, OP_TX},
    {"TestMetricFilter", logs_test_metric_filter, INVALID, 0},
    {"UntagLogGroup", logs_untag_log_group, INVALID, OP_TX},
    {"UntagResource", logs_untag_resource, INVALID, OP_TX},
};

const service_def SVC_LOGS = {.signing_name = "logs",
                              .style = VSTYLE_JSON,
                              .ops = OPS,
                              .n_ops = sizeof OPS / sizeof *OPS,
                              .fail_db = logs_fail_db,
                              .authz_resource = logs_resource};
