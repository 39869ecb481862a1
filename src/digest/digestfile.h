/* digestfile: one CloudTrail digest file — its S3 key, its JSON bytes, and the string its
 * signature covers. Pure: no I/O, no clock.
 *
 * Key (cloudtrail-formats.md a):
 *   [<prefix>/]AWSLogs/[<o-orgid>/]<account>/CloudTrail-Digest/<region>/YYYY/MM/DD/
 *     <account>_CloudTrail-Digest_<region>_<trail name>_<home region>_YYYYMMDDTHHMMSSZ.json.gz
 * with the date and second of digestEndTime (UTC). The AWS CLI selects digests by that
 * name and walks by the JSON's times, so all three must agree.
 *
 * Body (section c): compact UTF-8 JSON, members in the order AWS's samples show, `/` not
 * escaped, hashes lowercase hex; newestEventTime/oldestEventTime null without log files;
 * the five previousDigest* members present and null in a chain's first digest.
 * The test vectors are reproduced byte for byte by this layout.
 *
 * Signing string (section d): digestEndTime "\n" bucket "/" key "\n" hex SHA-256 of the
 * uncompressed JSON "\n" previous signature (or "null"); no trailing newline. */
#ifndef ORGTRAIL_DIGEST_DIGESTFILE_H
#define ORGTRAIL_DIGEST_DIGESTFILE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define DIGEST_HASH_ALGORITHM "SHA-256"

/* One log file the digest names. Pointers are borrowed. */
typedef struct digest_log {
    const char *bucket;
    const char *key;
    const char *sha256;      /* lowercase hex of the uncompressed bytes */
    int64_t oldest_event_ms; /* < 0 = unknown (written as null) */
    int64_t newest_event_ms;
} digest_log;

/* Everything a digest says. Pointers are borrowed; prev_* all NULL in a first digest. */
typedef struct digest_doc {
    const char *account_id;
    int64_t start_ms, end_ms; /* whole seconds */
    const char *bucket;
    const char *key;
    const char *fingerprint;
    const char *prev_bucket;
    const char *prev_key;
    const char *prev_hash;      /* hex SHA-256 of the previous digest's uncompressed bytes */
    const char *prev_signature; /* hex */
    const digest_log *logs;
    size_t n_logs;
} digest_doc;

/* The key; prefix and org_id may be "" or NULL. Returns the length, or -1 when it does
 * not fit in n. */
int digest_key(char *out, size_t n, const char *prefix, const char *org_id, const char *account,
               const char *region, const char *trail_name, const char *home_region, int64_t end_ms);
/* Appends the JSON bytes to out. */
void digest_json(const digest_doc *d, buf *out);
/* Appends the signing string of the digest ending at end_ms stored at bucket/key, given
 * the hex SHA-256 of its JSON bytes and the previous digest's signature (NULL in a first
 * digest). Nothing else of a digest is signed: the signer builds this from what it is
 * asked to sign and needs no whole document. */
void digest_signing_string(int64_t end_ms, const char *bucket, const char *key,
                           const char *json_sha256, const char *prev_signature, buf *out);

#endif
