#include "app/sns_worker.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/timeutil.h"
#include "svc/sns.h"

/* Service notifications (alarms) are on the detection path: a short tick keeps their
 * latency down, and an idle tick is two indexed reads of empty tables. */
#define SNS_TICK_MS 20
#define SNS_BATCH 16

static void *run(void *arg)
{
    sns_worker *w = arg;
    pthread_setname_np(pthread_self(), "ot-sns");
    bool more = false;
    for (;;) {
        pthread_mutex_lock(&w->mu);
        if (!w->stop && !more) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += SNS_TICK_MS * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec += 1;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&w->cv, &w->mu, &ts);
        }
        bool stop = w->stop;
        pthread_mutex_unlock(&w->mu);
        if (stop) break;
        bool full_notes = sns_publish_pending(w->pool, time_now_ms(), SNS_BATCH) >= SNS_BATCH;
        more = sns_sender_run(w->sender, time_now_ms(), SNS_BATCH) == SNS_BATCH || full_notes;
    }
    return NULL;
}

int sns_worker_start(sns_worker *w, db_pool *pool, const char *base_url, double delay_scale,
                     char *err, size_t errlen)
{
    memset(w, 0, sizeof *w);
    w->pool = pool;
    w->sender = sns_sender_open(pool, base_url, delay_scale, err, errlen);
    if (!w->sender) return -1;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    int rc = pthread_create(&w->thread, NULL, run, w);
    if (rc) {
        snprintf(err, errlen, "cannot start the SNS delivery thread: %s", strerror(rc));
        sns_sender_close(w->sender);
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        return -1;
    }
    w->started = true;
    return 0;
}

void sns_worker_stop(sns_worker *w)
{
    if (!w->started) return;
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    sns_sender_close(w->sender);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    w->started = false;
}
