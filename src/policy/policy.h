/* policy: IAM policy documents — parsing, validation and evaluation.
 *
 * One engine for every policy kind orgtrail stores: S3 bucket policies and IAM trust
 * policies (resource policies, with Principal), IAM role policies (identity policies,
 * without Principal), and Organizations SCPs. Evaluation follows AWS's rule for a single
 * policy: an explicit Deny wins, then any Allow, else no decision (implicit deny).
 *
 * Supported: Effect, Principal/NotPrincipal (*, AWS account ids, account/user/role ARNs,
 * Service principals), Action/NotAction and Resource/NotResource with * and ? wildcards,
 * Condition with the String*, Arn*, Bool, Null, Numeric* and Date* operators, their
 * ...IfExists forms and the ForAnyValue:/ForAllValues: set prefixes. Policy variables
 * (${aws:username}, policy_vars.h) are expanded in Resource and in string and ARN
 * condition values of 2012-10-17 policies. */
#ifndef ORGTRAIL_POLICY_H
#define ORGTRAIL_POLICY_H

#include <jansson.h>
#include <stdbool.h>

#include "core/awserr.h"

typedef enum policy_kind {
    POLICY_RESOURCE, /* bucket policy: Principal required */
    POLICY_TRUST,    /* role trust policy: Principal required, sts actions */
    POLICY_IDENTITY, /* role/user policy: Principal forbidden */
    POLICY_SCP,      /* Organizations SCP: Principal forbidden */
} policy_kind;

typedef enum policy_decision { POLICY_NO_MATCH = 0, POLICY_ALLOW, POLICY_DENY } policy_decision;

/* A request as a policy sees it. Condition keys are looked up case-insensitively. */
typedef struct policy_request {
    const char *action;   /* "s3:PutObject" */
    const char *resource; /* ARN, may be NULL for actions without one */
    /* the principal */
    const char *principal_account;     /* NULL for service principals */
    const char *principal_arn;         /* user / role / root ARN; for a role session the role ARN */
    const char *principal_session_arn; /* assumed-role session ARN or NULL */
    const char *principal_service;     /* "cloudtrail.amazonaws.com" or NULL */
    /* condition context: pairs of (key, value); a key may repeat for multi-valued keys */
    const char *const *context; /* key, value, key, value, ..., NULL */
    /* Which forms of an AWS Principal may match (enum principal_forms); 0 means all. A
     * resource policy naming the principal itself grants more than one naming its role
     * or account (policy/authorize.h), so the two are asked separately. */
    unsigned principal_forms;
} policy_request;

enum principal_forms {
    PRINCIPAL_FORM_SELF = 1u << 0,    /* the user ARN, the role session ARN, or "*" */
    PRINCIPAL_FORM_ROLE = 1u << 1,    /* the role ARN behind a role session */
    PRINCIPAL_FORM_ACCOUNT = 1u << 2, /* the account id or its root ARN */
};

/* Parses and validates a document; returns the parsed policy (caller json_decref), or
 * NULL with e set. The error code is the caller's service's: S3 uses MalformedPolicy,
 * IAM MalformedPolicyDocument, Organizations MalformedPolicyDocumentException; pass it.
 * For POLICY_RESOURCE, bucket_arn (when non-NULL) limits Resource to that bucket and its
 * objects, as S3 requires. */
json_t *policy_parse(const char *text, policy_kind kind, const char *error_code,
                     const char *bucket_arn, aws_error *e);

/* As policy_parse, for a document already read (a copy is made; caller json_decref):
 * for AWS managed policies (policy/iam_data.h), which AWS's size limits for customer
 * policies do not bind. */
json_t *policy_from_document(const json_t *document, policy_kind kind, const char *error_code,
                             aws_error *e);

/* Evaluates a parsed policy against a request. */
policy_decision policy_evaluate(const json_t *policy, const policy_request *r);

/* The condition keys the statements of policy that apply to r's action and resource (and
 * principal) test and r's context lacks: what the IAM simulator reports as
 * MissingContextValues. Appends to out (borrowed from policy; case-insensitively unique,
 * at most max in all) and returns the new count; n is how many out already holds. */
size_t policy_missing_keys(const json_t *policy, const policy_request *r, const char **out,
                           size_t n, size_t max);

/* Wildcard match: '*' any run, '?' one character. */
bool policy_wildcard(const char *pattern, const char *s, bool ignore_case);

#endif
