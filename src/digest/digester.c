#include "digest/digester.h"

#include <assert.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "delivery/logfile.h"
#include "delivery/outbox.h"
#include "digest/digestfile.h"
#include "digest/keystore.h"
#include "digest/signer_client.h"
#include "state/digest_state.h"
#include "state/org_state.h"
#include "state/trail_state.h"

/* ---------------------------------------------------------------------------------------
 * Planning */

typedef struct accounts {
    char (*ids)[13];
    size_t n, cap;
} accounts;

static void add_account(const char *id, void *arg)
{
    accounts *a = arg;
    a->ids = xgrow(a->ids, &a->cap, a->n + 1, sizeof *a->ids);
    snprintf(a->ids[a->n++], sizeof *a->ids, "%s", id);
}

static bool covers(const accounts *a, const char *id)
{
    for (size_t i = 0; i < a->n; i++)
        if (!strcmp(a->ids[i], id)) return true;
    return false;
}

typedef struct chains {
    digest_chain *v;
    size_t n, cap;
} chains;

/* Starts (or restarts) the chain of account x region unless it runs: a first digest,
 * window from now (never before its last end, so keys never repeat). */
static int ensure_chain(db_conn *db, chains *cs, const char *arn, const char *account,
                        const char *region, int64_t now_ms)
{
    digest_chain *c = NULL;
    for (size_t i = 0; i < cs->n && !c; i++)
        if (!strcmp(cs->v[i].account_id, account) && !strcmp(cs->v[i].region, region))
            c = &cs->v[i];
    if (c && c->running) return 0;
    if (!c) {
        cs->v = xgrow(cs->v, &cs->cap, cs->n + 1, sizeof *cs->v);
        c = &cs->v[cs->n++];
        memset(c, 0, sizeof *c);
        snprintf(c->trail_arn, sizeof c->trail_arn, "%s", arn);
        snprintf(c->account_id, sizeof c->account_id, "%s", account);
        snprintf(c->region, sizeof c->region, "%s", region);
    }
    int64_t start = now_ms / 1000 * 1000;
    c->start_ms = start > c->last_end_ms ? start : c->last_end_ms;
    c->running = true;
    c->has_prev = false;
    return digest_chain_put(db, c);
}

/* Plans the digest of chain c for [c->start_ms, end_ms) and moves the chain; one
 * transaction. keep_running false makes it the chain's last digest. 0, or -1. */
static int plan_one(const delivery_env *env, signer_client *sg, db_conn *db, const trail *t,
                    const char *org_id, digest_chain *c, int64_t end_ms, bool keep_running,
                    int64_t now_ms)
{
    /* Only a running chain moves, and only forward: what the signer will insist on too. */
    assert(c->running && end_ms > c->start_ms);
    if (db_begin(db)) return -1;
    aws_error e;
    aws_error_clear(&e);
    public_key pub;
    pending_log *logs = NULL;
    size_t n_logs = 0;
    digest_log *entries = NULL;
    buf json = BUF_INIT;
    unsigned char *gz = NULL;
    size_t gz_len = 0;
    int rc = -1;
    if (keystore_key_for(db, sg, c->region, end_ms, (int64_t)env->signing_key_period_s * 1000,
                         now_ms, &pub, &e)) {
        ot_log("digest for %s %s %s: %s", t->arn, c->account_id, c->region, e.message);
        db_rollback(db);
        return -1;
    }
    n_logs = digest_pending_of(db, t->arn, c->account_id, c->region, &logs);
    entries = calloc(n_logs ? n_logs : 1, sizeof *entries);
    if (!entries) abort();
    for (size_t i = 0; i < n_logs; i++) {
        entries[i].bucket = logs[i].bucket;
        entries[i].key = logs[i].key;
        entries[i].sha256 = logs[i].sha256;
        entries[i].oldest_event_ms = logs[i].oldest_event_ms;
        entries[i].newest_event_ms = logs[i].newest_event_ms;
    }
    outbox_item d;
    memset(&d, 0, sizeof d);
    d.kind = OUTBOX_DIGEST;
    d.planned_ms = now_ms;
    snprintf(d.trail_arn, sizeof d.trail_arn, "%s", t->arn);
    snprintf(d.account_id, sizeof d.account_id, "%s", c->account_id);
    snprintf(d.region, sizeof d.region, "%s", c->region);
    snprintf(d.bucket, sizeof d.bucket, "%s", t->s3_bucket);
    d.end_ms = end_ms;
    if (digest_key(d.key, sizeof d.key, t->s3_prefix, org_id, c->account_id, c->region, t->name,
                   t->home_region, end_ms) < 0)
        goto out;
    digest_doc doc = {.account_id = c->account_id,
                      .start_ms = c->start_ms,
                      .end_ms = end_ms,
                      .bucket = d.bucket,
                      .key = d.key,
                      .fingerprint = pub.fingerprint,
                      .prev_bucket = c->has_prev ? c->prev_bucket : NULL,
                      .prev_key = c->has_prev ? c->prev_key : NULL,
                      .prev_hash = c->has_prev ? c->prev_hash : NULL,
                      .prev_signature = c->has_prev ? c->prev_signature : NULL,
                      .logs = entries,
                      .n_logs = n_logs};
    digest_json(&doc, &json);
    char hash[65];
    hash_sha256_hex(json.data, json.len, hash);
    /* The signer builds the signing string itself and signs only what moves the chain
     * forward (signer.h). */
    signer_request sr = {.trail_arn = t->arn,
                         .account_id = c->account_id,
                         .region = c->region,
                         .fingerprint = pub.fingerprint,
                         .end_ms = end_ms,
                         .bucket = d.bucket,
                         .key = d.key,
                         .sha256 = hash,
                         .previous_signature = c->has_prev ? c->prev_signature : NULL};
    int signed_rc = signer_sign(sg, &sr, d.signature, &e);
    if (signed_rc == SIGNER_REFUSED) {
        /* Only after a crash between signing and this commit, with other log files since:
         * the chain starts again after end_ms, its files going into the next digest. */
        ot_log("digest %s: %s; the chain starts again", d.key, e.message);
        digest_chain next = *c;
        next.has_prev = false;
        next.start_ms = end_ms;
        next.last_end_ms = end_ms;
        if (digest_chain_put(db, &next) || db_commit(db)) goto out;
        *c = next;
        rc = -1;
        goto done;
    }
    if (signed_rc) {
        ot_log("digest %s: %s", d.key, e.message);
        goto out;
    }
    if (logfile_gzip(json.data, json.len, &gz, &gz_len)) goto out;
    d.body = gz;
    d.body_len = gz_len;
    if (outbox_insert(db, &d)) goto out;
    for (size_t i = 0; i < n_logs; i++)
        if (digest_pending_remove(db, t->arn, &logs[i])) goto out;
    digest_chain next = *c;
    next.running = keep_running;
    next.start_ms = end_ms;
    next.last_end_ms = end_ms;
    next.has_prev = true;
    snprintf(next.prev_bucket, sizeof next.prev_bucket, "%s", d.bucket);
    snprintf(next.prev_key, sizeof next.prev_key, "%s", d.key);
    snprintf(next.prev_hash, sizeof next.prev_hash, "%s", hash);
    snprintf(next.prev_signature, sizeof next.prev_signature, "%s", d.signature);
    if (digest_chain_put(db, &next) || db_commit(db)) goto out;
    *c = next;
    rc = 0;
out:
    if (rc) {
        ot_log("could not plan the digest %s: %s", d.key, db_errmsg(db));
        db_rollback(db);
    }
done:
    free(gz);
    buf_free(&json);
    free(entries);
    free(logs);
    public_key_clear(&pub);
    return rc;
}

static int plan_trail(const delivery_env *env, signer_client *sg, db_conn *db, const char *arn,
                      int64_t now_ms)
{
    trail t;
    int found = trail_get_or_deleted(db, arn, &t);
    /* Deleted: its running chains still end with a last digest, from the settings
     * DeleteTrail kept. Without them (nothing left to do) the chains are forgotten. */
    if (!found) return digest_forget_trail(db, arn) ? -1 : 0;
    bool deleted = found == 2;
    char org_id[40];
    outbox_org_id(db, &t, org_id);
    bool active = !deleted && t.logging && t.log_validation;
    accounts covered = {0};
    if (org_id[0]) {
        org_info o;
        if (org_of_account(db, t.account_id, &o)) org_each_account(db, add_account, &covered);
    } else {
        add_account(t.account_id, &covered);
    }
    chains cs = {0};
    cs.n = cs.cap = digest_chains_of(db, arn, &cs.v);
    int rc = 0;
    if (active) {
        for (size_t i = 0; i < covered.n && !rc; i++)
            rc = ensure_chain(db, &cs, arn, covered.ids[i], t.home_region, now_ms);
        pending_log *p;
        size_t np = digest_pending_chains(db, arn, &p);
        for (size_t i = 0; i < np && !rc; i++)
            rc = ensure_chain(db, &cs, arn, p[i].account_id, p[i].region, now_ms);
        free(p);
    }
    int64_t interval = (int64_t)env->digest_interval_s * 1000;
    int planned = 0;
    for (size_t i = 0; i < cs.n && !rc; i++) {
        digest_chain *c = &cs.v[i];
        if (!c->running || now_ms < c->start_ms + interval) continue;
        int64_t end = c->start_ms + (now_ms - c->start_ms) / interval * interval;
        bool keep = active && covers(&covered, c->account_id);
        if (plan_one(env, sg, db, &t, org_id, c, end, keep, now_ms))
            rc = -1;
        else
            planned++;
    }
    /* A deleted trail whose chains have all ended and whose last digests are written is
     * forgotten: its chains, the files no digest will name, its kept settings. */
    if (deleted && !rc) {
        bool running = false;
        for (size_t i = 0; i < cs.n; i++)
            running |= cs.v[i].running;
        if (!running && outbox_pending(db, OUTBOX_DIGEST, arn) == 0 &&
            (digest_forget_trail(db, arn) || trail_forget_deleted(db, arn)))
            rc = -1;
    }
    free(cs.v);
    free(covered.ids);
    return rc ? -1 : planned;
}

int digest_plan(const delivery_env *env, signer_client *sg, int64_t now_ms)
{
    db_conn *db = db_acquire(env->db);
    char(*arns)[256];
    size_t n = digest_trails(db, &arns);
    int total = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        int k = plan_trail(env, sg, db, arns[i], now_ms);
        if (k < 0)
            failed = 1;
        else
            total += k;
    }
    free(arns);
    db_release(env->db, db);
    return failed ? -1 : total;
}

/* ---------------------------------------------------------------------------------------
 * Writing (delivery/outbox.h) */

/* The two user-metadata headers the AWS CLI reads (S3 keeps names lower case). */
static json_t *digest_metadata(const outbox_item *d)
{
    return json_pack("{s:s, s:s}", "signature", d->signature, "signature-algorithm",
                     SIGNKEY_ALGORITHM);
}

/* A deleted trail's last digests are written with its kept settings. */
static const outbox_ops DIGESTS = {
    .kind = OUTBOX_DIGEST, .after_delete = true, .metadata = digest_metadata};

int digest_write(const delivery_env *env, int64_t now_ms)
{
    return outbox_write(env, &DIGESTS, now_ms);
}
