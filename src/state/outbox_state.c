#include "state/outbox_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The kind as stored: text, so that the table reads without this file at hand. */
static const char *const KIND[] = {
    [OUTBOX_LOG] = "log", [OUTBOX_DIGEST] = "digest", [OUTBOX_CWL] = "cwl"};

int outbox_insert(db_conn *db, const outbox_item *it)
{
    return db_exec(db,
                   "INSERT INTO outbox(kind, trail_arn, account_id, region, bucket, key, body, "
                   "planned_ms, first_seq, last_seq, records, json_sha256, oldest_event_ms, "
                   "newest_event_ms, signature, end_ms) "
                   "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   "ssssssbiiiisiisi", KIND[it->kind], it->trail_arn, it->account_id, it->region,
                   it->bucket, it->key, it->body, it->body_len, it->planned_ms,
                   (int64_t)it->first_seq, (int64_t)it->last_seq, it->records,
                   it->json_sha256[0] ? it->json_sha256 : NULL, it->oldest_event_ms,
                   it->newest_event_ms, it->signature[0] ? it->signature : NULL, it->end_ms);
}

size_t outbox_due(db_conn *db, outbox_kind kind, int64_t now_ms, size_t max, outbox_item **out)
{
    size_t n = 0;
    *out = calloc(max ? max : 1, sizeof **out);
    if (!*out) abort();
    sqlite3_stmt *st = db_query(db,
                                "SELECT id, trail_arn, account_id, region, bucket, key, "
                                "planned_ms, attempts, body, first_seq, last_seq, records, "
                                "json_sha256, oldest_event_ms, newest_event_ms, signature, end_ms "
                                "FROM outbox WHERE kind = ? AND next_attempt_ms <= ? "
                                "ORDER BY id LIMIT ?",
                                "sii", KIND[kind], now_ms, (int64_t)max);
    while (n < max && db_row(st)) {
        outbox_item *it = &(*out)[n++];
        it->id = db_int(st, 0);
        it->kind = kind;
        snprintf(it->trail_arn, sizeof it->trail_arn, "%s", db_text(st, 1));
        snprintf(it->account_id, sizeof it->account_id, "%s", db_text(st, 2));
        snprintf(it->region, sizeof it->region, "%s", db_text(st, 3));
        snprintf(it->bucket, sizeof it->bucket, "%s", db_text(st, 4));
        snprintf(it->key, sizeof it->key, "%s", db_text(st, 5));
        it->planned_ms = db_int(st, 6);
        it->attempts = db_int(st, 7);
        size_t len;
        const void *p = db_blob(st, 8, &len);
        it->body = malloc(len ? len : 1);
        if (!it->body) abort();
        if (len) memcpy(it->body, p, len);
        it->body_len = len;
        it->first_seq = (uint64_t)db_int(st, 9);
        it->last_seq = (uint64_t)db_int(st, 10);
        it->records = db_int(st, 11);
        snprintf(it->json_sha256, sizeof it->json_sha256, "%s", db_text(st, 12));
        it->oldest_event_ms = db_is_null(st, 13) ? -1 : db_int(st, 13);
        it->newest_event_ms = db_is_null(st, 14) ? -1 : db_int(st, 14);
        snprintf(it->signature, sizeof it->signature, "%s", db_text(st, 15));
        it->end_ms = db_int(st, 16);
    }
    db_done(st);
    return n;
}

void outbox_items_free(outbox_item *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].body);
    free(v);
}

int outbox_done(db_conn *db, int64_t id)
{
    return db_exec(db, "DELETE FROM outbox WHERE id = ?", "i", id);
}

int outbox_retry(db_conn *db, int64_t id, int64_t next_attempt_ms)
{
    return db_exec(db,
                   "UPDATE outbox SET attempts = attempts + 1, next_attempt_ms = ? WHERE id = ?",
                   "ii", next_attempt_ms, id);
}

int64_t outbox_pending(db_conn *db, outbox_kind kind, const char *trail_arn)
{
    int64_t n = 0;
    db_get_int(db, &n,
               "SELECT COUNT(*) FROM outbox WHERE kind = ?1 AND (?2 IS NULL OR trail_arn = ?2)",
               "ss", KIND[kind], trail_arn);
    return n;
}

int outbox_forget_trail(db_conn *db, outbox_kind kind, const char *trail_arn)
{
    return db_exec(db, "DELETE FROM outbox WHERE kind = ? AND trail_arn = ?", "ss", KIND[kind],
                   trail_arn);
}

/* delivery_status keeps both kinds side by side, one column triple each (latest stored,
 * latest attempt, latest error): the statements are one template over the triple. */
#define STATUS_GET(stored, attempt, error)                                                         \
    "SELECT " stored ", " attempt ", " error " FROM delivery_status WHERE trail_arn = ?"
#define STATUS_FAILED(attempt, error)                                                              \
    "INSERT INTO delivery_status(trail_arn, " attempt ", " error ") VALUES(?, ?, ?) "              \
    "ON CONFLICT(trail_arn) DO UPDATE SET " attempt " = excluded." attempt ", " error              \
    " = excluded." error
#define STATUS_STORED(stored, attempt, error)                                                      \
    "INSERT INTO delivery_status(trail_arn, " stored ", " attempt ", " error ") "                  \
    "VALUES(?, ?, ?, NULL) ON CONFLICT(trail_arn) DO UPDATE SET " stored " = excluded." stored     \
    ", " attempt " = excluded." attempt ", " error " = NULL"
#define STATUS_SQL(stored, attempt, error)                                                         \
    {                                                                                              \
        STATUS_GET(stored, attempt, error), STATUS_FAILED(attempt, error),                         \
            STATUS_STORED(stored, attempt, error)                                                  \
    }

static const struct {
    const char *get, *failed, *stored;
} STATUS[] = {
    [OUTBOX_LOG] = STATUS_SQL("latest_delivery_ms", "latest_attempt_ms", "latest_error"),
    [OUTBOX_DIGEST] =
        STATUS_SQL("latest_digest_ms", "latest_digest_attempt_ms", "latest_digest_error"),
    [OUTBOX_CWL] = STATUS_SQL("latest_cwl_ms", "latest_cwl_attempt_ms", "latest_cwl_error"),
};

int outbox_status_get(db_conn *db, outbox_kind kind, const char *trail_arn, outbox_status *s)
{
    memset(s, 0, sizeof *s);
    sqlite3_stmt *st = db_query(db, STATUS[kind].get, "s", trail_arn);
    int found = 0;
    if (db_row(st)) {
        s->latest_ms = db_int(st, 0);
        s->latest_attempt_ms = db_int(st, 1);
        snprintf(s->latest_error, sizeof s->latest_error, "%s", db_text(st, 2));
        found = 1;
    }
    db_done(st);
    return found;
}

int outbox_status_attempt(db_conn *db, outbox_kind kind, const char *trail_arn, int64_t now_ms,
                          const char *error)
{
    if (error) return db_exec(db, STATUS[kind].failed, "sis", trail_arn, now_ms, error);
    return db_exec(db, STATUS[kind].stored, "sii", trail_arn, now_ms, now_ms);
}
