#include "state/logstore.h"

#include <assert.h>
#include <jansson.h>
#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>

#include "core/deflate.h"
#include "core/xalloc.h"

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
                                "SELECT COUNT(*), COALESCE(SUM(len), 0) FROM "
                                "log_events WHERE group_id = ? AND ts < ?",
                                "ii", gid, cutoff);
    int64_t count = 0, bytes = 0;
    if (db_row(st)) {
        count = db_int(st, 0);
        bytes = db_int(st, 1);
    }
    db_done(st);
    if (!count) return 0;
    /* A chunk whose latest event is past the cut-off has no event left. */
    if (db_exec(db, "DELETE FROM log_events WHERE group_id = ? AND ts < ?", "ii", gid, cutoff) ||
        db_exec(db, "DELETE FROM log_chunks WHERE group_id = ? AND max_ts < ?", "ii", gid,
                cutoff) ||
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

/* Stores ev[0..n) as chunks of at most LOGSTORE_CHUNK_RAW message bytes (an event larger
 * than that is a chunk of its own), each deflated by core/deflate.h (stored as is when that
 * does not make it smaller: a reader tells by length(data) == raw_len). Why: a trail
 * streams every record it delivers, and SQLite writes each byte twice (WAL, then the
 * checkpoint). The invictus records deflate 7.0:1 in 64 KiB pieces with zlib level 1
 * (igzip's output is ~8% larger). */
static int append_chunked(db_conn *db, int64_t gid, int64_t sid, const logstore_input *ev, size_t n,
                          int64_t ingest_ms)
{
    unsigned char *raw = NULL, *out = NULL;
    size_t raw_cap = 0, out_cap = 0;
    int rc = 0;
    for (size_t i = 0; i < n && !rc;) {
        size_t j = i, len = 0;
        int64_t max_ts = ev[i].timestamp;
        while (j < n && (j == i || len + ev[j].len <= LOGSTORE_CHUNK_RAW)) {
            if (ev[j].timestamp > max_ts) max_ts = ev[j].timestamp;
            len += ev[j++].len;
        }
        raw = xgrow(raw, &raw_cap, len ? len : 1, 1);
        size_t off = 0;
        for (size_t k = i; k < j; k++) {
            memcpy(raw + off, ev[k].message, ev[k].len);
            off += ev[k].len;
        }
        size_t bound = deflate_bound(len), zlen = 0;
        out = xgrow(out, &out_cap, bound, 1);
        bool deflated = len && !deflate_fast(raw, len, false, out, bound, &zlen) && zlen < len;
        if (db_exec(db,
                    "INSERT INTO log_chunks(group_id, stream_id, max_ts, raw_len, data) "
                    "VALUES(?, ?, ?, ?, ?)",
                    "iiiib", gid, sid, max_ts, (int64_t)len, deflated ? (void *)out : (void *)raw,
                    deflated ? zlen : len)) {
            rc = -1;
            break;
        }
        int64_t chunk = sqlite3_last_insert_rowid(db->h);
        off = 0;
        for (size_t k = i; k < j && !rc; k++) {
            if (db_exec(db,
                        "INSERT INTO log_events(group_id, stream_id, ts, ingest_ms, message, "
                        "chunk_id, chunk_off, len) VALUES(?, ?, ?, ?, X'', ?, ?, ?)",
                        "iiiiiii", gid, sid, ev[k].timestamp, ingest_ms, chunk, (int64_t)off,
                        (int64_t)ev[k].len))
                rc = -1;
            off += ev[k].len;
        }
        i = j;
    }
    free(raw);
    free(out);
    return rc;
}

static int append_tx(db_conn *db, void *arg)
{
    append_args *a = arg;
    group_row g;
    if (find_group(db, a->k, &g)) return LOGSTORE_NO_GROUP;
    int64_t sid = find_stream(db, g.id, a->k->stream);
    if (!sid) return LOGSTORE_NO_STREAM;
    if (expire_group(db, g.id, g.retention_days, a->ingest_ms, NULL)) return -1;
    int64_t bytes = 0, seq = 0;
    for (size_t i = 0; i < a->n; i++)
        bytes += (int64_t)a->ev[i].len;
    if (bytes < LOGSTORE_CHUNK_MIN) {
        for (size_t i = 0; i < a->n; i++) {
            const logstore_input *e = &a->ev[i];
            if (db_exec(db,
                        "INSERT INTO log_events(group_id, stream_id, ts, ingest_ms, message, len) "
                        "VALUES(?, ?, ?, ?, ?, ?)",
                        "iiiibi", g.id, sid, e->timestamp, a->ingest_ms, e->message, e->len,
                        (int64_t)e->len))
                return -1;
        }
    } else if (append_chunked(db, g.id, sid, a->ev, a->n, a->ingest_ms)) {
        return -1;
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
                       db_exec(db, "DELETE FROM log_chunks WHERE group_id = ?", "i", g.id) ||
                       db_exec(db, "UPDATE log_groups SET stored_bytes = 0 WHERE id = ?", "i", g.id)
                   ? -1
                   : 0;
    int64_t sid = find_stream(db, g.id, k->stream);
    if (!sid) return LOGSTORE_NO_STREAM;
    int64_t bytes = 0;
    db_get_int(db, &bytes, "SELECT COALESCE(SUM(len), 0) FROM log_events WHERE stream_id = ?", "i",
               sid);
    if (db_exec(db, "DELETE FROM log_events WHERE stream_id = ?", "i", sid) ||
        db_exec(db, "DELETE FROM log_chunks WHERE stream_id = ?", "i", sid) ||
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
    it->db = db;
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
        it->st =
            q->backward
                ? db_query(
                      db,
                      "SELECT seq, ts, ingest_ms, NULL, message, chunk_id, chunk_off, len FROM "
                      "log_events WHERE "
                      "stream_id = ? AND ts >= ? AND ts < ? AND (ts, seq) < (?, ?) "
                      "ORDER BY ts DESC, seq DESC",
                      "iiiii", sid, start, q->end_ms, from.ts, from.seq)
                : db_query(
                      db,
                      "SELECT seq, ts, ingest_ms, NULL, message, chunk_id, chunk_off, len FROM "
                      "log_events WHERE "
                      "stream_id = ? AND ts >= ? AND ts < ? AND (ts, seq) > (?, ?) "
                      "ORDER BY ts, seq",
                      "iiiii", sid, start, q->end_ms, from.ts, from.seq);
    } else {
        assert(!q->backward);
        it->names_json = names_json(q);
        it->st =
            db_query(db,
                     "SELECT e.seq, e.ts, e.ingest_ms, s.name, e.message, e.chunk_id, e.chunk_off, "
                     "e.len FROM log_events e "
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

/* The chunks an iterator has inflated lately. A group read interleaves its streams'
 * events by time, so it may need one chunk per stream at once: LOGSTORE_ITER_CHUNKS of
 * them are kept, the least recently used replaced. */
struct chunk_slot {
    int64_t id; /* 0: empty */
    unsigned char *raw;
    size_t raw_len, cap;
    uint64_t used;
};

/* The chunk `id` inflated, from the cache or the store; NULL when it cannot be read. */
static const chunk_slot *chunk_get(logstore_iter *it, int64_t id)
{
    if (!it->chunks) it->chunks = xcalloc(LOGSTORE_ITER_CHUNKS, sizeof *it->chunks);
    chunk_slot *victim = &it->chunks[0];
    for (size_t i = 0; i < LOGSTORE_ITER_CHUNKS; i++) {
        chunk_slot *c = &it->chunks[i];
        if (c->id == id) {
            c->used = ++it->clock;
            return c;
        }
        if (c->used < victim->used) victim = c;
    }
    sqlite3_stmt *st =
        db_query(it->db, "SELECT raw_len, data FROM log_chunks WHERE id = ?", "i", id);
    const chunk_slot *found = NULL;
    if (db_row(st)) {
        size_t raw_len = (size_t)db_int(st, 0), zlen;
        const void *data = db_blob(st, 1, &zlen);
        victim->raw = xgrow(victim->raw, &victim->cap, raw_len ? raw_len : 1, 1);
        victim->id = 0;
        bool ok = zlen == raw_len;
        if (ok) {
            if (raw_len) memcpy(victim->raw, data, raw_len);
        } else {
            if (!it->inflater && !(it->inflater = libdeflate_alloc_decompressor())) abort();
            ok = libdeflate_deflate_decompress(it->inflater, data, zlen, victim->raw, raw_len,
                                               NULL) == LIBDEFLATE_SUCCESS;
        }
        if (ok) {
            victim->id = id;
            victim->raw_len = raw_len;
            victim->used = ++it->clock;
            found = victim;
        }
    }
    db_done(st);
    return found;
}

bool logstore_next(logstore_iter *it)
{
    if (!db_row(it->st)) return false;
    logstore_event *e = &it->cur;
    e->seq = db_int(it->st, 0);
    e->timestamp = db_int(it->st, 1);
    e->ingest_ms = db_int(it->st, 2);
    if (!db_is_null(it->st, 3)) e->stream = db_text(it->st, 3);
    if (db_is_null(it->st, 5)) {
        e->message = db_blob(it->st, 4, &e->len);
        if (!e->message) e->message = "";
        return true;
    }
    const chunk_slot *c = chunk_get(it, db_int(it->st, 5));
    int64_t off = db_int(it->st, 6), len = db_int(it->st, 7);
    if (!c || off < 0 || len < 0 || (size_t)(off + len) > c->raw_len) {
        /* A chunk that cannot be read is the store's damage, not the caller's: the event
         * reads as empty rather than end the read early. */
        e->message = "";
        e->len = 0;
        return true;
    }
    e->message = (const char *)c->raw + off;
    e->len = (size_t)len;
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
    if (it->chunks)
        for (size_t i = 0; i < LOGSTORE_ITER_CHUNKS; i++)
            free(it->chunks[i].raw);
    free(it->chunks);
    libdeflate_free_decompressor(it->inflater);
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
