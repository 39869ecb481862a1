#include "svc/s3_conditional.h"

#include <string.h>

/* The opaque part of an entity tag: without a weak prefix, quotes and surrounding blanks. */
static void opaque(const char *s, size_t n, const char **out, size_t *out_n)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n >= 2 && s[0] == 'W' && s[1] == '/') s += 2, n -= 2;
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') s++, n -= 2;
    *out = s;
    *out_n = n;
}

bool s3_etag_listed(const char *list, const char *etag)
{
    const char *want;
    size_t want_n;
    opaque(etag, strlen(etag), &want, &want_n);
    for (const char *p = list; *p;) {
        size_t k = strcspn(p, ",");
        const char *tag;
        size_t tag_n;
        opaque(p, k, &tag, &tag_n);
        if ((tag_n == 1 && tag[0] == '*') || (tag_n == want_n && !memcmp(tag, want, want_n)))
            return true;
        p += k;
        if (*p == ',') p++;
    }
    return false;
}

s3_cond_result s3_conditions_eval(const s3_conditions *c, const char *etag,
                                  int64_t last_modified_ms, const char **failed)
{
    int64_t modified_s = last_modified_ms / 1000;
    *failed = NULL;
    if (c->if_match) {
        if (!s3_etag_listed(c->if_match, etag)) {
            *failed = "If-Match";
            return S3_COND_FAILED;
        }
    } else if (c->has_unmodified_since && modified_s > c->unmodified_since_s) {
        *failed = "If-Unmodified-Since";
        return S3_COND_FAILED;
    }
    if (c->if_none_match) {
        if (s3_etag_listed(c->if_none_match, etag)) return S3_COND_NOT_MODIFIED;
    } else if (c->has_modified_since && modified_s <= c->modified_since_s) {
        return S3_COND_NOT_MODIFIED;
    }
    return S3_COND_PASS;
}
