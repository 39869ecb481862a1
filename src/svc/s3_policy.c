/* s3_policy: PutBucketPolicy, GetBucketPolicy, DeleteBucketPolicy.
 *
 * Only the owner account manages a bucket's policy. A document is validated as S3 does
 * (MalformedPolicy with S3's messages; Resource limited to the bucket and its objects)
 * and then stored byte for byte: GetBucketPolicy returns exactly what was put. */
#include <stdio.h>
#include <string.h>

#include "policy/policy.h"
#include "svc/s3_internal.h"

int s3_put_bucket_policy(call_ctx *c)
{
    const char *name = in_str(c, "Bucket");
    const char *text = in_str(c, "Policy");
    /* CloudTrail records the document as an object (first), then the usual members. */
    json_t *params = json_object();
    json_t *doc = text ? json_loads(text, 0, NULL) : NULL;
    json_object_set_new(params, "bucketPolicy", doc ? doc : json_string(text ? text : ""));
    json_object_update(params, s3_call_params(c, name, "policy"));
    json_decref(c->request_parameters);
    c->request_parameters = params;

    s3_bucket b;
    if (s3_call_bucket(c, "s3:PutBucketPolicy", S3_SCOPE_POLICY_ADMIN, &b)) return -1;
    char arn[128];
    snprintf(arn, sizeof arn, "arn:aws:s3:::%s", b.name);
    json_t *parsed = policy_parse(text, POLICY_RESOURCE, "MalformedPolicy", arn, &c->err);
    int rc = -1;
    if (parsed) {
        rc = db_exec(c->db, "UPDATE s3_buckets SET policy = ? WHERE name = ?", "ss", text, b.name);
        json_decref(parsed);
    }
    s3_bucket_clear(&b);
    if (rc) return -1;
    c->http_status = 204;
    return 0;
}

int s3_get_bucket_policy(call_ctx *c)
{
    const char *name = in_str(c, "Bucket");
    s3_call_params(c, name, "policy");
    s3_bucket b;
    if (s3_call_bucket(c, "s3:GetBucketPolicy", S3_SCOPE_POLICY_ADMIN, &b)) return -1;
    if (!b.policy) {
        s3_bucket_clear(&b);
        aws_fail(&c->err, 404, "NoSuchBucketPolicy", "The bucket policy does not exist");
        snprintf(c->err.extra_name, sizeof c->err.extra_name, "%s", "BucketName");
        snprintf(c->err.extra_value, sizeof c->err.extra_value, "%s", name);
        return -1;
    }
    c->out = json_pack("{s:s}", "Policy", b.policy);
    s3_bucket_clear(&b);
    return 0;
}

int s3_delete_bucket_policy(call_ctx *c)
{
    s3_call_params(c, in_str(c, "Bucket"), "policy");
    s3_bucket b;
    if (s3_call_bucket(c, "s3:DeleteBucketPolicy", S3_SCOPE_POLICY_ADMIN, &b)) return -1;
    int rc = db_exec(c->db, "UPDATE s3_buckets SET policy = NULL WHERE name = ?", "s", b.name);
    s3_bucket_clear(&b);
    if (rc) return -1;
    c->http_status = 204;
    return 0;
}
