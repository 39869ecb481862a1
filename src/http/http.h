/* http: the request and response the front end hands around, free of libmicrohttpd.
 *
 * Paths and query strings are kept exactly as received (still percent-encoded), because
 * SigV4 signs the raw form. Header names are stored lower-cased; values as received.
 * The request owns all its strings; http_request_free releases them. */
#ifndef ORGTRAIL_HTTP_H
#define ORGTRAIL_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

typedef struct http_header {
    char *name; /* lower-case */
    char *value;
} http_header;

typedef struct http_param {
    char *key;   /* percent-decoded */
    char *value; /* percent-decoded; NULL when the parameter had no '=' */
    char *raw_key, *raw_value;
} http_param;

typedef struct http_request {
    char method[16];
    char *raw_path;  /* "/bucket/key%20x" */
    char *raw_query; /* without '?'; "" when none */
    http_header *headers;
    size_t n_headers, cap_headers;
    http_param *params; /* the query string, parsed */
    size_t n_params;
    buf body;
    char remote_ip[64];
    int64_t received_ms;
} http_request;

typedef struct http_response {
    int status;
    http_header *headers;
    size_t n_headers, cap_headers;
    buf body;
    /* A file region sent instead of `body` (object downloads stream from disk instead of
     * memory). body_fd >= 0 is owned by the response: the server hands it to the HTTP
     * library, or http_response_free closes it. A HEAD response declares the length
     * without sending the bytes. */
    int body_fd;
    uint64_t body_off, body_len;
} http_response;

void http_request_init(http_request *r);
void http_request_free(http_request *r);
void http_request_add_header(http_request *r, const char *name, const char *value);
/* First header with this lower-case name, or NULL. */
const char *http_header_get(const http_request *r, const char *lname);
/* Splits raw_query into params (call after setting raw_query). */
void http_request_parse_query(http_request *r);
/* Decoded value of the first query parameter `key`; NULL when absent. Sets *present. */
const char *http_query_get(const http_request *r, const char *key, int *present);

void http_response_init(http_response *r);
void http_response_free(http_response *r);
void http_response_header(http_response *r, const char *name, const char *value);
const char *http_response_header_get(const http_response *r, const char *name);

/* Percent-decoding ('+' is a space only when plus_is_space). Returns malloc'd text. */
char *url_decode_alloc(const char *s, size_t n, int plus_is_space);
/* RFC 3986 encoding: unreserved characters stay, everything else %XX (upper-case);
 * '/' is kept when keep_slash. Appends to b. */
void url_encode(buf *b, const char *s, size_t n, int keep_slash);
/* Parses an application/x-www-form-urlencoded body into params (caller frees each). */
size_t form_parse(const char *s, size_t n, http_param **out);
void params_free(http_param *p, size_t n);

#endif
