/* gzpool: log files compressed and hashed by worker threads while planning goes on.
 *
 * Planning reads the journal, selects and groups records on one thread; gzip (libdeflate)
 * and the SHA-256 a digest later names take as long again per file, and need nothing but
 * the file's JSON. So the planner hands each finished file to the pool and moves on; at the
 * end of its round it runs queued jobs itself and waits for the rest (gzpool_wait), then
 * commits the round as before. Files and their order do not depend on which thread
 * compressed what.
 *
 * A job is owned by whoever submitted it; the pool only fills its outputs. Locking: the
 * pool's mutex is a leaf (held for queue operations only, never while compressing).
 *
 * The pool also keeps the JSON buffers of collected jobs for the planner's next files
 * (gzpool_buf_take / gzpool_buf_give, planner thread only, no lock). Why: a file's JSON
 * grows by doubling to megabytes; freshly allocated each time, copying it on realloc and
 * faulting its new pages in were ~40% of the delivery thread's samples under
 * `make bench-detection` at 50,000 records/s. */
#ifndef ORGTRAIL_DELIVERY_GZPOOL_H
#define ORGTRAIL_DELIVERY_GZPOOL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

typedef struct gz_job {
    buf json;            /* in: the file's JSON (owned by the job's owner) */
    unsigned char *body; /* out: its gzip, malloc'd (the owner frees it) */
    size_t body_len;
    char sha256[65]; /* out: of json */
    int rc;          /* out: 0, or -1 when compression failed */
    struct gz_job *next;
} gz_job;

#define GZPOOL_SPARE 32                /* buffers kept at most */
#define GZPOOL_SPARE_BYTES (64u << 20) /* and their capacity in all */

typedef struct gzpool {
    pthread_mutex_t mu;
    pthread_cond_t work, idle;
    gz_job *head, *tail; /* queued, not yet taken */
    size_t busy;         /* queued or being run */
    bool stop;
    pthread_t *threads;
    int n_threads;
    buf spare[GZPOOL_SPARE]; /* empty buffers with their capacity, for the planner */
    size_t n_spare, spare_bytes;
} gzpool;

/* Starts n worker threads (n >= 1). 0, or -1 (no thread could start). */
int gzpool_start(gzpool *p, int n);
/* Stops the workers; jobs still queued are run by the caller first. */
void gzpool_stop(gzpool *p);
/* Queues the job; with p NULL runs it at once on the caller's thread. */
void gzpool_submit(gzpool *p, gz_job *j);
/* Returns once every submitted job has run, running queued ones itself meanwhile. */
void gzpool_wait(gzpool *p);
/* An empty buffer into *b: a kept one when there is (p may be NULL), else BUF_INIT. */
void gzpool_buf_take(gzpool *p, buf *b);
/* Takes b's bytes: kept for gzpool_buf_take while there is room, else freed. b is left
 * empty either way. */
void gzpool_buf_give(gzpool *p, buf *b);
/* Runs one job on the caller's thread. */
void gz_job_run(gz_job *j);

#endif
