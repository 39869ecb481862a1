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
 * whole frame. Readers (journal_reader) stop at the first incomplete frame, so they are
 * safe while the server appends.
 *
 * Locking: one mutex guards the pending batch and counters; the leader drops it while it
 * writes, so appenders keep queueing into the next batch meanwhile. */
#ifndef ORGTRAIL_JOURNAL_H
#define ORGTRAIL_JOURNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/awserr.h"
#include "core/buf.h"

#define JOURNAL_FRAME_HEADER 16
#define JOURNAL_MAX_RECORD (4u << 20)
#define JOURNAL_MAX_FAILED 1024

typedef struct journal {
    char *dir;
    int fd;                 /* current segment */
    uint64_t segment_first; /* first seq of the current segment */
    uint64_t segment_bytes;
    uint64_t segment_limit;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    buf pending;            /* frames not yet written */
    uint64_t next_seq;      /* next sequence number to hand out */
    uint64_t pending_first; /* first seq in `pending` */
    uint64_t durable_seq;   /* every seq <= this is on disk (or failed, see below) */
    /* Batches that could not be written, as [first, last] seq ranges: their appenders
     * are told so. Failures are rare; past JOURNAL_MAX_FAILED the journal turns broken. */
    uint64_t (*failed)[2];
    size_t n_failed;
    bool flushing;
    bool broken;               /* a failed write could not be rolled back: refuse until restart */
    uint64_t batches, records; /* statistics */
} journal;

/* Opens (creating) the journal under data_dir/journal and recovers a torn tail. */
int journal_open(journal *j, const char *data_dir, char *err, size_t errlen);
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

typedef struct journal_reader {
    char *dir;
    uint64_t next_seq; /* the next record wanted */
    int fd;
    uint64_t segment_first;
    uint64_t offset;
    buf frame;
} journal_reader;

/* Starts reading at sequence number `from` (1 = the beginning). */
int journal_reader_open(journal_reader *r, const char *data_dir, uint64_t from);
/* Reads the next whole record. Returns 1 with the payload in *out (valid until the next
 * call), 0 when no further whole record exists yet, -1 on an I/O error. */
int journal_reader_next(journal_reader *r, const char **out, size_t *len, uint64_t *seq);
void journal_reader_close(journal_reader *r);

#endif
