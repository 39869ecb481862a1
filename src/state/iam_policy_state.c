#include "state/iam_policy_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int iam_policy_get(db_conn *db, const char *arn, iam_policy *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = db_query(db,
                                "SELECT account_id, name, policy_id, path, arn, description, "
                                "default_version, next_version, created_ms, updated_ms "
                                "FROM iam_policies WHERE arn = ?",
                                "s", arn);
    int found = 0;
    if (db_row(st)) {
        snprintf(out->account_id, sizeof out->account_id, "%s", db_text(st, 0));
        snprintf(out->name, sizeof out->name, "%s", db_text(st, 1));
        snprintf(out->policy_id, sizeof out->policy_id, "%s", db_text(st, 2));
        snprintf(out->path, sizeof out->path, "%s", db_text(st, 3));
        snprintf(out->arn, sizeof out->arn, "%s", db_text(st, 4));
        snprintf(out->description, sizeof out->description, "%s", db_text(st, 5));
        snprintf(out->default_version, sizeof out->default_version, "%s", db_text(st, 6));
        out->next_version = db_int(st, 7);
        out->created_ms = db_int(st, 8);
        out->updated_ms = db_int(st, 9);
        found = 1;
    }
    db_done(st);
    return found;
}

char *iam_policy_document_alloc(db_conn *db, const char *arn, const char *version,
                                int64_t *created_ms)
{
    sqlite3_stmt *st =
        db_query(db,
                 "SELECT v.document, v.created_ms FROM iam_policy_versions v JOIN iam_policies p "
                 "ON p.arn = v.policy_arn WHERE v.policy_arn = ?1 AND "
                 "v.version_id = coalesce(?2, p.default_version)",
                 "ss", arn, version);
    char *out = NULL;
    if (db_row(st)) {
        out = strdup(db_text(st, 0));
        if (!out) abort();
        if (created_ms) *created_ms = db_int(st, 1);
    }
    db_done(st);
    return out;
}
