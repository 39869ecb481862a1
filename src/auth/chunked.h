/* chunked: the aws-chunked body encoding S3 clients use for streaming uploads.
 *
 *   <hex size>[;chunk-signature=<sig>]\r\n<bytes>\r\n ... 0[;chunk-signature=<sig>]\r\n
 *   [<trailer name>:<value>\r\n ...][x-amz-trailer-signature:<sig>\r\n]\r\n
 *
 * Signed variants (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]) chain each chunk's
 * signature to the previous one, starting from the request's seed signature; a trailing
 * x-amz-checksum-* value is checked against the decoded bytes. */
#ifndef ORGTRAIL_CHUNKED_H
#define ORGTRAIL_CHUNKED_H

#include <stdbool.h>

#include "auth/sigv4.h"
#include "core/buf.h"

typedef struct chunked_opts {
    const sigv4_auth *auth;       /* non-NULL when chunks are signed */
    bool signed_trailer;          /* ...-TRAILER variant with x-amz-trailer-signature */
    const char *declared_trailer; /* the x-amz-trailer header, or NULL */
    long long decoded_length;     /* x-amz-decoded-content-length, or -1 */
} chunked_opts;

typedef struct chunked_result {
    char checksum_alg[16];   /* "crc32", ... when a checksum trailer came; "" otherwise */
    char checksum_value[96]; /* its base64 value (already verified) */
} chunked_result;

/* Decodes `in` into out. Returns 0, or -1 with e filled: IncompleteBody for a malformed
 * or truncated body, SignatureDoesNotMatch for a bad chunk or trailer signature,
 * BadDigest / InvalidRequest for a checksum that does not match. */
int aws_chunked_decode(const char *in, size_t n, const chunked_opts *o, buf *out,
                       chunked_result *res, aws_error *e);

#endif
