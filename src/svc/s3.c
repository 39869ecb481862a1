/* s3: buckets, bucket policies and objects on the embedded store. See s3_internal.h for
 * the map of the S3 files. */
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
    {"PutObject", s3_put_object, NULL},
    {"GetObject", s3_get_object, NULL},
    {"HeadObject", s3_head_object, NULL},
    {"DeleteObject", s3_delete_object, NULL},
    {"DeleteObjects", s3_delete_objects, NULL},
    {"CopyObject", s3_copy_object, NULL},
    {"ListObjects", s3_list_objects, NULL},
    {"ListObjectsV2", s3_list_objects_v2, NULL},
    {"ListObjectVersions", s3_list_object_versions, NULL},
    {"CreateMultipartUpload", s3_create_multipart_upload, NULL},
    {"UploadPart", s3_upload_part, NULL},
    {"CompleteMultipartUpload", s3_complete_multipart_upload, NULL},
    {"AbortMultipartUpload", s3_abort_multipart_upload, NULL},
    {"ListParts", s3_list_parts, NULL},
    {"ListMultipartUploads", s3_list_multipart_uploads, NULL},
    {"PutBucketVersioning", s3_put_bucket_versioning, NULL},
    {"PutObjectLockConfiguration", s3_put_object_lock_configuration, NULL},
    {"PutObjectRetention", s3_put_object_retention, NULL},
    {"GetObjectRetention", s3_get_object_retention, NULL},
    {"PutObjectLegalHold", s3_put_object_legal_hold, NULL},
    {"GetObjectLegalHold", s3_get_object_legal_hold, NULL},
    {"PutBucketEncryption", s3_put_bucket_encryption, NULL},
    {"GetBucketEncryption", s3_get_bucket_encryption, NULL},
    {"DeleteBucketEncryption", s3_delete_bucket_encryption, NULL},
};

const service_def SVC_S3 = {"s3", VSTYLE_S3, OPS, sizeof OPS / sizeof *OPS};
