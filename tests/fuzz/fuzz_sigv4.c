/* fuzz_sigv4: SigV4 parsing and verification of arbitrary requests.
 *
 * Two checks per input:
 *  1. sigv4_parse + sigv4_verify on the request as given (header or presigned form), as
 *     the front end runs them: must not crash, leak or trip UBSan.
 *  2. Round trip: when the request carries no signature of its own, sign it with
 *     sigv4_sign_request and require parse + verify to accept it. A disagreement between
 *     signer and verifier means one of them canonicalises some input differently, which
 *     for a server is a rejected legitimate client (or worse, an accepted forgery). */
#include <ctype.h>
#include <stdbool.h>

#include "auth/sigv4.h"
#include "fuzz_common.h"

/* 2024-01-01T00:00:00Z: seeds use 20240101T000000Z so that they pass the skew check. */
static const int64_t NOW_MS = 1704067200000LL;
static const char SECRET[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/* Headers that the signer adds itself or that would change what verify reads first. */
static bool signer_owned(const char *name)
{
    return !strcmp(name, "authorization") || !strcmp(name, "x-amz-date") ||
           !strcmp(name, "x-amz-content-sha256") || !strcmp(name, "x-amz-security-token") ||
           !strcmp(name, "date");
}

/* An RFC 9110 token: the only header names a client can send and sign. */
static bool is_token(const char *s)
{
    if (!*s || strlen(s) > 40) return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("!#$%&'*+-.^_`|~", *s)) return false;
    return true;
}

static bool round_trip_applies(const http_request *r)
{
    if (r->n_headers > 32 || strlen(r->method) == 0) return false;
    for (size_t i = 0; i < r->n_headers; i++)
        if (signer_owned(r->headers[i].name) || !is_token(r->headers[i].name)) return false;
    for (size_t i = 0; i < r->n_params; i++)
        if (!strncmp(r->params[i].key, "X-Amz-", 6)) return false;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    http_request r;
    fuzz_request(data, size, &r);

    sigv4_auth a;
    char detail[512];
    sigv4_failure f = sigv4_parse(&r, NOW_MS, &a, detail, sizeof detail);
    if (f == SIGV4_OK) f = sigv4_verify(&r, &a, SECRET);
    aws_error e;
    aws_error_clear(&e);
    sigv4_fail(&e, f, FAMILY_JSON, detail);

    if (round_trip_applies(&r)) {
        if (!http_header_get(&r, "host")) http_request_add_header(&r, "Host", "example.com");
        const char *service = size && (data[0] & 1) ? "s3" : "iam";
        sigv4_sign_request(&r, "AKIDFUZZ", SECRET, NULL, "us-east-1", service, NOW_MS);
        f = sigv4_parse(&r, NOW_MS, &a, detail, sizeof detail);
        if (f != SIGV4_OK) {
            fprintf(stderr, "round trip: parse failed (%d): %s\n", f, detail);
            abort();
        }
        f = sigv4_verify(&r, &a, SECRET);
        if (f != SIGV4_OK) {
            fprintf(stderr, "round trip: verify failed (%d)\n", f);
            abort();
        }
    }
    http_request_free(&r);
    return 0;
}
