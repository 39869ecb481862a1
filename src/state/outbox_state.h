/* outbox_state: the objects waiting to be put into trails' buckets, and what became of
 * the last attempt per trail.
 *
 *   outbox           one row per planned object, body included, until it is in the store:
 *                    log files (kind 'log', planned by delivery/deliver.c) and digests
 *                    (kind 'digest', planned and signed by digest/digester.c)
 *   delivery_status  per trail and kind: latest object stored, latest attempt, its error
 *
 * One table rather than the two it replaces (delivery_files, digest_files; migration 9
 * copies their rows across, each in its planning order, so nothing planned is lost): the
 * two kinds share the whole row but for a few columns, and one row layout is what lets
 * one insert, one due / done / retry and one struct serve both. Keeping two tables behind
 * a table-name parameter would still have needed a column list per kind in every query.
 *
 * Invariants the callers rely on (delivery/outbox.h says why):
 *   - rows of a kind come out of outbox_due in insertion order (id), so files and digests
 *     go out in the order they were planned;
 *   - a log file's key is unique among log files (the index refuses a second plan of the
 *     same file); digest keys are unique by construction (digest/digester.h, 3);
 *   - a row is only deleted by outbox_done or by forgetting its trail.
 *
 * Plain reads and writes; the caller owns transactions. */
#ifndef ORGTRAIL_OUTBOX_STATE_H
#define ORGTRAIL_OUTBOX_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "state/db.h"

/* OUTBOX_CWL has a status only (GetTrailStatus's CloudWatch Logs delivery): streaming to
 * log groups keeps its own cursor instead of outbox rows (delivery/cwl_stream.h). */
typedef enum outbox_kind { OUTBOX_LOG, OUTBOX_DIGEST, OUTBOX_CWL } outbox_kind;

typedef struct outbox_item {
    int64_t id; /* set by outbox_due; ignored by outbox_insert */
    outbox_kind kind;
    char trail_arn[256];
    char account_id[13];
    char region[32];
    char bucket[64];
    char key[1024];
    int64_t planned_ms;
    int64_t attempts;
    unsigned char *body; /* gzip bytes, owned */
    size_t body_len;
    /* Log files: the journal range and, for the file's digest entry, the hex SHA-256 of
     * the uncompressed JSON ("" = unknown, a file planned before digests existed) and the
     * range of its records' eventTime (-1 = unknown). */
    uint64_t first_seq, last_seq;
    int64_t records;
    char json_sha256[65];
    int64_t oldest_event_ms, newest_event_ms;
    /* Digests: the hex signature (sent as x-amz-meta-signature) and digestEndTime. */
    char signature[520];
    int64_t end_ms;
} outbox_item;

/* Queues it->kind's object (due at once). 0, or -1 (a log file planned twice). */
__attribute__((warn_unused_result)) int outbox_insert(db_conn *db, const outbox_item *it);
/* Up to `max` objects of the kind whose next attempt is due at now_ms, oldest first;
 * *out malloc'd, free with outbox_items_free. */
size_t outbox_due(db_conn *db, outbox_kind kind, int64_t now_ms, size_t max, outbox_item **out);
/* Frees n items and the array (the bodies included). */
void outbox_items_free(outbox_item *v, size_t n);
__attribute__((warn_unused_result)) int outbox_done(db_conn *db, int64_t id);
/* One more failed attempt; the next is due at next_attempt_ms. */
__attribute__((warn_unused_result)) int outbox_retry(db_conn *db, int64_t id,
                                                     int64_t next_attempt_ms);
/* Objects of the kind not yet in the store: of every trail, or (trail_arn not NULL) of one. */
int64_t outbox_pending(db_conn *db, outbox_kind kind, const char *trail_arn);
/* Drops the trail's objects of the kind that are not in the store yet. */
__attribute__((warn_unused_result)) int outbox_forget_trail(db_conn *db, outbox_kind kind,
                                                            const char *trail_arn);

typedef struct outbox_status {
    int64_t latest_ms;         /* the latest object stored; 0 = never */
    int64_t latest_attempt_ms; /* 0 = never */
    char latest_error[128];    /* the latest attempt's error code; "" after a success */
} outbox_status;

/* The trail's status for the kind: 1 found, 0 none (*s zeroed). */
int outbox_status_get(db_conn *db, outbox_kind kind, const char *trail_arn, outbox_status *s);
/* Records an attempt: error NULL for a success. 0, or -1. */
__attribute__((warn_unused_result)) int outbox_status_attempt(db_conn *db, outbox_kind kind,
                                                              const char *trail_arn, int64_t now_ms,
                                                              const char *error);

#endif
