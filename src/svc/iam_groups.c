/* IAM groups: CreateGroup, GetGroup, DeleteGroup, ListGroups, AddUserToGroup,
 * RemoveUserFromGroup, ListGroupsForUser. A group's policies (svc/iam.c, the entity
 * operations) become its members' identity policies (state/iam_state.h). */
#include <stdio.h>
#include <string.h>

#include "core/ids.h"
#include "svc/iam_internal.h"

#define GROUPS_PER_ACCOUNT 300
#define GROUPS_PER_USER 10

static json_t *group_json(const iam_group *g)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:o}", "Path", g->path, "GroupName", g->name, "GroupId",
                     g->group_id, "Arn", g->arn, "CreateDate", json_time(g->created_ms));
}

static json_t *member_json(const iam_user *u)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:o}", "Path", u->path, "UserName", u->name, "UserId",
                     u->user_id, "Arn", u->arn, "CreateDate", json_time(u->created_ms));
}

int iam_create_group(call_ctx *c)
{
    const char *name = in_str(c, "GroupName"), *acct = c->caller->account_id;
    const char *path = in_str(c, "Path") ? in_str(c, "Path") : "/";
    if (db_begin(c->db)) return iam_fail_db(c);
    int64_t n = 0;
    db_get_int(c->db, &n, "SELECT COUNT(*) FROM iam_groups WHERE account_id = ?", "s", acct);
    iam_group g;
    if (iam_group_get(c->db, acct, name, &g)) {
        db_rollback(c->db);
        return aws_fail(&c->err, 409, "EntityAlreadyExists", "Group with name %s already exists.",
                        name);
    }
    if (n >= GROUPS_PER_ACCOUNT) {
        db_rollback(c->db);
        return aws_fail(&c->err, 409, "LimitExceeded",
                        "Cannot exceed quota for GroupsPerAccount: %d", GROUPS_PER_ACCOUNT);
    }
    char group_id[32];
    ids_key_id(group_id, sizeof group_id, "AGPA", 17);
    if (db_exec(c->db,
                "INSERT INTO iam_groups(account_id, name, group_id, path, created_ms) "
                "VALUES(?, ?, ?, ?, ?)",
                "ssssi", acct, name, group_id, path, c->now_ms) ||
        db_commit(c->db))
        return iam_fail_db(c);
    iam_group_get(c->db, acct, name, &g);
    c->out = json_pack("{s:o}", "Group", group_json(&g));
    return 0;
}

int iam_get_group(call_ctx *c)
{
    const char *name = in_str(c, "GroupName"), *acct = c->caller->account_id;
    iam_group g;
    if (!iam_group_get(c->db, acct, name, &g)) return iam_fail_no_group(c, name);
    json_t *users = json_array();
    sqlite3_stmt *st = db_query(c->db,
                                "SELECT user_name FROM iam_group_members WHERE account_id = ? AND "
                                "group_name = ? ORDER BY user_name COLLATE NOCASE",
                                "ss", acct, g.name);
    while (db_row(st)) {
        iam_user u;
        if (iam_user_get(c->db, acct, db_text(st, 0), &u))
            json_array_append_new(users, member_json(&u));
    }
    db_done(st);
    if (iam_page(c, users, "Users", "UserName", true)) return -1;
    json_object_set_new(c->out, "Group", group_json(&g));
    return 0;
}

int iam_delete_group(call_ctx *c)
{
    const char *name = in_str(c, "GroupName"), *acct = c->caller->account_id;
    iam_group g;
    if (!iam_group_get(c->db, acct, name, &g)) return iam_fail_no_group(c, name);
    if (db_begin(c->db)) return iam_fail_db(c);
    int64_t members = 0, attached = 0, inline_n = 0;
    db_get_int(c->db, &members,
               "SELECT COUNT(*) FROM iam_group_members WHERE account_id = ? AND group_name = ?",
               "ss", acct, g.name);
    db_get_int(c->db, &attached,
               "SELECT COUNT(*) FROM iam_group_attached WHERE account_id = ? AND group_name = ?",
               "ss", acct, g.name);
    db_get_int(c->db, &inline_n,
               "SELECT COUNT(*) FROM iam_group_policies WHERE account_id = ? AND group_name = ?",
               "ss", acct, g.name);
    if (members || attached || inline_n) {
        db_rollback(c->db);
        return aws_fail(&c->err, 409, "DeleteConflict", "Cannot delete entity, must %s first.",
                        members    ? "remove users from group"
                        : attached ? "detach all policies"
                                   : "delete policies");
    }
    if (db_exec(c->db, "DELETE FROM iam_groups WHERE account_id = ? AND name = ?", "ss", acct,
                g.name) ||
        db_commit(c->db))
        return iam_fail_db(c);
    return 0;
}

/* The groups of an account (PathPrefix) or of one user, as ListGroups answers. */
static int list_groups(call_ctx *c, const char *user)
{
    const char *prefix = in_str(c, "PathPrefix"), *acct = c->caller->account_id;
    json_t *groups = json_array();
    sqlite3_stmt *st = user
                           ? db_query(c->db,
                                      "SELECT g.name FROM iam_groups g JOIN iam_group_members m ON "
                                      "m.account_id = g.account_id AND m.group_name = g.name "
                                      "WHERE g.account_id = ? AND m.user_name = ? ORDER BY g.name",
                                      "ss", acct, user)
                           : db_query(c->db,
                                      "SELECT name FROM iam_groups WHERE account_id = ? AND "
                                      "(? IS NULL OR substr(path, 1, length(?)) = ?) ORDER BY name",
                                      "ssss", acct, prefix, prefix, prefix);
    while (db_row(st)) {
        iam_group g;
        if (iam_group_get(c->db, acct, db_text(st, 0), &g))
            json_array_append_new(groups, group_json(&g));
    }
    db_done(st);
    return iam_page(c, groups, "Groups", "GroupName", true);
}

int iam_list_groups(call_ctx *c)
{
    return list_groups(c, NULL);
}

int iam_list_groups_for_user(call_ctx *c)
{
    const char *name = in_str(c, "UserName");
    iam_user u;
    if (!iam_user_get(c->db, c->caller->account_id, name, &u)) return iam_fail_no_user(c, name);
    return list_groups(c, u.name);
}

/* The request's group and user, both existing, in their stored spellings. */
static int member_load(call_ctx *c, iam_group *g, iam_user *u)
{
    const char *group = in_str(c, "GroupName"), *user = in_str(c, "UserName");
    if (!iam_group_get(c->db, c->caller->account_id, group, g)) return iam_fail_no_group(c, group);
    if (!iam_user_get(c->db, c->caller->account_id, user, u)) return iam_fail_no_user(c, user);
    return 0;
}

int iam_add_user_to_group(call_ctx *c)
{
    iam_group g;
    iam_user u;
    if (member_load(c, &g, &u)) return -1;
    const char *acct = c->caller->account_id;
    if (db_begin(c->db)) return iam_fail_db(c);
    int64_t n = 0, same = 0;
    db_get_int(c->db, &n,
               "SELECT COUNT(*) FROM iam_group_members WHERE account_id = ? AND user_name = ?",
               "ss", acct, u.name);
    db_get_int(c->db, &same,
               "SELECT COUNT(*) FROM iam_group_members WHERE account_id = ? AND user_name = ? "
               "AND group_name = ?",
               "sss", acct, u.name, g.name);
    if (same) { /* adding twice changes nothing, as in IAM */
        db_rollback(c->db);
        return 0;
    }
    if (n >= GROUPS_PER_USER) {
        db_rollback(c->db);
        return aws_fail(&c->err, 409, "LimitExceeded", "Cannot exceed quota for GroupsPerUser: %d",
                        GROUPS_PER_USER);
    }
    if (db_exec(c->db,
                "INSERT INTO iam_group_members(account_id, group_name, user_name) VALUES(?, ?, ?)",
                "sss", acct, g.name, u.name) ||
        db_commit(c->db))
        return iam_fail_db(c);
    return 0;
}

int iam_remove_user_from_group(call_ctx *c)
{
    iam_group g;
    iam_user u;
    if (member_load(c, &g, &u)) return -1;
    if (db_exec(c->db,
                "DELETE FROM iam_group_members WHERE account_id = ? AND group_name = ? AND "
                "user_name = ?",
                "sss", c->caller->account_id, g.name, u.name))
        return iam_fail_db(c);
    if (db_changes(c->db) == 0)
        return aws_fail(&c->err, 404, "NoSuchEntity",
                        "The user with name %s cannot be found in group %s.", u.name, g.name);
    return 0;
}
