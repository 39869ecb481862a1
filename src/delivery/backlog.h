/* backlog: how far delivery's planning lags behind capture, and bulk ingestion's wait for
 * room.
 *
 * Bulk ingestion can acknowledge records faster than delivery turns them into log files
 * (a request's records cost a few microseconds to journal, their delivery several times
 * that). Left alone, the journal then runs ahead without bound: log files arrive minutes
 * late and a restart has a long backlog to plan. So the deliverer publishes its cursor
 * (the first record not yet planned) after every plan, and a bulk request waits before it
 * stores anything while more than `limit` captured records are unplanned. Waiting is how
 * TCP pushes back: the collector simply sends slower, nothing is refused unless delivery
 * is stuck for the whole timeout (then 503 ServiceUnavailable, nothing stored, retry).
 *
 * Only bulk ingestion waits; API calls are never held back (their records are few). With
 * no deliverer running (tests, `limit` 0) nothing waits. Lives in the server context. */
#ifndef ORGTRAIL_DELIVERY_BACKLOG_H
#define ORGTRAIL_DELIVERY_BACKLOG_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "capture/journal.h"

#define DELIVERY_BACKLOG_DEFAULT_LIMIT 200000 /* records: ~1-2 s of delivery work */

typedef struct delivery_backlog {
    pthread_mutex_t mu;
    pthread_cond_t moved;
    uint64_t cursor; /* the first journal record not yet planned */
    bool running;    /* a deliverer publishes */
    uint64_t limit;  /* unplanned records above which bulk ingestion waits; 0 = never */
} delivery_backlog;

void delivery_backlog_init(delivery_backlog *b, uint64_t limit);
void delivery_backlog_destroy(delivery_backlog *b);
/* The deliverer: planning reached `cursor` (running = it goes on; false when it stops). */
void delivery_backlog_publish(delivery_backlog *b, uint64_t cursor, bool running);
/* Waits until at most limit records captured in j are unplanned. 0 when there is room
 * (or nothing to wait for), -1 after timeout_ms without room. Takes the journal's mutex
 * inside its own (lock order: backlog -> journal). */
int delivery_backlog_wait_room(delivery_backlog *b, journal *j, int64_t timeout_ms);

#endif
