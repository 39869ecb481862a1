/* checksum: the flexible checksums S3 clients send (x-amz-checksum-*), as base64 text.
 *
 * Algorithms by their header suffix: crc32, crc32c, crc64nvme, sha1, sha256. */
#ifndef ORGTRAIL_CHECKSUM_H
#define ORGTRAIL_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

typedef struct checksum_ctx {
    int alg; /* index into the algorithm table; -1 when unknown */
    uint64_t crc;
    void *md; /* EVP_MD_CTX for the SHA family */
} checksum_ctx;

/* Starts a running checksum for `alg` ("crc32", ...). Returns -1 for an unknown name. */
int checksum_init(checksum_ctx *c, const char *alg);
void checksum_update(checksum_ctx *c, const void *p, size_t n);
/* Writes the base64 checksum into out (>= 64 bytes) and releases the context. */
void checksum_final(checksum_ctx *c, char *out);
/* One-shot convenience. Returns -1 for an unknown algorithm. */
int checksum_compute(const char *alg, const void *p, size_t n, char *out);
uint32_t crc32c_update(uint32_t crc, const void *p, size_t n);
uint64_t crc64nvme_update(uint64_t crc, const void *p, size_t n);

#endif
