#include "state/delivery_state.h"

#include "state/digest_state.h"

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
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            *out = realloc(*out, cap * sizeof **out);
            if (!*out) abort();
        }
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
        if (n == cap) {
            cap = cap ? cap * 2 : 4;
            *out = realloc(*out, cap * sizeof **out);
            if (!*out) abort();
        }
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
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            *out = realloc(*out, cap * sizeof **out);
            if (!*out) abort();
        }
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
                   db_exec(db, "DELETE FROM delivery_files WHERE trail_arn = ?", "s", trail_arn) ||
                   db_exec(db, "DELETE FROM delivery_status WHERE trail_arn = ?", "s", trail_arn)
               ? -1
               : 0;
}

uint64_t delivery_cursor_get(db_conn *db)
{
    int64_t v = 1;
    if (!db_get_int(db, &v, "SELECT next_seq FROM delivery_cursor WHERE id = 1", "")) v = 1;
    return v < 1 ? 1 : (uint64_t)v;
}

int delivery_cursor_set(db_conn *db, uint64_t next_seq)
{
    return db_exec(db,
                   "INSERT INTO delivery_cursor(id, next_seq) VALUES(1, ?) "
                   "ON CONFLICT(id) DO UPDATE SET next_seq = excluded.next_seq",
                   "i", (int64_t)next_seq);
}

int delivery_file_insert(db_conn *db, const planned_file *f)
{
    return db_exec(db,
                   "INSERT INTO delivery_files(trail_arn, bucket, key, account_id, region, "
                   "first_seq, last_seq, records, body, planned_ms, json_sha256, "
                   "oldest_event_ms, newest_event_ms) "
                   "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   "sssssiiibisii", f->trail_arn, f->bucket, f->key, f->account_id, f->region,
                   (int64_t)f->first_seq, (int64_t)f->last_seq, f->records, f->body, f->body_len,
                   f->planned_ms, f->json_sha256[0] ? f->json_sha256 : NULL, f->oldest_event_ms,
                   f->newest_event_ms);
}

size_t delivery_files_due(db_conn *db, int64_t now_ms, size_t max, planned_file **out)
{
    size_t n = 0;
    *out = calloc(max ? max : 1, sizeof **out);
    if (!*out) abort();
    sqlite3_stmt *st = db_query(db,
                                "SELECT id, trail_arn, bucket, key, account_id, region, "
                                "first_seq, last_seq, records, planned_ms, attempts, body, "
                                "json_sha256, oldest_event_ms, newest_event_ms "
                                "FROM delivery_files WHERE next_attempt_ms <= ? ORDER BY id "
                                "LIMIT ?",
                                "ii", now_ms, (int64_t)max);
    while (n < max && db_row(st)) {
        planned_file *f = &(*out)[n++];
        f->id = db_int(st, 0);
        snprintf(f->trail_arn, sizeof f->trail_arn, "%s", db_text(st, 1));
        snprintf(f->bucket, sizeof f->bucket, "%s", db_text(st, 2));
        snprintf(f->key, sizeof f->key, "%s", db_text(st, 3));
        snprintf(f->account_id, sizeof f->account_id, "%s", db_text(st, 4));
        snprintf(f->region, sizeof f->region, "%s", db_text(st, 5));
        f->first_seq = (uint64_t)db_int(st, 6);
        f->last_seq = (uint64_t)db_int(st, 7);
        f->records = db_int(st, 8);
        f->planned_ms = db_int(st, 9);
        f->attempts = db_int(st, 10);
        size_t len;
        const void *p = db_blob(st, 11, &len);
        f->body = malloc(len ? len : 1);
        if (!f->body) abort();
        if (len) memcpy(f->body, p, len);
        f->body_len = len;
        snprintf(f->json_sha256, sizeof f->json_sha256, "%s", db_text(st, 12));
        f->oldest_event_ms = db_is_null(st, 13) ? -1 : db_int(st, 13);
        f->newest_event_ms = db_is_null(st, 14) ? -1 : db_int(st, 14);
    }
    db_done(st);
    return n;
}

void delivery_files_free(planned_file *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].body);
    free(v);
}

int delivery_file_done(db_conn *db, int64_t id)
{
    return db_exec(db, "DELETE FROM delivery_files WHERE id = ?", "i", id);
}

int delivery_file_retry(db_conn *db, int64_t id, int64_t next_attempt_ms)
{
    return db_exec(db,
                   "UPDATE delivery_files SET attempts = attempts + 1, next_attempt_ms = ? "
                   "WHERE id = ?",
                   "ii", next_attempt_ms, id);
}

int64_t delivery_files_pending(db_conn *db)
{
    int64_t n = 0;
    db_get_int(db, &n, "SELECT COUNT(*) FROM delivery_files", "");
    return n;
}

int delivery_status_get(db_conn *db, const char *trail_arn, delivery_status *s)
{
    memset(s, 0, sizeof *s);
    sqlite3_stmt *st = db_query(db,
                                "SELECT latest_delivery_ms, latest_attempt_ms, latest_error "
                                "FROM delivery_status WHERE trail_arn = ?",
                                "s", trail_arn);
    int found = 0;
    if (db_row(st)) {
        s->latest_delivery_ms = db_int(st, 0);
        s->latest_attempt_ms = db_int(st, 1);
        snprintf(s->latest_error, sizeof s->latest_error, "%s", db_text(st, 2));
        found = 1;
    }
    db_done(st);
    return found;
}

int delivery_status_attempt(db_conn *db, const char *trail_arn, int64_t now_ms, const char *error)
{
    if (error)
        return db_exec(db,
                       "INSERT INTO delivery_status(trail_arn, latest_attempt_ms, latest_error) "
                       "VALUES(?, ?, ?) ON CONFLICT(trail_arn) DO UPDATE SET "
                       "latest_attempt_ms = excluded.latest_attempt_ms, "
                       "latest_error = excluded.latest_error",
                       "sis", trail_arn, now_ms, error);
    return db_exec(db,
                   "INSERT INTO delivery_status(trail_arn, latest_delivery_ms, latest_attempt_ms, "
                   "latest_error) VALUES(?, ?, ?, NULL) ON CONFLICT(trail_arn) DO UPDATE SET "
                   "latest_delivery_ms = excluded.latest_delivery_ms, "
                   "latest_attempt_ms = excluded.latest_attempt_ms, latest_error = NULL",
                   "sii", trail_arn, now_ms, now_ms);
}
