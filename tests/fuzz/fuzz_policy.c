/* fuzz_policy: IAM policy documents: policy_parse for each policy kind, then
 * policy_evaluate against a request described by the input.
 *
 * Input: "name=value" lines, an empty line, then the policy JSON. Names: kind (resource,
 * trust, identity, scp), bucket (a bucket ARN for resource policies), action, resource,
 * account, arn, session, service, and ctx=key=value (repeatable; condition context).
 * Properties: a parsed policy evaluates without crashing, to one of the three decisions;
 * policy_wildcard matches any text against itself and against "*"; and authorize
 * (policy/authorize.h) agrees with the single policy's decision wherever the document is
 * placed: as a user's only identity policy, as a boundary, an SCP or a session policy
 * beside an Allow-everything identity policy (a Deny is an explicit deny, an Allow
 * allows, no match is an implicit deny by that kind of policy), the root user is never
 * limited by identity policies, and a resource policy's Deny is always an explicit deny;
 * the policy compiled into a policy_set (policy/policy_set.h) decides as the interpreter. */
#include <strings.h>

#include "fuzz_common.h"
#include "policy/authorize.h"
#include "policy/policy.h"
#include "policy/policy_set.h"

#define MAX_CTX 32

/* The decision authorize must reach when pol, deciding d alone, is the one policy of
 * its kind that matters. */
static authz_decision expected(policy_decision d)
{
    return d == POLICY_DENY    ? AUTHZ_EXPLICIT_DENY
           : d == POLICY_ALLOW ? AUTHZ_ALLOW
                               : AUTHZ_IMPLICIT_DENY;
}

/* The compiled set (policy_set.h) decides as the interpreter: for the policy alone, and
 * for the policy beside a second copy of itself (a set is the policies' union). */
static void check_compiled(const json_t *pol, const policy_request *req, policy_decision d)
{
    const json_t *two[2] = {pol, pol};
    for (size_t n = 1; n <= 2; n++) {
        policy_set *s = policy_set_build_alloc(two, n);
        policy_decision c = policy_set_evaluate(s, req);
        if (policy_set_candidates(s, req->action) > policy_set_statements(s) * 3) abort();
        policy_set_free(s);
        if (c != d) abort();
    }
}

static void check_authorize(const json_t *pol, policy_kind kind, const policy_request *req,
                            policy_decision d)
{
    static json_t *allow_all;
    if (!allow_all) {
        aws_error e;
        allow_all = policy_parse(
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\","
            "\"Resource\":\"*\"}]}",
            POLICY_IDENTITY, "MalformedPolicyDocument", NULL, &e);
        if (!allow_all) abort();
    }
    const json_t *one[1] = {pol}, *all[1] = {allow_all};
    /* A user of the request's own account (principal_session_arn unset). */
    authz_input in = {.request = *req, .principal_type = AUTHZ_USER};
    in.request.principal_session_arn = NULL;
    in.request.principal_service = NULL;
    if (kind == POLICY_IDENTITY || kind == POLICY_SCP) {
        in.identity = one;
        in.n_identity = 1;
        if (authorize(&in).decision != expected(d)) abort();
        in.principal_type = AUTHZ_ROOT;
        if (authorize(&in).decision != AUTHZ_ALLOW) abort(); /* R3 */
        in.principal_type = AUTHZ_USER;

        in.identity = all;
        in.boundary = pol;
        authz_result r = authorize(&in);
        if (r.decision != expected(d) || (d != POLICY_ALLOW && r.by != AUTHZ_BY_BOUNDARY)) abort();
        in.boundary = NULL;

        authz_scp_level level = {one, 1};
        in.scp = &level;
        in.n_scp_levels = 1;
        in.scps_apply = true;
        r = authorize(&in);
        if (r.decision != expected(d) || (d != POLICY_ALLOW && r.by != AUTHZ_BY_SCP)) abort();
        in.scps_apply = false;
        if (authorize(&in).decision != AUTHZ_ALLOW) abort(); /* not a member account */
        in.scp = NULL;
        in.n_scp_levels = 0;

        in.session = one;
        in.n_session = 1;
        r = authorize(&in);
        if (r.decision != expected(d) || (d != POLICY_ALLOW && r.by != AUTHZ_BY_SESSION)) abort();
    } else {
        in.resource_policy = pol;
        in.identity = all;
        in.n_identity = 1;
        policy_request any_form = *req;
        any_form.principal_session_arn = NULL;
        any_form.principal_service = NULL;
        bool denies = policy_evaluate(pol, &any_form) == POLICY_DENY;
        if (denies != (authorize(&in).decision == AUTHZ_EXPLICIT_DENY)) abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data, *end = data + size, *line;
    char *owned[16 + 2 * MAX_CTX];
    size_t n_owned = 0;
    const char *ctx[2 * MAX_CTX + 1];
    size_t n_ctx = 0;
    policy_kind kind = POLICY_RESOURCE;
    const char *bucket = NULL;
    policy_request req = {.action = "s3:GetObject", .resource = "arn:aws:s3:::b/k"};

    while (p < end) {
        size_t n = fuzz_line(&p, end, &line);
        if (n == 0) break;
        const uint8_t *eq = memchr(line, '=', n);
        if (!eq || n_owned >= sizeof owned / sizeof *owned - 2) continue;
        size_t kl = (size_t)(eq - line);
        char *v = fuzz_strndup(eq + 1, n - kl - 1);
        owned[n_owned++] = v;
        if (kl == 4 && !memcmp(line, "kind", 4)) {
            kind = !strcmp(v, "trust")      ? POLICY_TRUST
                   : !strcmp(v, "identity") ? POLICY_IDENTITY
                   : !strcmp(v, "scp")      ? POLICY_SCP
                                            : POLICY_RESOURCE;
        } else if (kl == 6 && !memcmp(line, "bucket", 6))
            bucket = v;
        else if (kl == 6 && !memcmp(line, "action", 6))
            req.action = v;
        else if (kl == 8 && !memcmp(line, "resource", 8))
            req.resource = v;
        else if (kl == 7 && !memcmp(line, "account", 7))
            req.principal_account = v;
        else if (kl == 3 && !memcmp(line, "arn", 3))
            req.principal_arn = v;
        else if (kl == 7 && !memcmp(line, "session", 7))
            req.principal_session_arn = v;
        else if (kl == 7 && !memcmp(line, "service", 7))
            req.principal_service = v;
        else if (kl == 3 && !memcmp(line, "ctx", 3) && n_ctx < 2 * MAX_CTX) {
            char *e2 = strchr(v, '=');
            if (e2) {
                *e2 = '\0';
                ctx[n_ctx++] = v;
                ctx[n_ctx++] = e2 + 1;
            }
        }
    }
    ctx[n_ctx] = NULL;
    req.context = ctx;

    char *text = fuzz_strndup(p, (size_t)(end - p));
    aws_error e;
    aws_error_clear(&e);
    json_t *pol = policy_parse(text, kind, "MalformedPolicy", bucket, &e);
    if (pol) {
        policy_decision d = policy_evaluate(pol, &req);
        if (d != POLICY_NO_MATCH && d != POLICY_ALLOW && d != POLICY_DENY) abort();
        check_compiled(pol, &req, d);
        check_authorize(pol, kind, &req, d);
        const char *keys[16];
        size_t nk = policy_missing_keys(pol, &req, keys, 0, 16);
        for (size_t k = 0; k < nk; k++) /* absent from the context, and each once */
            for (size_t m = k + 1; m < nk; m++)
                if (!strcasecmp(keys[k], keys[m])) abort();
        json_decref(pol);
    } else if (!aws_error_set(&e)) {
        abort();
    }
    if (!policy_wildcard(text, text, false) || !policy_wildcard(text, text, true) ||
        !policy_wildcard("*", text, false))
        abort();
    free(text);
    for (size_t i = 0; i < n_owned; i++)
        free(owned[i]);
    return 0;
}
