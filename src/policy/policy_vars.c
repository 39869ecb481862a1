#include "policy/policy_vars.h"

#include <string.h>
#include <strings.h>

bool policy_has_variables(const char *src)
{
    return strstr(src, "${") != NULL;
}

/* ASCII lower case: action names are ASCII, and tolower() goes through the locale for
 * every character of the hottest loop of policy evaluation. */
static inline char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c;
}

bool policy_wildcard_lit(const char *p, const bool *lit, const char *s, bool ic)
{
    const char *p0 = p, *star_p = NULL, *star_s = NULL;
#define LIT(q) (lit && lit[(q)-p0])
    while (*s) {
        char pc = ic ? lower(*p) : *p;
        char sc = ic ? lower(*s) : *s;
        if (*p == '*' && !LIT(p)) {
            star_p = ++p;
            star_s = s;
        } else if (*p && ((*p == '?' && !LIT(p)) || pc == sc)) {
            p++;
            s++;
        } else if (star_p) {
            p = star_p;
            s = ++star_s;
        } else {
            return false;
        }
    }
    while (*p == '*' && !LIT(p))
        p++;
#undef LIT
    return *p == '\0';
}

/* The one value of key in the context: 1 found (*value set), 0 absent or multivalued. */
static int single_value(const char *const *context, const char *key, size_t keylen,
                        const char **value)
{
    int n = 0;
    for (const char *const *c = context; c && c[0]; c += 2)
        if (strlen(c[0]) == keylen && !strncasecmp(c[0], key, keylen)) {
            *value = c[1];
            n++;
        }
    return n == 1;
}

static bool put(policy_text *out, size_t *len, char ch, bool lit)
{
    if (*len + 1 >= POLICY_TEXT_MAX) return false;
    out->s[*len] = ch;
    out->lit[*len] = lit;
    (*len)++;
    return true;
}

static const char *skip_spaces(const char *p, const char *end)
{
    while (p < end && *p == ' ')
        p++;
    return p;
}

/* Expands the variable whose text (between "${" and "}") is [p, end). */
static bool expand_one(const char *p, const char *end, const char *const *context, policy_text *out,
                       size_t *len)
{
    p = skip_spaces(p, end);
    const char *e = end;
    while (e > p && e[-1] == ' ')
        e--;
    if (e - p == 1 && (*p == '*' || *p == '?' || *p == '$')) return put(out, len, *p, true);
    const char *comma = memchr(p, ',', (size_t)(e - p));
    const char *key_end = comma ? comma : e;
    while (key_end > p && key_end[-1] == ' ')
        key_end--;
    if (key_end == p || memchr(p, ' ', (size_t)(key_end - p))) return false;
    const char *value;
    if (single_value(context, p, (size_t)(key_end - p), &value)) {
        for (const char *v = value; *v; v++)
            if (!put(out, len, *v, true)) return false;
        return true;
    }
    if (!comma) return false;
    /* The default: one single-quoted string, '' standing for a quote. */
    const char *d = skip_spaces(comma + 1, e);
    if (d >= e || *d != '\'' || e - d < 2 || e[-1] != '\'') return false;
    for (const char *q = d + 1; q < e - 1; q++) {
        if (*q == '\'') {
            if (q + 1 >= e - 1 || q[1] != '\'') return false;
            q++;
        }
        if (!put(out, len, *q, true)) return false;
    }
    return true;
}

bool policy_expand(const char *src, const char *const *context, policy_text *out)
{
    size_t len = 0;
    for (const char *p = src; *p;) {
        if (p[0] != '$' || p[1] != '{') {
            if (!put(out, &len, *p++, false)) return false;
            continue;
        }
        /* The closing brace, not counting braces inside a quoted default. */
        const char *q = p + 2;
        bool quoted = false;
        while (*q && (quoted || *q != '}')) {
            if (*q == '\'') quoted = !quoted;
            q++;
        }
        if (!*q || !expand_one(p + 2, q, context, out, &len)) return false;
        p = q + 1;
    }
    out->s[len] = '\0';
    return true;
}
