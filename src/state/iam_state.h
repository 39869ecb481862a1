/* iam_state: IAM roles and users as other services create and read them.
 *
 * Organizations creates OrganizationAccountAccessRole in new accounts and the
 * service-linked roles; STS reads roles to check trust; the IAM API (svc/iam.c) uses the
 * same functions so that there is one way to make a role. */
#ifndef ORGTRAIL_IAM_STATE_H
#define ORGTRAIL_IAM_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/awserr.h"
#include "state/db.h"

typedef struct iam_role {
    char account_id[13];
    char name[65];
    char role_id[32]; /* AROA... */
    char path[513];
    char arn[700];
    char *trust_policy;     /* owned: free with iam_role_clear */
    char description[2001]; /* up to 1000 Latin-1 characters, as UTF-8 */
    int max_session_s;
    char service_principal[128]; /* service-linked roles: the service; "" otherwise */
    int64_t created_ms;
    char permissions_boundary[2048]; /* the boundary policy's ARN; "": none */
} iam_role;

/* Creates a role. Returns 0 with role_id filled, or -1 with e (EntityAlreadyExists 409). */
__attribute__((warn_unused_result)) int
iam_role_create(db_conn *db, const char *account_id, const char *name, const char *path,
                const char *trust_policy, const char *description, int max_session_s,
                const char *service_principal, int64_t now_ms, char role_id[32], aws_error *e);
/* Loads a role by name (case-insensitive, as IAM). Returns 1 found, 0 not. */
int iam_role_get(db_conn *db, const char *account_id, const char *name, iam_role *out);
void iam_role_clear(iam_role *r);
/* Attaches a managed policy to a role (no quota check; already attached is an error).
 * 0, or -1 (db error). */
__attribute__((warn_unused_result)) int iam_role_attach_policy(db_conn *db, const char *account_id,
                                                               const char *role_name,
                                                               const char *policy_arn);

/* The service-linked role for a service principal, e.g. cloudtrail.amazonaws.com ->
 * AWSServiceRoleForCloudTrail; NULL for services orgtrail does not know. */
const char *iam_slr_name(const char *service_principal);
/* Creates the service-linked role in account_id when missing (idempotent). Returns 0, or
 * -1 with e for an unknown service. */
__attribute__((warn_unused_result)) int iam_ensure_slr(db_conn *db, const char *account_id,
                                                       const char *service_principal,
                                                       int64_t now_ms, aws_error *e);
bool iam_slr_exists(db_conn *db, const char *account_id, const char *service_principal);

/* The trust policy Organizations gives OrganizationAccountAccessRole. Caller frees. */
char *iam_trust_account_root_alloc(const char *trusted_account);

/* The AWS managed policy AWS attaches to a service's service-linked role
 * (arn:aws:iam::aws:policy/aws-service-role/...), or NULL when orgtrail does not know it. */
const char *iam_slr_policy_arn(const char *service_principal);

typedef struct iam_user {
    char account_id[13];
    char name[129];
    char user_id[32]; /* AIDA... */
    char path[513];
    char arn[700];
    int64_t created_ms;
    char permissions_boundary[2048]; /* the boundary policy's ARN; "": none */
} iam_user;

/* Loads an IAM user by name (case-insensitive, as IAM). Returns 1 found, 0 not. */
int iam_user_get(db_conn *db, const char *account_id, const char *name, iam_user *out);

/* The resource id a role's or user's tags are stored under (state/tags.h, TAGS_IAM):
 * "<account>/<role or user id>". The ids alone are unique, but IAM's own table was keyed
 * by (account, id): keeping the account maps each of its rows to one of the shared table
 * (schema migration 8) whatever it held, and a tag stays visible only from its account. */
#define IAM_TAG_RESOURCE_ID_LEN 64
void iam_tag_resource_id(char out[IAM_TAG_RESOURCE_ID_LEN], const char *account_id,
                         const char *entity_id);

/* Whether an IAM user or role ARN (arn:aws:iam::<account>:user|role<path><name>) names an
 * entity that exists; IAM refuses trust policies naming ones that do not. */
bool iam_principal_arn_exists(db_conn *db, const char *arn);

/* The permissions of a user (role false: its own and those of every group it is in) or a
 * role: fn is called once per inline policy (document set, arn NULL) and once per
 * attached managed policy (arn set, document NULL). Returns how many it called fn for. */
typedef void (*iam_policy_fn)(const char *document, const char *arn, void *arg);
int iam_entity_policies_each(db_conn *db, const char *account_id, bool role, const char *name,
                             iam_policy_fn fn, void *arg);

/* How many users and roles of account_id have the managed policy policy_arn attached. */
int64_t iam_policy_attachment_count(db_conn *db, const char *account_id, const char *policy_arn);

typedef struct iam_group {
    char account_id[13];
    char name[129];
    char group_id[32]; /* AGPA... */
    char path[513];
    char arn[700];
    int64_t created_ms;
} iam_group;

/* Loads an IAM group by name (case-insensitive, as IAM). Returns 1 found, 0 not. */
int iam_group_get(db_conn *db, const char *account_id, const char *name, iam_group *out);

/* Sets (arn non-NULL) or removes (NULL) the permissions boundary of a role or user.
 * Returns 0, or -1 when the database refused. */
__attribute__((warn_unused_result)) int iam_entity_set_boundary(db_conn *db, const char *account_id,
                                                                bool role, const char *name,
                                                                const char *arn);

/* The session policies stored with a role session (state/schema.c migration 11: a JSON
 * array of policy documents as text and {"arn": ARN} objects), or NULL when it has none
 * (caller frees). */
char *iam_session_policies_alloc(db_conn *db, const char *access_key_id);

/* The authorization epoch (migration 10 of state/schema.c): a number that changes
 * whenever anything a caller's authorization reads changes. Returns it, or -1 when it
 * cannot be read. */
int64_t authz_epoch(db_conn *db);

#endif
