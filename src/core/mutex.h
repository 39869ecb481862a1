/* mutex: a pthread mutex that knows, in the debug (ASan) build, which thread holds it, so
 * that the "called with the mutex held" precondition of every *_locked function is an
 * assert, as SQLite asserts sqlite3_mutex_held() in its own.
 *
 * Release builds (NDEBUG) keep nothing but the pthread mutex: mutex_held() is then always
 * true and costs nothing. Condition waits go through mutex_cond_wait, which hands the
 * ownership over while the thread sleeps. No recursion, no error checking beyond this:
 * a lock order bug is found by the asserts, not survived. */
#ifndef ORGTRAIL_MUTEX_H
#define ORGTRAIL_MUTEX_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

typedef struct mutex {
    pthread_mutex_t mu;
#ifndef NDEBUG
    /* Read by any thread asking whether it holds the mutex, written by the holder. */
    _Atomic(pthread_t) owner;
    atomic_bool held;
#endif
} mutex;

void mutex_init(mutex *m);
void mutex_destroy(mutex *m);
void mutex_lock(mutex *m);
void mutex_unlock(mutex *m);
/* pthread_cond_wait on m, which the caller holds, and holds again on return. */
void mutex_cond_wait(pthread_cond_t *cv, mutex *m);
/* Whether the calling thread holds m (always true without the debug build): for assert. */
bool mutex_held(mutex *m);

#endif
