/* s3_access: who may act on an S3 bucket, decided by the policy engine over its bucket
 * policy; for S3's own requests and for CloudTrail's, which delivery makes.
 *
 * A bucket belongs to the account that created it, and its bucket policy is a resource
 * policy like any other: the decision is authorize()'s (policy/authorize.h) over the
 * caller's subject and the bucket policy. S3's own rules come on top: the owner
 * account's root user can always manage the bucket policy whatever the bucket policy
 * says, as AWS guarantees so that nobody locks themselves out (its SCPs still apply); some
 * operations never work across accounts: managing the bucket policy (AWS answers 405 when the
 * policies would otherwise allow it, 403 when not) and deleting the bucket. */
#ifndef ORGTRAIL_S3_ACCESS_H
#define ORGTRAIL_S3_ACCESS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/principal.h"
#include "policy/authz_subject.h"
#include "state/db.h"
#include "state/s3_bucket_state.h"
#include "state/trail_state.h"

typedef enum s3_scope {
    S3_SCOPE_POLICY,       /* any account the bucket policy allows */
    S3_SCOPE_OWNER,        /* the owner account only (DeleteBucket) */
    S3_SCOPE_POLICY_ADMIN, /* Put/Get/DeleteBucketPolicy: owner account only, root always */
} s3_scope;

typedef enum s3_verdict {
    S3_ALLOW = 0,
    S3_DENY_ACCESS, /* 403 AccessDenied */
    S3_DENY_METHOD, /* 405 MethodNotAllowed: allowed by policy, but not across accounts */
} s3_verdict;

/* The decision for `caller` (whose policies are subject s) doing `action` (e.g.
 * "s3:GetBucketAcl") on `resource` of a bucket owned by owner_account with parsed policy
 * `policy` (NULL when none). context is the condition context (key, value, ..., NULL) or
 * NULL; session the caller's session policies (n_session of them, authz_subject.h).
 * *r is the policies' decision and *in what it was made over (for authz_message;
 * borrowed from the arguments). Pure: no I/O. */
s3_verdict s3_access_decide(const authz_subject *s, const principal *caller,
                            const char *owner_account, const json_t *policy, const char *action,
                            const char *resource, s3_scope scope, const char *const *context,
                            const json_t *const *session, size_t n_session, authz_input *in,
                            authz_result *r);

/* CloudTrail writing for a trail. One decision serves both CloudTrail's create/update-time
 * bucket check and every log file delivery: the bucket policy, evaluated for the service
 * principal with the condition keys AWS sets on CloudTrail's requests (aws:SourceArn = the
 * trail ARN, aws:SourceAccount = the trail's owner, aws:SourceOrgID for an organization,
 * and for PutObject s3:x-amz-acl = bucket-owner-full-control). */

/* b's policy parsed, or NULL when it has none (or it does not parse: then nothing is
 * allowed to a service principal). Caller json_decref's. */
json_t *s3_bucket_policy_alloc(const s3_bucket *b);
/* Whether CloudTrail, writing for trail t (org_id "" when none), may do action on
 * resource of bucket b whose parsed policy is `policy`. */
bool s3_cloudtrail_may(const s3_bucket *b, const json_t *policy, const trail *t, const char *org_id,
                       const char *action, const char *resource);
/* The same for the bucket named t->s3_bucket, loaded from db. Returns 0 when allowed, or
 * -1 with code set to S3's error code (NoSuchBucket, AccessDenied). */
int ct_bucket_permits(db_conn *db, const trail *t, const char *org_id, const char *action,
                      const char *resource, char *code, size_t code_len);

#endif
