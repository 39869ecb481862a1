/* model: AWS's API models, the contract every protocol and validator reads.
 *
 * The models are loaded once at start-up from the embedded blob and never modified, so
 * they are shared read-only by every thread. Lookups return borrowed jansson references
 * that live as long as the model set: never decref them, and never incref them from
 * request threads either (keep the refcounts untouched). */
#ifndef ORGTRAIL_MODEL_H
#define ORGTRAIL_MODEL_H

#include <jansson.h>
#include <stdbool.h>

typedef enum proto_kind {
    PROTO_JSON,      /* AWS JSON 1.0 / 1.1 */
    PROTO_QUERY,     /* form-encoded request, XML response */
    PROTO_REST_XML,  /* S3 */
    PROTO_REST_JSON, /* cloudtrail-data */
    PROTO_CBOR,      /* Smithy RPC v2 CBOR (CloudWatch; proto/cbor.h) */
} proto_kind;

typedef struct svc_model {
    const char *signing_name; /* credential-scope service, e.g. "cloudtrail" */
    proto_kind protocol;      /* the default: what a request in no recognisable protocol gets */
    /* Every protocol the model lists (1 << proto_kind each): CloudWatch's model lists
     * smithy-rpc-v2-cbor, json and query, and clients pick the first they support, so each
     * request is answered in the protocol it came in (proto_wire). */
    unsigned wires;
    /* awsQueryCompatible (a former Query service): JSON and CBOR errors also carry the
     * Query error code, in x-amzn-query-error. */
    bool query_compatible;
    const char *json_version;  /* "1.0" / "1.1" for PROTO_JSON */
    const char *target_prefix; /* X-Amz-Target prefix for PROTO_JSON */
    const char *xml_namespace; /* Query response namespace */
    const char *api_version;
    json_t *operations;        /* borrowed */
    json_t *shapes;            /* borrowed */
    struct rest_route *routes; /* REST protocols: the routing table (owned; rest_route.h) */
    size_t n_routes;
} svc_model;

typedef struct model_set {
    json_t *root; /* owned */
    svc_model services[16];
    int n_services;
} model_set;

/* The embedded blob (defined in model_blob.c). */
const char *model_blob(size_t *len);

/* Loads every service from the embedded blob. Returns 0, or -1 with a message in err. */
int model_set_load(model_set *ms, char *err, size_t errlen);
void model_set_free(model_set *ms);
const svc_model *model_service(const model_set *ms, const char *signing_name);
const json_t *model_op(const svc_model *m, const char *op_name);
const json_t *model_shape(const svc_model *m, const char *shape_name);
/* The shape a member reference (an object with "shape") points to. */
const json_t *model_ref_shape(const svc_model *m, const json_t *ref);
const char *model_shape_type(const json_t *shape);
/* Shape name of an operation's input / output; NULL when it has none. */
const char *model_op_input(const json_t *op);
const char *model_op_output(const json_t *op);
/* The HTTP status the model gives an error shape (0 when it gives none). */
int model_error_status(const svc_model *m, const char *shape_name, const char **code);

/* The name of the error shape whose Query code (error.code) is `code`, or NULL. */
const char *model_error_shape_of_code(const svc_model *m, const char *code);

/* The operation name an X-Amz-Target header names for model m, or NULL when its prefix
 * is not m's. Both spellings clients send are accepted: botocore's full
 * "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.Op" and the JS SDK v3's
 * "CloudTrail_20131101.Op" (the last component of the prefix). */
const char *model_target_op(const svc_model *m, const char *target);

#endif
