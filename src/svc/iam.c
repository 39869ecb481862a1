/* iam: the subset trails need: roles (incl. service-linked), users, access keys, their
 * inline and AWS managed policies, and tags.
 *
 * This file holds what roles and users share (pagination, tags, policy documents, the
 * inline / attached policy operations, which differ only in their table) and the
 * operation table; roles are in iam_roles.c, users and access keys in iam_users.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/hash.h"
#include "policy/policy.h"
#include "state/tags.h"
#include "svc/iam_internal.h"
#include "svc/iam_managed.h"

/* IAM's default quotas (IAM User Guide, "IAM and AWS STS quotas"). */
#define ROLE_INLINE_POLICY_CHARS 10240
#define USER_INLINE_POLICY_CHARS 2048
#define GROUP_INLINE_POLICY_CHARS 5120
#define TRUST_POLICY_CHARS 2048
#define MANAGED_POLICIES_PER_ENTITY 10

/* ---- shared helpers ------------------------------------------------------------------ */

json_t *iam_doc_json(const char *text)
{
    buf b = BUF_INIT;
    url_encode(&b, text, strlen(text), 0);
    json_t *j = json_string(buf_cstr(&b));
    buf_free(&b);
    return j;
}

static const char *item_key(const json_t *item, const char *key_member)
{
    if (!key_member) return json_string_value(item);
    return json_string_value(json_object_get(item, key_member));
}

int iam_page(call_ctx *c, json_t *items, const char *list_member, const char *key_member,
             bool sorted)
{
    size_t n = json_array_size(items), start = 0;
    int64_t max = in_int(c, "MaxItems", IAM_DEFAULT_MAX_ITEMS);
    const char *marker = in_str(c, "Marker");
    if (marker) {
        size_t klen;
        unsigned char *raw = base64_decode_alloc(marker, strlen(marker), &klen);
        if (!raw || memchr(raw, '\0', klen)) {
            free(raw);
            json_decref(items);
            return aws_fail(&c->err, 400, "ValidationError", "Invalid Marker: %.320s", marker);
        }
        char *key = strndup((const char *)raw, klen);
        free(raw);
        if (!key) abort();
        start = n;
        for (size_t i = 0; i < n; i++) {
            const char *k = item_key(json_array_get(items, i), key_member);
            if (sorted ? strcasecmp(k, key) >= 0 : !strcmp(k, key)) {
                start = i;
                break;
            }
        }
        free(key);
    }
    json_t *page = json_array();
    size_t end = start + (size_t)max < n ? start + (size_t)max : n;
    for (size_t i = start; i < end; i++)
        json_array_append(page, json_array_get(items, i));
    c->out = json_object();
    json_object_set_new(c->out, list_member, page);
    json_object_set_new(c->out, "IsTruncated", json_boolean(end < n));
    if (end < n) {
        const char *k = item_key(json_array_get(items, end), key_member);
        char *m = base64_encode_alloc(k, strlen(k));
        json_object_set_new(c->out, "Marker", json_string(m));
        free(m);
    }
    json_decref(items);
    return 0;
}

json_t *iam_tags_json(db_conn *db, const char *account_id, const char *resource_id)
{
    char owner[IAM_TAG_RESOURCE_ID_LEN];
    iam_tag_resource_id(owner, account_id, resource_id);
    return tags_json(db, TAGS_IAM, owner);
}

int iam_tags_add(call_ctx *c, const char *resource_id, const json_t *tags, const char *quota_name)
{
    size_t i, k;
    json_t *t, *u;
    json_array_foreach(tags, i, t)
    {
        json_array_foreach(tags, k, u)
        {
            if (k < i && !strcasecmp(json_string_value(json_object_get(t, "Key")),
                                     json_string_value(json_object_get(u, "Key"))))
                return aws_fail(&c->err, 400, "InvalidInput",
                                "Duplicate tag keys found. Please note that Tag keys are case "
                                "insensitive.");
        }
    }
    char owner[IAM_TAG_RESOURCE_ID_LEN];
    iam_tag_resource_id(owner, c->caller->account_id, resource_id);
    if (tags_put_json(c->db, TAGS_IAM, owner, tags))
        return aws_fail(&c->err, 500, "ServiceFailure", "cannot store tags: %s", db_errmsg(c->db));
    if (tags_count(c->db, TAGS_IAM, owner) > IAM_MAX_TAGS)
        return aws_fail(&c->err, 409, "LimitExceeded", "Cannot exceed quota for %s: %d", quota_name,
                        IAM_MAX_TAGS);
    return 0;
}

int iam_tags_drop(db_conn *db, const char *account_id, const char *resource_id)
{
    char owner[IAM_TAG_RESOURCE_ID_LEN];
    iam_tag_resource_id(owner, account_id, resource_id);
    return tags_remove_all(db, TAGS_IAM, owner);
}

size_t iam_policy_chars(const char *text)
{
    size_t n = 0;
    for (const char *p = text; *p; p++)
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') n++;
    return n;
}

static int check_trust_principals(call_ctx *c, const json_t *principal_element)
{
    const json_t *aws = json_object_get(principal_element, "AWS");
    json_t *one = json_is_string(aws) ? json_pack("[O]", aws) : json_incref((json_t *)aws);
    size_t i;
    json_t *v;
    int rc = 0;
    json_array_foreach(one, i, v)
    {
        const char *arn = json_string_value(v);
        bool entity =
            !strncmp(arn, "arn:aws:iam::", 13) && (strstr(arn, ":user/") || strstr(arn, ":role/"));
        if (entity && !iam_principal_arn_exists(c->db, arn)) {
            rc = aws_fail(&c->err, 400, "MalformedPolicyDocument",
                          "Invalid principal in policy: \"AWS\":\"%.700s\"", arn);
            break;
        }
    }
    json_decref(one);
    return rc;
}

static bool sts_actions_only(const json_t *action)
{
    json_t *one = json_is_string(action) ? json_pack("[O]", action) : json_incref((json_t *)action);
    size_t i;
    json_t *v;
    bool ok = true;
    json_array_foreach(one, i, v)
    {
        const char *a = json_string_value(v);
        if (strcmp(a, "*") && strncasecmp(a, "sts:", 4)) ok = false;
    }
    json_decref(one);
    return ok;
}

int iam_check_trust_policy(call_ctx *c, const char *text)
{
    json_t *doc = policy_parse(text, POLICY_TRUST, "MalformedPolicyDocument", NULL, &c->err);
    if (!doc) return -1;
    int rc = 0;
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(doc, "Statement"), i, s)
    {
        if (json_object_get(s, "Resource") || json_object_get(s, "NotResource")) {
            rc = aws_fail(&c->err, 400, "MalformedPolicyDocument", "Has prohibited field Resource");
            break;
        }
        const json_t *action = json_object_get(s, "Action");
        if (action && !sts_actions_only(action)) {
            rc = aws_fail(&c->err, 400, "MalformedPolicyDocument",
                          "AssumeRole policy may only specify STS AssumeRole actions.");
            break;
        }
        const json_t *p = json_object_get(s, "Principal");
        if (!p) p = json_object_get(s, "NotPrincipal");
        if (json_is_object(p) && (rc = check_trust_principals(c, p))) break;
    }
    json_decref(doc);
    if (!rc && iam_policy_chars(text) > TRUST_POLICY_CHARS)
        rc = aws_fail(&c->err, 409, "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: %d",
                      TRUST_POLICY_CHARS);
    return rc;
}

static bool policy_arn_valid(const char *arn);

int iam_check_permissions_boundary(call_ctx *c)
{
    const char *arn = in_str(c, "PermissionsBoundary");
    if (!arn) return 0;
    if (!policy_arn_valid(arn))
        return aws_fail(&c->err, 400, "InvalidInput", "ARN %.700s is not valid.", arn);
    /* An AWS managed policy or one of the account's; a service role's is no boundary. */
    if (iam_policy_kind(c, arn) != IAM_MANAGED_ATTACHABLE)
        return aws_fail(&c->err, 404, "NoSuchEntity",
                        "Scope ARN: %.700s does not exist or is not attachable.", arn);
    return 0;
}

json_t *iam_boundary_json(const char *arn)
{
    if (!arn || !arn[0]) return NULL;
    return json_pack("{s:s, s:s}", "PermissionsBoundaryType", "Policy", "PermissionsBoundaryArn",
                     arn);
}

int iam_fail_protected_role(call_ctx *c, const char *role_name)
{
    return aws_fail(&c->err, 400, "UnmodifiableEntity",
                    "Cannot perform the operation on the protected role '%s' - this role is only "
                    "modifiable by AWS",
                    role_name);
}

int iam_fail_no_role(call_ctx *c, const char *role_name)
{
    return aws_fail(&c->err, 404, "NoSuchEntity", "The role with name %s cannot be found.",
                    role_name);
}

int iam_fail_no_group(call_ctx *c, const char *group_name)
{
    return aws_fail(&c->err, 404, "NoSuchEntity", "The group with name %s cannot be found.",
                    group_name);
}

int iam_fail_no_user(call_ctx *c, const char *user_name)
{
    return aws_fail(&c->err, 404, "NoSuchEntity", "The user with name %s cannot be found.",
                    user_name);
}

/* ---- policies and tags of a role or a user -------------------------------------------- */

typedef enum entity_kind { ENTITY_ROLE, ENTITY_USER, ENTITY_GROUP } entity_kind;

/* What differs between the kinds of entity that hold policies: the tables, the member
 * naming it, and IAM's quotas. SQL texts are literals: db.h caches statements by them. */
typedef struct entity_sql {
    const char *noun, *name_member, *policies_quota;
    size_t inline_chars;
    const char *inline_others, *inline_put, *inline_get, *inline_delete, *inline_list;
    const char *attached_count, *attached_same, *attached_insert, *attached_delete, *attached_list;
} entity_sql;

#define ENTITY_SQL(noun, member, quota, chars, tbl, col)                                           \
    {                                                                                              \
        noun, member, quota, chars,                                                                \
            "SELECT document FROM iam_" tbl "_policies WHERE account_id = ? AND " col              \
            " = ? AND policy_name != ?",                                                           \
            "INSERT OR REPLACE INTO iam_" tbl "_policies(account_id, " col                         \
            ", policy_name, document) VALUES(?, ?, ?, ?)",                                         \
            "SELECT policy_name, document FROM iam_" tbl "_policies WHERE account_id = ? AND " col \
            " = ? AND policy_name = ?",                                                            \
            "DELETE FROM iam_" tbl "_policies WHERE account_id = ? AND " col                       \
            " = ? AND policy_name = ?",                                                            \
            "SELECT policy_name FROM iam_" tbl "_policies WHERE account_id = ? AND " col           \
            " = ? ORDER BY policy_name COLLATE NOCASE",                                            \
            "SELECT COUNT(*) FROM iam_" tbl "_attached WHERE account_id = ? AND " col " = ?",      \
            "SELECT COUNT(*) FROM iam_" tbl "_attached WHERE account_id = ? AND " col              \
            " = ? AND policy_arn = ?",                                                             \
            "INSERT INTO iam_" tbl "_attached(account_id, " col ", policy_arn) VALUES(?, ?, ?)",   \
            "DELETE FROM iam_" tbl "_attached WHERE account_id = ? AND " col                       \
            " = ? AND policy_arn = ?",                                                             \
            "SELECT policy_arn FROM iam_" tbl "_attached WHERE account_id = ? AND " col            \
            " = ? ORDER BY rowid"                                                                  \
    }

static const entity_sql ENTITY_SQLS[] = {
    [ENTITY_ROLE] = ENTITY_SQL("role", "RoleName", "PoliciesPerRole", ROLE_INLINE_POLICY_CHARS,
                               "role", "role_name"),
    [ENTITY_USER] = ENTITY_SQL("user", "UserName", "PoliciesPerUser", USER_INLINE_POLICY_CHARS,
                               "user", "user_name"),
    [ENTITY_GROUP] = ENTITY_SQL("group", "GroupName", "PoliciesPerGroup", GROUP_INLINE_POLICY_CHARS,
                                "group", "group_name"),
};

typedef struct entity {
    entity_kind kind;
    char name[129]; /* the stored spelling */
    char id[32];    /* AROA... / AIDA...: tags are kept under it */
} entity;

static const char *name_member(entity_kind k)
{
    return ENTITY_SQLS[k].name_member;
}

/* Loads the request's role or user; `modify` refuses service-linked roles. */
static int entity_load(call_ctx *c, entity_kind k, bool modify, entity *out)
{
    const char *name = in_str(c, name_member(k));
    out->kind = k;
    if (k == ENTITY_ROLE) {
        iam_role r;
        if (!iam_role_get(c->db, c->caller->account_id, name, &r)) return iam_fail_no_role(c, name);
        snprintf(out->name, sizeof out->name, "%s", r.name);
        snprintf(out->id, sizeof out->id, "%s", r.role_id);
        bool service_linked = r.service_principal[0] != '\0';
        iam_role_clear(&r);
        if (modify && service_linked) return iam_fail_protected_role(c, out->name);
        return 0;
    }
    if (k == ENTITY_GROUP) {
        iam_group g;
        if (!iam_group_get(c->db, c->caller->account_id, name, &g))
            return iam_fail_no_group(c, name);
        snprintf(out->name, sizeof out->name, "%s", g.name);
        snprintf(out->id, sizeof out->id, "%s", g.group_id);
        return 0;
    }
    iam_user u;
    if (!iam_user_get(c->db, c->caller->account_id, name, &u)) return iam_fail_no_user(c, name);
    snprintf(out->name, sizeof out->name, "%s", u.name);
    snprintf(out->id, sizeof out->id, "%s", u.user_id);
    return 0;
}

int iam_fail_db(call_ctx *c)
{
    int rc = aws_fail(&c->err, 500, "ServiceFailure", "cannot update IAM: %s", db_errmsg(c->db));
    if (c->db->in_tx) db_rollback(c->db);
    return rc;
}

static int put_inline_policy(call_ctx *c, entity_kind k)
{
    entity e;
    if (entity_load(c, k, true, &e)) return -1;
    const char *pname = in_str(c, "PolicyName"), *doc = in_str(c, "PolicyDocument");
    json_t *parsed = policy_parse(doc, POLICY_IDENTITY, "MalformedPolicyDocument", NULL, &c->err);
    if (!parsed) return -1;
    json_decref(parsed);
    const char *acct = c->caller->account_id;
    if (db_begin(c->db)) return iam_fail_db(c);
    size_t total = iam_policy_chars(doc);
    sqlite3_stmt *st = db_query(c->db, ENTITY_SQLS[k].inline_others, "sss", acct, e.name, pname);
    while (db_row(st))
        total += iam_policy_chars(db_text(st, 0));
    db_done(st);
    size_t limit = ENTITY_SQLS[k].inline_chars;
    if (total > limit) {
        db_rollback(c->db);
        return aws_fail(&c->err, 409, "LimitExceeded",
                        "Maximum policy size of %zu bytes exceeded for %s %s", limit,
                        ENTITY_SQLS[k].noun, e.name);
    }
    if (db_exec(c->db, ENTITY_SQLS[k].inline_put, "ssss", acct, e.name, pname, doc) ||
        db_commit(c->db))
        return iam_fail_db(c);
    return 0;
}

static int get_inline_policy(call_ctx *c, entity_kind k)
{
    entity e;
    if (entity_load(c, k, false, &e)) return -1;
    const char *pname = in_str(c, "PolicyName");
    sqlite3_stmt *st =
        db_query(c->db, ENTITY_SQLS[k].inline_get, "sss", c->caller->account_id, e.name, pname);
    if (db_row(st)) {
        c->out = json_object();
        json_object_set_new(c->out, name_member(k), json_string(e.name));
        json_object_set_new(c->out, "PolicyName", json_string(db_text(st, 0)));
        json_object_set_new(c->out, "PolicyDocument", iam_doc_json(db_text(st, 1)));
    }
    db_done(st);
    if (!c->out)
        return aws_fail(&c->err, 404, "NoSuchEntity", "The %s policy with name %s cannot be found.",
                        ENTITY_SQLS[k].noun, pname);
    return 0;
}

static int delete_inline_policy(call_ctx *c, entity_kind k)
{
    entity e;
    if (entity_load(c, k, true, &e)) return -1;
    const char *pname = in_str(c, "PolicyName");
    if (db_exec(c->db, ENTITY_SQLS[k].inline_delete, "sss", c->caller->account_id, e.name, pname))
        return iam_fail_db(c);
    if (db_changes(c->db) == 0)
        return aws_fail(&c->err, 404, "NoSuchEntity", "The %s policy with name %s cannot be found.",
                        ENTITY_SQLS[k].noun, pname);
    return 0;
}

static int list_inline_policies(call_ctx *c, entity_kind k)
{
    entity e;
    if (entity_load(c, k, false, &e)) return -1;
    json_t *names = json_array();
    sqlite3_stmt *st =
        db_query(c->db, ENTITY_SQLS[k].inline_list, "ss", c->caller->account_id, e.name);
    while (db_row(st))
        json_array_append_new(names, json_string(db_text(st, 0)));
    db_done(st);
    return iam_page(c, names, "PolicyNames", NULL, true);
}

/* Policy ARNs IAM accepts: arn:aws:iam::(aws|<account>):policy/... */
static bool policy_arn_valid(const char *arn)
{
    static const char prefix[] = "arn:aws:iam::";
    if (strncmp(arn, prefix, sizeof prefix - 1)) return false;
    const char *p = arn + sizeof prefix - 1;
    if (!strncmp(p, "aws:", 4)) {
        p += 4;
    } else {
        for (int i = 0; i < 12; i++)
            if (p[i] < '0' || p[i] > '9') return false;
        if (p[12] != ':') return false;
        p += 13;
    }
    return !strncmp(p, "policy/", 7) && p[7] && p[strlen(p) - 1] != '/';
}

static int attach_policy(call_ctx *c, entity_kind k)
{
    entity e;
    if (entity_load(c, k, true, &e)) return -1;
    const char *arn = in_str(c, "PolicyArn");
    if (!policy_arn_valid(arn))
        return aws_fail(&c->err, 400, "InvalidInput", "ARN %s is not valid.", arn);
    switch (iam_policy_kind(c, arn)) {
    case IAM_MANAGED_ATTACHABLE:
        break;
    case IAM_MANAGED_SERVICE_ROLE:
        return aws_fail(&c->err, 400, "PolicyNotAttachable",
                        "Cannot attach a Service Role Policy to a Customer Role.");
    default:
        return aws_fail(&c->err, 404, "NoSuchEntity",
                        "Policy %s does not exist or is not attachable.", arn);
    }
    const char *acct = c->caller->account_id;
    if (db_begin(c->db)) return iam_fail_db(c);
    int64_t attached = 0, same = 0;
    db_get_int(c->db, &attached, ENTITY_SQLS[k].attached_count, "ss", acct, e.name);
    db_get_int(c->db, &same, ENTITY_SQLS[k].attached_same, "sss", acct, e.name, arn);
    if (same) { /* attaching twice changes nothing, as in IAM */
        db_rollback(c->db);
        return 0;
    }
    if (attached >= MANAGED_POLICIES_PER_ENTITY) {
        db_rollback(c->db);
        return aws_fail(&c->err, 409, "LimitExceeded", "Cannot exceed quota for %s: %d",
                        ENTITY_SQLS[k].policies_quota, MANAGED_POLICIES_PER_ENTITY);
    }
    if (db_exec(c->db, ENTITY_SQLS[k].attached_insert, "sss", acct, e.name, arn) ||
        db_commit(c->db))
        return iam_fail_db(c);
    return 0;
}

static int detach_policy(call_ctx *c, entity_kind k)
{
    entity e;
    if (entity_load(c, k, true, &e)) return -1;
    const char *arn = in_str(c, "PolicyArn");
    if (!policy_arn_valid(arn))
        return aws_fail(&c->err, 400, "InvalidInput", "ARN %s is not valid.", arn);
    if (db_exec(c->db, ENTITY_SQLS[k].attached_delete, "sss", c->caller->account_id, e.name, arn))
        return iam_fail_db(c);
    if (db_changes(c->db) == 0)
        return aws_fail(&c->err, 404, "NoSuchEntity", "Policy %s was not found.", arn);
    return 0;
}

static int list_attached_policies(call_ctx *c, entity_kind k)
{
    entity e;
    if (entity_load(c, k, false, &e)) return -1;
    const char *prefix = in_str(c, "PathPrefix");
    json_t *items = json_array();
    sqlite3_stmt *st =
        db_query(c->db, ENTITY_SQLS[k].attached_list, "ss", c->caller->account_id, e.name);
    while (db_row(st)) {
        const char *arn = db_text(st, 0);
        const char *path = strstr(arn, ":policy/") + 7; /* "/job-function/ViewOnlyAccess" */
        const char *name = strrchr(arn, '/') + 1;
        if (prefix && strncmp(path, prefix, strlen(prefix))) continue;
        json_array_append_new(items, json_pack("{s:s, s:s}", "PolicyName", name, "PolicyArn", arn));
    }
    db_done(st);
    return iam_page(c, items, "AttachedPolicies", "PolicyArn", false);
}

static int tag_entity(call_ctx *c, entity_kind k)
{
    entity e;
    if (entity_load(c, k, false, &e)) return -1;
    if (db_begin(c->db)) return iam_fail_db(c);
    if (iam_tags_add(c, e.id, json_object_get(c->in, "Tags"),
                     k == ENTITY_ROLE ? "TagsPerRole" : "TagsPerUser")) {
        db_rollback(c->db);
        return -1;
    }
    if (db_commit(c->db)) return iam_fail_db(c);
    return 0;
}

static int untag_entity(call_ctx *c, entity_kind k)
{
    entity e;
    if (entity_load(c, k, false, &e)) return -1;
    if (db_begin(c->db)) return iam_fail_db(c);
    char owner[IAM_TAG_RESOURCE_ID_LEN];
    iam_tag_resource_id(owner, c->caller->account_id, e.id);
    if (tags_remove_keys(c->db, TAGS_IAM, owner, json_object_get(c->in, "TagKeys")) ||
        db_commit(c->db))
        return iam_fail_db(c);
    return 0;
}

static int list_entity_tags(call_ctx *c, entity_kind k)
{
    entity e;
    if (entity_load(c, k, false, &e)) return -1;
    return iam_page(c, iam_tags_json(c->db, c->caller->account_id, e.id), "Tags", "Key", false);
}

/* ---- operations ---------------------------------------------------------------------- */

#define ENTITY_OPS(role_fn, user_fn, impl)                                                         \
    static int role_fn(call_ctx *c)                                                                \
    {                                                                                              \
        return impl(c, ENTITY_ROLE);                                                               \
    }                                                                                              \
    static int user_fn(call_ctx *c)                                                                \
    {                                                                                              \
        return impl(c, ENTITY_USER);                                                               \
    }

ENTITY_OPS(put_role_policy, put_user_policy, put_inline_policy)
ENTITY_OPS(get_role_policy, get_user_policy, get_inline_policy)
ENTITY_OPS(delete_role_policy, delete_user_policy, delete_inline_policy)
ENTITY_OPS(list_role_policies, list_user_policies, list_inline_policies)
ENTITY_OPS(attach_role_policy, attach_user_policy, attach_policy)
ENTITY_OPS(detach_role_policy, detach_user_policy, detach_policy)
ENTITY_OPS(list_attached_role_policies, list_attached_user_policies, list_attached_policies)
#define GROUP_OP(fn, impl)                                                                         \
    static int fn(call_ctx *c)                                                                     \
    {                                                                                              \
        return impl(c, ENTITY_GROUP);                                                              \
    }

GROUP_OP(put_group_policy, put_inline_policy)
GROUP_OP(get_group_policy, get_inline_policy)
GROUP_OP(delete_group_policy, delete_inline_policy)
GROUP_OP(list_group_policies, list_inline_policies)
GROUP_OP(attach_group_policy, attach_policy)
GROUP_OP(detach_group_policy, detach_policy)
GROUP_OP(list_attached_group_policies, list_attached_policies)
ENTITY_OPS(tag_role, tag_user, tag_entity)
ENTITY_OPS(untag_role, untag_user, untag_entity)
ENTITY_OPS(list_role_tags, list_user_tags, list_entity_tags)

/* Put/DeleteUserPermissionsBoundary, Put/DeleteRolePermissionsBoundary. */
static int set_boundary(call_ctx *c, entity_kind k, bool put)
{
    entity e;
    if (entity_load(c, k, true, &e)) return -1;
    if (put && iam_check_permissions_boundary(c)) return -1;
    if (iam_entity_set_boundary(c->db, c->caller->account_id, k == ENTITY_ROLE, e.name,
                                put ? in_str(c, "PermissionsBoundary") : NULL))
        return iam_fail_db(c);
    return 0;
}

static int put_role_boundary(call_ctx *c)
{
    return set_boundary(c, ENTITY_ROLE, true);
}

static int delete_role_boundary(call_ctx *c)
{
    return set_boundary(c, ENTITY_ROLE, false);
}

static int put_user_boundary(call_ctx *c)
{
    return set_boundary(c, ENTITY_USER, true);
}

static int delete_user_boundary(call_ctx *c)
{
    return set_boundary(c, ENTITY_USER, false);
}

static const op_def OPS[] = {
    {"CreateRole", iam_create_role, NULL, 0},
    {"GetRole", iam_get_role, NULL, 0},
    {"DeleteRole", iam_delete_role, NULL, 0},
    {"ListRoles", iam_list_roles, NULL, 0},
    {"UpdateRole", iam_update_role, NULL, 0},
    {"UpdateRoleDescription", iam_update_role_description, NULL, 0},
    {"UpdateAssumeRolePolicy", iam_update_assume_role_policy, NULL, 0},
    {"CreateServiceLinkedRole", iam_create_service_linked_role, NULL, 0},
    {"DeleteServiceLinkedRole", iam_delete_service_linked_role, NULL, 0},
    {"GetServiceLinkedRoleDeletionStatus", iam_get_service_linked_role_deletion_status, NULL, 0},
    {"PutRolePolicy", put_role_policy, NULL, 0},
    {"GetRolePolicy", get_role_policy, NULL, 0},
    {"DeleteRolePolicy", delete_role_policy, NULL, 0},
    {"ListRolePolicies", list_role_policies, NULL, 0},
    {"AttachRolePolicy", attach_role_policy, NULL, 0},
    {"DetachRolePolicy", detach_role_policy, NULL, 0},
    {"ListAttachedRolePolicies", list_attached_role_policies, NULL, 0},
    {"PutRolePermissionsBoundary", put_role_boundary, NULL, 0},
    {"DeleteRolePermissionsBoundary", delete_role_boundary, NULL, 0},
    {"TagRole", tag_role, NULL, 0},
    {"UntagRole", untag_role, NULL, 0},
    {"ListRoleTags", list_role_tags, NULL, 0},
    {"CreateUser", iam_create_user, NULL, 0},
    {"GetUser", iam_get_user, NULL, 0},
    {"DeleteUser", iam_delete_user, NULL, 0},
    {"ListUsers", iam_list_users, NULL, 0},
    {"PutUserPolicy", put_user_policy, NULL, 0},
    {"GetUserPolicy", get_user_policy, NULL, 0},
    {"DeleteUserPolicy", delete_user_policy, NULL, 0},
    {"ListUserPolicies", list_user_policies, NULL, 0},
    {"AttachUserPolicy", attach_user_policy, NULL, 0},
    {"DetachUserPolicy", detach_user_policy, NULL, 0},
    {"ListAttachedUserPolicies", list_attached_user_policies, NULL, 0},
    {"PutUserPermissionsBoundary", put_user_boundary, NULL, 0},
    {"DeleteUserPermissionsBoundary", delete_user_boundary, NULL, 0},
    {"TagUser", tag_user, NULL, 0},
    {"UntagUser", untag_user, NULL, 0},
    {"ListUserTags", list_user_tags, NULL, 0},
    {"CreateGroup", iam_create_group, NULL, 0},
    {"GetGroup", iam_get_group, NULL, 0},
    {"DeleteGroup", iam_delete_group, NULL, 0},
    {"ListGroups", iam_list_groups, NULL, 0},
    {"AddUserToGroup", iam_add_user_to_group, NULL, 0},
    {"RemoveUserFromGroup", iam_remove_user_from_group, NULL, 0},
    {"ListGroupsForUser", iam_list_groups_for_user, NULL, 0},
    {"PutGroupPolicy", put_group_policy, NULL, 0},
    {"GetGroupPolicy", get_group_policy, NULL, 0},
    {"DeleteGroupPolicy", delete_group_policy, NULL, 0},
    {"ListGroupPolicies", list_group_policies, NULL, 0},
    {"AttachGroupPolicy", attach_group_policy, NULL, 0},
    {"DetachGroupPolicy", detach_group_policy, NULL, 0},
    {"ListAttachedGroupPolicies", list_attached_group_policies, NULL, 0},
    {"CreateAccessKey", iam_create_access_key, NULL, 0},
    {"ListAccessKeys", iam_list_access_keys, NULL, 0},
    {"UpdateAccessKey", iam_update_access_key, NULL, 0},
    {"SimulateCustomPolicy", iam_simulate_custom_policy, NULL, 0},
    {"GetPolicy", iam_get_policy, NULL, 0},
    {"CreatePolicy", iam_create_policy, NULL, 0},
    {"DeletePolicy", iam_delete_policy, NULL, 0},
    {"CreatePolicyVersion", iam_create_policy_version, NULL, 0},
    {"DeletePolicyVersion", iam_delete_policy_version, NULL, 0},
    {"ListPolicyVersions", iam_list_policy_versions, NULL, 0},
    {"SetDefaultPolicyVersion", iam_set_default_policy_version, NULL, 0},
    {"GetPolicyVersion", iam_get_policy_version, NULL, 0},
    {"DeleteAccessKey", iam_delete_access_key, NULL, 0},
};

/* Operations whose UserName defaults to the calling user's. */
static bool acts_on_caller(const char *op)
{
    static const char *const ops[] = {"GetUser", "CreateAccessKey", "ListAccessKeys",
                                      "UpdateAccessKey", "DeleteAccessKey"};
    for (size_t i = 0; op && i < sizeof ops / sizeof *ops; i++)
        if (!strcmp(op, ops[i])) return true;
    return false;
}

/* The IAM entity an operation acts on, as the Service Authorization Reference names its
 * resource: the user or the role (with its path once it exists; a new one's from the
 * request), the group, else the managed policy; "*" for account-wide operations. */
static void iam_resource(const call_ctx *c, char *out, size_t n)
{
    const char *user = in_str(c, "UserName"), *role = in_str(c, "RoleName");
    const char *group = in_str(c, "GroupName");
    const char *path = in_str(c, "Path");
    const char *acct = c->caller->account_id;
    if (group) { /* AddUserToGroup names a user too: its resource is the group */
        iam_group g;
        if (iam_group_get(c->db, acct, group, &g))
            snprintf(out, n, "%s", g.arn);
        else
            snprintf(out, n, "arn:aws:iam::%s:group%s%s", acct, path ? path : "/", group);
    } else if (user) {
        iam_user u;
        if (iam_user_get(c->db, acct, user, &u))
            snprintf(out, n, "%s", u.arn);
        else
            snprintf(out, n, "arn:aws:iam::%s:user%s%s", acct, path ? path : "/", user);
    } else if (role) {
        iam_role r;
        if (iam_role_get(c->db, acct, role, &r)) {
            snprintf(out, n, "%s", r.arn);
            iam_role_clear(&r);
        } else {
            snprintf(out, n, "arn:aws:iam::%s:role%s%s", acct, path ? path : "/", role);
        }
    } else if (in_str(c, "PolicyArn")) {
        snprintf(out, n, "%s", in_str(c, "PolicyArn"));
    } else if (c->caller->kind == PRINCIPAL_IAM_USER && acts_on_caller(c->op)) {
        snprintf(out, n, "%s", c->caller->arn);
    }
}

const service_def SVC_IAM = {.signing_name = "iam",
                             .style = VSTYLE_QUERY,
                             .ops = OPS,
                             .n_ops = sizeof OPS / sizeof *OPS,
                             .authz_resource = iam_resource,
                             .denied_status = 403,
                             .denied_code = "AccessDenied"};
