/* policy_set: policies compiled once and evaluated together, for the requests of a
 * principal whose policies do not change between them.
 *
 * policy_evaluate (policy.h) walks a document's JSON on every request: fine for one
 * decision, but a principal with fifty policies pays for every statement of every policy
 * on each request although only the few whose Action can match the request's action
 * matter. A set compiles the statements of its policies once: actions lowercased and
 * indexed by service prefix and the first character of the action name, resource
 * patterns with their literal prefix measured, so that a request looks only at the
 * statements its action could select, and rejects most of those with one memcmp.
 * Principal, variables and Condition keep policy.c's meaning (policy_eval.h): a set
 * decides exactly what policy_evaluate of each policy, combined, decides (Deny when any
 * denies, else Allow when any allows), which tests/unit/test_policy_conformance.c and
 * tests/fuzz/fuzz_policy.c check against each other.
 *
 * A set holds references to the parsed documents it was built from (policy_parse); it is
 * read-only once built, so any thread may evaluate it. */
#ifndef ORGTRAIL_POLICY_SET_H
#define ORGTRAIL_POLICY_SET_H

#include <jansson.h>
#include <stddef.h>

#include "policy/policy.h"

typedef struct policy_set policy_set;

/* Compiles n parsed policies (NULL entries are skipped). Returns the set (caller
 * policy_set_free); never NULL (out of memory aborts, as xalloc does). */
policy_set *policy_set_build_alloc(const json_t *const *policies, size_t n);
void policy_set_free(policy_set *s);

/* The decision of the set's policies together for r; an empty set or NULL: no match. */
policy_decision policy_set_evaluate(const policy_set *s, const policy_request *r);

/* How many statements the set holds, and how many of them r's action selects through
 * the index (for tests and the benchmark). */
size_t policy_set_statements(const policy_set *s);
size_t policy_set_candidates(const policy_set *s, const char *action);

#endif
