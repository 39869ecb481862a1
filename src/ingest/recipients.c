#include "ingest/recipients.h"

#include <stdio.h>
#include <string.h>

#include "state/org_state.h"

void recipients_init(recipients *r, db_conn *db, const char *writer_account)
{
    memset(r, 0, sizeof *r);
    r->db = db;
    snprintf(r->writer, sizeof r->writer, "%s", writer_account);
    org_info o;
    if (org_of_account(db, writer_account, &o) && !strcmp(o.master_account, writer_account)) {
        r->writer_is_management = true;
        snprintf(r->org_id, sizeof r->org_id, "%s", o.id);
    }
}

bool recipients_allowed(recipients *r, const char *account_id)
{
    if (!strcmp(account_id, r->writer)) return true;
    if (!r->writer_is_management) return false;
    for (int i = 0; i < r->n_cache; i++)
        if (!strcmp(r->cache[i].account, account_id)) return r->cache[i].allowed;
    org_info o;
    bool allowed = org_of_account(r->db, account_id, &o) && !strcmp(o.id, r->org_id);
    if (r->n_cache < RECIPIENTS_CACHE) {
        snprintf(r->cache[r->n_cache].account, sizeof r->cache[r->n_cache].account, "%s",
                 account_id);
        r->cache[r->n_cache].allowed = allowed;
        r->n_cache++;
    }
    return allowed;
}
