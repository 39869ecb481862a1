/* outbox: puts the objects a trail delivers (log files, digests) into the trail's bucket
 * as cloudtrail.amazonaws.com, with retry.
 *
 * Planners (delivery/deliver.h for log files, digest/digester.h for digests) insert
 * finished objects into the outbox (state/outbox_state.h) in their planning transaction;
 * from then on this module alone writes them. outbox_write takes one kind's due objects,
 * oldest first, and for each:
 *
 *   - loads its trail; a deleted trail's objects are dropped, unless the kind goes out
 *     after DeleteTrail (digests: from the settings DeleteTrail kept, state/trail_state.h);
 *   - asks the bucket policy whether cloudtrail.amazonaws.com may put it for this trail
 *     (ct_bucket_permits), with the organization id in the ARN context when the trail is
 *     an organization trail whose owner still manages the organization (outbox_org_id);
 *   - unless the key already exists, puts it as the bucket owner (so versioning and
 *     Object Lock apply) with the kind's user metadata;
 *   - on success, in ONE transaction, runs the kind's on_stored step and deletes the row;
 *     on refusal or failure keeps the row and retries with exponential backoff
 *     (outbox_backoff_ms, capped by the kind's interval): nothing is dropped, once the
 *     policy is fixed the backlog arrives;
 *   - records the attempt in the trail's status for the kind (GetTrailStatus's
 *     LatestDeliveryTime / Error, LatestDigestDeliveryTime / Error), except for a
 *     deleted trail, which has no status to report.
 *
 * Exactly once, across kill -9 at any moment (the write side of deliver.h's and
 * digester.h's lists):
 *   1. Only committed plans are in the outbox, and an object's key and bytes are frozen
 *      there: a retry writes the same object to the same key.
 *   2. The store's put is atomic (a crash leaves no object or the whole one), and an object
 *      already at the key is taken as this one, written before a crash kept the row from
 *      being deleted: it is never written twice (not even as a second version).
 *   3. The row is deleted only after the put committed, in the same transaction as the
 *      kind's on_stored step. Hence after any crash each planned object is either in the
 *      store once with its on_stored step done once, or still planned and written later.
 *
 * Threads: one writer, the delivery thread (app/deliverer.h). */
#ifndef ORGTRAIL_DELIVERY_OUTBOX_H
#define ORGTRAIL_DELIVERY_OUTBOX_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "delivery/delivery_env.h"
#include "state/outbox_state.h"
#include "state/trail_state.h"

#define OUTBOX_WRITE_BATCH 64 /* objects of a kind written per step at most */

/* What differs between the kinds; the planner of the kind defines one, static and const. */
typedef struct outbox_ops {
    outbox_kind kind;
    /* The kind's objects of a deleted trail still go out, with its kept settings. */
    bool after_delete;
    /* The object's user metadata (a new reference), or NULL for none. May be NULL. */
    json_t *(*metadata)(const outbox_item *it);
    /* The kind's step once the object is in the store (stored_ms: when it got there),
     * inside the transaction that deletes the row. 0, or -1 to roll both back (the object
     * is then found in the store on the next step). May be NULL. */
    int (*on_stored)(db_conn *db, const trail *t, const outbox_item *it, int64_t stored_ms);
} outbox_ops;

/* Writes the due objects of ops->kind (at most OUTBOX_WRITE_BATCH); returns how many
 * reached the store. */
int outbox_write(const delivery_env *env, const outbox_ops *ops, int64_t now_ms);

/* The wait before retrying a refused or failed write after `attempts` failures: 1 s
 * doubling, capped at the kind's interval clamped to 10-300 s. */
int64_t outbox_backoff_ms(int64_t interval_s, int64_t attempts);

/* The organization id a trail's objects carry (in their keys and in the bucket policy's
 * context): the owner's organization for an organization trail whose owner still
 * manages it, else "". */
void outbox_org_id(db_conn *db, const trail *t, char out[40]);

#endif
