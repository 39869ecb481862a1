/* signer_client: how the server asks the signer (signer.h) for keys and signatures.
 *
 * Process mode (`orgtrail serve`): signer_client_start forks a small supervisor before the
 * server has threads or opens anything untrusted. The supervisor holds the signer's end of
 * a SOCK_SEQPACKET socketpair and runs `orgtrail signer` on it (a fresh exec of this
 * binary), restarting it whenever it dies, so the server's end stays connected across
 * restarts. The supervisor is not confined (app/confine.h applies to the server process
 * only, after the fork), so a restarted signer can read the keys again. Both ignore
 * SIGINT and SIGTERM and go when the server's end closes (the server stopped or died).
 *
 * A request that gets no answer within SIGNER_RETRY_MS (the signer died with it) is sent
 * again with the same id, up to SIGNER_ATTEMPTS times: requests are idempotent (signer.h:
 * the same sign request gets the same signature; a repeated new_key leaves an unused key
 * file), and answers to an earlier id are dropped.
 *
 * Local mode (unit tests, commands other than serve): the same signer code in process.
 *
 * Thread safety: one request at a time (a mutex); the delivery thread and ListPublicKeys
 * share the client. Lock order: the client's mutex is taken inside database transactions
 * and takes no other lock. */
#ifndef ORGTRAIL_DIGEST_SIGNER_CLIENT_H
#define ORGTRAIL_DIGEST_SIGNER_CLIENT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/awserr.h"
#include "core/buf.h"
#include "digest/signer.h"
#include "digest/signkey.h"

#define SIGNER_RETRY_MS 3000
#define SIGNER_ATTEMPTS 20

typedef struct signer_client {
    pthread_mutex_t mu;
    signer *local; /* local mode; NULL in process mode */
    int fd;        /* process mode: the server's end; -1 otherwise */
    pid_t supervisor;
    int64_t next_id;
    buf request, reply;
    char *msg; /* receive buffer, SIGNER_MAX_MESSAGE bytes */
} signer_client;

/* Local mode over data_dir. 0, or -1 with err. */
int signer_client_open_local(signer_client *c, const char *data_dir, char *err, size_t errlen);
/* Process mode: forks the supervisor, which runs `exe signer --data DIR --fd 3`. Call before
 * any thread exists. 0, or -1 with err. */
int signer_client_start(signer_client *c, const char *exe, const char *data_dir, char *err,
                        size_t errlen);
/* Closes the connection (the signer and its supervisor then exit) and waits for them. */
void signer_client_close(signer_client *c);

/* A new key pair for region: its public DER (malloc'd, caller frees) and fingerprint. 0, or
 * -1 with e (InternalError). */
int signer_new_key(signer_client *c, const char *region, unsigned char **der, size_t *der_len,
                   char fingerprint[SIGNKEY_FINGERPRINT_LEN + 1], aws_error *e);

/* One digest to sign (signer.h): the chain, the key, and the signing string's parts. */
typedef struct signer_request {
    const char *trail_arn, *account_id, *region;
    const char *fingerprint;
    int64_t end_ms;
    const char *bucket, *key;
    const char *sha256;             /* of the digest file's JSON, hex */
    const char *previous_signature; /* NULL for a chain's first digest */
} signer_request;

#define SIGNER_REFUSED 1
/* 0 with sig filled; SIGNER_REFUSED when the signer refuses (the chain would not move
 * forward), or -1, both with e. */
int signer_sign(signer_client *c, const signer_request *r, char sig[SIGNKEY_SIG_HEX_LEN + 1],
                aws_error *e);

#endif
