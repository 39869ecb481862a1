/* s3_access: buckets as stored, and who may act on them.
 *
 * A bucket belongs to the account that created it. Callers from that account are allowed
 * unless the bucket policy explicitly denies them (IAM identity policies are evaluated by
 * a later issue); the owner account's root user can always manage the bucket policy, as
 * AWS guarantees so that nobody locks themselves out. Callers from any other account, and
 * service principals, need an Allow from the bucket policy and no Deny. Some operations
 * never work across accounts: managing the bucket policy (AWS answers 405 when a policy
 * would otherwise allow it, 403 when not) and deleting the bucket. */
#ifndef ORGTRAIL_S3_ACCESS_H
#define ORGTRAIL_S3_ACCESS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "state/db.h"
#include "auth/principal.h"

typedef struct s3_bucket {
    char name[64];
    char account_id[13];
    char region[32];
    int64_t created_ms;
    bool object_lock;
    char versioning[16]; /* "" (never enabled), "Enabled" or "Suspended" */
    char *policy;        /* owned: the stored document, NULL when none; s3_bucket_clear */
} s3_bucket;

/* Loads a bucket by name: 1 found, 0 not. *b must be cleared with s3_bucket_clear. */
int s3_bucket_load(db_conn *db, const char *name, s3_bucket *b);
void s3_bucket_clear(s3_bucket *b);

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

/* The decision for `caller` doing `action` (e.g. "s3:GetBucketAcl") on `resource` of a
 * bucket owned by owner_account with parsed policy `policy` (NULL when none). context is
 * the condition context (key, value, ..., NULL) or NULL. Pure: no I/O. */
s3_verdict s3_access_decide(const principal *caller, const char *owner_account,
                            const json_t *policy, const char *action, const char *resource,
                            s3_scope scope, const char *const *context);

/* The 64-hex canonical user id S3 shows for an account: stable, derived from the id. */
void s3_canonical_id(const char *account_id, char out[65]);

#endif
