#include "http/http.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>

#include "core/xalloc.h"

static char *xstrdup(const char *s)
{
    char *p = strdup(s ? s : "");
    if (!p) abort();
    return p;
}

void http_request_init(http_request *r)
{
    memset(r, 0, sizeof *r);
}

void params_free(http_param *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(p[i].key);
        free(p[i].value);
        free(p[i].raw_key);
        free(p[i].raw_value);
    }
    free(p);
}

void http_request_free(http_request *r)
{
    for (size_t i = 0; i < r->n_headers; i++) {
        free(r->headers[i].name);
        free(r->headers[i].value);
    }
    free(r->headers);
    params_free(r->params, r->n_params);
    free(r->raw_path);
    free(r->raw_query);
    buf_free(&r->body);
    memset(r, 0, sizeof *r);
}

static void add_header(http_header **arr, size_t *n, size_t *cap, const char *name,
                       const char *value, int lower)
{
    *arr = xgrow(*arr, cap, *n + 1, sizeof **arr);
    char *nm = xstrdup(name);
    if (lower)
        for (char *p = nm; *p; p++)
            *p = (char)tolower((unsigned char)*p);
    (*arr)[*n].name = nm;
    (*arr)[*n].value = xstrdup(value);
    (*n)++;
}

void http_request_add_header(http_request *r, const char *name, const char *value)
{
    add_header(&r->headers, &r->n_headers, &r->cap_headers, name, value, 1);
}

const char *http_header_get(const http_request *r, const char *lname)
{
    for (size_t i = 0; i < r->n_headers; i++)
        if (!strcmp(r->headers[i].name, lname)) return r->headers[i].value;
    return NULL;
}

static int hexv(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

char *url_decode_alloc(const char *s, size_t n, int plus_is_space)
{
    char *out = malloc(n + 1);
    if (!out) abort();
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '%' && i + 2 < n && (hi = hexv((unsigned char)s[i + 1])) >= 0 &&
            (lo = hexv((unsigned char)s[i + 2])) >= 0) {
            out[o++] = (char)(hi << 4 | lo);
            i += 2;
        } else if (s[i] == '+' && plus_is_space) {
            out[o++] = ' ';
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

void url_encode(buf *b, const char *s, size_t n, int keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
            (keep_slash && c == '/')) {
            buf_putc(b, (char)c);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            buf_append(b, e, 3);
        }
    }
}

static size_t split_params(const char *s, size_t n, http_param **out, int plus_is_space)
{
    size_t cap = 8, count = 0;
    http_param *p = calloc(cap, sizeof *p);
    if (!p) abort();
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && s[j] != '&')
            j++;
        if (j > i) {
            const char *eq = memchr(s + i, '=', j - i);
            p = xgrow(p, &cap, count + 1, sizeof *p);
            http_param *q = &p[count++];
            size_t klen = eq ? (size_t)(eq - (s + i)) : j - i;
            q->raw_key = strndup(s + i, klen);
            q->key = url_decode_alloc(s + i, klen, plus_is_space);
            if (eq) {
                q->raw_value = strndup(eq + 1, (size_t)(s + j - eq - 1));
                q->value = url_decode_alloc(eq + 1, (size_t)(s + j - eq - 1), plus_is_space);
            } else {
                q->raw_value = NULL;
                q->value = NULL;
            }
            if (!q->raw_key || (eq && !q->raw_value)) abort();
        }
        i = j + 1;
    }
    *out = p;
    return count;
}

void http_request_parse_query(http_request *r)
{
    params_free(r->params, r->n_params);
    r->params = NULL;
    r->n_params = split_params(r->raw_query, strlen(r->raw_query), &r->params, 1);
}

size_t form_parse(const char *s, size_t n, http_param **out)
{
    return split_params(s, n, out, 1);
}

const char *http_query_get(const http_request *r, const char *key, int *present)
{
    for (size_t i = 0; i < r->n_params; i++) {
        if (!strcmp(r->params[i].key, key)) {
            if (present) *present = 1;
            return r->params[i].value ? r->params[i].value : "";
        }
    }
    if (present) *present = 0;
    return NULL;
}

void http_response_init(http_response *r)
{
    memset(r, 0, sizeof *r);
    r->status = 200;
    r->body_fd = -1;
}

void http_response_free(http_response *r)
{
    for (size_t i = 0; i < r->n_headers; i++) {
        free(r->headers[i].name);
        free(r->headers[i].value);
    }
    free(r->headers);
    buf_free(&r->body);
    if (r->body_fd >= 0) close(r->body_fd);
    memset(r, 0, sizeof *r);
    r->body_fd = -1;
}

void http_response_header(http_response *r, const char *name, const char *value)
{
    for (size_t i = 0; i < r->n_headers; i++) {
        if (!strcasecmp(r->headers[i].name, name)) {
            free(r->headers[i].value);
            r->headers[i].value = xstrdup(value);
            return;
        }
    }
    add_header(&r->headers, &r->n_headers, &r->cap_headers, name, value, 0);
}

const char *http_response_header_get(const http_response *r, const char *name)
{
    for (size_t i = 0; i < r->n_headers; i++)
        if (!strcasecmp(r->headers[i].name, name)) return r->headers[i].value;
    return NULL;
}
