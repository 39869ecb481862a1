/* source_store: reading a local orgtrail store for validate-logs --data. Read-only: the
 * database is opened SQLITE_OPEN_READONLY (WAL readers never block the server) and the
 * object store is not "opened" (objstore_open would clean up temp files the running server
 * owns); objects are looked up by metadata and their blob files mapped. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/objstore.h"
#include "validate/source.h"

struct vs_handle {
    db_conn *db;
    objstore os;
};

static vs_handle *store_open(void *ctx, char *err, size_t errlen)
{
    vs_store_ctx *c = ctx;
    char path[4096];
    snprintf(path, sizeof path, "%s/state.db", c->data_dir);
    if (access(path, R_OK)) {
        snprintf(err, errlen,
                 "no orgtrail store in %s (expected %s; create one with 'orgtrail init')",
                 c->data_dir, path);
        return NULL;
    }
    db_conn *db = db_conn_open(path, true, err, errlen);
    if (!db) return NULL;
    vs_handle *h = calloc(1, sizeof *h);
    if (!h) abort();
    h->db = db;
    snprintf(path, sizeof path, "%s/objects", c->data_dir);
    h->os.root = strdup(path);
    if (!h->os.root) abort();
    return h;
}

static int store_list(vs_handle *h, const char *bucket, const char *prefix, const char *after,
                      vs_page *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof out[0]);
    obj_list_opts o = {.prefix = prefix, .after = after, .max_keys = 1000};
    obj_list l;
    aws_error e;
    memset(&e, 0, sizeof e);
    if (objstore_list(h->db, bucket, &o, &l, &e)) {
        snprintf(err, errlen, "cannot list s3://%s/%s: %s: %s", bucket, prefix ? prefix : "",
                 e.code, e.message);
        return VS_ERROR;
    }
    out->keys = calloc(l.n ? l.n : 1, sizeof out->keys[0]);
    if (!out->keys) abort();
    for (size_t i = 0; i < l.n; i++) {
        out->keys[i] = strdup(l.items[i].key);
        if (!out->keys[i]) abort();
    }
    out->n = l.n;
    out->truncated = l.truncated;
    if (l.truncated && l.next_key) {
        out->next_after = strdup(l.next_key);
        if (!out->next_after) abort();
    }
    obj_list_free(&l);
    return VS_OK;
}

/* Objects up to this size are read into memory, larger ones mapped. */
#define READ_MAX ((size_t)8 << 20)

static int store_get(vs_handle *h, const char *bucket, const char *key, vs_object *out, char *err,
                     size_t errlen)
{
    memset(out, 0, sizeof out[0]);
    obj_info info;
    memset(&info, 0, sizeof info);
    aws_error e;
    memset(&e, 0, sizeof e);
    int fd = -1;
    if (objstore_open_version(&h->os, h->db, bucket, key, NULL, &info, &fd, &e)) {
        if (!strcmp(e.code, "NoSuchKey")) return VS_NOT_FOUND;
        snprintf(err, errlen, "cannot read s3://%s/%s: %s: %s", bucket, key, e.code, e.message);
        return VS_ERROR;
    }
    if (info.delete_marker) {
        obj_info_clear(&info);
        return VS_NOT_FOUND;
    }
    out->metadata = info.metadata ? json_incref(info.metadata) : json_object();
    size_t len = (size_t)info.size;
    obj_info_clear(&info);
    if (len && len <= READ_MAX) {
        /* Log files are small: a read beats a mapping, whose unmapping makes every worker
         * thread take the process's mm lock and flush TLBs (a quarter of the run's time). */
        out->heap = malloc(len);
        if (!out->heap) abort();
        size_t got = 0;
        while (got < len) {
            ssize_t n = pread(fd, out->heap + got, len - got, (off_t)got);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                snprintf(err, errlen, "cannot read s3://%s/%s: %s", bucket, key,
                         n < 0 ? strerror(errno) : "the object is shorter than recorded");
                close(fd);
                vs_object_release(out);
                return VS_ERROR;
            }
            got += (size_t)n;
        }
        out->data = out->heap;
    } else if (len) {
        void *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            snprintf(err, errlen, "cannot map s3://%s/%s: %s", bucket, key, strerror(errno));
            close(fd);
            vs_object_release(out);
            return VS_ERROR;
        }
        madvise(m, len, MADV_SEQUENTIAL);
        out->map = m;
        out->map_len = len;
        out->data = m;
    } else
        out->data = (const unsigned char *)"";
    out->len = len;
    close(fd);
    return VS_OK;
}

static void store_close(vs_handle *h)
{
    if (!h) return;
    db_conn_close(h->db);
    free(h->os.root);
    free(h);
}

const vs_ops VS_STORE_OPS = {store_open, store_list, store_get, store_close};
