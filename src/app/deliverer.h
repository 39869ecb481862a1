/* deliverer: the delivery thread, the one place that knows both log files and digests.
 *
 * Each pass: plan log files (delivery/deliver.h) every delivery interval, or early once
 * the records after the cursor could fill a file; write the due log files; then plan and
 * write the due digests (digest/digester.h). Digests come after the log-file write step,
 * so every log file stored before a digest window's end is queued before that window's
 * digest is planned: the ordering the digester's exactly-once argument rests on. The
 * thread pauses while the journal is degraded (full or unwritable data directory).
 *
 * It is also the server's one periodic thread: once a second, after a pass, it deletes
 * the CloudWatch Logs events past their group's retention (state/logstore.h
 * logstore_expire); readers already skip them, so this only frees the space.
 *
 * Locks: the deliverer's mutex guards only `stop` and the wake-up condition; it is never
 * held while the thread takes a database connection or the journal's mutex. */
#ifndef ORGTRAIL_DELIVERER_H
#define ORGTRAIL_DELIVERER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "delivery/deliver.h"
#include "delivery/delivery_env.h"
#include "delivery/gzpool.h"
#include "digest/signer_client.h"

typedef struct deliverer {
    const delivery_env *env;
    signer_client *signer; /* signs the digests */
    pthread_t thread;
    gzpool pool; /* compresses planned files (gzpool.h) */
    bool pool_started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    bool started;
    int64_t last_plan_ms;
} deliverer;

/* Starts the delivery thread, after delivery_recover. Call it before requests are
 * served. 0, or -1 with err. */
int deliverer_start(deliverer *d, const delivery_env *env, signer_client *sg, char *err,
                    size_t errlen);
/* Stops it (waits for the current step to finish). Safe to call when not started. */
void deliverer_stop(deliverer *d);

#endif
