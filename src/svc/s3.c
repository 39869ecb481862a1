/* s3: buckets and bucket policies (objects arrive with delivery). The operations live in
 * s3_buckets.c and s3_policy.c; see s3_internal.h for the map of the S3 files. */
#include "svc/s3_internal.h"

/* A LocationConstraint outside the model's enum (us-east-1 included) is S3's
 * InvalidLocationConstraint, not a generic InvalidArgument. */
static const validation_override CREATE_BUCKET_OVERRIDES[] = {
    {"CreateBucketConfiguration", "InvalidLocationConstraint",
     "The specified location-constraint is not valid"},
    {NULL, NULL, NULL},
};

static const op_def OPS[] = {
    {"CreateBucket", s3_create_bucket, CREATE_BUCKET_OVERRIDES},
    {"HeadBucket", s3_head_bucket, NULL},
    {"ListBuckets", s3_list_buckets, NULL},
    {"DeleteBucket", s3_delete_bucket, NULL},
    {"GetBucketLocation", s3_get_bucket_location, NULL},
    {"GetBucketAcl", s3_get_bucket_acl, NULL},
    {"GetBucketVersioning", s3_get_bucket_versioning, NULL},
    {"GetObjectLockConfiguration", s3_get_object_lock_configuration, NULL},
    {"PutBucketPolicy", s3_put_bucket_policy, NULL},
    {"GetBucketPolicy", s3_get_bucket_policy, NULL},
    {"DeleteBucketPolicy", s3_delete_bucket_policy, NULL},
};

const service_def SVC_S3 = {"s3", "s3.amazonaws.com",      false, VSTYLE_S3,
                            OPS,  sizeof OPS / sizeof *OPS};
