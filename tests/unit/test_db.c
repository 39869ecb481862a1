/* state/db: the request read snapshot (db_read_begin) against a second connection's
 * writes: reads see one snapshot, a write ends it and runs on its own, a write inside a
 * row loop still commits, release ends everything. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>

#include "state/db.h"
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_snapshot_then_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_inside_row_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_release_ends_snapshot, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
