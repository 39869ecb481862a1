/* s3_conditional: RFC 7232's evaluation order as S3 documents it for GetObject and
 * HeadObject, and entity tag lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "svc/s3_conditional.h"

#define ETAG "\"9b2cf535f27731c974343645a3985328\""
#define MODIFIED_MS 1700000000500LL /* its second: 1700000000 */

static s3_cond_result eval(const s3_conditions *c, const char **failed)
{
    return s3_conditions_eval(c, ETAG, MODIFIED_MS, failed);
}

static void test_etag_lists(void **state)
{
    (void)state;
    assert_true(s3_etag_listed(ETAG, ETAG));
    assert_true(s3_etag_listed("9b2cf535f27731c974343645a3985328", ETAG)); /* unquoted */
    assert_true(s3_etag_listed("W/" ETAG, ETAG));                          /* weak */
    assert_true(s3_etag_listed("\"other\", " ETAG, ETAG));
    assert_true(s3_etag_listed(" * ", ETAG));
    assert_false(s3_etag_listed("\"other\"", ETAG));
    assert_false(s3_etag_listed("", ETAG));
    assert_false(s3_etag_listed("\"9b2cf535f27731c974343645a398532\"", ETAG)); /* prefix */
    assert_false(s3_etag_listed(",,", ETAG));
}

static void test_single_conditions(void **state)
{
    (void)state;
    const char *failed;
    s3_conditions c = {0};
    assert_int_equal(eval(&c, &failed), S3_COND_PASS);

    c = (s3_conditions){.if_match = "\"nope\""};
    assert_int_equal(eval(&c, &failed), S3_COND_FAILED);
    assert_string_equal(failed, "If-Match");
    c = (s3_conditions){.if_match = ETAG};
    assert_int_equal(eval(&c, &failed), S3_COND_PASS);

    c = (s3_conditions){.if_none_match = ETAG};
    assert_int_equal(eval(&c, &failed), S3_COND_NOT_MODIFIED);
    c = (s3_conditions){.if_none_match = "\"nope\""};
    assert_int_equal(eval(&c, &failed), S3_COND_PASS);

    /* Whole seconds: modified at 1700000000.5 is not modified since 1700000000. */
    c = (s3_conditions){.has_modified_since = true, .modified_since_s = 1700000000};
    assert_int_equal(eval(&c, &failed), S3_COND_NOT_MODIFIED);
    c.modified_since_s = 1699999999;
    assert_int_equal(eval(&c, &failed), S3_COND_PASS);

    c = (s3_conditions){.has_unmodified_since = true, .unmodified_since_s = 1700000000};
    assert_int_equal(eval(&c, &failed), S3_COND_PASS);
    c.unmodified_since_s = 1699999999;
    assert_int_equal(eval(&c, &failed), S3_COND_FAILED);
    assert_string_equal(failed, "If-Unmodified-Since");
}

static void test_combinations(void **state)
{
    (void)state;
    const char *failed;
    /* S3: If-Match true and If-Unmodified-Since false -> 200 OK. */
    s3_conditions c = {
        .if_match = ETAG, .has_unmodified_since = true, .unmodified_since_s = 1600000000};
    assert_int_equal(eval(&c, &failed), S3_COND_PASS);
    /* S3: If-None-Match false and If-Modified-Since true -> 304. */
    c = (s3_conditions){
        .if_none_match = ETAG, .has_modified_since = true, .modified_since_s = 1600000000};
    assert_int_equal(eval(&c, &failed), S3_COND_NOT_MODIFIED);
    /* If-None-Match true: If-Modified-Since is not looked at. */
    c = (s3_conditions){
        .if_none_match = "\"nope\"", .has_modified_since = true, .modified_since_s = 1800000000};
    assert_int_equal(eval(&c, &failed), S3_COND_PASS);
    /* A failed precondition wins over not-modified. */
    c = (s3_conditions){.if_match = "\"nope\"", .if_none_match = ETAG};
    assert_int_equal(eval(&c, &failed), S3_COND_FAILED);
    assert_string_equal(failed, "If-Match");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_etag_lists),
        cmocka_unit_test(test_single_conditions),
        cmocka_unit_test(test_combinations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
