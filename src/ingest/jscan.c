#include "ingest/jscan.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

typedef struct key {
    const char *p; /* raw text between the quotes */
    size_t n;
    bool escaped;
} key;

typedef struct scanner {
    const char *p, *end, *start;
    char *err;
    size_t errlen;
    key *keys; /* stack of the keys of the open objects */
    size_t n_keys, cap_keys;
    key inline_keys[64];
    int depth;
} scanner;

static int fail(scanner *s, const char *why)
{
    if (s->err && s->errlen)
        snprintf(s->err, s->errlen, "%s at byte %zu", why, (size_t)(s->p - s->start));
    return -1;
}

static void ws(scanner *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

static int hex4(const char *p, uint32_t *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        *v <<= 4;
        if (c >= '0' && c <= '9')
            *v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            *v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            *v |= (uint32_t)(c - 'A' + 10);
        else
            return -1;
    }
    return 0;
}

/* Length of the valid UTF-8 sequence at p (lead byte >= 0x80), or 0. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    size_t n;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, cp = c & 0x07;
    else
        return 0;
    if ((size_t)(end - p) < n) return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        cp = cp << 6 | (p[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* Whether any of the 8 bytes at p ends a plain-ASCII run: a control character, '"', '\\'
 * or a byte >= 0x80 (SWAR: the classic has-zero-byte test on x, x ^ '"' and x ^ '\\';
 * "less than 0x20" is has-less). Strings are most of a record's bytes. */
static inline bool special8(const char *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    uint64_t quote = x ^ (ones * '"'), bslash = x ^ (ones * '\\');
    uint64_t t = (x - ones * 0x20) | (quote - ones) | (bslash - ones);
    /* a byte >= 0x80 in x sets its high bit; in the others only a match (or a borrow
     * after one) does: no false negatives, and false positives fall to the byte loop */
    return ((t & ~x) | x) & highs;
}

/* At the opening quote; leaves p after the closing one. */
static int string(scanner *s, bool *escaped)
{
    s->p++;
    *escaped = false;
    for (;;) {
        /* the common case: a run of plain ASCII, eight bytes at a time while there are */
        while (s->end - s->p >= 8 && !special8(s->p))
            s->p += 8;
        while (s->p < s->end && (unsigned char)*s->p >= 0x20 && *s->p != '"' && *s->p != '\\' &&
               (unsigned char)*s->p < 0x80)
            s->p++;
        if (s->p >= s->end) return fail(s, "unterminated string");
        unsigned char c = (unsigned char)*s->p;
        if (c == '"') {
            s->p++;
            return 0;
        }
        if (c < 0x20) return fail(s, "control character in a string");
        if (c >= 0x80) {
            size_t n = utf8_len((const unsigned char *)s->p, (const unsigned char *)s->end);
            if (!n) return fail(s, "invalid UTF-8");
            s->p += n;
            continue;
        }
        /* backslash */
        *escaped = true;
        if (s->end - s->p < 2) return fail(s, "unterminated string");
        char e = s->p[1];
        if (strchr("\"\\/bfnrt", e) && e) {
            s->p += 2;
            continue;
        }
        if (e != 'u') return fail(s, "invalid escape");
        uint32_t v;
        if (s->end - s->p < 6 || hex4(s->p + 2, &v)) return fail(s, "invalid \\u escape");
        s->p += 6;
        if (v == 0) return fail(s, "\\u0000 is not allowed");
        if (v >= 0xDC00 && v <= 0xDFFF) return fail(s, "unpaired surrogate escape");
        if (v >= 0xD800 && v <= 0xDBFF) {
            uint32_t lo;
            if (s->end - s->p < 6 || s->p[0] != '\\' || s->p[1] != 'u' || hex4(s->p + 2, &lo) ||
                lo < 0xDC00 || lo > 0xDFFF)
                return fail(s, "unpaired surrogate escape");
            s->p += 6;
        }
    }
}

static int number(scanner *s)
{
    const char *p = s->p;
    if (p < s->end && *p == '-') p++;
    if (p >= s->end) return fail(s, "invalid number");
    if (*p == '0') {
        p++;
    } else if (*p >= '1' && *p <= '9') {
        while (p < s->end && *p >= '0' && *p <= '9')
            p++;
    } else {
        return fail(s, "invalid number");
    }
    if (p < s->end && *p == '.') {
        p++;
        if (p >= s->end || *p < '0' || *p > '9') return fail(s, "invalid number");
        while (p < s->end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < s->end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < s->end && (*p == '+' || *p == '-')) p++;
        if (p >= s->end || *p < '0' || *p > '9') return fail(s, "invalid number");
        while (p < s->end && *p >= '0' && *p <= '9')
            p++;
    }
    /* jansson, which reads these records again downstream (delivery, orgtrail events),
     * refuses integers outside int64 and reals that overflow a double: so must we. */
    size_t n = (size_t)(p - s->p);
    bool integer = !memchr(s->p, '.', n) && !memchr(s->p, 'e', n) && !memchr(s->p, 'E', n);
    char small[64];
    char *copy = n < sizeof small ? small : malloc(n + 1);
    if (!copy) abort();
    memcpy(copy, s->p, n);
    copy[n] = '\0';
    errno = 0;
    bool range_error;
    if (integer) {
        (void)strtoll(copy, NULL, 10);
        range_error = errno == ERANGE;
    } else {
        double d = strtod(copy, NULL);
        range_error = errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL);
    }
    if (copy != small) free(copy);
    if (range_error) return fail(s, integer ? "integer out of range" : "real number overflow");
    s->p = p;
    return 0;
}

/* Decodes a key with escapes into a malloc'd buffer for comparison. */
static char *decode_alloc(const char *p, size_t n, size_t *out_n)
{
    /* Decoding never grows the text; the slack is what jscan_string wants free per step. */
    char *out = malloc(n + 5);
    if (!out) abort();
    jscan_member m = {NULL, JSCAN_STRING, p - 1, n + 2};
    long l = jscan_string(&m, out, n + 5);
    *out_n = l < 0 ? 0 : (size_t)l;
    return out;
}

static int key_cmp(const void *a, const void *b)
{
    const key *x = a, *y = b;
    if (x->n != y->n) return x->n < y->n ? -1 : 1;
    return memcmp(x->p, y->p, x->n);
}

/* FNV-1a: keys are short, and a slot collision only costs a memcmp. */
static uint32_t key_hash(const key *k)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < k->n; i++)
        h = (h ^ (unsigned char)k->p[i]) * 16777619u;
    return h;
}

#define DUP_SLOTS 128 /* a power of two, at least twice DUP_HASH_MAX */
#define DUP_HASH_MAX 64

/* The common case (records have 10 to 30 keys, none escaped): an open-addressing set on
 * the stack instead of a malloc'd copy and qsort (3.7% of bulk ingestion's CPU). */
static bool has_duplicate_small(const key *k, size_t n)
{
    unsigned char slot[DUP_SLOTS] = {0}; /* index + 1 of the key there, 0 when free */
    for (size_t i = 0; i < n; i++) {
        uint32_t h = key_hash(&k[i]) & (DUP_SLOTS - 1);
        while (slot[h]) {
            const key *o = &k[slot[h] - 1];
            if (o->n == k[i].n && !memcmp(o->p, k[i].p, o->n)) return true;
            h = (h + 1) & (DUP_SLOTS - 1);
        }
        slot[h] = (unsigned char)(i + 1);
    }
    return false;
}

/* Whether keys[from..n_keys) holds a duplicate. */
static bool has_duplicate(scanner *s, size_t from)
{
    size_t n = s->n_keys - from;
    key *k = s->keys + from;
    bool any_escaped = false;
    for (size_t i = 0; i < n; i++)
        any_escaped |= k[i].escaped;
    if (!any_escaped && n > 8 && n <= DUP_HASH_MAX) return has_duplicate_small(k, n);
    char **decoded = NULL;
    key *work = k;
    if (any_escaped || n > 8) {
        work = malloc(n * sizeof *work);
        if (!work) abort();
        memcpy(work, k, n * sizeof *work);
    }
    if (any_escaped) {
        decoded = calloc(n, sizeof *decoded);
        if (!decoded) abort();
        for (size_t i = 0; i < n; i++)
            if (work[i].escaped) {
                decoded[i] = decode_alloc(work[i].p, work[i].n, &work[i].n);
                work[i].p = decoded[i];
            }
    }
    bool dup = false;
    if (n <= 8) {
        for (size_t i = 0; i < n && !dup; i++)
            for (size_t j = 0; j < i && !dup; j++)
                dup = work[i].n == work[j].n && !memcmp(work[i].p, work[j].p, work[i].n);
    } else {
        qsort(work, n, sizeof *work, key_cmp);
        for (size_t i = 1; i < n && !dup; i++)
            dup = !key_cmp(&work[i - 1], &work[i]);
    }
    if (decoded) {
        for (size_t i = 0; i < n; i++)
            free(decoded[i]);
        free(decoded);
    }
    if (work != k) free(work);
    return dup;
}

static void push_key(scanner *s, key k)
{
    if (s->n_keys == s->cap_keys) {
        size_t cap = s->cap_keys * 2;
        key *nk = s->keys == s->inline_keys ? malloc(cap * sizeof *nk)
                                            : realloc(s->keys, cap * sizeof *nk);
        if (!nk) abort();
        if (s->keys == s->inline_keys) memcpy(nk, s->inline_keys, sizeof s->inline_keys);
        s->keys = nk;
        s->cap_keys = cap;
    }
    s->keys[s->n_keys++] = k;
}

static int value(scanner *s, jscan_member *want, size_t n_want);

static int object(scanner *s, jscan_member *want, size_t n_want)
{
    if (++s->depth > JSCAN_MAX_DEPTH) return fail(s, "nested too deeply");
    size_t first_key = s->n_keys;
    s->p++;
    ws(s);
    if (s->p < s->end && *s->p == '}') {
        s->p++;
        s->depth--;
        return 0;
    }
    for (;;) {
        if (s->p >= s->end || *s->p != '"') return fail(s, "expected a string key");
        const char *kstart = s->p + 1;
        bool escaped;
        if (string(s, &escaped)) return -1;
        key k = {kstart, (size_t)(s->p - 1 - kstart), escaped};
        push_key(s, k);
        ws(s);
        if (s->p >= s->end || *s->p != ':') return fail(s, "expected ':'");
        s->p++;
        ws(s);
        jscan_member *m = NULL;
        for (size_t i = 0; want && i < n_want && !escaped; i++)
            if (strlen(want[i].name) == k.n && !memcmp(want[i].name, k.p, k.n)) m = &want[i];
        const char *vstart = s->p;
        if (value(s, NULL, 0)) return -1;
        if (m) {
            switch (*vstart) {
            case '{':
                m->type = JSCAN_OBJECT;
                break;
            case '[':
                m->type = JSCAN_ARRAY;
                break;
            case '"':
                m->type = JSCAN_STRING;
                break;
            case 't':
                m->type = JSCAN_TRUE;
                break;
            case 'f':
                m->type = JSCAN_FALSE;
                break;
            case 'n':
                m->type = JSCAN_NULL;
                break;
            default:
                m->type = JSCAN_NUMBER;
                break;
            }
            m->start = vstart;
            m->len = (size_t)(s->p - vstart);
        }
        ws(s);
        if (s->p < s->end && *s->p == ',') {
            s->p++;
            ws(s);
            continue;
        }
        if (s->p < s->end && *s->p == '}') {
            s->p++;
            break;
        }
        return fail(s, "expected ',' or '}'");
    }
    if (has_duplicate(s, first_key)) return fail(s, "duplicate object key");
    s->n_keys = first_key;
    s->depth--;
    return 0;
}

static int array(scanner *s)
{
    if (++s->depth > JSCAN_MAX_DEPTH) return fail(s, "nested too deeply");
    s->p++;
    ws(s);
    if (s->p < s->end && *s->p == ']') {
        s->p++;
        s->depth--;
        return 0;
    }
    for (;;) {
        if (value(s, NULL, 0)) return -1;
        ws(s);
        if (s->p < s->end && *s->p == ',') {
            s->p++;
            ws(s);
            continue;
        }
        if (s->p < s->end && *s->p == ']') {
            s->p++;
            break;
        }
        return fail(s, "expected ',' or ']'");
    }
    s->depth--;
    return 0;
}

static int literal(scanner *s, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n)) return fail(s, "invalid literal");
    s->p += n;
    return 0;
}

static int value(scanner *s, jscan_member *want, size_t n_want)
{
    if (s->p >= s->end) return fail(s, "expected a value");
    bool escaped;
    switch (*s->p) {
    case '{':
        return object(s, want, n_want);
    case '[':
        return array(s);
    case '"':
        return string(s, &escaped);
    case 't':
        return literal(s, "true");
    case 'f':
        return literal(s, "false");
    case 'n':
        return literal(s, "null");
    default:
        return number(s);
    }
}

int jscan_object(const char *text, size_t len, jscan_member *want, size_t n_want, char *err,
                 size_t errlen)
{
    scanner s;
    memset(&s, 0, sizeof s);
    s.p = s.start = text;
    s.end = text + len;
    s.err = err;
    s.errlen = errlen;
    s.keys = s.inline_keys;
    s.cap_keys = sizeof s.inline_keys / sizeof *s.inline_keys;
    for (size_t i = 0; i < n_want; i++) {
        want[i].type = JSCAN_ABSENT;
        want[i].start = NULL;
        want[i].len = 0;
    }
    ws(&s);
    bool is_object = s.p < s.end && *s.p == '{';
    int rc = value(&s, is_object ? want : NULL, n_want);
    if (!rc) {
        ws(&s);
        if (s.p != s.end) rc = fail(&s, "text after the value");
    }
    if (s.keys != s.inline_keys) free(s.keys);
    if (rc) return -1;
    if (!is_object) {
        if (err && errlen) snprintf(err, errlen, "not a JSON object");
        return -2;
    }
    return 0;
}

/* ---- jscan_fields: skipping, not checking ---- */

/* After the opening quote; returns the byte after the closing one, or NULL. */
static const char *skip_string(const char *p, const char *end)
{
    while (p < end) {
        /* memchr-speed for the common case, then look at what stopped it */
        const char *q = memchr(p, '"', (size_t)(end - p));
        if (!q) return NULL;
        const char *bs = memchr(p, '\\', (size_t)(q - p));
        if (!bs) return q + 1;
        p = bs + 2; /* the escaped byte can be a quote */
    }
    return NULL;
}

/* At a value's first byte; returns the byte after it, or NULL. */
static const char *skip_value(const char *p, const char *end)
{
    if (*p == '"') return skip_string(p + 1, end);
    if (*p == '{' || *p == '[') {
        size_t depth = 0;
        while (p < end) {
            char c = *p++;
            if (c == '"') {
                if (!(p = skip_string(p, end))) return NULL;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if ((c == '}' || c == ']') && --depth == 0) {
                return p;
            }
        }
        return NULL;
    }
    /* a number or a literal: up to the next delimiter */
    const char *start = p;
    while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\t' &&
           *p != '\n' && *p != '\r')
        p++;
    return p > start ? p : NULL;
}

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

static jscan_type type_at(char c)
{
    switch (c) {
    case '{':
        return JSCAN_OBJECT;
    case '[':
        return JSCAN_ARRAY;
    case '"':
        return JSCAN_STRING;
    case 't':
        return JSCAN_TRUE;
    case 'f':
        return JSCAN_FALSE;
    case 'n':
        return JSCAN_NULL;
    default:
        return JSCAN_NUMBER;
    }
}

/* The wanted member a key (raw text between the quotes) names, or NULL. */
static jscan_member *wanted(const char *k, size_t n, jscan_member *want, size_t n_want)
{
    char decoded[128];
    if (memchr(k, '\\', n)) {
        /* Decoding never grows the text; longer keys name no member we look for. */
        if (n + 5 > sizeof decoded) return NULL;
        jscan_member m = {NULL, JSCAN_STRING, k - 1, n + 2};
        long l = jscan_string(&m, decoded, sizeof decoded);
        if (l < 0) return NULL;
        k = decoded;
        n = (size_t)l;
    }
    for (size_t i = 0; i < n_want; i++)
        if (strlen(want[i].name) == n && !memcmp(want[i].name, k, n)) return &want[i];
    return NULL;
}

int jscan_fields(const char *text, size_t len, jscan_member *want, size_t n_want)
{
    for (size_t i = 0; i < n_want; i++) {
        want[i].type = JSCAN_ABSENT;
        want[i].start = NULL;
        want[i].len = 0;
    }
    const char *p = text, *end = text + len;
    p = skip_ws(p, end);
    if (p >= end || *p != '{') return -1;
    p = skip_ws(p + 1, end);
    if (p < end && *p == '}') return 0;
    for (;;) {
        if (p >= end || *p != '"') return -1;
        const char *k = p + 1;
        if (!(p = skip_string(k, end))) return -1;
        size_t kn = (size_t)(p - 1 - k);
        p = skip_ws(p, end);
        if (p >= end || *p != ':') return -1;
        p = skip_ws(p + 1, end);
        if (p >= end) return -1;
        const char *v = p;
        if (!(p = skip_value(p, end))) return -1;
        jscan_member *m = wanted(k, kn, want, n_want);
        if (m) {
            m->type = type_at(*v);
            m->start = v;
            m->len = (size_t)(p - v);
        }
        p = skip_ws(p, end);
        if (p < end && *p == ',') {
            p = skip_ws(p + 1, end);
            continue;
        }
        if (p < end && *p == '}') return 0;
        return -1;
    }
}

long jscan_string(const jscan_member *m, char *out, size_t outsz)
{
    if (m->type != JSCAN_STRING || m->len < 2 || outsz == 0) return -1;
    const char *p = m->start + 1, *end = m->start + m->len - 1;
    size_t o = 0;
    while (p < end) {
        if (*p != '\\') {
            if (outsz - o < 2) return -1; /* the byte and the NUL */
            out[o++] = *p++;
            continue;
        }
        if (outsz - o < 5) return -1; /* the longest UTF-8 sequence and the NUL */
        char e = p[1];
        p += 2;
        switch (e) {
        case 'b':
            out[o++] = '\b';
            break;
        case 'f':
            out[o++] = '\f';
            break;
        case 'n':
            out[o++] = '\n';
            break;
        case 'r':
            out[o++] = '\r';
            break;
        case 't':
            out[o++] = '\t';
            break;
        case 'u': {
            /* Checked text never fails here; jscan_fields' unchecked text may, and must
             * not make us read past the string. */
            uint32_t v = 0, lo = 0;
            if (p > end || (size_t)(end - p) < 4 || hex4(p, &v)) return -1;
            p += 4;
            if (v >= 0xD800 && v <= 0xDBFF) {
                if ((size_t)(end - p) < 6 || p[0] != '\\' || p[1] != 'u' || hex4(p + 2, &lo) ||
                    lo < 0xDC00 || lo > 0xDFFF)
                    return -1;
                p += 6;
                v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
            } else if (v >= 0xDC00 && v <= 0xDFFF) {
                return -1;
            }
            utf8_put(out, &o, v);
            break;
        }
        default:
            out[o++] = e;
            break; /* " \ / */
        }
    }
    out[o] = '\0';
    return (long)o;
}
