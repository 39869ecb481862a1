/* digest_state: the tables digest files keep in the state database.
 *
 *   digest_chains         one row per trail x account x region: whether the chain runs, the
 *                         start of its open window, the end of its last digest, and the
 *                         last digest (bucket, key, hash, signature) the next one names
 *   digest_pending_logs   log files delivered for a trail with validation on, waiting for
 *                         the digest of their chain
 *   digest_files          signed digests, body included, until they are in the store
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
int digest_chain_put(db_conn *db, const digest_chain *c);
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
int digest_pending_add(db_conn *db, const char *trail_arn, const pending_log *l);
/* The chain's pending files, in delivery order; *out malloc'd (caller frees). */
size_t digest_pending_of(db_conn *db, const char *trail_arn, const char *account_id,
                         const char *region, pending_log **out);
/* (account, region) pairs with pending files for the trail; *out malloc'd. */
size_t digest_pending_chains(db_conn *db, const char *trail_arn, pending_log **out);
int digest_pending_remove(db_conn *db, const char *trail_arn, const pending_log *l);

typedef struct planned_digest {
    int64_t id;
    char trail_arn[256];
    char account_id[13];
    char region[32];
    char bucket[64];
    char key[1024];
    char signature[520];
    int64_t end_ms;
    int64_t attempts;
    unsigned char *body; /* gzip bytes, owned */
    size_t body_len;
} planned_digest;

int digest_file_insert(db_conn *db, const planned_digest *d, int64_t now_ms);
/* Up to max due digests, oldest first; free with planned_digests_free. */
size_t digest_files_due(db_conn *db, int64_t now_ms, size_t max, planned_digest **out);
void planned_digests_free(planned_digest *v, size_t n);
int digest_file_done(db_conn *db, int64_t id);
int digest_file_retry(db_conn *db, int64_t id, int64_t next_attempt_ms);
int64_t digest_files_pending(db_conn *db);

/* How many planned digests of the trail are not written yet. */
int64_t digest_files_of(db_conn *db, const char *trail_arn);
/* Forgets a deleted trail's chains, pending files and unwritten digests. */
int digest_forget_trail(db_conn *db, const char *trail_arn);

/* GetTrailStatus: the latest digest written, the latest attempt, its error ("" = none). */
int digest_status_get(db_conn *db, const char *trail_arn, int64_t *latest_ms, int64_t *attempt_ms,
                      char *error, size_t error_len);
int digest_status_attempt(db_conn *db, const char *trail_arn, int64_t now_ms, const char *error);

#endif
