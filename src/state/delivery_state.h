/* delivery_state: the tables log-file delivery keeps in the state database.
 *
 *   trail_logging_spans     when each trail was logging, in journal positions: a record
 *                           with seq in [from_seq, to_seq) was captured while it logged
 *   trail_selector_history  which event selectors applied from which journal position
 *   org_membership_history  when each account was in which organization (kept by
 *                           triggers on accounts.org_id, so Organizations needs no hooks)
 *   delivery_cursor         the first journal record not yet planned into log files
 *
 * The planned log files themselves wait in the outbox (state/outbox_state.h).
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
__attribute__((warn_unused_result)) int delivery_logging_changed(db_conn *db, const char *trail_arn,
                                                                 bool on, uint64_t position);
/* The trail's logging spans in order; *out malloc'd (caller frees). */
size_t delivery_logging_spans(db_conn *db, const char *trail_arn, logging_span **out);
typedef struct selector_version {
    uint64_t from; /* journal position from which these selectors apply */
    char *basic;   /* owned JSON texts; NULL when unset */
    char *advanced;
} selector_version;

/* PutEventSelectors took effect at `position`. 0, or -1. */
__attribute__((warn_unused_result)) int
delivery_selectors_changed(db_conn *db, const char *trail_arn, uint64_t position,
                           const char *basic_json, const char *advanced_json);
/* The trail's selector versions in order; free with delivery_selector_versions_free. */
size_t delivery_selector_versions(db_conn *db, const char *trail_arn, selector_version **out);
void delivery_selector_versions_free(selector_version *v, size_t n);

/* Every membership period of organization org_id; *out malloc'd (caller frees). */
size_t delivery_memberships(db_conn *db, const char *org_id, membership_span **out);
/* Forgets a deleted trail: its spans, selector history, planned log files and status. Its
 * digest chains and digests stay until they have ended (digest/digester.h). */
__attribute__((warn_unused_result)) int delivery_forget_trail(db_conn *db, const char *trail_arn);

/* The cursor: the first journal seq not yet planned (1 when never set). */
uint64_t delivery_cursor_get(db_conn *db);
__attribute__((warn_unused_result)) int delivery_cursor_set(db_conn *db, uint64_t next_seq);
/* The streaming cursor: the first journal seq not yet streamed to CloudWatch Logs. */
uint64_t cwl_cursor_get(db_conn *db);
__attribute__((warn_unused_result)) int cwl_cursor_set(db_conn *db, uint64_t next_seq);

#endif
