/* state/metricstore: datapoints put as values, value/count arrays and statistic sets;
 * statistics by period (alignment, every statistic, percentiles and when there are none,
 * units); dimension sets as sets; ListMetrics' filters, RecentlyActive and paging; and
 * that a batch joins the caller's transaction (a rollback leaves nothing). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "state/db.h"
#include "state/metricstore.h"
#include "testenv.h"

#define NOW 1800000000000LL /* a minute boundary */
#define ACCT "111111111111"
#define REGION "us-east-1"

typedef testenv_store fixture;

static int setup(void **state)
{
    static fixture f;
    testenv_store_open(&f, "metricstore");
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    testenv_store_close(f);
    return 0;
}

static void put1(db_conn *db, const metricstore_key *k, int64_t ts, double v, const char *unit)
{
    metricstore_point p = {ts, unit, 1, v, v, v, &v, NULL, 1};
    assert_int_equal(metricstore_put(db, k, &p, 1, ts), 0);
}

static double stat(const metricstore_bucket *b, const char *s)
{
    double x = -12345;
    assert_true(metricstore_statistic(b, s, &x));
    return x;
}

static void test_periods_and_statistics(void **state)
{
    fixture *f = *state;
    metricstore_dim dims[] = {{"Host", "a"}};
    metricstore_key k = {ACCT, REGION, "App", "Latency", dims, 1};
    put1(f->db, &k, NOW + 1000, 1, "Milliseconds");
    put1(f->db, &k, NOW + 2000, 3, "Milliseconds");
    put1(f->db, &k, NOW + 61000, 10, "Milliseconds");
    double vals[] = {5, 7}, counts[] = {3, 1};
    metricstore_point arr = {NOW + 62000, "Milliseconds", 4, 22, 5, 7, vals, counts, 2};
    assert_int_equal(metricstore_put(f->db, &k, &arr, 1, NOW), 0);

    metricstore_bucket *b;
    size_t n;
    assert_int_equal(metricstore_stats(f->db, &k, NOW, NOW + 120000, 60, NULL, &b, &n), 0);
    assert_int_equal(n, 2);
    assert_true(b[0].ts_ms == NOW && b[1].ts_ms == NOW + 60000);
    assert_true(stat(&b[0], "SampleCount") == 2 && stat(&b[0], "Sum") == 4);
    assert_true(stat(&b[0], "Average") == 2 && stat(&b[0], "Minimum") == 1 &&
                stat(&b[0], "Maximum") == 3);
    /* second period: 10 once, 5 three times, 7 once */
    assert_true(stat(&b[1], "SampleCount") == 5 && stat(&b[1], "Sum") == 32);
    assert_true(stat(&b[1], "p50") == 5 && stat(&b[1], "p100") == 10 && stat(&b[1], "p0") == 5);
    assert_true(stat(&b[1], "p80") == 7);
    assert_string_equal(b[1].unit, "Milliseconds");
    double x;
    assert_false(metricstore_statistic(&b[0], "Median", &x));
    metricstore_buckets_free(b, n);

    /* One period of five minutes holds everything; a unit filter none. */
    assert_int_equal(metricstore_stats(f->db, &k, NOW, NOW + 300000, 300, NULL, &b, &n), 0);
    assert_int_equal(n, 1);
    assert_true(stat(b, "SampleCount") == 7);
    metricstore_buckets_free(b, n);
    assert_int_equal(metricstore_stats(f->db, &k, NOW, NOW + 300000, 300, "Seconds", &b, &n), 0);
    assert_int_equal(n, 0);
    metricstore_buckets_free(b, n);
    /* The range is [start, end). */
    assert_int_equal(metricstore_stats(f->db, &k, NOW + 1500, NOW + 61000, 60, NULL, &b, &n), 0);
    assert_int_equal(n, 1);
    assert_true(stat(b, "SampleCount") == 1 && stat(b, "Maximum") == 3);
    metricstore_buckets_free(b, n);
}

static void test_statistic_sets_have_no_percentiles(void **state)
{
    fixture *f = *state;
    metricstore_key k = {ACCT, REGION, "App", "Set", NULL, 0};
    metricstore_point p = {NOW + 1000, NULL, 4, 10, 1, 4, NULL, NULL, 0};
    assert_int_equal(metricstore_put(f->db, &k, &p, 1, NOW), 0);
    put1(f->db, &k, NOW + 2000, 2, NULL);
    metricstore_bucket *b;
    size_t n;
    assert_int_equal(metricstore_stats(f->db, &k, NOW, NOW + 60000, 60, NULL, &b, &n), 0);
    assert_int_equal(n, 1);
    assert_true(stat(b, "SampleCount") == 5 && stat(b, "Sum") == 12 && stat(b, "Minimum") == 1);
    assert_string_equal(b->unit, "None");
    double x;
    assert_false(metricstore_statistic(b, "p50", &x));
    metricstore_buckets_free(b, n);
    assert_true(metricstore_is_percentile("p99.9"));
    assert_false(metricstore_is_percentile("p101"));
    assert_false(metricstore_is_percentile("p"));
    assert_false(metricstore_is_percentile("tm99"));
}

static void test_dimension_sets_and_listing(void **state)
{
    fixture *f = *state;
    metricstore_dim ab[] = {{"A", "1"}, {"B", "2"}}, ba[] = {{"B", "2"}, {"A", "1"}};
    metricstore_dim a2[] = {{"A", "2"}};
    metricstore_key k1 = {ACCT, REGION, "L", "m", ab, 2}, k2 = {ACCT, REGION, "L", "m", ba, 2};
    metricstore_key k3 = {ACCT, REGION, "L", "m", a2, 1}, k4 = {ACCT, REGION, "L", "n", NULL, 0};
    metricstore_key other = {"222222222222", REGION, "L", "m", NULL, 0};
    put1(f->db, &k1, NOW, 1, NULL);
    put1(f->db, &k2, NOW, 1, NULL); /* the same metric */
    put1(f->db, &k3, NOW, 1, NULL);
    put1(f->db, &k4, NOW - 4 * 3600 * 1000LL, 1, NULL);
    put1(f->db, &other, NOW, 1, NULL);
    metricstore_bucket *b;
    size_t n;
    assert_int_equal(metricstore_stats(f->db, &k2, NOW, NOW + 60000, 60, NULL, &b, &n), 0);
    assert_true(n == 1 && stat(b, "SampleCount") == 2);
    metricstore_buckets_free(b, n);

    metricstore_filter all = {.account_id = ACCT, .region = REGION};
    metricstore_metric *m;
    bool more;
    assert_int_equal(metricstore_list(f->db, &all, 100, &m, &n, &more), 0);
    assert_int_equal(n, 3);
    assert_false(more);
    assert_string_equal(m[0].dims_json,
                        "[{\"Name\":\"A\",\"Value\":\"1\"},{\"Name\":\"B\",\"Value\":\"2\"}]");
    metricstore_metrics_free(m, n);

    metricstore_dim by_name[] = {{"A", NULL}}, by_value[] = {{"A", "2"}};
    metricstore_filter f1 = {.account_id = ACCT, .region = REGION, .dims = by_name, .n_dims = 1};
    assert_int_equal(metricstore_list(f->db, &f1, 100, &m, &n, &more), 0);
    assert_int_equal(n, 2);
    metricstore_metrics_free(m, n);
    f1.dims = by_value;
    assert_int_equal(metricstore_list(f->db, &f1, 100, &m, &n, &more), 0);
    assert_int_equal(n, 1);
    metricstore_metrics_free(m, n);
    metricstore_filter f2 = {.account_id = ACCT, .region = REGION, .name = "n"};
    assert_int_equal(metricstore_list(f->db, &f2, 100, &m, &n, &more), 0);
    assert_int_equal(n, 1);
    metricstore_metrics_free(m, n);
    /* RecentlyActive: metric n was last put four hours before. */
    f2.active_since_ms = NOW - METRICSTORE_RECENT_MS;
    assert_int_equal(metricstore_list(f->db, &f2, 100, &m, &n, &more), 0);
    assert_int_equal(n, 0);
    metricstore_metrics_free(m, n);
    /* Paging: two pages of 2 and 1. */
    assert_int_equal(metricstore_list(f->db, &all, 2, &m, &n, &more), 0);
    assert_true(n == 2 && more);
    all.after_id = m[1].id;
    metricstore_metrics_free(m, n);
    assert_int_equal(metricstore_list(f->db, &all, 2, &m, &n, &more), 0);
    assert_true(n == 1 && !more);
    metricstore_metrics_free(m, n);
}

static void test_joins_the_callers_transaction(void **state)
{
    fixture *f = *state;
    metricstore_key k = {ACCT, REGION, "Tx", "m", NULL, 0};
    assert_int_equal(db_begin(f->db), 0);
    put1(f->db, &k, NOW, 1, NULL);
    db_rollback(f->db);
    metricstore_bucket *b;
    size_t n;
    assert_int_equal(metricstore_stats(f->db, &k, NOW, NOW + 60000, 60, NULL, &b, &n), 0);
    assert_int_equal(n, 0);
    metricstore_buckets_free(b, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_periods_and_statistics, setup, teardown),
        cmocka_unit_test_setup_teardown(test_statistic_sets_have_no_percentiles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dimension_sets_and_listing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_joins_the_callers_transaction, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
