#include "proto/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/rest_route.h"

static proto_kind protocol_of(const char *p)
{
    if (!p) return PROTO_JSON;
    if (!strcmp(p, "query")) return PROTO_QUERY;
    if (!strcmp(p, "rest-xml")) return PROTO_REST_XML;
    if (!strcmp(p, "rest-json")) return PROTO_REST_JSON;
    if (!strcmp(p, "smithy-rpc-v2-cbor")) return PROTO_CBOR;
    return PROTO_JSON;
}

int model_set_load(model_set *ms, char *err, size_t errlen)
{
    memset(ms, 0, sizeof *ms);
    size_t len;
    const char *blob = model_blob(&len);
    json_error_t je;
    ms->root = json_loadb(blob, len, 0, &je);
    if (!ms->root) {
        snprintf(err, errlen, "embedded model: %s (line %d)", je.text, je.line);
        return -1;
    }
    json_t *services = json_object_get(ms->root, "services");
    const char *name;
    json_t *svc;
    json_object_foreach(services, name, svc)
    {
        if (ms->n_services == (int)(sizeof ms->services / sizeof ms->services[0])) break;
        svc_model *m = &ms->services[ms->n_services++];
        json_t *meta = json_object_get(svc, "metadata");
        m->signing_name = name;
        const char *proto = json_string_value(json_object_get(meta, "protocol"));
        m->protocol = protocol_of(proto ? proto : "json");
        m->wires = 1u << m->protocol;
        /* A model that lists several protocols (CloudWatch) is served in each of them; a
         * request that shows none is taken as AWS JSON, the one botocore picks first. */
        json_t *protos = json_object_get(meta, "protocols");
        if (json_array_size(protos) > 1) {
            size_t i;
            json_t *p;
            m->wires = 0;
            json_array_foreach(protos, i, p) m->wires |= 1u << protocol_of(json_string_value(p));
            if (m->wires & (1u << PROTO_JSON)) m->protocol = PROTO_JSON;
        }
        m->query_compatible = json_object_get(meta, "awsQueryCompatible") != NULL;
        m->json_version = json_string_value(json_object_get(meta, "jsonVersion"));
        if (!m->json_version) m->json_version = "1.0";
        m->target_prefix = json_string_value(json_object_get(meta, "targetPrefix"));
        m->xml_namespace = json_string_value(json_object_get(meta, "xmlNamespace"));
        m->api_version = json_string_value(json_object_get(meta, "apiVersion"));
        m->operations = json_object_get(svc, "operations");
        m->shapes = json_object_get(svc, "shapes");
        if (m->protocol == PROTO_REST_XML || m->protocol == PROTO_REST_JSON) {
            long n = rest_routes_build(m->operations, m->shapes, &m->routes);
            if (n < 0) {
                snprintf(err, errlen, "embedded model: %s has a REST route orgtrail cannot read",
                         name);
                model_set_free(ms);
                return -1;
            }
            m->n_routes = (size_t)n;
        }
    }
    return 0;
}

void model_set_free(model_set *ms)
{
    for (int i = 0; i < ms->n_services; i++)
        free(ms->services[i].routes);
    json_decref(ms->root);
    memset(ms, 0, sizeof *ms);
}

const svc_model *model_service(const model_set *ms, const char *signing_name)
{
    for (int i = 0; i < ms->n_services; i++)
        if (!strcmp(ms->services[i].signing_name, signing_name)) return &ms->services[i];
    return NULL;
}

const json_t *model_op(const svc_model *m, const char *op_name)
{
    return json_object_get(m->operations, op_name);
}

const json_t *model_shape(const svc_model *m, const char *shape_name)
{
    return shape_name ? json_object_get(m->shapes, shape_name) : NULL;
}

const json_t *model_ref_shape(const svc_model *m, const json_t *ref)
{
    return model_shape(m, json_string_value(json_object_get(ref, "shape")));
}

const char *model_shape_type(const json_t *shape)
{
    const char *t = json_string_value(json_object_get(shape, "type"));
    return t ? t : "";
}

const char *model_op_input(const json_t *op)
{
    return json_string_value(json_object_get(json_object_get(op, "input"), "shape"));
}

const char *model_op_output(const json_t *op)
{
    return json_string_value(json_object_get(json_object_get(op, "output"), "shape"));
}

int model_error_status(const svc_model *m, const char *shape_name, const char **code)
{
    const json_t *s = model_shape(m, shape_name);
    const json_t *e = json_object_get(s, "error");
    if (code) {
        const char *c = json_string_value(json_object_get(e, "code"));
        *code = c ? c : shape_name;
    }
    return (int)json_integer_value(json_object_get(e, "httpStatusCode"));
}

const char *model_error_shape_of_code(const svc_model *m, const char *code)
{
    const char *name;
    json_t *shape;
    json_object_foreach(m->shapes, name, shape)
    {
        const json_t *e = json_object_get(shape, "error");
        const char *c = json_string_value(json_object_get(e, "code"));
        if (c && !strcmp(c, code)) return name;
    }
    return NULL;
}

const char *model_target_op(const svc_model *m, const char *target)
{
    const char *dot = target && m->target_prefix ? strrchr(target, '.') : NULL;
    if (!dot) return NULL;
    size_t n = (size_t)(dot - target);
    const char *full = m->target_prefix;
    const char *last = strrchr(full, '.');
    last = last ? last + 1 : full;
    if ((strlen(full) == n && !strncmp(target, full, n)) ||
        (strlen(last) == n && !strncmp(target, last, n)))
        return dot + 1;
    return NULL;
}
