/* benchnet: what the C load generators share (orgtrail-loadgen, orgtrail-ingestgen):
 * non-blocking loopback connections, HTTP/1.1 response framing, the request head of a
 * signed request, and latency percentiles. Small on purpose: each generator keeps its own
 * loop, because what they send and count differs. */
#ifndef ORGTRAIL_BENCH_BENCHNET_H
#define ORGTRAIL_BENCH_BENCHNET_H

#include <stddef.h>

#include "core/buf.h"
#include "http/http.h"

/* Monotonic seconds. */
double bench_now_s(void);
/* "HOST:PORT" into host and port. 0, or -1 when there is no port. */
int bench_parse_endpoint(const char *arg, char *host, size_t hostlen, int *port);
/* A non-blocking TCP connection (TCP_NODELAY) to an IPv4 host; the fd, or -1. */
int bench_connect(const char *host, int port);
/* The length of a complete response at the start of b (0 while incomplete) and its status.
 * Content-length, chunked and close-delimited framing; *close_after is set when the server
 * will close the connection (HTTP/1.0, "Connection: close", or a close-delimited body). */
size_t bench_response_complete(const buf *b, int *status, int *close_after);
/* "POST path HTTP/1.1", r's headers (signed), extra_headers as given (may be NULL: lines
 * ending in CRLF), content-length and keep-alive, into out (reset first). */
void bench_request_head(buf *out, const http_request *r, const char *extra_headers,
                        size_t body_len);

/* Latencies in seconds; percentiles in milliseconds once sorted. */
typedef struct bench_latencies {
    double *v;
    size_t n, cap;
} bench_latencies;

void bench_latency_add(bench_latencies *l, double seconds);
void bench_latency_sort(bench_latencies *l);
double bench_latency_ms(const bench_latencies *l, double fraction); /* 0 when empty */
void bench_latency_free(bench_latencies *l);

#endif
