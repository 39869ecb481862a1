/* cloudtrail_bucket: CloudTrail's create/update-time check of the log bucket.
 *
 * AWS checks, when a trail is created or its bucket changes, that CloudTrail itself could
 * deliver: the bucket policy must let the service principal read the bucket ACL and put
 * objects under the trail's log prefix. orgtrail asks the real policy engine the same
 * questions CloudTrail's delivery will ask, with the condition keys AWS sets for
 * service-principal requests (aws:SourceArn, aws:SourceAccount, aws:SourceOrgID) and the
 * ACL header delivery sends (s3:x-amz-acl = bucket-owner-full-control), so that a policy
 * that passes here is one delivery can use (delivery asks ct_bucket_permits, the same
 * decision, for every file). */
#include <stdio.h>
#include <string.h>

#include "policy/policy.h"
#include "svc/cloudtrail_bucket.h"
#include "svc/cloudtrail_internal.h"
#include "svc/s3_access.h"
#include "svc/s3_internal.h"

static int insufficient(call_ctx *c, const char *bucket)
{
    return aws_fail(&c->err, 400, "InsufficientS3BucketPolicyException",
                    "Incorrect S3 bucket policy is detected for bucket: %s", bucket);
}

static const char *const *context_for(const char *action, const trail *t, const char *org_id,
                                     const char *slots[9])
{
    /* Without an organization the aws:SourceOrgID slot is the terminating NULL. */
    int i = 0;
    if (!strcmp(action, "s3:PutObject")) {
        slots[i++] = "s3:x-amz-acl";
        slots[i++] = "bucket-owner-full-control";
    }
    slots[i++] = "aws:SourceArn";
    slots[i++] = t->arn;
    slots[i++] = "aws:SourceAccount";
    slots[i++] = t->account_id;
    slots[i++] = *org_id ? "aws:SourceOrgID" : NULL;
    slots[i++] = org_id;
    slots[i] = NULL;
    return slots;
}

static bool decide(const s3_bucket *b, const json_t *policy, const trail *t, const char *org_id,
                   const char *action, const char *resource)
{
    if (!policy) return false; /* a service principal needs the policy's Allow */
    principal ct;
    memset(&ct, 0, sizeof ct);
    ct.kind = PRINCIPAL_SERVICE;
    snprintf(ct.service, sizeof ct.service, "%s", CT_PRINCIPAL);
    const char *slots[9];
    return s3_access_decide(&ct, b->account_id, policy, action, resource, S3_SCOPE_POLICY,
                            context_for(action, t, org_id, slots)) == S3_ALLOW;
}

static json_t *parsed_policy(const s3_bucket *b)
{
    if (!b->policy) return NULL;
    aws_error ignored;
    aws_error_clear(&ignored);
    char bucket_arn[96];
    snprintf(bucket_arn, sizeof bucket_arn, "arn:aws:s3:::%s", b->name);
    return policy_parse(b->policy, POLICY_RESOURCE, "MalformedPolicy", bucket_arn, &ignored);
}

int ct_bucket_permits(db_conn *db, const trail *t, const char *org_id, const char *action,
                      const char *resource, char *code, size_t code_len)
{
    s3_bucket b;
    if (!s3_bucket_load(db, t->s3_bucket, &b)) {
        snprintf(code, code_len, "%s", "NoSuchBucket");
        return -1;
    }
    json_t *policy = parsed_policy(&b);
    bool ok = decide(&b, policy, t, org_id, action, resource);
    json_decref(policy);
    s3_bucket_clear(&b);
    if (!ok) snprintf(code, code_len, "%s", "AccessDenied");
    return ok ? 0 : -1;
}

int ct_check_bucket(call_ctx *c, const trail *t, const char *org_id)
{
    s3_bucket b;
    if (!s3_bucket_load(c->db, t->s3_bucket, &b)) {
        if (!s3_bucket_name_valid(t->s3_bucket))
            return aws_fail(&c->err, 400, "InvalidS3BucketNameException",
                            "Bucket name is not valid: %s", t->s3_bucket);
        return aws_fail(&c->err, 400, "S3BucketDoesNotExistException",
                        "S3 bucket %s does not exist!", t->s3_bucket);
    }
    json_t *policy = parsed_policy(&b);
    char resource[1024], prefix[256] = "";
    if (*t->s3_prefix) snprintf(prefix, sizeof prefix, "%s/", t->s3_prefix);
    snprintf(resource, sizeof resource, "arn:aws:s3:::%s", b.name);
    bool ok = decide(&b, policy, t, org_id, "s3:GetBucketAcl", resource);
    /* A representative log-file key under each prefix the trail writes to. */
    snprintf(resource, sizeof resource, "arn:aws:s3:::%s/%sAWSLogs/%s/CloudTrail/%s/", b.name,
             prefix, t->account_id, t->home_region);
    ok = ok && decide(&b, policy, t, org_id, "s3:PutObject", resource);
    if (t->is_org) {
        snprintf(resource, sizeof resource, "arn:aws:s3:::%s/%sAWSLogs/%s/%s/CloudTrail/%s/",
                 b.name, prefix, org_id, t->account_id, t->home_region);
        ok = ok && decide(&b, policy, t, org_id, "s3:PutObject", resource);
    }
    json_decref(policy);
    s3_bucket_clear(&b);
    return ok ? 0 : insufficient(c, t->s3_bucket);
}
