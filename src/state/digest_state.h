/* digest_state: the tables digest files keep in the state database.
 *
 *   digest_chains         one row per trail x account x region: whether the chain runs, the
 *                         start of its open window, the end of its last digest, and the
 *                         last digest (bucket, key, hash, signature) the next one names
 *   digest_pending_logs   log files delivered for a trail with validation on, waiting for
 *                         the digest of their chain
 *
 * The signed digests themselves wait in the outbox (state/outbox_state.h).
 *
 * Plain reads and writes; the caller owns transactions (digest/digester.h says which
 * changes go together). */
#ifndef ORGTRAIL_DIGEST_STATE_H
#define ORGTRAIL_DIGEST_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state/db.h"

typedef struct digest_chain {
    char trail_arn[256];
    char account_id[13];
    char region[32];
    bool running;
    int64_t start_ms;    /* start of the open window */
    int64_t last_end_ms; /* end of the chain's last digest (0 = none) */
    bool has_prev;       /* the next digest names a previous one */
    char prev_bucket[64];
    char prev_key[1024];
    char prev_hash[65];
    char prev_signature[520];
} digest_chain;

/* The trail's chains; *out malloc'd (caller frees). */
size_t digest_chains_of(db_conn *db, const char *trail_arn, digest_chain **out);
/* Inserts or replaces the chain row. 0, or -1. */
__attribute__((warn_unused_result)) int digest_chain_put(db_conn *db, const digest_chain *c);
/* Trails with validation on, a running chain, log files waiting for a digest, or deleted
 * ones whose settings are kept (ARNs, malloc'd array of 256-byte names). */
size_t digest_trails(db_conn *db, char (**arns)[256]);

typedef struct pending_log {
    char account_id[13];
    char region[32];
    char bucket[64];
    char key[1024];
    char sha256[65];
    int64_t oldest_event_ms, newest_event_ms; /* -1 = unknown */
    int64_t delivered_ms;
} pending_log;

/* A log file reached the store (idempotent per trail and object). 0, or -1. */
__attribute__((warn_unused_result)) int digest_pending_add(db_conn *db, const char *trail_arn,
                                                           const pending_log *l);
/* The chain's pending files, in delivery order; *out malloc'd (caller frees). */
size_t digest_pending_of(db_conn *db, const char *trail_arn, const char *account_id,
                         const char *region, pending_log **out);
/* (account, region) pairs with pending files for the trail; *out malloc'd. */
size_t digest_pending_chains(db_conn *db, const char *trail_arn, pending_log **out);
__attribute__((warn_unused_result)) int digest_pending_remove(db_conn *db, const char *trail_arn,
                                                              const pending_log *l);

/* Forgets a deleted trail's chains, pending files and unwritten digests. */
__attribute__((warn_unused_result)) int digest_forget_trail(db_conn *db, const char *trail_arn);

#endif
