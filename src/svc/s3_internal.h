/* s3_internal: what the files of the S3 service share.
 *
 *   s3.c           the operation table (SVC_S3)
 *   s3_rules.c     bucket naming and LocationConstraint rules
 *   s3_access.c    stored buckets and access decisions (s3_access.h)
 *   s3_call.c      per-request plumbing: find the bucket, check access, shape the record
 *   s3_buckets.c   bucket lifecycle and read-only bucket configuration operations
 *   s3_policy.c    bucket policy operations */
#ifndef ORGTRAIL_S3_INTERNAL_H
#define ORGTRAIL_S3_INTERNAL_H

#include <stdbool.h>

#include "core/awserr.h"
#include "svc/s3_access.h"
#include "svc/service.h"

/* ---- s3_rules.c ---- */

/* AWS's naming rules for general purpose buckets. */
bool s3_bucket_name_valid(const char *name);
/* Decides the region of a new bucket from the region the request was signed for and the
 * LocationConstraint (NULL or "" when unspecified). Returns 0 with region filled, or -1
 * with e (InvalidLocationConstraint / IllegalLocationConstraintException). */
int s3_location_resolve(const char *signed_region, const char *constraint, char *region,
                        size_t region_len, aws_error *e);

/* ---- s3_call.c ---- */

/* Starts CloudTrail's requestParameters for a bucket call: {"bucketName","Host"} plus
 * the subresource marker (e.g. "policy": ""), in the order AWS writes them. bucket and
 * subresource may be NULL. Sets c->request_parameters and returns it (borrowed), and makes
 * responseElements null, as S3 records it for every bucket call. */
json_t *s3_call_params(call_ctx *c, const char *bucket, const char *subresource);

/* Loads the bucket named in the input and checks that the caller may perform `action`
 * on it; records the bucket as the call's resource and gives a cross-account caller's
 * record to the owner too. Returns 0 with *b loaded (clear it with s3_bucket_clear), or
 * -1 with c->err set (NoSuchBucket, AccessDenied, MethodNotAllowed) and *b cleared. */
int s3_call_bucket(call_ctx *c, const char *action, s3_scope scope, s3_bucket *b);

/* ---- handlers ---- */
int s3_create_bucket(call_ctx *c);
int s3_head_bucket(call_ctx *c);
int s3_list_buckets(call_ctx *c);
int s3_delete_bucket(call_ctx *c);
int s3_get_bucket_location(call_ctx *c);
int s3_get_bucket_acl(call_ctx *c);
int s3_get_bucket_versioning(call_ctx *c);
int s3_get_object_lock_configuration(call_ctx *c);
int s3_put_bucket_policy(call_ctx *c);
int s3_get_bucket_policy(call_ctx *c);
int s3_delete_bucket_policy(call_ctx *c);

#endif
