/* state/alarms: the evaluation conformance suite (the JSON files of tests/data/alarms, one loop:
 * each case's datapoints go into the metric store, its alarm is created, set to its initial state,
 * evaluated at its `now`, and its state and reason compared), then what a state change leaves
 * behind: the StateUpdate and Action history items, the outbox rows with AWS's SNS alarm message,
 * nothing queued while actions are disabled, and SetAlarmState. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "state/alarms.h"
#include "state/db.h"
#include "state/metricstore.h"
#include "testenv.h"

#define NOW 1800000000000LL /* 2027-01-15 08:00:00 UTC, a minute boundary */
#define ACCT "111111111111"
#define REGION "us-east-1"

typedef struct fixture {
    testenv_store store;
    int n;
} fixture;

static int setup(void **state)
{
    static fixture f;
    testenv_store_open(&f.store, "alarms");
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    testenv_store_close(&f->store);
    return 0;
}

static size_t read_dims(const json_t *list, metricstore_dim *dims)
{
    size_t n = 0, i;
    json_t *d;
    json_array_foreach(list, i, d)
    {
        dims[n].name = json_string_value(json_object_get(d, "Name"));
        dims[n++].value = json_string_value(json_object_get(d, "Value"));
    }
    return n;
}

static void put_value(db_conn *db, const char *ns, const char *metric, const json_t *dims_list,
                      int64_t ts, double v, const char *unit)
{
    metricstore_dim dims[METRICSTORE_MAX_DIMS];
    size_t nd = read_dims(dims_list, dims);
    metricstore_key k = {ACCT, REGION, ns, metric, dims, nd};
    metricstore_point p = {ts, unit, 1, v, v, v, &v, NULL, 1};
    assert_int_equal(metricstore_put(db, &k, &p, 1, ts), 0);
}

static alarm_row get_alarm(db_conn *db, const char *name)
{
    const char *names[] = {name};
    alarms_filter f = {.account_id = ACCT, .region = REGION, .names = names, .n_names = 1};
    alarm_row *rows;
    size_t n;
    bool more;
    assert_int_equal(alarms_list(db, &f, 10, &rows, &n, &more), 0);
    assert_int_equal(n, 1);
    alarm_row r = rows[0];
    free(rows);
    return r;
}

static void run_case(const char *file, const json_t *doc, const json_t *c, void *arg)
{
    fixture *f = arg;
    char ns[32], name[32];
    snprintf(ns, sizeof ns, "Case/%d", f->n);
    snprintf(name, sizeof name, "case-%d", f->n++);
    const json_t *a = json_object_get(c, "alarm");
    json_t *cfg =
        json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:f, s:s}", "AlarmName", name, "Namespace", ns,
                  "MetricName", "M", "Statistic", "Maximum", "Period", 60, "EvaluationPeriods", 1,
                  "Threshold", 1.0, "ComparisonOperator", "GreaterThanOrEqualToThreshold");
    json_object_update(cfg, (json_t *)a);
    if (json_object_get(a, "ExtendedStatistic")) json_object_del(cfg, "Statistic");
    int64_t now =
        NOW +
        1000 * (json_object_get(c, "now") ? json_integer_value(json_object_get(c, "now")) : 30);
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(c, "points"), i, p) put_value(
        f->store.db, ns, "M", json_object_get(p, "dims"),
        NOW + 1000 * json_integer_value(json_object_get(p, "t")),
        json_number_value(json_object_get(p, "v")), json_string_value(json_object_get(p, "unit")));
    assert_int_equal(alarms_put(f->store.db, ACCT, REGION, cfg, now), 0);
    alarm_state initial;
    if (!alarm_state_parse(json_string_value(json_object_get(c, "initial")), &initial))
        assert_int_equal(alarms_set_state(f->store.db, ACCT, REGION, name, initial,
                                          "set by the test", NULL, now),
                         0);
    assert_int_equal(alarm_evaluate(f->store.db, ACCT, REGION, now, ns, "M", NULL), 0);
    alarm_row r = get_alarm(f->store.db, name);
    const char *want = json_string_value(json_object_get(c, "expect"));
    const char *reason = json_string_value(json_object_get(c, "reason"));
    if (strcmp(alarm_state_name(r.state), want) || (reason && strcmp(reason, r.state_reason)))
        fail_msg("%s / %s (%s): got %s \"%s\", want %s%s%s", file,
                 json_string_value(json_object_get(c, "name")),
                 json_string_value(json_object_get(c, "rule")), alarm_state_name(r.state),
                 r.state_reason, want, reason ? " " : "", reason ? reason : "");
    alarm_row_free(&r);
    json_decref(cfg);
}

static void test_conformance(void **state)
{
    size_t n = testenv_each_case("alarms", run_case, *state);
    assert_true(n >= 40);
    printf("alarm evaluation: %zu cases\n", n);
}

static json_t *action_alarm(const char *name, const char *ns)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:f, s:s, s:[s], s:[s], s:[{s:s, s:s}]}",
                     "AlarmName", name, "AlarmDescription", "latency", "Namespace", ns,
                     "MetricName", "M", "Statistic", "Maximum", "Period", 60, "EvaluationPeriods",
                     1, "Threshold", 1.0, "ComparisonOperator", "GreaterThanOrEqualToThreshold",
                     "AlarmActions", "arn:aws:sns:us-east-1:111111111111:alerts", "OKActions",
                     "arn:aws:sns:us-east-1:111111111111:ok", "Dimensions", "Name", "Host", "Value",
                     "a");
}

static void test_actions_and_history(void **state)
{
    fixture *f = *state;
    json_t *cfg = action_alarm("act", "Act");
    json_t *dims = json_pack("[{s:s, s:s}]", "Name", "Host", "Value", "a");
    assert_int_equal(alarms_put(f->store.db, ACCT, REGION, cfg, NOW), 0);
    json_t *pending;
    assert_int_equal(alarm_actions_pending(f->store.db, 0, 100, &pending), 0);
    size_t before = json_array_size(pending);
    json_decref(pending);

    /* OK -> ALARM: a datapoint above the threshold, evaluated at once. */
    put_value(f->store.db, "Act", "M", dims, NOW + 5000, 0.0, NULL);
    assert_int_equal(alarm_evaluate(f->store.db, ACCT, REGION, NOW + 6000, "Act", "M", NULL), 0);
    put_value(f->store.db, "Act", "M", dims, NOW + 65000, 2.0, NULL);
    int changed = 0;
    assert_int_equal(alarm_evaluate(f->store.db, ACCT, REGION, NOW + 66000, "Act", "M", &changed),
                     0);
    assert_int_equal(changed, 1);
    assert_int_equal(alarm_actions_pending(f->store.db, 0, 100, &pending), 0);
    /* OK (from INSUFFICIENT_DATA) queued the OK action, ALARM the alarm action. */
    assert_int_equal(json_array_size(pending), before + 2);
    json_t *row = json_array_get(pending, json_array_size(pending) - 1);
    assert_string_equal(json_string_value(json_object_get(row, "action_arn")),
                        "arn:aws:sns:us-east-1:111111111111:alerts");
    assert_string_equal(json_string_value(json_object_get(row, "new_state")), "ALARM");
    json_t *msg = json_loads(json_string_value(json_object_get(row, "message")), 0, NULL);
    assert_non_null(msg);
    assert_string_equal(json_string_value(json_object_get(msg, "AlarmName")), "act");
    assert_string_equal(json_string_value(json_object_get(msg, "AlarmDescription")), "latency");
    assert_string_equal(json_string_value(json_object_get(msg, "AWSAccountId")), ACCT);
    assert_string_equal(json_string_value(json_object_get(msg, "NewStateValue")), "ALARM");
    assert_string_equal(json_string_value(json_object_get(msg, "OldStateValue")), "OK");
    assert_string_equal(json_string_value(json_object_get(msg, "Region")), "US East (N. Virginia)");
    assert_string_equal(json_string_value(json_object_get(msg, "AlarmArn")),
                        "arn:aws:cloudwatch:us-east-1:111111111111:alarm:act");
    assert_string_equal(json_string_value(json_object_get(msg, "StateChangeTime")),
                        "2027-01-15T08:01:06.000+0000");
    const json_t *trig = json_object_get(msg, "Trigger");
    assert_string_equal(json_string_value(json_object_get(trig, "Statistic")), "MAXIMUM");
    assert_string_equal(json_string_value(json_object_get(trig, "StatisticType")), "Statistic");
    assert_int_equal(json_integer_value(json_object_get(trig, "DatapointsToAlarm")), 1);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(trig, "Dimensions"), 0), "name")),
                        "Host");
    assert_string_equal(json_string_value(json_object_get(trig, "TreatMissingData")), "missing");
    json_decref(msg);
    int64_t seq = json_integer_value(json_object_get(row, "seq"));
    assert_int_equal(alarm_action_delivered(f->store.db, seq, NOW + 70000), 0);
    json_decref(pending);
    assert_int_equal(alarm_actions_pending(f->store.db, 0, 100, &pending), 0);
    assert_int_equal(json_array_size(pending), before + 1);
    json_decref(pending);

    /* History, newest first: Action, StateUpdate (OK -> ALARM), ... */
    json_t *items;
    bool more;
    assert_int_equal(alarms_history(f->store.db, ACCT, REGION, "act", NULL, INT64_MIN, INT64_MAX, 0,
                                    100, false, &items, &more),
                     0);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(items, 0), "HistoryItemType")), "Action");
    json_t *upd = json_array_get(items, 1);
    assert_string_equal(json_string_value(json_object_get(upd, "HistorySummary")),
                        "Alarm updated from OK to ALARM");
    json_t *hd = json_loads(json_string_value(json_object_get(upd, "HistoryData")), 0, NULL);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(hd, "newState"), "stateValue")), "ALARM");
    assert_non_null(json_object_get(json_object_get(hd, "newState"), "stateReasonData"));
    json_decref(hd);
    json_t *last = json_array_get(items, json_array_size(items) - 1);
    assert_string_equal(json_string_value(json_object_get(last, "HistorySummary")),
                        "Alarm \"act\" created");
    json_decref(items);

    /* Disabled actions: the state changes, nothing is queued. */
    assert_int_equal(alarms_set_actions_enabled(f->store.db, ACCT, REGION, "act", false), 0);
    assert_int_equal(alarm_actions_pending(f->store.db, 0, 100, &pending), 0);
    size_t queued = json_array_size(pending);
    json_decref(pending);
    assert_int_equal(alarms_set_state(f->store.db, ACCT, REGION, "act", ALARM_STATE_OK, "manual",
                                      NULL, NOW + 80000),
                     0);
    alarm_row r = get_alarm(f->store.db, "act");
    assert_int_equal(r.state, ALARM_STATE_OK);
    assert_string_equal(r.state_reason, "manual");
    alarm_row_free(&r);
    assert_int_equal(alarm_actions_pending(f->store.db, 0, 100, &pending), 0);
    assert_int_equal(json_array_size(pending), queued);
    json_decref(pending);
    assert_int_equal(
        alarms_set_state(f->store.db, ACCT, REGION, "nope", ALARM_STATE_OK, "x", NULL, NOW),
        ALARMS_NOT_FOUND);
    assert_int_equal(alarms_delete(f->store.db, ACCT, REGION, "act"), 0);
    assert_int_equal(alarms_delete(f->store.db, ACCT, REGION, "act"), ALARMS_NOT_FOUND);
    json_decref(dims);
    json_decref(cfg);
}

static void test_tick_sees_missing_data(void **state)
{
    fixture *f = *state;
    json_t *cfg = action_alarm("tick", "Tick");
    json_t *dims = json_pack("[{s:s, s:s}]", "Name", "Host", "Value", "a");
    put_value(f->store.db, "Tick", "M", dims, NOW + 5000, 2.0, NULL);
    assert_int_equal(alarms_put(f->store.db, ACCT, REGION, cfg, NOW + 6000), 0);
    alarm_row r = get_alarm(f->store.db, "tick");
    assert_int_equal(r.state, ALARM_STATE_ALARM); /* evaluated when it was put */
    alarm_row_free(&r);
    /* Two minutes later nothing came: the sweep over every account finds the gap. */
    int changed = 0;
    assert_int_equal(alarm_evaluate(f->store.db, NULL, NULL, NOW + 150000, NULL, NULL, &changed),
                     0);
    assert_true(changed >= 1);
    r = get_alarm(f->store.db, "tick");
    assert_int_equal(r.state, ALARM_STATE_INSUFFICIENT_DATA);
    assert_string_equal(r.state_reason, "Insufficient Data: 1 datapoint was unknown.");
    alarm_row_free(&r);
    json_decref(dims);
    json_decref(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_conformance, setup, teardown),
        cmocka_unit_test_setup_teardown(test_actions_and_history, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tick_sees_missing_data, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
