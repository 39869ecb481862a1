/* state/tags: the shared tag store — each namespace's key comparison and order, the
 * writers, and the migration that moved the four per-service tag tables into it (a store
 * made by an older orgtrail comes up with its tags). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "state/db.h"
#include "state/iam_state.h"
#include "state/schema.h"
#include "state/tags.h"
#include "testenv.h"

/* The schema version before the tags were shared. */
#define VERSION_BEFORE_TAGS 7

typedef struct fixture {
    char dir[64];
    db_pool pool;
    db_conn *db;
} fixture;

static int setup(void **state)
{
    static fixture f;
    testenv_mkdtemp(f.dir, sizeof f.dir, "tags");
    f.db = NULL;
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    if (f->db) testenv_db_close(&f->pool, f->db);
    testenv_rmtree(f->dir);
    return 0;
}

static db_conn *open_store(fixture *f)
{
    f->db = testenv_db_open(f->dir, &f->pool);
    return f->db;
}

/* "k=v,k=v" of a tag list, in its order. */
static const char *flat(json_t *tags, char *out, size_t n)
{
    size_t i, used = 0;
    json_t *t;
    out[0] = '\0';
    json_array_foreach(tags, i, t)
    {
        used += (size_t)snprintf(out + used, n - used, "%s%s=%s", i ? "," : "",
                                 json_string_value(json_object_get(t, "Key")),
                                 json_string_value(json_object_get(t, "Value")));
        assert_true(used < n);
    }
    json_decref(tags);
    return out;
}

#define ASSERT_TAGS(db, ns, id, want)                                                              \
    do {                                                                                           \
        char got_[512];                                                                            \
        assert_string_equal(flat(tags_json(db, ns, id), got_, sizeof got_), want);                 \
    } while (0)

static void test_key_order_with_case(void **state)
{
    db_conn *db = open_store(*state);
    assert_int_equal(tags_put(db, TAGS_ORGANIZATIONS, "ou-1", "b", "1"), 0);
    assert_int_equal(tags_put(db, TAGS_ORGANIZATIONS, "ou-1", "a", "2"), 0);
    assert_int_equal(tags_put(db, TAGS_ORGANIZATIONS, "ou-1", "B", "3"), 0);
    assert_int_equal(tags_put(db, TAGS_ORGANIZATIONS, "ou-1", "b", NULL), 0);
    ASSERT_TAGS(db, TAGS_ORGANIZATIONS, "ou-1", "B=3,a=2,b=");
    assert_int_equal(tags_count(db, TAGS_ORGANIZATIONS, "ou-1"), 3);
    assert_true(tags_has(db, TAGS_ORGANIZATIONS, "ou-1", "B"));
    assert_false(tags_has(db, TAGS_ORGANIZATIONS, "ou-1", "A"));
    /* The same id in another namespace is another resource. */
    assert_int_equal(tags_count(db, TAGS_TRAIL, "ou-1"), 0);
    assert_int_equal(tags_remove(db, TAGS_ORGANIZATIONS, "ou-1", "A"), 0);
    assert_int_equal(tags_count(db, TAGS_ORGANIZATIONS, "ou-1"), 3);
    json_t *keys = json_pack("[s, s, s]", "a", "B", "missing");
    assert_int_equal(tags_remove_keys(db, TAGS_ORGANIZATIONS, "ou-1", keys), 0);
    json_decref(keys);
    ASSERT_TAGS(db, TAGS_ORGANIZATIONS, "ou-1", "b=");
}

static void test_iam_order_without_case(void **state)
{
    db_conn *db = open_store(*state);
    json_t *tags = json_pack("[{s:s, s:s}, {s:s, s:s}, {s:s}]", "Key", "Zeta", "Value", "1", "Key",
                             "alpha", "Value", "2", "Key", "mid");
    assert_int_equal(tags_put_json(db, TAGS_IAM, "111122223333/AROA1", tags), 0);
    json_decref(tags);
    ASSERT_TAGS(db, TAGS_IAM, "111122223333/AROA1", "Zeta=1,alpha=2,mid=");
    /* Setting a key again, in any case, replaces it and moves it to the end. */
    assert_int_equal(tags_put(db, TAGS_IAM, "111122223333/AROA1", "ZETA", "3"), 0);
    ASSERT_TAGS(db, TAGS_IAM, "111122223333/AROA1", "alpha=2,mid=,ZETA=3");
    assert_true(tags_has(db, TAGS_IAM, "111122223333/AROA1", "Alpha"));
    assert_int_equal(tags_remove(db, TAGS_IAM, "111122223333/AROA1", "MID"), 0);
    ASSERT_TAGS(db, TAGS_IAM, "111122223333/AROA1", "alpha=2,ZETA=3");
    assert_int_equal(tags_count(db, TAGS_IAM, "111122223333/AROA1"), 2);
}

static void test_remove_move_forget(void **state)
{
    db_conn *db = open_store(*state);
    assert_int_equal(tags_put(db, TAGS_ORGANIZATIONS, "h-1", "k", "v"), 0);
    assert_int_equal(tags_put(db, TAGS_ORGANIZATIONS, "r-1", "k", "v"), 0);
    assert_int_equal(tags_put(db, TAGS_TRAIL, "arn:t", "k", "v"), 0);
    assert_int_equal(tags_put(db, TAGS_CHANNEL, "arn:c", "k", "v"), 0);
    assert_int_equal(tags_move(db, TAGS_ORGANIZATIONS, "h-1", "111122223333"), 0);
    assert_int_equal(tags_count(db, TAGS_ORGANIZATIONS, "h-1"), 0);
    ASSERT_TAGS(db, TAGS_ORGANIZATIONS, "111122223333", "k=v");
    assert_int_equal(tags_remove_all(db, TAGS_TRAIL, "arn:t"), 0);
    assert_int_equal(tags_count(db, TAGS_TRAIL, "arn:t"), 0);
    assert_int_equal(tags_forget_namespace(db, TAGS_ORGANIZATIONS), 0);
    assert_int_equal(tags_count(db, TAGS_ORGANIZATIONS, "r-1"), 0);
    assert_int_equal(tags_count(db, TAGS_ORGANIZATIONS, "111122223333"), 0);
    assert_int_equal(tags_count(db, TAGS_CHANNEL, "arn:c"), 1);
    /* A key is required: the store refuses, as each table did. */
    assert_int_not_equal(tags_put(db, TAGS_CHANNEL, "arn:c", NULL, "v"), 0);
}

static void exec_raw(sqlite3 *h, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK) fail_msg("%s: %s", sql, msg);
}

static void test_migration_keeps_older_stores_tags(void **state)
{
    fixture *f = *state;
    /* A store as the orgtrail before the shared table left it. */
    char path[128], sql[64];
    snprintf(path, sizeof path, "%s/state.db", f->dir);
    sqlite3 *h;
    assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
    for (int v = 0; v < VERSION_BEFORE_TAGS; v++)
        exec_raw(h, schema_migration(v));
    snprintf(sql, sizeof sql, "PRAGMA user_version=%d", VERSION_BEFORE_TAGS);
    exec_raw(h, sql);
    exec_raw(h, "INSERT INTO org_tags VALUES('ou-1', 'b', '1'), ('ou-1', 'a', '2'),"
                " ('h-9', 'invite', 'yes'), ('111122223333', 'A', 'upper')");
    /* IAM lists in the order set, which here is not key order. */
    exec_raw(h, "INSERT INTO iam_tags VALUES('111122223333', 'AROA1', 'zeta', '1'),"
                " ('111122223333', 'AIDA1', 'u', 'x'), ('111122223333', 'AROA1', 'Alpha', '2'),"
                " ('444455556666', 'AROA1', 'other', 'account')");
    exec_raw(h, "INSERT INTO trail_tags VALUES('arn:aws:cloudtrail:us-east-1:1:trail/t', 'y', ''),"
                " ('arn:aws:cloudtrail:us-east-1:1:trail/t', 'x', 'v')");
    exec_raw(h, "INSERT INTO channel_tags VALUES('arn:aws:cloudtrail:us-east-1:1:channel/c', "
                "'team', 'audit')");
    sqlite3_close(h);

    db_conn *db = open_store(f);
    int64_t version = 0;
    assert_true(db_get_int(db, &version, "PRAGMA user_version", ""));
    assert_int_equal(version, schema_migration_count());
    ASSERT_TAGS(db, TAGS_ORGANIZATIONS, "ou-1", "a=2,b=1");
    ASSERT_TAGS(db, TAGS_ORGANIZATIONS, "h-9", "invite=yes");
    ASSERT_TAGS(db, TAGS_ORGANIZATIONS, "111122223333", "A=upper");
    char owner[IAM_TAG_RESOURCE_ID_LEN];
    iam_tag_resource_id(owner, "111122223333", "AROA1");
    ASSERT_TAGS(db, TAGS_IAM, owner, "zeta=1,Alpha=2");
    iam_tag_resource_id(owner, "111122223333", "AIDA1");
    ASSERT_TAGS(db, TAGS_IAM, owner, "u=x");
    iam_tag_resource_id(owner, "444455556666", "AROA1");
    ASSERT_TAGS(db, TAGS_IAM, owner, "other=account");
    ASSERT_TAGS(db, TAGS_TRAIL, "arn:aws:cloudtrail:us-east-1:1:trail/t", "x=v,y=");
    ASSERT_TAGS(db, TAGS_CHANNEL, "arn:aws:cloudtrail:us-east-1:1:channel/c", "team=audit");
    int64_t rows = -1;
    assert_true(db_get_int(db, &rows, "SELECT COUNT(*) FROM tags", ""));
    assert_int_equal(rows, 11);
    int64_t old_tables = -1;
    assert_true(db_get_int(db, &old_tables,
                           "SELECT COUNT(*) FROM sqlite_master WHERE name IN "
                           "('org_tags', 'iam_tags', 'trail_tags', 'channel_tags')",
                           ""));
    assert_int_equal(old_tables, 0);
    /* Tags set after the move still list after the migrated ones. */
    iam_tag_resource_id(owner, "111122223333", "AROA1");
    assert_int_equal(tags_put(db, TAGS_IAM, owner, "beta", "3"), 0);
    ASSERT_TAGS(db, TAGS_IAM, owner, "zeta=1,Alpha=2,beta=3");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_key_order_with_case, setup, teardown),
        cmocka_unit_test_setup_teardown(test_iam_order_without_case, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remove_move_forget, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migration_keeps_older_stores_tags, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
