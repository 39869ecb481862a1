/* iam_users: IAM users and the long-term access keys of users and of the account root.
 *
 * Operations that take an optional UserName act on the caller when it is absent, as IAM
 * does: an IAM user on itself, the root on the root's own keys; role sessions must name
 * a user. A key's secret is returned once, by CreateAccessKey. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "svc/iam_internal.h"

#define USERS_PER_ACCOUNT 5000
#define ACCESS_KEYS_PER_USER 2

static int fail_not_a_user(call_ctx *c)
{
    return aws_fail(&c->err, 400, "ValidationError",
                    "Must specify userName when calling with non-User credentials");
}

static json_t *user_json(db_conn *db, const iam_user *u, bool with_tags)
{
    json_t *j = json_object();
    json_object_set_new(j, "Path", json_string(u->path));
    json_object_set_new(j, "UserName", json_string(u->name));
    json_object_set_new(j, "UserId", json_string(u->user_id));
    json_object_set_new(j, "Arn", json_string(u->arn));
    json_object_set_new(j, "CreateDate", json_time(u->created_ms));
    if (with_tags) { /* GetUser and CreateUser, not ListUsers */
        json_t *boundary = iam_boundary_json(u->permissions_boundary);
        if (boundary) json_object_set_new(j, "PermissionsBoundary", boundary);
        json_t *tags = iam_tags_json(db, u->account_id, u->user_id);
        if (json_array_size(tags))
            json_object_set_new(j, "Tags", tags);
        else
            json_decref(tags);
    }
    return j;
}

int iam_create_user(call_ctx *c)
{
    const char *name = in_str(c, "UserName"), *acct = c->caller->account_id;
    const char *path = in_str(c, "Path") ? in_str(c, "Path") : "/";
    const json_t *tags = json_object_get(c->in, "Tags");
    if (iam_check_permissions_boundary(c)) return -1;
    if (db_begin(c->db)) return iam_fail_db(c);
    int64_t n = 0, same = 0;
    db_get_int(c->db, &n, "SELECT COUNT(*) FROM iam_users WHERE account_id = ?", "s", acct);
    db_get_int(c->db, &same, "SELECT COUNT(*) FROM iam_users WHERE account_id = ? AND name = ?",
               "ss", acct, name);
    if (same) {
        db_rollback(c->db);
        return aws_fail(&c->err, 409, "EntityAlreadyExists", "User with name %s already exists.",
                        name);
    }
    if (n >= USERS_PER_ACCOUNT) {
        db_rollback(c->db);
        return aws_fail(&c->err, 409, "LimitExceeded",
                        "Cannot exceed quota for UsersPerAccount: %d", USERS_PER_ACCOUNT);
    }
    char user_id[32];
    ids_key_id(user_id, sizeof user_id, "AIDA", 17);
    if (db_exec(c->db,
                "INSERT INTO iam_users(account_id, name, user_id, path, created_ms) "
                "VALUES(?, ?, ?, ?, ?)",
                "ssssi", acct, name, user_id, path, c->now_ms))
        return iam_fail_db(c);
    if (tags && iam_tags_add(c, user_id, tags, "TagsPerUser")) {
        db_rollback(c->db);
        return -1;
    }
    const char *boundary = in_str(c, "PermissionsBoundary");
    if (boundary && iam_entity_set_boundary(c->db, acct, false, name, boundary))
        return iam_fail_db(c);
    if (db_commit(c->db)) return iam_fail_db(c);
    iam_user u;
    iam_user_get(c->db, acct, name, &u);
    c->out = json_pack("{s:o}", "User", user_json(c->db, &u, true));
    return 0;
}

int iam_get_user(call_ctx *c)
{
    const char *name = in_str(c, "UserName");
    const principal *p = c->caller;
    if (!name && p->kind == PRINCIPAL_ROOT) {
        /* The root user: no name or path, created with the account. */
        int64_t created = 0;
        db_get_int(c->db, &created, "SELECT created_ms FROM accounts WHERE id = ?", "s",
                   p->account_id);
        c->out = json_pack("{s:{s:s, s:s, s:o}}", "User", "UserId", p->account_id, "Arn", p->arn,
                           "CreateDate", json_time(created));
        return 0;
    }
    if (!name && p->kind != PRINCIPAL_IAM_USER) return fail_not_a_user(c);
    if (!name) name = p->user_name;
    iam_user u;
    if (!iam_user_get(c->db, p->account_id, name, &u)) return iam_fail_no_user(c, name);
    c->out = json_pack("{s:o}", "User", user_json(c->db, &u, true));
    return 0;
}

int iam_delete_user(call_ctx *c)
{
    const char *name = in_str(c, "UserName"), *acct = c->caller->account_id;
    iam_user u;
    if (!iam_user_get(c->db, acct, name, &u)) return iam_fail_no_user(c, name);
    if (db_begin(c->db)) return iam_fail_db(c);
    int64_t keys = 0, attached = 0, inline_n = 0;
    db_get_int(c->db, &keys,
               "SELECT COUNT(*) FROM access_keys WHERE account_id = ? AND user_name = ?", "ss",
               acct, u.name);
    db_get_int(c->db, &attached,
               "SELECT COUNT(*) FROM iam_user_attached WHERE account_id = ? AND user_name = ?",
               "ss", acct, u.name);
    db_get_int(c->db, &inline_n,
               "SELECT COUNT(*) FROM iam_user_policies WHERE account_id = ? AND user_name = ?",
               "ss", acct, u.name);
    int64_t groups = 0;
    db_get_int(c->db, &groups,
               "SELECT COUNT(*) FROM iam_group_members WHERE account_id = ? AND user_name = ?",
               "ss", acct, u.name);
    if (keys || attached || inline_n || groups) {
        db_rollback(c->db);
        return aws_fail(&c->err, 409, "DeleteConflict", "Cannot delete entity, must %s first.",
                        keys       ? "delete access keys"
                        : attached ? "detach all policies"
                        : inline_n ? "delete policies"
                                   : "remove user from all groups");
    }
    if (db_exec(c->db, "DELETE FROM iam_users WHERE account_id = ? AND name = ?", "ss", acct,
                u.name) ||
        iam_tags_drop(c->db, acct, u.user_id) || db_commit(c->db))
        return iam_fail_db(c);
    return 0;
}

int iam_list_users(call_ctx *c)
{
    const char *prefix = in_str(c, "PathPrefix"), *acct = c->caller->account_id;
    json_t *users = json_array();
    sqlite3_stmt *st = db_query(c->db,
                                "SELECT name FROM iam_users WHERE account_id = ? AND "
                                "(? IS NULL OR substr(path, 1, length(?)) = ?) ORDER BY name",
                                "ssss", acct, prefix, prefix, prefix);
    json_t *names = json_array();
    while (db_row(st))
        json_array_append_new(names, json_string(db_text(st, 0)));
    db_done(st);
    size_t i;
    json_t *n;
    json_array_foreach(names, i, n)
    {
        iam_user u;
        if (iam_user_get(c->db, acct, json_string_value(n), &u))
            json_array_append_new(users, user_json(c->db, &u, false));
    }
    json_decref(names);
    return iam_page(c, users, "Users", "UserName", true);
}

/* ---- access keys --------------------------------------------------------------------- */

/* Whose keys a request is about: the named user (its stored spelling), else the caller.
 * *user is "" for the account root. */
static int key_owner(call_ctx *c, char user[129])
{
    const char *name = in_str(c, "UserName");
    const principal *p = c->caller;
    user[0] = '\0';
    if (name) {
        iam_user u;
        if (!iam_user_get(c->db, p->account_id, name, &u)) return iam_fail_no_user(c, name);
        snprintf(user, 129, "%s", u.name);
        return 0;
    }
    if (p->kind == PRINCIPAL_IAM_USER) {
        snprintf(user, 129, "%s", p->user_name);
        return 0;
    }
    if (p->kind == PRINCIPAL_ROOT) return 0;
    return fail_not_a_user(c);
}

int iam_create_access_key(call_ctx *c)
{
    char user[129];
    if (key_owner(c, user)) return -1;
    const char *acct = c->caller->account_id, *owner = user[0] ? user : NULL;
    if (db_begin(c->db)) return iam_fail_db(c);
    int64_t n = 0;
    db_get_int(c->db, &n,
               "SELECT COUNT(*) FROM access_keys WHERE account_id = ? AND user_name IS ?", "ss",
               acct, owner);
    if (n >= ACCESS_KEYS_PER_USER) {
        db_rollback(c->db);
        return aws_fail(&c->err, 409, "LimitExceeded",
                        "Cannot exceed quota for AccessKeysPerUser: %d", ACCESS_KEYS_PER_USER);
    }
    char akid[32], secret[48];
    ids_key_id(akid, sizeof akid, "AKIA", 16);
    ids_secret(secret);
    if (db_exec(c->db,
                "INSERT INTO access_keys(access_key_id, secret, account_id, user_name, status, "
                "created_ms) VALUES(?, ?, ?, ?, 'Active', ?)",
                "ssssi", akid, secret, acct, owner, c->now_ms) ||
        db_commit(c->db)) {
        explicit_bzero(secret, sizeof secret);
        return iam_fail_db(c);
    }
    json_t *key = json_object();
    if (owner) json_object_set_new(key, "UserName", json_string(owner));
    json_object_set_new(key, "AccessKeyId", json_string(akid));
    json_object_set_new(key, "Status", json_string("Active"));
    json_object_set_new(key, "SecretAccessKey", json_string(secret));
    json_object_set_new(key, "CreateDate", json_time(c->now_ms));
    explicit_bzero(secret, sizeof secret);
    c->out = json_pack("{s:o}", "AccessKey", key);
    return 0;
}

int iam_list_access_keys(call_ctx *c)
{
    char user[129];
    if (key_owner(c, user)) return -1;
    const char *owner = user[0] ? user : NULL;
    json_t *keys = json_array();
    sqlite3_stmt *st = db_query(c->db,
                                "SELECT access_key_id, status, created_ms FROM access_keys WHERE "
                                "account_id = ? AND user_name IS ? ORDER BY created_ms, "
                                "access_key_id",
                                "ss", c->caller->account_id, owner);
    while (db_row(st)) {
        json_t *k = json_object();
        if (owner) json_object_set_new(k, "UserName", json_string(owner));
        json_object_set_new(k, "AccessKeyId", json_string(db_text(st, 0)));
        json_object_set_new(k, "Status", json_string(db_text(st, 1)));
        json_object_set_new(k, "CreateDate", json_time(db_int(st, 2)));
        json_array_append_new(keys, k);
    }
    db_done(st);
    return iam_page(c, keys, "AccessKeyMetadata", "AccessKeyId", false);
}

static int fail_no_key(call_ctx *c, const char *akid)
{
    return aws_fail(&c->err, 404, "NoSuchEntity", "The Access Key with id %s cannot be found.",
                    akid);
}

int iam_update_access_key(call_ctx *c)
{
    char user[129];
    if (key_owner(c, user)) return -1;
    const char *akid = in_str(c, "AccessKeyId"), *status = in_str(c, "Status");
    if (strcmp(status, "Active") && strcmp(status, "Inactive"))
        return aws_fail(&c->err, 400, "InvalidInput",
                        "Status %s cannot be set; use Active or Inactive.", status);
    if (db_exec(c->db,
                "UPDATE access_keys SET status = ? WHERE access_key_id = ? AND account_id = ? "
                "AND user_name IS ?",
                "ssss", status, akid, c->caller->account_id, user[0] ? user : NULL))
        return iam_fail_db(c);
    if (db_changes(c->db) == 0) return fail_no_key(c, akid);
    return 0;
}

int iam_delete_access_key(call_ctx *c)
{
    char user[129];
    if (key_owner(c, user)) return -1;
    const char *akid = in_str(c, "AccessKeyId");
    if (db_exec(c->db,
                "DELETE FROM access_keys WHERE access_key_id = ? AND account_id = ? AND "
                "user_name IS ?",
                "sss", akid, c->caller->account_id, user[0] ? user : NULL))
        return iam_fail_db(c);
    if (db_changes(c->db) == 0) return fail_no_key(c, akid);
    return 0;
}
