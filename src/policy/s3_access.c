#include "policy/s3_access.h"

#include <stdio.h>
#include <string.h>

#include "policy/policy.h"

s3_verdict s3_access_decide(const authz_subject *s, const principal *caller,
                            const char *owner_account, const json_t *policy, const char *action,
                            const char *resource, s3_scope scope, const char *const *context,
                            const json_t *const *session, size_t n_session, authz_input *in,
                            authz_result *r)
{
    bool service = caller->kind == PRINCIPAL_SERVICE;
    bool same_account = !service && !strcmp(caller->account_id, owner_account);
    memset(r, 0, sizeof *r);
    memset(in, 0, sizeof *in);
    /* Root of the owner account can always manage the policy, even when it denies root:
     * the bucket policy does not take part then, the SCPs of a member account still do. */
    bool root_admin =
        same_account && scope == S3_SCOPE_POLICY_ADMIN && caller->kind == PRINCIPAL_ROOT;
    authz_target t = {
        .action = action,
        .resource = resource,
        .resource_account = owner_account,
        .resource_policy = root_admin ? NULL : policy,
        .context = context,
        .session = session,
        .n_session = n_session,
    };
    *r = authz_subject_decide(s, caller, &t, in);
    if (r->decision != AUTHZ_ALLOW) return S3_DENY_ACCESS;
    if (same_account) return S3_ALLOW;
    switch (scope) {
    case S3_SCOPE_OWNER:
        return S3_DENY_ACCESS;
    case S3_SCOPE_POLICY_ADMIN:
        return S3_DENY_METHOD;
    default:
        return S3_ALLOW;
    }
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

bool s3_cloudtrail_may(const s3_bucket *b, const json_t *policy, const trail *t, const char *org_id,
                       const char *action, const char *resource)
{
    if (!policy) return false; /* a service principal needs the policy's Allow */
    principal ct;
    memset(&ct, 0, sizeof ct);
    ct.kind = PRINCIPAL_SERVICE;
    snprintf(ct.service, sizeof ct.service, "%s", "cloudtrail.amazonaws.com");
    authz_subject s;
    memset(&s, 0, sizeof s);
    s.type = AUTHZ_SERVICE;
    const char *slots[9];
    authz_input in;
    authz_result r;
    return s3_access_decide(&s, &ct, b->account_id, policy, action, resource, S3_SCOPE_POLICY,
                            context_for(action, t, org_id, slots), NULL, 0, &in, &r) == S3_ALLOW;
}

json_t *s3_bucket_policy_alloc(const s3_bucket *b)
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
    json_t *policy = s3_bucket_policy_alloc(&b);
    bool ok = s3_cloudtrail_may(&b, policy, t, org_id, action, resource);
    json_decref(policy);
    s3_bucket_clear(&b);
    if (!ok) snprintf(code, code_len, "%s", "AccessDenied");
    return ok ? 0 : -1;
}
