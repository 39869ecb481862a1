/* delivery_env: what delivery and digests may use of the server, and nothing more.
 *
 * The log-file and digest pipeline reads the journal, plans and queues in the state
 * database, writes objects into the store, and publishes its lag for bulk ingestion. The
 * composition layer (app/server.h) owns all of these and fills one delivery_env at open;
 * the pipeline never sees the server context, the models or the services.
 *
 * Everything behind the pointers synchronises itself (db pool, journal, backlog) or is
 * used by the delivery thread only (the object store's writes). The settings are copied
 * at start-up and never change while the thread runs. */
#ifndef ORGTRAIL_DELIVERY_ENV_H
#define ORGTRAIL_DELIVERY_ENV_H

#include "capture/journal.h"
#include "delivery/backlog.h"
#include "state/db.h"
#include "policy/iam_data.h"
#include "store/objstore.h"

typedef struct delivery_env {
    const char *data_dir; /* borrowed: the store's directory */
    db_pool *db;
    journal *journal;
    objstore *objects;
    delivery_backlog *backlog;
    const iam_data *iam;      /* AWS managed policies, for the roles CloudTrail writes through */
    int delivery_interval_s;  /* how often log files are planned */
    int digest_interval_s;    /* the digest window */
    int signing_key_period_s; /* how long a digest signing key signs (digest/keystore.h) */
} delivery_env;

#endif
