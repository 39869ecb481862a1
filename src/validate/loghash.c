#include "validate/loghash.h"

#include <libdeflate.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/hash.h"
#include "core/xalloc.h"

/* Above this the fast path would need too much scratch memory per worker; such files are
 * far beyond what CloudTrail delivers, and stream through zlib instead. */
#define FAST_MAX_INFLATED ((size_t)256 << 20)

void loghash_scratch_init(loghash_scratch *s)
{
    memset(s, 0, sizeof s[0]);
    s->decompressor = libdeflate_alloc_decompressor();
    if (!s->decompressor) abort();
}

void loghash_scratch_free(loghash_scratch *s)
{
    libdeflate_free_decompressor(s->decompressor);
    free(s->out);
    memset(s, 0, sizeof s[0]);
}

static int fast(loghash_scratch *s, const unsigned char *gz, size_t len, char hex[65],
                uint64_t *inflated)
{
    if (len < 18) return -1;
    /* libdeflate skips a header CRC (FHCRC) without checking it; zlib refuses a wrong one
     * ("header crc mismatch"). CloudTrail never writes one: such a file takes zlib's way. */
    if (gz[3] & 0x02) return -1;
    size_t isize = (size_t)gz[len - 4] | (size_t)gz[len - 3] << 8 | (size_t)gz[len - 2] << 16 |
                   (size_t)gz[len - 1] << 24;
    if (isize > FAST_MAX_INFLATED) return -1;
    if (isize + 1 > s->cap) {
        size_t cap = isize + 1 > 1 << 20 ? isize + 1 : 1 << 20;
        unsigned char *p = realloc(s->out, cap);
        if (!p) return -1;
        s->out = p;
        s->cap = cap;
    }
    size_t in_used = 0, out_len = 0;
    enum libdeflate_result r =
        libdeflate_gzip_decompress_ex(s->decompressor, gz, len, s->out, s->cap, &in_used, &out_len);
    /* Only a single complete member of the announced size is taken here: trailing bytes,
     * other members or a mismatching ISIZE go the exact (zlib) way. */
    if (r != LIBDEFLATE_SUCCESS || in_used != len || out_len != isize) return -1;
    hash_sha256_hex(s->out, out_len, hex);
    *inflated = out_len;
    return 0;
}

int loghash_gzip_sha256_stream(const void *gzp, size_t len, char hex[65], uint64_t *inflated)
{
    const unsigned char *gz = gzp;
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return -1;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) abort();
    unsigned char out[65536];
    uint64_t total = 0;
    int rc = 0;
    /* zlib takes at most UINT_MAX per call. */
    size_t off = 0;
    for (;;) {
        if (z.avail_in == 0 && off < len) {
            size_t chunk = len - off > (1u << 30) ? (1u << 30) : len - off;
            z.next_in = (unsigned char *)gz + off;
            z.avail_in = (uInt)chunk;
            off += chunk;
        }
        z.next_out = out;
        z.avail_out = sizeof out;
        int zr = inflate(&z, Z_NO_FLUSH);
        size_t got = sizeof out - z.avail_out;
        EVP_DigestUpdate(md, out, got);
        total += got;
        if (zr == Z_STREAM_END) break;
        if (zr == Z_BUF_ERROR || (zr == Z_OK && z.avail_in == 0 && off >= len && got == 0)) {
            /* The input ended before the member did: Python's decompressobj just stops. */
            if (z.avail_in == 0 && off >= len) break;
        }
        if (zr != Z_OK && zr != Z_BUF_ERROR) {
            rc = -1;
            break;
        }
    }
    inflateEnd(&z);
    unsigned char d[SHA256_LEN];
    unsigned int dl = 0;
    EVP_DigestFinal_ex(md, d, &dl);
    EVP_MD_CTX_free(md);
    if (rc) return -1;
    hex_encode(d, SHA256_LEN, hex);
    *inflated = total;
    return 0;
}

int loghash_gzip_sha256(loghash_scratch *s, const void *gz, size_t len, char hex[65],
                        uint64_t *inflated)
{
    if (fast(s, gz, len, hex, inflated) == 0) return 0;
    return loghash_gzip_sha256_stream(gz, len, hex, inflated);
}

unsigned char *loghash_gunzip_alloc(const void *gz, size_t len, size_t *n)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return NULL;
    size_t cap = len * 4 + 1024, used = 0;
    unsigned char *out = malloc(cap + 1);
    if (!out) abort();
    z.next_in = (unsigned char *)gz;
    z.avail_in = len > UINT32_MAX ? UINT32_MAX : (uInt)len;
    int zr;
    for (;;) {
        if (cap - used < 65536) {
            size_t alloc = cap + 1; /* one byte beyond cap for the terminating NUL */
            out = xgrow(out, &alloc, alloc + 1, 1);
            cap = alloc - 1;
        }
        z.next_out = out + used;
        z.avail_out = (uInt)(cap - used);
        zr = inflate(&z, Z_NO_FLUSH);
        used = cap - z.avail_out;
        if (zr == Z_STREAM_END) break;
        if (zr != Z_OK) break; /* Z_BUF_ERROR: the input ended early ("truncated") */
    }
    inflateEnd(&z);
    if (zr != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    out[used] = 0;
    *n = used;
    return out;
}
