/* org_state: read access to the organization, shared by every service that needs to
 * know who is in it (CloudTrail org trails, STS, capture). Organizations' own API lives
 * in svc/organizations.c; these helpers only read, except the delegated-admin writers
 * (Organizations and CloudTrail both register delegated administrators), and
 * org_account_joined and org_account_left, which that service calls when an account
 * enters or leaves the organization (the place for other services' per-account side
 * effects). */
#ifndef ORGTRAIL_ORG_STATE_H
#define ORGTRAIL_ORG_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/awserr.h"
#include "state/db.h"

typedef struct org_info {
    char id[40];          /* o-xxxxxxxxxx */
    char feature_set[32]; /* ALL | CONSOLIDATED_BILLING */
    char master_account[13];
    char master_email[128];
    char root_id[40];
    int64_t created_ms;
} org_info;

/* Returns 1 with *o filled when an organization exists, else 0. */
int org_get(db_conn *db, org_info *o);
/* The organization account_id belongs to (as management or member): 1 with *o, else 0. */
int org_of_account(db_conn *db, const char *account_id, org_info *o);
bool org_service_access_enabled(db_conn *db, const char *service_principal);
bool org_is_delegated_admin(db_conn *db, const char *account_id, const char *service_principal);
/* Calls fn for every account of the organization (management included), in id order. */
int org_each_account(db_conn *db, void (*fn)(const char *account_id, void *arg), void *arg);
bool account_exists(db_conn *db, const char *account_id);
/* Whether account_id is a delegated administrator for any service principal. */
bool org_is_any_delegated_admin(db_conn *db, const char *account_id);

/* Registers / deregisters a delegated administrator for a service principal (the
 * caller checked the rules). CloudTrail's RegisterOrganizationDelegatedAdmin writes the
 * same registration Organizations' RegisterDelegatedAdministrator does. 0, or -1. */
int org_delegated_admin_add(db_conn *db, const char *account_id, const char *service_principal,
                            int64_t now_ms);
int org_delegated_admin_remove(db_conn *db, const char *account_id, const char *service_principal);

/* What AWS does to an account that has just joined (created or invited): in an
 * all-features organization the AWSServiceRoleForOrganizations service-linked role, and
 * AWSServiceRoleForCloudTrail while trusted access for CloudTrail is enabled. Call inside
 * the caller's transaction, after the account row carries the organization. Returns 0, or
 * -1 with e. */
int org_account_joined(db_conn *db, const char *account_id, int64_t now_ms, aws_error *e);
/* What AWS undoes when an account leaves: the CloudTrail service-linked role (the
 * organization trail no longer applies to it). Other roles stay. Returns 0, or -1 with e. */
int org_account_left(db_conn *db, const char *account_id, aws_error *e);

#endif
