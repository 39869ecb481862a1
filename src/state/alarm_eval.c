/* alarm_eval: the pure half of alarm evaluation (state/alarms.h): from an alarm's
 * settings and its range's period values to a state with AWS's reason text and data, and
 * the one query that finds those values in the metric store. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "state/alarms.h"
#include "state/metricstore.h"

const char *alarm_state_name(alarm_state s)
{
    switch (s) {
    case ALARM_STATE_OK:
        return "OK";
    case ALARM_STATE_ALARM:
        return "ALARM";
    default:
        return "INSUFFICIENT_DATA";
    }
}

int alarm_state_parse(const char *s, alarm_state *out)
{
    if (!s) return -1;
    if (!strcmp(s, "OK"))
        *out = ALARM_STATE_OK;
    else if (!strcmp(s, "ALARM"))
        *out = ALARM_STATE_ALARM;
    else if (!strcmp(s, "INSUFFICIENT_DATA"))
        *out = ALARM_STATE_INSUFFICIENT_DATA;
    else
        return -1;
    return 0;
}

static const struct {
    const char *op, *text;
} OPS[] = {
    {"GreaterThanOrEqualToThreshold", "greater than or equal to"},
    {"GreaterThanThreshold", "greater than"},
    {"LessThanThreshold", "less than"},
    {"LessThanOrEqualToThreshold", "less than or equal to"},
};

bool alarm_comparison_supported(const char *op)
{
    for (size_t i = 0; op && i < sizeof OPS / sizeof *OPS; i++)
        if (!strcmp(OPS[i].op, op)) return true;
    return false;
}

static const char *op_text(const char *op)
{
    for (size_t i = 0; i < sizeof OPS / sizeof *OPS; i++)
        if (!strcmp(OPS[i].op, op)) return OPS[i].text;
    return "compared to";
}

static bool breaches(const alarm_rule *r, double v)
{
    const char *op = r->comparison;
    if (!strcmp(op, "GreaterThanOrEqualToThreshold")) return v >= r->threshold;
    if (!strcmp(op, "GreaterThanThreshold")) return v > r->threshold;
    if (!strcmp(op, "LessThanThreshold")) return v < r->threshold;
    if (!strcmp(op, "LessThanOrEqualToThreshold")) return v <= r->threshold;
    return false;
}

/* A double as Java's Double.toString writes the usual ones, as AWS's texts show them:
 * "2.0", "1.5", "0.001". */
static void num_text(double x, char *out, size_t n)
{
    if (x == floor(x) && fabs(x) < 1e7) {
        snprintf(out, n, "%.1f", x);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, n, "%.*g", prec, x);
        if (strtod(out, NULL) == x) break;
    }
}

/* 07/12/26 12:00:00 (dd/MM/yy HH:mm:ss, UTC): the reason text's timestamps. */
static void short_time(int64_t ms, char *out, size_t n)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, n, "%02d/%02d/%02d %02d:%02d:%02d", tm.tm_mday % 100, (tm.tm_mon + 1) % 100,
             tm.tm_year % 100, tm.tm_hour % 100, tm.tm_min % 100, tm.tm_sec % 100);
}

void alarm_time_text(int64_t ms, char *out, size_t n)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    int msec = (int)(ms % 1000);
    if (msec < 0) msec += 1000;
    /* Bounded so that the compiler sees the 28 characters this is. */
    snprintf(out, n, "%.19s.%03u+0000", base, (unsigned)msec % 1000u);
}

static json_t *reason_data(const alarm_rule *r, const alarm_value *v, size_t n,
                           int64_t range_start_ms, int64_t now_ms)
{
    char q[40], s[40];
    alarm_time_text(now_ms, q, sizeof q);
    alarm_time_text(n ? v[0].ts_ms : range_start_ms, s, sizeof s);
    json_t *recent = json_array(), *evaluated = json_array();
    for (size_t i = n; i-- > 0;) {
        char ts[40];
        alarm_time_text(v[i].ts_ms, ts, sizeof ts);
        json_array_append_new(recent, json_real(v[i].value));
        json_array_append_new(evaluated,
                              json_pack("{s:s, s:f, s:f}", "timestamp", ts, "sampleCount",
                                        v[i].sample_count, "value", v[i].value));
    }
    json_t *d = json_pack("{s:s, s:s, s:s, s:s, s:i, s:o, s:f}", "version", "1.0", "queryDate", q,
                          "startDate", s, "statistic", r->statistic ? r->statistic : "", "period",
                          r->period_s, "recentDatapoints", recent, "threshold", r->threshold);
    if (json_array_size(evaluated))
        json_object_set_new(d, "evaluatedDatapoints", evaluated);
    else
        json_decref(evaluated);
    return d;
}

/* "[2.0 (07/12/26 12:00:00), 3.0 (...)]" of the values (newest first) that do or do not
 * breach. */
static void list_text(const alarm_rule *r, const alarm_value *v, size_t n, bool breaching,
                      char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    len += (size_t)snprintf(out + len, cap - len, "[");
    bool first = true;
    for (size_t i = n; i-- > 0 && len < cap;) {
        if (breaches(r, v[i].value) != breaching) continue;
        char num[40], ts[24];
        num_text(v[i].value, num, sizeof num);
        short_time(v[i].ts_ms, ts, sizeof ts);
        len += (size_t)snprintf(out + len, cap - len, "%s%s (%s)", first ? "" : ", ", num, ts);
        first = false;
    }
    if (len < cap) snprintf(out + len, cap - len, "]");
}

static void set(alarm_verdict *out, alarm_state s, json_t *data)
{
    out->state = s;
    json_decref(out->reason_data);
    out->reason_data = data;
}

void alarm_decide(const alarm_rule *r, alarm_state current, const alarm_value *v, size_t n,
                  int64_t range_start_ms, int64_t now_ms, alarm_verdict *out)
{
    memset(out, 0, sizeof *out);
    int N = r->evaluation_periods > 0 ? r->evaluation_periods : 1;
    int M = r->datapoints_to_alarm > 0 ? r->datapoints_to_alarm : N;
    const char *treat = r->treat_missing ? r->treat_missing : "missing";
    size_t nb = 0;
    for (size_t i = 0; i < n; i++)
        if (breaches(r, v[i].value)) nb++;
    char th[40], list[700];
    num_text(r->threshold, th, sizeof th);
    const char *opt = op_text(r->comparison);

    if (n == 0) {
        if (!strcmp(treat, "ignore")) {
            out->state = current;
            snprintf(out->reason, sizeof out->reason,
                     "no datapoints were received for %d period%s and the alarm's state was kept "
                     "as missing data is ignored.",
                     N, N == 1 ? "" : "s");
            return;
        }
        json_t *d = reason_data(r, v, n, range_start_ms, now_ms);
        if (!strcmp(treat, "missing")) {
            set(out, ALARM_STATE_INSUFFICIENT_DATA, d);
            snprintf(out->reason, sizeof out->reason, "Insufficient Data: %d datapoint%s unknown.",
                     N, N == 1 ? " was" : "s were");
            return;
        }
        bool b = !strcmp(treat, "breaching");
        set(out, b ? ALARM_STATE_ALARM : ALARM_STATE_OK, d);
        snprintf(out->reason, sizeof out->reason,
                 "Threshold Crossed: no datapoints were received for %d period%s and %d missing "
                 "datapoint%s treated as [%s].",
                 N, N == 1 ? "" : "s", N, N == 1 ? " was" : "s were",
                 b ? "Breaching" : "NonBreaching");
        return;
    }

    alarm_state s;
    int filled = 0; /* missing datapoints counted as breaching */
    if ((int)n >= M) {
        s = (int)nb >= M ? ALARM_STATE_ALARM : ALARM_STATE_OK;
    } else if (!strcmp(treat, "ignore")) {
        out->state = current;
        snprintf(out->reason, sizeof out->reason,
                 "%zu of %d datapoints were received and the alarm's state was kept as missing "
                 "data is ignored.",
                 n, N);
        return;
    } else if (!strcmp(treat, "notBreaching")) {
        s = ALARM_STATE_OK;
    } else {
        /* breaching and missing: as few missing ones as make M, counted as breaching */
        s = nb == n ? ALARM_STATE_ALARM : ALARM_STATE_OK;
        if (!strcmp(treat, "breaching") && s == ALARM_STATE_ALARM) filled = M - (int)n;
    }
    set(out, s, reason_data(r, v, n, range_start_ms, now_ms));
    bool alarm = s == ALARM_STATE_ALARM;
    list_text(r, v, n, alarm, list, sizeof list);
    size_t shown = alarm ? nb : n - nb;
    char tail[200] = "";
    if (filled > 0)
        snprintf(tail, sizeof tail, " and %d missing datapoint%s treated as [Breaching]", filled,
                 filled == 1 ? " was" : "s were");
    if (N == 1 && M == 1) {
        snprintf(out->reason, sizeof out->reason,
                 "Threshold Crossed: 1 datapoint %s was %s%s the threshold (%s).", list,
                 alarm ? "" : "not ", opt, th);
    } else if (alarm) {
        snprintf(out->reason, sizeof out->reason,
                 "Threshold Crossed: %zu out of the last %zu datapoints %s %s %s the threshold "
                 "(%s)%s (minimum %d datapoint%s for OK -> ALARM transition).",
                 shown, n, list, shown == 1 ? "was" : "were", opt, th, tail, M, M == 1 ? "" : "s");
    } else {
        snprintf(out->reason, sizeof out->reason,
                 "Threshold Crossed: %zu out of the last %zu datapoints %s %s not %s the "
                 "threshold (%s) (minimum 1 datapoint for ALARM -> OK transition).",
                 shown, n, list, shown == 1 ? "was" : "were", opt, th);
    }
}

/* ---- the range's values -------------------------------------------------------------- */

size_t alarm_config_dims(const json_t *config, metricstore_dim dims[METRICSTORE_MAX_DIMS])
{
    size_t nd = 0, i;
    json_t *d;
    json_array_foreach(json_object_get(config, "Dimensions"), i, d)
    {
        if (nd == METRICSTORE_MAX_DIMS) break;
        dims[nd].name = json_string_value(json_object_get(d, "Name"));
        dims[nd].value = json_string_value(json_object_get(d, "Value"));
        if (dims[nd].name && dims[nd].value) nd++;
    }
    return nd;
}

int alarm_range_values(db_conn *db, const char *account, const char *region, const json_t *config,
                       int64_t now_ms, int64_t *range_start, alarm_value **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    int period = (int)json_integer_value(json_object_get(config, "Period"));
    int N = (int)json_integer_value(json_object_get(config, "EvaluationPeriods"));
    if (period <= 0 || N <= 0) return 0;
    metricstore_dim dims[METRICSTORE_MAX_DIMS];
    size_t nd = alarm_config_dims(config, dims);
    metricstore_key k = {account,
                         region,
                         json_string_value(json_object_get(config, "Namespace")),
                         json_string_value(json_object_get(config, "MetricName")),
                         dims,
                         nd};
    if (!k.ns || !k.name) return 0;
    const char *stat = json_string_value(json_object_get(config, "Statistic"));
    if (!stat) stat = json_string_value(json_object_get(config, "ExtendedStatistic"));
    if (!stat) return 0;
    int64_t P = (int64_t)period * 1000;
    int64_t current = now_ms - (((now_ms % P) + P) % P);
    metricstore_bucket *b;
    size_t nb;
    if (metricstore_stats(db, &k, current - N * P, current + P, period,
                          json_string_value(json_object_get(config, "Unit")), &b, &nb))
        return -1;
    /* The period in progress belongs to the range once it has a datapoint. */
    int64_t end = nb && b[nb - 1].ts_ms == current ? current + P : current;
    *range_start = end - N * P;
    alarm_value *v = calloc(nb ? nb : 1, sizeof *v);
    if (!v) abort();
    for (size_t j = 0; j < nb; j++) {
        if (b[j].ts_ms < *range_start || b[j].ts_ms >= end) continue;
        double x;
        if (!metricstore_statistic(&b[j], stat, &x)) continue;
        v[*n].ts_ms = b[j].ts_ms;
        v[*n].value = x;
        v[*n].sample_count = b[j].count;
        (*n)++;
    }
    metricstore_buckets_free(b, nb);
    *out = v;
    return 0;
}
