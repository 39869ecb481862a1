#include "core/mutex.h"

#include <stdlib.h>

void mutex_init(mutex *m)
{
    if (pthread_mutex_init(&m->mu, NULL)) abort();
#ifndef NDEBUG
    atomic_store(&m->held, false);
#endif
}

void mutex_destroy(mutex *m)
{
    pthread_mutex_destroy(&m->mu);
}

#ifndef NDEBUG
static void took(mutex *m)
{
    atomic_store_explicit(&m->owner, pthread_self(), memory_order_relaxed);
    atomic_store_explicit(&m->held, true, memory_order_relaxed);
}

static void giving(mutex *m)
{
    atomic_store_explicit(&m->held, false, memory_order_relaxed);
}
#endif

void mutex_lock(mutex *m)
{
    if (pthread_mutex_lock(&m->mu)) abort();
#ifndef NDEBUG
    took(m);
#endif
}

void mutex_unlock(mutex *m)
{
#ifndef NDEBUG
    giving(m);
#endif
    pthread_mutex_unlock(&m->mu);
}

void mutex_cond_wait(pthread_cond_t *cv, mutex *m)
{
#ifndef NDEBUG
    giving(m);
#endif
    pthread_cond_wait(cv, &m->mu);
#ifndef NDEBUG
    took(m);
#endif
}

bool mutex_held(mutex *m)
{
#ifndef NDEBUG
    return atomic_load_explicit(&m->held, memory_order_relaxed) &&
           pthread_equal(atomic_load_explicit(&m->owner, memory_order_relaxed), pthread_self());
#else
    (void)m;
    return true;
#endif
}
