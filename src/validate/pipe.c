#include "validate/pipe.h"

#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mutex.h"
#include "validate/loghash.h"

struct vpipe {
    const vsource *src;
    pipe_emit_fn emit;
    void *ctx;
    pipe_item *ring;
    size_t cap;
    uint64_t head, next_job, tail; /* head <= next_job <= tail; slot = seq % cap */
    /* Every item in [head, done_upto) is finished (head <= done_upto <= tail). The caller
     * sleeps until done_upto reaches `want`, so that it wakes once per batch of finished
     * items instead of once per item: a wakeup costs more than a small log file's fetch. */
    uint64_t done_upto, want;
    bool waiting;
    mutex mu;
    pthread_cond_t work, done;
    bool stop;
    pthread_t *threads;
    int n_threads;
    vs_handle **handles;
};

static char *dup_or_null(const char *s)
{
    if (!s) return NULL;
    char *d = strdup(s);
    if (!d) abort();
    return d;
}

static void check_log(vs_handle *h, loghash_scratch *scratch, const vsource *src, pipe_item *it)
{
    if (!it->bucket || !it->key) {
        it->result = LOG_BAD_FORMAT;
        return;
    }
    vs_object o;
    int rc = src->ops->get(h, it->bucket, it->key, &o, it->err, sizeof it->err);
    if (rc == VS_NOT_FOUND) {
        it->result = LOG_NOT_FOUND;
        return;
    }
    if (rc != VS_OK) {
        it->result = LOG_FATAL;
        return;
    }
    char hex[65];
    it->stored = o.len;
    if (loghash_gzip_sha256(scratch, o.data, o.len, hex, &it->inflated))
        it->result = LOG_BAD_FORMAT;
    else if (!it->expect)
        it->result = LOG_BAD_FORMAT; /* the CLI's KeyError on hashValue */
    else
        it->result = strcmp(hex, it->expect) ? LOG_MISMATCH : LOG_VALID;
    vs_object_release(&o);
}

/* After an item was finished: advances done_upto over the finished run from it and wakes
 * the caller if it waits for that much. */
static void mark_done_locked(vpipe *p)
{
    assert(mutex_held(&p->mu));
    while (p->done_upto < p->tail && p->ring[p->done_upto % p->cap].done)
        p->done_upto++;
    if (p->waiting && p->done_upto >= p->want) pthread_cond_signal(&p->done);
}

static void *worker(void *arg)
{
    vpipe *p = arg;
    mutex_lock(&p->mu);
    int idx = 0;
    while (p->threads && !pthread_equal(p->threads[idx], pthread_self()))
        idx++;
    vs_handle *h = p->handles[idx];
    mutex_unlock(&p->mu);
    loghash_scratch scratch;
    loghash_scratch_init(&scratch);
    for (;;) {
        mutex_lock(&p->mu);
        while (!p->stop && p->next_job == p->tail)
            mutex_cond_wait(&p->work, &p->mu);
        if (p->next_job == p->tail) {
            mutex_unlock(&p->mu);
            break;
        }
        pipe_item *it = &p->ring[p->next_job++ % p->cap];
        mutex_unlock(&p->mu);
        /* The item is ours until `done`: the caller only reads finished items. */
        if (it->kind == PIPE_LOG) check_log(h, &scratch, p->src, it);
        mutex_lock(&p->mu);
        it->done = true;
        mark_done_locked(p);
        mutex_unlock(&p->mu);
    }
    loghash_scratch_free(&scratch);
    return NULL;
}

vpipe *pipe_start(const vsource *src, int workers, int depth, pipe_emit_fn emit, void *ctx,
                  char *err, size_t errlen)
{
    if (workers < 1) workers = 1;
    if (depth < workers * 2) depth = workers * 2;
    vpipe *p = calloc(1, sizeof *p);
    if (!p) abort();
    p->src = src;
    p->emit = emit;
    p->ctx = ctx;
    p->cap = (size_t)depth;
    p->ring = calloc(p->cap, sizeof p->ring[0]);
    p->handles = calloc((size_t)workers, sizeof p->handles[0]);
    p->threads = calloc((size_t)workers, sizeof p->threads[0]);
    if (!p->ring || !p->handles || !p->threads) abort();
    mutex_init(&p->mu);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    for (int i = 0; i < workers; i++) {
        p->handles[i] = vs_open(src, err, errlen);
        if (!p->handles[i]) {
            for (int j = 0; j < i; j++)
                src->ops->close(p->handles[j]);
            free(p->handles);
            free(p->threads);
            free(p->ring);
            free(p);
            return NULL;
        }
    }
    /* Workers find their handle by thread id, so start them under the lock. */
    mutex_lock(&p->mu);
    for (int i = 0; i < workers; i++) {
        if (pthread_create(&p->threads[i], NULL, worker, p)) abort();
        p->n_threads++;
    }
    mutex_unlock(&p->mu);
    return p;
}

static void clear_item(pipe_item *it)
{
    free(it->text);
    free(it->bucket);
    free(it->key);
    free(it->expect);
    memset(it, 0, sizeof it[0]);
}

/* Emits finished items from the head; with wait > 0, first waits until at least that many
 * items from the head are finished (fewer if fewer are in flight). Called with the lock
 * held; releases it around emit. */
static void drain_locked(vpipe *p, uint64_t wait)
{
    assert(mutex_held(&p->mu));
    if (wait) {
        p->want = p->head + wait < p->tail ? p->head + wait : p->tail;
        p->waiting = true;
        while (p->done_upto < p->want)
            mutex_cond_wait(&p->done, &p->mu);
        p->waiting = false;
    }
    while (p->head < p->tail && p->ring[p->head % p->cap].done) {
        pipe_item *it = &p->ring[p->head % p->cap];
        mutex_unlock(&p->mu);
        p->emit(p->ctx, it);
        clear_item(it);
        mutex_lock(&p->mu);
        p->head++;
    }
}

static pipe_item *reserve(vpipe *p)
{
    mutex_lock(&p->mu);
    /* Full: wait until half the ring is finished, so that refills come in batches. */
    while (p->tail - p->head >= p->cap)
        drain_locked(p, p->cap / 2 ? p->cap / 2 : 1);
    pipe_item *it = &p->ring[p->tail % p->cap];
    memset(it, 0, sizeof it[0]);
    return it; /* lock still held */
}

void pipe_msg(vpipe *p, const char *text, bool is_error, int tag)
{
    pipe_item *it = reserve(p);
    it->kind = PIPE_MSG;
    it->text = dup_or_null(text);
    it->is_error = is_error;
    it->tag = tag;
    /* A message needs no worker but keeps its place: it is finished at once, and the
     * worker that takes the slot just marks it done again. */
    it->done = false;
    p->tail++;
    pthread_cond_signal(&p->work);
    drain_locked(p, 0);
    mutex_unlock(&p->mu);
}

void pipe_log(vpipe *p, const char *bucket, const char *key, const char *expect)
{
    pipe_item *it = reserve(p);
    it->kind = PIPE_LOG;
    it->bucket = dup_or_null(bucket);
    it->key = dup_or_null(key);
    it->expect = dup_or_null(expect);
    p->tail++;
    pthread_cond_signal(&p->work);
    drain_locked(p, 0);
    mutex_unlock(&p->mu);
}

void pipe_poll(vpipe *p)
{
    mutex_lock(&p->mu);
    drain_locked(p, 0);
    mutex_unlock(&p->mu);
}

void pipe_finish(vpipe *p)
{
    mutex_lock(&p->mu);
    while (p->head < p->tail)
        drain_locked(p, p->tail - p->head);
    p->stop = true;
    pthread_cond_broadcast(&p->work);
    mutex_unlock(&p->mu);
    for (int i = 0; i < p->n_threads; i++)
        pthread_join(p->threads[i], NULL);
    for (int i = 0; i < p->n_threads; i++)
        p->src->ops->close(p->handles[i]);
    mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->done);
    free(p->handles);
    free(p->threads);
    free(p->ring);
    free(p);
}
