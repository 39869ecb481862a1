#include "delivery/select.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/aws_services.h"
#include "core/timeutil.h"
#include "delivery/outbox.h"
#include "ingest/jscan.h"

#define CT_SOURCE "cloudtrail.amazonaws.com"

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

int select_event_parse(const json_t *rec, select_event *e)
{
    memset(e, 0, sizeof *e);
    if (!json_is_object(rec)) return -1;
    e->rec = rec;
    e->source = str(rec, "eventSource");
    e->name = str(rec, "eventName");
    e->region = str(rec, "awsRegion");
    e->recipient = str(rec, "recipientAccountId");
    e->category = str(rec, "eventCategory");
    e->error_code = str(rec, "errorCode");
    if (!e->category) e->category = "Management";
    const json_t *ro = json_object_get(rec, "readOnly");
    e->has_read_only = json_is_boolean(ro);
    e->read_only = json_is_true(ro);
    const char *t = str(rec, "eventTime");
    if (!e->source || !e->name || !e->region || !e->recipient || !t ||
        time_parse_iso8601(t, &e->event_ms))
        return -1;
    return 0;
}

void select_scratch_free(select_scratch *sc)
{
    buf_free(&sc->strings);
    json_decref(sc->tree);
    memset(sc, 0, sizeof *sc);
}

enum { F_SOURCE, F_NAME, F_REGION, F_RECIPIENT, F_CATEGORY, F_ERROR, F_TIME, F_READONLY, F_COUNT };

/* A string member decoded into the scratch: its offset in strings (which may move while
 * later members are added), or -1 when it is not a string. */
static long put_string(select_scratch *sc, const jscan_member *m)
{
    if (m->type != JSCAN_STRING) return -1;
    /* Decoding never grows the text; jscan_string wants 5 bytes of slack per step. */
    buf_reserve(&sc->strings, m->len + 5);
    long n = jscan_string(m, sc->strings.data + sc->strings.len, m->len + 5);
    if (n < 0) return -1;
    size_t at = sc->strings.len;
    sc->strings.len += (size_t)n + 1;
    return (long)at;
}

int select_event_scan(const char *text, size_t len, select_scratch *sc, select_event *e)
{
    memset(e, 0, sizeof *e);
    buf_reset(&sc->strings);
    json_decref(sc->tree);
    sc->tree = NULL;
    sc->tree_read = false;
    sc->text = text;
    sc->len = len;
    jscan_member m[F_COUNT] = {
        [F_SOURCE] = {.name = "eventSource"},     [F_NAME] = {.name = "eventName"},
        [F_REGION] = {.name = "awsRegion"},       [F_RECIPIENT] = {.name = "recipientAccountId"},
        [F_CATEGORY] = {.name = "eventCategory"}, [F_ERROR] = {.name = "errorCode"},
        [F_TIME] = {.name = "eventTime"},         [F_READONLY] = {.name = "readOnly"},
    };
    if (jscan_fields(text, len, m, F_COUNT)) return -1;
    long at[F_TIME + 1];
    for (int i = 0; i <= F_TIME; i++)
        at[i] = put_string(sc, &m[i]);
    const char *base = sc->strings.data;
#define AT(i) (at[i] < 0 ? NULL : base + at[i])
    e->raw = sc;
    e->source = AT(F_SOURCE);
    e->name = AT(F_NAME);
    e->region = AT(F_REGION);
    e->recipient = AT(F_RECIPIENT);
    e->category = AT(F_CATEGORY);
    e->error_code = AT(F_ERROR);
    const char *t = AT(F_TIME);
#undef AT
    if (!e->category) e->category = "Management";
    e->has_read_only = m[F_READONLY].type == JSCAN_TRUE || m[F_READONLY].type == JSCAN_FALSE;
    e->read_only = m[F_READONLY].type == JSCAN_TRUE;
    if (!e->source || !e->name || !e->region || !e->recipient || !t ||
        time_parse_iso8601(t, &e->event_ms))
        return -1;
    return 0;
}

/* The record's tree, for the rules that read more than select_event has. */
static const json_t *rec_of(const select_event *e)
{
    if (e->rec || !e->raw) return e->rec;
    select_scratch *sc = e->raw;
    if (!sc->tree_read) {
        sc->tree_read = true;
        sc->tree = json_loadb(sc->text, sc->len, 0, NULL);
    }
    return sc->tree;
}

int select_trail_load(db_conn *db, const trail *t, select_trail *out)
{
    memset(out, 0, sizeof *out);
    out->t = *t;
    outbox_org_id(db, t, out->org_id);
    char *basic, *adv;
    trail_get_selectors(db, t->arn, &basic, &adv);
    if (basic) out->basic = json_loads(basic, 0, NULL);
    if (adv) out->advanced = json_loads(adv, 0, NULL);
    free(basic);
    free(adv);
    selector_version *v;
    size_t nv = delivery_selector_versions(db, t->arn, &v);
    if (nv) {
        out->versions = calloc(nv, sizeof *out->versions);
        if (!out->versions) abort();
        for (size_t i = 0; i < nv; i++) {
            out->versions[i].from = v[i].from;
            if (v[i].basic) out->versions[i].basic = json_loads(v[i].basic, 0, NULL);
            if (v[i].advanced) out->versions[i].advanced = json_loads(v[i].advanced, 0, NULL);
        }
        out->n_versions = nv;
    }
    delivery_selector_versions_free(v, nv);
    out->n_spans = delivery_logging_spans(db, t->arn, &out->spans);
    if (out->org_id[0]) out->n_members = delivery_memberships(db, out->org_id, &out->members);
    return 0;
}

void select_trail_free(select_trail *st)
{
    json_decref(st->basic);
    json_decref(st->advanced);
    for (size_t i = 0; i < st->n_versions; i++) {
        json_decref(st->versions[i].basic);
        json_decref(st->versions[i].advanced);
    }
    free(st->versions);
    free(st->spans);
    free(st->members);
    memset(st, 0, sizeof *st);
}

/* ---- logging ---- */

static bool names_trail(const select_event *e, const char *arn)
{
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(rec_of(e), "resources"), i, r)
    {
        const char *a = str(r, "ARN");
        if (a && !strcmp(a, arn)) return true;
    }
    return false;
}

bool select_logging_at(const select_trail *st, uint64_t seq, const select_event *e)
{
    const logging_span *last = NULL; /* the last span that began at or before seq */
    for (size_t i = 0; i < st->n_spans; i++) {
        if (st->spans[i].from > seq) break;
        last = &st->spans[i];
    }
    if (!last) return false;
    if (seq < last->to) return true;
    /* The StopLogging that closed the span is delivered, as CloudTrail does. */
    return e && e->source && !strcmp(e->source, CT_SOURCE) && e->name &&
           !strcmp(e->name, "StopLogging") && !e->error_code && names_trail(e, st->t.arn);
}

/* ---- accounts ---- */

bool select_account_covered(const select_trail *st, const select_event *e)
{
    if (!strcmp(e->recipient, st->t.account_id)) return true;
    if (!st->org_id[0]) return false;
    /* eventTime has whole seconds: the event happened in [ms, ms + 999]. */
    for (size_t i = 0; i < st->n_members; i++) {
        const membership_span *m = &st->members[i];
        if (strcmp(m->account_id, e->recipient)) continue;
        if (m->from_ms <= e->event_ms + 999 && e->event_ms < m->to_ms) return true;
    }
    return false;
}

/* ---- regions ---- */

bool select_global_source(const char *source)
{
    const aws_service *s = aws_service_by_event_source(source);
    return s && s->global;
}

bool select_region_covered(const trail *t, const select_event *e)
{
    if (!t->multi_region && strcmp(t->home_region, e->region)) return false;
    if (select_global_source(e->source) && !t->include_global) return false;
    return true;
}

/* ---- selectors ---- */

static bool rw_matches(const char *rw, const select_event *e)
{
    if (!rw || !strcmp(rw, "All")) return true;
    if (!strcmp(rw, "ReadOnly")) return e->read_only;
    if (!strcmp(rw, "WriteOnly")) return !e->read_only;
    return false;
}

static bool is_data(const select_event *e)
{
    return !strcmp(e->category, "Data");
}

/* Events the organization's own services send through PutAuditEvents (eventCategory
 * ActivityAuditLog) are selected as management events of their recipient account: AWS
 * sends them to CloudTrail Lake only, but orgtrail's trail is the one place for all audit
 * events of the organization (ingest/audit_event.h). */
static const char *selection_category(const select_event *e)
{
    return !strcmp(e->category, "ActivityAuditLog") ? "Management" : e->category;
}

static bool in_list(const char *s, const json_t *list)
{
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v)
    {
        const char *x = json_string_value(v);
        if (x && s && !strcmp(x, s)) return true;
    }
    return false;
}

/* A DataResources value: an ARN prefix. A bare S3 bucket ARN means its objects. */
static bool data_value_matches(const char *value, const char *arn)
{
    static const char s3[] = "arn:aws:s3:::";
    size_t n = strlen(value);
    if (!strncmp(value, s3, sizeof s3 - 1) && n > sizeof s3 - 1 &&
        !strchr(value + sizeof s3 - 1, '/')) {
        return !strncmp(arn, value, n) && arn[n] == '/';
    }
    return !strncmp(arn, value, n);
}

static bool basic_data_matches(const json_t *sel, const select_event *e)
{
    size_t i, j, k;
    const json_t *dr, *v, *r;
    json_array_foreach(json_object_get(sel, "DataResources"), i, dr)
    {
        const char *type = str(dr, "Type");
        json_array_foreach(json_object_get(rec_of(e), "resources"), j, r)
        {
            const char *rt = str(r, "type"), *arn = str(r, "ARN");
            if (!type || !rt || !arn || strcmp(type, rt)) continue;
            json_array_foreach(json_object_get(dr, "Values"), k, v)
            {
                const char *val = json_string_value(v);
                if (val && data_value_matches(val, arn)) return true;
            }
        }
    }
    return false;
}

static bool basic_matches(const json_t *sel, const select_event *e)
{
    if (!rw_matches(str(sel, "ReadWriteType"), e)) return false;
    if (is_data(e)) return basic_data_matches(sel, e);
    if (strcmp(selection_category(e), "Management")) return false;
    const json_t *incl = json_object_get(sel, "IncludeManagementEvents");
    if (incl && !json_is_true(incl)) return false;
    return !in_list(e->source, json_object_get(sel, "ExcludeManagementEventSources"));
}

/* The values a field has in the record: at most a few; resources.* are multi-valued. */
#define MAX_VALUES 16
static size_t field_values(const char *field, const select_event *e, const char **out)
{
    if (!strcmp(field, "eventCategory")) return out[0] = selection_category(e), 1;
    /* The fields select_event has; the others need the record's tree. */
    const char *known = !strcmp(field, "eventSource") ? e->source
                        : !strcmp(field, "eventName") ? e->name
                        : !strcmp(field, "errorCode") ? e->error_code
                                                      : "";
    if (!known) return 0;
    if (*known) return out[0] = known, 1;
    if (!strcmp(field, "readOnly")) {
        if (!e->has_read_only) return 0;
        out[0] = e->read_only ? "true" : "false";
        return 1;
    }
    const json_t *rec = rec_of(e);
    if (!strcmp(field, "resources.type") || !strcmp(field, "resources.ARN")) {
        bool want_type = !strcmp(field, "resources.type");
        size_t n = 0, i;
        const json_t *r;
        json_array_foreach(json_object_get(rec, "resources"), i, r)
        {
            const char *rt = str(r, "type");
            /* A data event's resource is the object/function/table, not its container. */
            if (is_data(e) && rt && !strcmp(rt, "AWS::S3::Bucket")) continue;
            const char *v = want_type ? rt : str(r, "ARN");
            if (v && n < MAX_VALUES) out[n++] = v;
        }
        return n;
    }
    if (!strcmp(field, "userIdentity.arn")) {
        const char *v = str(json_object_get(rec, "userIdentity"), "arn");
        return v ? (out[0] = v, 1) : 0;
    }
    const char *v = str(rec, field);
    return v ? (out[0] = v, 1) : 0;
}

static bool op_test(const char *op, const char *value, const char *operand)
{
    size_t lv = strlen(value), lo = strlen(operand);
    if (strstr(op, "Equals")) return !strcmp(value, operand);
    if (strstr(op, "StartsWith")) return !strncmp(value, operand, lo);
    /* EndsWith */
    return lv >= lo && !strcmp(value + lv - lo, operand);
}

static bool field_matches(const json_t *fs, const select_event *e)
{
    static const char *const OPS[] = {"Equals",    "StartsWith",    "EndsWith",
                                      "NotEquals", "NotStartsWith", "NotEndsWith"};
    const char *field = str(fs, "Field");
    if (!field) return false;
    const char *vals[MAX_VALUES];
    size_t nv = field_values(field, e, vals);
    for (size_t k = 0; k < sizeof OPS / sizeof *OPS; k++) {
        const json_t *list = json_object_get(fs, OPS[k]);
        if (!list) continue;
        bool negative = !strncmp(OPS[k], "Not", 3);
        bool hit = false;
        size_t i;
        const json_t *o;
        for (size_t j = 0; j < nv && !hit; j++)
            json_array_foreach(list, i, o)
            {
                const char *operand = json_string_value(o);
                if (operand && op_test(OPS[k], vals[j], operand)) {
                    hit = true;
                    break;
                }
            }
        if (negative ? hit : !hit) return false;
    }
    return true;
}

static bool advanced_matches(const json_t *sel, const select_event *e)
{
    size_t i;
    const json_t *fs;
    const json_t *list = json_object_get(sel, "FieldSelectors");
    if (!json_array_size(list)) return false;
    json_array_foreach(list, i, fs)
    {
        if (!field_matches(fs, e)) return false;
    }
    return true;
}

bool select_selectors_match(const json_t *basic, const json_t *advanced, const select_event *e)
{
    size_t i;
    const json_t *s;
    if (advanced) {
        json_array_foreach(advanced, i, s)
        {
            if (advanced_matches(s, e)) return true;
        }
        return false;
    }
    if (!basic) return !strcmp(selection_category(e), "Management"); /* the default selector */
    json_array_foreach(basic, i, s)
    {
        if (basic_matches(s, e)) return true;
    }
    return false;
}

bool select_may_select_data(const json_t *basic, const json_t *advanced)
{
    size_t i, j;
    const json_t *s, *fs;
    if (advanced) {
        /* Only eventCategory can rule data events out without knowing the event. */
        select_event data = {.category = "Data"};
        json_array_foreach(advanced, i, s)
        {
            bool possible = json_array_size(json_object_get(s, "FieldSelectors")) > 0;
            json_array_foreach(json_object_get(s, "FieldSelectors"), j, fs)
            {
                const char *field = str(fs, "Field");
                if (field && !strcmp(field, "eventCategory") && !field_matches(fs, &data))
                    possible = false;
            }
            if (possible) return true;
        }
        return false;
    }
    json_array_foreach(basic, i, s)
    {
        if (json_array_size(json_object_get(s, "DataResources"))) return true;
    }
    return false;
}

bool select_record(const select_trail *st, const select_event *e, uint64_t seq)
{
    if (!select_logging_at(st, seq, e) || !select_account_covered(st, e) ||
        !select_region_covered(&st->t, e))
        return false;
    const json_t *basic = st->basic, *advanced = st->advanced;
    if (st->n_versions) {
        basic = advanced = NULL; /* before the first PutEventSelectors: the default */
        for (size_t i = 0; i < st->n_versions && st->versions[i].from <= seq; i++) {
            basic = st->versions[i].basic;
            advanced = st->versions[i].advanced;
        }
    }
    return select_selectors_match(basic, advanced, e);
}
