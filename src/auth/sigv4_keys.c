#include "auth/sigv4_keys.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "auth/sigv4.h"

void sigv4_keys_init(sigv4_keys *k)
{
    memset(k, 0, sizeof *k);
    pthread_mutex_init(&k->mu, NULL);
}

void sigv4_keys_destroy(sigv4_keys *k)
{
    pthread_mutex_destroy(&k->mu);
    OPENSSL_cleanse(k, sizeof *k);
}

void sigv4_keys_get(sigv4_keys *k, const char *access_key, const char *secret, const char *date,
                    const char *region, const char *service, unsigned char out[SHA256_LEN])
{
    char scope[sizeof k->e[0].scope];
    int n = snprintf(scope, sizeof scope, "%s/%s/%s", date, region, service);
    bool cacheable = k && n > 0 && (size_t)n < sizeof scope &&
                     strlen(access_key) < sizeof k->e[0].access_key &&
                     strlen(secret) < sizeof k->e[0].secret;
    if (cacheable) {
        bool hit = false;
        pthread_mutex_lock(&k->mu);
        for (int i = 0; i < SIGV4_KEYS_ENTRIES && !hit; i++) {
            const sigv4_key_entry *e = &k->e[i];
            if (e->used && !strcmp(e->access_key, access_key) && !strcmp(e->scope, scope) &&
                !strcmp(e->secret, secret)) {
                memcpy(out, e->key, SHA256_LEN);
                hit = true;
            }
        }
        pthread_mutex_unlock(&k->mu);
        if (hit) return;
    }
    sigv4_signing_key(secret, date, region, service, out);
    if (!cacheable) return;
    pthread_mutex_lock(&k->mu);
    sigv4_key_entry *e = &k->e[k->next++ % SIGV4_KEYS_ENTRIES];
    e->used = true;
    snprintf(e->access_key, sizeof e->access_key, "%s", access_key);
    snprintf(e->scope, sizeof e->scope, "%s", scope);
    snprintf(e->secret, sizeof e->secret, "%s", secret);
    memcpy(e->key, out, SHA256_LEN);
    pthread_mutex_unlock(&k->mu);
}
