#include "delivery/backlog.h"

#include <time.h>

void delivery_backlog_init(delivery_backlog *b, uint64_t limit)
{
    pthread_mutex_init(&b->mu, NULL);
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&b->moved, &a);
    pthread_condattr_destroy(&a);
    b->cursor = 0;
    b->running = false;
    b->limit = limit;
}

void delivery_backlog_destroy(delivery_backlog *b)
{
    pthread_mutex_destroy(&b->mu);
    pthread_cond_destroy(&b->moved);
}

void delivery_backlog_publish(delivery_backlog *b, uint64_t cursor, bool running)
{
    pthread_mutex_lock(&b->mu);
    b->cursor = cursor;
    b->running = running;
    pthread_cond_broadcast(&b->moved);
    pthread_mutex_unlock(&b->mu);
}

int delivery_backlog_wait_room(delivery_backlog *b, journal *j, int64_t timeout_ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&b->mu);
    int rc = 0;
    for (;;) {
        if (!b->running || !b->limit) break;
        uint64_t next = journal_position(j);
        if (next <= b->cursor || next - b->cursor <= b->limit) break;
        if (pthread_cond_timedwait(&b->moved, &b->mu, &deadline)) {
            rc = -1;
            break;
        }
    }
    pthread_mutex_unlock(&b->mu);
    return rc;
}
