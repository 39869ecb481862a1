/* authz_cache: the subjects (authz_subject.h) of recent callers, loaded and compiled once
 * and shared by their requests until what they were loaded from changes.
 *
 * Loading a subject reads the caller's policies, tags and place in the organization from
 * the state store and compiles them; a caller's next request would read the same. The
 * store's authorization epoch (state/iam_state.h: authz_epoch, moved by triggers on every
 * table a subject is read from) says when a cached subject may be stale: it is read
 * before the subject is, so a subject is never kept under an epoch newer than its data.
 *
 * Direct-mapped: a caller's slot is a hash of who it is; a newcomer replaces whoever had
 * the slot. Subjects are reference counted, so one replaced or outdated while a request
 * still uses it lives until that request releases it. Thread-safe: one mutex guards the
 * slots and the counts (held for lookups only, never while loading). */
#ifndef ORGTRAIL_AUTHZ_CACHE_H
#define ORGTRAIL_AUTHZ_CACHE_H

#include "auth/principal.h"
#include "policy/authz_subject.h"
#include "policy/iam_data.h"
#include "state/db.h"

typedef struct authz_cache authz_cache;

/* A new, empty cache (caller authz_cache_free). */
authz_cache *authz_cache_new_alloc(void);
void authz_cache_free(authz_cache *c);

/* The subject of p, current as of this call: the cached one when its epoch is the
 * store's, else loaded now (and cached). c NULL: loaded for this caller alone. Never
 * NULL; give it back with authz_cache_release. */
const authz_subject *authz_cache_get(authz_cache *c, db_conn *db, const iam_data *iam,
                                     const principal *p);
void authz_cache_release(authz_cache *c, const authz_subject *s);

/* How many subjects were loaded and how many requests were served from the cache. */
void authz_cache_stats(authz_cache *c, unsigned long long *loads, unsigned long long *hits);

#endif
