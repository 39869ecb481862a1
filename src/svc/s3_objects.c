/* s3_objects: PutObject, GetObject, HeadObject, DeleteObject, DeleteObjects and
 * CopyObject on the embedded object store (store/objstore.h).
 *
 * Bodies arrive whole in memory (the front end's 64 MiB request limit; aws-chunked bodies
 * are already decoded, their trailing checksum turned into an x-amz-checksum-* header).
 * The AWS CLI switches to multipart above 8 MB, so its uploads fit; what remains is
 * streaming single PUTs larger than 64 MiB to a temp file. Downloads stream from the
 * version's file (the response owns a descriptor), so GETs of any size cost no memory. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/timeutil.h"
#include "svc/s3_conditional.h"
#include "svc/s3_internal.h"

static const char *const CHECKSUM_MEMBERS[][2] = {
    {"ChecksumCRC32", "crc32"}, {"ChecksumCRC32C", "crc32c"}, {"ChecksumCRC64NVME", "crc64nvme"},
    {"ChecksumSHA1", "sha1"},   {"ChecksumSHA256", "sha256"},
};

const char *s3_checksum_member(const char *alg)
{
    for (size_t i = 0; i < sizeof CHECKSUM_MEMBERS / sizeof *CHECKSUM_MEMBERS; i++)
        if (!strcasecmp(CHECKSUM_MEMBERS[i][1], alg)) return CHECKSUM_MEMBERS[i][0];
    return NULL;
}

int s3_put_opts_from_input(call_ctx *c, obj_put_opts *o, char alg[16])
{
    memset(o, 0, sizeof *o);
    alg[0] = '\0';
    o->owner = c->caller->account_id[0] ? c->caller->account_id : NULL;
    o->now_ms = c->now_ms;
    o->content_type = in_str(c, "ContentType");
    o->metadata = json_object_get(c->in, "Metadata");
    o->content_md5 = in_str(c, "ContentMD5");
    for (size_t i = 0; i < sizeof CHECKSUM_MEMBERS / sizeof *CHECKSUM_MEMBERS; i++) {
        const char *v = in_str(c, CHECKSUM_MEMBERS[i][0]);
        if (!v) continue;
        if (alg[0])
            return aws_fail(&c->err, 400, "InvalidRequest",
                            "Expecting a single x-amz-checksum- header. Multiple checksum Types "
                            "are not allowed.");
        snprintf(alg, 16, "%s", CHECKSUM_MEMBERS[i][1]);
        o->checksum_value = v;
    }
    const char *sdk_alg = in_str(c, "ChecksumAlgorithm");
    if (!alg[0] && sdk_alg) {
        for (int i = 0; sdk_alg[i] && i < 15; i++)
            alg[i] = (char)(sdk_alg[i] >= 'A' && sdk_alg[i] <= 'Z' ? sdk_alg[i] + 32 : sdk_alg[i]);
        alg[strlen(sdk_alg) < 15 ? strlen(sdk_alg) : 15] = '\0';
    }
    if (alg[0]) o->checksum_alg = alg;
    const char *mode = in_str(c, "ObjectLockMode");
    const json_t *until = json_object_get(c->in, "ObjectLockRetainUntilDate");
    if ((mode != NULL) != (until != NULL))
        return aws_fail(&c->err, 400, "InvalidArgument",
                        "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both "
                        "be supplied");
    if (mode) {
        o->lock_mode = mode;
        o->retain_until_ms = (int64_t)(json_number_value(until) * 1000.0);
        if (o->retain_until_ms <= c->now_ms)
            return aws_fail(&c->err, 400, "InvalidArgument",
                            "The retain until date must be in the future!");
    }
    const char *hold = in_str(c, "ObjectLockLegalHoldStatus");
    o->legal_hold = hold && !strcmp(hold, "ON");
    o->sse = in_str(c, "ServerSideEncryption");
    return 0;
}

void s3_object_headers(const obj_info *v, const s3_bucket *b, json_t *out)
{
    json_object_set_new(out, "ETag", json_string(v->etag));
    if (b->versioning[0]) json_object_set_new(out, "VersionId", json_string(v->version_id));
    if (v->sse[0]) json_object_set_new(out, "ServerSideEncryption", json_string(v->sse));
    if (v->checksum_alg[0] && v->checksum[0]) {
        const char *m = s3_checksum_member(v->checksum_alg);
        if (m) json_object_set_new(out, m, json_string(v->checksum));
    }
}

int s3_put_object(call_ctx *c)
{
    const char *acl = in_str(c, "ACL");
    const char *extra[] = {"s3:x-amz-acl", acl, NULL};
    s3_bucket b;
    if (s3_call_object(c, "s3:PutObject", acl ? extra : NULL, &b)) return -1;
    obj_put_opts o;
    char alg[16];
    obj_info v;
    int rc = -1;
    if (s3_put_opts_from_input(c, &o, alg)) goto out;
    if (objstore_put(c->env->objects, c->db, b.name, in_str(c, "Key"), c->call->raw_payload,
                     c->call->raw_payload_len, &o, &v, &c->err))
        goto out;
    c->out = json_object();
    s3_object_headers(&v, &b, c->out);
    obj_info_clear(&v);
    rc = 0;
out:
    s3_bucket_clear(&b);
    return rc;
}

/* Parses a single "bytes=" range against size. Returns 1 with [*first, *last] for a
 * satisfiable range, 0 to serve the whole object (no header, or one S3 ignores), -1 when
 * unsatisfiable (416 InvalidRange). */
static int parse_range(const char *h, int64_t size, int64_t *first, int64_t *last)
{
    if (!h || strncmp(h, "bytes=", 6) || strchr(h, ',')) return 0;
    const char *p = h + 6;
    char *end;
    if (*p == '-') {
        long long n = strtoll(p + 1, &end, 10);
        if (*end || end == p + 1) return 0;
        if (n == 0) return -1;
        if (size == 0) return -1;
        *first = n >= size ? 0 : size - n;
        *last = size - 1;
        return 1;
    }
    long long a = strtoll(p, &end, 10);
    if (end == p || *end != '-') return 0;
    const char *q = end + 1;
    long long z = size - 1;
    if (*q) {
        z = strtoll(q, &end, 10);
        if (*end || z < a) return 0;
    }
    if (a >= size) return -1;
    if (z >= size) z = size - 1;
    *first = a;
    *last = z;
    return 1;
}

/* The request's conditional headers against the version (svc/s3_conditional.h). The
 * dates arrive decoded by the protocol layer as epoch seconds. */
static s3_cond_result read_conditions(const call_ctx *c, const obj_info *v, const char **failed)
{
    s3_conditions cond = {.if_match = in_str(c, "IfMatch"),
                          .if_none_match = in_str(c, "IfNoneMatch")};
    const json_t *since = json_object_get(c->in, "IfModifiedSince");
    const json_t *unmodified = json_object_get(c->in, "IfUnmodifiedSince");
    if (json_is_number(since)) {
        cond.has_modified_since = true;
        cond.modified_since_s = (int64_t)floor(json_number_value(since));
    }
    if (json_is_number(unmodified)) {
        cond.has_unmodified_since = true;
        cond.unmodified_since_s = (int64_t)floor(json_number_value(unmodified));
    }
    return s3_conditions_eval(&cond, v->etag, v->modified_ms, failed);
}

/* GetObject and HeadObject: the version's headers, and its bytes as a file region. */
static int read_object(call_ctx *c, const char *action)
{
    const char *version = in_str(c, "VersionId");
    const char *extra[] = {"s3:VersionId", version, NULL};
    s3_bucket b;
    if (s3_call_object(
            c, version ? (strcmp(action, "s3:GetObject") ? action : "s3:GetObjectVersion") : action,
            version ? extra : NULL, &b))
        return -1;
    if (version) json_object_set_new(c->request_parameters, "versionId", json_string(version));
    obj_info v;
    int fd = -1;
    int rc = -1;
    if (objstore_open_version(c->env->objects, c->db, b.name, in_str(c, "Key"), version, &v, &fd,
                              &c->err))
        goto out;
    if (v.delete_marker) {
        /* A delete marker as the current version reads as a missing key; asked for by
         * its version id, it is a method the marker does not allow. */
        if (version)
            aws_fail(&c->err, 405, "MethodNotAllowed",
                     "The specified method is not allowed against this resource.");
        else {
            aws_fail(&c->err, 404, "NoSuchKey", "The specified key does not exist.");
            snprintf(c->err.extra_name, sizeof c->err.extra_name, "Key");
            snprintf(c->err.extra_value, sizeof c->err.extra_value, "%s", in_str(c, "Key"));
        }
        obj_info_clear(&v);
        goto out;
    }
    const char *failed = NULL;
    s3_cond_result cond = read_conditions(c, &v, &failed);
    if (cond != S3_COND_PASS) {
        close(fd);
        if (cond == S3_COND_FAILED) {
            aws_fail(&c->err, 412, "PreconditionFailed",
                     "At least one of the pre-conditions you specified did not hold");
            snprintf(c->err.extra_name, sizeof c->err.extra_name, "Condition");
            snprintf(c->err.extra_value, sizeof c->err.extra_value, "%s", failed);
        } else {
            /* 304 Not Modified: the validators, no body. */
            c->out = json_object();
            json_object_set_new(c->out, "ETag", json_string(v.etag));
            json_object_set_new(c->out, "LastModified", json_time(v.modified_ms));
            c->http_status = 304;
            rc = 0;
        }
        obj_info_clear(&v);
        goto out;
    }
    int64_t first = 0, last = v.size - 1;
    int r = parse_range(http_header_get(c->http, "range"), v.size, &first, &last);
    if (r < 0) {
        aws_fail(&c->err, 416, "InvalidRange", "The requested range is not satisfiable");
        snprintf(c->err.extra_name, sizeof c->err.extra_name, "ActualObjectSize");
        snprintf(c->err.extra_value, sizeof c->err.extra_value, "%" PRId64, v.size);
        close(fd);
        obj_info_clear(&v);
        goto out;
    }
    int64_t len = v.size ? last - first + 1 : 0;
    c->out = json_object();
    s3_object_headers(&v, &b, c->out);
    json_object_set_new(c->out, "AcceptRanges", json_string("bytes"));
    json_object_set_new(c->out, "LastModified", json_time(v.modified_ms));
    json_object_set_new(c->out, "ContentLength", json_integer(len));
    if (v.metadata) json_object_set(c->out, "Metadata", v.metadata);
    if (v.parts_count && in_int(c, "PartNumber", 0))
        json_object_set_new(c->out, "PartsCount", json_integer(v.parts_count));
    if (v.lock_mode[0]) {
        json_object_set_new(c->out, "ObjectLockMode", json_string(v.lock_mode));
        json_object_set_new(c->out, "ObjectLockRetainUntilDate", json_time(v.retain_until_ms));
    }
    if (v.legal_hold) json_object_set_new(c->out, "ObjectLockLegalHoldStatus", json_string("ON"));
    /* Checksums are only shown when asked for (x-amz-checksum-mode: ENABLED). */
    /* Checksums are of the whole object, so a range never shows one. */
    const char *mode = in_str(c, "ChecksumMode");
    if (!mode || strcmp(mode, "ENABLED") || r > 0) {
        const char *m = v.checksum_alg[0] ? s3_checksum_member(v.checksum_alg) : NULL;
        if (m) json_object_del(c->out, m);
    }
    if (r > 0) {
        char cr[96];
        snprintf(cr, sizeof cr, "bytes %" PRId64 "-%" PRId64 "/%" PRId64, first, last, v.size);
        json_object_set_new(c->out, "ContentRange", json_string(cr));
        c->http_status = 206;
    }
    c->raw_owned = strdup(v.content_type);
    c->raw.content_type = c->raw_owned;
    c->raw.has_fd = true;
    c->raw.fd = fd;
    c->raw.off = (uint64_t)first;
    c->raw.len = (size_t)len;
    obj_info_clear(&v);
    rc = 0;
out:
    s3_bucket_clear(&b);
    return rc;
}

int s3_get_object(call_ctx *c)
{
    return read_object(c, "s3:GetObject");
}

int s3_head_object(call_ctx *c)
{
    /* HeadObject needs the s3:GetObject permission, as in S3. */
    return read_object(c, "s3:GetObject");
}

/* Whether the caller may use x-amz-bypass-governance-retention on this object. */
static bool bypass_allowed(call_ctx *c, const s3_bucket *b, const char *key)
{
    if (!in_bool(c, "BypassGovernanceRetention", false)) return false;
    char *arn = s3_object_arn_alloc(b->name, key);
    bool ok = s3_call_decide(c, b, "s3:BypassGovernanceRetention", arn, S3_SCOPE_POLICY, NULL) ==
              S3_ALLOW;
    free(arn);
    return ok;
}

int s3_delete_object(call_ctx *c)
{
    const char *version = in_str(c, "VersionId");
    s3_bucket b;
    if (s3_call_object(c, version ? "s3:DeleteObjectVersion" : "s3:DeleteObject", NULL, &b))
        return -1;
    if (version) json_object_set_new(c->request_parameters, "versionId", json_string(version));
    const char *key = in_str(c, "Key");
    obj_delete_result r;
    int rc =
        objstore_delete(c->env->objects, c->db, b.name, key, version, bypass_allowed(c, &b, key),
                        c->now_ms, c->caller->account_id, &r, &c->err);
    if (!rc) {
        c->out = json_object();
        if (r.delete_marker) json_object_set_new(c->out, "DeleteMarker", json_true());
        if (r.version_id[0] && b.versioning[0])
            json_object_set_new(c->out, "VersionId", json_string(r.version_id));
        c->http_status = 204;
    }
    s3_bucket_clear(&b);
    return rc;
}

int s3_delete_objects(call_ctx *c)
{
    s3_bucket b;
    if (s3_call_object(c, "s3:DeleteObject", NULL, &b)) return -1;
    json_object_set_new(c->request_parameters, "delete", json_string(""));
    const json_t *del = json_object_get(c->in, "Delete");
    const json_t *objects = json_object_get(del, "Objects");
    bool quiet = json_is_true(json_object_get(del, "Quiet"));
    if (json_array_size(objects) > 1000) {
        s3_bucket_clear(&b);
        return aws_fail(&c->err, 400, "MalformedXML",
                        "The XML you provided was not well-formed or did not validate against our "
                        "published schema");
    }
    json_t *deleted = json_array(), *errors = json_array();
    size_t i;
    json_t *o;
    json_array_foreach(objects, i, o)
    {
        const char *key = json_string_value(json_object_get(o, "Key"));
        const char *version = json_string_value(json_object_get(o, "VersionId"));
        if (!key) continue;
        char *arn = s3_object_arn_alloc(b.name, key);
        s3_verdict verdict =
            s3_call_decide(c, &b, version ? "s3:DeleteObjectVersion" : "s3:DeleteObject", arn,
                           S3_SCOPE_POLICY, NULL);
        free(arn);
        aws_error e;
        aws_error_clear(&e);
        obj_delete_result r;
        int rc = verdict == S3_ALLOW ? objstore_delete(c->env->objects, c->db, b.name, key, version,
                                                       bypass_allowed(c, &b, key), c->now_ms,
                                                       c->caller->account_id, &r, &e)
                                     : aws_fail(&e, 403, "AccessDenied", "Access Denied");
        if (rc) {
            json_t *err =
                json_pack("{s:s, s:s, s:s}", "Key", key, "Code", e.code, "Message", e.message);
            if (version) json_object_set_new(err, "VersionId", json_string(version));
            json_array_append_new(errors, err);
            continue;
        }
        if (quiet) continue;
        json_t *d = json_pack("{s:s}", "Key", key);
        if (version) json_object_set_new(d, "VersionId", json_string(version));
        if (r.delete_marker) {
            json_object_set_new(d, "DeleteMarker", json_true());
            if (!version && r.version_id[0])
                json_object_set_new(d, "DeleteMarkerVersionId", json_string(r.version_id));
        }
        json_array_append_new(deleted, d);
    }
    c->out = json_object();
    if (json_array_size(deleted)) json_object_set(c->out, "Deleted", deleted);
    if (json_array_size(errors)) json_object_set(c->out, "Errors", errors);
    json_decref(deleted);
    json_decref(errors);
    s3_bucket_clear(&b);
    return 0;
}

/* Splits x-amz-copy-source "[/]bucket/key[?versionId=v]" (URL-encoded) into its parts
 * (malloc'd; caller frees). Returns -1 when malformed. */
static int parse_copy_source(const char *src, char **bucket, char **key, char **version)
{
    *bucket = *key = *version = NULL;
    if (!src) return -1;
    if (*src == '/') src++;
    const char *q = strstr(src, "?versionId=");
    size_t n = q ? (size_t)(q - src) : strlen(src);
    char *path = url_decode_alloc(src, n, 0);
    char *slash = path ? strchr(path, '/') : NULL;
    if (!slash || slash == path || !slash[1]) {
        free(path);
        return -1;
    }
    *slash = '\0';
    *bucket = strdup(path);
    *key = strdup(slash + 1);
    free(path);
    if (q) *version = url_decode_alloc(q + 11, strlen(q + 11), 0);
    if (!*bucket || !*key) abort();
    return 0;
}

int s3_copy_object(call_ctx *c)
{
    s3_bucket b, sb;
    memset(&sb, 0, sizeof sb);
    if (s3_call_object(c, "s3:PutObject", NULL, &b)) return -1;
    char *src_bucket, *src_key, *src_version;
    int rc = -1;
    obj_info v;
    if (parse_copy_source(in_str(c, "CopySource"), &src_bucket, &src_key, &src_version)) {
        aws_fail(&c->err, 400, "InvalidArgument", "Invalid copy source object key");
        goto out;
    }
    json_object_set_new(c->request_parameters, "x-amz-copy-source",
                        json_string(in_str(c, "CopySource")));
    /* The source is read under its own bucket's policy. */
    if (!s3_bucket_load(c->db, src_bucket, &sb)) {
        aws_fail(&c->err, 404, "NoSuchBucket", "The specified bucket does not exist");
        snprintf(c->err.extra_name, sizeof c->err.extra_name, "BucketName");
        snprintf(c->err.extra_value, sizeof c->err.extra_value, "%s", src_bucket);
        goto out;
    }
    char *src_arn = s3_object_arn_alloc(src_bucket, src_key);
    s3_verdict sv = s3_call_decide(c, &sb, src_version ? "s3:GetObjectVersion" : "s3:GetObject",
                                   src_arn, S3_SCOPE_POLICY, NULL);
    free(src_arn);
    if (sv != S3_ALLOW) {
        aws_fail(&c->err, 403, "AccessDenied", "Access Denied");
        goto out;
    }
    obj_put_opts o;
    char alg[16];
    if (s3_put_opts_from_input(c, &o, alg)) goto out;
    const char *directive = in_str(c, "MetadataDirective");
    bool replace = directive && !strcmp(directive, "REPLACE");
    if (!replace) {
        o.metadata = NULL;
        o.content_type = NULL;
        if (!strcmp(src_bucket, b.name) && !strcmp(src_key, in_str(c, "Key")) && !src_version &&
            !o.sse && !o.checksum_alg) {
            aws_fail(&c->err, 400, "InvalidRequest",
                     "This copy request is illegal because it is trying to copy an object to "
                     "itself without changing the object's metadata, storage class, website "
                     "redirect location or encryption attributes.");
            goto out;
        }
    } else if (!o.metadata) {
        o.metadata = NULL;
    }
    json_t *empty = replace && !o.metadata ? json_object() : NULL;
    if (empty) o.metadata = empty;
    rc = objstore_copy(c->env->objects, c->db, src_bucket, src_key, src_version, b.name,
                       in_str(c, "Key"), &o, &v, &c->err);
    json_decref(empty);
    if (rc) goto out;
    c->out = json_object();
    json_object_set_new(
        c->out, "CopyObjectResult",
        json_pack("{s:s, s:o}", "ETag", v.etag, "LastModified", json_time(v.modified_ms)));
    if (b.versioning[0]) json_object_set_new(c->out, "VersionId", json_string(v.version_id));
    if (src_version) json_object_set_new(c->out, "CopySourceVersionId", json_string(src_version));
    if (v.sse[0]) json_object_set_new(c->out, "ServerSideEncryption", json_string(v.sse));
    obj_info_clear(&v);
out:
    free(src_bucket);
    free(src_key);
    free(src_version);
    s3_bucket_clear(&sb);
    s3_bucket_clear(&b);
    return rc;
}
