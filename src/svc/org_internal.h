/* org_internal: what the files of the Organizations service share.
 *
 *   organizations.c     the operation table (SVC_ORGANIZATIONS), one transaction per write,
 *                       errors, who may call what, pagination, the organization itself
 *   org_accounts.c      CreateAccount and its status, accounts, joining and leaving
 *   org_units.c         the root and OUs, ListChildren / ListParents, paths
 *   org_handshakes.c    invitations, handshakes, EnableAllFeatures
 *   org_policies.c      policy types, policies, attachments and targets
 *   org_delegation.c    trusted access and delegated administrators (TRUSTED_SERVICES)
 *   org_tags.c          TagResource / UntagResource / ListTagsForResource
 *
 * What the service stores is behind state/org_state.h (the organization, accounts,
 * trusted access, delegated administrators), org_unit_state.h, org_handshake_state.h,
 * org_policy_state.h and, for tags, state/tags.h (TAGS_ORGANIZATIONS); no SQL lives in
 * these files. */
#ifndef ORGTRAIL_ORG_INTERNAL_H
#define ORGTRAIL_ORG_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "core/buf.h"
#include "state/org_state.h"
#include "svc/service.h"

/* ---- organizations.c ---- */

int org_fail_db(call_ctx *c);
int org_access_denied(call_ctx *c);
int org_invalid_input(call_ctx *c, const char *reason, const char *msg);
int org_constraint(call_ctx *c, const char *reason, const char *msg);
int org_account_not_found(call_ctx *c);
int org_parent_not_found(call_ctx *c);
int org_target_not_found(call_ctx *c);

typedef enum org_caller_need {
    ORG_NEED_MEMBER,     /* any account of the organization */
    ORG_NEED_READER,     /* the management account or a delegated administrator */
    ORG_NEED_MANAGEMENT, /* the management account only */
} org_caller_need;

bool org_is_management(const call_ctx *c, const org_info *o);
/* Loads the caller's organization and checks the caller may do what `need` says:
 * 0 with *o, or -1 with AWSOrganizationsNotInUseException / AccessDeniedException. */
int org_for_caller(call_ctx *c, org_info *o, org_caller_need need);

/* Handlers build the whole list; one page of it goes out with an opaque NextToken (the
 * operation and the offset), absent on the last page. Takes `all` (an array, stolen) and
 * sets c->out to {member: page[, NextToken]}. */
int org_paginate(call_ctx *c, json_t *all, const char *member);

/* The list operations under a ParentId (reader access, ParentNotFoundException for an
 * unknown root or OU): `build` makes the whole list for that parent, which goes out
 * paginated as `member`. */
typedef json_t *(*org_parent_list_fn)(call_ctx *c, const org_info *o, const char *parent_id);
int org_list_under_parent(call_ctx *c, org_parent_list_fn build, const char *member);

void org_set_str(json_t *obj, const char *key, const char *value);
/* arn:aws:organizations::<management account>:<kind>/<organization id>/<id> */
void org_arn(char *out, size_t n, const org_info *o, const char *kind, const char *id);
void org_lowercase_copy(char *out, size_t n, const char *s);

/* ---- org_accounts.c ---- */

json_t *org_account_json(db_conn *db, const org_info *o, const org_account *a, bool paths);
/* The account enters organization o under the root, with what joining brings. */
int org_join(call_ctx *c, const org_info *o, const char *account_id, const char *method);
/* Creates a service's service-linked role in every account of the organization. */
int org_ensure_slr_everywhere(call_ctx *c, const char *service_principal);
int org_create_account(call_ctx *c);
int org_describe_create_account_status(call_ctx *c);
int org_list_create_account_status(call_ctx *c);
int org_list_accounts(call_ctx *c);
int org_list_accounts_for_parent(call_ctx *c);
int org_describe_account(call_ctx *c);
int org_remove_account_from_organization(call_ctx *c);
int org_leave_organization(call_ctx *c);
int org_move_account(call_ctx *c);

/* ---- org_units.c ---- */

/* Whether id is the root of o or one of its OUs. */
bool org_parent_exists(db_conn *db, const org_info *o, const char *id);
/* The OUs from the root down to parent_id (inclusive), as "o-x/r-y/ou-a/ou-b/" appended
 * to out (when not NULL). Returns the depth of parent_id (0 for the root). */
int org_parent_path(db_conn *db, const org_info *o, const char *parent_id, buf *out);
json_t *org_root_json(db_conn *db, const org_info *o);
int org_list_roots(call_ctx *c);
int org_create_organizational_unit(call_ctx *c);
int org_describe_organizational_unit(call_ctx *c);
int org_update_organizational_unit(call_ctx *c);
int org_delete_organizational_unit(call_ctx *c);
int org_list_organizational_units_for_parent(call_ctx *c);
int org_list_children(call_ctx *c);
int org_list_parents(call_ctx *c);

/* ---- org_handshakes.c ---- */

/* The ENABLE_ALL_FEATURES handshake is OPEN (ready to finalize) once every invited
 * account still in the organization has accepted its APPROVE_ALL_FEATURES handshake. */
int org_reevaluate_all_features(call_ctx *c, const org_info *o);
/* Ends the open APPROVE_ALL_FEATURES handshakes of a migration (parent_id) or of one
 * account (NULL: any). */
int org_cancel_approvals(call_ctx *c, const char *parent_id, const char *account_id);
int org_invite_account_to_organization(call_ctx *c);
int org_enable_all_features(call_ctx *c);
int org_accept_handshake(call_ctx *c);
int org_decline_handshake(call_ctx *c);
int org_cancel_handshake(call_ctx *c);
int org_describe_handshake(call_ctx *c);
int org_list_handshakes_for_account(call_ctx *c);
int org_list_handshakes_for_organization(call_ctx *c);

/* ---- org_policies.c ---- */

/* What an id names in the organization: 'a'ccount, 'o'u, 'r'oot, 'p'olicy, or 0. */
char org_resolve_target(db_conn *db, const org_info *o, const char *id);
/* InvalidInputException IMMUTABLE_POLICY: AWS-managed policies do not change. */
int org_immutable_policy(call_ctx *c);
/* New roots, OUs and accounts start with FullAWSAccess while SCPs are enabled. */
int org_attach_default_scp(call_ctx *c, const org_info *o, const char *target);
int org_enable_policy_type(call_ctx *c);
int org_disable_policy_type(call_ctx *c);
int org_create_policy(call_ctx *c);
int org_describe_policy(call_ctx *c);
int org_update_policy(call_ctx *c);
int org_delete_policy(call_ctx *c);
int org_attach_policy(call_ctx *c);
int org_detach_policy(call_ctx *c);
int org_list_policies(call_ctx *c);
int org_list_policies_for_target(call_ctx *c);
int org_list_targets_for_policy(call_ctx *c);

/* ---- org_delegation.c ---- */

int org_enable_aws_service_access(call_ctx *c);
int org_disable_aws_service_access(call_ctx *c);
int org_list_aws_service_access_for_organization(call_ctx *c);
int org_register_delegated_administrator(call_ctx *c);
int org_deregister_delegated_administrator(call_ctx *c);
int org_list_delegated_administrators(call_ctx *c);
int org_list_delegated_services_for_account(call_ctx *c);

/* ---- org_tags.c ---- */

/* Tags are keyed by the resource's id, keys compared with case. An invitation's tags
 * wait under the handshake's id until the account joins, then move to the account. */

/* Checks tags about to be added to resource_id (NULL: a resource not created yet):
 * keys present, not aws:, unique, and the resource's total within the quota. -1 with
 * InvalidInputException / ConstraintViolationException. */
int org_check_tags(call_ctx *c, const char *resource_id, const json_t *tags);
/* Stores checked tags (replacing values of existing keys). */
int org_put_tags(call_ctx *c, const char *resource_id, const json_t *tags);
int org_drop_tags(call_ctx *c, const char *resource_id);
int org_tag_resource(call_ctx *c);
int org_untag_resource(call_ctx *c);
int org_list_tags_for_resource(call_ctx *c);

/* The ARN an Organizations call is authorized on (svc/org_authz.c); out untouched ("*")
 * when it names no resource of the caller's organization. */
void org_resource(const call_ctx *c, char *out, size_t n);

/* Organizations' own condition keys of a call: organizations:ServicePrincipal (the
 * request's), organizations:PolicyType (the request's, or the named policy's). */
void org_condition_keys(const call_ctx *c, authz_context *x);

#endif
