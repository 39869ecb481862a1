/* S3 buckets without the server: who may act on a bucket (same account, other accounts,
 * service principals, owner-only operations, the root user's policy guarantee), bucket
 * naming rules, LocationConstraint rules and the canonical user id. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "policy/policy.h"
#include "policy/s3_access.h"
#include "svc/s3_internal.h"

#define OWNER "111111111111"
#define OTHER "222222222222"
#define BUCKET "arn:aws:s3:::log-archive"

static principal root_of(const char *account)
{
    principal p;
    memset(&p, 0, sizeof p);
    p.kind = PRINCIPAL_ROOT;
    snprintf(p.account_id, sizeof p.account_id, "%s", account);
    snprintf(p.arn, sizeof p.arn, "arn:aws:iam::%s:root", account);
    snprintf(p.principal_id, sizeof p.principal_id, "%s", account);
    return p;
}

static principal user_of(const char *account, const char *name)
{
    principal p = root_of(account);
    p.kind = PRINCIPAL_IAM_USER;
    snprintf(p.user_name, sizeof p.user_name, "%s", name);
    snprintf(p.arn, sizeof p.arn, "arn:aws:iam::%s:user/%s", account, name);
    return p;
}

static principal session_of(const char *account, const char *role, const char *session)
{
    principal p = root_of(account);
    p.kind = PRINCIPAL_ASSUMED_ROLE;
    snprintf(p.role_name, sizeof p.role_name, "%s", role);
    snprintf(p.role_arn, sizeof p.role_arn, "arn:aws:iam::%s:role/%s", account, role);
    snprintf(p.arn, sizeof p.arn, "arn:aws:sts::%s:assumed-role/%s/%s", account, role, session);
    return p;
}

static principal service(const char *name)
{
    principal p;
    memset(&p, 0, sizeof p);
    p.kind = PRINCIPAL_SERVICE;
    snprintf(p.service, sizeof p.service, "%s", name);
    return p;
}

static json_t *policy(const char *text)
{
    aws_error e;
    aws_error_clear(&e);
    json_t *p = policy_parse(text, POLICY_RESOURCE, "MalformedPolicy", BUCKET, &e);
    if (!p) fail_msg("%s: %s", e.code, e.message);
    return p;
}

/* The callers' own permissions: users and roles here hold an identity policy allowing
 * s3:* unless a test says otherwise (bare: none at all). */
static const char S3_ALL[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\","
    "\"Resource\":\"*\"}]}";

static s3_verdict decide_as(const principal *who, bool bare, const json_t *pol, const char *action,
                            s3_scope scope, const char *const *context)
{
    authz_subject s;
    memset(&s, 0, sizeof s);
    json_t *identity[1] = {NULL};
    switch (who->kind) {
    case PRINCIPAL_ROOT:
        s.type = AUTHZ_ROOT;
        break;
    case PRINCIPAL_SERVICE:
        s.type = AUTHZ_SERVICE;
        break;
    default:
        s.type = who->kind == PRINCIPAL_IAM_USER ? AUTHZ_USER : AUTHZ_ROLE_SESSION;
        if (!bare) {
            aws_error e;
            aws_error_clear(&e);
            identity[0] =
                policy_parse(S3_ALL, POLICY_IDENTITY, "MalformedPolicyDocument", NULL, &e);
            s.identity = identity;
            s.n_identity = 1;
        }
    }
    authz_input in;
    authz_result r;
    s3_verdict v =
        s3_access_decide(&s, who, OWNER, pol, action, BUCKET, scope, context, NULL, 0, &in, &r);
    json_decref(identity[0]);
    return v;
}

static s3_verdict decide(const principal *who, const json_t *pol, const char *action,
                         s3_scope scope)
{
    return decide_as(who, false, pol, action, scope, NULL);
}

static void test_owner_account(void **state)
{
    (void)state;
    principal root = root_of(OWNER), user = user_of(OWNER, "ops");
    principal role = session_of(OWNER, "Admin", "s");
    /* no bucket policy: the owner account's root, and its users and roles as far as their
     * identity policies allow (R3, R5) */
    assert_int_equal(decide(&root, NULL, "s3:GetBucketAcl", S3_SCOPE_POLICY), S3_ALLOW);
    assert_int_equal(decide(&user, NULL, "s3:DeleteBucket", S3_SCOPE_OWNER), S3_ALLOW);
    assert_int_equal(decide(&role, NULL, "s3:PutBucketPolicy", S3_SCOPE_POLICY_ADMIN), S3_ALLOW);
    assert_int_equal(decide_as(&user, true, NULL, "s3:GetBucketAcl", S3_SCOPE_POLICY, NULL),
                     S3_DENY_ACCESS);
    assert_int_equal(decide_as(&role, true, NULL, "s3:DeleteBucket", S3_SCOPE_OWNER, NULL),
                     S3_DENY_ACCESS);
    /* an explicit Deny in the bucket policy binds the owner account too ... */
    json_t *deny_all =
        policy("{\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\","
               "\"Resource\":[\"" BUCKET "\",\"" BUCKET "/*\"]}]}");
    assert_int_equal(decide(&user, deny_all, "s3:GetBucketAcl", S3_SCOPE_POLICY), S3_DENY_ACCESS);
    assert_int_equal(decide(&root, deny_all, "s3:DeleteBucket", S3_SCOPE_OWNER), S3_DENY_ACCESS);
    assert_int_equal(decide(&role, deny_all, "s3:DeleteBucketPolicy", S3_SCOPE_POLICY_ADMIN),
                     S3_DENY_ACCESS);
    /* ... except that its root user can always manage the policy */
    assert_int_equal(decide(&root, deny_all, "s3:PutBucketPolicy", S3_SCOPE_POLICY_ADMIN),
                     S3_ALLOW);
    assert_int_equal(decide(&root, deny_all, "s3:DeleteBucketPolicy", S3_SCOPE_POLICY_ADMIN),
                     S3_ALLOW);
    /* a Deny for someone else does not touch this caller */
    json_t *deny_bob = policy("{\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":"
                              "\"arn:aws:iam::" OWNER
                              ":user/bob\"},\"Action\":\"s3:*\",\"Resource\":\"" BUCKET "\"}]}");
    assert_int_equal(decide(&user, deny_bob, "s3:GetBucketAcl", S3_SCOPE_POLICY), S3_ALLOW);
    /* a bucket policy naming the user grants it without any identity policy (R4) */
    json_t *grant_ops =
        policy("{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
               "\"arn:aws:iam::" OWNER ":user/ops\"},\"Action\":\"s3:GetBucketAcl\","
               "\"Resource\":\"" BUCKET "\"}]}");
    assert_int_equal(decide_as(&user, true, grant_ops, "s3:GetBucketAcl", S3_SCOPE_POLICY, NULL),
                     S3_ALLOW);
    json_decref(grant_ops);
    json_decref(deny_all);
    json_decref(deny_bob);
}

static void test_other_accounts(void **state)
{
    (void)state;
    principal root = root_of(OTHER), user = user_of(OTHER, "auditor");
    principal role = session_of(OTHER, "Reader", "s1");
    /* no policy: nothing */
    assert_int_equal(decide(&root, NULL, "s3:GetBucketAcl", S3_SCOPE_POLICY), S3_DENY_ACCESS);
    assert_int_equal(decide(&root, NULL, "s3:ListBucket", S3_SCOPE_POLICY), S3_DENY_ACCESS);

    json_t *grant =
        policy("{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" OTHER "\"},"
               "\"Action\":[\"s3:GetBucketAcl\",\"s3:GetBucketLocation\",\"s3:ListBucket\","
               "\"s3:GetBucketPolicy\",\"s3:PutBucketPolicy\",\"s3:DeleteBucket\"],"
               "\"Resource\":\"" BUCKET "\"}]}");
    assert_int_equal(decide(&root, grant, "s3:GetBucketAcl", S3_SCOPE_POLICY), S3_ALLOW);
    assert_int_equal(decide(&user, grant, "s3:GetBucketLocation", S3_SCOPE_POLICY), S3_ALLOW);
    /* across accounts the caller's own policies must allow too (R6) */
    assert_int_equal(decide_as(&user, true, grant, "s3:GetBucketLocation", S3_SCOPE_POLICY, NULL),
                     S3_DENY_ACCESS);
    assert_int_equal(decide(&role, grant, "s3:ListBucket", S3_SCOPE_POLICY), S3_ALLOW);
    /* not granted */
    assert_int_equal(decide(&root, grant, "s3:GetBucketVersioning", S3_SCOPE_POLICY),
                     S3_DENY_ACCESS);
    principal third = root_of("333333333333");
    assert_int_equal(decide(&third, grant, "s3:GetBucketAcl", S3_SCOPE_POLICY), S3_DENY_ACCESS);
    /* owner-only operations whatever the policy says; policy management answers 405 when
     * the policy would allow it, as S3 does */
    assert_int_equal(decide(&root, grant, "s3:DeleteBucket", S3_SCOPE_OWNER), S3_DENY_ACCESS);
    assert_int_equal(decide(&root, grant, "s3:PutBucketPolicy", S3_SCOPE_POLICY_ADMIN),
                     S3_DENY_METHOD);
    assert_int_equal(decide(&user, grant, "s3:GetBucketPolicy", S3_SCOPE_POLICY_ADMIN),
                     S3_DENY_METHOD);
    assert_int_equal(decide(&user, grant, "s3:DeleteBucketPolicy", S3_SCOPE_POLICY_ADMIN),
                     S3_DENY_ACCESS);
    json_decref(grant);

    /* grants to one user or one role */
    json_t *one =
        policy("{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":["
               "\"arn:aws:iam::" OTHER ":user/auditor\",\"arn:aws:iam::" OTHER ":role/Reader\"]},"
               "\"Action\":\"s3:GetBucketAcl\",\"Resource\":\"" BUCKET "\"}]}");
    assert_int_equal(decide(&user, one, "s3:GetBucketAcl", S3_SCOPE_POLICY), S3_ALLOW);
    assert_int_equal(decide(&role, one, "s3:GetBucketAcl", S3_SCOPE_POLICY), S3_ALLOW);
    assert_int_equal(decide(&root, one, "s3:GetBucketAcl", S3_SCOPE_POLICY), S3_DENY_ACCESS);
    principal other_role = session_of(OTHER, "Writer", "s1");
    assert_int_equal(decide(&other_role, one, "s3:GetBucketAcl", S3_SCOPE_POLICY), S3_DENY_ACCESS);
    json_decref(one);

    /* Allow and Deny together: Deny */
    json_t *both = policy(
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\","
        "\"Resource\":\"" BUCKET "\"},{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"" OTHER "\"},"
        "\"Action\":\"s3:GetBucketAcl\",\"Resource\":\"" BUCKET "\"}]}");
    assert_int_equal(decide(&root, both, "s3:GetBucketAcl", S3_SCOPE_POLICY), S3_DENY_ACCESS);
    assert_int_equal(decide(&root, both, "s3:GetBucketLocation", S3_SCOPE_POLICY), S3_ALLOW);
    json_decref(both);
}

static void test_conditions_and_services(void **state)
{
    (void)state;
    json_t *org_only =
        policy("{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":"
               "\"s3:GetBucketAcl\",\"Resource\":\"" BUCKET "\",\"Condition\":{\"StringEquals\":"
               "{\"aws:PrincipalOrgID\":\"o-exampleorgid\"}}}]}");
    principal member = root_of(OTHER);
    const char *const in_org[] = {"aws:PrincipalOrgID", "o-exampleorgid", NULL};
    const char *const outside[] = {"aws:PrincipalAccount", OTHER, NULL};
    assert_int_equal(
        decide_as(&member, false, org_only, "s3:GetBucketAcl", S3_SCOPE_POLICY, in_org), S3_ALLOW);
    assert_int_equal(
        decide_as(&member, false, org_only, "s3:GetBucketAcl", S3_SCOPE_POLICY, outside),
        S3_DENY_ACCESS);
    json_decref(org_only);

    json_t *ct =
        policy("{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
               "\"cloudtrail.amazonaws.com\"},\"Action\":\"s3:GetBucketAcl\",\"Resource\":\"" BUCKET
               "\"}]}");
    principal cloudtrail = service("cloudtrail.amazonaws.com"),
              config = service("config.amazonaws.com");
    assert_int_equal(decide(&cloudtrail, ct, "s3:GetBucketAcl", S3_SCOPE_POLICY), S3_ALLOW);
    assert_int_equal(decide(&config, ct, "s3:GetBucketAcl", S3_SCOPE_POLICY), S3_DENY_ACCESS);
    assert_int_equal(decide(&cloudtrail, NULL, "s3:GetBucketAcl", S3_SCOPE_POLICY), S3_DENY_ACCESS);
    json_decref(ct);
}

static void test_bucket_names(void **state)
{
    (void)state;
    static const char *const good[] = {
        "abc",
        "log-archive",
        "my.bucket.name",
        "0123456789",
        "a-b.c-d",
        "xn-not-reserved",
        "a23456789012345678901234567890123456789012345678901234567890123"};
    static const char *const bad[] = {
        "ab",
        "Log-Archive",
        "log_archive",
        "-logs",
        "logs-",
        ".logs",
        "logs.",
        "my..bucket",
        "192.168.5.4",
        "xn--bucket",
        "sthree-logs",
        "amzn-s3-demo-bucket",
        "logs-s3alias",
        "logs--ol-s3",
        "logs.mrap",
        "logs--x-s3",
        "logs--table-s3",
        "log archive",
        "",
        "a234567890123456789012345678901234567890123456789012345678901234"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        if (!s3_bucket_name_valid(good[i])) fail_msg("refused %s", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (s3_bucket_name_valid(bad[i])) fail_msg("accepted %s", bad[i]);
}

static void expect_location(const char *signed_region, const char *constraint, const char *region)
{
    char out[32];
    aws_error e;
    aws_error_clear(&e);
    if (s3_location_resolve(signed_region, constraint, out, sizeof out, &e))
        fail_msg("%s/%s refused: %s", signed_region, constraint ? constraint : "-", e.code);
    assert_string_equal(out, region);
}

static void expect_location_error(const char *signed_region, const char *constraint,
                                  const char *code, const char *message)
{
    char out[32];
    aws_error e;
    aws_error_clear(&e);
    assert_int_equal(s3_location_resolve(signed_region, constraint, out, sizeof out, &e), -1);
    assert_string_equal(e.code, code);
    assert_string_equal(e.message, message);
    assert_int_equal(e.status, 400);
}

static void test_location_constraints(void **state)
{
    (void)state;
    expect_location("us-east-1", NULL, "us-east-1");
    expect_location("us-east-1", "", "us-east-1");
    expect_location("eu-west-1", "eu-west-1", "eu-west-1");
    expect_location("eu-west-1", "EU", "eu-west-1");
    /* us-east-1 (the legacy global endpoint) may create buckets anywhere */
    expect_location("us-east-1", "ap-southeast-2", "ap-southeast-2");
    expect_location_error("us-east-1", "us-east-1", "InvalidLocationConstraint",
                          "The specified location-constraint is not valid");
    expect_location_error("eu-west-1", "mars-north-1", "InvalidLocationConstraint",
                          "The specified location-constraint is not valid");
    expect_location_error("eu-west-1", NULL, "IllegalLocationConstraintException",
                          "The unspecified location constraint is incompatible for the region "
                          "specific endpoint this request was sent to.");
    expect_location_error("eu-west-1", "us-west-2", "IllegalLocationConstraintException",
                          "The us-west-2 location constraint is incompatible for the region "
                          "specific endpoint this request was sent to.");
}

static void test_canonical_id(void **state)
{
    (void)state;
    char a[65], b[65], c[65];
    s3_canonical_id(OWNER, a);
    s3_canonical_id(OWNER, b);
    s3_canonical_id(OTHER, c);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_int_equal(strlen(a), 64);
    for (int i = 0; i < 64; i++)
        assert_non_null(strchr("0123456789abcdef", a[i]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_owner_account),           cmocka_unit_test(test_other_accounts),
        cmocka_unit_test(test_conditions_and_services), cmocka_unit_test(test_bucket_names),
        cmocka_unit_test(test_location_constraints),    cmocka_unit_test(test_canonical_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
