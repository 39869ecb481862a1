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
#include "benchnet.h"
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
    const char *method;       /* POST by default; GET sends no body (e.g. S3 GetObject) */
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
    bench_latencies lat;
    long errors, non2xx, reconnects;
    int last_status;
} stats;

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
    snprintf(r.method, sizeof r.method, "%s", o->method);
    r.raw_path = strdup(o->path);
    r.raw_query = strdup("");
    http_request_parse_query(&r);
    char hostport[96];
    snprintf(hostport, sizeof hostport, "%s:%d", o->host, o->port);
    http_request_add_header(&r, "Host", hostport);
    bool post = !strcmp(o->method, "POST");
    if (post) http_request_add_header(&r, "Content-Type", o->content_type);
    if (o->target) http_request_add_header(&r, "X-Amz-Target", o->target);
    if (post) buf_append(&r.body, o->body, o->body_len);
    sigv4_sign_request(&r, o->access_key, o->secret, o->token, o->region, o->service, ms);
    bench_request_head(&rc->bytes, &r, NULL, r.body.len);
    buf_append(&rc->bytes, r.body.data, r.body.len);
    http_request_free(&r);
    return &rc->bytes;
}

static void start_request(const options *o, conn *c, request_cache *rc)
{
    const buf *req = signed_request(o, rc);
    buf_reset(&c->out);
    buf_append(&c->out, req->data, req->len);
    c->sent = 0;
    buf_reset(&c->in);
    c->started = bench_now_s();
}

static void reopen(const options *o, int ep, conn *c, request_cache *rc, stats *s)
{
    if (c->fd >= 0) {
        epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
    }
    c->fd = bench_connect(o->host, o->port);
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
          "         [--method GET (no body: e.g. --service s3 --path /bucket/key)]\n"
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
                 .path = "/",
                 .method = "POST"};
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
                                         {"method", required_argument, NULL, 'm'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    buf file_body = BUF_INIT;
    int ch;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'e':
            if (bench_parse_endpoint(optarg, o.host, sizeof o.host, &o.port)) return usage(), 2;
            break;
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
        case 'm':
            if (strcmp(optarg, "GET") && strcmp(optarg, "POST")) return usage(), 2;
            o.method = optarg;
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
    double t0 = bench_now_s(), measure_from = t0 + o.warmup_s, stop = measure_from + o.duration_s;
    struct epoll_event evs[256];
    while (bench_now_s() < stop) {
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
                size_t done = bench_response_complete(&c->in, &status, &close_after);
                if (!done && eof && c->in.len) {
                    done = c->in.len; /* close-delimited body */
                    status = atoi(c->in.data + 9);
                }
                if (done) {
                    double t = bench_now_s();
                    if (c->started >= measure_from) {
                        bench_latency_add(&s.lat, t - c->started);
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
    double elapsed = bench_now_s() - measure_from;
    bench_latency_sort(&s.lat);
#define PCT(p) bench_latency_ms(&s.lat, (p))
    printf("{\"requests\":%zu,\"seconds\":%.3f,\"rps\":%.1f,\"p50_ms\":%.3f,\"p90_ms\":%.3f,"
           "\"p99_ms\":%.3f,\"max_ms\":%.3f,\"non2xx\":%ld,\"last_status\":%d,\"errors\":%ld,"
           "\"reconnects\":%ld,\"connections\":%d,\"records_per_s\":%.1f}\n",
           s.lat.n, elapsed, (double)s.lat.n / elapsed, PCT(0.5), PCT(0.9), PCT(0.99), PCT(1.0),
           s.non2xx, s.last_status, s.errors, s.reconnects, o.connections,
           (double)(s.lat.n - (size_t)s.non2xx) * (double)o.records_per_request / elapsed);
    buf_free(&file_body);
    for (int i = 0; i < o.connections; i++) {
        if (cs[i].fd >= 0) close(cs[i].fd);
        buf_free(&cs[i].out);
        buf_free(&cs[i].in);
    }
    free(cs);
    bench_latency_free(&s.lat);
    buf_free(&rc.bytes);
    close(ep);
    return 0;
}
