#include "svc/s3_access.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "policy/policy.h"

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

s3_verdict s3_access_decide(const principal *caller, const char *owner_account,
                            const json_t *policy, const char *action, const char *resource,
                            s3_scope scope, const char *const *context)
{
    bool service = caller->kind == PRINCIPAL_SERVICE;
    bool same_account = !service && !strcmp(caller->account_id, owner_account);
    /* Root of the owner account can always manage the policy, even when it denies root. */
    if (same_account && scope == S3_SCOPE_POLICY_ADMIN && caller->kind == PRINCIPAL_ROOT)
        return S3_ALLOW;

    policy_decision d = POLICY_NO_MATCH;
    if (policy) {
        policy_request r = {
            .action = action,
            .resource = resource,
            .principal_account = service ? NULL : caller->account_id,
            .principal_arn = caller->kind == PRINCIPAL_ASSUMED_ROLE ? caller->role_arn
                             : service                              ? NULL
                                                                    : caller->arn,
            .principal_session_arn = caller->kind == PRINCIPAL_ASSUMED_ROLE ? caller->arn : NULL,
            .principal_service = service ? caller->service : NULL,
            .context = context,
        };
        d = policy_evaluate(policy, &r);
    }
    if (d == POLICY_DENY) return S3_DENY_ACCESS;
    if (same_account) return S3_ALLOW;
    switch (scope) {
    case S3_SCOPE_OWNER:
        return S3_DENY_ACCESS;
    case S3_SCOPE_POLICY_ADMIN:
        return d == POLICY_ALLOW ? S3_DENY_METHOD : S3_DENY_ACCESS;
    default:
        return d == POLICY_ALLOW ? S3_ALLOW : S3_DENY_ACCESS;
    }
}

void s3_canonical_id(const char *account_id, char out[65])
{
    /* AWS's canonical ids are opaque 64-hex strings; a keyed digest of the account id
     * gives the same stability (one id per account, forever) without storing one. */
    char seed[64];
    int n = snprintf(seed, sizeof seed, "orgtrail-s3-canonical-user:%s", account_id);
    hash_sha256_hex(seed, (size_t)n, out);
}
