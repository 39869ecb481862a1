/* fuzz_form: form bodies and query strings (form_parse, http_request_parse_query,
 * url_decode_alloc, url_encode), which every Query request and every SigV4 canonical
 * query goes through.
 *
 * Properties: decoding never grows the text; encoding then decoding gives the text back;
 * an encoded text only holds unreserved characters and %XX; every parsed parameter is
 * found again by http_query_get. */
#include <ctype.h>

#include "fuzz_common.h"

static void check_encoded(const buf *b, int keep_slash)
{
    for (size_t i = 0; i < b->len; i++) {
        unsigned char c = (unsigned char)b->data[i];
        if (c == '%') {
            if (i + 2 >= b->len) abort();
            if (!isxdigit((unsigned char)b->data[i + 1]) ||
                !isxdigit((unsigned char)b->data[i + 2]))
                abort();
            i += 2;
        } else if (!(isalnum(c) || strchr("-_.~", c) || (keep_slash && c == '/'))) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;

    http_param *params = NULL;
    size_t np = form_parse(s, size, &params);
    for (size_t i = 0; i < np; i++)
        if (!params[i].key || !params[i].raw_key || (!params[i].value) != (!params[i].raw_value))
            abort();
    params_free(params, np);

    for (int plus = 0; plus < 2; plus++) {
        char *dec = url_decode_alloc(s, size, plus);
        if (strlen(dec) > size) abort();
        free(dec);
    }

    /* Round trip on the text up to its first NUL (decoding yields a C string). */
    size_t tl = strnlen(s, size);
    for (int keep = 0; keep < 2; keep++) {
        buf enc = BUF_INIT;
        url_encode(&enc, s, tl, keep);
        check_encoded(&enc, keep);
        char *back = url_decode_alloc(enc.data ? enc.data : "", enc.len, 0);
        if (strlen(back) != tl || memcmp(back, s, tl)) abort();
        free(back);
        buf_free(&enc);
    }

    http_request r;
    http_request_init(&r);
    r.raw_query = fuzz_strndup(data, size);
    http_request_parse_query(&r);
    for (size_t i = 0; i < r.n_params; i++) {
        int present = 0;
        const char *v = http_query_get(&r, r.params[i].key, &present);
        if (!present || !v) abort();
    }
    http_request_free(&r);
    return 0;
}
