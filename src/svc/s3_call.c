/* s3_call: what every bucket operation does around its own work — find the bucket, decide
 * access, and shape the CloudTrail record as S3 does (requestParameters with bucketName,
 * Host and the subresource; the bucket as the resource; the owner's copy of a
 * cross-account call). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "policy/authz_context.h"
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

static int no_such_bucket(call_ctx *c, const char *name)
{
    aws_fail(&c->err, 404, "NoSuchBucket", "The specified bucket does not exist");
    snprintf(c->err.extra_name, sizeof c->err.extra_name, "%s", "BucketName");
    snprintf(c->err.extra_value, sizeof c->err.extra_value, "%s", name);
    return -1;
}

/* The decision, with AWS's refusal text in msg when msg is not NULL: the detailed form
 * for a caller of the bucket owner's account or organization, S3's bare "Access Denied"
 * for anyone else. The bucket policy is a resource policy like any other (policy/
 * authorize.h); S3's own rules come on top: the owner account's root may always manage
 * the bucket policy (so that nobody locks the bucket away), deleting a bucket and
 * managing its policy never work across accounts. */
static s3_verdict decide(call_ctx *c, const s3_bucket *b, const char *action, const char *resource,
                         s3_scope scope, const char *const *extra, char *msg, size_t msglen)
{
    const principal *p = c->caller;
    bool same = p->kind != PRINCIPAL_SERVICE && !strcmp(p->account_id, b->account_id);
    json_t *policy = NULL;
    if (b->policy) {
        aws_error ignored;
        aws_error_clear(&ignored);
        policy = policy_parse(b->policy, POLICY_RESOURCE, "MalformedPolicy", NULL, &ignored);
    }
    authz_context x = AUTHZ_CONTEXT_INIT;
    call_context_globals(c, &x);
    authz_context_add(&x, "s3:signatureversion", "AWS4-HMAC-SHA256");
    authz_context_add_list(&x, extra);
    authz_input in;
    authz_result r;
    const authz_subject *subject = call_subject(c);
    s3_verdict v = s3_access_decide(
        subject, c->caller, b->account_id, policy, action, resource, scope, authz_context_kv(&x),
        (const json_t *const *)c->session_policies, c->n_session_policies, &in, &r);
    if (v == S3_DENY_ACCESS && msg) {
        org_info org;
        bool same_org = c->subject && c->subject->org_id[0] &&
                        org_of_account(c->db, b->account_id, &org) &&
                        !strcmp(org.id, c->subject->org_id);
        if (r.decision != AUTHZ_ALLOW && in.request.action && (same || same_org))
            authz_message_s3(&in, r, call_caller_arn(c), msg, msglen);
        else
            snprintf(msg, msglen, "%s", "Access Denied");
    }
    authz_context_free(&x);
    json_decref(policy);
    return v;
}

s3_verdict s3_call_decide(call_ctx *c, const s3_bucket *b, const char *action, const char *resource,
                          s3_scope scope, const char *const *extra)
{
    return decide(c, b, action, resource, scope, extra, NULL, 0);
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
    char msg[2048] = "Access Denied";
    s3_verdict v = decide(c, b, action, resource ? resource : arn, scope, extra, msg, sizeof msg);

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
    return aws_fail(&c->err, 403, "AccessDenied", "%s", msg);
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
