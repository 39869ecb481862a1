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
    {"CreateBucket", s3_create_bucket, CREATE_BUCKET_OVERRIDES, OP_AUTHORIZES_ITSELF},
    {"HeadBucket", s3_head_bucket, NULL, OP_AUTHORIZES_ITSELF},
    {"ListBuckets", s3_list_buckets, NULL, OP_AUTHORIZES_ITSELF},
    {"DeleteBucket", s3_delete_bucket, NULL, OP_AUTHORIZES_ITSELF},
    {"GetBucketLocation", s3_get_bucket_location, NULL, OP_AUTHORIZES_ITSELF},
    {"GetBucketAcl", s3_get_bucket_acl, NULL, OP_AUTHORIZES_ITSELF},
    {"GetBucketVersioning", s3_get_bucket_versioning, NULL, OP_AUTHORIZES_ITSELF},
    {"GetObjectLockConfiguration", s3_get_object_lock_configuration, NULL, OP_AUTHORIZES_ITSELF},
    {"PutBucketPolicy", s3_put_bucket_policy, NULL, OP_AUTHORIZES_ITSELF},
    {"GetBucketPolicy", s3_get_bucket_policy, NULL, OP_AUTHORIZES_ITSELF},
    {"DeleteBucketPolicy", s3_delete_bucket_policy, NULL, OP_AUTHORIZES_ITSELF},
    {"PutObject", s3_put_object, NULL, OP_AUTHORIZES_ITSELF},
    {"GetObject", s3_get_object, NULL, OP_AUTHORIZES_ITSELF},
    {"HeadObject", s3_head_object, NULL, OP_AUTHORIZES_ITSELF},
    {"DeleteObject", s3_delete_object, NULL, OP_AUTHORIZES_ITSELF},
    {"DeleteObjects", s3_delete_objects, NULL, OP_AUTHORIZES_ITSELF},
    {"CopyObject", s3_copy_object, NULL, OP_AUTHORIZES_ITSELF},
    {"ListObjects", s3_list_objects, NULL, OP_AUTHORIZES_ITSELF},
    {"ListObjectsV2", s3_list_objects_v2, NULL, OP_AUTHORIZES_ITSELF},
    {"ListObjectVersions", s3_list_object_versions, NULL, OP_AUTHORIZES_ITSELF},
    {"CreateMultipartUpload", s3_create_multipart_upload, NULL, OP_AUTHORIZES_ITSELF},
    {"UploadPart", s3_upload_part, NULL, OP_AUTHORIZES_ITSELF},
    {"CompleteMultipartUpload", s3_complete_multipart_upload, NULL, OP_AUTHORIZES_ITSELF},
    {"AbortMultipartUpload", s3_abort_multipart_upload, NULL, OP_AUTHORIZES_ITSELF},
    {"ListParts", s3_list_parts, NULL, OP_AUTHORIZES_ITSELF},
    {"ListMultipartUploads", s3_list_multipart_uploads, NULL, OP_AUTHORIZES_ITSELF},
    {"PutBucketVersioning", s3_put_bucket_versioning, NULL, OP_AUTHORIZES_ITSELF},
    {"PutObjectLockConfiguration", s3_put_object_lock_configuration, NULL, OP_AUTHORIZES_ITSELF},
    {"PutObjectRetention", s3_put_object_retention, NULL, OP_AUTHORIZES_ITSELF},
    {"GetObjectRetention", s3_get_object_retention, NULL, OP_AUTHORIZES_ITSELF},
    {"PutObjectLegalHold", s3_put_object_legal_hold, NULL, OP_AUTHORIZES_ITSELF},
    {"GetObjectLegalHold", s3_get_object_legal_hold, NULL, OP_AUTHORIZES_ITSELF},
    {"PutBucketEncryption", s3_put_bucket_encryption, NULL, OP_AUTHORIZES_ITSELF},
    {"GetBucketEncryption", s3_get_bucket_encryption, NULL, OP_AUTHORIZES_ITSELF},
    {"DeleteBucketEncryption", s3_delete_bucket_encryption, NULL, OP_AUTHORIZES_ITSELF},
};

const service_def SVC_S3 = {.signing_name = "s3",
                            .style = VSTYLE_S3,
                            .ops = OPS,
                            .n_ops = sizeof OPS / sizeof *OPS,
                            .flags = SVC_KEY_MAKES_DATA_EVENT | SVC_DENIAL_QUOTES_RESOURCE,
                            .denied_status = 403,
                            .denied_code = "AccessDenied"};
