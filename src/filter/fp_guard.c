/* fp_guard: the necessary condition of a JSON pattern that lets a set of filters skip
 * most of its members per event (filter_pattern.h). Derived from the compiled tree:
 *   - `sel = "text"` (exact: no '*', not a number, not a regex; sel without wildcards)
 *     is its own guard;
 *   - A && B: the guard of either side holds whenever the conjunction does (the one
 *     admitting fewer values is kept);
 *   - A || B: only when both sides are guarded by the same selector, the union.
 * Anything else has none. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "filter/fp_internal.h"

static bool exact_eq(const fp_pattern *p, const fp_cmp *c)
{
    return c->op == FPO_EQ && !c->re && !c->lit.lead && !c->lit.trail && !c->lit.any &&
           !c->lit.is_num && p->sels[c->target].wildcards == 0;
}

static bool guard_of(const fp_pattern *p, uint32_t node, fp_guard *g)
{
    const fp_node *nd = &p->nodes[node];
    if (nd->kind == FPN_CMP) {
        const fp_cmp *c = &p->cmps[nd->a];
        if (!exact_eq(p, c)) return false;
        g->sel = (int32_t)c->target;
        g->n = 1;
        g->cmps[0] = nd->a;
        return true;
    }
    fp_guard a = {.sel = -1}, b = {.sel = -1};
    bool ha = guard_of(p, nd->a, &a), hb = guard_of(p, nd->b, &b);
    if (nd->kind == FPN_AND) {
        if (!ha && !hb) return false;
        *g = ha && (!hb || a.n <= b.n) ? a : b;
        return true;
    }
    if (!ha || !hb || a.sel != b.sel || a.n + b.n > FP_GUARD_LITS) return false;
    *g = a;
    memcpy(g->cmps + a.n, b.cmps, b.n * sizeof *b.cmps);
    g->n = a.n + b.n;
    return true;
}

void fp_guard_build(fp_pattern *p)
{
    p->guard.sel = -1;
    if (p->kind != FP_KIND_JSON || p->root < 0) return;
    fp_guard g = {.sel = -1};
    if (!guard_of(p, (uint32_t)p->root, &g)) return;
    /* The key spells each step with its length, so no key text can pass for a path. */
    buf key = BUF_INIT;
    const fp_selector *sel = &p->sels[g.sel];
    for (size_t i = 0; i < sel->n; i++) {
        if (sel->steps[i].index == FP_STEP_KEY) {
            buf_printf(&key, ".%zu:", sel->steps[i].n);
            buf_append(&key, sel->steps[i].key, sel->steps[i].n);
        } else {
            buf_printf(&key, "[%d]", (int)sel->steps[i].index);
        }
    }
    g.key = buf_steal(&key);
    p->guard = g;
}

const char *fp_guard_key(const fp_pattern *p)
{
    return p->guard.sel >= 0 ? p->guard.key : NULL;
}

bool fp_guard_value(const fp_pattern *p, fp_event *ev, fp_text *scratch, const char **s, size_t *n)
{
    if (p->guard.sel < 0 || !fp_event_json(ev)) return false;
    int32_t tok = fp_json_resolve_first(&ev->json, &p->sels[p->guard.sel], scratch);
    if (tok < 0) return false;
    fp_json_type type = (fp_json_type)ev->json.toks[tok].type;
    if (type != FPJ_STRING && type != FPJ_NUMBER) return false;
    fp_json_scalar_text(&ev->json, (uint32_t)tok, scratch, s, n);
    return true;
}

bool fp_guard_admits(const fp_pattern *p, const char *s, size_t n)
{
    for (size_t i = 0; i < p->guard.n; i++)
        if (fp_lit_glob(&p->cmps[p->guard.cmps[i]].lit, s, n)) return true;
    return false;
}
