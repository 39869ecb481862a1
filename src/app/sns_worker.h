/* sns_worker: the SNS delivery thread, which POSTs the queued SNS messages (sns_outbox)
 * to their http/https endpoints (svc/sns_delivery.h).
 *
 * A thread of its own rather than a step of the deliverer's pass: an endpoint may take up
 * to SNS's 15 s to answer, and log files and digests must not wait behind it; nor should
 * a backlog of log files delay an alarm's notification. It wakes every 20 ms (sooner when
 * a pass found a full batch), first publishes the notifications services queued
 * (CloudTrail's, CloudWatch alarms': state/notify_state.h, svc/sns.h
 * sns_publish_pending), then sends what is due: a Publish is delivered within tens of
 * milliseconds, and a retry at its time. Polling rather than being woken by Publish keeps
 * the request path free of this thread: an idle pass is two indexed reads.
 *
 * Locks: the worker's mutex guards only `stop` and the wake-up condition; it is never
 * held while the thread takes a database connection (db pool mutex) or waits for an
 * endpoint, and the thread holds a database connection only between its sends. So its
 * lock order is: worker mutex alone; db pool mutex alone. */
#ifndef ORGTRAIL_SNS_WORKER_H
#define ORGTRAIL_SNS_WORKER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "state/db.h"
#include "svc/sns_delivery.h"

typedef struct sns_worker {
    db_pool *pool; /* for the service notifications (state/notify_state.h) */
    sns_sender *sender;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    bool started;
} sns_worker;

/* Starts the thread for the store behind pool; base_url and delay_scale as
 * sns_sender_open takes them. 0, or -1 with err. */
int sns_worker_start(sns_worker *w, db_pool *pool, const char *base_url, double delay_scale,
                     char *err, size_t errlen);
/* Stops it after the send in progress. Safe to call when not started. */
void sns_worker_stop(sns_worker *w);

#endif
