#include "delivery/gzpool.h"

#include <stdlib.h>

#include "core/hash.h"
#include "delivery/logfile.h"

void gz_job_run(gz_job *j)
{
    j->rc = logfile_gzip(j->json.data ? j->json.data : "", j->json.len, &j->body, &j->body_len);
    hash_sha256_hex(j->json.data ? j->json.data : "", j->json.len, j->sha256);
}

/* The next queued job, or NULL. Called with the mutex held. */
static gz_job *take(gzpool *p)
{
    gz_job *j = p->head;
    if (j) {
        p->head = j->next;
        if (!p->head) p->tail = NULL;
        j->next = NULL;
    }
    return j;
}

static void finished(gzpool *p)
{
    pthread_mutex_lock(&p->mu);
    if (--p->busy == 0) pthread_cond_broadcast(&p->idle);
    pthread_mutex_unlock(&p->mu);
}

static void *worker(void *arg)
{
    gzpool *p = arg;
    pthread_setname_np(pthread_self(), "ot-gzip"); /* for top -H and perf */
    for (;;) {
        pthread_mutex_lock(&p->mu);
        gz_job *j;
        while (!(j = take(p)) && !p->stop)
            pthread_cond_wait(&p->work, &p->mu);
        pthread_mutex_unlock(&p->mu);
        if (!j) return NULL; /* stopping, nothing queued */
        gz_job_run(j);
        finished(p);
    }
}

int gzpool_start(gzpool *p, int n)
{
    p->head = p->tail = NULL;
    p->busy = 0;
    p->stop = false;
    p->n_spare = p->spare_bytes = 0;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->idle, NULL);
    p->threads = calloc((size_t)n, sizeof *p->threads);
    if (!p->threads) abort();
    p->n_threads = 0;
    for (int i = 0; i < n; i++)
        if (pthread_create(&p->threads[p->n_threads], NULL, worker, p) == 0) p->n_threads++;
    if (p->n_threads) return 0;
    free(p->threads);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->idle);
    return -1;
}

void gzpool_stop(gzpool *p)
{
    gzpool_wait(p);
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->n_threads; i++)
        pthread_join(p->threads[i], NULL);
    free(p->threads);
    while (p->n_spare)
        buf_free(&p->spare[--p->n_spare]);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->idle);
}

void gzpool_submit(gzpool *p, gz_job *j)
{
    if (!p) {
        gz_job_run(j);
        return;
    }
    j->next = NULL;
    pthread_mutex_lock(&p->mu);
    if (p->tail)
        p->tail->next = j;
    else
        p->head = j;
    p->tail = j;
    p->busy++;
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->mu);
}

void gzpool_wait(gzpool *p)
{
    if (!p) return;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        gz_job *j = take(p);
        if (!j) {
            while (p->busy)
                pthread_cond_wait(&p->idle, &p->mu);
            pthread_mutex_unlock(&p->mu);
            return;
        }
        pthread_mutex_unlock(&p->mu);
        gz_job_run(j);
        finished(p);
    }
}

void gzpool_buf_take(gzpool *p, buf *b)
{
    *b = (buf)BUF_INIT;
    if (!p || !p->n_spare) return;
    *b = p->spare[--p->n_spare];
    p->spare_bytes -= b->cap;
}

void gzpool_buf_give(gzpool *p, buf *b)
{
    if (p && b->cap && p->n_spare < GZPOOL_SPARE && p->spare_bytes + b->cap <= GZPOOL_SPARE_BYTES) {
        b->len = 0;
        b->data[0] = '\0';
        p->spare_bytes += b->cap;
        p->spare[p->n_spare++] = *b;
        *b = (buf)BUF_INIT;
        return;
    }
    buf_free(b);
}
