/* digest: one CloudTrail digest file as the validator reads it (cloudtrail-formats.md c, d).
 *
 * digest_parse takes the inflated bytes (the caller gunzips) and keeps them, because the
 * signature covers their SHA-256, never a re-serialisation. Checks follow the AWS CLI's
 * order so that the same file gets the same verdict:
 *   JSON object? -> the six required keys -> (caller: location, key, signature).
 * Everything else (logFiles entries, algorithm names, previous-digest fields) is read
 * leniently and judged later, because the AWS CLI judges it later or not at all. */
#ifndef ORGTRAIL_VALIDATE_DIGEST_H
#define ORGTRAIL_VALIDATE_DIGEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

typedef enum digest_parse_rc {
    DIGEST_OK = 0,
    DIGEST_NOT_JSON,     /* not UTF-8 JSON (or not an object): "invalid format" */
    DIGEST_MISSING_KEYS, /* one of the six required keys absent: "invalid format" */
} digest_parse_rc;

typedef struct digest_log {
    const char *bucket, *key; /* NULL when absent or not a string */
    const char *hash;         /* hashValue */
    const char *hash_alg;     /* hashAlgorithm */
} digest_log;

typedef struct digest {
    json_t *root;        /* owned */
    char sha256_hex[65]; /* of the inflated bytes */
    /* Borrowed from root; NULL when null or not a string. */
    const char *end_time, *start_time, *bucket, *object, *fingerprint, *sig_alg;
    const char *prev_bucket, *prev_object, *prev_hash, *prev_hash_alg, *prev_signature;
    digest_log *logs; /* owned array */
    size_t n_logs;
    bool logs_malformed; /* logFiles present but not an array */
} digest;

digest_parse_rc digest_parse(const void *inflated, size_t len, digest *d);
void digest_free(digest *d);

/* The exact bytes the signature covers (four lines, no trailing newline). */
void digest_string_to_sign(const digest *d, buf *out);

/* Parses a digest time as Python's dateutil would for the forms CloudTrail writes
 * ("2024-05-01T10:12:37Z", optional fraction, optional offset which is dropped). -1 when
 * malformed. */
int digest_parse_time(const char *s, int64_t *ms);

#endif
