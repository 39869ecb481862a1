/* state/db: the request read snapshot (db_read_begin) against a second connection's
 * writes: reads see one snapshot, a write ends it and runs on its own, a write inside a
 * row loop still commits, release ends everything. And migration 9: a store with planned
 * log files and digests keeps every one of them, in order, in the one outbox. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/db.h"
#include "state/outbox_state.h"
#include "state/schema.h"
#include "testenv.h"

typedef struct fixture {
    char dir[64];
    db_pool pool;
    db_conn *a, *b;
} fixture;

static int setup(void **state)
{
    static fixture f;
    testenv_mkdtemp(f.dir, sizeof f.dir, "db");
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/state.db", f.dir);
    assert_int_equal(db_pool_open(&f.pool, path, true, err, sizeof err), 0);
    f.a = db_acquire(&f.pool);
    f.b = db_acquire(&f.pool);
    assert_int_equal(db_exec(f.a, "CREATE TABLE snap(k INTEGER PRIMARY KEY, v INTEGER)", ""), 0);
    assert_int_equal(db_exec(f.a, "INSERT INTO snap VALUES (1, 10), (2, 20)", ""), 0);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    db_release(&f->pool, f->a);
    db_release(&f->pool, f->b);
    db_pool_close(&f->pool);
    testenv_rmtree(f->dir);
    return 0;
}

static int64_t value(db_conn *c, int k)
{
    int64_t v = -1;
    db_get_int(c, &v, "SELECT v FROM snap WHERE k = ?", "i", k);
    return v;
}

static void test_snapshot_then_write(void **state)
{
    fixture *f = *state;
    assert_int_equal(db_read_begin(f->a), 0);
    assert_int_equal(value(f->a, 1), 10);
    assert_int_equal(db_exec(f->b, "UPDATE snap SET v = 11 WHERE k = 1", ""), 0);
    assert_int_equal(value(f->a, 1), 10); /* the snapshot */
    /* A write ends the snapshot and succeeds although b wrote since it began. */
    assert_int_equal(db_exec(f->a, "UPDATE snap SET v = 21 WHERE k = 2", ""), 0);
    assert_int_equal(value(f->a, 1), 11);
    assert_int_equal(value(f->b, 2), 21);
    /* db_begin after a snapshot: a write transaction of its own. */
    assert_int_equal(db_read_begin(f->a), 0);
    assert_int_equal(db_begin(f->a), 0);
    assert_int_equal(db_exec(f->a, "UPDATE snap SET v = 12 WHERE k = 1", ""), 0);
    assert_int_equal(db_commit(f->a), 0);
    assert_int_equal(value(f->b, 1), 12);
}

static void test_write_inside_row_loop(void **state)
{
    fixture *f = *state;
    assert_int_equal(db_read_begin(f->a), 0);
    sqlite3_stmt *st = db_query(f->a, "SELECT k FROM snap WHERE k < 100 ORDER BY k", "");
    int rows = 0;
    while (db_row(st)) {
        rows++;
        assert_int_equal(db_exec(f->a, "INSERT INTO snap VALUES (?, 0)", "i", 100 + rows), 0);
    }
    db_done(st);
    assert_true(rows >= 2);
    db_read_end(f->a);
    int64_t n = 0;
    assert_int_equal(db_get_int(f->b, &n, "SELECT count(*) FROM snap WHERE k > 100", ""), 1);
    assert_int_equal(n, rows);
}

static void test_release_ends_snapshot(void **state)
{
    fixture *f = *state;
    assert_int_equal(db_read_begin(f->a), 0);
    assert_int_equal(value(f->a, 1), 10);
    db_release(&f->pool, f->a);
    f->a = db_acquire(&f->pool);
    assert_int_equal(db_exec(f->b, "UPDATE snap SET v = 13 WHERE k = 1", ""), 0);
    assert_int_equal(value(f->a, 1), 13); /* no snapshot left behind */
}

/* A store at version 7 (before the outbox) with two planned log files, one of them
 * already retried, and two signed digests. */
static void make_version_7(const char *path)
{
    sqlite3 *h;
    assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
    for (int v = 0; v < 7; v++)
        assert_int_equal(sqlite3_exec(h, schema_migration(v), NULL, NULL, NULL), SQLITE_OK);
    const char *rows =
        "PRAGMA user_version=7;"
        "INSERT INTO delivery_files(id, trail_arn, bucket, key, account_id, region, first_seq,"
        "  last_seq, records, body, planned_ms, attempts, next_attempt_ms, json_sha256,"
        "  oldest_event_ms, newest_event_ms) VALUES"
        "  (7, 'arn:t', 'b', 'k/log-2', '111122223333', 'eu-west-1', 5, 9, 3, x'1f8b02', 1000,"
        "   2, 4000, NULL, NULL, NULL),"
        "  (3, 'arn:t', 'b', 'k/log-1', '111122223333', 'us-east-1', 1, 4, 4, x'1f8b01', 900,"
        "   0, 0, 'abcd', 100, 200);"
        "INSERT INTO digest_files(id, trail_arn, account_id, region, bucket, key, body,"
        "  signature, end_ms, planned_ms, attempts, next_attempt_ms) VALUES"
        "  (2, 'arn:t', '111122223333', 'us-east-1', 'b', 'k/dig-1', x'1f8b03', 'beef', 5000,"
        "   5000, 1, 6000),"
        "  (4, 'arn:t', '111122223333', 'us-east-1', 'b', 'k/dig-2', x'1f8b04', 'cafe', 8000,"
        "   8000, 0, 0);";
    assert_int_equal(sqlite3_exec(h, rows, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
}

static void test_migration_keeps_planned_objects(void **state)
{
    (void)state;
    char dir[64], path[128], err[256];
    testenv_mkdtemp(dir, sizeof dir, "migrate");
    snprintf(path, sizeof path, "%s/state.db", dir);
    make_version_7(path);
    db_pool pool;
    assert_int_equal(db_pool_open(&pool, path, false, err, sizeof err), 0);
    db_conn *c = db_acquire(&pool);
    assert_int_equal(outbox_pending(c, OUTBOX_LOG, NULL), 2);
    assert_int_equal(outbox_pending(c, OUTBOX_DIGEST, "arn:t"), 2);

    outbox_item *v;
    size_t n = outbox_due(c, OUTBOX_LOG, 10000, 10, &v);
    assert_int_equal(n, 2); /* in planning order, the retried one with its attempts */
    assert_string_equal(v[0].key, "k/log-1");
    assert_string_equal(v[0].json_sha256, "abcd");
    assert_int_equal(v[0].first_seq, 1);
    assert_int_equal(v[0].last_seq, 4);
    assert_int_equal(v[0].records, 4);
    assert_int_equal(v[0].oldest_event_ms, 100);
    assert_int_equal(v[0].newest_event_ms, 200);
    assert_int_equal(v[0].planned_ms, 900);
    assert_int_equal(v[0].body_len, 3);
    assert_memory_equal(v[0].body, "\x1f\x8b\x01", 3);
    assert_string_equal(v[1].key, "k/log-2");
    assert_string_equal(v[1].region, "eu-west-1");
    assert_string_equal(v[1].json_sha256, "");
    assert_int_equal(v[1].oldest_event_ms, -1);
    assert_int_equal(v[1].attempts, 2);
    outbox_items_free(v, n);
    assert_int_equal(outbox_due(c, OUTBOX_LOG, 3999, 10, &v), 1); /* its retry time kept */
    outbox_items_free(v, 1);

    n = outbox_due(c, OUTBOX_DIGEST, 10000, 10, &v);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].key, "k/dig-1");
    assert_string_equal(v[0].signature, "beef");
    assert_int_equal(v[0].end_ms, 5000);
    assert_int_equal(v[0].attempts, 1);
    assert_memory_equal(v[0].body, "\x1f\x8b\x03", 3);
    assert_string_equal(v[1].key, "k/dig-2");
    assert_string_equal(v[1].signature, "cafe");
    outbox_items_free(v, n);
    assert_int_equal(outbox_due(c, OUTBOX_DIGEST, 5999, 10, &v), 1);
    outbox_items_free(v, 1);

    /* A log file is still planned once only; a digest key is no log file's. */
    outbox_item dup;
    memset(&dup, 0, sizeof dup);
    dup.kind = OUTBOX_LOG;
    snprintf(dup.key, sizeof dup.key, "k/log-1");
    assert_int_equal(outbox_insert(c, &dup), -1);
    dup.kind = OUTBOX_DIGEST;
    assert_int_equal(outbox_insert(c, &dup), 0);
    db_release(&pool, c);
    db_pool_close(&pool);
    testenv_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_snapshot_then_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_inside_row_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_release_ends_snapshot, setup, teardown),
        cmocka_unit_test(test_migration_keeps_planned_objects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
