#include "proto/proto.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/jsonutil.h"
#include "proto/cbor.h"
#include "core/timeutil.h"
#include "proto/rest_route.h"
#include "proto/xml.h"

#define JSON_OUT_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))
#define QUERY_MAX_PARAMS 4000

static const char S3_XMLNS[] = "http://s3.amazonaws.com/doc/2006-03-01/";

sigv4_family proto_family(const svc_model *m)
{
    return proto_wire_family(m->protocol);
}

proto_kind proto_wire(const svc_model *m, const http_request *r)
{
    if (!(m->wires & (m->wires - 1))) return m->protocol; /* one protocol only */
    const char *sp = http_header_get(r, "smithy-protocol");
    if ((m->wires & (1u << PROTO_CBOR)) &&
        ((sp && !strcasecmp(sp, "rpc-v2-cbor")) || !strncmp(r->raw_path, "/service/", 9)))
        return PROTO_CBOR;
    if ((m->wires & (1u << PROTO_JSON)) && http_header_get(r, "x-amz-target")) return PROTO_JSON;
    const char *ct = http_header_get(r, "content-type");
    if ((m->wires & (1u << PROTO_QUERY)) &&
        ((ct && !strncasecmp(ct, "application/x-www-form-urlencoded", 33)) ||
         http_query_get(r, "Action", NULL)))
        return PROTO_QUERY;
    return m->protocol;
}

sigv4_family proto_wire_family(proto_kind wire)
{
    switch (wire) {
    case PROTO_QUERY:
        return FAMILY_QUERY;
    case PROTO_REST_XML:
        return FAMILY_S3;
    default:
        return FAMILY_JSON;
    }
}

sigv4_family proto_guess_family(const http_request *r)
{
    if (http_header_get(r, "x-amz-target")) return FAMILY_JSON;
    const char *ct = http_header_get(r, "content-type");
    if (ct && !strncasecmp(ct, "application/x-www-form-urlencoded", 33)) return FAMILY_QUERY;
    if (http_query_get(r, "Action", NULL)) return FAMILY_QUERY;
    return FAMILY_S3;
}

void proto_call_free(proto_call *c)
{
    json_decref(c->input);
    c->input = NULL;
}

/* ---- AWS JSON ------------------------------------------------------------------------ */

static int decode_json(const svc_model *m, const http_request *r, proto_call *c, aws_error *e)
{
    const char *target = http_header_get(r, "x-amz-target");
    const char *opname = model_target_op(m, target);
    if (!opname) {
        return aws_fail(e, 400, "UnknownOperationException", "%s",
                        target ? "The requested operation is not recognized by the service."
                               : "Missing X-Amz-Target header.");
    }
    const json_t *op = model_op(m, opname);
    if (!op)
        return aws_fail(e, 400, "UnknownOperationException", "Unknown operation %.64s", opname);
    if (strcmp(r->method, "POST"))
        return aws_fail(e, 405, "MethodNotAllowedException", "Only POST is supported.");
    json_t *in;
    if (r->body.len == 0) {
        in = json_object();
    } else {
        json_error_t je;
        in = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES, &je);
        if (!in) return aws_fail(e, 400, "SerializationException", "Malformed JSON: %s", je.text);
        if (!json_is_object(in)) {
            json_decref(in);
            return aws_fail(e, 400, "SerializationException",
                            "Start of structure or map not found at the top level.");
        }
    }
    c->op_name = json_string_value(json_object_get(op, "name"));
    c->op = op;
    c->input = in;
    return 0;
}

/* ---- Smithy RPC v2 CBOR -------------------------------------------------------------- */

/* POST /service/{ServiceName}/operation/{OperationName}, where ServiceName is the
 * Smithy service's name (botocore sends the model's targetPrefix), the body a CBOR map
 * (proto/cbor.h). */
static int decode_cbor(const svc_model *m, const http_request *r, proto_call *c, aws_error *e)
{
    const char *p = r->raw_path;
    size_t pl = m->target_prefix ? strlen(m->target_prefix) : 0;
    const char *opname = NULL;
    if (!strncmp(p, "/service/", 9) && pl && !strncmp(p + 9, m->target_prefix, pl) &&
        !strncmp(p + 9 + pl, "/operation/", 11))
        opname = p + 9 + pl + 11;
    const json_t *op = opname && *opname && !strchr(opname, '/') ? model_op(m, opname) : NULL;
    if (!op)
        return aws_fail(e, 404, "UnknownOperationException",
                        "The requested operation is not recognized by the service.");
    if (strcmp(r->method, "POST"))
        return aws_fail(e, 405, "MethodNotAllowedException", "Only POST is supported.");
    const char *ct = http_header_get(r, "content-type");
    if (r->body.len && (!ct || strncasecmp(ct, "application/cbor", 16)))
        return aws_fail(e, 415, "UnsupportedMediaTypeException",
                        "A Smithy RPC v2 CBOR request's Content-Type is application/cbor.");
    const json_t *shape = model_shape(m, model_op_input(op));
    json_t *in = cbor_decode_shape(m, shape, (const uint8_t *)r->body.data, r->body.len, e);
    if (!in) return -1;
    c->op_name = json_string_value(json_object_get(op, "name"));
    c->op = op;
    c->input = in;
    return 0;
}

/* ---- Query --------------------------------------------------------------------------- */

typedef struct qparams {
    http_param *p;
    size_t n;
} qparams;

static const char *qget(const qparams *q, const char *key)
{
    for (size_t i = 0; i < q->n; i++)
        if (!strcmp(q->p[i].key, key)) return q->p[i].value ? q->p[i].value : "";
    return NULL;
}

static bool qhas_prefix(const qparams *q, const char *prefix)
{
    size_t n = strlen(prefix);
    for (size_t i = 0; i < q->n; i++)
        if (!strncmp(q->p[i].key, prefix, n) && (q->p[i].key[n] == '.' || q->p[i].key[n] == '\0'))
            return true;
    return false;
}

static json_t *query_value(const svc_model *m, const json_t *shape, const qparams *q,
                           const char *key, int depth, aws_error *e);

static json_t *query_scalar(const json_t *shape, const char *v, const char *key, aws_error *e)
{
    const char *type = model_shape_type(shape);
    if (!strcmp(type, "boolean")) {
        if (!strcasecmp(v, "true")) return json_true();
        if (!strcasecmp(v, "false")) return json_false();
    } else if (!strcmp(type, "integer") || !strcmp(type, "long")) {
        char *end;
        long long x = strtoll(v, &end, 10);
        if (*v && !*end) return json_integer(x);
    } else if (!strcmp(type, "float") || !strcmp(type, "double")) {
        char *end;
        double x = strtod(v, &end);
        if (*v && !*end && isfinite(x)) return json_real(x);
    } else if (!strcmp(type, "timestamp")) {
        int64_t ms;
        if (!time_parse_iso8601(v, &ms)) return json_real((double)ms / 1000.0);
        char *end;
        double x = strtod(v, &end);
        if (*v && !*end && isfinite(x)) return json_real(x);
    } else {
        return json_string(v);
    }
    aws_fail(e, 400, "ValidationError", "Invalid value '%.64s' for parameter %.128s", v, key);
    return NULL;
}

static json_t *query_value(const svc_model *m, const json_t *shape, const qparams *q,
                           const char *key, int depth, aws_error *e)
{
    if (depth > 16) return NULL;
    const char *type = model_shape_type(shape);
    char sub[512];
    if (!strcmp(type, "structure")) {
        json_t *obj = NULL;
        const char *mn;
        json_t *ref;
        json_object_foreach(json_object_get(shape, "members"), mn, ref)
        {
            const char *wire = json_string_value(json_object_get(ref, "locationName"));
            if (!wire) wire = mn;
            if (key[0])
                snprintf(sub, sizeof sub, "%s.%s", key, wire);
            else
                snprintf(sub, sizeof sub, "%s", wire);
            if (!qhas_prefix(q, sub)) continue;
            json_t *v = query_value(m, model_ref_shape(m, ref), q, sub, depth + 1, e);
            if (!v) {
                if (aws_error_set(e)) {
                    json_decref(obj);
                    return NULL;
                }
                continue;
            }
            if (!obj) obj = json_object();
            json_object_set_new(obj, mn, v);
        }
        if (!obj && !key[0]) obj = json_object();
        return obj;
    }
    if (!strcmp(type, "list")) {
        const char *whole = qget(q, key);
        json_t *arr = json_array();
        const json_t *mem = json_object_get(shape, "member");
        bool flat = json_is_true(json_object_get(shape, "flattened"));
        const char *mname = json_string_value(json_object_get(mem, "locationName"));
        if (!mname) mname = "member";
        for (int i = 1; i <= QUERY_MAX_PARAMS; i++) {
            if (flat)
                snprintf(sub, sizeof sub, "%s.%d", key, i);
            else
                snprintf(sub, sizeof sub, "%s.%s.%d", key, mname, i);
            if (!qhas_prefix(q, sub)) break;
            json_t *v = query_value(m, model_ref_shape(m, mem), q, sub, depth + 1, e);
            if (!v) {
                json_decref(arr);
                return NULL;
            }
            json_array_append_new(arr, v);
        }
        if (json_array_size(arr) == 0 && !(whole && !*whole)) {
            json_decref(arr);
            return NULL;
        }
        return arr;
    }
    if (!strcmp(type, "map")) {
        json_t *obj = json_object();
        bool flat = json_is_true(json_object_get(shape, "flattened"));
        const json_t *kref = json_object_get(shape, "key"), *vref = json_object_get(shape, "value");
        const char *kn = json_string_value(json_object_get(kref, "locationName"));
        const char *vn = json_string_value(json_object_get(vref, "locationName"));
        for (int i = 1; i <= QUERY_MAX_PARAMS; i++) {
            char kk[600], vk[600];
            if (flat)
                snprintf(sub, sizeof sub, "%s.%d", key, i);
            else
                snprintf(sub, sizeof sub, "%s.entry.%d", key, i);
            snprintf(kk, sizeof kk, "%s.%s", sub, kn ? kn : "key");
            snprintf(vk, sizeof vk, "%s.%s", sub, vn ? vn : "value");
            const char *k = qget(q, kk);
            if (!k) break;
            json_t *v = query_value(m, model_ref_shape(m, vref), q, vk, depth + 1, e);
            if (!v) {
                if (aws_error_set(e)) {
                    json_decref(obj);
                    return NULL;
                }
                continue;
            }
            json_object_set_new(obj, k, v);
        }
        return obj;
    }
    const char *v = qget(q, key);
    if (!v) return NULL;
    return query_scalar(shape, v, key, e);
}

static int decode_query(const svc_model *m, const http_request *r, proto_call *c, aws_error *e)
{
    qparams q = {0};
    http_param *body_params = NULL;
    size_t nb = 0;
    const char *ct = http_header_get(r, "content-type");
    if (!strcmp(r->method, "POST") && r->body.len &&
        (!ct || !strncasecmp(ct, "application/x-www-form-urlencoded", 33)))
        nb = form_parse(r->body.data, r->body.len, &body_params);
    /* Parameters from the query string and the body together (GET or POST). */
    q.n = nb + r->n_params;
    if (q.n > QUERY_MAX_PARAMS) {
        params_free(body_params, nb);
        return aws_fail(e, 400, "ValidationError", "Too many parameters in the request.");
    }
    q.p = calloc(q.n ? q.n : 1, sizeof *q.p);
    if (!q.p) abort();
    /* memcpy from NULL is undefined even for 0 bytes, and either side may be empty. */
    if (nb) memcpy(q.p, body_params, nb * sizeof *q.p);
    if (r->n_params) memcpy(q.p + nb, r->params, r->n_params * sizeof *q.p);
    int rc = 0;
    const char *action = qget(&q, "Action");
    const json_t *op = action ? model_op(m, action) : NULL;
    if (!action) {
        rc = aws_fail(e, 400, "MissingAction", "Missing Action");
    } else if (!op) {
        const char *ver = qget(&q, "Version");
        rc = aws_fail(e, 400, "InvalidAction", "Could not find operation %.64s for version %.32s",
                      action, ver ? ver : "NO_VERSION_SPECIFIED");
    } else {
        const char *in_shape = model_op_input(op);
        json_t *in = NULL;
        aws_error_clear(e);
        if (in_shape) in = query_value(m, model_shape(m, in_shape), &q, "", 0, e);
        if (aws_error_set(e)) {
            json_decref(in);
            rc = -1;
        } else {
            c->op_name = json_string_value(json_object_get(op, "name"));
            c->op = op;
            c->input = in ? in : json_object();
        }
    }
    free(q.p); /* the strings belong to body_params and r->params */
    params_free(body_params, nb);
    return rc;
}

/* ---- REST ---------------------------------------------------------------------------- */

static bool path_matches(const rest_route *rt, const char *raw_path, int segs)
{
    /* Templates in the models served here: "/", "/{A}", "/{A}/{B+}", or literal paths
     * such as "/PutAuditEvents". */
    if (!strcmp(rt->path, "/")) return segs == 0;
    if (rt->literal) return !strcmp(rt->path, raw_path);
    if (rt->greedy) {
        /* the key may itself contain slashes, even a trailing one */
        const char *p = raw_path;
        while (*p == '/')
            p++;
        const char *slash = strchr(p, '/');
        return slash && slash[1] != '\0' && rt->segments == 2;
    }
    return segs == rt->segments;
}

static int literals_score(const rest_route *rt, const http_request *r)
{
    for (int i = 0; i < rt->n_lits; i++) {
        int present = 0;
        const char *v = http_query_get(r, rt->lit_key[i], &present);
        if (!present) return -1;
        if (rt->lit_has_value[i] && strcmp(v, rt->lit_value[i])) return -1;
    }
    return rt->n_lits;
}

/* Operations that share a method and path are told apart by a required header or query
 * parameter (S3's CopyObject needs x-amz-copy-source, PutObject not; UploadPart and
 * AbortMultipartUpload need uploadId, PutObject and DeleteObject not). Returns how many
 * such members the request has (more is a closer match), or -1 when one is missing. */
static int required_present(const rest_route *rt, const http_request *r)
{
    for (int i = 0; i < rt->n_required_query; i++) {
        int present = 0;
        http_query_get(r, rt->required_query[i], &present);
        if (!present) return -1;
    }
    for (int i = 0; i < rt->n_required_header; i++)
        if (!http_header_get(r, rt->required_header[i])) return -1;
    return rt->n_required_query + rt->n_required_header;
}

static const rest_route *route_of(const svc_model *m, const http_request *r)
{
    const rest_route *best = NULL;
    int best_score = -1;
    const char *method = r->method;
    int segs = rest_path_segments(r->raw_path);
    for (size_t i = 0; i < m->n_routes; i++) {
        const rest_route *rt = &m->routes[i];
        if (strcmp(rt->method, method) || !path_matches(rt, r->raw_path, segs)) continue;
        int score = literals_score(rt, r);
        if (score < 0) continue;
        int req = required_present(rt, r);
        if (req < 0) continue;
        score += req;
        if (score > best_score) {
            best_score = score;
            best = rt;
        }
    }
    return best;
}

const char *proto_rest_route(const svc_model *m, const http_request *r)
{
    const rest_route *rt = route_of(m, r);
    return rt ? rt->op_name : NULL;
}

static json_t *header_value(const json_t *shape, const char *v)
{
    const char *type = model_shape_type(shape);
    if (!strcmp(type, "boolean")) {
        if (!strcasecmp(v, "true")) return json_true();
        if (!strcasecmp(v, "false")) return json_false();
        return NULL;
    }
    if (!strcmp(type, "integer") || !strcmp(type, "long")) {
        char *end;
        long long x = strtoll(v, &end, 10);
        return (*v && !*end) ? json_integer(x) : NULL;
    }
    if (!strcmp(type, "timestamp")) {
        int64_t ms;
        if (!time_parse_http(v, &ms) || !time_parse_iso8601(v, &ms))
            return json_real((double)ms / 1000.0);
        return NULL;
    }
    if (!strcmp(type, "list")) {
        json_t *arr = json_array();
        for (const char *p = v; *p;) {
            while (*p == ' ' || *p == ',')
                p++;
            size_t k = strcspn(p, ",");
            size_t e = k;
            while (e && p[e - 1] == ' ')
                e--;
            if (e) json_array_append_new(arr, json_stringn(p, e));
            p += k;
        }
        return arr;
    }
    return json_string(v);
}

/* The path labels: for path-style S3 the first segment is {Bucket}, the rest {Key+}. */
static void rest_labels(const char *tpath, const char *raw_path, json_t *labels)
{
    const char *p = raw_path;
    const char *t = tpath;
    while (*t) {
        while (*t == '/')
            t++;
        while (*p == '/')
            p++;
        if (!*t) break;
        const char *tend = t + strcspn(t, "/");
        if (*t == '{') {
            bool greedy = tend[-2] == '+';
            char name[64];
            snprintf(name, sizeof name, "%.*s", (int)(tend - t - (greedy ? 3 : 2)), t + 1);
            size_t vl = greedy ? strlen(p) : strcspn(p, "/");
            char *dec = url_decode_alloc(p, vl, 0);
            json_object_set_new(labels, name, json_string(dec));
            free(dec);
            p += vl;
        } else {
            p += strcspn(p, "/");
        }
        t = tend;
    }
}

static int decode_rest(const svc_model *m, const http_request *r, proto_call *c, aws_error *e)
{
    const rest_route *route = route_of(m, r);
    if (!route) {
        if (m->protocol == PROTO_REST_XML)
            return aws_fail(e, 405, "MethodNotAllowed",
                            "The specified method is not allowed against this resource.");
        return aws_fail(e, 404, "UnknownOperationException", "No operation matches %s %.128s",
                        r->method, r->raw_path);
    }
    const json_t *op = route->op;
    json_t *labels = json_object();
    rest_labels(route->path, r->raw_path, labels);

    json_t *in = json_object();
    const json_t *shape = model_shape(m, model_op_input(op));
    const char *payload = json_string_value(json_object_get(shape, "payload"));
    const char *mn;
    json_t *ref;
    json_object_foreach(json_object_get(shape, "members"), mn, ref)
    {
        const char *loc = json_string_value(json_object_get(ref, "location"));
        const char *ln = json_string_value(json_object_get(ref, "locationName"));
        const json_t *ms = model_ref_shape(m, ref);
        json_t *v = NULL;
        if (!loc) continue;
        if (!strcmp(loc, "uri")) {
            v = json_object_get(labels, ln ? ln : mn);
            if (v) json_incref(v);
        } else if (!strcmp(loc, "querystring")) {
            if (!strcmp(model_shape_type(ms), "list")) {
                for (size_t i = 0; i < r->n_params; i++) {
                    if (strcmp(r->params[i].key, ln)) continue;
                    if (!v) v = json_array();
                    json_array_append_new(
                        v, json_string(r->params[i].value ? r->params[i].value : ""));
                }
            } else {
                int present = 0;
                const char *qv = http_query_get(r, ln, &present);
                if (present) {
                    v = header_value(ms, qv);
                    if (!v) {
                        json_decref(labels);
                        json_decref(in);
                        return aws_fail(e, 400, "InvalidArgument", "Invalid value for %.64s", ln);
                    }
                }
            }
        } else if (!strcmp(loc, "header")) {
            char lname[128];
            snprintf(lname, sizeof lname, "%s", ln);
            for (char *p = lname; *p; p++)
                *p = (char)tolower((unsigned char)*p);
            const char *hv = http_header_get(r, lname);
            if (hv) {
                v = header_value(ms, hv);
                if (!v) {
                    json_decref(labels);
                    json_decref(in);
                    return aws_fail(e, 400, "InvalidArgument", "Invalid value for header %.64s",
                                    ln);
                }
            }
        } else if (!strcmp(loc, "headers")) {
            size_t pl = strlen(ln);
            for (size_t i = 0; i < r->n_headers; i++) {
                if (strncasecmp(r->headers[i].name, ln, pl)) continue;
                if (!v) v = json_object();
                json_object_set_new(v, r->headers[i].name + pl, json_string(r->headers[i].value));
            }
        }
        if (v) json_object_set_new(in, mn, v);
    }
    json_decref(labels);

    if (payload) {
        const json_t *pref = json_object_get(json_object_get(shape, "members"), payload);
        const json_t *ps = model_ref_shape(m, pref);
        const char *ptype = model_shape_type(ps);
        if (!strcmp(ptype, "structure")) {
            if (r->body.len) {
                json_t *v;
                if (m->protocol == PROTO_REST_XML) {
                    xml_node *root = xml_parse(r->body.data, r->body.len, e);
                    if (!root) {
                        json_decref(in);
                        return -1;
                    }
                    v = xml_to_json(m, ps, root, e);
                    xml_free(root);
                } else {
                    json_error_t je;
                    v = json_loadb(r->body.data, r->body.len, 0, &je);
                    if (!v)
                        aws_fail(e, 400, "SerializationException", "Malformed JSON: %s", je.text);
                }
                if (!v) {
                    json_decref(in);
                    return -1;
                }
                json_object_set_new(in, payload, v);
            }
        } else if (!strcmp(ptype, "string")) {
            if (r->body.len)
                json_object_set_new(in, payload, json_stringn(r->body.data, r->body.len));
            if (r->body.len && !json_object_get(in, payload)) {
                json_decref(in);
                return aws_fail(e, 400, "InvalidArgument", "The request body is not valid UTF-8.");
            }
        } else {
            c->raw_payload = r->body.data ? r->body.data : "";
            c->raw_payload_len = r->body.len;
        }
    } else if (r->body.len && m->protocol == PROTO_REST_JSON) {
        json_error_t je;
        json_t *body = json_loadb(r->body.data, r->body.len, 0, &je);
        if (!body || !json_is_object(body)) {
            json_decref(body);
            json_decref(in);
            return aws_fail(e, 400, "SerializationException", "Malformed JSON body.");
        }
        json_object_foreach(json_object_get(shape, "members"), mn, ref)
        {
            if (json_object_get(ref, "location")) continue;
            json_t *v = json_object_get(body, mn);
            if (v) json_object_set(in, mn, v);
        }
        json_decref(body);
    }
    c->op_name = json_string_value(json_object_get(op, "name"));
    c->op = op;
    c->input = in;
    return 0;
}

int proto_decode(const svc_model *m, const http_request *r, proto_call *c, aws_error *e)
{
    memset(c, 0, sizeof *c);
    c->model = m;
    c->wire = proto_wire(m, r);
    switch (c->wire) {
    case PROTO_JSON:
        return decode_json(m, r, c, e);
    case PROTO_CBOR:
        return decode_cbor(m, r, c, e);
    case PROTO_QUERY:
        return decode_query(m, r, c, e);
    default:
        return decode_rest(m, r, c, e);
    }
}

/* ---- encoding ------------------------------------------------------------------------ */

static void set_common(http_response *resp, sigv4_family fam, const char *request_id)
{
    if (fam == FAMILY_S3) {
        http_response_header(resp, "x-amz-request-id", request_id);
        http_response_header(resp, "x-amz-id-2", request_id);
    } else {
        http_response_header(resp, "x-amzn-RequestId", request_id);
    }
}

static void header_text(const json_t *shape, const json_t *v, char *out, size_t n)
{
    const char *type = model_shape_type(shape);
    if (!strcmp(type, "timestamp") && json_is_number(v) &&
        !strcmp(json_string_value(json_object_get(shape, "timestampFormat"))
                    ? json_string_value(json_object_get(shape, "timestampFormat"))
                    : "",
                "iso8601")) {
        time_iso8601_ms((int64_t)llround(json_number_value(v) * 1000.0), out, n);
    } else if (!strcmp(type, "timestamp") && json_is_number(v)) {
        time_http((int64_t)llround(json_number_value(v) * 1000.0), out, n);
    } else if (json_is_string(v)) {
        snprintf(out, n, "%s", json_string_value(v));
    } else if (json_is_boolean(v)) {
        snprintf(out, n, "%s", json_is_true(v) ? "true" : "false");
    } else if (json_is_integer(v)) {
        snprintf(out, n, "%lld", (long long)json_integer_value(v));
    } else {
        out[0] = '\0';
    }
}

static const char *s3_root_name(const char *op, const char *shape_name)
{
    static const char *const map[][2] = {
        {"ListBuckets", "ListAllMyBucketsResult"},
        {"ListObjects", "ListBucketResult"},
        {"ListObjectsV2", "ListBucketResult"},
        {"ListObjectVersions", "ListVersionsResult"},
        {"CreateMultipartUpload", "InitiateMultipartUploadResult"},
        {"CompleteMultipartUpload", "CompleteMultipartUploadResult"},
        {"ListParts", "ListPartsResult"},
        {"ListMultipartUploads", "ListMultipartUploadsResult"},
        {"DeleteObjects", "DeleteResult"},
        {"GetBucketAcl", "AccessControlPolicy"},
        {"GetObjectAcl", "AccessControlPolicy"},
        {"GetBucketVersioning", "VersioningConfiguration"},
        {"GetBucketTagging", "Tagging"},
        {"GetObjectTagging", "Tagging"},
        {"GetBucketLocation", "LocationConstraint"},
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (!strcmp(map[i][0], op)) return map[i][1];
    return shape_name;
}

static void write_rest_output(const svc_model *m, const proto_call *c, const json_t *output,
                              const proto_raw_body *raw, bool head, http_response *resp)
{
    const char *out_shape_name = model_op_output(c->op);
    const json_t *shape = model_shape(m, out_shape_name);
    const char *payload = json_string_value(json_object_get(shape, "payload"));
    const char *mn;
    json_t *ref;
    bool has_body_members = false;
    json_object_foreach(json_object_get(shape, "members"), mn, ref)
    {
        const json_t *v = json_object_get(output, mn);
        const char *loc = json_string_value(json_object_get(ref, "location"));
        const char *ln = json_string_value(json_object_get(ref, "locationName"));
        const json_t *ms = model_ref_shape(m, ref);
        if (!loc) {
            if (v && (!payload || !strcmp(payload, mn))) has_body_members = true;
            continue;
        }
        if (!v) continue;
        if (!strcmp(loc, "header")) {
            char text[2048];
            header_text(ms, v, text, sizeof text);
            http_response_header(resp, ln, text);
        } else if (!strcmp(loc, "headers") && json_is_object(v)) {
            const char *k;
            json_t *x;
            json_object_foreach((json_t *)v, k, x)
            {
                char name[256];
                snprintf(name, sizeof name, "%s%s", ln, k);
                http_response_header(resp, name, json_string_value(x) ? json_string_value(x) : "");
            }
        } else if (!strcmp(loc, "statusCode") && json_is_integer(v)) {
            resp->status = (int)json_integer_value(v);
        }
    }
    if (raw && raw->has_fd) {
        resp->body_fd = raw->fd;
        resp->body_off = raw->off;
        resp->body_len = raw->len;
        http_response_header(resp, "Content-Type",
                             raw->content_type ? raw->content_type : "application/octet-stream");
        return;
    }
    if (raw && raw->data) {
        if (!head) buf_append(&resp->body, raw->data, raw->len);
        http_response_header(resp, "Content-Type",
                             raw->content_type ? raw->content_type : "application/octet-stream");
        return;
    }
    if (m->protocol == PROTO_REST_JSON) {
        json_t *body = json_object();
        json_object_foreach(json_object_get(shape, "members"), mn, ref)
        {
            if (json_object_get(ref, "location")) continue;
            json_t *v = json_object_get(output, mn);
            if (v) json_object_set(body, mn, v);
        }
        char *text = json_dumps(body, JSON_OUT_FLAGS);
        buf_puts(&resp->body, text);
        free(text);
        json_decref(body);
        http_response_header(resp, "Content-Type", "application/json");
        return;
    }
    /* S3 writes these roots even when empty, e.g. <VersioningConfiguration/> for a
     * bucket that never had versioning. */
    if (!has_body_members && strcmp(c->op_name, "GetBucketLocation") &&
        strcmp(c->op_name, "ListBuckets") && strcmp(c->op_name, "GetBucketVersioning"))
        return;
    buf *b = &resp->body;
    buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    if (!strcmp(c->op_name, "GetBucketLocation")) {
        const json_t *lc = json_object_get(output, "LocationConstraint");
        buf_printf(b, "<LocationConstraint xmlns=\"%s\">", S3_XMLNS);
        if (json_is_string(lc))
            buf_put_xml_escaped(b, json_string_value(lc), json_string_length(lc));
        buf_puts(b, "</LocationConstraint>");
    } else if (payload) {
        const json_t *pref = json_object_get(json_object_get(shape, "members"), payload);
        const json_t *ps = model_ref_shape(m, pref);
        const json_t *pv = json_object_get(output, payload);
        if (json_is_string(pv) && strcmp(model_shape_type(ps), "structure")) {
            resp->body.len = 0;
            buf_append(b, json_string_value(pv), json_string_length(pv));
            http_response_header(resp, "Content-Type", "application/json");
            return;
        }
        const char *root = json_string_value(json_object_get(pref, "locationName"));
        if (!root) root = json_string_value(json_object_get(ps, "locationName"));
        if (!root) root = json_string_value(json_object_get(pref, "shape"));
        buf_printf(b, "<%s xmlns=\"%s\">", root, S3_XMLNS);
        xml_write_members(b, m, ps, pv);
        buf_printf(b, "</%s>", root);
    } else {
        const char *root = s3_root_name(c->op_name, out_shape_name);
        buf_printf(b, "<%s xmlns=\"%s\">", root, S3_XMLNS);
        xml_write_members(b, m, shape, output);
        buf_printf(b, "</%s>", root);
    }
    http_response_header(resp, "Content-Type", "application/xml");
    if (head) resp->body.len = 0;
}

void proto_write_output(const svc_model *m, const proto_call *c, const json_t *output,
                        const proto_raw_body *raw, const char *request_id, bool head,
                        http_response *resp)
{
    sigv4_family fam = proto_wire_family(c->wire);
    set_common(resp, fam, request_id);
    resp->status = 200;
    if (c->wire == PROTO_CBOR) {
        http_response_header(resp, "smithy-protocol", "rpc-v2-cbor");
        http_response_header(resp, "Content-Type", "application/cbor");
        cbor_encode_shape(m, model_shape(m, model_op_output(c->op)), output, &resp->body);
        return;
    }
    if (c->wire == PROTO_JSON) {
        char ct[48];
        snprintf(ct, sizeof ct, "application/x-amz-json-%s", m->json_version);
        http_response_header(resp, "Content-Type", ct);
        if (output) {
            char *text = json_dumps(output, JSON_OUT_FLAGS);
            buf_puts(&resp->body, text);
            free(text);
        } else {
            buf_puts(&resp->body, "{}");
        }
        return;
    }
    if (c->wire == PROTO_QUERY) {
        buf *b = &resp->body;
        http_response_header(resp, "Content-Type", "text/xml");
        buf_printf(b, "<%sResponse xmlns=\"%s\">", c->op_name, m->xml_namespace);
        const json_t *outref = json_object_get(c->op, "output");
        const char *wrapper = json_string_value(json_object_get(outref, "resultWrapper"));
        if (wrapper) {
            buf_printf(b, "<%s>", wrapper);
            if (output) xml_write_members(b, m, model_shape(m, model_op_output(c->op)), output);
            buf_printf(b, "</%s>", wrapper);
        }
        buf_printf(b, "<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>",
                   request_id, c->op_name);
        return;
    }
    write_rest_output(m, c, output, raw, head, resp);
}

/* AWS JSON and CBOR errors of a query-compatible service name the error shape in
 * __type and its Query code in x-amzn-query-error ("Code;Sender"), which clients report
 * as the error's code. */
static const char *error_type(const svc_model *m, const aws_error *e, http_response *resp)
{
    if (!m || !m->query_compatible) return e->code;
    char qe[160];
    snprintf(qe, sizeof qe, "%s;%s", e->code, resp->status >= 500 ? "Receiver" : "Sender");
    http_response_header(resp, "x-amzn-query-error", qe);
    const char *shape = model_error_shape_of_code(m, e->code);
    return shape ? shape : e->code;
}

void proto_write_error(const svc_model *m, sigv4_family fam, proto_kind wire, const aws_error *e,
                       const char *request_id, bool head, http_response *resp)
{
    if (m) fam = proto_wire_family(wire);
    set_common(resp, fam, request_id);
    resp->status = e->status ? e->status : 400;
    buf *b = &resp->body;
    if (m && m->protocol == PROTO_REST_JSON) {
        http_response_header(resp, "Content-Type", "application/json");
        http_response_header(resp, "x-amzn-ErrorType", e->code);
        json_t *body = json_object();
        json_object_set_new(body, "__type", json_string(e->code));
        json_object_set_new(body, "message", json_string_safe(e->message, strlen(e->message)));
        char *text = json_dumps(body, JSON_OUT_FLAGS);
        buf_puts(b, text);
        free(text);
        json_decref(body);
        return;
    }
    if (m && wire == PROTO_CBOR) {
        http_response_header(resp, "smithy-protocol", "rpc-v2-cbor");
        http_response_header(resp, "Content-Type", "application/cbor");
        const char *pairs[] = {"__type", error_type(m, e, resp), "message", e->message};
        cbor_encode_text_map(pairs, 2, b);
        return;
    }
    if (fam == FAMILY_JSON) {
        char ct[48];
        snprintf(ct, sizeof ct, "application/x-amz-json-%s", m ? m->json_version : "1.1");
        http_response_header(resp, "Content-Type", ct);
        const char *type = error_type(m, e, resp);
        http_response_header(resp, "X-Amzn-ErrorType", type);
        /* Use the member casing the model's error shape declares ("Message" for
         * Organizations); clients accept both. */
        const json_t *shape = m ? model_shape(m, type) : NULL;
        bool upper = json_object_get(json_object_get(shape, "members"), "Message") != NULL;
        json_t *body = json_object();
        json_object_set_new(body, "__type", json_string(type));
        json_object_set_new(body, upper ? "Message" : "message",
                            json_string_safe(e->message, strlen(e->message)));
        if (e->reason[0]) json_object_set_new(body, "Reason", json_string(e->reason));
        char *text = json_dumps(body, JSON_OUT_FLAGS);
        buf_puts(b, text);
        free(text);
        json_decref(body);
        return;
    }
    if (fam == FAMILY_QUERY) {
        http_response_header(resp, "Content-Type", "text/xml");
        buf_printf(b, "<ErrorResponse xmlns=\"%s\"><Error><Type>%s</Type><Code>",
                   m && m->xml_namespace ? m->xml_namespace
                                         : "https://sts.amazonaws.com/doc/2011-06-15/",
                   resp->status >= 500 ? "Receiver" : "Sender");
        buf_put_xml_escaped(b, e->code, strlen(e->code));
        buf_puts(b, "</Code><Message>");
        buf_put_xml_escaped(b, e->message, strlen(e->message));
        buf_printf(b, "</Message></Error><RequestId>%s</RequestId></ErrorResponse>", request_id);
        return;
    }
    if (head) return; /* HEAD answers carry no body */
    http_response_header(resp, "Content-Type", "application/xml");
    buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>");
    buf_put_xml_escaped(b, e->code, strlen(e->code));
    buf_puts(b, "</Code><Message>");
    buf_put_xml_escaped(b, e->message, strlen(e->message));
    buf_puts(b, "</Message>");
    if (e->extra_name[0]) {
        buf_printf(b, "<%s>", e->extra_name);
        buf_put_xml_escaped(b, e->extra_value, strlen(e->extra_value));
        buf_printf(b, "</%s>", e->extra_name);
    }
    buf_printf(b, "<RequestId>%s</RequestId><HostId>%s</HostId></Error>", request_id, request_id);
}
