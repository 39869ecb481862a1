/* identity: from an access key id (and session token) to a principal and its secret. */
#ifndef ORGTRAIL_IDENTITY_H
#define ORGTRAIL_IDENTITY_H

#include "auth/sigv4.h"
#include "state/db.h"
#include "auth/principal.h"

/* Looks the key up. Returns SIGV4_OK with *p and secret (>= 64 bytes) filled, or
 * SIGV4_UNKNOWN_KEY / SIGV4_BAD_TOKEN / SIGV4_EXPIRED_TOKEN. */
sigv4_failure identity_resolve(db_conn *db, const char *access_key_id, const char *token,
                               int64_t now_ms, principal *p, char *secret, size_t secret_len);

/* Fills a root principal for account_id (used for records of the owner's own actions). */
void identity_root(principal *p, const char *account_id, const char *access_key_id);

#endif
