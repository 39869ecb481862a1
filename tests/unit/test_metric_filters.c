/* detect/metric_filters: stored metric filters compiled once and a batch of events turned
 * into per-minute statistic sets: counts, selected values, dimensions, default values,
 * and the events that add nothing (a non-numeric value, a missing dimension). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "detect/metric_filters.h"
#include "testenv.h"

#define ACCT "111111111111"
#define MIN0 1700000040000LL /* a minute's start */

typedef struct seen {
    char lines[32][200];
    size_t n;
} seen;

static int collect(const mf_datapoint *dp, void *arg)
{
    seen *s = arg;
    assert_true(s->n < 32);
    char dims[100] = "";
    for (size_t k = 0; k < dp->n_dims; k++)
        snprintf(dims + strlen(dims), sizeof dims - strlen(dims), "%s%s=%s", k ? "," : "",
                 dp->dim_names[k], dp->dim_values[k]);
    snprintf(s->lines[s->n++], sizeof s->lines[0], "%s %s/%s [%s] +%lld sum=%g n=%g min=%g max=%g",
             dp->filter, dp->namespace_, dp->metric, dims, (long long)(dp->minute_ms - MIN0) / 1000,
             dp->sum, dp->count, dp->min, dp->max);
    return 0;
}

static bool has(const seen *s, const char *line)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->lines[i], line)) return true;
    return false;
}

static void add_filter(db_conn *db, const char *name, const char *pattern, const char *t)
{
    assert_int_equal(db_exec(db,
                             "INSERT INTO metric_filters(group_id, name, pattern, transformation, "
                             "has_regex, created_ms) SELECT id, ?, ?, ?, 0, 0 FROM log_groups "
                             "WHERE name = 'g'",
                             "sss", name, pattern, t),
                     0);
}

static void test_evaluate(void **state)
{
    (void)state;
    testenv_store store;
    testenv_store_open(&store, "mf");
    db_conn *db = store.db;
    assert_null(mf_set_load(db, ACCT, "us-east-1", "g"));
    assert_int_equal(db_exec(db,
                             "INSERT INTO log_groups(account_id, region, name, created_ms) "
                             "VALUES(?, 'us-east-1', 'g', 0)",
                             "s", ACCT),
                     0);
    add_filter(db, "count", "{ $.eventName = Delete* }",
               "{\"metricName\":\"deletes\",\"metricNamespace\":\"ns\",\"metricValue\":\"1\"}");
    add_filter(db, "latency", "{ $.latency = * }",
               "{\"metricName\":\"lat\",\"metricNamespace\":\"ns\",\"metricValue\":\"$.latency\","
               "\"dimensions\":{\"op\":\"$.eventName\"},\"unit\":\"Milliseconds\"}");
    add_filter(db, "errors", "ERROR",
               "{\"metricName\":\"errors\",\"metricNamespace\":\"ns\",\"metricValue\":\"2\","
               "\"defaultValue\":0}");
    mf_set *s = mf_set_load(db, ACCT, "us-east-1", "g");
    assert_non_null(s);
    assert_int_equal(mf_set_size(s), 3);
    const char *msgs[] = {
        "{\"eventName\":\"DeleteBucket\",\"latency\":10}",
        "{\"eventName\":\"DeleteUser\",\"latency\":30}",
        "{\"eventName\":\"GetObject\",\"latency\":\"slow\"}", /* not a number: adds nothing */
        "{\"latency\":5}",                                    /* no dimension: adds nothing */
        "ERROR in the next minute",
        "{\"eventName\":\"DeleteBucket\",\"latency\":20}",
    };
    int64_t ts[] = {MIN0, MIN0 + 1000, MIN0 + 2000, MIN0 + 3000, MIN0 + 60000, MIN0 + 61000};
    logstore_input ev[6];
    for (size_t i = 0; i < 6; i++)
        ev[i] = (logstore_input){ts[i], msgs[i], strlen(msgs[i])};
    seen got = {0};
    assert_int_equal(mf_set_evaluate(s, ev, 6, collect, &got), 0);
    for (size_t i = 0; i < got.n; i++)
        print_message("%s\n", got.lines[i]);
    assert_true(has(&got, "count ns/deletes [] +0 sum=2 n=2 min=1 max=1"));
    assert_true(has(&got, "count ns/deletes [] +60 sum=1 n=1 min=1 max=1"));
    assert_true(has(&got, "latency ns/lat [op=DeleteBucket] +0 sum=10 n=1 min=10 max=10"));
    assert_true(has(&got, "latency ns/lat [op=DeleteUser] +0 sum=30 n=1 min=30 max=30"));
    assert_true(has(&got, "latency ns/lat [op=DeleteBucket] +60 sum=20 n=1 min=20 max=20"));
    /* Four unmatched events in the first minute report the default 0; the second minute
     * has the match (2) and one unmatched event (0). */
    assert_true(has(&got, "errors ns/errors [] +0 sum=0 n=4 min=0 max=0"));
    assert_true(has(&got, "errors ns/errors [] +60 sum=2 n=2 min=0 max=2"));
    assert_int_equal(got.n, 7);
    mf_set_free(s);
    testenv_store_close(&store);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evaluate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
