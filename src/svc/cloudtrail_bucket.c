/* cloudtrail_bucket: CloudTrail's create/update-time check of the log bucket.
 *
 * AWS checks, when a trail is created or its bucket changes, that CloudTrail itself could
 * deliver: the bucket policy must let the service principal read the bucket ACL and put
 * objects under the trail's log prefix. orgtrail asks the real policy engine the same
 * questions CloudTrail's delivery will ask, with the condition keys AWS sets for
 * service-principal requests (aws:SourceArn, aws:SourceAccount, aws:SourceOrgID) and the
 * ACL header delivery sends (s3:x-amz-acl = bucket-owner-full-control), so that a policy
 * that passes here is one delivery can use. */
#include <stdio.h>
#include <string.h>

#include "policy/policy.h"
#include "svc/cloudtrail_internal.h"
#include "svc/s3_access.h"
#include "svc/s3_internal.h"

static int insufficient(call_ctx *c, const char *bucket)
{
    return aws_fail(&c->err, 400, "InsufficientS3BucketPolicyException",
                    "Incorrect S3 bucket policy is detected for bucket: %s", bucket);
}

static bool allowed(const principal *cloudtrail, const s3_bucket *b, const json_t *policy,
                    const char *action, const char *resource, const char *const *context)
{
    return s3_access_decide(cloudtrail, b->account_id, policy, action, resource, S3_SCOPE_POLICY,
                            context) == S3_ALLOW;
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
    json_t *policy = NULL;
    if (b.policy) {
        aws_error ignored;
        aws_error_clear(&ignored);
        char bucket_arn[96];
        snprintf(bucket_arn, sizeof bucket_arn, "arn:aws:s3:::%s", b.name);
        policy = policy_parse(b.policy, POLICY_RESOURCE, "MalformedPolicy", bucket_arn, &ignored);
    }
    principal ct;
    memset(&ct, 0, sizeof ct);
    ct.kind = PRINCIPAL_SERVICE;
    snprintf(ct.service, sizeof ct.service, "%s", CT_PRINCIPAL);

    /* Without an organization the aws:SourceOrgID slot is the terminating NULL. */
    const char *acl_ctx[] = {"aws:SourceArn",
                             t->arn,
                             "aws:SourceAccount",
                             t->account_id,
                             *org_id ? "aws:SourceOrgID" : NULL,
                             org_id,
                             NULL};
    const char *put_ctx[] = {"s3:x-amz-acl",
                             "bucket-owner-full-control",
                             "aws:SourceArn",
                             t->arn,
                             "aws:SourceAccount",
                             t->account_id,
                             *org_id ? "aws:SourceOrgID" : NULL,
                             org_id,
                             NULL};
    char resource[1024], prefix[256] = "";
    if (*t->s3_prefix) snprintf(prefix, sizeof prefix, "%s/", t->s3_prefix);
    bool ok = policy != NULL;
    snprintf(resource, sizeof resource, "arn:aws:s3:::%s", b.name);
    ok = ok && allowed(&ct, &b, policy, "s3:GetBucketAcl", resource, acl_ctx);
    /* A representative log-file key under each prefix the trail writes to. */
    snprintf(resource, sizeof resource, "arn:aws:s3:::%s/%sAWSLogs/%s/CloudTrail/%s/", b.name,
             prefix, t->account_id, t->home_region);
    ok = ok && allowed(&ct, &b, policy, "s3:PutObject", resource, put_ctx);
    if (t->is_org) {
        snprintf(resource, sizeof resource, "arn:aws:s3:::%s/%sAWSLogs/%s/%s/CloudTrail/%s/",
                 b.name, prefix, org_id, t->account_id, t->home_region);
        ok = ok && allowed(&ct, &b, policy, "s3:PutObject", resource, put_ctx);
    }
    json_decref(policy);
    s3_bucket_clear(&b);
    return ok ? 0 : insufficient(c, t->s3_bucket);
}
