/* source_s3: reading through the S3 API (path-style), for validate-logs --endpoint-url.
 * ListObjectsV2 pages of 1000 keys; GetObject with the user metadata from the response
 * headers (the same x-amz-meta-* a HeadObject would give, without a second request). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "validate/awsclient.h"
#include "validate/source.h"
#include "validate/source_s3.h"

struct vs_handle {
    awsc *c;
    const vs_s3_ctx *ctx;
};

static vs_handle *s3_open(void *ctx, char *err, size_t errlen)
{
    const vs_s3_ctx *x = ctx;
    awsc *c = awsc_open(x->endpoint, x->cfg, err, errlen);
    if (!c) return NULL;
    vs_handle *h = calloc(1, sizeof *h);
    if (!h) abort();
    h->c = c;
    h->ctx = x;
    return h;
}

static void s3_close(vs_handle *h)
{
    if (!h) return;
    awsc_close(h->c);
    free(h);
}

/* Undoes the five XML entities and numeric references in place. */
static void xml_unescape(char *s)
{
    char *w = s;
    while (*s) {
        if (*s == '&') {
            static const struct {
                const char *e;
                char c;
            } ents[] = {
                {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
            size_t i;
            for (i = 0; i < 5; i++)
                if (!strncmp(s, ents[i].e, strlen(ents[i].e))) break;
            if (i < 5) {
                *w++ = ents[i].c;
                s += strlen(ents[i].e);
                continue;
            }
            if (s[1] == '#') {
                char *end;
                long cp = s[2] == 'x' ? strtol(s + 3, &end, 16) : strtol(s + 2, &end, 10);
                if (*end == ';' && cp > 0 && cp < 0x80) {
                    *w++ = (char)cp;
                    s = end + 1;
                    continue;
                }
            }
        }
        *w++ = *s++;
    }
    *w = 0;
}

static int s3_err(const awsc_resp *r, const char *what, const char *bucket, const char *key,
                  char *err, size_t errlen)
{
    snprintf(err, errlen, "An error occurred (%s) when calling the %s operation on s3://%s/%s: %s",
             r->code, what, bucket, key ? key : "", r->message);
    return VS_ERROR;
}

static int s3_list(vs_handle *h, const char *bucket, const char *prefix, const char *after,
                   vs_page *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof out[0]);
    buf path = BUF_INIT, q = BUF_INIT;
    buf_putc(&path, '/');
    awsc_encode(&path, bucket, 0);
    buf_puts(&q, "list-type=2&max-keys=1000");
    if (prefix && *prefix) {
        buf_puts(&q, "&prefix=");
        awsc_encode(&q, prefix, 0);
    }
    if (after && *after) {
        buf_puts(&q, "&start-after=");
        awsc_encode(&q, after, 0);
    }
    awsc_resp r;
    int rc = awsc_request(h->c, "GET", "s3", h->ctx->region, buf_cstr(&path), buf_cstr(&q), NULL,
                          NULL, 0, &r, err, errlen);
    buf_free(&path);
    buf_free(&q);
    if (rc) return VS_ERROR;
    if (r.status != 200) {
        rc = s3_err(&r, "ListObjectsV2", bucket, prefix, err, errlen);
        awsc_resp_free(&r);
        return rc;
    }
    size_t cap = 0;
    const char *s = buf_cstr(&r.body);
    while ((s = strstr(s, "<Key>"))) {
        s += 5;
        const char *e = strstr(s, "</Key>");
        if (!e) break;
        out->keys = xgrow(out->keys, &cap, out->n + 1, sizeof out->keys[0]);
        char *k = strndup(s, (size_t)(e - s));
        if (!k) abort();
        xml_unescape(k);
        out->keys[out->n++] = k;
        s = e + 6;
    }
    out->truncated = strstr(buf_cstr(&r.body), "<IsTruncated>true</IsTruncated>") != NULL;
    awsc_resp_free(&r);
    return VS_OK;
}

static int s3_get(vs_handle *h, const char *bucket, const char *key, vs_object *out, char *err,
                  size_t errlen)
{
    memset(out, 0, sizeof out[0]);
    buf path = BUF_INIT;
    buf_putc(&path, '/');
    awsc_encode(&path, bucket, 0);
    buf_putc(&path, '/');
    awsc_encode(&path, key, 1);
    awsc_resp r;
    int rc = awsc_request(h->c, "GET", "s3", h->ctx->region, buf_cstr(&path), "", NULL, NULL, 0, &r,
                          err, errlen);
    buf_free(&path);
    if (rc) return VS_ERROR;
    if (r.status == 404 && !strcmp(r.code, "NoSuchKey")) {
        awsc_resp_free(&r);
        return VS_NOT_FOUND;
    }
    if (r.status != 200) {
        rc = s3_err(&r, "GetObject", bucket, key, err, errlen);
        awsc_resp_free(&r);
        return rc;
    }
    out->len = r.body.len;
    out->heap = (unsigned char *)buf_steal(&r.body);
    out->data = out->heap;
    out->metadata = r.meta;
    r.meta = NULL;
    awsc_resp_free(&r);
    return VS_OK;
}

const vs_ops VS_S3_OPS = {s3_open, s3_list, s3_get, s3_close};
