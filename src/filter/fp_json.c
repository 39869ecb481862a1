/* fp_json: one validating pass over an event's JSON into a flat token array. */
#include "filter/fp_json.h"

#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "core/xalloc.h"

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

typedef struct scanner {
    const char *s;
    size_t len, i;
    fp_json_doc *doc;
} scanner;

static uint32_t push_tok(scanner *sc, fp_json_type type, size_t start)
{
    fp_json_doc *d = sc->doc;
    if (d->n == d->cap) {
        size_t cap = d->cap;
        d->toks = xgrow(d->toks, &cap, (size_t)d->n + 1, sizeof *d->toks);
        d->cap = (uint32_t)cap;
    }
    uint32_t idx = d->n++;
    d->toks[idx] = (fp_json_tok){.start = (uint32_t)start, .type = (uint8_t)type};
    return idx;
}

static void skip_ws(scanner *sc)
{
    while (sc->i < sc->len && is_ws(sc->s[sc->i]))
        sc->i++;
}

/* A string starting at the quote at sc->i. */
static int scan_string(scanner *sc)
{
    size_t start = ++sc->i;
    bool escaped = false;
    while (sc->i < sc->len) {
        unsigned char c = (unsigned char)sc->s[sc->i];
        if (c == '"') {
            uint32_t t = push_tok(sc, FPJ_STRING, start);
            sc->doc->toks[t].len = (uint32_t)(sc->i - start);
            sc->doc->toks[t].escaped = escaped;
            sc->doc->toks[t].next = t + 1;
            sc->i++;
            return 0;
        }
        if (c < 0x20) return -1;
        if (c == '\\') {
            escaped = true;
            if (++sc->i >= sc->len) return -1;
            char e = sc->s[sc->i];
            if (e == 'u') {
                if (sc->i + 4 >= sc->len) return -1;
                for (int k = 1; k <= 4; k++)
                    if (hex_value(sc->s[sc->i + k]) < 0) return -1;
                sc->i += 4;
            } else if (!strchr("\"\\/bfnrt", e) || e == 0) {
                return -1;
            }
        }
        sc->i++;
    }
    return -1;
}

static int scan_number(scanner *sc)
{
    size_t start = sc->i, i = sc->i;
    const char *s = sc->s;
    if (i < sc->len && s[i] == '-') i++;
    if (i >= sc->len || !is_digit(s[i])) return -1;
    if (s[i] == '0')
        i++;
    else
        while (i < sc->len && is_digit(s[i]))
            i++;
    if (i < sc->len && s[i] == '.') {
        if (++i >= sc->len || !is_digit(s[i])) return -1;
        while (i < sc->len && is_digit(s[i]))
            i++;
    }
    if (i < sc->len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < sc->len && (s[i] == '+' || s[i] == '-')) i++;
        if (i >= sc->len || !is_digit(s[i])) return -1;
        while (i < sc->len && is_digit(s[i]))
            i++;
    }
    uint32_t t = push_tok(sc, FPJ_NUMBER, start);
    sc->doc->toks[t].len = (uint32_t)(i - start);
    sc->doc->toks[t].next = t + 1;
    sc->i = i;
    return 0;
}

static int scan_word(scanner *sc, const char *word, fp_json_type type)
{
    size_t n = strlen(word);
    if (sc->len - sc->i < n || memcmp(sc->s + sc->i, word, n) != 0) return -1;
    uint32_t t = push_tok(sc, type, sc->i);
    sc->doc->toks[t].len = (uint32_t)n;
    sc->doc->toks[t].next = t + 1;
    sc->i += n;
    return 0;
}

/* One scalar at sc->i, or the opening of a container (left open on the stack). */
static int scan_value(scanner *sc, uint32_t *stack, int *depth)
{
    if (sc->i >= sc->len) return -1;
    char c = sc->s[sc->i];
    if (c == '{' || c == '[') {
        if (*depth >= FP_JSON_DEPTH) return -1;
        stack[(*depth)++] = push_tok(sc, c == '{' ? FPJ_OBJECT : FPJ_ARRAY, sc->i);
        sc->i++;
        return 0;
    }
    if (c == '"') return scan_string(sc);
    if (c == 't') return scan_word(sc, "true", FPJ_TRUE);
    if (c == 'f') return scan_word(sc, "false", FPJ_FALSE);
    if (c == 'n') return scan_word(sc, "null", FPJ_NULL);
    return scan_number(sc);
}

static void close_container(scanner *sc, uint32_t *stack, int *depth)
{
    uint32_t t = stack[--(*depth)];
    sc->doc->toks[t].next = sc->doc->n;
    sc->doc->toks[t].len = (uint32_t)(sc->i + 1 - sc->doc->toks[t].start);
    sc->i++;
}

/* The grammar as a loop over the open containers: after a value, expect ',' or the
 * close of the innermost container; inside an object every value is preceded by a key
 * and ':'. */
static int scan_document(scanner *sc)
{
    uint32_t stack[FP_JSON_DEPTH];
    int depth = 0;
    skip_ws(sc);
    if (sc->i >= sc->len || (sc->s[sc->i] != '{' && sc->s[sc->i] != '[')) return -1;
    if (scan_value(sc, stack, &depth)) return -1;
    bool first = true; /* just after an opening bracket */
    while (depth > 0) {
        skip_ws(sc);
        if (sc->i >= sc->len) return -1;
        fp_json_type in = (fp_json_type)sc->doc->toks[stack[depth - 1]].type;
        char c = sc->s[sc->i];
        if ((in == FPJ_OBJECT && c == '}') || (in == FPJ_ARRAY && c == ']')) {
            close_container(sc, stack, &depth);
            first = false;
            continue;
        }
        if (!first) {
            if (c != ',') return -1;
            sc->i++;
            skip_ws(sc);
        }
        if (in == FPJ_OBJECT) {
            if (sc->i >= sc->len || sc->s[sc->i] != '"' || scan_string(sc)) return -1;
            skip_ws(sc);
            if (sc->i >= sc->len || sc->s[sc->i] != ':') return -1;
            sc->i++;
            skip_ws(sc);
        }
        int before = depth;
        if (scan_value(sc, stack, &depth)) return -1;
        first = depth > before;
    }
    skip_ws(sc);
    return sc->i == sc->len ? 0 : -1;
}

int fp_json_parse(fp_json_doc *doc, const char *text, size_t len)
{
    doc->text = text;
    doc->n = 0;
    if (len >= UINT32_MAX) return -1;
    scanner sc = {.s = text, .len = len, .i = 0, .doc = doc};
    if (scan_document(&sc)) {
        doc->n = 0;
        return -1;
    }
    return 0;
}

void fp_json_release(fp_json_doc *doc)
{
    free(doc->toks);
    doc->toks = NULL;
    doc->n = doc->cap = 0;
}

void fp_text_free(fp_text *t)
{
    free(t->p);
    t->p = NULL;
    t->cap = 0;
}

static uint32_t hex4(const char *p)
{
    uint32_t v = 0;
    for (int k = 0; k < 4; k++)
        v = v * 16 + (uint32_t)hex_value(p[k]);
    return v;
}

/* The string's content with its escapes undone (validated by the scan, so every escape
 * is complete). A lone surrogate becomes U+FFFD. */
static size_t unescape(const char *s, size_t n, char *out)
{
    /* \" \\ \/ stand for themselves; b f n r t for their control characters. */
    static const char from[] = "bfnrt", to[] = "\b\f\n\r\t";
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\') {
            out[o++] = s[i];
            continue;
        }
        char e = s[++i];
        if (e != 'u') {
            const char *k = strchr(from, e);
            out[o++] = k ? to[k - from] : e;
            continue;
        }
        uint32_t cp = hex4(s + i + 1);
        i += 4;
        if (cp >= 0xD800 && cp < 0xDC00 && i + 6 < n && s[i + 1] == '\\' && s[i + 2] == 'u') {
            uint32_t lo = hex4(s + i + 3);
            if (lo >= 0xDC00 && lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
            }
        }
        if (cp >= 0xD800 && cp < 0xE000) cp = 0xFFFD;
        utf8_put(out, &o, cp);
    }
    return o;
}

void fp_json_scalar_text(const fp_json_doc *doc, uint32_t tok, fp_text *scratch, const char **s,
                         size_t *n)
{
    const fp_json_tok *t = &doc->toks[tok];
    const char *raw = doc->text + t->start;
    if (!t->escaped) {
        *s = raw;
        *n = t->len;
        return;
    }
    /* An escape never expands: \uXXXX is six bytes for at most four. */
    scratch->p = xgrow(scratch->p, &scratch->cap, (size_t)t->len + 1, 1);
    *n = unescape(raw, t->len, scratch->p);
    *s = scratch->p;
}

int32_t fp_json_member(const fp_json_doc *doc, uint32_t obj, const char *key, size_t n,
                       fp_text *scratch)
{
    if (obj >= doc->n || doc->toks[obj].type != FPJ_OBJECT) return -1;
    uint32_t end = doc->toks[obj].next;
    for (uint32_t k = obj + 1; k < end; k = doc->toks[k + 1].next) {
        const fp_json_tok *kt = &doc->toks[k];
        if (!kt->escaped) {
            if (kt->len == n && memcmp(doc->text + kt->start, key, n) == 0) return (int32_t)k + 1;
            continue;
        }
        const char *s;
        size_t len;
        fp_json_scalar_text(doc, k, scratch, &s, &len);
        if (len == n && memcmp(s, key, n) == 0) return (int32_t)k + 1;
    }
    return -1;
}

int32_t fp_json_element(const fp_json_doc *doc, uint32_t arr, uint32_t i)
{
    if (arr >= doc->n || doc->toks[arr].type != FPJ_ARRAY) return -1;
    uint32_t end = doc->toks[arr].next, k = arr + 1;
    for (uint32_t at = 0; k < end; at++, k = doc->toks[k].next)
        if (at == i) return (int32_t)k;
    return -1;
}
