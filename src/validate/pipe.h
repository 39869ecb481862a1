/* pipe: the ordered, bounded hashing pipeline of validate-logs.
 *
 * The chain walk (one thread: the caller) pushes items in the order the AWS CLI prints
 * them: ready-made status lines (digest verdicts, gaps) and log files to check. A small
 * pool of workers fetches, inflates and hashes the log files in parallel; results are
 * handed back to the caller's emit callback strictly in push order, so the output is the
 * same as a sequential run, line for line.
 *
 * Memory is bounded: at most `depth` items are in flight (a push into a full ring blocks,
 * emitting finished items, until the older half is done), and a worker holds one object at
 * a time.
 *
 * Locking: one mutex guards the ring; workers never call emit; emit runs on the caller's
 * thread outside the lock. */
#ifndef ORGTRAIL_VALIDATE_PIPE_H
#define ORGTRAIL_VALIDATE_PIPE_H

#include <stdbool.h>
#include <stdint.h>

#include "validate/source.h"

enum { PIPE_MSG, PIPE_LOG };
enum { LOG_VALID, LOG_MISMATCH, LOG_NOT_FOUND, LOG_BAD_FORMAT, LOG_FATAL };

typedef struct pipe_item {
    int kind;
    /* PIPE_MSG */
    char *text; /* owned */
    bool is_error;
    int tag; /* the caller's meaning */
    /* PIPE_LOG */
    char *bucket, *key, *expect; /* owned; expect NULL = no hashValue in the digest */
    int result;
    uint64_t stored, inflated;
    char err[512]; /* LOG_FATAL */
    bool done;
} pipe_item;

typedef void (*pipe_emit_fn)(void *ctx, pipe_item *it);

typedef struct vpipe vpipe;

/* Starts `workers` threads, each with its own handle of src. NULL with err on failure. */
vpipe *pipe_start(const vsource *src, int workers, int depth, pipe_emit_fn emit, void *ctx,
                  char *err, size_t errlen);
/* Pushes a status line (text is copied). */
void pipe_msg(vpipe *p, const char *text, bool is_error, int tag);
/* Pushes a log file to check. bucket/key may be NULL (a malformed digest entry: reported
 * as invalid format without a fetch). */
void pipe_log(vpipe *p, const char *bucket, const char *key, const char *expect);
/* Emits everything already finished, without waiting. */
void pipe_poll(vpipe *p);
/* Waits for all items, emits them, stops the workers and frees the pipe. */
void pipe_finish(vpipe *p);

#endif
