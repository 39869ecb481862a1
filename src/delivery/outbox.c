#include "delivery/outbox.h"

#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "policy/s3_access.h"
#include "state/org_state.h"

void outbox_org_id(db_conn *db, const trail *t, char out[40])
{
    out[0] = '\0';
    org_info o;
    if (t->is_org && org_of_account(db, t->account_id, &o) &&
        !strcmp(o.master_account, t->account_id))
        snprintf(out, 40, "%s", o.id);
}

int64_t outbox_backoff_ms(int64_t interval_s, int64_t attempts)
{
    int64_t cap = interval_s < 10 ? 10 : interval_s > 300 ? 300 : interval_s;
    int64_t d = 1000LL << (attempts > 16 ? 16 : attempts);
    return d > cap * 1000 ? cap * 1000 : d;
}

/* Puts one object as CloudTrail does. Returns 0 written, 1 already there (*stored_ms = its
 * time; else now_ms), or -1 with an S3 / CloudTrail error code. */
static int put(const delivery_env *env, db_conn *db, const trail *t, const outbox_item *it,
               const json_t *metadata, int64_t now_ms, int64_t *stored_ms, char *code,
               size_t code_len)
{
    char org_id[40];
    outbox_org_id(db, t, org_id);
    /* The object goes where it was planned, even if the trail's bucket changed since. */
    trail as_planned = *t;
    snprintf(as_planned.s3_bucket, sizeof as_planned.s3_bucket, "%s", it->bucket);
    char resource[1200];
    snprintf(resource, sizeof resource, "arn:aws:s3:::%s/%s", it->bucket, it->key);
    if (ct_bucket_permits(db, &as_planned, org_id, "s3:PutObject", resource, code, code_len))
        return -1;
    aws_error e;
    aws_error_clear(&e);
    obj_info existing;
    memset(&existing, 0, sizeof existing);
    if (objstore_head(db, it->bucket, it->key, NULL, &existing, &e) == 0) {
        /* Written before a crash kept us from noting it: never write it twice. */
        *stored_ms = existing.modified_ms;
        obj_info_clear(&existing);
        return 1;
    }
    aws_error_clear(&e);
    s3_bucket b;
    if (!s3_bucket_load(db, it->bucket, &b)) {
        snprintf(code, code_len, "%s", "NoSuchBucket");
        return -1;
    }
    obj_put_opts po;
    memset(&po, 0, sizeof po);
    po.owner = b.account_id; /* as the bucket owner: bucket-owner-full-control */
    po.content_type = "application/json";
    po.metadata = metadata;
    po.now_ms = now_ms;
    int rc =
        objstore_put(env->objects, db, it->bucket, it->key, it->body, it->body_len, &po, NULL, &e);
    s3_bucket_clear(&b);
    if (rc) {
        snprintf(code, code_len, "%.60s", aws_error_set(&e) ? e.code : "InternalError");
        return -1;
    }
    *stored_ms = now_ms;
    return 0;
}

/* The object reached the store: the kind's step and the row's removal in one transaction,
 * so that after a crash the object is either still planned (and found in the store on the
 * retry) or its step was done once. */
static int stored(db_conn *db, const outbox_ops *ops, const trail *t, const outbox_item *it,
                  int64_t stored_ms)
{
    if (db_begin(db)) return -1;
    int rc = ops->on_stored ? ops->on_stored(db, t, it, stored_ms) : 0;
    if (!rc) rc = outbox_done(db, it->id);
    if (!rc) rc = db_commit(db);
    if (rc) db_rollback(db);
    return rc;
}

/* Whether a bookkeeping write failed (rc != 0), which is logged. The database refusing
 * writes (a full disk) stops the round: every item stays in the outbox and is tried again
 * at the next step. */
static bool refused(db_conn *db, int rc)
{
    if (rc)
        ot_log("the outbox could not record a delivery attempt (%s); it is tried again",
               db_errmsg(db));
    return rc != 0;
}

int outbox_write(const delivery_env *env, const outbox_ops *ops, int64_t now_ms)
{
    int64_t interval_s =
        ops->kind == OUTBOX_DIGEST ? env->digest_interval_s : env->delivery_interval_s;
    db_conn *db = db_acquire(env->db);
    outbox_item *items;
    size_t n = outbox_due(db, ops->kind, now_ms, OUTBOX_WRITE_BATCH, &items);
    int written = 0;
    for (size_t i = 0; i < n; i++) {
        outbox_item *it = &items[i];
        trail t;
        int found = ops->after_delete ? trail_get_or_deleted(db, it->trail_arn, &t)
                                      : trail_get(db, it->trail_arn, &t);
        if (found != 1 && found != 2) {
            /* the trail is gone: its delivery stops */
            if (refused(db, outbox_done(db, it->id))) break;
            continue;
        }
        /* A deleted trail has no status to report (GetTrailStatus cannot name it). */
        bool report = found == 1;
        json_t *meta = ops->metadata ? ops->metadata(it) : NULL;
        char code[64] = "";
        int64_t stored_ms = now_ms;
        int rc = put(env, db, &t, it, meta, now_ms, &stored_ms, code, sizeof code);
        json_decref(meta);
        if (rc >= 0) {
            if (stored(db, ops, &t, it, stored_ms)) continue; /* retried next step */
            written++;
            if (report &&
                refused(db, outbox_status_attempt(db, ops->kind, it->trail_arn, now_ms, NULL)))
                break;
        } else {
            int64_t next_ms = now_ms + outbox_backoff_ms(interval_s, it->attempts);
            if (refused(db, outbox_retry(db, it->id, next_ms)) ||
                (report &&
                 refused(db, outbox_status_attempt(db, ops->kind, it->trail_arn, now_ms, code))))
                break;
        }
    }
    outbox_items_free(items, n);
    db_release(env->db, db);
    return written;
}
