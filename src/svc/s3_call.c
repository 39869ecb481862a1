/* s3_call: what every bucket operation does around its own work — find the bucket, decide
 * access, and shape the CloudTrail record as S3 does (requestParameters with bucketName,
 * Host and the subresource; the bucket as the resource; the owner's copy of a
 * cross-account call). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/timeutil.h"
#include "policy/policy.h"
#include "state/org_state.h"
#include "svc/s3_internal.h"

json_t *s3_call_params(call_ctx *c, const char *bucket, const char *subresource)
{
    json_t *p = json_object();
    if (bucket) json_object_set_new(p, "bucketName", json_string(bucket));
    const char *host = c->http ? http_header_get(c->http, "host") : NULL;
    json_object_set_new(p, "Host", json_string(host ? host : ""));
    /* CloudTrail has written subresource markers as "" since eventVersion 1.08 (older
     * records used [""]). */
    if (subresource) json_object_set_new(p, subresource, json_string(""));
    json_decref(c->request_parameters);
    c->request_parameters = p;
    /* S3 bucket calls record no responseElements, even CreateBucket's Location. */
    json_decref(c->response_elements);
    c->response_elements = json_null();
    return p;
}

/* The condition context S3 gives a bucket policy for an authenticated caller. Strings
 * live in the struct; aws:SecureTransport is left out on purpose: orgtrail may sit behind
 * a TLS proxy it cannot see, and "deny unless TLS" policies must not lock users out. */
typedef struct access_context {
    const char *kv[32];
    int n;
    char epoch[24], now[32], org_id[40];
} access_context;

static void put(access_context *ac, const char *key, const char *value)
{
    ac->kv[ac->n++] = key;
    ac->kv[ac->n++] = value;
    ac->kv[ac->n] = NULL;
}

static void build_context(call_ctx *c, access_context *ac)
{
    const principal *p = c->caller;
    ac->n = 0;
    ac->kv[0] = NULL;
    put(ac, "aws:PrincipalAccount", p->account_id);
    put(ac, "aws:PrincipalArn", p->kind == PRINCIPAL_ASSUMED_ROLE ? p->role_arn : p->arn);
    put(ac, "aws:userid", p->principal_id);
    switch (p->kind) {
    case PRINCIPAL_ROOT:
        put(ac, "aws:PrincipalType", "Account");
        break;
    case PRINCIPAL_IAM_USER:
        put(ac, "aws:PrincipalType", "User");
        put(ac, "aws:username", p->user_name);
        break;
    case PRINCIPAL_ASSUMED_ROLE:
        put(ac, "aws:PrincipalType", "AssumedRole");
        break;
    default:
        break;
    }
    put(ac, "aws:PrincipalIsAWSService", "false");
    org_info org;
    if (org_of_account(c->db, p->account_id, &org)) {
        snprintf(ac->org_id, sizeof ac->org_id, "%s", org.id);
        put(ac, "aws:PrincipalOrgID", ac->org_id);
    }
    if (c->http && c->http->remote_ip[0]) put(ac, "aws:SourceIp", c->http->remote_ip);
    time_iso8601(c->now_ms, ac->now, sizeof ac->now);
    snprintf(ac->epoch, sizeof ac->epoch, "%" PRId64, c->now_ms / 1000);
    put(ac, "aws:CurrentTime", ac->now);
    put(ac, "aws:EpochTime", ac->epoch);
    put(ac, "s3:signatureversion", "AWS4-HMAC-SHA256");
}

static int no_such_bucket(call_ctx *c, const char *name)
{
    aws_fail(&c->err, 404, "NoSuchBucket", "The specified bucket does not exist");
    snprintf(c->err.extra_name, sizeof c->err.extra_name, "%s", "BucketName");
    snprintf(c->err.extra_value, sizeof c->err.extra_value, "%s", name);
    return -1;
}

s3_verdict s3_call_decide(call_ctx *c, const s3_bucket *b, const char *action, const char *resource,
                          s3_scope scope, const char *const *extra)
{
    json_t *policy = NULL;
    if (b->policy) {
        aws_error ignored;
        aws_error_clear(&ignored);
        policy = policy_parse(b->policy, POLICY_RESOURCE, "MalformedPolicy", NULL, &ignored);
    }
    access_context ac;
    build_context(c, &ac);
    for (int i = 0; extra && extra[i] && extra[i + 1] && ac.n < 30; i += 2)
        put(&ac, extra[i], extra[i + 1]);
    s3_verdict v =
        s3_access_decide(c->caller, b->account_id, policy, action, resource, scope, ac.kv);
    json_decref(policy);
    return v;
}

/* Loads the bucket and decides `action` on `resource`; see s3_call_bucket. */
static int call_checked(call_ctx *c, const char *action, const char *resource, s3_scope scope,
                        const char *const *extra, s3_bucket *b)
{
    const char *name = in_str(c, "Bucket");
    char arn[128];
    snprintf(arn, sizeof arn, "arn:aws:s3:::%s", name);
    if (!s3_bucket_load(c->db, name, b)) {
        call_add_resource(c, NULL, "AWS::S3::Bucket", arn);
        return no_such_bucket(c, name);
    }
    call_add_resource(c, b->account_id, "AWS::S3::Bucket", arn);
    call_add_recipient(c, b->account_id);
    s3_verdict v = s3_call_decide(c, b, action, resource ? resource : arn, scope, extra);

    const char *expected = in_str(c, "ExpectedBucketOwner");
    if (v == S3_ALLOW && expected && strcmp(expected, b->account_id)) v = S3_DENY_ACCESS;
    if (v == S3_ALLOW) return 0;
    s3_bucket_clear(b);
    if (v == S3_DENY_METHOD) {
        aws_fail(&c->err, 405, "MethodNotAllowed",
                 "The specified method is not allowed against this resource.");
        snprintf(c->err.extra_name, sizeof c->err.extra_name, "%s", "Method");
        snprintf(c->err.extra_value, sizeof c->err.extra_value, "%s",
                 c->http ? c->http->method : "");
        return -1;
    }
    return aws_fail(&c->err, 403, "AccessDenied", "Access Denied");
}

int s3_call_bucket(call_ctx *c, const char *action, s3_scope scope, s3_bucket *b)
{
    return call_checked(c, action, NULL, scope, NULL, b);
}

int s3_call_object(call_ctx *c, const char *action, const char *const *extra, s3_bucket *b)
{
    const char *bucket = in_str(c, "Bucket"), *key = in_str(c, "Key");
    c->data_event = true;
    json_t *params = s3_call_params(c, bucket, NULL);
    if (key) json_object_set_new(params, "key", json_string(key));
    char *arn = s3_object_arn_alloc(bucket, key);
    /* CloudTrail lists the object first (without an account), then its bucket. */
    if (key) call_add_resource(c, NULL, "AWS::S3::Object", arn);
    int rc = call_checked(c, action, key ? arn : NULL, S3_SCOPE_POLICY, extra, b);
    free(arn);
    return rc;
}

char *s3_object_arn_alloc(const char *bucket, const char *key)
{
    buf b = BUF_INIT;
    buf_printf(&b, "arn:aws:s3:::%s", bucket);
    if (key) buf_printf(&b, "/%s", key);
    return buf_steal(&b);
}
