/* orgtrail-ingestgen: the load generator of the bulk-ingestion benchmark (bench/ingest.py).
 *
 * Reads a file of NDJSON records, cuts it into batches of --batch lines and sends the
 * batches round-robin, in a closed loop over N connections, in one of two ways:
 *
 *   --mode http  each batch is the body of a SigV4-signed POST to orgtrail's bulk endpoint
 *                (/_orgtrail/ingest, service cloudtrail-data); a connection sends its next
 *                batch when the previous one is acknowledged. The acknowledgement means the
 *                records are durable, so its latency is what a client waits for. Counts the
 *                records the server reports as accepted.
 *   --mode tcp   each batch is written as plain lines (LF framing) to a syslog receiver
 *                (rsyslog's imtcp). TCP acknowledges nothing beyond the kernel's buffers, so
 *                only the send side is timed here; bench/ingest.py times the receiver until
 *                every line is in its files.
 *
 * Why the payload hashes are computed once: SigV4 signs the SHA-256 of the body, and
 * hashing 1 MB per request in the generator would take CPU from the server under test on a
 * 2-core machine. Each batch's hash is computed at start-up and sent as
 * x-amz-content-sha256; the server still hashes every body it receives to check it.
 * Each request is signed afresh (a few microseconds), so the signature is always current.
 *
 * Prints one JSON object. */
#include <arpa/inet.h>
#include <errno.h>
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
#include "core/hash.h"
#include "core/timeutil.h"

typedef struct options {
    bool tcp;
    char host[64];
    int port;
    int connections;
    long batch;
    double duration_s, warmup_s;
    double rate; /* records/s over all connections; 0: as fast as acknowledged */
    const char *records_file, *access_key, *secret, *region, *service, *path;
} options;

/* One batch: a slice of the records file. */
typedef struct batch {
    const char *data;
    size_t len;
    long records;
    char sha256[65];
} batch;

typedef struct conn {
    int fd;
    buf head;          /* request line and headers (http) */
    const batch *body; /* the batch being sent */
    size_t sent;       /* bytes of head + body sent */
    buf in;
    double started;
} conn;

typedef struct stats {
    bench_latencies lat;
    long long records; /* accepted (http) or sent (tcp) in the measured window */
    long long rejected;
    long errors, non2xx;
    int last_status;
} stats;

static double epoch_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Reads the whole file and cuts it into batches of o->batch lines (a short tail batch is
 * kept: every record is sent). Returns the number of batches, 0 on failure. */
static size_t load_batches(const options *o, buf *file, batch **out)
{
    FILE *fp = fopen(o->records_file, "rb");
    if (!fp) return perror(o->records_file), 0;
    char chunk[1 << 16];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0)
        buf_append(file, chunk, got);
    fclose(fp);
    if (!file->len || file->data[file->len - 1] != '\n') buf_putc(file, '\n');
    size_t cap = 16, n = 0;
    batch *v = malloc(cap * sizeof *v);
    if (!v) abort();
    const char *p = file->data, *end = file->data + file->len;
    while (p < end) {
        const char *q = p;
        long lines = 0;
        while (q < end && lines < o->batch) {
            const char *nl = memchr(q, '\n', (size_t)(end - q));
            q = nl + 1;
            lines++;
        }
        if (n == cap) {
            cap *= 2;
            v = realloc(v, cap * sizeof *v);
            if (!v) abort();
        }
        v[n] = (batch){.data = p, .len = (size_t)(q - p), .records = lines};
        if (!o->tcp) hash_sha256_hex(p, v[n].len, v[n].sha256);
        n++;
        p = q;
    }
    *out = v;
    return n;
}

/* The request head for one batch, signed now with the precomputed payload hash. */
static void signed_head(const options *o, const batch *b, buf *out)
{
    char amz[17], date[9], hostport[96];
    time_amz(time_now_ms(), amz, sizeof amz);
    memcpy(date, amz, 8);
    date[8] = 0;
    snprintf(hostport, sizeof hostport, "%s:%d", o->host, o->port);
    http_request r;
    http_request_init(&r);
    strcpy(r.method, "POST");
    r.raw_path = strdup(o->path);
    r.raw_query = strdup("");
    http_request_parse_query(&r);
    http_request_add_header(&r, "Host", hostport);
    http_request_add_header(&r, "Content-Type", "application/x-ndjson");
    http_request_add_header(&r, "X-Amz-Content-SHA256", b->sha256);
    http_request_add_header(&r, "X-Amz-Date", amz);
    static const char signed_headers[] = "content-type;host;x-amz-content-sha256;x-amz-date";

    buf creq = BUF_INIT, sts = BUF_INIT;
    sigv4_canonical_request(&r, o->service, signed_headers, b->sha256, false, &creq);
    char creq_hash[65];
    hash_sha256_hex(creq.data, creq.len, creq_hash);
    buf_printf(&sts, "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s", amz, date, o->region,
               o->service, creq_hash);
    unsigned char key[SHA256_LEN], sig[SHA256_LEN];
    sigv4_signing_key(o->secret, date, o->region, o->service, key);
    hash_hmac_sha256(key, SHA256_LEN, sts.data, sts.len, sig);
    char sig_hex[65];
    hex_encode(sig, SHA256_LEN, sig_hex);

    char auth[512];
    snprintf(auth, sizeof auth,
             "Authorization: AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/aws4_request, "
             "SignedHeaders=%s, Signature=%s\r\n",
             o->access_key, date, o->region, o->service, signed_headers, sig_hex);
    bench_request_head(out, &r, auth, b->len);
    buf_free(&creq);
    buf_free(&sts);
    http_request_free(&r);
}

/* A JSON integer member of the response body ("accepted", "rejected"); -1 when absent. */
static long long member(const char *body, size_t len, const char *name)
{
    char pat[40];
    int n = snprintf(pat, sizeof pat, "\"%s\":", name);
    const char *p = memmem(body, len, pat, (size_t)n);
    return p ? atoll(p + n) : -1;
}

static const batch *next_batch(const batch *v, size_t n)
{
    static size_t next;
    return &v[next++ % n];
}

static void start_send(const options *o, conn *c, const batch *b)
{
    c->body = b;
    c->sent = 0;
    buf_reset(&c->in);
    buf_reset(&c->head);
    if (!o->tcp) signed_head(o, b, &c->head);
    c->started = bench_now_s();
}

/* Sends what the socket takes. 1 when head and body are all sent, 0 when it would block,
 * -1 on an error. */
static int pump(conn *c)
{
    size_t total = c->head.len + c->body->len;
    while (c->sent < total) {
        const char *p;
        size_t n;
        if (c->sent < c->head.len) {
            p = c->head.data + c->sent;
            n = c->head.len - c->sent;
        } else {
            p = c->body->data + (c->sent - c->head.len);
            n = total - c->sent;
        }
        ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL | (c->sent < c->head.len ? MSG_MORE : 0));
        if (w < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
        c->sent += (size_t)w;
    }
    return 1;
}

static void usage(void)
{
    fputs("usage: orgtrail-ingestgen --mode http|tcp --endpoint HOST:PORT --records FILE\n"
          "         [--batch 1000] [--connections 4] [--duration 10] [--warmup 2] [--rate R]\n"
          "         http: --access-key K --secret S [--region us-east-1]\n"
          "               [--service cloudtrail-data] [--path /_orgtrail/ingest]\n"
          "Sends the records of FILE (NDJSON) in batches, in a closed loop, and prints\n"
          "records/s and per-request latency percentiles as JSON.\n",
          stdout);
}

int main(int argc, char **argv)
{
    options o = {.port = 4566,
                 .connections = 4,
                 .batch = 1000,
                 .duration_s = 10,
                 .warmup_s = 2,
                 .region = "us-east-1",
                 .service = "cloudtrail-data",
                 .path = "/_orgtrail/ingest"};
    strcpy(o.host, "127.0.0.1");
    const char *mode = NULL;
    static const struct option opts[] = {{"mode", required_argument, NULL, 'm'},
                                         {"endpoint", required_argument, NULL, 'e'},
                                         {"records", required_argument, NULL, 'f'},
                                         {"batch", required_argument, NULL, 'b'},
                                         {"connections", required_argument, NULL, 'n'},
                                         {"duration", required_argument, NULL, 'd'},
                                         {"warmup", required_argument, NULL, 'w'},
                                         {"access-key", required_argument, NULL, 'a'},
                                         {"secret", required_argument, NULL, 's'},
                                         {"region", required_argument, NULL, 'r'},
                                         {"service", required_argument, NULL, 'v'},
                                         {"path", required_argument, NULL, 'p'},
                                         {"rate", required_argument, NULL, 'R'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'm':
            mode = optarg;
            break;
        case 'e':
            if (bench_parse_endpoint(optarg, o.host, sizeof o.host, &o.port)) return usage(), 2;
            break;
        case 'f':
            o.records_file = optarg;
            break;
        case 'b':
            o.batch = atol(optarg);
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
        case 'a':
            o.access_key = optarg;
            break;
        case 's':
            o.secret = optarg;
            break;
        case 'r':
            o.region = optarg;
            break;
        case 'v':
            o.service = optarg;
            break;
        case 'p':
            o.path = optarg;
            break;
        case 'R':
            o.rate = atof(optarg);
            break;
        case 'h':
            usage();
            return 0;
        default:
            usage();
            return 2;
        }
    }
    if (!mode || (strcmp(mode, "http") && strcmp(mode, "tcp"))) return usage(), 2;
    o.tcp = !strcmp(mode, "tcp");
    /* Over TCP nothing is acknowledged, so there is no steady state to wait for: the
     * receiver's side is timed from the first line to the last one written. */
    if (o.tcp) o.warmup_s = 0;
    if (!o.records_file || o.batch < 1 || o.connections < 1) return usage(), 2;
    if (!o.tcp && (!o.access_key || !o.secret)) return usage(), 2;

    buf file = BUF_INIT;
    batch *batches;
    size_t n_batches = load_batches(&o, &file, &batches);
    if (!n_batches) return 1;

    int ep = epoll_create1(EPOLL_CLOEXEC);
    conn *cs = calloc((size_t)o.connections, sizeof *cs);
    stats s = {0};
    for (int i = 0; i < o.connections; i++) {
        cs[i].fd = bench_connect(o.host, o.port);
        if (cs[i].fd < 0) return perror("connect"), 1;
        struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP, .data.ptr = &cs[i]};
        epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
    }
    double start_epoch = epoch_s();
    double t0 = bench_now_s(), measure_from = t0 + o.warmup_s, stop = measure_from + o.duration_s;
    /* --rate: batch k may start at t0 + (records before it) / rate; a connection whose
     * next batch is not due yet waits (parked, out of epoll's interest). */
    long long scheduled = 0;
    for (int i = 0; i < o.connections; i++) {
        const batch *b = next_batch(batches, n_batches);
        scheduled += b->records;
        start_send(&o, &cs[i], b);
    }
    int open = o.connections;
    struct epoll_event evs[64];
    conn **parked = calloc((size_t)o.connections, sizeof *parked);
    int n_parked = 0;
    /* Past `stop` no new batch starts; the loop ends when every connection is idle, so a
     * tcp receiver never sees half a line and every http request is answered. */
    while (open > 0) {
        int n = epoll_wait(ep, evs, 64, n_parked ? 1 : 100);
        for (int k = 0; k < n_parked;) {
            conn *c = parked[k];
            if (bench_now_s() < t0 + (double)scheduled / o.rate) break;
            parked[k] = parked[--n_parked];
            if (bench_now_s() >= stop) {
                epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                close(c->fd);
                c->fd = -1;
                open--;
                continue;
            }
            const batch *b = next_batch(batches, n_batches);
            scheduled += b->records;
            start_send(&o, c, b);
            struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP, .data.ptr = c};
            epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
        }
        for (int i = 0; i < n; i++) {
            conn *c = evs[i].data.ptr;
            if (c->fd < 0) continue;
            bool done_sending = false, failed = false;
            if (evs[i].events & EPOLLOUT) {
                int r = pump(c);
                if (r < 0) failed = true;
                if (r == 1) {
                    done_sending = true;
                    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
                    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
                }
            }
            bool finished = false; /* this batch is complete */
            if (o.tcp) {
                if (done_sending) {
                    if (c->started >= measure_from) s.records += c->body->records;
                    finished = true;
                }
                if (evs[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) failed = true;
            } else if (!failed && (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
                char tmp[16384];
                ssize_t r;
                while ((r = recv(c->fd, tmp, sizeof tmp, 0)) > 0)
                    buf_append(&c->in, tmp, (size_t)r);
                int status = 0, close_after = 0;
                size_t whole = bench_response_complete(&c->in, &status, &close_after);
                if (whole) {
                    double t = bench_now_s();
                    if (c->started >= measure_from) {
                        bench_latency_add(&s.lat, t - c->started);
                        const char *body = memmem(c->in.data, whole, "\r\n\r\n", 4) + 4;
                        size_t blen = whole - (size_t)(body - c->in.data);
                        long long acc = member(body, blen, "accepted");
                        long long rej = member(body, blen, "rejected");
                        if (status < 200 || status > 299 || acc < 0) {
                            s.non2xx++;
                            s.last_status = status;
                        } else {
                            s.records += acc;
                            s.rejected += rej > 0 ? rej : 0;
                        }
                    }
                    finished = true;
                } else if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
                    failed = true;
                }
            }
            if (failed) {
                s.errors++;
                epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                close(c->fd);
                c->fd = -1;
                open--;
                continue;
            }
            if (!finished) continue;
            if (bench_now_s() >= stop) {
                epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                close(c->fd);
                c->fd = -1;
                open--;
                continue;
            }
            if (o.rate > 0 && bench_now_s() < t0 + (double)scheduled / o.rate) {
                struct epoll_event ev = {.events = EPOLLRDHUP, .data.ptr = c};
                epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
                parked[n_parked++] = c;
                continue;
            }
            const batch *b = next_batch(batches, n_batches);
            scheduled += b->records;
            start_send(&o, c, b);
            struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP, .data.ptr = c};
            epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
        }
    }
    free(parked);
    double elapsed = bench_now_s() - measure_from;
    bench_latency_sort(&s.lat);
#define PCT(p) bench_latency_ms(&s.lat, (p))
    printf("{\"mode\":\"%s\",\"records\":%lld,\"seconds\":%.3f,\"records_per_s\":%.1f,"
           "\"requests\":%zu,\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,"
           "\"rejected\":%lld,\"non2xx\":%ld,\"last_status\":%d,\"errors\":%ld,"
           "\"connections\":%d,\"batch\":%ld,\"batches\":%zu,\"start_epoch\":%.6f,"
           "\"end_epoch\":%.6f}\n",
           mode, s.records, elapsed, (double)s.records / elapsed, s.lat.n, PCT(0.5), PCT(0.9),
           PCT(0.99), PCT(1.0), s.rejected, s.non2xx, s.last_status, s.errors, o.connections,
           o.batch, n_batches, start_epoch, epoch_s());
    for (int i = 0; i < o.connections; i++) {
        if (cs[i].fd >= 0) close(cs[i].fd);
        buf_free(&cs[i].head);
        buf_free(&cs[i].in);
    }
    free(cs);
    bench_latency_free(&s.lat);
    free(batches);
    buf_free(&file);
    close(ep);
    return 0;
}
