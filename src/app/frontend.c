#include "app/frontend.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zlib.h>

#include "app/registry.h"
#include "auth/chunked.h"
#include "auth/identity.h"
#include "capture/record.h"
#include "core/aws_services.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "svc/ingest_bulk.h"
#include "svc/service.h"
#include "svc/sns.h"

bool frontend_read_only(const char *op)
{
    static const char *const prefixes[] = {"Get", "List", "Describe", "Head", "Lookup"};
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
        if (!strncmp(op, prefixes[i], strlen(prefixes[i]))) return true;
    return false;
}

/* Best guess of the operation of a request that failed before decoding, for its record:
 * the X-Amz-Target suffix, the Smithy RPC v2 path's last segment, or an Action parameter
 * in the query string or form body. */
static void guess_op(const http_request *r, char *out, size_t n)
{
    const char *t = http_header_get(r, "x-amz-target");
    const char *dot = t ? strrchr(t, '.') : NULL;
    const char *rpc = strstr(r->raw_path, "/operation/");
    if (!dot && !strncmp(r->raw_path, "/service/", 9) && rpc) dot = rpc + 10;
    const char *action = http_query_get(r, "Action", NULL);
    http_param *form = NULL;
    size_t nform = 0;
    if (!dot && !action && r->body.len && r->body.len < 65536) {
        nform = form_parse(r->body.data, r->body.len, &form);
        for (size_t i = 0; i < nform && !action; i++)
            if (!strcmp(form[i].key, "Action") && form[i].value) action = form[i].value;
    }
    if (dot)
        snprintf(out, n, "%.80s", dot + 1);
    else if (action)
        snprintf(out, n, "%.80s", action);
    else
        snprintf(out, n, "%s", "UnknownOperation");
    params_free(form, nform);
    for (char *p = out; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
            *p = '_';
}

/* The service an unsigned JSON request was meant for, from its X-Amz-Target prefix. */
static const service_def *service_by_target(const server *s, const http_request *r)
{
    const char *t = http_header_get(r, "x-amz-target");
    for (int i = 0; i < s->models.n_services; i++) {
        const svc_model *m = &s->models.services[i];
        if (model_target_op(m, t)) return service_lookup(m->signing_name);
    }
    return NULL;
}

static bool is_aws_chunked(const http_request *r, const sigv4_auth *a)
{
    const char *ce = http_header_get(r, "content-encoding");
    if (ce && strstr(ce, "aws-chunked")) return true;
    return a->payload_hash && !strncmp(a->payload_hash, "STREAMING-", 10);
}

static int decode_chunked(http_request *r, const sigv4_auth *a, aws_error *e)
{
    const char *ph = a->payload_hash ? a->payload_hash : "";
    chunked_opts o = {0};
    o.auth = strstr(ph, "HMAC-SHA256") ? a : NULL;
    o.signed_trailer = o.auth && strstr(ph, "TRAILER");
    o.declared_trailer = http_header_get(r, "x-amz-trailer");
    const char *dl = http_header_get(r, "x-amz-decoded-content-length");
    o.decoded_length = dl ? strtoll(dl, NULL, 10) : -1;
    buf out = BUF_INIT;
    chunked_result res;
    if (aws_chunked_decode(r->body.data ? r->body.data : "", r->body.len, &o, &out, &res, e)) {
        buf_free(&out);
        return -1;
    }
    buf_free(&r->body);
    r->body = out;
    if (res.checksum_alg[0]) {
        char name[64];
        snprintf(name, sizeof name, "x-amz-checksum-%s", res.checksum_alg);
        if (!http_header_get(r, name)) http_request_add_header(r, name, res.checksum_value);
    }
    return 0;
}

/* The most a compressed request body may inflate to: far above any operation's limit
 * (PutMetricData's is 1 MB), so that the operation, not this, says what is too large. */
#define INFLATED_MAX (16u * 1024 * 1024)

/* Request compression (the models' requestcompression trait: botocore gzips a
 * PutMetricData body over 10 KB, Content-Encoding: gzip). The signature covers the
 * compressed bytes, so this runs after verification, and only for the RPC protocols: an
 * S3 object stored with Content-Encoding gzip keeps its bytes. */
static int inflate_body(http_request *r, proto_kind wire, aws_error *e)
{
    const char *ce = http_header_get(r, "content-encoding");
    if (!ce || !strstr(ce, "gzip") || wire == PROTO_REST_XML || wire == PROTO_REST_JSON ||
        !r->body.len)
        return 0;
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) abort();
    buf out = BUF_INIT;
    z.next_in = (Bytef *)r->body.data;
    z.avail_in = (uInt)r->body.len;
    int rc;
    do {
        buf_reserve(&out, 65536);
        z.next_out = (Bytef *)out.data + out.len;
        z.avail_out = 65536;
        rc = inflate(&z, Z_NO_FLUSH);
        out.len = z.total_out;
    } while (rc == Z_OK && out.len <= INFLATED_MAX);
    inflateEnd(&z);
    out.data[out.len] = '\0'; /* buf's promise (buf_reserve left room for it) */
    if (out.len > INFLATED_MAX) {
        buf_free(&out);
        return aws_fail(e, 413, "RequestEntityTooLarge",
                        "The request body inflates to more than %u bytes.", INFLATED_MAX);
    }
    if (rc != Z_STREAM_END) {
        buf_free(&out);
        return aws_fail(e, 400, "SerializationException", "The request body is not valid gzip.");
    }
    buf_free(&r->body);
    r->body = out;
    return 0;
}

static void apply_override(const op_def *op, const char *top_member, aws_error *e)
{
    if (!op || !op->overrides || !strcmp(e->code, "SerializationException")) return;
    char upper[128];
    snprintf(upper, sizeof upper, "%s", top_member);
    if (upper[0] >= 'a' && upper[0] <= 'z') upper[0] = (char)(upper[0] - 'a' + 'A');
    for (const validation_override *v = op->overrides; v->member; v++) {
        if (!strcmp(v->member, "*") || !strcasecmp(v->member, upper)) {
            snprintf(e->code, sizeof e->code, "%s", v->code);
            if (v->message) snprintf(e->message, sizeof e->message, "%s", v->message);
            e->reason[0] = '\0';
            return;
        }
    }
}

/* Records the request once per recipient. A change that was made is never refused
 * afterwards (JOURNAL_KEEP: written into the journal's reserve, or held until the disk has
 * room again); anything else may wait in memory while the disk is full (JOURNAL_HOLD, see
 * capture/journal.h). -1 only for a record too large to store. */
static int capture(server *s, call_ctx *c, const record_input *base, journal_mode mode,
                   aws_error *e)
{
    /* A data event no trail can select is not recorded at all (app/data_events.h). */
    if (base->data_event && !data_events_wanted(&s->data_events, &s->db)) return 0;
    int n = 1 + c->n_extra_recipients;
    char shared[40];
    if (n > 1) ids_uuid(shared);
    for (int i = 0; i < n; i++) {
        record_input ri = *base;
        if (n > 1) ri.shared_event_id = shared;
        if (i > 0) {
            ri.recipient = c->extra_recipients[i - 1];
            ri.cross_account_copy = true;
        }
        size_t len;
        char *text = record_build_alloc(&ri, &len);
        uint64_t seq;
        int rc = journal_capture(&s->journal, text, len, mode, &seq, e);
        free(text);
        if (rc < 0) return -1;
    }
    return 0;
}

/* A handler failed after SQLite or the object store ran out of space or write access: the
 * operator's problem, not a bug. Turns the error into 503 ServiceUnavailable naming the
 * data directory, and degrades the journal so that further changes are refused up front
 * (until journal_tick sees room again). The handler's transaction was rolled back, so
 * nothing was changed. Returns whether it did. */
static bool disk_failure(server *s, db_conn *db, aws_error *err)
{
    int sq = db_disk_error(db);
    bool store = err->status == 503 && !strcmp(err->code, "ServiceUnavailable");
    if (!sq && !store) return false;
    int errnum = sq == SQLITE_FULL ? ENOSPC : sq == SQLITE_READONLY ? EROFS : sq ? EIO : ENOSPC;
    if (store && strstr(err->message, strerror(EROFS))) errnum = EROFS;
    if (store && strstr(err->message, strerror(EACCES))) errnum = EACCES;
    journal_degrade(&s->journal, errnum, sq ? "the state database" : "the object store");
    aws_error_clear(err);
    aws_fail(err, 503, "ServiceUnavailable",
             "orgtrail cannot store changes: its data directory %s is full or not writable "
             "(%s). Free disk space in %s (or make it writable); orgtrail resumes by itself. "
             "Nothing was changed.",
             s->data_dir, strerror(errnum), s->data_dir);
    return true;
}

static void health(server *s, http_response *resp)
{
    journal_status st;
    journal_get_status(&s->journal, &st);
    resp->status = 200;
    http_response_header(resp, "Content-Type", "application/json");
    if (!st.degraded && !st.broken) {
        buf_puts(&resp->body, "{\"status\":\"ok\"}");
        return;
    }
    /* Still 200: reads are served. The body says what is wrong (no secret in it). */
    json_t *o = json_pack("{s:s, s:s, s:I, s:I}", "status", st.broken ? "broken" : "degraded",
                          "reason", strerror(st.errnum ? st.errnum : EIO), "heldRecords",
                          (json_int_t)st.held, "droppedRecords", (json_int_t)st.held_dropped);
    char *text = json_dumps(o, JSON_COMPACT);
    if (text) buf_puts(&resp->body, text);
    free(text);
    json_decref(o);
}

/* An SNS confirmation or unsubscription through the URL in a message: answered by SNS,
 * recorded for the topic's owner with an unknown caller (the URL is the credential), as
 * refusals before authentication are. Fetching the signing certificate is no event. */
static void sns_public(server *s, http_request *r, http_response *resp, const char *request_id,
                       int64_t now)
{
    db_conn *db = db_acquire(&s->db);
    sns_public_event ev;
    sns_public_serve(db, r, now, resp, &ev);
    db_release(&s->db, db);
    if (!ev.event_name) return;
    principal nobody;
    memset(&nobody, 0, sizeof nobody);
    const aws_service *facts = aws_service_by_signing_name("sns");
    record_input ri = {
        .caller = &nobody,
        .event_ms = now,
        .event_source = facts ? facts->event_source : "sns.amazonaws.com",
        .event_name = ev.event_name,
        .region = ev.region[0] ? ev.region : s->default_region,
        .source_ip = r->remote_ip,
        .user_agent = http_header_get(r, "user-agent"),
        .err = &ev.err,
        .request_parameters = ev.request_parameters,
        .response_elements = ev.response_elements,
        .request_id = request_id,
        .recipient = ev.account_id[0] ? ev.account_id : s->owner_account,
    };
    call_ctx c;
    memset(&c, 0, sizeof c);
    aws_error cap_err;
    aws_error_clear(&cap_err);
    /* capture refuses only a record too large to store, which these small ones are not. */
    if (capture(s, &c, &ri, ev.changed ? JOURNAL_KEEP : JOURNAL_HOLD, &cap_err))
        ot_log("cannot record SNS %s: %s", ev.event_name, cap_err.message);
    json_decref(ev.request_parameters);
    json_decref(ev.response_elements);
}

void frontend_handle(server *s, http_request *r, http_response *resp)
{
    char request_id[40];
    ids_uuid(request_id);
    int64_t now = time_now_ms();
    bool head = !strcmp(r->method, "HEAD");

    if (!strcmp(r->raw_path, "/_orgtrail/health") || !strcmp(r->raw_path, "/health")) {
        if (!http_header_get(r, "authorization") && !http_query_get(r, "X-Amz-Algorithm", NULL)) {
            health(s, resp);
            return;
        }
    }

    /* The URLs in SNS's messages are GETs without a signature (svc/sns.h). */
    if (sns_public_request(r)) {
        sns_public(s, r, resp, request_id, now);
        return;
    }

    principal caller;
    memset(&caller, 0, sizeof caller);
    sigv4_auth auth;
    char detail[512];
    aws_error err;
    aws_error_clear(&err);
    sigv4_failure f = sigv4_parse(r, now, &auth, detail, sizeof detail);
    const svc_model *m = auth.service[0] ? model_service(&s->models, auth.service) : NULL;
    const service_def *svc = auth.service[0] ? service_lookup(auth.service) : NULL;
    proto_kind wire = m ? proto_wire(m, r) : PROTO_JSON;
    sigv4_family fam = m ? proto_wire_family(wire) : proto_guess_family(r);
    /* A service's own endpoint (svc/service.h) is not an operation of its model: it
     * bypasses the protocol decoder and writes its own answer. */
    const service_route *route =
        svc && svc->route && !strcmp(r->raw_path, svc->route->path) ? svc->route : NULL;
    /* Before the request holds a database connection the deliverer may need to catch up. */
    if (route && (route->op.flags & OP_WAITS_FOR_DELIVERY) && !strcmp(r->method, route->method) &&
        delivery_backlog_wait_room(&s->backlog, &s->journal, INGEST_BACKLOG_WAIT_MS))
        aws_fail(&err, 503, "ServiceUnavailable",
                 "Delivery is more than %llu records behind and did not catch up within %d s; "
                 "nothing of this request was stored: retry it later.",
                 (unsigned long long)s->backlog.limit, INGEST_BACKLOG_WAIT_MS / 1000);
    db_conn *db = db_acquire(&s->db);
    /* Authentication and a read call's handler read several rows: one snapshot for them
     * all (state/db.h; ended below before any other handler). */
    if (db_read_begin(db) && !aws_error_set(&err))
        aws_fail(&err, 503, "ServiceUnavailable",
                 "orgtrail could not read its state database (%s): retry the request.",
                 db_errmsg(db));

    char secret[128] = "";
    if (f == SIGV4_OK && (!m || !svc)) {
        aws_fail(&err, 400, fam == FAMILY_QUERY ? "InvalidAction" : "UnknownOperationException",
                 "orgtrail does not serve the '%.32s' API.", auth.service);
    } else {
        if (f == SIGV4_OK)
            f = identity_resolve(db, auth.access_key, auth.security_token, now, &caller, secret,
                                 sizeof secret);
        if (f == SIGV4_OK) f = sigv4_verify_cached(r, &auth, secret, &s->signing_keys);
        if (f != SIGV4_OK) {
            sigv4_fail(&err, f, fam, detail);
            /* The caller is only known once the signature proved it. */
            if (f == SIGV4_MISMATCH || f == SIGV4_PAYLOAD_MISMATCH) {
                char acct[13];
                snprintf(acct, sizeof acct, "%s", caller.account_id);
                memset(&caller, 0, sizeof caller);
                snprintf(caller.account_id, sizeof caller.account_id, "%s", acct);
            }
        }
    }
    explicit_bzero(secret, sizeof secret);

    proto_call pc;
    memset(&pc, 0, sizeof pc);
    const op_def *op = route ? &route->op : NULL;
    if (!aws_error_set(&err) && is_aws_chunked(r, &auth)) decode_chunked(r, &auth, &err);
    if (!aws_error_set(&err) && m) inflate_body(r, wire, &err);
    if (route) {
        if (!aws_error_set(&err) && strcmp(r->method, route->method))
            aws_fail(&err, 405, "MethodNotAllowedException", "%s accepts %s only.", route->path,
                     route->method);
    } else if (!aws_error_set(&err) && proto_decode(m, r, &pc, &err) == 0) {
        op = service_op(svc, pc.op_name);
        char top[128] = "";
        if (validate_input(s->validator, m, model_op_input(pc.op), pc.input, svc->style, &err, top,
                           sizeof top))
            apply_override(op, top, &err);
        else if (!op)
            aws_fail(&err, 501, "NotImplemented", "orgtrail does not implement %s:%s yet.",
                     auth.service, pc.op_name);
    }

    call_ctx c;
    memset(&c, 0, sizeof c);
    c.env = &s->services;
    c.db = db;
    c.caller = &caller;
    c.region = auth.region[0] ? auth.region : s->default_region;
    c.model = m;
    c.service = auth.service;
    c.op = pc.op_name;
    c.in = pc.input;
    c.call = &pc;
    c.http = r;
    c.request_id = request_id;
    c.now_ms = now;
    if (route) {
        c.op = route->op.name;
        c.event_name = route->op.name;
    }
    /* A full disk or unwritable directory: calls that would change something are refused
     * before they run, so that no state change can lack its record; reads go on. */
    bool ran = false;
    bool read_call = frontend_read_only(route ? route->op.name : pc.op_name ? pc.op_name : "");
    /* The read snapshot serves authentication and read calls. Other handlers write or
     * wait for the journal (ingestion): a snapshot held across such waits by every busy
     * connection would keep SQLite from ever checkpointing its WAL back to the start. */
    if (!read_call) db_read_end(db);
    if (!aws_error_set(&err) && op && !read_call && !journal_accepts_changes(&s->journal, &err)) {
        /* The handler, which classifies its record, does not run: S3's object-level calls
         * (those naming a Key, see s3_call_object) stay data events, so that trails without
         * data selectors do not receive their refusals. */
        c.data_event =
            (svc->flags & SVC_KEY_MAKES_DATA_EVENT) && pc.input && json_object_get(pc.input, "Key");
    } else if (!aws_error_set(&err) && op) {
        ran = true;
        if (call_run(&c, svc, op) != 0) {
            err = c.err;
            if (!disk_failure(s, db, &err) && !aws_error_set(&err))
                aws_fail(&err, 500, "InternalFailure", "internal error");
        }
    }
    db_release(&s->db, db);

    /* Capture: one record for the caller's account (the owner's when unknown). */
    char opname[96];
    if (c.event_name)
        snprintf(opname, sizeof opname, "%s", c.event_name);
    else if (pc.op_name)
        snprintf(opname, sizeof opname, "%s", pc.op_name);
    else
        guess_op(r, opname, sizeof opname);
    char source[96];
    if (!svc && !auth.service[0]) svc = service_by_target(s, r);
    const aws_service *facts = svc ? aws_service_by_signing_name(svc->signing_name) : NULL;
    if (facts)
        snprintf(source, sizeof source, "%s", facts->event_source);
    else
        snprintf(source, sizeof source, "%.40s.amazonaws.com",
                 auth.service[0] ? auth.service : "unknown");
    bool ok = !aws_error_set(&err);
    bool ro = frontend_read_only(opname);
    /* Committed by now (the handler's transaction): selectors may have changed. */
    if (ran && ok && op && (op->flags & OP_CHANGES_TRAILS)) data_events_changed(&s->data_events);
    json_t *req_params = c.request_parameters;
    json_t *resp_elems = c.response_elements;
    if (!req_params && pc.input)
        req_params = record_params_alloc(m, model_shape(m, model_op_input(pc.op)), pc.input);
    else if (req_params)
        json_incref(req_params);
    if (!resp_elems && ok && !ro && c.out)
        resp_elems = record_params_alloc(m, model_shape(m, model_op_output(pc.op)), c.out);
    else if (resp_elems)
        json_incref(resp_elems);
    record_input ri = {
        .caller = &caller,
        .presented_key = auth.access_key,
        .event_ms = now,
        .event_source = source,
        .event_name = opname,
        .region = (facts && facts->global) ? "us-east-1" : c.region,
        .source_ip = r->remote_ip,
        .user_agent = http_header_get(r, "user-agent"),
        .err = &err,
        .request_parameters = req_params,
        .response_elements = ok ? resp_elems : NULL,
        .request_id = request_id,
        .read_only = ro,
        .resources = c.resources,
        .data_event = c.data_event,
        .recipient = caller.account_id[0] ? caller.account_id : s->owner_account,
    };
    aws_error cap_err;
    aws_error_clear(&cap_err);
    journal_mode mode = ran && ok && !ro ? JOURNAL_KEEP : JOURNAL_HOLD;
    if (capture(s, &c, &ri, mode, &cap_err)) {
        err = cap_err;
        ok = false;
    }
    json_decref(req_params);
    json_decref(resp_elems);

    if (ok && route) {
        resp->status = 200;
        http_response_header(resp, "x-amzn-RequestId", request_id);
        http_response_header(resp, "Content-Type", "application/json");
        char *text = json_dumps(c.out, JSON_COMPACT);
        if (!head && text) buf_puts(&resp->body, text);
        free(text);
    } else if (ok) {
        proto_write_output(m, &pc, c.out, (c.raw.data || c.raw.has_fd) ? &c.raw : NULL, request_id,
                           head, resp);
        if (c.http_status) resp->status = c.http_status;
    } else {
        if (c.raw.has_fd) close(c.raw.fd);
        proto_write_error(m, fam, wire, &err, request_id, head, resp);
    }
    free(c.raw_owned);
    json_decref(c.out);
    json_decref(c.resources);
    json_decref(c.request_parameters);
    json_decref(c.response_elements);
    call_release(&c);
    proto_call_free(&pc);
}
