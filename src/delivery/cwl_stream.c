/* cwl_stream: CloudTrail records into trails' CloudWatch Logs groups. */
#include "delivery/cwl_stream.h"

#include "detect/metric_filters.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "delivery/deliver.h"
#include "delivery/outbox.h"
#include "delivery/select.h"
#include "policy/authz_subject.h"
#include "policy/policy.h"
#include "state/delivery_state.h"
#include "state/iam_state.h"
#include "state/logstore.h"
#include "state/outbox_state.h"

int cwl_group_parse(const char *arn, cwl_group *g)
{
    memset(g, 0, sizeof *g);
    static const char prefix[] = "arn:aws:logs:";
    if (!arn || strncmp(arn, prefix, sizeof prefix - 1) != 0) return -1;
    const char *p = arn + sizeof prefix - 1;
    const char *colon = strchr(p, ':');
    if (!colon || colon == p || (size_t)(colon - p) >= sizeof g->region) return -1;
    memcpy(g->region, p, (size_t)(colon - p));
    p = colon + 1;
    colon = strchr(p, ':');
    if (!colon || colon - p != 12) return -1;
    for (const char *d = p; d < colon; d++)
        if (*d < '0' || *d > '9') return -1;
    memcpy(g->account_id, p, 12);
    p = colon + 1;
    static const char kind[] = "log-group:";
    if (strncmp(p, kind, sizeof kind - 1) != 0) return -1;
    p += sizeof kind - 1;
    size_t n = strlen(p);
    if (n >= 2 && strcmp(p + n - 2, ":*") == 0) n -= 2;
    if (n == 0 || n >= sizeof g->name || memchr(p, ':', n)) return -1;
    memcpy(g->name, p, n);
    return 0;
}

void cwl_stream_name(const trail *t, const char *org_id, const char *account, const char *region,
                     char *out, size_t n)
{
    if (t->is_org && org_id && org_id[0] && strcmp(account, t->account_id) != 0)
        snprintf(out, n, "%s_%s_CloudTrail_%s", org_id, account, region);
    else
        snprintf(out, n, "%s_CloudTrail_%s", account, region);
}

/* The role's name: the last part of arn:aws:iam::ACCOUNT:role/[path/]NAME; NULL when the
 * ARN is not a role's of account. */
static const char *role_name_of(const char *arn, const char *account)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "arn:aws:iam::%s:role/", account);
    if (!arn || strncmp(arn, prefix, strlen(prefix)) != 0) return NULL;
    const char *name = strrchr(arn, '/') + 1;
    return *name ? name : NULL;
}

static int refuse(char *code, size_t code_n, const char *c, char *why, size_t why_n, const char *w)
{
    snprintf(code, code_n, "%s", c);
    snprintf(why, why_n, "%s", w);
    return -1;
}

static bool decide(db_conn *db, const iam_data *iam, const principal *p, const authz_target *t)
{
    authz_subject s;
    authz_subject_load(db, iam, p, &s);
    authz_input in;
    authz_result r = authz_subject_decide(&s, p, t, &in);
    authz_subject_clear(&s);
    return r.decision == AUTHZ_ALLOW;
}

int cwl_role_permits(db_conn *db, const iam_data *iam, const char *role_arn, const cwl_group *g,
                     const char *stream, char *code, size_t code_n, char *why, size_t why_n)
{
    const char *name = role_name_of(role_arn, g->account_id);
    iam_role role;
    if (!name || iam_role_get(db, g->account_id, name, &role) != 1)
        return refuse(code, code_n, "AccessDeniedException", why, why_n,
                      "the role does not exist in the log group's account");
    aws_error ignored;
    json_t *trust =
        policy_parse(role.trust_policy, POLICY_TRUST, "MalformedPolicyDocument", NULL, &ignored);
    static const char *const no_context[] = {NULL};
    principal svc = {.kind = PRINCIPAL_SERVICE};
    snprintf(svc.service, sizeof svc.service, "cloudtrail.amazonaws.com");
    snprintf(svc.arn, sizeof svc.arn, "cloudtrail.amazonaws.com");
    authz_target assume = {
        .action = "sts:AssumeRole",
        .resource = role.arn,
        .resource_account = role.account_id,
        .resource_policy = trust,
        .resource_must_allow = true,
        .context = no_context,
    };
    bool trusted = trust && decide(db, iam, &svc, &assume);
    json_decref(trust);
    if (!trusted) {
        iam_role_clear(&role);
        return refuse(code, code_n, "AccessDeniedException", why, why_n,
                      "the role's trust policy does not let cloudtrail.amazonaws.com assume it");
    }
    /* CloudTrail's session of the role, as its records name it. */
    principal session = {.kind = PRINCIPAL_ASSUMED_ROLE};
    snprintf(session.account_id, sizeof session.account_id, "%s", role.account_id);
    snprintf(session.role_name, sizeof session.role_name, "%s", role.name);
    snprintf(session.role_id, sizeof session.role_id, "%s", role.role_id);
    snprintf(session.role_arn, sizeof session.role_arn, "%.319s", role.arn);
    snprintf(session.session_name, sizeof session.session_name, "CloudTrail");
    snprintf(session.arn, sizeof session.arn, "arn:aws:sts::%s:assumed-role/%s/CloudTrail",
             role.account_id, role.name);
    snprintf(session.principal_id, sizeof session.principal_id, "%s:CloudTrail", role.role_id);
    iam_role_clear(&role);
    char arn[1200];
    snprintf(arn, sizeof arn, "arn:aws:logs:%s:%s:log-group:%s:log-stream:%s", g->region,
             g->account_id, g->name, stream);
    static const char *const actions[] = {"logs:CreateLogStream", "logs:PutLogEvents"};
    for (size_t i = 0; i < 2; i++) {
        authz_target t = {.action = actions[i], .resource = arn, .context = no_context};
        if (!decide(db, iam, &session, &t)) {
            snprintf(why, why_n, "the role does not allow %s on %s", actions[i], arn);
            snprintf(code, code_n, "AccessDeniedException");
            return -1;
        }
    }
    return 0;
}

int cwl_check_target(db_conn *db, const iam_data *iam, const trail *t, aws_error *e)
{
    const char *group = t->cwl_group_arn, *role = t->cwl_role_arn;
    if (!group[0] && !role[0]) return 0;
    if (group[0] && !role[0])
        return aws_fail(e, 400, "InvalidCloudWatchLogsRoleArnException",
                        "You must specify a role ARN as well as a log group.");
    if (!group[0])
        return aws_fail(e, 400, "InvalidCloudWatchLogsLogGroupArnException",
                        "You must specify a log group as well as a role ARN.");
    cwl_group g;
    if (cwl_group_parse(group, &g))
        return aws_fail(e, 400, "InvalidCloudWatchLogsLogGroupArnException",
                        "CloudWatch Logs log group ARN %.300s is not valid.", group);
    /* The group is the trail owner's, in the trail's home region: an organization
     * trail's is therefore the management account's, in its region. */
    if (strcmp(g.account_id, t->account_id) != 0 || strcmp(g.region, t->home_region) != 0)
        return aws_fail(e, 400, "InvalidCloudWatchLogsLogGroupArnException",
                        "The log group must be in the trail's account (%s) and home region "
                        "(%s).",
                        t->account_id, t->home_region);
    int64_t exists = 0;
    db_get_int(db, &exists,
               "SELECT COUNT(*) FROM log_groups WHERE account_id = ? AND region = ? AND name = ?",
               "sss", g.account_id, g.region, g.name);
    if (!exists)
        return aws_fail(e, 400, "InvalidCloudWatchLogsLogGroupArnException",
                        "Log group %.300s does not exist.", g.name);
    if (!role_name_of(role, t->account_id))
        return aws_fail(e, 400, "InvalidCloudWatchLogsRoleArnException",
                        "CloudWatch Logs role ARN %.300s is not valid: it must be a role of "
                        "account %s.",
                        role, t->account_id);
    char stream[300], code[64], why[1400];
    cwl_stream_name(t, "", t->account_id, t->home_region, stream, sizeof stream);
    if (cwl_role_permits(db, iam, role, &g, stream, code, sizeof code, why, sizeof why))
        return aws_fail(e, 400, "InvalidCloudWatchLogsRoleArnException",
                        "Access denied. Verify in IAM that the role has adequate permissions "
                        "(%s).",
                        why);
    return 0;
}

/* ----- the streaming round ----- */

/* The events of one round for one (trail, stream). */
typedef struct batch {
    size_t trail;
    char stream[300];
    logstore_input *ev;
    size_t n, cap;
} batch;

typedef struct round {
    select_trail *trails;
    size_t n_trails;
    cwl_group *groups; /* per trail; an unparsable ARN leaves name "" */
    batch *batches;
    size_t n_batches, cap_batches;
    /* The events' messages. Why an arena: a malloc and free per record were ~5% of the
     * streamer's samples, and one growing buffer per batch, ~15% (moves and page faults). */
    arena text;
} round;

static batch *batch_for(round *r, size_t ti, const char *stream)
{
    for (size_t i = r->n_batches; i-- > 0;)
        if (r->batches[i].trail == ti && strcmp(r->batches[i].stream, stream) == 0)
            return &r->batches[i];
    r->batches = xgrow(r->batches, &r->cap_batches, r->n_batches + 1, sizeof *r->batches);
    batch *b = &r->batches[r->n_batches++];
    memset(b, 0, sizeof *b);
    b->trail = ti;
    snprintf(b->stream, sizeof b->stream, "%s", stream);
    return b;
}

static void add_event(round *r, size_t ti, const select_event *e, const char *text, size_t len)
{
    char stream[300];
    const select_trail *st = &r->trails[ti];
    cwl_stream_name(&st->t, st->org_id, e->recipient, e->region, stream, sizeof stream);
    batch *b = batch_for(r, ti, stream);
    b->ev = xgrow(b->ev, &b->cap, b->n + 1, sizeof *b->ev);
    /* The journal's text is valid only until the reader moves on: each message is copied. */
    b->ev[b->n++] = (logstore_input){
        .timestamp = e->event_ms, .message = arena_copy(&r->text, text, len), .len = len};
}

static void select_into_batches(void *arg, uint64_t seq, const select_event *e, const char *text,
                                size_t len)
{
    round *r = arg;
    for (size_t i = 0; i < r->n_trails; i++)
        if (select_record(&r->trails[i], e, seq)) add_event(r, i, e, text, len);
}

static void round_free(round *r)
{
    for (size_t i = 0; i < r->n_batches; i++)
        free(r->batches[i].ev);
    arena_free(&r->text);
    free(r->batches);
    for (size_t i = 0; i < r->n_trails; i++)
        select_trail_free(&r->trails[i]);
    free(r->trails);
    free(r->groups);
}

static int by_timestamp(const void *a, const void *b)
{
    const logstore_input *x = a, *y = b;
    return (x->timestamp > y->timestamp) - (x->timestamp < y->timestamp);
}

/* Writes one batch (in the round's transaction). A role that may not, or a group that
 * is gone, costs the batch, not the round: returns 0 then, with the error in *status. */
static int write_batch(const delivery_env *env, db_conn *db, round *r, batch *b, int64_t now_ms,
                       const char **status)
{
    const select_trail *st = &r->trails[b->trail];
    const cwl_group *g = &r->groups[b->trail];
    char code[64], why[1400];
    *status = NULL;
    if (!g->name[0]) {
        *status = "InvalidCloudWatchLogsLogGroupArn";
        return 0;
    }
    if (cwl_role_permits(db, env->iam, st->t.cwl_role_arn, g, b->stream, code, sizeof code, why,
                         sizeof why)) {
        *status = "AccessDeniedException";
        return 0;
    }
    logstore_key k = {g->account_id, g->region, g->name, b->stream};
    int rc = logstore_ensure_stream(db, &k, now_ms);
    if (rc == LOGSTORE_NO_GROUP) {
        *status = "ResourceNotFoundException";
        return 0;
    }
    if (rc) return -1;
    /* Records arrive in capture order, which is eventTime order up to the second; a stream
     * takes events in any order, but keep each batch chronological as PutLogEvents'
     * callers must. */
    qsort(b->ev, b->n, sizeof *b->ev, by_timestamp);
    if (logstore_append(db, &k, b->ev, b->n, now_ms, NULL)) return -1;
    /* The group's metric filters, metrics and alarms move in the round's transaction. */
    return mf_publish(db, g->account_id, g->region, g->name, b->ev, b->n, now_ms);
}

int cwl_stream_round(const delivery_env *env, int64_t now_ms, bool *more)
{
    *more = false;
    db_conn *db = db_acquire(env->db);
    uint64_t cursor = cwl_cursor_get(db);
    uint64_t durable = journal_durable(env->journal);
    if (durable < cursor) {
        db_release(env->db, db);
        return 0;
    }
    round r;
    memset(&r, 0, sizeof r);
    r.n_trails = delivery_load_trails(db, true, &r.trails);
    r.groups = xcalloc(r.n_trails ? r.n_trails : 1, sizeof *r.groups);
    for (size_t i = 0; i < r.n_trails; i++)
        cwl_group_parse(r.trails[i].t.cwl_group_arn, &r.groups[i]);

    size_t count = 0;
    uint64_t end = delivery_read_journal(env, cursor, durable, CWL_ROUND_RECORDS,
                                         r.n_trails ? select_into_batches : NULL, &r, &count);
    if (end < cursor) {
        round_free(&r);
        db_release(env->db, db);
        return 0;
    }
    int rc = db_begin(db) ? -1 : 0;
    for (size_t i = 0; i < r.n_batches && !rc; i++) {
        const char *status;
        rc = write_batch(env, db, &r, &r.batches[i], now_ms, &status);
        if (!rc)
            rc = outbox_status_attempt(db, OUTBOX_CWL, r.trails[r.batches[i].trail].t.arn, now_ms,
                                       status);
    }
    if (!rc && cwl_cursor_set(db, end + 1)) rc = -1;
    if (!rc && db_commit(db)) rc = -1;
    if (rc) {
        ot_log("streaming to CloudWatch Logs could not commit records %llu..%llu: %s",
               (unsigned long long)cursor, (unsigned long long)end, db_errmsg(db));
        db_rollback(db);
    }
    *more = !rc && count == CWL_ROUND_RECORDS;
    round_free(&r);
    db_release(env->db, db);
    return rc ? -1 : (int)count;
}
