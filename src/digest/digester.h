/* digester: CloudTrail digest files — one signed, chained digest per trail x account x
 * region every digest interval, for trails with log file validation on.
 *
 * Driven by the delivery thread (app/deliverer.h), after each write step:
 *
 *   plan   For every chain whose open window [start, start + interval) is over, in ONE
 *          state-database transaction: take the chain's pending log files (those the
 *          write step queued when they reached the store), build the digest naming them
 *          and the previous digest (digestfile.h), sign it with the region's key valid at
 *          digestEndTime (keystore.h), insert it gzipped into the outbox
 *          (state/outbox_state.h), remove the pending rows, and advance the chain
 *          (start = end; previous = this digest).
 *          After a pause (restart, long step) the window stretches to the last interval
 *          boundary that has passed: one digest covers it, the chain stays unbroken.
 *   write  The outbox writes the due digests as it writes log files (delivery/outbox.h):
 *          bucket policy, written as the bucket owner with x-amz-meta-signature (hex) and
 *          x-amz-meta-signature-algorithm, never twice; retried with backoff on refusal
 *          (capped at the digest interval clamped to 10..300 s).
 *
 * Which chains run: while a trail logs with validation on, the home region of every
 * account it covers (the owner; every member for an organization trail) — so a digest
 * arrives every interval even when no log file did — and every other region once a log
 * file of that account and region is delivered. A chain that starts (first digest,
 * validation or logging switched back on) has all previousDigest* null and starts its
 * window at that moment. When logging stops, validation is turned off, the account
 * leaves the organization, or the trail is deleted, the chain's current window still ends
 * with a digest covering the files delivered so far; then the chain stops (the next start
 * is a new chain, which the AWS CLI reports as a harmless gap). Log files delivered while
 * a chain is stopped wait for its next start. A deleted trail's last digests are planned
 * and written from the settings DeleteTrail kept (state/trail_state.h); once its chains
 * have ended and those digests are written, the trail's digest state is forgotten.
 *
 * Exactly once, never torn, across kill -9:
 *   1. A log file is queued in the same transaction that retires its delivery plan
 *      (deliver.c's on_stored step; outbox.h, 3), so it is queued once; the write step runs before
 * the plan step in the same thread, so every file stored before a window's end is queued before
 * that window's digest is planned.
 *   2. Planning is atomic: the digest, the removal of what it names and the chain's move
 *      commit together or not at all. Its bytes and signature are frozen in the plan, so
 *      nothing is ever re-signed; a retry after a crash re-plans from the same state.
 *   3. Digest keys are fixed by the end time; a chain's windows only move forward (a
 *      restarted chain starts no earlier than its last end), so keys never repeat. The
 *      store's put is atomic and an existing key is not written again (outbox.h, 2).
 * One writer per chain: only the delivery thread plans and writes digests. */
#ifndef ORGTRAIL_DIGEST_DIGESTER_H
#define ORGTRAIL_DIGEST_DIGESTER_H

#include <stdint.h>

#include "delivery/delivery_env.h"
#include "digest/signer_client.h"

/* Plans every due digest; returns how many, or -1 when one could not be planned (the
 * others are still planned; the failed one is retried on the next step). */
int digest_plan(const delivery_env *env, signer_client *sg, int64_t now_ms);
/* Writes the due planned digests (at most OUTBOX_WRITE_BATCH); returns how many reached
 * the store. */
int digest_write(const delivery_env *env, int64_t now_ms);

#endif
