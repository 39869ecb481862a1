/* loghash: inflate a stored .json.gz object and SHA-256 the inflated bytes, with the AWS
 * CLI's verdicts (cloudtrail-formats.md c, f.17):
 *   - only the first gzip member counts; bytes after it are ignored (zlib's unused_data);
 *   - a stream that simply ends early is not an error: what was inflated is hashed (and
 *     then does not match);
 *   - anything zlib rejects (not gzip, corrupt data, a bad CRC) is "invalid format".
 *
 * Fast path: libdeflate inflates the whole member in one call when the object is one
 * complete member (the normal case), into a scratch buffer sized from the gzip trailer.
 * Anything else takes zlib's streaming path, which reproduces the CLI's semantics exactly.
 * One known divergence, kept for speed (zlib alone is 1.7x slower per file): libdeflate
 * accepts a few Huffman codes zlib refuses (more than 286/30 code lengths, a one-symbol
 * code whose unused codeword appears, a length with no distance code), so such a crafted
 * stream is inflated and hashed where the CLI says "invalid format". It is still reported
 * valid only if its inflated bytes hash to the digest's value, i.e. are what was signed
 * (tests/fuzz/fuzz_validate.c pins that this is the only divergence).
 *
 * A loghash_scratch belongs to one thread; it keeps its buffer between files so a worker
 * allocates once. */
#ifndef ORGTRAIL_VALIDATE_LOGHASH_H
#define ORGTRAIL_VALIDATE_LOGHASH_H

#include <stddef.h>
#include <stdint.h>

typedef struct loghash_scratch {
    void *decompressor; /* struct libdeflate_decompressor * */
    unsigned char *out;
    size_t cap;
} loghash_scratch;

void loghash_scratch_init(loghash_scratch *s);
void loghash_scratch_free(loghash_scratch *s);

/* 0 with hex filled (lowercase, 65 bytes) and *inflated the inflated size, or -1 when the
 * bytes are not a gzip stream zlib accepts ("invalid format"). */
int loghash_gzip_sha256(loghash_scratch *s, const void *gz, size_t len, char hex[65],
                        uint64_t *inflated);

/* The exact (zlib streaming) path alone, with the same contract; for tests, which check
 * that loghash_gzip_sha256 always gives its verdict, hash and size. */
int loghash_gzip_sha256_stream(const void *gz, size_t len, char hex[65], uint64_t *inflated);

/* Inflates a whole gzip object as Python's zlib.decompress(data, 16 + MAX_WBITS) does
 * (how the AWS CLI reads digests): the first member must be complete, bytes after it are
 * ignored. Returns malloc'd bytes (caller frees; NUL-terminated beyond *n) or NULL. */
unsigned char *loghash_gunzip_alloc(const void *gz, size_t len, size_t *n);

#endif
