/* deflate: the one fast compressor every writer of deflate streams shares: ISA-L's igzip
 * at level 1 (AVX-512 kernels where the CPU has them), ~3x libdeflate's level 1 on
 * CloudTrail records for ~8% larger output (measured in delivery/logfile.c). Raw deflate
 * (the log store's chunks) or gzip with a header of mtime 0 and the CRC-32/ISIZE trailer
 * (delivered log files). Inflate with libdeflate, which every reader here already does. */
#ifndef ORGTRAIL_DEFLATE_H
#define ORGTRAIL_DEFLATE_H

#include <stdbool.h>
#include <stddef.h>

/* An output capacity that always suffices for len input bytes (stored blocks and a gzip
 * header and trailer included). */
size_t deflate_bound(size_t len);

/* Compresses in[0..len) into out (cap bytes, at least deflate_bound(len)); gzip selects
 * the gzip wrapper, else raw deflate. Returns 0 with *out_len set, or -1 (igzip refused:
 * the caller falls back or stores the input as is). */
int deflate_fast(const void *in, size_t len, bool gzip, unsigned char *out, size_t cap,
                 size_t *out_len);

#endif
