/* fp_regex: AWS's filter-pattern regex, checked and handed to the C library's regex. */
#include "filter/fp_regex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/xalloc.h"

static bool allowed(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return c && strchr(" :_#=@/;,-^$?[]{}|\\*+.", c) != NULL;
}

/* The bracket-expression body for \d \w \s (and NULL for any other escape). */
static const char *class_body(char e)
{
    switch (e) {
    case 'd':
    case 'D':
        return "0-9";
    case 'w':
    case 'W':
        return "A-Za-z0-9_";
    case 's':
    case 'S':
        return "[:space:]";
    default:
        return NULL;
    }
}

/* A {n}, {n,}, {n,m} or {,m} at text[i] (the brace): returns its length and writes it to
 * out as POSIX spells it ({,m} is {0,m}), or returns 0 when it is malformed or bounded
 * above FP_REGEX_REPEAT_MAX. */
static size_t repeat_len(const char *text, size_t n, size_t i, buf *out)
{
    size_t j = i + 1;
    long lo = -1, hi = -1;
    bool comma = false;
    if (j < n && text[j] >= '0' && text[j] <= '9')
        for (lo = 0; j < n && text[j] >= '0' && text[j] <= '9' && lo <= FP_REGEX_REPEAT_MAX;)
            lo = lo * 10 + (text[j++] - '0');
    if (j < n && text[j] == ',') {
        comma = true;
        j++;
        if (j < n && text[j] >= '0' && text[j] <= '9')
            for (hi = 0; j < n && text[j] >= '0' && text[j] <= '9' && hi <= FP_REGEX_REPEAT_MAX;)
                hi = hi * 10 + (text[j++] - '0');
    } else {
        hi = lo;
    }
    if (j >= n || text[j] != '}' || (lo < 0 && hi < 0)) return 0;
    if (lo > FP_REGEX_REPEAT_MAX || hi > FP_REGEX_REPEAT_MAX || (hi >= 0 && hi < lo)) return 0;
    if (!comma)
        buf_printf(out, "{%ld}", lo);
    else if (hi < 0)
        buf_printf(out, "{%ld,}", lo);
    else
        buf_printf(out, "{%ld,%ld}", lo < 0 ? 0 : lo, hi);
    return j - i + 1;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static fp_regex *refuse(buf *out, char *err, size_t errn, const char *why)
{
    snprintf(err, errn, "%s", why);
    buf_free(out);
    return NULL;
}

fp_regex *fp_regex_compile(const char *text, size_t n, char *err, size_t errn)
{
    buf out = BUF_INIT;
    if (n == 0) return refuse(&out, err, errn, "an empty regular expression (%%)");
    bool in_bracket = false, after_repeat = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        if (!allowed(c)) {
            if (c == '(' || c == ')')
                return refuse(&out, err, errn,
                              "regular expressions in filter patterns have no "
                              "groups: ( and ) are not supported");
            snprintf(err, errn, "a character regular expressions may not hold: 0x%02x", c);
            buf_free(&out);
            return NULL;
        }
        if (c == '\\') {
            if (i + 1 >= n)
                return refuse(&out, err, errn, "a regular expression ends with a lone backslash");
            char e = text[++i];
            if (e == 'x' && i + 2 < n && hex_digit(text[i + 1]) >= 0 &&
                hex_digit(text[i + 2]) >= 0) {
                /* \xhh: the byte with that code, escaped where POSIX gives it a meaning. */
                char b = (char)(hex_digit(text[i + 1]) * 16 + hex_digit(text[i + 2]));
                i += 2;
                if (!in_bracket && b && strchr(".[]{}()*+?^$|\\", b)) buf_putc(&out, '\\');
                if (b) buf_putc(&out, b);
                after_repeat = false;
                continue;
            }
            const char *body = class_body(e);
            if (in_bracket)
                buf_puts(&out, body ? body : (e == '\\' ? "\\" : (char[]){e, 0}));
            else if (body)
                buf_printf(&out, "[%s%s]", e >= 'A' && e <= 'Z' ? "^" : "", body);
            else
                buf_putc(&out, '\\'), buf_putc(&out, e);
            after_repeat = false;
            continue;
        }
        if (in_bracket) {
            if (c == ']') in_bracket = false;
            buf_putc(&out, (char)c);
            continue;
        }
        size_t rep = c == '{' ? repeat_len(text, n, i, &out) : (c == '*' || c == '+' || c == '?');
        if (c == '{' && !rep)
            return refuse(&out, err, errn, "a repetition is {n}, {n,} or {n,m}, at most 1000");
        if (rep) {
            /* A lazy quantifier (x+?) finds a match exactly when the greedy one does, and
             * filters only ask whether there is one: the ? is dropped. Stacked quantifiers
             * (x*+, x{2}{3}) are refused; they are what makes a regex engine's memory
             * explode. */
            if (after_repeat) {
                if (c == '?') {
                    after_repeat = false;
                    continue;
                }
                return refuse(&out, err, errn, "a quantifier follows another quantifier");
            }
            if (c != '{') buf_putc(&out, (char)c);
            i += rep - 1;
            after_repeat = true;
            continue;
        }
        after_repeat = false;
        if (c == '[') {
            in_bracket = true;
            buf_putc(&out, '[');
            if (i + 1 < n && text[i + 1] == '^') buf_putc(&out, text[++i]);
            if (i + 1 < n && text[i + 1] == ']') buf_putc(&out, text[++i]);
            continue;
        }
        buf_putc(&out, (char)c);
    }
    if (in_bracket) return refuse(&out, err, errn, "a [ is not closed with ]");
    fp_regex *r = xcalloc(1, sizeof *r);
    int rc = regcomp(&r->re, buf_cstr(&out), REG_EXTENDED | REG_NOSUB);
    buf_free(&out);
    if (rc) {
        snprintf(err, errn, "an invalid regular expression: %.*s", (int)(n > 200 ? 200 : n), text);
        free(r);
        return NULL;
    }
    return r;
}

void fp_regex_free(fp_regex *r)
{
    if (!r) return;
    regfree(&r->re);
    free(r);
}

bool fp_regex_search(const fp_regex *r, const char *s, size_t n)
{
    /* regexec wants a C string. (REG_STARTEND would bound the subject in place, but the
     * sanitizers' regexec reads up to a NUL regardless, so every fuzz run would flag it.)
     * A NUL inside a message ends what the expression sees; log messages are text. */
    char small[1024];
    char *p = n < sizeof small ? small : xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    bool hit = regexec(&r->re, p, 0, NULL, 0) == 0;
    if (p != small) free(p);
    return hit;
}
