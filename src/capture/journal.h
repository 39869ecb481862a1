/* journal: the append-only, crash-safe log of captured records.
 *
 * A record is acknowledged only once it is on disk: journal_append blocks until the
 * frame holding it has been written and fdatasync'ed. Concurrent appenders share one
 * write + fdatasync (group commit): the first waiter becomes the leader and flushes the
 * whole pending batch, the rest sleep until the durable sequence passes theirs.
 *
 * Layout: DIR/journal/<first seq, 20 digits>.jnl segments, each a series of frames
 *   u32 payload length | u32 crc32(seq bytes + payload) | u64 seq | payload
 * (little-endian). On open, a torn tail (from a crash mid-write) is cut off at the last
 * whole frame; damage (whole frames after bad bytes, or bad bytes in an older segment) is
 * refused, never cut (capture/journal_segment.h tells the two apart; `orgtrail journal
 * check` and `salvage` repair it). Readers (journal_reader) stop at the first incomplete
 * frame of the newest segment, so they are safe while the server appends; in an older
 * segment they report damage instead of stopping silently.
 *
 * A full disk or an unwritable directory (issue 3) puts the journal into DEGRADED mode
 * instead of failing requests at random:
 *   - The current segment keeps JOURNAL_RESERVE bytes allocated past its end (fallocate
 *     KEEP_SIZE), topped up after each write. A write that fits into the reserve cannot
 *     run out of space, so the records of requests that were already running when the disk
 *     filled (their state change may have committed) still become durable.
 *   - The journal turns degraded when the reserve cannot be topped up, a write fails, the
 *     file system has less than JOURNAL_MIN_FREE bytes left or is read-only / not writable
 *     (checked by journal_tick once a second), or another part reports it
 *     (journal_degrade: SQLite or the object store ran out of space).
 *   - While degraded, journal_accepts_changes says no: the frontend refuses mutating calls
 *     with 503 ServiceUnavailable BEFORE they run, so state and records never diverge.
 *     Records whose loss would not hide a change (read-only calls, refusals) are HELD in
 *     memory (JOURNAL_HOLD) and appended once space returns; past JOURNAL_HELD_MAX bytes
 *     they are dropped and counted (logged). Those records are the one exception to
 *     "durable before the response": a crash while degraded loses them.
 *   - journal_tick recovers by itself: once the directory is writable and has room, it
 *     writes the held records and a new reserve, and the journal accepts changes again.
 *     No restart is needed.
 *
 * Locking: one mutex guards the pending batch, the counters and the degraded state; the
 * leader drops it while it writes, so appenders keep queueing into the next batch
 * meanwhile. Only recovery (journal_tick, degraded, about once a second) writes with the
 * mutex held: appenders wait for those few milliseconds. */
#ifndef ORGTRAIL_JOURNAL_H
#define ORGTRAIL_JOURNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/journal_segment.h"
#include "core/awserr.h"
#include "core/buf.h"
#include "core/mutex.h"

#define JOURNAL_FRAME_HEADER 16
#define JOURNAL_MAX_RECORD (4u << 20)
/* No frame carries a larger seq (146,000 years at a million records a second): a frame
 * claiming one is corrupt, so that seq + 1 can never wrap and send a reader back to the
 * oldest segment forever (found by fuzz_journal with a forged CRC). */
#define JOURNAL_MAX_SEQ ((uint64_t)INT64_MAX)
#define JOURNAL_MAX_FAILED 1024
#define JOURNAL_RESERVE (4ull << 20)   /* allocated ahead of the tail: see above */
#define JOURNAL_MIN_FREE (1ull << 20)  /* less free space than this (besides the reserve) */
#define JOURNAL_HELD_MAX (32ull << 20) /* bytes of held droppable records at most */

/* A record held in memory while the journal is degraded. */
typedef struct journal_held {
    char *payload; /* owned */
    size_t len;
    bool keep; /* never dropped (its request changed state) */
} journal_held;

typedef struct journal_failed {
    uint64_t first, last;
    size_t waiters;
} journal_failed;

typedef struct journal {
    char *dir;
    int fd;                 /* current segment */
    int lock_fd;            /* the journal directory, flock'ed while open */
    uint64_t segment_first; /* first seq of the current segment */
    uint64_t segment_bytes;
    uint64_t segment_limit;
    mutex mu;
    pthread_cond_t cv;
    buf pending;            /* frames not yet written */
    uint64_t next_seq;      /* next sequence number to hand out */
    uint64_t pending_first; /* first seq in `pending` */
    uint64_t durable_seq;   /* every seq <= this is on disk (or failed, see below) */
    /* Batches that could not be written, as [first, last] seq ranges with the number of
     * their appenders not yet told: each appender finds its range here, and the last one
     * removes the entry. So the list holds only failures whose appenders are still waking
     * up; past JOURNAL_MAX_FAILED such at once the journal turns broken. */
    journal_failed *failed;
    size_t n_failed;
    size_t pending_appenders; /* appenders with frames in `pending` */
    bool flushing;
    bool broken;               /* a failed write could not be rolled back: refuse until restart */
    uint64_t batches, records; /* statistics */
    /* Full disk / unwritable directory (see the contract above). */
    char *data_dir;        /* for messages */
    uint64_t alloc_end;    /* bytes of the current segment allocated: written + reserve */
    uint64_t queued_bytes; /* frames pending or being written */
    bool degraded;
    int degraded_errno; /* why: ENOSPC, EROFS, EACCES, EIO ... */
    journal_held *held;
    size_t n_held, cap_held;
    uint64_t held_bytes;   /* of droppable held records */
    uint64_t held_total;   /* records ever held, */
    uint64_t held_dropped; /* and of those dropped because the queue was full */
} journal;

/* Opens (creating) the journal under data_dir/journal for this process alone (a second
 * open of the same directory fails) and recovers a torn tail. `from` is the first record a
 * reader still needs (delivery's cursor; 1 or 0: all): every segment that may hold a record
 * from there on is checked, and damage anywhere in them (capture/journal_segment.h: bad
 * bytes that are not a torn tail) fails the open with a message naming the file, the
 * offset and what to do, instead of cutting or skipping acknowledged records. Sequence
 * numbers go on after the newest whole frame, and never below `from`. A full disk does not
 * fail it: the journal starts degraded. */
int journal_open(journal *j, const char *data_dir, uint64_t from, char *err, size_t errlen);
void journal_close(journal *j);
/* Appends one record and waits until it is durable. Returns 0 with *seq set, or -1 with
 * e set to ServiceUnavailable (disk full, unwritable directory, ...). */
int journal_append(journal *j, const void *payload, size_t len, uint64_t *seq, aws_error *e);

/* The sequence number the next appended record will get: a logical clock for "from
 * this record on" (StartLogging/StopLogging mark their trail's logging spans with it). */
uint64_t journal_position(journal *j);
/* Every record with seq <= this is on disk and can never be lost or renumbered: readers
 * that act on records (delivery) must not look past it, because an un-synced tail can
 * vanish in a crash and its sequence numbers be handed out again. */
uint64_t journal_durable(journal *j);

typedef enum journal_mode {
    JOURNAL_KEEP, /* the request changed state: write it even when degraded (the reserve is
                   * for this), else hold it; never dropped */
    JOURNAL_HOLD, /* changed nothing (read-only call, refusal): held at once when degraded;
                   * dropped (counted) if the held queue is full */
} journal_mode;

enum { JOURNAL_DURABLE = 0, JOURNAL_HELD = 1, JOURNAL_DROPPED = 2 };

/* The frontend's append: never refuses for lack of space. Returns JOURNAL_DURABLE (on disk,
 * *seq set), JOURNAL_HELD (in memory, written on recovery), JOURNAL_DROPPED (HOLD only:
 * the held queue is full), or -1 with e set only for a record larger than
 * JOURNAL_MAX_RECORD. */
int journal_capture(journal *j, const void *payload, size_t len, journal_mode mode, uint64_t *seq,
                    aws_error *e);

/* false, with e set to 503 ServiceUnavailable naming the data directory and what to do,
 * while degraded or broken: mutating calls must be refused before they run. */
bool journal_accepts_changes(journal *j, aws_error *e);
/* Another part of orgtrail (SQLite, the object store) failed for lack of space or
 * permission (errnum: ENOSPC, EROFS, EACCES, EIO): degrade until journal_tick sees the
 * directory healthy again. */
void journal_degrade(journal *j, int errnum, const char *what);
/* Housekeeping, about once a second (the serve loop): degrades when the directory is full
 * or unwritable; when degraded and it is healthy again, writes the held records and a new
 * reserve and accepts changes again. Returns true when the journal is (now) healthy. */
bool journal_tick(journal *j);

typedef struct journal_status {
    bool degraded, broken;
    int errnum;
    size_t held;           /* records waiting in memory */
    uint64_t held_dropped; /* ever dropped */
} journal_status;
void journal_get_status(journal *j, journal_status *st);

typedef struct journal_item {
    const void *payload;
    size_t len;
} journal_item;

/* Appends n records with consecutive sequence numbers (*first_seq is the first) and waits
 * once until all are durable: they go into the same group commit, so they are stored
 * together or not at all. Bulk ingestion uses it to pay one wait per request, not one per
 * record. -1 with e set as journal_append (also when any record is too large: then nothing
 * is appended). */
int journal_append_batch(journal *j, const journal_item *items, size_t n, uint64_t *first_seq,
                         aws_error *e);

/* Reads through a segment in large chunks (one pread per JOURNAL_READ_CHUNK, not two per
 * record), re-reading from the file whenever the chunk cannot give a whole valid frame: a
 * chunk may end inside a frame, or hold one that was still being written. */
#define JOURNAL_READ_CHUNK ((size_t)1 << 20)

typedef struct journal_reader {
    char *dir;
    uint64_t next_seq; /* the next record wanted */
    int fd;
    uint64_t segment_first;
    uint64_t offset; /* of the next frame in the segment */
    buf chunk;       /* bytes of the segment from chunk_off */
    uint64_t chunk_off;
    buf frame; /* the record handed out, NUL-terminated */
} journal_reader;

/* Starts reading at sequence number `from` (1 = the beginning). */
int journal_reader_open(journal_reader *r, const char *data_dir, uint64_t from);
#define JOURNAL_READ_DAMAGED (-2)
/* Reads the next whole record. Returns 1 with the payload in *out (valid until the next
 * call), 0 when no further whole record exists yet, -1 on an I/O error, or
 * JOURNAL_READ_DAMAGED when an older segment has bad bytes at r->offset of segment
 * r->segment_first (journal_reader_damage says it for a message): the reader stays there,
 * and readers must say so instead of waiting for records that cannot come. */
int journal_reader_next(journal_reader *r, const char **out, size_t *len, uint64_t *seq);
void journal_reader_close(journal_reader *r);
/* After JOURNAL_READ_DAMAGED: the damage, as journal_find_damage gives it (*d cleared by
 * the caller with journal_damage_clear). 1 when found, 0 when the segment reads clean now,
 * -1 when it cannot be read. */
int journal_reader_damage(const journal_reader *r, journal_damage *d);

#endif
