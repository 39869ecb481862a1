/* orgtrail-authzbench: authorization decisions per second on one core, for the scenario
 * bench/authorize.py writes (a role session with many identity policies, an SCP tree, a
 * bucket policy, and a list of requests), through policy/authorize.h as the server will
 * call it: the policies compiled once (policy_set.h), and for comparison read from their
 * documents on each decision. Prints one JSON line: {"per_second": R,
 * "interpreted_per_second": R, "compile_us": T, "decisions_by_request": [...]} so the
 * driver can check both sides agree.
 *
 * Usage: orgtrail-authzbench SCENARIO.json SECONDS */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy/authorize.h"

#define MAX_POLICIES 256
#define MAX_LEVELS 8
#define MAX_REQUESTS 64
#define MAX_CONTEXT 64

typedef struct request {
    authz_input in;
    const char *context[MAX_CONTEXT * 2 + 1];
} request;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static json_t *parse_or_die(const json_t *doc, policy_kind kind)
{
    aws_error e;
    json_t *p = policy_from_document(doc, kind, "MalformedPolicyDocument", &e);
    if (!p) {
        fprintf(stderr, "authzbench: a scenario policy is refused: %s\n", e.message);
        exit(2);
    }
    return p;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: orgtrail-authzbench SCENARIO.json SECONDS\n");
        return 2;
    }
    json_error_t je;
    json_t *sc = json_load_file(argv[1], 0, &je);
    if (!sc) {
        fprintf(stderr, "authzbench: %s: %s\n", argv[1], je.text);
        return 2;
    }
    double seconds = atof(argv[2]);
    static const json_t *identity[MAX_POLICIES];
    size_t n_identity = 0, i;
    json_t *p;
    json_array_foreach(json_object_get(sc, "identityPolicies"), i, p) if (n_identity < MAX_POLICIES)
        identity[n_identity++] = parse_or_die(p, POLICY_IDENTITY);
    static const json_t *scp[MAX_LEVELS][MAX_POLICIES];
    authz_scp_level levels[MAX_LEVELS];
    size_t n_levels = 0;
    json_t *level;
    json_array_foreach(json_object_get(sc, "scpLevels"), i, level)
    {
        if (n_levels == MAX_LEVELS) break;
        size_t k, n = 0;
        json_array_foreach(level, k, p) if (n < MAX_POLICIES) scp[n_levels][n++] =
            parse_or_die(p, POLICY_SCP);
        levels[n_levels] = (authz_scp_level){scp[n_levels], n};
        n_levels++;
    }
    json_t *bucket = parse_or_die(json_object_get(sc, "resourcePolicy"), POLICY_RESOURCE);
    const json_t *principal = json_object_get(sc, "principal");

    static request reqs[MAX_REQUESTS];
    size_t n_reqs = 0;
    json_t *r;
    json_array_foreach(json_object_get(sc, "requests"), i, r)
    {
        if (n_reqs == MAX_REQUESTS) break;
        request *q = &reqs[n_reqs++];
        size_t n = 0;
        const char *key;
        json_t *v;
        json_object_foreach(json_object_get(r, "context"), key, v)
        {
            if (n >= MAX_CONTEXT * 2) break;
            q->context[n++] = key;
            q->context[n++] = json_string_value(v);
        }
        q->context[n] = NULL;
        q->in = (authz_input){
            .request = {.action = json_string_value(json_object_get(r, "action")),
                        .resource = json_string_value(json_object_get(r, "resource")),
                        .principal_account =
                            json_string_value(json_object_get(principal, "account")),
                        .principal_arn = json_string_value(json_object_get(principal, "roleArn")),
                        .principal_session_arn =
                            json_string_value(json_object_get(principal, "sessionArn")),
                        .context = q->context},
            .principal_type = AUTHZ_ROLE_SESSION,
            .resource_account = json_string_value(json_object_get(r, "resourceAccount")),
            .scps_apply = true,
            .identity = identity,
            .n_identity = n_identity,
            .resource_policy = json_is_true(json_object_get(r, "bucket")) ? bucket : NULL,
            .scp = levels,
            .n_scp_levels = n_levels,
        };
    }
    if (!n_reqs) {
        fprintf(stderr, "authzbench: the scenario has no requests\n");
        return 2;
    }
    /* The policies compiled once, as the server keeps them for a principal (the bucket
     * policy with them); the interpreted figure is the same requests without. */
    authz_input with_bucket = reqs[0].in;
    with_bucket.resource_policy = bucket;
    authz_compiled compiled;
    double c0 = now_s();
    int compiles = 0;
    do {
        if (compiles++) authz_compiled_clear(&compiled);
        authz_compile(&with_bucket, &compiled);
    } while (now_s() - c0 < 0.2);
    double compile_us = (now_s() - c0) / compiles * 1e6;
    json_t *decisions = json_array();
    for (size_t k = 0; k < n_reqs; k++) {
        authz_decision interpreted = authorize(&reqs[k].in).decision;
        reqs[k].in.compiled = &compiled;
        if (authorize(&reqs[k].in).decision != interpreted) {
            fprintf(stderr, "authzbench: request %zu: compiled and interpreted disagree\n", k);
            return 1;
        }
        json_array_append_new(decisions, json_string(authz_decision_name(interpreted)));
    }
    double rates[2];
    unsigned sink = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t k = 0; k < n_reqs; k++)
            reqs[k].in.compiled = pass == 0 ? &compiled : NULL;
        unsigned long long done = 0;
        double t0 = now_s(), t = t0;
        while (t - t0 < (pass == 0 ? seconds : seconds / 4)) {
            for (int batch = 0; batch < 1000; batch++) {
                sink += (unsigned)authorize(&reqs[done % n_reqs].in).decision;
                done++;
            }
            t = now_s();
        }
        rates[pass] = (double)done / (t - t0);
    }
    authz_compiled_clear(&compiled);
    json_t *out = json_pack("{s:f, s:f, s:f, s:o, s:i}", "per_second", rates[0],
                            "interpreted_per_second", rates[1], "compile_us", compile_us,
                            "decisions_by_request", decisions, "sink", (int)(sink & 1));
    char *text = json_dumps(out, JSON_COMPACT);
    puts(text);
    free(text);
    json_decref(out);
    return 0;
}
