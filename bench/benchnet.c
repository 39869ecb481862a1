#include "benchnet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

double bench_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int bench_parse_endpoint(const char *arg, char *host, size_t hostlen, int *port)
{
    const char *colon = strrchr(arg, ':');
    if (!colon) return -1;
    snprintf(host, hostlen, "%.*s", (int)(colon - arg), arg);
    *port = atoi(colon + 1);
    return 0;
}

int bench_connect(const char *host, int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, host, &sa.sin_addr);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    return fd;
}

size_t bench_response_complete(const buf *b, int *status, int *close_after)
{
    if (b->len < 12) return 0;
    const char *end = memmem(b->data, b->len, "\r\n\r\n", 4);
    if (!end) return 0;
    size_t head = (size_t)(end - b->data) + 4;
    *status = atoi(b->data + 9);
    long long clen = -1;
    bool chunked = false;
    *close_after = !strncmp(b->data, "HTTP/1.0", 8);
    for (const char *p = b->data; p < end;) {
        const char *eol = memmem(p, (size_t)(end - p) + 2, "\r\n", 2);
        if (!eol) break;
        if (!strncasecmp(p, "content-length:", 15)) clen = atoll(p + 15);
        if (!strncasecmp(p, "transfer-encoding:", 18) && memmem(p, (size_t)(eol - p), "chunked", 7))
            chunked = true;
        if (!strncasecmp(p, "connection:", 11) && memmem(p, (size_t)(eol - p), "close", 5))
            *close_after = 1;
        p = eol + 2;
    }
    if (clen >= 0) return b->len >= head + (size_t)clen ? head + (size_t)clen : 0;
    if (chunked) {
        size_t pos = head;
        for (;;) {
            const char *eol = memmem(b->data + pos, b->len - pos, "\r\n", 2);
            if (!eol) return 0;
            size_t sz = strtoul(b->data + pos, NULL, 16);
            pos = (size_t)(eol - b->data) + 2;
            if (b->len < pos + sz + 2) return 0;
            pos += sz + 2;
            if (sz == 0) return pos;
        }
    }
    *close_after = 1; /* delimited by close: complete once the peer closes */
    return 0;
}

void bench_request_head(buf *out, const http_request *r, const char *extra_headers, size_t body_len)
{
    buf_reset(out);
    buf_printf(out, "%s %s HTTP/1.1\r\n", r->method, r->raw_path);
    for (size_t i = 0; i < r->n_headers; i++)
        buf_printf(out, "%s: %s\r\n", r->headers[i].name, r->headers[i].value);
    if (extra_headers) buf_puts(out, extra_headers);
    buf_printf(out, "content-length: %zu\r\nconnection: keep-alive\r\n\r\n", body_len);
}

void bench_latency_add(bench_latencies *l, double seconds)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 65536;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (!l->v) abort();
    }
    l->v[l->n++] = seconds;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

void bench_latency_sort(bench_latencies *l)
{
    if (l->n) qsort(l->v, l->n, sizeof *l->v, cmp_double);
}

double bench_latency_ms(const bench_latencies *l, double fraction)
{
    return l->n ? l->v[(size_t)((double)(l->n - 1) * fraction)] * 1000.0 : 0.0;
}

void bench_latency_free(bench_latencies *l)
{
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}
