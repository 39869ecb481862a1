/* cloudwatch_alarms: metric alarms (state/alarms.h keeps them, evaluates them and queues
 * their actions) — PutMetricAlarm, DescribeAlarms, DescribeAlarmsForMetric,
 * DescribeAlarmHistory, SetAlarmState, EnableAlarmActions, DisableAlarmActions,
 * DeleteAlarms — and the tags of alarms (TagResource, UntagResource, ListTagsForResource).
 *
 * Alarms on a single metric with one of the four static comparison operators are served;
 * metric math alarms (Metrics) and anomaly detection bands (ThresholdMetricId and the
 * LessThanLower... operators) are refused with ValidationError saying so. Paging tokens
 * are the last name (DescribeAlarms) or history sequence (DescribeAlarmHistory) of a page,
 * behind a letter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/alarms.h"
#include "state/tags.h"
#include "svc/cloudwatch_internal.h"

#define ALARM_PAGE_DEFAULT 50
#define HISTORY_PAGE_DEFAULT 100
#define ALARM_MAX_TAGS 50

static int not_supported(call_ctx *c, const char *what)
{
    return aws_fail(&c->err, 400, "ValidationError", "orgtrail does not evaluate %s yet.", what);
}

static bool treat_ok(const char *t)
{
    return !t || !strcmp(t, "missing") || !strcmp(t, "notBreaching") || !strcmp(t, "breaching") ||
           !strcmp(t, "ignore");
}

static int check_actions(call_ctx *c, const char *member)
{
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(c->in, member), i, a)
    {
        const char *s = json_string_value(a);
        if (!s || strncmp(s, "arn:", 4))
            return cw_invalid(c, "Invalid arn syntax: %.256s", s ? s : "");
    }
    return 0;
}

int cw_put_metric_alarm(call_ctx *c)
{
    const char *stat = in_str(c, "Statistic"), *ext = in_str(c, "ExtendedStatistic");
    const char *op = in_str(c, "ComparisonOperator");
    int64_t period = in_int(c, "Period", 0), n = in_int(c, "EvaluationPeriods", 0);
    int64_t m = in_int(c, "DatapointsToAlarm", n);
    if (json_object_get(c->in, "Metrics")) return not_supported(c, "metric math alarms (Metrics)");
    if (json_object_get(c->in, "ThresholdMetricId") || !alarm_comparison_supported(op))
        return not_supported(c, "anomaly detection alarms (ThresholdMetricId and the "
                                "LessThanLowerOrGreaterThanUpperThreshold, LessThanLowerThreshold "
                                "and GreaterThanUpperThreshold operators)");
    if (!in_str(c, "MetricName") || !in_str(c, "Namespace"))
        return aws_fail(&c->err, 400, "MissingParameter",
                        "The parameters MetricName and Namespace are required for an alarm on a "
                        "metric.");
    if (!!stat == !!ext)
        return cw_combination(c,
                              "Exactly one of Statistic and ExtendedStatistic must be specified.");
    if (ext && !metricstore_is_percentile(ext))
        return cw_invalid(c, "The value %.64s for parameter ExtendedStatistic is not supported.",
                          ext);
    if (!json_object_get(c->in, "Period"))
        return aws_fail(&c->err, 400, "MissingParameter", "The parameter Period is required.");
    if (!json_object_get(c->in, "Threshold"))
        return aws_fail(&c->err, 400, "MissingParameter", "The parameter Threshold is required.");
    /* AWS: 10, 30 or a multiple of 60 seconds, and at most one day of periods. */
    if (!(period == 10 || period == 30 || (period > 0 && period % 60 == 0)))
        return cw_invalid(c, "The parameter Period must be 10, 30 or a multiple of 60.");
    if (period * n > 86400 * 7)
        return cw_invalid(c, "The evaluation period (Period x EvaluationPeriods) must not exceed "
                             "seven days.");
    if (m > n)
        return cw_invalid(c, "DatapointsToAlarm must be less than or equal to EvaluationPeriods.");
    if (!treat_ok(in_str(c, "TreatMissingData")))
        return cw_invalid(c, "The value %.64s for parameter TreatMissingData is invalid.",
                          in_str(c, "TreatMissingData"));
    metricstore_dim dims[METRICSTORE_MAX_DIMS];
    if (cw_dims(c, json_object_get(c->in, "Dimensions"), dims, "Dimensions") < 0) return -1;
    if (check_actions(c, "AlarmActions") || check_actions(c, "OKActions") ||
        check_actions(c, "InsufficientDataActions"))
        return -1;
    const json_t *tags = json_object_get(c->in, "Tags");
    if (json_array_size(tags) > ALARM_MAX_TAGS)
        return aws_fail(&c->err, 400, "LimitExceeded", "An alarm has at most %d tags.",
                        ALARM_MAX_TAGS);
    const char *name = in_str(c, "AlarmName");
    if (alarms_put(c->db, c->caller->account_id, c->region, c->in, c->now_ms)) return cw_fail_db(c);
    char arn[600];
    alarm_arn(c->caller->account_id, c->region, name, arn, sizeof arn);
    if (tags && tags_put_json(c->db, TAGS_CW_ALARM, arn, tags)) return cw_fail_db(c);
    call_add_resource(c, c->caller->account_id, "AWS::CloudWatch::Alarm", arn);
    return 0;
}

/* ---- reading ------------------------------------------------------------------------- */

static json_t *metric_alarm(const call_ctx *c, const alarm_row *r)
{
    static const char *const copied[] = {"AlarmDescription",
                                         "OKActions",
                                         "AlarmActions",
                                         "InsufficientDataActions",
                                         "MetricName",
                                         "Namespace",
                                         "Statistic",
                                         "ExtendedStatistic",
                                         "Dimensions",
                                         "Period",
                                         "Unit",
                                         "EvaluationPeriods",
                                         "DatapointsToAlarm",
                                         "Threshold",
                                         "ComparisonOperator",
                                         "TreatMissingData",
                                         "EvaluateLowSampleCountPercentile"};
    char arn[600];
    alarm_arn(c->caller->account_id, c->region, r->name, arn, sizeof arn);
    json_t *o = json_object();
    json_object_set_new(o, "AlarmName", json_string(r->name));
    json_object_set_new(o, "AlarmArn", json_string(arn));
    for (size_t i = 0; i < sizeof copied / sizeof *copied; i++) {
        json_t *v = json_object_get(r->config, copied[i]);
        if (v) json_object_set(o, copied[i], v);
    }
    static const char *const lists[] = {"OKActions", "AlarmActions", "InsufficientDataActions",
                                        "Dimensions"};
    for (size_t i = 0; i < 4; i++)
        if (!json_object_get(o, lists[i])) json_object_set_new(o, lists[i], json_array());
    json_object_set_new(o, "AlarmConfigurationUpdatedTimestamp", json_time(r->config_updated_ms));
    json_object_set_new(o, "ActionsEnabled", json_boolean(r->actions_enabled));
    json_object_set_new(o, "StateValue", json_string(alarm_state_name(r->state)));
    json_object_set_new(o, "StateReason", json_string(r->state_reason));
    if (r->state_reason_data)
        json_object_set_new(o, "StateReasonData", json_string(r->state_reason_data));
    json_object_set_new(o, "StateUpdatedTimestamp", json_time(r->state_updated_ms));
    json_object_set_new(o, "StateTransitionedTimestamp", json_time(r->state_updated_ms));
    return o;
}

int cw_describe_alarms(call_ctx *c)
{
    const json_t *names = json_object_get(c->in, "AlarmNames");
    const char *prefix = in_str(c, "AlarmNamePrefix");
    if (names && prefix)
        return cw_combination(c, "AlarmNames and AlarmNamePrefix are mutually exclusive.");
    const char *token = in_str(c, "NextToken");
    if (token && token[0] != 'n')
        return aws_fail(&c->err, 400, "InvalidNextToken", "The service cannot read the token.");
    /* Composite alarms are not served: asking for them alone finds none. */
    const json_t *types = json_object_get(c->in, "AlarmTypes");
    bool metric_alarms = !types;
    size_t i;
    json_t *t;
    json_array_foreach(types, i, t)
    {
        if (!strcmp(json_string_value(t), "MetricAlarm")) metric_alarms = true;
    }
    const char *name_list[100];
    size_t nn = 0;
    json_array_foreach(names, i, t)
    {
        if (nn < 100) name_list[nn++] = json_string_value(t);
    }
    alarms_filter f = {.account_id = c->caller->account_id,
                       .region = c->region,
                       .names = name_list,
                       .n_names = nn,
                       .name_prefix = prefix,
                       .state = in_str(c, "StateValue"),
                       .action_prefix = in_str(c, "ActionPrefix"),
                       .after = token ? token + 1 : NULL};
    alarm_row *rows = NULL;
    size_t n = 0;
    bool more = false;
    bool none = (names && !nn) || !metric_alarms || in_str(c, "ChildrenOfAlarmName") ||
                in_str(c, "ParentsOfAlarmName");
    if (!none && alarms_list(c->db, &f, (size_t)in_int(c, "MaxRecords", ALARM_PAGE_DEFAULT), &rows,
                             &n, &more))
        return cw_fail_db(c);
    json_t *arr = json_array();
    for (i = 0; i < n; i++)
        json_array_append_new(arr, metric_alarm(c, &rows[i]));
    c->out = json_pack("{s:o, s:[]}", "MetricAlarms", arr, "CompositeAlarms");
    if (more && n) {
        char next[300];
        snprintf(next, sizeof next, "n%s", rows[n - 1].name);
        json_object_set_new(c->out, "NextToken", json_string(next));
    }
    alarm_rows_free(rows, n);
    return 0;
}

int cw_describe_alarms_for_metric(call_ctx *c)
{
    alarms_filter f = {.account_id = c->caller->account_id,
                       .region = c->region,
                       .ns = in_str(c, "Namespace"),
                       .metric_name = in_str(c, "MetricName")};
    alarm_row *rows;
    size_t n;
    bool more;
    if (alarms_list(c->db, &f, SIZE_MAX, &rows, &n, &more)) return cw_fail_db(c);
    metricstore_dim dims[METRICSTORE_MAX_DIMS];
    int nd = cw_dims(c, json_object_get(c->in, "Dimensions"), dims, "Dimensions");
    if (nd < 0) {
        alarm_rows_free(rows, n);
        return -1;
    }
    char *want =
        json_object_get(c->in, "Dimensions") ? metricstore_dims_text(dims, (size_t)nd) : NULL;
    static const char *const exact[] = {"Statistic", "ExtendedStatistic", "Unit"};
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        bool keep = true;
        for (size_t k = 0; k < 3 && keep; k++) {
            const char *v = in_str(c, exact[k]);
            const char *have = json_string_value(json_object_get(rows[i].config, exact[k]));
            if (v && (!have || strcmp(v, have))) keep = false;
        }
        if (keep && json_object_get(c->in, "Period") &&
            json_integer_value(json_object_get(rows[i].config, "Period")) != in_int(c, "Period", 0))
            keep = false;
        if (keep && want) {
            metricstore_dim ad[METRICSTORE_MAX_DIMS];
            size_t na = alarm_config_dims(rows[i].config, ad);
            char *have = metricstore_dims_text(ad, na);
            keep = !strcmp(have, want);
            free(have);
        }
        if (keep) json_array_append_new(arr, metric_alarm(c, &rows[i]));
    }
    free(want);
    alarm_rows_free(rows, n);
    c->out = json_pack("{s:o}", "MetricAlarms", arr);
    return 0;
}

int cw_describe_alarm_history(call_ctx *c)
{
    const char *token = in_str(c, "NextToken");
    int64_t before = 0;
    if (token) {
        char *e;
        before = token[0] == 'h' ? strtoll(token + 1, &e, 10) : -1;
        if (before <= 0 || token[0] != 'h' || *e)
            return aws_fail(&c->err, 400, "InvalidNextToken", "The service cannot read the token.");
    }
    const char *scan = in_str(c, "ScanBy");
    bool oldest_first = scan && !strcmp(scan, "TimestampAscending");
    const json_t *sd = json_object_get(c->in, "StartDate"), *ed = json_object_get(c->in, "EndDate");
    json_t *items;
    bool more;
    if (alarms_history(c->db, c->caller->account_id, c->region, in_str(c, "AlarmName"),
                       in_str(c, "HistoryItemType"), sd ? cw_ms(sd) : INT64_MIN,
                       ed ? cw_ms(ed) : INT64_MAX, before,
                       (size_t)in_int(c, "MaxRecords", HISTORY_PAGE_DEFAULT), oldest_first, &items,
                       &more))
        return cw_fail_db(c);
    int64_t last = 0;
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        last = json_integer_value(json_object_get(it, "seq"));
        json_object_del(it, "seq");
    }
    c->out = json_pack("{s:o}", "AlarmHistoryItems", items);
    if (more && last) {
        char next[32];
        snprintf(next, sizeof next, "h%lld", (long long)last);
        json_object_set_new(c->out, "NextToken", json_string(next));
    }
    return 0;
}

/* ---- changing ------------------------------------------------------------------------ */

int cw_set_alarm_state(call_ctx *c)
{
    const char *name = in_str(c, "AlarmName"), *data = in_str(c, "StateReasonData");
    alarm_state s;
    if (alarm_state_parse(in_str(c, "StateValue"), &s))
        return cw_invalid(c, "The value %.64s for parameter StateValue is invalid.",
                          in_str(c, "StateValue"));
    if (data) {
        json_t *parsed = json_loads(data, 0, NULL);
        bool ok = parsed != NULL;
        json_decref(parsed);
        if (!ok)
            return aws_fail(&c->err, 400, "InvalidFormat",
                            "The StateReasonData is not valid JSON.");
    }
    int rc = alarms_set_state(c->db, c->caller->account_id, c->region, name, s,
                              in_str(c, "StateReason"), data, c->now_ms);
    if (rc == ALARMS_NOT_FOUND)
        return aws_fail(&c->err, 404, "ResourceNotFound", "Alarm %.255s not found", name);
    return rc ? cw_fail_db(c) : 0;
}

static int set_actions(call_ctx *c, bool enabled)
{
    size_t i;
    json_t *n;
    json_array_foreach(json_object_get(c->in, "AlarmNames"), i, n)
    {
        /* AWS ignores names that find no alarm here. */
        int rc = alarms_set_actions_enabled(c->db, c->caller->account_id, c->region,
                                            json_string_value(n), enabled);
        if (rc && rc != ALARMS_NOT_FOUND) return cw_fail_db(c);
    }
    return 0;
}

int cw_enable_alarm_actions(call_ctx *c)
{
    return set_actions(c, true);
}

int cw_disable_alarm_actions(call_ctx *c)
{
    return set_actions(c, false);
}

int cw_delete_alarms(call_ctx *c)
{
    size_t i;
    json_t *n;
    /* Nothing is deleted when any name finds no alarm (AWS). OP_TX rolls back. */
    json_array_foreach(json_object_get(c->in, "AlarmNames"), i, n)
    {
        const char *name = json_string_value(n);
        int rc = alarms_delete(c->db, c->caller->account_id, c->region, name);
        if (rc == ALARMS_NOT_FOUND)
            return aws_fail(&c->err, 404, "ResourceNotFound",
                            "1 of the alarms you named does not exist: %.255s", name);
        char arn[600];
        alarm_arn(c->caller->account_id, c->region, name, arn, sizeof arn);
        if (rc || tags_remove_all(c->db, TAGS_CW_ALARM, arn)) return cw_fail_db(c);
    }
    return 0;
}

/* ---- tags ---------------------------------------------------------------------------- */

/* The alarm an ARN of the caller's account and region names; NULL after failing. */
static const char *tagged_alarm(call_ctx *c, char *name, size_t n)
{
    const char *arn = in_str(c, "ResourceARN");
    char prefix[200];
    int len = snprintf(prefix, sizeof prefix, "arn:aws:cloudwatch:%s:%s:alarm:", c->region,
                       c->caller->account_id);
    alarms_filter f = {.account_id = c->caller->account_id, .region = c->region};
    if (arn && !strncmp(arn, prefix, (size_t)len)) {
        snprintf(name, n, "%s", arn + len);
        f.names = (const char *const[]){name};
        f.n_names = 1;
        alarm_row *rows;
        size_t found;
        bool more;
        if (alarms_list(c->db, &f, 1, &rows, &found, &more)) {
            cw_fail_db(c);
            return NULL;
        }
        alarm_rows_free(rows, found);
        if (found) return arn;
    }
    aws_fail(&c->err, 404, "ResourceNotFoundException", "The resource %.300s does not exist.",
             arn ? arn : "");
    return NULL;
}

int cw_tag_resource(call_ctx *c)
{
    char name[300];
    const char *arn = tagged_alarm(c, name, sizeof name);
    if (!arn) return -1;
    if (tags_put_json(c->db, TAGS_CW_ALARM, arn, json_object_get(c->in, "Tags")))
        return cw_fail_db(c);
    if (tags_count(c->db, TAGS_CW_ALARM, arn) > ALARM_MAX_TAGS)
        return aws_fail(&c->err, 400, "LimitExceeded", "An alarm has at most %d tags.",
                        ALARM_MAX_TAGS);
    return 0;
}

int cw_untag_resource(call_ctx *c)
{
    char name[300];
    const char *arn = tagged_alarm(c, name, sizeof name);
    if (!arn) return -1;
    if (tags_remove_keys(c->db, TAGS_CW_ALARM, arn, json_object_get(c->in, "TagKeys")))
        return cw_fail_db(c);
    return 0;
}

int cw_list_tags_for_resource(call_ctx *c)
{
    char name[300];
    const char *arn = tagged_alarm(c, name, sizeof name);
    if (!arn) return -1;
    c->out = json_pack("{s:o}", "Tags", tags_json(c->db, TAGS_CW_ALARM, arn));
    return 0;
}
