#include "auth/chunked.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/checksum.h"

#define MAX_CHUNK ((size_t)1 << 31)

static const char EMPTY_SHA256[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

static int malformed(aws_error *e)
{
    return aws_fail(e, 400, "IncompleteBody",
                    "The request body terminated unexpectedly or is not valid aws-chunked "
                    "encoding.");
}

static int bad_signature(aws_error *e)
{
    return aws_fail(e, 403, "SignatureDoesNotMatch",
                    "The request signature we calculated does not match the signature you "
                    "provided. Check your key and signing method.");
}

/* Finds "\r\n" starting at pos; returns its index or -1. */
static long find_crlf(const char *in, size_t n, size_t pos)
{
    for (size_t i = pos; i + 1 < n; i++)
        if (in[i] == '\r' && in[i + 1] == '\n') return (long)i;
    return -1;
}

static void sign_string(const sigv4_auth *a, const char *kind, const char *prev, const char *extra,
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

int aws_chunked_decode(const char *in, size_t n, const chunked_opts *o, buf *out,
                       chunked_result *res, aws_error *e)
{
    memset(res, 0, sizeof *res);
    char prev[65];
    if (o->auth) memcpy(prev, o->auth->signature, 65);
    size_t pos = 0;
    for (;;) {
        long eol = find_crlf(in, n, pos);
        if (eol < 0 || (size_t)eol == pos) return malformed(e);
        /* chunk header: hex size, optionally ";chunk-signature=<64 hex>" */
        size_t size = 0, i = pos;
        int digits = 0;
        while (i < (size_t)eol && isxdigit((unsigned char)in[i])) {
            int d = isdigit((unsigned char)in[i]) ? in[i] - '0'
                                                  : (tolower((unsigned char)in[i]) - 'a' + 10);
            if (size > MAX_CHUNK / 16) return malformed(e);
            size = size * 16 + (size_t)d;
            i++;
            digits++;
        }
        if (!digits) return malformed(e);
        char sig[65] = "";
        if (i < (size_t)eol) {
            static const char tag[] = ";chunk-signature=";
            if ((size_t)eol - i != strlen(tag) + 64 || strncmp(in + i, tag, strlen(tag)))
                return malformed(e);
            memcpy(sig, in + i + strlen(tag), 64);
            sig[64] = '\0';
        }
        if (o->auth && !sig[0]) return malformed(e);
        pos = (size_t)eol + 2;
        if (size > n - pos) return malformed(e);
        if (o->auth) {
            char data_hash[65], extra[140], want[65];
            hash_sha256_hex(in + pos, size, data_hash);
            snprintf(extra, sizeof extra, "%s\n%s", EMPTY_SHA256, data_hash);
            sign_string(o->auth, "AWS4-HMAC-SHA256-PAYLOAD", prev, extra, want);
            if (!hash_equal(want, sig, 64)) return bad_signature(e);
            memcpy(prev, want, 65);
        }
        if (size == 0) break;
        buf_append(out, in + pos, size);
        pos += size;
        if (n - pos < 2 || in[pos] != '\r' || in[pos + 1] != '\n') return malformed(e);
        pos += 2;
    }
    /* trailers, then an empty line */
    buf signed_part = BUF_INIT;
    char trailer_sig[65] = "";
    int rc = 0;
    for (;;) {
        long eol = find_crlf(in, n, pos);
        if (eol < 0) {
            /* Some clients end the body right after the last chunk's CRLF. */
            if (pos == n && !o->declared_trailer) break;
            rc = malformed(e);
            goto done;
        }
        if ((size_t)eol == pos) {
            pos += 2;
            break;
        }
        const char *line = in + pos;
        size_t len = (size_t)eol - pos;
        const char *colon = memchr(line, ':', len);
        if (!colon) {
            rc = malformed(e);
            goto done;
        }
        size_t nlen = (size_t)(colon - line);
        const char *val = colon + 1;
        size_t vlen = len - nlen - 1;
        while (vlen && isspace((unsigned char)*val))
            val++, vlen--;
        if (nlen == 23 && !strncasecmp(line, "x-amz-trailer-signature", nlen)) {
            if (vlen != 64) {
                rc = malformed(e);
                goto done;
            }
            memcpy(trailer_sig, val, 64);
            trailer_sig[64] = '\0';
        } else if (nlen > 15 && !strncasecmp(line, "x-amz-checksum-", 15)) {
            if (nlen - 15 >= sizeof res->checksum_alg || vlen >= sizeof res->checksum_value) {
                rc = malformed(e);
                goto done;
            }
            snprintf(res->checksum_alg, sizeof res->checksum_alg, "%.*s", (int)(nlen - 15),
                     line + 15);
            for (char *c = res->checksum_alg; *c; c++)
                *c = (char)tolower((unsigned char)*c);
            snprintf(res->checksum_value, sizeof res->checksum_value, "%.*s", (int)vlen, val);
            buf_append(&signed_part, line, nlen);
            buf_putc(&signed_part, ':');
            buf_append(&signed_part, val, vlen);
            buf_putc(&signed_part, '\n');
        } else {
            buf_append(&signed_part, line, len);
            buf_putc(&signed_part, '\n');
        }
        pos = (size_t)eol + 2;
    }
    if (pos != n) {
        rc = malformed(e);
        goto done;
    }
    if (o->auth && o->signed_trailer) {
        char th[65], want[65];
        hash_sha256_hex(signed_part.data ? signed_part.data : "", signed_part.len, th);
        sign_string(o->auth, "AWS4-HMAC-SHA256-TRAILER", prev, th, want);
        if (!trailer_sig[0] || !hash_equal(want, trailer_sig, 64)) {
            rc = bad_signature(e);
            goto done;
        }
    }
    if (o->declared_trailer && !res->checksum_alg[0]) {
        rc = aws_fail(e, 400, "MalformedTrailerError",
                      "The request contained trailing data that was not well-formed or did "
                      "not conform to our published schema.");
        goto done;
    }
    if (o->decoded_length >= 0 && (size_t)o->decoded_length != out->len) {
        rc = malformed(e);
        goto done;
    }
    if (res->checksum_alg[0]) {
        char got[96];
        if (checksum_compute(res->checksum_alg, out->data ? out->data : "", out->len, got)) {
            rc = aws_fail(e, 400, "InvalidRequest",
                          "The algorithm type you specified in "
                          "x-amz-checksum- header is invalid.");
            goto done;
        }
        if (strcmp(got, res->checksum_value)) {
            rc = aws_fail(e, 400, "BadDigest",
                          "The %s you specified did not match the "
                          "calculated checksum.",
                          res->checksum_alg);
            goto done;
        }
    }
done:
    buf_free(&signed_part);
    return rc;
}
