/* The digest chain against a real store: a delivered log file is named by exactly one
 * digest with its hash; empty windows still get a digest; each digest names the previous
 * one (key, hash, signature) and verifies with a key ListPublicKeys would return; the
 * chain continues across a restart (one digest stretches over the pause), across a crash
 * between planning and writing (written once), and across key rotation; StopLogging ends
 * the chain after its current window and StartLogging begins a new one; DeleteTrail ends
 * it the same way, with the settings kept for it, which are then forgotten. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/hash.h"
#include "core/timeutil.h"
#include "delivery/deliver.h"
#include "delivery/logfile.h"
#include "digest/digester.h"
#include "digest/digestfile.h"
#include "digest/keystore.h"
#include "digest/signer_client.h"
#include "state/delivery_state.h"
#include "state/digest_state.h"
#include "state/outbox_state.h"
#include "state/trail_state.h"
#include "app/server.h"
#include "testenv.h"

#define MGMT "111111111111"
#define BUCKET "trail-logs"
#define ARN "arn:aws:cloudtrail:us-east-1:" MGMT ":trail/t"
#define DIGESTS "AWSLogs/" MGMT "/CloudTrail-Digest/us-east-1/"
#define SEC 1000LL

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

static void open_server(fixture *f)
{
    char err[512];
    assert_int_equal(server_open(&f->srv, f->data, err, sizeof err), 0);
    f->srv.delivery.delivery_interval_s = 1;
    f->srv.delivery.digest_interval_s = 10;
}

static void set_logging(fixture *f, bool on)
{
    db_conn *db = db_acquire(&f->srv.db);
    assert_int_equal(trail_set_logging(db, ARN, on, 1), 0);
    assert_int_equal(delivery_logging_changed(db, ARN, on, journal_position(&f->srv.journal)), 0);
    db_release(&f->srv.db, db);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    testenv_mkdtemp(f->tmp, sizeof f->tmp, "digester");
    snprintf(f->data, sizeof f->data, "%s/data", f->tmp);
    char key[32], secret[48], err[512];
    assert_int_equal(store_create(f->data, MGMT, "us-east-1", key, secret, err, sizeof err), 0);
    open_server(f);
    db_conn *db = db_acquire(&f->srv.db);
    assert_int_equal(db_exec(db,
                             "INSERT INTO s3_buckets(name, account_id, region, created_ms, "
                             "policy) VALUES(?, ?, 'us-east-1', 0, ?)",
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
    t.multi_region = t.include_global = t.log_validation = true;
    assert_int_equal(trail_insert(db, &t), 0);
    db_release(&f->srv.db, db);
    set_logging(f, true);
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

static void capture(fixture *f, const char *name)
{
    char t[32];
    time_iso8601(time_now_ms(), t, sizeof t);
    json_t *r = json_pack("{s:s, s:{s:s}, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s}", "eventVersion",
                          "1.11", "userIdentity", "type", "Root", "eventTime", t, "eventSource",
                          "cloudtrail.amazonaws.com", "eventName", name, "awsRegion", "us-east-1",
                          "sourceIPAddress", "127.0.0.1", "readOnly", 1, "recipientAccountId", MGMT,
                          "eventCategory", "Management");
    char *text = json_dumps(r, JSON_COMPACT);
    uint64_t seq;
    aws_error e;
    assert_int_equal(journal_append(&f->srv.journal, text, strlen(text), &seq, &e), 0);
    free(text);
    json_decref(r);
}

/* One step of the delivery thread at `now`. */
static void step(fixture *f, int64_t now)
{
    assert_true(delivery_plan(&f->srv.delivery, now) >= 0);
    delivery_write(&f->srv.delivery, now);
    assert_true(digest_plan(&f->srv.delivery, f->srv.signer, now) >= 0);
    digest_write(&f->srv.delivery, now);
}

typedef struct stored {
    char key[OBJ_KEY_MAX + 1];
    json_t *doc;
    char *plain;
    size_t plain_len;
    char signature[520];
} stored;

/* The digests in the store, oldest first (keys sort by time). */
static size_t digests(fixture *f, stored *out, size_t max)
{
    db_conn *db = db_acquire(&f->srv.db);
    obj_list_opts o = {.prefix = DIGESTS, .max_keys = 1000};
    obj_list l;
    aws_error e;
    assert_int_equal(objstore_list(db, BUCKET, &o, &l, &e), 0);
    assert_true(l.n <= max);
    for (size_t i = 0; i < l.n; i++) {
        obj_info oi;
        int fd;
        assert_int_equal(
            objstore_open_version(&f->srv.objects, db, BUCKET, l.items[i].key, NULL, &oi, &fd, &e),
            0);
        char *gz = objstore_read_alloc(fd, 0, (size_t)oi.size);
        close(fd);
        stored *s = &out[i];
        snprintf(s->key, sizeof s->key, "%s", l.items[i].key);
        assert_int_equal(logfile_gunzip(gz, (size_t)oi.size, &s->plain, &s->plain_len), 0);
        s->doc = json_loads(s->plain, 0, NULL);
        assert_non_null(s->doc);
        assert_string_equal(json_string_value(json_object_get(oi.metadata, "signature-algorithm")),
                            "SHA256withRSA");
        snprintf(s->signature, sizeof s->signature, "%s",
                 json_string_value(json_object_get(oi.metadata, "signature")));
        free(gz);
        obj_info_clear(&oi);
    }
    size_t n = l.n;
    obj_list_free(&l);
    db_release(&f->srv.db, db);
    return n;
}

static void stored_free(stored *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        json_decref(s[i].doc);
        free(s[i].plain);
    }
}

static const char *field(const stored *s, const char *k)
{
    return json_string_value(json_object_get(s->doc, k));
}

/* The signature verifies with a key of the region that covers the end time, and the
 * digest names `prev` (NULL: a chain's first digest). */
static void check(fixture *f, const stored *s, const stored *prev)
{
    assert_string_equal(field(s, "digestS3Object"), s->key);
    char hash[65];
    hash_sha256_hex(s->plain, s->plain_len, hash);
    buf ss = BUF_INIT;
    buf_printf(&ss, "%s\n%s/%s\n%s\n%s", field(s, "digestEndTime"), BUCKET, s->key, hash,
               prev ? prev->signature : "null");
    int64_t end;
    assert_int_equal(time_parse_iso8601(field(s, "digestEndTime"), &end), 0);
    db_conn *db = db_acquire(&f->srv.db);
    public_key *keys;
    size_t n = keystore_list(db, "us-east-1", end, end, &keys);
    db_release(&f->srv.db, db);
    bool ok = false;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(keys[i].fingerprint, field(s, "digestPublicKeyFingerprint")))
            ok = signkey_verify_hex(keys[i].der, keys[i].der_len, ss.data, ss.len, s->signature);
    assert_true(ok);
    public_keys_free(keys, n);
    buf_free(&ss);
    if (!prev) {
        assert_true(json_is_null(json_object_get(s->doc, "previousDigestS3Object")));
        assert_true(json_is_null(json_object_get(s->doc, "previousDigestSignature")));
        return;
    }
    assert_string_equal(field(s, "previousDigestS3Bucket"), BUCKET);
    assert_string_equal(field(s, "previousDigestS3Object"), prev->key);
    assert_string_equal(field(s, "previousDigestSignature"), prev->signature);
    assert_string_equal(field(s, "previousDigestHashAlgorithm"), "SHA-256");
    hash_sha256_hex(prev->plain, prev->plain_len, hash);
    assert_string_equal(field(s, "previousDigestHashValue"), hash);
    assert_string_equal(field(s, "digestStartTime"), field(prev, "digestEndTime"));
}

static size_t log_files(const stored *s)
{
    return json_array_size(json_object_get(s->doc, "logFiles"));
}

static void test_chain_across_restart_and_crash(void **state)
{
    fixture *f = *state;
    int64_t t0 = time_now_ms();
    capture(f, "ListTrails");
    step(f, t0); /* log file delivered; the chain starts */
    step(f, t0 + 10 * SEC);
    stored d[8];
    assert_int_equal(digests(f, d, 8), 1);
    check(f, &d[0], NULL);
    assert_int_equal(log_files(&d[0]), 1);
    const json_t *lf = json_array_get(json_object_get(d[0].doc, "logFiles"), 0);
    assert_string_equal(json_string_value(json_object_get(lf, "hashAlgorithm")), "SHA-256");
    assert_non_null(json_string_value(json_object_get(lf, "newestEventTime")));
    stored_free(d, 1);

    /* Restart after a pause of several windows: one digest covers the pause. */
    server_close(&f->srv);
    open_server(f);
    step(f, t0 + 35 * SEC);
    assert_int_equal(digests(f, d, 8), 2);
    check(f, &d[1], &d[0]);
    assert_int_equal(log_files(&d[1]), 0); /* named once, by the first digest */
    assert_true(json_is_null(json_object_get(d[1].doc, "newestEventTime")));
    stored_free(d, 2);

    /* A crash after planning, before writing: the plan survives and is written once. */
    assert_int_equal(digest_plan(&f->srv.delivery, f->srv.signer, t0 + 40 * SEC), 1);
    server_close(&f->srv);
    open_server(f);
    assert_int_equal(digest_write(&f->srv.delivery, t0 + 41 * SEC), 1);
    assert_int_equal(digest_write(&f->srv.delivery, t0 + 42 * SEC), 0);
    assert_int_equal(digests(f, d, 8), 3);
    check(f, &d[2], &d[1]);
    stored_free(d, 3);
}

static void test_stop_start_and_rotation(void **state)
{
    fixture *f = *state;
    f->srv.delivery.signing_key_period_s = 15;
    int64_t t0 = time_now_ms();
    step(f, t0);
    step(f, t0 + 10 * SEC); /* the first key: valid from this digest's end for 15 s */
    step(f, t0 + 20 * SEC);
    step(f, t0 + 30 * SEC); /* past it: a new key, the chain goes on */
    stored d[8];
    assert_int_equal(digests(f, d, 8), 3);
    check(f, &d[0], NULL);
    check(f, &d[1], &d[0]);
    check(f, &d[2], &d[1]);
    assert_string_equal(field(&d[0], "digestPublicKeyFingerprint"),
                        field(&d[1], "digestPublicKeyFingerprint"));
    assert_string_not_equal(field(&d[1], "digestPublicKeyFingerprint"),
                            field(&d[2], "digestPublicKeyFingerprint"));
    stored_free(d, 3);

    /* StopLogging: the open window still ends with a digest; then nothing. */
    set_logging(f, false);
    step(f, t0 + 35 * SEC);
    step(f, t0 + 40 * SEC);
    step(f, t0 + 70 * SEC);
    assert_int_equal(digests(f, d, 8), 4);
    check(f, &d[3], &d[2]);
    stored_free(d, 4);

    /* StartLogging: a new chain, its first digest names nothing. */
    set_logging(f, true);
    step(f, t0 + 71 * SEC);
    step(f, t0 + 81 * SEC);
    assert_int_equal(digests(f, d, 8), 5);
    check(f, &d[4], NULL);
    stored_free(d, 5);
}

/* DeleteTrail as the handler does it (svc/cloudtrail_trails.c). */
static void delete_trail(fixture *f)
{
    db_conn *db = db_acquire(&f->srv.db);
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(trail_keep_deleted(db, ARN), 0);
    assert_int_equal(trail_delete(db, ARN), 0);
    assert_int_equal(delivery_forget_trail(db, ARN), 0);
    assert_int_equal(db_commit(db), 0);
    db_release(&f->srv.db, db);
}

static int64_t count(fixture *f, const char *sql)
{
    db_conn *db = db_acquire(&f->srv.db);
    int64_t n = -1;
    assert_true(db_get_int(db, &n, sql, "s", ARN));
    db_release(&f->srv.db, db);
    return n;
}

static void test_deleted_trail_last_digest(void **state)
{
    fixture *f = *state;
    int64_t t0 = time_now_ms();
    step(f, t0);
    step(f, t0 + 10 * SEC);
    capture(f, "ListTrails");
    step(f, t0 + 11 * SEC); /* delivered; waits for the window ending at t0 + 20 s */
    delete_trail(f);
    trail t;
    db_conn *db = db_acquire(&f->srv.db);
    assert_int_equal(trail_get(db, ARN, &t), 0);
    assert_int_equal(trail_get_deleted(db, ARN, &t), 1);
    assert_string_equal(t.s3_bucket, BUCKET);
    db_release(&f->srv.db, db);

    /* Before the window ends nothing happens; then its last digest is planned, and a crash
     * before writing it loses nothing. */
    step(f, t0 + 15 * SEC);
    stored d[8];
    assert_int_equal(digests(f, d, 8), 1);
    stored_free(d, 1);
    assert_int_equal(digest_plan(&f->srv.delivery, f->srv.signer, t0 + 20 * SEC), 1);
    server_close(&f->srv);
    open_server(f);
    assert_int_equal(digest_write(&f->srv.delivery, t0 + 21 * SEC), 1);
    assert_int_equal(digests(f, d, 8), 2);
    check(f, &d[1], &d[0]);
    assert_int_equal(log_files(&d[1]), 1); /* the file delivered before DeleteTrail */
    stored_free(d, 2);

    /* The chain has ended and its digest is written: the trail is forgotten, no more
     * digests follow. */
    step(f, t0 + 22 * SEC);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM deleted_trails WHERE arn = ?"), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM digest_chains WHERE trail_arn = ?"), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM delivery_status WHERE trail_arn = ?"), 0);
    step(f, t0 + 60 * SEC);
    assert_int_equal(digests(f, d, 8), 2);
    stored_free(d, 2);
}

static outbox_status status(fixture *f, outbox_kind kind)
{
    db_conn *db = db_acquire(&f->srv.db);
    outbox_status st;
    outbox_status_get(db, kind, ARN, &st);
    db_release(&f->srv.db, db);
    return st;
}

static void set_policy(fixture *f, const char *policy)
{
    db_conn *db = db_acquire(&f->srv.db);
    assert_int_equal(
        db_exec(db, "UPDATE s3_buckets SET policy = ? WHERE name = ?", "ss", policy, BUCKET), 0);
    db_release(&f->srv.db, db);
}

/* A refused digest stays planned, is retried with backoff (1 s, doubling) and reported as
 * the digest's error only; once the policy allows it, it arrives and the error clears. */
static void test_refused_digest_retried(void **state)
{
    fixture *f = *state;
    capture(f, "ListTrails");
    int64_t t0 = time_now_ms();
    step(f, t0); /* log file delivered; the chain starts */
    set_policy(f, NULL);
    assert_int_equal(digest_plan(&f->srv.delivery, f->srv.signer, t0 + 10 * SEC), 1);
    assert_int_equal(digest_write(&f->srv.delivery, t0 + 10 * SEC), 0);
    outbox_status dg = status(f, OUTBOX_DIGEST);
    assert_string_equal(dg.latest_error, "AccessDenied");
    assert_int_equal(dg.latest_ms, 0);
    assert_int_equal(dg.latest_attempt_ms, t0 + 10 * SEC);
    outbox_status lg = status(f, OUTBOX_LOG);
    assert_string_equal(lg.latest_error, "");
    assert_int_equal(lg.latest_ms, t0);

    assert_int_equal(digest_write(&f->srv.delivery, t0 + 10 * SEC + 999), 0); /* not yet due */
    assert_int_equal(status(f, OUTBOX_DIGEST).latest_attempt_ms, t0 + 10 * SEC);
    assert_int_equal(digest_write(&f->srv.delivery, t0 + 11 * SEC), 0); /* refused again */
    set_policy(f, POLICY);
    assert_int_equal(digest_write(&f->srv.delivery, t0 + 13 * SEC - 1), 0); /* 2 s backoff */
    assert_int_equal(digest_write(&f->srv.delivery, t0 + 13 * SEC), 1);
    dg = status(f, OUTBOX_DIGEST);
    assert_string_equal(dg.latest_error, "");
    assert_int_equal(dg.latest_ms, t0 + 13 * SEC);
    stored d[2];
    assert_int_equal(digests(f, d, 2), 1);
    check(f, &d[0], NULL);
    stored_free(d, 1);
}

/* A crash between signing and committing leaves the signer a step ahead of the chain:
 * with other log files since, the digest of that window can never be signed (the signer
 * refuses the past). The chain then starts again after that window, with a first digest
 * (no previous signature) that names the files, instead of retrying the refusal forever. */
static void test_signer_refusal_restarts_chain(void **state)
{
    fixture *f = *state;
    capture(f, "ListTrails");
    int64_t t0 = time_now_ms();
    step(f, t0); /* log file delivered; the chain starts */
    step(f, t0 + 10 * SEC);
    stored d[4];
    assert_int_equal(digests(f, d, 4), 1);
    int64_t e0, e1;
    assert_int_equal(time_parse_iso8601(field(&d[0], "digestEndTime"), &e0), 0);
    e1 = e0 + 10 * SEC;

    /* The signer signed the next window, then the server died before it committed. */
    signer_request sr = {.trail_arn = ARN,
                         .account_id = MGMT,
                         .region = "us-east-1",
                         .fingerprint = field(&d[0], "digestPublicKeyFingerprint"),
                         .end_ms = e1,
                         .bucket = BUCKET,
                         .key = DIGESTS "lost.json.gz",
                         .sha256 =
                             "0000000000000000000000000000000000000000000000000000000000000000",
                         .previous_signature = d[0].signature};
    char sig[SIGNKEY_SIG_HEX_LEN + 1];
    aws_error e;
    assert_int_equal(signer_sign(f->srv.signer, &sr, sig, &e), 0);

    capture(f, "DescribeTrails");
    assert_int_equal(delivery_plan(&f->srv.delivery, e0 + SEC), 1);
    assert_int_equal(delivery_write(&f->srv.delivery, e0 + SEC), 1);
    assert_int_equal(digest_plan(&f->srv.delivery, f->srv.signer, e1), -1); /* refused */
    assert_int_equal(digest_write(&f->srv.delivery, e1), 0);
    stored_free(d, 1);
    assert_int_equal(digests(f, d, 4), 1);
    stored_free(d, 1);

    step(f, e1 + 10 * SEC);
    assert_int_equal(digests(f, d, 4), 2);
    check(f, &d[1], NULL); /* a first digest again, signed */
    int64_t start;
    assert_int_equal(time_parse_iso8601(field(&d[1], "digestStartTime"), &start), 0);
    assert_int_equal(start, e1);
    assert_int_equal(log_files(&d[1]), 1); /* the file of the refused window is not lost */
    stored_free(d, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_chain_across_restart_and_crash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_start_and_rotation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deleted_trail_last_digest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_digest_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signer_refusal_restarts_chain, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
