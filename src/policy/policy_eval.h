/* policy_eval: the parts of one statement's evaluation that policy.c and the compiled
 * sets of policy_set.h share, so that what a Principal, a Resource value or a Condition
 * block means is written once.
 *
 * Internal to src/policy/. Every pointer is borrowed for the call. */
#ifndef ORGTRAIL_POLICY_EVAL_H
#define ORGTRAIL_POLICY_EVAL_H

#include <jansson.h>
#include <stdbool.h>

#include "policy/policy.h"

/* What one statement's evaluation needs beside the request: whether policy variables are
 * expanded (Version 2012-10-17), and whether one could not be (the statement then does
 * not match, policy_vars.h), set by the calls below. */
typedef struct policy_eval {
    const policy_request *r;
    bool vars;
    bool unresolved;
} policy_eval;

/* The statement's Principal (NULL: none) names the requester and its NotPrincipal (NULL:
 * none) does not. */
bool policy_eval_principal(const json_t *principal, const json_t *not_principal,
                           const policy_request *r);

/* One Resource or NotResource value matches the request's resource (non-NULL). */
bool policy_eval_resource(policy_eval *x, const char *pattern);

/* Every operator and key of a Condition block (NULL: none) holds. */
bool policy_eval_conditions(const json_t *cond, policy_eval *x);

#endif
