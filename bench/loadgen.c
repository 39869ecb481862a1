/* orgtrail-loadgen: a closed-loop HTTP load generator for signed AWS JSON requests.
 *
 * N keep-alive connections, one epoll thread: each connection sends one request, waits for
 * the whole response, records the latency and sends the next. Requests are SigV4-signed
 * with the project's own signer; a request signed in second S is reused for every send in
 * that second (X-Amz-Date has second resolution), so signing costs nothing in the loop and
 * the generator leaves the CPU to the server under test. Prints one JSON object.
 *
 * Why not wrk: it cannot sign requests. Why not Python: it cannot drive 10,000+ req/s. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "auth/sigv4.h"
#include "core/buf.h"
#include "core/timeutil.h"

typedef struct options {
    char host[64];
    int port;
    int connections;
    double duration_s;
    double warmup_s;
    const char *access_key, *secret, *token, *region, *service, *target, *body, *content_type;
    const char *path;         /* request path, "/" by default */
    size_t body_len;          /* body may hold NULs only when read from a file */
    long records_per_request; /* for --records: reports records/s as well */
} options;

typedef struct conn {
    int fd;
    buf out;
    size_t sent;
    buf in;
    double started;
    int close_after;
} conn;

typedef struct stats {
    double *lat;
    size_t n, cap;
    long errors, non2xx, reconnects;
    int last_status;
} stats;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The signed request bytes for the current second. */
typedef struct request_cache {
    int64_t second;
    buf bytes;
} request_cache;

static const buf *signed_request(const options *o, request_cache *rc)
{
    int64_t ms = time_now_ms();
    if (rc->second == ms / 1000 && rc->bytes.len) return &rc->bytes;
    rc->second = ms / 1000;
    http_request r;
    http_request_init(&r);
    strcpy(r.method, "POST");
    r.raw_path = strdup(o->path);
    r.raw_query = strdup("");
    http_request_parse_query(&r);
    char hostport[96];
    snprintf(hostport, sizeof hostport, "%s:%d", o->host, o->port);
    http_request_add_header(&r, "Host", hostport);
    http_request_add_header(&r, "Content-Type", o->content_type);
    if (o->target) http_request_add_header(&r, "X-Amz-Target", o->target);
    buf_append(&r.body, o->body, o->body_len);
    sigv4_sign_request(&r, o->access_key, o->secret, o->token, o->region, o->service, ms);
    buf_reset(&rc->bytes);
    buf_printf(&rc->bytes, "POST %s HTTP/1.1\r\n", o->path);
    for (size_t i = 0; i < r.n_headers; i++)
        buf_printf(&rc->bytes, "%s: %s\r\n", r.headers[i].name, r.headers[i].value);
    buf_printf(&rc->bytes, "content-length: %zu\r\nconnection: keep-alive\r\n\r\n", r.body.len);
    buf_append(&rc->bytes, r.body.data, r.body.len);
    http_request_free(&r);
    return &rc->bytes;
}

static int connect_to(const options *o)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)o->port);
    inet_pton(AF_INET, o->host, &sa.sin_addr);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Returns the length of a complete response at the start of b (0 when incomplete), and
 * its status; sets *close_after when the server will close the connection. */
static size_t complete_response(const buf *b, int *status, int *close_after)
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

static void record(stats *s, double lat)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 65536;
        s->lat = realloc(s->lat, s->cap * sizeof *s->lat);
        if (!s->lat) abort();
    }
    s->lat[s->n++] = lat;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void start_request(const options *o, conn *c, request_cache *rc)
{
    const buf *req = signed_request(o, rc);
    buf_reset(&c->out);
    buf_append(&c->out, req->data, req->len);
    c->sent = 0;
    buf_reset(&c->in);
    c->started = now_s();
}

static void reopen(const options *o, int ep, conn *c, request_cache *rc, stats *s)
{
    if (c->fd >= 0) {
        epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
    }
    c->fd = connect_to(o);
    s->reconnects++;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP, .data.ptr = c};
    if (c->fd >= 0) epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
    start_request(o, c, rc);
}

static void usage(void)
{
    fputs("usage: orgtrail-loadgen --endpoint HOST:PORT --access-key K --secret S --service SVC\n"
          "         [--target X-Amz-Target] [--body JSON] [--content-type T] [--region R]\n"
          "         [--token T] [--connections 16] [--duration 10] [--warmup 1]\n"
          "         [--path /p] [--body-file F] [--records N (records per request)]\n"
          "Sends signed POST / requests in a closed loop and prints throughput and latency\n"
          "percentiles as JSON.\n",
          stdout);
}

int main(int argc, char **argv)
{
    options o = {.port = 4566,
                 .connections = 16,
                 .duration_s = 10,
                 .warmup_s = 1,
                 .region = "us-east-1",
                 .service = "cloudtrail",
                 .body = "{}",
                 .content_type = "application/x-amz-json-1.1",
                 .path = "/"};
    strcpy(o.host, "127.0.0.1");
    static const struct option opts[] = {{"endpoint", required_argument, NULL, 'e'},
                                         {"access-key", required_argument, NULL, 'a'},
                                         {"secret", required_argument, NULL, 's'},
                                         {"token", required_argument, NULL, 'T'},
                                         {"region", required_argument, NULL, 'r'},
                                         {"service", required_argument, NULL, 'v'},
                                         {"target", required_argument, NULL, 't'},
                                         {"body", required_argument, NULL, 'b'},
                                         {"content-type", required_argument, NULL, 'c'},
                                         {"connections", required_argument, NULL, 'n'},
                                         {"duration", required_argument, NULL, 'd'},
                                         {"warmup", required_argument, NULL, 'w'},
                                         {"path", required_argument, NULL, 'p'},
                                         {"body-file", required_argument, NULL, 'f'},
                                         {"records", required_argument, NULL, 'R'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    buf file_body = BUF_INIT;
    int ch;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'e': {
            char *colon = strrchr(optarg, ':');
            if (!colon) return usage(), 2;
            snprintf(o.host, sizeof o.host, "%.*s", (int)(colon - optarg), optarg);
            o.port = atoi(colon + 1);
            break;
        }
        case 'a':
            o.access_key = optarg;
            break;
        case 's':
            o.secret = optarg;
            break;
        case 'T':
            o.token = optarg;
            break;
        case 'r':
            o.region = optarg;
            break;
        case 'v':
            o.service = optarg;
            break;
        case 't':
            o.target = optarg;
            break;
        case 'b':
            o.body = optarg;
            break;
        case 'c':
            o.content_type = optarg;
            break;
        case 'n':
            o.connections = atoi(optarg);
            break;
        case 'd':
            o.duration_s = atof(optarg);
            break;
        case 'w':
            o.warmup_s = atof(optarg);
            break;
        case 'p':
            o.path = optarg;
            break;
        case 'R':
            o.records_per_request = atol(optarg);
            break;
        case 'f': {
            FILE *fp = fopen(optarg, "rb");
            if (!fp) return perror(optarg), 2;
            char chunk[65536];
            size_t got;
            while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0)
                buf_append(&file_body, chunk, got);
            fclose(fp);
            o.body = file_body.data ? file_body.data : "";
            o.body_len = file_body.len;
            break;
        }
        case 'h':
            usage();
            return 0;
        default:
            usage();
            return 2;
        }
    }
    if (!o.access_key || !o.secret || o.connections < 1) return usage(), 2;
    if (!file_body.data) o.body_len = strlen(o.body);

    int ep = epoll_create1(EPOLL_CLOEXEC);
    conn *cs = calloc((size_t)o.connections, sizeof *cs);
    request_cache rc = {0};
    stats s = {0};
    for (int i = 0; i < o.connections; i++) {
        cs[i].fd = -1;
        reopen(&o, ep, &cs[i], &rc, &s);
    }
    s.reconnects = 0;
    double t0 = now_s(), measure_from = t0 + o.warmup_s, stop = measure_from + o.duration_s;
    struct epoll_event evs[256];
    while (now_s() < stop) {
        int n = epoll_wait(ep, evs, 256, 100);
        for (int i = 0; i < n; i++) {
            conn *c = evs[i].data.ptr;
            if (evs[i].events & (EPOLLOUT)) {
                while (c->sent < c->out.len) {
                    ssize_t w =
                        send(c->fd, c->out.data + c->sent, c->out.len - c->sent, MSG_NOSIGNAL);
                    if (w <= 0) break;
                    c->sent += (size_t)w;
                }
                if (c->sent == c->out.len) {
                    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
                    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
                }
            }
            if (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
                char tmp[65536];
                ssize_t r;
                bool eof = false;
                while ((r = recv(c->fd, tmp, sizeof tmp, 0)) > 0)
                    buf_append(&c->in, tmp, (size_t)r);
                if (r == 0) eof = true;
                int status = 0, close_after = 0;
                size_t done = complete_response(&c->in, &status, &close_after);
                if (!done && eof && c->in.len) {
                    done = c->in.len; /* close-delimited body */
                    status = atoi(c->in.data + 9);
                }
                if (done) {
                    double t = now_s();
                    if (c->started >= measure_from) {
                        record(&s, t - c->started);
                        if (status < 200 || status > 299) {
                            s.non2xx++;
                            s.last_status = status;
                        }
                    }
                    if (close_after || eof) {
                        reopen(&o, ep, c, &rc, &s);
                    } else {
                        start_request(&o, c, &rc);
                        struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP,
                                                 .data.ptr = c};
                        epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
                    }
                } else if (eof || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
                    if (c->started >= measure_from) s.errors++;
                    reopen(&o, ep, c, &rc, &s);
                }
            }
        }
    }
    double elapsed = now_s() - measure_from;
    qsort(s.lat, s.n, sizeof *s.lat, cmp_double);
#define PCT(p) (s.n ? s.lat[(size_t)((double)(s.n - 1) * (p))] * 1000.0 : 0.0)
    printf("{\"requests\":%zu,\"seconds\":%.3f,\"rps\":%.1f,\"p50_ms\":%.3f,\"p90_ms\":%.3f,"
           "\"p99_ms\":%.3f,\"max_ms\":%.3f,\"non2xx\":%ld,\"last_status\":%d,\"errors\":%ld,"
           "\"reconnects\":%ld,\"connections\":%d,\"records_per_s\":%.1f}\n",
           s.n, elapsed, (double)s.n / elapsed, PCT(0.5), PCT(0.9), PCT(0.99), PCT(1.0), s.non2xx,
           s.last_status, s.errors, s.reconnects, o.connections,
           (double)(s.n - (size_t)s.non2xx) * (double)o.records_per_request / elapsed);
    buf_free(&file_body);
    for (int i = 0; i < o.connections; i++) {
        if (cs[i].fd >= 0) close(cs[i].fd);
        buf_free(&cs[i].out);
        buf_free(&cs[i].in);
    }
    free(cs);
    free(s.lat);
    buf_free(&rc.bytes);
    close(ep);
    return 0;
}
