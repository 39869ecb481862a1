#include "core/checksum.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"

enum { ALG_CRC32, ALG_CRC32C, ALG_CRC64NVME, ALG_SHA1, ALG_SHA256 };
static const char *const ALG_NAMES[] = {"crc32", "crc32c", "crc64nvme", "sha1", "sha256"};

uint32_t crc32c_update(uint32_t crc, const void *p, size_t n)
{
    const unsigned char *b = p;
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= b[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
    }
    return ~crc;
}

uint64_t crc64nvme_update(uint64_t crc, const void *p, size_t n)
{
    const unsigned char *b = p;
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= b[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0x9A6C9329AC4BC9B5ull & (0ull - (crc & 1ull)));
    }
    return ~crc;
}

int checksum_init(checksum_ctx *c, const char *alg)
{
    memset(c, 0, sizeof *c);
    c->alg = -1;
    for (int i = 0; i < (int)(sizeof ALG_NAMES / sizeof *ALG_NAMES); i++)
        if (!strcmp(alg, ALG_NAMES[i])) c->alg = i;
    if (c->alg < 0) return -1;
    if (c->alg == ALG_SHA1 || c->alg == ALG_SHA256) {
        c->md = EVP_MD_CTX_new();
        if (!c->md) abort();
        EVP_DigestInit_ex(c->md, c->alg == ALG_SHA1 ? EVP_sha1() : EVP_sha256(), NULL);
    }
    return 0;
}

void checksum_update(checksum_ctx *c, const void *p, size_t n)
{
    switch (c->alg) {
    case ALG_CRC32:
        c->crc = hash_crc32((uint32_t)c->crc, p, n);
        break;
    case ALG_CRC32C:
        c->crc = crc32c_update((uint32_t)c->crc, p, n);
        break;
    case ALG_CRC64NVME:
        c->crc = crc64nvme_update(c->crc, p, n);
        break;
    case ALG_SHA1:
    case ALG_SHA256:
        EVP_DigestUpdate(c->md, p, n);
        break;
    default:
        break;
    }
}

void checksum_final(checksum_ctx *c, char *out)
{
    unsigned char raw[64];
    unsigned int len = 0;
    switch (c->alg) {
    case ALG_CRC32:
    case ALG_CRC32C:
        for (int i = 0; i < 4; i++)
            raw[i] = (unsigned char)(c->crc >> (24 - 8 * i));
        len = 4;
        break;
    case ALG_CRC64NVME:
        for (int i = 0; i < 8; i++)
            raw[i] = (unsigned char)(c->crc >> (56 - 8 * i));
        len = 8;
        break;
    case ALG_SHA1:
    case ALG_SHA256:
        EVP_DigestFinal_ex(c->md, raw, &len);
        EVP_MD_CTX_free(c->md);
        c->md = NULL;
        break;
    default:
        out[0] = '\0';
        return;
    }
    char *b64 = base64_encode_alloc(raw, len);
    strcpy(out, b64);
    free(b64);
}

int checksum_compute(const char *alg, const void *p, size_t n, char *out)
{
    checksum_ctx c;
    if (checksum_init(&c, alg)) return -1;
    checksum_update(&c, p, n);
    checksum_final(&c, out);
    return 0;
}
