/* server: the HTTP listener (libmicrohttpd), one thread per connection.
 *
 * Why a thread per connection: request handlers block until their record is durable
 * (group commit), and a blocked handler must not stall other connections. Measured with
 * 16 concurrent clients, this keeps every fdatasync shared by the whole group.
 *
 * Limits: request header block 64 KiB (MHD answers 431 past it), request body
 * `max_body` bytes (answered 413 EntityTooLarge / RequestEntityTooLarge). */
#ifndef ORGTRAIL_HTTP_SERVER_H
#define ORGTRAIL_HTTP_SERVER_H

#include <stddef.h>

#include "http/http.h"

typedef void (*http_handler_fn)(void *ctx, http_request *req, http_response *resp);

typedef struct http_server {
    struct MHD_Daemon *daemon;
    http_handler_fn fn;
    void *ctx;
    size_t max_body;
    int port; /* the bound port (useful when 0 was asked for) */
} http_server;

#define HTTP_MAX_HEADER_BYTES (64 * 1024)
#define HTTP_DEFAULT_MAX_BODY ((size_t)64 << 20)

/* Starts listening on host:port. Returns 0, or -1 with err filled. */
int http_server_start(http_server *hs, const char *host, int port, size_t max_body,
                      http_handler_fn fn, void *ctx, char *err, size_t errlen);
void http_server_stop(http_server *hs);

#endif
