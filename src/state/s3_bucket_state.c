#include "state/s3_bucket_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int s3_bucket_load(db_conn *db, const char *name, s3_bucket *b)
{
    memset(b, 0, sizeof *b);
    sqlite3_stmt *st = db_query(db,
                                "SELECT name, account_id, region, created_ms, object_lock, "
                                "versioning, policy FROM s3_buckets WHERE name = ?",
                                "s", name);
    int found = 0;
    if (db_row(st)) {
        snprintf(b->name, sizeof b->name, "%s", db_text(st, 0));
        snprintf(b->account_id, sizeof b->account_id, "%s", db_text(st, 1));
        snprintf(b->region, sizeof b->region, "%s", db_text(st, 2));
        b->created_ms = db_int(st, 3);
        b->object_lock = db_int(st, 4) != 0;
        snprintf(b->versioning, sizeof b->versioning, "%s", db_text(st, 5));
        if (!db_is_null(st, 6)) {
            b->policy = strdup(db_text(st, 6));
            if (!b->policy) abort();
        }
        found = 1;
    }
    db_done(st);
    return found;
}

void s3_bucket_clear(s3_bucket *b)
{
    free(b->policy);
    b->policy = NULL;
}
