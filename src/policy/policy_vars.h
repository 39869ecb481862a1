/* policy_vars: policy variables in a policy's Resource element and in the values of its
 * string and ARN conditions, as IAM resolves them in policies of Version 2012-10-17.
 *
 *   ${key}             the request's value for the condition key (names ignore case)
 *   ${key, 'default'}  the default when the key has no single value ('' is a quote)
 *   ${*} ${?} ${$}     the characters themselves, never wildcards
 *
 * A variable is unresolvable when its key has no value in the request (or several: a
 * multivalued key is no variable) and it has no default, or when it is malformed ("${"
 * without "}", an empty or spaced key, an unquoted default); IAM then treats the whole
 * statement as not matching. One round only: a default holding "${...}" stays text.
 * Substituted characters are literal: a '*' from a value or from ${*} matches only '*'. */
#ifndef ORGTRAIL_POLICY_VARS_H
#define ORGTRAIL_POLICY_VARS_H

#include <stdbool.h>
#include <stddef.h>

#define POLICY_TEXT_MAX 4096

/* An expanded policy string: text, and per character whether it is literal. */
typedef struct policy_text {
    char s[POLICY_TEXT_MAX];
    bool lit[POLICY_TEXT_MAX];
} policy_text;

/* Expands src with the (key, value, ..., NULL) context into out. Returns true, or false
 * when a variable is unresolvable or the result does not fit. */
bool policy_expand(const char *src, const char *const *context, policy_text *out);

/* Whether src holds anything to expand (a "${"): most policy strings do not. */
bool policy_has_variables(const char *src);

/* policy_wildcard where lit (may be NULL) marks pattern characters that are literal. */
bool policy_wildcard_lit(const char *p, const bool *lit, const char *s, bool ignore_case);

#endif
