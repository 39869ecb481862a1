#include "state/logstore.h"

#include <assert.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* The oldest timestamp a group with this retention keeps as of now_ms; INT64_MIN: all. */
static int64_t retention_cutoff(int days, int64_t now_ms)
{
    return days > 0 ? now_ms - (int64_t)days * LOGSTORE_DAY_MS : INT64_MIN;
}

void logstore_classify(const logstore_input *ev, size_t n, int64_t now_ms, int retention_days,
                       logstore_window *out)
{
    int64_t too_old = now_ms - LOGSTORE_MAX_AGE_MS;
    int64_t expired = retention_cutoff(retention_days, now_ms);
    int64_t oldest = too_old > expired ? too_old : expired;
    size_t first = 0, n_expired = 0, end = n;
    while (first < n && ev[first].timestamp < oldest) {
        if (ev[first].timestamp < expired) n_expired++;
        first++;
    }
    while (end > first && ev[end - 1].timestamp > now_ms + LOGSTORE_MAX_AHEAD_MS)
        end--;
    out->first = first;
    out->end = end;
    out->too_old_end = first ? (int64_t)first : -1;
    out->expired_end = n_expired ? (int64_t)n_expired : -1;
    out->too_new_start = end < n ? (int64_t)end : -1;
}

typedef struct group_row {
    int64_t id;
    int retention_days;
} group_row;

static void fill_group(sqlite3_stmt *st, void *row)
{
    group_row *g = row;
    g->id = db_int(st, 0);
    g->retention_days = db_is_null(st, 1) ? 0 : (int)db_int(st, 1);
}

/* The group k names: 0, or LOGSTORE_NO_GROUP. */
static int find_group(db_conn *db, const logstore_key *k, group_row *g)
{
    sqlite3_stmt *st = db_query(db,
                                "SELECT id, retention_days FROM log_groups WHERE account_id = ? "
                                "AND region = ? AND name = ?",
                                "sss", k->account_id, k->region, k->group);
    return db_row_get(st, fill_group, g) ? 0 : LOGSTORE_NO_GROUP;
}

/* The stream k names in group gid: its id, or 0 when there is none. */
static int64_t find_stream(db_conn *db, int64_t gid, const char *stream)
{
    int64_t id = 0;
    db_get_int(db, &id, "SELECT id FROM log_streams WHERE group_id = ? AND name = ?", "is", gid,
               stream);
    return id;
}

int logstore_retention(db_conn *db, const logstore_key *k)
{
    group_row g;
    if (find_group(db, k, &g)) return LOGSTORE_NO_GROUP;
    return g.retention_days;
}

/* Deletes group gid's events older than its retention as of now_ms (in the caller's
 * transaction), with their bytes; *deleted (may be NULL) gets how many. */
static int expire_group(db_conn *db, int64_t gid, int days, int64_t now_ms, int64_t *deleted)
{
    if (deleted) *deleted = 0;
    if (days <= 0) return 0;
    int64_t cutoff = retention_cutoff(days, now_ms);
    sqlite3_stmt *st = db_query(db,
                                "SELECT COUNT(*), COALESCE(SUM(length(message)), 0) FROM "
                                "log_events WHERE group_id = ? AND ts < ?",
                                "ii", gid, cutoff);
    int64_t count = 0, bytes = 0;
    if (db_row(st)) {
        count = db_int(st, 0);
        bytes = db_int(st, 1);
    }
    db_done(st);
    if (!count) return 0;
    if (db_exec(db, "DELETE FROM log_events WHERE group_id = ? AND ts < ?", "ii", gid, cutoff) ||
        db_exec(db, "UPDATE log_groups SET stored_bytes = stored_bytes - ? WHERE id = ?", "ii",
                bytes, gid))
        return -1;
    if (deleted) *deleted = count;
    return 0;
}

typedef struct append_args {
    const logstore_key *k;
    const logstore_input *ev;
    size_t n;
    int64_t ingest_ms;
    int64_t *last_seq;
} append_args;

static int append_tx(db_conn *db, void *arg)
{
    append_args *a = arg;
    group_row g;
    if (find_group(db, a->k, &g)) return LOGSTORE_NO_GROUP;
    int64_t sid = find_stream(db, g.id, a->k->stream);
    if (!sid) return LOGSTORE_NO_STREAM;
    if (expire_group(db, g.id, g.retention_days, a->ingest_ms, NULL)) return -1;
    int64_t bytes = 0, seq = 0;
    for (size_t i = 0; i < a->n; i++) {
        const logstore_input *e = &a->ev[i];
        if (db_exec(db,
                    "INSERT INTO log_events(group_id, stream_id, ts, ingest_ms, message) "
                    "VALUES(?, ?, ?, ?, ?)",
                    "iiiib", g.id, sid, e->timestamp, a->ingest_ms, e->message, e->len))
            return -1;
        bytes += (int64_t)e->len;
    }
    if (a->n) {
        seq = sqlite3_last_insert_rowid(db->h);
        /* The batch is chronological: its first and last events bound it. */
        int64_t lo = a->ev[0].timestamp, hi = a->ev[a->n - 1].timestamp;
        if (db_exec(db,
                    "UPDATE log_streams SET "
                    "first_event_ms = CASE WHEN first_event_ms IS NULL OR first_event_ms > ? "
                    "THEN ? ELSE first_event_ms END, "
                    "last_event_ms = CASE WHEN last_event_ms IS NULL OR last_event_ms < ? "
                    "THEN ? ELSE last_event_ms END, "
                    "last_ingest_ms = ?, last_seq = ? WHERE id = ?",
                    "iiiiiii", lo, lo, hi, hi, a->ingest_ms, seq, sid) ||
            db_exec(db, "UPDATE log_groups SET stored_bytes = stored_bytes + ? WHERE id = ?", "ii",
                    bytes, g.id))
            return -1;
    } else {
        db_get_int(db, &seq, "SELECT COALESCE(last_seq, 0) FROM log_streams WHERE id = ?", "i",
                   sid);
    }
    if (a->last_seq) *a->last_seq = seq;
    return 0;
}

int logstore_append(db_conn *db, const logstore_key *k, const logstore_input *ev, size_t n,
                    int64_t ingest_ms, int64_t *last_seq)
{
    assert(k->stream);
    append_args a = {k, ev, n, ingest_ms, last_seq};
    return db_in_tx(db, append_tx, &a);
}

typedef struct retention_args {
    const logstore_key *k;
    int days;
    int64_t now_ms;
} retention_args;

static int retention_tx(db_conn *db, void *arg)
{
    retention_args *a = arg;
    group_row g;
    if (find_group(db, a->k, &g)) return LOGSTORE_NO_GROUP;
    if (a->days > 0
            ? db_exec(db, "UPDATE log_groups SET retention_days = ? WHERE id = ?", "di", a->days,
                      g.id)
            : db_exec(db, "UPDATE log_groups SET retention_days = NULL WHERE id = ?", "i", g.id))
        return -1;
    return expire_group(db, g.id, a->days, a->now_ms, NULL);
}

int logstore_set_retention(db_conn *db, const logstore_key *k, int days, int64_t now_ms)
{
    retention_args a = {k, days, now_ms};
    return db_in_tx(db, retention_tx, &a);
}

int logstore_expire(db_conn *db, int64_t now_ms, int64_t *deleted)
{
    assert(!db_in_transaction(db));
    if (deleted) *deleted = 0;
    size_t n = 0;
    group_row *groups = db_rows_alloc(
        db_query(db, "SELECT id, retention_days FROM log_groups WHERE retention_days > 0", NULL),
        sizeof *groups, fill_group, &n);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        /* A read first: most passes find nothing, and take no write lock for it. */
        int64_t any = 0;
        db_get_int(db, &any,
                   "SELECT EXISTS(SELECT 1 FROM log_events WHERE group_id = ? AND ts < ?)", "ii",
                   groups[i].id, retention_cutoff(groups[i].retention_days, now_ms));
        if (!any) continue;
        int64_t gone = 0;
        if (db_begin(db)) {
            rc = -1;
            break;
        }
        /* The retention is read again inside the transaction: it may have changed. */
        int64_t days = 0;
        db_get_int(db, &days, "SELECT COALESCE(retention_days, 0) FROM log_groups WHERE id = ?",
                   "i", groups[i].id);
        if (expire_group(db, groups[i].id, (int)days, now_ms, &gone)) {
            db_rollback(db);
            rc = -1;
        } else if (db_commit(db)) {
            rc = -1;
        } else if (deleted) {
            *deleted += gone;
        }
    }
    free(groups);
    return rc;
}

static int drop_tx(db_conn *db, void *arg)
{
    const logstore_key *k = arg;
    group_row g;
    if (find_group(db, k, &g)) return LOGSTORE_NO_GROUP;
    if (!k->stream)
        return db_exec(db, "DELETE FROM log_events WHERE group_id = ?", "i", g.id) ||
                       db_exec(db, "UPDATE log_groups SET stored_bytes = 0 WHERE id = ?", "i", g.id)
                   ? -1
                   : 0;
    int64_t sid = find_stream(db, g.id, k->stream);
    if (!sid) return LOGSTORE_NO_STREAM;
    int64_t bytes = 0;
    db_get_int(db, &bytes,
               "SELECT COALESCE(SUM(length(message)), 0) FROM log_events WHERE stream_id = ?", "i",
               sid);
    if (db_exec(db, "DELETE FROM log_events WHERE stream_id = ?", "i", sid) ||
        db_exec(db, "UPDATE log_groups SET stored_bytes = stored_bytes - ? WHERE id = ?", "ii",
                bytes, g.id))
        return -1;
    return 0;
}

int logstore_drop(db_conn *db, const logstore_key *k)
{
    return db_in_tx(db, drop_tx, (void *)k);
}

/* The stream filter as a JSON array of names, for json_each(); NULL when there is none. */
static char *names_json(const logstore_query *q)
{
    if (!q->stream_names) return NULL;
    json_t *arr = json_array();
    for (size_t i = 0; i < q->n_stream_names; i++)
        json_array_append_new(arr, json_string(q->stream_names[i]));
    char *s = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    return s;
}

int logstore_open(db_conn *db, const logstore_query *q, logstore_iter *it)
{
    memset(it, 0, sizeof *it);
    const logstore_key *k = &q->key;
    group_row g;
    if (find_group(db, k, &g)) return LOGSTORE_NO_GROUP;
    int64_t start = q->start_ms, cutoff = retention_cutoff(g.retention_days, q->now_ms);
    if (start < cutoff) start = cutoff;
    logstore_pos from = q->has_from   ? q->from
                        : q->backward ? (logstore_pos){INT64_MAX, INT64_MAX}
                                      : LOGSTORE_POS_MIN;
    if (k->stream) {
        int64_t sid = find_stream(db, g.id, k->stream);
        if (!sid) return LOGSTORE_NO_STREAM;
        it->cur.stream = k->stream;
        it->st = q->backward
                     ? db_query(db,
                                "SELECT seq, ts, ingest_ms, NULL, message FROM log_events WHERE "
                                "stream_id = ? AND ts >= ? AND ts < ? AND (ts, seq) < (?, ?) "
                                "ORDER BY ts DESC, seq DESC",
                                "iiiii", sid, start, q->end_ms, from.ts, from.seq)
                     : db_query(db,
                                "SELECT seq, ts, ingest_ms, NULL, message FROM log_events WHERE "
                                "stream_id = ? AND ts >= ? AND ts < ? AND (ts, seq) > (?, ?) "
                                "ORDER BY ts, seq",
                                "iiiii", sid, start, q->end_ms, from.ts, from.seq);
    } else {
        assert(!q->backward);
        it->names_json = names_json(q);
        it->st = db_query(db,
                          "SELECT e.seq, e.ts, e.ingest_ms, s.name, e.message FROM log_events e "
                          "JOIN log_streams s ON s.id = e.stream_id WHERE e.group_id = ? AND "
                          "e.ts >= ? AND e.ts < ? AND (e.ts, e.seq) > (?, ?) AND "
                          "(? IS NULL OR s.name IN (SELECT value FROM json_each(?))) AND "
                          "(? IS NULL OR substr(s.name, 1, length(?)) = ?) "
                          "ORDER BY e.ts, e.seq",
                          "iiiiisssss", g.id, start, q->end_ms, from.ts, from.seq, it->names_json,
                          it->names_json, q->stream_prefix, q->stream_prefix, q->stream_prefix);
    }
    if (!it->st) {
        logstore_close(it);
        return -1;
    }
    return 0;
}

bool logstore_next(logstore_iter *it)
{
    if (!db_row(it->st)) return false;
    logstore_event *e = &it->cur;
    e->seq = db_int(it->st, 0);
    e->timestamp = db_int(it->st, 1);
    e->ingest_ms = db_int(it->st, 2);
    if (!db_is_null(it->st, 3)) e->stream = db_text(it->st, 3);
    e->message = db_blob(it->st, 4, &e->len);
    if (!e->message) e->message = "";
    return true;
}

logstore_pos logstore_pos_of(const logstore_event *ev)
{
    return (logstore_pos){ev->timestamp, ev->seq};
}

void logstore_close(logstore_iter *it)
{
    db_done(it->st);
    free(it->names_json);
    memset(it, 0, sizeof *it);
}

int logstore_ensure_stream(db_conn *db, const logstore_key *k, int64_t now_ms)
{
    int64_t gid = 0;
    if (!db_get_int(db, &gid,
                    "SELECT id FROM log_groups WHERE account_id = ? AND region = ? AND name = ?",
                    "sss", k->account_id, k->region, k->group))
        return LOGSTORE_NO_GROUP;
    return db_exec(db,
                   "INSERT INTO log_streams(group_id, account_id, region, group_name, name, "
                   "created_ms) VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                   "issssi", gid, k->account_id, k->region, k->group, k->stream, now_ms)
               ? -1
               : 0;
}
