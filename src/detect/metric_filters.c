/* metric_filters: events to metric data through a group's compiled metric filters. */
#include "detect/metric_filters.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "filter/filter_pattern.h"
#include "state/alarms.h"
#include "state/metricstore.h"

typedef struct mf_filter {
    char *name, *namespace_, *metric, *unit;
    fp_pattern *pattern;
    bool value_is_number;
    double value;            /* value_is_number */
    fp_value_ref *value_ref; /* otherwise */
    bool has_default;
    double default_value;
    size_t n_dims;
    char *dim_names[MF_DIMENSIONS_MAX];
    fp_value_ref *dims[MF_DIMENSIONS_MAX];
    int guard; /* its guard's slot in the set, or -1: evaluated on every event */
} mf_filter;

/* Filters whose patterns have the same guard selector share a slot: per event the
 * value there is looked up once (by the slot's first filter's pattern) and each of
 * them skipped unless its guard admits it. Why: in a perf profile of `make bench-detection`
 * at 50,000 records/s, matching the 100 filters was about a third of the streamer's
 * samples without guards. */
#define MF_GUARD_SLOTS 8
struct mf_set {
    mf_filter *filters;
    size_t n;
    size_t n_slots;
    size_t slot_filter[MF_GUARD_SLOTS]; /* the filter whose pattern resolves the slot */
};

/* Gives each filter its guard slot, by key, while slots last. */
static void assign_guards(mf_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        mf_filter *f = &s->filters[i];
        f->guard = -1;
        const char *key = fp_guard_key(f->pattern);
        if (!key) continue;
        for (size_t k = 0; k < s->n_slots && f->guard < 0; k++)
            if (strcmp(fp_guard_key(s->filters[s->slot_filter[k]].pattern), key) == 0)
                f->guard = (int)k;
        if (f->guard < 0 && s->n_slots < MF_GUARD_SLOTS) {
            s->slot_filter[s->n_slots] = i;
            f->guard = (int)s->n_slots++;
        }
    }
}

static char *dup_or_empty(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    char *d = xmalloc(n + 1);
    memcpy(d, s ? s : "", n);
    d[n] = 0;
    return d;
}

static void filter_clear(mf_filter *f)
{
    free(f->name);
    free(f->namespace_);
    free(f->metric);
    free(f->unit);
    fp_free(f->pattern);
    fp_value_free(f->value_ref);
    for (size_t k = 0; k < f->n_dims; k++) {
        free(f->dim_names[k]);
        fp_value_free(f->dims[k]);
    }
}

static bool parse_number(const char *s, double *out)
{
    char *end = NULL;
    if (!s || !*s) return false;
    *out = strtod(s, &end);
    return end && *end == 0;
}

/* Compiles one stored filter; false when it no longer compiles (PutMetricFilter checked
 * it, so only a changed grammar could do that: such a filter counts nothing). */
static bool filter_build(mf_filter *f, const char *name, const char *pattern, const char *tjson)
{
    memset(f, 0, sizeof *f);
    char err[300];
    json_t *t = json_loads(tjson, 0, NULL);
    if (!t || fp_compile(pattern, strlen(pattern), &f->pattern, err, sizeof err)) {
        json_decref(t);
        return false;
    }
    f->name = dup_or_empty(name);
    f->namespace_ = dup_or_empty(json_string_value(json_object_get(t, "metricNamespace")));
    f->metric = dup_or_empty(json_string_value(json_object_get(t, "metricName")));
    f->unit = dup_or_empty(json_string_value(json_object_get(t, "unit")));
    const char *value = json_string_value(json_object_get(t, "metricValue"));
    bool ok = true;
    if (value && value[0] != '$' && parse_number(value, &f->value))
        f->value_is_number = true;
    else if (!value || fp_value_compile(f->pattern, value, &f->value_ref, err, sizeof err))
        ok = false;
    const json_t *d = json_object_get(t, "defaultValue");
    if (json_is_number(d)) f->has_default = true, f->default_value = json_number_value(d);
    const char *key;
    const json_t *sel;
    json_object_foreach(json_object_get(t, "dimensions"), key, sel)
    {
        if (f->n_dims == MF_DIMENSIONS_MAX) break;
        fp_value_ref *ref;
        if (!json_string_value(sel) ||
            fp_value_compile(f->pattern, json_string_value(sel), &ref, err, sizeof err)) {
            ok = false;
            break;
        }
        f->dim_names[f->n_dims] = dup_or_empty(key);
        f->dims[f->n_dims++] = ref;
    }
    json_decref(t);
    if (!ok) filter_clear(f);
    return ok;
}

mf_set *mf_set_load(db_conn *db, const char *account_id, const char *region, const char *group)
{
    sqlite3_stmt *st = db_query(db,
                                "SELECT f.name, f.pattern, f.transformation FROM metric_filters f "
                                "JOIN log_groups g ON g.id = f.group_id WHERE g.account_id = ? "
                                "AND g.region = ? AND g.name = ? ORDER BY f.name",
                                "sss", account_id, region, group);
    mf_set *s = NULL;
    size_t cap = 0;
    while (db_row(st)) {
        if (!s) s = xcalloc(1, sizeof *s);
        s->filters = xgrow(s->filters, &cap, s->n + 1, sizeof *s->filters);
        if (filter_build(&s->filters[s->n], db_text(st, 0), db_text(st, 1), db_text(st, 2))) s->n++;
    }
    db_done(st);
    if (s && !s->n) {
        mf_set_free(s);
        s = NULL;
    }
    if (s) assign_guards(s);
    return s;
}

void mf_set_free(mf_set *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n; i++)
        filter_clear(&s->filters[i]);
    free(s->filters);
    free(s);
}

size_t mf_set_size(const mf_set *s)
{
    return s ? s->n : 0;
}

/* ----- aggregation ----- */

typedef struct agg {
    size_t filter;
    int64_t minute_ms;
    char *dims; /* the dimension values, each NUL-terminated, one after the other */
    size_t dims_len;
    double sum, min, max, count;
} agg;

typedef struct agg_table {
    agg *rows;
    size_t n, cap;
} agg_table;

static void agg_add(agg_table *t, size_t filter, int64_t minute, const char *dims, size_t dims_len,
                    double v)
{
    for (size_t i = t->n; i-- > 0;) {
        agg *a = &t->rows[i];
        if (a->filter == filter && a->minute_ms == minute && a->dims_len == dims_len &&
            memcmp(a->dims, dims, dims_len) == 0) {
            a->sum += v;
            a->count += 1;
            if (v < a->min) a->min = v;
            if (v > a->max) a->max = v;
            return;
        }
    }
    t->rows = xgrow(t->rows, &t->cap, t->n + 1, sizeof *t->rows);
    agg *a = &t->rows[t->n++];
    a->filter = filter;
    a->minute_ms = minute;
    a->dims = xmalloc(dims_len ? dims_len : 1);
    memcpy(a->dims, dims, dims_len);
    a->dims_len = dims_len;
    a->sum = a->min = a->max = v;
    a->count = 1;
}

/* The filter's contribution for one event: adds to t, or nothing. ruled_out: its guard
 * has already decided that the pattern does not match. */
static void evaluate_one(const mf_filter *f, size_t fi, fp_event *ev, bool ruled_out,
                         int64_t minute, fp_text *scratch, buf *dims, agg_table *t)
{
    if (ruled_out || !fp_match(f->pattern, ev)) {
        if (f->has_default) agg_add(t, fi, minute, "", 0, f->default_value);
        return;
    }
    double v = f->value;
    const char *s;
    size_t n;
    if (!f->value_is_number) {
        if (!fp_value_text(f->value_ref, ev, scratch, &s, &n) || n >= 64) return;
        char tmp[64];
        memcpy(tmp, s, n);
        tmp[n] = 0;
        if (!parse_number(tmp, &v)) return;
    }
    buf_reset(dims);
    for (size_t k = 0; k < f->n_dims; k++) {
        if (!fp_value_text(f->dims[k], ev, scratch, &s, &n) || n == 0) return;
        buf_append(dims, s, n);
        buf_putc(dims, 0);
    }
    agg_add(t, fi, minute, dims->data ? dims->data : "", dims->len, v);
}

int mf_set_evaluate(const mf_set *s, const logstore_input *ev, size_t n, mf_emit_fn emit, void *arg)
{
    if (!s || !n) return 0;
    agg_table t = {0};
    fp_text scratch = {0}, slot_text[MF_GUARD_SLOTS] = {{0}};
    buf dims = BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        fp_event e;
        fp_event_init(&e, ev[i].message, ev[i].len);
        int64_t minute = ev[i].timestamp - ev[i].timestamp % 60000;
        /* Each slot's value: looked up on first need; state 0 not yet, 1 found, -1 none. */
        int state[MF_GUARD_SLOTS] = {0};
        const char *val[MF_GUARD_SLOTS];
        size_t len[MF_GUARD_SLOTS];
        for (size_t fi = 0; fi < s->n; fi++) {
            const mf_filter *f = &s->filters[fi];
            int g = f->guard;
            if (g >= 0 && !state[g])
                state[g] = fp_guard_value(s->filters[s->slot_filter[g]].pattern, &e, &slot_text[g],
                                          &val[g], &len[g])
                               ? 1
                               : -1;
            bool ruled_out =
                g >= 0 && (state[g] < 0 || !fp_guard_admits(f->pattern, val[g], len[g]));
            evaluate_one(f, fi, &e, ruled_out, minute, &scratch, &dims, &t);
        }
        fp_event_release(&e);
    }
    fp_text_free(&scratch);
    for (size_t k = 0; k < MF_GUARD_SLOTS; k++)
        fp_text_free(&slot_text[k]);
    buf_free(&dims);
    int rc = 0;
    for (size_t i = 0; i < t.n; i++) {
        const agg *a = &t.rows[i];
        const mf_filter *f = &s->filters[a->filter];
        mf_datapoint dp = {.filter = f->name,
                           .namespace_ = f->namespace_,
                           .metric = f->metric,
                           .unit = f->unit,
                           .minute_ms = a->minute_ms,
                           .sum = a->sum,
                           .min = a->min,
                           .max = a->max,
                           .count = a->count};
        const char *p = a->dims;
        if (a->dims_len)
            for (size_t k = 0; k < f->n_dims; k++, p += strlen(p) + 1) {
                dp.dim_names[dp.n_dims] = f->dim_names[k];
                dp.dim_values[dp.n_dims++] = p;
            }
        if (!rc) rc = emit(&dp, arg);
    }
    for (size_t i = 0; i < t.n; i++)
        free(t.rows[i].dims);
    free(t.rows);
    return rc;
}

typedef struct publish_ctx {
    db_conn *db;
    const char *account_id, *region;
    int64_t now_ms;
} publish_ctx;

static int store_datapoint(const mf_datapoint *dp, void *arg)
{
    publish_ctx *p = arg;
    metricstore_dim dims[MF_DIMENSIONS_MAX];
    for (size_t k = 0; k < dp->n_dims; k++)
        dims[k] = (metricstore_dim){dp->dim_names[k], dp->dim_values[k]};
    metricstore_key key = {.account_id = p->account_id,
                           .region = p->region,
                           .ns = dp->namespace_,
                           .name = dp->metric,
                           .dims = dims,
                           .n_dims = dp->n_dims};
    metricstore_point pt = {.ts_ms = dp->minute_ms,
                            .unit = dp->unit[0] ? dp->unit : NULL,
                            .count = dp->count,
                            .sum = dp->sum,
                            .min = dp->min,
                            .max = dp->max};
    if (metricstore_put(p->db, &key, &pt, 1, p->now_ms)) return -1;
    int changed = 0;
    return alarm_evaluate(p->db, p->account_id, p->region, p->now_ms, dp->namespace_, dp->metric,
                          &changed);
}

int mf_publish(db_conn *db, const char *account_id, const char *region, const char *group,
               const logstore_input *ev, size_t n, int64_t now_ms)
{
    if (!n) return 0;
    mf_set *s = mf_set_load(db, account_id, region, group);
    if (!s) return 0;
    publish_ctx p = {db, account_id, region, now_ms};
    int rc = mf_set_evaluate(s, ev, n, store_datapoint, &p);
    mf_set_free(s);
    return rc ? -1 : 0;
}
