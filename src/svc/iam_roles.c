/* iam_roles: IAM roles, including the service-linked roles AWS services own.
 *
 * A service-linked role (service_principal set) is made by CreateServiceLinkedRole or by
 * the services themselves (iam_ensure_slr) and can only be removed with
 * DeleteServiceLinkedRole; IAM refuses to change it otherwise (UnmodifiableEntity). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "state/org_state.h"
#include "svc/iam_internal.h"

#define ROLES_PER_ACCOUNT 1000

typedef enum role_detail {
    ROLE_LISTED,  /* ListRoles: no tags, no last use */
    ROLE_CREATED, /* CreateRole: tags when it has any */
    ROLE_FULL,    /* GetRole: tags and RoleLastUsed */
} role_detail;

static json_t *role_json(db_conn *db, const iam_role *r, role_detail detail)
{
    json_t *j = json_object();
    json_object_set_new(j, "Path", json_string(r->path));
    json_object_set_new(j, "RoleName", json_string(r->name));
    json_object_set_new(j, "RoleId", json_string(r->role_id));
    json_object_set_new(j, "Arn", json_string(r->arn));
    json_object_set_new(j, "CreateDate", json_time(r->created_ms));
    json_object_set_new(j, "AssumeRolePolicyDocument", iam_doc_json(r->trust_policy));
    if (r->description[0]) json_object_set_new(j, "Description", json_string(r->description));
    json_object_set_new(j, "MaxSessionDuration", json_integer(r->max_session_s));
    if (detail == ROLE_LISTED) return j;
    json_t *boundary = iam_boundary_json(r->permissions_boundary);
    if (boundary) json_object_set_new(j, "PermissionsBoundary", boundary);
    json_t *tags = iam_tags_json(db, r->account_id, r->role_id);
    if (json_array_size(tags))
        json_object_set_new(j, "Tags", tags);
    else
        json_decref(tags);
    if (detail == ROLE_FULL) {
        /* The role was last used when a session of it was last issued. */
        json_t *used = json_object();
        int64_t last = 0;
        if (db_get_int(db, &last,
                       "SELECT MAX(created_ms) FROM sessions WHERE account_id = ? AND role_id = ?",
                       "ss", r->account_id, r->role_id) &&
            last > 0)
            json_object_set_new(used, "LastUsedDate", json_time(last));
        json_object_set_new(j, "RoleLastUsed", used);
    }
    return j;
}

/* Sets c->out = {"Role": ...} for the stored role `name`. */
static int out_role(call_ctx *c, const char *name, role_detail detail)
{
    iam_role r;
    if (!iam_role_get(c->db, c->caller->account_id, name, &r)) return iam_fail_no_role(c, name);
    c->out = json_pack("{s:o}", "Role", role_json(c->db, &r, detail));
    iam_role_clear(&r);
    return 0;
}

int iam_create_role(call_ctx *c)
{
    const char *name = in_str(c, "RoleName"), *trust = in_str(c, "AssumeRolePolicyDocument");
    const char *path = in_str(c, "Path") ? in_str(c, "Path") : "/";
    const json_t *tags = json_object_get(c->in, "Tags");
    if (iam_check_permissions_boundary(c) || iam_check_trust_policy(c, trust)) return -1;
    const char *acct = c->caller->account_id;
    if (db_begin(c->db)) return iam_fail_db(c);
    int64_t n = 0;
    db_get_int(c->db, &n, "SELECT COUNT(*) FROM iam_roles WHERE account_id = ?", "s", acct);
    if (n >= ROLES_PER_ACCOUNT) {
        db_rollback(c->db);
        return aws_fail(&c->err, 409, "LimitExceeded",
                        "Cannot exceed quota for RolesPerAccount: %d", ROLES_PER_ACCOUNT);
    }
    char role_id[32];
    if (iam_role_create(c->db, acct, name, path, trust, in_str(c, "Description"),
                        (int)in_int(c, "MaxSessionDuration", 3600), NULL, c->now_ms, role_id,
                        &c->err) ||
        (tags && iam_tags_add(c, role_id, tags, "TagsPerRole"))) {
        db_rollback(c->db);
        return -1;
    }
    const char *boundary = in_str(c, "PermissionsBoundary");
    if (boundary && iam_entity_set_boundary(c->db, acct, true, name, boundary))
        return iam_fail_db(c);
    if (db_commit(c->db)) return iam_fail_db(c);
    return out_role(c, name, ROLE_CREATED);
}

int iam_get_role(call_ctx *c)
{
    return out_role(c, in_str(c, "RoleName"), ROLE_FULL);
}

int iam_delete_role(call_ctx *c)
{
    const char *name = in_str(c, "RoleName"), *acct = c->caller->account_id;
    iam_role r;
    if (!iam_role_get(c->db, acct, name, &r)) return iam_fail_no_role(c, name);
    bool service_linked = r.service_principal[0] != '\0';
    char stored[65], role_id[32];
    snprintf(stored, sizeof stored, "%s", r.name);
    snprintf(role_id, sizeof role_id, "%s", r.role_id);
    iam_role_clear(&r);
    if (service_linked) return iam_fail_protected_role(c, stored);
    if (db_begin(c->db)) return iam_fail_db(c);
    int64_t attached = 0, inline_n = 0;
    db_get_int(c->db, &attached,
               "SELECT COUNT(*) FROM iam_role_attached WHERE account_id = ? AND role_name = ?",
               "ss", acct, stored);
    db_get_int(c->db, &inline_n,
               "SELECT COUNT(*) FROM iam_role_policies WHERE account_id = ? AND role_name = ?",
               "ss", acct, stored);
    if (attached || inline_n) {
        db_rollback(c->db);
        return aws_fail(&c->err, 409, "DeleteConflict", "Cannot delete entity, must %s first.",
                        attached ? "detach all policies" : "delete policies");
    }
    if (db_exec(c->db, "DELETE FROM iam_roles WHERE account_id = ? AND name = ?", "ss", acct,
                stored) ||
        iam_tags_drop(c->db, acct, role_id) || db_commit(c->db))
        return iam_fail_db(c);
    return 0;
}

int iam_list_roles(call_ctx *c)
{
    const char *prefix = in_str(c, "PathPrefix"), *acct = c->caller->account_id;
    json_t *names = json_array();
    sqlite3_stmt *st = db_query(c->db,
                                "SELECT name FROM iam_roles WHERE account_id = ? AND "
                                "(? IS NULL OR substr(path, 1, length(?)) = ?) ORDER BY name",
                                "ssss", acct, prefix, prefix, prefix);
    while (db_row(st))
        json_array_append_new(names, json_string(db_text(st, 0)));
    db_done(st);
    json_t *roles = json_array();
    size_t i;
    json_t *n;
    json_array_foreach(names, i, n)
    {
        iam_role r;
        if (!iam_role_get(c->db, acct, json_string_value(n), &r)) continue;
        json_array_append_new(roles, role_json(c->db, &r, ROLE_LISTED));
        iam_role_clear(&r);
    }
    json_decref(names);
    return iam_page(c, roles, "Roles", "RoleName", true);
}

/* Loads the request's role for a change; refuses service-linked roles when `strict`. */
static int role_for_update(call_ctx *c, bool strict, char stored[65])
{
    const char *name = in_str(c, "RoleName");
    iam_role r;
    if (!iam_role_get(c->db, c->caller->account_id, name, &r)) return iam_fail_no_role(c, name);
    bool service_linked = r.service_principal[0] != '\0';
    snprintf(stored, 65, "%s", r.name);
    iam_role_clear(&r);
    if (strict && service_linked) return iam_fail_protected_role(c, stored);
    return 0;
}

int iam_update_role(call_ctx *c)
{
    char stored[65];
    bool max_given = json_object_get(c->in, "MaxSessionDuration") != NULL;
    /* AWS services may have their roles described, but nothing else changed. */
    if (role_for_update(c, max_given, stored)) return -1;
    const char *acct = c->caller->account_id, *desc = in_str(c, "Description");
    if (db_begin(c->db)) return iam_fail_db(c);
    if ((desc && db_exec(c->db,
                         "UPDATE iam_roles SET description = ? WHERE account_id = ? AND "
                         "name = ?",
                         "sss", desc, acct, stored)) ||
        (max_given && db_exec(c->db,
                              "UPDATE iam_roles SET max_session_s = ? WHERE account_id = ? AND "
                              "name = ?",
                              "iss", in_int(c, "MaxSessionDuration", 3600), acct, stored)) ||
        db_commit(c->db))
        return iam_fail_db(c);
    c->out = json_object();
    return 0;
}

int iam_update_role_description(call_ctx *c)
{
    char stored[65];
    if (role_for_update(c, false, stored)) return -1;
    if (db_exec(c->db, "UPDATE iam_roles SET description = ? WHERE account_id = ? AND name = ?",
                "sss", in_str(c, "Description"), c->caller->account_id, stored))
        return iam_fail_db(c);
    return out_role(c, stored, ROLE_FULL);
}

int iam_update_assume_role_policy(call_ctx *c)
{
    char stored[65];
    const char *doc = in_str(c, "PolicyDocument");
    if (role_for_update(c, true, stored) || iam_check_trust_policy(c, doc)) return -1;
    if (db_exec(c->db, "UPDATE iam_roles SET trust_policy = ? WHERE account_id = ? AND name = ?",
                "sss", doc, c->caller->account_id, stored))
        return iam_fail_db(c);
    return 0;
}

int iam_create_service_linked_role(call_ctx *c)
{
    const char *service = in_str(c, "AWSServiceName"), *acct = c->caller->account_id;
    const char *name = iam_slr_name(service);
    if (name && in_str(c, "CustomSuffix"))
        return aws_fail(&c->err, 400, "InvalidInput", "Custom suffix is not allowed for %s",
                        service);
    if (name && iam_slr_exists(c->db, acct, service))
        return aws_fail(&c->err, 400, "InvalidInput",
                        "Service role name %s has been taken in this account, please try a "
                        "different suffix.",
                        name);
    if (db_begin(c->db)) return iam_fail_db(c);
    if (iam_ensure_slr(c->db, acct, service, c->now_ms, &c->err)) {
        db_rollback(c->db);
        return -1;
    }
    const char *desc = in_str(c, "Description");
    if ((desc &&
         db_exec(c->db, "UPDATE iam_roles SET description = ? WHERE account_id = ? AND name = ?",
                 "sss", desc, acct, name)) ||
        db_commit(c->db))
        return iam_fail_db(c);
    return out_role(c, name, ROLE_CREATED);
}

/* Whether the service of a service-linked role still needs it in the caller's account,
 * with the reason: AWS Organizations needs AWSServiceRoleForOrganizations for as long as
 * the account manages an organization. */
static bool slr_in_use(call_ctx *c, const char *service, char *why, size_t n, char *user,
                       size_t user_len)
{
    org_info o;
    if (!strcmp(service, "organizations.amazonaws.com") &&
        org_of_account(c->db, c->caller->account_id, &o) &&
        !strcmp(o.master_account, c->caller->account_id)) {
        snprintf(why, n,
                 "The service-linked role is in use: account %s is the management account of "
                 "organization %s. Delete the organization first.",
                 c->caller->account_id, o.id);
        snprintf(user, user_len, "arn:aws:organizations::%s:organization/%s", o.master_account,
                 o.id);
        return true;
    }
    return false;
}

int iam_delete_service_linked_role(call_ctx *c)
{
    const char *name = in_str(c, "RoleName"), *acct = c->caller->account_id;
    iam_role r;
    if (!iam_role_get(c->db, acct, name, &r)) return iam_fail_no_role(c, name);
    char stored[65], role_id[32], service[128];
    snprintf(stored, sizeof stored, "%s", r.name);
    snprintf(role_id, sizeof role_id, "%s", r.role_id);
    snprintf(service, sizeof service, "%s", r.service_principal);
    iam_role_clear(&r);
    if (!service[0])
        return aws_fail(&c->err, 404, "NoSuchEntity",
                        "The role with name %s is not a service-linked role.", stored);
    char uuid[37], task[400];
    ids_uuid(uuid);
    snprintf(task, sizeof task, "task/aws-service-role/%s/%s/%s", service, stored, uuid);
    /* A role its service still uses is not deleted: the task fails, and
     * GetServiceLinkedRoleDeletionStatus says why (as AWS reports it, after the fact). */
    char in_use[256], user[128];
    if (slr_in_use(c, service, in_use, sizeof in_use, user, sizeof user)) {
        c->out = json_pack("{s:s}", "DeletionTaskId", task);
        return 0;
    }
    /* Deletion is immediate here; AWS runs it as a task, hence the id. */
    if (db_begin(c->db) ||
        db_exec(c->db, "DELETE FROM iam_role_attached WHERE account_id = ? AND role_name = ?", "ss",
                acct, stored) ||
        db_exec(c->db, "DELETE FROM iam_role_policies WHERE account_id = ? AND role_name = ?", "ss",
                acct, stored) ||
        db_exec(c->db, "DELETE FROM iam_roles WHERE account_id = ? AND name = ?", "ss", acct,
                stored) ||
        iam_tags_drop(c->db, acct, role_id) || db_commit(c->db))
        return iam_fail_db(c);
    c->out = json_pack("{s:s}", "DeletionTaskId", task);
    return 0;
}

int iam_get_service_linked_role_deletion_status(call_ctx *c)
{
    /* task/aws-service-role/<service>/<role name>/<uuid>: the role of a known service,
     * already gone, since orgtrail deletes at once. */
    const char *id = in_str(c, "DeletionTaskId");
    static const char prefix[] = "task/aws-service-role/";
    char service[129] = "", role[129] = "", uuid[64] = "";
    bool ok = !strncmp(id, prefix, sizeof prefix - 1) &&
              sscanf(id + sizeof prefix - 1, "%128[^/]/%128[^/]/%63s", service, role, uuid) == 3 &&
              strlen(uuid) == 36;
    const char *want = ok ? iam_slr_name(service) : NULL;
    if (!ok) return aws_fail(&c->err, 400, "InvalidInput", "Invalid deletion task id: %.200s", id);
    if (!want || strcmp(want, role))
        return aws_fail(&c->err, 404, "NoSuchEntity", "Deletion task %.200s not found.", id);
    /* orgtrail deletes at once or not at all: a role still there is a failed task. */
    iam_role r;
    bool still_there = iam_role_get(c->db, c->caller->account_id, role, &r);
    if (still_there) iam_role_clear(&r);
    char why[256], user[128];
    if (still_there && slr_in_use(c, service, why, sizeof why, user, sizeof user)) {
        c->out =
            json_pack("{s:s, s:{s:s, s:[{s:s, s:[s]}]}}", "Status", "FAILED", "Reason", "Reason",
                      why, "RoleUsageList", "Region", "us-east-1", "Resources", user);
        return 0;
    }
    c->out = json_pack("{s:s}", "Status", still_there ? "FAILED" : "SUCCEEDED");
    return 0;
}
