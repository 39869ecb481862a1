#include "auth/identity.h"

#include <stdio.h>
#include <string.h>

#include "core/hash.h"

void identity_root(principal *p, const char *account_id, const char *access_key_id)
{
    memset(p, 0, sizeof *p);
    p->kind = PRINCIPAL_ROOT;
    snprintf(p->account_id, sizeof p->account_id, "%s", account_id);
    snprintf(p->arn, sizeof p->arn, "arn:aws:iam::%s:root", account_id);
    snprintf(p->principal_id, sizeof p->principal_id, "%s", account_id);
    snprintf(p->access_key_id, sizeof p->access_key_id, "%s", access_key_id ? access_key_id : "");
}

static sigv4_failure long_term(db_conn *db, const char *akid, principal *p, char *secret, size_t sl)
{
    sqlite3_stmt *st = db_query(db,
                                "SELECT k.secret, k.account_id, k.user_name, u.user_id, u.path "
                                "FROM access_keys k LEFT JOIN iam_users u "
                                "ON u.account_id = k.account_id AND u.name = k.user_name "
                                "WHERE k.access_key_id = ? AND k.status = 'Active'",
                                "s", akid);
    sigv4_failure f = SIGV4_UNKNOWN_KEY;
    if (db_row(st)) {
        const char *acct = db_text(st, 1);
        if (db_is_null(st, 2)) {
            identity_root(p, acct, akid);
        } else if (!db_is_null(st, 3)) {
            memset(p, 0, sizeof *p);
            p->kind = PRINCIPAL_IAM_USER;
            snprintf(p->account_id, sizeof p->account_id, "%s", acct);
            snprintf(p->user_name, sizeof p->user_name, "%s", db_text(st, 2));
            snprintf(p->principal_id, sizeof p->principal_id, "%s", db_text(st, 3));
            snprintf(p->arn, sizeof p->arn, "arn:aws:iam::%s:user%s%s", acct, db_text(st, 4),
                     db_text(st, 2));
            snprintf(p->access_key_id, sizeof p->access_key_id, "%s", akid);
        } else {
            db_done(st);
            return SIGV4_UNKNOWN_KEY; /* the key's user was deleted */
        }
        snprintf(secret, sl, "%s", db_text(st, 0));
        f = SIGV4_OK;
    }
    db_done(st);
    return f;
}

static sigv4_failure temporary(db_conn *db, const char *akid, const char *token, int64_t now_ms,
                               principal *p, char *secret, size_t sl)
{
    sqlite3_stmt *st = db_query(db,
                                "SELECT secret, session_token, account_id, role_name, role_id, "
                                "role_path, session_name, created_ms, expires_ms, "
                                "policies IS NOT NULL "
                                "FROM sessions WHERE access_key_id = ?",
                                "s", akid);
    sigv4_failure f = SIGV4_UNKNOWN_KEY;
    if (db_row(st)) {
        const char *want = db_text(st, 1);
        size_t wl = strlen(want);
        if (!token || strlen(token) != wl || !hash_equal(token, want, wl)) {
            f = SIGV4_BAD_TOKEN;
        } else if (now_ms >= db_int(st, 8)) {
            f = SIGV4_EXPIRED_TOKEN;
        } else {
            memset(p, 0, sizeof *p);
            p->kind = PRINCIPAL_ASSUMED_ROLE;
            const char *acct = db_text(st, 2);
            snprintf(p->account_id, sizeof p->account_id, "%s", acct);
            snprintf(p->role_name, sizeof p->role_name, "%s", db_text(st, 3));
            snprintf(p->role_id, sizeof p->role_id, "%s", db_text(st, 4));
            snprintf(p->session_name, sizeof p->session_name, "%s", db_text(st, 6));
            snprintf(p->role_arn, sizeof p->role_arn, "arn:aws:iam::%s:role%s%s", acct,
                     db_text(st, 5), p->role_name);
            snprintf(p->arn, sizeof p->arn, "arn:aws:sts::%s:assumed-role/%s/%s", acct,
                     p->role_name, p->session_name);
            snprintf(p->principal_id, sizeof p->principal_id, "%s:%s", p->role_id, p->session_name);
            snprintf(p->access_key_id, sizeof p->access_key_id, "%s", akid);
            p->session_created_ms = db_int(st, 7);
            p->session_policies = db_int(st, 9) != 0;
            snprintf(secret, sl, "%s", db_text(st, 0));
            f = SIGV4_OK;
        }
    }
    db_done(st);
    return f;
}

sigv4_failure identity_resolve(db_conn *db, const char *access_key_id, const char *token,
                               int64_t now_ms, principal *p, char *secret, size_t secret_len)
{
    if (!strncmp(access_key_id, "ASIA", 4))
        return temporary(db, access_key_id, token, now_ms, p, secret, secret_len);
    return long_term(db, access_key_id, p, secret, secret_len);
}
