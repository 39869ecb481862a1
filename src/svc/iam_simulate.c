/* IAM SimulateCustomPolicy: the policy engine (policy/authorize.h) answering "would these
 * policies allow these actions on these resources?", as the IAM policy simulator does.
 *
 * The simulated principal is an IAM user: CallerArn when given (it must be a user ARN,
 * and is required with a ResourcePolicy so that its Principal element can match), else
 * a user of the caller's account. ResourceOwner (arn:aws:iam::ACCOUNT:root) owns the
 * simulated resources; by default the principal's account does. One EvaluationResult
 * per action, whose EvalDecision is the most restrictive across the resources, each of
 * which has its ResourceSpecificResults entry (AWS's current shape). */
#include <stdio.h>
#include <string.h>

#include "policy/authorize.h"
#include "svc/iam_internal.h"

#define SIM_MAX_POLICIES 64
#define SIM_MAX_CONTEXT 256

typedef struct simulation {
    json_t *identity[SIM_MAX_POLICIES];
    size_t n_identity;
    json_t *boundary, *resource_policy;
    const char *context[SIM_MAX_CONTEXT * 2 + 1];
    char principal_arn[700], principal_account[13], resource_account[13];
} simulation;

static void simulation_free(simulation *s)
{
    for (size_t i = 0; i < s->n_identity; i++)
        json_decref(s->identity[i]);
    json_decref(s->boundary);
    json_decref(s->resource_policy);
}

/* The account of an ARN "arn:aws:SERVICE::ACCOUNT:..." (IAM ARNs have no region). */
static bool arn_account(const char *arn, const char *service, char out[13])
{
    char prefix[32];
    snprintf(prefix, sizeof prefix, "arn:aws:%s::", service);
    size_t n = strlen(prefix);
    if (strncmp(arn, prefix, n)) return false;
    const char *a = arn + n;
    for (int i = 0; i < 12; i++)
        if (a[i] < '0' || a[i] > '9') return false;
    if (a[12] != ':') return false;
    memcpy(out, a, 12);
    out[12] = '\0';
    return true;
}

/* A policy to simulate: the model bounds its size (131,072 characters, as IAM's
 * simulator does), not the limits of stored customer policies. */
static json_t *simulated_policy(call_ctx *c, const char *text)
{
    json_t *doc = text ? json_loads(text, JSON_REJECT_DUPLICATES, NULL) : NULL;
    if (!doc) {
        aws_fail(&c->err, 400, "InvalidInput", "This policy contains invalid Json");
        return NULL;
    }
    json_t *p = policy_from_document(doc, POLICY_IDENTITY, "InvalidInput", &c->err);
    json_decref(doc);
    return p;
}

static int parse_list(call_ctx *c, const char *member, simulation *s, bool boundary)
{
    const json_t *list = json_object_get(c->in, member);
    if (json_array_size(list) > SIM_MAX_POLICIES)
        return aws_fail(&c->err, 400, "InvalidInput", "At most %d policies can be simulated.",
                        SIM_MAX_POLICIES);
    if (boundary && json_array_size(list) > 1)
        return aws_fail(&c->err, 400, "InvalidInput",
                        "Only one permissions boundary policy can be simulated.");
    size_t i;
    json_t *text;
    json_array_foreach(list, i, text)
    {
        json_t *p = simulated_policy(c, json_string_value(text));
        if (!p) return -1;
        if (boundary)
            s->boundary = p;
        else
            s->identity[s->n_identity++] = p;
    }
    return 0;
}

static int read_context(call_ctx *c, simulation *s)
{
    size_t n = 0, i, k;
    json_t *entry, *v;
    json_array_foreach(json_object_get(c->in, "ContextEntries"), i, entry)
    {
        const char *key = json_string_value(json_object_get(entry, "ContextKeyName"));
        if (!key) continue;
        json_array_foreach(json_object_get(entry, "ContextKeyValues"), k, v)
        {
            if (n >= SIM_MAX_CONTEXT * 2)
                return aws_fail(&c->err, 400, "InvalidInput",
                                "At most %d context values can be simulated.", SIM_MAX_CONTEXT);
            s->context[n++] = key;
            s->context[n++] = json_string_value(v);
        }
    }
    s->context[n] = NULL;
    return 0;
}

static int prepare(call_ctx *c, simulation *s)
{
    if (parse_list(c, "PolicyInputList", s, false) ||
        parse_list(c, "PermissionsBoundaryPolicyInputList", s, true) || read_context(c, s))
        return -1;
    const char *caller = in_str(c, "CallerArn");
    const char *resource_policy = in_str(c, "ResourcePolicy");
    const char *owner = in_str(c, "ResourceOwner");
    if (caller) {
        if (!arn_account(caller, "iam", s->principal_account) ||
            strncmp(caller + strlen("arn:aws:iam::") + 13, "user/", 5))
            return aws_fail(&c->err, 400, "InvalidInput",
                            "CallerArn must be the ARN of an IAM user: %.700s", caller);
        snprintf(s->principal_arn, sizeof s->principal_arn, "%s", caller);
    } else {
        if (resource_policy)
            return aws_fail(&c->err, 400, "InvalidInput",
                            "CallerArn is required when a ResourcePolicy is simulated, so that "
                            "its Principal element has a principal to match.");
        snprintf(s->principal_account, sizeof s->principal_account, "%s", c->caller->account_id);
        snprintf(s->principal_arn, sizeof s->principal_arn, "arn:aws:iam::%s:user/simulated",
                 s->principal_account);
    }
    if (owner) {
        if (!arn_account(owner, "iam", s->resource_account) ||
            strcmp(owner + strlen("arn:aws:iam::") + 13, "root"))
            return aws_fail(&c->err, 400, "InvalidInput",
                            "ResourceOwner must be an account ARN, arn:aws:iam::ACCOUNT:root: "
                            "%.700s",
                            owner);
    } else {
        snprintf(s->resource_account, sizeof s->resource_account, "%s", s->principal_account);
    }
    if (resource_policy) {
        s->resource_policy =
            policy_parse(resource_policy, POLICY_RESOURCE, "InvalidInput", NULL, &c->err);
        if (!s->resource_policy) return -1;
    }
    return 0;
}

static const char *decision_name(authz_decision d)
{
    return d == AUTHZ_ALLOW           ? "allowed"
           : d == AUTHZ_EXPLICIT_DENY ? "explicitDeny"
                                      : "implicitDeny";
}

/* explicitDeny over implicitDeny over allowed. */
static int restrictiveness(authz_decision d)
{
    return d == AUTHZ_EXPLICIT_DENY ? 2 : d == AUTHZ_IMPLICIT_DENY ? 1 : 0;
}

#define SIM_MAX_MISSING 64

/* MissingContextValues of one simulated request: the condition keys the applicable
 * statements of the simulated policies test and the context entries do not give. */
static json_t *missing_context(const simulation *s, const policy_request *r)
{
    const char *keys[SIM_MAX_MISSING];
    size_t n = 0;
    for (size_t i = 0; i < s->n_identity; i++)
        n = policy_missing_keys(s->identity[i], r, keys, n, SIM_MAX_MISSING);
    if (s->boundary) n = policy_missing_keys(s->boundary, r, keys, n, SIM_MAX_MISSING);
    if (s->resource_policy)
        n = policy_missing_keys(s->resource_policy, r, keys, n, SIM_MAX_MISSING);
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(out, json_string(keys[i]));
    return out;
}

static json_t *evaluate_action(const simulation *s, const char *action, const json_t *resources)
{
    authz_input in = {
        .request = {.action = action,
                    .principal_account = s->principal_account,
                    .principal_arn = s->principal_arn,
                    .context = s->context},
        .principal_type = AUTHZ_USER,
        .resource_account = s->resource_account,
        .identity = (const json_t *const *)s->identity,
        .n_identity = s->n_identity,
        .resource_policy = s->resource_policy,
        .boundary = s->boundary,
    };
    json_t *specific = json_array();
    authz_decision worst = AUTHZ_ALLOW;
    bool boundary_allows = true;
    size_t i;
    json_t *r;
    json_array_foreach(resources, i, r)
    {
        in.request.resource = json_string_value(r);
        authz_result res = authorize(&in);
        if (restrictiveness(res.decision) > restrictiveness(worst)) worst = res.decision;
        if (s->boundary && policy_evaluate(s->boundary, &in.request) != POLICY_ALLOW)
            boundary_allows = false;
        json_array_append_new(specific,
                              json_pack("{s:s, s:s, s:o}", "EvalResourceName", in.request.resource,
                                        "EvalResourceDecision", decision_name(res.decision),
                                        "MissingContextValues", missing_context(s, &in.request)));
    }
    json_t *out = json_pack("{s:s, s:s, s:s, s:o}", "EvalActionName", action, "EvalResourceName",
                            json_string_value(json_array_get(resources, 0)), "EvalDecision",
                            decision_name(worst), "ResourceSpecificResults", specific);
    /* For the "*" resource (no ResourceArns) the keys are the result's own; with a list
     * of resources they are each resource's (IAM API reference, EvaluationResult). */
    if (json_array_size(resources) == 1 &&
        !strcmp(json_string_value(json_array_get(resources, 0)), "*")) {
        in.request.resource = "*";
        json_object_set_new(out, "MissingContextValues", missing_context(s, &in.request));
    }
    if (s->boundary)
        json_object_set_new(out, "PermissionsBoundaryDecisionDetail",
                            json_pack("{s:b}", "AllowedByPermissionsBoundary", boundary_allows));
    return out;
}

int iam_simulate_custom_policy(call_ctx *c)
{
    simulation s;
    memset(&s, 0, sizeof s);
    if (prepare(c, &s)) {
        simulation_free(&s);
        return -1;
    }
    json_t *resources = json_object_get(c->in, "ResourceArns");
    json_t *all = json_array_size(resources) ? NULL : json_pack("[s]", "*");
    json_t *results = json_array();
    size_t i;
    json_t *action;
    json_array_foreach(json_object_get(c->in, "ActionNames"), i, action) json_array_append_new(
        results, evaluate_action(&s, json_string_value(action), all ? all : resources));
    json_decref(all);
    simulation_free(&s);
    return iam_page(c, results, "EvaluationResults", "EvalActionName", false);
}
