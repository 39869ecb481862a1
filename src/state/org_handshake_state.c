#include "state/org_handshake_state.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HANDSHAKE_COLUMNS                                                                          \
    "id, action, state, account_id, parties, resources, requested_ms, expiration_ms"

void org_handshake_clear(org_handshake *h)
{
    free(h->parties);
    free(h->resources);
    h->parties = h->resources = NULL;
}

void org_handshakes_free(org_handshake *hs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        org_handshake_clear(&hs[i]);
    free(hs);
}

static void handshake_from_row(sqlite3_stmt *st, void *row)
{
    org_handshake *h = row;
    snprintf(h->id, sizeof h->id, "%s", db_text(st, 0));
    snprintf(h->action, sizeof h->action, "%s", db_text(st, 1));
    snprintf(h->state, sizeof h->state, "%s", db_text(st, 2));
    snprintf(h->recipient, sizeof h->recipient, "%s", db_text(st, 3));
    h->parties = strdup(db_text(st, 4));
    h->resources = strdup(db_text(st, 5));
    if (!h->parties || !h->resources) abort();
    h->requested_ms = db_int(st, 6);
    h->expiration_ms = db_int(st, 7);
}

int org_handshake_get(db_conn *db, const char *id, org_handshake *h)
{
    sqlite3_stmt *st =
        db_query(db, "SELECT " HANDSHAKE_COLUMNS " FROM org_handshakes WHERE id = ?", "s", id);
    return db_row_get(st, handshake_from_row, h);
}

org_handshake *org_handshakes_alloc(db_conn *db, const char *action, const char *recipient,
                                    bool open_only, size_t *n)
{
    sqlite3_stmt *st = db_query(db,
                                "SELECT " HANDSHAKE_COLUMNS " FROM org_handshakes WHERE "
                                "(? IS NULL OR action = ?) AND (? IS NULL OR account_id = ?) AND "
                                "(? = 0 OR state IN ('OPEN', 'REQUESTED')) "
                                "ORDER BY requested_ms, id",
                                "ssssd", action, action, recipient, recipient, open_only ? 1 : 0);
    return db_rows_alloc(st, sizeof(org_handshake), handshake_from_row, n);
}

int org_handshake_insert(db_conn *db, const org_handshake *h)
{
    assert(db_in_transaction(db));
    return db_exec(
        db, "INSERT INTO org_handshakes(" HANDSHAKE_COLUMNS ") VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
        "ssssssii", h->id, h->action, h->state, h->recipient, h->parties, h->resources,
        h->requested_ms, h->expiration_ms);
}

int org_handshake_set_state(db_conn *db, const char *id, const char *state)
{
    assert(db_in_transaction(db));
    return db_exec(db, "UPDATE org_handshakes SET state = ? WHERE id = ?", "ss", state, id);
}

int org_handshakes_cancel_open(db_conn *db, const char *action)
{
    assert(db_in_transaction(db));
    return db_exec(db,
                   "UPDATE org_handshakes SET state = 'CANCELED' WHERE action = ? AND state IN "
                   "('OPEN', 'REQUESTED')",
                   "s", action);
}

int org_handshake_forget_all(db_conn *db)
{
    assert(db_in_transaction(db));
    return db_exec(db, "DELETE FROM org_handshakes", "");
}
