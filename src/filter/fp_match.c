/* fp_match: a compiled filter pattern against one event. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "filter/fp_internal.h"

void fp_event_init(fp_event *ev, const char *msg, size_t len)
{
    memset(ev, 0, sizeof *ev);
    ev->msg = msg;
    ev->len = len;
}

void fp_event_release(fp_event *ev)
{
    fp_json_release(&ev->json);
    free(ev->fields);
    memset(ev, 0, sizeof *ev);
}

bool fp_event_json(fp_event *ev)
{
    if (ev->json_state == 0)
        ev->json_state = fp_json_parse(&ev->json, ev->msg, ev->len) == 0 ? 1 : -1;
    return ev->json_state > 0;
}

static bool contains(const char *hay, size_t hn, const char *needle, size_t nn)
{
    return nn == 0 || (nn <= hn && memmem(hay, hn, needle, nn) != NULL);
}

bool fp_lit_glob(const fp_lit *lit, const char *s, size_t n)
{
    if (lit->any) return true;
    if (lit->lead && lit->trail) return contains(s, n, lit->s, lit->n);
    if (n < lit->n) return false;
    if (lit->lead) return memcmp(s + n - lit->n, lit->s, lit->n) == 0;
    if (lit->trail) return memcmp(s, lit->s, lit->n) == 0;
    return n == lit->n && memcmp(s, lit->s, n) == 0;
}

/* ----- unstructured ----- */

static bool term_found(const fp_term *t, const fp_event *ev)
{
    if (t->re) return fp_regex_search(t->re, ev->msg, ev->len);
    return contains(ev->msg, ev->len, t->lit.s, t->lit.n);
}

static bool match_terms(const fp_pattern *p, const fp_event *ev)
{
    for (size_t g = 0; g < p->n_groups; g++) {
        const fp_group *grp = &p->groups[g];
        bool all = true;
        for (size_t k = grp->first; all && k < grp->first + grp->n; k++)
            all = term_found(&p->terms[k], ev) != p->terms[k].negated;
        if (all) return true;
    }
    return false;
}

/* ----- values: shared by JSON and space-delimited comparisons ----- */

/* A comparison against a value's text; is_number says whether the value is a number
 * (a JSON number, or a delimited field that reads as one). */
static bool cmp_text(const fp_cmp *c, const char *s, size_t n, bool is_number)
{
    if (c->re) {
        bool hit = fp_regex_search(c->re, s, n);
        return c->op == FPO_EQ ? hit : !hit;
    }
    double v;
    switch (c->op) {
    case FPO_EQ:
    case FPO_NE: {
        bool eq;
        if (c->lit.is_num && is_number && fp_parse_number(s, n, &v))
            eq = v == c->lit.num;
        else
            eq = fp_lit_glob(&c->lit, s, n);
        return c->op == FPO_EQ ? eq : !eq;
    }
    case FPO_LT:
        return is_number && fp_parse_number(s, n, &v) && v < c->lit.num;
    case FPO_GT:
        return is_number && fp_parse_number(s, n, &v) && v > c->lit.num;
    case FPO_LE:
        return is_number && fp_parse_number(s, n, &v) && v <= c->lit.num;
    case FPO_GE:
        return is_number && fp_parse_number(s, n, &v) && v >= c->lit.num;
    default:
        return false;
    }
}

/* ----- JSON ----- */

#define FP_SEL_CACHE 64
#define FP_UNRESOLVED (-2)

typedef struct json_eval {
    const fp_json_doc *doc;
    fp_text *scratch;
    int32_t *cache; /* per selector: its token, -1 absent, FP_UNRESOLVED; NULL: no cache */
} json_eval;

/* The comparison at the value token tok (the selector has landed there). A selector
 * that lands on an object or array applies no comparison at all, = or !=: AWS's
 * "the filter will not be applied". */
static bool cmp_json_value(const json_eval *je, const fp_cmp *c, uint32_t tok)
{
    fp_json_type type = (fp_json_type)je->doc->toks[tok].type;
    switch (c->op) {
    case FPO_IS_NULL:
        return type == FPJ_NULL;
    case FPO_IS_TRUE:
        return type == FPJ_TRUE;
    case FPO_IS_FALSE:
        return type == FPJ_FALSE;
    case FPO_NOT_EXISTS:
        return false;
    default:
        break;
    }
    if (type != FPJ_STRING && type != FPJ_NUMBER) return false;
    const char *s;
    size_t n;
    fp_json_scalar_text(je->doc, tok, je->scratch, &s, &n);
    return cmp_text(c, s, n, type == FPJ_NUMBER);
}

/* Whether some value the selector's steps [i..) reach from tok satisfies c (c NULL:
 * whether any value is reached). A wildcard step tries every member or element. */
static bool resolve(const json_eval *je, const fp_selector *sel, size_t i, uint32_t tok,
                    const fp_cmp *c)
{
    if (i == sel->n) return c ? cmp_json_value(je, c, tok) : true;
    const fp_step *st = &sel->steps[i];
    const fp_json_doc *doc = je->doc;
    if (st->index == FP_STEP_KEY) {
        int32_t v = fp_json_member(doc, tok, st->key, st->n, je->scratch);
        return v >= 0 && resolve(je, sel, i + 1, (uint32_t)v, c);
    }
    if (st->index >= 0) {
        int32_t v = fp_json_element(doc, tok, (uint32_t)st->index);
        return v >= 0 && resolve(je, sel, i + 1, (uint32_t)v, c);
    }
    fp_json_type type = (fp_json_type)doc->toks[tok].type;
    if (type != FPJ_OBJECT && type != FPJ_ARRAY) return false;
    uint32_t end = doc->toks[tok].next;
    for (uint32_t k = tok + 1; k < end;) {
        uint32_t v = type == FPJ_OBJECT ? k + 1 : k;
        if (resolve(je, sel, i + 1, v, c)) return true;
        k = doc->toks[v].next;
    }
    return false;
}

static bool eval_json(const fp_pattern *p, const json_eval *je, uint32_t node)
{
    const fp_node *nd = &p->nodes[node];
    switch (nd->kind) {
    case FPN_AND:
        return eval_json(p, je, nd->a) && eval_json(p, je, nd->b);
    case FPN_OR:
        return eval_json(p, je, nd->a) || eval_json(p, je, nd->b);
    default:
        break;
    }
    const fp_cmp *c = &p->cmps[nd->a];
    const fp_selector *sel = &p->sels[c->target];
    if (je->cache && !sel->wildcards) {
        /* Without a wildcard a selector reaches one value at most: resolve it once per
         * match, however many comparisons read it. */
        int32_t tok = je->cache[c->target];
        if (tok == FP_UNRESOLVED)
            tok = je->cache[c->target] = fp_json_resolve_first(je->doc, sel, je->scratch);
        if (c->op == FPO_NOT_EXISTS) return tok < 0;
        return tok >= 0 && cmp_json_value(je, c, (uint32_t)tok);
    }
    if (c->op == FPO_NOT_EXISTS) return !resolve(je, sel, 0, 0, NULL);
    return resolve(je, sel, 0, 0, c);
}

int32_t fp_json_resolve_first(const fp_json_doc *doc, const fp_selector *sel, fp_text *scratch)
{
    /* Metric values and dimensions take the first value reached (no wildcards there). */
    uint32_t tok = 0;
    for (size_t i = 0; i < sel->n; i++) {
        const fp_step *st = &sel->steps[i];
        int32_t v = st->index == FP_STEP_KEY ? fp_json_member(doc, tok, st->key, st->n, scratch)
                    : st->index >= 0         ? fp_json_element(doc, tok, (uint32_t)st->index)
                                             : -1;
        if (v < 0) return -1;
        tok = (uint32_t)v;
    }
    return (int32_t)tok;
}

/* ----- space-delimited ----- */

static bool is_sep(char c)
{
    return c == ' ' || c == '\t';
}

/* Fields are separated by spaces; text between [ ] or " " is one field, given without
 * its brackets or quotes. */
void fp_event_split(fp_event *ev)
{
    if (ev->fields_state) return;
    ev->fields_state = 1;
    const char *s = ev->msg;
    size_t n = ev->len, i = 0;
    for (;;) {
        while (i < n && is_sep(s[i]))
            i++;
        if (i >= n) break;
        size_t start, end;
        if (s[i] == '[' || s[i] == '"') {
            char close = s[i] == '[' ? ']' : '"';
            start = ++i;
            while (i < n && s[i] != close)
                i++;
            end = i;
            if (i < n) i++;
        } else {
            start = i;
            while (i < n && !is_sep(s[i]))
                i++;
            end = i;
        }
        ev->fields = xgrow(ev->fields, &ev->cap_fields, ev->n_fields + 1, sizeof *ev->fields);
        ev->fields[ev->n_fields++] = (fp_span){s + start, end - start};
    }
}

int32_t fp_field_position(const fp_pattern *p, const fp_event *ev, size_t field)
{
    size_t m = ev->n_fields, n = p->n_fields;
    if (p->ellipsis < 0) return m == n ? (int32_t)field : -1;
    if (m < n) return -1;
    size_t before = (size_t)p->ellipsis;
    return field < before ? (int32_t)field : (int32_t)(m - (n - field));
}

static bool eval_field(const fp_pattern *p, uint32_t node, const fp_span *v)
{
    const fp_node *nd = &p->nodes[node];
    switch (nd->kind) {
    case FPN_AND:
        return eval_field(p, nd->a, v) && eval_field(p, nd->b, v);
    case FPN_OR:
        return eval_field(p, nd->a, v) || eval_field(p, nd->b, v);
    default:
        break;
    }
    double unused;
    return cmp_text(&p->cmps[nd->a], v->p, v->n, fp_parse_number(v->p, v->n, &unused));
}

static bool match_delimited(const fp_pattern *p, fp_event *ev)
{
    fp_event_split(ev);
    if (p->ellipsis < 0 ? ev->n_fields != p->n_fields : ev->n_fields < p->n_fields) return false;
    for (size_t k = 0; k < p->n_fields; k++) {
        if (p->fields[k].root < 0) continue;
        int32_t at = fp_field_position(p, ev, k);
        if (!eval_field(p, (uint32_t)p->fields[k].root, &ev->fields[at])) return false;
    }
    return true;
}

void fp_extracted_fields(const fp_pattern *p, fp_event *ev, fp_field_fn fn, void *arg)
{
    if (p->kind != FP_KIND_DELIMITED) return;
    fp_event_split(ev);
    size_t m = ev->n_fields;
    const char **names = xcalloc(m ? m : 1, sizeof *names);
    for (size_t k = 0; k < p->n_fields; k++) {
        int32_t at = fp_field_position(p, ev, k);
        if (at >= 0 && p->fields[k].name) names[at] = p->fields[k].name;
    }
    for (size_t j = 0; j < m; j++) {
        char name[300];
        if (names[j])
            snprintf(name, sizeof name, "$%s", names[j]);
        else
            snprintf(name, sizeof name, "$%zu", j + 1);
        fn(name, ev->fields[j].p, ev->fields[j].n, arg);
    }
    free(names);
}

/* ----- the pattern ----- */

bool fp_match(const fp_pattern *p, fp_event *ev)
{
    switch (p->kind) {
    case FP_KIND_ALL:
        return true;
    case FP_KIND_TERMS:
        return match_terms(p, ev);
    case FP_KIND_DELIMITED:
        return match_delimited(p, ev);
    case FP_KIND_JSON: {
        if (!fp_event_json(ev)) return false;
        fp_text scratch = {0};
        int32_t cache[FP_SEL_CACHE];
        bool cached = p->n_sels <= FP_SEL_CACHE;
        for (size_t k = 0; cached && k < p->n_sels; k++)
            cache[k] = FP_UNRESOLVED;
        json_eval je = {.doc = &ev->json, .scratch = &scratch, .cache = cached ? cache : NULL};
        bool hit = eval_json(p, &je, (uint32_t)p->root);
        fp_text_free(&scratch);
        return hit;
    }
    }
    return false;
}

/* ----- metric values and dimensions ----- */

int fp_value_compile(const fp_pattern *p, const char *text, fp_value_ref **out, char *err,
                     size_t errn)
{
    *out = NULL;
    size_t n = strlen(text);
    fp_value_ref *v = xcalloc(1, sizeof *v);
    v->pattern = p;
    if (p->kind == FP_KIND_JSON) {
        size_t used;
        v->json = true;
        if (fp_selector_parse(text, n, &used, &v->sel, err, errn)) goto bad;
        if (used != n) {
            snprintf(err, errn, "text follows the selector %s", text);
            goto bad;
        }
        for (size_t k = 0; k < v->sel.n; k++)
            if (v->sel.steps[k].index == FP_STEP_ANY) {
                snprintf(err, errn, "a metric value or dimension selector has no wildcard");
                goto bad;
            }
        *out = v;
        return 0;
    }
    if (p->kind == FP_KIND_DELIMITED && n > 1 && text[0] == '$') {
        double pos;
        if (fp_parse_number(text + 1, n - 1, &pos) && pos >= 1 && pos <= 100000 &&
            pos == (double)(long)pos) {
            v->field = -(int32_t)pos;
            *out = v;
            return 0;
        }
        for (size_t k = 0; k < p->n_fields; k++)
            if (p->fields[k].name && strcmp(p->fields[k].name, text + 1) == 0) {
                v->field = (int32_t)k;
                *out = v;
                return 0;
            }
        snprintf(err, errn, "%s names no field of the pattern", text);
        goto bad;
    }
    snprintf(err, errn, "the filter pattern has no fields to select");
bad:
    fp_value_free(v);
    return -1;
}

void fp_value_free(fp_value_ref *v)
{
    if (!v) return;
    fp_selector_release(&v->sel);
    free(v);
}

bool fp_value_text(const fp_value_ref *v, fp_event *ev, fp_text *scratch, const char **s, size_t *n)
{
    if (v->json) {
        if (!fp_event_json(ev)) return false;
        int32_t tok = fp_json_resolve_first(&ev->json, &v->sel, scratch);
        if (tok < 0) return false;
        fp_json_type type = (fp_json_type)ev->json.toks[tok].type;
        if (type != FPJ_STRING && type != FPJ_NUMBER) return false;
        fp_json_scalar_text(&ev->json, (uint32_t)tok, scratch, s, n);
        return true;
    }
    fp_event_split(ev);
    int32_t at =
        v->field >= 0 ? fp_field_position(v->pattern, ev, (size_t)v->field) : -v->field - 1;
    if (at < 0 || (size_t)at >= ev->n_fields) return false;
    *s = ev->fields[at].p;
    *n = ev->fields[at].n;
    return true;
}
