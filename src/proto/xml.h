/* xml: a small DOM for request bodies (expat underneath) and model-driven conversion.
 *
 * Request bodies in AWS's XML protocols are small documents (bucket configuration,
 * delete lists); they are parsed whole into an xml_node tree with limits on depth and
 * node count, then turned into JSON by walking the input shape. Namespaces are ignored:
 * elements are matched by local name, as AWS's parsers do. */
#ifndef ORGTRAIL_XML_H
#define ORGTRAIL_XML_H

#include <jansson.h>
#include <stddef.h>

#include "core/awserr.h"
#include "core/buf.h"
#include "proto/model.h"

typedef struct xml_node {
    char *name; /* local name, without prefix */
    buf text;
    struct xml_node **kids;
    size_t n_kids, cap_kids;
} xml_node;

/* Parses a document; returns the root (caller frees with xml_free), or NULL with e set
 * to MalformedXML. */
xml_node *xml_parse(const char *data, size_t len, aws_error *e);
void xml_free(xml_node *n);
const xml_node *xml_child(const xml_node *n, const char *name);

/* Converts element `n` (whose shape is `shape`) into JSON; NULL with e set on a value
 * that does not fit its type. The caller owns the result. */
json_t *xml_to_json(const svc_model *m, const json_t *shape, const xml_node *n, aws_error *e);

/* Serializes `value` of shape `shape` as the children of an element (not the element
 * itself); timestamps become ISO-8601, booleans true/false, lists <member> or flattened,
 * maps <entry><key/><value/></entry>, all as AWS's Query and REST-XML protocols do. */
void xml_write_members(buf *b, const svc_model *m, const json_t *shape, const json_t *value);
/* Serializes one element named `name` holding `value` of shape `shape`. */
void xml_write_element(buf *b, const svc_model *m, const char *name, const json_t *shape,
                       const json_t *value);

#endif
