#include "state/trail_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "state/org_state.h"
#include "state/tags.h"

#define TRAIL_COLUMNS                                                                              \
    "arn, account_id, name, home_region, s3_bucket, s3_prefix, sns_topic, include_global, "        \
    "multi_region, log_validation, cwl_group_arn, cwl_role_arn, kms_key_id, is_org, created_by, "  \
    "(event_selectors IS NOT NULL OR advanced_event_selectors IS NOT NULL), logging, "             \
    "start_logging_ms, stop_logging_ms, created_ms"

void trail_arn(char *out, size_t n, const char *region, const char *account_id, const char *name)
{
    snprintf(out, n, "arn:aws:cloudtrail:%s:%s:trail/%s", region, account_id, name);
}

static void copy(char *dst, size_t n, sqlite3_stmt *st, int col)
{
    snprintf(dst, n, "%s", db_text(st, col));
}

static void trail_from_row(sqlite3_stmt *st, trail *t)
{
    memset(t, 0, sizeof *t);
    copy(t->arn, sizeof t->arn, st, 0);
    copy(t->account_id, sizeof t->account_id, st, 1);
    copy(t->name, sizeof t->name, st, 2);
    copy(t->home_region, sizeof t->home_region, st, 3);
    copy(t->s3_bucket, sizeof t->s3_bucket, st, 4);
    copy(t->s3_prefix, sizeof t->s3_prefix, st, 5);
    copy(t->sns_topic, sizeof t->sns_topic, st, 6);
    t->include_global = db_int(st, 7) != 0;
    t->multi_region = db_int(st, 8) != 0;
    t->log_validation = db_int(st, 9) != 0;
    copy(t->cwl_group_arn, sizeof t->cwl_group_arn, st, 10);
    copy(t->cwl_role_arn, sizeof t->cwl_role_arn, st, 11);
    copy(t->kms_key_id, sizeof t->kms_key_id, st, 12);
    t->is_org = db_int(st, 13) != 0;
    copy(t->created_by, sizeof t->created_by, st, 14);
    t->custom_selectors = db_int(st, 15) != 0;
    t->logging = db_int(st, 16) != 0;
    t->start_logging_ms = db_int(st, 17);
    t->stop_logging_ms = db_int(st, 18);
    t->created_ms = db_int(st, 19);
}

/* An organization trail whose owner is no longer an organization's management account
 * (the organization was deleted) is an ordinary trail, as AWS documents. */
static void effective(db_conn *db, trail *t)
{
    org_info o;
    if (t->is_org &&
        !(org_of_account(db, t->account_id, &o) && !strcmp(o.master_account, t->account_id)))
        t->is_org = false;
}

/* Empty strings are stored as NULL so that "unset" has one representation. */
static const char *nul(const char *s)
{
    return s && *s ? s : NULL;
}

static int trail_load(db_conn *db, sqlite3_stmt *st, trail *t)
{
    int found = 0;
    if (db_row(st)) {
        trail_from_row(st, t);
        found = 1;
    }
    db_done(st);
    if (found) effective(db, t);
    return found;
}

int trail_get(db_conn *db, const char *arn, trail *t)
{
    return trail_load(
        db, db_query(db, "SELECT " TRAIL_COLUMNS " FROM trails WHERE arn = ?", "s", arn), t);
}

int trail_keep_deleted(db_conn *db, const char *arn)
{
    return db_exec(db, "DELETE FROM deleted_trails WHERE arn = ?", "s", arn) ||
                   db_exec(db, "INSERT INTO deleted_trails SELECT * FROM trails WHERE arn = ?", "s",
                           arn)
               ? -1
               : 0;
}

int trail_get_deleted(db_conn *db, const char *arn, trail *t)
{
    return trail_load(
        db, db_query(db, "SELECT " TRAIL_COLUMNS " FROM deleted_trails WHERE arn = ?", "s", arn),
        t);
}

int trail_get_or_deleted(db_conn *db, const char *arn, trail *t)
{
    if (trail_get(db, arn, t) == 1) return 1;
    return trail_get_deleted(db, arn, t) == 1 ? 2 : 0;
}

int trail_forget_deleted(db_conn *db, const char *arn)
{
    return db_exec(db, "DELETE FROM deleted_trails WHERE arn = ?", "s", arn);
}

int trail_find_by_name(db_conn *db, const char *account_id, const char *name, const char *region,
                       bool multi_region_ok, trail *t)
{
    /* The home-region trail wins over another region's multi-region one of the same name
     * (CreateTrail keeps them from coexisting, but be deterministic anyway). */
    sqlite3_stmt *st = db_query(db,
                                "SELECT " TRAIL_COLUMNS " FROM trails WHERE account_id = ? AND "
                                "name = ? AND (home_region = ? OR (? AND multi_region = 1)) "
                                "ORDER BY home_region = ? DESC LIMIT 1",
                                "sssds", account_id, name, region, multi_region_ok ? 1 : 0, region);
    int found = 0;
    if (db_row(st)) {
        trail_from_row(st, t);
        found = 1;
    }
    db_done(st);
    if (found) effective(db, t);
    return found;
}

bool trail_name_taken(db_conn *db, const char *account_id, const char *name, const char *region,
                      bool new_multi_region)
{
    int64_t n = 0;
    db_get_int(db, &n,
               "SELECT COUNT(*) FROM trails WHERE account_id = ? AND name = ? AND "
               "(home_region = ? OR multi_region = 1 OR ?)",
               "sssd", account_id, name, region, new_multi_region ? 1 : 0);
    return n > 0;
}

int trail_count_in_region(db_conn *db, const char *account_id, const char *region)
{
    int64_t n = 0;
    db_get_int(db, &n,
               "SELECT COUNT(*) FROM trails WHERE account_id = ? AND (home_region = ? OR "
               "multi_region = 1)",
               "ss", account_id, region);
    return (int)n;
}

int trail_insert(db_conn *db, const trail *t)
{
    return db_exec(db,
                   "INSERT INTO trails(arn, account_id, name, home_region, s3_bucket, s3_prefix, "
                   "sns_topic, include_global, multi_region, log_validation, cwl_group_arn, "
                   "cwl_role_arn, kms_key_id, is_org, created_by, logging, created_ms) "
                   "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
                   "sssssssdddsssdsi", t->arn, t->account_id, t->name, t->home_region, t->s3_bucket,
                   nul(t->s3_prefix), nul(t->sns_topic), t->include_global, t->multi_region,
                   t->log_validation, nul(t->cwl_group_arn), nul(t->cwl_role_arn),
                   nul(t->kms_key_id), t->is_org, t->created_by, t->created_ms);
}

int trail_update_config(db_conn *db, const trail *t)
{
    return db_exec(db,
                   "UPDATE trails SET s3_bucket = ?, s3_prefix = ?, sns_topic = ?, "
                   "include_global = ?, multi_region = ?, log_validation = ?, cwl_group_arn = ?, "
                   "cwl_role_arn = ?, kms_key_id = ?, is_org = ? WHERE arn = ?",
                   "sssdddsssds", t->s3_bucket, nul(t->s3_prefix), nul(t->sns_topic),
                   t->include_global, t->multi_region, t->log_validation, nul(t->cwl_group_arn),
                   nul(t->cwl_role_arn), nul(t->kms_key_id), t->is_org, t->arn);
}

int trail_delete(db_conn *db, const char *arn)
{
    if (tags_remove_all(db, TAGS_TRAIL, arn)) return -1;
    return db_exec(db, "DELETE FROM trails WHERE arn = ?", "s", arn);
}

int trail_set_logging(db_conn *db, const char *arn, bool logging, int64_t now_ms)
{
    /* Only a change of state moves its timestamp: starting a running trail keeps the
     * time it started. */
    if (logging)
        return db_exec(db,
                       "UPDATE trails SET logging = 1, start_logging_ms = ? WHERE arn = ? AND "
                       "logging = 0",
                       "is", now_ms, arn);
    return db_exec(db,
                   "UPDATE trails SET logging = 0, stop_logging_ms = ? WHERE arn = ? AND "
                   "logging = 1",
                   "is", now_ms, arn);
}

int trail_set_selectors(db_conn *db, const char *arn, const char *basic_json,
                        const char *advanced_json)
{
    return db_exec(db,
                   "UPDATE trails SET event_selectors = ?, advanced_event_selectors = ? "
                   "WHERE arn = ?",
                   "sss", basic_json, advanced_json, arn);
}

static char *dup_col(sqlite3_stmt *st, int col)
{
    if (db_is_null(st, col)) return NULL;
    char *s = strdup(db_text(st, col));
    if (!s) abort();
    return s;
}

void trail_get_selectors(db_conn *db, const char *arn, char **basic_json, char **advanced_json)
{
    *basic_json = *advanced_json = NULL;
    sqlite3_stmt *st = db_query(
        db, "SELECT event_selectors, advanced_event_selectors FROM trails WHERE arn = ?", "s", arn);
    if (db_row(st)) {
        *basic_json = dup_col(st, 0);
        *advanced_json = dup_col(st, 1);
    }
    db_done(st);
}

bool trail_any_selectors(db_conn *db, trail_selectors_fn fn, void *ctx)
{
    sqlite3_stmt *st =
        db_query(db, "SELECT event_selectors, advanced_event_selectors FROM trails", "");
    bool any = false;
    while (!any && db_row(st))
        any = fn((const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
                 ctx);
    db_done(st);
    return any;
}

typedef struct trail_vec {
    trail *v;
    bool *shadow;
    size_t n, cap;
} trail_vec;

static void vec_push(trail_vec *tv, const trail *t, bool shadow)
{
    size_t shadow_cap = tv->cap; /* both arrays grow in step */
    tv->shadow = xgrow(tv->shadow, &shadow_cap, tv->n + 1, sizeof *tv->shadow);
    tv->v = xgrow(tv->v, &tv->cap, tv->n + 1, sizeof *tv->v);
    tv->v[tv->n] = *t;
    tv->shadow[tv->n] = shadow;
    tv->n++;
}

size_t trail_list_visible(db_conn *db, const char *account_id, const char *region, trail **out,
                          bool **shadow)
{
    trail_vec tv = {0};
    org_info o;
    bool member = org_of_account(db, account_id, &o) && strcmp(o.master_account, account_id);
    /* Own trails of this region and multi-region ones from elsewhere; then, for a member
     * of an organization, the management account's organization trails. */
    sqlite3_stmt *st = db_query(
        db,
        "SELECT " TRAIL_COLUMNS " FROM trails WHERE (home_region = ? OR "
        "multi_region = 1) AND (account_id = ? OR (? AND is_org = 1 AND account_id = ?)) "
        "ORDER BY account_id <> ?, account_id, home_region, name",
        "ssdss", region, account_id, member ? 1 : 0, member ? o.master_account : "", account_id);
    while (db_row(st)) {
        trail t;
        trail_from_row(st, &t);
        vec_push(&tv, &t, strcmp(t.home_region, region) || strcmp(t.account_id, account_id));
    }
    db_done(st);
    for (size_t i = 0; i < tv.n; i++)
        effective(db, &tv.v[i]);
    *out = tv.v;
    *shadow = tv.shadow;
    return tv.n;
}

bool trail_org_covers(db_conn *db, const trail *t, const char *account_id)
{
    if (!t->is_org) return false;
    org_info o;
    if (!org_of_account(db, account_id, &o)) return false;
    return !strcmp(o.master_account, t->account_id);
}

void trail_sns_topic_arn(const trail *t, char *out, size_t n)
{
    if (!strncmp(t->sns_topic, "arn:", 4))
        snprintf(out, n, "%s", t->sns_topic);
    else
        snprintf(out, n, "arn:aws:sns:%s:%s:%s", t->home_region, t->account_id, t->sns_topic);
}
