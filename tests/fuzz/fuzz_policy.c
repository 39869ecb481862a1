/* fuzz_policy: IAM policy documents: policy_parse for each policy kind, then
 * policy_evaluate against a request described by the input.
 *
 * Input: "name=value" lines, an empty line, then the policy JSON. Names: kind (resource,
 * trust, identity, scp), bucket (a bucket ARN for resource policies), action, resource,
 * account, arn, session, service, and ctx=key=value (repeatable; condition context).
 * Properties: a parsed policy evaluates without crashing, to one of the three decisions;
 * policy_wildcard matches any text against itself and against "*". */
#include "fuzz_common.h"
#include "policy/policy.h"

#define MAX_CTX 32

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
