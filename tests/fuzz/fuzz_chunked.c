/* fuzz_chunked: the aws-chunked body decoder (S3 streaming uploads).
 *
 * Input: an options line, then the body.
 *   options: words among "signed" (chunks carry chained signatures), "trailer" (signed
 *   trailer variant), "declared" (an x-amz-trailer header was sent), "len=N"
 *   (x-amz-decoded-content-length), "roundtrip", "chunk=N".
 * Without "roundtrip" the body is decoded as received: it must fail cleanly or succeed
 * with exactly len= bytes. With "roundtrip" the body is the payload: the harness encodes
 * it itself (chunk=N bytes per chunk, signatures and a crc32 trailer as a client would
 * write them) and the decoder must give back the same bytes, which reaches the signature
 * and checksum paths that random bytes never get past. */
#include <stdbool.h>

#include "auth/chunked.h"
#include "core/checksum.h"
#include "core/hash.h"
#include "fuzz_common.h"

static const char EMPTY_SHA256[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

typedef struct opts {
    bool is_signed, trailer, declared, roundtrip;
    long long len;
    size_t chunk;
} opts;

static void parse_opts(const uint8_t *s, size_t n, opts *o)
{
    char line[256];
    snprintf(line, sizeof line, "%.*s", (int)(n < 255 ? n : 255), (const char *)s);
    memset(o, 0, sizeof *o);
    o->len = -1;
    o->chunk = 64;
    for (char *save = NULL, *w = strtok_r(line, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        if (!strcmp(w, "signed"))
            o->is_signed = true;
        else if (!strcmp(w, "trailer"))
            o->trailer = true;
        else if (!strcmp(w, "declared"))
            o->declared = true;
        else if (!strcmp(w, "roundtrip"))
            o->roundtrip = true;
        else if (!strncmp(w, "len=", 4))
            o->len = strtoll(w + 4, NULL, 10);
        else if (!strncmp(w, "chunk=", 6))
            o->chunk = (size_t)strtoul(w + 6, NULL, 10);
    }
    if (o->chunk == 0 || o->chunk > 4096) o->chunk = 64;
}

/* The client side of the chained signatures, written independently of the decoder. */
static void chain_sign(const sigv4_auth *a, const char *kind, const char *prev, const char *extra,
                       char out[65])
{
    buf sts = BUF_INIT;
    buf_printf(&sts, "%s\n%s\n%s/%s/%s/aws4_request\n%s\n%s", kind, a->amz_date, a->date, a->region,
               a->service, prev, extra);
    unsigned char mac[SHA256_LEN];
    hash_hmac_sha256(a->signing_key, SHA256_LEN, sts.data, sts.len, mac);
    hex_encode(mac, SHA256_LEN, out);
    buf_free(&sts);
}

static void encode(const uint8_t *p, size_t n, const opts *o, const sigv4_auth *a, buf *out)
{
    char prev[65];
    memcpy(prev, a->signature, 65);
    size_t pos = 0;
    for (;;) {
        size_t k = n - pos < o->chunk ? n - pos : o->chunk;
        buf_printf(out, "%zx", k);
        if (o->is_signed) {
            char h[65], extra[140], sig[65];
            hash_sha256_hex(p + pos, k, h);
            snprintf(extra, sizeof extra, "%s\n%s", EMPTY_SHA256, h);
            chain_sign(a, "AWS4-HMAC-SHA256-PAYLOAD", prev, extra, sig);
            buf_printf(out, ";chunk-signature=%s", sig);
            memcpy(prev, sig, 65);
        }
        buf_puts(out, "\r\n");
        if (k == 0) break;
        buf_append(out, p + pos, k);
        buf_puts(out, "\r\n");
        pos += k;
    }
    if (o->trailer || o->declared) {
        char crc[96];
        checksum_compute("crc32", n ? (const char *)p : "", n, crc);
        buf_printf(out, "x-amz-checksum-crc32:%s\r\n", crc);
        if (o->is_signed && o->trailer) {
            buf part = BUF_INIT;
            char th[65], sig[65];
            buf_printf(&part, "x-amz-checksum-crc32:%s\n", crc);
            hash_sha256_hex(part.data, part.len, th);
            chain_sign(a, "AWS4-HMAC-SHA256-TRAILER", prev, th, sig);
            buf_printf(out, "x-amz-trailer-signature:%s\r\n", sig);
            buf_free(&part);
        }
    }
    buf_puts(out, "\r\n");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data, *end = data + size, *line;
    size_t n = fuzz_line(&p, end, &line);
    opts o;
    parse_opts(line, n, &o);

    sigv4_auth a;
    memset(&a, 0, sizeof a);
    snprintf(a.amz_date, sizeof a.amz_date, "20240101T000000Z");
    snprintf(a.date, sizeof a.date, "20240101");
    snprintf(a.region, sizeof a.region, "us-east-1");
    snprintf(a.service, sizeof a.service, "s3");
    snprintf(a.signature, sizeof a.signature, "%064d", 7);
    sigv4_signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", a.date, a.region, a.service,
                      a.signing_key);

    chunked_opts co = {0};
    co.auth = o.is_signed ? &a : NULL;
    co.signed_trailer = o.is_signed && o.trailer;
    co.declared_trailer = o.declared || o.trailer ? "x-amz-checksum-crc32" : NULL;
    co.decoded_length = o.len;

    buf body = BUF_INIT, out = BUF_INIT;
    if (o.roundtrip) {
        encode(p, (size_t)(end - p), &o, &a, &body);
        co.decoded_length = (long long)(end - p);
    } else {
        buf_append(&body, p, (size_t)(end - p));
    }
    chunked_result res;
    aws_error e;
    aws_error_clear(&e);
    int rc = aws_chunked_decode(body.data ? body.data : "", body.len, &co, &out, &res, &e);
    if (rc == 0 && co.decoded_length >= 0 && (long long)out.len != co.decoded_length) abort();
    if (rc != 0 && !aws_error_set(&e)) abort();
    if (o.roundtrip) {
        if (rc != 0) {
            fprintf(stderr, "roundtrip: decoder refused a well-formed body: %s: %s\n", e.code,
                    e.message);
            abort();
        }
        if (out.len != (size_t)(end - p) || (out.len && memcmp(out.data, p, out.len))) {
            fprintf(stderr, "roundtrip: decoded bytes differ\n");
            abort();
        }
    }
    buf_free(&body);
    buf_free(&out);
    return 0;
}
