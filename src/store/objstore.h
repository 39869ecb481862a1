/* objstore: the embedded object store behind S3 buckets, with S3's semantics.
 *
 * Used by the S3 API (svc/s3_objects*.c) and internally (the delivery engine writes log
 * files and digests through it as the bucket owner would, so that versioning and Object
 * Lock apply to them too). It does no access control: callers decide who may act.
 *
 * Layout: DATA/objects/tmp/ holds uploads in progress; DATA/objects/blobs/XX/<id> holds
 * object and part bytes, one immutable file per version or part. A write goes
 *   temp file -> fsync -> rename into blobs/XX -> fsync(blobs/XX) -> metadata committed
 * in SQLite (s3_objects, s3_uploads, s3_parts). Only the metadata makes a version
 * visible, so a crash leaves the old state or the new one: at worst an invisible blob
 * or a temp file, both removed by objstore_open. Blobs are never rewritten, only unlinked
 * after the metadata that named them is gone, so a reader holding a descriptor keeps a
 * consistent object even while it is deleted.
 *
 * Versioning, as S3: a bucket that never had versioning ("") keeps one version per key
 * with version id "null"; Enabled gives each put a new version id; Suspended writes "null"
 * versions again (replacing an existing null version) and keeps the others. Deleting
 * without a version id removes the null object (unversioned) or adds a delete marker;
 * deleting a version id removes exactly that version (the next newest becomes current).
 *
 * Object Lock: a bucket with Object Lock may have a default retention (mode + Days or
 * Years) that every new version gets unless the put names its own. A version under
 * retention (retain-until in the future) or legal hold cannot be deleted by anyone;
 * GOVERNANCE yields to bypass_governance (the caller checks s3:BypassGovernanceRetention).
 * COMPLIANCE retention can be extended but never shortened, removed or turned into
 * GOVERNANCE. Delete markers are never locked.
 *
 * Errors: -1 with an aws_error carrying S3's code (NoSuchBucket, NoSuchKey, NoSuchVersion,
 * NoSuchUpload, InvalidPart, InvalidPartOrder, EntityTooSmall, BadDigest, InvalidDigest,
 * AccessDenied for locked versions, InvalidRequest ...) and InternalError for I/O failure.
 *
 * Threads: an objstore is immutable after objstore_open; every call takes the db_conn the
 * calling thread has checked out. Writes open their own (BEGIN IMMEDIATE) transaction, so
 * never call them inside one: the bytes must be durable before the metadata commits. */
#ifndef ORGTRAIL_OBJSTORE_H
#define ORGTRAIL_OBJSTORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/awserr.h"
#include "state/db.h"

#define OBJ_KEY_MAX 1024 /* bytes of UTF-8, S3's limit */
#define OBJ_VERSION_LEN 33
#define OBJ_MIN_PART_SIZE (5 * 1024 * 1024) /* every part but the last */
#define OBJ_MAX_PARTS 10000

typedef struct objstore {
    char *root; /* owned: DATA/objects */
} objstore;

/* Opens (creating) the store under data_dir, removing leftover temp files and blobs no
 * metadata names (the remains of a crash). Returns 0, or -1 with err filled. */
int objstore_open(objstore *os, const char *data_dir, db_conn *db, char *err, size_t errlen);
void objstore_close(objstore *os);

/* One version of an object (or a delete marker) as stored. */
typedef struct obj_info {
    char bucket[64];
    char key[OBJ_KEY_MAX + 1];
    char version_id[OBJ_VERSION_LEN]; /* "null" for unversioned / suspended writes */
    bool is_latest;
    bool delete_marker;
    int64_t size;
    int64_t modified_ms;
    char etag[48]; /* quoted, e.g. "\"9b2c...\"" or "\"...-3\"" */
    char content_type[256];
    json_t *metadata;        /* owned: {"name": "value"} user metadata; obj_info_clear */
    char checksum_alg[16];   /* "crc32" ... or "" */
    char checksum[96];       /* base64 */
    int parts_count;         /* 0 for a single-part upload */
    char owner[13];          /* account that wrote the version */
    char lock_mode[16];      /* "COMPLIANCE", "GOVERNANCE" or "" */
    int64_t retain_until_ms; /* 0 when none */
    bool legal_hold;
    char sse[16];  /* "AES256" or "" */
    char blob[40]; /* internal: the blob file name */
} obj_info;

void obj_info_clear(obj_info *o);

/* What a write stores besides the bytes. All pointers are borrowed; NULL = absent. */
typedef struct obj_put_opts {
    const char *owner;          /* account id of the writer (required) */
    const char *content_type;   /* NULL = binary/octet-stream */
    const json_t *metadata;     /* {"name": "value"} without the x-amz-meta- prefix */
    const char *content_md5;    /* base64 MD5 the bytes must have (BadDigest/InvalidDigest) */
    const char *checksum_alg;   /* "crc32", "crc32c", "crc64nvme", "sha1", "sha256" */
    const char *checksum_value; /* base64 expected value; NULL = compute and store */
    const char *lock_mode;      /* explicit retention; NULL = the bucket default */
    int64_t retain_until_ms;
    bool legal_hold;
    const char *sse; /* NULL = the bucket's default encryption */
    int64_t now_ms;
} obj_put_opts;

/* Stores a new version of bucket/key from memory (objstore_put) or from an open file read
 * to its end (objstore_put_fd). On success fills *out (may be NULL) with the stored
 * version; clear it with obj_info_clear. */
int objstore_put(objstore *os, db_conn *db, const char *bucket, const char *key, const void *data,
                 size_t len, const obj_put_opts *o, obj_info *out, aws_error *e);
int objstore_put_fd(objstore *os, db_conn *db, const char *bucket, const char *key, int fd,
                    const obj_put_opts *o, obj_info *out, aws_error *e);

/* The version of bucket/key named by version_id (NULL = the current one). Returns 0 with
 * *out filled — possibly a delete marker (out->delete_marker), which the caller turns into
 * S3's answer — or -1: NoSuchBucket, NoSuchKey (no current version), NoSuchVersion. */
int objstore_head(db_conn *db, const char *bucket, const char *key, const char *version_id,
                  obj_info *out, aws_error *e);

/* As objstore_head, and opens the version's bytes: *fd (caller closes) reads them from
 * offset 0. Fails with MethodNotAllowed semantics left to the caller for delete markers
 * (*fd is -1 then). */
int objstore_open_version(objstore *os, db_conn *db, const char *bucket, const char *key,
                          const char *version_id, obj_info *out, int *fd, aws_error *e);

/* Reads len bytes at off from fd into a malloc'd buffer (caller frees). NULL on error. */
char *objstore_read_alloc(int fd, int64_t off, size_t len);

/* Result of a delete. */
typedef struct obj_delete_result {
    bool delete_marker;               /* a marker was created, or the removed version was one */
    char version_id[OBJ_VERSION_LEN]; /* the marker's or the removed version's id; "" none */
} obj_delete_result;

/* Deletes as S3's DeleteObject does (see the contract above). A key that does not exist
 * is not an error (S3 answers 204). Locked versions: AccessDenied. */
int objstore_delete(objstore *os, db_conn *db, const char *bucket, const char *key,
                    const char *version_id, bool bypass_governance, int64_t now_ms,
                    const char *owner, obj_delete_result *r, aws_error *e);

/* Server-side copy of a version to a new version of dst_bucket/dst_key. o->metadata and
 * o->content_type NULL keep the source's (the COPY directive); the lock and checksum
 * fields of o apply to the copy. */
int objstore_copy(objstore *os, db_conn *db, const char *src_bucket, const char *src_key,
                  const char *src_version, const char *dst_bucket, const char *dst_key,
                  const obj_put_opts *o, obj_info *out, aws_error *e);

/* ---- listing ---- */

typedef struct obj_list_opts {
    const char *prefix;         /* NULL = "" */
    const char *delimiter;      /* NULL = none */
    const char *after;          /* list keys strictly after this one (start-after / token) */
    const char *version_marker; /* versions: with `after` = key-marker */
    int max_keys;               /* 0..1000; keys and common prefixes count alike */
    bool versions;              /* all versions and delete markers, newest first per key */
} obj_list_opts;

typedef struct obj_list {
    obj_info *items; /* owned */
    size_t n;
    char **prefixes; /* owned: common prefixes, in order */
    size_t n_prefixes;
    bool truncated;
    char *next_key; /* owned: the last key or common prefix listed when truncated */
    char next_version[OBJ_VERSION_LEN];
} obj_list;

int objstore_list(db_conn *db, const char *bucket, const obj_list_opts *o, obj_list *out,
                  aws_error *e);
void obj_list_free(obj_list *l);

/* true when the bucket holds no version, delete marker or upload (DeleteBucket). */
bool objstore_bucket_empty(db_conn *db, const char *bucket);

/* ---- bucket settings the store applies ---- */

/* state: "Enabled" or "Suspended". Suspending an Object Lock bucket is InvalidBucketState. */
int objstore_set_versioning(db_conn *db, const char *bucket, const char *state, aws_error *e);

typedef struct obj_lock_default {
    char mode[16]; /* "" = no default retention */
    int days, years;
} obj_lock_default;

/* Object Lock configuration of a bucket: returns 1 with *d filled when the bucket has
 * Object Lock enabled, 0 when not (or no such bucket). */
int objstore_lock_default_get(db_conn *db, const char *bucket, obj_lock_default *d);
/* Sets (d->mode "" clears) the default retention. On a bucket without Object Lock whose
 * versioning is Enabled this enables Object Lock (for good); otherwise InvalidBucketState. */
int objstore_lock_default_set(db_conn *db, const char *bucket, const obj_lock_default *d,
                              aws_error *e);

/* Sets a version's retention (mode "" with until 0 removes it, GOVERNANCE only with
 * bypass). COMPLIANCE cannot be shortened, removed or weakened: AccessDenied. */
int objstore_set_retention(db_conn *db, const char *bucket, const char *key, const char *version_id,
                           const char *mode, int64_t until_ms, bool bypass_governance,
                           int64_t now_ms, obj_info *out, aws_error *e);
int objstore_set_legal_hold(db_conn *db, const char *bucket, const char *key,
                            const char *version_id, bool on, obj_info *out, aws_error *e);

/* ---- multipart uploads ---- */

/* Starts an upload; the put options (content type, metadata, lock, sse, checksum alg)
 * apply to the object completion creates. upload_id must hold 65. */
int objstore_mpu_create(db_conn *db, const char *bucket, const char *key, const obj_put_opts *o,
                        char *upload_id, aws_error *e);
/* Stores part `part_number` (1..10000; a re-upload replaces it). etag must hold 48. */
int objstore_mpu_put_part(objstore *os, db_conn *db, const char *bucket, const char *key,
                          const char *upload_id, int part_number, const void *data, size_t len,
                          const obj_put_opts *o, char *etag, aws_error *e);

typedef struct obj_part {
    int number;
    char etag[48];
    int64_t size;
    int64_t modified_ms;
    char checksum[96];
} obj_part;

/* Completes with the client's list of parts (ascending numbers, matching ETags; quotes
 * optional). The object's ETag is the MD5 of the parts' MD5s, "-N". */
int objstore_mpu_complete(objstore *os, db_conn *db, const char *bucket, const char *key,
                          const char *upload_id, const obj_part *parts, size_t n, int64_t now_ms,
                          obj_info *out, aws_error *e);
int objstore_mpu_abort(objstore *os, db_conn *db, const char *bucket, const char *key,
                       const char *upload_id, aws_error *e);
/* Parts after part_marker, at most max (0..1000). *parts is malloc'd (caller frees). */
int objstore_mpu_list_parts(db_conn *db, const char *bucket, const char *key, const char *upload_id,
                            int part_marker, int max, obj_part **parts, size_t *n, bool *truncated,
                            aws_error *e);

typedef struct obj_upload {
    char key[OBJ_KEY_MAX + 1];
    char upload_id[65];
    int64_t initiated_ms;
    char owner[13];
} obj_upload;

/* Uploads in progress, by key then initiation, after (key_marker, upload_id_marker).
 * *ups is malloc'd (caller frees). */
int objstore_mpu_list(db_conn *db, const char *bucket, const char *prefix, const char *key_marker,
                      const char *upload_id_marker, int max, obj_upload **ups, size_t *n,
                      bool *truncated, aws_error *e);

#endif
