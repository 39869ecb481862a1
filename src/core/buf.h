/* buf: a growable byte buffer.
 *
 * A buf owns its bytes. buf_free releases them; buf_steal hands them to the caller
 * (who must free() them) and leaves the buf empty. The bytes are always followed by a
 * NUL so that text can be used as a C string, but the length is authoritative. Appends
 * abort on out-of-memory: every caller would otherwise have to unwind the same way. */
#ifndef ORGTRAIL_BUF_H
#define ORGTRAIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct buf {
    char *data;
    size_t len;
    size_t cap;
} buf;

#define BUF_INIT                                                                                   \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

void buf_reserve(buf *b, size_t extra);
void buf_append(buf *b, const void *p, size_t n);
void buf_puts(buf *b, const char *s);
void buf_putc(buf *b, char c);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Appends s with &, <, >, ", ' escaped for XML text and attribute values. */
void buf_put_xml_escaped(buf *b, const char *s, size_t n);
void buf_reset(buf *b);
void buf_free(buf *b);
/* Returns the bytes (caller frees) and empties the buf; never NULL. */
char *buf_steal(buf *b);
const char *buf_cstr(buf *b);

#endif
