#include "app/deliverer.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/timeutil.h"
#include "delivery/outbox.h"
#include "digest/digester.h"
#include "core/log.h"
#include "state/alarms.h"
#include "state/logstore.h"
#include "state/delivery_state.h"

static void *run(void *arg)
{
    deliverer *d = arg;
    const delivery_env *env = d->env;
    pthread_setname_np(pthread_self(), "ot-deliver"); /* for top -H and perf */
    uint64_t cursor = 1;
    journal_reader scan;
    bool scanning = false;
    size_t backlog = 0;
    /* A pass that planned a full round or wrote a full batch leaves work behind: the next
     * pass starts at once instead of after the tick (waiting there capped the drain). */
    bool more = false, full = false;
    int64_t last_sweep_ms = 0;
    d->last_plan_ms = 0; /* plan at once: a backlog from before a restart goes out first */
    db_conn *db = db_acquire(env->db);
    cursor = delivery_cursor_get(db);
    db_release(env->db, db);
    delivery_backlog_publish(env->backlog, cursor, true);
    for (;;) {
        pthread_mutex_lock(&d->mu);
        if (!d->stop && !more) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += 1; /* a tick: retries and early plans need no finer grain */
            pthread_cond_timedwait(&d->cv, &d->mu, &ts);
        }
        bool stop = d->stop;
        pthread_mutex_unlock(&d->mu);
        if (stop) break;
        /* While the disk is full, delivery would only take the last free bytes (and fail):
         * it pauses and resumes with the journal's recovery (capture/journal.h). */
        journal_status js;
        journal_get_status(env->journal, &js);
        if (js.degraded) continue;
        int64_t now = time_now_ms();
        bool due = full || now - d->last_plan_ms >= (int64_t)env->delivery_interval_s * 1000;
        if (!due) {
            if (!scanning) scanning = journal_reader_open(&scan, env->data_dir, cursor) == 0;
            if (scanning) backlog = delivery_scan_backlog(env, &scan, backlog);
        }
        full = false;
        if (due || backlog >= DELIVERY_FILE_CAP) {
            if (delivery_plan_round(env, d->pool_started ? &d->pool : NULL, now, &cursor, &full) >=
                0) {
                d->last_plan_ms = now;
                delivery_backlog_publish(env->backlog, cursor, true);
            }
            if (scanning) journal_reader_close(&scan);
            scanning = false;
            backlog = 0;
        }
        more = full | (delivery_write(env, now) == OUTBOX_WRITE_BATCH);
        /* Digests after the write step: every log file stored before a window's end is
         * queued before that window's digest is planned (digest/digester.h). */
        digest_plan(env, d->signer, now);
        digest_write(env, now);
        /* Log events past their group's retention go once a second: a pass that finds
         * none only reads (state/logstore.h). So are alarms evaluated. */
        if (now - last_sweep_ms >= 1000) {
            db_conn *sdb = db_acquire(env->db);
            int64_t gone = 0;
            if (logstore_expire(sdb, now, &gone)) ot_log("log event expiry: %s", db_errmsg(sdb));
            /* Alarms see their periods end without data here; datapoints evaluate them at
             * once (state/alarms.h). */
            if (alarm_evaluate(sdb, NULL, NULL, now, NULL, NULL, NULL))
                ot_log("alarm evaluation: %s", db_errmsg(sdb));
            db_release(env->db, sdb);
            last_sweep_ms = now;
        }
    }
    if (scanning) journal_reader_close(&scan);
    delivery_backlog_publish(env->backlog, cursor, false); /* nobody waits for us any more */
    return NULL;
}

int deliverer_start(deliverer *d, const delivery_env *env, signer_client *sg, char *err,
                    size_t errlen)
{
    memset(d, 0, sizeof *d);
    d->env = env;
    d->signer = sg;
    if (delivery_recover(env)) {
        snprintf(err, errlen, "cannot recover the delivery cursor");
        return -1;
    }
    pthread_mutex_init(&d->mu, NULL);
    pthread_cond_init(&d->cv, NULL);
    /* One compressor per core: the planner helps at the end of each round. Without any,
     * the planner compresses alone (slower, not wrong). */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    d->pool_started = gzpool_start(&d->pool, cores < 1 ? 1 : cores > 8 ? 8 : (int)cores) == 0;
    int rc = pthread_create(&d->thread, NULL, run, d);
    if (rc) {
        snprintf(err, errlen, "cannot start the delivery thread: %s", strerror(rc));
        if (d->pool_started) gzpool_stop(&d->pool);
        pthread_mutex_destroy(&d->mu);
        pthread_cond_destroy(&d->cv);
        return -1;
    }
    d->started = true;
    return 0;
}

void deliverer_stop(deliverer *d)
{
    if (!d->started) return;
    pthread_mutex_lock(&d->mu);
    d->stop = true;
    pthread_cond_signal(&d->cv);
    pthread_mutex_unlock(&d->mu);
    pthread_join(d->thread, NULL);
    if (d->pool_started) gzpool_stop(&d->pool);
    pthread_mutex_destroy(&d->mu);
    pthread_cond_destroy(&d->cv);
    d->started = false;
}
