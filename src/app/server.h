/* server: the one server context, created by `orgtrail serve` and passed down to every
 * request. Everything in it is either immutable after start-up (models, validator,
 * configuration) or synchronises itself (db pool, journal). There is no other global
 * mutable state in orgtrail.
 *
 * Lock order (outer to inner): db pool mutex -> journal mutex (no code holds both);
 * delivery backlog mutex -> journal mutex (delivery/backlog.h). The deliverer's, the
 * streamer's and the SNS delivery thread's own mutexes (app/deliverer.h, app/streamer.h,
 * app/sns_worker.h) are held alone. */
#ifndef ORGTRAIL_SERVER_H
#define ORGTRAIL_SERVER_H

#include "app/data_events.h"
#include "auth/sigv4_keys.h"
#include "capture/journal.h"
#include "delivery/backlog.h"
#include "delivery/delivery_env.h"
#include "digest/signer_client.h"
#include "policy/iam_data.h"
#include "proto/model.h"
#include "proto/validate.h"
#include "state/db.h"
#include "store/objstore.h"
#include "svc/service.h"

typedef struct server {
    char *data_dir;
    model_set models;
    validator *validator;
    iam_data iam; /* AWS managed policies and the action catalogue (policy/iam_data.h) */
    db_pool db;
    journal journal;
    objstore objects;       /* the embedded object store behind S3 buckets */
    char owner_account[13]; /* the account `orgtrail init` created: the installation owner */
    char default_region[33];
    sigv4_keys signing_keys;     /* derived SigV4 signing keys (auth/sigv4_keys.h) */
    delivery_backlog backlog;    /* planning's lag; bulk ingestion waits on it */
    data_event_gate data_events; /* whether capture records data events (data_events.h) */
    /* What delivery and digests see of all this (pointers into this struct), and their
     * settings (server_configure). */
    delivery_env delivery;
    svc_env services; /* what the service handlers see (svc/service.h) */
    /* Who signs digests: the signer process of `orgtrail serve` (server_use_signer), else
     * the same code in process (local_signer, opened by server_open). */
    signer_client *signer;
    signer_client local_signer;
} server;

/* Opens the store in data_dir for serving. Returns 0, or -1 with err filled. */
int server_open(server *s, const char *data_dir, char *err, size_t errlen);
void server_close(server *s);
/* Digests are signed by sg (owned by the caller, outliving s) from now on. */
void server_use_signer(server *s, signer_client *sg);
/* The settings of `orgtrail serve` (defaults 300, 3600 and 30 days), before the delivery
 * thread starts: each goes to every part that reads it. */
void server_configure(server *s, int delivery_interval_s, int digest_interval_s,
                      int signing_key_period_s);

#endif
