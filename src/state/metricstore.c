#include "state/metricstore.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int dim_cmp(const void *a, const void *b)
{
    const metricstore_dim *x = a, *y = b;
    return strcmp(x->name, y->name);
}

char *metricstore_dims_text(const metricstore_dim *dims, size_t n)
{
    metricstore_dim sorted[METRICSTORE_MAX_DIMS];
    if (n > METRICSTORE_MAX_DIMS) n = METRICSTORE_MAX_DIMS;
    if (n) memcpy(sorted, dims, n * sizeof *dims);
    qsort(sorted, n, sizeof *sorted, dim_cmp);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s}", "Name", sorted[i].name, "Value",
                                             sorted[i].value ? sorted[i].value : ""));
    char *text = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    if (!text) abort();
    return text;
}

/* The metric's id: 0 when it does not exist (and create is false), -1 on an error. */
static int64_t metric_id(db_conn *db, const metricstore_key *k, bool create, int64_t now_ms)
{
    char *dims = metricstore_dims_text(k->dims, k->n_dims);
    int64_t id = 0;
    if (!db_get_int(db, &id,
                    "SELECT id FROM metrics WHERE account_id = ? AND region = ? AND namespace = ? "
                    "AND name = ? AND dims = ?",
                    "sssss", k->account_id, k->region, k->ns, k->name, dims)) {
        id = 0;
        if (create) {
            if (db_exec(db,
                        "INSERT INTO metrics(account_id, region, namespace, name, dims, "
                        "last_put_ms) VALUES(?, ?, ?, ?, ?, ?)",
                        "sssssi", k->account_id, k->region, k->ns, k->name, dims, now_ms))
                id = -1;
            else
                id = sqlite3_last_insert_rowid(db->h);
        }
    }
    free(dims);
    return id;
}

typedef struct put_args {
    const metricstore_key *k;
    const metricstore_point *pts;
    size_t n;
    int64_t now_ms;
} put_args;

static int put_points(db_conn *db, void *arg)
{
    const put_args *a = arg;
    const metricstore_key *k = a->k;
    const metricstore_point *pts = a->pts;
    size_t n = a->n;
    int64_t now_ms = a->now_ms;
    int64_t id = metric_id(db, k, true, now_ms);
    if (id < 0) return -1;
    if (db_exec(db, "UPDATE metrics SET last_put_ms = MAX(last_put_ms, ?) WHERE id = ?", "ii",
                now_ms, id))
        return -1;
    for (size_t i = 0; i < n; i++) {
        const metricstore_point *p = &pts[i];
        /* Raw values as (value, count) pairs of doubles, in host order: the database is
         * this machine's and never leaves it as a file other code reads. */
        double *pairs = NULL;
        size_t bytes = 0;
        if (p->n_values) {
            bytes = p->n_values * 2 * sizeof(double);
            pairs = malloc(bytes);
            if (!pairs) abort();
            for (size_t j = 0; j < p->n_values; j++) {
                pairs[2 * j] = p->values[j];
                pairs[2 * j + 1] = p->counts ? p->counts[j] : 1.0;
            }
        }
        int rc = db_exec(db,
                         "INSERT INTO metric_points(metric_id, ts, unit, count, sum, min, max, "
                         "vals) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
                         "iisffffb", id, p->ts_ms, p->unit ? p->unit : "None", p->count, p->sum,
                         p->min, p->max, (const void *)pairs, bytes);
        free(pairs);
        if (rc) return -1;
    }
    return 0;
}

int metricstore_put(db_conn *db, const metricstore_key *k, const metricstore_point *pts, size_t n,
                    int64_t now_ms)
{
    put_args a = {k, pts, n, now_ms};
    return db_in_tx(db, put_points, &a);
}

/* ---- listing ------------------------------------------------------------------------- */

static bool dims_match(const char *dims_json, const metricstore_dim *want, size_t n)
{
    if (!n) return true;
    json_t *arr = json_loads(dims_json, 0, NULL);
    bool all = true;
    for (size_t i = 0; i < n && all; i++) {
        bool found = false;
        size_t j;
        json_t *d;
        json_array_foreach(arr, j, d)
        {
            const char *name = json_string_value(json_object_get(d, "Name"));
            const char *value = json_string_value(json_object_get(d, "Value"));
            if (name && !strcmp(name, want[i].name) &&
                (!want[i].value || (value && !strcmp(value, want[i].value))))
                found = true;
        }
        all = found;
    }
    json_decref(arr);
    return all;
}

int metricstore_list(db_conn *db, const metricstore_filter *f, size_t limit,
                     metricstore_metric **out, size_t *n, bool *more)
{
    *out = NULL;
    *n = 0;
    *more = false;
    sqlite3_stmt *st = db_query(db,
                                "SELECT id, namespace, name, dims FROM metrics WHERE "
                                "account_id = ? AND region = ? AND (?3 IS NULL OR namespace = ?3) "
                                "AND (?4 IS NULL OR name = ?4) AND last_put_ms >= ? AND id > ? "
                                "ORDER BY id",
                                "ssssii", f->account_id, f->region, f->ns, f->name,
                                f->active_since_ms, f->after_id);
    if (!st) return -1;
    size_t cap = 0;
    while (db_row(st)) {
        if (!dims_match(db_text(st, 3), f->dims, f->n_dims)) continue;
        if (*n == limit) {
            *more = true;
            break;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *out = realloc(*out, cap * sizeof **out);
            if (!*out) abort();
        }
        metricstore_metric *m = &(*out)[(*n)++];
        m->id = db_int(st, 0);
        m->ns = strdup(db_text(st, 1));
        m->name = strdup(db_text(st, 2));
        m->dims_json = strdup(db_text(st, 3));
        if (!m->ns || !m->name || !m->dims_json) abort();
    }
    db_done(st);
    return 0;
}

void metricstore_metrics_free(metricstore_metric *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(m[i].ns);
        free(m[i].name);
        free(m[i].dims_json);
    }
    free(m);
}

/* ---- statistics ---------------------------------------------------------------------- */

static void add_values(metricstore_bucket *b, const double *pairs, size_t np)
{
    b->values = realloc(b->values, (b->n_values + np) * sizeof(double));
    b->counts = realloc(b->counts, (b->n_values + np) * sizeof(double));
    if (!b->values || !b->counts) abort();
    for (size_t j = 0; j < np; j++) {
        b->values[b->n_values] = pairs[2 * j];
        b->counts[b->n_values] = pairs[2 * j + 1];
        b->n_values++;
    }
}

/* Sorts a bucket's values ascending, their counts with them (insertion sort on an index:
 * periods hold few distinct values next to their counts). */
static void sort_values(metricstore_bucket *b)
{
    for (size_t i = 1; i < b->n_values; i++) {
        double v = b->values[i], c = b->counts[i];
        size_t j = i;
        while (j > 0 && b->values[j - 1] > v) {
            b->values[j] = b->values[j - 1];
            b->counts[j] = b->counts[j - 1];
            j--;
        }
        b->values[j] = v;
        b->counts[j] = c;
    }
}

int metricstore_stats(db_conn *db, const metricstore_key *k, int64_t start_ms, int64_t end_ms,
                      int period_s, const char *unit, metricstore_bucket **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (period_s <= 0) return 0;
    int64_t id = metric_id(db, k, false, 0);
    if (id <= 0) return id < 0 ? -1 : 0;
    sqlite3_stmt *st = db_query(db,
                                "SELECT ts, unit, count, sum, min, max, vals FROM metric_points "
                                "WHERE metric_id = ? AND ts >= ? AND ts < ? AND (?4 IS NULL OR "
                                "unit = ?4) ORDER BY ts",
                                "iiis", id, start_ms, end_ms, unit);
    if (!st) return -1;
    int64_t period_ms = (int64_t)period_s * 1000;
    size_t cap = 0;
    while (db_row(st)) {
        int64_t ts = db_int(st, 0);
        int64_t start = ts - (((ts % period_ms) + period_ms) % period_ms);
        metricstore_bucket *b = *n ? &(*out)[*n - 1] : NULL;
        if (!b || b->ts_ms != start) {
            if (*n == cap) {
                cap = cap ? cap * 2 : 16;
                *out = realloc(*out, cap * sizeof **out);
                if (!*out) abort();
            }
            b = &(*out)[(*n)++];
            memset(b, 0, sizeof *b);
            b->ts_ms = start;
            b->min = INFINITY;
            b->max = -INFINITY;
            b->has_values = true;
        }
        snprintf(b->unit, sizeof b->unit, "%s", db_text(st, 1));
        b->count += db_double(st, 2);
        b->sum += db_double(st, 3);
        b->min = fmin(b->min, db_double(st, 4));
        b->max = fmax(b->max, db_double(st, 5));
        size_t len;
        const void *vals = db_blob(st, 6, &len);
        if (len >= 2 * sizeof(double)) {
            size_t np = len / (2 * sizeof(double));
            double *pairs = malloc(np * 2 * sizeof(double));
            if (!pairs) abort();
            memcpy(pairs, vals, np * 2 * sizeof(double));
            add_values(b, pairs, np);
            free(pairs);
        } else {
            b->has_values = false;
        }
    }
    db_done(st);
    for (size_t i = 0; i < *n; i++)
        sort_values(&(*out)[i]);
    return 0;
}

void metricstore_buckets_free(metricstore_bucket *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(b[i].values);
        free(b[i].counts);
    }
    free(b);
}

bool metricstore_is_percentile(const char *stat)
{
    if (!stat || stat[0] != 'p' || !stat[1]) return false;
    char *end;
    double p = strtod(stat + 1, &end);
    return !*end && p >= 0 && p <= 100 && stat[1] >= '0' && stat[1] <= '9';
}

bool metricstore_statistic(const metricstore_bucket *b, const char *stat, double *out)
{
    if (!strcmp(stat, "SampleCount"))
        *out = b->count;
    else if (!strcmp(stat, "Sum"))
        *out = b->sum;
    else if (!strcmp(stat, "Minimum"))
        *out = b->min;
    else if (!strcmp(stat, "Maximum"))
        *out = b->max;
    else if (!strcmp(stat, "Average"))
        *out = b->count > 0 ? b->sum / b->count : 0;
    else if (metricstore_is_percentile(stat)) {
        if (!b->has_values || !b->n_values) return false;
        double p = strtod(stat + 1, NULL), total = 0;
        for (size_t i = 0; i < b->n_values; i++)
            total += b->counts[i];
        /* Nearest rank: the smallest value with at least p% of the samples at or below. */
        double rank = ceil(p / 100.0 * total), seen = 0;
        if (rank < 1) rank = 1;
        *out = b->values[b->n_values - 1];
        for (size_t i = 0; i < b->n_values; i++) {
            seen += b->counts[i];
            if (seen >= rank) {
                *out = b->values[i];
                break;
            }
        }
    } else {
        return false;
    }
    return true;
}
