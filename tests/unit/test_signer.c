/* digest/signer: signs only what moves a digest chain forward, answers a retry with the
 * same signature, keeps its chain heads across a restart, and rejects malformed requests
 * (the same code runs in the `orgtrail signer` process; tests/integration/test_signer.py
 * drives that one). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "digest/digestfile.h"
#include "digest/keystore.h"
#include "digest/signer_client.h"
#include "testenv.h"

#define H1 "1111111111111111111111111111111111111111111111111111111111111111"
#define H2 "2222222222222222222222222222222222222222222222222222222222222222"
#define T0 1714554757000LL

typedef struct fixture {
    char dir[256];
    signer_client sc;
    char fp[SIGNKEY_FINGERPRINT_LEN + 1];
    unsigned char *der;
    size_t der_len;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    testenv_mkdtemp(f->dir, sizeof f->dir, "signer");
    char err[256];
    assert_int_equal(signer_client_open_local(&f->sc, f->dir, err, sizeof err), 0);
    aws_error e;
    aws_error_clear(&e);
    assert_int_equal(signer_new_key(&f->sc, "us-east-1", &f->der, &f->der_len, f->fp, &e), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    signer_client_close(&f->sc);
    free(f->der);
    testenv_rmtree(f->dir);
    free(f);
    return 0;
}

static int sign(fixture *f, int64_t end_ms, const char *hash, const char *prev,
                char sig[SIGNKEY_SIG_HEX_LEN + 1])
{
    aws_error e;
    aws_error_clear(&e);
    signer_request r = {.trail_arn = "arn:aws:cloudtrail:us-east-1:111111111111:trail/t",
                        .account_id = "111111111111",
                        .region = "us-east-1",
                        .fingerprint = f->fp,
                        .end_ms = end_ms,
                        .bucket = "logs",
                        .key = "AWSLogs/111111111111/CloudTrail-Digest/x.json.gz",
                        .sha256 = hash,
                        .previous_signature = prev};
    return signer_sign(&f->sc, &r, sig, &e);
}

/* The signature is CloudTrail's, over the signing string the signer builds itself. */
static void test_signs_the_signing_string(void **state)
{
    fixture *f = *state;
    char sig[SIGNKEY_SIG_HEX_LEN + 1];
    assert_int_equal(sign(f, T0, H1, NULL, sig), 0);
    buf ss = BUF_INIT;
    digest_signing_string(T0, "logs", "AWSLogs/111111111111/CloudTrail-Digest/x.json.gz", H1, NULL,
                          &ss);
    assert_true(signkey_verify_hex(f->der, f->der_len, ss.data, ss.len, sig));
    buf_free(&ss);
}

/* Forward only: a later digest naming the head's signature is signed; the past, a fork
 * (another previous signature) or the same end with other contents are refused. */
static void test_only_forward(void **state)
{
    fixture *f = *state;
    char s1[SIGNKEY_SIG_HEX_LEN + 1], s2[SIGNKEY_SIG_HEX_LEN + 1], x[SIGNKEY_SIG_HEX_LEN + 1];
    assert_int_equal(sign(f, T0, H1, NULL, s1), 0);
    assert_int_equal(sign(f, T0 + 3600000, H2, s1, s2), 0);
    assert_int_equal(sign(f, T0, H2, NULL, x), SIGNER_REFUSED);             /* the past */
    assert_int_equal(sign(f, T0 + 3600000, H1, s1, x), SIGNER_REFUSED);     /* other content */
    assert_int_equal(sign(f, T0 + 2 * 3600000, H1, s1, x), SIGNER_REFUSED); /* a fork */
    /* A chain that starts again ("null") moves forward too. */
    assert_int_equal(sign(f, T0 + 2 * 3600000, H1, NULL, x), 0);
}

/* A retry (lost answer, restarted signer) gets the same signature, also after reopening. */
static void test_retry_is_answered_the_same(void **state)
{
    fixture *f = *state;
    char s1[SIGNKEY_SIG_HEX_LEN + 1], again[SIGNKEY_SIG_HEX_LEN + 1];
    assert_int_equal(sign(f, T0, H1, NULL, s1), 0);
    assert_int_equal(sign(f, T0, H1, NULL, again), 0);
    assert_string_equal(s1, again);
    signer_client_close(&f->sc);
    char err[256];
    assert_int_equal(signer_client_open_local(&f->sc, f->dir, err, sizeof err), 0);
    assert_int_equal(sign(f, T0, H1, NULL, again), 0);
    assert_string_equal(s1, again);
    /* The head survived the restart: the past is still refused. */
    assert_int_equal(sign(f, T0 - 1, H2, NULL, again), SIGNER_REFUSED);
}

/* Bad requests get an error answer and sign nothing. */
static void test_malformed_requests(void **state)
{
    fixture *f = *state;
    static const char *const bad[] = {
        "",
        "not json",
        "[]",
        "{\"id\":1}",
        "{\"id\":1,\"op\":\"sign\"}",
        "{\"id\":1,\"op\":\"launch\"}",
        "{\"id\":1,\"op\":\"new_key\",\"region\":\"../etc\"}",
        "{\"id\":1,\"op\":\"sign\",\"chain\":\"c\",\"region\":\"us-east-1\",\"fingerprint\":"
        "\"zz\",\"end_ms\":1,\"bucket\":\"b\",\"key\":\"k\",\"sha256\":\"" H1
        "\",\"previous_signature\":\"null\"}",
        "{\"id\":1,\"op\":\"sign\",\"chain\":\"c\",\"region\":\"us-east-1\",\"fingerprint\":"
        "\"00000000000000000000000000000000\",\"end_ms\":-5,\"bucket\":\"b\",\"key\":\"k\","
        "\"sha256\":\"" H1 "\",\"previous_signature\":\"null\"}",
    };
    buf reply = BUF_INIT;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        signer_handle(f->sc.local, bad[i], strlen(bad[i]), &reply);
        assert_non_null(strstr(reply.data, "\"ok\":false"));
        assert_null(strstr(reply.data, "signature\":\""));
    }
    buf_free(&reply);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_signs_the_signing_string, setup, teardown),
        cmocka_unit_test_setup_teardown(test_only_forward, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry_is_answered_the_same, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_requests, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
