/* objstore_mpu: multipart uploads. Each part is its own blob; completion concatenates
 * the chosen parts into one new blob (so the object is one immutable file like any
 * other), commits the version, then drops the upload and its part blobs. The put options
 * given at creation are kept as JSON in s3_uploads.options. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/hash.h"
#include "core/ids.h"
#include "core/xalloc.h"
#include "store/objstore_internal.h"

static int no_such_upload(aws_error *e, const char *upload_id)
{
    aws_fail(e, 404, "NoSuchUpload",
             "The specified upload does not exist. The upload ID may be invalid, or the upload "
             "may have been aborted or completed.");
    snprintf(e->extra_name, sizeof e->extra_name, "UploadId");
    snprintf(e->extra_value, sizeof e->extra_value, "%s", upload_id);
    return -1;
}

/* Loads the upload's stored options (new reference) after checking it belongs to
 * bucket/key. */
static json_t *upload_load(db_conn *db, const char *bucket, const char *key, const char *upload_id,
                           aws_error *e)
{
    sqlite3_stmt *st = db_query(db,
                                "SELECT options, owner FROM s3_uploads WHERE upload_id = ? AND "
                                "bucket = ? AND key = ?",
                                "sss", upload_id, bucket, key);
    json_t *opts = NULL;
    if (db_row(st)) {
        opts = json_loads(db_text(st, 0), 0, NULL);
        if (opts) json_object_set_new(opts, "_owner", json_string(db_text(st, 1)));
    }
    db_done(st);
    if (!opts) no_such_upload(e, upload_id);
    return opts;
}

int objstore_mpu_create(db_conn *db, const char *bucket, const char *key, const obj_put_opts *o,
                        char *upload_id, aws_error *e)
{
    int64_t one;
    if (!db_get_int(db, &one, "SELECT 1 FROM s3_buckets WHERE name = ?", "s", bucket)) {
        aws_fail(e, 404, "NoSuchBucket", "The specified bucket does not exist");
        snprintf(e->extra_name, sizeof e->extra_name, "BucketName");
        snprintf(e->extra_value, sizeof e->extra_value, "%s", bucket);
        return -1;
    }
    if (strlen(key) > OBJ_KEY_MAX || !key[0])
        return aws_fail(e, 400, "KeyTooLongError", "Your key is too long");
    json_t *j = json_object();
    if (o->content_type) json_object_set_new(j, "ContentType", json_string(o->content_type));
    if (o->metadata) json_object_set(j, "Metadata", (json_t *)o->metadata);
    if (o->checksum_alg) json_object_set_new(j, "ChecksumAlgorithm", json_string(o->checksum_alg));
    if (o->lock_mode) {
        json_object_set_new(j, "LockMode", json_string(o->lock_mode));
        json_object_set_new(j, "RetainUntil", json_integer(o->retain_until_ms));
    }
    if (o->legal_hold) json_object_set_new(j, "LegalHold", json_true());
    if (o->sse) json_object_set_new(j, "SSE", json_string(o->sse));
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    /* Upload ids are long opaque URL-safe strings in S3. */
    ids_from_alphabet(upload_id, 64, IDS_ALNUM);
    int rc = db_exec(db,
                     "INSERT INTO s3_uploads(upload_id, bucket, key, owner, options, created_ms) "
                     "VALUES (?, ?, ?, ?, ?, ?)",
                     "sssssi", upload_id, bucket, key, o->owner ? o->owner : "", text, o->now_ms);
    free(text);
    return rc ? store_internal_error(e, "record the upload") : 0;
}

int objstore_mpu_put_part(objstore *os, db_conn *db, const char *bucket, const char *key,
                          const char *upload_id, int part_number, const void *data, size_t len,
                          const obj_put_opts *o, char *etag, aws_error *e)
{
    if (part_number < 1 || part_number > OBJ_MAX_PARTS)
        return aws_fail(e, 400, "InvalidArgument",
                        "Part number must be an integer between 1 and 10000, inclusive");
    json_t *opts = upload_load(db, bucket, key, upload_id, e);
    if (!opts) return -1;
    json_decref(opts);
    blob_writer w;
    if (blob_begin(os, &w, o->checksum_alg, e)) return -1;
    unsigned char md5[16];
    char checksum[96];
    if (blob_write(&w, data ? data : "", len, e) || blob_finish(&w, md5, checksum, e) ||
        digest_verify(o, md5, checksum, e) || blob_publish(os, &w, e)) {
        blob_abort(&w);
        return -1;
    }
    char hex[33];
    hex_encode(md5, 16, hex);
    snprintf(etag, 48, "\"%s\"", hex);
    char old[40] = "";
    if (db_begin(db)) {
        blob_remove(os, w.name);
        return store_internal_error(e, "begin a transaction");
    }
    db_get_text(db, old, sizeof old,
                "SELECT blob FROM s3_parts WHERE upload_id = ? AND part_number = ?", "sd",
                upload_id, part_number);
    int64_t one;
    bool still =
        db_get_int(db, &one, "SELECT 1 FROM s3_uploads WHERE upload_id = ?", "s", upload_id);
    if (!still ||
        db_exec(db,
                "INSERT OR REPLACE INTO s3_parts(upload_id, part_number, blob, size, "
                "etag, checksum, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
                "sdsissi", upload_id, part_number, w.name, (int64_t)len, etag,
                checksum[0] ? checksum : NULL, o->now_ms) ||
        db_commit(db)) {
        db_rollback(db);
        blob_remove(os, w.name);
        return still ? store_internal_error(e, "record the part") : no_such_upload(e, upload_id);
    }
    blob_remove(os, old);
    return 0;
}

static bool etag_equal(const char *stored, const char *given)
{
    /* Clients send ETags with or without the quotes. */
    size_t sl = strlen(stored), gl = strlen(given);
    if (gl >= 2 && given[0] == '"' && given[gl - 1] == '"') {
        given++;
        gl -= 2;
    }
    return sl == gl + 2 && !strncmp(stored + 1, given, gl);
}

int objstore_mpu_complete(objstore *os, db_conn *db, const char *bucket, const char *key,
                          const char *upload_id, const obj_part *parts, size_t n, int64_t now_ms,
                          obj_info *out, aws_error *e)
{
    json_t *opts = upload_load(db, bucket, key, upload_id, e);
    if (!opts) return -1;
    int rc = -1;
    blob_writer w;
    bool writing = false;
    char(*blobs)[40] = NULL;
    EVP_MD_CTX *etag_md = EVP_MD_CTX_new();
    if (!etag_md || !EVP_DigestInit_ex(etag_md, EVP_md5(), NULL)) abort();
    if (n == 0 || n > OBJ_MAX_PARTS) {
        aws_fail(e, 400, "MalformedXML",
                 "The XML you provided was not well-formed or did not validate against our "
                 "published schema");
        goto out;
    }
    blobs = calloc(n, sizeof *blobs);
    if (!blobs) abort();
    for (size_t i = 1; i < n; i++) {
        if (parts[i].number <= parts[i - 1].number) {
            aws_fail(e, 400, "InvalidPartOrder",
                     "The list of parts was not in ascending order. The parts list must be "
                     "specified in order by part number.");
            goto out;
        }
    }
    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *st = db_query(db,
                                    "SELECT blob, size, etag FROM s3_parts WHERE upload_id = ? "
                                    "AND part_number = ?",
                                    "sd", upload_id, parts[i].number);
        bool ok = false;
        int64_t size = 0;
        if (db_row(st)) {
            ok = etag_equal(db_text(st, 2), parts[i].etag);
            snprintf(blobs[i], sizeof blobs[i], "%s", db_text(st, 0));
            size = db_int(st, 1);
            unsigned char md5[16];
            const char *et = db_text(st, 2);
            if (ok && hex_decode(et + 1, 32, md5, sizeof md5) == 16)
                EVP_DigestUpdate(etag_md, md5, 16);
        }
        db_done(st);
        if (!ok) {
            aws_fail(e, 400, "InvalidPart",
                     "One or more of the specified parts could not be found.  The part may not "
                     "have been uploaded, or the specified entity tag may not match the part's "
                     "entity tag.");
            goto out;
        }
        if (i + 1 < n && size < OBJ_MIN_PART_SIZE) {
            aws_fail(e, 400, "EntityTooSmall",
                     "Your proposed upload is smaller than the minimum allowed size");
            goto out;
        }
    }
    const char *alg = json_string_value(json_object_get(opts, "ChecksumAlgorithm"));
    (void)alg; /* composite checksums of multipart objects are not stored (yet) */
    if (blob_begin(os, &w, NULL, e)) goto out;
    writing = true;
    for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX];
        blob_path(os, blobs[i], path, sizeof path);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            store_internal_error(e, "open a part");
            goto out;
        }
        char chunk[1 << 16];
        ssize_t k;
        int wrc = 0;
        while ((k = read(fd, chunk, sizeof chunk)) > 0 && !wrc)
            wrc = blob_write(&w, chunk, (size_t)k, e);
        close(fd);
        if (k < 0 || wrc) {
            if (!wrc) store_internal_error(e, "read a part");
            goto out;
        }
    }
    unsigned char whole[16];
    char unused[96];
    if (blob_finish(&w, whole, unused, e) || blob_publish(os, &w, e)) goto out;
    writing = false;

    obj_info v;
    memset(&v, 0, sizeof v);
    snprintf(v.bucket, sizeof v.bucket, "%s", bucket);
    snprintf(v.key, sizeof v.key, "%s", key);
    snprintf(v.blob, sizeof v.blob, "%s", w.name);
    v.size = w.size;
    unsigned char md[16];
    unsigned int mdlen = 0;
    EVP_DigestFinal_ex(etag_md, md, &mdlen);
    char hex[33];
    hex_encode(md, 16, hex);
    snprintf(v.etag, sizeof v.etag, "\"%.32s-%d\"", hex, (int)n);
    v.parts_count = (int)n;
    const char *ct = json_string_value(json_object_get(opts, "ContentType"));
    snprintf(v.content_type, sizeof v.content_type, "%s", ct ? ct : "binary/octet-stream");
    json_t *meta = json_object_get(opts, "Metadata");
    if (meta) v.metadata = json_deep_copy(meta);
    snprintf(v.owner, sizeof v.owner, "%s",
             json_string_value(json_object_get(opts, "_owner"))
                 ? json_string_value(json_object_get(opts, "_owner"))
                 : "");
    v.modified_ms = now_ms;
    obj_put_opts po = {
        .owner = v.owner,
        .lock_mode = json_string_value(json_object_get(opts, "LockMode")),
        .retain_until_ms = json_integer_value(json_object_get(opts, "RetainUntil")),
        .legal_hold = json_is_true(json_object_get(opts, "LegalHold")),
        .sse = json_string_value(json_object_get(opts, "SSE")),
        .now_ms = now_ms,
    };
    if (store_commit_version(os, db, &v, &po, e)) {
        obj_info_clear(&v);
        goto out;
    }
    /* The object is committed; the upload and its parts go now (a crash here leaves
     * part blobs that the next open sweeps once their rows are gone). */
    objstore_mpu_abort(os, db, bucket, key, upload_id, e);
    aws_error_clear(e);
    if (out)
        *out = v;
    else
        obj_info_clear(&v);
    rc = 0;
out:
    if (writing) blob_abort(&w);
    EVP_MD_CTX_free(etag_md);
    free(blobs);
    json_decref(opts);
    return rc;
}

int objstore_mpu_abort(objstore *os, db_conn *db, const char *bucket, const char *key,
                       const char *upload_id, aws_error *e)
{
    json_t *opts = upload_load(db, bucket, key, upload_id, e);
    if (!opts) return -1;
    json_decref(opts);
    size_t n = 0, cap = 0;
    char(*blobs)[40] = NULL;
    if (db_begin(db)) return store_internal_error(e, "begin a transaction");
    sqlite3_stmt *st =
        db_query(db, "SELECT blob FROM s3_parts WHERE upload_id = ?", "s", upload_id);
    while (db_row(st)) {
        blobs = xgrow(blobs, &cap, n + 1, sizeof *blobs);
        snprintf(blobs[n++], 40, "%s", db_text(st, 0));
    }
    db_done(st);
    if (db_exec(db, "DELETE FROM s3_parts WHERE upload_id = ?", "s", upload_id) ||
        db_exec(db, "DELETE FROM s3_uploads WHERE upload_id = ?", "s", upload_id) ||
        db_commit(db)) {
        db_rollback(db);
        free(blobs);
        return store_internal_error(e, "remove the upload");
    }
    for (size_t i = 0; i < n; i++)
        blob_remove(os, blobs[i]);
    free(blobs);
    return 0;
}

int objstore_mpu_list_parts(db_conn *db, const char *bucket, const char *key, const char *upload_id,
                            int part_marker, int max, obj_part **parts, size_t *n, bool *truncated,
                            aws_error *e)
{
    *parts = NULL;
    *n = 0;
    *truncated = false;
    json_t *opts = upload_load(db, bucket, key, upload_id, e);
    if (!opts) return -1;
    json_decref(opts);
    sqlite3_stmt *st = db_query(db,
                                "SELECT part_number, etag, size, created_ms, checksum FROM "
                                "s3_parts WHERE upload_id = ? AND part_number > ? ORDER BY "
                                "part_number",
                                "sd", upload_id, part_marker);
    obj_part *out = calloc((size_t)max + 1, sizeof *out);
    if (!out) abort();
    while (db_row(st)) {
        if ((int)*n >= max) {
            *truncated = true;
            break;
        }
        obj_part *p = &out[(*n)++];
        p->number = (int)db_int(st, 0);
        snprintf(p->etag, sizeof p->etag, "%s", db_text(st, 1));
        p->size = db_int(st, 2);
        p->modified_ms = db_int(st, 3);
        snprintf(p->checksum, sizeof p->checksum, "%s", db_text(st, 4));
    }
    db_done(st);
    *parts = out;
    return 0;
}

int objstore_mpu_list(db_conn *db, const char *bucket, const char *prefix, const char *key_marker,
                      const char *upload_id_marker, int max, obj_upload **ups, size_t *n,
                      bool *truncated, aws_error *e)
{
    *ups = NULL;
    *n = 0;
    *truncated = false;
    int64_t one;
    if (!db_get_int(db, &one, "SELECT 1 FROM s3_buckets WHERE name = ?", "s", bucket)) {
        aws_fail(e, 404, "NoSuchBucket", "The specified bucket does not exist");
        snprintf(e->extra_name, sizeof e->extra_name, "BucketName");
        snprintf(e->extra_value, sizeof e->extra_value, "%s", bucket);
        return -1;
    }
    const char *pfx = prefix ? prefix : "";
    const char *km = key_marker ? key_marker : "";
    /* With an upload-id marker, uploads of the marker key after that one; without, keys
     * after the marker (S3's rule). */
    const char *um = upload_id_marker && key_marker ? upload_id_marker : NULL;
    sqlite3_stmt *st = db_query(db,
                                "SELECT key, upload_id, created_ms, owner FROM s3_uploads "
                                "WHERE bucket = ? AND key >= ? AND (key > ? OR (key = ? AND ? "
                                "IS NOT NULL AND upload_id > ?)) ORDER BY key, upload_id",
                                "ssssss", bucket, pfx, km, km, um, um ? um : "");
    obj_upload *out = calloc((size_t)max + 1, sizeof *out);
    if (!out) abort();
    size_t plen = strlen(pfx);
    while (db_row(st)) {
        if (strncmp(db_text(st, 0), pfx, plen)) break;
        if ((int)*n >= max) {
            *truncated = true;
            break;
        }
        obj_upload *u = &out[(*n)++];
        snprintf(u->key, sizeof u->key, "%s", db_text(st, 0));
        snprintf(u->upload_id, sizeof u->upload_id, "%s", db_text(st, 1));
        u->initiated_ms = db_int(st, 2);
        snprintf(u->owner, sizeof u->owner, "%s", db_text(st, 3));
    }
    db_done(st);
    *ups = out;
    return 0;
}
