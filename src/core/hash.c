#include "core/hash.h"

#include <libdeflate.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* OpenSSL 3's one-shot SHA256() looks the algorithm up by name on every call, which costs
 * twice the hashing of a SigV4 canonical request; it is fetched once instead. Set once,
 * then only read (immutable process-wide state). */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (!sha256_md) abort();
}

void hash_sha256(const void *p, size_t n, unsigned char out[SHA256_LEN])
{
    pthread_once(&sha256_once, sha256_fetch);
    unsigned int len = 0;
    if (!EVP_Digest(p, n, out, &len, sha256_md, NULL)) abort();
}

void hash_sha256_hex(const void *p, size_t n, char out[65])
{
    unsigned char d[SHA256_LEN];
    hash_sha256(p, n, d);
    hex_encode(d, SHA256_LEN, out);
}

void hash_md5(const void *p, size_t n, unsigned char out[MD5_LEN])
{
    unsigned int len = 0;
    EVP_Digest(p, n, out, &len, EVP_md5(), NULL);
}

/* HMAC (RFC 2104) over the fetched SHA-256: OpenSSL 3's HMAC() fetches both the MAC and
 * the digest by name on every call, four times the cost of the two hashes of a SigV4
 * signature. Pinned by RFC 4231's vectors in tests/unit/test_hash.c. */
void hash_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t n,
                      unsigned char out[SHA256_LEN])
{
    pthread_once(&sha256_once, sha256_fetch);
    enum { BLOCK = 64 };
    unsigned char k[BLOCK] = {0}, pad[BLOCK], inner[SHA256_LEN];
    if (keylen > BLOCK)
        hash_sha256(key, keylen, k);
    else if (keylen)
        memcpy(k, key, keylen);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (!c) abort();
    unsigned int len = 0;
    for (int i = 0; i < BLOCK; i++)
        pad[i] = k[i] ^ 0x36;
    if (!EVP_DigestInit_ex(c, sha256_md, NULL) || !EVP_DigestUpdate(c, pad, BLOCK) ||
        !EVP_DigestUpdate(c, msg, n) || !EVP_DigestFinal_ex(c, inner, &len))
        abort();
    for (int i = 0; i < BLOCK; i++)
        pad[i] = k[i] ^ 0x5c;
    if (!EVP_DigestInit_ex(c, sha256_md, NULL) || !EVP_DigestUpdate(c, pad, BLOCK) ||
        !EVP_DigestUpdate(c, inner, SHA256_LEN) || !EVP_DigestFinal_ex(c, out, &len))
        abort();
    EVP_MD_CTX_free(c);
    explicit_bzero(k, sizeof k);
    explicit_bzero(pad, sizeof pad);
}

void hex_encode(const unsigned char *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

long hex_decode(const char *s, size_t len, unsigned char *out, size_t outsz)
{
    if (len % 2 || len / 2 > outsz) return -1;
    for (size_t i = 0; i < len / 2; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0) return -1;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return (long)(len / 2);
}

bool hash_equal(const void *a, const void *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}

char *base64_encode_alloc(const void *p, size_t n)
{
    size_t outlen = 4 * ((n + 2) / 3) + 1;
    char *out = malloc(outlen);
    if (!out) abort();
    EVP_EncodeBlock((unsigned char *)out, p, (int)n);
    return out;
}

static int b64val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

unsigned char *base64_decode_alloc(const char *s, size_t len, size_t *outlen)
{
    if (len % 4) return NULL;
    unsigned char *out = malloc(len / 4 * 3 + 1);
    if (!out) abort();
    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            unsigned char c = (unsigned char)s[i + k];
            if (c == '=' && i + 4 == len && k >= 2) {
                v[k] = 0;
                pad++;
            } else if (pad || (v[k] = b64val(c)) < 0) {
                free(out);
                return NULL;
            }
        }
        uint32_t w =
            (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        out[o++] = (unsigned char)(w >> 16);
        if (pad < 2) out[o++] = (unsigned char)(w >> 8);
        if (pad < 1) out[o++] = (unsigned char)w;
    }
    *outlen = o;
    return out;
}

uint32_t hash_crc32(uint32_t crc, const void *p, size_t n)
{
    return libdeflate_crc32(crc, p, n);
}
