/* The embedded AWS models: what the front end reads from them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "proto/model.h"

static int load(void **state)
{
    static model_set ms;
    char err[256];
    if (model_set_load(&ms, err, sizeof err)) return -1;
    *state = &ms;
    return 0;
}

static int unload(void **state)
{
    model_set_free(*state);
    return 0;
}

/* botocore sends the model's full targetPrefix, the JS SDK v3 only its last component. */
static void target_both_spellings(void **state)
{
    const svc_model *ct = model_service(*state, "cloudtrail");
    assert_non_null(ct);
    assert_string_equal(
        model_target_op(ct,
                        "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails"),
        "DescribeTrails");
    assert_string_equal(model_target_op(ct, "CloudTrail_20131101.DescribeTrails"),
                        "DescribeTrails");
    const svc_model *org = model_service(*state, "organizations");
    assert_string_equal(model_target_op(org, "AWSOrganizationsV20161128.ListAccounts"),
                        "ListAccounts");
}

static void target_other_prefixes_refused(void **state)
{
    const svc_model *ct = model_service(*state, "cloudtrail");
    assert_null(model_target_op(ct, "AWSOrganizationsV20161128.ListAccounts"));
    assert_null(model_target_op(ct, "v20131101.CloudTrail_20131101.DescribeTrails"));
    assert_null(model_target_op(ct, "CloudTrail_20131101DescribeTrails"));
    assert_null(model_target_op(ct, "DescribeTrails"));
    assert_null(model_target_op(ct, NULL));
    assert_null(model_target_op(ct, ""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(target_both_spellings),
        cmocka_unit_test(target_other_prefixes_refused),
    };
    return cmocka_run_group_tests(tests, load, unload);
}
