#include "delivery/deliver.h"

#include "state/notify_state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "core/xalloc.h"
#include "delivery/gzpool.h"
#include "delivery/logfile.h"
#include "delivery/outbox.h"
#include "delivery/select.h"
#include "state/delivery_state.h"
#include "state/digest_state.h"

/* ---------------------------------------------------------------------------------------
 * Planning */

typedef struct group {
    size_t trail; /* index into the round's trails */
    char account[13];
    char region[32];
    uint64_t first_seq, last_seq;
    int64_t records;
    int64_t oldest_event_ms, newest_event_ms; /* for the file's digest entry */
    buf json;
} group;

typedef struct round {
    select_trail *trails;
    size_t n_trails;
    group *groups;
    size_t n_groups, cap_groups;
    outbox_item *files;
    gz_job **jobs; /* jobs[i] compresses files[i] (owned until collected) */
    size_t n_files, cap_files;
    gzpool *pool; /* NULL: compress on the planning thread */
    int64_t now_ms;
    int failed;
} round;

size_t delivery_load_trails(db_conn *db, bool cwl_only, select_trail **out)
{
    size_t n = 0, cap = 0;
    *out = NULL;
    /* Collect ARNs first: loading runs queries of its own on this connection. */
    char(*arns)[256] = NULL;
    size_t na = 0;
    sqlite3_stmt *st =
        db_query(db, "SELECT DISTINCT trail_arn FROM trail_logging_spans ORDER BY trail_arn", "");
    while (db_row(st)) {
        arns = xgrow(arns, &cap, na + 1, sizeof *arns);
        snprintf(arns[na++], sizeof *arns, "%s", db_text(st, 0));
    }
    db_done(st);
    if (na) {
        *out = calloc(na, sizeof **out);
        if (!*out) abort();
    }
    for (size_t i = 0; i < na; i++) {
        trail t;
        if (trail_get(db, arns[i], &t) != 1) continue; /* deleted */
        if (cwl_only && !t.cwl_group_arn[0]) continue;
        select_trail_load(db, &t, &(*out)[n++]);
    }
    free(arns);
    return n;
}

static void finish_group(round *r, group *g)
{
    if (!g->records) return;
    const select_trail *st = &r->trails[g->trail];
    logfile_end(&g->json);
    size_t jobs_cap = r->cap_files; /* both arrays grow in step */
    r->jobs = xgrow(r->jobs, &jobs_cap, r->n_files + 1, sizeof *r->jobs);
    r->files = xgrow(r->files, &r->cap_files, r->n_files + 1, sizeof *r->files);
    outbox_item *f = &r->files[r->n_files];
    memset(f, 0, sizeof *f);
    f->kind = OUTBOX_LOG;
    snprintf(f->trail_arn, sizeof f->trail_arn, "%s", st->t.arn);
    snprintf(f->bucket, sizeof f->bucket, "%s", st->t.s3_bucket);
    snprintf(f->account_id, sizeof f->account_id, "%s", g->account);
    snprintf(f->region, sizeof f->region, "%s", g->region);
    f->first_seq = g->first_seq;
    f->last_seq = g->last_seq;
    f->records = g->records;
    f->planned_ms = r->now_ms;
    f->oldest_event_ms = g->oldest_event_ms;
    f->newest_event_ms = g->newest_event_ms;
    char unique[LOGFILE_UNIQUE_LEN + 1];
    logfile_unique(st->t.arn, g->account, g->region, g->first_seq, unique);
    if (logfile_key(f->key, sizeof f->key, st->t.s3_prefix, st->org_id, g->account, g->region,
                    r->now_ms, unique) < 0) {
        r->failed = 1;
        buf_reset(&g->json);
    } else {
        /* The JSON moves to the job; gzip and hash run beside the planning (gzpool.h). */
        gz_job *j = calloc(1, sizeof *j);
        if (!j) abort();
        j->json = g->json;
        g->json = (buf)BUF_INIT;
        r->jobs[r->n_files++] = j;
        gzpool_submit(r->pool, j);
    }
    g->records = 0;
}

/* Waits for the round's compression jobs and moves their results into the files. */
static void collect_jobs(round *r)
{
    gzpool_wait(r->pool);
    for (size_t i = 0; i < r->n_files; i++) {
        gz_job *j = r->jobs[i];
        if (!j) continue;
        outbox_item *f = &r->files[i];
        if (j->rc) r->failed = 1;
        f->body = j->body;
        f->body_len = j->body_len;
        memcpy(f->json_sha256, j->sha256, sizeof f->json_sha256);
        gzpool_buf_give(r->pool, &j->json);
        free(j);
        r->jobs[i] = NULL;
    }
}

static group *group_for(round *r, size_t ti, const char *account, const char *region)
{
    for (size_t i = 0; i < r->n_groups; i++) {
        group *g = &r->groups[i];
        if (g->trail == ti && !strcmp(g->account, account) && !strcmp(g->region, region)) return g;
    }
    r->groups = xgrow(r->groups, &r->cap_groups, r->n_groups + 1, sizeof *r->groups);
    group *g = &r->groups[r->n_groups++];
    memset(g, 0, sizeof *g);
    g->trail = ti;
    snprintf(g->account, sizeof g->account, "%s", account);
    snprintf(g->region, sizeof g->region, "%s", region);
    return g;
}

static void add_record(round *r, size_t ti, const select_event *e, const char *text, size_t len,
                       uint64_t seq)
{
    group *g = group_for(r, ti, e->recipient, e->region);
    if (g->records && g->json.len + len + 3 > DELIVERY_FILE_CAP) finish_group(r, g);
    if (!g->records) {
        if (!g->json.cap) gzpool_buf_take(r->pool, &g->json);
        logfile_begin(&g->json);
        g->first_seq = seq;
        g->oldest_event_ms = g->newest_event_ms = e->event_ms;
    }
    if (e->event_ms < g->oldest_event_ms) g->oldest_event_ms = e->event_ms;
    if (e->event_ms > g->newest_event_ms) g->newest_event_ms = e->event_ms;
    logfile_add(&g->json, text, len);
    g->last_seq = seq;
    g->records++;
}

static void round_free(round *r)
{
    collect_jobs(r);
    free(r->jobs);
    for (size_t i = 0; i < r->n_trails; i++)
        select_trail_free(&r->trails[i]);
    free(r->trails);
    for (size_t i = 0; i < r->n_groups; i++)
        buf_free(&r->groups[i].json);
    free(r->groups);
    outbox_items_free(r->files, r->n_files);
}

/* Delivery cannot read past damage in an older journal segment: it says so at every plan
 * (a restart then refuses to start with the same message) rather than wait in silence. */
static void report_damage(const delivery_env *env, const journal_reader *jr)
{
    journal_damage d;
    if (journal_reader_damage(jr, &d) == 1) {
        char msg[1024];
        journal_damage_describe(&d, env->data_dir, msg, sizeof msg);
        ot_log("delivery is stopped: %s", msg);
    }
    journal_damage_clear(&d);
}

uint64_t delivery_read_journal(const delivery_env *env, uint64_t cursor, uint64_t durable,
                               size_t max, delivery_record_fn fn, void *arg, size_t *count)
{
    journal_reader jr;
    journal_reader_open(&jr, env->data_dir, cursor);
    select_scratch sc = SELECT_SCRATCH_INIT;
    uint64_t end = cursor - 1;
    const char *p;
    size_t len;
    uint64_t seq;
    int read_rc = 0;
    *count = 0;
    while (*count < max) {
        read_rc = journal_reader_next(&jr, &p, &len, &seq);
        if (read_rc != 1 || seq > durable) break;
        end = seq;
        (*count)++;
        if (!fn) continue;
        /* The journal holds valid JSON only (every writer checks or builds it): reading the
         * few fields the selection needs from the text beats building a tree by far. */
        select_event e;
        if (!select_event_scan(p, len, &sc, &e)) fn(arg, seq, &e, p, len);
    }
    select_scratch_free(&sc);
    if (read_rc == JOURNAL_READ_DAMAGED) report_damage(env, &jr);
    journal_reader_close(&jr);
    return end;
}

static void select_into_round(void *arg, uint64_t seq, const select_event *e, const char *text,
                              size_t len)
{
    round *r = arg;
    for (size_t i = 0; i < r->n_trails; i++)
        if (select_record(&r->trails[i], e, seq)) add_record(r, i, e, text, len, seq);
}

int delivery_plan_round(const delivery_env *env, gzpool *pool, int64_t now_ms, uint64_t *cursor_out,
                        bool *full)
{
    db_conn *db = db_acquire(env->db);
    uint64_t cursor = delivery_cursor_get(db);
    uint64_t durable = journal_durable(env->journal);
    *cursor_out = cursor;
    *full = false;
    if (durable < cursor) {
        db_release(env->db, db);
        return 0;
    }
    round r;
    memset(&r, 0, sizeof r);
    r.now_ms = now_ms;
    r.pool = pool;
    r.n_trails = delivery_load_trails(db, false, &r.trails);

    size_t count = 0;
    uint64_t end = delivery_read_journal(env, cursor, durable, DELIVERY_ROUND_RECORDS,
                                         r.n_trails ? select_into_round : NULL, &r, &count);
    if (end < cursor) {
        round_free(&r);
        db_release(env->db, db);
        return 0;
    }
    for (size_t i = 0; i < r.n_groups; i++)
        finish_group(&r, &r.groups[i]);
    collect_jobs(&r);

    int rc = r.failed ? -1 : 0;
    if (!rc && db_begin(db)) rc = -1;
    if (!rc) {
        for (size_t i = 0; i < r.n_files && !rc; i++)
            if (outbox_insert(db, &r.files[i])) rc = -1;
        if (!rc && delivery_cursor_set(db, end + 1)) rc = -1;
        if (!rc && db_commit(db)) rc = -1;
        if (rc) db_rollback(db);
    }
    if (!rc) {
        *cursor_out = end + 1;
        *full = count == DELIVERY_ROUND_RECORDS;
    } else
        ot_log("delivery could not plan records %llu..%llu: %s", (unsigned long long)cursor,
               (unsigned long long)end, db_errmsg(db));
    int files = rc ? -1 : (int)r.n_files;
    round_free(&r);
    db_release(env->db, db);
    return files;
}

int delivery_recover(const delivery_env *env)
{
    db_conn *db = db_acquire(env->db);
    uint64_t cursor = delivery_cursor_get(db);
    uint64_t durable = journal_durable(env->journal);
    int rc = 0;
    /* Past the journal's end only after a restart that dropped a batch whose write had
     * failed (never acknowledged, never readable, so never planned): its numbers are
     * handed out again and must not be skipped. */
    if (cursor > durable + 1) rc = delivery_cursor_set(db, durable + 1);
    db_release(env->db, db);
    return rc;
}

int delivery_plan(const delivery_env *env, int64_t now_ms)
{
    return delivery_plan_pooled(env, NULL, now_ms);
}

int delivery_plan_pooled(const delivery_env *env, gzpool *pool, int64_t now_ms)
{
    uint64_t cursor;
    bool full;
    return delivery_plan_round(env, pool, now_ms, &cursor, &full);
}

/* ---------------------------------------------------------------------------------------
 * Writing (delivery/outbox.h) */

/* A log file in the store: for a trail with log file validation, queue it for its
 * chain's next digest. Runs in the transaction that retires the plan, so that it is
 * queued once (digest/digester.h, 1). */
/* A trail with an SNS topic announces each log file it delivered, with CloudTrail's
 * message, published as cloudtrail.amazonaws.com for the trail (state/notify_state.h). */
static int announce_file(db_conn *db, const trail *t, const outbox_item *f, int64_t stored_ms)
{
    if (!t->sns_topic[0]) return 0;
    char topic[300];
    trail_sns_topic_arn(t, topic, sizeof topic);
    json_t *m = json_pack("{s:s, s:[s]}", "s3Bucket", f->bucket, "s3ObjectKey", f->key);
    char *text = json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(m);
    int rc = notify_queue(db, topic, "cloudtrail.amazonaws.com", t->arn, t->account_id, NULL, text,
                          stored_ms);
    free(text);
    return rc;
}

static int file_stored(db_conn *db, const trail *t, const outbox_item *f, int64_t stored_ms)
{
    if (announce_file(db, t, f, stored_ms)) return -1;
    if (!t->log_validation) return 0;
    pending_log l;
    memset(&l, 0, sizeof l);
    snprintf(l.account_id, sizeof l.account_id, "%s", f->account_id);
    snprintf(l.region, sizeof l.region, "%s", f->region);
    snprintf(l.bucket, sizeof l.bucket, "%s", f->bucket);
    snprintf(l.key, sizeof l.key, "%s", f->key);
    l.oldest_event_ms = f->oldest_event_ms;
    l.newest_event_ms = f->newest_event_ms;
    l.delivered_ms = stored_ms;
    if (f->json_sha256[0]) {
        snprintf(l.sha256, sizeof l.sha256, "%s", f->json_sha256);
    } else { /* planned before digests existed */
        char *json;
        size_t len;
        if (logfile_gunzip(f->body, f->body_len, &json, &len) == 0) {
            hash_sha256_hex(json, len, l.sha256);
            free(json);
        }
    }
    return l.sha256[0] ? digest_pending_add(db, t->arn, &l) : 0;
}

/* A deleted trail's log files are dropped: its delivery stops with it. */
static const outbox_ops LOG_FILES = {.kind = OUTBOX_LOG, .on_stored = file_stored};

int delivery_write(const delivery_env *env, int64_t now_ms)
{
    return outbox_write(env, &LOG_FILES, now_ms);
}

size_t delivery_scan_backlog(const delivery_env *env, journal_reader *scan, size_t bytes)
{
    uint64_t durable = journal_durable(env->journal);
    const char *p;
    size_t len;
    uint64_t seq;
    while (bytes < DELIVERY_FILE_CAP && scan->next_seq <= durable &&
           journal_reader_next(scan, &p, &len, &seq) == 1 && seq <= durable)
        bytes += len;
    return bytes;
}
