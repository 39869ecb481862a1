#include "policy/authz_cache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "state/iam_state.h"

#define AUTHZ_CACHE_SLOTS 512

/* The subject first, so that a subject's address is its entry's. */
typedef struct cached_subject {
    authz_subject s;
    unsigned refs; /* the slot's reference and each request's; guarded by the mutex */
    int64_t epoch;
    char key[240];
} cached_subject;

struct authz_cache {
    pthread_mutex_t mu;
    cached_subject *slots[AUTHZ_CACHE_SLOTS];
    unsigned long long loads, hits;
};

authz_cache *authz_cache_new_alloc(void)
{
    authz_cache *c = xcalloc(1, sizeof *c);
    pthread_mutex_init(&c->mu, NULL);
    return c;
}

static void unref(cached_subject *e)
{
    if (--e->refs) return;
    authz_subject_clear(&e->s);
    free(e);
}

void authz_cache_free(authz_cache *c)
{
    if (!c) return;
    for (size_t i = 0; i < AUTHZ_CACHE_SLOTS; i++)
        if (c->slots[i]) unref(c->slots[i]);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

/* Who the subject is: its account and which user or role (a role's sessions share it),
 * by id, so that a user or role deleted and made again under its name is someone else. */
static void subject_key(const principal *p, char *out, size_t n)
{
    const char *kind = p->kind == PRINCIPAL_IAM_USER       ? "user"
                       : p->kind == PRINCIPAL_ASSUMED_ROLE ? "role"
                                                           : "root";
    const char *name = p->kind == PRINCIPAL_IAM_USER       ? p->principal_id
                       : p->kind == PRINCIPAL_ASSUMED_ROLE ? p->role_id
                                                           : "";
    snprintf(out, n, "%s/%s/%s", p->account_id, kind, name);
}

static size_t slot_of(const char *key)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *k = (const unsigned char *)key; *k; k++)
        h = (h ^ *k) * 16777619u;
    return h % AUTHZ_CACHE_SLOTS;
}

static cached_subject *load_alloc(db_conn *db, const iam_data *iam, const principal *p,
                                  int64_t epoch, const char *key)
{
    cached_subject *e = xcalloc(1, sizeof *e);
    authz_subject_load(db, iam, p, &e->s);
    e->refs = 1;
    e->epoch = epoch;
    snprintf(e->key, sizeof e->key, "%s", key);
    return e;
}

const authz_subject *authz_cache_get(authz_cache *c, db_conn *db, const iam_data *iam,
                                     const principal *p)
{
    /* A service principal's subject reads nothing; an unreadable epoch caches nothing. */
    int64_t epoch = c && p->kind != PRINCIPAL_SERVICE ? authz_epoch(db) : -1;
    if (epoch < 0) return &load_alloc(db, iam, p, -1, "")->s;
    char key[240];
    subject_key(p, key, sizeof key);
    size_t slot = slot_of(key);
    pthread_mutex_lock(&c->mu);
    cached_subject *e = c->slots[slot];
    if (e && e->epoch == epoch && !strcmp(e->key, key)) {
        e->refs++;
        c->hits++;
        pthread_mutex_unlock(&c->mu);
        return &e->s;
    }
    c->loads++;
    pthread_mutex_unlock(&c->mu);

    e = load_alloc(db, iam, p, epoch, key);
    pthread_mutex_lock(&c->mu);
    cached_subject *old = c->slots[slot];
    /* Another request may have put a newer subject there meanwhile: keep the newest. */
    if (!old || old->epoch <= epoch) {
        if (old) unref(old);
        c->slots[slot] = e;
        e->refs++;
    }
    pthread_mutex_unlock(&c->mu);
    return &e->s;
}

void authz_cache_release(authz_cache *c, const authz_subject *s)
{
    if (!s) return;
    cached_subject *e = (cached_subject *)s;
    if (!c) {
        unref(e);
        return;
    }
    pthread_mutex_lock(&c->mu);
    unref(e);
    pthread_mutex_unlock(&c->mu);
}

void authz_cache_stats(authz_cache *c, unsigned long long *loads, unsigned long long *hits)
{
    pthread_mutex_lock(&c->mu);
    *loads = c->loads;
    *hits = c->hits;
    pthread_mutex_unlock(&c->mu);
}
