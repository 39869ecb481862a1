#include "core/jsonutil.h"

#include "core/buf.h"

/* Length of the valid UTF-8 sequence at p (1-4), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    if (p[0] < 0x80) return 1;
    size_t len;
    unsigned cp;
    if ((p[0] & 0xE0) == 0xC0)
        len = 2, cp = p[0] & 0x1F;
    else if ((p[0] & 0xF0) == 0xE0)
        len = 3, cp = p[0] & 0x0F;
    else if ((p[0] & 0xF8) == 0xF0)
        len = 4, cp = p[0] & 0x07;
    else
        return 0;
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        cp = cp << 6 | (p[i] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

json_t *json_string_safe(const char *s, size_t n)
{
    json_t *j = json_stringn(s, n);
    if (j) return j;
    buf b = BUF_INIT;
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t k = utf8_seq(p + i, n - i);
        if (k && !(k == 1 && p[i] == 0)) {
            buf_append(&b, p + i, k);
            i += k;
        } else {
            buf_puts(&b, "\xEF\xBF\xBD");
            i++;
        }
    }
    j = json_stringn(b.data ? b.data : "", b.len);
    buf_free(&b);
    return j ? j : json_string("");
}
