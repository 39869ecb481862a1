/* call_authz: the authorization step of every call (svc/service.h), over the policy
 * engine (policy/authz_subject.h). The caller's subject comes from the server's cache
 * (policy/authz_cache.h) at the first decision of a call that needs it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/authz_context.h"
#include "svc/service.h"

const authz_subject *call_subject(call_ctx *c)
{
    if (!c->subject) {
        const iam_data *iam = c->env ? c->env->iam : NULL;
        c->subject = authz_cache_get(c->env ? c->env->subjects : NULL, c->db, iam, c->caller);
        c->n_session_policies =
            authz_session_policies_load(c->db, iam, c->caller, &c->session_policies);
    }
    return c->subject;
}

void call_context_globals(call_ctx *c, authz_context *x)
{
    authz_request_facts f = {
        .source_ip = c->http ? c->http->remote_ip : NULL,
        .region = c->region,
        .now_ms = c->now_ms,
    };
    authz_context_add_globals(x, c->caller, call_subject(c), &f);
}

const char *call_caller_arn(const call_ctx *c)
{
    return c->caller->arn;
}

authz_result call_decide(call_ctx *c, const authz_target *target, authz_input *in)
{
    const authz_subject *s = call_subject(c);
    authz_target t = *target;
    if (!t.resource) t.resource = "*";
    t.session = (const json_t *const *)c->session_policies;
    t.n_session = c->n_session_policies;
    /* An account's root acting in its own account, where no SCP and no resource policy
     * can say anything: allowed, without building a context nobody reads (R3). */
    bool own = !t.resource_account || !strcmp(t.resource_account, c->caller->account_id);
    authz_context x = AUTHZ_CONTEXT_INIT;
    if (s->type == AUTHZ_ROOT && !s->scps_apply && !t.resource_policy && own) {
        t.context = authz_context_kv(&x);
        return authz_subject_decide(s, c->caller, &t, in);
    }
    call_context_globals(c, &x);
    authz_context_add_list(&x, target->context);
    t.context = authz_context_kv(&x);
    authz_result r = authz_subject_decide(s, c->caller, &t, in);
    /* The input must not point at the context once it is freed. */
    in->request.context = NULL;
    authz_context_free(&x);
    return r;
}

int call_authorize(call_ctx *c, const char *action, const char *resource,
                   const char *resource_account, const json_t *resource_policy,
                   const char *const *extra)
{
    authz_target t = {
        .action = action,
        .resource = resource,
        .resource_account = resource_account,
        .resource_policy = resource_policy,
        .context = extra,
    };
    authz_input in;
    authz_result r = call_decide(c, &t, &in);
    if (r.decision == AUTHZ_ALLOW) return 0;
    char msg[2048];
    const struct service_def *svc = c->svc;
    if (svc && (svc->flags & SVC_DENIAL_QUOTES_RESOURCE))
        authz_message_s3(&in, r, call_caller_arn(c), msg, sizeof msg);
    else
        authz_message(&in, r, call_caller_arn(c), msg, sizeof msg);
    int status = svc && svc->denied_status ? svc->denied_status : 400;
    const char *code = svc && svc->denied_code ? svc->denied_code : "AccessDeniedException";
    aws_fail(&c->err, status, code, "%s", msg);
    return -1;
}

void call_release(call_ctx *c)
{
    authz_cache_release(c->env ? c->env->subjects : NULL, c->subject);
    c->subject = NULL;
    for (size_t i = 0; i < c->n_session_policies; i++)
        json_decref(c->session_policies[i]);
    free(c->session_policies);
    c->session_policies = NULL;
    c->n_session_policies = 0;
}
