/* s3_list: ListObjects (v1), ListObjectsV2 and ListObjectVersions.
 *
 * Continuation tokens are the base64 of the last key or common prefix listed: opaque to
 * clients and still valid when keys come and go between pages. With EncodingType=url
 * (the AWS CLI always asks for it) keys and prefixes in the answer are URL-encoded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/hash.h"
#include "svc/s3_internal.h"

static json_t *enc(bool url, const char *s)
{
    if (!url) return json_string(s);
    buf b = BUF_INIT;
    url_encode(&b, s, strlen(s), 1);
    json_t *j = json_stringn(b.data ? b.data : "", b.len);
    buf_free(&b);
    return j;
}

static json_t *owner_of(const char *account_id)
{
    char id[65];
    s3_canonical_id(account_id, id);
    return json_pack("{s:s, s:s}", "DisplayName", account_id, "ID", id);
}

static int max_keys(call_ctx *c)
{
    int64_t m = in_int(c, "MaxKeys", 1000);
    if (m < 0) m = 0;
    return m > 1000 ? 1000 : (int)m;
}

static const char *const *list_context(call_ctx *c, const char *ctx[8], char mk[16])
{
    int n = 0;
    const char *prefix = in_str(c, "Prefix"), *delim = in_str(c, "Delimiter");
    if (prefix) ctx[n++] = "s3:prefix", ctx[n++] = prefix;
    if (delim) ctx[n++] = "s3:delimiter", ctx[n++] = delim;
    snprintf(mk, 16, "%d", max_keys(c));
    ctx[n++] = "s3:max-keys";
    ctx[n++] = mk;
    ctx[n] = NULL;
    return ctx;
}

/* The Contents of a listing: current versions, keys URL-encoded when asked. */
static json_t *contents_json(const obj_list *l, bool url, bool fetch_owner)
{
    json_t *contents = json_array();
    for (size_t i = 0; i < l->n; i++) {
        const obj_info *v = &l->items[i];
        json_t *o = json_pack("{s:o, s:o, s:s, s:I, s:s}", "Key", enc(url, v->key), "LastModified",
                              json_time(v->modified_ms), "ETag", v->etag, "Size",
                              (json_int_t)v->size, "StorageClass", "STANDARD");
        if (v->checksum_alg[0]) {
            char up[16];
            size_t k = 0;
            for (; v->checksum_alg[k] && k < 15; k++)
                up[k] = (char)(v->checksum_alg[k] >= 'a' && v->checksum_alg[k] <= 'z'
                                   ? v->checksum_alg[k] - 32
                                   : v->checksum_alg[k]);
            up[k] = '\0';
            json_object_set_new(o, "ChecksumAlgorithm", json_pack("[s]", up));
        }
        if (fetch_owner) json_object_set_new(o, "Owner", owner_of(v->owner));
        json_array_append_new(contents, o);
    }
    return contents;
}

int s3_list_objects_v2(call_ctx *c)
{
    const char *ctx[8];
    char mk[16];
    s3_bucket b;
    if (s3_call_object(c, "s3:ListBucket", list_context(c, ctx, mk), &b)) return -1;
    json_object_set_new(c->request_parameters, "list-type", json_string("2"));
    const char *prefix = in_str(c, "Prefix"), *delim = in_str(c, "Delimiter");
    const char *token = in_str(c, "ContinuationToken"), *start = in_str(c, "StartAfter");
    const char *encoding = in_str(c, "EncodingType");
    bool url = encoding && !strcmp(encoding, "url");
    char *after = NULL;
    if (token) {
        size_t n = 0;
        unsigned char *raw = base64_decode_alloc(token, strlen(token), &n);
        if (!raw || !n || memchr(raw, '\0', n)) {
            free(raw);
            s3_bucket_clear(&b);
            return aws_fail(&c->err, 400, "InvalidArgument",
                            "The continuation token provided is incorrect");
        }
        after = malloc(n + 1);
        if (!after) abort();
        memcpy(after, raw, n);
        after[n] = '\0';
        free(raw);
    }
    /* A token and a later StartAfter: listing resumes after whichever is further. */
    const char *from = after;
    if (start && (!from || strcmp(start, from) > 0)) from = start;
    obj_list_opts lo = {
        .prefix = prefix, .delimiter = delim, .after = from, .max_keys = max_keys(c)};
    obj_list l;
    int rc = objstore_list(c->db, b.name, &lo, &l, &c->err);
    free(after);
    if (rc) {
        s3_bucket_clear(&b);
        return -1;
    }
    bool fetch_owner = in_bool(c, "FetchOwner", false);
    json_t *contents = contents_json(&l, url, fetch_owner);
    json_t *prefixes = json_array();
    for (size_t i = 0; i < l.n_prefixes; i++)
        json_array_append_new(prefixes, json_pack("{s:o}", "Prefix", enc(url, l.prefixes[i])));
    c->out = json_object();
    json_object_set_new(c->out, "IsTruncated", json_boolean(l.truncated));
    if (l.n)
        json_object_set_new(c->out, "Contents", contents);
    else
        json_decref(contents);
    json_object_set_new(c->out, "Name", json_string(b.name));
    json_object_set_new(c->out, "Prefix", enc(url, prefix ? prefix : ""));
    if (delim) json_object_set_new(c->out, "Delimiter", enc(url, delim));
    json_object_set_new(c->out, "MaxKeys", json_integer(max_keys(c)));
    if (l.n_prefixes)
        json_object_set_new(c->out, "CommonPrefixes", prefixes);
    else
        json_decref(prefixes);
    if (url) json_object_set_new(c->out, "EncodingType", json_string("url"));
    json_object_set_new(c->out, "KeyCount", json_integer((json_int_t)(l.n + l.n_prefixes)));
    if (token) json_object_set_new(c->out, "ContinuationToken", json_string(token));
    if (l.truncated && l.next_key) {
        char *next = base64_encode_alloc(l.next_key, strlen(l.next_key));
        json_object_set_new(c->out, "NextContinuationToken", json_string(next));
        free(next);
    }
    if (start) json_object_set_new(c->out, "StartAfter", enc(url, start));
    obj_list_free(&l);
    s3_bucket_clear(&b);
    return 0;
}

/* Version 1, which `aws cloudtrail validate-logs` uses (Marker = the key to list after).
 * NextMarker is sent whenever the answer is truncated: clients use it, or the last key. */
int s3_list_objects(call_ctx *c)
{
    const char *ctx[8];
    char mk[16];
    s3_bucket b;
    if (s3_call_object(c, "s3:ListBucket", list_context(c, ctx, mk), &b)) return -1;
    const char *prefix = in_str(c, "Prefix"), *delim = in_str(c, "Delimiter");
    const char *marker = in_str(c, "Marker");
    const char *encoding = in_str(c, "EncodingType");
    bool url = encoding && !strcmp(encoding, "url");
    obj_list_opts lo = {
        .prefix = prefix, .delimiter = delim, .after = marker, .max_keys = max_keys(c)};
    obj_list l;
    if (objstore_list(c->db, b.name, &lo, &l, &c->err)) {
        s3_bucket_clear(&b);
        return -1;
    }
    json_t *contents = contents_json(&l, url, true);
    json_t *prefixes = json_array();
    for (size_t i = 0; i < l.n_prefixes; i++)
        json_array_append_new(prefixes, json_pack("{s:o}", "Prefix", enc(url, l.prefixes[i])));
    c->out = json_object();
    json_object_set_new(c->out, "IsTruncated", json_boolean(l.truncated));
    json_object_set_new(c->out, "Marker", enc(url, marker ? marker : ""));
    if (l.truncated && l.next_key) json_object_set_new(c->out, "NextMarker", enc(url, l.next_key));
    if (l.n)
        json_object_set_new(c->out, "Contents", contents);
    else
        json_decref(contents);
    json_object_set_new(c->out, "Name", json_string(b.name));
    json_object_set_new(c->out, "Prefix", enc(url, prefix ? prefix : ""));
    if (delim) json_object_set_new(c->out, "Delimiter", enc(url, delim));
    json_object_set_new(c->out, "MaxKeys", json_integer(max_keys(c)));
    if (l.n_prefixes)
        json_object_set_new(c->out, "CommonPrefixes", prefixes);
    else
        json_decref(prefixes);
    if (url) json_object_set_new(c->out, "EncodingType", json_string("url"));
    obj_list_free(&l);
    s3_bucket_clear(&b);
    return 0;
}

int s3_list_object_versions(call_ctx *c)
{
    const char *ctx[8];
    char mk[16];
    s3_bucket b;
    if (s3_call_object(c, "s3:ListBucketVersions", list_context(c, ctx, mk), &b)) return -1;
    json_object_set_new(c->request_parameters, "versions", json_string(""));
    const char *prefix = in_str(c, "Prefix"), *delim = in_str(c, "Delimiter");
    const char *key_marker = in_str(c, "KeyMarker"), *vid_marker = in_str(c, "VersionIdMarker");
    const char *encoding = in_str(c, "EncodingType");
    bool url = encoding && !strcmp(encoding, "url");
    obj_list_opts lo = {.prefix = prefix,
                        .delimiter = delim,
                        .after = key_marker,
                        .version_marker = vid_marker,
                        .max_keys = max_keys(c),
                        .versions = true};
    obj_list l;
    if (objstore_list(c->db, b.name, &lo, &l, &c->err)) {
        s3_bucket_clear(&b);
        return -1;
    }
    json_t *versions = json_array(), *markers = json_array();
    for (size_t i = 0; i < l.n; i++) {
        const obj_info *v = &l.items[i];
        json_t *o = json_pack("{s:o, s:s, s:b, s:o, s:o}", "Key", enc(url, v->key), "VersionId",
                              v->version_id, "IsLatest", v->is_latest, "LastModified",
                              json_time(v->modified_ms), "Owner", owner_of(v->owner));
        if (v->delete_marker) {
            json_array_append_new(markers, o);
            continue;
        }
        json_object_set_new(o, "ETag", json_string(v->etag));
        json_object_set_new(o, "Size", json_integer(v->size));
        json_object_set_new(o, "StorageClass", json_string("STANDARD"));
        json_array_append_new(versions, o);
    }
    json_t *prefixes = json_array();
    for (size_t i = 0; i < l.n_prefixes; i++)
        json_array_append_new(prefixes, json_pack("{s:o}", "Prefix", enc(url, l.prefixes[i])));
    c->out = json_object();
    json_object_set_new(c->out, "IsTruncated", json_boolean(l.truncated));
    json_object_set_new(c->out, "KeyMarker", enc(url, key_marker ? key_marker : ""));
    json_object_set_new(c->out, "VersionIdMarker", json_string(vid_marker ? vid_marker : ""));
    if (l.truncated && l.next_key) {
        json_object_set_new(c->out, "NextKeyMarker", enc(url, l.next_key));
        if (l.next_version[0])
            json_object_set_new(c->out, "NextVersionIdMarker", json_string(l.next_version));
    }
    if (json_array_size(versions)) json_object_set(c->out, "Versions", versions);
    if (json_array_size(markers)) json_object_set(c->out, "DeleteMarkers", markers);
    json_decref(versions);
    json_decref(markers);
    json_object_set_new(c->out, "Name", json_string(b.name));
    json_object_set_new(c->out, "Prefix", enc(url, prefix ? prefix : ""));
    if (delim) json_object_set_new(c->out, "Delimiter", enc(url, delim));
    json_object_set_new(c->out, "MaxKeys", json_integer(max_keys(c)));
    if (l.n_prefixes) json_object_set(c->out, "CommonPrefixes", prefixes);
    json_decref(prefixes);
    if (url) json_object_set_new(c->out, "EncodingType", json_string("url"));
    obj_list_free(&l);
    s3_bucket_clear(&b);
    return 0;
}
