/* SigV4: the signing example from AWS's documentation, the signer/verifier round trip,
 * and each parse failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "auth/sigv4.h"
#include "core/timeutil.h"

/* AWS General Reference, "Signature Version 4 signing process" example: IAM ListUsers. */
static void doc_example_request(http_request *r)
{
    http_request_init(r);
    strcpy(r->method, "GET");
    r->raw_path = strdup("/");
    r->raw_query = strdup("Action=ListUsers&Version=2010-05-08");
    http_request_parse_query(r);
    http_request_add_header(r, "Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
    http_request_add_header(r, "Host", "iam.amazonaws.com");
    http_request_add_header(r, "X-Amz-Date", "20150830T123600Z");
}

static void test_documented_signature(void **state)
{
    (void)state;
    http_request r;
    doc_example_request(&r);
    http_request_add_header(
        &r, "Authorization",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date, "
        "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
    int64_t now;
    time_parse_amz("20150830T123600Z", &now);
    sigv4_auth a;
    char detail[256];
    assert_int_equal(sigv4_parse(&r, now, &a, detail, sizeof detail), SIGV4_OK);
    assert_string_equal(a.access_key, "AKIDEXAMPLE");
    assert_string_equal(a.service, "iam");
    assert_string_equal(a.region, "us-east-1");
    assert_int_equal(sigv4_verify(&r, &a, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), SIGV4_OK);
    assert_int_equal(sigv4_verify(&r, &a, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEZ"),
                     SIGV4_MISMATCH);
    http_request_free(&r);
}

static void test_canonical_request_matches_documentation(void **state)
{
    (void)state;
    http_request r;
    doc_example_request(&r);
    buf out = BUF_INIT;
    sigv4_canonical_request(&r, "iam", "content-type;host;x-amz-date",
                            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                            false, &out);
    assert_string_equal(buf_cstr(&out),
                        "GET\n/\nAction=ListUsers&Version=2010-05-08\n"
                        "content-type:application/x-www-form-urlencoded; charset=utf-8\n"
                        "host:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
                        "content-type;host;x-amz-date\n"
                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    buf_free(&out);
    http_request_free(&r);
}

static void signed_request(http_request *r, int64_t now, const char *body)
{
    http_request_init(r);
    strcpy(r->method, "POST");
    r->raw_path = strdup("/");
    r->raw_query = strdup("");
    http_request_parse_query(r);
    http_request_add_header(r, "Host", "127.0.0.1:4566");
    http_request_add_header(r, "Content-Type", "application/x-amz-json-1.1");
    buf_puts(&r->body, body);
    sigv4_sign_request(r, "AKIAEXAMPLE", "secret", NULL, "eu-west-1", "cloudtrail", now);
}

static void test_round_trip_and_tamper(void **state)
{
    (void)state;
    int64_t now = time_now_ms();
    http_request r;
    signed_request(&r, now, "{}");
    sigv4_auth a;
    char d[256];
    assert_int_equal(sigv4_parse(&r, now, &a, d, sizeof d), SIGV4_OK);
    assert_string_equal(a.region, "eu-west-1");
    assert_int_equal(sigv4_verify(&r, &a, "secret"), SIGV4_OK);
    buf_reset(&r.body);
    buf_puts(&r.body, "{\"x\":1}"); /* body changed after signing */
    assert_int_equal(sigv4_verify(&r, &a, "secret"), SIGV4_MISMATCH);
    http_request_free(&r);
}

static void test_clock_skew(void **state)
{
    (void)state;
    int64_t now = time_now_ms();
    http_request r;
    signed_request(&r, now - 16 * 60 * 1000, "{}");
    sigv4_auth a;
    char d[256];
    assert_int_equal(sigv4_parse(&r, now, &a, d, sizeof d), SIGV4_SKEW);
    assert_non_null(strstr(d, "Signature expired"));
    http_request_free(&r);
    signed_request(&r, now + 14 * 60 * 1000, "{}");
    assert_int_equal(sigv4_parse(&r, now, &a, d, sizeof d), SIGV4_OK);
    http_request_free(&r);
}

static void test_malformed_headers(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "AWS4-HMAC-SHA256 SignedHeaders=host, Signature="
        "0123456789012345678901234567890123456789012345678901234567890123",
        "AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/iam/aws4_request, Signature=00",
        "AWS4-HMAC-SHA256 Credential=AK/2015083/us-east-1/iam/aws4_request, SignedHeaders=host, "
        "Signature=0123456789012345678901234567890123456789012345678901234567890123",
        "AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/iam, SignedHeaders=host, "
        "Signature=0123456789012345678901234567890123456789012345678901234567890123",
        "Basic dXNlcjpwYXNz",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        http_request r;
        doc_example_request(&r);
        http_request_add_header(&r, "Authorization", bad[i]);
        sigv4_auth a;
        char d[512];
        int64_t now;
        time_parse_amz("20150830T123600Z", &now);
        assert_int_equal(sigv4_parse(&r, now, &a, d, sizeof d), SIGV4_INCOMPLETE);
        http_request_free(&r);
    }
}

static void test_missing(void **state)
{
    (void)state;
    http_request r;
    doc_example_request(&r);
    sigv4_auth a;
    char d[256];
    assert_int_equal(sigv4_parse(&r, 0, &a, d, sizeof d), SIGV4_MISSING);
    aws_error e;
    sigv4_fail(&e, SIGV4_MISSING, FAMILY_JSON, d);
    assert_string_equal(e.code, "MissingAuthenticationTokenException");
    sigv4_fail(&e, SIGV4_MISMATCH, FAMILY_QUERY, d);
    assert_string_equal(e.code, "SignatureDoesNotMatch");
    assert_int_equal(e.status, 403);
    sigv4_fail(&e, SIGV4_UNKNOWN_KEY, FAMILY_JSON, d);
    assert_string_equal(e.code, "UnrecognizedClientException");
    http_request_free(&r);
}

/* The kDate step keys HMAC with "AWS4" + the whole secret, however long it is. */
static void test_long_secret_signing_key(void **state)
{
    char secret[301], key[305];
    memset(secret, 'k', 300);
    secret[300] = 0;
    memcpy(key, "AWS4", 4);
    memcpy(key + 4, secret, 301);
    unsigned char k1[SHA256_LEN], k2[SHA256_LEN], k3[SHA256_LEN], want[SHA256_LEN], got[SHA256_LEN];
    hash_hmac_sha256(key, 304, "20261129", 8, k1);
    hash_hmac_sha256(k1, SHA256_LEN, "us-east-1", 9, k2);
    hash_hmac_sha256(k2, SHA256_LEN, "sts", 3, k3);
    hash_hmac_sha256(k3, SHA256_LEN, "aws4_request", 12, want);
    sigv4_signing_key(secret, "20261129", "us-east-1", "sts", got);
    assert_memory_equal(got, want, SHA256_LEN);
    /* Truncating the secret would change the key. */
    secret[250] = 0;
    sigv4_signing_key(secret, "20261129", "us-east-1", "sts", got);
    assert_memory_not_equal(got, want, SHA256_LEN);
}

/* The cache gives what deriving gives, for every scope and secret, also after entries
 * were replaced; a different secret under the same access key never gets the cached key. */
static void test_signing_key_cache(void **state)
{
    (void)state;
    sigv4_keys keys;
    sigv4_keys_init(&keys);
    unsigned char want[SHA256_LEN], got[SHA256_LEN];
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < SIGV4_KEYS_ENTRIES + 7; i++) {
            char date[16], secret[32];
            snprintf(date, sizeof date, "202611%02d", 1 + i % 28);
            snprintf(secret, sizeof secret, "secret-%d", i / 28);
            sigv4_signing_key(secret, date, "us-east-1", "s3", want);
            sigv4_keys_get(&keys, "AKIDEXAMPLE", secret, date, "us-east-1", "s3", got);
            assert_memory_equal(got, want, SHA256_LEN);
        }
    }
    sigv4_keys_get(&keys, "AKIDEXAMPLE", "secret-0", "20261101", "us-east-1", "s3", got);
    sigv4_signing_key("other", "20261101", "us-east-1", "s3", want);
    sigv4_keys_get(&keys, "AKIDEXAMPLE", "other", "20261101", "us-east-1", "s3", got);
    assert_memory_equal(got, want, SHA256_LEN);
    sigv4_signing_key("secret-0", "20261101", "eu-west-1", "s3", want);
    sigv4_keys_get(&keys, "AKIDEXAMPLE", "secret-0", "20261101", "eu-west-1", "s3", got);
    assert_memory_equal(got, want, SHA256_LEN);
    /* Too long to cache: derived each time, still right. */
    char secret[301];
    memset(secret, 'k', 300);
    secret[300] = 0;
    sigv4_signing_key(secret, "20261101", "us-east-1", "s3", want);
    sigv4_keys_get(&keys, "AKIDEXAMPLE", secret, "20261101", "us-east-1", "s3", got);
    assert_memory_equal(got, want, SHA256_LEN);
    sigv4_keys_get(NULL, "AKIDEXAMPLE", secret, "20261101", "us-east-1", "s3", got);
    assert_memory_equal(got, want, SHA256_LEN);
    sigv4_keys_destroy(&keys);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_documented_signature),
        cmocka_unit_test(test_canonical_request_matches_documentation),
        cmocka_unit_test(test_round_trip_and_tamper),
        cmocka_unit_test(test_clock_skew),
        cmocka_unit_test(test_malformed_headers),
        cmocka_unit_test(test_missing),
        cmocka_unit_test(test_long_secret_signing_key),
        cmocka_unit_test(test_signing_key_cache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
