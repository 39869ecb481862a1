/* Shared by the fuzz targets: turning fuzz bytes into the http_request the front end
 * would build from libmicrohttpd, so that every target starts where real traffic does.
 *
 * Input layout (text, so that seeds can be written by hand):
 *   METHOD SP PATH[?QUERY] LF
 *   Name: value LF         (zero or more; an empty line ends them)
 *   LF
 *   body bytes             (anything, NULs included)
 * A missing part is simply empty. Header names and values stop at a NUL, as C strings
 * coming out of the HTTP library would. */
#ifndef ORGTRAIL_FUZZ_COMMON_H
#define ORGTRAIL_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_target.h"
#include "http/http.h"

/* The next line of [*p, end) without its LF (and CR); advances *p past it. */
static inline size_t fuzz_line(const uint8_t **p, const uint8_t *end, const uint8_t **line)
{
    const uint8_t *s = *p;
    const uint8_t *nl = memchr(s, '\n', (size_t)(end - s));
    const uint8_t *e = nl ? nl : end;
    *p = nl ? nl + 1 : end;
    if (e > s && e[-1] == '\r') e--;
    *line = s;
    return (size_t)(e - s);
}

static inline char *fuzz_strndup(const uint8_t *s, size_t n)
{
    char *c = strndup((const char *)s, n);
    if (!c) abort();
    return c;
}

/* Fills r (initialised here; the caller frees it) from data. */
static inline void fuzz_request(const uint8_t *data, size_t size, http_request *r)
{
    const uint8_t *p = data, *end = data + size, *line;
    http_request_init(r);
    size_t n = fuzz_line(&p, end, &line);
    const uint8_t *sp = memchr(line, ' ', n);
    size_t mlen = sp ? (size_t)(sp - line) : n;
    snprintf(r->method, sizeof r->method, "%.*s", (int)(mlen < 15 ? mlen : 15), (const char *)line);
    const uint8_t *target = sp ? sp + 1 : line + n;
    size_t tlen = (size_t)(line + n - target);
    const uint8_t *q = memchr(target, '?', tlen);
    size_t plen = q ? (size_t)(q - target) : tlen;
    r->raw_path = fuzz_strndup(target, plen);
    r->raw_query = q ? fuzz_strndup(q + 1, tlen - plen - 1) : fuzz_strndup((const uint8_t *)"", 0);
    http_request_parse_query(r);

    while (p < end) {
        n = fuzz_line(&p, end, &line);
        if (n == 0) break;
        const uint8_t *colon = memchr(line, ':', n);
        if (!colon) continue;
        char *name = fuzz_strndup(line, (size_t)(colon - line));
        const uint8_t *v = colon + 1;
        while (v < line + n && (*v == ' ' || *v == '\t'))
            v++;
        char *value = fuzz_strndup(v, (size_t)(line + n - v));
        http_request_add_header(r, name, value);
        free(name);
        free(value);
    }
    buf_append(&r->body, p, (size_t)(end - p));
    snprintf(r->remote_ip, sizeof r->remote_ip, "192.0.2.1");
}

#endif
