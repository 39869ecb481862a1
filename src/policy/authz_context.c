#include "policy/authz_context.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "core/xalloc.h"

static char *copy(const char *s)
{
    char *d = strdup(s);
    if (!d) abort();
    return d;
}

void authz_context_add(authz_context *x, const char *key, const char *value)
{
    if (!key || !value) return;
    x->kv = xgrow(x->kv, &x->cap, x->n + 3, sizeof *x->kv);
    x->kv[x->n] = copy(key);
    x->kv[x->n + 1] = copy(value);
    x->n += 2;
    x->kv[x->n] = NULL;
}

void authz_context_add_list(authz_context *x, const char *const *kv)
{
    for (size_t i = 0; kv && kv[i] && kv[i + 1]; i += 2)
        authz_context_add(x, kv[i], kv[i + 1]);
}

static const char *principal_type_name(const principal *p)
{
    switch (p->kind) {
    case PRINCIPAL_ROOT:
        return "Account";
    case PRINCIPAL_IAM_USER:
        return "User";
    case PRINCIPAL_ASSUMED_ROLE:
        return "AssumedRole";
    default:
        return NULL;
    }
}

void authz_context_add_globals(authz_context *x, const principal *p, const authz_subject *s,
                               const authz_request_facts *f)
{
    bool role = p->kind == PRINCIPAL_ASSUMED_ROLE;
    if (p->kind != PRINCIPAL_SERVICE) {
        authz_context_add(x, "aws:PrincipalAccount", p->account_id);
        authz_context_add(x, "aws:PrincipalArn", role ? p->role_arn : p->arn);
        authz_context_add(x, "aws:PrincipalType", principal_type_name(p));
        authz_context_add(x, "aws:userid",
                          p->kind == PRINCIPAL_ROOT ? p->account_id : p->principal_id);
        if (p->kind == PRINCIPAL_IAM_USER) authz_context_add(x, "aws:username", p->user_name);
        authz_context_add(x, "aws:PrincipalIsAWSService", "false");
        if (s->org_id[0]) authz_context_add(x, "aws:PrincipalOrgID", s->org_id);
        if (role) authz_context_add(x, "aws:MultiFactorAuthPresent", "false");
    } else {
        authz_context_add(x, "aws:PrincipalIsAWSService", "true");
        authz_context_add(x, "aws:PrincipalServiceName", p->service);
    }
    size_t i;
    json_t *t;
    json_array_foreach(s->tags, i, t)
    {
        const char *k = json_string_value(json_object_get(t, "Key"));
        char key[192];
        snprintf(key, sizeof key, "aws:PrincipalTag/%s", k ? k : "");
        authz_context_add(x, key, json_string_value(json_object_get(t, "Value")));
    }
    authz_context_add(x, "aws:ViaAWSService", "false");
    if (f->source_ip && f->source_ip[0]) authz_context_add(x, "aws:SourceIp", f->source_ip);
    authz_context_add(x, "aws:RequestedRegion", f->region);
    char now[32], epoch[24];
    time_iso8601(f->now_ms, now, sizeof now);
    snprintf(epoch, sizeof epoch, "%" PRId64, f->now_ms / 1000);
    authz_context_add(x, "aws:CurrentTime", now);
    authz_context_add(x, "aws:EpochTime", epoch);
}

const char *const *authz_context_kv(const authz_context *x)
{
    static const char *const empty[] = {NULL};
    return x->kv ? (const char *const *)x->kv : empty;
}

void authz_context_free(authz_context *x)
{
    for (size_t i = 0; i < x->n; i++)
        free(x->kv[i]);
    free(x->kv);
    memset(x, 0, sizeof *x);
}
