/* The subject cache (policy/authz_cache.h): a caller's second request is served from the
 * cache, any change to what its subject was read from (its policies, the organization's
 * SCPs, its tags) is seen by the very next request, and a subject replaced while a
 * request holds it stays valid until released. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "policy/authz_cache.h"
#include "state/iam_state.h"
#include "testenv.h"

#define ACCOUNT "111111111111"

static const char ALLOW_GET[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:Get*\","
    "\"Resource\":\"*\"}]}";

typedef struct fixture {
    char dir[64];
    db_pool pool;
    db_conn *db;
    authz_cache *cache;
    principal alice;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    testenv_mkdtemp(f->dir, sizeof f->dir, "authzcache");
    f->db = testenv_db_open(f->dir, &f->pool);
    f->cache = authz_cache_new_alloc();
    assert_int_equal(db_exec(f->db,
                             "INSERT INTO iam_users(account_id, name, user_id, path, created_ms) "
                             "VALUES(?, 'alice', 'AIDAALICE', '/', 0)",
                             "s", ACCOUNT),
                     0);
    principal *p = &f->alice;
    p->kind = PRINCIPAL_IAM_USER;
    snprintf(p->account_id, sizeof p->account_id, ACCOUNT);
    snprintf(p->user_name, sizeof p->user_name, "alice");
    snprintf(p->principal_id, sizeof p->principal_id, "AIDAALICE");
    snprintf(p->arn, sizeof p->arn, "arn:aws:iam::%s:user/alice", ACCOUNT);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    authz_cache_free(f->cache);
    testenv_db_close(&f->pool, f->db);
    testenv_rmtree(f->dir);
    free(f);
    return 0;
}

/* alice's decision for s3:GetObject through the cache. */
static authz_decision get_object(fixture *f)
{
    const authz_subject *s = authz_cache_get(f->cache, f->db, NULL, &f->alice);
    authz_target t = {.action = "s3:GetObject", .resource = "arn:aws:s3:::b/k"};
    static const char *const none[] = {NULL};
    t.context = none;
    authz_input in;
    authz_decision d = authz_subject_decide(s, &f->alice, &t, &in).decision;
    authz_cache_release(f->cache, s);
    return d;
}

static void put_policy(fixture *f)
{
    assert_int_equal(db_exec(f->db,
                             "INSERT INTO iam_user_policies(account_id, user_name, policy_name, "
                             "document) VALUES(?, 'alice', 'get', ?)",
                             "ss", ACCOUNT, ALLOW_GET),
                     0);
}

static void test_hits_until_the_policies_change(void **state)
{
    fixture *f = *state;
    unsigned long long loads, hits;
    assert_int_equal(get_object(f), AUTHZ_IMPLICIT_DENY);
    assert_int_equal(get_object(f), AUTHZ_IMPLICIT_DENY);
    authz_cache_stats(f->cache, &loads, &hits);
    assert_int_equal(loads, 1);
    assert_int_equal(hits, 1);

    int64_t before = authz_epoch(f->db);
    put_policy(f);
    assert_true(authz_epoch(f->db) > before);
    assert_int_equal(get_object(f), AUTHZ_ALLOW); /* the very next request sees it */
    authz_cache_stats(f->cache, &loads, &hits);
    assert_int_equal(loads, 2);

    assert_int_equal(db_exec(f->db, "DELETE FROM iam_user_policies WHERE user_name = 'alice'", ""),
                     0);
    assert_int_equal(get_object(f), AUTHZ_IMPLICIT_DENY);
}

static void test_tags_and_accounts_move_the_epoch(void **state)
{
    fixture *f = *state;
    int64_t e0 = authz_epoch(f->db);
    assert_int_equal(db_exec(f->db,
                             "INSERT INTO tags(namespace, resource_id, key, value) "
                             "VALUES('iam', '111111111111/AIDAALICE', 'team', 'blue')",
                             ""),
                     0);
    int64_t e1 = authz_epoch(f->db);
    assert_true(e1 > e0);
    testenv_add_account(f->db, "222222222222", "member", 0);
    int64_t e2 = authz_epoch(f->db);
    assert_true(e2 > e1);
    /* Moving an account between OUs changes the SCPs that bind it. */
    assert_int_equal(
        db_exec(f->db, "UPDATE accounts SET parent_id = 'ou-x' WHERE id = '222222222222'", ""), 0);
    assert_true(authz_epoch(f->db) > e2);
}

static void test_a_held_subject_outlives_its_replacement(void **state)
{
    fixture *f = *state;
    const authz_subject *held = authz_cache_get(f->cache, f->db, NULL, &f->alice);
    assert_int_equal(held->n_identity, 0);
    put_policy(f);
    const authz_subject *fresh = authz_cache_get(f->cache, f->db, NULL, &f->alice);
    assert_ptr_not_equal(held, fresh);
    assert_int_equal(fresh->n_identity, 1);
    assert_int_equal(held->n_identity, 0); /* still readable: ASan would see a freed one */
    authz_cache_release(f->cache, held);
    authz_cache_release(f->cache, fresh);
}

static void test_without_a_cache_each_caller_loads(void **state)
{
    fixture *f = *state;
    put_policy(f);
    const authz_subject *s = authz_cache_get(NULL, f->db, NULL, &f->alice);
    assert_int_equal(s->n_identity, 1);
    assert_non_null(s->compiled.identity);
    authz_cache_release(NULL, s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hits_until_the_policies_change, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tags_and_accounts_move_the_epoch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_held_subject_outlives_its_replacement, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_without_a_cache_each_caller_loads, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
