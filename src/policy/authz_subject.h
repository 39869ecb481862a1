/* authz_subject: everything about the caller of a request that authorization needs,
 * loaded from the state database: its identity policies (inline, and managed ones from
 * policy/iam_data.h), its permissions boundary, whether service control policies apply to it and
 * those attached at each level of the organization from the root down to its account,
 * its organization id and its tags.
 *
 * The subject owns its parsed policies, compiled once at load (policy_set.h) so that a
 * subject kept across requests (policy/authz_cache.h) decides each in about a
 * microsecond; authz_subject_clear releases them. A stored policy that no longer parses
 * grants nothing (IAM validated it when it was stored).
 *
 * authz_subject_decide combines the subject with a request (action, resource, the
 * resource's owner and policy, condition context) through authorize() (authorize.h). */
#ifndef ORGTRAIL_AUTHZ_SUBJECT_H
#define ORGTRAIL_AUTHZ_SUBJECT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "auth/principal.h"
#include "policy/authorize.h"
#include "policy/iam_data.h"
#include "state/db.h"

typedef struct authz_subject {
    authz_principal_type type;
    json_t **identity; /* owned references */
    size_t n_identity, cap_identity;
    bool scps_apply;
    json_t **scp_docs; /* owned; the levels point into it */
    size_t n_scp_docs, cap_scp_docs;
    authz_scp_level levels[AUTHZ_MAX_SCP_LEVELS];
    size_t n_levels;
    char org_id[40];  /* "" outside an organization */
    json_t *tags;     /* the user's or role's tags [{"Key","Value"}], owned; NULL: none */
    json_t *boundary; /* the permissions boundary (an AWS managed policy), owned; NULL: none */
    authz_compiled compiled; /* the identity policies and SCP levels compiled, owned */
} authz_subject;

/* Loads the subject of principal p. Returns 0, or -1 when the database could not be read
 * (the subject is then empty, which allows nothing but what a root user may do). */
int authz_subject_load(db_conn *db, const iam_data *iam, const principal *p, authz_subject *s);
void authz_subject_clear(authz_subject *s);

/* A request against a resource. resource_account NULL: the caller's own; resource_policy
 * NULL: the resource has none. */
typedef struct authz_target {
    const char *action;
    const char *resource;
    const char *resource_account;
    const json_t *resource_policy;
    bool resource_must_allow;   /* the resource policy is a role's trust policy (R10) */
    const char *const *context; /* key, value, ..., NULL */
    /* The caller's session policies (R8), which are the session's, not its role's. */
    const json_t *const *session;
    size_t n_session;
} authz_target;

/* The session policies of role session p (authz_target.session), parsed: *out is set to
 * an array of n owned references (caller json_decref each, free the array); 0 and NULL
 * when the session has none. */
size_t authz_session_policies_load(db_conn *db, const iam_data *iam, const principal *p,
                                   json_t ***out);

/* The decision for p (whose subject is s) doing t. *in is filled with what was decided
 * (for authz_message); it borrows from s, p and t. */
authz_result authz_subject_decide(const authz_subject *s, const principal *p, const authz_target *t,
                                  authz_input *in);

#endif
