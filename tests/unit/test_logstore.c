/* state/logstore: PutLogEvents' window rules, appends (whole or not at all, the figures
 * kept about them), reads of a stream in both directions and of a group with its stream
 * filters, resume positions that stay valid while the store changes, retention (reads cut
 * at once, deletion on write, on a new retention and by the sweep), migration 15
 * carrying a store's groups and streams over, and batches stored as deflated chunks
 * (migration 21) reading back byte for byte in every order, with their chunks going
 * with their streams, groups and retention. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/db.h"
#include "state/logstore.h"
#include "state/schema.h"
#include "testenv.h"

#define NOW 1800000000000LL /* 2027-01-15 */
#define ACCT "111111111111"
#define REGION "us-east-1"

typedef testenv_store fixture;

static int setup(void **state)
{
    static fixture f;
    testenv_store_open(&f, "logstore");
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    testenv_store_close(f);
    return 0;
}

static void add_group(db_conn *db, const char *group)
{
    assert_int_equal(db_exec(db,
                             "INSERT INTO log_groups(account_id, region, name, created_ms) "
                             "VALUES(?, ?, ?, ?)",
                             "sssi", ACCT, REGION, group, NOW),
                     0);
}

static void add_stream(db_conn *db, const char *group, const char *stream)
{
    assert_int_equal(db_exec(db,
                             "INSERT INTO log_streams(group_id, account_id, region, group_name, "
                             "name, created_ms) SELECT id, account_id, region, name, ?, ? FROM "
                             "log_groups WHERE account_id = ? AND region = ? AND name = ?",
                             "sisss", stream, NOW, ACCT, REGION, group),
                     0);
}

static logstore_key key(const char *group, const char *stream)
{
    return (logstore_key){ACCT, REGION, group, stream};
}

/* Appends one event per (timestamp, message) pair; asserts success. */
static void put(db_conn *db, const char *group, const char *stream, int64_t ingest,
                const int64_t *ts, const char *const *msg, size_t n)
{
    logstore_input ev[16];
    assert_true(n <= 16);
    for (size_t i = 0; i < n; i++)
        ev[i] = (logstore_input){ts[i], msg[i], strlen(msg[i])};
    logstore_key k = key(group, stream);
    assert_int_equal(logstore_append(db, &k, ev, n, ingest, NULL), 0);
}

/* The messages a query reads, joined by ","; the position of the last one in *last. */
static const char *read_all(db_conn *db, const logstore_query *q, char *out, size_t n,
                            logstore_pos *last)
{
    logstore_iter it;
    assert_int_equal(logstore_open(db, q, &it), 0);
    size_t used = 0;
    out[0] = '\0';
    while (logstore_next(&it)) {
        used += (size_t)snprintf(out + used, n - used, "%s%.*s", used ? "," : "", (int)it.cur.len,
                                 it.cur.message);
        assert_true(used < n);
        if (last) *last = logstore_pos_of(&it.cur);
    }
    logstore_close(&it);
    return out;
}

static logstore_query stream_query(const char *group, const char *stream)
{
    return (logstore_query){
        .key = key(group, stream), .start_ms = 0, .end_ms = INT64_MAX, .now_ms = NOW};
}

static void test_classify(void **state)
{
    (void)state;
    logstore_input ev[5] = {
        {NOW - LOGSTORE_MAX_AGE_MS - 1, "a", 1}, /* more than 14 days old */
        {NOW - 2 * LOGSTORE_DAY_MS, "b", 1},     /* older than a 1-day retention */
        {NOW - LOGSTORE_MAX_AGE_MS, "c", 1},     /* exactly 14 days: kept without retention */
        {NOW + LOGSTORE_MAX_AHEAD_MS, "d", 1},   /* exactly 2 h ahead: kept */
        {NOW + LOGSTORE_MAX_AHEAD_MS + 1, "e", 1},
    };
    logstore_window w;
    logstore_classify(ev, 1, NOW, 0, &w);
    assert_int_equal(w.first, 1);
    assert_int_equal(w.end, 1);
    assert_int_equal(w.too_old_end, 1);
    assert_int_equal(w.expired_end, -1);
    assert_int_equal(w.too_new_start, -1);
    /* Sorted: a, c, b would not be; classify the chronological subset a, c, d, e. */
    logstore_input sorted[4] = {ev[0], ev[2], ev[3], ev[4]};
    logstore_classify(sorted, 4, NOW, 0, &w);
    assert_int_equal(w.first, 1);
    assert_int_equal(w.end, 3);
    assert_int_equal(w.too_old_end, 1);
    assert_int_equal(w.too_new_start, 3);
    /* A one-day retention: older than it is too old and expired; past 14 days too old. */
    logstore_input r[3] = {ev[0], ev[1], {NOW, "now", 3}};
    logstore_classify(r, 3, NOW, 1, &w);
    assert_int_equal(w.first, 2);
    assert_int_equal(w.end, 3);
    assert_int_equal(w.too_old_end, 2);
    assert_int_equal(w.expired_end, 2);
    assert_int_equal(w.too_new_start, -1);
    /* Under a 30-day retention the 14 days decide: too old, not expired. */
    logstore_classify(r, 3, NOW, 30, &w);
    assert_int_equal(w.too_old_end, 1);
    assert_int_equal(w.expired_end, -1);
}

static void test_append_and_read_stream(void **state)
{
    fixture *f = *state;
    db_conn *db = f->db;
    add_group(db, "g");
    add_stream(db, "g", "s");
    add_stream(db, "g", "other");
    const int64_t ts[] = {NOW - 3000, NOW - 2000, NOW - 2000, NOW - 1000};
    const char *const msg[] = {"one", "two", "three", "four"};
    put(db, "g", "s", NOW, ts, msg, 4);
    const int64_t ts2[] = {NOW - 2500};
    const char *const msg2[] = {"other"};
    put(db, "g", "other", NOW + 1, ts2, msg2, 1);

    char out[256];
    logstore_query q = stream_query("g", "s");
    assert_string_equal(read_all(db, &q, out, sizeof out, NULL), "one,two,three,four");
    q.backward = true;
    assert_string_equal(read_all(db, &q, out, sizeof out, NULL), "four,three,two,one");
    /* [start, end): the end is exclusive. */
    q = stream_query("g", "s");
    q.start_ms = NOW - 2000;
    q.end_ms = NOW - 1000;
    assert_string_equal(read_all(db, &q, out, sizeof out, NULL), "two,three");

    /* A resume point between the two events of one millisecond. */
    q = stream_query("g", "s");
    logstore_iter it;
    assert_int_equal(logstore_open(db, &q, &it), 0);
    assert_true(logstore_next(&it));
    assert_true(logstore_next(&it));
    assert_string_equal(it.cur.message, "two");
    assert_string_equal(it.cur.stream, "s");
    assert_int_equal(it.cur.ingest_ms, NOW);
    logstore_pos mid = logstore_pos_of(&it.cur);
    logstore_close(&it);
    q.has_from = true;
    q.from = mid;
    assert_string_equal(read_all(db, &q, out, sizeof out, NULL), "three,four");
    q.backward = true;
    assert_string_equal(read_all(db, &q, out, sizeof out, NULL), "one");
    /* Later events, even at an earlier timestamp than the end, come after their time. */
    const int64_t ts3[] = {NOW - 1500};
    const char *const msg3[] = {"late"};
    put(db, "g", "s", NOW + 2, ts3, msg3, 1);
    q.backward = false;
    assert_string_equal(read_all(db, &q, out, sizeof out, NULL), "three,late,four");

    int64_t first = 0, last = 0, ingest = 0, bytes = 0;
    assert_true(
        db_get_int(db, &first, "SELECT first_event_ms FROM log_streams WHERE name = 's'", NULL));
    assert_true(
        db_get_int(db, &last, "SELECT last_event_ms FROM log_streams WHERE name = 's'", NULL));
    assert_true(
        db_get_int(db, &ingest, "SELECT last_ingest_ms FROM log_streams WHERE name = 's'", NULL));
    assert_true(
        db_get_int(db, &bytes, "SELECT stored_bytes FROM log_groups WHERE name = 'g'", NULL));
    assert_int_equal(first, NOW - 3000);
    assert_int_equal(last, NOW - 1000);
    assert_int_equal(ingest, NOW + 2);
    assert_int_equal(bytes, 3 + 3 + 5 + 4 + 5 + 4);

    /* Dropping a stream takes its events and bytes. */
    logstore_key k = key("g", "other");
    assert_int_equal(logstore_drop(db, &k), 0);
    assert_true(
        db_get_int(db, &bytes, "SELECT stored_bytes FROM log_groups WHERE name = 'g'", NULL));
    assert_int_equal(bytes, 3 + 3 + 5 + 4 + 4);
    k.stream = NULL;
    assert_int_equal(logstore_drop(db, &k), 0);
    q = stream_query("g", "s");
    assert_string_equal(read_all(db, &q, out, sizeof out, NULL), "");
}

static void test_missing_and_atomic(void **state)
{
    fixture *f = *state;
    db_conn *db = f->db;
    add_group(db, "g");
    add_stream(db, "g", "s");
    logstore_input ev = {NOW, "x", 1};
    logstore_key k = key("nope", "s");
    assert_int_equal(logstore_append(db, &k, &ev, 1, NOW, NULL), LOGSTORE_NO_GROUP);
    k = key("g", "nope");
    assert_int_equal(logstore_append(db, &k, &ev, 1, NOW, NULL), LOGSTORE_NO_STREAM);
    logstore_iter it;
    logstore_query q = stream_query("g", "nope");
    assert_int_equal(logstore_open(db, &q, &it), LOGSTORE_NO_STREAM);
    q = stream_query("nope", "s");
    assert_int_equal(logstore_open(db, &q, &it), LOGSTORE_NO_GROUP);
    /* Inside the caller's transaction: gone with its rollback. */
    k = key("g", "s");
    assert_int_equal(db_begin(db), 0);
    int64_t seq = 0;
    assert_int_equal(logstore_append(db, &k, &ev, 1, NOW, &seq), 0);
    assert_true(seq > 0);
    db_rollback(db);
    char out[64];
    q = stream_query("g", "s");
    assert_string_equal(read_all(db, &q, out, sizeof out, NULL), "");
    /* Its own transaction: committed. The seq goes on from where the rollback left none. */
    int64_t seq2 = 0;
    assert_int_equal(logstore_append(db, &k, &ev, 1, NOW, &seq2), 0);
    assert_string_equal(read_all(db, &q, out, sizeof out, NULL), "x");
    int64_t again = 0;
    assert_int_equal(logstore_append(db, &k, NULL, 0, NOW, &again), 0);
    assert_int_equal(again, seq2);
}

static void test_group_reads(void **state)
{
    fixture *f = *state;
    db_conn *db = f->db;
    add_group(db, "g");
    add_stream(db, "g", "app-1");
    add_stream(db, "g", "app-2");
    add_stream(db, "g", "web");
    const int64_t t1[] = {NOW - 500, NOW - 100};
    const char *const m1[] = {"a1", "a1b"};
    put(db, "g", "app-1", NOW, t1, m1, 2);
    const int64_t t2[] = {NOW - 300};
    const char *const m2[] = {"a2"};
    put(db, "g", "app-2", NOW, t2, m2, 1);
    const int64_t t3[] = {NOW - 400, NOW - 100};
    const char *const m3[] = {"w", "wb"};
    put(db, "g", "web", NOW, t3, m3, 2);

    char out[256];
    logstore_query q = stream_query("g", NULL);
    assert_string_equal(read_all(db, &q, out, sizeof out, NULL), "a1,w,a2,a1b,wb");
    q.stream_prefix = "app-";
    assert_string_equal(read_all(db, &q, out, sizeof out, NULL), "a1,a2,a1b");
    const char *const names[] = {"web", "app-2"};
    q.stream_prefix = NULL;
    q.stream_names = names;
    q.n_stream_names = 2;
    assert_string_equal(read_all(db, &q, out, sizeof out, NULL), "w,a2,wb");
    /* Resume after the second event; new events before and after it change nothing
     * behind the position. */
    q = stream_query("g", NULL);
    logstore_iter it;
    assert_int_equal(logstore_open(db, &q, &it), 0);
    assert_true(logstore_next(&it));
    assert_true(logstore_next(&it));
    assert_string_equal(it.cur.stream, "web");
    logstore_pos pos = logstore_pos_of(&it.cur);
    logstore_close(&it);
    const int64_t t4[] = {NOW - 450, NOW - 50};
    const char *const m4[] = {"early", "new"};
    put(db, "g", "app-2", NOW + 1, t4, m4, 2);
    q.has_from = true;
    q.from = pos;
    assert_string_equal(read_all(db, &q, out, sizeof out, NULL), "a2,a1b,wb,new");
}

static void test_retention(void **state)
{
    fixture *f = *state;
    db_conn *db = f->db;
    add_group(db, "g");
    add_stream(db, "g", "s");
    add_group(db, "keep");
    add_stream(db, "keep", "s");
    const int64_t ts[] = {NOW - 3 * LOGSTORE_DAY_MS, NOW - LOGSTORE_DAY_MS + 1000, NOW};
    const char *const msg[] = {"old", "edge", "new"};
    put(db, "g", "s", NOW, ts, msg, 3);
    put(db, "keep", "s", NOW, ts, msg, 3);
    logstore_key k = key("g", NULL);
    assert_int_equal(logstore_retention(db, &k), 0);
    assert_int_equal(logstore_set_retention(db, &k, 1, NOW), 0);
    assert_int_equal(logstore_retention(db, &k), 1);
    char out[64];
    logstore_query q = stream_query("g", "s");
    assert_string_equal(read_all(db, &q, out, sizeof out, NULL), "edge,new");
    int64_t rows = 0, bytes = 0;
    assert_true(db_get_int(db, &rows, "SELECT COUNT(*) FROM log_events", NULL));
    assert_int_equal(rows, 5); /* "old" of g deleted, keep's three stay */
    /* Two seconds later "edge" is past the retention: no read sees it ... */
    q.now_ms = NOW + 2000;
    assert_string_equal(read_all(db, &q, out, sizeof out, NULL), "new");
    /* ... and the sweep deletes it, with its bytes. */
    int64_t gone = -1;
    assert_int_equal(logstore_expire(db, NOW + 2000, &gone), 0);
    assert_int_equal(gone, 1);
    assert_int_equal(logstore_expire(db, NOW + 2000, &gone), 0);
    assert_int_equal(gone, 0);
    assert_true(
        db_get_int(db, &bytes, "SELECT stored_bytes FROM log_groups WHERE name = 'g'", NULL));
    assert_int_equal(bytes, 3);
    /* Removing the retention keeps what is left; an append expires by the current one. */
    assert_int_equal(logstore_set_retention(db, &k, 0, NOW), 0);
    assert_int_equal(logstore_retention(db, &k), 0);
    logstore_key keep = key("keep", NULL);
    assert_int_equal(
        db_exec(db, "UPDATE log_groups SET retention_days = 1 WHERE name = 'keep'", NULL), 0);
    keep.stream = "s";
    assert_int_equal(logstore_append(db, &keep, NULL, 0, NOW, NULL), 0);
    assert_true(db_get_int(db, &rows, "SELECT COUNT(*) FROM log_events", NULL));
    assert_int_equal(rows, 1 + 2);
    keep.stream = NULL;
    keep.group = "nope";
    assert_int_equal(logstore_set_retention(db, &keep, 1, NOW), LOGSTORE_NO_GROUP);
    assert_int_equal(logstore_retention(db, &keep), LOGSTORE_NO_GROUP);
}

static void exec_raw(sqlite3 *h, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK) fail_msg("%s: %s", sql, msg);
}

/* A store made before migration 15 comes up with its groups, streams and retention. */
static void test_migration(void **state)
{
    fixture *f = *state;
    testenv_db_close(&f->pool, f->db);
    f->db = NULL;
    char path[128];
    snprintf(path, sizeof path, "%s/old.db", f->dir);
    sqlite3 *h;
    assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
    for (int v = 0; v < 14; v++)
        exec_raw(h, schema_migration(v));
    exec_raw(h, "PRAGMA user_version=14");
    exec_raw(h, "INSERT INTO log_groups VALUES('" ACCT "', '" REGION "', 'g', 5, 7),"
                " ('" ACCT "', 'eu-west-1', 'g', 6, NULL)");
    exec_raw(h, "INSERT INTO log_streams VALUES('" ACCT "', 'eu-west-1', 'g', 's', 8)");
    sqlite3_close(h);
    db_pool pool;
    char err[256];
    assert_int_equal(db_pool_open(&pool, path, false, err, sizeof err), 0);
    db_conn *db = db_acquire(&pool);
    int64_t n = 0;
    assert_true(
        db_get_int(db, &n, "SELECT COUNT(*) FROM log_groups WHERE retention_days = 7", NULL));
    assert_int_equal(n, 1);
    logstore_key k = {ACCT, "eu-west-1", "g", "s"};
    logstore_input ev = {NOW, "moved", 5};
    assert_int_equal(logstore_append(db, &k, &ev, 1, NOW, NULL), 0);
    k.region = REGION;
    assert_int_equal(logstore_append(db, &k, &ev, 1, NOW, NULL), LOGSTORE_NO_STREAM);
    db_release(&pool, db);
    db_pool_close(&pool);
}

/* A message of about `size` bytes for event i of stream s, record-like so it deflates;
 * every third one of stream 1 is noise that does not. */
static char *chunk_message(int s, int i, size_t size)
{
    char *m = malloc(size + 1);
    assert_non_null(m);
    int n = snprintf(m, size + 1, "{\"eventName\":\"Call%d\",\"stream\":%d,\"i\":%d,\"pad\":\"",
                     i % 7, s, i);
    unsigned x = (unsigned)(s * 1000 + i) * 2654435761u;
    for (size_t k = (size_t)n; k < size; k++) {
        x = x * 1103515245u + 12345u;
        m[k] = s == 1 && i % 3 == 0 ? (char)(32 + (x >> 16) % 95) : (char)('a' + k % 26);
    }
    m[size] = 0;
    return m;
}

#define CH_STREAMS 40 /* more than LOGSTORE_ITER_CHUNKS: a group read keeps replacing */
#define CH_EVENTS 200

static void test_chunks(void **state)
{
    fixture *f = *state;
    db_conn *db = f->db;
    add_group(db, "g");
    static char *msg[CH_STREAMS][CH_EVENTS];
    int64_t total = 0;
    for (int s = 0; s < CH_STREAMS; s++) {
        char name[16];
        snprintf(name, sizeof name, "s%02d", s);
        add_stream(db, "g", name);
        logstore_input ev[CH_EVENTS];
        for (int i = 0; i < CH_EVENTS; i++) {
            /* Stream 0's event 5 is bigger than a chunk: a chunk of its own. */
            size_t size = s == 0 && i == 5 ? LOGSTORE_CHUNK_RAW + 5000 : 300 + (size_t)(i % 5) * 50;
            msg[s][i] = chunk_message(s, i, size);
            /* Streams interleave in time: a group read visits every stream's chunks. */
            ev[i] = (logstore_input){NOW - 100000 + i * 100 + s, msg[s][i], size};
            total += (int64_t)size;
        }
        logstore_key k = key("g", name);
        assert_int_equal(logstore_append(db, &k, ev, CH_EVENTS, NOW, NULL), 0);
    }
    int64_t chunks = 0, inline_rows = 0, bytes = 0, packed = 0, raw = 0;
    assert_true(db_get_int(db, &chunks, "SELECT COUNT(*) FROM log_chunks", NULL));
    assert_true(CH_STREAMS * 2 <= chunks); /* each stream's ~70 KiB is two chunks or more */
    assert_true(db_get_int(db, &inline_rows,
                           "SELECT COUNT(*) FROM log_events WHERE chunk_id IS NULL", NULL));
    assert_int_equal(inline_rows, 0);
    assert_true(
        db_get_int(db, &bytes, "SELECT stored_bytes FROM log_groups WHERE name = 'g'", NULL));
    assert_int_equal(bytes, total);
    /* Deflated, the store holds far fewer bytes than it was given. */
    assert_true(db_get_int(db, &packed, "SELECT SUM(length(data)) FROM log_chunks", NULL));
    assert_true(db_get_int(db, &raw, "SELECT SUM(raw_len) FROM log_chunks", NULL));
    assert_int_equal(raw, total);
    assert_true(packed * 3 < raw);

    /* Each stream forward and backward, byte for byte. */
    for (int s = 0; s < CH_STREAMS; s += 13) {
        char name[16];
        snprintf(name, sizeof name, "s%02d", s);
        for (int back = 0; back < 2; back++) {
            logstore_query q = stream_query("g", name);
            q.backward = back;
            logstore_iter it;
            assert_int_equal(logstore_open(db, &q, &it), 0);
            for (int i = 0; i < CH_EVENTS; i++) {
                int want = back ? CH_EVENTS - 1 - i : i;
                assert_true(logstore_next(&it));
                assert_int_equal(it.cur.len, strlen(msg[s][want]));
                assert_memory_equal(it.cur.message, msg[s][want], it.cur.len);
            }
            assert_false(logstore_next(&it));
            logstore_close(&it);
        }
    }
    /* The whole group in time order: stream s's event i at i * 100 + s. */
    logstore_query q = stream_query("g", NULL);
    logstore_iter it;
    assert_int_equal(logstore_open(db, &q, &it), 0);
    for (int i = 0; i < CH_EVENTS; i++)
        for (int s = 0; s < CH_STREAMS; s++) {
            assert_true(logstore_next(&it));
            assert_int_equal(it.cur.len, strlen(msg[s][i]));
            assert_memory_equal(it.cur.message, msg[s][i], it.cur.len);
        }
    assert_false(logstore_next(&it));
    logstore_close(&it);

    /* Dropping a stream takes its chunks; a damaged chunk reads as empty, not as an end. */
    logstore_key k = key("g", "s00");
    int64_t left = 0;
    assert_int_equal(logstore_drop(db, &k), 0);
    assert_true(db_get_int(db, &left,
                           "SELECT COUNT(*) FROM log_chunks c JOIN log_streams s ON "
                           "s.id = c.stream_id WHERE s.name = 's00'",
                           NULL));
    assert_int_equal(left, 0);
    assert_int_equal(db_exec(db,
                             "UPDATE log_chunks SET data = X'00112233' WHERE id = (SELECT "
                             "MIN(c.id) FROM log_chunks c JOIN log_streams s ON s.id = "
                             "c.stream_id WHERE s.name = 's02')",
                             NULL),
                     0);
    q = stream_query("g", "s02");
    assert_int_equal(logstore_open(db, &q, &it), 0);
    size_t n = 0, empty = 0;
    while (logstore_next(&it)) {
        n++;
        empty += it.cur.len == 0;
    }
    logstore_close(&it);
    assert_int_equal(n, CH_EVENTS);
    assert_true(empty > 0 && empty < CH_EVENTS);

    /* A retention that every event is past takes every chunk. */
    k.stream = NULL;
    assert_int_equal(logstore_set_retention(db, &k, 1, NOW + 2 * LOGSTORE_DAY_MS), 0);
    assert_true(db_get_int(db, &chunks, "SELECT COUNT(*) FROM log_chunks", NULL));
    assert_int_equal(chunks, 0);
    assert_true(
        db_get_int(db, &bytes, "SELECT stored_bytes FROM log_groups WHERE name = 'g'", NULL));
    assert_int_equal(bytes, 0);
    for (int s = 0; s < CH_STREAMS; s++)
        for (int i = 0; i < CH_EVENTS; i++)
            free(msg[s][i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify),
        cmocka_unit_test_setup_teardown(test_append_and_read_stream, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_and_atomic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_reads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retention, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migration, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chunks, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
