/* alarms: stored alarms, state changes with their history and actions, and the outbox
 * (state/alarms.h). Evaluation's pure half is alarm_eval.c. */
#include "state/alarms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/metricstore.h"

#define ALARMS_SCAN_MAX 100000

void alarm_arn(const char *account, const char *region, const char *name, char *out, size_t n)
{
    snprintf(out, n, "arn:aws:cloudwatch:%s:%s:alarm:%s", region, account, name);
}

static char *dup_json(const json_t *v)
{
    char *t = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(17));
    if (!t) abort();
    return t;
}

static int history_add(db_conn *db, const char *account, const char *region, const char *name,
                       int64_t ts, const char *type, const char *summary, json_t *data)
{
    char *text = dup_json(data);
    json_decref(data);
    int rc = db_exec(db,
                     "INSERT INTO alarm_history(account_id, region, alarm_name, ts, item_type, "
                     "summary, data) VALUES(?, ?, ?, ?, ?, ?, ?)",
                     "sssisss", account, region, name, ts, type, summary, text);
    free(text);
    return rc;
}

/* ---- rows ---------------------------------------------------------------------------- */

static void fill_row(sqlite3_stmt *st, void *out)
{
    alarm_row *r = out;
    memset(r, 0, sizeof *r);
    r->name = strdup(db_text(st, 0));
    r->config = json_loads(db_text(st, 1), 0, NULL);
    if (alarm_state_parse(db_text(st, 2), &r->state)) r->state = ALARM_STATE_INSUFFICIENT_DATA;
    r->state_reason = strdup(db_text(st, 3));
    r->state_reason_data = db_is_null(st, 4) ? NULL : strdup(db_text(st, 4));
    r->state_updated_ms = db_int(st, 5);
    r->config_updated_ms = db_int(st, 6);
    r->actions_enabled = db_int(st, 7) != 0;
    if (!r->name || !r->config || !r->state_reason) abort();
}

void alarm_row_free(alarm_row *r)
{
    free(r->name);
    json_decref(r->config);
    free(r->state_reason);
    free(r->state_reason_data);
    memset(r, 0, sizeof *r);
}

void alarm_rows_free(alarm_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        alarm_row_free(&rows[i]);
    free(rows);
}

static int get_row(db_conn *db, const char *account, const char *region, const char *name,
                   alarm_row *r)
{
    sqlite3_stmt *st = db_query(db,
                                "SELECT name, config, state, state_reason, state_reason_data, "
                                "state_updated_ms, config_updated_ms, actions_enabled FROM alarms "
                                "WHERE account_id = ? AND region = ? AND name = ?",
                                "sss", account, region, name);
    if (!st) return -1;
    return db_row_get(st, fill_row, r) ? 0 : ALARMS_NOT_FOUND;
}

static bool has_action_prefix(const json_t *config, const char *prefix)
{
    static const char *const lists[] = {"AlarmActions", "OKActions", "InsufficientDataActions"};
    for (size_t l = 0; l < 3; l++) {
        size_t i;
        json_t *a;
        json_array_foreach(json_object_get(config, lists[l]), i, a)
        {
            const char *s = json_string_value(a);
            if (s && !strncmp(s, prefix, strlen(prefix))) return true;
        }
    }
    return false;
}

int alarms_list(db_conn *db, const alarms_filter *f, size_t limit, alarm_row **out, size_t *n,
                bool *more)
{
    *out = NULL;
    *n = 0;
    *more = false;
    sqlite3_stmt *st = db_query(
        db,
        "SELECT name, config, state, state_reason, state_reason_data, state_updated_ms, "
        "config_updated_ms, actions_enabled FROM alarms WHERE (?1 IS NULL OR account_id = ?1) "
        "AND (?2 IS NULL OR region = ?2) AND (?3 IS NULL OR substr(name, 1, length(?3)) = ?3) "
        "AND (?4 IS NULL OR state = ?4) AND (?5 IS NULL OR namespace = ?5) AND (?6 IS NULL OR "
        "metric_name = ?6) AND (?7 IS NULL OR name > ?7) ORDER BY account_id, region, name",
        "sssssss", f->account_id, f->region, f->name_prefix, f->state, f->ns, f->metric_name,
        f->after);
    if (!st) return -1;
    size_t cap = 0;
    while (db_row(st)) {
        alarm_row r;
        fill_row(st, &r);
        bool keep = true;
        if (f->n_names) {
            keep = false;
            for (size_t i = 0; i < f->n_names; i++)
                if (!strcmp(f->names[i], r.name)) keep = true;
        }
        if (keep && f->action_prefix) keep = has_action_prefix(r.config, f->action_prefix);
        if (!keep) {
            alarm_row_free(&r);
            continue;
        }
        if (*n == limit) {
            alarm_row_free(&r);
            *more = true;
            break;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *out = realloc(*out, cap * sizeof **out);
            if (!*out) abort();
        }
        (*out)[(*n)++] = r;
    }
    db_done(st);
    return 0;
}

/* ---- state changes ------------------------------------------------------------------- */

static const char *region_display(const char *region)
{
    static const char *const names[][2] = {
        {"us-east-1", "US East (N. Virginia)"},
        {"us-east-2", "US East (Ohio)"},
        {"us-west-1", "US West (N. California)"},
        {"us-west-2", "US West (Oregon)"},
        {"eu-west-1", "EU (Ireland)"},
        {"eu-west-2", "EU (London)"},
        {"eu-west-3", "EU (Paris)"},
        {"eu-central-1", "EU (Frankfurt)"},
        {"eu-north-1", "EU (Stockholm)"},
        {"ap-south-1", "Asia Pacific (Mumbai)"},
        {"ap-northeast-1", "Asia Pacific (Tokyo)"},
        {"ap-northeast-2", "Asia Pacific (Seoul)"},
        {"ap-southeast-1", "Asia Pacific (Singapore)"},
        {"ap-southeast-2", "Asia Pacific (Sydney)"},
        {"ca-central-1", "Canada (Central)"},
        {"sa-east-1", "South America (Sao Paulo)"},
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strcmp(names[i][0], region)) return names[i][1];
    return region;
}

static json_t *list_or_empty(const json_t *config, const char *member)
{
    const json_t *v = json_object_get(config, member);
    return v ? json_deep_copy(v) : json_array();
}

static json_t *str_or_null(const json_t *config, const char *member)
{
    const json_t *v = json_object_get(config, member);
    return json_is_string(v) ? json_string(json_string_value(v)) : json_null();
}

/* The statistic as AWS's alarm message names it: "MAXIMUM", "SAMPLE_COUNT". */
static void upper_statistic(const char *s, char *out, size_t n)
{
    size_t j = 0;
    for (size_t i = 0; s[i] && j + 2 < n; i++) {
        if (i && s[i] >= 'A' && s[i] <= 'Z') out[j++] = '_';
        out[j++] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
    }
    out[j] = '\0';
}

/* AWS's SNS alarm message (state/alarms.h lists the members). */
static json_t *alarm_message(const char *account, const char *region, const alarm_row *r,
                             alarm_state old, alarm_state new_state, const char *reason,
                             int64_t now_ms)
{
    const json_t *c = r->config;
    char arn[512], cfg_ts[40], change_ts[40];
    alarm_arn(account, region, r->name, arn, sizeof arn);
    alarm_time_text(r->config_updated_ms, cfg_ts, sizeof cfg_ts);
    alarm_time_text(now_ms, change_ts, sizeof change_ts);
    json_t *dims = json_array();
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(c, "Dimensions"), i, d)
        json_array_append_new(dims, json_pack("{s:O?, s:O?}", "value", json_object_get(d, "Value"),
                                              "name", json_object_get(d, "Name")));
    json_t *trigger = json_object();
    json_object_set_new(trigger, "MetricName", str_or_null(c, "MetricName"));
    json_object_set_new(trigger, "Namespace", str_or_null(c, "Namespace"));
    const char *stat = json_string_value(json_object_get(c, "Statistic"));
    if (stat) {
        char up[40];
        upper_statistic(stat, up, sizeof up);
        json_object_set_new(trigger, "StatisticType", json_string("Statistic"));
        json_object_set_new(trigger, "Statistic", json_string(up));
    } else {
        json_object_set_new(trigger, "StatisticType", json_string("ExtendedStatistic"));
        json_object_set_new(trigger, "ExtendedStatistic", str_or_null(c, "ExtendedStatistic"));
    }
    json_object_set_new(trigger, "Unit", str_or_null(c, "Unit"));
    json_object_set_new(trigger, "Dimensions", dims);
    json_object_set(trigger, "Period", json_object_get(c, "Period"));
    json_object_set(trigger, "EvaluationPeriods", json_object_get(c, "EvaluationPeriods"));
    json_t *m = json_object_get(c, "DatapointsToAlarm");
    json_object_set(trigger, "DatapointsToAlarm", m ? m : json_object_get(c, "EvaluationPeriods"));
    json_object_set_new(trigger, "ComparisonOperator", str_or_null(c, "ComparisonOperator"));
    json_object_set(trigger, "Threshold", json_object_get(c, "Threshold"));
    const char *treat = json_string_value(json_object_get(c, "TreatMissingData"));
    json_object_set_new(trigger, "TreatMissingData", json_string(treat ? treat : "missing"));
    const char *low = json_string_value(json_object_get(c, "EvaluateLowSampleCountPercentile"));
    json_object_set_new(trigger, "EvaluateLowSampleCountPercentile", json_string(low ? low : ""));
    json_t *msg = json_object();
    json_object_set_new(msg, "AlarmName", json_string(r->name));
    json_object_set_new(msg, "AlarmDescription", str_or_null(c, "AlarmDescription"));
    json_object_set_new(msg, "AWSAccountId", json_string(account));
    json_object_set_new(msg, "AlarmConfigurationUpdatedTimestamp", json_string(cfg_ts));
    json_object_set_new(msg, "NewStateValue", json_string(alarm_state_name(new_state)));
    json_object_set_new(msg, "NewStateReason", json_string(reason));
    json_object_set_new(msg, "StateChangeTime", json_string(change_ts));
    json_object_set_new(msg, "Region", json_string(region_display(region)));
    json_object_set_new(msg, "AlarmArn", json_string(arn));
    json_object_set_new(msg, "OldStateValue", json_string(alarm_state_name(old)));
    json_object_set_new(msg, "OKActions", list_or_empty(c, "OKActions"));
    json_object_set_new(msg, "AlarmActions", list_or_empty(c, "AlarmActions"));
    json_object_set_new(msg, "InsufficientDataActions",
                        list_or_empty(c, "InsufficientDataActions"));
    json_object_set_new(msg, "Trigger", trigger);
    return msg;
}

static json_t *state_json(alarm_state s, const char *reason, const char *data)
{
    json_t *o = json_pack("{s:s, s:s}", "stateValue", alarm_state_name(s), "stateReason", reason);
    json_t *d = data ? json_loads(data, 0, NULL) : NULL;
    if (d) json_object_set_new(o, "stateReasonData", d);
    return o;
}

/* Moves alarm r to new_state: the row, the StateUpdate item, and the actions. */
static int transition(db_conn *db, const char *account, const char *region, const alarm_row *r,
                      alarm_state new_state, const char *reason, const char *data, int64_t now_ms)
{
    if (db_exec(db,
                "UPDATE alarms SET state = ?, state_reason = ?, state_reason_data = ?, "
                "state_updated_ms = ? WHERE account_id = ? AND region = ? AND name = ?",
                "sssisss", alarm_state_name(new_state), reason, data, now_ms, account, region,
                r->name))
        return -1;
    char summary[128];
    snprintf(summary, sizeof summary, "Alarm updated from %s to %s", alarm_state_name(r->state),
             alarm_state_name(new_state));
    json_t *hd = json_pack("{s:s, s:o, s:o}", "version", "1.0", "oldState",
                           state_json(r->state, r->state_reason, r->state_reason_data), "newState",
                           state_json(new_state, reason, data));
    if (history_add(db, account, region, r->name, now_ms, "StateUpdate", summary, hd)) return -1;
    if (!r->actions_enabled) return 0;
    const char *list = new_state == ALARM_STATE_ALARM ? "AlarmActions"
                       : new_state == ALARM_STATE_OK  ? "OKActions"
                                                      : "InsufficientDataActions";
    const json_t *actions = json_object_get(r->config, list);
    if (!json_array_size(actions)) return 0;
    char arn[512];
    alarm_arn(account, region, r->name, arn, sizeof arn);
    json_t *msg = alarm_message(account, region, r, r->state, new_state, reason, now_ms);
    char *text = dup_json(msg);
    json_decref(msg);
    int rc = 0;
    size_t i;
    json_t *a;
    json_array_foreach(actions, i, a)
    {
        const char *action = json_string_value(a);
        if (!action) continue;
        char ts[40], asum[700];
        alarm_time_text(now_ms, ts, sizeof ts);
        snprintf(asum, sizeof asum, "Successfully executed action %s", action);
        json_t *ad =
            json_pack("{s:s, s:s, s:s, s:s}", "actionState", "Succeeded", "stateUpdateTimestamp",
                      ts, "notificationResource", action, "publishedMessage", text);
        if (db_exec(db,
                    "INSERT INTO alarm_actions(account_id, region, alarm_name, alarm_arn, "
                    "action_arn, new_state, message, created_ms) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
                    "sssssssi", account, region, r->name, arn, action, alarm_state_name(new_state),
                    text, now_ms) ||
            history_add(db, account, region, r->name, now_ms, "Action", asum, ad)) {
            rc = -1;
            break;
        }
    }
    free(text);
    return rc;
}

/* Evaluates one alarm; *changed += 1 when its state changed. */
static int evaluate_one(db_conn *db, const char *account, const char *region, const alarm_row *r,
                        int64_t now_ms, int *changed)
{
    const json_t *c = r->config;
    if (!alarm_comparison_supported(json_string_value(json_object_get(c, "ComparisonOperator"))))
        return 0;
    int64_t start = 0;
    alarm_value *v;
    size_t n;
    if (alarm_range_values(db, account, region, c, now_ms, &start, &v, &n)) return -1;
    const char *stat = json_string_value(json_object_get(c, "Statistic"));
    alarm_rule rule = {
        .statistic = stat ? stat : json_string_value(json_object_get(c, "ExtendedStatistic")),
        .period_s = (int)json_integer_value(json_object_get(c, "Period")),
        .evaluation_periods = (int)json_integer_value(json_object_get(c, "EvaluationPeriods")),
        .datapoints_to_alarm = (int)json_integer_value(json_object_get(c, "DatapointsToAlarm")),
        .threshold = json_number_value(json_object_get(c, "Threshold")),
        .comparison = json_string_value(json_object_get(c, "ComparisonOperator")),
        .treat_missing = json_string_value(json_object_get(c, "TreatMissingData")),
    };
    alarm_verdict verdict;
    alarm_decide(&rule, r->state, v, n, start, now_ms, &verdict);
    free(v);
    int rc = 0;
    if (verdict.state != r->state) {
        char *data = verdict.reason_data ? dup_json(verdict.reason_data) : NULL;
        rc = transition(db, account, region, r, verdict.state, verdict.reason, data, now_ms);
        free(data);
        if (!rc && changed) (*changed)++;
    }
    json_decref(verdict.reason_data);
    return rc;
}

typedef struct eval_args {
    const char *account, *region, *ns, *metric;
    int64_t now_ms;
    int *changed;
} eval_args;

static int evaluate_tx(db_conn *db, void *arg)
{
    eval_args *a = arg;
    /* Rows with their account and region: the tick evaluates every account's alarms. */
    sqlite3_stmt *st = db_query(db,
                                "SELECT account_id, region, name FROM alarms WHERE (?1 IS NULL OR "
                                "account_id = ?1) AND (?2 IS NULL OR region = ?2) AND (?3 IS NULL "
                                "OR namespace = ?3) AND (?4 IS NULL OR metric_name = ?4) ORDER BY "
                                "account_id, region, name",
                                "ssss", a->account, a->region, a->ns, a->metric);
    if (!st) return -1;
    size_t n = 0, cap = 0;
    char **keys = NULL;
    while (db_row(st) && n < ALARMS_SCAN_MAX) {
        if (n + 3 > cap) {
            cap = cap ? cap * 2 : 48;
            keys = realloc(keys, cap * sizeof *keys);
            if (!keys) abort();
        }
        for (int i = 0; i < 3; i++)
            if (!(keys[n++] = strdup(db_text(st, i)))) abort();
    }
    db_done(st);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i += 3) {
        alarm_row r;
        int g = get_row(db, keys[i], keys[i + 1], keys[i + 2], &r);
        if (g == ALARMS_NOT_FOUND) continue;
        if (g) {
            rc = -1;
            break;
        }
        rc = evaluate_one(db, keys[i], keys[i + 1], &r, a->now_ms, a->changed);
        alarm_row_free(&r);
    }
    for (size_t i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
    return rc;
}

int alarm_evaluate(db_conn *db, const char *account, const char *region, int64_t now_ms,
                   const char *ns, const char *metric_name, int *changed)
{
    if (changed) *changed = 0;
    /* The sweep runs every second: without alarms it must not take the write lock. */
    int64_t any = 0;
    if (!db_get_int(db, &any, "SELECT EXISTS(SELECT 1 FROM alarms)", "") || !any) return 0;
    eval_args a = {account, region, ns, metric_name, now_ms, changed};
    return db_in_tx(db, evaluate_tx, &a);
}

/* ---- configuration ------------------------------------------------------------------- */

typedef struct put_args {
    const char *account, *region;
    const json_t *config;
    int64_t now_ms;
} put_args;

static int put_tx(db_conn *db, void *arg)
{
    put_args *a = arg;
    json_t *cfg = json_deep_copy(a->config);
    json_object_del(cfg, "Tags");
    const char *name = json_string_value(json_object_get(cfg, "AlarmName"));
    const char *ns = json_string_value(json_object_get(cfg, "Namespace"));
    const char *metric = json_string_value(json_object_get(cfg, "MetricName"));
    const json_t *enabled = json_object_get(cfg, "ActionsEnabled");
    bool actions = !enabled || json_is_true(enabled);
    metricstore_dim dims[METRICSTORE_MAX_DIMS];
    size_t nd = alarm_config_dims(cfg, dims);
    char *dims_text = metricstore_dims_text(dims, nd);
    char *text = dup_json(cfg);
    alarm_row old;
    int g = get_row(db, a->account, a->region, name, &old);
    int rc = g == -1 ? -1 : 0;
    bool created = g == ALARMS_NOT_FOUND;
    if (!rc && created)
        rc = db_exec(db,
                     "INSERT INTO alarms(account_id, region, name, namespace, metric_name, dims, "
                     "config, state, state_reason, state_updated_ms, config_updated_ms, "
                     "actions_enabled) VALUES(?, ?, ?, ?, ?, ?, ?, 'INSUFFICIENT_DATA', "
                     "'Unchecked: Initial alarm creation', ?, ?, ?)",
                     "sssssssiid", a->account, a->region, name, ns ? ns : "", metric ? metric : "",
                     dims_text, text, a->now_ms, a->now_ms, actions ? 1 : 0);
    else if (!rc)
        rc = db_exec(db,
                     "UPDATE alarms SET namespace = ?, metric_name = ?, dims = ?, config = ?, "
                     "config_updated_ms = ?, actions_enabled = ? WHERE account_id = ? AND "
                     "region = ? AND name = ?",
                     "ssssidsss", ns ? ns : "", metric ? metric : "", dims_text, text, a->now_ms,
                     actions ? 1 : 0, a->account, a->region, name);
    if (!rc) {
        char summary[400];
        snprintf(summary, sizeof summary, "Alarm \"%s\" %s", name, created ? "created" : "updated");
        json_t *hd =
            json_pack("{s:s, s:s, s:O}", "version", "1.0", "type", created ? "Create" : "Update",
                      created ? "createdAlarm" : "updatedAlarm", cfg);
        if (!created) json_object_set_new(hd, "originalAlarm", json_deep_copy(old.config));
        rc = history_add(db, a->account, a->region, name, a->now_ms, "ConfigurationUpdate", summary,
                         hd);
    }
    if (!created && g == 0) alarm_row_free(&old);
    free(text);
    free(dims_text);
    alarm_row r;
    if (!rc) rc = get_row(db, a->account, a->region, name, &r) ? -1 : 0;
    if (!rc) {
        rc = evaluate_one(db, a->account, a->region, &r, a->now_ms, NULL);
        alarm_row_free(&r);
    }
    json_decref(cfg); /* name points into it */
    return rc;
}

int alarms_put(db_conn *db, const char *account, const char *region, const json_t *config,
               int64_t now_ms)
{
    put_args a = {account, region, config, now_ms};
    return db_in_tx(db, put_tx, &a);
}

int alarms_delete(db_conn *db, const char *account, const char *region, const char *name)
{
    if (db_exec(db, "DELETE FROM alarms WHERE account_id = ? AND region = ? AND name = ?", "sss",
                account, region, name))
        return -1;
    if (!db_changes(db)) return ALARMS_NOT_FOUND;
    return db_exec(db,
                   "DELETE FROM alarm_history WHERE account_id = ? AND region = ? AND "
                   "alarm_name = ?",
                   "sss", account, region, name);
}

int alarms_set_actions_enabled(db_conn *db, const char *account, const char *region,
                               const char *name, bool enabled)
{
    alarm_row r;
    int g = get_row(db, account, region, name, &r);
    if (g) return g;
    json_object_set_new(r.config, "ActionsEnabled", json_boolean(enabled));
    char *text = dup_json(r.config);
    int rc = db_exec(db,
                     "UPDATE alarms SET actions_enabled = ?, config = ? WHERE account_id = ? AND "
                     "region = ? AND name = ?",
                     "dssss", enabled ? 1 : 0, text, account, region, name);
    free(text);
    alarm_row_free(&r);
    return rc;
}

typedef struct state_args {
    const char *account, *region, *name, *reason, *data;
    alarm_state state;
    int64_t now_ms;
} state_args;

static int set_state_tx(db_conn *db, void *arg)
{
    state_args *a = arg;
    alarm_row r;
    int g = get_row(db, a->account, a->region, a->name, &r);
    if (g) return g;
    int rc = 0;
    /* AWS records a SetAlarmState to the state the alarm is in as no change. */
    if (r.state != a->state)
        rc = transition(db, a->account, a->region, &r, a->state, a->reason, a->data, a->now_ms);
    alarm_row_free(&r);
    return rc;
}

int alarms_set_state(db_conn *db, const char *account, const char *region, const char *name,
                     alarm_state state, const char *reason, const char *reason_data, int64_t now_ms)
{
    state_args a = {account, region, name, reason, reason_data, state, now_ms};
    return db_in_tx(db, set_state_tx, &a);
}

/* ---- history and outbox -------------------------------------------------------------- */

int alarms_history(db_conn *db, const char *account, const char *region, const char *name,
                   const char *item_type, int64_t start_ms, int64_t end_ms, int64_t before,
                   size_t limit, bool oldest_first, json_t **out, bool *more)
{
    *more = false;
    sqlite3_stmt *st =
        oldest_first
            ? db_query(db,
                       "SELECT seq, alarm_name, ts, item_type, summary, data FROM alarm_history "
                       "WHERE account_id = ? AND region = ? AND (?3 IS NULL OR alarm_name = ?3) "
                       "AND (?4 IS NULL OR item_type = ?4) AND ts >= ? AND ts < ? AND seq > ? "
                       "ORDER BY seq",
                       "ssssiii", account, region, name, item_type, start_ms, end_ms, before)
            : db_query(db,
                       "SELECT seq, alarm_name, ts, item_type, summary, data FROM alarm_history "
                       "WHERE account_id = ? AND region = ? AND (?3 IS NULL OR alarm_name = ?3) "
                       "AND (?4 IS NULL OR item_type = ?4) AND ts >= ? AND ts < ? AND (?7 = 0 OR "
                       "seq < ?7) ORDER BY seq DESC",
                       "ssssiii", account, region, name, item_type, start_ms, end_ms, before);
    if (!st) return -1;
    json_t *arr = json_array();
    while (db_row(st)) {
        if (json_array_size(arr) == limit) {
            *more = true;
            break;
        }
        json_array_append_new(
            arr, json_pack("{s:I, s:s, s:s, s:f, s:s, s:s, s:s}", "seq", (json_int_t)db_int(st, 0),
                           "AlarmName", db_text(st, 1), "AlarmType", "MetricAlarm", "Timestamp",
                           (double)db_int(st, 2) / 1000.0, "HistoryItemType", db_text(st, 3),
                           "HistorySummary", db_text(st, 4), "HistoryData", db_text(st, 5)));
    }
    db_done(st);
    *out = arr;
    return 0;
}

int alarm_actions_pending(db_conn *db, int64_t after, size_t limit, json_t **out)
{
    sqlite3_stmt *st = db_query(db,
                                "SELECT seq, account_id, region, alarm_name, alarm_arn, "
                                "action_arn, new_state, message FROM alarm_actions WHERE "
                                "delivered_ms IS NULL AND seq > ? ORDER BY seq LIMIT ?",
                                "ii", after, (int64_t)limit);
    if (!st) return -1;
    json_t *arr = json_array();
    while (db_row(st))
        json_array_append_new(arr,
                              json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "seq",
                                        (json_int_t)db_int(st, 0), "account_id", db_text(st, 1),
                                        "region", db_text(st, 2), "alarm_name", db_text(st, 3),
                                        "alarm_arn", db_text(st, 4), "action_arn", db_text(st, 5),
                                        "new_state", db_text(st, 6), "message", db_text(st, 7)));
    db_done(st);
    *out = arr;
    return 0;
}

int alarm_action_delivered(db_conn *db, int64_t seq, int64_t now_ms)
{
    return db_exec(db, "UPDATE alarm_actions SET delivered_ms = ? WHERE seq = ?", "ii", now_ms,
                   seq);
}
