/* deliver: the background delivery of CloudTrail log files into trails' buckets.
 *
 * The delivery thread (app/deliverer.h) runs two steps in a loop:
 *
 *   plan   Every delivery interval (sooner once the records after the cursor could fill a file),
 *          read the journal from the durable cursor up to the journal's durable end, ask
 *          select.h which trails deliver each record, and group the records per
 *          trail x recipient account x awsRegion into log files (a file is closed at
 *          DELIVERY_FILE_CAP bytes of JSON). In ONE state-database transaction insert
 *          every file (key, gzip body, journal range) into the outbox
 *          (state/outbox_state.h) and move the cursor past the range.
 *   write  The outbox writes the due files (delivery/outbox.h): a deleted trail's are
 *          dropped; the others go in as CloudTrail puts them, or are retried with backoff
 *          (capped at the delivery interval clamped to 10..300 s): nothing is dropped,
 *          once the policy is fixed the backlog arrives. Once a file is stored, the same
 *          transaction that retires its plan queues it for its digest chain when the trail
 *          validates log files (digest/digester.h, 1). GetTrailStatus reads the outcome
 *          from delivery_status.
 *
 * Exactly once, across kill -9 at any moment:
 *   1. Only records at or below journal_durable() are read: an un-synced tail can vanish
 *      in a crash and its sequence numbers be reused, so it is never planned. Numbers of a
 *      batch whose write failed are reused after a restart too; delivery_recover moves
 *      the cursor back before the server accepts requests, so none is skipped.
 *   2. Planning is atomic: either the files for [cursor, end] and the new cursor are both
 *      committed, or neither is and the range is planned again after restart (nothing of
 *      it was written, since only committed plans are written). So every (record, trail)
 *      pair the selection accepts lands in exactly one planned file. The body is frozen in
 *      the plan, so later changes (selectors, membership) cannot alter a planned file.
 *   3. A planned file has a fixed key (its unique suffix derives from trail, account,
 *      region and first journal seq; logfile.h), unique among planned log files. The
 *      store's put is atomic (a crash leaves no object or the whole one). Writing a file
 *      whose key already exists is skipped: a crash after the put but before the planned
 *      row was deleted therefore never writes it twice (not even as a second version).
 *   4. The planned row is deleted only after the put committed (outbox.h, 3). Hence after
 *      any crash each planned file is either in the store once, or still planned and
 *      written later.
 *
 * While the journal is degraded (a full or unwritable data directory) the thread pauses:
 * planning and writing would only fail or take the last free bytes. Planned files and the
 * cursor are in SQLite, so the backlog goes out once the journal has recovered.
 *
 * Threads and locks: the delivery thread owns its batch state. Planned files are gzipped
 * and hashed by the deliverer's gzpool (one worker per core) while planning reads on; the
 * round commits only after every job of it finished. The pool's mutex is a leaf. */
#ifndef ORGTRAIL_DELIVERY_DELIVER_H
#define ORGTRAIL_DELIVERY_DELIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/journal.h"
#include "delivery/delivery_env.h"
#include "delivery/gzpool.h"
#include "delivery/select.h"
#include "state/trail_state.h"

#define DELIVERY_FILE_CAP (4u << 20) /* bytes of JSON per log file */
#define DELIVERY_ROUND_RECORDS 20000 /* records planned per transaction at most */

/* The steps, also called directly by tests. delivery_plan plans everything durable (up to
 * DELIVERY_ROUND_RECORDS records) and returns the number of files planned, or -1.
 * delivery_write writes the due files (at most OUTBOX_WRITE_BATCH) and returns how many
 * reached the store. */
int delivery_plan(const delivery_env *env, int64_t now_ms);
/* The same, compressing the round's files on `pool` (NULL: on the caller's thread). */
int delivery_plan_pooled(const delivery_env *env, gzpool *pool, int64_t now_ms);
/* One round as the delivery thread runs it: *cursor_out is the cursor after it, *full
 * tells whether it stopped at DELIVERY_ROUND_RECORDS (more may be waiting). */
int delivery_plan_round(const delivery_env *env, gzpool *pool, int64_t now_ms, uint64_t *cursor_out,
                        bool *full);
/* Bytes of records after the cursor, read on from `scan` (opened at the cursor) up to the
 * journal's durable end, counting from `bytes`: the thread plans early once they could
 * fill a file (stops counting at DELIVERY_FILE_CAP). */
size_t delivery_scan_backlog(const delivery_env *env, journal_reader *scan, size_t bytes);
/* Start-up check, before any record is appended: a cursor past the journal's end (a
 * restart that dropped a failed, never acknowledged batch whose numbers will be handed
 * out again) moves back to the end. 0, or -1. */
int delivery_recover(const delivery_env *env);
int delivery_write(const delivery_env *env, int64_t now_ms);

/* Reads the journal from seq cursor up to durable (at most max records), calling fn (may
 * be NULL: only count) for each that is a CloudTrail record; the text is valid during the
 * call only. Damage stops the read and is logged. Returns the last seq read (cursor - 1
 * when none); *count receives how many were read. Shared by log-file planning and
 * CloudWatch Logs streaming (cwl_stream.h), each with its own cursor. */
typedef void (*delivery_record_fn)(void *arg, uint64_t seq, const select_event *e, const char *text,
                                   size_t len);
uint64_t delivery_read_journal(const delivery_env *env, uint64_t cursor, uint64_t durable,
                               size_t max, delivery_record_fn fn, void *arg, size_t *count);

/* Every trail that ever logged (has logging spans), loaded for the selection; with
 * cwl_only, only those that send to a CloudWatch Logs group. *out malloc'd: the caller
 * select_trail_free's each and frees the array. */
size_t delivery_load_trails(db_conn *db, bool cwl_only, select_trail **out);

#endif
