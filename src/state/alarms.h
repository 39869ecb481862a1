/* alarms: CloudWatch metric alarms as stored, their evaluation, their history, and the
 * outbox of their actions. In the state layer so that every path that puts datapoints
 * reaches it: the CloudWatch API (svc/cloudwatch*.c) after PutMetricData, the server's
 * periodic tick (app/deliverer.c) for missing data, and CloudWatch Logs' metric filters.
 * No request context here: alarms are named by (account, region, name); AWS's errors
 * are the callers'.
 *
 * An alarm is one row of `alarms`: its PutMetricAlarm input as JSON (config, without
 * Tags), and the state columns. Its state is OK, ALARM or INSUFFICIENT_DATA; a new alarm
 * starts at INSUFFICIENT_DATA ("Unchecked: Initial alarm creation"), as on AWS.
 *
 * Evaluation (AWS's "Evaluating an alarm", as orgtrail reads it; every rule is pinned by
 * a case of tests/data/alarms/):
 *  - Periods are aligned to multiples of Period since the epoch. The evaluation range is
 *    the last EvaluationPeriods (N) periods: it ends with the period now_ms is in when
 *    that period already has a datapoint (so that an alarm fires as soon as one arrives),
 *    else with the last complete period (a period in progress is not missing yet).
 *  - Each period with datapoints gives one value, the alarm's Statistic or
 *    ExtendedStatistic over them (of its Unit only, when it has one); a percentile of a
 *    period put as statistic sets only is missing.
 *  - A value breaches when it compares to Threshold as ComparisonOperator says.
 *  - With at least DatapointsToAlarm (M) values in the range, they decide alone and
 *    TreatMissingData is not used: ALARM when M or more breach, else OK.
 *  - With no value at all: missing -> INSUFFICIENT_DATA, breaching -> ALARM,
 *    notBreaching -> OK, ignore -> the state stays.
 *  - With some values but fewer than M, missing periods are filled as TreatMissingData
 *    says, as few as are needed to have M: breaching and missing give ALARM when every
 *    value present breaches, else OK; notBreaching gives OK; ignore keeps the state.
 *  The state reason is AWS's text ("Threshold Crossed: 1 datapoint [2.0 (07/12/26
 *  12:00:00)] was greater than or equal to the threshold (1.0).") and StateReasonData
 *  AWS's JSON (version, queryDate, startDate, statistic, period, recentDatapoints,
 *  threshold, evaluatedDatapoints).
 *
 * A state change (by evaluation or SetAlarmState) writes a StateUpdate history item
 * ("Alarm updated from OK to ALARM", HistoryData {"version","oldState","newState"}) and,
 * when the alarm's actions are enabled, one outbox row per action of the new state
 * (AlarmActions, OKActions, InsufficientDataActions) with an Action history item per row.
 * orgtrail counts an action executed once it is durably in the outbox, so the item reads
 * as AWS's does: "Successfully executed action ARN".
 *
 * The outbox, table alarm_actions (for the SNS service, which publishes each row's
 * message to its topic and marks it delivered):
 *   seq          INTEGER  increasing, never reused: the order to deliver in
 *   account_id   TEXT     the alarm's account
 *   region       TEXT     the alarm's region
 *   alarm_name   TEXT
 *   alarm_arn    TEXT     arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME
 *   action_arn   TEXT     the action as configured (an SNS topic ARN, or any other ARN:
 *                         consumers skip what they do not serve)
 *   new_state    TEXT     OK | ALARM | INSUFFICIENT_DATA
 *   message      TEXT     the JSON document AWS publishes to SNS for alarms: AlarmName,
 *                         AlarmDescription, AWSAccountId, AlarmConfigurationUpdatedTimestamp,
 *                         NewStateValue, NewStateReason, StateChangeTime, Region (its
 *                         display name, "US East (N. Virginia)"), AlarmArn, OldStateValue,
 *                         OKActions, AlarmActions, InsufficientDataActions, Trigger
 *                         {MetricName, Namespace, StatisticType, Statistic or
 *                         ExtendedStatistic, Unit, Dimensions [{value, name}], Period,
 *                         EvaluationPeriods, DatapointsToAlarm, ComparisonOperator,
 *                         Threshold, TreatMissingData, EvaluateLowSampleCountPercentile}
 *   created_ms   INTEGER  when it was queued
 *   delivered_ms INTEGER  NULL until the consumer marks it (alarm_action_delivered)
 * Rows are written in the transaction of the state change, so a change and its actions
 * are stored together or not at all.
 *
 * Durability and transactions as in metricstore.h: writers join the caller's
 * transaction, else run in their own. Returns: 0, ALARMS_NOT_FOUND, or -1 on a database
 * error. */
#ifndef ORGTRAIL_ALARMS_H
#define ORGTRAIL_ALARMS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state/db.h"
#include "state/metricstore.h"

enum { ALARMS_NOT_FOUND = -2 };

typedef enum alarm_state {
    ALARM_STATE_OK,
    ALARM_STATE_ALARM,
    ALARM_STATE_INSUFFICIENT_DATA,
} alarm_state;

const char *alarm_state_name(alarm_state s);
/* 0, or -1 when s is not one of the three names. */
int alarm_state_parse(const char *s, alarm_state *out);

/* ---- evaluation, pure (alarm_eval.c) ------------------------------------------------- */

/* The comparison operators evaluation supports: the four static ones. The anomaly
 * detection operators (LessThanLowerOrGreaterThanUpperThreshold, ...) need a band, which
 * orgtrail does not compute. */
bool alarm_comparison_supported(const char *op);

typedef struct alarm_rule {
    const char *statistic; /* Statistic or ExtendedStatistic, for StateReasonData */
    int period_s;
    int evaluation_periods;  /* N */
    int datapoints_to_alarm; /* M (0: N) */
    double threshold;
    const char *comparison;    /* ComparisonOperator */
    const char *treat_missing; /* NULL: "missing" */
} alarm_rule;

/* One period's value in the evaluation range (its start), with its sample count. */
typedef struct alarm_value {
    int64_t ts_ms;
    double value;
    double sample_count;
} alarm_value;

typedef struct alarm_verdict {
    alarm_state state;
    char reason[2048];   /* AWS's StateReason is at most 1,023 characters: callers cut */
    json_t *reason_data; /* owned (NULL when the state is kept for want of data) */
} alarm_verdict;

/* Decides the state from the values of the range [range_start_ms, range_start_ms + N
 * periods) (ascending, at most N) and the current state. */
void alarm_decide(const alarm_rule *r, alarm_state current, const alarm_value *v, size_t n,
                  int64_t range_start_ms, int64_t now_ms, alarm_verdict *out);
/* The dimensions of an alarm's config (its Dimensions list, borrowed strings) into dims;
 * returns how many. */
size_t alarm_config_dims(const json_t *config, metricstore_dim dims[METRICSTORE_MAX_DIMS]);
/* The period values of an alarm's range at now_ms: the range's start and the values
 * (malloc'd into *out, *n of them). config is the alarm's PutMetricAlarm input. 0 or -1. */
int alarm_range_values(db_conn *db, const char *account, const char *region, const json_t *config,
                       int64_t now_ms, int64_t *range_start, alarm_value **out, size_t *n);

/* ---- stored alarms (alarms.c) -------------------------------------------------------- */

/* Creates or replaces the alarm `name` with config (PutMetricAlarm's input; Tags are
 * the caller's), keeping the state of an existing one, writes the ConfigurationUpdate
 * history item, and evaluates it as of now_ms. */
int alarms_put(db_conn *db, const char *account, const char *region, const json_t *config,
               int64_t now_ms);
int alarms_delete(db_conn *db, const char *account, const char *region, const char *name);
int alarms_set_actions_enabled(db_conn *db, const char *account, const char *region,
                               const char *name, bool enabled);

/* An alarm as read (owned by the caller: alarm_row_free). */
typedef struct alarm_row {
    char *name;
    json_t *config;
    alarm_state state;
    char *state_reason;
    char *state_reason_data; /* JSON text, or NULL */
    int64_t state_updated_ms;
    int64_t config_updated_ms;
    bool actions_enabled;
} alarm_row;
void alarm_row_free(alarm_row *r);

/* DescribeAlarms' filters (NULL / empty where absent) and DescribeAlarmsForMetric's
 * (ns/metric_name: alarms on that metric). Rows in name order after `after` (paging). */
typedef struct alarms_filter {
    const char *account_id, *region;
    const char *const *names;
    size_t n_names;
    const char *name_prefix;
    const char *state; /* StateValue */
    const char *action_prefix;
    const char *ns, *metric_name;
    const char *after;
} alarms_filter;
int alarms_list(db_conn *db, const alarms_filter *f, size_t limit, alarm_row **out, size_t *n,
                bool *more);
void alarm_rows_free(alarm_row *rows, size_t n);

/* Sets the state (SetAlarmState): history and actions as for a change by evaluation.
 * reason_data: JSON text or NULL. */
int alarms_set_state(db_conn *db, const char *account, const char *region, const char *name,
                     alarm_state state, const char *reason, const char *reason_data,
                     int64_t now_ms);

/* Evaluates, as of now_ms, the alarms of (account, region) on metric (ns, metric_name),
 * or all of them with ns NULL; account NULL: every alarm of every account (the tick).
 * *changed (may be NULL) receives how many changed state. */
int alarm_evaluate(db_conn *db, const char *account, const char *region, int64_t now_ms,
                   const char *ns, const char *metric_name, int *changed);

/* History, newest first: items of the alarm (NULL: every alarm of the account and
 * region) of type item_type (NULL: any) in [start_ms, end_ms), after sequence `before`
 * (0: from the newest; paging). Each item is {AlarmName, AlarmType, Timestamp (ms),
 * HistoryItemType, HistorySummary, HistoryData, seq} in a new JSON array. */
int alarms_history(db_conn *db, const char *account, const char *region, const char *name,
                   const char *item_type, int64_t start_ms, int64_t end_ms, int64_t before,
                   size_t limit, bool oldest_first, json_t **out, bool *more);

/* The outbox for its consumer: up to limit undelivered rows with seq > after, oldest
 * first, as {seq, account_id, region, alarm_name, alarm_arn, action_arn, new_state,
 * message} objects in a new array; and marking one delivered. */
int alarm_actions_pending(db_conn *db, int64_t after, size_t limit, json_t **out);
int alarm_action_delivered(db_conn *db, int64_t seq, int64_t now_ms);

/* 2026-12-07T12:00:00.000+0000: StateReasonData's, history's and the SNS message's form. */
void alarm_time_text(int64_t ms, char *out, size_t n);

/* arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME */
void alarm_arn(const char *account, const char *region, const char *name, char *out, size_t n);

#endif
