/* sigv4_keys: a small cache of SigV4 signing keys.
 *
 * The signing key (kSigning = HMAC chain over date, region, service) only changes with its
 * scope, yet deriving it is four HMACs, the bulk of verifying a signature. SDKs cache it on
 * their side for the same reason. The cache maps (access key, date, region, service,
 * secret) to kSigning; an entry matches only when the secret is the same byte for byte, so
 * a rotated or wrong secret derives afresh. 64 entries, replaced round-robin; one mutex,
 * held only to copy an entry in or out (never while deriving). Lives in the server context.
 * Entries are wiped on destroy. */
#ifndef ORGTRAIL_AUTH_SIGV4_KEYS_H
#define ORGTRAIL_AUTH_SIGV4_KEYS_H

#include <pthread.h>
#include <stdbool.h>

#include "core/hash.h"

#define SIGV4_KEYS_ENTRIES 64

typedef struct sigv4_key_entry {
    bool used;
    char access_key[129];
    char scope[80]; /* date/region/service */
    char secret[129];
    unsigned char key[SHA256_LEN];
} sigv4_key_entry;

typedef struct sigv4_keys {
    pthread_mutex_t mu;
    sigv4_key_entry e[SIGV4_KEYS_ENTRIES];
    unsigned next; /* the next entry to replace */
} sigv4_keys;

void sigv4_keys_init(sigv4_keys *k);
void sigv4_keys_destroy(sigv4_keys *k);

/* kSigning for the scope, from the cache or derived (and remembered). k may be NULL (no
 * cache). Secrets or access keys too long for an entry are derived every time. */
void sigv4_keys_get(sigv4_keys *k, const char *access_key, const char *secret, const char *date,
                    const char *region, const char *service, unsigned char out[SHA256_LEN]);

#endif
