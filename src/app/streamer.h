/* streamer: the thread that streams trails' records to their CloudWatch Logs groups
 * (delivery/cwl_stream.h) as soon as they are durable.
 *
 * Why a thread of its own: the delivery thread plans log files every few minutes and
 * sleeps a second between passes; detection wants a record in its log group (and its
 * metric filters evaluated) well under a second after the call. The streamer looks at the
 * journal's durable end every STREAMER_POLL_MS and runs a round only when it moved, so an
 * idle server costs one atomic read per poll.
 *
 * Locks: the streamer's mutex guards only `stop` and the wake-up condition; it is never
 * held while the thread takes a database connection or the journal's mutex. The thread
 * shares nothing with the deliverer but the database, whose transactions order them. */
#ifndef ORGTRAIL_STREAMER_H
#define ORGTRAIL_STREAMER_H

#include <pthread.h>
#include <stdbool.h>

#include "delivery/delivery_env.h"

#define STREAMER_POLL_MS 20

typedef struct streamer {
    const delivery_env *env;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    bool started;
} streamer;

/* Starts the thread. 0, or -1 with err. */
int streamer_start(streamer *s, const delivery_env *env, char *err, size_t errlen);
/* Stops it (the current round finishes first). Safe to call when not started. */
void streamer_stop(streamer *s);

#endif
