/* SNS: the string to sign of both message types, signatures of both versions verified
 * with OpenSSL against the certificate the server serves, the signing key kept once in
 * the store, the retry schedule of delivery policies as a table (and the policies AWS
 * refuses), and the entry points other layers call: sns_enqueue, sns_topic_allows_service
 * and sns_publish_as_service over a topic policy for a service principal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "svc/sns.h"
#include "svc/sns_delivery.h"
#include "svc/sns_sign.h"
#include "testenv.h"

#define NOW_MS 1796644800000LL /* 2026-12-07T12:00:00Z */
#define TOPIC "arn:aws:sns:us-east-1:111111111111:alarms"

static const sns_message NOTIFICATION = {
    .type = SNS_NOTIFICATION,
    .message_id = "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
    .topic_arn = TOPIC,
    .subject = "My First Message",
    .message = "Hello world!",
    .timestamp = "2026-12-07T12:00:00.000Z",
    .unsubscribe_url = "http://127.0.0.1:4566/?Action=Unsubscribe&SubscriptionArn=x",
    .signing_cert_url = "http://127.0.0.1:4566/SimpleNotificationService-x.pem",
    .signature_version = 1,
};

static const sns_message CONFIRMATION = {
    .type = SNS_SUBSCRIPTION_CONFIRMATION,
    .message_id = "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
    .topic_arn = TOPIC,
    .message = "You have chosen to subscribe to the topic " TOPIC ".",
    .timestamp = "2026-12-07T12:00:00.000Z",
    .token = "2336412f37",
    .subscribe_url =
        "http://127.0.0.1:4566/?Action=ConfirmSubscription&TopicArn=t&Token=2336412f37",
    .signing_cert_url = "http://127.0.0.1:4566/SimpleNotificationService-x.pem",
    .signature_version = 1,
};

static void assert_string_to_sign(const sns_message *m, const char *want)
{
    buf b = BUF_INIT;
    sns_string_to_sign(m, &b);
    assert_string_equal(buf_cstr(&b), want);
    buf_free(&b);
}

static void test_string_to_sign(void **state)
{
    (void)state;
    assert_string_to_sign(&NOTIFICATION, "Message\nHello world!\n"
                                         "MessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\n"
                                         "Subject\nMy First Message\n"
                                         "Timestamp\n2026-12-07T12:00:00.000Z\n"
                                         "TopicArn\n" TOPIC "\n"
                                         "Type\nNotification\n");
    sns_message no_subject = NOTIFICATION;
    no_subject.subject = NULL;
    assert_string_to_sign(&no_subject, "Message\nHello world!\n"
                                       "MessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\n"
                                       "Timestamp\n2026-12-07T12:00:00.000Z\n"
                                       "TopicArn\n" TOPIC "\n"
                                       "Type\nNotification\n");
    assert_string_to_sign(&CONFIRMATION,
                          "Message\nYou have chosen to subscribe to the topic " TOPIC ".\n"
                          "MessageId\n165545c9-2a5c-472c-8df2-7ff2be2b3b1b\n"
                          "SubscribeURL\nhttp://127.0.0.1:4566/"
                          "?Action=ConfirmSubscription&TopicArn=t&Token=2336412f37\n"
                          "Timestamp\n2026-12-07T12:00:00.000Z\n"
                          "Token\n2336412f37\n"
                          "TopicArn\n" TOPIC "\n"
                          "Type\nSubscriptionConfirmation\n");
    sns_message unsub = CONFIRMATION;
    unsub.type = SNS_UNSUBSCRIBE_CONFIRMATION;
    buf b = BUF_INIT;
    sns_string_to_sign(&unsub, &b);
    assert_non_null(strstr(buf_cstr(&b), "Type\nUnsubscribeConfirmation\n"));
    buf_free(&b);
}

/* Whether sig (base64) verifies over msg with md against the certificate in pem. */
static bool verifies(const char *pem, const EVP_MD *md, const char *msg, const char *sig)
{
    BIO *bio = BIO_new_mem_buf(pem, -1);
    X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    assert_non_null(x);
    EVP_PKEY *pub = X509_get_pubkey(x);
    size_t raw_len;
    unsigned char *raw = base64_decode_alloc(sig, strlen(sig), &raw_len);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = raw && EVP_DigestVerifyInit(ctx, NULL, md, NULL, pub) == 1 &&
              EVP_DigestVerify(ctx, raw, raw_len, (const unsigned char *)msg, strlen(msg)) == 1;
    EVP_MD_CTX_free(ctx);
    free(raw);
    EVP_PKEY_free(pub);
    X509_free(x);
    return ok;
}

static void test_signatures_verify_against_the_certificate(void **state)
{
    (void)state;
    sns_key *k = sns_key_generate(NOW_MS);
    assert_non_null(k);
    assert_int_equal(strlen(sns_key_id(k)), 32);
    const sns_message *messages[] = {&NOTIFICATION, &CONFIRMATION};
    for (size_t i = 0; i < 2; i++) {
        for (int version = 1; version <= 2; version++) {
            sns_message m = *messages[i];
            m.signature_version = version;
            buf b = BUF_INIT;
            sns_string_to_sign(&m, &b);
            char *sig = sns_key_sign(k, version, b.data, b.len);
            assert_non_null(sig);
            const EVP_MD *md = version == 2 ? EVP_sha256() : EVP_sha1();
            const EVP_MD *other = version == 2 ? EVP_sha1() : EVP_sha256();
            assert_true(verifies(sns_key_cert_pem(k), md, buf_cstr(&b), sig));
            assert_false(verifies(sns_key_cert_pem(k), other, buf_cstr(&b), sig));
            /* The document carries what was signed, and the version. */
            char *doc = sns_document_alloc(&m, sig);
            json_t *j = json_loads(doc, 0, NULL);
            assert_string_equal(json_string_value(json_object_get(j, "Signature")), sig);
            assert_string_equal(json_string_value(json_object_get(j, "SignatureVersion")),
                                version == 2 ? "2" : "1");
            assert_string_equal(json_string_value(json_object_get(j, "Type")),
                                sns_msg_type_name(m.type));
            json_decref(j);
            free(doc);
            /* A changed field does not verify. */
            m.message = "Hello world?";
            buf c = BUF_INIT;
            sns_string_to_sign(&m, &c);
            assert_false(verifies(sns_key_cert_pem(k), md, buf_cstr(&c), sig));
            buf_free(&c);
            buf_free(&b);
            free(sig);
        }
    }
    sns_key_free(k);
}

typedef testenv_store fixture;

static int setup(void **state)
{
    static fixture f;
    testenv_store_open(&f, "sns");
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    testenv_store_close(f);
    return 0;
}

static void test_key_is_made_once_and_served(void **state)
{
    fixture *f = *state;
    aws_error e;
    aws_error_clear(&e);
    sns_key *a = NULL, *b = NULL;
    assert_int_equal(sns_key_load_or_create(f->db, NOW_MS, &a, &e), 0);
    assert_int_equal(sns_key_load_or_create(f->db, NOW_MS + 1000, &b, &e), 0);
    assert_string_equal(sns_key_id(a), sns_key_id(b));
    char *pem = sns_cert_pem_alloc(f->db, sns_key_id(a));
    assert_non_null(pem);
    assert_string_equal(pem, sns_key_cert_pem(a));
    /* The stored key signs what the served certificate verifies. */
    char *sig = sns_key_sign(b, 2, "x", 1);
    assert_true(verifies(pem, EVP_sha256(), "x", sig));
    assert_null(sns_cert_pem_alloc(f->db, "00000000000000000000000000000000"));
    free(sig);
    free(pem);
    sns_key_free(a);
    sns_key_free(b);
}

/* The retry schedule: the delay before each retry, -1 after the last. */
static void assert_schedule(const char *healthy_json, const int64_t *want, size_t n)
{
    json_t *h = json_loads(healthy_json, 0, NULL);
    sns_retry_policy p;
    char why[160] = "";
    assert_int_equal(sns_retry_policy_parse(h, &p, why, sizeof why), 0);
    json_decref(h);
    for (size_t i = 0; i < n; i++) {
        if (sns_retry_delay_ms(&p, (int)i + 1) != want[i])
            fail_msg("%s: retry %zu waits %lld ms, not %lld", healthy_json, i + 1,
                     (long long)sns_retry_delay_ms(&p, (int)i + 1), (long long)want[i]);
    }
}

static void test_retry_schedule(void **state)
{
    (void)state;
    static const struct {
        const char *policy;
        int64_t delays[12];
        size_t n;
    } CASES[] = {
        /* SNS's default for HTTP/S: three retries 20 s apart. */
        {"{}", {20000, 20000, 20000, -1}, 4},
        {"{\"numRetries\": 0}", {-1}, 1},
        /* Every phase: 2 at once, 2 at the minimum, 4 backing off, 2 at the maximum. */
        {"{\"minDelayTarget\": 1, \"maxDelayTarget\": 10, \"numRetries\": 10, "
         "\"numNoDelayRetries\": 2, \"numMinDelayRetries\": 2, \"numMaxDelayRetries\": 2, "
         "\"backoffFunction\": \"linear\"}",
         {0, 0, 1000, 1000, 1000, 4000, 7000, 10000, 10000, 10000, -1},
         11},
        {"{\"minDelayTarget\": 1, \"maxDelayTarget\": 8, \"numRetries\": 4, "
         "\"backoffFunction\": \"exponential\"}",
         {1000, 2000, 4000, 8000, -1},
         5},
        {"{\"minDelayTarget\": 1, \"maxDelayTarget\": 7, \"numRetries\": 4, "
         "\"backoffFunction\": \"arithmetic\"}",
         {1000, 2000, 4000, 7000, -1},
         5},
        {"{\"minDelayTarget\": 5, \"maxDelayTarget\": 9, \"numRetries\": 1}", {5000, -1}, 2},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof *CASES; i++)
        assert_schedule(CASES[i].policy, CASES[i].delays, CASES[i].n);
    assert_int_equal(sns_retry_delay_ms(&SNS_DEFAULT_RETRY, 0), -1);
}

static void test_retry_policies_refused(void **state)
{
    (void)state;
    static const char *const BAD[] = {
        "{\"minDelayTarget\": 0}",
        "{\"minDelayTarget\": 30, \"maxDelayTarget\": 20}",
        "{\"maxDelayTarget\": 3601}",
        "{\"numRetries\": 101}",
        "{\"numRetries\": 2, \"numNoDelayRetries\": 2, \"numMinDelayRetries\": 1}",
        "{\"numRetries\": 100, \"minDelayTarget\": 3600, \"maxDelayTarget\": 3600}",
        "{\"backoffFunction\": \"cubic\"}",
        "{\"numRetries\": \"3\"}",
        "{\"numRetries\": -1}",
    };
    for (size_t i = 0; i < sizeof BAD / sizeof *BAD; i++) {
        json_t *h = json_loads(BAD[i], 0, NULL);
        sns_retry_policy p;
        char why[160] = "";
        if (sns_retry_policy_parse(h, &p, why, sizeof why) == 0) fail_msg("accepted %s", BAD[i]);
        assert_true(why[0] != '\0');
        json_decref(h);
    }
    /* A topic's DeliveryPolicy sets the schedule; one that does not parse leaves SNS's. */
    sns_retry_policy p = sns_retry_policy_of(
        "{\"http\": {\"defaultHealthyRetryPolicy\": {\"numRetries\": 5, \"minDelayTarget\": 2, "
        "\"maxDelayTarget\": 2}}}");
    assert_int_equal(p.num_retries, 5);
    assert_int_equal(sns_retry_delay_ms(&p, 5), 2000);
    p = sns_retry_policy_of("not json");
    assert_int_equal(p.num_retries, 3);
}

#define CT_TRAIL "arn:aws:cloudtrail:us-east-1:111111111111:trail/org"
#define POLICY_FOR_CLOUDTRAIL                                                                      \
    "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": "        \
    "{\"Service\": \"cloudtrail.amazonaws.com\"}, \"Action\": \"SNS:Publish\", \"Resource\": "     \
    "\"" TOPIC "\", \"Condition\": {\"StringEquals\": {\"aws:SourceArn\": \"" CT_TRAIL "\"}}}]}"

static void add_topic(db_conn *db, const char *policy)
{
    assert_int_equal(db_exec(db,
                             "INSERT INTO sns_topics(arn, account_id, region, name, policy, "
                             "created_ms) VALUES(?, '111111111111', 'us-east-1', 'alarms', ?, ?)",
                             "ssi", TOPIC, policy, NOW_MS),
                     0);
    assert_int_equal(db_exec(db,
                             "INSERT INTO sns_subscriptions(arn, topic_arn, account_id, region, "
                             "protocol, endpoint, token, confirmed, created_ms) VALUES "
                             "(?, ?, '111111111111', 'us-east-1', 'http', 'http://h/', 't', 1, ?),"
                             "(?, ?, '111111111111', 'us-east-1', 'http', 'http://p/', 'u', 0, ?)",
                             "ssissi", TOPIC ":1", TOPIC, NOW_MS, TOPIC ":2", TOPIC, NOW_MS),
                     0);
}

static int64_t queued(db_conn *db)
{
    int64_t n = -1;
    db_get_int(db, &n, "SELECT COUNT(*) FROM sns_outbox WHERE type = 'Notification'", "");
    return n;
}

static void test_service_principals_and_enqueue(void **state)
{
    fixture *f = *state;
    add_topic(f->db, POLICY_FOR_CLOUDTRAIL);
    assert_true(sns_topic_allows_service(f->db, TOPIC, "cloudtrail.amazonaws.com", CT_TRAIL,
                                         "111111111111"));
    assert_false(sns_topic_allows_service(f->db, TOPIC, "cloudtrail.amazonaws.com",
                                          CT_TRAIL "-other", "111111111111"));
    assert_false(sns_topic_allows_service(f->db, TOPIC, "cloudwatch.amazonaws.com", CT_TRAIL,
                                          "111111111111"));
    assert_false(sns_topic_allows_service(f->db, TOPIC ":nope", "cloudtrail.amazonaws.com",
                                          CT_TRAIL, "111111111111"));
    char id[SNS_MESSAGE_ID_LEN];
    aws_error e;
    aws_error_clear(&e);
    /* Refused: nothing queued, AuthorizationError. */
    assert_int_equal(sns_publish_as_service(f->db, TOPIC, "cloudwatch.amazonaws.com",
                                            "arn:aws:cloudwatch:us-east-1:111111111111:alarm:a",
                                            "111111111111", "ALARM", "{}", NOW_MS, id, &e),
                     -1);
    assert_string_equal(e.code, "AuthorizationError");
    assert_int_equal(e.status, 403);
    assert_int_equal(queued(f->db), 0);
    /* Allowed: one row per confirmed subscription (the pending one gets none). */
    aws_error_clear(&e);
    assert_int_equal(sns_publish_as_service(f->db, TOPIC, "cloudtrail.amazonaws.com", CT_TRAIL,
                                            "111111111111", NULL, "{\"s3Bucket\": \"b\"}", NOW_MS,
                                            id, &e),
                     0);
    assert_int_equal(strlen(id), 36);
    assert_int_equal(queued(f->db), 1);
    /* sns_enqueue inside the caller's transaction goes with it. */
    assert_int_equal(db_begin(f->db), 0);
    assert_int_equal(sns_enqueue(f->db, TOPIC, "s", "m", NULL, NOW_MS, id, &e), 0);
    db_rollback(f->db);
    assert_int_equal(queued(f->db), 1);
    assert_int_equal(sns_enqueue(f->db, TOPIC, "s", "m", NULL, NOW_MS, id, &e), 0);
    assert_int_equal(queued(f->db), 2);
    aws_error_clear(&e);
    assert_int_equal(sns_enqueue(f->db, TOPIC "x", "s", "m", NULL, NOW_MS, id, &e), -1);
    assert_string_equal(e.code, "NotFound");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_string_to_sign),
        cmocka_unit_test(test_signatures_verify_against_the_certificate),
        cmocka_unit_test_setup_teardown(test_key_is_made_once_and_served, setup, teardown),
        cmocka_unit_test(test_retry_schedule),
        cmocka_unit_test(test_retry_policies_refused),
        cmocka_unit_test_setup_teardown(test_service_principals_and_enqueue, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
