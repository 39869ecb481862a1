/* s3_multipart: CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
 * AbortMultipartUpload, ListParts and ListMultipartUploads. Parts (<= 64 MiB each, the
 * front end's body limit; the AWS CLI sends 8 MB parts) are stored by the object store;
 * completion assembles them into one version whose ETag is md5-of-md5s "-N". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc/s3_internal.h"

static json_t *owner_of(const char *account_id)
{
    char id[65];
    s3_canonical_id(account_id, id);
    return json_pack("{s:s, s:s}", "DisplayName", account_id, "ID", id);
}

static void upload_param(call_ctx *c)
{
    const char *id = in_str(c, "UploadId");
    if (id) json_object_set_new(c->request_parameters, "uploadId", json_string(id));
}

int s3_create_multipart_upload(call_ctx *c)
{
    s3_bucket b;
    if (s3_call_object(c, "s3:PutObject", NULL, &b)) return -1;
    json_object_set_new(c->request_parameters, "uploads", json_string(""));
    obj_put_opts o;
    char alg[16], id[65];
    int rc = -1;
    if (s3_put_opts_from_input(c, &o, alg)) goto out;
    if ((o.lock_mode || o.legal_hold) && !b.object_lock) {
        aws_fail(&c->err, 400, "InvalidRequest", "Bucket is missing Object Lock Configuration");
        goto out;
    }
    if (objstore_mpu_create(c->db, b.name, in_str(c, "Key"), &o, id, &c->err)) goto out;
    c->out = json_pack("{s:s, s:s, s:s, s:s}", "Bucket", b.name, "Key", in_str(c, "Key"),
                       "UploadId", id, "ServerSideEncryption", o.sse ? o.sse : "AES256");
    if (alg[0]) {
        char up[16];
        size_t k = 0;
        for (; alg[k] && k < 15; k++)
            up[k] = (char)(alg[k] >= 'a' && alg[k] <= 'z' ? alg[k] - 32 : alg[k]);
        up[k] = '\0';
        json_object_set_new(c->out, "ChecksumAlgorithm", json_string(up));
    }
    rc = 0;
out:
    s3_bucket_clear(&b);
    return rc;
}

int s3_upload_part(call_ctx *c)
{
    s3_bucket b;
    if (s3_call_object(c, "s3:PutObject", NULL, &b)) return -1;
    upload_param(c);
    json_object_set_new(c->request_parameters, "partNumber",
                        json_integer(in_int(c, "PartNumber", 0)));
    obj_put_opts o;
    char alg[16], etag[48];
    int rc = -1;
    if (s3_put_opts_from_input(c, &o, alg)) goto out;
    if (objstore_mpu_put_part(c->env->objects, c->db, b.name, in_str(c, "Key"),
                              in_str(c, "UploadId"), (int)in_int(c, "PartNumber", 0),
                              c->call->raw_payload, c->call->raw_payload_len, &o, etag, &c->err))
        goto out;
    c->out = json_pack("{s:s, s:s}", "ETag", etag, "ServerSideEncryption", "AES256");
    rc = 0;
out:
    s3_bucket_clear(&b);
    return rc;
}

int s3_complete_multipart_upload(call_ctx *c)
{
    s3_bucket b;
    if (s3_call_object(c, "s3:PutObject", NULL, &b)) return -1;
    upload_param(c);
    const json_t *parts = json_object_get(json_object_get(c->in, "MultipartUpload"), "Parts");
    size_t n = json_array_size(parts);
    obj_part *list = calloc(n ? n : 1, sizeof *list);
    if (!list) abort();
    size_t i;
    json_t *p;
    json_array_foreach(parts, i, p)
    {
        list[i].number = (int)json_integer_value(json_object_get(p, "PartNumber"));
        const char *etag = json_string_value(json_object_get(p, "ETag"));
        snprintf(list[i].etag, sizeof list[i].etag, "%s", etag ? etag : "");
    }
    obj_info v;
    int rc = objstore_mpu_complete(c->env->objects, c->db, b.name, in_str(c, "Key"),
                                   in_str(c, "UploadId"), list, n, c->now_ms, &v, &c->err);
    free(list);
    if (!rc) {
        char *loc = s3_object_arn_alloc(b.name, v.key);
        c->out = json_object();
        /* Location is the object's URL; path-style against this endpoint. */
        const char *host = http_header_get(c->http, "host");
        char url[2200];
        snprintf(url, sizeof url, "http://%s/%s/%s", host ? host : "localhost", b.name, v.key);
        json_object_set_new(c->out, "Location", json_string(url));
        json_object_set_new(c->out, "Bucket", json_string(b.name));
        json_object_set_new(c->out, "Key", json_string(v.key));
        s3_object_headers(&v, &b, c->out);
        free(loc);
        obj_info_clear(&v);
    }
    s3_bucket_clear(&b);
    return rc;
}

int s3_abort_multipart_upload(call_ctx *c)
{
    s3_bucket b;
    if (s3_call_object(c, "s3:AbortMultipartUpload", NULL, &b)) return -1;
    upload_param(c);
    int rc = objstore_mpu_abort(c->env->objects, c->db, b.name, in_str(c, "Key"),
                                in_str(c, "UploadId"), &c->err);
    if (!rc) c->http_status = 204;
    s3_bucket_clear(&b);
    return rc;
}

int s3_list_parts(call_ctx *c)
{
    s3_bucket b;
    if (s3_call_object(c, "s3:ListMultipartUploadParts", NULL, &b)) return -1;
    upload_param(c);
    int64_t max = in_int(c, "MaxParts", 1000);
    if (max < 0 || max > 1000) max = 1000;
    int marker = (int)in_int(c, "PartNumberMarker", 0);
    obj_part *parts;
    size_t n;
    bool truncated;
    if (objstore_mpu_list_parts(c->db, b.name, in_str(c, "Key"), in_str(c, "UploadId"), marker,
                                (int)max, &parts, &n, &truncated, &c->err)) {
        s3_bucket_clear(&b);
        return -1;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr,
                              json_pack("{s:i, s:o, s:s, s:I}", "PartNumber", parts[i].number,
                                        "LastModified", json_time(parts[i].modified_ms), "ETag",
                                        parts[i].etag, "Size", (json_int_t)parts[i].size));
    c->out = json_pack("{s:s, s:s, s:s, s:i, s:I, s:b, s:o, s:o, s:s}", "Bucket", b.name, "Key",
                       in_str(c, "Key"), "UploadId", in_str(c, "UploadId"), "PartNumberMarker",
                       marker, "MaxParts", (json_int_t)max, "IsTruncated", truncated, "Initiator",
                       owner_of(b.account_id), "Owner", owner_of(b.account_id), "StorageClass",
                       "STANDARD");
    if (n) json_object_set_new(c->out, "NextPartNumberMarker", json_integer(parts[n - 1].number));
    if (n)
        json_object_set_new(c->out, "Parts", arr);
    else
        json_decref(arr);
    free(parts);
    s3_bucket_clear(&b);
    return 0;
}

int s3_list_multipart_uploads(call_ctx *c)
{
    s3_bucket b;
    if (s3_call_object(c, "s3:ListBucketMultipartUploads", NULL, &b)) return -1;
    json_object_set_new(c->request_parameters, "uploads", json_string(""));
    int64_t max = in_int(c, "MaxUploads", 1000);
    if (max < 0 || max > 1000) max = 1000;
    const char *prefix = in_str(c, "Prefix"), *km = in_str(c, "KeyMarker"),
               *um = in_str(c, "UploadIdMarker");
    obj_upload *ups;
    size_t n;
    bool truncated;
    if (objstore_mpu_list(c->db, b.name, prefix, km, um, (int)max, &ups, &n, &truncated, &c->err)) {
        s3_bucket_clear(&b);
        return -1;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:o, s:s, s:o, s:o}", "UploadId",
                                             ups[i].upload_id, "Key", ups[i].key, "Initiated",
                                             json_time(ups[i].initiated_ms), "StorageClass",
                                             "STANDARD", "Owner", owner_of(ups[i].owner),
                                             "Initiator", owner_of(ups[i].owner)));
    c->out = json_pack("{s:s, s:s, s:s, s:I, s:b}", "Bucket", b.name, "KeyMarker", km ? km : "",
                       "UploadIdMarker", um ? um : "", "MaxUploads", (json_int_t)max, "IsTruncated",
                       truncated);
    if (prefix) json_object_set_new(c->out, "Prefix", json_string(prefix));
    if (truncated && n) {
        json_object_set_new(c->out, "NextKeyMarker", json_string(ups[n - 1].key));
        json_object_set_new(c->out, "NextUploadIdMarker", json_string(ups[n - 1].upload_id));
    }
    if (n)
        json_object_set_new(c->out, "Uploads", arr);
    else
        json_decref(arr);
    free(ups);
    s3_bucket_clear(&b);
    return 0;
}
