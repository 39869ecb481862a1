/* source: where a validation reads objects from — an S3 API endpoint (source_s3.c) or a
 * local orgtrail store opened read-only (source_store.c).
 *
 * A source is a factory of per-thread handles: the chain walk uses one, every hashing
 * worker opens its own (source_open), so handles never need locks. A handle does three
 * things, the three the validator needs: list one page of keys, get an object with its
 * user metadata, and report why something failed.
 *
 * Results: VS_OK, VS_NOT_FOUND (S3's NoSuchKey: the verdict "not found"), VS_ERROR (any
 * other failure: the AWS CLI stops with an error, and so do we, with err saying what). */
#ifndef ORGTRAIL_VALIDATE_SOURCE_H
#define ORGTRAIL_VALIDATE_SOURCE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum { VS_OK = 0, VS_NOT_FOUND = 1, VS_ERROR = -1 };

typedef struct vs_page {
    char **keys; /* owned */
    size_t n;
    bool truncated;
    char *next_after; /* owned: start after this key for the next page (when truncated) */
} vs_page;

void vs_page_free(vs_page *p);

typedef struct vs_object {
    const unsigned char *data;
    size_t len;
    json_t *metadata; /* owned: {"signature": ...} without x-amz-meta-, lower-case names */
    /* how to release data */
    void *map;
    size_t map_len;
    unsigned char *heap;
} vs_object;

void vs_object_release(vs_object *o);

typedef struct vs_handle vs_handle;

typedef struct vs_ops {
    vs_handle *(*open)(void *ctx, char *err, size_t errlen);
    int (*list)(vs_handle *h, const char *bucket, const char *prefix, const char *after,
                vs_page *out, char *err, size_t errlen);
    int (*get)(vs_handle *h, const char *bucket, const char *key, vs_object *out, char *err,
               size_t errlen);
    void (*close)(vs_handle *h);
} vs_ops;

typedef struct vsource {
    const vs_ops *ops;
    void *ctx;            /* owned by whoever made the source */
    const char *describe; /* "http://127.0.0.1:4566" or "store /var/orgtrail" */
} vsource;

static inline vs_handle *vs_open(const vsource *s, char *err, size_t errlen)
{
    return s->ops->open(s->ctx, err, errlen);
}

/* The local store: data_dir/state.db read-only, blobs under data_dir/objects. Safe while
 * `orgtrail serve` runs: objects are immutable blobs named by committed metadata. */
typedef struct vs_store_ctx {
    char *data_dir;
} vs_store_ctx;
extern const vs_ops VS_STORE_OPS;

#endif
