/* org_handshake_state: Organizations handshakes as stored (invitations and the
 * enable-all-features migration).
 *
 * A handshake row keeps the state last written; expiry is the service's business
 * (svc/org_handshakes.c reads OPEN/REQUESTED past expiration_ms as EXPIRED). Parties
 * and resources are the JSON texts the API returns. An org_handshake owns those two
 * texts: release them with org_handshake_clear (org_handshakes_free for an array).
 * Writers return 0, or -1 on a database error, inside the caller's transaction. */
#ifndef ORGTRAIL_ORG_HANDSHAKE_STATE_H
#define ORGTRAIL_ORG_HANDSHAKE_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state/db.h"

typedef struct org_handshake {
    char id[40];
    char action[32]; /* INVITE | ENABLE_ALL_FEATURES | APPROVE_ALL_FEATURES */
    char state[16];
    char recipient[13]; /* the account that must accept it */
    char *parties;      /* owned JSON text */
    char *resources;    /* owned JSON text */
    int64_t requested_ms, expiration_ms;
} org_handshake;

void org_handshake_clear(org_handshake *h);
void org_handshakes_free(org_handshake *hs, size_t n);

/* 1 with *h (clear it) when the handshake exists, else 0. */
int org_handshake_get(db_conn *db, const char *id, org_handshake *h);
/* Handshakes oldest first; action and recipient (NULL: any) filter, and open_only keeps
 * those stored as OPEN or REQUESTED (expired or not). */
org_handshake *org_handshakes_alloc(db_conn *db, const char *action, const char *recipient,
                                    bool open_only, size_t *n);

__attribute__((warn_unused_result)) int org_handshake_insert(db_conn *db, const org_handshake *h);
__attribute__((warn_unused_result)) int org_handshake_set_state(db_conn *db, const char *id,
                                                                const char *state);
/* Every handshake of `action` stored as OPEN or REQUESTED becomes CANCELED. */
__attribute__((warn_unused_result)) int org_handshakes_cancel_open(db_conn *db, const char *action);
/* Every handshake goes (the organization is deleted). */
__attribute__((warn_unused_result)) int org_handshake_forget_all(db_conn *db);

#endif
