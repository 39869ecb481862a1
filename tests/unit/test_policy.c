/* The policy engine: wildcard matching, principals, actions, resources, every condition
 * operator family, the decision rule, the documented organization-trail bucket policy,
 * and each validation failure with its MalformedPolicy message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "policy/policy.h"

#define BUCKET_ARN "arn:aws:s3:::log-archive"

/* Parses a document that must be valid; fails the test otherwise. */
static json_t *parse_ok(const char *text, policy_kind kind, const char *bucket_arn)
{
    aws_error e;
    aws_error_clear(&e);
    json_t *p = policy_parse(text, kind, "MalformedPolicy", bucket_arn, &e);
    if (!p) fail_msg("policy refused (%s): %s\n%s", e.code, e.message, text);
    return p;
}

static void expect_malformed(const char *text, policy_kind kind, const char *bucket_arn,
                             const char *message)
{
    aws_error e;
    aws_error_clear(&e);
    json_t *p = policy_parse(text, kind, "MalformedPolicy", bucket_arn, &e);
    if (p) {
        json_decref(p);
        fail_msg("policy accepted, expected \"%s\":\n%s", message, text);
    }
    assert_string_equal(e.code, "MalformedPolicy");
    assert_int_equal(e.status, 400);
    assert_string_equal(e.message, message);
}

/* Evaluates `text` (a resource policy, so that Principal is allowed) against r. */
static policy_decision eval(const char *text, const policy_request *r)
{
    json_t *p = parse_ok(text, POLICY_RESOURCE, NULL);
    policy_decision d = policy_evaluate(p, r);
    json_decref(p);
    return d;
}

/* An identity-style statement (no Principal) evaluated with one condition context. */
static policy_decision eval_condition(const char *condition, const char *const *context)
{
    char text[2048];
    snprintf(text, sizeof text,
             "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
             "\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":%s}]}",
             condition);
    json_t *p = parse_ok(text, POLICY_IDENTITY, NULL);
    policy_request r = {
        .action = "s3:GetObject", .resource = "arn:aws:s3:::b/k", .context = context};
    policy_decision d = policy_evaluate(p, &r);
    json_decref(p);
    return d;
}

#define HOLDS(cond, ...)                                                                           \
    do {                                                                                           \
        const char *const ctx_[] = {__VA_ARGS__, NULL};                                            \
        if (eval_condition(cond, ctx_) != POLICY_ALLOW) fail_msg("should hold: %s", cond);         \
    } while (0)
#define FAILS(cond, ...)                                                                           \
    do {                                                                                           \
        const char *const ctx_[] = {__VA_ARGS__, NULL};                                            \
        if (eval_condition(cond, ctx_) != POLICY_NO_MATCH) fail_msg("should fail: %s", cond);      \
    } while (0)
#define NO_CONTEXT NULL

/* ---- wildcards ----------------------------------------------------------------------- */

static void test_wildcards(void **state)
{
    (void)state;
    assert_true(policy_wildcard("*", "", false));
    assert_true(policy_wildcard("*", "anything/at/all", false));
    assert_true(policy_wildcard("a*c", "abbbc", false));
    assert_true(policy_wildcard("a*c", "ac", false));
    assert_false(policy_wildcard("a*c", "abcd", false));
    assert_true(policy_wildcard("a*b*c", "a-b-b-c", false));
    assert_true(policy_wildcard("a?c", "abc", false));
    assert_false(policy_wildcard("a?c", "ac", false));
    assert_false(policy_wildcard("a?c", "abbc", false));
    assert_true(policy_wildcard("abc**", "abc", false));
    assert_false(policy_wildcard("abc", "abcd", false));
    assert_false(policy_wildcard("", "x", false));
    assert_true(policy_wildcard("", "", false));
    /* case: sensitive unless asked */
    assert_false(policy_wildcard("s3:getobject", "s3:GetObject", false));
    assert_true(policy_wildcard("s3:getobject", "s3:GetObject", true));
    assert_true(policy_wildcard("S3:Get*", "s3:getbucketacl", true));
    assert_false(policy_wildcard("arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/x", false));
}

/* ---- actions and resources ----------------------------------------------------------- */

static const char *allow_statement(char *out, size_t n, const char *action_member,
                                   const char *resource_member)
{
    snprintf(out, n, "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",%s,%s}}",
             action_member, resource_member);
    return out;
}

static void test_actions(void **state)
{
    (void)state;
    char t[512];
    policy_request r = {
        .action = "s3:GetBucketAcl", .resource = BUCKET_ARN, .principal_account = "111111111111"};
    /* action names are case-insensitive, wildcards apply */
    assert_int_equal(
        eval(allow_statement(t, sizeof t, "\"Action\":\"S3:getbucketACL\"", "\"Resource\":\"*\""),
             &r),
        POLICY_ALLOW);
    assert_int_equal(
        eval(allow_statement(t, sizeof t, "\"Action\":\"s3:Get*\"", "\"Resource\":\"*\""), &r),
        POLICY_ALLOW);
    assert_int_equal(
        eval(allow_statement(t, sizeof t, "\"Action\":\"s3:GetBucket?cl\"", "\"Resource\":\"*\""),
             &r),
        POLICY_ALLOW);
    assert_int_equal(
        eval(allow_statement(t, sizeof t, "\"Action\":[\"s3:PutObject\",\"s3:GetBucketAcl\"]",
                             "\"Resource\":\"*\""),
             &r),
        POLICY_ALLOW);
    assert_int_equal(
        eval(allow_statement(t, sizeof t, "\"Action\":\"s3:PutObject\"", "\"Resource\":\"*\""), &r),
        POLICY_NO_MATCH);
    /* NotAction: everything but the listed actions */
    assert_int_equal(
        eval(allow_statement(t, sizeof t, "\"NotAction\":\"s3:PutObject\"", "\"Resource\":\"*\""),
             &r),
        POLICY_ALLOW);
    assert_int_equal(
        eval(allow_statement(t, sizeof t, "\"NotAction\":[\"s3:Get*\"]", "\"Resource\":\"*\""), &r),
        POLICY_NO_MATCH);
}

static void test_resources(void **state)
{
    (void)state;
    char t[512];
    policy_request r = {.action = "s3:PutObject",
                        .resource = BUCKET_ARN "/AWSLogs/111111111111/x.gz",
                        .principal_account = "111111111111"};
    assert_int_equal(eval(allow_statement(t, sizeof t, "\"Action\":\"s3:*\"",
                                          "\"Resource\":\"" BUCKET_ARN "/AWSLogs/*\""),
                          &r),
                     POLICY_ALLOW);
    assert_int_equal(eval(allow_statement(t, sizeof t, "\"Action\":\"s3:*\"",
                                          "\"Resource\":\"" BUCKET_ARN "/AWSLogs/1111111111?"
                                          "?/*\""),
                          &r),
                     POLICY_ALLOW);
    /* resource ARNs are case-sensitive */
    assert_int_equal(eval(allow_statement(t, sizeof t, "\"Action\":\"s3:*\"",
                                          "\"Resource\":\"" BUCKET_ARN "/awslogs/*\""),
                          &r),
                     POLICY_NO_MATCH);
    assert_int_equal(
        eval(allow_statement(t, sizeof t, "\"Action\":\"s3:*\"",
                             "\"Resource\":[\"" BUCKET_ARN "\",\"" BUCKET_ARN "/AWSLogs/1*\"]"),
             &r),
        POLICY_ALLOW);
    /* NotResource */
    assert_int_equal(eval(allow_statement(t, sizeof t, "\"Action\":\"s3:*\"",
                                          "\"NotResource\":\"" BUCKET_ARN "/private/*\""),
                          &r),
                     POLICY_ALLOW);
    assert_int_equal(eval(allow_statement(t, sizeof t, "\"Action\":\"s3:*\"",
                                          "\"NotResource\":\"" BUCKET_ARN "/AWSLogs/*\""),
                          &r),
                     POLICY_NO_MATCH);
}

/* ---- principals ---------------------------------------------------------------------- */

static policy_decision eval_principal(const char *principal, const policy_request *r)
{
    char t[512];
    snprintf(
        t, sizeof t,
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":%s,\"Action\":\"s3:GetBucketAcl\","
        "\"Resource\":\"" BUCKET_ARN "\"}]}",
        principal);
    return eval(t, r);
}

static void test_principals(void **state)
{
    (void)state;
    policy_request root = {.action = "s3:GetBucketAcl",
                           .resource = BUCKET_ARN,
                           .principal_account = "222222222222",
                           .principal_arn = "arn:aws:iam::222222222222:root"};
    policy_request user = {.action = "s3:GetBucketAcl",
                           .resource = BUCKET_ARN,
                           .principal_account = "222222222222",
                           .principal_arn = "arn:aws:iam::222222222222:user/alice"};
    policy_request session = {.action = "s3:GetBucketAcl",
                              .resource = BUCKET_ARN,
                              .principal_account = "222222222222",
                              .principal_arn = "arn:aws:iam::222222222222:role/Auditor",
                              .principal_session_arn =
                                  "arn:aws:sts::222222222222:assumed-role/Auditor/s1"};
    policy_request service = {.action = "s3:GetBucketAcl",
                              .resource = BUCKET_ARN,
                              .principal_service = "cloudtrail.amazonaws.com"};

    /* everyone */
    assert_int_equal(eval_principal("\"*\"", &user), POLICY_ALLOW);
    assert_int_equal(eval_principal("\"*\"", &service), POLICY_ALLOW);
    assert_int_equal(eval_principal("{\"AWS\":\"*\"}", &user), POLICY_ALLOW);
    /* an account (bare id or root ARN) means every principal of that account */
    assert_int_equal(eval_principal("{\"AWS\":\"222222222222\"}", &root), POLICY_ALLOW);
    assert_int_equal(eval_principal("{\"AWS\":\"222222222222\"}", &user), POLICY_ALLOW);
    assert_int_equal(eval_principal("{\"AWS\":\"arn:aws:iam::222222222222:root\"}", &session),
                     POLICY_ALLOW);
    assert_int_equal(eval_principal("{\"AWS\":\"333333333333\"}", &user), POLICY_NO_MATCH);
    assert_int_equal(eval_principal("{\"AWS\":\"arn:aws:iam::333333333333:root\"}", &user),
                     POLICY_NO_MATCH);
    /* a user ARN means that user only */
    assert_int_equal(eval_principal("{\"AWS\":\"arn:aws:iam::222222222222:user/alice\"}", &user),
                     POLICY_ALLOW);
    assert_int_equal(eval_principal("{\"AWS\":\"arn:aws:iam::222222222222:user/bob\"}", &user),
                     POLICY_NO_MATCH);
    assert_int_equal(eval_principal("{\"AWS\":\"arn:aws:iam::222222222222:user/alice\"}", &root),
                     POLICY_NO_MATCH);
    /* a role ARN matches its sessions; a session ARN matches that session */
    assert_int_equal(
        eval_principal("{\"AWS\":\"arn:aws:iam::222222222222:role/Auditor\"}", &session),
        POLICY_ALLOW);
    assert_int_equal(eval_principal("{\"AWS\":\"arn:aws:iam::222222222222:role/Other\"}", &session),
                     POLICY_NO_MATCH);
    assert_int_equal(
        eval_principal("{\"AWS\":\"arn:aws:sts::222222222222:assumed-role/Auditor/s1\"}", &session),
        POLICY_ALLOW);
    assert_int_equal(
        eval_principal("{\"AWS\":\"arn:aws:sts::222222222222:assumed-role/Auditor/s2\"}", &session),
        POLICY_NO_MATCH);
    /* lists: any entry */
    assert_int_equal(
        eval_principal("{\"AWS\":[\"333333333333\",\"arn:aws:iam::222222222222:user/alice\"]}",
                       &user),
        POLICY_ALLOW);
    /* service principals match services only (case-insensitively), never accounts */
    assert_int_equal(eval_principal("{\"Service\":\"cloudtrail.amazonaws.com\"}", &service),
                     POLICY_ALLOW);
    assert_int_equal(
        eval_principal("{\"Service\":[\"config.amazonaws.com\",\"CloudTrail.amazonaws.com\"]}",
                       &service),
        POLICY_ALLOW);
    assert_int_equal(eval_principal("{\"Service\":\"config.amazonaws.com\"}", &service),
                     POLICY_NO_MATCH);
    assert_int_equal(eval_principal("{\"Service\":\"cloudtrail.amazonaws.com\"}", &root),
                     POLICY_NO_MATCH);
    assert_int_equal(eval_principal("{\"AWS\":\"222222222222\"}", &service), POLICY_NO_MATCH);

    /* NotPrincipal: everyone but */
    const char *not_alice =
        "{\"Statement\":[{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":"
        "\"arn:aws:iam::222222222222:user/alice\"},\"Action\":\"s3:*\",\"Resource\":\"" BUCKET_ARN
        "\"}]}";
    assert_int_equal(eval(not_alice, &user), POLICY_NO_MATCH);
    assert_int_equal(eval(not_alice, &root), POLICY_DENY);
}

/* ---- conditions ---------------------------------------------------------------------- */

static void test_string_conditions(void **state)
{
    (void)state;
    HOLDS("{\"StringEquals\":{\"s3:x-amz-acl\":\"bucket-owner-full-control\"}}", "s3:x-amz-acl",
          "bucket-owner-full-control");
    FAILS("{\"StringEquals\":{\"s3:x-amz-acl\":\"bucket-owner-full-control\"}}", "s3:x-amz-acl",
          "private");
    FAILS("{\"StringEquals\":{\"s3:x-amz-acl\":\"Bucket-Owner-Full-Control\"}}", "s3:x-amz-acl",
          "bucket-owner-full-control");
    /* StringEquals takes wildcards literally */
    FAILS("{\"StringEquals\":{\"aws:username\":\"a*\"}}", "aws:username", "alice");
    /* keys are case-insensitive */
    HOLDS("{\"StringEquals\":{\"AWS:SourceAccount\":\"111111111111\"}}", "aws:sourceaccount",
          "111111111111");
    /* several values: any; several keys: all */
    HOLDS("{\"StringEquals\":{\"aws:username\":[\"bob\",\"alice\"]}}", "aws:username", "alice");
    FAILS("{\"StringEquals\":{\"aws:username\":\"alice\",\"aws:PrincipalAccount\":\"1\"}}",
          "aws:username", "alice", "aws:PrincipalAccount", "2");
    HOLDS("{\"StringEquals\":{\"aws:username\":\"alice\"},\"StringLike\":{\"aws:PrincipalAccount\":"
          "\"2*\"}}",
          "aws:username", "alice", "aws:PrincipalAccount", "2");
    HOLDS("{\"StringNotEquals\":{\"aws:username\":\"bob\"}}", "aws:username", "alice");
    FAILS("{\"StringNotEquals\":{\"aws:username\":[\"bob\",\"alice\"]}}", "aws:username", "alice");
    HOLDS("{\"StringEqualsIgnoreCase\":{\"aws:username\":\"ALICE\"}}", "aws:username", "alice");
    FAILS("{\"StringEqualsIgnoreCase\":{\"aws:username\":\"ALICE2\"}}", "aws:username", "alice");
    HOLDS("{\"StringNotEqualsIgnoreCase\":{\"aws:username\":\"BOB\"}}", "aws:username", "alice");
    FAILS("{\"StringNotEqualsIgnoreCase\":{\"aws:username\":\"ALICE\"}}", "aws:username", "alice");
    HOLDS("{\"StringLike\":{\"s3:prefix\":\"AWSLogs/*/CloudTrail/\"}}", "s3:prefix",
          "AWSLogs/111111111111/CloudTrail/");
    HOLDS("{\"StringLike\":{\"s3:prefix\":\"log?\"}}", "s3:prefix", "logs");
    FAILS("{\"StringLike\":{\"s3:prefix\":\"awslogs/*\"}}", "s3:prefix", "AWSLogs/x");
    HOLDS("{\"StringNotLike\":{\"s3:prefix\":\"private/*\"}}", "s3:prefix", "AWSLogs/x");
    FAILS("{\"StringNotLike\":{\"s3:prefix\":\"AWS*\"}}", "s3:prefix", "AWSLogs/x");
}

static void test_numeric_conditions(void **state)
{
    (void)state;
    HOLDS("{\"NumericEquals\":{\"s3:max-keys\":\"10\"}}", "s3:max-keys", "10");
    HOLDS("{\"NumericEquals\":{\"s3:max-keys\":10}}", "s3:max-keys", "10.0");
    FAILS("{\"NumericEquals\":{\"s3:max-keys\":10}}", "s3:max-keys", "11");
    HOLDS("{\"NumericNotEquals\":{\"s3:max-keys\":10}}", "s3:max-keys", "11");
    FAILS("{\"NumericNotEquals\":{\"s3:max-keys\":10}}", "s3:max-keys", "10");
    HOLDS("{\"NumericLessThan\":{\"s3:max-keys\":10}}", "s3:max-keys", "9");
    FAILS("{\"NumericLessThan\":{\"s3:max-keys\":10}}", "s3:max-keys", "10");
    HOLDS("{\"NumericLessThanEquals\":{\"s3:max-keys\":10}}", "s3:max-keys", "10");
    FAILS("{\"NumericLessThanEquals\":{\"s3:max-keys\":10}}", "s3:max-keys", "10.5");
    HOLDS("{\"NumericGreaterThan\":{\"s3:max-keys\":10}}", "s3:max-keys", "11");
    FAILS("{\"NumericGreaterThan\":{\"s3:max-keys\":10}}", "s3:max-keys", "10");
    HOLDS("{\"NumericGreaterThanEquals\":{\"s3:max-keys\":10}}", "s3:max-keys", "10");
    FAILS("{\"NumericGreaterThanEquals\":{\"s3:max-keys\":10}}", "s3:max-keys", "-3");
    /* a value that is not a number never satisfies a numeric comparison */
    FAILS("{\"NumericLessThan\":{\"s3:max-keys\":10}}", "s3:max-keys", "ten");
}

static void test_date_conditions(void **state)
{
    (void)state;
    HOLDS("{\"DateGreaterThan\":{\"aws:CurrentTime\":\"2026-01-01T00:00:00Z\"}}", "aws:CurrentTime",
          "2026-11-22T05:00:00Z");
    FAILS("{\"DateGreaterThan\":{\"aws:CurrentTime\":\"2026-01-01T00:00:00Z\"}}", "aws:CurrentTime",
          "2025-12-31T23:59:59Z");
    HOLDS("{\"DateLessThan\":{\"aws:CurrentTime\":\"2027-01-01\"}}", "aws:CurrentTime",
          "2026-11-22T05:00:00Z");
    HOLDS("{\"DateLessThanEquals\":{\"aws:CurrentTime\":\"2026-11-22T05:00:00Z\"}}",
          "aws:CurrentTime", "2026-11-22T05:00:00Z");
    HOLDS("{\"DateGreaterThanEquals\":{\"aws:CurrentTime\":\"2026-11-22T05:00:00Z\"}}",
          "aws:CurrentTime", "2026-11-22T05:00:00Z");
    HOLDS("{\"DateEquals\":{\"aws:CurrentTime\":\"2026-11-22T05:00:00Z\"}}", "aws:CurrentTime",
          "2026-11-22T05:00:00Z");
    HOLDS("{\"DateNotEquals\":{\"aws:CurrentTime\":\"2026-11-22T05:00:00Z\"}}", "aws:CurrentTime",
          "2026-11-22T05:00:01Z");
    /* epoch seconds on either side */
    HOLDS("{\"DateEquals\":{\"aws:EpochTime\":\"2026-11-22T05:00:00Z\"}}", "aws:EpochTime",
          "1795323600");
    HOLDS("{\"DateLessThan\":{\"aws:EpochTime\":1795323601}}", "aws:EpochTime", "1795323600");
    FAILS("{\"DateLessThan\":{\"aws:CurrentTime\":\"2027-01-01\"}}", "aws:CurrentTime",
          "yesterday");
}

static void test_bool_binary_null_conditions(void **state)
{
    (void)state;
    HOLDS("{\"Bool\":{\"aws:SecureTransport\":\"false\"}}", "aws:SecureTransport", "false");
    HOLDS("{\"Bool\":{\"aws:SecureTransport\":false}}", "aws:SecureTransport", "FALSE");
    FAILS("{\"Bool\":{\"aws:SecureTransport\":\"true\"}}", "aws:SecureTransport", "false");
    FAILS("{\"Bool\":{\"aws:SecureTransport\":\"false\"}}", NO_CONTEXT);
    HOLDS("{\"BinaryEquals\":{\"s3:x-amz-meta-blob\":\"QmluYXJ5\"}}", "s3:x-amz-meta-blob",
          "QmluYXJ5");
    FAILS("{\"BinaryEquals\":{\"s3:x-amz-meta-blob\":\"QmluYXJ5\"}}", "s3:x-amz-meta-blob",
          "qmluyxj5");
    /* Null: true means the key is absent */
    HOLDS("{\"Null\":{\"aws:SourceArn\":\"true\"}}", NO_CONTEXT);
    FAILS("{\"Null\":{\"aws:SourceArn\":\"true\"}}", "aws:SourceArn", "arn:aws:cloudtrail:x");
    HOLDS("{\"Null\":{\"aws:SourceArn\":false}}", "aws:SourceArn", "arn:aws:cloudtrail:x");
    FAILS("{\"Null\":{\"aws:SourceArn\":\"false\"}}", NO_CONTEXT);
}

static void test_ip_conditions(void **state)
{
    (void)state;
    HOLDS("{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}", "aws:SourceIp", "10.20.30.40");
    FAILS("{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}", "aws:SourceIp", "11.0.0.1");
    HOLDS("{\"IpAddress\":{\"aws:SourceIp\":[\"192.0.2.0/24\",\"127.0.0.1\"]}}", "aws:SourceIp",
          "127.0.0.1");
    FAILS("{\"IpAddress\":{\"aws:SourceIp\":\"127.0.0.1\"}}", "aws:SourceIp", "127.0.0.2");
    HOLDS("{\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.0/25\"}}", "aws:SourceIp", "203.0.113.127");
    FAILS("{\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.0/25\"}}", "aws:SourceIp", "203.0.113.128");
    HOLDS("{\"IpAddress\":{\"aws:SourceIp\":\"2001:db8::/32\"}}", "aws:SourceIp", "2001:db8:1::5");
    FAILS("{\"IpAddress\":{\"aws:SourceIp\":\"2001:db8::/32\"}}", "aws:SourceIp", "2001:db9::5");
    FAILS("{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}", "aws:SourceIp", "2001:db8::1");
    HOLDS("{\"IpAddress\":{\"aws:SourceIp\":\"0.0.0.0/0\"}}", "aws:SourceIp", "198.51.100.7");
    HOLDS("{\"NotIpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}", "aws:SourceIp", "11.0.0.1");
    FAILS("{\"NotIpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}", "aws:SourceIp", "10.0.0.1");
}

static void test_arn_conditions(void **state)
{
    (void)state;
    const char *trail = "arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail";
    HOLDS("{\"ArnEquals\":{\"aws:SourceArn\":\"arn:aws:cloudtrail:us-east-1:111111111111:trail/"
          "org-trail\"}}",
          "aws:SourceArn", trail);
    HOLDS("{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:cloudtrail:*:111111111111:trail/*\"}}",
          "aws:SourceArn", trail);
    HOLDS("{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:cloudtrail:us-east-?:111111111111:trail/*\"}}",
          "aws:SourceArn", trail);
    FAILS("{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:cloudtrail:*:222222222222:trail/*\"}}",
          "aws:SourceArn", trail);
    /* a wildcard stays inside its ARN part: "*" cannot swallow region and account */
    FAILS("{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:cloudtrail:*:trail/org-trail\"}}",
          "aws:SourceArn", trail);
    /* the resource part may contain colons */
    HOLDS("{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:logs:us-east-1:111111111111:log-group:*\"}}",
          "aws:SourceArn", "arn:aws:logs:us-east-1:111111111111:log-group:trail:*");
    FAILS("{\"ArnEquals\":{\"aws:SourceArn\":\"arn:aws:cloudtrail:us-east-1:111111111111:trail/"
          "other\"}}",
          "aws:SourceArn", trail);
    FAILS("{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:cloudtrail:*:111111111111:trail/*\"}}",
          "aws:SourceArn", "not-an-arn");
    HOLDS("{\"ArnNotEquals\":{\"aws:SourceArn\":\"arn:aws:cloudtrail:us-east-1:111111111111:trail/"
          "other\"}}",
          "aws:SourceArn", trail);
    FAILS("{\"ArnNotLike\":{\"aws:SourceArn\":\"arn:aws:cloudtrail:*:*:trail/*\"}}",
          "aws:SourceArn", trail);
}

static void test_missing_keys_and_if_exists(void **state)
{
    (void)state;
    /* positive operators fail on a missing key, negated ones hold */
    FAILS("{\"StringEquals\":{\"aws:SourceArn\":\"x\"}}", "aws:SourceAccount", "1");
    FAILS("{\"StringLike\":{\"aws:SourceArn\":\"*\"}}", NO_CONTEXT);
    FAILS("{\"NumericLessThan\":{\"s3:max-keys\":10}}", NO_CONTEXT);
    FAILS("{\"ArnLike\":{\"aws:SourceArn\":\"*\"}}", NO_CONTEXT);
    FAILS("{\"IpAddress\":{\"aws:SourceIp\":\"0.0.0.0/0\"}}", NO_CONTEXT);
    HOLDS("{\"StringNotEquals\":{\"aws:SourceArn\":\"x\"}}", NO_CONTEXT);
    HOLDS("{\"StringNotLike\":{\"aws:SourceArn\":\"*\"}}", NO_CONTEXT);
    HOLDS("{\"StringNotEqualsIgnoreCase\":{\"aws:SourceArn\":\"x\"}}", NO_CONTEXT);
    HOLDS("{\"NumericNotEquals\":{\"s3:max-keys\":10}}", NO_CONTEXT);
    HOLDS("{\"DateNotEquals\":{\"aws:CurrentTime\":\"2026-01-01\"}}", NO_CONTEXT);
    HOLDS("{\"ArnNotEquals\":{\"aws:SourceArn\":\"arn:aws:s3:::x\"}}", NO_CONTEXT);
    HOLDS("{\"ArnNotLike\":{\"aws:SourceArn\":\"*\"}}", NO_CONTEXT);
    HOLDS("{\"NotIpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}", NO_CONTEXT);
    /* ...IfExists: holds when the key is missing, tests it when present */
    HOLDS("{\"StringEqualsIfExists\":{\"aws:SourceArn\":\"x\"}}", NO_CONTEXT);
    HOLDS("{\"StringEqualsIfExists\":{\"aws:SourceArn\":\"x\"}}", "aws:SourceArn", "x");
    FAILS("{\"StringEqualsIfExists\":{\"aws:SourceArn\":\"x\"}}", "aws:SourceArn", "y");
    HOLDS("{\"NumericLessThanIfExists\":{\"s3:max-keys\":10}}", NO_CONTEXT);
    FAILS("{\"NumericLessThanIfExists\":{\"s3:max-keys\":10}}", "s3:max-keys", "11");
    HOLDS("{\"ArnLikeIfExists\":{\"aws:SourceArn\":\"arn:aws:cloudtrail:*\"}}", NO_CONTEXT);
    HOLDS("{\"BoolIfExists\":{\"aws:MultiFactorAuthPresent\":\"true\"}}", NO_CONTEXT);
    FAILS("{\"BoolIfExists\":{\"aws:MultiFactorAuthPresent\":\"true\"}}",
          "aws:MultiFactorAuthPresent", "false");
    FAILS("{\"StringNotEqualsIfExists\":{\"aws:SourceArn\":\"x\"}}", "aws:SourceArn", "x");
}

static void test_set_operators(void **state)
{
    (void)state;
    const char *any = "{\"ForAnyValue:StringEquals\":{\"aws:TagKeys\":[\"env\",\"team\"]}}";
    HOLDS(any, "aws:TagKeys", "owner", "aws:TagKeys", "team");
    FAILS(any, "aws:TagKeys", "owner", "aws:TagKeys", "cost");
    FAILS(any, NO_CONTEXT); /* ForAnyValue never holds for a missing key */
    const char *all = "{\"ForAllValues:StringEquals\":{\"aws:TagKeys\":[\"env\",\"team\"]}}";
    HOLDS(all, "aws:TagKeys", "env", "aws:TagKeys", "team");
    FAILS(all, "aws:TagKeys", "env", "aws:TagKeys", "owner");
    HOLDS(all, NO_CONTEXT); /* ForAllValues holds vacuously */
    /* negated set operators */
    const char *any_not = "{\"ForAnyValue:StringNotEquals\":{\"aws:TagKeys\":[\"env\",\"team\"]}}";
    HOLDS(any_not, "aws:TagKeys", "env", "aws:TagKeys", "owner");
    FAILS(any_not, "aws:TagKeys", "env", "aws:TagKeys", "team");
    FAILS(any_not, NO_CONTEXT);
    const char *all_not = "{\"ForAllValues:StringNotEquals\":{\"aws:TagKeys\":[\"env\",\"team\"]}}";
    HOLDS(all_not, "aws:TagKeys", "owner", "aws:TagKeys", "cost");
    FAILS(all_not, "aws:TagKeys", "owner", "aws:TagKeys", "team");
    HOLDS(all_not, NO_CONTEXT);
    HOLDS("{\"ForAllValues:StringLike\":{\"aws:TagKeys\":\"cost-*\"}}", "aws:TagKeys", "cost-a",
          "aws:TagKeys", "cost-b");
    HOLDS("{\"ForAnyValue:StringEqualsIfExists\":{\"aws:TagKeys\":\"env\"}}", NO_CONTEXT);
}

/* ---- the decision rule --------------------------------------------------------------- */

static void test_deny_wins(void **state)
{
    (void)state;
    policy_request r = {.action = "s3:DeleteBucket",
                        .resource = BUCKET_ARN,
                        .principal_account = "111111111111",
                        .principal_arn = "arn:aws:iam::111111111111:root"};
    const char *both = "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*"
                       "\",\"Resource\":\"*\"},"
                       "{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:DeleteBucket\","
                       "\"Resource\":\"" BUCKET_ARN "\"}]}";
    assert_int_equal(eval(both, &r), POLICY_DENY);
    const char *deny_first =
        "{\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:DeleteBucket\","
        "\"Resource\":\"*\"},"
        "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}";
    assert_int_equal(eval(deny_first, &r), POLICY_DENY);
    r.action = "s3:GetBucketAcl";
    assert_int_equal(eval(both, &r), POLICY_ALLOW);
    /* a Deny whose condition does not hold does not deny */
    const char *conditional =
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\","
        "\"Resource\":\"*\"},"
        "{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\","
        "\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}";
    assert_int_equal(eval(conditional, &r), POLICY_ALLOW);
    /* nothing matches: no decision */
    const char *other =
        "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:PutObject\","
        "\"Resource\":\"*\"}}";
    assert_int_equal(eval(other, &r), POLICY_NO_MATCH);
}

/* ---- the documented organization-trail bucket policy ---------------------------------- */

static char *replace_all_alloc(const char *s, const char *from, const char *to)
{
    size_t fl = strlen(from), tl = strlen(to), n = 0;
    for (const char *p = strstr(s, from); p; p = strstr(p + fl, from))
        n++;
    char *out = malloc(strlen(s) + n * tl + 1);
    assert_non_null(out);
    char *w = out;
    for (const char *p = s;;) {
        const char *q = strstr(p, from);
        if (!q) {
            strcpy(w, p);
            break;
        }
        memcpy(w, p, (size_t)(q - p));
        w += q - p;
        memcpy(w, to, tl);
        w += tl;
        p = q + fl;
    }
    return out;
}

/* The fixture in tests/integration/fixtures, filled in for bucket log-archive, management
 * account 111111111111, organization o-exampleorgid, trail org-trail in us-east-1. */
static char *org_trail_policy_alloc(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s", __FILE__);
    char *slash = strrchr(path, '/');
    assert_non_null(slash);
    snprintf(slash, sizeof path - (size_t)(slash - path),
             "/../integration/fixtures/org-trail-bucket-policy.json");
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open %s", path);
    static char text[8192];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    static const char *const subst[][2] = {
        {"{bucket}", "log-archive"},    {"{management_account}", "111111111111"},
        {"{org_id}", "o-exampleorgid"}, {"{region}", "us-east-1"},
        {"{trail_name}", "org-trail"},
    };
    char *cur = strdup(text);
    for (size_t i = 0; i < sizeof subst / sizeof *subst; i++) {
        char *next = replace_all_alloc(cur, subst[i][0], subst[i][1]);
        free(cur);
        cur = next;
    }
    return cur;
}

static void test_org_trail_bucket_policy(void **state)
{
    (void)state;
    char *text = org_trail_policy_alloc();
    json_t *p = parse_ok(text, POLICY_RESOURCE, BUCKET_ARN);
    free(text);
    const char *trail = "arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail";

    const char *const acl_ctx[] = {"aws:SourceArn", trail, "aws:SourceAccount", "111111111111",
                                   NULL};
    policy_request acl = {.action = "s3:GetBucketAcl",
                          .resource = BUCKET_ARN,
                          .principal_service = "cloudtrail.amazonaws.com",
                          .context = acl_ctx};
    assert_int_equal(policy_evaluate(p, &acl), POLICY_ALLOW);

    const char *const put_ctx[] = {"aws:SourceArn", trail, "s3:x-amz-acl",
                                   "bucket-owner-full-control", NULL};
    policy_request put = {.action = "s3:PutObject",
                          .resource = BUCKET_ARN "/AWSLogs/o-exampleorgid/222222222222/CloudTrail/"
                                                 "us-east-1/2026/11/22/x.json.gz",
                          .principal_service = "cloudtrail.amazonaws.com",
                          .context = put_ctx};
    assert_int_equal(policy_evaluate(p, &put), POLICY_ALLOW);
    put.resource = BUCKET_ARN "/AWSLogs/111111111111/CloudTrail/us-east-1/2026/11/22/x.json.gz";
    assert_int_equal(policy_evaluate(p, &put), POLICY_ALLOW);
    /* outside the two prefixes */
    put.resource = BUCKET_ARN "/AWSLogs/o-otherorgid/222222222222/CloudTrail/x.json.gz";
    assert_int_equal(policy_evaluate(p, &put), POLICY_NO_MATCH);
    put.resource = BUCKET_ARN "/AWSLogs/o-exampleorgid/222222222222/CloudTrail/x.json.gz";

    /* aws:SourceArn wrong, or missing */
    const char *const wrong_trail[] = {"aws:SourceArn",
                                       "arn:aws:cloudtrail:us-east-1:222222222222:trail/org-trail",
                                       "s3:x-amz-acl", "bucket-owner-full-control", NULL};
    put.context = wrong_trail;
    assert_int_equal(policy_evaluate(p, &put), POLICY_NO_MATCH);
    const char *const no_trail[] = {"s3:x-amz-acl", "bucket-owner-full-control", NULL};
    put.context = no_trail;
    assert_int_equal(policy_evaluate(p, &put), POLICY_NO_MATCH);
    const char *const acl_wrong[] = {"aws:SourceArn",
                                     "arn:aws:cloudtrail:us-east-1:111111111111:trail/x", NULL};
    acl.context = acl_wrong;
    assert_int_equal(policy_evaluate(p, &acl), POLICY_NO_MATCH);
    acl.context = NULL;
    assert_int_equal(policy_evaluate(p, &acl), POLICY_NO_MATCH);
    /* without the bucket-owner-full-control ACL */
    const char *const no_acl[] = {"aws:SourceArn", trail, NULL};
    put.context = no_acl;
    assert_int_equal(policy_evaluate(p, &put), POLICY_NO_MATCH);
    /* another principal gets nothing from it */
    put.context = put_ctx;
    put.principal_service = "config.amazonaws.com";
    assert_int_equal(policy_evaluate(p, &put), POLICY_NO_MATCH);
    put.principal_service = NULL;
    put.principal_account = "111111111111";
    put.principal_arn = "arn:aws:iam::111111111111:root";
    assert_int_equal(policy_evaluate(p, &put), POLICY_NO_MATCH);
    json_decref(p);
}

static void test_source_org_id_policy(void **state)
{
    (void)state;
    /* The variant AWS documents for log-archive buckets outside the management account:
     * the organization as a whole, by aws:SourceOrgID. */
    json_t *p = parse_ok(
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"AWSCloudTrailWrite\","
        "\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"cloudtrail.amazonaws.com\"},"
        "\"Action\":\"s3:PutObject\",\"Resource\":\"" BUCKET_ARN "/AWSLogs/o-exampleorgid/*\","
        "\"Condition\":{\"StringEquals\":{\"s3:x-amz-acl\":\"bucket-owner-full-control\","
        "\"aws:SourceOrgID\":\"o-exampleorgid\"}}}]}",
        POLICY_RESOURCE, BUCKET_ARN);
    const char *const right[] = {"aws:SourceOrgID", "o-exampleorgid", "s3:x-amz-acl",
                                 "bucket-owner-full-control", NULL};
    const char *const wrong[] = {"aws:SourceOrgID", "o-otherorgid", "s3:x-amz-acl",
                                 "bucket-owner-full-control", NULL};
    const char *const missing[] = {"s3:x-amz-acl", "bucket-owner-full-control", NULL};
    policy_request put = {.action = "s3:PutObject",
                          .resource = BUCKET_ARN "/AWSLogs/o-exampleorgid/x",
                          .principal_service = "cloudtrail.amazonaws.com",
                          .context = right};
    assert_int_equal(policy_evaluate(p, &put), POLICY_ALLOW);
    put.context = wrong;
    assert_int_equal(policy_evaluate(p, &put), POLICY_NO_MATCH);
    put.context = missing;
    assert_int_equal(policy_evaluate(p, &put), POLICY_NO_MATCH);
    json_decref(p);
}

/* ---- validation ---------------------------------------------------------------------- */

#define STMT(body) "{\"Version\":\"2012-10-17\",\"Statement\":[{" body "}]}"
#define GOOD_PRINCIPAL "\"Principal\":{\"AWS\":\"222222222222\"}"

static void test_validation_messages(void **state)
{
    (void)state;
    const char *b = BUCKET_ARN;
    expect_malformed("not json", POLICY_RESOURCE, b, "This policy contains invalid Json");
    expect_malformed("[1,2]", POLICY_RESOURCE, b, "This policy contains invalid Json");
    expect_malformed("{\"Statement\":[],\"Statement\":[]}", POLICY_RESOURCE, b,
                     "This policy contains invalid Json");
    expect_malformed("{\"Version\":\"2013-01-01\",\"Statement\":[]}", POLICY_RESOURCE, b,
                     "The policy failed legacy parsing");
    expect_malformed("{\"Version\":\"2012-10-17\",\"Other\":1,\"Statement\":[]}", POLICY_RESOURCE,
                     b, "Policy has an unknown top-level field");
    expect_malformed("{\"Version\":\"2012-10-17\"}", POLICY_RESOURCE, b,
                     "Missing required field Statement");
    expect_malformed("{\"Version\":\"2012-10-17\",\"Statement\":[]}", POLICY_RESOURCE, b,
                     "Missing required field Statement");
    expect_malformed("{\"Statement\":[\"x\"]}", POLICY_RESOURCE, b, "Statement is not an object");
    expect_malformed(STMT("\"Effect\":\"Allow\"," GOOD_PRINCIPAL
                          ",\"Action\":\"s3:*\",\"Resource\":\"" BUCKET_ARN "\",\"Extra\":1"),
                     POLICY_RESOURCE, b, "Policy statement has an unknown field");
    expect_malformed(STMT(GOOD_PRINCIPAL ",\"Action\":\"s3:*\",\"Resource\":\"" BUCKET_ARN "\""),
                     POLICY_RESOURCE, b, "Missing required field Effect");
    expect_malformed(STMT("\"Effect\":\"allow\"," GOOD_PRINCIPAL
                          ",\"Action\":\"s3:*\",\"Resource\":\"" BUCKET_ARN "\""),
                     POLICY_RESOURCE, b, "Invalid effect");
    expect_malformed(
        STMT("\"Effect\":\"Allow\"," GOOD_PRINCIPAL ",\"Resource\":\"" BUCKET_ARN "\""),
        POLICY_RESOURCE, b, "Missing required field Action");
    expect_malformed(STMT("\"Effect\":\"Allow\"," GOOD_PRINCIPAL
                          ",\"Action\":\"s3:*\",\"NotAction\":\"s3:x\",\"Resource\":\"" BUCKET_ARN
                          "\""),
                     POLICY_RESOURCE, b, "Statement has conflicting elements");
    expect_malformed(STMT("\"Effect\":\"Allow\"," GOOD_PRINCIPAL
                          ",\"Action\":[],\"Resource\":\"" BUCKET_ARN "\""),
                     POLICY_RESOURCE, b, "Invalid Action");
    expect_malformed(STMT("\"Effect\":\"Allow\"," GOOD_PRINCIPAL
                          ",\"Action\":3,\"Resource\":\"" BUCKET_ARN "\""),
                     POLICY_RESOURCE, b, "Invalid Action");
    expect_malformed(
        STMT("\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"" BUCKET_ARN "\""),
        POLICY_RESOURCE, b, "Missing required field Principal");
    expect_malformed(
        STMT("\"Effect\":\"Allow\"," GOOD_PRINCIPAL ",\"Action\":\"s3:*\",\"Resource\":\"*\""),
        POLICY_IDENTITY, NULL, "Policy document should not specify a principal.");
    expect_malformed(
        STMT("\"Effect\":\"Allow\"," GOOD_PRINCIPAL ",\"Action\":\"s3:*\",\"Resource\":\"*\""),
        POLICY_SCP, NULL, "Policy document should not specify a principal.");
    expect_malformed(STMT("\"Effect\":\"Allow\",\"Action\":\"s3:*\""), POLICY_IDENTITY, NULL,
                     "Policy statement must contain resources.");
    /* principals */
    static const char *const bad_principals[] = {
        "\"someone\"",
        "{}",
        "{\"AWS\":\"12345\"}",
        "{\"AWS\":\"arn:aws:iam::12345678901x:root\"}",
        "{\"AWS\":\"arn:aws:iam::222222222222:policy/x\"}",
        "{\"AWS\":[\"222222222222\",\"nobody\"]}",
        "{\"AWS\":[]}",
        "{\"Service\":\"cloudtrail\"}",
        "{\"Alien\":\"x\"}",
    };
    for (size_t i = 0; i < sizeof bad_principals / sizeof *bad_principals; i++) {
        char t[512];
        snprintf(
            t, sizeof t,
            STMT("\"Effect\":\"Allow\",\"Principal\":%s,\"Action\":\"s3:*\",\"Resource\":\"%s\""),
            bad_principals[i], BUCKET_ARN);
        expect_malformed(t, POLICY_RESOURCE, b, "Invalid principal in policy");
    }
    /* resources */
    expect_malformed(STMT("\"Effect\":\"Allow\"," GOOD_PRINCIPAL ",\"Action\":\"s3:*\""),
                     POLICY_RESOURCE, b, "Missing required field Resource");
    expect_malformed(STMT("\"Effect\":\"Allow\"," GOOD_PRINCIPAL
                          ",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::other-bucket/*\""),
                     POLICY_RESOURCE, b, "Policy has invalid resource");
    expect_malformed(STMT("\"Effect\":\"Allow\"," GOOD_PRINCIPAL
                          ",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::log-archive-2\""),
                     POLICY_RESOURCE, b, "Policy has invalid resource");
    expect_malformed(STMT("\"Effect\":\"Allow\"," GOOD_PRINCIPAL
                          ",\"Action\":\"s3:*\",\"Resource\":[\"" BUCKET_ARN "\",\"log-archive\"]"),
                     POLICY_RESOURCE, b, "Policy has invalid resource");
    expect_malformed(
        STMT("\"Effect\":\"Allow\"," GOOD_PRINCIPAL ",\"Action\":\"s3:*\",\"Resource\":\"*\""),
        POLICY_RESOURCE, b, "Policy has invalid resource");
    expect_malformed(
        STMT("\"Effect\":\"Allow\"," GOOD_PRINCIPAL ",\"Action\":\"s3:*\",\"Resource\":{}"),
        POLICY_RESOURCE, b, "Policy has invalid resource");
    /* actions */
    expect_malformed(STMT("\"Effect\":\"Allow\"," GOOD_PRINCIPAL
                          ",\"Action\":\"iam:PassRole\",\"Resource\":\"" BUCKET_ARN "\""),
                     POLICY_RESOURCE, b, "Policy has invalid action");
    expect_malformed(STMT("\"Effect\":\"Allow\"," GOOD_PRINCIPAL
                          ",\"Action\":\"s3:PutObject\",\"Resource\":\"" BUCKET_ARN "\""),
                     POLICY_RESOURCE, b, "Action does not apply to any resource(s) in statement");
    expect_malformed(STMT("\"Effect\":\"Allow\"," GOOD_PRINCIPAL
                          ",\"Action\":\"s3:GetBucketAcl\",\"Resource\":\"" BUCKET_ARN "/*\""),
                     POLICY_RESOURCE, b, "Action does not apply to any resource(s) in statement");
    /* conditions */
    expect_malformed(STMT("\"Effect\":\"Allow\"," GOOD_PRINCIPAL
                          ",\"Action\":\"s3:*\",\"Resource\":\"" BUCKET_ARN "\","
                          "\"Condition\":{\"StringEqualz\":{\"aws:SourceArn\":\"x\"}}"),
                     POLICY_RESOURCE, b, "Policy has an invalid condition key");
    expect_malformed(STMT("\"Effect\":\"Allow\"," GOOD_PRINCIPAL
                          ",\"Action\":\"s3:*\",\"Resource\":\"" BUCKET_ARN "\","
                          "\"Condition\":{\"StringEquals\":{\"nocolon\":\"x\"}}"),
                     POLICY_RESOURCE, b, "Policy has an invalid condition key");
    expect_malformed(STMT("\"Effect\":\"Allow\"," GOOD_PRINCIPAL
                          ",\"Action\":\"s3:*\",\"Resource\":\"" BUCKET_ARN "\","
                          "\"Condition\":{\"StringEquals\":{\"aws:SourceArn\":{\"x\":1}}}"),
                     POLICY_RESOURCE, b, "Policy has an invalid condition key");
    expect_malformed(STMT("\"Effect\":\"Allow\"," GOOD_PRINCIPAL
                          ",\"Action\":\"s3:*\",\"Resource\":\"" BUCKET_ARN "\","
                          "\"Condition\":[]"),
                     POLICY_RESOURCE, b, "Policy has an invalid condition key");
    /* size */
    char *big = malloc(21 * 1024);
    assert_non_null(big);
    memset(big, ' ', 21 * 1024 - 1);
    big[0] = '{';
    big[21 * 1024 - 2] = '}';
    big[21 * 1024 - 1] = '\0';
    expect_malformed(big, POLICY_RESOURCE, b,
                     "Policies must be valid JSON and no larger than 20 KB.");
    free(big);
}

static void test_validation_accepts(void **state)
{
    (void)state;
    /* a single statement object, 2008 version, Id, every principal form, object and
     * bucket resources with actions that fit them, wildcard actions */
    json_t *p = parse_ok(
        "{\"Version\":\"2008-10-17\",\"Id\":\"x\",\"Statement\":{\"Sid\":\"1\",\"Effect\":\"Deny\","
        "\"Principal\":{\"AWS\":[\"*\",\"222222222222\",\"arn:aws:iam::222222222222:root\","
        "\"arn:aws:iam::222222222222:user/a\",\"arn:aws:iam::222222222222:role/r\","
        "\"arn:aws:sts::222222222222:assumed-role/r/s\"],\"Service\":\"cloudtrail.amazonaws.com\","
        "\"CanonicalUser\":\"abc\"},"
        "\"Action\":[\"s3:Get*\",\"s3:PutObject\",\"s3:ListBucket\"],"
        "\"Resource\":[\"" BUCKET_ARN "\",\"" BUCKET_ARN "/*\"],"
        "\"Condition\":{\"ForAnyValue:StringLikeIfExists\":{\"aws:TagKeys\":[\"a\",\"b\"]},"
        "\"Bool\":{\"aws:SecureTransport\":false},\"NumericLessThan\":{\"s3:max-keys\":10}}}}",
        POLICY_RESOURCE, BUCKET_ARN);
    /* the single statement became a list */
    assert_true(json_is_array(json_object_get(p, "Statement")));
    json_decref(p);
    json_decref(parse_ok(STMT("\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\","
                              "\"Resource\":\"" BUCKET_ARN "*\""),
                         POLICY_RESOURCE, BUCKET_ARN));
    json_decref(
        parse_ok(STMT("\"Effect\":\"Allow\",\"Principal\":\"*\",\"NotAction\":\"s3:PutObject\","
                      "\"NotResource\":\"" BUCKET_ARN "/x\""),
                 POLICY_RESOURCE, BUCKET_ARN));
    /* without a bucket to check against, any ARN and "*" will do */
    json_decref(parse_ok(STMT("\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\""),
                         POLICY_IDENTITY, NULL));
    json_decref(parse_ok(
        STMT("\"Effect\":\"Deny\",\"Action\":\"cloudtrail:StopLogging\",\"Resource\":\"*\""),
        POLICY_SCP, NULL));
    json_decref(parse_ok(
        STMT("\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111111111111:root\"},"
             "\"Action\":\"sts:AssumeRole\""),
        POLICY_TRUST, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wildcards),
        cmocka_unit_test(test_actions),
        cmocka_unit_test(test_resources),
        cmocka_unit_test(test_principals),
        cmocka_unit_test(test_string_conditions),
        cmocka_unit_test(test_numeric_conditions),
        cmocka_unit_test(test_date_conditions),
        cmocka_unit_test(test_bool_binary_null_conditions),
        cmocka_unit_test(test_ip_conditions),
        cmocka_unit_test(test_arn_conditions),
        cmocka_unit_test(test_missing_keys_and_if_exists),
        cmocka_unit_test(test_set_operators),
        cmocka_unit_test(test_deny_wins),
        cmocka_unit_test(test_org_trail_bucket_policy),
        cmocka_unit_test(test_source_org_id_policy),
        cmocka_unit_test(test_validation_messages),
        cmocka_unit_test(test_validation_accepts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
