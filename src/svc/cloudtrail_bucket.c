/* cloudtrail_bucket: CloudTrail's create/update-time check of the log bucket.
 *
 * AWS checks, when a trail is created or its bucket changes, that CloudTrail itself could
 * deliver: the bucket policy must let the service principal read the bucket ACL and put
 * objects under the trail's log prefix. orgtrail asks the real policy engine the same
 * questions CloudTrail's delivery will ask, with the condition keys AWS sets for
 * service-principal requests (aws:SourceArn, aws:SourceAccount, aws:SourceOrgID) and the
 * ACL header delivery sends (s3:x-amz-acl = bucket-owner-full-control), so that a policy
 * that passes here is one delivery can use (delivery asks ct_bucket_permits, the same
 * decision, for every file: policy/s3_access.h). */
#include <stdio.h>
#include <string.h>

#include "policy/s3_access.h"
#include "svc/cloudtrail_internal.h"
#include "svc/s3_internal.h"

static int insufficient(call_ctx *c, const char *bucket)
{
    return aws_fail(&c->err, 400, "InsufficientS3BucketPolicyException",
                    "Incorrect S3 bucket policy is detected for bucket: %s", bucket);
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
    json_t *policy = s3_bucket_policy_alloc(&b);
    char resource[1024], prefix[256] = "";
    if (*t->s3_prefix) snprintf(prefix, sizeof prefix, "%s/", t->s3_prefix);
    snprintf(resource, sizeof resource, "arn:aws:s3:::%s", b.name);
    bool ok = s3_cloudtrail_may(&b, policy, t, org_id, "s3:GetBucketAcl", resource);
    /* A representative log-file key under each prefix the trail writes to. */
    snprintf(resource, sizeof resource, "arn:aws:s3:::%s/%sAWSLogs/%s/CloudTrail/%s/", b.name,
             prefix, t->account_id, t->home_region);
    ok = ok && s3_cloudtrail_may(&b, policy, t, org_id, "s3:PutObject", resource);
    if (t->is_org) {
        snprintf(resource, sizeof resource, "arn:aws:s3:::%s/%sAWSLogs/%s/%s/CloudTrail/%s/",
                 b.name, prefix, org_id, t->account_id, t->home_region);
        ok = ok && s3_cloudtrail_may(&b, policy, t, org_id, "s3:PutObject", resource);
    }
    json_decref(policy);
    s3_bucket_clear(&b);
    return ok ? 0 : insufficient(c, t->s3_bucket);
}
