/* org_state: read access to the organization, shared by every service that needs to
 * know who is in it (CloudTrail org trails, STS, capture). Organizations' own API lives
 * in svc/organizations.c; these helpers only read, except org_account_joined which the
 * service calls when an account enters the organization. */
#ifndef ORGTRAIL_ORG_STATE_H
#define ORGTRAIL_ORG_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "state/db.h"

typedef struct org_info {
    char id[40];             /* o-xxxxxxxxxx */
    char feature_set[32];    /* ALL | CONSOLIDATED_BILLING */
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

#endif
