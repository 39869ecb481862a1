#include "validate/awsclient.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth/sigv4.h"
#include "core/timeutil.h"
#include "http/http.h"

struct awsc {
    CURL *curl;
    const aws_config *cfg;
    char base[512];      /* scheme://host[:port] */
    char host[256];      /* the Host header: host[:port] */
    char path_base[256]; /* "" or "/base" without trailing '/' */
    sigv4_keys keys;     /* the handle's signing keys: one per scope, derived once */
};

static size_t on_body(char *p, size_t sz, size_t n, void *arg);
static size_t on_header(char *p, size_t sz, size_t n, void *arg);

awsc *awsc_open(const char *endpoint, const aws_config *cfg, char *err, size_t errlen)
{
    const char *p = strstr(endpoint, "://");
    if (!p || (strncmp(endpoint, "http://", 7) && strncmp(endpoint, "https://", 8))) {
        snprintf(err, errlen, "endpoint '%s' is not an http:// or https:// URL", endpoint);
        return NULL;
    }
    awsc *c = calloc(1, sizeof *c);
    if (!c) abort();
    c->cfg = cfg;
    sigv4_keys_init(&c->keys);
    const char *h = p + 3, *slash = strchr(h, '/');
    size_t hl = slash ? (size_t)(slash - h) : strlen(h);
    snprintf(c->host, sizeof c->host, "%.*s", (int)hl, h);
    snprintf(c->base, sizeof c->base, "%.*s", (int)(h - endpoint + hl), endpoint);
    if (slash) {
        snprintf(c->path_base, sizeof c->path_base, "%s", slash);
        size_t n = strlen(c->path_base);
        while (n && c->path_base[n - 1] == '/')
            c->path_base[--n] = 0;
    }
    c->curl = curl_easy_init();
    if (!c->curl) {
        sigv4_keys_destroy(&c->keys);
        free(c);
        snprintf(err, errlen, "cannot start libcurl");
        return NULL;
    }
    /* Set once per handle: a request only changes its URL, headers, method and sinks.
     * The receive buffer holds a whole delivered log file, so a response is read in one
     * call instead of a poll and a read per 16 KiB. */
    curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c->curl, CURLOPT_BUFFERSIZE, 256L << 10);
    return c;
}

void awsc_close(awsc *c)
{
    if (!c) return;
    curl_easy_cleanup(c->curl);
    sigv4_keys_destroy(&c->keys);
    free(c);
}

void awsc_resp_free(awsc_resp *r)
{
    buf_free(&r->body);
    json_decref(r->meta);
    memset(r, 0, sizeof r[0]);
}

void awsc_encode(buf *b, const char *s, int keep_slash)
{
    url_encode(b, s, strlen(s), keep_slash);
}

static size_t on_body(char *p, size_t sz, size_t n, void *arg)
{
    buf_append(arg, p, sz * n);
    return sz * n;
}

static size_t on_header(char *p, size_t sz, size_t n, void *arg)
{
    awsc_resp *r = arg;
    size_t len = sz * n;
    const char *pre = "x-amz-meta-";
    size_t pl = strlen(pre);
    if (len > pl && !strncasecmp(p, pre, pl)) {
        const char *colon = memchr(p, ':', len);
        if (colon) {
            char name[256], value[8192];
            size_t nl = (size_t)(colon - p) - pl;
            if (nl >= sizeof name) nl = sizeof name - 1;
            for (size_t i = 0; i < nl; i++)
                name[i] = (char)tolower((unsigned char)p[pl + i]);
            name[nl] = 0;
            const char *v = colon + 1, *e = p + len;
            while (v < e && (*v == ' ' || *v == '\t'))
                v++;
            while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' '))
                e--;
            size_t vl = (size_t)(e - v) < sizeof value - 1 ? (size_t)(e - v) : sizeof value - 1;
            memcpy(value, v, vl);
            value[vl] = 0;
            json_object_set_new(r->meta, name, json_string(value));
        }
    } else if (len > 16 && !strncasecmp(p, "content-length:", 15)) {
        long long cl = atoll(p + 15);
        if (cl > 0 && cl < (1ll << 34)) buf_reserve(&r->body, (size_t)cl);
    }
    return len;
}

/* The text of the first <tag>…</tag> in xml, entities undone. */
static void xml_text(const char *xml, const char *tag, char *out, size_t n)
{
    char open[64];
    snprintf(open, sizeof open, "<%s>", tag);
    const char *s = strstr(xml, open);
    out[0] = 0;
    if (!s) return;
    s += strlen(open);
    const char *e = strchr(s, '<');
    if (!e) return;
    snprintf(out, n, "%.*s", (int)(e - s), s);
}

static void parse_error(awsc_resp *r)
{
    const char *body = buf_cstr(&r->body);
    if (r->body.len && body[0] == '{') {
        json_t *j = json_loadb(body, r->body.len, 0, NULL);
        const char *t = json_string_value(json_object_get(j, "__type"));
        const char *m = json_string_value(json_object_get(j, "message"));
        if (!m) m = json_string_value(json_object_get(j, "Message"));
        if (t) {
            const char *hash = strrchr(t, '#');
            snprintf(r->code, sizeof r->code, "%s", hash ? hash + 1 : t);
        }
        snprintf(r->message, sizeof r->message, "%s", m ? m : "");
        json_decref(j);
    } else {
        xml_text(body, "Code", r->code, sizeof r->code);
        xml_text(body, "Message", r->message, sizeof r->message);
    }
    if (!r->code[0]) snprintf(r->code, sizeof r->code, "HTTP %ld", r->status);
}

int awsc_request(awsc *c, const char *method, const char *service, const char *region,
                 const char *path_raw, const char *query_raw, const char *target, const void *body,
                 size_t len, awsc_resp *r, char *err, size_t errlen)
{
    memset(r, 0, sizeof r[0]);
    for (int attempt = 0;; attempt++) {
        awsc_resp_free(r);
        r->meta = json_object();
        http_request q;
        http_request_init(&q);
        snprintf(q.method, sizeof q.method, "%s", method);
        buf path = BUF_INIT;
        buf_printf(&path, "%s%s", c->path_base, path_raw);
        q.raw_path = strdup(buf_cstr(&path));
        q.raw_query = strdup(query_raw ? query_raw : "");
        if (!q.raw_path || !q.raw_query) abort();
        http_request_parse_query(&q);
        http_request_add_header(&q, "Host", c->host);
        if (target) {
            http_request_add_header(&q, "Content-Type", "application/x-amz-json-1.1");
            http_request_add_header(&q, "X-Amz-Target", target);
        }
        if (len) buf_append(&q.body, body, len);
        sigv4_sign_request_cached(&q, c->cfg->access_key, c->cfg->secret,
                                  c->cfg->token[0] ? c->cfg->token : NULL, region, service,
                                  time_now_ms(), &c->keys);
        struct curl_slist *hl = NULL;
        for (size_t i = 0; i < q.n_headers; i++) {
            buf h = BUF_INIT;
            buf_printf(&h, "%s: %s", q.headers[i].name, q.headers[i].value);
            hl = curl_slist_append(hl, buf_cstr(&h));
            buf_free(&h);
        }
        hl = curl_slist_append(hl, "Expect:");
        buf url = BUF_INIT;
        buf_printf(&url, "%s%s%s%s", c->base, buf_cstr(&path), q.raw_query[0] ? "?" : "",
                   q.raw_query);
        CURL *h = c->curl;
        curl_easy_setopt(h, CURLOPT_URL, buf_cstr(&url));
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &r->body);
        curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
        /* HTTPGET also clears NOBODY and a previous POST. */
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
        if (!strcmp(method, "POST")) {
            curl_easy_setopt(h, CURLOPT_POST, 1L);
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, q.body.data ? q.body.data : "");
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)q.body.len);
        } else if (!strcmp(method, "HEAD"))
            curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
        CURLcode cc = curl_easy_perform(h);
        curl_slist_free_all(hl);
        buf_free(&url);
        buf_free(&path);
        http_request_free(&q);
        if (cc == CURLE_OK) {
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
            if (r->status >= 300) parse_error(r);
            if ((r->status == 500 || r->status == 503) && attempt < 3) goto retry;
            return 0;
        }
        if (attempt >= 3) {
            snprintf(err, errlen,
                     "cannot reach %s: %s (is the server running? check "
                     "--endpoint-url / AWS_ENDPOINT_URL)",
                     c->base, curl_easy_strerror(cc));
            awsc_resp_free(r);
            return -1;
        }
    retry:;
        struct timespec ts = {0, (long)(100000000L << attempt)};
        nanosleep(&ts, NULL);
    }
}

json_t *awsc_json(awsc *c, const char *service, const char *region, const char *target,
                  const json_t *req, char *err, size_t errlen)
{
    char *body = json_dumps(req, JSON_COMPACT);
    awsc_resp r;
    int rc = awsc_request(c, "POST", service, region, "/", "", target, body, strlen(body), &r, err,
                          errlen);
    free(body);
    if (rc) return NULL;
    if (r.status >= 300) {
        const char *op = strrchr(target, '.');
        snprintf(err, errlen, "An error occurred (%s) when calling the %s operation: %s", r.code,
                 op ? op + 1 : target, r.message);
        awsc_resp_free(&r);
        return NULL;
    }
    json_t *j = json_loadb(r.body.data ? r.body.data : "{}", r.body.len ? r.body.len : 2, 0, NULL);
    if (!j) snprintf(err, errlen, "%s returned a response that is not JSON", target);
    awsc_resp_free(&r);
    return j;
}
