#include "state/digest_state.h"

#include "core/xalloc.h"
#include "state/outbox_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t digest_chains_of(db_conn *db, const char *trail_arn, digest_chain **out)
{
    size_t n = 0, cap = 0;
    *out = NULL;
    sqlite3_stmt *st = db_query(db,
                                "SELECT account_id, region, running, start_ms, last_end_ms, "
                                "prev_bucket, prev_key, prev_hash, prev_signature "
                                "FROM digest_chains WHERE trail_arn = ? "
                                "ORDER BY account_id, region",
                                "s", trail_arn);
    while (db_row(st)) {
        *out = xgrow(*out, &cap, n + 1, sizeof **out);
        digest_chain *c = &(*out)[n++];
        memset(c, 0, sizeof *c);
        snprintf(c->trail_arn, sizeof c->trail_arn, "%s", trail_arn);
        snprintf(c->account_id, sizeof c->account_id, "%s", db_text(st, 0));
        snprintf(c->region, sizeof c->region, "%s", db_text(st, 1));
        c->running = db_int(st, 2) != 0;
        c->start_ms = db_int(st, 3);
        c->last_end_ms = db_int(st, 4);
        c->has_prev = !db_is_null(st, 6);
        snprintf(c->prev_bucket, sizeof c->prev_bucket, "%s", db_text(st, 5));
        snprintf(c->prev_key, sizeof c->prev_key, "%s", db_text(st, 6));
        snprintf(c->prev_hash, sizeof c->prev_hash, "%s", db_text(st, 7));
        snprintf(c->prev_signature, sizeof c->prev_signature, "%s", db_text(st, 8));
    }
    db_done(st);
    return n;
}

int digest_chain_put(db_conn *db, const digest_chain *c)
{
    return db_exec(db,
                   "INSERT OR REPLACE INTO digest_chains(trail_arn, account_id, region, running, "
                   "start_ms, last_end_ms, prev_bucket, prev_key, prev_hash, prev_signature) "
                   "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   "sssiiissss", c->trail_arn, c->account_id, c->region, (int64_t)c->running,
                   c->start_ms, c->last_end_ms, c->has_prev ? c->prev_bucket : NULL,
                   c->has_prev ? c->prev_key : NULL, c->has_prev ? c->prev_hash : NULL,
                   c->has_prev ? c->prev_signature : NULL);
}

size_t digest_trails(db_conn *db, char (**arns)[256])
{
    size_t n = 0, cap = 0;
    *arns = NULL;
    sqlite3_stmt *st = db_query(db,
                                "SELECT arn FROM trails WHERE log_validation = 1 UNION "
                                "SELECT trail_arn FROM digest_chains WHERE running = 1 UNION "
                                "SELECT trail_arn FROM digest_pending_logs UNION "
                                "SELECT arn FROM deleted_trails ORDER BY 1",
                                "");
    while (db_row(st)) {
        *arns = xgrow(*arns, &cap, n + 1, sizeof **arns);
        snprintf((*arns)[n++], sizeof **arns, "%s", db_text(st, 0));
    }
    db_done(st);
    return n;
}

int digest_pending_add(db_conn *db, const char *trail_arn, const pending_log *l)
{
    return db_exec(db,
                   "INSERT OR IGNORE INTO digest_pending_logs(trail_arn, account_id, region, "
                   "bucket, key, sha256, oldest_event_ms, newest_event_ms, delivered_ms) "
                   "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   "ssssssiii", trail_arn, l->account_id, l->region, l->bucket, l->key, l->sha256,
                   l->oldest_event_ms, l->newest_event_ms, l->delivered_ms);
}

static size_t pending_query(sqlite3_stmt *st, pending_log **out)
{
    size_t n = 0, cap = 0;
    *out = NULL;
    while (db_row(st)) {
        *out = xgrow(*out, &cap, n + 1, sizeof **out);
        pending_log *l = &(*out)[n++];
        memset(l, 0, sizeof *l);
        snprintf(l->account_id, sizeof l->account_id, "%s", db_text(st, 0));
        snprintf(l->region, sizeof l->region, "%s", db_text(st, 1));
        snprintf(l->bucket, sizeof l->bucket, "%s", db_text(st, 2));
        snprintf(l->key, sizeof l->key, "%s", db_text(st, 3));
        snprintf(l->sha256, sizeof l->sha256, "%s", db_text(st, 4));
        l->oldest_event_ms = db_is_null(st, 5) ? -1 : db_int(st, 5);
        l->newest_event_ms = db_is_null(st, 6) ? -1 : db_int(st, 6);
        l->delivered_ms = db_int(st, 7);
    }
    db_done(st);
    return n;
}

size_t digest_pending_of(db_conn *db, const char *trail_arn, const char *account_id,
                         const char *region, pending_log **out)
{
    return pending_query(db_query(db,
                                  "SELECT account_id, region, bucket, key, sha256, "
                                  "oldest_event_ms, newest_event_ms, delivered_ms "
                                  "FROM digest_pending_logs WHERE trail_arn = ? AND "
                                  "account_id = ? AND region = ? ORDER BY delivered_ms, key",
                                  "sss", trail_arn, account_id, region),
                         out);
}

size_t digest_pending_chains(db_conn *db, const char *trail_arn, pending_log **out)
{
    return pending_query(db_query(db,
                                  "SELECT DISTINCT account_id, region, '', '', '', NULL, NULL, 0 "
                                  "FROM digest_pending_logs WHERE trail_arn = ? "
                                  "ORDER BY account_id, region",
                                  "s", trail_arn),
                         out);
}

int digest_pending_remove(db_conn *db, const char *trail_arn, const pending_log *l)
{
    return db_exec(db,
                   "DELETE FROM digest_pending_logs WHERE trail_arn = ? AND bucket = ? AND key = ?",
                   "sss", trail_arn, l->bucket, l->key);
}

int digest_forget_trail(db_conn *db, const char *trail_arn)
{
    return db_exec(db, "DELETE FROM digest_chains WHERE trail_arn = ?", "s", trail_arn) ||
                   db_exec(db, "DELETE FROM digest_pending_logs WHERE trail_arn = ?", "s",
                           trail_arn) ||
                   outbox_forget_trail(db, OUTBOX_DIGEST, trail_arn)
               ? -1
               : 0;
}
