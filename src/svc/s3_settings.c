/* s3_settings: the bucket and object settings the object store enforces — versioning,
 * Object Lock configuration, per-version retention and legal hold — and default
 * encryption (stored and reported; bytes on disk are protected by the host, as SSE-S3
 * has no key the client could see). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc/s3_internal.h"

int s3_put_bucket_versioning(call_ctx *c)
{
    s3_call_params(c, in_str(c, "Bucket"), "versioning");
    s3_bucket b;
    if (s3_call_bucket(c, "s3:PutBucketVersioning", S3_SCOPE_POLICY, &b)) return -1;
    const char *status = json_string_value(
        json_object_get(json_object_get(c->in, "VersioningConfiguration"), "Status"));
    int rc = 0;
    /* No Status leaves the state as it is (a configuration with only MfaDelete). */
    if (status) rc = objstore_set_versioning(c->db, b.name, status, &c->err);
    s3_bucket_clear(&b);
    return rc;
}

int s3_put_object_lock_configuration(call_ctx *c)
{
    c->event_name = "PutBucketObjectLockConfiguration"; /* as CloudTrail records it */
    s3_call_params(c, in_str(c, "Bucket"), "object-lock");
    s3_bucket b;
    if (s3_call_bucket(c, "s3:PutBucketObjectLockConfiguration", S3_SCOPE_POLICY, &b)) return -1;
    const json_t *cfg = json_object_get(c->in, "ObjectLockConfiguration");
    const json_t *dr = json_object_get(json_object_get(cfg, "Rule"), "DefaultRetention");
    const char *enabled = json_string_value(json_object_get(cfg, "ObjectLockEnabled"));
    obj_lock_default d;
    memset(&d, 0, sizeof d);
    int rc = -1;
    if (!enabled || strcmp(enabled, "Enabled")) {
        aws_fail(&c->err, 400, "MalformedXML",
                 "The XML you provided was not well-formed or did not validate against our "
                 "published schema");
        goto out;
    }
    if (dr) {
        const char *mode = json_string_value(json_object_get(dr, "Mode"));
        d.days = (int)json_integer_value(json_object_get(dr, "Days"));
        d.years = (int)json_integer_value(json_object_get(dr, "Years"));
        if (!mode || (d.days > 0) == (d.years > 0) || d.days < 0 || d.years < 0) {
            aws_fail(&c->err, 400, "MalformedXML",
                     "The XML you provided was not well-formed or did not validate against our "
                     "published schema");
            goto out;
        }
        snprintf(d.mode, sizeof d.mode, "%s", mode);
    }
    rc = objstore_lock_default_set(c->db, b.name, &d, &c->err);
out:
    s3_bucket_clear(&b);
    return rc;
}

/* Shared start of the per-object lock calls. */
static int lock_call(call_ctx *c, const char *action, const char *sub, s3_bucket *b)
{
    if (s3_call_object(c, action, NULL, b)) return -1;
    json_object_set_new(c->request_parameters, sub, json_string(""));
    const char *v = in_str(c, "VersionId");
    if (v) json_object_set_new(c->request_parameters, "versionId", json_string(v));
    return 0;
}

int s3_put_object_retention(call_ctx *c)
{
    s3_bucket b;
    if (lock_call(c, "s3:PutObjectRetention", "retention", &b)) return -1;
    const json_t *r = json_object_get(c->in, "Retention");
    const char *mode = json_string_value(json_object_get(r, "Mode"));
    const json_t *until = json_object_get(r, "RetainUntilDate");
    int64_t until_ms = until ? (int64_t)(json_number_value(until) * 1000.0) : 0;
    int rc = -1;
    if ((mode != NULL) != (until != NULL)) {
        aws_fail(&c->err, 400, "MalformedXML",
                 "The XML you provided was not well-formed or did not validate against our "
                 "published schema");
        goto out;
    }
    if (mode && until_ms <= c->now_ms) {
        aws_fail(&c->err, 400, "InvalidArgument", "The retain until date must be in the future!");
        goto out;
    }
    bool bypass = false;
    if (in_bool(c, "BypassGovernanceRetention", false)) {
        char *arn = s3_object_arn_alloc(b.name, in_str(c, "Key"));
        bypass = s3_call_decide(c, &b, "s3:BypassGovernanceRetention", arn, S3_SCOPE_POLICY,
                                NULL) == S3_ALLOW;
        free(arn);
    }
    rc = objstore_set_retention(c->db, b.name, in_str(c, "Key"), in_str(c, "VersionId"),
                                mode ? mode : "", until_ms, bypass, c->now_ms, NULL, &c->err);
out:
    s3_bucket_clear(&b);
    return rc;
}

int s3_get_object_retention(call_ctx *c)
{
    s3_bucket b;
    if (lock_call(c, "s3:GetObjectRetention", "retention", &b)) return -1;
    obj_info v;
    int rc = -1;
    if (!b.object_lock) {
        aws_fail(&c->err, 400, "InvalidRequest", "Bucket is missing Object Lock Configuration");
        goto out;
    }
    if (objstore_head(c->db, b.name, in_str(c, "Key"), in_str(c, "VersionId"), &v, &c->err))
        goto out;
    if (!v.lock_mode[0]) {
        aws_fail(&c->err, 404, "NoSuchObjectLockConfiguration",
                 "The specified object does not have a ObjectLock configuration");
    } else {
        c->out = json_pack("{s:{s:s, s:o}}", "Retention", "Mode", v.lock_mode, "RetainUntilDate",
                           json_time(v.retain_until_ms));
        rc = 0;
    }
    obj_info_clear(&v);
out:
    s3_bucket_clear(&b);
    return rc;
}

int s3_put_object_legal_hold(call_ctx *c)
{
    s3_bucket b;
    if (lock_call(c, "s3:PutObjectLegalHold", "legal-hold", &b)) return -1;
    const char *status =
        json_string_value(json_object_get(json_object_get(c->in, "LegalHold"), "Status"));
    int rc = objstore_set_legal_hold(c->db, b.name, in_str(c, "Key"), in_str(c, "VersionId"),
                                     status && !strcmp(status, "ON"), NULL, &c->err);
    s3_bucket_clear(&b);
    return rc;
}

int s3_get_object_legal_hold(call_ctx *c)
{
    s3_bucket b;
    if (lock_call(c, "s3:GetObjectLegalHold", "legal-hold", &b)) return -1;
    obj_info v;
    int rc = -1;
    if (!b.object_lock) {
        aws_fail(&c->err, 400, "InvalidRequest", "Bucket is missing Object Lock Configuration");
    } else if (!objstore_head(c->db, b.name, in_str(c, "Key"), in_str(c, "VersionId"), &v,
                              &c->err)) {
        c->out = json_pack("{s:{s:s}}", "LegalHold", "Status", v.legal_hold ? "ON" : "OFF");
        obj_info_clear(&v);
        rc = 0;
    }
    s3_bucket_clear(&b);
    return rc;
}

int s3_put_bucket_encryption(call_ctx *c)
{
    s3_call_params(c, in_str(c, "Bucket"), "encryption");
    s3_bucket b;
    if (s3_call_bucket(c, "s3:PutEncryptionConfiguration", S3_SCOPE_POLICY, &b)) return -1;
    const json_t *cfg = json_object_get(c->in, "ServerSideEncryptionConfiguration");
    const json_t *rules = json_object_get(cfg, "Rules");
    const char *alg = json_string_value(json_object_get(
        json_object_get(json_array_get(rules, 0), "ApplyServerSideEncryptionByDefault"),
        "SSEAlgorithm"));
    int rc = -1;
    if (json_array_size(rules) != 1 || !alg) {
        aws_fail(&c->err, 400, "MalformedXML",
                 "The XML you provided was not well-formed or did not validate against our "
                 "published schema");
        goto out;
    }
    char *text = json_dumps(cfg, JSON_COMPACT);
    rc = db_exec(c->db, "UPDATE s3_buckets SET encryption = ? WHERE name = ?", "ss", text, b.name);
    free(text);
out:
    s3_bucket_clear(&b);
    return rc;
}

int s3_get_bucket_encryption(call_ctx *c)
{
    s3_call_params(c, in_str(c, "Bucket"), "encryption");
    s3_bucket b;
    if (s3_call_bucket(c, "s3:GetEncryptionConfiguration", S3_SCOPE_POLICY, &b)) return -1;
    char text[4096] = "";
    json_t *cfg = NULL;
    if (db_get_text(c->db, text, sizeof text, "SELECT encryption FROM s3_buckets WHERE name = ?",
                    "s", b.name) &&
        text[0])
        cfg = json_loads(text, 0, NULL);
    /* Every bucket has SSE-S3 by default (S3's behaviour since January 2023). */
    if (!cfg)
        cfg = json_pack("{s:[{s:{s:s}, s:b}]}", "Rules", "ApplyServerSideEncryptionByDefault",
                        "SSEAlgorithm", "AES256", "BucketKeyEnabled", 0);
    c->out = json_pack("{s:o}", "ServerSideEncryptionConfiguration", cfg);
    s3_bucket_clear(&b);
    return 0;
}

int s3_delete_bucket_encryption(call_ctx *c)
{
    s3_call_params(c, in_str(c, "Bucket"), "encryption");
    s3_bucket b;
    if (s3_call_bucket(c, "s3:PutEncryptionConfiguration", S3_SCOPE_POLICY, &b)) return -1;
    int rc = db_exec(c->db, "UPDATE s3_buckets SET encryption = NULL WHERE name = ?", "s", b.name);
    if (!rc) c->http_status = 204;
    s3_bucket_clear(&b);
    return rc;
}
