/* logstore: CloudWatch Logs' log events as stored, for every writer and reader of them: the
 * Logs API (svc/logs.c: PutLogEvents, GetLogEvents, retention) and, later, the capture and
 * delivery path that streams CloudTrail records into log groups without going through
 * HTTP. It knows nothing of requests: callers name a stream by (account, region, group,
 * stream) and get state-level results; the AWS errors are theirs to say.
 *
 * The log groups and streams themselves are rows of log_groups / log_streams (made by the
 * service, state/schema.c migrations 14 and 15); this module owns their events and the
 * figures kept about them (a stream's first/last event and last ingestion, a group's
 * stored bytes: message bytes, without the 26 bytes per event PutLogEvents counts).
 *
 * Order and positions. Every event gets a seq when stored: its ingestion order, never
 * reused. Readers see events in (timestamp, seq) order; a logstore_pos is a point in that
 * order between two events, so a resume token made of one stays valid while events are
 * added before or after it, or expire.
 *
 * Retention. A group with a retention of N days holds no event older than now - N days:
 * readers skip them at once (the cut-off is computed from the caller's now_ms), and they
 * are deleted on every append to the group, when the retention is set, and by
 * logstore_expire (the server calls it periodically; anyone may).
 *
 * Durability: the database runs WAL with synchronous=FULL (state/db.c), so a write that
 * returned 0 outside a transaction, or whose caller's transaction committed, survives a
 * crash or kill -9.
 *
 * Transactions: writers join the caller's transaction when one is open (the service's
 * OP_TX), else run in one of their own: a batch is stored whole or not at all. Returns of
 * writers: 0, LOGSTORE_NO_GROUP / LOGSTORE_NO_STREAM when the names find nothing (nothing
 * changed), or -1 on a database error (db_errmsg; the caller's transaction, if any, is
 * the caller's to roll back). */
#ifndef ORGTRAIL_LOGSTORE_H
#define ORGTRAIL_LOGSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state/db.h"

/* PutLogEvents' window (AWS's): events more than 14 days in the past or 2 hours in the
 * future are not stored. */
#define LOGSTORE_MAX_AGE_MS (14LL * 24 * 3600 * 1000)
#define LOGSTORE_MAX_AHEAD_MS (2LL * 3600 * 1000)
#define LOGSTORE_DAY_MS (24LL * 3600 * 1000)

enum { LOGSTORE_NO_GROUP = -2, LOGSTORE_NO_STREAM = -3 };

/* Storage. A batch of at least LOGSTORE_CHUNK_MIN message bytes is stored deflated in
 * chunks of up to LOGSTORE_CHUNK_RAW bytes (migration 21); smaller ones inline, one row an
 * event. Readers see no difference. */
#define LOGSTORE_CHUNK_RAW (64 * 1024)
#define LOGSTORE_CHUNK_MIN 4096
#define LOGSTORE_ITER_CHUNKS 32

typedef struct logstore_key {
    const char *account_id;
    const char *region;
    const char *group;
    const char *stream; /* NULL where a function names a group only */
} logstore_key;

/* An event to store: milliseconds since the epoch and the message's UTF-8 bytes (len of
 * them; NULs allowed). Borrowed. */
typedef struct logstore_input {
    int64_t timestamp;
    const char *message;
    size_t len;
} logstore_input;

/* Which events of a chronological batch are stored, by PutLogEvents' rules: the too old
 * ones are a prefix, the too new a suffix. Indices are AWS's rejectedLogEventsInfo; -1
 * where no event falls in that class. */
typedef struct logstore_window {
    size_t first, end;     /* events [first, end) are stored */
    int64_t too_old_end;   /* tooOldLogEventEndIndex: [0, it) older than 14 days or
                            * than the retention (exclusive end) */
    int64_t expired_end;   /* expiredLogEventEndIndex: [0, it) older than the retention */
    int64_t too_new_start; /* tooNewLogEventStartIndex: [it, n) more than 2 h ahead */
} logstore_window;

/* Classifies ev[0..n) (in chronological order) at now_ms for a group whose retention is
 * retention_days (0: none). Pure: no database. */
void logstore_classify(const logstore_input *ev, size_t n, int64_t now_ms, int retention_days,
                       logstore_window *out);

/* The group's retention in days: 0 none, LOGSTORE_NO_GROUP when there is no such group,
 * -1 on a database error. */
int logstore_retention(db_conn *db, const logstore_key *k);

/* Stores ev[0..n) in the stream in this order, ingested at ingest_ms, after deleting the
 * group's expired events (as of ingest_ms). The caller has applied logstore_classify:
 * nothing here checks windows or order. n may be 0 (the expiry alone). *last_seq (may be
 * NULL) receives the seq of the last event stored, or the stream's last one when n is 0
 * (0 when it has none). */
__attribute__((warn_unused_result)) int logstore_append(db_conn *db, const logstore_key *k,
                                                        const logstore_input *ev, size_t n,
                                                        int64_t ingest_ms, int64_t *last_seq);

/* Creates the stream k->stream in its group unless it exists (CloudTrail creates the
 * streams it writes, as CreateLogStream would): 0, or LOGSTORE_NO_GROUP, or -1. */
__attribute__((warn_unused_result)) int logstore_ensure_stream(db_conn *db, const logstore_key *k,
                                                               int64_t now_ms);

/* Sets (days > 0) or removes (days 0) the group's retention and deletes what it expires
 * as of now_ms. The caller checks days against AWS's allowed values. */
__attribute__((warn_unused_result)) int logstore_set_retention(db_conn *db, const logstore_key *k,
                                                               int days, int64_t now_ms);

/* Deletes the events of every group with a retention that are older than it as of now_ms,
 * one transaction per group that has any (never inside the caller's transaction).
 * *deleted (may be NULL) receives how many went. 0 or -1. */
__attribute__((warn_unused_result)) int logstore_expire(db_conn *db, int64_t now_ms,
                                                        int64_t *deleted);

/* Deletes the stream's events (k->stream) or, with k->stream NULL, the whole group's,
 * before the service deletes the stream or group row. */
__attribute__((warn_unused_result)) int logstore_drop(db_conn *db, const logstore_key *k);

/* A point in (timestamp, seq) order. LOGSTORE_POS_MIN lies before every event. */
typedef struct logstore_pos {
    int64_t ts;
    int64_t seq;
} logstore_pos;
#define LOGSTORE_POS_MIN ((logstore_pos){INT64_MIN, 0})

/* What a read wants: one stream (k->stream), or a group's streams (k->stream NULL)
 * filtered by names and/or a name prefix; a time range; a direction and a resume point. */
typedef struct logstore_query {
    logstore_key key;
    const char *const *stream_names; /* group reads: only these streams; NULL any */
    size_t n_stream_names;
    const char *stream_prefix; /* group reads: only streams whose names start so; NULL any */
    int64_t start_ms;          /* events with timestamp >= start_ms ... */
    int64_t end_ms;            /* ... and < end_ms (INT64_MAX: no end) */
    bool backward;             /* latest first (stream reads only) */
    bool has_from;             /* resume strictly after (forward) / before (backward) from */
    logstore_pos from;
    int64_t now_ms; /* for the retention cut-off */
} logstore_query;

/* One event as read: valid until the next logstore_next or logstore_close. */
typedef struct logstore_event {
    int64_t seq;
    int64_t timestamp;
    int64_t ingest_ms;
    const char *stream; /* its stream's name */
    const char *message;
    size_t len;
} logstore_event;

/* An open read: a statement on db, stepped by logstore_next. Statements are cached per
 * connection (state/db.h), so a connection has one open read at a time, and writes on it
 * wait until logstore_close. */
typedef struct chunk_slot chunk_slot;
typedef struct logstore_iter {
    db_conn *db;
    sqlite3_stmt *st;
    char *names_json;   /* the stream filter, bound as JSON text */
    chunk_slot *chunks; /* LOGSTORE_ITER_CHUNKS inflated chunks, allocated on first use */
    struct libdeflate_decompressor *inflater; /* made on the first deflated chunk */
    uint64_t clock;                           /* their use order */
    logstore_event cur;
} logstore_iter;

/* Opens a read: 0, LOGSTORE_NO_GROUP, LOGSTORE_NO_STREAM (it is closed then), or -1. */
int logstore_open(db_conn *db, const logstore_query *q, logstore_iter *it);
/* The next event in the query's order into it->cur: true, or false at the end. */
bool logstore_next(logstore_iter *it);
/* The position of it->cur (to resume after or before it). */
logstore_pos logstore_pos_of(const logstore_event *ev);
void logstore_close(logstore_iter *it);

#endif
