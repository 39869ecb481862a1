#include "state/org_state.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/iam_state.h"
#include "state/tags.h"

#define ACCOUNT_COLUMNS "id, name, email, state, joined_method, joined_ms, parent_id"

static void account_from_row(sqlite3_stmt *st, void *row)
{
    org_account *a = row;
    snprintf(a->id, sizeof a->id, "%s", db_text(st, 0));
    snprintf(a->name, sizeof a->name, "%s", db_text(st, 1));
    snprintf(a->email, sizeof a->email, "%s", db_text(st, 2));
    snprintf(a->state, sizeof a->state, "%s", db_text(st, 3));
    snprintf(a->joined_method, sizeof a->joined_method, "%s", db_text(st, 4));
    a->joined_ms = db_int(st, 5);
    snprintf(a->parent_id, sizeof a->parent_id, "%s", db_text(st, 6));
}

static org_account *accounts_from_rows(sqlite3_stmt *st, size_t *n)
{
    return db_rows_alloc(st, sizeof(org_account), account_from_row, n);
}

static void service_date_from_row(sqlite3_stmt *st, void *row)
{
    org_service_date *d = row;
    snprintf(d->service_principal, sizeof d->service_principal, "%s", db_text(st, 0));
    d->ms = db_int(st, 1);
}

static org_service_date *service_dates_from_rows(sqlite3_stmt *st, size_t *n)
{
    return db_rows_alloc(st, sizeof(org_service_date), service_date_from_row, n);
}

int org_get(db_conn *db, org_info *o)
{
    sqlite3_stmt *st = db_query(db,
                                "SELECT id, feature_set, master_account_id, master_email, root_id, "
                                "created_ms FROM organization LIMIT 1",
                                "");
    int found = 0;
    if (db_row(st)) {
        snprintf(o->id, sizeof o->id, "%s", db_text(st, 0));
        snprintf(o->feature_set, sizeof o->feature_set, "%s", db_text(st, 1));
        snprintf(o->master_account, sizeof o->master_account, "%s", db_text(st, 2));
        snprintf(o->master_email, sizeof o->master_email, "%s", db_text(st, 3));
        snprintf(o->root_id, sizeof o->root_id, "%s", db_text(st, 4));
        o->created_ms = db_int(st, 5);
        found = 1;
    }
    db_done(st);
    return found;
}

int org_of_account(db_conn *db, const char *account_id, org_info *o)
{
    if (!org_get(db, o)) return 0;
    if (!strcmp(o->master_account, account_id)) return 1;
    int64_t n = 0;
    db_get_int(db, &n, "SELECT COUNT(*) FROM accounts WHERE id = ? AND org_id = ?", "ss",
               account_id, o->id);
    return n > 0;
}

int org_create(db_conn *db, const org_info *o)
{
    assert(db_in_transaction(db));
    return db_exec(db,
                   "INSERT INTO organization(id, feature_set, master_account_id, master_email, "
                   "root_id, created_ms) VALUES(?, ?, ?, ?, ?, ?)",
                   "sssssi", o->id, o->feature_set, o->master_account, o->master_email, o->root_id,
                   o->created_ms);
}

int org_set_feature_set(db_conn *db, const char *org_id, const char *feature_set)
{
    assert(db_in_transaction(db));
    return db_exec(db, "UPDATE organization SET feature_set = ? WHERE id = ?", "ss", feature_set,
                   org_id);
}

int org_delete(db_conn *db, const org_info *o)
{
    assert(db_in_transaction(db));
    if (db_exec(db, "DELETE FROM org_service_access", "") ||
        db_exec(db, "DELETE FROM org_delegated_admins", "") ||
        db_exec(db, "DELETE FROM org_create_account_status", "") ||
        db_exec(db,
                "UPDATE accounts SET org_id = NULL, parent_id = NULL, joined_method = NULL, "
                "joined_ms = NULL WHERE org_id = ?",
                "s", o->id) ||
        db_exec(db, "DELETE FROM organization WHERE id = ?", "s", o->id))
        return -1;
    return 0;
}

bool org_service_access_enabled(db_conn *db, const char *service_principal)
{
    int64_t n = 0;
    db_get_int(db, &n, "SELECT COUNT(*) FROM org_service_access WHERE service_principal = ?", "s",
               service_principal);
    return n > 0;
}

bool org_is_delegated_admin(db_conn *db, const char *account_id, const char *service_principal)
{
    int64_t n = 0;
    db_get_int(db, &n,
               "SELECT COUNT(*) FROM org_delegated_admins WHERE account_id = ? AND "
               "service_principal = ?",
               "ss", account_id, service_principal);
    return n > 0;
}

static void id_from_row(sqlite3_stmt *st, void *row)
{
    snprintf(row, 13, "%s", db_text(st, 0));
}

int org_each_account(db_conn *db, void (*fn)(const char *account_id, void *arg), void *arg)
{
    org_info o;
    if (!org_get(db, &o)) return 0;
    sqlite3_stmt *st =
        db_query(db, "SELECT id FROM accounts WHERE org_id = ? OR id = ? ORDER BY id", "ss", o.id,
                 o.master_account);
    /* Collect first: fn may run queries of its own on this connection. */
    size_t n;
    char(*ids)[13] = db_rows_alloc(st, sizeof *ids, id_from_row, &n);
    for (size_t i = 0; i < n; i++)
        fn(ids[i], arg);
    free(ids);
    return (int)n;
}

bool account_exists(db_conn *db, const char *account_id)
{
    int64_t n = 0;
    db_get_int(db, &n, "SELECT COUNT(*) FROM accounts WHERE id = ?", "s", account_id);
    return n > 0;
}

int account_get(db_conn *db, const char *account_id, org_account *a)
{
    sqlite3_stmt *st =
        db_query(db, "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE id = ?", "s", account_id);
    return db_row_get(st, account_from_row, a);
}

int account_id_by_email(db_conn *db, const char *email, char id[13])
{
    return db_get_text(db, id, 13, "SELECT id FROM accounts WHERE lower(email) = lower(?)", "s",
                       email);
}

int account_create(db_conn *db, const char *account_id, const char *name, const char *email,
                   int64_t now_ms)
{
    assert(db_in_transaction(db));
    return db_exec(db,
                   "INSERT INTO accounts(id, name, email, state, created_ms) VALUES(?, ?, ?, "
                   "'ACTIVE', ?)",
                   "sssi", account_id, name, email, now_ms);
}

int org_account_in(db_conn *db, const org_info *o, const char *account_id, org_account *a)
{
    sqlite3_stmt *st =
        db_query(db, "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE id = ? AND org_id = ?", "ss",
                 account_id, o->id);
    return db_row_get(st, account_from_row, a);
}

org_account *org_accounts_alloc(db_conn *db, const org_info *o, const char *parent_id, size_t *n)
{
    return accounts_from_rows(
        parent_id ? db_query(db,
                             "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE org_id = ? AND "
                             "parent_id = ? ORDER BY joined_ms, id",
                             "ss", o->id, parent_id)
                  : db_query(db,
                             "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE org_id = ? "
                             "ORDER BY joined_ms, id",
                             "s", o->id),
        n);
}

org_account *org_invited_members_alloc(db_conn *db, const org_info *o, size_t *n)
{
    return accounts_from_rows(db_query(db,
                                       "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE org_id = ? "
                                       "AND id <> ? AND joined_method = 'INVITED' ORDER BY id",
                                       "ss", o->id, o->master_account),
                              n);
}

int64_t org_member_count(db_conn *db, const org_info *o)
{
    int64_t n = 0;
    db_get_int(db, &n, "SELECT COUNT(*) FROM accounts WHERE org_id = ? AND id <> ?", "ss", o->id,
               o->master_account);
    return n;
}

int org_account_join(db_conn *db, const org_info *o, const char *account_id, const char *method,
                     int64_t now_ms)
{
    assert(db_in_transaction(db));
    return db_exec(
        db,
        "UPDATE accounts SET org_id = ?, parent_id = ?, joined_method = ?, joined_ms = ? "
        "WHERE id = ?",
        "sssis", o->id, o->root_id, method, now_ms, account_id);
}

int org_account_leave(db_conn *db, const char *account_id)
{
    assert(db_in_transaction(db));
    return db_exec(db,
                   "UPDATE accounts SET org_id = NULL, parent_id = NULL, joined_method = NULL, "
                   "joined_ms = NULL WHERE id = ?",
                   "s", account_id);
}

int org_account_move(db_conn *db, const char *account_id, const char *parent_id)
{
    assert(db_in_transaction(db));
    return db_exec(db, "UPDATE accounts SET parent_id = ? WHERE id = ?", "ss", parent_id,
                   account_id);
}

#define CREATE_STATUS_COLUMNS                                                                      \
    "id, account_name, state, requested_ms, completed_ms, account_id, failure_reason"

static void create_status_from_row(sqlite3_stmt *st, void *row)
{
    org_create_status *s = row;
    snprintf(s->id, sizeof s->id, "%s", db_text(st, 0));
    snprintf(s->account_name, sizeof s->account_name, "%s", db_text(st, 1));
    snprintf(s->state, sizeof s->state, "%s", db_text(st, 2));
    s->requested_ms = db_int(st, 3);
    s->completed = !db_is_null(st, 4);
    s->completed_ms = db_int(st, 4);
    snprintf(s->account_id, sizeof s->account_id, "%s", db_text(st, 5));
    snprintf(s->failure_reason, sizeof s->failure_reason, "%s", db_text(st, 6));
}

int org_create_status_add(db_conn *db, const org_create_status *s)
{
    assert(db_in_transaction(db));
    return db_exec(db,
                   "INSERT INTO org_create_account_status(" CREATE_STATUS_COLUMNS
                   ") VALUES(?, ?, ?, ?, ?, ?, ?)",
                   "sssiiss", s->id, s->account_name, s->state, s->requested_ms, s->completed_ms,
                   s->account_id[0] ? s->account_id : NULL,
                   s->failure_reason[0] ? s->failure_reason : NULL);
}

int org_create_status_get(db_conn *db, const char *id, org_create_status *s)
{
    sqlite3_stmt *st = db_query(db,
                                "SELECT " CREATE_STATUS_COLUMNS " FROM org_create_account_status "
                                "WHERE id = ?",
                                "s", id);
    return db_row_get(st, create_status_from_row, s);
}

org_create_status *org_create_status_alloc(db_conn *db, size_t *n)
{
    sqlite3_stmt *st = db_query(db,
                                "SELECT " CREATE_STATUS_COLUMNS " FROM org_create_account_status "
                                "ORDER BY requested_ms, id",
                                "");
    return db_rows_alloc(st, sizeof(org_create_status), create_status_from_row, n);
}

int org_service_access_enable(db_conn *db, const char *service_principal, int64_t now_ms)
{
    assert(db_in_transaction(db));
    return db_exec(db,
                   "INSERT OR IGNORE INTO org_service_access(service_principal, enabled_ms) "
                   "VALUES(?, ?)",
                   "si", service_principal, now_ms);
}

int org_service_access_disable(db_conn *db, const char *service_principal)
{
    assert(db_in_transaction(db));
    return db_exec(db, "DELETE FROM org_service_access WHERE service_principal = ?", "s",
                   service_principal);
}

org_service_date *org_service_access_alloc(db_conn *db, size_t *n)
{
    return service_dates_from_rows(db_query(db,
                                            "SELECT service_principal, enabled_ms FROM "
                                            "org_service_access ORDER BY service_principal",
                                            ""),
                                   n);
}

int64_t org_delegated_admin_count(db_conn *db, const char *service_principal)
{
    int64_t n = 0;
    db_get_int(db, &n, "SELECT COUNT(*) FROM org_delegated_admins WHERE service_principal = ?", "s",
               service_principal);
    return n;
}

static void delegated_admin_from_row(sqlite3_stmt *st, void *row)
{
    org_delegated_admin *d = row;
    account_from_row(st, &d->account);
    d->delegated_ms = db_int(st, 7);
}

org_delegated_admin *org_delegated_admins_alloc(db_conn *db, const org_info *o,
                                                const char *service_principal, size_t *n)
{
    sqlite3_stmt *st = db_query(db,
                                "SELECT a.id, a.name, a.email, a.state, a.joined_method, "
                                "a.joined_ms, a.parent_id, MIN(d.enabled_ms) FROM "
                                "org_delegated_admins d JOIN accounts a ON a.id = d.account_id "
                                "WHERE a.org_id = ? AND (? IS NULL OR d.service_principal = ?) "
                                "GROUP BY a.id ORDER BY MIN(d.enabled_ms), a.id",
                                "sss", o->id, service_principal, service_principal);
    return db_rows_alloc(st, sizeof(org_delegated_admin), delegated_admin_from_row, n);
}

org_service_date *org_delegated_services_alloc(db_conn *db, const char *account_id, size_t *n)
{
    return service_dates_from_rows(db_query(db,
                                            "SELECT service_principal, enabled_ms FROM "
                                            "org_delegated_admins WHERE account_id = ? ORDER BY "
                                            "enabled_ms, service_principal",
                                            "s", account_id),
                                   n);
}

bool org_is_any_delegated_admin(db_conn *db, const char *account_id)
{
    int64_t n = 0;
    db_get_int(db, &n, "SELECT COUNT(*) FROM org_delegated_admins WHERE account_id = ?", "s",
               account_id);
    return n > 0;
}

int org_delegated_admin_add(db_conn *db, const char *account_id, const char *service_principal,
                            int64_t now_ms)
{
    assert(db_in_transaction(db));
    return db_exec(db,
                   "INSERT INTO org_delegated_admins(account_id, service_principal, enabled_ms) "
                   "VALUES(?, ?, ?)",
                   "ssi", account_id, service_principal, now_ms);
}

int org_delegated_admin_remove(db_conn *db, const char *account_id, const char *service_principal)
{
    assert(db_in_transaction(db));
    return db_exec(db,
                   "DELETE FROM org_delegated_admins WHERE account_id = ? AND "
                   "service_principal = ?",
                   "ss", account_id, service_principal);
}

int org_account_joined(db_conn *db, const char *account_id, int64_t now_ms, aws_error *e)
{
    assert(db_in_transaction(db));
    org_info o;
    if (!org_of_account(db, account_id, &o)) return 0;
    if (!strcmp(o.feature_set, "ALL") &&
        iam_ensure_slr(db, account_id, "organizations.amazonaws.com", now_ms, e))
        return -1;
    if (org_service_access_enabled(db, "cloudtrail.amazonaws.com") &&
        iam_ensure_slr(db, account_id, "cloudtrail.amazonaws.com", now_ms, e))
        return -1;
    return 0;
}

int org_account_left(db_conn *db, const char *account_id, aws_error *e)
{
    assert(db_in_transaction(db));
    /* The role goes with everything hanging off it, as IAM's DeleteServiceLinkedRole. */
    iam_role r;
    if (!iam_role_get(db, account_id, iam_slr_name("cloudtrail.amazonaws.com"), &r)) return 0;
    char name[65], tag_owner[IAM_TAG_RESOURCE_ID_LEN];
    snprintf(name, sizeof name, "%s", r.name);
    iam_tag_resource_id(tag_owner, account_id, r.role_id);
    iam_role_clear(&r);
    if (db_exec(db, "DELETE FROM iam_role_attached WHERE account_id = ? AND role_name = ?", "ss",
                account_id, name) ||
        db_exec(db, "DELETE FROM iam_role_policies WHERE account_id = ? AND role_name = ?", "ss",
                account_id, name) ||
        tags_remove_all(db, TAGS_IAM, tag_owner) ||
        db_exec(db, "DELETE FROM iam_roles WHERE account_id = ? AND name = ?", "ss", account_id,
                name))
        return aws_fail(e, 500, "ServiceException", "cannot update the account's roles: %s",
                        db_errmsg(db));
    return 0;
}
