/* utf8: encoding one code point, for the JSON readers that undo \u escapes (ingest/jscan,
 * filter/fp_json). The caller has checked cp (at most U+10FFFF, no surrogate). */
#ifndef ORGTRAIL_UTF8_H
#define ORGTRAIL_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Writes cp's one to four bytes at out + *o and advances *o past them. */
void utf8_put(char *out, size_t *o, uint32_t cp);

#endif
