/* sigv4: AWS Signature Version 4, server side (verify) and client side (sign).
 *
 * Verification is split in two so that the caller can look the access key up between:
 *   sigv4_parse()   reads the Authorization header or the presigned query parameters;
 *   sigv4_verify()  rebuilds the canonical request and compares signatures in constant time.
 * Failures are classified (sigv4_failure) rather than coded, because the same failure has
 * a different AWS error code per protocol family; sigv4_fail() maps them.
 *
 * Clock skew allowed: 15 minutes either way (AWS's documented general limit). */
#ifndef ORGTRAIL_SIGV4_H
#define ORGTRAIL_SIGV4_H

#include <stdbool.h>
#include <stdint.h>

#include "core/awserr.h"
#include "auth/sigv4_keys.h"
#include "core/hash.h"
#include "http/http.h"

#define SIGV4_MAX_SKEW_MS (15 * 60 * 1000)

typedef enum sigv4_family { FAMILY_JSON, FAMILY_QUERY, FAMILY_S3 } sigv4_family;

typedef enum sigv4_failure {
    SIGV4_OK = 0,
    SIGV4_MISSING,    /* no Authorization header and no presigned parameters */
    SIGV4_INCOMPLETE, /* malformed or missing component */
    SIGV4_SKEW,       /* request time too far from server time */
    SIGV4_PRESIGN_EXPIRED,
    SIGV4_UNKNOWN_KEY,
    SIGV4_BAD_TOKEN, /* session token missing / wrong for a temporary key */
    SIGV4_EXPIRED_TOKEN,
    SIGV4_MISMATCH,
    SIGV4_PAYLOAD_MISMATCH, /* x-amz-content-sha256 does not match the body */
} sigv4_failure;

typedef struct sigv4_auth {
    bool presigned;
    char access_key[129];
    char date[9]; /* scope date yyyymmdd */
    char region[33];
    char service[33];
    char signed_headers[2048];
    char signature[65];
    char amz_date[17];
    int64_t request_ms;
    int64_t expires_s;          /* presigned only */
    const char *security_token; /* borrowed from the request; NULL when absent */
    const char *payload_hash;   /* borrowed: x-amz-content-sha256 value, or NULL */
    /* set by sigv4_verify, for aws-chunked bodies whose chunks chain signatures */
    unsigned char signing_key[SHA256_LEN];
} sigv4_auth;

/* Reads the request's SigV4 parameters. Returns SIGV4_OK, SIGV4_MISSING or
 * SIGV4_INCOMPLETE / SIGV4_SKEW with a human-readable detail in `detail`. Whatever the
 * result, the scope fields that could be read are filled (to pick the error's protocol). */
sigv4_failure sigv4_parse(const http_request *r, int64_t now_ms, sigv4_auth *a, char *detail,
                          size_t detail_len);

/* Checks the signature with `secret`. Fills a->signing_key. Returns SIGV4_OK,
 * SIGV4_MISMATCH or SIGV4_PAYLOAD_MISMATCH. */
sigv4_failure sigv4_verify(const http_request *r, sigv4_auth *a, const char *secret);
/* The same, taking the signing key from `keys` when it was derived before (NULL: derive). */
sigv4_failure sigv4_verify_cached(const http_request *r, sigv4_auth *a, const char *secret,
                                  sigv4_keys *keys);

/* Fills e with the AWS error for failure f in protocol family fam. */
int sigv4_fail(aws_error *e, sigv4_failure f, sigv4_family fam, const char *detail);

/* The HMAC chain kDate -> kRegion -> kService -> kSigning. */
void sigv4_signing_key(const char *secret, const char *date, const char *region,
                       const char *service, unsigned char out[SHA256_LEN]);

/* Builds the canonical request into out (exposed for tests and the signer). */
void sigv4_canonical_request(const http_request *r, const char *service, const char *signed_headers,
                             const char *payload_hash, bool presigned, buf *out);

/* Client side: signs r in place (adds x-amz-date, x-amz-content-sha256 for s3,
 * x-amz-security-token when token is non-NULL, and Authorization). r must already carry
 * its Host header, path, query and body. */
void sigv4_sign_request(http_request *r, const char *access_key, const char *secret,
                        const char *token, const char *region, const char *service, int64_t now_ms);
/* The same, with the signing key from `keys` when it was derived before (NULL: derive). */
void sigv4_sign_request_cached(http_request *r, const char *access_key, const char *secret,
                               const char *token, const char *region, const char *service,
                               int64_t now_ms, sigv4_keys *keys);

#endif
