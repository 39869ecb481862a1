#include "state/iam_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/ids.h"

static const struct {
    const char *principal;
    const char *role;   /* role names are fixed per service */
    const char *policy; /* the AWS managed policy attached to it; NULL when unknown */
} SLRS[] = {
    {"organizations.amazonaws.com", "AWSServiceRoleForOrganizations",
     "arn:aws:iam::aws:policy/aws-service-role/AWSOrganizationsServiceTrustPolicy"},
    {"cloudtrail.amazonaws.com", "AWSServiceRoleForCloudTrail",
     "arn:aws:iam::aws:policy/aws-service-role/CloudTrailServiceRolePolicy"},
    {"logs.amazonaws.com", "AWSServiceRoleForLogDelivery", NULL},
    {"sso.amazonaws.com", "AWSServiceRoleForSSO",
     "arn:aws:iam::aws:policy/aws-service-role/AWSSSOServiceRolePolicy"},
    {"config.amazonaws.com", "AWSServiceRoleForConfig",
     "arn:aws:iam::aws:policy/aws-service-role/AWSConfigServiceRolePolicy"},
    {"guardduty.amazonaws.com", "AWSServiceRoleForAmazonGuardDuty",
     "arn:aws:iam::aws:policy/aws-service-role/AmazonGuardDutyServiceRolePolicy"},
    {"securityhub.amazonaws.com", "AWSServiceRoleForSecurityHub",
     "arn:aws:iam::aws:policy/aws-service-role/AWSSecurityHubServiceRolePolicy"},
    {"access-analyzer.amazonaws.com", "AWSServiceRoleForAccessAnalyzer",
     "arn:aws:iam::aws:policy/aws-service-role/AccessAnalyzerServiceRolePolicy"},
};

const char *iam_slr_name(const char *service_principal)
{
    for (size_t i = 0; i < sizeof SLRS / sizeof *SLRS; i++)
        if (!strcasecmp(SLRS[i].principal, service_principal)) return SLRS[i].role;
    return NULL;
}

const char *iam_slr_policy_arn(const char *service_principal)
{
    for (size_t i = 0; i < sizeof SLRS / sizeof *SLRS; i++)
        if (!strcasecmp(SLRS[i].principal, service_principal)) return SLRS[i].policy;
    return NULL;
}

int iam_role_create(db_conn *db, const char *account_id, const char *name, const char *path,
                    const char *trust_policy, const char *description, int max_session_s,
                    const char *service_principal, int64_t now_ms, char role_id[32], aws_error *e)
{
    int64_t n = 0;
    db_get_int(db, &n, "SELECT COUNT(*) FROM iam_roles WHERE account_id = ? AND name = ?", "ss",
               account_id, name);
    if (n)
        return aws_fail(e, 409, "EntityAlreadyExists", "Role with name %s already exists.", name);
    ids_key_id(role_id, 32, "AROA", 17);
    if (db_exec(db,
                "INSERT INTO iam_roles(account_id, name, role_id, path, trust_policy, description, "
                "max_session_s, service_principal, created_ms) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
                "ssssssdsi", account_id, name, role_id, path, trust_policy, description,
                max_session_s, service_principal, now_ms))
        return aws_fail(e, 500, "ServiceFailure", "cannot store the role: %s", db_errmsg(db));
    return 0;
}

int iam_role_get(db_conn *db, const char *account_id, const char *name, iam_role *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = db_query(db,
                                "SELECT account_id, name, role_id, path, trust_policy, "
                                "description, max_session_s, service_principal, created_ms, "
                                "permissions_boundary "
                                "FROM iam_roles WHERE account_id = ? AND name = ?",
                                "ss", account_id, name);
    int found = 0;
    if (db_row(st)) {
        snprintf(out->account_id, sizeof out->account_id, "%s", db_text(st, 0));
        snprintf(out->name, sizeof out->name, "%s", db_text(st, 1));
        snprintf(out->role_id, sizeof out->role_id, "%s", db_text(st, 2));
        snprintf(out->path, sizeof out->path, "%s", db_text(st, 3));
        out->trust_policy = strdup(db_text(st, 4));
        if (!out->trust_policy) abort();
        snprintf(out->description, sizeof out->description, "%s", db_text(st, 5));
        out->max_session_s = (int)db_int(st, 6);
        snprintf(out->service_principal, sizeof out->service_principal, "%s", db_text(st, 7));
        out->created_ms = db_int(st, 8);
        snprintf(out->permissions_boundary, sizeof out->permissions_boundary, "%s", db_text(st, 9));
        snprintf(out->arn, sizeof out->arn, "arn:aws:iam::%s:role%s%s", out->account_id, out->path,
                 out->name);
        found = 1;
    }
    db_done(st);
    return found;
}

void iam_role_clear(iam_role *r)
{
    free(r->trust_policy);
    r->trust_policy = NULL;
}

bool iam_slr_exists(db_conn *db, const char *account_id, const char *service_principal)
{
    const char *name = iam_slr_name(service_principal);
    if (!name) return false;
    int64_t n = 0;
    db_get_int(db, &n, "SELECT COUNT(*) FROM iam_roles WHERE account_id = ? AND name = ?", "ss",
               account_id, name);
    return n > 0;
}

int iam_ensure_slr(db_conn *db, const char *account_id, const char *service_principal,
                   int64_t now_ms, aws_error *e)
{
    const char *name = iam_slr_name(service_principal);
    if (!name)
        return aws_fail(e, 400, "InvalidInput",
                        "Service role name for the service %s is not recognized.",
                        service_principal);
    if (iam_slr_exists(db, account_id, service_principal)) return 0;
    char path[256], trust[512], role_id[32];
    snprintf(path, sizeof path, "/aws-service-role/%s/", service_principal);
    snprintf(trust, sizeof trust,
             "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
             "{\"Service\":\"%s\"},\"Action\":\"sts:AssumeRole\"}]}",
             service_principal);
    /* The role and its policy attachment appear together: join the caller's transaction,
     * or run our own. */
    bool own_tx = !db->in_tx;
    if (own_tx && db_begin(db))
        return aws_fail(e, 500, "ServiceFailure", "cannot store the role: %s", db_errmsg(db));
    const char *policy = iam_slr_policy_arn(service_principal);
    if (iam_role_create(db, account_id, name, path, trust, NULL, 3600, service_principal, now_ms,
                        role_id, e) ||
        (policy && db_exec(db,
                           "INSERT OR IGNORE INTO iam_role_attached(account_id, role_name, "
                           "policy_arn) VALUES(?, ?, ?)",
                           "sss", account_id, name, policy))) {
        if (own_tx) db_rollback(db);
        if (!aws_error_set(e))
            aws_fail(e, 500, "ServiceFailure", "cannot store the role: %s", db_errmsg(db));
        return -1;
    }
    if (own_tx && db_commit(db))
        return aws_fail(e, 500, "ServiceFailure", "cannot store the role: %s", db_errmsg(db));
    return 0;
}

char *iam_trust_account_root_alloc(const char *trusted_account)
{
    char *p;
    if (asprintf(&p,
                 "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
                 "{\"AWS\":\"arn:aws:iam::%s:root\"},\"Action\":\"sts:AssumeRole\"}]}",
                 trusted_account) < 0)
        abort();
    return p;
}

int iam_user_get(db_conn *db, const char *account_id, const char *name, iam_user *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = db_query(db,
                                "SELECT account_id, name, user_id, path, created_ms, "
                                "permissions_boundary FROM iam_users "
                                "WHERE account_id = ? AND name = ?",
                                "ss", account_id, name);
    int found = 0;
    if (db_row(st)) {
        snprintf(out->account_id, sizeof out->account_id, "%s", db_text(st, 0));
        snprintf(out->name, sizeof out->name, "%s", db_text(st, 1));
        snprintf(out->user_id, sizeof out->user_id, "%s", db_text(st, 2));
        snprintf(out->path, sizeof out->path, "%s", db_text(st, 3));
        out->created_ms = db_int(st, 4);
        snprintf(out->permissions_boundary, sizeof out->permissions_boundary, "%s", db_text(st, 5));
        snprintf(out->arn, sizeof out->arn, "arn:aws:iam::%s:user%s%s", out->account_id, out->path,
                 out->name);
        found = 1;
    }
    db_done(st);
    return found;
}

void iam_tag_resource_id(char out[IAM_TAG_RESOURCE_ID_LEN], const char *account_id,
                         const char *entity_id)
{
    snprintf(out, IAM_TAG_RESOURCE_ID_LEN, "%s/%s", account_id, entity_id);
}

bool iam_principal_arn_exists(db_conn *db, const char *arn)
{
    static const char prefix[] = "arn:aws:iam::";
    size_t pl = sizeof prefix - 1;
    if (strncmp(arn, prefix, pl) || strlen(arn) < pl + 13 || arn[pl + 12] != ':') return false;
    char account[13];
    memcpy(account, arn + pl, 12);
    account[12] = '\0';
    const char *res = arn + pl + 13;
    bool user = !strncmp(res, "user/", 5), role = !strncmp(res, "role/", 5);
    if (!user && !role) return false;
    const char *path_start = res + 4;
    const char *last = strrchr(path_start, '/');
    if (!last[1]) return false;
    char path[513];
    size_t plen = (size_t)(last - path_start) + 1;
    if (plen >= sizeof path) return false;
    memcpy(path, path_start, plen);
    path[plen] = '\0';
    int64_t n = 0;
    if (user)
        db_get_int(db, &n,
                   "SELECT COUNT(*) FROM iam_users WHERE account_id = ? AND name = ? AND path = ?",
                   "sss", account, last + 1, path);
    else
        db_get_int(db, &n,
                   "SELECT COUNT(*) FROM iam_roles WHERE account_id = ? AND name = ? AND path = ?",
                   "sss", account, last + 1, path);
    return n > 0;
}

int iam_role_attach_policy(db_conn *db, const char *account_id, const char *role_name,
                           const char *policy_arn)
{
    return db_exec(
        db, "INSERT INTO iam_role_attached(account_id, role_name, policy_arn) VALUES(?, ?, ?)",
        "sss", account_id, role_name, policy_arn);
}

int64_t iam_policy_attachment_count(db_conn *db, const char *account_id, const char *policy_arn)
{
    int64_t n = 0;
    if (db_get_int(db, &n,
                   "SELECT (SELECT count(*) FROM iam_role_attached WHERE account_id = ?1 AND "
                   "policy_arn = ?2) + (SELECT count(*) FROM iam_user_attached WHERE "
                   "account_id = ?1 AND policy_arn = ?2) + (SELECT count(*) FROM "
                   "iam_group_attached WHERE account_id = ?1 AND policy_arn = ?2)",
                   "ss", account_id, policy_arn) != 1)
        return 0;
    return n;
}

int iam_entity_policies_each(db_conn *db, const char *account_id, bool role, const char *name,
                             iam_policy_fn fn, void *arg)
{
    sqlite3_stmt *st =
        db_query(db,
                 role ? "SELECT document, NULL FROM iam_role_policies WHERE account_id = ?1 AND "
                        "role_name = ?2 UNION ALL SELECT NULL, policy_arn FROM iam_role_attached "
                        "WHERE account_id = ?1 AND role_name = ?2"
                      : "SELECT document, NULL FROM iam_user_policies WHERE account_id = ?1 AND "
                        "user_name = ?2 UNION ALL SELECT NULL, policy_arn FROM iam_user_attached "
                        "WHERE account_id = ?1 AND user_name = ?2 "
                        "UNION ALL SELECT p.document, NULL FROM iam_group_members m "
                        "JOIN iam_group_policies p ON p.account_id = m.account_id AND "
                        "p.group_name = m.group_name WHERE m.account_id = ?1 AND m.user_name = ?2 "
                        "UNION ALL SELECT NULL, a.policy_arn FROM iam_group_members m "
                        "JOIN iam_group_attached a ON a.account_id = m.account_id AND "
                        "a.group_name = m.group_name WHERE m.account_id = ?1 AND m.user_name = ?2",
                 "ss", account_id, name);
    int n = 0;
    while (db_row(st)) {
        fn(db_is_null(st, 0) ? NULL : db_text(st, 0), db_is_null(st, 1) ? NULL : db_text(st, 1),
           arg);
        n++;
    }
    db_done(st);
    return n;
}

int64_t authz_epoch(db_conn *db)
{
    sqlite3_stmt *st = db_query(db, "SELECT n FROM authz_epoch WHERE id = 1", "");
    if (!st) return -1;
    int64_t n = db_row(st) ? db_int(st, 0) : -1;
    db_done(st);
    return n;
}

int iam_entity_set_boundary(db_conn *db, const char *account_id, bool role, const char *name,
                            const char *arn)
{
    return db_exec(db,
                   role ? "UPDATE iam_roles SET permissions_boundary = ? WHERE account_id = ? AND "
                          "name = ?"
                        : "UPDATE iam_users SET permissions_boundary = ? WHERE account_id = ? AND "
                          "name = ?",
                   "sss", arn, account_id, name);
}

char *iam_session_policies_alloc(db_conn *db, const char *access_key_id)
{
    sqlite3_stmt *st =
        db_query(db, "SELECT policies FROM sessions WHERE access_key_id = ?", "s", access_key_id);
    char *out = NULL;
    if (db_row(st) && !db_is_null(st, 0)) {
        out = strdup(db_text(st, 0));
        if (!out) abort();
    }
    db_done(st);
    return out;
}

int iam_group_get(db_conn *db, const char *account_id, const char *name, iam_group *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = db_query(db,
                                "SELECT account_id, name, group_id, path, created_ms FROM "
                                "iam_groups WHERE account_id = ? AND name = ?",
                                "ss", account_id, name);
    int found = 0;
    if (db_row(st)) {
        snprintf(out->account_id, sizeof out->account_id, "%s", db_text(st, 0));
        snprintf(out->name, sizeof out->name, "%s", db_text(st, 1));
        snprintf(out->group_id, sizeof out->group_id, "%s", db_text(st, 2));
        snprintf(out->path, sizeof out->path, "%s", db_text(st, 3));
        out->created_ms = db_int(st, 4);
        snprintf(out->arn, sizeof out->arn, "arn:aws:iam::%s:group%s%s", out->account_id, out->path,
                 out->name);
        found = 1;
    }
    db_done(st);
    return found;
}
