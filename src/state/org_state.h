/* org_state: the organization, its accounts' membership, CreateAccount requests, trusted
 * access and delegated administrators. Other services read it to know who is in the
 * organization (CloudTrail org trails, STS, capture); Organizations (svc/org_*.c) writes
 * it, and CloudTrail writes delegated administrators too (both services register them).
 * org_account_joined and org_account_left are called when an account enters or leaves
 * the organization: the place for other services' per-account side effects.
 *
 * OUs, handshakes and policies have modules of their own (org_unit_state,
 * org_handshake_state, org_policy_state); tags are in the shared state/tags.h.
 *
 * Writers return 0, or -1 on a database error (db_errmsg tells it); they run inside the
 * caller's transaction. Functions named *_alloc return a malloc'd array the caller
 * frees with free(). */
#ifndef ORGTRAIL_ORG_STATE_H
#define ORGTRAIL_ORG_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/awserr.h"
#include "state/db.h"

typedef struct org_info {
    char id[40];          /* o-xxxxxxxxxx */
    char feature_set[32]; /* ALL | CONSOLIDATED_BILLING */
    char master_account[13];
    char master_email[129];
    char root_id[40];
    int64_t created_ms;
} org_info;

/* An account as stored; the membership columns are "" / 0 outside an organization. */
typedef struct org_account {
    char id[13];
    char name[129];
    char email[129];
    char state[24]; /* ACTIVE | SUSPENDED | PENDING_CLOSURE | ... */
    char joined_method[16];
    int64_t joined_ms;
    char parent_id[72]; /* the root or OU it sits in */
} org_account;

/* Returns 1 with *o filled when an organization exists, else 0. */
int org_get(db_conn *db, org_info *o);
/* The organization account_id belongs to (as management or member): 1 with *o, else 0. */
int org_of_account(db_conn *db, const char *account_id, org_info *o);
__attribute__((warn_unused_result)) int org_create(db_conn *db, const org_info *o);
__attribute__((warn_unused_result)) int org_set_feature_set(db_conn *db, const char *org_id,
                                                            const char *feature_set);
/* Forgets the organization with its trusted access, delegated administrators and
 * CreateAccount requests; every account becomes standalone. */
__attribute__((warn_unused_result)) int org_delete(db_conn *db, const org_info *o);

/* Calls fn for every account of the organization (management included), in id order. */
int org_each_account(db_conn *db, void (*fn)(const char *account_id, void *arg), void *arg);
bool account_exists(db_conn *db, const char *account_id);
/* Any account, in an organization or not: 1 with *a, else 0. */
int account_get(db_conn *db, const char *account_id, org_account *a);
/* The account whose email is `email` (without regard to case): 1 with id, else 0. */
int account_id_by_email(db_conn *db, const char *email, char id[13]);
/* A new standalone ACTIVE account. */
__attribute__((warn_unused_result)) int account_create(db_conn *db, const char *account_id,
                                                       const char *name, const char *email,
                                                       int64_t now_ms);

/* 1 when account_id is an account of organization o (the management account included),
 * with *a when a is not NULL; else 0. */
int org_account_in(db_conn *db, const org_info *o, const char *account_id, org_account *a);
/* The accounts of o (under parent_id, or all when NULL) in joining order. */
org_account *org_accounts_alloc(db_conn *db, const org_info *o, const char *parent_id, size_t *n);
/* The members of o that joined by invitation, management account excluded, in id order. */
org_account *org_invited_members_alloc(db_conn *db, const org_info *o, size_t *n);
/* Accounts of o other than its management account. */
int64_t org_member_count(db_conn *db, const org_info *o);
/* The account enters o under its root (method: CREATED | INVITED). */
__attribute__((warn_unused_result)) int org_account_join(db_conn *db, const org_info *o,
                                                         const char *account_id, const char *method,
                                                         int64_t now_ms);
/* The account becomes standalone. */
__attribute__((warn_unused_result)) int org_account_leave(db_conn *db, const char *account_id);
__attribute__((warn_unused_result)) int org_account_move(db_conn *db, const char *account_id,
                                                         const char *parent_id);

/* A CreateAccount request; account_id is "" unless it SUCCEEDED, failure_reason "" unless
 * it FAILED. */
typedef struct org_create_status {
    char id[24]; /* car-xxxxxxxx */
    char account_name[129];
    char state[16]; /* IN_PROGRESS | SUCCEEDED | FAILED */
    int64_t requested_ms;
    bool completed; /* completed_ms is set */
    int64_t completed_ms;
    char account_id[13];
    char failure_reason[64];
} org_create_status;

__attribute__((warn_unused_result)) int org_create_status_add(db_conn *db,
                                                              const org_create_status *s);
/* 1 with *s, else 0. */
int org_create_status_get(db_conn *db, const char *id, org_create_status *s);
/* Every request, oldest first. */
org_create_status *org_create_status_alloc(db_conn *db, size_t *n);

/* A service principal and when it was enabled (trusted access) or delegated. */
typedef struct org_service_date {
    char service_principal[128];
    int64_t ms;
} org_service_date;

bool org_service_access_enabled(db_conn *db, const char *service_principal);
/* Enabling again keeps the first date. */
__attribute__((warn_unused_result)) int
org_service_access_enable(db_conn *db, const char *service_principal, int64_t now_ms);
__attribute__((warn_unused_result)) int org_service_access_disable(db_conn *db,
                                                                   const char *service_principal);
/* The services with trusted access, by principal. */
org_service_date *org_service_access_alloc(db_conn *db, size_t *n);

bool org_is_delegated_admin(db_conn *db, const char *account_id, const char *service_principal);
/* Whether account_id is a delegated administrator for any service principal. */
bool org_is_any_delegated_admin(db_conn *db, const char *account_id);
int64_t org_delegated_admin_count(db_conn *db, const char *service_principal);

/* Registers / deregisters a delegated administrator for a service principal (the
 * caller checked the rules). CloudTrail's RegisterOrganizationDelegatedAdmin writes the
 * same registration Organizations' RegisterDelegatedAdministrator does. */
__attribute__((warn_unused_result)) int org_delegated_admin_add(db_conn *db, const char *account_id,
                                                                const char *service_principal,
                                                                int64_t now_ms);
__attribute__((warn_unused_result)) int
org_delegated_admin_remove(db_conn *db, const char *account_id, const char *service_principal);

/* A delegated administrator: the account, and its first registration's date. */
typedef struct org_delegated_admin {
    org_account account;
    int64_t delegated_ms;
} org_delegated_admin;

/* The delegated administrators of o (for service_principal, or for any when NULL), one
 * per account, by first registration. */
org_delegated_admin *org_delegated_admins_alloc(db_conn *db, const org_info *o,
                                                const char *service_principal, size_t *n);
/* The services account_id administers, by registration date. */
org_service_date *org_delegated_services_alloc(db_conn *db, const char *account_id, size_t *n);

/* What AWS does to an account that has just joined (created or invited): in an
 * all-features organization the AWSServiceRoleForOrganizations service-linked role, and
 * AWSServiceRoleForCloudTrail while trusted access for CloudTrail is enabled. Call inside
 * the caller's transaction, after the account row carries the organization. Returns 0, or
 * -1 with e. */
__attribute__((warn_unused_result)) int org_account_joined(db_conn *db, const char *account_id,
                                                           int64_t now_ms, aws_error *e);
/* What AWS undoes when an account leaves: the CloudTrail service-linked role (the
 * organization trail no longer applies to it). Other roles stay. Returns 0, or -1 with e. */
__attribute__((warn_unused_result)) int org_account_left(db_conn *db, const char *account_id,
                                                         aws_error *e);

#endif
