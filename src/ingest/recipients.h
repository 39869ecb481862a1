/* recipients: which accounts a caller may write ingested events for.
 *
 * An account may write events for itself; the management account of an organization may
 * also write them for every account of its organization (its services report on behalf of
 * members). Nobody else may write for another account: an event for it is refused
 * (InvalidRecipient) rather than filed under the caller. Answers are cached per request,
 * because a bulk request asks once per record. */
#ifndef ORGTRAIL_RECIPIENTS_H
#define ORGTRAIL_RECIPIENTS_H

#include <stdbool.h>

#include "state/db.h"

#define RECIPIENTS_CACHE 64

typedef struct recipients {
    db_conn *db;
    char writer[13];
    bool writer_is_management;
    char org_id[40];
    struct {
        char account[13];
        bool allowed;
    } cache[RECIPIENTS_CACHE];
    int n_cache;
} recipients;

void recipients_init(recipients *r, db_conn *db, const char *writer_account);
bool recipients_allowed(recipients *r, const char *account_id);

#endif
