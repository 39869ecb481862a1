/* The policy evaluation conformance suite: every case in the JSON files of tests/data/policy/, run
 * by this one loop through policy/authorize.h.
 *
 * A file is {"about": "...", "defaults": {...}, "cases": [...]}; a case is the defaults
 * with its own members on top (shallow). Members:
 *   name, rule           what it pins and why: the rule of policy/authorize.h and the
 *                        AWS documentation it comes from (required, never empty)
 *   principal            {"type": "root|user|role|service", "arn", "account",
 *                         "role_arn" (for a role session), "service"}
 *   action, resource, resource_account
 *   context              {"key": "value" or ["v1", "v2"]}: the request's condition keys
 *   scps_apply           true for a member account's principal
 *   identity             [policy, ...]; resource_policy; boundary; session [policy, ...]
 *   managed              [ARN, ...]: AWS managed policies (data/iam/, policy/iam_data.h)
 *                        attached besides the identity policies; boundary_managed: an
 *                        AWS managed policy as the permissions boundary
 *   trust                true when resource_policy is a role trust policy (the resource
 *                        is the role; sts:AssumeRole and the like)
 *   scp                  [[policies of the root], [of an OU], ..., [of the account]]
 *   expect               "allow", "explicit-deny" or "implicit-deny"
 *   by                   which kind decided ("identity", "resource", "scp", "boundary",
 *                        "session", "none"); checked when given
 *   message              the exact AccessDenied message; checked when given
 * Policies are documents (objects) and go through policy_parse first, as stored ones do:
 * a case whose policy would be refused fails. Each case is decided twice, from the
 * documents and from the policies compiled (policy_set.h): the two must agree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/authorize.h"
#include "policy/iam_data.h"
#include "testenv.h"

#define MAX_POLICIES 64
#define MAX_LEVELS 8
#define MAX_CONTEXT 64

typedef struct loaded {
    json_t *owned[MAX_POLICIES * 3];
    size_t n_owned;
    const json_t *identity[MAX_POLICIES], *session[MAX_POLICIES];
    const json_t *scp[MAX_LEVELS][MAX_POLICIES];
    authz_scp_level levels[MAX_LEVELS];
    const char *context[MAX_CONTEXT * 2 + 1];
} loaded;

static const char *str(const json_t *c, const char *k)
{
    return json_string_value(json_object_get(c, k));
}

/* Parses one policy as orgtrail stores it, or fails the case. */
static const json_t *parse(loaded *l, const char *where, const json_t *doc, policy_kind kind)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    aws_error e;
    json_t *p = policy_parse(text, kind, "MalformedPolicyDocument", NULL, &e);
    if (!p) fail_msg("%s: policy refused: %s\n%s", where, e.message, text);
    free(text);
    assert_true(l->n_owned < sizeof l->owned / sizeof *l->owned);
    l->owned[l->n_owned++] = p;
    return p;
}

static size_t parse_list(loaded *l, const char *where, const json_t *list, policy_kind kind,
                         const json_t **out)
{
    size_t i;
    json_t *doc;
    assert_true(json_array_size(list) <= MAX_POLICIES);
    json_array_foreach(list, i, doc) out[i] = parse(l, where, doc, kind);
    return json_array_size(list);
}

static void fill_context(loaded *l, const json_t *ctx)
{
    size_t n = 0;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)ctx, key, v)
    {
        if (json_is_array(v)) {
            size_t i;
            json_t *x;
            json_array_foreach(v, i, x)
            {
                assert_true(n < MAX_CONTEXT * 2);
                l->context[n++] = key;
                l->context[n++] = json_string_value(x);
            }
        } else {
            assert_true(n < MAX_CONTEXT * 2);
            l->context[n++] = key;
            l->context[n++] = json_string_value(v);
        }
    }
    l->context[n] = NULL;
}

static authz_principal_type principal_type(const char *where, const char *t)
{
    if (!t || !strcmp(t, "user")) return AUTHZ_USER;
    if (!strcmp(t, "root")) return AUTHZ_ROOT;
    if (!strcmp(t, "role")) return AUTHZ_ROLE_SESSION;
    if (!strcmp(t, "service")) return AUTHZ_SERVICE;
    fail_msg("%s: unknown principal type %s", where, t);
    return AUTHZ_USER;
}

/* The document of an AWS managed policy the case names, or a failed case. */
static const json_t *managed(loaded *l, const iam_data *d, const char *where, const json_t *arn)
{
    const json_t *p = iam_data_managed_policy(d, json_string_value(arn));
    if (!p) fail_msg("%s: no AWS managed policy %s in data/iam/", where, json_string_value(arn));
    aws_error e;
    json_t *doc = policy_from_document(json_object_get(p, "Document"), POLICY_IDENTITY,
                                       "MalformedPolicyDocument", &e);
    if (!doc) fail_msg("%s: %s refused: %s", where, json_string_value(arn), e.message);
    assert_true(l->n_owned < sizeof l->owned / sizeof *l->owned);
    l->owned[l->n_owned++] = doc;
    return doc;
}

/* Runs one case, failing with its name and rule when it does not hold. */
static void run_case(const char *file, const json_t *c, const iam_data *d)
{
    char where[512];
    snprintf(where, sizeof where, "%s: %s", file, str(c, "name") ? str(c, "name") : "(no name)");
    assert_non_null(str(c, "name"));
    if (!str(c, "rule") || !str(c, "rule")[0]) fail_msg("%s: no rule cited", where);
    loaded l;
    memset(&l, 0, sizeof l);
    authz_input in;
    memset(&in, 0, sizeof in);
    const json_t *p = json_object_get(c, "principal");
    in.principal_type = principal_type(where, str(p, "type"));
    in.request.action = str(c, "action");
    in.request.resource = str(c, "resource");
    in.request.principal_account = str(p, "account");
    if (in.principal_type == AUTHZ_ROLE_SESSION) {
        in.request.principal_arn = str(p, "role_arn");
        in.request.principal_session_arn = str(p, "arn");
    } else {
        in.request.principal_arn = str(p, "arn");
    }
    in.request.principal_service = str(p, "service");
    fill_context(&l, json_object_get(c, "context"));
    in.request.context = l.context;
    in.resource_account = str(c, "resource_account");
    in.scps_apply = json_is_true(json_object_get(c, "scps_apply"));
    in.n_identity =
        parse_list(&l, where, json_object_get(c, "identity"), POLICY_IDENTITY, l.identity);
    size_t k;
    json_t *arn;
    json_array_foreach(json_object_get(c, "managed"), k, arn)
    {
        assert_true(in.n_identity < MAX_POLICIES);
        l.identity[in.n_identity++] = managed(&l, d, where, arn);
    }
    in.identity = l.identity;
    in.n_session = parse_list(&l, where, json_object_get(c, "session"), POLICY_IDENTITY, l.session);
    in.session = l.session;
    const json_t *rp = json_object_get(c, "resource_policy");
    policy_kind rk = json_is_true(json_object_get(c, "trust")) ? POLICY_TRUST : POLICY_RESOURCE;
    if (rp && !json_is_null(rp)) in.resource_policy = parse(&l, where, rp, rk);
    in.resource_must_allow = rk == POLICY_TRUST;
    const json_t *bd = json_object_get(c, "boundary");
    if (bd && !json_is_null(bd)) in.boundary = parse(&l, where, bd, POLICY_IDENTITY);
    const json_t *bm = json_object_get(c, "boundary_managed");
    if (bm) in.boundary = managed(&l, d, where, bm);
    const json_t *scp = json_object_get(c, "scp");
    assert_true(json_array_size(scp) <= MAX_LEVELS);
    size_t i;
    json_t *level;
    json_array_foreach(scp, i, level)
    {
        l.levels[i].n = parse_list(&l, where, level, POLICY_SCP, l.scp[i]);
        l.levels[i].policies = l.scp[i];
    }
    in.scp = l.levels;
    in.n_scp_levels = json_array_size(scp);

    authz_result r = authorize(&in);
    /* The same policies compiled (policy_set.h) must decide the same, by the same kind. */
    authz_compiled compiled;
    authz_compile(&in, &compiled);
    in.compiled = &compiled;
    authz_result rc = authorize(&in);
    in.compiled = NULL;
    authz_compiled_clear(&compiled);
    if (rc.decision != r.decision || rc.by != r.by)
        fail_msg("%s: compiled %s (by %s), interpreted %s (by %s)", where,
                 authz_decision_name(rc.decision), authz_kind_name(rc.by),
                 authz_decision_name(r.decision), authz_kind_name(r.by));
    const char *want = str(c, "expect");
    if (!want || strcmp(want, authz_decision_name(r.decision)))
        fail_msg("%s: expected %s, got %s (by %s)\n  rule: %s", where, want ? want : "(none)",
                 authz_decision_name(r.decision), authz_kind_name(r.by), str(c, "rule"));
    const char *by = str(c, "by");
    if (by && strcmp(by, authz_kind_name(r.by)))
        fail_msg("%s: expected the decision by %s, got %s\n  rule: %s", where, by,
                 authz_kind_name(r.by), str(c, "rule"));
    const char *msg = str(c, "message");
    if (msg) {
        char got[2048];
        authz_message(&in, r, str(p, "arn"), got, sizeof got);
        if (strcmp(msg, got)) fail_msg("%s: message\n  want: %s\n  got:  %s", where, msg, got);
    }
    for (size_t o = 0; o < l.n_owned; o++)
        json_decref(l.owned[o]);
}

static void policy_case(const char *file, const json_t *doc, const json_t *c, void *arg)
{
    const json_t *defaults = json_object_get(doc, "defaults");
    json_t *merged = defaults ? json_deep_copy(defaults) : json_object();
    json_object_update(merged, (json_t *)c);
    run_case(file, merged, arg);
    json_decref(merged);
}

static void test_conformance(void **state)
{
    (void)state;
    iam_data data;
    char err[256];
    assert_int_equal(iam_data_load(&data, err, sizeof err), 0);
    size_t cases = testenv_each_case("policy", policy_case, &data);
    iam_data_free(&data);
    print_message("policy conformance: %zu cases\n", cases);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conformance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
