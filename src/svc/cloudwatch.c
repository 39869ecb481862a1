/* cloudwatch: Amazon CloudWatch metrics — PutMetricData, ListMetrics, GetMetricStatistics
 * — and the operation table of the service, whose other operations live in
 * cloudwatch_data.c and cloudwatch_alarms.c (cloudwatch_internal.h).
 *
 * PutMetricData checks a whole request before storing any of it (AWS's limits: 1,000
 * metrics and 1 MB a call, 30 dimensions and 150 values a metric, two weeks back and two
 * hours ahead), stores it in one transaction and evaluates, in the same transaction, the
 * alarms on each metric it touched: an alarm fires as soon as the datapoint is stored. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/alarms.h"
#include "svc/cloudwatch_internal.h"

#define CW_MAX_METRIC_DATA 1000
#define CW_MAX_BODY (1024 * 1024)
#define CW_MAX_VALUES 150
#define CW_LIST_PAGE 500
#define CW_MAX_DATAPOINTS 1440
/* AWS: values must lie within -2^360 .. 2^360. */
#define CW_VALUE_LIMIT 2.3485425827738332e+108

int cw_fail_db(call_ctx *c)
{
    return aws_fail(&c->err, 500, "InternalServiceError", "orgtrail could not update its store: %s",
                    db_errmsg(c->db));
}

__attribute__((format(printf, 3, 0))) static int vfail(call_ctx *c, const char *code,
                                                       const char *fmt, va_list ap)
{
    char msg[900];
    vsnprintf(msg, sizeof msg, fmt, ap);
    return aws_fail(&c->err, 400, code, "%s", msg);
}

int cw_invalid(call_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vfail(c, "InvalidParameterValue", fmt, ap);
    va_end(ap);
    return rc;
}

int cw_combination(call_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vfail(c, "InvalidParameterCombination", fmt, ap);
    va_end(ap);
    return rc;
}

int64_t cw_ms(const json_t *v)
{
    return (int64_t)llround(json_number_value(v) * 1000.0);
}

bool cw_period_ok(int64_t p)
{
    return p == 1 || p == 5 || p == 10 || p == 30 || (p > 0 && p % 60 == 0);
}

int cw_dims(call_ctx *c, const json_t *list, metricstore_dim *dims, const char *what)
{
    size_t n = 0, i;
    json_t *d;
    json_array_foreach(list, i, d)
    {
        if (n == METRICSTORE_MAX_DIMS) break;
        dims[n].name = json_string_value(json_object_get(d, "Name"));
        dims[n].value = json_string_value(json_object_get(d, "Value"));
        if (!dims[n].name) continue;
        for (size_t j = 0; j < n; j++)
            if (!strcmp(dims[j].name, dims[n].name)) /* orgtrail's wording */
                return cw_invalid(c, "The collection %s must not repeat the dimension name %.255s.",
                                  what, dims[n].name);
        n++;
    }
    return (int)n;
}

json_t *cw_dims_json(const char *dims_text)
{
    json_t *v = json_loads(dims_text, 0, NULL);
    return v ? v : json_array();
}

/* ---- PutMetricData ------------------------------------------------------------------- */

typedef struct datum {
    metricstore_key key;
    metricstore_dim dims[METRICSTORE_MAX_DIMS];
    metricstore_point point;
    double *values, *counts;
} datum;

static bool value_ok(double v)
{
    return isfinite(v) && fabs(v) <= CW_VALUE_LIMIT;
}

/* Reads MetricData.member.i (1-based in the texts, as the Query protocol names it). */
static int read_datum(call_ctx *c, const char *ns, const json_t *md, size_t i, datum *d)
{
    memset(d, 0, sizeof *d);
    d->key = (metricstore_key){c->caller->account_id,
                               c->region,
                               ns,
                               json_string_value(json_object_get(md, "MetricName")),
                               d->dims,
                               0};
    char what[64];
    snprintf(what, sizeof what, "MetricData.member.%zu.Dimensions", i);
    int nd = cw_dims(c, json_object_get(md, "Dimensions"), d->dims, what);
    if (nd < 0) return -1;
    d->key.n_dims = (size_t)nd;
    const json_t *value = json_object_get(md, "Value"), *values = json_object_get(md, "Values");
    const json_t *counts = json_object_get(md, "Counts"),
                 *set = json_object_get(md, "StatisticValues");
    int given = (value != NULL) + (values != NULL) + (set != NULL);
    if (given > 1)
        return cw_combination(c,
                              "The parameters MetricData.member.%zu.Value, "
                              "MetricData.member.%zu.Values and MetricData.member.%zu."
                              "StatisticValues are mutually exclusive and you have specified "
                              "more than one.",
                              i, i, i);
    if (given == 0)
        return aws_fail(&c->err, 400, "MissingParameter",
                        "The parameter MetricData.member.%zu.Value is required.", i);
    if (counts && !values)
        return cw_combination(c,
                              "The parameter MetricData.member.%zu.Counts requires "
                              "MetricData.member.%zu.Values.",
                              i, i);
    int64_t ts =
        json_object_get(md, "Timestamp") ? cw_ms(json_object_get(md, "Timestamp")) : c->now_ms;
    if (ts < c->now_ms - METRICSTORE_MAX_AGE_MS)
        return cw_invalid(c,
                          "The parameter MetricData.member.%zu.Timestamp must specify a time "
                          "within the past two weeks.",
                          i);
    if (ts > c->now_ms + METRICSTORE_MAX_AHEAD_MS)
        return cw_invalid(c,
                          "The parameter MetricData.member.%zu.Timestamp must specify a time no "
                          "more than two hours in the future.",
                          i);
    const json_t *res = json_object_get(md, "StorageResolution");
    if (res && json_integer_value(res) != 1 && json_integer_value(res) != 60)
        return cw_invalid(c,
                          "The value %lld for parameter MetricData.member.%zu.StorageResolution "
                          "is invalid: it must be 1 or 60.",
                          (long long)json_integer_value(res), i);
    metricstore_point *p = &d->point;
    p->ts_ms = ts;
    p->unit = json_string_value(json_object_get(md, "Unit"));
    if (value) {
        double v = json_number_value(value);
        if (!value_ok(v))
            return cw_invalid(
                c, "The value %g for parameter MetricData.member.%zu.Value is invalid.", v, i);
        d->values = malloc(sizeof(double));
        if (!d->values) abort();
        d->values[0] = v;
        *p = (metricstore_point){ts, p->unit, 1, v, v, v, d->values, NULL, 1};
        return 0;
    }
    if (set) {
        double sc = json_number_value(json_object_get(set, "SampleCount"));
        double sum = json_number_value(json_object_get(set, "Sum"));
        double mn = json_number_value(json_object_get(set, "Minimum"));
        double mx = json_number_value(json_object_get(set, "Maximum"));
        if (!(sc > 0) || mn > mx || !value_ok(sum) || !value_ok(mn) || !value_ok(mx))
            /* orgtrail's wording */
            return cw_invalid(c,
                              "The parameter MetricData.member.%zu.StatisticValues is invalid: "
                              "SampleCount must be positive and Minimum no greater than Maximum.",
                              i);
        *p = (metricstore_point){ts, p->unit, sc, sum, mn, mx, NULL, NULL, 0};
        return 0;
    }
    size_t nv = json_array_size(values);
    if (nv > CW_MAX_VALUES)
        return cw_invalid(c,
                          "The collection MetricData.member.%zu.Values must not have a size "
                          "greater than %d.",
                          i, CW_MAX_VALUES);
    if (counts && json_array_size(counts) != nv)
        return cw_invalid(c,
                          "The parameters MetricData.member.%zu.Values and "
                          "MetricData.member.%zu.Counts must be arrays of the same size.",
                          i, i);
    if (nv == 0)
        return aws_fail(&c->err, 400, "MissingParameter",
                        "The parameter MetricData.member.%zu.Values must not be empty.", i);
    d->values = calloc(nv, sizeof(double));
    d->counts = calloc(nv, sizeof(double));
    if (!d->values || !d->counts) abort();
    double n = 0, sum = 0, mn = INFINITY, mx = -INFINITY;
    for (size_t j = 0; j < nv; j++) {
        double v = json_number_value(json_array_get(values, j));
        double k = counts ? json_number_value(json_array_get(counts, j)) : 1.0;
        if (!value_ok(v) || !(k >= 0) || !isfinite(k))
            return cw_invalid(c,
                              "The value %g for parameter MetricData.member.%zu.Values is "
                              "invalid.",
                              v, i);
        d->values[j] = v;
        d->counts[j] = k;
        n += k;
        sum += v * k;
        mn = fmin(mn, v);
        mx = fmax(mx, v);
    }
    *p = (metricstore_point){ts, p->unit, n, sum, mn, mx, d->values, d->counts, nv};
    return 0;
}

/* The record names the metrics, not their values: a call may carry 1 MB. */
static json_t *put_record(const char *ns, const json_t *md)
{
    json_t *seen = json_object(), *metric_names = json_array();
    size_t i;
    json_t *d;
    json_array_foreach(md, i, d)
    {
        const char *name = json_string_value(json_object_get(d, "MetricName"));
        if (!name || json_object_get(seen, name)) continue;
        json_object_set_new(seen, name, json_true());
        json_array_append_new(metric_names, json_string(name));
    }
    json_decref(seen);
    return json_pack("{s:s, s:o, s:I}", "namespace", ns, "metricNames", metric_names,
                     "metricDataCount", (json_int_t)json_array_size(md));
}

static int put_metric_data(call_ctx *c)
{
    const char *ns = in_str(c, "Namespace");
    const json_t *md = json_object_get(c->in, "MetricData");
    c->request_parameters = put_record(ns, md);
    if (c->http && c->http->body.len > CW_MAX_BODY)
        return aws_fail(&c->err, 413, "RequestEntityTooLarge", "Request size %zu exceeded %d bytes",
                        c->http->body.len, CW_MAX_BODY);
    if (!strncmp(ns, "AWS/", 4))
        return cw_invalid(c, "The value %.255s for parameter Namespace is invalid.", ns);
    size_t n = json_array_size(md);
    if (n > CW_MAX_METRIC_DATA)
        return cw_invalid(c, "The collection MetricData must not have a size greater than %d.",
                          CW_MAX_METRIC_DATA);
    datum *d = calloc(n ? n : 1, sizeof *d);
    if (!d) abort();
    int rc = 0;
    size_t read = 0;
    for (; read < n && !rc; read++)
        rc = read_datum(c, ns, json_array_get(md, read), read + 1, &d[read]);
    for (size_t i = 0; i < n && !rc; i++)
        if (metricstore_put(c->db, &d[i].key, &d[i].point, 1, c->now_ms)) rc = cw_fail_db(c);
    /* Every alarm on a metric this call touched, once per metric name. */
    json_t *names = json_object();
    for (size_t i = 0; i < n && !rc; i++) {
        if (json_object_get(names, d[i].key.name)) continue;
        json_object_set_new(names, d[i].key.name, json_true());
        if (alarm_evaluate(c->db, c->caller->account_id, c->region, c->now_ms, ns, d[i].key.name,
                           NULL))
            rc = cw_fail_db(c);
    }
    json_decref(names);
    for (size_t i = 0; i < read; i++) {
        free(d[i].values);
        free(d[i].counts);
    }
    free(d);
    return rc;
}

/* ---- ListMetrics --------------------------------------------------------------------- */

static int list_metrics(call_ctx *c)
{
    metricstore_dim dims[METRICSTORE_MAX_DIMS];
    int nd = cw_dims(c, json_object_get(c->in, "Dimensions"), dims, "Dimensions");
    if (nd < 0) return -1;
    const char *token = in_str(c, "NextToken");
    int64_t after = 0;
    if (token) {
        char *end;
        after = strtoll(token, &end, 10);
        if (!*token || *end || after < 0)
            return aws_fail(&c->err, 400, "InvalidNextToken", "The service cannot read the token.");
    }
    const char *recent = in_str(c, "RecentlyActive");
    metricstore_filter f = {c->caller->account_id,
                            c->region,
                            in_str(c, "Namespace"),
                            in_str(c, "MetricName"),
                            dims,
                            (size_t)nd,
                            recent ? c->now_ms - METRICSTORE_RECENT_MS : 0,
                            after};
    metricstore_metric *m;
    size_t n;
    bool more;
    if (metricstore_list(c->db, &f, CW_LIST_PAGE, &m, &n, &more)) return cw_fail_db(c);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr,
                              json_pack("{s:s, s:s, s:o}", "Namespace", m[i].ns, "MetricName",
                                        m[i].name, "Dimensions", cw_dims_json(m[i].dims_json)));
    c->out = json_pack("{s:o}", "Metrics", arr);
    if (more && n) {
        char t[32];
        snprintf(t, sizeof t, "%lld", (long long)m[n - 1].id);
        json_object_set_new(c->out, "NextToken", json_string(t));
    }
    metricstore_metrics_free(m, n);
    return 0;
}

/* ---- GetMetricStatistics ------------------------------------------------------------- */

static int get_metric_statistics(call_ctx *c)
{
    metricstore_dim dims[METRICSTORE_MAX_DIMS];
    int nd = cw_dims(c, json_object_get(c->in, "Dimensions"), dims, "Dimensions");
    if (nd < 0) return -1;
    const json_t *stats = json_object_get(c->in, "Statistics");
    const json_t *ext = json_object_get(c->in, "ExtendedStatistics");
    int64_t period = in_int(c, "Period", 0);
    int64_t start = cw_ms(json_object_get(c->in, "StartTime"));
    int64_t end = cw_ms(json_object_get(c->in, "EndTime"));
    if (!stats && !ext)
        return cw_combination(c, "Must specify either Statistics or ExtendedStatistics.");
    if (!cw_period_ok(period)) /* orgtrail's wording */
        return cw_invalid(c, "The parameter Period must be 1, 5, 10, 30 or a multiple of 60.");
    size_t i;
    json_t *s;
    json_array_foreach(ext, i, s)
    {
        if (!metricstore_is_percentile(json_string_value(s)))
            return cw_invalid(c,
                              "The value %.64s for parameter ExtendedStatistics is not supported.",
                              json_string_value(s));
    }
    if (start >= end)
        return cw_invalid(c, "The parameter StartTime must be less than the parameter EndTime.");
    int64_t requested = (end - start + period * 1000 - 1) / (period * 1000);
    if (requested > CW_MAX_DATAPOINTS)
        return cw_combination(c,
                              "You have requested up to %lld datapoints, which exceeds the limit "
                              "of %d. You may reduce the datapoints requested by increasing "
                              "Period, or decreasing the time range.",
                              (long long)requested, CW_MAX_DATAPOINTS);
    metricstore_key k = {c->caller->account_id,   c->region, in_str(c, "Namespace"),
                         in_str(c, "MetricName"), dims,      (size_t)nd};
    metricstore_bucket *b;
    size_t n;
    if (metricstore_stats(c->db, &k, start, end, (int)period, in_str(c, "Unit"), &b, &n))
        return cw_fail_db(c);
    json_t *points = json_array();
    for (size_t j = 0; j < n; j++) {
        json_t *p = json_pack("{s:o, s:s}", "Timestamp", json_time(b[j].ts_ms), "Unit", b[j].unit);
        json_array_foreach(stats, i, s)
        {
            double x;
            if (metricstore_statistic(&b[j], json_string_value(s), &x))
                json_object_set_new(p, json_string_value(s), json_real(x));
        }
        if (ext) {
            json_t *e = json_object();
            json_array_foreach(ext, i, s)
            {
                double x;
                if (metricstore_statistic(&b[j], json_string_value(s), &x))
                    json_object_set_new(e, json_string_value(s), json_real(x));
            }
            json_object_set_new(p, "ExtendedStatistics", e);
        }
        json_array_append_new(points, p);
    }
    metricstore_buckets_free(b, n);
    c->out = json_pack("{s:s, s:o}", "Label", in_str(c, "MetricName"), "Datapoints", points);
    return 0;
}

/* ---- the service --------------------------------------------------------------------- */

static void cw_resource(const call_ctx *c, char *out, size_t n)
{
    const char *name = in_str(c, "AlarmName");
    if (name) alarm_arn(c->caller->account_id, c->region, name, out, n);
}

static const op_def OPS[] = {
    {"DeleteAlarms", cw_delete_alarms, NULL, OP_TX},
    {"DescribeAlarmHistory", cw_describe_alarm_history, NULL, 0},
    {"DescribeAlarms", cw_describe_alarms, NULL, 0},
    {"DescribeAlarmsForMetric", cw_describe_alarms_for_metric, NULL, 0},
    {"DisableAlarmActions", cw_disable_alarm_actions, NULL, OP_TX},
    {"EnableAlarmActions", cw_enable_alarm_actions, NULL, OP_TX},
    {"GetMetricData", cw_get_metric_data, NULL, 0},
    {"GetMetricStatistics", get_metric_statistics, NULL, 0},
    {"ListMetrics", list_metrics, NULL, 0},
    {"ListTagsForResource", cw_list_tags_for_resource, NULL, 0},
    {"PutMetricAlarm", cw_put_metric_alarm, NULL, OP_TX},
    {"PutMetricData", put_metric_data, NULL, OP_TX},
    {"SetAlarmState", cw_set_alarm_state, NULL, OP_TX},
    {"TagResource", cw_tag_resource, NULL, OP_TX},
    {"UntagResource", cw_untag_resource, NULL, OP_TX},
};

/* Model violations are ValidationError, CloudWatch's Query code for them. */
const service_def SVC_MONITORING = {.signing_name = "monitoring",
                                    .action_prefix = "cloudwatch",
                                    .style = VSTYLE_QUERY,
                                    .ops = OPS,
                                    .n_ops = sizeof OPS / sizeof *OPS,
                                    .fail_db = cw_fail_db,
                                    .authz_resource = cw_resource};
