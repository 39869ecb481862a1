#include "policy/policy_set.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "policy/policy_eval.h"
#include "policy/policy_vars.h"

/* A pattern of Action (lowercased copy, owned) or Resource (borrowed from the document):
 * `lit` characters of literal prefix before the first wildcard. */
typedef struct ps_pattern {
    const char *text;
    size_t lit;
    bool wild;   /* holds '*' or '?' */
    bool prefix; /* the literal prefix and one final star: "s3:get*", "arn:aws:s3:::b/x*" */
    bool vars;   /* holds a policy variable to expand per request */
} ps_pattern;

typedef struct ps_statement {
    bool deny, vars;
    bool has_action, not_action, has_resource, not_resource;
    const json_t *principal, *not_principal, *condition; /* borrowed; NULL: absent */
    ps_pattern *actions, *resources;
    size_t n_actions, n_resources;
} ps_statement;

/* The statements whose Action names this service with a name starting with `first`
 * ('*' for a name starting with a wildcard). */
typedef struct ps_bucket {
    char *service; /* owned, lowercase */
    char first;
    uint32_t *statements;
    size_t n, cap;
} ps_bucket;

struct policy_set {
    json_t **documents; /* owned references */
    size_t n_documents;
    ps_statement *statements;
    size_t n_statements, cap_statements;
    ps_bucket *buckets;
    size_t n_buckets, cap_buckets;
    ps_bucket general; /* NotAction, a wildcard service, no Action at all */
};

static size_t each_string_count(const json_t *v)
{
    return json_is_array(v) ? json_array_size(v) : json_is_string(v) ? 1 : 0;
}

static const char *nth_string(const json_t *v, size_t i)
{
    return json_string_value(json_is_array(v) ? json_array_get(v, i) : v);
}

static char *lower_dup(const char *s)
{
    size_t n = strlen(s);
    char *d = xmalloc(n + 1);
    for (size_t i = 0; i <= n; i++)
        d[i] = (char)tolower((unsigned char)s[i]);
    return d;
}

static ps_pattern pattern_of(const char *text, bool vars)
{
    ps_pattern p = {.text = text, .lit = strcspn(text, "*?")};
    p.wild = text[p.lit] != '\0';
    p.prefix = text[p.lit] == '*' && text[p.lit + 1] == '\0';
    p.vars = vars && policy_has_variables(text);
    return p;
}

static ps_pattern *patterns_alloc(const json_t *v, bool lower, bool vars, size_t *n)
{
    *n = each_string_count(v);
    ps_pattern *out = *n ? xcalloc(*n, sizeof *out) : NULL;
    size_t k = 0;
    for (size_t i = 0; i < *n; i++) {
        const char *s = nth_string(v, i);
        if (!s) continue;
        out[k++] = pattern_of(lower ? lower_dup(s) : s, vars);
    }
    *n = k;
    return out;
}

static void bucket_add(ps_bucket *b, uint32_t stmt)
{
    if (b->n && b->statements[b->n - 1] == stmt) return;
    b->statements = xgrow(b->statements, &b->cap, b->n + 1, sizeof *b->statements);
    b->statements[b->n++] = stmt;
}

static ps_bucket *bucket_find(const policy_set *s, const char *service, size_t len, char first)
{
    for (size_t i = 0; i < s->n_buckets; i++) {
        ps_bucket *b = &s->buckets[i];
        if (b->first == first && !strncmp(b->service, service, len) && !b->service[len]) return b;
    }
    return NULL;
}

/* The length of a lowercased action pattern's service part, when it is literal: a
 * pattern without one ("*", "s3*:Get*") goes to the general list. */
static bool literal_service(const char *pattern, size_t *len)
{
    const char *colon = strchr(pattern, ':');
    if (!colon) return false;
    *len = (size_t)(colon - pattern);
    return strcspn(pattern, "*?") > *len;
}

/* The bucket of an action pattern with a literal service part, made when new. */
static ps_bucket *bucket_for_pattern(policy_set *s, const char *pattern, size_t len)
{
    const char *colon = pattern + len;
    char first = colon[1];
    if (first == '*' || first == '?' || first == '\0') first = '*';
    ps_bucket *b = bucket_find(s, pattern, len, first);
    if (b) return b;
    s->buckets = xgrow(s->buckets, &s->cap_buckets, s->n_buckets + 1, sizeof *s->buckets);
    b = &s->buckets[s->n_buckets++];
    memset(b, 0, sizeof *b);
    b->service = xmalloc(len + 1);
    memcpy(b->service, pattern, len);
    b->service[len] = '\0';
    b->first = first;
    return b;
}

static void index_statement(policy_set *s, uint32_t i)
{
    const ps_statement *st = &s->statements[i];
    size_t len = 0;
    bool general = !st->has_action || st->not_action;
    for (size_t k = 0; !general && k < st->n_actions; k++)
        general = !literal_service(st->actions[k].text, &len);
    if (general) {
        bucket_add(&s->general, i);
        return;
    }
    for (size_t k = 0; k < st->n_actions; k++) {
        literal_service(st->actions[k].text, &len);
        bucket_add(bucket_for_pattern(s, st->actions[k].text, len), i);
    }
}

static void compile_statement(policy_set *s, const json_t *stmt, bool vars)
{
    s->statements =
        xgrow(s->statements, &s->cap_statements, s->n_statements + 1, sizeof *s->statements);
    ps_statement *st = &s->statements[s->n_statements];
    memset(st, 0, sizeof *st);
    const char *effect = json_string_value(json_object_get(stmt, "Effect"));
    st->deny = effect && !strcmp(effect, "Deny");
    st->vars = vars;
    st->principal = json_object_get(stmt, "Principal");
    st->not_principal = json_object_get(stmt, "NotPrincipal");
    st->condition = json_object_get(stmt, "Condition");
    const json_t *ac = json_object_get(stmt, "Action"), *nac = json_object_get(stmt, "NotAction");
    st->has_action = ac || nac;
    st->not_action = !ac && nac;
    st->actions = patterns_alloc(ac ? ac : nac, true, false, &st->n_actions);
    const json_t *rs = json_object_get(stmt, "Resource"),
                 *nrs = json_object_get(stmt, "NotResource");
    st->has_resource = rs || nrs;
    st->not_resource = !rs && nrs;
    st->resources = patterns_alloc(rs ? rs : nrs, false, vars, &st->n_resources);
    index_statement(s, (uint32_t)s->n_statements++);
}

policy_set *policy_set_build_alloc(const json_t *const *policies, size_t n)
{
    policy_set *s = xcalloc(1, sizeof *s);
    s->documents = n ? xcalloc(n, sizeof *s->documents) : NULL;
    for (size_t i = 0; i < n; i++) {
        if (!policies[i]) continue;
        json_t *doc = json_incref((json_t *)policies[i]);
        s->documents[s->n_documents++] = doc;
        const char *version = json_string_value(json_object_get(doc, "Version"));
        bool vars = version && !strcmp(version, "2012-10-17");
        const json_t *stmts = json_object_get(doc, "Statement");
        if (json_is_object(stmts)) {
            compile_statement(s, stmts, vars);
            continue;
        }
        size_t k;
        json_t *stmt;
        json_array_foreach(stmts, k, stmt) compile_statement(s, stmt, vars);
    }
    return s;
}

void policy_set_free(policy_set *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n_statements; i++) {
        ps_statement *st = &s->statements[i];
        for (size_t k = 0; k < st->n_actions; k++)
            free((char *)st->actions[k].text);
        free(st->actions);
        free(st->resources);
    }
    for (size_t i = 0; i < s->n_buckets; i++) {
        free(s->buckets[i].service);
        free(s->buckets[i].statements);
    }
    free(s->general.statements);
    free(s->buckets);
    free(s->statements);
    for (size_t i = 0; i < s->n_documents; i++)
        json_decref(s->documents[i]);
    free(s->documents);
    free(s);
}

/* The pattern matches s. Patterns without variables compare their literal prefix first:
 * most candidates fail there. */
static bool pattern_matches(const ps_pattern *p, const char *s, policy_eval *x)
{
    if (p->vars) return policy_eval_resource(x, p->text);
    if (!p->wild) return !strcmp(p->text, s);
    if (p->prefix) return !strncmp(p->text, s, p->lit);
    return !strncmp(p->text, s, p->lit) &&
           policy_wildcard_lit(p->text + p->lit, NULL, s + p->lit, false);
}

static bool any_pattern(const ps_pattern *ps, size_t n, const char *s, policy_eval *x)
{
    for (size_t i = 0; i < n; i++)
        if (pattern_matches(&ps[i], s, x)) return true;
    return false;
}

/* The statement applies to r; action is r's, lowercased (NULL when r has none). */
static bool statement_applies(const ps_statement *st, const policy_request *r, const char *action)
{
    policy_eval x = {.r = r, .vars = st->vars};
    if (st->has_action) {
        bool any = action && any_pattern(st->actions, st->n_actions, action, &x);
        if (st->not_action == any) return false;
    }
    if ((st->principal || st->not_principal) &&
        !policy_eval_principal(st->principal, st->not_principal, r))
        return false;
    if (st->has_resource && r->resource &&
        any_pattern(st->resources, st->n_resources, r->resource, &x) == st->not_resource)
        return false;
    if (st->condition && !policy_eval_conditions(st->condition, &x)) return false;
    return !x.unresolved; /* a variable without a value voids the statement */
}

typedef struct candidates {
    const ps_bucket *lists[3];
    size_t n;
} candidates;

static void candidates_of(const policy_set *s, const char *action, candidates *c)
{
    c->n = 0;
    c->lists[c->n++] = &s->general;
    const char *colon = action ? strchr(action, ':') : NULL;
    if (!colon) return;
    size_t len = (size_t)(colon - action);
    const ps_bucket *b = bucket_find(s, action, len, '*');
    if (b) c->lists[c->n++] = b;
    if (colon[1] && (b = bucket_find(s, action, len, colon[1]))) c->lists[c->n++] = b;
}

/* Lowercases action into buf (n bytes) or, when it does not fit, into a new allocation
 * that *heap owns. */
static const char *lowered(const char *action, char *buf, size_t n, char **heap)
{
    *heap = NULL;
    if (!action) return NULL;
    size_t len = strlen(action);
    char *d = len < n ? buf : (*heap = xmalloc(len + 1));
    for (size_t i = 0; i <= len; i++)
        d[i] = (char)tolower((unsigned char)action[i]);
    return d;
}

policy_decision policy_set_evaluate(const policy_set *s, const policy_request *r)
{
    if (!s || !s->n_statements) return POLICY_NO_MATCH;
    char buf[256], *heap;
    const char *action = lowered(r->action, buf, sizeof buf, &heap);
    candidates c;
    candidates_of(s, action, &c);
    bool allowed = false;
    policy_decision d = POLICY_NO_MATCH;
    for (size_t l = 0; l < c.n && d != POLICY_DENY; l++) {
        const ps_bucket *b = c.lists[l];
        for (size_t i = 0; i < b->n; i++) {
            const ps_statement *st = &s->statements[b->statements[i]];
            /* Once some statement allows, only a Deny can change the decision. */
            if ((allowed && !st->deny) || !statement_applies(st, r, action)) continue;
            if (st->deny) {
                d = POLICY_DENY;
                break;
            }
            allowed = true;
            d = POLICY_ALLOW;
        }
    }
    free(heap);
    return d;
}

size_t policy_set_statements(const policy_set *s)
{
    return s ? s->n_statements : 0;
}

size_t policy_set_candidates(const policy_set *s, const char *action)
{
    if (!s) return 0;
    char buf[256], *heap;
    const char *a = lowered(action, buf, sizeof buf, &heap);
    candidates c;
    candidates_of(s, a, &c);
    size_t n = 0;
    for (size_t l = 0; l < c.n; l++)
        n += c.lists[l]->n;
    free(heap);
    return n;
}
