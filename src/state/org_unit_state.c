#include "state/org_unit_state.h"

#include <assert.h>
#include <stdio.h>

static void unit_from_row(sqlite3_stmt *st, void *row)
{
    org_unit *u = row;
    snprintf(u->id, sizeof u->id, "%s", db_text(st, 0));
    snprintf(u->name, sizeof u->name, "%s", db_text(st, 1));
    snprintf(u->parent_id, sizeof u->parent_id, "%s", db_text(st, 2));
}

int org_unit_get(db_conn *db, const char *id, org_unit *u)
{
    sqlite3_stmt *st =
        db_query(db, "SELECT id, name, parent_id FROM org_units WHERE id = ?", "s", id);
    return db_row_get(st, unit_from_row, u);
}

bool org_unit_name_taken(db_conn *db, const char *parent_id, const char *name, const char *except)
{
    int64_t n = 0;
    db_get_int(db, &n,
               "SELECT COUNT(*) FROM org_units WHERE parent_id = ? AND name = ? AND id <> ?", "sss",
               parent_id, name, except ? except : "");
    return n > 0;
}

bool org_unit_is_empty(db_conn *db, const char *id)
{
    int64_t children = 0, accounts = 0;
    db_get_int(db, &children, "SELECT COUNT(*) FROM org_units WHERE parent_id = ?", "s", id);
    db_get_int(db, &accounts, "SELECT COUNT(*) FROM accounts WHERE parent_id = ?", "s", id);
    return !children && !accounts;
}

org_unit *org_units_alloc(db_conn *db, const char *parent_id, size_t *n)
{
    sqlite3_stmt *st = db_query(db,
                                "SELECT id, name, parent_id FROM org_units WHERE parent_id = ? "
                                "ORDER BY created_ms, id",
                                "s", parent_id);
    return db_rows_alloc(st, sizeof(org_unit), unit_from_row, n);
}

int org_unit_create(db_conn *db, const org_unit *u, int64_t now_ms)
{
    assert(db_in_transaction(db));
    return db_exec(db, "INSERT INTO org_units(id, parent_id, name, created_ms) VALUES(?, ?, ?, ?)",
                   "sssi", u->id, u->parent_id, u->name, now_ms);
}

int org_unit_rename(db_conn *db, const char *id, const char *name)
{
    assert(db_in_transaction(db));
    return db_exec(db, "UPDATE org_units SET name = ? WHERE id = ?", "ss", name, id);
}

int org_unit_delete(db_conn *db, const char *id)
{
    assert(db_in_transaction(db));
    return db_exec(db, "DELETE FROM org_units WHERE id = ?", "s", id);
}

int org_unit_forget_all(db_conn *db)
{
    assert(db_in_transaction(db));
    return db_exec(db, "DELETE FROM org_units", "");
}
