/* hash: digests, HMAC and the encodings around them (OpenSSL underneath). */
#ifndef ORGTRAIL_HASH_H
#define ORGTRAIL_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32
#define MD5_LEN 16

void hash_sha256(const void *p, size_t n, unsigned char out[SHA256_LEN]);
/* Lowercase hex of SHA-256; out must hold 65. */
void hash_sha256_hex(const void *p, size_t n, char out[65]);
void hash_md5(const void *p, size_t n, unsigned char out[MD5_LEN]);
void hash_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t n,
                      unsigned char out[SHA256_LEN]);
/* Lowercase hex; out must hold 2n + 1. */
void hex_encode(const unsigned char *p, size_t n, char *out);
/* Returns the number of bytes decoded, or -1 on bad input or overflow of outsz. */
long hex_decode(const char *s, size_t len, unsigned char *out, size_t outsz);
/* Constant-time equality of two equal-length byte strings. */
bool hash_equal(const void *a, const void *b, size_t n);
/* Base64 (standard alphabet, padded). encode returns malloc'd text (caller frees). */
char *base64_encode_alloc(const void *p, size_t n);
/* Decodes strict padded base64 into malloc'd bytes (caller frees); NULL when invalid. */
unsigned char *base64_decode_alloc(const char *s, size_t len, size_t *outlen);
uint32_t hash_crc32(uint32_t crc, const void *p, size_t n);

#endif
