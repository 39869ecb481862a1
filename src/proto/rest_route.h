/* rest_route: a REST service's operations as a routing table, prepared once.
 *
 * A REST request names its operation by method, path shape ("/", "/{Bucket}",
 * "/{Bucket}/{Key+}" or a literal path), query literals of the requestUri ("?uploads",
 * "?list-type=2") and the required members carried in headers or the query string (S3's
 * CopyObject needs x-amz-copy-source where PutObject does not). Reading all of that from
 * the model's JSON for every operation on every request cost S3 a sixth of a GetObject;
 * rest_routes_build reads it once at model load into plain structs that routing scans.
 *
 * The table borrows the model's strings (op names) and lives as long as the model. */
#ifndef ORGTRAIL_PROTO_REST_ROUTE_H
#define ORGTRAIL_PROTO_REST_ROUTE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define REST_ROUTE_MAX_LITS 4
#define REST_ROUTE_MAX_REQUIRED 8

typedef struct rest_route {
    const char *op_name; /* borrowed from the model */
    const json_t *op;
    char method[8];
    char path[128]; /* the requestUri's path: "/{Bucket}/{Key+}" */
    int segments;   /* non-empty '/'-separated segments of path */
    bool literal;   /* a path without labels, matched exactly */
    bool greedy;    /* ends in a {Label+} */
    int n_lits;     /* query literals of the requestUri (x-id excluded) */
    char lit_key[REST_ROUTE_MAX_LITS][64];
    char lit_value[REST_ROUTE_MAX_LITS][64];
    bool lit_has_value[REST_ROUTE_MAX_LITS];
    int n_required_query, n_required_header; /* required members by location */
    char required_query[REST_ROUTE_MAX_REQUIRED][64];
    char required_header[REST_ROUTE_MAX_REQUIRED][64]; /* lower-cased */
} rest_route;

/* Builds the table of every operation with an "http" trait, from the service's operations
 * and shapes. Returns the count; *out is malloc'd (caller frees), NULL when none. -1 when an
 * operation exceeds the table's limits (a model this code does not know). */
long rest_routes_build(const json_t *operations, const json_t *shapes, rest_route **out);

/* Non-empty '/'-separated segments of a path. */
int rest_path_segments(const char *path);

#endif
