#include "state/org_policy_state.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonutil.h"

static const char FULL_ACCESS_CONTENT[] =
    "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n"
    "      \"Action\": \"*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}";

void org_policy_clear(org_policy *p)
{
    free(p->content);
    p->content = NULL;
}

void org_policies_free(org_policy *ps, size_t n)
{
    for (size_t i = 0; i < n; i++)
        org_policy_clear(&ps[i]);
    free(ps);
}

#define POLICY_COLUMNS "id, name, description, type, aws_managed, content"

static void policy_from_row(sqlite3_stmt *st, org_policy *p, bool with_content)
{
    snprintf(p->id, sizeof p->id, "%s", db_text(st, 0));
    snprintf(p->name, sizeof p->name, "%s", db_text(st, 1));
    snprintf(p->description, sizeof p->description, "%s", db_text(st, 2));
    snprintf(p->type, sizeof p->type, "%s", db_text(st, 3));
    p->aws_managed = db_int(st, 4) != 0;
    p->content = NULL;
    if (with_content) {
        p->content = strdup(db_text(st, 5));
        if (!p->content) abort();
    }
}

static void policy_from_row_with_content(sqlite3_stmt *st, void *row)
{
    policy_from_row(st, row, true);
}

static void summary_from_row(sqlite3_stmt *st, void *row)
{
    policy_from_row(st, row, false);
}

/* Every row of st as policies without content. Finishes st. */
static org_policy *summaries_from_rows(sqlite3_stmt *st, size_t *n)
{
    return db_rows_alloc(st, sizeof(org_policy), summary_from_row, n);
}

int org_policy_get(db_conn *db, const char *id, org_policy *p)
{
    sqlite3_stmt *st =
        db_query(db, "SELECT " POLICY_COLUMNS " FROM org_policies WHERE id = ?", "s", id);
    return db_row_get(st, policy_from_row_with_content, p);
}

bool org_policy_exists(db_conn *db, const char *id)
{
    int64_t n = 0;
    db_get_int(db, &n, "SELECT COUNT(*) FROM org_policies WHERE id = ?", "s", id);
    return n > 0;
}

bool org_policy_name_taken(db_conn *db, const char *type, const char *name, const char *except)
{
    int64_t n = 0;
    db_get_int(db, &n, "SELECT COUNT(*) FROM org_policies WHERE type = ? AND name = ? AND id <> ?",
               "sss", type, name, except ? except : "");
    return n > 0;
}

int64_t org_policy_count(db_conn *db, const char *type)
{
    int64_t n = 0;
    db_get_int(db, &n, "SELECT COUNT(*) FROM org_policies WHERE type = ?", "s", type);
    return n;
}

org_policy *org_policies_alloc(db_conn *db, const char *type, size_t *n)
{
    return summaries_from_rows(db_query(db,
                                        "SELECT " POLICY_COLUMNS " FROM org_policies WHERE type = "
                                        "? ORDER BY aws_managed DESC, name, id",
                                        "s", type),
                               n);
}

org_policy *org_policies_for_target_alloc(db_conn *db, const char *target_id, const char *type,
                                          size_t *n)
{
    return summaries_from_rows(
        db_query(db,
                 "SELECT p.id, p.name, p.description, p.type, p.aws_managed, p.content FROM "
                 "org_policies p JOIN org_policy_attachments a ON a.policy_id = p.id WHERE "
                 "a.target_id = ? AND p.type = ? ORDER BY p.aws_managed DESC, p.name, p.id",
                 "ss", target_id, type),
        n);
}

int org_policy_insert(db_conn *db, const org_policy *p)
{
    assert(db_in_transaction(db));
    return db_exec(db,
                   "INSERT INTO org_policies(id, name, description, type, content, aws_managed) "
                   "VALUES(?, ?, ?, ?, ?, 0)",
                   "sssss", p->id, p->name, p->description, p->type, p->content);
}

int org_policy_update(db_conn *db, const org_policy *p)
{
    assert(db_in_transaction(db));
    return db_exec(db,
                   "UPDATE org_policies SET name = ?, description = ?, content = ? WHERE id = ?",
                   "ssss", p->name, p->description, p->content, p->id);
}

int org_policy_delete(db_conn *db, const char *id)
{
    assert(db_in_transaction(db));
    return db_exec(db, "DELETE FROM org_policies WHERE id = ?", "s", id);
}

int org_policy_ensure_full_access(db_conn *db)
{
    assert(db_in_transaction(db));
    return db_exec(db,
                   "INSERT OR IGNORE INTO org_policies(id, name, description, type, content, "
                   "aws_managed) VALUES(?, 'FullAWSAccess', 'Allows access to every operation', "
                   "'SERVICE_CONTROL_POLICY', ?, 1)",
                   "ss", ORG_FULL_ACCESS_ID, FULL_ACCESS_CONTENT);
}

static void policy_type_from_row(sqlite3_stmt *st, void *row)
{
    org_policy_type *t = row;
    snprintf(t->type, sizeof t->type, "%s", db_text(st, 0));
    snprintf(t->status, sizeof t->status, "%s", db_text(st, 1));
}

org_policy_type *org_policy_types_alloc(db_conn *db, const char *root_id, size_t *n)
{
    sqlite3_stmt *st = db_query(db,
                                "SELECT type, status FROM org_policy_types WHERE root_id = ? "
                                "ORDER BY type",
                                "s", root_id);
    return db_rows_alloc(st, sizeof(org_policy_type), policy_type_from_row, n);
}

bool org_policy_type_enabled(db_conn *db, const char *root_id, const char *type)
{
    int64_t n = 0;
    db_get_int(db, &n,
               "SELECT COUNT(*) FROM org_policy_types WHERE root_id = ? AND type = ? AND "
               "status = 'ENABLED'",
               "ss", root_id, type);
    return n > 0;
}

int org_policy_type_enable(db_conn *db, const char *root_id, const char *type)
{
    assert(db_in_transaction(db));
    return db_exec(db,
                   "INSERT OR REPLACE INTO org_policy_types(root_id, type, status) VALUES(?, ?, "
                   "'ENABLED')",
                   "ss", root_id, type);
}

int org_policy_type_disable(db_conn *db, const char *root_id, const char *type)
{
    assert(db_in_transaction(db));
    if (db_exec(db,
                "DELETE FROM org_policy_attachments WHERE policy_id IN (SELECT id FROM "
                "org_policies WHERE type = ?)",
                "s", type) ||
        db_exec(db, "DELETE FROM org_policy_types WHERE root_id = ? AND type = ?", "ss", root_id,
                type))
        return -1;
    return 0;
}

bool org_policy_attached(db_conn *db, const char *policy_id, const char *target_id)
{
    int64_t n = 0;
    db_get_int(db, &n,
               "SELECT COUNT(*) FROM org_policy_attachments WHERE policy_id = ? AND target_id = ?",
               "ss", policy_id, target_id);
    return n > 0;
}

int64_t org_policy_attached_of_type(db_conn *db, const char *target_id, const char *type)
{
    int64_t n = 0;
    db_get_int(db, &n,
               "SELECT COUNT(*) FROM org_policy_attachments a JOIN org_policies p ON "
               "p.id = a.policy_id WHERE a.target_id = ? AND p.type = ?",
               "ss", target_id, type);
    return n;
}

int64_t org_policy_attachment_count(db_conn *db, const char *policy_id)
{
    int64_t n = 0;
    db_get_int(db, &n, "SELECT COUNT(*) FROM org_policy_attachments WHERE policy_id = ?", "s",
               policy_id);
    return n;
}

json_t *org_policy_targets_json(db_conn *db, const char *policy_id)
{
    json_t *arr = json_array();
    sqlite3_stmt *st = db_query(db,
                                "SELECT target_id FROM org_policy_attachments WHERE policy_id = ? "
                                "ORDER BY target_id",
                                "s", policy_id);
    while (db_row(st))
        json_array_append_new(arr, json_string_safe(db_text(st, 0), strlen(db_text(st, 0))));
    db_done(st);
    return arr;
}

int org_policy_attach(db_conn *db, const char *policy_id, const char *target_id)
{
    assert(db_in_transaction(db));
    return db_exec(db, "INSERT INTO org_policy_attachments(policy_id, target_id) VALUES(?, ?)",
                   "ss", policy_id, target_id);
}

int org_policy_detach(db_conn *db, const char *policy_id, const char *target_id)
{
    assert(db_in_transaction(db));
    return db_exec(db, "DELETE FROM org_policy_attachments WHERE policy_id = ? AND target_id = ?",
                   "ss", policy_id, target_id);
}

int org_policy_attach_full_access(db_conn *db, const char *target_id)
{
    assert(db_in_transaction(db));
    return db_exec(
        db, "INSERT OR IGNORE INTO org_policy_attachments(policy_id, target_id) VALUES(?, ?)", "ss",
        ORG_FULL_ACCESS_ID, target_id);
}

int org_policy_attach_full_access_everywhere(db_conn *db, const char *org_id)
{
    assert(db_in_transaction(db));
    if (db_exec(db,
                "INSERT OR IGNORE INTO org_policy_attachments(policy_id, target_id) SELECT ?, id "
                "FROM org_units",
                "s", ORG_FULL_ACCESS_ID) ||
        db_exec(db,
                "INSERT OR IGNORE INTO org_policy_attachments(policy_id, target_id) SELECT ?, id "
                "FROM accounts WHERE org_id = ?",
                "ss", ORG_FULL_ACCESS_ID, org_id))
        return -1;
    return 0;
}

int org_policy_detach_all(db_conn *db, const char *target_id)
{
    assert(db_in_transaction(db));
    return db_exec(db, "DELETE FROM org_policy_attachments WHERE target_id = ?", "s", target_id);
}

int org_policy_forget_all(db_conn *db)
{
    assert(db_in_transaction(db));
    if (db_exec(db, "DELETE FROM org_policy_attachments", "") ||
        db_exec(db, "DELETE FROM org_policies", "") ||
        db_exec(db, "DELETE FROM org_policy_types", ""))
        return -1;
    return 0;
}
