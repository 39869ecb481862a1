/* s3_buckets: creating, finding, listing and deleting buckets, and reading the bucket
 * settings that come with creation (location, ACL, versioning, Object Lock).
 *
 * DeleteBucket refuses a bucket that holds any version, delete marker or upload
 * (BucketNotEmpty), as S3 does. ACLs are not stored: every bucket has the one ACL S3 gives a new
 * bucket, FULL_CONTROL for its owner. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "svc/s3_internal.h"

static const char S3_XMLNS[] = "http://s3.amazonaws.com/doc/2006-03-01/";

static int bucket_error(call_ctx *c, int status, const char *code, const char *message,
                        const char *bucket)
{
    aws_fail(&c->err, status, code, "%s", message);
    snprintf(c->err.extra_name, sizeof c->err.extra_name, "%s", "BucketName");
    snprintf(c->err.extra_value, sizeof c->err.extra_value, "%s", bucket);
    return -1;
}

/* {"ID": canonical id, "DisplayName": account name} of an account. */
static json_t *owner_alloc(call_ctx *c, const char *account_id)
{
    char id[65], name[128] = "";
    s3_canonical_id(account_id, id);
    if (!db_get_text(c->db, name, sizeof name, "SELECT name FROM accounts WHERE id = ?", "s",
                     account_id) ||
        !name[0])
        snprintf(name, sizeof name, "%s", account_id);
    return json_pack("{s:s, s:s}", "DisplayName", name, "ID", id);
}

int s3_create_bucket(call_ctx *c)
{
    const char *name = in_str(c, "Bucket");
    json_t *params = s3_call_params(c, name, NULL);
    const char *acl = in_str(c, "ACL");
    if (acl) json_object_set_new(params, "x-amz-acl", json_string(acl));
    const json_t *cfg = json_object_get(c->in, "CreateBucketConfiguration");
    const char *constraint = json_string_value(json_object_get(cfg, "LocationConstraint"));
    if (cfg) {
        json_t *rc = json_object();
        if (constraint) json_object_set_new(rc, "LocationConstraint", json_string(constraint));
        json_object_set_new(rc, "xmlns", json_string(S3_XMLNS));
        json_object_set_new(params, "CreateBucketConfiguration", rc);
    }
    bool object_lock = in_bool(c, "ObjectLockEnabledForBucket", false);
    if (json_object_get(c->in, "ObjectLockEnabledForBucket"))
        json_object_set_new(params, "x-amz-bucket-object-lock-enabled",
                            json_string(object_lock ? "true" : "false"));

    char arn[128];
    snprintf(arn, sizeof arn, "arn:aws:s3:::%.63s", name);
    if (call_authorize(c, "s3:CreateBucket", arn, NULL, NULL, NULL)) return -1;
    if (!s3_bucket_name_valid(name))
        return bucket_error(c, 400, "InvalidBucketName", "The specified bucket is not valid.",
                            name);
    char region[32];
    if (s3_location_resolve(c->region, constraint, region, sizeof region, &c->err)) return -1;

    if (db_begin(c->db)) return -1;
    s3_bucket existing;
    if (s3_bucket_load(c->db, name, &existing)) {
        db_rollback(c->db);
        bool mine = !strcmp(existing.account_id, c->caller->account_id);
        bool legacy_us_east_1 =
            !strcmp(existing.region, "us-east-1") && !strcmp(region, "us-east-1");
        s3_bucket_clear(&existing);
        if (!mine)
            return bucket_error(c, 409, "BucketAlreadyExists",
                                "The requested bucket name is not available. The bucket namespace "
                                "is shared by all users of the system. Please select a different "
                                "name and try again.",
                                name);
        /* S3 keeps answering 200 to a re-create of one's own us-east-1 bucket. */
        if (!legacy_us_east_1)
            return bucket_error(c, 409, "BucketAlreadyOwnedByYou",
                                "Your previous request to create the named bucket succeeded and "
                                "you already own it.",
                                name);
    } else {
        /* Object Lock needs versioning, so S3 turns it on with the lock. */
        if (db_exec(c->db,
                    "INSERT INTO s3_buckets(name, account_id, region, created_ms, object_lock, "
                    "versioning) VALUES (?, ?, ?, ?, ?, ?)",
                    "sssids", name, c->caller->account_id, region, c->now_ms, object_lock ? 1 : 0,
                    object_lock ? "Enabled" : NULL) ||
            db_commit(c->db)) {
            db_rollback(c->db);
            return -1;
        }
    }
    char location[128];
    if (!strcmp(region, "us-east-1"))
        snprintf(location, sizeof location, "/%s", name);
    else
        snprintf(location, sizeof location, "http://%s.s3.amazonaws.com/", name);
    c->out = json_pack("{s:s}", "Location", location);
    return 0;
}

int s3_head_bucket(call_ctx *c)
{
    s3_call_params(c, in_str(c, "Bucket"), NULL);
    s3_bucket b;
    if (s3_call_bucket(c, "s3:ListBucket", S3_SCOPE_POLICY, &b)) return -1;
    c->out = json_pack("{s:s}", "BucketRegion", b.region);
    s3_bucket_clear(&b);
    return 0;
}

/* Continuation tokens are the base64 of the last name listed: opaque to clients, and
 * still valid when buckets come and go between pages. */
static int decode_token(call_ctx *c, const char *token, char *after, size_t n)
{
    after[0] = '\0';
    if (!token) return 0;
    size_t len = 0;
    unsigned char *raw = base64_decode_alloc(token, strlen(token), &len);
    if (!raw || len == 0 || len >= n || memchr(raw, '\0', len)) {
        free(raw);
        return aws_fail(&c->err, 400, "InvalidArgument",
                        "The continuation token provided is incorrect");
    }
    memcpy(after, raw, len);
    after[len] = '\0';
    free(raw);
    return 0;
}

int s3_list_buckets(call_ctx *c)
{
    s3_call_params(c, NULL, NULL);
    if (call_authorize(c, "s3:ListAllMyBuckets", "*", NULL, NULL, NULL)) return -1;
    const char *prefix = in_str(c, "Prefix");
    const char *region = in_str(c, "BucketRegion");
    const char *token = in_str(c, "ContinuationToken");
    int64_t max = in_int(c, "MaxBuckets", 0);
    /* AWS shows each bucket's region once the request uses any of the new parameters. */
    bool with_region = prefix || region || token || max > 0;
    char after[128];
    if (decode_token(c, token, after, sizeof after)) return -1;

    json_t *buckets = json_array();
    char last[128] = "";
    bool more = false;
    sqlite3_stmt *st = db_query(c->db,
                                "SELECT name, region, created_ms FROM s3_buckets "
                                "WHERE account_id = ? AND name > ? ORDER BY name",
                                "ss", c->caller->account_id, after);
    while (db_row(st)) {
        const char *name = db_text(st, 0), *r = db_text(st, 1);
        if (prefix && strncmp(name, prefix, strlen(prefix))) continue;
        if (region && strcmp(r, region)) continue;
        if (max > 0 && (int64_t)json_array_size(buckets) == max) {
            more = true;
            break;
        }
        json_t *b = json_pack("{s:s, s:o}", "Name", name, "CreationDate", json_time(db_int(st, 2)));
        if (with_region) json_object_set_new(b, "BucketRegion", json_string(r));
        json_array_append_new(buckets, b);
        snprintf(last, sizeof last, "%s", name);
    }
    db_done(st);

    c->out = json_object();
    json_object_set_new(c->out, "Buckets", buckets);
    json_object_set_new(c->out, "Owner", owner_alloc(c, c->caller->account_id));
    if (more) {
        char *next = base64_encode_alloc(last, strlen(last));
        json_object_set_new(c->out, "ContinuationToken", json_string(next));
        free(next);
    }
    if (prefix) json_object_set_new(c->out, "Prefix", json_string(prefix));
    return 0;
}

int s3_delete_bucket(call_ctx *c)
{
    s3_call_params(c, in_str(c, "Bucket"), NULL);
    s3_bucket b;
    if (s3_call_bucket(c, "s3:DeleteBucket", S3_SCOPE_OWNER, &b)) return -1;
    if (!objstore_bucket_empty(c->db, b.name)) {
        s3_bucket_clear(&b);
        return bucket_error(c, 409, "BucketNotEmpty", "The bucket you tried to delete is not empty",
                            in_str(c, "Bucket"));
    }
    int rc = db_exec(c->db, "DELETE FROM s3_buckets WHERE name = ?", "s", b.name);
    s3_bucket_clear(&b);
    if (rc) return -1;
    c->http_status = 204;
    return 0;
}

int s3_get_bucket_location(call_ctx *c)
{
    s3_call_params(c, in_str(c, "Bucket"), "location");
    s3_bucket b;
    if (s3_call_bucket(c, "s3:GetBucketLocation", S3_SCOPE_POLICY, &b)) return -1;
    c->out = json_object();
    /* us-east-1 buckets have no LocationConstraint (an empty element on the wire). */
    if (strcmp(b.region, "us-east-1"))
        json_object_set_new(c->out, "LocationConstraint", json_string(b.region));
    s3_bucket_clear(&b);
    return 0;
}

int s3_get_bucket_acl(call_ctx *c)
{
    s3_call_params(c, in_str(c, "Bucket"), "acl");
    s3_bucket b;
    if (s3_call_bucket(c, "s3:GetBucketAcl", S3_SCOPE_POLICY, &b)) return -1;
    json_t *owner = owner_alloc(c, b.account_id);
    json_t *grantee = json_deep_copy(owner);
    json_object_set_new(grantee, "Type", json_string("CanonicalUser"));
    c->out = json_pack("{s:o, s:[{s:o, s:s}]}", "Owner", owner, "Grants", "Grantee", grantee,
                       "Permission", "FULL_CONTROL");
    s3_bucket_clear(&b);
    return 0;
}

int s3_get_bucket_versioning(call_ctx *c)
{
    s3_call_params(c, in_str(c, "Bucket"), "versioning");
    s3_bucket b;
    if (s3_call_bucket(c, "s3:GetBucketVersioning", S3_SCOPE_POLICY, &b)) return -1;
    c->out = json_object();
    /* A bucket that never had versioning has no Status at all. */
    if (b.versioning[0]) json_object_set_new(c->out, "Status", json_string(b.versioning));
    s3_bucket_clear(&b);
    return 0;
}

int s3_get_object_lock_configuration(call_ctx *c)
{
    c->event_name = "GetBucketObjectLockConfiguration"; /* as CloudTrail records it */
    const char *name = in_str(c, "Bucket");
    s3_call_params(c, name, "object-lock");
    s3_bucket b;
    if (s3_call_bucket(c, "s3:GetBucketObjectLockConfiguration", S3_SCOPE_POLICY, &b)) return -1;
    s3_bucket_clear(&b);
    obj_lock_default d;
    if (!objstore_lock_default_get(c->db, name, &d))
        return bucket_error(c, 404, "ObjectLockConfigurationNotFoundError",
                            "Object Lock configuration does not exist for this bucket", name);
    c->out = json_pack("{s:{s:s}}", "ObjectLockConfiguration", "ObjectLockEnabled", "Enabled");
    if (d.mode[0]) {
        json_t *dr = json_pack("{s:s}", "Mode", d.mode);
        if (d.days) json_object_set_new(dr, "Days", json_integer(d.days));
        if (d.years) json_object_set_new(dr, "Years", json_integer(d.years));
        json_object_set_new(json_object_get(c->out, "ObjectLockConfiguration"), "Rule",
                            json_pack("{s:o}", "DefaultRetention", dr));
    }
    return 0;
}
