/* metric_filters: a log group's metric filters turning its new events into metric data,
 * as CloudWatch Logs does (PutMetricFilter's contract and "Filter pattern syntax").
 *
 * mf_set_load compiles every metric filter of a group (state: metric_filters, made by
 * svc/logs_filters.c) once; mf_set_evaluate runs a batch of events through all of them,
 * each event tokenized once for every filter (filter/filter_pattern.h), and aggregates
 * what they produce per filter, dimension set and minute of the event's timestamp:
 *   - a match adds metricValue: the number, or the number the selector ($.x, $field)
 *     finds in the event (an event whose selected value is not a number adds nothing);
 *   - dimensions come from the event's fields; an event lacking one adds nothing (the
 *     datapoint could not be attributed);
 *   - an event that does not match adds defaultValue when the filter has one (dimensions
 *     and defaultValue never come together), so a minute with events but no match reports
 *     the default, and a minute without events reports nothing.
 * The result is handed out as statistic sets (sum, count, min, max) through a callback,
 * minute by minute: the caller stores them as metric data (PutMetricData's
 * StatisticValues) and lets alarms look at them.
 *
 * Ownership: an mf_set owns its compiled patterns; mf_set_free releases it. Evaluation
 * allocates only its aggregation table, freed before it returns. */
#ifndef ORGTRAIL_DETECT_METRIC_FILTERS_H
#define ORGTRAIL_DETECT_METRIC_FILTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state/db.h"
#include "state/logstore.h"

#define MF_DIMENSIONS_MAX 3

typedef struct mf_set mf_set;

/* The metric filters of group (account, region, name); NULL when it has none (or on a
 * database error: metric data is derived, the events are stored either way). */
mf_set *mf_set_load(db_conn *db, const char *account_id, const char *region, const char *group);
void mf_set_free(mf_set *s);
size_t mf_set_size(const mf_set *s);

/* One aggregated datapoint. Strings are valid during the callback only. */
typedef struct mf_datapoint {
    const char *filter;
    const char *namespace_;
    const char *metric;
    const char *unit; /* "" when the filter names none */
    size_t n_dims;
    const char *dim_names[MF_DIMENSIONS_MAX];
    const char *dim_values[MF_DIMENSIONS_MAX];
    int64_t minute_ms; /* the start of the minute its events fall in */
    double sum, min, max;
    double count;
} mf_datapoint;

typedef int (*mf_emit_fn)(const mf_datapoint *dp, void *arg);

/* Evaluates ev[0..n) against every filter of s and emits the aggregates (in no promised
 * order). Returns 0, or the first non-zero return of emit (evaluation stops there). */
int mf_set_evaluate(const mf_set *s, const logstore_input *ev, size_t n, mf_emit_fn emit,
                    void *arg);

/* What a group's new events do to metrics: evaluates them through the group's filters
 * (mf_set_load, mf_set_evaluate), stores each aggregate as a statistic set of the metric
 * in the group's account and region (state/metricstore.h) and evaluates that metric's
 * alarms at once (state/alarms.h alarm_evaluate), so an alarm changes state, and queues
 * its actions, in the same transaction as the events that caused it (the caller's: a
 * PutLogEvents call, a streaming round). 0, or -1 on a database error. */
__attribute__((warn_unused_result)) int mf_publish(db_conn *db, const char *account_id,
                                                   const char *region, const char *group,
                                                   const logstore_input *ev, size_t n,
                                                   int64_t now_ms);

#endif
