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
    {"CreateBucket", s3_create_bucket, CREATE_BUCKET_OVERRIDES, 0},
    {"HeadBucket", s3_head_bucket, NULL, 0},
    {"ListBuckets", s3_list_buckets, NULL, 0},
    {"DeleteBucket", s3_delete_bucket, NULL, 0},
    {"GetBucketLocation", s3_get_bucket_location, NULL, 0},
    {"GetBucketAcl", s3_get_bucket_acl, NULL, 0},
    {"GetBucketVersioning", s3_get_bucket_versioning, NULL, 0},
    {"GetObjectLockConfiguration", s3_get_object_lock_configuration, NULL, 0},
    {"PutBucketPolicy", s3_put_bucket_policy, NULL, 0},
    {"GetBucketPolicy", s3_get_bucket_policy, NULL, 0},
    {"DeleteBucketPolicy", s3_delete_bucket_policy, NULL, 0},
    {"PutObject", s3_put_object, NULL, 0},
    {"GetObject", s3_get_object, NULL, 0},
    {"HeadObject", s3_head_object, NULL, 0},
    {"DeleteObject", s3_delete_object, NULL, 0},
    {"DeleteObjects", s3_delete_objects, NULL, 0},
    {"CopyObject", s3_copy_object, NULL, 0},
    {"ListObjects", s3_list_objects, NULL, 0},
    {"ListObjectsV2", s3_list_objects_v2, NULL, 0},
    {"ListObjectVersions", s3_list_object_versions, NULL, 0},
    {"CreateMultipartUpload", s3_create_multipart_upload, NULL, 0},
    {"UploadPart", s3_upload_part, NULL, 0},
    {"CompleteMultipartUpload", s3_complete_multipart_upload, NULL, 0},
    {"AbortMultipartUpload", s3_abort_multipart_upload, NULL, 0},
    {"ListParts", s3_list_parts, NULL, 0},
    {"ListMultipartUploads", s3_list_multipart_uploads, NULL, 0},
    {"PutBucketVersioning", s3_put_bucket_versioning, NULL, 0},
    {"PutObjectLockConfiguration", s3_put_object_lock_configuration, NULL, 0},
    {"PutObjectRetention", s3_put_object_retention, NULL, 0},
    {"GetObjectRetention", s3_get_object_retention, NULL, 0},
    {"PutObjectLegalHold", s3_put_object_legal_hold, NULL, 0},
    {"GetObjectLegalHold", s3_get_object_legal_hold, NULL, 0},
    {"PutBucketEncryption", s3_put_bucket_encryption, NULL, 0},
    {"GetBucketEncryption", s3_get_bucket_encryption, NULL, 0},
    {"DeleteBucketEncryption", s3_delete_bucket_encryption, NULL, 0},
};

const service_def SVC_S3 = {.signing_name = "s3",
                            .style = VSTYLE_S3,
                            .ops = OPS,
                            .n_ops = sizeof OPS / sizeof *OPS,
                            .flags = SVC_KEY_MAKES_DATA_EVENT};
