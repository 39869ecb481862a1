/* CloudTrail handlers called directly: trail-name rules, the per-region limit, bucket and
 * bucket-policy checks, organization-trail preconditions, what members, delegated
 * administrators and other regions see and may do, tags and event selectors. Organizations
 * handlers set the organization up as a client would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "auth/identity.h"
#include "state/db.h"
#include "state/iam_state.h"
#include "state/org_state.h"
#include "state/tags.h"
#include "state/trail_state.h"
#include "app/registry.h"
#include "svc/service.h"
#include "testenv.h"

#define MGMT "111111111111"
#define LONER "999999999999" /* a standalone account */
#define REGION "us-east-1"
#define BUCKET "org-trail-logs"

typedef struct fixture {
    char dir[64];
    db_pool pool;
    db_conn *db;
    int64_t now;
    char code[96];
    char message[1024];
    char org_id[40];
    char member[13], admin[13]; /* accounts created in the organization */
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    testenv_mkdtemp(f->dir, sizeof f->dir, "unit");
    f->db = testenv_db_open(f->dir, &f->pool);
    f->now = 1795300000000LL;
    testenv_add_account(f->db, MGMT, MGMT, f->now);
    testenv_add_account(f->db, LONER, LONER, f->now);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    testenv_db_close(&f->pool, f->db);
    testenv_rmtree(f->dir);
    free(f);
    return 0;
}

/* Runs service:op as the root user of `account` in `region` with input `in` (stolen).
 * Returns the error code ("" on success); *out gets the output when out is not NULL. */
static const char *call_in(fixture *f, const char *service, const char *region, const char *account,
                           const char *op, json_t *in, json_t **out)
{
    const op_def *def = service_op(service_lookup(service), op);
    assert_non_null(def);
    principal p;
    identity_root(&p, account, "AKIAUNITTESTEXAMPLE");
    call_ctx c;
    memset(&c, 0, sizeof c);
    c.db = f->db;
    c.caller = &p;
    c.region = region;
    c.service = service;
    c.op = op;
    c.in = in ? in : json_object();
    c.now_ms = f->now;
    int rc = call_run(&c, service_lookup(service), def);
    snprintf(f->code, sizeof f->code, "%s", rc ? c.err.code : "");
    snprintf(f->message, sizeof f->message, "%s", rc ? c.err.message : "");
    if (rc) assert_null(c.out);
    if (out)
        *out = c.out;
    else
        json_decref(c.out);
    json_decref((json_t *)c.in);
    json_decref(c.resources);
    call_release(&c);
    return f->code;
}

static const char *ct(fixture *f, const char *account, const char *op, json_t *in, json_t **out)
{
    return call_in(f, "cloudtrail", REGION, account, op, in, out);
}

static const char *orgs(fixture *f, const char *account, const char *op, json_t *in)
{
    return call_in(f, "organizations", REGION, account, op, in, NULL);
}

#define OK(expr) assert_string_equal(expr, "")
#define FAILS(expr, code) assert_string_equal(expr, code)

static void trail_arn_of(char *out, const char *account, const char *name)
{
    snprintf(out, 256, "arn:aws:cloudtrail:%s:%s:trail/%s", REGION, account, name);
}

/* A bucket owned by `owner` whose policy is AWS's documented organization-trail policy
 * for the trails named (SourceArn lists every one; names are of us-east-1 trails of the
 * management account, or whole ARNs), or no policy when trail_names is NULL. */
static void make_bucket(fixture *f, const char *name, const char *owner, const char *org_id,
                        const char *const *trail_names, const char *prefix)
{
    char *policy = NULL;
    if (trail_names) {
        json_t *arns = json_array();
        for (const char *const *t = trail_names; *t; t++) {
            char arn[256];
            if (!strncmp(*t, "arn:", 4))
                snprintf(arn, sizeof arn, "%s", *t);
            else
                trail_arn_of(arn, MGMT, *t);
            json_array_append_new(arns, json_string(arn));
        }
        char logs[256], org_logs[256], bucket_arn[128];
        snprintf(bucket_arn, sizeof bucket_arn, "arn:aws:s3:::%s", name);
        snprintf(logs, sizeof logs, "arn:aws:s3:::%s/%sAWSLogs/%s/*", name, prefix, MGMT);
        snprintf(org_logs, sizeof org_logs, "arn:aws:s3:::%s/%sAWSLogs/%s/*", name, prefix,
                 org_id ? org_id : "o-none");
        json_t *p = json_pack("{s:s, s:[{s:s, s:{s:s}, s:s, s:s, s:{s:{s:O}}},"
                              " {s:s, s:{s:s}, s:s, s:[s, s], s:{s:{s:s, s:O}}}]}",
                              "Version", "2012-10-17", "Statement", "Effect", "Allow", "Principal",
                              "Service", "cloudtrail.amazonaws.com", "Action", "s3:GetBucketAcl",
                              "Resource", bucket_arn, "Condition", "StringEquals", "aws:SourceArn",
                              arns, "Effect", "Allow", "Principal", "Service",
                              "cloudtrail.amazonaws.com", "Action", "s3:PutObject", "Resource",
                              logs, org_logs, "Condition", "StringEquals", "s3:x-amz-acl",
                              "bucket-owner-full-control", "aws:SourceArn", arns);
        policy = json_dumps(p, JSON_COMPACT);
        json_decref(p);
        json_decref(arns);
    }
    assert_int_equal(db_exec(f->db,
                             "INSERT INTO s3_buckets(name, account_id, region, created_ms, policy) "
                             "VALUES(?, ?, ?, ?, ?)",
                             "sssis", name, owner, REGION, f->now, policy),
                     0);
    free(policy);
}

static json_t *create_in(const char *name, const char *bucket)
{
    return json_pack("{s:s, s:s}", "Name", name, "S3BucketName", bucket);
}

static json_t *org_create_in(const char *name)
{
    return json_pack("{s:s, s:s, s:b, s:b, s:b}", "Name", name, "S3BucketName", BUCKET,
                     "IsOrganizationTrail", 1, "IsMultiRegionTrail", 1, "EnableLogFileValidation",
                     1);
}

static json_t *name_in(const char *member, const char *value)
{
    return json_pack("{s:s}", member, value);
}

/* CreateAccount in the organization; the new id from ListCreateAccountStatus. */
static void create_account(fixture *f, const char *name, char id[13])
{
    char email[80];
    snprintf(email, sizeof email, "%s@example.com", name);
    OK(orgs(f, MGMT, "CreateAccount",
            json_pack("{s:s, s:s}", "Email", email, "AccountName", name)));
    json_t *out;
    OK(call_in(f, "organizations", REGION, MGMT, "ListCreateAccountStatus", NULL, &out));
    size_t i;
    json_t *s;
    id[0] = '\0';
    json_array_foreach(json_object_get(out, "CreateAccountStatuses"), i, s)
    {
        if (!strcmp(json_string_value(json_object_get(s, "AccountName")), name))
            snprintf(id, 13, "%s", json_string_value(json_object_get(s, "AccountId")));
    }
    json_decref(out);
    assert_int_equal(strlen(id), 12);
}

/* The seed: organization (ALL) with a member and a future delegated admin, trusted
 * access for CloudTrail when `trusted`, and the log bucket with the org-trail policy. */
static void seed_org(fixture *f, bool trusted)
{
    OK(orgs(f, MGMT, "CreateOrganization", json_pack("{s:s}", "FeatureSet", "ALL")));
    org_info o;
    assert_int_equal(org_get(f->db, &o), 1);
    snprintf(f->org_id, sizeof f->org_id, "%s", o.id);
    create_account(f, "member", f->member);
    create_account(f, "ct-admin", f->admin);
    if (trusted)
        OK(orgs(f, MGMT, "EnableAWSServiceAccess",
                json_pack("{s:s}", "ServicePrincipal", "cloudtrail.amazonaws.com")));
    const char *names[] = {"org-trail", "da-trail", NULL};
    make_bucket(f, BUCKET, f->member, f->org_id, names, "");
}

static size_t trail_count_seen(fixture *f, const char *account, const char *region, json_t *in,
                               const char *expect_arn)
{
    json_t *out;
    OK(call_in(f, "cloudtrail", region, account, "DescribeTrails", in, &out));
    json_t *list = json_object_get(out, "trailList");
    size_t n = json_array_size(list);
    if (expect_arn && n) {
        json_t *t = json_array_get(list, 0);
        assert_string_equal(json_string_value(json_object_get(t, "TrailARN")), expect_arn);
    }
    json_decref(out);
    return n;
}

/* ------------------------------------------------------------------------------------- */

static void test_name_rules(void **state)
{
    fixture *f = *state;
    const char *names[] = {"my.trail_1-a", NULL};
    make_bucket(f, "logs-bucket", MGMT, NULL, names, "");
    char long_name[140];
    memset(long_name, 'a', 129);
    long_name[129] = '\0';
    const char *bad[] = {"ab",    long_name,     "-bad",     "bad-",     "my--x",
                         "my-_x", "192.168.5.4", "bad name", "bad/name", "arn:aws:cloudtrail:x"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        FAILS(ct(f, MGMT, "CreateTrail", create_in(bad[i], "logs-bucket"), NULL),
              "InvalidTrailNameException");
    FAILS(ct(f, MGMT, "CreateTrail", create_in("-bad", "logs-bucket"), NULL),
          "InvalidTrailNameException");
    assert_string_equal(f->message, "Trail name must starts with a letter or number.");
    OK(ct(f, MGMT, "CreateTrail", create_in("my.trail_1-a", "logs-bucket"), NULL));
    FAILS(ct(f, MGMT, "GetTrail", name_in("Name", "x"), NULL), "InvalidTrailNameException");
    FAILS(
        ct(f, MGMT, "GetTrail", name_in("Name", "arn:aws:cloudtrail:us-east-1:12:trail/abc"), NULL),
        "CloudTrailARNInvalidException");
}

static void test_single_account_lifecycle(void **state)
{
    fixture *f = *state;
    const char *names[] = {"main-trail", NULL};
    make_bucket(f, "logs-bucket", MGMT, NULL, names, "");
    json_t *out;
    OK(ct(f, MGMT, "CreateTrail", create_in("main-trail", "logs-bucket"), &out));
    char arn[256];
    trail_arn_of(arn, MGMT, "main-trail");
    assert_string_equal(json_string_value(json_object_get(out, "TrailARN")), arn);
    assert_true(json_is_true(json_object_get(out, "IncludeGlobalServiceEvents")));
    assert_true(json_is_false(json_object_get(out, "IsMultiRegionTrail")));
    assert_true(json_is_false(json_object_get(out, "IsOrganizationTrail")));
    assert_null(json_object_get(out, "S3KeyPrefix"));
    json_decref(out);

    FAILS(ct(f, MGMT, "CreateTrail", create_in("main-trail", "logs-bucket"), NULL),
          "TrailAlreadyExistsException");
    assert_string_equal(f->message, "Trail main-trail already exists for customer: " MGMT);

    OK(ct(f, MGMT, "GetTrail", name_in("Name", arn), &out));
    json_t *t = json_object_get(out, "Trail");
    assert_string_equal(json_string_value(json_object_get(t, "HomeRegion")), REGION);
    assert_true(json_is_false(json_object_get(t, "HasCustomEventSelectors")));
    assert_true(json_is_false(json_object_get(t, "HasInsightSelectors")));
    json_decref(out);

    OK(ct(f, MGMT, "GetTrailStatus", name_in("Name", "main-trail"), &out));
    assert_true(json_is_false(json_object_get(out, "IsLogging")));
    assert_null(json_object_get(out, "StartLoggingTime"));
    json_decref(out);
    OK(ct(f, MGMT, "StartLogging", name_in("Name", "main-trail"), NULL));
    f->now += 5000;
    OK(ct(f, MGMT, "StartLogging", name_in("Name", "main-trail"), NULL));
    OK(ct(f, MGMT, "GetTrailStatus", name_in("Name", "main-trail"), &out));
    assert_true(json_is_true(json_object_get(out, "IsLogging")));
    assert_int_equal(json_integer_value(json_object_get(out, "StartLoggingTime")),
                     (f->now - 5000) / 1000);
    json_decref(out);
    OK(ct(f, MGMT, "StopLogging", name_in("Name", "main-trail"), NULL));
    OK(ct(f, MGMT, "GetTrailStatus", name_in("Name", "main-trail"), &out));
    assert_true(json_is_false(json_object_get(out, "IsLogging")));
    assert_non_null(json_object_get(out, "StopLoggingTime"));
    json_decref(out);

    /* A prefix the policy does not cover; then back without one. */
    FAILS(ct(f, MGMT, "UpdateTrail",
             json_pack("{s:s, s:s}", "Name", "main-trail", "S3KeyPrefix", "elsewhere"), NULL),
          "InsufficientS3BucketPolicyException");
    OK(ct(f, MGMT, "UpdateTrail",
          json_pack("{s:s, s:b}", "Name", "main-trail", "EnableLogFileValidation", 1), &out));
    assert_true(json_is_true(json_object_get(out, "LogFileValidationEnabled")));
    json_decref(out);
    FAILS(ct(f, MGMT, "UpdateTrail",
             json_pack("{s:s, s:b, s:b}", "Name", "main-trail", "IsMultiRegionTrail", 1,
                       "IncludeGlobalServiceEvents", 0),
             NULL),
          "InvalidParameterCombinationException");

    OK(ct(f, MGMT, "DeleteTrail", name_in("Name", "main-trail"), NULL));
    FAILS(ct(f, MGMT, "GetTrail", name_in("Name", "main-trail"), NULL), "TrailNotFoundException");
    assert_string_equal(f->message, "Unknown trail: arn:aws:cloudtrail:us-east-1:" MGMT
                                    ":trail/main-trail for the user: " MGMT);
    FAILS(ct(f, MGMT, "DeleteTrail", name_in("Name", "main-trail"), NULL),
          "TrailNotFoundException");
    assert_int_equal(trail_count_seen(f, MGMT, REGION, NULL, NULL), 0);
}

static void test_bucket_checks(void **state)
{
    fixture *f = *state;
    make_bucket(f, "no-policy", MGMT, NULL, NULL, "");
    const char *other[] = {"someone-else", NULL};
    make_bucket(f, "wrong-source", MGMT, NULL, other, "");
    const char *names[] = {"good-trail", NULL};
    make_bucket(f, "prefixed", MGMT, NULL, names, "team/");
    FAILS(ct(f, MGMT, "CreateTrail", create_in("good-trail", "does-not-exist"), NULL),
          "S3BucketDoesNotExistException");
    FAILS(ct(f, MGMT, "CreateTrail", create_in("good-trail", "Not_A_Bucket"), NULL),
          "InvalidS3BucketNameException");
    FAILS(ct(f, MGMT, "CreateTrail", create_in("good-trail", "no-policy"), NULL),
          "InsufficientS3BucketPolicyException");
    assert_string_equal(f->message, "Incorrect S3 bucket policy is detected for bucket: no-policy");
    FAILS(ct(f, MGMT, "CreateTrail", create_in("good-trail", "wrong-source"), NULL),
          "InsufficientS3BucketPolicyException");
    /* The policy covers team/AWSLogs/..., not AWSLogs/... */
    FAILS(ct(f, MGMT, "CreateTrail", create_in("good-trail", "prefixed"), NULL),
          "InsufficientS3BucketPolicyException");
    OK(ct(f, MGMT, "CreateTrail",
          json_pack("{s:s, s:s, s:s}", "Name", "good-trail", "S3BucketName", "prefixed",
                    "S3KeyPrefix", "team"),
          NULL));
    char long_prefix[220];
    memset(long_prefix, 'p', 201);
    long_prefix[201] = '\0';
    FAILS(ct(f, MGMT, "CreateTrail",
             json_pack("{s:s, s:s, s:s}", "Name", "other-trail", "S3BucketName", "prefixed",
                       "S3KeyPrefix", long_prefix),
             NULL),
          "InvalidS3PrefixException");
    /* Settings orgtrail cannot back yet are refused, not stored. */
    FAILS(ct(f, MGMT, "CreateTrail",
             json_pack("{s:s, s:s, s:s}", "Name", "kms-trail", "S3BucketName", "prefixed",
                       "KmsKeyId", "alias/x"),
             NULL),
          "KmsKeyNotFoundException");
    FAILS(ct(f, MGMT, "CreateTrail",
             json_pack("{s:s, s:s, s:s}", "Name", "cwl-trail", "S3BucketName", "prefixed",
                       "CloudWatchLogsLogGroupArn",
                       "arn:aws:logs:us-east-1:111111111111:log-group:x:*"),
             NULL),
          "InvalidCloudWatchLogsRoleArnException");
    FAILS(ct(f, MGMT, "CreateTrail",
             json_pack("{s:s, s:s, s:b, s:b}", "Name", "multi-trail", "S3BucketName", "prefixed",
                       "IsMultiRegionTrail", 1, "IncludeGlobalServiceEvents", 0),
             NULL),
          "InvalidParameterCombinationException");
}

static void test_five_trails_per_region(void **state)
{
    fixture *f = *state;
    const char *names[] = {
        "t-0", "t-1", "t-2",      "t-3",
        "t-4", "t-5", "eu-multi", "arn:aws:cloudtrail:eu-west-1:" MGMT ":trail/eu-multi",
        NULL};
    make_bucket(f, "logs-bucket", MGMT, NULL, names, "");
    /* A multi-region trail from another region counts here too. */
    OK(call_in(f, "cloudtrail", "eu-west-1", MGMT, "CreateTrail",
               json_pack("{s:s, s:s, s:b}", "Name", "eu-multi", "S3BucketName", "logs-bucket",
                         "IsMultiRegionTrail", 1),
               NULL));
    char name[8];
    for (int i = 0; i < 4; i++) {
        snprintf(name, sizeof name, "t-%d", i);
        OK(ct(f, MGMT, "CreateTrail", create_in(name, "logs-bucket"), NULL));
    }
    FAILS(ct(f, MGMT, "CreateTrail", create_in("t-4", "logs-bucket"), NULL),
          "MaximumNumberOfTrailsExceededException");
    assert_string_equal(f->message, "User: " MGMT " already has 5 trails in us-east-1.");
    /* A name clash with the shadow of a multi-region trail. */
    OK(ct(f, MGMT, "DeleteTrail", name_in("Name", "t-0"), NULL));
    FAILS(ct(f, MGMT, "CreateTrail", create_in("eu-multi", "logs-bucket"), NULL),
          "TrailAlreadyExistsException");
    OK(ct(f, MGMT, "CreateTrail", create_in("t-4", "logs-bucket"), NULL));
}

static void test_org_preconditions(void **state)
{
    fixture *f = *state;
    FAILS(ct(f, MGMT, "CreateTrail", org_create_in("org-trail"), NULL),
          "OrganizationsNotInUseException");
    seed_org(f, false);
    FAILS(ct(f, MGMT, "CreateTrail", org_create_in("org-trail"), NULL),
          "CloudTrailAccessNotEnabledException");
    FAILS(ct(f, f->member, "CreateTrail", org_create_in("org-trail"), NULL),
          "NotOrganizationMasterAccountException");
    FAILS(ct(f, LONER, "CreateTrail", org_create_in("org-trail"), NULL),
          "OrganizationsNotInUseException");
    OK(orgs(f, MGMT, "EnableAWSServiceAccess",
            json_pack("{s:s}", "ServicePrincipal", "cloudtrail.amazonaws.com")));
    /* Without Organizations' service-linked role in the management account. */
    assert_int_equal(db_exec(f->db,
                             "UPDATE iam_roles SET name = 'Parked' WHERE account_id = ? AND "
                             "name = 'AWSServiceRoleForOrganizations'",
                             "s", MGMT),
                     0);
    FAILS(ct(f, MGMT, "CreateTrail", org_create_in("org-trail"), NULL),
          "NoManagementAccountSLRExistsException");
    assert_int_equal(db_exec(f->db,
                             "UPDATE iam_roles SET name = 'AWSServiceRoleForOrganizations' WHERE "
                             "account_id = ? AND name = 'Parked'",
                             "s", MGMT),
                     0);
    /* The CloudTrail role missing: the management account gets it with the trail. */
    assert_int_equal(db_exec(f->db,
                             "DELETE FROM iam_roles WHERE account_id = ? AND "
                             "name = 'AWSServiceRoleForCloudTrail'",
                             "s", MGMT),
                     0);
    FAILS(ct(f, MGMT, "CreateTrail", create_in("org-trail", "does-not-exist"), NULL),
          "S3BucketDoesNotExistException");
    assert_false(iam_slr_exists(f->db, MGMT, "cloudtrail.amazonaws.com"));
    json_t *out;
    OK(ct(f, MGMT, "CreateTrail", org_create_in("org-trail"), &out));
    assert_true(iam_slr_exists(f->db, MGMT, "cloudtrail.amazonaws.com"));
    assert_true(json_is_true(json_object_get(out, "IsOrganizationTrail")));
    assert_true(json_is_true(json_object_get(out, "IsMultiRegionTrail")));
    assert_true(json_is_true(json_object_get(out, "LogFileValidationEnabled")));
    json_decref(out);
    /* The org-id statement is needed for an organization trail. */
    const char *names[] = {"other-org-trail", NULL};
    make_bucket(f, "no-org-statement", f->member, NULL, names, "");
    json_t *in = org_create_in("other-org-trail");
    json_object_set_new(in, "S3BucketName", json_string("no-org-statement"));
    FAILS(ct(f, MGMT, "CreateTrail", in, NULL), "InsufficientS3BucketPolicyException");
}

static void test_org_needs_all_features(void **state)
{
    fixture *f = *state;
    OK(orgs(f, MGMT, "CreateOrganization",
            json_pack("{s:s}", "FeatureSet", "CONSOLIDATED_BILLING")));
    FAILS(ct(f, MGMT, "CreateTrail", org_create_in("org-trail"), NULL),
          "OrganizationNotInAllFeaturesModeException");
    FAILS(
        ct(f, MGMT, "RegisterOrganizationDelegatedAdmin", name_in("MemberAccountId", LONER), NULL),
        "OrganizationNotInAllFeaturesModeException");
}

static void test_member_views(void **state)
{
    fixture *f = *state;
    seed_org(f, true);
    OK(ct(f, MGMT, "CreateTrail", org_create_in("org-trail"), NULL));
    OK(ct(f, MGMT, "StartLogging", name_in("Name", "org-trail"), NULL));
    char arn[256];
    trail_arn_of(arn, MGMT, "org-trail");
    const char *m = f->member;

    json_t *out;
    OK(ct(f, m, "DescribeTrails", NULL, &out));
    json_t *t = json_array_get(json_object_get(out, "trailList"), 0);
    assert_string_equal(json_string_value(json_object_get(t, "TrailARN")), arn);
    assert_string_equal(json_string_value(json_object_get(t, "HomeRegion")), REGION);
    assert_true(json_is_true(json_object_get(t, "IsOrganizationTrail")));
    json_decref(out);
    assert_int_equal(
        trail_count_seen(f, m, REGION, json_pack("{s:b}", "includeShadowTrails", 0), NULL), 0);
    assert_int_equal(
        trail_count_seen(f, m, REGION, json_pack("{s:[s]}", "trailNameList", arn), arn), 1);
    assert_int_equal(
        trail_count_seen(f, m, REGION, json_pack("{s:[s]}", "trailNameList", "org-trail"), NULL),
        0);
    OK(ct(f, m, "ListTrails", NULL, &out));
    assert_int_equal(json_array_size(json_object_get(out, "Trails")), 1);
    json_decref(out);
    OK(ct(f, m, "GetTrail", name_in("Name", arn), NULL));
    /* Status is the owner's business (field reports: CloudTrailARNInvalidException). */
    FAILS(ct(f, m, "GetTrailStatus", name_in("Name", arn), NULL), "CloudTrailARNInvalidException");

    /* By name: resolved in the member's own account. */
    const char *ops[] = {"GetTrail",    "GetTrailStatus", "UpdateTrail",
                         "DeleteTrail", "StopLogging",    "StartLogging"};
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
        FAILS(ct(f, m, ops[i], name_in("Name", "org-trail"), NULL), "TrailNotFoundException");
        char expect[256];
        snprintf(expect, sizeof expect,
                 "Unknown trail: arn:aws:cloudtrail:us-east-1:%s:trail/org-trail for the user: %s",
                 m, m);
        assert_string_equal(f->message, expect);
    }
    /* By ARN: everything but viewing is refused. */
    const char *writes[] = {"UpdateTrail", "DeleteTrail", "StopLogging", "StartLogging"};
    for (size_t i = 0; i < sizeof writes / sizeof *writes; i++)
        FAILS(ct(f, m, writes[i], name_in("Name", arn), NULL), "CloudTrailARNInvalidException");
    FAILS(ct(f, m, "PutEventSelectors",
             json_pack("{s:s, s:[{s:s}]}", "TrailName", arn, "EventSelectors", "ReadWriteType",
                       "WriteOnly"),
             NULL),
          "CloudTrailARNInvalidException");
    FAILS(ct(f, m, "PutEventSelectors",
             json_pack("{s:s, s:[{s:s}]}", "TrailName", "org-trail", "EventSelectors",
                       "ReadWriteType", "WriteOnly"),
             NULL),
          "TrailNotFoundException");
    FAILS(ct(f, m, "GetEventSelectors", name_in("TrailName", arn), NULL),
          "CloudTrailARNInvalidException");
    char expect[160];
    snprintf(expect, sizeof expect,
             "AccountID in ARN is wrong, you can only access resources with AccountID %s.", m);
    assert_string_equal(f->message, expect);
    FAILS(ct(f, m, "ListTags", json_pack("{s:[s]}", "ResourceIdList", arn), NULL),
          "CloudTrailARNInvalidException");
    FAILS(ct(f, m, "AddTags",
             json_pack("{s:s, s:[{s:s, s:s}]}", "ResourceId", arn, "TagsList", "Key", "k", "Value",
                       "v"),
             NULL),
          "CloudTrailARNInvalidException");
    /* Standalone accounts see nothing of it. */
    assert_int_equal(trail_count_seen(f, LONER, REGION, NULL, NULL), 0);
    FAILS(ct(f, LONER, "GetTrail", name_in("Name", arn), NULL), "CloudTrailARNInvalidException");

    /* Still there, still logging; the management account's view is the real trail. */
    OK(ct(f, MGMT, "GetTrailStatus", name_in("Name", "org-trail"), &out));
    assert_true(json_is_true(json_object_get(out, "IsLogging")));
    json_decref(out);
    assert_int_equal(
        trail_count_seen(f, MGMT, REGION, json_pack("{s:b}", "includeShadowTrails", 0), arn), 1);

    /* Joining later: covered at once. Leaving: not any more. */
    char late[13];
    create_account(f, "late", late);
    assert_int_equal(trail_count_seen(f, late, REGION, NULL, arn), 1);
    assert_int_equal(trail_count_seen(f, late, "eu-west-1", NULL, arn), 1);
    OK(orgs(f, MGMT, "RemoveAccountFromOrganization", json_pack("{s:s}", "AccountId", late)));
    assert_int_equal(trail_count_seen(f, late, REGION, NULL, NULL), 0);

    /* Deleted: gone everywhere. */
    OK(ct(f, MGMT, "DeleteTrail", name_in("Name", "org-trail"), NULL));
    assert_int_equal(trail_count_seen(f, m, REGION, NULL, NULL), 0);
    assert_int_equal(trail_count_seen(f, MGMT, REGION, NULL, NULL), 0);
}

static void test_delegated_admin(void **state)
{
    fixture *f = *state;
    seed_org(f, true);
    const char *a = f->admin;
    FAILS(ct(f, a, "RegisterOrganizationDelegatedAdmin", name_in("MemberAccountId", a), NULL),
          "NotOrganizationManagementAccountException");
    FAILS(ct(f, MGMT, "RegisterOrganizationDelegatedAdmin", name_in("MemberAccountId", MGMT), NULL),
          "CannotDelegateManagementAccountException");
    FAILS(
        ct(f, MGMT, "RegisterOrganizationDelegatedAdmin", name_in("MemberAccountId", LONER), NULL),
        "AccountNotFoundException");
    FAILS(ct(f, MGMT, "DeregisterOrganizationDelegatedAdmin", name_in("DelegatedAdminAccountId", a),
             NULL),
          "AccountNotRegisteredException");
    /* Before registration a delegated admin is just a member. */
    FAILS(ct(f, a, "CreateTrail", org_create_in("da-trail"), NULL),
          "NotOrganizationMasterAccountException");

    assert_int_equal(db_exec(f->db,
                             "DELETE FROM iam_roles WHERE account_id = ? AND "
                             "name = 'AWSServiceRoleForCloudTrail'",
                             "s", MGMT),
                     0);
    OK(ct(f, MGMT, "RegisterOrganizationDelegatedAdmin", name_in("MemberAccountId", a), NULL));
    assert_true(org_is_delegated_admin(f->db, a, "cloudtrail.amazonaws.com"));
    assert_true(iam_slr_exists(f->db, MGMT, "cloudtrail.amazonaws.com"));
    FAILS(ct(f, MGMT, "RegisterOrganizationDelegatedAdmin", name_in("MemberAccountId", a), NULL),
          "AccountRegisteredException");

    /* The delegated admin creates an organization trail: owned by the management account. */
    json_t *out;
    OK(ct(f, a, "CreateTrail", org_create_in("da-trail"), &out));
    char arn[256];
    trail_arn_of(arn, MGMT, "da-trail");
    assert_string_equal(json_string_value(json_object_get(out, "TrailARN")), arn);
    json_decref(out);
    FAILS(ct(f, a, "CreateTrail", org_create_in("da-trail"), NULL), "TrailAlreadyExistsException");
    assert_string_equal(f->message, "Trail da-trail already exists for customer: " MGMT);
    /* By name it is not the admin's; by ARN it may do what the management account does. */
    FAILS(ct(f, a, "StartLogging", name_in("Name", "da-trail"), NULL), "TrailNotFoundException");
    OK(ct(f, a, "StartLogging", name_in("Name", arn), NULL));
    OK(ct(f, a, "GetEventSelectors", name_in("TrailName", arn), NULL));
    OK(ct(f, a, "UpdateTrail", json_pack("{s:s, s:b}", "Name", arn, "EnableLogFileValidation", 0),
          NULL));
    FAILS(ct(f, a, "UpdateTrail", json_pack("{s:s, s:b}", "Name", arn, "IsOrganizationTrail", 0),
             NULL),
          "NotOrganizationMasterAccountException");
    FAILS(ct(f, a, "GetTrail",
             name_in("Name", "arn:aws:cloudtrail:us-east-1:" MGMT ":trail/nope-trail"), NULL),
          "TrailNotFoundException");
    assert_int_equal(trail_count_seen(f, a, REGION, NULL, arn), 1);
    OK(ct(f, MGMT, "GetTrail", name_in("Name", "da-trail"), NULL));

    /* Without the management account's CloudTrail role the admin cannot act for it. */
    assert_int_equal(db_exec(f->db,
                             "DELETE FROM iam_roles WHERE account_id = ? AND "
                             "name = 'AWSServiceRoleForCloudTrail'",
                             "s", MGMT),
                     0);
    FAILS(ct(f, a, "CreateTrail", org_create_in("org-trail"), NULL),
          "InsufficientDependencyServiceAccessPermissionException");

    OK(ct(f, a, "DeleteTrail", name_in("Name", arn), NULL));
    OK(ct(f, MGMT, "DeregisterOrganizationDelegatedAdmin", name_in("DelegatedAdminAccountId", a),
          NULL));
    assert_false(org_is_delegated_admin(f->db, a, "cloudtrail.amazonaws.com"));
}

static void test_delegated_admin_limit(void **state)
{
    fixture *f = *state;
    seed_org(f, true);
    char ids[4][13];
    for (int i = 0; i < 4; i++) {
        char name[16];
        snprintf(name, sizeof name, "admin-%d", i);
        create_account(f, name, ids[i]);
        const char *code = ct(f, MGMT, "RegisterOrganizationDelegatedAdmin",
                              name_in("MemberAccountId", ids[i]), NULL);
        assert_string_equal(code, i < 3 ? "" : "DelegatedAdminAccountLimitExceededException");
    }
}

static void test_shadow_trails(void **state)
{
    fixture *f = *state;
    const char *names[] = {"multi-trail", "local-trail", NULL};
    make_bucket(f, "logs-bucket", MGMT, NULL, names, "");
    OK(ct(f, MGMT, "CreateTrail",
          json_pack("{s:s, s:s, s:b}", "Name", "multi-trail", "S3BucketName", "logs-bucket",
                    "IsMultiRegionTrail", 1),
          NULL));
    OK(ct(f, MGMT, "CreateTrail", create_in("local-trail", "logs-bucket"), NULL));
    char arn[256];
    trail_arn_of(arn, MGMT, "multi-trail");
    const char *eu = "eu-west-1";
    json_t *out;
    OK(call_in(f, "cloudtrail", eu, MGMT, "DescribeTrails", NULL, &out));
    json_t *list = json_object_get(out, "trailList");
    assert_int_equal(json_array_size(list), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "HomeRegion")),
                        REGION);
    json_decref(out);
    assert_int_equal(
        trail_count_seen(f, MGMT, eu, json_pack("{s:b}", "includeShadowTrails", 0), NULL), 0);
    /* Names match only this region's trails in DescribeTrails; ARNs reach the shadow. */
    assert_int_equal(
        trail_count_seen(f, MGMT, eu, json_pack("{s:[s]}", "trailNameList", "multi-trail"), NULL),
        0);
    assert_int_equal(trail_count_seen(f, MGMT, eu, json_pack("{s:[s]}", "trailNameList", arn), arn),
                     1);
    OK(call_in(f, "cloudtrail", eu, MGMT, "GetTrail", name_in("Name", "multi-trail"), NULL));
    OK(call_in(f, "cloudtrail", eu, MGMT, "GetTrailStatus", name_in("Name", arn), NULL));
    FAILS(call_in(f, "cloudtrail", eu, MGMT, "StopLogging", name_in("Name", arn), NULL),
          "InvalidHomeRegionException");
    FAILS(call_in(f, "cloudtrail", eu, MGMT, "DeleteTrail", name_in("Name", "multi-trail"), NULL),
          "InvalidHomeRegionException");
    FAILS(call_in(f, "cloudtrail", eu, MGMT, "GetTrail", name_in("Name", "local-trail"), NULL),
          "TrailNotFoundException");
    OK(call_in(f, "cloudtrail", eu, MGMT, "ListTrails", NULL, &out));
    assert_int_equal(json_array_size(json_object_get(out, "Trails")), 1);
    json_decref(out);
}

static void test_tags(void **state)
{
    fixture *f = *state;
    const char *names[] = {"tagged-trail", NULL};
    make_bucket(f, "logs-bucket", MGMT, NULL, names, "");
    OK(ct(f, MGMT, "CreateTrail",
          json_pack("{s:s, s:s, s:[{s:s, s:s}]}", "Name", "tagged-trail", "S3BucketName",
                    "logs-bucket", "TagsList", "Key", "team", "Value", "security"),
          NULL));
    char arn[256];
    trail_arn_of(arn, MGMT, "tagged-trail");
    OK(ct(f, MGMT, "AddTags",
          json_pack("{s:s, s:[{s:s, s:s}, {s:s, s:s}]}", "ResourceId", arn, "TagsList", "Key",
                    "env", "Value", "prod", "Key", "team", "Value", "audit"),
          NULL));
    json_t *out;
    OK(ct(f, MGMT, "ListTags", json_pack("{s:[s]}", "ResourceIdList", arn), &out));
    json_t *rt = json_array_get(json_object_get(out, "ResourceTagList"), 0);
    assert_string_equal(json_string_value(json_object_get(rt, "ResourceId")), arn);
    json_t *tags = json_object_get(rt, "TagsList");
    assert_int_equal(json_array_size(tags), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(tags, 1), "Value")),
                        "audit");
    json_decref(out);
    OK(ct(f, MGMT, "RemoveTags",
          json_pack("{s:s, s:[{s:s}]}", "ResourceId", arn, "TagsList", "Key", "env"), NULL));
    assert_int_equal(tags_count(f->db, TAGS_TRAIL, arn), 1);
    FAILS(ct(f, MGMT, "AddTags",
             json_pack("{s:s, s:[{s:s, s:s}]}", "ResourceId", arn, "TagsList", "Key", "aws:x",
                       "Value", "v"),
             NULL),
          "InvalidTagParameterException");
    json_t *many = json_array();
    for (int i = 0; i < 50; i++) {
        char key[16];
        snprintf(key, sizeof key, "k%d", i);
        json_array_append_new(many, json_pack("{s:s, s:s}", "Key", key, "Value", "v"));
    }
    FAILS(
        ct(f, MGMT, "AddTags", json_pack("{s:s, s:o}", "ResourceId", arn, "TagsList", many), NULL),
        "TagsLimitExceededException");
    assert_int_equal(tags_count(f->db, TAGS_TRAIL, arn), 1);
    FAILS(ct(f, MGMT, "ListTags", json_pack("{s:[s]}", "ResourceIdList", "tagged-trail"), NULL),
          "CloudTrailARNInvalidException");
    FAILS(ct(f, MGMT, "ListTags",
             json_pack("{s:[s]}", "ResourceIdList",
                       "arn:aws:cloudtrail:us-east-1:" MGMT ":trail/missing-trail"),
             NULL),
          "ResourceNotFoundException");
    OK(ct(f, MGMT, "DeleteTrail", name_in("Name", "tagged-trail"), NULL));
    assert_int_equal(tags_count(f->db, TAGS_TRAIL, arn), 0);
}

static void test_event_selectors(void **state)
{
    fixture *f = *state;
    const char *names[] = {"sel-trail", NULL};
    make_bucket(f, "logs-bucket", MGMT, NULL, names, "");
    OK(ct(f, MGMT, "CreateTrail", create_in("sel-trail", "logs-bucket"), NULL));
    json_t *out;
    OK(ct(f, MGMT, "GetEventSelectors", name_in("TrailName", "sel-trail"), &out));
    json_t *expect =
        json_pack("[{s:s, s:b, s:[], s:[]}]", "ReadWriteType", "All", "IncludeManagementEvents", 1,
                  "DataResources", "ExcludeManagementEventSources");
    assert_true(json_equal(json_object_get(out, "EventSelectors"), expect));
    assert_null(json_object_get(out, "AdvancedEventSelectors"));
    json_decref(expect);
    json_decref(out);

    OK(ct(f, MGMT, "PutEventSelectors",
          json_pack("{s:s, s:[{s:s, s:[{s:s, s:[s]}]}]}", "TrailName", "sel-trail",
                    "EventSelectors", "ReadWriteType", "WriteOnly", "DataResources", "Type",
                    "AWS::S3::Object", "Values", "arn:aws:s3:::logs-bucket/"),
          &out));
    json_t *sel = json_array_get(json_object_get(out, "EventSelectors"), 0);
    assert_true(json_is_true(json_object_get(sel, "IncludeManagementEvents")));
    json_decref(out);
    OK(ct(f, MGMT, "GetTrail", name_in("Name", "sel-trail"), &out));
    assert_true(
        json_is_true(json_object_get(json_object_get(out, "Trail"), "HasCustomEventSelectors")));
    json_decref(out);

    FAILS(ct(f, MGMT, "PutEventSelectors",
             json_pack("{s:s, s:[{s:s}], s:[{s:[{s:s, s:[s]}]}]}", "TrailName", "sel-trail",
                       "EventSelectors", "ReadWriteType", "All", "AdvancedEventSelectors",
                       "FieldSelectors", "Field", "eventCategory", "Equals", "Management"),
             NULL),
          "InvalidEventSelectorsException");
    FAILS(ct(f, MGMT, "PutEventSelectors",
             json_pack("{s:s, s:[{s:s}]}", "TrailName", "sel-trail", "EventSelectors",
                       "ReadWriteType", "read-only"),
             NULL),
          "InvalidEventSelectorsException");
    FAILS(ct(f, MGMT, "PutEventSelectors",
             json_pack("{s:s, s:[{}, {}, {}, {}, {}, {}]}", "TrailName", "sel-trail",
                       "EventSelectors"),
             NULL),
          "InvalidEventSelectorsException");
    FAILS(ct(f, MGMT, "PutEventSelectors",
             json_pack("{s:s, s:[{s:[{s:s, s:[s]}]}]}", "TrailName", "sel-trail", "EventSelectors",
                       "DataResources", "Type", "AWS::EC2::Instance", "Values", "arn:aws:ec2"),
             NULL),
          "InvalidEventSelectorsException");
    FAILS(ct(f, MGMT, "PutEventSelectors",
             json_pack("{s:s, s:[{s:[{s:s, s:[s]}]}]}", "TrailName", "sel-trail",
                       "AdvancedEventSelectors", "FieldSelectors", "Field", "readOnly", "Equals",
                       "true"),
             NULL),
          "InvalidEventSelectorsException");

    /* Advanced replaces basic. */
    OK(ct(f, MGMT, "PutEventSelectors",
          json_pack("{s:s, s:[{s:s, s:[{s:s, s:[s]}, {s:s, s:[s]}]}]}", "TrailName", "sel-trail",
                    "AdvancedEventSelectors", "Name", "S3 writes", "FieldSelectors", "Field",
                    "eventCategory", "Equals", "Data", "Field", "resources.type", "Equals",
                    "AWS::S3::Object"),
          NULL));
    OK(ct(f, MGMT, "GetEventSelectors", name_in("TrailName", "sel-trail"), &out));
    assert_null(json_object_get(out, "EventSelectors"));
    json_t *adv = json_array_get(json_object_get(out, "AdvancedEventSelectors"), 0);
    assert_string_equal(json_string_value(json_object_get(adv, "Name")), "S3 writes");
    json_decref(out);
}

/* Without its organization, an organization trail is an ordinary trail of its owner. */
static void test_org_deleted(void **state)
{
    fixture *f = *state;
    seed_org(f, true);
    OK(ct(f, MGMT, "CreateTrail", org_create_in("org-trail"), NULL));
    OK(orgs(f, MGMT, "RemoveAccountFromOrganization", json_pack("{s:s}", "AccountId", f->member)));
    OK(orgs(f, MGMT, "RemoveAccountFromOrganization", json_pack("{s:s}", "AccountId", f->admin)));
    OK(orgs(f, MGMT, "DeleteOrganization", NULL));
    json_t *out;
    OK(ct(f, MGMT, "GetTrail", name_in("Name", "org-trail"), &out));
    assert_true(
        json_is_false(json_object_get(json_object_get(out, "Trail"), "IsOrganizationTrail")));
    json_decref(out);
    OK(ct(f, MGMT, "StartLogging", name_in("Name", "org-trail"), NULL));
    OK(ct(f, MGMT, "UpdateTrail",
          json_pack("{s:s, s:b}", "Name", "org-trail", "EnableLogFileValidation", 0), NULL));
    FAILS(ct(f, MGMT, "UpdateTrail",
             json_pack("{s:s, s:b}", "Name", "org-trail", "IsOrganizationTrail", 1), NULL),
          "OrganizationsNotInUseException");
    assert_int_equal(trail_count_seen(f, f->member, REGION, NULL, NULL), 0);
}

/* The store itself: visibility, name clashes and counts, without the handlers. */
static void test_trail_state(void **state)
{
    fixture *f = *state;
    seed_org(f, true);
    trail t;
    memset(&t, 0, sizeof t);
    snprintf(t.account_id, sizeof t.account_id, "%s", MGMT);
    snprintf(t.name, sizeof t.name, "org-trail");
    snprintf(t.home_region, sizeof t.home_region, "%s", REGION);
    snprintf(t.s3_bucket, sizeof t.s3_bucket, "%s", BUCKET);
    snprintf(t.created_by, sizeof t.created_by, "%s", MGMT);
    trail_arn(t.arn, sizeof t.arn, REGION, MGMT, "org-trail");
    t.is_org = true;
    t.include_global = true;
    assert_int_equal(trail_insert(f->db, &t), 0);
    assert_int_equal(trail_insert(f->db, &t), -1); /* same ARN */

    trail *ts;
    bool *shadow;
    size_t n = trail_list_visible(f->db, f->member, REGION, &ts, &shadow);
    assert_int_equal(n, 1);
    assert_true(shadow[0]);
    assert_string_equal(ts[0].arn, t.arn);
    free(ts);
    free(shadow);
    n = trail_list_visible(f->db, MGMT, REGION, &ts, &shadow);
    assert_int_equal(n, 1);
    assert_false(shadow[0]);
    free(ts);
    free(shadow);
    /* Single-region: not seen from elsewhere, even by its owner. */
    n = trail_list_visible(f->db, MGMT, "eu-west-1", &ts, &shadow);
    assert_int_equal(n, 0);
    free(ts);
    free(shadow);
    n = trail_list_visible(f->db, LONER, REGION, &ts, &shadow);
    assert_int_equal(n, 0);
    free(ts);
    free(shadow);

    assert_true(trail_org_covers(f->db, &t, f->member));
    assert_false(trail_org_covers(f->db, &t, LONER));
    assert_true(trail_name_taken(f->db, MGMT, "org-trail", REGION, false));
    assert_false(trail_name_taken(f->db, MGMT, "org-trail", "eu-west-1", false));
    assert_true(trail_name_taken(f->db, MGMT, "org-trail", "eu-west-1", true));
    assert_false(trail_name_taken(f->db, f->member, "org-trail", REGION, false));
    assert_int_equal(trail_count_in_region(f->db, MGMT, REGION), 1);
    assert_int_equal(trail_count_in_region(f->db, MGMT, "eu-west-1"), 0);
    assert_int_equal(trail_count_in_region(f->db, f->member, REGION), 0);

    trail got;
    assert_int_equal(trail_find_by_name(f->db, MGMT, "org-trail", REGION, false, &got), 1);
    assert_false(got.logging);
    assert_int_equal(trail_set_logging(f->db, t.arn, true, 1000), 0);
    assert_int_equal(trail_set_logging(f->db, t.arn, true, 2000), 0);
    assert_int_equal(trail_get(f->db, t.arn, &got), 1);
    assert_true(got.logging);
    assert_int_equal(got.start_logging_ms, 1000);
    assert_int_equal(tags_put(f->db, TAGS_TRAIL, t.arn, "k", "v"), 0);
    assert_int_equal(trail_delete(f->db, t.arn), 0);
    assert_int_equal(trail_get(f->db, t.arn, &got), 0);
    assert_int_equal(tags_count(f->db, TAGS_TRAIL, t.arn), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_name_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_single_account_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bucket_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_five_trails_per_region, setup, teardown),
        cmocka_unit_test_setup_teardown(test_org_preconditions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_org_needs_all_features, setup, teardown),
        cmocka_unit_test_setup_teardown(test_member_views, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delegated_admin, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delegated_admin_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shadow_trails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_selectors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trail_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_org_deleted, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
