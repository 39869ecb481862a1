/* fp_parse: filter pattern text to its compiled form (fp_internal.h).
 *
 * A recursive-descent parser over the three grammars. Every refusal writes a reason
 * and leaves nothing allocated; the caller answers InvalidParameterException. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "filter/fp_internal.h"

typedef struct parser {
    const char *s;
    size_t n, i;
    fp_pattern *p;
    char *err;
    size_t errn;
    int depth;
} parser;

#define FP_NEST_MAX 64 /* parentheses; AWS's 1024 characters allow deep ones */

static int fail(parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(parser *ps, const char *fmt, ...)
{
    if (ps->err && ps->errn) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(ps->err, ps->errn, fmt, ap);
        va_end(ap);
        if (k >= 0 && (size_t)k < ps->errn)
            snprintf(ps->err + k, ps->errn - (size_t)k, " (at character %zu)", ps->i + 1);
    }
    return -1;
}

static bool at_ws(const parser *ps)
{
    return ps->i < ps->n && isspace((unsigned char)ps->s[ps->i]);
}

static void skip_ws(parser *ps)
{
    while (at_ws(ps))
        ps->i++;
}

static bool eat(parser *ps, const char *tok)
{
    size_t k = strlen(tok);
    if (ps->n - ps->i >= k && memcmp(ps->s + ps->i, tok, k) == 0) {
        ps->i += k;
        return true;
    }
    return false;
}

/* A keyword (IS, NULL, NOT, EXISTS, TRUE, FALSE), in any case, ending at a non-letter. */
static bool eat_word(parser *ps, const char *word)
{
    size_t k = strlen(word);
    if (ps->n - ps->i < k || strncasecmp(ps->s + ps->i, word, k) != 0) return false;
    if (ps->i + k < ps->n && isalnum((unsigned char)ps->s[ps->i + k])) return false;
    ps->i += k;
    return true;
}

bool fp_parse_number(const char *s, size_t n, double *out)
{
    /* AWS's numbers: an optional sign, digits with an optional fraction, an optional
     * exponent. Checked by hand, since strtod also takes hex, inf and nan. */
    size_t i = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    size_t digits = 0;
    while (i < n && isdigit((unsigned char)s[i]))
        i++, digits++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && isdigit((unsigned char)s[i]))
            i++, digits++;
    }
    if (!digits) return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        size_t exp = 0;
        while (i < n && isdigit((unsigned char)s[i]))
            i++, exp++;
        if (!exp) return false;
    }
    if (i != n || n >= 64) return false;
    char tmp[64];
    memcpy(tmp, s, n);
    tmp[n] = 0;
    errno = 0;
    *out = strtod(tmp, NULL);
    return isfinite(*out);
}

/* Fills lit from value text v[0..n): stars at either end become wildcards. */
static void lit_set(fp_lit *lit, const char *v, size_t n, bool quoted)
{
    memset(lit, 0, sizeof *lit);
    lit->is_num = !quoted && fp_parse_number(v, n, &lit->num);
    if (n == 1 && v[0] == '*') {
        lit->any = true;
    } else {
        if (n && v[0] == '*') lit->lead = true, v++, n--;
        if (n && v[n - 1] == '*') lit->trail = true, n--;
    }
    lit->s = xmalloc(n + 1);
    memcpy(lit->s, v, n);
    lit->s[n] = 0;
    lit->n = n;
}

/* A double-quoted string at ps->i; \" and \\ are the escapes (anything else after a
 * backslash stands for itself). Returns the unescaped text (caller frees) or NULL. */
static char *quoted(parser *ps, size_t *len)
{
    ps->i++; /* the opening quote */
    char *out = xmalloc(ps->n - ps->i + 1);
    size_t o = 0;
    while (ps->i < ps->n) {
        char c = ps->s[ps->i++];
        if (c == '"') {
            out[o] = 0;
            *len = o;
            return out;
        }
        if (c == '\\' && ps->i < ps->n) c = ps->s[ps->i++];
        out[o++] = c;
    }
    free(out);
    fail(ps, "a quoted string is not closed");
    return NULL;
}

/* A %regex% at ps->i (the % included); counts it against the pattern's two. */
static fp_regex *regex_value(parser *ps)
{
    size_t start = ++ps->i;
    while (ps->i < ps->n && ps->s[ps->i] != '%')
        ps->i++;
    if (ps->i >= ps->n) {
        fail(ps, "a regular expression is not closed with %%");
        return NULL;
    }
    if (++ps->p->n_regex > FP_REGEX_PER_PATTERN) {
        fail(ps, "a filter pattern may hold at most %d regular expressions", FP_REGEX_PER_PATTERN);
        return NULL;
    }
    char why[160];
    fp_regex *re = fp_regex_compile(ps->s + start, ps->i - start, why, sizeof why);
    ps->i++;
    if (!re) fail(ps, "%s", why);
    return re;
}

/* ----- selectors ----- */

static bool selector_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '@';
}

void fp_selector_release(fp_selector *sel)
{
    for (size_t k = 0; k < sel->n; k++)
        free(sel->steps[k].key);
    free(sel->steps);
    sel->steps = NULL;
    sel->n = 0;
}

static void add_step(fp_selector *sel, size_t *cap, fp_step st)
{
    sel->steps = xgrow(sel->steps, cap, sel->n + 1, sizeof *sel->steps);
    sel->steps[sel->n++] = st;
}

static void add_key(fp_selector *sel, size_t *cap, const char *k, size_t n)
{
    char *key = xmalloc(n + 1);
    memcpy(key, k, n);
    key[n] = 0;
    add_step(sel, cap, (fp_step){.index = FP_STEP_KEY, .key = key, .n = n});
}

int fp_selector_parse(const char *s, size_t n, size_t *used, fp_selector *out, char *err,
                      size_t errn)
{
    memset(out, 0, sizeof *out);
    size_t i = 0, cap = 0;
    int wild = 0;
    if (i >= n || s[i] != '$') {
        snprintf(err, errn, "a JSON property selector starts with $");
        return -1;
    }
    i++;
    while (i < n && (s[i] == '.' || s[i] == '[')) {
        if (s[i] == '.' && i + 1 < n && s[i + 1] == '[') i++; /* $.['key'] is $['key'] */
        if (s[i] == '.') {
            size_t start = ++i;
            if (i < n && s[i] == '*') {
                add_step(out, &cap, (fp_step){.index = FP_STEP_ANY});
                i++, wild++;
                continue;
            }
            while (i < n && selector_char(s[i]))
                i++;
            if (i == start) {
                snprintf(err, errn, "a property name is missing after '.'");
                goto bad;
            }
            add_key(out, &cap, s + start, i - start);
            continue;
        }
        i++; /* [ */
        if (i < n && s[i] == '\'') {
            /* $.['cluster.name']: a key that holds characters a .name cannot. */
            size_t start = ++i;
            while (i < n && s[i] != '\'')
                i++;
            if (i >= n || i == start) {
                snprintf(err, errn, "a quoted key in [' '] is empty or not closed");
                goto bad;
            }
            add_key(out, &cap, s + start, i - start);
            i++;
        } else if (i < n && s[i] == '*') {
            i++, wild++;
            add_step(out, &cap, (fp_step){.index = FP_STEP_ANY});
        } else {
            size_t start = i;
            long v = 0;
            while (i < n && isdigit((unsigned char)s[i]) && v < 100000000)
                v = v * 10 + (s[i++] - '0');
            if (i == start || (i < n && isdigit((unsigned char)s[i]))) {
                snprintf(err, errn, "an array index is a number in [ ]");
                goto bad;
            }
            add_step(out, &cap, (fp_step){.index = (int32_t)v});
        }
        if (i >= n || s[i] != ']') {
            snprintf(err, errn, "an array index is not closed with ]");
            goto bad;
        }
        i++;
    }
    if (out->n == 0) {
        snprintf(err, errn, "a selector names a property: $.name");
        goto bad;
    }
    if (wild > 1) {
        snprintf(err, errn, "a selector may hold one wildcard");
        goto bad;
    }
    out->wildcards = wild;
    *used = i;
    return 0;
bad:
    fp_selector_release(out);
    return -1;
}

static bool selector_equal(const fp_selector *a, const fp_selector *b)
{
    if (a->n != b->n || a->wildcards || b->wildcards) return false;
    for (size_t k = 0; k < a->n; k++) {
        const fp_step *x = &a->steps[k], *y = &b->steps[k];
        if (x->index != y->index) return false;
        if (x->index == FP_STEP_KEY && (x->n != y->n || memcmp(x->key, y->key, x->n) != 0))
            return false;
    }
    return true;
}

/* ----- expressions (JSON and space-delimited conditions share them) ----- */

static uint32_t add_node(fp_pattern *p, fp_node nd)
{
    p->nodes = xgrow(p->nodes, &p->cap_nodes, p->n_nodes + 1, sizeof *p->nodes);
    p->nodes[p->n_nodes] = nd;
    return (uint32_t)p->n_nodes++;
}

static uint32_t add_cmp(fp_pattern *p, fp_cmp cmp)
{
    p->cmps = xgrow(p->cmps, &p->cap_cmps, p->n_cmps + 1, sizeof *p->cmps);
    p->cmps[p->n_cmps] = cmp;
    return (uint32_t)p->n_cmps++;
}

static bool bare_char(char c, bool delimited)
{
    if (isspace((unsigned char)c) || c == '(' || c == ')' || c == '"' || c == '&' || c == '|')
        return false;
    if (delimited) return c != ',' && c != ']';
    return c != '}';
}

/* The value after an operator: "quoted", %regex% or a bare word. */
static int parse_value(parser *ps, fp_cmp *cmp, bool delimited)
{
    skip_ws(ps);
    if (ps->i >= ps->n) return fail(ps, "a value is missing after the operator");
    char c = ps->s[ps->i];
    if (c == '%') {
        cmp->re = regex_value(ps);
        if (!cmp->re) return -1;
        if (cmp->op != FPO_EQ && cmp->op != FPO_NE)
            return fail(ps, "a regular expression compares with = or != only");
        return 0;
    }
    if (c == '"') {
        size_t len;
        char *v = quoted(ps, &len);
        if (!v) return -1;
        lit_set(&cmp->lit, v, len, true);
        free(v);
    } else {
        size_t start = ps->i;
        while (ps->i < ps->n && bare_char(ps->s[ps->i], delimited))
            ps->i++;
        if (ps->i == start) return fail(ps, "a value is missing after the operator");
        lit_set(&cmp->lit, ps->s + start, ps->i - start, false);
    }
    if (cmp->op != FPO_EQ && cmp->op != FPO_NE && !cmp->lit.is_num)
        return fail(ps, "< > <= >= compare with a number");
    return 0;
}

static int parse_op(parser *ps, fp_op *op)
{
    skip_ws(ps);
    if (eat(ps, "!="))
        *op = FPO_NE;
    else if (eat(ps, "<="))
        *op = FPO_LE;
    else if (eat(ps, ">="))
        *op = FPO_GE;
    else if (eat(ps, "="))
        *op = FPO_EQ;
    else if (eat(ps, "<"))
        *op = FPO_LT;
    else if (eat(ps, ">"))
        *op = FPO_GT;
    else
        return fail(ps, "an operator (= != < > <= >=) is missing");
    if (ps->i < ps->n && (ps->s[ps->i] == '=' || ps->s[ps->i] == '<' || ps->s[ps->i] == '>'))
        return fail(ps, "an operator is not one of = != < > <= >=");
    return 0;
}

/* What a comparison compares: a JSON selector, or (space-delimited) the field's name. */
typedef struct subject {
    bool delimited;
    const char *field; /* the position's name, which every condition there must use */
    uint32_t field_index;
} subject;

static int parse_cmp(parser *ps, const subject *sub, uint32_t *node)
{
    fp_cmp cmp = {0};
    skip_ws(ps);
    if (sub->delimited) {
        size_t start = ps->i;
        while (ps->i < ps->n && (isalnum((unsigned char)ps->s[ps->i]) || ps->s[ps->i] == '_'))
            ps->i++;
        size_t len = ps->i - start;
        if (!len) return fail(ps, "a field name is missing");
        if (strlen(sub->field) != len || memcmp(sub->field, ps->s + start, len) != 0)
            return fail(ps, "a condition names another field than its position's (%s)", sub->field);
        cmp.target = sub->field_index;
        if (parse_op(ps, &cmp.op)) return -1;
    } else {
        char why[120];
        size_t used;
        fp_selector sel;
        if (fp_selector_parse(ps->s + ps->i, ps->n - ps->i, &used, &sel, why, sizeof why))
            return fail(ps, "%s", why);
        ps->i += used;
        fp_pattern *p = ps->p;
        p->n_wild_selectors += sel.wildcards > 0;
        if (p->n_wild_selectors > FP_WILD_SELECTORS_MAX) {
            fp_selector_release(&sel);
            return fail(ps, "a pattern may hold at most %d wildcard selectors",
                        FP_WILD_SELECTORS_MAX);
        }
        /* One selector per distinct path, so that a match resolves $.eventName once for
         * the sixteen comparisons of a CIS pattern (fp_match.c caches by selector). */
        size_t same = 0;
        while (same < p->n_sels && !(sel.wildcards == 0 && selector_equal(&p->sels[same], &sel)))
            same++;
        if (same < p->n_sels) {
            fp_selector_release(&sel);
            cmp.target = (uint32_t)same;
        } else {
            p->sels = xgrow(p->sels, &p->cap_sels, p->n_sels + 1, sizeof *p->sels);
            p->sels[p->n_sels] = sel;
            cmp.target = (uint32_t)p->n_sels++;
        }
        skip_ws(ps);
        if (eat_word(ps, "IS")) {
            skip_ws(ps);
            if (eat_word(ps, "NULL"))
                cmp.op = FPO_IS_NULL;
            else if (eat_word(ps, "TRUE"))
                cmp.op = FPO_IS_TRUE;
            else if (eat_word(ps, "FALSE"))
                cmp.op = FPO_IS_FALSE;
            else
                return fail(ps, "IS is followed by NULL, TRUE or FALSE");
            *node = add_node(ps->p, (fp_node){FPN_CMP, add_cmp(ps->p, cmp), 0});
            return 0;
        }
        if (eat_word(ps, "NOT")) {
            skip_ws(ps);
            if (!eat_word(ps, "EXISTS")) return fail(ps, "NOT is followed by EXISTS");
            cmp.op = FPO_NOT_EXISTS;
            *node = add_node(ps->p, (fp_node){FPN_CMP, add_cmp(ps->p, cmp), 0});
            return 0;
        }
        if (parse_op(ps, &cmp.op)) return -1;
    }
    /* The comparison joins the pattern before its value is read, so that a failure
     * below still frees what the value allocated. */
    uint32_t at = add_cmp(ps->p, cmp);
    if (parse_value(ps, &ps->p->cmps[at], sub->delimited)) return -1;
    *node = add_node(ps->p, (fp_node){FPN_CMP, at, 0});
    return 0;
}

static int parse_or(parser *ps, const subject *sub, uint32_t *node);

static int parse_unary(parser *ps, const subject *sub, uint32_t *node)
{
    skip_ws(ps);
    if (ps->i < ps->n && ps->s[ps->i] == '(') {
        if (++ps->depth > FP_NEST_MAX) return fail(ps, "parentheses nest too deep");
        ps->i++;
        if (parse_or(ps, sub, node)) return -1;
        skip_ws(ps);
        if (!eat(ps, ")")) return fail(ps, "a parenthesis is not closed");
        ps->depth--;
        return 0;
    }
    return parse_cmp(ps, sub, node);
}

static int parse_and(parser *ps, const subject *sub, uint32_t *node)
{
    if (parse_unary(ps, sub, node)) return -1;
    for (;;) {
        skip_ws(ps);
        if (!eat(ps, "&&")) return 0;
        uint32_t rhs;
        if (parse_unary(ps, sub, &rhs)) return -1;
        *node = add_node(ps->p, (fp_node){FPN_AND, *node, rhs});
    }
}

/* && binds tighter than ||, as AWS documents: ( ) > && > ||. */
static int parse_or(parser *ps, const subject *sub, uint32_t *node)
{
    if (parse_and(ps, sub, node)) return -1;
    for (;;) {
        skip_ws(ps);
        if (!eat(ps, "||")) return 0;
        uint32_t rhs;
        if (parse_and(ps, sub, &rhs)) return -1;
        *node = add_node(ps->p, (fp_node){FPN_OR, *node, rhs});
    }
}

static int parse_json(parser *ps)
{
    ps->i++; /* { */
    skip_ws(ps);
    if (ps->i < ps->n && ps->s[ps->i] == '}') return fail(ps, "a JSON pattern is empty");
    subject sub = {.delimited = false};
    uint32_t root;
    if (parse_or(ps, &sub, &root)) return -1;
    skip_ws(ps);
    if (!eat(ps, "}")) return fail(ps, "a JSON pattern is not closed with } where expected");
    skip_ws(ps);
    if (ps->i != ps->n) return fail(ps, "text follows the JSON pattern's closing }");
    ps->p->root = (int32_t)root;
    ps->p->kind = FP_KIND_JSON;
    return 0;
}

/* ----- space-delimited ----- */

static int parse_field(parser *ps)
{
    fp_pattern *p = ps->p;
    skip_ws(ps);
    if (eat(ps, "...")) {
        if (p->ellipsis >= 0) return fail(ps, "a pattern may hold one ...");
        p->ellipsis = (int32_t)p->n_fields;
        return 0;
    }
    p->fields = xgrow(p->fields, &p->cap_fields, p->n_fields + 1, sizeof *p->fields);
    fp_field *f = &p->fields[p->n_fields++];
    *f = (fp_field){.name = NULL, .root = -1};
    size_t start = ps->i;
    while (ps->i < ps->n && (isalnum((unsigned char)ps->s[ps->i]) || ps->s[ps->i] == '_'))
        ps->i++;
    if (ps->i == start) {
        skip_ws(ps);
        if (ps->i < ps->n && (ps->s[ps->i] == ',' || ps->s[ps->i] == ']')) return 0;
        return fail(ps, "a field is a name, a name with conditions, or ...");
    }
    f->name = xmalloc(ps->i - start + 1);
    memcpy(f->name, ps->s + start, ps->i - start);
    f->name[ps->i - start] = 0;
    for (size_t k = 0; k + 1 < p->n_fields; k++)
        if (p->fields[k].name && strcmp(p->fields[k].name, f->name) == 0)
            return fail(ps, "two fields are named %s", f->name);
    skip_ws(ps);
    if (ps->i < ps->n && (ps->s[ps->i] == ',' || ps->s[ps->i] == ']')) return 0;
    ps->i = start; /* the condition starts with the name again */
    subject sub = {.delimited = true, .field = f->name, .field_index = (uint32_t)(p->n_fields - 1)};
    uint32_t root;
    if (parse_or(ps, &sub, &root)) return -1;
    p->fields[sub.field_index].root = (int32_t)root;
    return 0;
}

static int parse_delimited(parser *ps)
{
    ps->i++; /* [ */
    ps->p->kind = FP_KIND_DELIMITED;
    skip_ws(ps);
    if (ps->i < ps->n && ps->s[ps->i] == ']') return fail(ps, "a space-delimited pattern is empty");
    for (;;) {
        if (parse_field(ps)) return -1;
        skip_ws(ps);
        if (eat(ps, ",")) continue;
        if (eat(ps, "]")) break;
        return fail(ps, "fields are separated by , and closed with ]");
    }
    skip_ws(ps);
    if (ps->i != ps->n) return fail(ps, "text follows the pattern's closing ]");
    return 0;
}

/* ----- unstructured terms ----- */

static int parse_terms(parser *ps)
{
    fp_pattern *p = ps->p;
    size_t cap_terms = 0;
    bool *alts = NULL; /* per term: written ?term */
    size_t cap_alts = 0;
    p->kind = FP_KIND_TERMS;
    /* The guide: the pattern " " matches every event, like the empty one. */
    if (ps->n - ps->i == 3 && memcmp(ps->s + ps->i, "\" \"", 3) == 0) {
        p->kind = FP_KIND_ALL;
        return 0;
    }
    for (skip_ws(ps); ps->i < ps->n; skip_ws(ps)) {
        bool alt = false, neg = false;
        if (ps->s[ps->i] == '?')
            alt = true, ps->i++;
        else if (ps->s[ps->i] == '-')
            neg = true, ps->i++;
        if (ps->i >= ps->n || at_ws(ps)) {
            free(alts);
            return fail(ps, "? and - are followed by a term");
        }
        fp_term t = {.negated = neg};
        char c = ps->s[ps->i];
        if (c == '%') {
            t.re = regex_value(ps);
        } else if (c == '"') {
            size_t len;
            char *v = quoted(ps, &len);
            if (v) t.lit = (fp_lit){.s = v, .n = len};
        } else {
            size_t start = ps->i;
            while (ps->i < ps->n && !at_ws(ps) && ps->s[ps->i] != '"')
                ps->i++;
            if (ps->i < ps->n && ps->s[ps->i] == '"') {
                fail(ps, "a quote inside a term: quote the whole term");
            } else {
                char *v = xmalloc(ps->i - start + 1);
                memcpy(v, ps->s + start, ps->i - start);
                v[ps->i - start] = 0;
                t.lit = (fp_lit){.s = v, .n = ps->i - start};
            }
        }
        if (!t.re && !t.lit.s) {
            free(alts);
            return -1;
        }
        if (ps->i < ps->n && !at_ws(ps)) {
            free(t.lit.s);
            fp_regex_free(t.re);
            free(alts);
            return fail(ps, "terms are separated by spaces");
        }
        p->terms = xgrow(p->terms, &cap_terms, p->n_terms + 1, sizeof *p->terms);
        alts = xgrow(alts, &cap_alts, p->n_terms + 1, sizeof *alts);
        alts[p->n_terms] = alt;
        p->terms[p->n_terms++] = t;
    }
    /* The guide: ?terms combined with other terms (plain or -) are ignored, so such a
     * pattern is the AND of its other terms; ?terms alone are alternatives, one group
     * each. */
    size_t plain = 0;
    for (size_t k = 0; k < p->n_terms; k++)
        plain += !alts[k];
    if (plain) {
        size_t kept = 0;
        for (size_t k = 0; k < p->n_terms; k++) {
            if (!alts[k]) {
                p->terms[kept++] = p->terms[k];
                continue;
            }
            free(p->terms[k].lit.s);
            fp_regex_free(p->terms[k].re);
        }
        p->n_terms = kept;
        p->groups = xmalloc(sizeof *p->groups);
        p->groups[0] = (fp_group){.first = 0, .n = kept};
        p->n_groups = 1;
    } else if (p->n_terms) {
        p->groups = xmalloc(p->n_terms * sizeof *p->groups);
        for (size_t k = 0; k < p->n_terms; k++)
            p->groups[k] = (fp_group){.first = k, .n = 1};
        p->n_groups = p->n_terms;
    }
    free(alts);
    return 0;
}

/* ----- the pattern ----- */

int fp_compile(const char *text, size_t len, fp_pattern **out, char *err, size_t errn)
{
    *out = NULL;
    fp_pattern *p = xcalloc(1, sizeof *p);
    p->ellipsis = -1;
    p->root = -1;
    p->guard.sel = -1;
    parser ps = {.s = text, .n = len, .i = 0, .p = p, .err = err, .errn = errn};
    if (err && errn) err[0] = 0;
    int rc = 0;
    if (len > FP_PATTERN_MAX) {
        rc = fail(&ps, "a filter pattern is at most %d characters", FP_PATTERN_MAX);
    } else if (memchr(text, 0, len)) {
        rc = fail(&ps, "a filter pattern holds a NUL character");
    } else {
        skip_ws(&ps);
        if (ps.i == ps.n)
            p->kind = FP_KIND_ALL;
        else if (text[ps.i] == '{')
            rc = parse_json(&ps);
        else if (text[ps.i] == '[')
            rc = parse_delimited(&ps);
        else
            rc = parse_terms(&ps);
    }
    if (rc) {
        fp_free(p);
        return -1;
    }
    fp_guard_build(p);
    *out = p;
    return 0;
}

void fp_free(fp_pattern *p)
{
    if (!p) return;
    for (size_t k = 0; k < p->n_terms; k++) {
        free(p->terms[k].lit.s);
        fp_regex_free(p->terms[k].re);
    }
    for (size_t k = 0; k < p->n_cmps; k++) {
        free(p->cmps[k].lit.s);
        fp_regex_free(p->cmps[k].re);
    }
    for (size_t k = 0; k < p->n_sels; k++)
        fp_selector_release(&p->sels[k]);
    for (size_t k = 0; k < p->n_fields; k++)
        free(p->fields[k].name);
    free(p->terms);
    free(p->groups);
    free(p->nodes);
    free(p->cmps);
    free(p->sels);
    free(p->fields);
    free(p->guard.key);
    free(p);
}

fp_kind fp_pattern_kind(const fp_pattern *p)
{
    return p->kind;
}

int fp_pattern_regex_count(const fp_pattern *p)
{
    return p->n_regex;
}
