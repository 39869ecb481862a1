/* objstore_internal: what the files of the object store share.
 *
 *   objstore.c         open/close, puts, reads, deletes, copies, versioning and locks
 *   objstore_blob.c    blob files: temp write with digests, publish, remove, sweep
 *   objstore_list.c    ListObjectsV2 / ListObjectVersions listing
 *   objstore_mpu.c     multipart uploads */
#ifndef ORGTRAIL_OBJSTORE_INTERNAL_H
#define ORGTRAIL_OBJSTORE_INTERNAL_H

#include <limits.h>

#include "core/checksum.h"
#include "store/objstore.h"

/* The columns obj_row reads, in its order. */
#define OBJ_COLS                                                                                   \
    "bucket, key, version_id, is_latest, delete_marker, blob, size, etag, content_type, "          \
    "metadata, checksum_alg, checksum, parts_count, owner, lock_mode, retain_until_ms, "           \
    "legal_hold, sse, created_ms, id"
#define OBJ_COL_ID 19

/* Fills *o from a row of OBJ_COLS (o->metadata is a new reference). */
void obj_row(sqlite3_stmt *st, obj_info *o);

/* ---- objstore_blob.c ---- */

typedef struct blob_writer {
    int fd;
    char tmp[PATH_MAX];
    char name[40];
    void *md5; /* EVP_MD_CTX */
    checksum_ctx ck;
    bool ck_on;
    int64_t size;
} blob_writer;

/* Starts a temp file; checksum_alg (NULL = none) is computed alongside the MD5. An
 * unknown algorithm is InvalidRequest. */
int blob_begin(objstore *os, blob_writer *w, const char *checksum_alg, aws_error *e);
int blob_write(blob_writer *w, const void *p, size_t n, aws_error *e);
/* Flushes the bytes to disk and finishes the digests (md5 raw, checksum base64 or ""). */
int blob_finish(blob_writer *w, unsigned char md5[16], char checksum[96], aws_error *e);
/* Renames the finished temp file into blobs/ and makes the rename durable. */
int blob_publish(objstore *os, blob_writer *w, aws_error *e);
/* Closes and removes the temp file (any stage before publish). */
void blob_abort(blob_writer *w);
void blob_path(const objstore *os, const char *name, char *out, size_t n);
/* Unlinks a published blob (its metadata must already be gone). NULL/"" is a no-op. */
void blob_remove(const objstore *os, const char *name);
/* Removes temp files and blobs that no row names. */
int blob_sweep(objstore *os, db_conn *db, char *err, size_t errlen);

/* Checks the digests a client sent against what was computed. */
int digest_verify(const obj_put_opts *o, const unsigned char md5[16], const char *checksum,
                  aws_error *e);

/* ---- objstore.c ---- */

/* Makes a finished, published blob the new version of bucket/key (v holds everything
 * but version_id / is_latest, which this decides). On failure the blob is removed. */
int store_commit_version(objstore *os, db_conn *db, obj_info *v, const obj_put_opts *o,
                         aws_error *e);

int store_internal_error(aws_error *e, const char *what);

#endif
