/* proto: AWS wire protocols, decoded into and encoded from JSON values by the model.
 *
 * A request is decoded into a proto_call: the operation (by X-Amz-Target, Action= or the
 * REST route) and its input as a JSON object whose members are the model's member names,
 * whatever the wire form. Handlers produce their output the same way; the encoder writes
 * it in the service's protocol (JSON, Query XML with result wrapper, REST-XML with headers
 * and payload, REST-JSON). Errors are written in the protocol's envelope.
 *
 * Timestamps are JSON numbers (epoch seconds, fraction allowed) on both sides.
 *
 * A model that lists several protocols (CloudWatch: Smithy RPC v2 CBOR, AWS JSON 1.0 and
 * Query) is spoken in each: proto_wire tells a request's protocol from its form
 * (smithy-protocol header or /service/ path, X-Amz-Target, Action=), proto_decode
 * records it in proto_call.wire, and the answer and its errors go out in that protocol,
 * so handlers never know which one the client spoke. */
#ifndef ORGTRAIL_PROTO_H
#define ORGTRAIL_PROTO_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/sigv4.h"
#include "core/awserr.h"
#include "http/http.h"
#include "proto/model.h"

typedef struct proto_call {
    const svc_model *model;
    const char *op_name; /* borrowed from the model */
    const json_t *op;    /* borrowed from the model */
    proto_kind wire;     /* the protocol the request came in (and is answered in) */
    json_t *input;       /* owned */
    /* REST only: the raw request body when it is a blob payload (borrowed). */
    const char *raw_payload;
    size_t raw_payload_len;
} proto_call;

/* Output beyond the JSON shape, for REST operations that return raw bytes. */
typedef struct proto_raw_body {
    const char *data; /* borrowed */
    size_t len;
    const char *content_type; /* NULL for application/octet-stream */
    /* Or a file region (has_fd): fd is handed to the response by proto_write_output. */
    bool has_fd;
    int fd;
    uint64_t off;
} proto_raw_body;

sigv4_family proto_family(const svc_model *m);
/* The protocol request r speaks to model m (m->protocol when the model has one only). */
proto_kind proto_wire(const svc_model *m, const http_request *r);
/* The SigV4 error family of a protocol (Query codes for Query, JSON's for JSON and CBOR). */
sigv4_family proto_wire_family(proto_kind wire);

/* Resolves the operation and decodes its input. Returns 0, or -1 with e set
 * (UnknownOperationException / InvalidAction / MethodNotAllowed, SerializationException,
 * MalformedXML ...). On success the caller frees c->input via proto_call_free. */
int proto_decode(const svc_model *m, const http_request *r, proto_call *c, aws_error *e);
void proto_call_free(proto_call *c);

/* Writes a successful response. `output` may be NULL for operations without output. */
void proto_write_output(const svc_model *m, const proto_call *c, const json_t *output,
                        const proto_raw_body *raw, const char *request_id, bool head_request,
                        http_response *resp);

/* Writes an error in the envelope of protocol `wire` of model m, or of family fam when m
 * is NULL (the service is unknown). */
void proto_write_error(const svc_model *m, sigv4_family fam, proto_kind wire, const aws_error *e,
                       const char *request_id, bool head_request, http_response *resp);

/* Guesses the protocol family of a request whose service could not be determined. */
sigv4_family proto_guess_family(const http_request *r);

/* The REST operation a request routes to (method, path shape, query literals); NULL
 * when none matches. Exposed for tests. */
const char *proto_rest_route(const svc_model *m, const http_request *r);

#endif
