#include "proto/xml.h"

#include <expat.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/timeutil.h"
#include "core/xalloc.h"

#define XML_MAX_DEPTH 32
#define XML_MAX_NODES 200000

typedef struct parse_state {
    XML_Parser parser;
    xml_node *root;
    xml_node *stack[XML_MAX_DEPTH];
    int depth;
    size_t nodes;
    int failed;
} parse_state;

static const char *local_name(const char *n)
{
    const char *c = strrchr(n, ':');
    return c ? c + 1 : n;
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
    (void)attrs;
    parse_state *s = ud;
    if (s->failed) return;
    if (s->depth >= XML_MAX_DEPTH || ++s->nodes > XML_MAX_NODES || (s->depth == 0 && s->root)) {
        s->failed = 1;
        return;
    }
    xml_node *n = calloc(1, sizeof *n);
    if (!n) abort();
    n->name = strdup(local_name(name));
    if (!n->name) abort();
    if (s->depth == 0) {
        s->root = n;
    } else {
        xml_node *p = s->stack[s->depth - 1];
        p->kids = xgrow(p->kids, &p->cap_kids, p->n_kids + 1, sizeof *p->kids);
        p->kids[p->n_kids++] = n;
    }
    s->stack[s->depth++] = n;
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    (void)name;
    parse_state *s = ud;
    if (s->failed) return;
    s->depth--;
}

static void XMLCALL on_text(void *ud, const XML_Char *t, int len)
{
    parse_state *s = ud;
    if (s->failed || s->depth == 0) return;
    buf_append(&s->stack[s->depth - 1]->text, t, (size_t)len);
}

/* Request bodies never need a DTD, and a DTD is how entity definitions (and so "billion
 * laughs" expansion, or external entities) get into a document: refuse any DOCTYPE
 * outright rather than rely on the expat version's amplification limits. */
static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal_subset)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
    parse_state *s = ud;
    s->failed = 1;
    XML_StopParser(s->parser, XML_FALSE);
}

/* Belt and braces: an entity declaration can only appear inside a DOCTYPE, but should
 * one ever reach us, it must not define anything. */
static void XMLCALL on_entity_decl(void *ud, const XML_Char *name, int is_param,
                                   const XML_Char *value, int value_len, const XML_Char *base,
                                   const XML_Char *sysid, const XML_Char *pubid,
                                   const XML_Char *notation)
{
    (void)name, (void)is_param, (void)value, (void)value_len, (void)base, (void)sysid;
    (void)pubid, (void)notation;
    parse_state *s = ud;
    s->failed = 1;
    XML_StopParser(s->parser, XML_FALSE);
}

xml_node *xml_parse(const char *data, size_t len, aws_error *e)
{
    parse_state s = {0};
    /* XML_Parse takes an int length; larger bodies are refused, not truncated. */
    if (len > INT_MAX) {
        aws_fail(e, 400, "MalformedXML",
                 "The XML you provided was not well-formed or did not validate against our "
                 "published schema");
        return NULL;
    }
    XML_Parser p = XML_ParserCreate("UTF-8");
    if (!p) abort();
    s.parser = p;
    XML_SetUserData(p, &s);
    XML_SetElementHandler(p, on_start, on_end);
    XML_SetCharacterDataHandler(p, on_text);
    XML_SetStartDoctypeDeclHandler(p, on_doctype);
    XML_SetEntityDeclHandler(p, on_entity_decl);
    int ok = XML_Parse(p, data, (int)len, 1) == XML_STATUS_OK;
    XML_ParserFree(p);
    if (!ok || s.failed || !s.root) {
        xml_free(s.root);
        aws_fail(e, 400, "MalformedXML",
                 "The XML you provided was not well-formed or did not validate against our "
                 "published schema");
        return NULL;
    }
    return s.root;
}

void xml_free(xml_node *n)
{
    if (!n) return;
    for (size_t i = 0; i < n->n_kids; i++)
        xml_free(n->kids[i]);
    free(n->kids);
    free(n->name);
    buf_free(&n->text);
    free(n);
}

const xml_node *xml_child(const xml_node *n, const char *name)
{
    for (size_t i = 0; n && i < n->n_kids; i++)
        if (!strcmp(n->kids[i]->name, name)) return n->kids[i];
    return NULL;
}

static const char *member_xml_name(const char *member, const json_t *ref)
{
    const char *ln = json_string_value(json_object_get(ref, "locationName"));
    return ln ? ln : member;
}

static json_t *malformed(aws_error *e)
{
    aws_fail(e, 400, "MalformedXML",
             "The XML you provided was not well-formed or did not validate against our "
             "published schema");
    return NULL;
}

static json_t *scalar_from_text(const json_t *shape, const char *t, aws_error *e)
{
    const char *type = model_shape_type(shape);
    if (!strcmp(type, "boolean")) {
        if (!strcmp(t, "true")) return json_true();
        if (!strcmp(t, "false")) return json_false();
        return malformed(e);
    }
    if (!strcmp(type, "integer") || !strcmp(type, "long")) {
        char *end;
        long long v = strtoll(t, &end, 10);
        if (!*t || *end) return malformed(e);
        return json_integer(v);
    }
    if (!strcmp(type, "float") || !strcmp(type, "double")) {
        char *end;
        double v = strtod(t, &end);
        if (!*t || *end || !isfinite(v)) return malformed(e);
        return json_real(v);
    }
    if (!strcmp(type, "timestamp")) {
        int64_t ms;
        if (time_parse_iso8601(t, &ms)) return malformed(e);
        return json_real((double)ms / 1000.0);
    }
    return json_string(t);
}

json_t *xml_to_json(const svc_model *m, const json_t *shape, const xml_node *n, aws_error *e)
{
    const char *type = model_shape_type(shape);
    if (!strcmp(type, "structure")) {
        json_t *obj = json_object();
        const char *mname;
        json_t *ref;
        json_object_foreach(json_object_get(shape, "members"), mname, ref)
        {
            const json_t *ms = model_ref_shape(m, ref);
            const char *xn = member_xml_name(mname, ref);
            bool flattened = json_is_true(json_object_get(ref, "flattened")) ||
                             json_is_true(json_object_get(ms, "flattened"));
            if (!strcmp(model_shape_type(ms), "list") && flattened) {
                json_t *arr = json_array();
                const json_t *mem = json_object_get(ms, "member");
                const json_t *mshape = model_ref_shape(m, mem);
                const char *ename = json_string_value(json_object_get(mem, "locationName"));
                if (!ename) ename = xn;
                for (size_t i = 0; i < n->n_kids; i++) {
                    if (strcmp(n->kids[i]->name, xn) && strcmp(n->kids[i]->name, ename)) continue;
                    json_t *v = xml_to_json(m, mshape, n->kids[i], e);
                    if (!v) {
                        json_decref(arr);
                        json_decref(obj);
                        return NULL;
                    }
                    json_array_append_new(arr, v);
                }
                if (json_array_size(arr))
                    json_object_set_new(obj, mname, arr);
                else
                    json_decref(arr);
                continue;
            }
            const xml_node *c = xml_child(n, xn);
            if (!c) continue;
            json_t *v = xml_to_json(m, ms, c, e);
            if (!v) {
                json_decref(obj);
                return NULL;
            }
            json_object_set_new(obj, mname, v);
        }
        return obj;
    }
    if (!strcmp(type, "list")) {
        json_t *arr = json_array();
        const json_t *mem = json_object_get(shape, "member");
        const char *ename = json_string_value(json_object_get(mem, "locationName"));
        if (!ename) ename = "member";
        for (size_t i = 0; i < n->n_kids; i++) {
            if (strcmp(n->kids[i]->name, ename)) continue;
            json_t *v = xml_to_json(m, model_ref_shape(m, mem), n->kids[i], e);
            if (!v) {
                json_decref(arr);
                return NULL;
            }
            json_array_append_new(arr, v);
        }
        return arr;
    }
    if (!strcmp(type, "map")) {
        json_t *obj = json_object();
        for (size_t i = 0; i < n->n_kids; i++) {
            const xml_node *k = xml_child(n->kids[i], "key"), *v = xml_child(n->kids[i], "value");
            if (!k || !v) continue;
            json_t *jv = xml_to_json(m, model_ref_shape(m, json_object_get(shape, "value")), v, e);
            if (!jv) {
                json_decref(obj);
                return NULL;
            }
            json_object_set_new(obj, buf_cstr((buf *)&k->text), jv);
        }
        return obj;
    }
    return scalar_from_text(shape, buf_cstr((buf *)&n->text), e);
}

static void write_scalar(buf *b, const json_t *shape, const json_t *v)
{
    const char *type = model_shape_type(shape);
    if (!strcmp(type, "timestamp") && json_is_number(v)) {
        char t[40];
        time_iso8601_ms((int64_t)llround(json_number_value(v) * 1000.0), t, sizeof t);
        buf_puts(b, t);
    } else if (json_is_string(v)) {
        buf_put_xml_escaped(b, json_string_value(v), json_string_length(v));
    } else if (json_is_boolean(v)) {
        buf_puts(b, json_is_true(v) ? "true" : "false");
    } else if (json_is_integer(v)) {
        buf_printf(b, "%lld", (long long)json_integer_value(v));
    } else if (json_is_real(v)) {
        buf_printf(b, "%.15g", json_real_value(v));
    }
}

static void write_value(buf *b, const svc_model *m, const char *name, const json_t *ref,
                        const json_t *shape, const json_t *v);

static void write_list_items(buf *b, const svc_model *m, const json_t *shape, const json_t *v,
                             const char *flat_name)
{
    const json_t *mem = json_object_get(shape, "member");
    const char *ename = json_string_value(json_object_get(mem, "locationName"));
    if (!ename) ename = flat_name ? flat_name : "member";
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) write_value(b, m, ename, mem, model_ref_shape(m, mem), x);
}

static void write_value(buf *b, const svc_model *m, const char *name, const json_t *ref,
                        const json_t *shape, const json_t *v)
{
    const char *type = model_shape_type(shape);
    bool flattened = json_is_true(json_object_get(ref, "flattened")) ||
                     json_is_true(json_object_get(shape, "flattened"));
    if (!strcmp(type, "list") && flattened) {
        write_list_items(b, m, shape, v, name);
        return;
    }
    buf_printf(b, "<%s", name);
    /* xsi:type style attributes (S3 Grantee) are modeled as xmlAttribute members. */
    if (!strcmp(type, "structure")) {
        const char *mn;
        json_t *mref;
        json_object_foreach(json_object_get(shape, "members"), mn, mref)
        {
            if (!json_is_true(json_object_get(mref, "xmlAttribute"))) continue;
            const json_t *av = json_object_get(v, mn);
            if (!av) continue;
            buf_printf(b, " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" %s=\"",
                       member_xml_name(mn, mref));
            write_scalar(b, model_ref_shape(m, mref), av);
            buf_putc(b, '"');
        }
    }
    buf_putc(b, '>');
    if (!strcmp(type, "structure")) {
        xml_write_members(b, m, shape, v);
    } else if (!strcmp(type, "list")) {
        write_list_items(b, m, shape, v, NULL);
    } else if (!strcmp(type, "map")) {
        const char *k;
        json_t *x;
        const json_t *vref = json_object_get(shape, "value");
        json_object_foreach((json_t *)v, k, x)
        {
            buf_puts(b, "<entry><key>");
            buf_put_xml_escaped(b, k, strlen(k));
            buf_puts(b, "</key>");
            write_value(b, m, "value", vref, model_ref_shape(m, vref), x);
            buf_puts(b, "</entry>");
        }
    } else {
        write_scalar(b, shape, v);
    }
    buf_printf(b, "</%s>", name);
}

void xml_write_members(buf *b, const svc_model *m, const json_t *shape, const json_t *value)
{
    json_t *members = json_object_get(shape, "members");
    json_t *order = json_object_get(shape, "order");
    size_t i;
    json_t *on;
    json_array_foreach(order, i, on)
    {
        const char *mn = json_string_value(on);
        const json_t *ref = json_object_get(members, mn);
        const json_t *v = json_object_get(value, mn);
        if (!v || json_is_null(v)) continue;
        if (json_object_get(ref, "location") || json_is_true(json_object_get(ref, "xmlAttribute")))
            continue;
        write_value(b, m, member_xml_name(mn, ref), ref, model_ref_shape(m, ref), v);
    }
}

void xml_write_element(buf *b, const svc_model *m, const char *name, const json_t *shape,
                       const json_t *value)
{
    write_value(b, m, name, NULL, shape, value);
}
