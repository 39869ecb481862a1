#include "state/org_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/iam_state.h"

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

int org_each_account(db_conn *db, void (*fn)(const char *account_id, void *arg), void *arg)
{
    org_info o;
    if (!org_get(db, &o)) return 0;
    sqlite3_stmt *st =
        db_query(db, "SELECT id FROM accounts WHERE org_id = ? OR id = ? ORDER BY id", "ss", o.id,
                 o.master_account);
    /* Collect first: fn may run queries of its own on this connection. */
    int n = 0, cap = 0;
    char(*ids)[13] = NULL;
    while (db_row(st)) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            ids = realloc(ids, (size_t)cap * sizeof *ids);
            if (!ids) abort();
        }
        snprintf(ids[n++], sizeof *ids, "%s", db_text(st, 0));
    }
    db_done(st);
    for (int i = 0; i < n; i++)
        fn(ids[i], arg);
    free(ids);
    return n;
}

bool account_exists(db_conn *db, const char *account_id)
{
    int64_t n = 0;
    db_get_int(db, &n, "SELECT COUNT(*) FROM accounts WHERE id = ?", "s", account_id);
    return n > 0;
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
    return db_exec(db,
                   "INSERT INTO org_delegated_admins(account_id, service_principal, enabled_ms) "
                   "VALUES(?, ?, ?)",
                   "ssi", account_id, service_principal, now_ms);
}

int org_delegated_admin_remove(db_conn *db, const char *account_id, const char *service_principal)
{
    return db_exec(db,
                   "DELETE FROM org_delegated_admins WHERE account_id = ? AND "
                   "service_principal = ?",
                   "ss", account_id, service_principal);
}

int org_account_joined(db_conn *db, const char *account_id, int64_t now_ms, aws_error *e)
{
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
    /* The role goes with everything hanging off it, as IAM's DeleteServiceLinkedRole. */
    iam_role r;
    if (!iam_role_get(db, account_id, iam_slr_name("cloudtrail.amazonaws.com"), &r)) return 0;
    char name[65], role_id[32];
    snprintf(name, sizeof name, "%s", r.name);
    snprintf(role_id, sizeof role_id, "%s", r.role_id);
    iam_role_clear(&r);
    if (db_exec(db, "DELETE FROM iam_role_attached WHERE account_id = ? AND role_name = ?", "ss",
                account_id, name) ||
        db_exec(db, "DELETE FROM iam_role_policies WHERE account_id = ? AND role_name = ?", "ss",
                account_id, name) ||
        db_exec(db, "DELETE FROM iam_tags WHERE account_id = ? AND resource = ?", "ss", account_id,
                role_id) ||
        db_exec(db, "DELETE FROM iam_roles WHERE account_id = ? AND name = ?", "ss", account_id,
                name))
        return aws_fail(e, 500, "ServiceException", "cannot update the account's roles: %s",
                        db_errmsg(db));
    return 0;
}
