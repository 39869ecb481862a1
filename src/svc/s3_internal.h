/* s3_internal: what the files of the S3 service share.
 *
 *   s3.c           the operation table (SVC_S3)
 *   s3_rules.c     bucket naming and LocationConstraint rules, canonical user ids
 *   s3_call.c      per-request plumbing: find the bucket, check access, shape the record
 *   s3_buckets.c   bucket lifecycle and read-only bucket configuration operations
 *   s3_policy.c    bucket policy operations
 *   s3_objects.c   object reads, writes, deletes and copies (on store/objstore.h)
 *   s3_list.c      ListObjects, ListObjectsV2, ListObjectVersions
 *   s3_multipart.c multipart uploads
 *   s3_settings.c  versioning, Object Lock, retention, legal hold and encryption settings */
#ifndef ORGTRAIL_S3_INTERNAL_H
#define ORGTRAIL_S3_INTERNAL_H

#include <stdbool.h>

#include "core/awserr.h"
#include "policy/s3_access.h"
#include "store/objstore.h"
#include "svc/service.h"

/* ---- s3_rules.c ---- */

/* The 64-hex canonical user id S3 shows for an account: stable, derived from the id. */
void s3_canonical_id(const char *account_id, char out[65]);
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

/* As s3_call_bucket for a call on an object (Key in the input, may be absent for
 * bucket-level data calls such as ListObjectsV2): marks the call a data event, starts
 * requestParameters with bucketName/Host/key, records the object and bucket resources,
 * and decides `action` on arn:aws:s3:::bucket/key with extra condition keys (key, value,
 * ..., NULL; may be NULL). */
int s3_call_object(call_ctx *c, const char *action, const char *const *extra, s3_bucket *b);
/* The decision alone, for further actions of a call whose bucket is loaded (per key of
 * DeleteObjects, bypass-governance, the source of a copy). */
s3_verdict s3_call_decide(call_ctx *c, const s3_bucket *b, const char *action, const char *resource,
                          s3_scope scope, const char *const *extra);
/* "arn:aws:s3:::bucket[/key]" (caller frees). */
char *s3_object_arn_alloc(const char *bucket, const char *key);

/* ---- s3_objects.c: helpers the object handlers share ---- */

/* The put options of the input (content type, metadata, Content-MD5, x-amz-checksum-*,
 * lock headers, SSE); alg receives the checksum algorithm. -1 with c->err when invalid. */
int s3_put_opts_from_input(call_ctx *c, obj_put_opts *o, char alg[16]);
/* ETag, VersionId (when the bucket has versioning), SSE and checksum output members. */
void s3_object_headers(const obj_info *v, const s3_bucket *b, json_t *out);
/* "ChecksumCRC32" ... for "crc32" ...; NULL when unknown. */
const char *s3_checksum_member(const char *alg);

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
int s3_put_object(call_ctx *c);
int s3_get_object(call_ctx *c);
int s3_head_object(call_ctx *c);
int s3_delete_object(call_ctx *c);
int s3_delete_objects(call_ctx *c);
int s3_copy_object(call_ctx *c);
int s3_list_objects(call_ctx *c);
int s3_list_objects_v2(call_ctx *c);
int s3_list_object_versions(call_ctx *c);
int s3_create_multipart_upload(call_ctx *c);
int s3_upload_part(call_ctx *c);
int s3_complete_multipart_upload(call_ctx *c);
int s3_abort_multipart_upload(call_ctx *c);
int s3_list_parts(call_ctx *c);
int s3_list_multipart_uploads(call_ctx *c);
int s3_put_bucket_versioning(call_ctx *c);
int s3_put_object_lock_configuration(call_ctx *c);
int s3_put_object_retention(call_ctx *c);
int s3_get_object_retention(call_ctx *c);
int s3_put_object_legal_hold(call_ctx *c);
int s3_get_object_legal_hold(call_ctx *c);
int s3_put_bucket_encryption(call_ctx *c);
int s3_get_bucket_encryption(call_ctx *c);
int s3_delete_bucket_encryption(call_ctx *c);

#endif
