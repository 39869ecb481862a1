#include "policy/authorize.h"

#include <stdio.h>
#include <string.h>

/* The decision of a set of policies taken together: Deny when any denies, else Allow
 * when any allows, else no match. Each policy is evaluated once (a Deny stops early). */
static policy_decision set_decision(const json_t *const *policies, size_t n,
                                    const policy_request *r)
{
    policy_decision d = POLICY_NO_MATCH;
    for (size_t i = 0; i < n; i++) {
        if (!policies[i]) continue;
        policy_decision p = policy_evaluate(policies[i], r);
        if (p == POLICY_DENY) return POLICY_DENY;
        if (p == POLICY_ALLOW) d = POLICY_ALLOW;
    }
    return d;
}

static authz_result result(authz_decision d, authz_policy_kind by)
{
    return (authz_result){d, by};
}

/* A kind's decision from its compiled set when there is one, else from its documents. */
static policy_decision kind_decision(const policy_set *compiled, const json_t *const *policies,
                                     size_t n, const policy_request *r)
{
    return compiled ? policy_set_evaluate(compiled, r) : set_decision(policies, n, r);
}

/* The resource policy's decision when only the given forms of the principal may match. */
static policy_decision resource_decision(const authz_input *in, unsigned forms)
{
    if (!in->resource_policy) return POLICY_NO_MATCH;
    policy_request r = in->request;
    r.principal_forms = forms;
    const policy_set *c = in->compiled ? in->compiled->resource : NULL;
    return kind_decision(c, &in->resource_policy, 1, &r);
}

/* Every policy kind's decision, each computed once: the rules below only combine them. */
typedef struct decisions {
    policy_decision resource, identity, boundary, session;
    bool scp_denies, scps_allow; /* some level denies; every level allows */
} decisions;

static void decide_all(const authz_input *in, const policy_request *r, bool scps, decisions *d)
{
    d->scp_denies = false;
    d->scps_allow = true;
    const authz_compiled *c = in->compiled;
    for (size_t i = 0; scps && i < in->n_scp_levels && !d->scp_denies; i++) {
        const policy_set *level = c && i < c->n_scp ? c->scp[i] : NULL;
        policy_decision l = kind_decision(level, in->scp[i].policies, in->scp[i].n, r);
        d->scp_denies = l == POLICY_DENY;
        if (l != POLICY_ALLOW) d->scps_allow = false;
    }
    d->resource = resource_decision(in, 0);
    bool has_identity = in->principal_type != AUTHZ_ROOT && in->principal_type != AUTHZ_SERVICE;
    d->identity = has_identity
                      ? kind_decision(c ? c->identity : NULL, in->identity, in->n_identity, r)
                      : POLICY_NO_MATCH;
    d->boundary =
        in->boundary ? kind_decision(c ? c->boundary : NULL, &in->boundary, 1, r) : POLICY_NO_MATCH;
    d->session = kind_decision(c ? c->session : NULL, in->session, in->n_session, r);
}

void authz_compile(const authz_input *in, authz_compiled *c)
{
    memset(c, 0, sizeof *c);
    c->identity = policy_set_build_alloc(in->identity, in->n_identity);
    if (in->resource_policy) c->resource = policy_set_build_alloc(&in->resource_policy, 1);
    if (in->boundary) c->boundary = policy_set_build_alloc(&in->boundary, 1);
    /* A kind without policies gets no set: a subject's compiled policies then leave
     * each request's own session policies (authz_subject.h) to be read. */
    if (in->n_session) c->session = policy_set_build_alloc(in->session, in->n_session);
    for (size_t i = 0; i < in->n_scp_levels && i < AUTHZ_MAX_SCP_LEVELS; i++)
        c->scp[c->n_scp++] = policy_set_build_alloc(in->scp[i].policies, in->scp[i].n);
}

void authz_compiled_clear(authz_compiled *c)
{
    policy_set_free(c->identity);
    policy_set_free(c->resource);
    policy_set_free(c->boundary);
    policy_set_free(c->session);
    for (size_t i = 0; i < c->n_scp; i++)
        policy_set_free(c->scp[i]);
    memset(c, 0, sizeof *c);
}

/* R1: the first explicit Deny, in the order AWS reports them. */
static authz_policy_kind explicit_deny(const decisions *d)
{
    if (d->scp_denies) return AUTHZ_BY_SCP;
    if (d->resource == POLICY_DENY) return AUTHZ_BY_RESOURCE;
    if (d->identity == POLICY_DENY) return AUTHZ_BY_IDENTITY;
    if (d->boundary == POLICY_DENY) return AUTHZ_BY_BOUNDARY;
    if (d->session == POLICY_DENY) return AUTHZ_BY_SESSION;
    return AUTHZ_BY_NONE;
}

/* R7 and R8: what limits the principal's own permissions. */
static authz_result limits(const authz_input *in, const decisions *d)
{
    if (in->boundary && d->boundary != POLICY_ALLOW)
        return result(AUTHZ_IMPLICIT_DENY, AUTHZ_BY_BOUNDARY);
    if (in->n_session && d->session != POLICY_ALLOW)
        return result(AUTHZ_IMPLICIT_DENY, AUTHZ_BY_SESSION);
    return result(AUTHZ_ALLOW, AUTHZ_BY_IDENTITY);
}

authz_result authorize(const authz_input *in)
{
    policy_request r = in->request;
    r.principal_forms = 0;
    bool service = in->principal_type == AUTHZ_SERVICE;
    bool scps = in->scps_apply && !service;
    decisions d;
    decide_all(in, &r, scps, &d);

    authz_policy_kind denied = explicit_deny(&d);
    if (denied != AUTHZ_BY_NONE) return result(AUTHZ_EXPLICIT_DENY, denied);
    if (scps && !d.scps_allow) return result(AUTHZ_IMPLICIT_DENY, AUTHZ_BY_SCP);

    if (service) /* R9 */
        return d.resource == POLICY_ALLOW ? result(AUTHZ_ALLOW, AUTHZ_BY_RESOURCE)
                                          : result(AUTHZ_IMPLICIT_DENY, AUTHZ_BY_RESOURCE);

    bool root = in->principal_type == AUTHZ_ROOT;
    bool same_account = !in->resource_account || !in->request.principal_account ||
                        !strcmp(in->resource_account, in->request.principal_account);
    bool identity_allows = root || d.identity == POLICY_ALLOW;

    if (in->resource_must_allow && d.resource != POLICY_ALLOW) /* R10 */
        return result(AUTHZ_IMPLICIT_DENY, AUTHZ_BY_RESOURCE);
    if (same_account) {
        if (root) return result(AUTHZ_ALLOW, AUTHZ_BY_NONE); /* R3 */
        if (d.resource == POLICY_ALLOW &&
            resource_decision(in, PRINCIPAL_FORM_SELF) == POLICY_ALLOW) /* R4 */
            return result(AUTHZ_ALLOW, AUTHZ_BY_RESOURCE);
        bool via_role = d.resource == POLICY_ALLOW &&
                        resource_decision(in, PRINCIPAL_FORM_ROLE) == POLICY_ALLOW;
        if (!identity_allows && !via_role) /* R5 */
            return result(AUTHZ_IMPLICIT_DENY, AUTHZ_BY_IDENTITY);
        authz_result l = limits(in, &d);
        if (l.decision == AUTHZ_ALLOW && !identity_allows) l.by = AUTHZ_BY_RESOURCE;
        return l;
    }
    /* R6 */
    if (d.resource != POLICY_ALLOW) return result(AUTHZ_IMPLICIT_DENY, AUTHZ_BY_RESOURCE);
    if (!identity_allows) return result(AUTHZ_IMPLICIT_DENY, AUTHZ_BY_IDENTITY);
    if (root) return result(AUTHZ_ALLOW, AUTHZ_BY_RESOURCE);
    return limits(in, &d);
}

static const char *kind_phrase(authz_policy_kind k)
{
    switch (k) {
    case AUTHZ_BY_RESOURCE:
        return "resource-based policy";
    case AUTHZ_BY_SCP:
        return "service control policy";
    case AUTHZ_BY_BOUNDARY:
        return "permissions boundary";
    case AUTHZ_BY_SESSION:
        return "session policy";
    default:
        return "identity-based policy";
    }
}

static void message(const authz_input *in, authz_result r, const char *caller_arn, bool quoted,
                    char *out, size_t n)
{
    const char *action = in->request.action ? in->request.action : "";
    char on[1200] = "";
    if (in->request.resource && strcmp(in->request.resource, "*"))
        snprintf(on, sizeof on, quoted ? " on resource: \"%s\"" : " on resource: %s",
                 in->request.resource);
    const char *kind = kind_phrase(r.by);
    if (r.decision == AUTHZ_EXPLICIT_DENY) {
        /* "an identity-based policy", "a service control policy", ... */
        const char *article = kind[0] == 'i' ? "an" : "a";
        snprintf(out, n,
                 "User: %s is not authorized to perform: %s%s with an explicit deny in %s %s",
                 caller_arn, action, on, article, kind);
    } else {
        snprintf(out, n,
                 "User: %s is not authorized to perform: %s%s because no %s allows the %s action",
                 caller_arn, action, on, kind, action);
    }
}

void authz_message(const authz_input *in, authz_result r, const char *caller_arn, char *out,
                   size_t n)
{
    message(in, r, caller_arn, false, out, n);
}

void authz_message_s3(const authz_input *in, authz_result r, const char *caller_arn, char *out,
                      size_t n)
{
    message(in, r, caller_arn, true, out, n);
}

const char *authz_decision_name(authz_decision d)
{
    return d == AUTHZ_ALLOW           ? "allow"
           : d == AUTHZ_EXPLICIT_DENY ? "explicit-deny"
                                      : "implicit-deny";
}

const char *authz_kind_name(authz_policy_kind k)
{
    static const char *const names[] = {"none", "identity", "resource",
                                        "scp",  "boundary", "session"};
    return (unsigned)k < sizeof names / sizeof *names ? names[k] : "none";
}
