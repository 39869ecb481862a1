/* s3_bucket_state: buckets as stored (table s3_buckets), for the S3 service and for
 * delivery, which writes into them as CloudTrail.
 *
 * A bucket belongs to the account that created it. Its policy is kept as the document the
 * owner stored; parsing and evaluating it is policy/s3_access.h's. */
#ifndef ORGTRAIL_S3_BUCKET_STATE_H
#define ORGTRAIL_S3_BUCKET_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "state/db.h"

typedef struct s3_bucket {
    char name[64];
    char account_id[13];
    char region[32];
    int64_t created_ms;
    bool object_lock;
    char versioning[16]; /* "" (never enabled), "Enabled" or "Suspended" */
    char *policy;        /* owned: the stored document, NULL when none; s3_bucket_clear */
} s3_bucket;

/* Loads a bucket by name: 1 found, 0 not. *b must be cleared with s3_bucket_clear. */
int s3_bucket_load(db_conn *db, const char *name, s3_bucket *b);
void s3_bucket_clear(s3_bucket *b);

#endif
