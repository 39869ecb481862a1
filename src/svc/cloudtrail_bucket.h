/* cloudtrail_bucket: what cloudtrail.amazonaws.com may do in a log bucket.
 *
 * One decision serves both CloudTrail's create/update-time bucket check and every log
 * file delivery: the bucket policy, evaluated by the real policy engine for the service
 * principal with the condition keys AWS sets on CloudTrail's requests (aws:SourceArn =
 * the trail ARN, aws:SourceAccount = the trail's owner, aws:SourceOrgID for an
 * organization, and for PutObject s3:x-amz-acl = bucket-owner-full-control). */
#ifndef ORGTRAIL_CLOUDTRAIL_BUCKET_H
#define ORGTRAIL_CLOUDTRAIL_BUCKET_H

#include <stdbool.h>
#include <stddef.h>

#include "state/db.h"
#include "state/trail_state.h"

/* Whether CloudTrail, writing for trail t (org_id "" when none), may do action
 * ("s3:PutObject", "s3:GetBucketAcl") on resource (an S3 ARN) of the bucket named
 * t->s3_bucket. Returns 0 when allowed, or -1 with code set to S3's error code
 * (NoSuchBucket, AccessDenied). */
int ct_bucket_permits(db_conn *db, const trail *t, const char *org_id, const char *action,
                      const char *resource, char *code, size_t code_len);

#endif
