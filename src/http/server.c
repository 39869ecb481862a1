#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/timeutil.h"

typedef struct conn_state {
    http_request req;
    int too_large;
    buf query;
} conn_state;

/* SigV4 signs the raw path and query, so libmicrohttpd must not decode them. */
static size_t keep_escaped(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return strlen(s);
}

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *k,
                                      const char *v)
{
    (void)kind;
    http_request_add_header(&((conn_state *)cls)->req, k, v ? v : "");
    return MHD_YES;
}

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
    (void)kind;
    buf *q = &((conn_state *)cls)->query;
    if (q->len) buf_putc(q, '&');
    buf_puts(q, k);
    if (v) {
        buf_putc(q, '=');
        buf_puts(q, v);
    }
    return MHD_YES;
}

static void client_ip(struct MHD_Connection *conn, char *out, size_t n)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    out[0] = '\0';
    if (!ci || !ci->client_addr) return;
    const struct sockaddr *sa = ci->client_addr;
    socklen_t len =
        sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    getnameinfo(sa, len, out, (socklen_t)n, NULL, 0, NI_NUMERICHOST);
}

static enum MHD_Result send_response(struct MHD_Connection *conn, http_response *resp)
{
    struct MHD_Response *r;
    if (resp->body_fd >= 0) {
        /* MHD owns the descriptor from here on (it closes it, also for HEAD, where it
         * only declares the length). */
        r = MHD_create_response_from_fd_at_offset64(resp->body_len, resp->body_fd, resp->body_off);
        if (!r) return MHD_NO;
        resp->body_fd = -1;
    } else {
        size_t len = resp->body.len;
        char *body = buf_steal(&resp->body);
        r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
        if (!r) {
            free(body);
            return MHD_NO;
        }
    }
    for (size_t i = 0; i < resp->n_headers; i++) {
        /* The library writes Content-Length from the body it sends. */
        if (!strcasecmp(resp->headers[i].name, "Content-Length")) continue;
        MHD_add_response_header(r, resp->headers[i].name, resp->headers[i].value);
    }
    char date[40];
    time_http(time_now_ms(), date, sizeof date);
    MHD_add_response_header(r, "Date", date);
    MHD_add_response_header(r, "Server", "orgtrail");
    enum MHD_Result rc = MHD_queue_response(conn, (unsigned)resp->status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    http_server *hs = cls;
    conn_state *st = *con_cls;
    if (!st) {
        st = calloc(1, sizeof *st);
        if (!st) return MHD_NO;
        http_request_init(&st->req);
        snprintf(st->req.method, sizeof st->req.method, "%s", method);
        st->req.raw_path = strdup(url && *url ? url : "/");
        MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_header, st);
        MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, st);
        st->req.raw_query = buf_steal(&st->query);
        if (!st->req.raw_path || !st->req.raw_query) abort();
        http_request_parse_query(&st->req);
        client_ip(conn, st->req.remote_ip, sizeof st->req.remote_ip);
        st->req.received_ms = time_now_ms();
        const char *cl = http_header_get(&st->req, "content-length");
        if (cl && strtoull(cl, NULL, 10) > hs->max_body) st->too_large = 1;
        *con_cls = st;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!st->too_large) {
            if (st->req.body.len + *upload_size > hs->max_body) {
                st->too_large = 1;
                buf_free(&st->req.body);
            } else {
                buf_append(&st->req.body, upload, *upload_size);
            }
        }
        *upload_size = 0;
        return MHD_YES;
    }
    http_response resp;
    http_response_init(&resp);
    if (st->too_large) {
        resp.status = 413;
        http_response_header(&resp, "Content-Type", "application/xml");
        buf_printf(&resp.body,
                   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>EntityTooLarge</Code>"
                   "<Message>Your proposed upload exceeds the maximum allowed size of %zu "
                   "bytes.</Message></Error>",
                   hs->max_body);
    } else {
        hs->fn(hs->ctx, &st->req, &resp);
    }
    enum MHD_Result rc = send_response(conn, &resp);
    http_response_free(&resp);
    return rc;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    conn_state *st = *con_cls;
    if (!st) return;
    http_request_free(&st->req);
    buf_free(&st->query);
    free(st);
    *con_cls = NULL;
}

int http_server_start(http_server *hs, const char *host, int port, size_t max_body,
                      http_handler_fn fn, void *ctx, char *err, size_t errlen)
{
    memset(hs, 0, sizeof *hs);
    hs->fn = fn;
    hs->ctx = ctx;
    hs->max_body = max_body;
    struct addrinfo hints = {0}, *ai = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%d", port);
    int gai = getaddrinfo(host, portstr, &hints, &ai);
    if (gai) {
        snprintf(err, errlen, "cannot resolve listen address %s: %s", host, gai_strerror(gai));
        return -1;
    }
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_ERROR_LOG | (ai->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    hs->daemon = MHD_start_daemon(
        flags, (uint16_t)port, NULL, NULL, on_request, hs, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
        MHD_OPTION_UNESCAPE_CALLBACK, keep_escaped, NULL, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
        NULL, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_MAX_HEADER_BYTES,
        MHD_OPTION_CONNECTION_TIMEOUT, 120u, MHD_OPTION_CONNECTION_LIMIT, 1000u,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_END);
    freeaddrinfo(ai);
    if (!hs->daemon) {
        snprintf(err, errlen, "cannot listen on %s:%d (is the port in use?)", host, port);
        return -1;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(hs->daemon, MHD_DAEMON_INFO_BIND_PORT);
    hs->port = di ? di->port : port;
    return 0;
}

void http_server_stop(http_server *hs)
{
    if (hs->daemon) MHD_stop_daemon(hs->daemon);
    hs->daemon = NULL;
}
