/* iam_internal: what the IAM handlers share (svc/iam.c, iam_roles.c, iam_users.c).
 *
 * Every IAM entity lives in the caller's account. Names are unique per account without
 * regard to case, as in IAM; the stored spelling is the one returned. Policy documents
 * are stored as given and returned URL-encoded (RFC 3986) inside the XML, as IAM does;
 * botocore and the AWS CLI decode them. */
#ifndef ORGTRAIL_IAM_INTERNAL_H
#define ORGTRAIL_IAM_INTERNAL_H

#include <stdbool.h>

#include "state/iam_state.h"
#include "svc/iam_managed.h"
#include "svc/service.h"

#define IAM_DEFAULT_MAX_ITEMS 100
#define IAM_MAX_TAGS 50

/* A policy document as IAM returns it: URL-encoded. New reference. */
json_t *iam_doc_json(const char *text);

/* Answers a Marker/MaxItems list operation: slices `items` (an array, stolen) after the
 * request's Marker, and sets c->out to {list_member: page, IsTruncated[, Marker]}. Items
 * are objects keyed by key_member, or strings (key_member NULL). When `sorted`, items
 * are in case-insensitive key order and a marker resumes at the first key not below it;
 * otherwise it resumes at the item with exactly that key. Returns 0, or -1 with c->err. */
int iam_page(call_ctx *c, json_t *items, const char *list_member, const char *key_member,
             bool sorted);

/* Tags of a role or user (resource_id: its role or user id), in the shared store under
 * iam_tag_resource_id (state/tags.h, TAGS_IAM). [] when none. New reference. */
json_t *iam_tags_json(db_conn *db, const char *account_id, const char *resource_id);
/* Adds or replaces tags (keys compare without case) inside the caller's transaction;
 * fails with InvalidInput on duplicate keys and LimitExceeded past IAM_MAX_TAGS
 * (quota_name is AWS's name for it, e.g. "TagsPerRole"). */
int iam_tags_add(call_ctx *c, const char *resource_id, const json_t *tags, const char *quota_name);
int iam_tags_drop(db_conn *db, const char *account_id, const char *resource_id);

/* Validates a role trust policy as IAM does: syntax, size quota, and that every IAM user
 * or role it names exists. Returns 0, or -1 with c->err. */
int iam_check_trust_policy(call_ctx *c, const char *text);

/* The request's PermissionsBoundary (when it has one) names a managed policy that may be
 * a boundary: else fails with IAM's error (InvalidInput, NoSuchEntity "Scope ARN"). */
int iam_check_permissions_boundary(call_ctx *c);
/* GetUser's and GetRole's PermissionsBoundary for a stored ARN (new reference), NULL for
 * none. */
json_t *iam_boundary_json(const char *arn);

/* "Cannot perform the operation on the protected role ..." for service-linked roles. */
int iam_fail_protected_role(call_ctx *c, const char *role_name);
int iam_fail_no_role(call_ctx *c, const char *role_name);
int iam_fail_no_user(call_ctx *c, const char *user_name);

/* Roles (iam_roles.c) */
int iam_create_role(call_ctx *c);
int iam_get_role(call_ctx *c);
int iam_delete_role(call_ctx *c);
int iam_list_roles(call_ctx *c);
int iam_update_role(call_ctx *c);
int iam_update_role_description(call_ctx *c);
int iam_update_assume_role_policy(call_ctx *c);
int iam_create_service_linked_role(call_ctx *c);
int iam_delete_service_linked_role(call_ctx *c);
int iam_get_service_linked_role_deletion_status(call_ctx *c);

/* Users and access keys (iam_users.c) */
int iam_create_user(call_ctx *c);
int iam_get_user(call_ctx *c);
int iam_delete_user(call_ctx *c);
int iam_list_users(call_ctx *c);
int iam_create_access_key(call_ctx *c);
int iam_list_access_keys(call_ctx *c);
int iam_update_access_key(call_ctx *c);
int iam_delete_access_key(call_ctx *c);

/* iam_managed.c */
int iam_get_policy(call_ctx *c);
int iam_get_policy_version(call_ctx *c);

/* iam_simulate.c */
int iam_simulate_custom_policy(call_ctx *c);

/* A policy's size as IAM's quotas count it: white space does not count. */
size_t iam_policy_chars(const char *text);

/* Whether a policy ARN may be attached (or set as a boundary) in the caller's account: an
 * AWS managed policy orgtrail offers, or a customer managed policy of the account. */
iam_managed_kind iam_policy_kind(call_ctx *c, const char *arn);

/* Customer managed policies (svc/iam_policies.c). GetPolicy and GetPolicyVersion of a
 * customer policy are answered there (iam_managed.c hands them over). */
int iam_create_policy(call_ctx *c);
int iam_delete_policy(call_ctx *c);
int iam_create_policy_version(call_ctx *c);
int iam_delete_policy_version(call_ctx *c);
int iam_list_policy_versions(call_ctx *c);
int iam_set_default_policy_version(call_ctx *c);
int iam_get_customer_policy(call_ctx *c);
int iam_get_customer_policy_version(call_ctx *c);

/* ServiceFailure for a database error; rolls back the caller's transaction. Returns -1. */
int iam_fail_db(call_ctx *c);

/* NoSuchEntity for a group that does not exist. */
int iam_fail_no_group(call_ctx *c, const char *group_name);

/* Groups (svc/iam_groups.c). */
int iam_create_group(call_ctx *c);
int iam_get_group(call_ctx *c);
int iam_delete_group(call_ctx *c);
int iam_list_groups(call_ctx *c);
int iam_add_user_to_group(call_ctx *c);
int iam_remove_user_from_group(call_ctx *c);
int iam_list_groups_for_user(call_ctx *c);

#endif
