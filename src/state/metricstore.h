/* metricstore: CloudWatch metrics and their datapoints as stored, for every writer and
 * reader of them: the CloudWatch API (svc/cloudwatch*.c: PutMetricData, ListMetrics,
 * GetMetricStatistics, GetMetricData), alarm evaluation (state/alarms.h), and CloudWatch
 * Logs' metric filters, which put datapoints without going through HTTP. It knows nothing
 * of requests: callers name a metric by (account, region, namespace, metric name,
 * dimension set) and get state-level results; AWS's limits and errors are the callers'.
 *
 * A metric is the unique combination of its key: the same name with other dimensions is
 * another metric. Dimensions are a set: their order does not matter (they are kept
 * sorted by name; names are unique within a set, which callers check).
 *
 * A datapoint is what one PutMetricData entry carries, reduced to a statistic set
 * (SampleCount, Sum, Minimum, Maximum) plus, when the caller had raw values (Value, or
 * Values with Counts), those values with their counts, for percentiles. A datapoint put
 * as a statistic set has no values; a period with one has no percentiles, as on AWS.
 *
 * Reading: metricstore_stats aggregates a metric's datapoints into periods aligned to
 * multiples of the period since the epoch (AWS aligns them so for the periods it
 * allows), each with its statistic set and, for percentiles, its values.
 *
 * Durability: WAL with synchronous=FULL (state/db.c). Writers join the caller's
 * transaction when one is open, else run in one of their own. Returns: 0, or -1 on a
 * database error (db_errmsg). */
#ifndef ORGTRAIL_METRICSTORE_H
#define ORGTRAIL_METRICSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state/db.h"

/* PutMetricData's window (AWS's): datapoints older than two weeks or more than two hours
 * ahead are refused. */
#define METRICSTORE_MAX_AGE_MS (14LL * 24 * 3600 * 1000)
#define METRICSTORE_MAX_AHEAD_MS (2LL * 3600 * 1000)
/* ListMetrics' RecentlyActive=PT3H: a datapoint within the last three hours. */
#define METRICSTORE_RECENT_MS (3LL * 3600 * 1000)
#define METRICSTORE_MAX_DIMS 30

typedef struct metricstore_dim {
    const char *name;
    const char *value; /* NULL in a ListMetrics filter: any value */
} metricstore_dim;

typedef struct metricstore_key {
    const char *account_id;
    const char *region;
    const char *ns;
    const char *name;
    const metricstore_dim *dims; /* n_dims of them, in any order */
    size_t n_dims;
} metricstore_key;

/* A datapoint to store (borrowed). values/counts: n_values raw values and how many times
 * each was seen (counts NULL: once each); n_values 0 for a statistic set. */
typedef struct metricstore_point {
    int64_t ts_ms;
    const char *unit; /* AWS's StandardUnit; NULL: "None" */
    double count, sum, min, max;
    const double *values;
    const double *counts;
    size_t n_values;
} metricstore_point;

/* Stores pts[0..n) for metric k (made on first use), as of now_ms (its last activity,
 * for RecentlyActive). */
__attribute__((warn_unused_result)) int metricstore_put(db_conn *db, const metricstore_key *k,
                                                        const metricstore_point *pts, size_t n,
                                                        int64_t now_ms);

/* The canonical text of a dimension set: a JSON array of {"Name","Value"} sorted by name
 * (malloc'd; the caller frees it). Two sets are the same metric's when their texts are. */
char *metricstore_dims_text(const metricstore_dim *dims, size_t n);

/* One metric as listed (owned by the array metricstore_list returns). */
typedef struct metricstore_metric {
    int64_t id;
    char *ns, *name;
    char *dims_json; /* metricstore_dims_text's form */
} metricstore_metric;

/* ListMetrics' filters: NULL / 0 where absent. A metric matches a dimension filter when
 * it has a dimension of each filtered name (with that value, when one is given). */
typedef struct metricstore_filter {
    const char *account_id;
    const char *region;
    const char *ns;
    const char *name;
    const metricstore_dim *dims;
    size_t n_dims;
    int64_t active_since_ms; /* only metrics with a datapoint put since then; 0: any */
    int64_t after_id;        /* paging: metrics with a larger id only */
} metricstore_filter;

/* Up to limit matching metrics in id order into *out (*n of them; free with
 * metricstore_metrics_free). *more: whether further ones match. 0 or -1. */
int metricstore_list(db_conn *db, const metricstore_filter *f, size_t limit,
                     metricstore_metric **out, size_t *n, bool *more);
void metricstore_metrics_free(metricstore_metric *m, size_t n);

/* One period's aggregate. values/counts: the raw values of its datapoints sorted
 * ascending (n_values of them); has_values is false when some datapoint of the period was
 * a statistic set (then there are no percentiles). */
typedef struct metricstore_bucket {
    int64_t ts_ms; /* the period's start */
    double count, sum, min, max;
    char unit[32];
    bool has_values;
    double *values, *counts;
    size_t n_values;
} metricstore_bucket;

/* A metric's periods in [start_ms, end_ms) with datapoints of unit `unit` (NULL: any),
 * of period_s seconds, oldest first, into *out (*n; free with metricstore_buckets_free).
 * A metric that does not exist has no periods. 0 or -1. */
int metricstore_stats(db_conn *db, const metricstore_key *k, int64_t start_ms, int64_t end_ms,
                      int period_s, const char *unit, metricstore_bucket **out, size_t *n);
void metricstore_buckets_free(metricstore_bucket *b, size_t n);

/* A statistic of a bucket by its API name: "SampleCount", "Sum", "Average", "Minimum",
 * "Maximum", or an extended statistic "pNN" / "pNN.NN" (nearest rank over the values).
 * false when the bucket cannot give it (a percentile without values) or the name is not
 * one of these. */
bool metricstore_statistic(const metricstore_bucket *b, const char *stat, double *out);
/* Whether stat names an extended statistic metricstore_statistic reads (p0 .. p100). */
bool metricstore_is_percentile(const char *stat);

#endif
