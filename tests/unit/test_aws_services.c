/* core/aws_services: the one table of per-service facts, and that every service the
 * registry serves has its entry there (the service layer no longer carries its own copy);
 * the operation tables' flags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "app/registry.h"
#include "core/aws_services.h"
#include "svc/service.h"

static const char *const SERVED[] = {
    "cloudtrail", "cloudtrail-data", "organizations", "sts", "iam", "s3", "logs", "monitoring",
    "sns"};

static void test_every_served_service_has_its_facts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof SERVED / sizeof *SERVED; i++) {
        const service_def *svc = service_lookup(SERVED[i]);
        assert_non_null(svc);
        const aws_service *f = aws_service_by_signing_name(svc->signing_name);
        assert_non_null(f);
        char want[96];
        snprintf(want, sizeof want, "%s.amazonaws.com", SERVED[i]);
        assert_string_equal(f->event_source, want);
        assert_ptr_equal(aws_service_by_event_source(want), f);
    }
}

/* An operation that runs in a transaction needs its service's answer for a failed
 * begin/commit; and only CloudTrail's trail changes say trails changed. */
static void test_operation_flags_are_consistent(void **state)
{
    (void)state;
    size_t tx = 0, changes = 0;
    for (size_t i = 0; i < sizeof SERVED / sizeof *SERVED; i++) {
        const service_def *svc = service_lookup(SERVED[i]);
        for (size_t k = 0; k < svc->n_ops; k++) {
            const op_def *op = &svc->ops[k];
            assert_ptr_equal(service_op(svc, op->name), op);
            if (op->flags & OP_TX) {
                assert_non_null(svc->fail_db);
                tx++;
            }
            if (op->flags & OP_CHANGES_TRAILS) {
                assert_string_equal(svc->signing_name, "cloudtrail");
                changes++;
            }
        }
    }
    assert_true(tx > 0);
    assert_int_equal(changes, 6); /* Create/Update/DeleteTrail, Start/StopLogging, selectors */
}

/* CloudTrail records IAM, STS, Organizations (and CloudFront, sign-in, Route 53) in
 * us-east-1 as global service events; regional services are not. */
static void test_global_services_are_aws_s(void **state)
{
    (void)state;
    const char *global[] = {"iam", "sts", "organizations", "cloudfront", "signin", "route53"};
    const char *regional[] = {"cloudtrail", "cloudtrail-data", "s3", "logs", "monitoring", "sns"};
    for (size_t i = 0; i < 6; i++) {
        assert_true(aws_service_by_signing_name(global[i])->global);
        assert_false(aws_service_by_signing_name(regional[i])->global);
    }
}

static void test_unknown_names_are_not_found(void **state)
{
    (void)state;
    assert_null(aws_service_by_signing_name("ec2"));
    assert_null(aws_service_by_signing_name(""));
    assert_null(aws_service_by_event_source("iam"));
    assert_null(aws_service_by_event_source("iam.amazonaws.com.evil"));
    assert_null(service_lookup("route53")); /* a fact, not a served service */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_served_service_has_its_facts),
        cmocka_unit_test(test_global_services_are_aws_s),
        cmocka_unit_test(test_operation_flags_are_consistent),
        cmocka_unit_test(test_unknown_names_are_not_found),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
