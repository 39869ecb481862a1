/* streamer: polls the journal's durable end and streams what is new. */
#include "app/streamer.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/timeutil.h"
#include "delivery/cwl_stream.h"

static void *run(void *arg)
{
    streamer *s = arg;
    pthread_setname_np(pthread_self(), "ot-stream");
    uint64_t seen = 0;
    bool more = false;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        if (!s->stop && !more) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += STREAMER_POLL_MS * 1000000L;
            if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
            pthread_cond_timedwait(&s->cv, &s->mu, &ts);
        }
        bool stop = s->stop;
        pthread_mutex_unlock(&s->mu);
        if (stop) break;
        uint64_t durable = journal_durable(s->env->journal);
        if (durable == seen && !more) continue;
        journal_status js;
        journal_get_status(s->env->journal, &js);
        if (js.degraded) continue; /* as delivery: the last free bytes are not ours */
        if (cwl_stream_round(s->env, time_now_ms(), &more) >= 0 && !more) seen = durable;
    }
    return NULL;
}

int streamer_start(streamer *s, const delivery_env *env, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->env = env;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    int rc = pthread_create(&s->thread, NULL, run, s);
    if (rc) {
        snprintf(err, errlen, "cannot start the CloudWatch Logs streamer: %s", strerror(rc));
        pthread_mutex_destroy(&s->mu);
        pthread_cond_destroy(&s->cv);
        return -1;
    }
    s->started = true;
    return 0;
}

void streamer_stop(streamer *s)
{
    if (!s->started) return;
    pthread_mutex_lock(&s->mu);
    s->stop = true;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    s->started = false;
}
