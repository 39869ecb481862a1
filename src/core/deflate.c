#include "core/deflate.h"

#include <isa-l/igzip_lib.h>
#include <libdeflate.h>
#include <stdint.h>
#include <stdlib.h>

#define DEFLATE_IGZIP_LEVEL 1

size_t deflate_bound(size_t len)
{
    /* libdeflate's bound (over any of its compressors) also covers igzip's stored-block
     * worst case plus its header. */
    return libdeflate_gzip_compress_bound(NULL, len) + ISAL_DEF_MAX_HDR_SIZE;
}

int deflate_fast(const void *in, size_t len, bool gzip, unsigned char *out, size_t cap,
                 size_t *out_len)
{
    if (len > UINT32_MAX || cap > UINT32_MAX) return -1;
    unsigned char *level_buf = malloc(ISAL_DEF_LVL1_DEFAULT);
    if (!level_buf) abort();
    struct isal_zstream z;
    isal_deflate_stateless_init(&z);
    z.level = DEFLATE_IGZIP_LEVEL;
    z.level_buf = level_buf;
    z.level_buf_size = ISAL_DEF_LVL1_DEFAULT;
    z.gzip_flag = gzip ? IGZIP_GZIP : IGZIP_DEFLATE;
    z.end_of_stream = 1;
    z.flush = NO_FLUSH;
    z.next_in = (uint8_t *)in;
    z.avail_in = (uint32_t)len;
    z.next_out = out;
    z.avail_out = (uint32_t)cap;
    int rc = isal_deflate_stateless(&z);
    free(level_buf);
    if (rc != COMP_OK) return -1;
    *out_len = z.total_out;
    return 0;
}
