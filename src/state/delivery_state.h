/* delivery_state: the tables log-file delivery keeps in the state database.
 *
 *   trail_logging_spans     when each trail was logging, in journal positions: a record
 *                           with seq in [from_seq, to_seq) was captured while it logged
 *   trail_selector_history  which event selectors applied from which journal position
 *   org_membership_history  when each account was in which organization (kept by
 *                           triggers on accounts.org_id, so Organizations needs no hooks)
 *   delivery_cursor         the first journal record not yet planned into log files
 *   delivery_files          planned log files, body included, until they are in the store
 *   delivery_status         per trail: latest delivery, latest attempt, latest error
 *
 * Everything here is plain reads and writes; the caller owns transactions. See
 * delivery/deliver.h for why planning and cursor move in one transaction. */
#ifndef ORGTRAIL_DELIVERY_STATE_H
#define ORGTRAIL_DELIVERY_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state/db.h"

#define SPAN_OPEN UINT64_MAX
#define MEMBERSHIP_OPEN INT64_MAX

typedef struct logging_span {
    uint64_t from, to; /* [from, to); to = SPAN_OPEN while logging */
} logging_span;

typedef struct membership_span {
    char account_id[13];
    int64_t from_ms, to_ms; /* to_ms = MEMBERSHIP_OPEN while a member */
} membership_span;

/* StartLogging (on) / StopLogging (off) took effect at journal position `position`.
 * Starting a logging trail or stopping a stopped one changes nothing. 0, or -1. */
int delivery_logging_changed(db_conn *db, const char *trail_arn, bool on, uint64_t position);
/* The trail's logging spans in order; *out malloc'd (caller frees). */
size_t delivery_logging_spans(db_conn *db, const char *trail_arn, logging_span **out);
typedef struct selector_version {
    uint64_t from; /* journal position from which these selectors apply */
    char *basic;   /* owned JSON texts; NULL when unset */
    char *advanced;
} selector_version;

/* PutEventSelectors took effect at `position`. 0, or -1. */
int delivery_selectors_changed(db_conn *db, const char *trail_arn, uint64_t position,
                               const char *basic_json, const char *advanced_json);
/* The trail's selector versions in order; free with delivery_selector_versions_free. */
size_t delivery_selector_versions(db_conn *db, const char *trail_arn, selector_version **out);
void delivery_selector_versions_free(selector_version *v, size_t n);

/* Every membership period of organization org_id; *out malloc'd (caller frees). */
size_t delivery_memberships(db_conn *db, const char *org_id, membership_span **out);
/* Forgets a deleted trail: its spans, selector history, planned files and status. Its
 * digest chains stay until they have ended (digest/digester.h). */
int delivery_forget_trail(db_conn *db, const char *trail_arn);

/* The cursor: the first journal seq not yet planned (1 when never set). */
uint64_t delivery_cursor_get(db_conn *db);
int delivery_cursor_set(db_conn *db, uint64_t next_seq);

typedef struct planned_file {
    int64_t id;
    char trail_arn[256];
    char bucket[64];
    char key[1024];
    char account_id[13];
    char region[32];
    uint64_t first_seq, last_seq;
    int64_t records;
    int64_t planned_ms;
    int64_t attempts;
    unsigned char *body; /* gzip bytes, owned */
    size_t body_len;
    /* For the file's digest entry: hex SHA-256 of the uncompressed JSON ("" = unknown, a
     * file planned before digests existed) and the range of its records' eventTime. */
    char json_sha256[65];
    int64_t oldest_event_ms, newest_event_ms; /* -1 = unknown */
} planned_file;

int delivery_file_insert(db_conn *db, const planned_file *f);
/* Up to `max` planned files whose next attempt is due at now_ms, oldest first; *out
 * malloc'd, free with delivery_files_free. */
size_t delivery_files_due(db_conn *db, int64_t now_ms, size_t max, planned_file **out);
void delivery_files_free(planned_file *v, size_t n);
int delivery_file_done(db_conn *db, int64_t id);
int delivery_file_retry(db_conn *db, int64_t id, int64_t next_attempt_ms);
/* Planned files not yet in the store (all trails). */
int64_t delivery_files_pending(db_conn *db);

typedef struct delivery_status {
    int64_t latest_delivery_ms; /* 0 = never */
    int64_t latest_attempt_ms;
    char latest_error[128]; /* "" after a success */
} delivery_status;

int delivery_status_get(db_conn *db, const char *trail_arn, delivery_status *s);
/* Records an attempt: error NULL for a success. */
int delivery_status_attempt(db_conn *db, const char *trail_arn, int64_t now_ms, const char *error);

#endif
