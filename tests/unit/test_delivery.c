/* Delivery: log-file keys and names, the gzip body, planning (grouping per trail, account
 * and region; the size cap), writing into the object store after the bucket-policy check,
 * retries, and recovery: a plan survives a restart, a file written before a crash is not
 * written again, a deleted trail's files are dropped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/hash.h"
#include "core/timeutil.h"
#include "delivery/deliver.h"
#include "delivery/logfile.h"
#include "state/delivery_state.h"
#include "state/outbox_state.h"
#include "state/trail_state.h"
#include "app/server.h"
#include "testenv.h"

#define MGMT "111111111111"
#define BUCKET "trail-logs"
#define ARN "arn:aws:cloudtrail:us-east-1:" MGMT ":trail/t"

/* ---- names and bodies (pure) ---- */

static void test_key_layout(void **state)
{
    char key[512];
    int64_t t = 1714556100000LL; /* 2024-05-01T09:35:00Z */
    assert_true(logfile_key(key, sizeof key, "", "", "222222222222", "us-east-1", t,
                            "Kq3VnB8xT2mLp9Za") > 0);
    assert_string_equal(
        key, "AWSLogs/222222222222/CloudTrail/us-east-1/2024/05/01/"
             "222222222222_CloudTrail_us-east-1_20240501T0935Z_Kq3VnB8xT2mLp9Za.json.gz");
    assert_true(logfile_key(key, sizeof key, NULL, "o-exampleorgid", "222222222222", "us-east-1", t,
                            "Kq3VnB8xT2mLp9Za") > 0);
    assert_string_equal(
        key, "AWSLogs/o-exampleorgid/222222222222/CloudTrail/us-east-1/2024/05/01/"
             "222222222222_CloudTrail_us-east-1_20240501T0935Z_Kq3VnB8xT2mLp9Za.json.gz");
    assert_true(logfile_key(key, sizeof key, "org-audit", "o-exampleorgid", "333333333333",
                            "eu-west-1", 1735689599000LL /* 2024-12-31T23:59:59Z */,
                            "AAAAAAAAAAAAAAAA") > 0);
    assert_string_equal(
        key, "org-audit/AWSLogs/o-exampleorgid/333333333333/CloudTrail/eu-west-1/2024/12/31/"
             "333333333333_CloudTrail_eu-west-1_20241231T2359Z_AAAAAAAAAAAAAAAA.json.gz");
    char small[32];
    assert_int_equal(logfile_key(small, sizeof small, "", "", "222222222222", "us-east-1", t,
                                 "Kq3VnB8xT2mLp9Za"),
                     -1);
}

static void test_unique(void **state)
{
    char a[17], b[17], c[17];
    logfile_unique(ARN, MGMT, "us-east-1", 42, a);
    logfile_unique(ARN, MGMT, "us-east-1", 42, b);
    logfile_unique(ARN, MGMT, "us-east-1", 43, c);
    assert_int_equal(strlen(a), 16);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    for (int i = 0; i < 16; i++)
        assert_true((a[i] >= 'A' && a[i] <= 'Z') || (a[i] >= 'a' && a[i] <= 'z') ||
                    (a[i] >= '0' && a[i] <= '9'));
    logfile_unique(ARN, MGMT, "eu-west-1", 42, c);
    assert_string_not_equal(a, c);
    logfile_unique(ARN, "222222222222", "us-east-1", 42, c);
    assert_string_not_equal(a, c);
}

static void test_body(void **state)
{
    buf j = BUF_INIT;
    logfile_begin(&j);
    logfile_add(&j, "{\"a\":1}", 7);
    logfile_add(&j, "{\"b\":2}", 7);
    logfile_end(&j);
    unsigned char *gz;
    size_t gzlen;
    assert_int_equal(logfile_gzip(j.data, j.len, &gz, &gzlen), 0);
    assert_int_equal(gz[0], 0x1f);
    assert_int_equal(gz[1], 0x8b);
    assert_int_equal(gz[4] | gz[5] | gz[6] | gz[7], 0); /* mtime 0: deterministic bytes */
    char *plain;
    size_t plen;
    assert_int_equal(logfile_gunzip(gz, gzlen, &plain, &plen), 0);
    assert_string_equal(plain, "{\"Records\":[{\"a\":1},{\"b\":2}]}");
    free(plain);
    assert_int_equal(logfile_gunzip("not gzip at all, sorry", 22, &plain, &plen), -1);
    free(gz);
    buf_free(&j);
}

/* ---- against a real store ---- */

typedef struct fixture {
    char tmp[64];
    char data[96];
    server srv;
} fixture;

static const char *POLICY =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
    "\"cloudtrail.amazonaws.com\"},\"Action\":\"s3:PutObject\",\"Resource\":"
    "\"arn:aws:s3:::" BUCKET "/AWSLogs/" MGMT "/*\",\"Condition\":{\"StringEquals\":{"
    "\"s3:x-amz-acl\":\"bucket-owner-full-control\",\"aws:SourceArn\":\"" ARN "\"}}}]}";

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    testenv_mkdtemp(f->tmp, sizeof f->tmp, "delivery");
    snprintf(f->data, sizeof f->data, "%s/data", f->tmp);
    char key[32], secret[48], err[512];
    assert_int_equal(store_create(f->data, MGMT, "us-east-1", key, secret, err, sizeof err), 0);
    assert_int_equal(server_open(&f->srv, f->data, err, sizeof err), 0);
    f->srv.delivery.delivery_interval_s = 1;
    db_conn *db = db_acquire(&f->srv.db);
    assert_int_equal(db_exec(db,
                             "INSERT INTO s3_buckets(name, account_id, region, created_ms, "
                             "versioning, policy) VALUES(?, ?, 'us-east-1', 0, 'Enabled', ?)",
                             "sss", BUCKET, MGMT, POLICY),
                     0);
    trail t;
    memset(&t, 0, sizeof t);
    snprintf(t.arn, sizeof t.arn, ARN);
    snprintf(t.account_id, sizeof t.account_id, MGMT);
    snprintf(t.name, sizeof t.name, "t");
    snprintf(t.home_region, sizeof t.home_region, "us-east-1");
    snprintf(t.s3_bucket, sizeof t.s3_bucket, BUCKET);
    snprintf(t.created_by, sizeof t.created_by, MGMT);
    t.multi_region = t.include_global = true;
    assert_int_equal(trail_insert(db, &t), 0);
    assert_int_equal(trail_set_logging(db, ARN, true, 1), 0);
    assert_int_equal(delivery_logging_changed(db, ARN, true, journal_position(&f->srv.journal)), 0);
    db_release(&f->srv.db, db);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    server_close(&f->srv);
    testenv_rmtree(f->tmp);
    free(f);
    return 0;
}

/* Appends a record of `name` in `region` for `recipient`; `pad` bytes of padding. */
static void capture(fixture *f, const char *name, const char *region, const char *recipient,
                    size_t pad)
{
    char t[32];
    time_iso8601(time_now_ms(), t, sizeof t);
    char *padding = calloc(1, pad + 1);
    memset(padding, 'x', pad);
    json_t *r =
        json_pack("{s:s, s:{s:s}, s:s, s:s, s:s, s:s, s:s, s:{s:s}, s:b, s:s, s:s}", "eventVersion",
                  "1.11", "userIdentity", "type", "Root", "eventTime", t, "eventSource",
                  "cloudtrail.amazonaws.com", "eventName", name, "awsRegion", region,
                  "sourceIPAddress", "127.0.0.1", "requestParameters", "pad", padding, "readOnly",
                  1, "recipientAccountId", recipient, "eventCategory", "Management");
    char *text = json_dumps(r, JSON_COMPACT);
    uint64_t seq;
    aws_error e;
    assert_int_equal(journal_append(&f->srv.journal, text, strlen(text), &seq, &e), 0);
    free(text);
    free(padding);
    json_decref(r);
}

/* Current objects under prefix: count, and the records in all of them. */
static size_t objects(fixture *f, const char *prefix, size_t *records, size_t *versions)
{
    db_conn *db = db_acquire(&f->srv.db);
    obj_list_opts o = {.prefix = prefix, .max_keys = 1000, .versions = versions != NULL};
    obj_list l;
    aws_error e;
    assert_int_equal(objstore_list(db, BUCKET, &o, &l, &e), 0);
    if (records) *records = 0;
    for (size_t i = 0; records && i < l.n; i++) {
        obj_info oi;
        int fd;
        assert_int_equal(
            objstore_open_version(&f->srv.objects, db, BUCKET, l.items[i].key, NULL, &oi, &fd, &e),
            0);
        char *gz = objstore_read_alloc(fd, 0, (size_t)oi.size);
        close(fd);
        char *plain;
        size_t plen;
        assert_int_equal(logfile_gunzip(gz, (size_t)oi.size, &plain, &plen), 0);
        json_t *doc = json_loads(plain, 0, NULL);
        assert_non_null(doc);
        *records += json_array_size(json_object_get(doc, "Records"));
        json_decref(doc);
        free(plain);
        free(gz);
        obj_info_clear(&oi);
    }
    size_t n = l.n;
    if (versions) *versions = l.n;
    obj_list_free(&l);
    db_release(&f->srv.db, db);
    return n;
}

static int64_t pending(fixture *f)
{
    db_conn *db = db_acquire(&f->srv.db);
    int64_t n = outbox_pending(db, OUTBOX_LOG, NULL);
    db_release(&f->srv.db, db);
    return n;
}

static void test_plan_groups_and_writes(void **state)
{
    fixture *f = *state;
    capture(f, "ListTrails", "us-east-1", MGMT, 0);
    capture(f, "DescribeTrails", "us-east-1", MGMT, 0);
    capture(f, "ListTrails", "eu-west-1", MGMT, 0);
    capture(f, "ListTrails", "us-east-1", "222222222222", 0); /* not this trail's account */
    int64_t now = time_now_ms();
    assert_int_equal(delivery_plan(&f->srv.delivery, now), 2);
    assert_int_equal(pending(f), 2);
    assert_int_equal(delivery_plan(&f->srv.delivery, now), 0); /* the cursor moved past them */
    assert_int_equal(delivery_write(&f->srv.delivery, now), 2);
    assert_int_equal(pending(f), 0);
    size_t records;
    assert_int_equal(objects(f, "AWSLogs/" MGMT "/CloudTrail/us-east-1/", &records, NULL), 1);
    assert_int_equal(records, 2);
    assert_int_equal(objects(f, "AWSLogs/" MGMT "/CloudTrail/eu-west-1/", &records, NULL), 1);
    assert_int_equal(records, 1);
    assert_int_equal(objects(f, "AWSLogs/222222222222/", NULL, NULL), 0);
    db_conn *db = db_acquire(&f->srv.db);
    outbox_status ds;
    assert_int_equal(outbox_status_get(db, OUTBOX_LOG, ARN, &ds), 1);
    assert_int_equal(ds.latest_ms, now);
    assert_string_equal(ds.latest_error, "");
    assert_int_equal(delivery_cursor_get(db), journal_durable(&f->srv.journal) + 1);
    db_release(&f->srv.db, db);
}

static void test_size_cap_splits_files(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < 5; i++)
        capture(f, "ListTrails", "us-east-1", MGMT, 1u << 20); /* ~1 MiB each */
    int64_t now = time_now_ms();
    assert_int_equal(delivery_plan(&f->srv.delivery, now), 2); /* 4 MiB cap: 3 + 2 */
    assert_int_equal(delivery_write(&f->srv.delivery, now), 2);
    size_t records;
    assert_int_equal(objects(f, "AWSLogs/", &records, NULL), 2);
    assert_int_equal(records, 5);
}

/* Compressing on the pool gives the files the planning thread alone gives: same keys,
 * same bodies byte for byte, every record once. */
static void test_plan_on_pool(void **state)
{
    fixture *f = *state;
    const char *regions[] = {"us-east-1", "eu-west-1", "ap-south-1"};
    for (int i = 0; i < 12; i++)
        capture(f, "ListTrails", regions[i % 3], MGMT, 1536u << 10); /* ~1.5 MiB each */
    gzpool pool;
    assert_int_equal(gzpool_start(&pool, 3), 0);
    int64_t now = time_now_ms();
    int files = delivery_plan_pooled(&f->srv.delivery, &pool, now);
    assert_int_equal(files, 6); /* per region 4 records of 1.5 MiB, 4 MiB cap: 2 + 2 */
    db_conn *db = db_acquire(&f->srv.db);
    outbox_item *pf;
    size_t n = outbox_due(db, OUTBOX_LOG, now, 100, &pf);
    assert_int_equal(n, (size_t)files);
    for (size_t i = 0; i < n; i++) {
        /* The body is the gzip of the JSON the hash names. */
        char *plain;
        size_t plen;
        assert_int_equal(logfile_gunzip(pf[i].body, pf[i].body_len, &plain, &plen), 0);
        char hex[65];
        hash_sha256_hex(plain, plen, hex);
        assert_string_equal(hex, pf[i].json_sha256);
        unsigned char *again;
        size_t again_len;
        assert_int_equal(logfile_gzip(plain, plen, &again, &again_len), 0);
        assert_int_equal(again_len, pf[i].body_len);
        assert_memory_equal(again, pf[i].body, again_len);
        free(again);
        free(plain);
    }
    outbox_items_free(pf, n);
    db_release(&f->srv.db, db);
    /* The collected files' JSON buffers are kept for the next round, which must build
     * its files in them from scratch: no byte of the first round's may show. */
    assert_true(pool.n_spare > 0);
    assert_true(pool.spare_bytes <= GZPOOL_SPARE_BYTES);
    for (int i = 0; i < 3; i++)
        capture(f, "ListTrails", "us-east-1", MGMT, 100u << 10);
    assert_int_equal(delivery_plan_pooled(&f->srv.delivery, &pool, now), 1);
    gzpool_stop(&pool);
    assert_int_equal(delivery_write(&f->srv.delivery, now), files + 1);
    size_t records;
    objects(f, "AWSLogs/", &records, NULL); /* parses every file: each is whole JSON */
    assert_int_equal(records, 15);
}

typedef struct publisher {
    delivery_backlog *b;
    uint64_t cursor;
} publisher;

static void *publish_later(void *arg)
{
    publisher *p = arg;
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
    delivery_backlog_publish(p->b, p->cursor, true);
    return NULL;
}

/* Bulk ingestion's wait: none without a deliverer or a limit; none while the unplanned
 * records are within the limit; a timeout while delivery does not move; and room as soon
 * as planning moves its cursor. */
static void test_backlog_wait(void **state)
{
    fixture *f = *state;
    delivery_backlog *b = &f->srv.backlog;
    journal *j = &f->srv.journal;
    for (int i = 0; i < 5; i++)
        capture(f, "ListTrails", "us-east-1", MGMT, 0);
    uint64_t end = journal_position(j); /* 6: records 1..5 */
    assert_int_equal(end, 6);
    b->limit = 2;
    assert_int_equal(delivery_backlog_wait_room(b, j, 10), 0); /* no deliverer */
    delivery_backlog_publish(b, 1, true);
    assert_int_equal(delivery_backlog_wait_room(b, j, 10), -1); /* 5 unplanned > 2 */
    delivery_backlog_publish(b, 4, true);
    assert_int_equal(delivery_backlog_wait_room(b, j, 10), 0); /* 2 unplanned */
    delivery_backlog_publish(b, 2, true);
    publisher p = {b, 6};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, publish_later, &p), 0);
    assert_int_equal(delivery_backlog_wait_room(b, j, 30000), 0); /* woken by the publish */
    pthread_join(t, NULL);
    b->limit = 0;
    delivery_backlog_publish(b, 1, true);
    assert_int_equal(delivery_backlog_wait_room(b, j, 10), 0); /* no limit */
    b->limit = 2;
    delivery_backlog_publish(b, 1, false);
    assert_int_equal(delivery_backlog_wait_room(b, j, 10), 0); /* the deliverer stopped */
}

static void test_refused_until_policy_fixed(void **state)
{
    fixture *f = *state;
    db_conn *db = db_acquire(&f->srv.db);
    assert_int_equal(db_exec(db, "UPDATE s3_buckets SET policy = NULL", ""), 0);
    db_release(&f->srv.db, db);
    capture(f, "ListTrails", "us-east-1", MGMT, 0);
    int64_t now = time_now_ms();
    assert_int_equal(delivery_plan(&f->srv.delivery, now), 1);
    assert_int_equal(delivery_write(&f->srv.delivery, now), 0);
    assert_int_equal(pending(f), 1);
    db = db_acquire(&f->srv.db);
    outbox_status ds;
    assert_int_equal(outbox_status_get(db, OUTBOX_LOG, ARN, &ds), 1);
    assert_string_equal(ds.latest_error, "AccessDenied");
    assert_int_equal(ds.latest_ms, 0);
    db_release(&f->srv.db, db);
    /* backoff: not due again at once */
    assert_int_equal(delivery_write(&f->srv.delivery, now), 0);
    assert_int_equal(delivery_write(&f->srv.delivery, now + 2000), 0); /* still refused */
    db = db_acquire(&f->srv.db);
    assert_int_equal(db_exec(db, "UPDATE s3_buckets SET policy = ?", "s", POLICY), 0);
    db_release(&f->srv.db, db);
    assert_int_equal(delivery_write(&f->srv.delivery, now + 60000), 1);
    assert_int_equal(pending(f), 0);
    db = db_acquire(&f->srv.db);
    assert_int_equal(outbox_status_get(db, OUTBOX_LOG, ARN, &ds), 1);
    assert_string_equal(ds.latest_error, "");
    db_release(&f->srv.db, db);
    /* a wrong bucket owner's prefix is refused: the policy admits AWSLogs/MGMT only */
}

static void test_plan_survives_restart(void **state)
{
    fixture *f = *state;
    capture(f, "ListTrails", "us-east-1", MGMT, 0);
    capture(f, "ListTrails", "us-east-1", MGMT, 0);
    int64_t now = time_now_ms();
    assert_int_equal(delivery_plan(&f->srv.delivery, now), 1);
    /* "crash" before writing: reopen everything */
    server_close(&f->srv);
    char err[512];
    assert_int_equal(server_open(&f->srv, f->data, err, sizeof err), 0);
    assert_int_equal(pending(f), 1);
    assert_int_equal(delivery_plan(&f->srv.delivery, now), 0); /* nothing planned twice */
    assert_int_equal(delivery_write(&f->srv.delivery, now), 1);
    size_t records;
    assert_int_equal(objects(f, "AWSLogs/", &records, NULL), 1);
    assert_int_equal(records, 2);
}

static void test_written_before_crash_not_rewritten(void **state)
{
    fixture *f = *state;
    capture(f, "ListTrails", "us-east-1", MGMT, 0);
    int64_t now = time_now_ms();
    assert_int_equal(delivery_plan(&f->srv.delivery, now), 1);
    db_conn *db = db_acquire(&f->srv.db);
    outbox_item *v;
    assert_int_equal(outbox_due(db, OUTBOX_LOG, now, 10, &v), 1);
    db_release(&f->srv.db, db);
    assert_int_equal(delivery_write(&f->srv.delivery, now), 1);
    /* the crash came after the put and before the planned row was deleted */
    db = db_acquire(&f->srv.db);
    assert_int_equal(outbox_insert(db, &v[0]), 0);
    db_release(&f->srv.db, db);
    outbox_items_free(v, 1);
    assert_int_equal(delivery_write(&f->srv.delivery, now), 1);
    assert_int_equal(pending(f), 0);
    size_t versions;
    assert_int_equal(objects(f, "AWSLogs/", NULL, &versions), 1);
    assert_int_equal(versions, 1); /* no second version in a versioned bucket */
}

static void test_deleted_trail_stops(void **state)
{
    fixture *f = *state;
    capture(f, "ListTrails", "us-east-1", MGMT, 0);
    int64_t now = time_now_ms();
    assert_int_equal(delivery_plan(&f->srv.delivery, now), 1);
    db_conn *db = db_acquire(&f->srv.db);
    assert_int_equal(trail_delete(db, ARN), 0);
    db_release(&f->srv.db, db);
    assert_int_equal(delivery_write(&f->srv.delivery, now), 0);
    assert_int_equal(pending(f), 0);
    capture(f, "ListTrails", "us-east-1", MGMT, 0);
    assert_int_equal(delivery_plan(&f->srv.delivery, now), 0);
    assert_int_equal(objects(f, "AWSLogs/", NULL, NULL), 0);
}

static void test_stopped_trail_gets_nothing(void **state)
{
    fixture *f = *state;
    db_conn *db = db_acquire(&f->srv.db);
    assert_int_equal(delivery_logging_changed(db, ARN, false, journal_position(&f->srv.journal)),
                     0);
    db_release(&f->srv.db, db);
    capture(f, "ListTrails", "us-east-1", MGMT, 0);
    int64_t now = time_now_ms();
    assert_int_equal(delivery_plan(&f->srv.delivery, now), 0);
    db = db_acquire(&f->srv.db);
    assert_int_equal(delivery_logging_changed(db, ARN, true, journal_position(&f->srv.journal)), 0);
    db_release(&f->srv.db, db);
    capture(f, "DescribeTrails", "us-east-1", MGMT, 0);
    assert_int_equal(delivery_plan(&f->srv.delivery, now), 1);
    assert_int_equal(delivery_write(&f->srv.delivery, now), 1);
    size_t records;
    assert_int_equal(objects(f, "AWSLogs/", &records, NULL), 1);
    assert_int_equal(records, 1);
}

static void test_cursor_past_the_end_is_clamped(void **state)
{
    fixture *f = *state;
    /* A restart after a failed (rolled back) batch hands its numbers out again. */
    db_conn *db = db_acquire(&f->srv.db);
    assert_int_equal(delivery_cursor_set(db, journal_durable(&f->srv.journal) + 10), 0);
    db_release(&f->srv.db, db);
    assert_int_equal(delivery_recover(&f->srv.delivery), 0);
    db = db_acquire(&f->srv.db);
    assert_int_equal(delivery_cursor_get(db), journal_durable(&f->srv.journal) + 1);
    db_release(&f->srv.db, db);
    capture(f, "ListTrails", "us-east-1", MGMT, 0);
    int64_t now = time_now_ms();
    assert_int_equal(delivery_plan(&f->srv.delivery, now), 1);
    assert_int_equal(delivery_write(&f->srv.delivery, now), 1);
    size_t records;
    assert_int_equal(objects(f, "AWSLogs/", &records, NULL), 1);
    assert_int_equal(records, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_layout),
        cmocka_unit_test(test_unique),
        cmocka_unit_test(test_body),
        cmocka_unit_test_setup_teardown(test_plan_groups_and_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_size_cap_splits_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_on_pool, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backlog_wait, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_until_policy_fixed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_survives_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_written_before_crash_not_rewritten, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deleted_trail_stops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stopped_trail_gets_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cursor_past_the_end_is_clamped, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
