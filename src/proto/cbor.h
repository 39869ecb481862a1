/* cbor: the bodies of the Smithy RPC v2 CBOR protocol, to and from the JSON values every
 * handler reads and writes (proto.h), driven by the model's shapes.
 *
 * So that a service sees the same input whatever protocol a client speaks, the mapping is
 * the one AWS JSON uses: structures and maps are JSON objects (members by model name; a
 * CBOR null member is absent), lists arrays, integers and longs JSON integers, floats and
 * doubles JSON reals, timestamps JSON numbers of epoch seconds (on the wire: CBOR tag 1
 * around an integer or a float, and a bare number is accepted too), blobs base64 text (on
 * the wire: byte strings). Members a structure does not model are ignored, as AWS's
 * deserializers do; a value of the wrong CBOR type is a SerializationException.
 *
 * Decoding uses libcbor (Debian's libcbor), which reads definite and indefinite items and
 * half-, single- and double-precision floats. Encoding writes definite-length items only,
 * with the shortest integer heads, and doubles as float64, as the Smithy spec allows.
 * Nothing here keeps state: both directions are safe from any thread. */
#ifndef ORGTRAIL_CBOR_H
#define ORGTRAIL_CBOR_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/awserr.h"
#include "core/buf.h"
#include "proto/model.h"

/* Nesting deeper than this is refused (SerializationException): the models' deepest
 * shape is far shallower, and the conversion recurses. */
#define CBOR_MAX_DEPTH 64

/* Decodes a body of shape `shape` (a structure) into a new JSON object (the caller
 * decrefs it), or NULL with e set (SerializationException). An empty body is {}. */
json_t *cbor_decode_shape(const svc_model *m, const json_t *shape, const uint8_t *data, size_t len,
                          aws_error *e);

/* Appends v, written as shape says, to out. v NULL (no output) writes an empty map.
 * Values of another JSON type than the shape's are written as their JSON type says
 * (never dropped): the encoder trusts the handler. */
void cbor_encode_shape(const svc_model *m, const json_t *shape, const json_t *v, buf *out);

/* A CBOR map of text keys to text values, for error bodies ({"__type": ..., "message":
 * ...}): pairs[0..2n) as key, value, key, value. */
void cbor_encode_text_map(const char *const *pairs, size_t n, buf *out);

#endif
