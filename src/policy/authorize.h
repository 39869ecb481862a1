/* authorize: AWS's decision for one request over every policy that applies to it.
 *
 * policy.h evaluates one document; this module combines them as the IAM User Guide's
 * "Policy evaluation logic" does. The rules, numbered so that the conformance cases in
 * tests/data/policy/ can cite them:
 *
 *   R1  An explicit Deny in any applicable policy denies: SCPs, the resource policy,
 *       identity policies, the permissions boundary, session policies.
 *   R2  SCPs limit the principals of member accounts, the root user included: at every
 *       level from the organization root down to the account, some SCP attached there
 *       must Allow. The management account and service-linked roles are never limited.
 *   R3  An account's root user is not subject to identity policies: within its own
 *       account it may do whatever R1 and R2 leave.
 *   R4  Same account: a resource policy naming the principal itself (the user's ARN, the
 *       role session's ARN, or "*") allows on its own, whatever identity policies, the
 *       boundary or session policies say (short of an explicit Deny).
 *   R5  Same account: otherwise an identity policy must allow, or the resource policy
 *       naming the session's role ARN; a resource policy naming only the account
 *       delegates to identity policies.
 *   R6  Cross-account: the resource policy must allow (naming the principal, its role or
 *       its account) and so must the principal's identity policies (the root user's
 *       account allows its root everything).
 *   R7  A permissions boundary, when set, must Allow (R4's grants excepted).
 *   R8  Session policies, when the session has any, must Allow (R4's grants excepted);
 *       the session's policies together are one set (any of them may allow).
 *   R9  A service principal (cloudtrail.amazonaws.com) has no identity: the resource
 *       policy alone decides.
 *   R10 A role's trust policy must itself allow AssumeRole, in the same account too: the
 *       caller's identity policies alone never suffice (IAM User Guide: role trust
 *       policies, like KMS key policies, are the exception to R5). When it names the
 *       account rather than the caller, the identity policies must allow as well.
 *
 * Every pointer in authz_input is borrowed for the call. Nothing here allocates. */
#ifndef ORGTRAIL_AUTHORIZE_H
#define ORGTRAIL_AUTHORIZE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "policy/policy.h"
#include "policy/policy_set.h"

/* Root, OUs (at most five deep in AWS Organizations) and the account. */
#define AUTHZ_MAX_SCP_LEVELS 8

typedef enum authz_principal_type {
    AUTHZ_ROOT,
    AUTHZ_USER,
    AUTHZ_ROLE_SESSION,
    AUTHZ_SERVICE,
} authz_principal_type;

/* The policies attached at one level of the organization: the root, an OU, the account. */
typedef struct authz_scp_level {
    const json_t *const *policies;
    size_t n;
} authz_scp_level;

/* The policies of an authz_input compiled (policy_set.h), for a caller that keeps them
 * across requests: authorize evaluates a kind's set instead of its documents when the
 * set is there (NULL: that kind is read from the documents). authz_compile makes them. */
typedef struct authz_compiled {
    policy_set *identity, *resource, *boundary, *session;
    policy_set *scp[AUTHZ_MAX_SCP_LEVELS]; /* one per level of authz_input.scp */
    size_t n_scp;
} authz_compiled;

typedef struct authz_input {
    /* The action, resource, principal and condition context, as policy.h takes them;
     * principal_forms is set by authorize itself. */
    policy_request request;
    authz_principal_type principal_type;
    const char *resource_account; /* the resource's owner; NULL: the principal's own */
    /* SCPs apply: the principal's account is a member (not the management account) of
     * an organization, and the principal is not a service-linked role. */
    bool scps_apply;
    const json_t *const *identity; /* inline and managed policies of the user, its groups,
                                      or the role */
    size_t n_identity;
    const json_t *resource_policy; /* NULL: the resource has none */
    bool resource_must_allow;      /* R10: the resource policy is a role's trust policy */
    const authz_scp_level *scp;    /* root first, the account's own level last */
    size_t n_scp_levels;
    const json_t *boundary; /* NULL: no permissions boundary */
    const json_t *const *session;
    size_t n_session;               /* 0: a session without session policies */
    const authz_compiled *compiled; /* NULL: every policy is read from its document */
} authz_input;

typedef enum authz_decision {
    AUTHZ_ALLOW,
    AUTHZ_EXPLICIT_DENY,
    AUTHZ_IMPLICIT_DENY,
} authz_decision;

/* Which kind of policy decided: the one that denied, or the one whose Allow counted. */
typedef enum authz_policy_kind {
    AUTHZ_BY_NONE, /* the root user in its own account */
    AUTHZ_BY_IDENTITY,
    AUTHZ_BY_RESOURCE,
    AUTHZ_BY_SCP,
    AUTHZ_BY_BOUNDARY,
    AUTHZ_BY_SESSION,
} authz_policy_kind;

typedef struct authz_result {
    authz_decision decision;
    authz_policy_kind by;
} authz_result;

authz_result authorize(const authz_input *in);

/* Compiles every policy of in into c (c owns the sets; authz_compiled_clear frees them).
 * The documents must stay as they are while c is used with them. */
void authz_compile(const authz_input *in, authz_compiled *c);
void authz_compiled_clear(authz_compiled *c);

/* AWS's AccessDenied message for a refusal: "User: ARN is not authorized to perform:
 * ACTION on resource: RESOURCE because no identity-based policy allows the ACTION
 * action", or "... with an explicit deny in a service control policy". caller_arn is
 * the ARN the message names (the session's for a role session). */
void authz_message(const authz_input *in, authz_result r, const char *caller_arn, char *out,
                   size_t n);

/* The same in S3's form, which quotes the resource: 'on resource: "arn:aws:s3:::b/k"'. */
void authz_message_s3(const authz_input *in, authz_result r, const char *caller_arn, char *out,
                      size_t n);

/* "allow", "explicit-deny", "implicit-deny"; and "identity", "resource", "scp",
 * "boundary", "session", "none": the names the conformance cases use. */
const char *authz_decision_name(authz_decision d);
const char *authz_kind_name(authz_policy_kind k);

#endif
