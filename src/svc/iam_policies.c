/* IAM customer managed policies: CreatePolicy, DeletePolicy, CreatePolicyVersion,
 * DeletePolicyVersion, ListPolicyVersions, SetDefaultPolicyVersion, and GetPolicy /
 * GetPolicyVersion of a customer policy (state/iam_policy_state.h). A policy's default
 * version is what grants, wherever it is attached (policy/authz_subject.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "policy/policy.h"
#include "state/iam_policy_state.h"
#include "svc/iam_internal.h"

#define POLICY_VERSIONS_MAX 5
#define MANAGED_POLICY_CHARS 6144
#define POLICIES_PER_ACCOUNT 1500

static bool aws_managed(const char *arn)
{
    return !strncmp(arn, "arn:aws:iam::aws:", 17);
}

iam_managed_kind iam_policy_kind(call_ctx *c, const char *arn)
{
    if (aws_managed(arn)) return iam_managed_lookup(c->env->iam, arn);
    iam_policy p;
    return iam_policy_get(c->db, arn, &p) && !strcmp(p.account_id, c->caller->account_id)
               ? IAM_MANAGED_ATTACHABLE
               : IAM_MANAGED_UNKNOWN;
}

static int fail_no_policy(call_ctx *c, const char *arn)
{
    return aws_fail(&c->err, 404, "NoSuchEntity",
                    "Policy %.700s does not exist or is not attachable.", arn);
}

/* The request's PolicyArn as a policy of the caller's account, or fails. */
static int policy_load(call_ctx *c, iam_policy *p)
{
    const char *arn = in_str(c, "PolicyArn");
    if (!iam_policy_get(c->db, arn, p) || strcmp(p->account_id, c->caller->account_id))
        return fail_no_policy(c, arn);
    return 0;
}

/* The document is a valid identity policy within the managed-policy size quota. */
static int check_document(call_ctx *c, const char *text)
{
    json_t *doc = policy_parse(text, POLICY_IDENTITY, "MalformedPolicyDocument", NULL, &c->err);
    if (!doc) return -1;
    json_decref(doc);
    if (iam_policy_chars(text) > MANAGED_POLICY_CHARS)
        return aws_fail(&c->err, 409, "LimitExceeded", "Cannot exceed quota for PolicySize: %d",
                        MANAGED_POLICY_CHARS);
    return 0;
}

static json_t *policy_json(db_conn *db, const iam_policy *p, bool with_description)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:i, s:b, s:o, s:o}", "PolicyName",
                          p->name, "PolicyId", p->policy_id, "Arn", p->arn, "Path", p->path,
                          "DefaultVersionId", p->default_version, "AttachmentCount",
                          (json_int_t)iam_policy_attachment_count(db, p->account_id, p->arn),
                          "PermissionsBoundaryUsageCount", 0, "IsAttachable", 1, "CreateDate",
                          json_time(p->created_ms), "UpdateDate", json_time(p->updated_ms));
    if (with_description && p->description[0])
        json_object_set_new(j, "Description", json_string(p->description));
    return j;
}

int iam_create_policy(call_ctx *c)
{
    const char *name = in_str(c, "PolicyName"), *text = in_str(c, "PolicyDocument");
    const char *path = in_str(c, "Path") ? in_str(c, "Path") : "/";
    const char *description = in_str(c, "Description") ? in_str(c, "Description") : "";
    const char *acct = c->caller->account_id;
    if (check_document(c, text)) return -1;
    char arn[700];
    snprintf(arn, sizeof arn, "arn:aws:iam::%s:policy%s%s", acct, path, name);
    if (db_begin(c->db)) return iam_fail_db(c);
    int64_t same = 0, n = 0;
    db_get_int(c->db, &same, "SELECT COUNT(*) FROM iam_policies WHERE account_id = ? AND name = ?",
               "ss", acct, name);
    db_get_int(c->db, &n, "SELECT COUNT(*) FROM iam_policies WHERE account_id = ?", "s", acct);
    if (same) {
        db_rollback(c->db);
        return aws_fail(&c->err, 409, "EntityAlreadyExists",
                        "A policy called %s already exists. Duplicate names are not allowed.",
                        name);
    }
    if (n >= POLICIES_PER_ACCOUNT) {
        db_rollback(c->db);
        return aws_fail(&c->err, 409, "LimitExceeded",
                        "Cannot exceed quota for PoliciesPerAccount: %d", POLICIES_PER_ACCOUNT);
    }
    char id[32];
    ids_key_id(id, sizeof id, "ANPA", 17);
    if (db_exec(c->db,
                "INSERT INTO iam_policies(arn, account_id, name, policy_id, path, description, "
                "default_version, next_version, created_ms, updated_ms) "
                "VALUES(?, ?, ?, ?, ?, ?, 'v1', 2, ?, ?)",
                "ssssssii", arn, acct, name, id, path, description, c->now_ms, c->now_ms) ||
        db_exec(c->db,
                "INSERT INTO iam_policy_versions(policy_arn, version_id, document, created_ms) "
                "VALUES(?, 'v1', ?, ?)",
                "ssi", arn, text, c->now_ms) ||
        db_commit(c->db))
        return iam_fail_db(c);
    iam_policy p;
    iam_policy_get(c->db, arn, &p);
    c->out = json_pack("{s:o}", "Policy", policy_json(c->db, &p, false));
    return 0;
}

int iam_get_customer_policy(call_ctx *c)
{
    iam_policy p;
    if (policy_load(c, &p)) return -1;
    c->out = json_pack("{s:o}", "Policy", policy_json(c->db, &p, true));
    return 0;
}

static json_t *version_json(const char *version, bool is_default, int64_t created_ms,
                            const char *document)
{
    json_t *j = json_pack("{s:s, s:b, s:o}", "VersionId", version, "IsDefaultVersion", is_default,
                          "CreateDate", json_time(created_ms));
    if (document) json_object_set_new(j, "Document", iam_doc_json(document));
    return j;
}

int iam_get_customer_policy_version(call_ctx *c)
{
    iam_policy p;
    if (policy_load(c, &p)) return -1;
    const char *version = in_str(c, "VersionId");
    int64_t created = 0;
    char *doc = iam_policy_document_alloc(c->db, p.arn, version, &created);
    if (!doc)
        return aws_fail(&c->err, 404, "NoSuchEntity",
                        "Policy %.700s version %.64s does not exist or is not attachable.", p.arn,
                        version);
    c->out = json_pack("{s:o}", "PolicyVersion",
                       version_json(version, !strcmp(version, p.default_version), created, doc));
    free(doc);
    return 0;
}

int iam_create_policy_version(call_ctx *c)
{
    iam_policy p;
    if (policy_load(c, &p)) return -1;
    const char *text = in_str(c, "PolicyDocument");
    if (check_document(c, text)) return -1;
    bool set_default = json_is_true(json_object_get(c->in, "SetAsDefault"));
    if (db_begin(c->db)) return iam_fail_db(c);
    int64_t n = 0;
    db_get_int(c->db, &n, "SELECT COUNT(*) FROM iam_policy_versions WHERE policy_arn = ?", "s",
               p.arn);
    if (n >= POLICY_VERSIONS_MAX) {
        db_rollback(c->db);
        return aws_fail(&c->err, 409, "LimitExceeded",
                        "A managed policy can have up to %d versions. Before you create a new "
                        "version, you must delete an existing version.",
                        POLICY_VERSIONS_MAX);
    }
    char version[24];
    snprintf(version, sizeof version, "v%lld", (long long)p.next_version);
    if (db_exec(c->db,
                "INSERT INTO iam_policy_versions(policy_arn, version_id, document, created_ms) "
                "VALUES(?, ?, ?, ?)",
                "sssi", p.arn, version, text, c->now_ms) ||
        db_exec(c->db,
                "UPDATE iam_policies SET next_version = next_version + 1, updated_ms = ?, "
                "default_version = CASE WHEN ? THEN ? ELSE default_version END WHERE arn = ?",
                "idss", c->now_ms, (int)set_default, version, p.arn) ||
        db_commit(c->db))
        return iam_fail_db(c);
    c->out =
        json_pack("{s:o}", "PolicyVersion", version_json(version, set_default, c->now_ms, NULL));
    return 0;
}

int iam_list_policy_versions(call_ctx *c)
{
    iam_policy p;
    if (policy_load(c, &p)) return -1;
    json_t *items = json_array();
    sqlite3_stmt *st = db_query(c->db,
                                "SELECT version_id, created_ms FROM iam_policy_versions WHERE "
                                "policy_arn = ? ORDER BY created_ms DESC, rowid DESC",
                                "s", p.arn);
    while (db_row(st))
        json_array_append_new(items, version_json(db_text(st, 0),
                                                  !strcmp(db_text(st, 0), p.default_version),
                                                  db_int(st, 1), NULL));
    db_done(st);
    return iam_page(c, items, "Versions", "VersionId", false);
}

static bool version_exists(db_conn *db, const char *arn, const char *version)
{
    int64_t n = 0;
    db_get_int(db, &n,
               "SELECT COUNT(*) FROM iam_policy_versions WHERE policy_arn = ? AND version_id = ?",
               "ss", arn, version);
    return n > 0;
}

/* The request's policy (PolicyArn), which must have this version. */
static int policy_version_load(call_ctx *c, iam_policy *p, const char *version)
{
    if (policy_load(c, p)) return -1;
    if (!version_exists(c->db, p->arn, version))
        return aws_fail(&c->err, 404, "NoSuchEntity",
                        "Policy %.700s version %.64s does not exist or is not attachable.", p->arn,
                        version);
    return 0;
}

int iam_set_default_policy_version(call_ctx *c)
{
    iam_policy p;
    const char *version = in_str(c, "VersionId");
    if (policy_version_load(c, &p, version)) return -1;
    if (db_exec(c->db, "UPDATE iam_policies SET default_version = ?, updated_ms = ? WHERE arn = ?",
                "sis", version, c->now_ms, p.arn))
        return iam_fail_db(c);
    return 0;
}

int iam_delete_policy_version(call_ctx *c)
{
    iam_policy p;
    const char *version = in_str(c, "VersionId");
    if (policy_version_load(c, &p, version)) return -1;
    if (!strcmp(version, p.default_version))
        return aws_fail(&c->err, 409, "DeleteConflict",
                        "Cannot delete the default version of a policy.");
    if (db_exec(c->db, "DELETE FROM iam_policy_versions WHERE policy_arn = ? AND version_id = ?",
                "ss", p.arn, version))
        return iam_fail_db(c);
    return 0;
}

int iam_delete_policy(call_ctx *c)
{
    iam_policy p;
    if (policy_load(c, &p)) return -1;
    if (db_begin(c->db)) return iam_fail_db(c);
    int64_t versions = 0, boundaries = 0;
    db_get_int(c->db, &versions, "SELECT COUNT(*) FROM iam_policy_versions WHERE policy_arn = ?",
               "s", p.arn);
    db_get_int(c->db, &boundaries,
               "SELECT (SELECT COUNT(*) FROM iam_users WHERE permissions_boundary = ?1) + "
               "(SELECT COUNT(*) FROM iam_roles WHERE permissions_boundary = ?1)",
               "s", p.arn);
    if (iam_policy_attachment_count(c->db, p.account_id, p.arn) || boundaries) {
        db_rollback(c->db);
        return aws_fail(&c->err, 409, "DeleteConflict",
                        "Cannot delete a policy attached to entities.");
    }
    if (versions > 1) {
        db_rollback(c->db);
        return aws_fail(&c->err, 409, "DeleteConflict",
                        "This policy has more than one version. Before you delete a policy, you "
                        "must delete the policy's versions.");
    }
    if (db_exec(c->db, "DELETE FROM iam_policy_versions WHERE policy_arn = ?", "s", p.arn) ||
        db_exec(c->db, "DELETE FROM iam_policies WHERE arn = ?", "s", p.arn) || db_commit(c->db))
        return iam_fail_db(c);
    return 0;
}
