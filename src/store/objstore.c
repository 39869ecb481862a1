/* objstore: versions — writing, reading, deleting, copying — and the bucket settings
 * (versioning, Object Lock) that decide what a write or delete does. See objstore.h. */
#include "store/objstore.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/hash.h"
#include "core/ids.h"
#include "store/objstore_internal.h"

#define DAY_MS 86400000LL

int store_internal_error(aws_error *e, const char *what)
{
    int err = errno;
    /* A full or unwritable disk is the operator's to fix, not a bug: 503, which clients
     * retry, and the frontend names the data directory (app/frontend.c). */
    if (err == ENOSPC || err == EDQUOT || err == EROFS || err == EACCES || err == EPERM)
        return aws_fail(e, 503, "ServiceUnavailable",
                        "orgtrail cannot store object data (cannot %s: %s). Free disk space in "
                        "its data directory, then retry.",
                        what, strerror(err));
    /* The errno text helps the operator; it names no secret. */
    return aws_fail(e, 500, "InternalError",
                    "We encountered an internal error (cannot %s: %s). "
                    "Please try again.",
                    what, strerror(err));
}

static int mkdir_p(const char *path)
{
    if (mkdir(path, 0700) && errno != EEXIST) return -1;
    return 0;
}

int objstore_open(objstore *os, const char *data_dir, db_conn *db, char *err, size_t errlen)
{
    memset(os, 0, sizeof *os);
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/objects", data_dir);
    os->root = strdup(path);
    if (!os->root) abort();
    static const char HEX[] = "0123456789abcdef";
    int bad = mkdir_p(os->root);
    snprintf(path, sizeof path, "%s/tmp", os->root);
    bad |= mkdir_p(path);
    snprintf(path, sizeof path, "%s/blobs", os->root);
    bad |= mkdir_p(path);
    for (int i = 0; i < 256 && !bad; i++) {
        snprintf(path, sizeof path, "%s/blobs/%c%c", os->root, HEX[i >> 4], HEX[i & 15]);
        bad |= mkdir_p(path);
    }
    if (bad) {
        snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
        objstore_close(os);
        return -1;
    }
    if (blob_sweep(os, db, err, errlen)) {
        objstore_close(os);
        return -1;
    }
    return 0;
}

void objstore_close(objstore *os)
{
    free(os->root);
    os->root = NULL;
}

void obj_info_clear(obj_info *o)
{
    json_decref(o->metadata);
    o->metadata = NULL;
}

static void copy_text(char *dst, size_t n, sqlite3_stmt *st, int col)
{
    snprintf(dst, n, "%s", db_text(st, col));
}

void obj_row(sqlite3_stmt *st, obj_info *o)
{
    memset(o, 0, sizeof *o);
    copy_text(o->bucket, sizeof o->bucket, st, 0);
    copy_text(o->key, sizeof o->key, st, 1);
    copy_text(o->version_id, sizeof o->version_id, st, 2);
    o->is_latest = db_int(st, 3) != 0;
    o->delete_marker = db_int(st, 4) != 0;
    copy_text(o->blob, sizeof o->blob, st, 5);
    o->size = db_int(st, 6);
    copy_text(o->etag, sizeof o->etag, st, 7);
    copy_text(o->content_type, sizeof o->content_type, st, 8);
    if (!db_is_null(st, 9)) o->metadata = json_loads(db_text(st, 9), 0, NULL);
    copy_text(o->checksum_alg, sizeof o->checksum_alg, st, 10);
    copy_text(o->checksum, sizeof o->checksum, st, 11);
    o->parts_count = (int)db_int(st, 12);
    copy_text(o->owner, sizeof o->owner, st, 13);
    copy_text(o->lock_mode, sizeof o->lock_mode, st, 14);
    o->retain_until_ms = db_int(st, 15);
    o->legal_hold = db_int(st, 16) != 0;
    copy_text(o->sse, sizeof o->sse, st, 17);
    o->modified_ms = db_int(st, 18);
}

/* The bucket settings a write or delete depends on. */
typedef struct bucket_state {
    char versioning[16];
    bool object_lock;
    obj_lock_default lock;
    char sse[16];
} bucket_state;

static void parse_lock_default(const char *text, obj_lock_default *d)
{
    memset(d, 0, sizeof *d);
    json_t *j = text && text[0] ? json_loads(text, 0, NULL) : NULL;
    if (!j) return;
    snprintf(d->mode, sizeof d->mode, "%s",
             json_string_value(json_object_get(j, "Mode"))
                 ? json_string_value(json_object_get(j, "Mode"))
                 : "");
    d->days = (int)json_integer_value(json_object_get(j, "Days"));
    d->years = (int)json_integer_value(json_object_get(j, "Years"));
    json_decref(j);
}

static int bucket_state_load(db_conn *db, const char *bucket, bucket_state *b, aws_error *e)
{
    memset(b, 0, sizeof *b);
    sqlite3_stmt *st = db_query(db,
                                "SELECT versioning, object_lock, lock_default, encryption "
                                "FROM s3_buckets WHERE name = ?",
                                "s", bucket);
    int found = 0;
    if (db_row(st)) {
        found = 1;
        copy_text(b->versioning, sizeof b->versioning, st, 0);
        b->object_lock = db_int(st, 1) != 0;
        parse_lock_default(db_text(st, 2), &b->lock);
        /* Every bucket encrypts new objects with SSE-S3 unless configured otherwise
         * (S3's behaviour since January 2023). */
        snprintf(b->sse, sizeof b->sse, "AES256");
        json_t *enc = db_is_null(st, 3) ? NULL : json_loads(db_text(st, 3), 0, NULL);
        const char *alg = json_string_value(
            json_object_get(json_object_get(json_array_get(json_object_get(enc, "Rules"), 0),
                                            "ApplyServerSideEncryptionByDefault"),
                            "SSEAlgorithm"));
        if (alg) snprintf(b->sse, sizeof b->sse, "%s", alg);
        json_decref(enc);
    }
    db_done(st);
    if (!found) {
        aws_fail(e, 404, "NoSuchBucket", "The specified bucket does not exist");
        snprintf(e->extra_name, sizeof e->extra_name, "BucketName");
        snprintf(e->extra_value, sizeof e->extra_value, "%s", bucket);
        return -1;
    }
    return 0;
}

static void new_version_id(char out[OBJ_VERSION_LEN])
{
    /* S3's version ids are opaque URL-safe strings of 32 characters. */
    ids_from_alphabet(out, 32, IDS_ALNUM);
}

/* Whether `v` may be removed (or replaced in place) now. */
static int lock_permits_removal(const obj_info *v, bool bypass, int64_t now, aws_error *e)
{
    if (v->delete_marker) return 0;
    bool retained = v->lock_mode[0] && v->retain_until_ms > now;
    bool blocked = v->legal_hold || (retained && (!strcmp(v->lock_mode, "COMPLIANCE") || !bypass));
    if (blocked)
        return aws_fail(e, 403, "AccessDenied",
                        "Access Denied because object protected by object lock.");
    return 0;
}

static int load_version(db_conn *db, const char *bucket, const char *key, const char *version_id,
                        obj_info *o)
{
    sqlite3_stmt *st =
        version_id ? db_query(db,
                              "SELECT " OBJ_COLS " FROM s3_objects WHERE bucket = ? AND key = ? "
                              "AND version_id = ?",
                              "sss", bucket, key, version_id)
                   : db_query(db,
                              "SELECT " OBJ_COLS " FROM s3_objects WHERE bucket = ? AND key = ? "
                              "AND is_latest = 1",
                              "ss", bucket, key);
    int found = 0;
    if (db_row(st)) {
        obj_row(st, o);
        found = 1;
    }
    db_done(st);
    return found;
}

/* After the current version of a key went away: the newest remaining one is current. */
static int promote_latest(db_conn *db, const char *bucket, const char *key)
{
    return db_exec(db,
                   "UPDATE s3_objects SET is_latest = 1 WHERE id = (SELECT MAX(id) FROM "
                   "s3_objects WHERE bucket = ? AND key = ?)",
                   "ss", bucket, key);
}

static int insert_version(db_conn *db, const obj_info *v)
{
    char *meta = v->metadata ? json_dumps(v->metadata, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    int rc = db_exec(
        db,
        "INSERT INTO s3_objects(bucket, key, version_id, is_latest, delete_marker, "
        "blob, size, etag, content_type, metadata, checksum_alg, checksum, "
        "parts_count, owner, lock_mode, retain_until_ms, legal_hold, sse, "
        "created_ms) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "sssdsisssssdssidsi", v->bucket, v->key, v->version_id, v->delete_marker ? 1 : 0,
        v->blob[0] ? v->blob : NULL, v->size, v->etag, v->content_type[0] ? v->content_type : NULL,
        meta, v->checksum_alg[0] ? v->checksum_alg : NULL, v->checksum[0] ? v->checksum : NULL,
        v->parts_count, v->owner, v->lock_mode[0] ? v->lock_mode : NULL, v->retain_until_ms,
        v->legal_hold ? 1 : 0, v->sse[0] ? v->sse : NULL, v->modified_ms);
    free(meta);
    return rc;
}

/* Inside a transaction: makes room for a new current version with id v->version_id —
 * removes a "null" version it replaces (refused when locked) and demotes the current one.
 * *replaced receives the blob to unlink after commit. */
static int displace(db_conn *db, const obj_info *v, int64_t now, char replaced[40], aws_error *e)
{
    replaced[0] = '\0';
    if (!strcmp(v->version_id, "null")) {
        obj_info old;
        if (load_version(db, v->bucket, v->key, "null", &old)) {
            int rc = lock_permits_removal(&old, false, now, e);
            snprintf(replaced, 40, "%s", old.blob);
            obj_info_clear(&old);
            if (rc) return -1;
            if (db_exec(db,
                        "DELETE FROM s3_objects WHERE bucket = ? AND key = ? AND "
                        "version_id = 'null'",
                        "ss", v->bucket, v->key))
                return store_internal_error(e, "replace the null version");
        }
    }
    if (db_exec(db,
                "UPDATE s3_objects SET is_latest = 0 WHERE bucket = ? AND key = ? AND "
                "is_latest = 1",
                "ss", v->bucket, v->key))
        return store_internal_error(e, "update the current version");
    return 0;
}

int store_commit_version(objstore *os, db_conn *db, obj_info *v, const obj_put_opts *o,
                         aws_error *e)
{
    char replaced[40] = "";
    if (db_begin(db)) {
        blob_remove(os, v->blob);
        return store_internal_error(e, "begin a transaction");
    }
    bucket_state b;
    if (bucket_state_load(db, v->bucket, &b, e)) goto fail;
    if ((o->lock_mode || o->legal_hold) && !b.object_lock) {
        aws_fail(e, 400, "InvalidRequest", "Bucket is missing Object Lock Configuration");
        goto fail;
    }
    if (o->lock_mode) {
        snprintf(v->lock_mode, sizeof v->lock_mode, "%s", o->lock_mode);
        v->retain_until_ms = o->retain_until_ms;
    } else if (b.object_lock && b.lock.mode[0]) {
        /* Years count as 365 days: S3 documents no calendar arithmetic here. */
        snprintf(v->lock_mode, sizeof v->lock_mode, "%s", b.lock.mode);
        v->retain_until_ms =
            v->modified_ms + (int64_t)b.lock.days * DAY_MS + (int64_t)b.lock.years * 365 * DAY_MS;
    }
    v->legal_hold = o->legal_hold;
    snprintf(v->sse, sizeof v->sse, "%s", o->sse ? o->sse : b.sse);
    if (!strcmp(b.versioning, "Enabled"))
        new_version_id(v->version_id);
    else
        snprintf(v->version_id, sizeof v->version_id, "null");
    v->is_latest = true;
    if (displace(db, v, v->modified_ms, replaced, e)) goto fail;
    if (insert_version(db, v) || db_commit(db)) {
        store_internal_error(e, "record the object");
        goto fail;
    }
    blob_remove(os, replaced);
    return 0;
fail:
    db_rollback(db);
    blob_remove(os, v->blob);
    return -1;
}

typedef struct put_source {
    const void *data;
    size_t len;
    int fd; /* >= 0: read from here instead */
} put_source;

static int put_common(objstore *os, db_conn *db, const char *bucket, const char *key,
                      const put_source *src, const obj_put_opts *o, obj_info *out, aws_error *e)
{
    if (strlen(key) > OBJ_KEY_MAX || !key[0])
        return aws_fail(e, 400, "KeyTooLongError", "Your key is too long");
    blob_writer w;
    if (blob_begin(os, &w, o->checksum_alg, e)) return -1;
    int rc = 0;
    if (src->fd >= 0) {
        char chunk[1 << 16];
        for (;;) {
            ssize_t k = read(src->fd, chunk, sizeof chunk);
            if (k < 0 && errno == EINTR) continue;
            if (k < 0) {
                rc = store_internal_error(e, "read the source");
                break;
            }
            if (k == 0) break;
            if ((rc = blob_write(&w, chunk, (size_t)k, e))) break;
        }
    } else {
        rc = blob_write(&w, src->data, src->len, e);
    }
    unsigned char md5[16];
    obj_info v;
    memset(&v, 0, sizeof v);
    if (rc || blob_finish(&w, md5, v.checksum, e) || digest_verify(o, md5, v.checksum, e) ||
        blob_publish(os, &w, e)) {
        blob_abort(&w);
        return -1;
    }
    snprintf(v.bucket, sizeof v.bucket, "%s", bucket);
    snprintf(v.key, sizeof v.key, "%s", key);
    snprintf(v.blob, sizeof v.blob, "%s", w.name);
    v.size = w.size;
    char hex[33];
    hex_encode(md5, 16, hex);
    snprintf(v.etag, sizeof v.etag, "\"%s\"", hex);
    snprintf(v.content_type, sizeof v.content_type, "%s",
             o->content_type ? o->content_type : "binary/octet-stream");
    if (o->metadata) v.metadata = json_deep_copy(o->metadata);
    if (o->checksum_alg) snprintf(v.checksum_alg, sizeof v.checksum_alg, "%s", o->checksum_alg);
    snprintf(v.owner, sizeof v.owner, "%s", o->owner ? o->owner : "");
    v.modified_ms = o->now_ms;
    if (store_commit_version(os, db, &v, o, e)) {
        obj_info_clear(&v);
        return -1;
    }
    if (out)
        *out = v;
    else
        obj_info_clear(&v);
    return 0;
}

int objstore_put(objstore *os, db_conn *db, const char *bucket, const char *key, const void *data,
                 size_t len, const obj_put_opts *o, obj_info *out, aws_error *e)
{
    put_source s = {data ? data : "", len, -1};
    return put_common(os, db, bucket, key, &s, o, out, e);
}

int objstore_put_fd(objstore *os, db_conn *db, const char *bucket, const char *key, int fd,
                    const obj_put_opts *o, obj_info *out, aws_error *e)
{
    put_source s = {NULL, 0, fd};
    return put_common(os, db, bucket, key, &s, o, out, e);
}

static int no_such_key(aws_error *e, const char *key)
{
    aws_fail(e, 404, "NoSuchKey", "The specified key does not exist.");
    snprintf(e->extra_name, sizeof e->extra_name, "Key");
    snprintf(e->extra_value, sizeof e->extra_value, "%s", key);
    return -1;
}

static int no_such_version(aws_error *e, const char *version_id)
{
    aws_fail(e, 404, "NoSuchVersion", "The specified version does not exist.");
    snprintf(e->extra_name, sizeof e->extra_name, "VersionId");
    snprintf(e->extra_value, sizeof e->extra_value, "%s", version_id);
    return -1;
}

int objstore_head(db_conn *db, const char *bucket, const char *key, const char *version_id,
                  obj_info *out, aws_error *e)
{
    memset(out, 0, sizeof *out);
    /* Found: its bucket exists (a bucket with objects cannot be deleted), so the bucket is
     * only looked up to tell NoSuchBucket from NoSuchKey; the hit path is one query. */
    if (load_version(db, bucket, key, version_id, out)) return 0;
    bucket_state b;
    if (bucket_state_load(db, bucket, &b, e)) return -1;
    return version_id ? no_such_version(e, version_id) : no_such_key(e, key);
}

int objstore_open_version(objstore *os, db_conn *db, const char *bucket, const char *key,
                          const char *version_id, obj_info *out, int *fd, aws_error *e)
{
    *fd = -1;
    if (objstore_head(db, bucket, key, version_id, out, e)) return -1;
    if (out->delete_marker) return 0;
    char path[PATH_MAX];
    blob_path(os, out->blob, path, sizeof path);
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0) {
        obj_info_clear(out);
        return store_internal_error(e, "open the object");
    }
    return 0;
}

char *objstore_read_alloc(int fd, int64_t off, size_t len)
{
    char *p = malloc(len ? len : 1);
    if (!p) return NULL;
    size_t got = 0;
    while (got < len) {
        ssize_t k = pread(fd, p + got, len - got, (off_t)(off + (int64_t)got));
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            free(p);
            return NULL;
        }
        got += (size_t)k;
    }
    return p;
}

int objstore_delete(objstore *os, db_conn *db, const char *bucket, const char *key,
                    const char *version_id, bool bypass_governance, int64_t now_ms,
                    const char *owner, obj_delete_result *r, aws_error *e)
{
    memset(r, 0, sizeof *r);
    char removed_blob[40] = "";
    if (db_begin(db)) return store_internal_error(e, "begin a transaction");
    bucket_state b;
    if (bucket_state_load(db, bucket, &b, e)) goto fail;
    if (version_id) {
        obj_info v;
        snprintf(r->version_id, sizeof r->version_id, "%s", version_id);
        /* S3 answers 204 for a version that does not exist. */
        if (!load_version(db, bucket, key, version_id, &v)) goto done;
        int rc = lock_permits_removal(&v, bypass_governance, now_ms, e);
        r->delete_marker = v.delete_marker;
        snprintf(removed_blob, sizeof removed_blob, "%s", v.blob);
        bool was_latest = v.is_latest;
        obj_info_clear(&v);
        if (rc) goto fail;
        if (db_exec(db, "DELETE FROM s3_objects WHERE bucket = ? AND key = ? AND version_id = ?",
                    "sss", bucket, key, version_id) ||
            (was_latest && promote_latest(db, bucket, key))) {
            store_internal_error(e, "delete the version");
            goto fail;
        }
        goto done;
    }
    if (!b.versioning[0]) {
        obj_info v;
        if (!load_version(db, bucket, key, "null", &v)) goto done;
        int rc = lock_permits_removal(&v, bypass_governance, now_ms, e);
        snprintf(removed_blob, sizeof removed_blob, "%s", v.blob);
        obj_info_clear(&v);
        if (rc) goto fail;
        if (db_exec(db,
                    "DELETE FROM s3_objects WHERE bucket = ? AND key = ? AND "
                    "version_id = 'null'",
                    "ss", bucket, key)) {
            store_internal_error(e, "delete the object");
            goto fail;
        }
        goto done;
    }
    /* Versioned: a delete marker becomes the current version. */
    obj_info m;
    memset(&m, 0, sizeof m);
    snprintf(m.bucket, sizeof m.bucket, "%s", bucket);
    snprintf(m.key, sizeof m.key, "%s", key);
    m.delete_marker = true;
    snprintf(m.owner, sizeof m.owner, "%s", owner ? owner : "");
    m.modified_ms = now_ms;
    if (!strcmp(b.versioning, "Enabled"))
        new_version_id(m.version_id);
    else
        snprintf(m.version_id, sizeof m.version_id, "null");
    if (displace(db, &m, now_ms, removed_blob, e)) goto fail;
    if (insert_version(db, &m)) {
        store_internal_error(e, "add a delete marker");
        goto fail;
    }
    r->delete_marker = true;
    snprintf(r->version_id, sizeof r->version_id, "%s", m.version_id);
done:
    if (db_commit(db)) {
        store_internal_error(e, "commit the delete");
        goto fail;
    }
    blob_remove(os, removed_blob);
    return 0;
fail:
    db_rollback(db);
    return -1;
}

int objstore_copy(objstore *os, db_conn *db, const char *src_bucket, const char *src_key,
                  const char *src_version, const char *dst_bucket, const char *dst_key,
                  const obj_put_opts *o, obj_info *out, aws_error *e)
{
    obj_info src;
    int fd;
    if (objstore_open_version(os, db, src_bucket, src_key, src_version, &src, &fd, e)) return -1;
    if (src.delete_marker) {
        obj_info_clear(&src);
        if (src_version)
            return aws_fail(e, 400, "InvalidRequest",
                            "The source of a copy request may not specifically refer to a "
                            "delete marker by version id.");
        return no_such_key(e, src_key);
    }
    obj_put_opts po = *o;
    if (!po.content_type) po.content_type = src.content_type;
    if (!po.metadata) po.metadata = src.metadata;
    /* The copy keeps the source's checksum algorithm unless a new one is asked for. */
    if (!po.checksum_alg && src.checksum_alg[0]) po.checksum_alg = src.checksum_alg;
    po.content_md5 = NULL;
    po.checksum_value = NULL;
    int rc = objstore_put_fd(os, db, dst_bucket, dst_key, fd, &po, out, e);
    close(fd);
    obj_info_clear(&src);
    return rc;
}

bool objstore_bucket_empty(db_conn *db, const char *bucket)
{
    int64_t one;
    return !db_get_int(db, &one, "SELECT 1 FROM s3_objects WHERE bucket = ? LIMIT 1", "s",
                       bucket) &&
           !db_get_int(db, &one, "SELECT 1 FROM s3_uploads WHERE bucket = ? LIMIT 1", "s", bucket);
}

int objstore_set_versioning(db_conn *db, const char *bucket, const char *state, aws_error *e)
{
    bucket_state b;
    if (bucket_state_load(db, bucket, &b, e)) return -1;
    if (b.object_lock && strcmp(state, "Enabled"))
        return aws_fail(e, 409, "InvalidBucketState",
                        "An Object Lock configuration is present on this bucket, so the "
                        "versioning state cannot be changed.");
    if (db_exec(db, "UPDATE s3_buckets SET versioning = ? WHERE name = ?", "ss", state, bucket))
        return store_internal_error(e, "update the bucket");
    return 0;
}

int objstore_lock_default_get(db_conn *db, const char *bucket, obj_lock_default *d)
{
    aws_error ignored;
    bucket_state b;
    memset(d, 0, sizeof *d);
    if (bucket_state_load(db, bucket, &b, &ignored) || !b.object_lock) return 0;
    *d = b.lock;
    return 1;
}

int objstore_lock_default_set(db_conn *db, const char *bucket, const obj_lock_default *d,
                              aws_error *e)
{
    bucket_state b;
    if (bucket_state_load(db, bucket, &b, e)) return -1;
    /* S3 lets a bucket with versioning Enabled turn Object Lock on later (since 2023);
     * it can never be turned off. */
    if (!b.object_lock && strcmp(b.versioning, "Enabled"))
        return aws_fail(e, 409, "InvalidBucketState",
                        "Versioning must be 'Enabled' on the bucket to apply a Object Lock "
                        "configuration");
    char *text = NULL;
    if (d->mode[0]) {
        json_t *j = json_pack("{s:s}", "Mode", d->mode);
        if (d->days) json_object_set_new(j, "Days", json_integer(d->days));
        if (d->years) json_object_set_new(j, "Years", json_integer(d->years));
        text = json_dumps(j, JSON_COMPACT);
        json_decref(j);
    }
    int rc = db_exec(db, "UPDATE s3_buckets SET lock_default = ?, object_lock = 1 WHERE name = ?",
                     "ss", text, bucket);
    free(text);
    return rc ? store_internal_error(e, "update the bucket") : 0;
}

/* Loads the version a lock operation targets (delete markers cannot carry locks). */
static int lock_target(db_conn *db, const char *bucket, const char *key, const char *version_id,
                       obj_info *v, aws_error *e)
{
    bucket_state b;
    if (bucket_state_load(db, bucket, &b, e)) return -1;
    if (!b.object_lock)
        return aws_fail(e, 400, "InvalidRequest", "Bucket is missing Object Lock Configuration");
    if (!load_version(db, bucket, key, version_id, v))
        return version_id ? no_such_version(e, version_id) : no_such_key(e, key);
    if (v->delete_marker) {
        obj_info_clear(v);
        return aws_fail(e, 405, "MethodNotAllowed",
                        "The specified method is not allowed against this resource.");
    }
    return 0;
}

int objstore_set_retention(db_conn *db, const char *bucket, const char *key, const char *version_id,
                           const char *mode, int64_t until_ms, bool bypass_governance,
                           int64_t now_ms, obj_info *out, aws_error *e)
{
    obj_info v;
    if (db_begin(db)) return store_internal_error(e, "begin a transaction");
    if (lock_target(db, bucket, key, version_id, &v, e)) goto fail;
    bool active = v.lock_mode[0] && v.retain_until_ms > now_ms;
    bool weaker = !mode[0] || until_ms < v.retain_until_ms;
    if (active && !strcmp(v.lock_mode, "COMPLIANCE") && (weaker || strcmp(mode, "COMPLIANCE"))) {
        aws_fail(e, 403, "AccessDenied", "Access Denied because object protected by object lock.");
        goto fail_v;
    }
    /* Governance: only loosening needs the bypass; moving to COMPLIANCE or a later date
     * does not. */
    if (active && !strcmp(v.lock_mode, "GOVERNANCE") && weaker && !bypass_governance) {
        aws_fail(e, 403, "AccessDenied", "Access Denied because object protected by object lock.");
        goto fail_v;
    }
    if (db_exec(db,
                "UPDATE s3_objects SET lock_mode = ?, retain_until_ms = ? WHERE bucket = ? "
                "AND key = ? AND version_id = ?",
                "sisss", mode[0] ? mode : NULL, mode[0] ? until_ms : 0, bucket, key,
                v.version_id) ||
        db_commit(db)) {
        store_internal_error(e, "update the retention");
        goto fail_v;
    }
    snprintf(v.lock_mode, sizeof v.lock_mode, "%s", mode);
    v.retain_until_ms = mode[0] ? until_ms : 0;
    if (out)
        *out = v;
    else
        obj_info_clear(&v);
    return 0;
fail_v:
    obj_info_clear(&v);
fail:
    db_rollback(db);
    return -1;
}

int objstore_set_legal_hold(db_conn *db, const char *bucket, const char *key,
                            const char *version_id, bool on, obj_info *out, aws_error *e)
{
    obj_info v;
    if (lock_target(db, bucket, key, version_id, &v, e)) return -1;
    if (db_exec(db,
                "UPDATE s3_objects SET legal_hold = ? WHERE bucket = ? AND key = ? AND "
                "version_id = ?",
                "dsss", on ? 1 : 0, bucket, key, v.version_id)) {
        obj_info_clear(&v);
        return store_internal_error(e, "update the legal hold");
    }
    v.legal_hold = on;
    if (out)
        *out = v;
    else
        obj_info_clear(&v);
    return 0;
}
