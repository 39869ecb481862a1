#include "state/delivery_state.h"

#include "core/xalloc.h"
#include "state/outbox_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int delivery_logging_changed(db_conn *db, const char *trail_arn, bool on, uint64_t position)
{
    if (on) {
        int64_t open = 0;
        db_get_int(
            db, &open,
            "SELECT COUNT(*) FROM trail_logging_spans WHERE trail_arn = ? AND to_seq IS NULL", "s",
            trail_arn);
        if (open) return 0;
        return db_exec(db,
                       "INSERT INTO trail_logging_spans(trail_arn, from_seq) VALUES(?, ?) "
                       "ON CONFLICT(trail_arn, from_seq) DO UPDATE SET to_seq = NULL",
                       "si", trail_arn, (int64_t)position);
    }
    return db_exec(db,
                   "UPDATE trail_logging_spans SET to_seq = ? WHERE trail_arn = ? AND "
                   "to_seq IS NULL",
                   "is", (int64_t)position, trail_arn);
}

size_t delivery_logging_spans(db_conn *db, const char *trail_arn, logging_span **out)
{
    size_t n = 0, cap = 0;
    *out = NULL;
    sqlite3_stmt *st = db_query(db,
                                "SELECT from_seq, to_seq FROM trail_logging_spans WHERE "
                                "trail_arn = ? ORDER BY from_seq",
                                "s", trail_arn);
    while (db_row(st)) {
        *out = xgrow(*out, &cap, n + 1, sizeof **out);
        (*out)[n].from = (uint64_t)db_int(st, 0);
        (*out)[n].to = db_is_null(st, 1) ? SPAN_OPEN : (uint64_t)db_int(st, 1);
        n++;
    }
    db_done(st);
    return n;
}

int delivery_selectors_changed(db_conn *db, const char *trail_arn, uint64_t position,
                               const char *basic_json, const char *advanced_json)
{
    return db_exec(db,
                   "INSERT INTO trail_selector_history(trail_arn, from_seq, basic, advanced) "
                   "VALUES(?, ?, ?, ?) ON CONFLICT(trail_arn, from_seq) DO UPDATE SET "
                   "basic = excluded.basic, advanced = excluded.advanced",
                   "siss", trail_arn, (int64_t)position, basic_json, advanced_json);
}

static char *dup_or_null(sqlite3_stmt *st, int col)
{
    if (db_is_null(st, col)) return NULL;
    char *s = strdup(db_text(st, col));
    if (!s) abort();
    return s;
}

size_t delivery_selector_versions(db_conn *db, const char *trail_arn, selector_version **out)
{
    size_t n = 0, cap = 0;
    *out = NULL;
    sqlite3_stmt *st = db_query(db,
                                "SELECT from_seq, basic, advanced FROM trail_selector_history "
                                "WHERE trail_arn = ? ORDER BY from_seq",
                                "s", trail_arn);
    while (db_row(st)) {
        *out = xgrow(*out, &cap, n + 1, sizeof **out);
        (*out)[n].from = (uint64_t)db_int(st, 0);
        (*out)[n].basic = dup_or_null(st, 1);
        (*out)[n].advanced = dup_or_null(st, 2);
        n++;
    }
    db_done(st);
    return n;
}

void delivery_selector_versions_free(selector_version *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].basic);
        free(v[i].advanced);
    }
    free(v);
}

size_t delivery_memberships(db_conn *db, const char *org_id, membership_span **out)
{
    size_t n = 0, cap = 0;
    *out = NULL;
    sqlite3_stmt *st = db_query(db,
                                "SELECT account_id, from_ms, to_ms FROM org_membership_history "
                                "WHERE org_id = ? ORDER BY account_id, from_ms",
                                "s", org_id);
    while (db_row(st)) {
        *out = xgrow(*out, &cap, n + 1, sizeof **out);
        snprintf((*out)[n].account_id, sizeof(*out)[n].account_id, "%s", db_text(st, 0));
        (*out)[n].from_ms = db_int(st, 1);
        (*out)[n].to_ms = db_is_null(st, 2) ? MEMBERSHIP_OPEN : db_int(st, 2);
        n++;
    }
    db_done(st);
    return n;
}

int delivery_forget_trail(db_conn *db, const char *trail_arn)
{
    return db_exec(db, "DELETE FROM trail_logging_spans WHERE trail_arn = ?", "s", trail_arn) ||
                   db_exec(db, "DELETE FROM trail_selector_history WHERE trail_arn = ?", "s",
                           trail_arn) ||
                   outbox_forget_trail(db, OUTBOX_LOG, trail_arn) ||
                   db_exec(db, "DELETE FROM delivery_status WHERE trail_arn = ?", "s", trail_arn)
               ? -1
               : 0;
}

/* Both cursors are one row of a table of their own: the statements differ in its name. */
static uint64_t cursor_get(db_conn *db, const char *sql)
{
    int64_t v = 1;
    if (!db_get_int(db, &v, sql, "")) v = 1;
    return v < 1 ? 1 : (uint64_t)v;
}

#define CURSOR_SET(table)                                                                          \
    "INSERT INTO " table "(id, next_seq) VALUES(1, ?) "                                            \
    "ON CONFLICT(id) DO UPDATE SET next_seq = excluded.next_seq"

uint64_t delivery_cursor_get(db_conn *db)
{
    return cursor_get(db, "SELECT next_seq FROM delivery_cursor WHERE id = 1");
}

int delivery_cursor_set(db_conn *db, uint64_t next_seq)
{
    return db_exec(db, CURSOR_SET("delivery_cursor"), "i", (int64_t)next_seq);
}

uint64_t cwl_cursor_get(db_conn *db)
{
    return cursor_get(db, "SELECT next_seq FROM cwl_cursor WHERE id = 1");
}

int cwl_cursor_set(db_conn *db, uint64_t next_seq)
{
    return db_exec(db, CURSOR_SET("cwl_cursor"), "i", (int64_t)next_seq);
}
