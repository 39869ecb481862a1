/* cloudwatch_data: GetMetricData — MetricStat queries, and metric math expressions over
 * their ids: + - * / with the usual precedence, unary minus, parentheses, numbers, and
 * the functions SUM, AVG, MIN, MAX and FILL.
 *
 * Every series lives on one timeline: the sorted union of the timestamps of all the
 * call's MetricStat results. A series is a value per timeline point (NaN: no datapoint);
 * arithmetic is point by point (a point missing on either side is missing; so is a
 * non-finite result, such as a division by zero). As in CloudWatch, SUM(m1) of one series
 * is a single number (the sum of its points), SUM([m1, m2]) a series (the sum at each
 * point of the series that have one); AVG, MIN, MAX alike. FILL(m1, x) gives missing
 * points the value x. A single number as a query's result is returned at every point of
 * the timeline.
 *
 * Paging: MaxDatapoints bounds the datapoints of one answer over all results; NextToken
 * ("o" and how many datapoints were returned before) resumes after them, and the results
 * cut short say StatusCode PartialData. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc/cloudwatch_internal.h"

#define CW_MAX_QUERIES 500
#define CW_DEFAULT_MAX_DATAPOINTS 100800

typedef enum { V_SCALAR, V_SERIES, V_ARRAY } vkind;

typedef struct val {
    vkind kind;
    double s;
    double *v; /* V_SERIES: n_time values */
    struct val *items;
    size_t n_items;
} val;

typedef struct query {
    const json_t *q;
    const char *id;
    bool is_expr, done, busy;
    val result;
    int64_t *raw_ts; /* MetricStat: its own points before they are put on the timeline */
    double *raw_v;
    size_t n_raw;
} query;

typedef struct ctx {
    call_ctx *c;
    query *qs;
    size_t n;
    int64_t *time;
    size_t n_time;
    /* the expression being parsed */
    const char *p;
    const char *expr_id;
    char err[256];
} ctx;

static void val_free(val *v)
{
    free(v->v);
    for (size_t i = 0; i < v->n_items; i++)
        val_free(&v->items[i]);
    free(v->items);
    memset(v, 0, sizeof *v);
}

static double *series_new(const ctx *x)
{
    double *v = malloc((x->n_time ? x->n_time : 1) * sizeof *v);
    if (!v) abort();
    for (size_t i = 0; i < x->n_time; i++)
        v[i] = NAN;
    return v;
}

static val copy_val(const ctx *x, const val *a)
{
    val r = *a;
    r.items = NULL;
    r.n_items = 0;
    if (a->kind == V_SERIES) {
        r.v = series_new(x);
        memcpy(r.v, a->v, x->n_time * sizeof *r.v);
    }
    return r;
}

/* ---- parsing and evaluation ---------------------------------------------------------- */

static int eval_query(ctx *x, query *q);
static int parse_expr(ctx *x, val *out);

static void skip(ctx *x)
{
    while (isspace((unsigned char)*x->p))
        x->p++;
}

static int fail(ctx *x, const char *what)
{
    if (!x->err[0]) snprintf(x->err, sizeof x->err, "%s", what);
    return -1;
}

static double apply(char op, double a, double b)
{
    double r = op == '+' ? a + b : op == '-' ? a - b : op == '*' ? a * b : a / b;
    return isfinite(r) ? r : NAN;
}

static int binary(ctx *x, char op, val *a, val *b)
{
    if (a->kind == V_ARRAY || b->kind == V_ARRAY) return fail(x, "an array is not a number");
    if (a->kind == V_SCALAR && b->kind == V_SCALAR) {
        a->s = apply(op, a->s, b->s);
        return 0;
    }
    double *r = series_new(x);
    for (size_t i = 0; i < x->n_time; i++) {
        double l = a->kind == V_SCALAR ? a->s : a->v[i];
        double rr = b->kind == V_SCALAR ? b->s : b->v[i];
        r[i] = isnan(l) || isnan(rr) ? NAN : apply(op, l, rr);
    }
    free(a->v);
    a->v = r;
    a->kind = V_SERIES;
    return 0;
}

/* SUM / AVG / MIN / MAX of the values that are not missing (NaN when all are). */
static double fold(const char *fn, const double *v, size_t n)
{
    double acc = NAN;
    size_t seen = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(v[i])) continue;
        seen++;
        if (isnan(acc))
            acc = v[i];
        else if (!strcmp(fn, "MIN"))
            acc = fmin(acc, v[i]);
        else if (!strcmp(fn, "MAX"))
            acc = fmax(acc, v[i]);
        else
            acc += v[i];
    }
    return !strcmp(fn, "AVG") && seen ? acc / (double)seen : acc;
}

/* SUM / AVG / MIN / MAX of one series (a number) or of an array (a series). */
static int aggregate(ctx *x, const char *fn, val *arg, val *out)
{
    memset(out, 0, sizeof *out);
    if (arg->kind == V_SCALAR) {
        *out = *arg;
        return 0;
    }
    const double *vals = arg->kind == V_SERIES ? arg->v : NULL;
    size_t n_vals = vals ? x->n_time : arg->n_items;
    double *column = vals ? NULL : malloc((n_vals ? n_vals : 1) * sizeof *column);
    if (!vals && !column) abort();
    if (vals) {
        out->kind = V_SCALAR;
        out->s = fold(fn, vals, n_vals);
        return 0;
    }
    out->kind = V_SERIES;
    out->v = series_new(x);
    for (size_t i = 0; i < x->n_time; i++) {
        for (size_t k = 0; k < arg->n_items; k++) {
            const val *it = &arg->items[k];
            column[k] = it->kind == V_SCALAR ? it->s : it->kind == V_SERIES ? it->v[i] : NAN;
        }
        out->v[i] = fold(fn, column, n_vals);
    }
    free(column);
    return 0;
}

static int parse_args(ctx *x, val *args, size_t max, size_t *n)
{
    *n = 0;
    skip(x);
    if (*x->p == ')') return fail(x, "a function needs an argument");
    for (;;) {
        if (*n == max) return fail(x, "too many arguments");
        if (parse_expr(x, &args[*n])) {
            val_free(&args[*n]);
            return -1;
        }
        (*n)++;
        skip(x);
        if (*x->p == ',') {
            x->p++;
            continue;
        }
        if (*x->p == ')') {
            x->p++;
            return 0;
        }
        return fail(x, "expected ',' or ')'");
    }
}

static int parse_primary(ctx *x, val *out)
{
    memset(out, 0, sizeof *out);
    skip(x);
    const char *p = x->p;
    if (*p == '(') {
        x->p++;
        if (parse_expr(x, out)) return -1;
        skip(x);
        if (*x->p != ')') return fail(x, "expected ')'");
        x->p++;
        return 0;
    }
    if (*p == '[') {
        x->p++;
        out->kind = V_ARRAY;
        for (;;) {
            out->items = realloc(out->items, (out->n_items + 1) * sizeof *out->items);
            if (!out->items) abort();
            memset(&out->items[out->n_items], 0, sizeof *out->items);
            if (parse_expr(x, &out->items[out->n_items++])) return -1;
            skip(x);
            if (*x->p == ',') {
                x->p++;
                continue;
            }
            if (*x->p == ']') {
                x->p++;
                return 0;
            }
            return fail(x, "expected ',' or ']'");
        }
    }
    if (isdigit((unsigned char)*p) || *p == '.') {
        char *end;
        out->kind = V_SCALAR;
        out->s = strtod(p, &end);
        if (end == p) return fail(x, "a malformed number");
        x->p = end;
        return 0;
    }
    if (!isalpha((unsigned char)*p)) return fail(x, "an unexpected character");
    size_t len = 0;
    while (isalnum((unsigned char)p[len]) || p[len] == '_')
        len++;
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)(len < 127 ? len : 127), p);
    x->p = p + len;
    skip(x);
    if (*x->p == '(') {
        x->p++;
        val args[2];
        size_t n;
        memset(args, 0, sizeof args);
        int rc = parse_args(x, args, 2, &n);
        bool agg = !strcmp(name, "SUM") || !strcmp(name, "AVG") || !strcmp(name, "MIN") ||
                   !strcmp(name, "MAX");
        if (!rc && agg && n == 1) {
            rc = aggregate(x, name, &args[0], out);
        } else if (!rc && !strcmp(name, "FILL") && n == 2 && args[0].kind == V_SERIES &&
                   args[1].kind == V_SCALAR) {
            *out = args[0];
            args[0].v = NULL;
            for (size_t i = 0; i < x->n_time; i++)
                if (isnan(out->v[i])) out->v[i] = args[1].s;
        } else if (!rc) {
            rc = fail(x, "an unknown function or wrong arguments");
        }
        for (size_t i = 0; i < n; i++)
            val_free(&args[i]);
        return rc;
    }
    for (size_t i = 0; i < x->n; i++) {
        if (strcmp(x->qs[i].id, name)) continue;
        if (eval_query(x, &x->qs[i])) return -1;
        *out = copy_val(x, &x->qs[i].result);
        return 0;
    }
    snprintf(x->err, sizeof x->err, "Unrecognized metric id %.64s", name);
    return -1;
}

static int parse_unary(ctx *x, val *out)
{
    skip(x);
    if (*x->p == '-') {
        x->p++;
        if (parse_unary(x, out)) return -1;
        val minus1 = {.kind = V_SCALAR, .s = -1};
        return binary(x, '*', out, &minus1);
    }
    return parse_primary(x, out);
}

/* A chain of operators of one precedence: level 1 '*' '/' over unary operands, level 0
 * '+' '-' over level 1. */
static int parse_level(ctx *x, val *out, int level)
{
    const char *ops = level ? "*/" : "+-";
    if (level ? parse_unary(x, out) : parse_level(x, out, 1)) return -1;
    for (;;) {
        skip(x);
        char op = *x->p;
        if (!op || !strchr(ops, op)) return 0;
        x->p++;
        val r;
        if (level ? parse_unary(x, &r) : parse_level(x, &r, 1)) {
            val_free(&r);
            return -1;
        }
        int rc = binary(x, op, out, &r);
        val_free(&r);
        if (rc) return -1;
    }
}

static int parse_expr(ctx *x, val *out)
{
    return parse_level(x, out, 0);
}

static int eval_query(ctx *x, query *q)
{
    if (q->done) return 0;
    if (q->busy) {
        snprintf(x->err, sizeof x->err, "the expression refers to itself through %.64s", q->id);
        return -1;
    }
    q->busy = true;
    if (!q->is_expr) {
        q->result.kind = V_SERIES;
        q->result.v = series_new(x);
        size_t t = 0;
        for (size_t i = 0; i < q->n_raw; i++) {
            while (t < x->n_time && x->time[t] < q->raw_ts[i])
                t++;
            if (t < x->n_time) q->result.v[t] = q->raw_v[i];
        }
    } else {
        const char *saved = x->p;
        x->p = json_string_value(json_object_get(q->q, "Expression"));
        int rc = parse_expr(x, &q->result);
        skip(x);
        if (!rc && *x->p) rc = fail(x, "unexpected text after the expression");
        x->p = saved;
        if (rc) return -1;
        if (q->result.kind == V_ARRAY) return fail(x, "the expression gives an array");
    }
    q->busy = false;
    q->done = true;
    return 0;
}

/* ---- MetricStat ---------------------------------------------------------------------- */

static int fetch_stat(call_ctx *c, query *q, size_t idx, int64_t start, int64_t end)
{
    const json_t *ms = json_object_get(q->q, "MetricStat");
    const json_t *metric = json_object_get(ms, "Metric");
    int64_t period = json_integer_value(json_object_get(ms, "Period"));
    const char *stat = json_string_value(json_object_get(ms, "Stat"));
    if (!cw_period_ok(period))
        return cw_invalid(c,
                          "The parameter MetricDataQueries.member.%zu.MetricStat.Period must be 1, "
                          "5, 10, 30 or a multiple of 60.",
                          idx);
    metricstore_bucket probe = {0};
    double ignored;
    if (!metricstore_statistic(&probe, stat, &ignored) && !metricstore_is_percentile(stat))
        return cw_invalid(c,
                          "The value %.64s for parameter MetricDataQueries.member.%zu.MetricStat."
                          "Stat is not supported.",
                          stat, idx);
    metricstore_dim dims[METRICSTORE_MAX_DIMS];
    int nd = cw_dims(c, json_object_get(metric, "Dimensions"), dims, "Dimensions");
    if (nd < 0) return -1;
    metricstore_key k = {c->caller->account_id,
                         c->region,
                         json_string_value(json_object_get(metric, "Namespace")),
                         json_string_value(json_object_get(metric, "MetricName")),
                         dims,
                         (size_t)nd};
    if (!k.ns || !k.name)
        return aws_fail(&c->err, 400, "MissingParameter",
                        "The parameter MetricDataQueries.member.%zu.MetricStat.Metric needs "
                        "Namespace and MetricName.",
                        idx);
    metricstore_bucket *b;
    size_t n;
    if (metricstore_stats(c->db, &k, start, end, (int)period,
                          json_string_value(json_object_get(ms, "Unit")), &b, &n))
        return cw_fail_db(c);
    q->raw_ts = calloc(n ? n : 1, sizeof *q->raw_ts);
    q->raw_v = calloc(n ? n : 1, sizeof *q->raw_v);
    if (!q->raw_ts || !q->raw_v) abort();
    for (size_t i = 0; i < n; i++) {
        double v;
        if (!metricstore_statistic(&b[i], stat, &v)) continue;
        q->raw_ts[q->n_raw] = b[i].ts_ms;
        q->raw_v[q->n_raw++] = v;
    }
    metricstore_buckets_free(b, n);
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void build_timeline(ctx *x)
{
    size_t total = 0;
    for (size_t i = 0; i < x->n; i++)
        total += x->qs[i].n_raw;
    x->time = malloc((total ? total : 1) * sizeof *x->time);
    if (!x->time) abort();
    for (size_t i = 0; i < x->n; i++)
        for (size_t j = 0; j < x->qs[i].n_raw; j++)
            x->time[x->n_time++] = x->qs[i].raw_ts[j];
    qsort(x->time, x->n_time, sizeof *x->time, cmp_i64);
    size_t u = 0;
    for (size_t i = 0; i < x->n_time; i++)
        if (!u || x->time[u - 1] != x->time[i]) x->time[u++] = x->time[i];
    x->n_time = u;
}

/* ---- the operation ------------------------------------------------------------------- */

static int run(ctx *x, int64_t start, int64_t end)
{
    call_ctx *c = x->c;
    for (size_t i = 0; i < x->n; i++) {
        query *q = &x->qs[i];
        bool has_stat = json_object_get(q->q, "MetricStat") != NULL;
        q->is_expr = json_object_get(q->q, "Expression") != NULL;
        if (has_stat == q->is_expr) /* orgtrail's wording */
            return aws_fail(&c->err, 400, "ValidationError",
                            "The parameter MetricDataQueries.member.%zu must specify exactly one "
                            "of MetricStat and Expression.",
                            i + 1);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(x->qs[j].id, q->id))
                return aws_fail(&c->err, 400, "ValidationError",
                                "The value %.64s for parameter MetricDataQueries.member.%zu.Id is "
                                "already used.",
                                q->id, i + 1);
        if (has_stat && fetch_stat(c, q, i + 1, start, end)) return -1;
    }
    build_timeline(x);
    for (size_t i = 0; i < x->n; i++) {
        x->err[0] = '\0';
        x->expr_id = x->qs[i].id;
        if (eval_query(x, &x->qs[i]))
            return aws_fail(&c->err, 400, "ValidationError", "Error in expression %.64s: %s",
                            x->expr_id, x->err);
    }
    return 0;
}

int cw_get_metric_data(call_ctx *c)
{
    const json_t *list = json_object_get(c->in, "MetricDataQueries");
    size_t n = json_array_size(list);
    int64_t start = cw_ms(json_object_get(c->in, "StartTime"));
    int64_t end = cw_ms(json_object_get(c->in, "EndTime"));
    int64_t max = in_int(c, "MaxDatapoints", CW_DEFAULT_MAX_DATAPOINTS);
    const char *scan = in_str(c, "ScanBy");
    bool ascending = scan && !strcmp(scan, "TimestampAscending");
    if (n > CW_MAX_QUERIES)
        return cw_invalid(c,
                          "The collection MetricDataQueries must not have a size greater than %d.",
                          CW_MAX_QUERIES);
    if (start >= end)
        return cw_invalid(c, "The parameter StartTime must be less than the parameter EndTime.");
    if (max <= 0) return cw_invalid(c, "The parameter MaxDatapoints must be positive.");
    int64_t offset = 0;
    const char *token = in_str(c, "NextToken");
    if (token) {
        char *e;
        offset = token[0] == 'o' ? strtoll(token + 1, &e, 10) : -1;
        if (offset < 0 || token[0] != 'o' || *e)
            return aws_fail(&c->err, 400, "InvalidNextToken", "The service cannot read the token.");
    }
    ctx x = {.c = c, .n = n};
    x.qs = calloc(n ? n : 1, sizeof *x.qs);
    if (!x.qs) abort();
    for (size_t i = 0; i < n; i++) {
        x.qs[i].q = json_array_get(list, i);
        x.qs[i].id = json_string_value(json_object_get(x.qs[i].q, "Id"));
        if (!x.qs[i].id) x.qs[i].id = "";
    }
    int rc = run(&x, start, end);
    if (!rc) {
        json_t *results = json_array();
        int64_t seen = 0, emitted = 0;
        bool cut = false;
        for (size_t i = 0; i < n; i++) {
            query *q = &x.qs[i];
            const json_t *rd = json_object_get(q->q, "ReturnData");
            if (rd && !json_is_true(rd)) continue;
            const char *label = json_string_value(json_object_get(q->q, "Label"));
            if (!label && !q->is_expr)
                label = json_string_value(json_object_get(
                    json_object_get(json_object_get(q->q, "MetricStat"), "Metric"), "MetricName"));
            json_t *ts = json_array(), *vs = json_array();
            bool partial = false;
            for (size_t k = 0; k < x.n_time; k++) {
                size_t t = ascending ? k : x.n_time - 1 - k;
                double v = q->result.kind == V_SCALAR ? q->result.s : q->result.v[t];
                if (isnan(v)) continue;
                if (seen++ < offset) continue;
                if (emitted == max) {
                    partial = cut = true;
                    break;
                }
                emitted++;
                json_array_append_new(ts, json_time(x.time[t]));
                json_array_append_new(vs, json_real(v));
            }
            json_array_append_new(
                results, json_pack("{s:s, s:s, s:o, s:o, s:s, s:[]}", "Id", q->id, "Label",
                                   label ? label : q->id, "Timestamps", ts, "Values", vs,
                                   "StatusCode", partial ? "PartialData" : "Complete", "Messages"));
        }
        c->out = json_pack("{s:o, s:[]}", "MetricDataResults", results, "Messages");
        if (cut) {
            char t[32];
            snprintf(t, sizeof t, "o%lld", (long long)(offset + emitted));
            json_object_set_new(c->out, "NextToken", json_string(t));
        }
    }
    for (size_t i = 0; i < n; i++) {
        val_free(&x.qs[i].result);
        free(x.qs[i].raw_ts);
        free(x.qs[i].raw_v);
    }
    free(x.qs);
    free(x.time);
    return rc;
}
