#include "proto/rest_route.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rest_path_segments(const char *path)
{
    int n = 0;
    for (const char *p = path; *p;) {
        while (*p == '/')
            p++;
        if (!*p) break;
        n++;
        while (*p && *p != '/')
            p++;
    }
    return n;
}

static bool fits(const char *s, size_t n)
{
    return s && strlen(s) < n;
}

/* "/{Bucket}/{Key+}?uploads&x-id=Foo": path and query literals. */
static int parse_uri(const char *uri, rest_route *r)
{
    const char *q = strchr(uri, '?');
    size_t pl = q ? (size_t)(q - uri) : strlen(uri);
    if (pl >= sizeof r->path) return -1;
    memcpy(r->path, uri, pl);
    r->path[pl] = 0;
    r->segments = rest_path_segments(r->path);
    r->literal = !strchr(r->path, '{');
    r->greedy = strstr(r->path, "+}") != NULL;
    for (const char *p = q ? q + 1 : ""; *p;) {
        size_t k = strcspn(p, "&");
        if (k && strncmp(p, "x-id=", 5)) {
            if (r->n_lits == REST_ROUTE_MAX_LITS || k >= sizeof r->lit_key[0]) return -1;
            const char *eq = memchr(p, '=', k);
            size_t kl = eq ? (size_t)(eq - p) : k;
            memcpy(r->lit_key[r->n_lits], p, kl);
            r->lit_key[r->n_lits][kl] = 0;
            if (eq) {
                memcpy(r->lit_value[r->n_lits], eq + 1, k - kl - 1);
                r->lit_value[r->n_lits][k - kl - 1] = 0;
                r->lit_has_value[r->n_lits] = true;
            }
            r->n_lits++;
        }
        p += k;
        if (*p) p++;
    }
    return 0;
}

static int required_members(const json_t *shapes, const json_t *op, rest_route *r)
{
    const char *shape_name =
        json_string_value(json_object_get(json_object_get(op, "input"), "shape"));
    if (!shape_name) return 0;
    const json_t *shape = json_object_get(shapes, shape_name);
    const json_t *members = json_object_get(shape, "members");
    size_t i;
    json_t *req;
    json_array_foreach(json_object_get(shape, "required"), i, req)
    {
        const json_t *ref = json_object_get(members, json_string_value(req));
        const char *loc = json_string_value(json_object_get(ref, "location"));
        const char *ln = json_string_value(json_object_get(ref, "locationName"));
        if (!loc || !ln) continue;
        if (!strcmp(loc, "querystring")) {
            if (r->n_required_query == REST_ROUTE_MAX_REQUIRED || !fits(ln, 64)) return -1;
            snprintf(r->required_query[r->n_required_query++], 64, "%s", ln);
        } else if (!strcmp(loc, "header")) {
            if (r->n_required_header == REST_ROUTE_MAX_REQUIRED || !fits(ln, 64)) return -1;
            char *h = r->required_header[r->n_required_header++];
            snprintf(h, 64, "%s", ln);
            for (char *p = h; *p; p++)
                *p = (char)tolower((unsigned char)*p);
        }
    }
    return 0;
}

long rest_routes_build(const json_t *operations, const json_t *shapes, rest_route **out)
{
    *out = NULL;
    size_t n = 0, cap = json_object_size(operations);
    rest_route *routes = cap ? calloc(cap, sizeof *routes) : NULL;
    if (cap && !routes) abort();
    const char *name;
    json_t *op;
    json_object_foreach((json_t *)operations, name, op)
    {
        const json_t *http = json_object_get(op, "http");
        const char *method = json_string_value(json_object_get(http, "method"));
        const char *uri = json_string_value(json_object_get(http, "requestUri"));
        if (!method || !uri) continue;
        rest_route *r = &routes[n];
        r->op_name = name;
        r->op = op;
        if (!fits(method, sizeof r->method) || parse_uri(uri, r) ||
            required_members(shapes, op, r)) {
            free(routes);
            return -1;
        }
        snprintf(r->method, sizeof r->method, "%s", method);
        n++;
    }
    if (!n) {
        free(routes);
        routes = NULL;
    }
    *out = routes;
    return (long)n;
}
