/* org_policy_state: organization policies, the policy types enabled in the root, and
 * which roots, OUs and accounts each policy is attached to.
 *
 * The AWS-managed FullAWSAccess SCP (ORG_FULL_ACCESS_ID) is created on demand by
 * org_policy_ensure_full_access and never changes. An org_policy owns its content
 * (NULL when not loaded): release it with org_policy_clear (org_policies_free for an
 * array). Writers return 0, or -1 on a database error, inside the caller's transaction. */
#ifndef ORGTRAIL_ORG_POLICY_STATE_H
#define ORGTRAIL_ORG_POLICY_STATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state/db.h"

#define ORG_FULL_ACCESS_ID "p-FullAWSAccess"

typedef struct org_policy {
    char id[136];
    char name[129];
    char description[513];
    char type[48]; /* SERVICE_CONTROL_POLICY, TAG_POLICY, ... */
    bool aws_managed;
    char *content; /* owned, NULL when not loaded */
} org_policy;

typedef struct org_policy_type {
    char type[48];
    char status[16];
} org_policy_type;

void org_policy_clear(org_policy *p);
void org_policies_free(org_policy *ps, size_t n);

/* 1 with *p (content included; clear it) when the policy exists, else 0. */
int org_policy_get(db_conn *db, const char *id, org_policy *p);
bool org_policy_exists(db_conn *db, const char *id);
/* Whether another policy of `type` (other than `except`, NULL: none) is called name. */
bool org_policy_name_taken(db_conn *db, const char *type, const char *name, const char *except);
int64_t org_policy_count(db_conn *db, const char *type);
/* Policies of `type` without content, AWS-managed first, then by name. */
org_policy *org_policies_alloc(db_conn *db, const char *type, size_t *n);
/* As org_policies_alloc, only those attached to target_id. */
org_policy *org_policies_for_target_alloc(db_conn *db, const char *target_id, const char *type,
                                          size_t *n);

/* A customer-managed policy (aws_managed is ignored); content is required. */
__attribute__((warn_unused_result)) int org_policy_insert(db_conn *db, const org_policy *p);
/* Stores name, description and content. */
__attribute__((warn_unused_result)) int org_policy_update(db_conn *db, const org_policy *p);
__attribute__((warn_unused_result)) int org_policy_delete(db_conn *db, const char *id);
__attribute__((warn_unused_result)) int org_policy_ensure_full_access(db_conn *db);

/* Policy types of the root, by type. */
org_policy_type *org_policy_types_alloc(db_conn *db, const char *root_id, size_t *n);
bool org_policy_type_enabled(db_conn *db, const char *root_id, const char *type);
__attribute__((warn_unused_result)) int org_policy_type_enable(db_conn *db, const char *root_id,
                                                               const char *type);
/* The type goes from the root, with every attachment of its policies (which stay). */
__attribute__((warn_unused_result)) int org_policy_type_disable(db_conn *db, const char *root_id,
                                                                const char *type);

bool org_policy_attached(db_conn *db, const char *policy_id, const char *target_id);
/* How many policies of `type` are attached to target_id. */
int64_t org_policy_attached_of_type(db_conn *db, const char *target_id, const char *type);
/* How many targets the policy is attached to. */
int64_t org_policy_attachment_count(db_conn *db, const char *policy_id);
/* The targets of the policy in id order: a JSON array of strings, new reference. */
json_t *org_policy_targets_json(db_conn *db, const char *policy_id);
__attribute__((warn_unused_result)) int org_policy_attach(db_conn *db, const char *policy_id,
                                                          const char *target_id);
__attribute__((warn_unused_result)) int org_policy_detach(db_conn *db, const char *policy_id,
                                                          const char *target_id);
/* FullAWSAccess is attached to target_id (or to every OU and every account of org_id
 * with org_policy_attach_full_access_everywhere); already attached is no error. */
__attribute__((warn_unused_result)) int org_policy_attach_full_access(db_conn *db,
                                                                      const char *target_id);
__attribute__((warn_unused_result)) int
org_policy_attach_full_access_everywhere(db_conn *db, const char *org_id);
/* Every policy attached to target_id is detached from it. */
__attribute__((warn_unused_result)) int org_policy_detach_all(db_conn *db, const char *target_id);
/* Policies, attachments and policy types go (the organization is deleted). */
__attribute__((warn_unused_result)) int org_policy_forget_all(db_conn *db);

#endif
