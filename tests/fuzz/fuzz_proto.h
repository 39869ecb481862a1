/* Shared by the protocol fuzz targets (fuzz_json_request, fuzz_query_request,
 * fuzz_rest_request): the front end's path from a request whose signature has been
 * accepted to a decoded, validated call, its CloudTrail request parameters and the
 * response envelope. Only the handlers (and so the database) are left out.
 *
 * Input: the service's signing name on the first line, then a request in the
 * fuzz_common.h layout. A name that is not one of the target's services picks the first
 * that is, so that every input still reaches a decoder. */
#ifndef ORGTRAIL_FUZZ_PROTO_H
#define ORGTRAIL_FUZZ_PROTO_H

#include "app/registry.h"
#include "capture/record.h"
#include "fuzz_common.h"
#include "proto/proto.h"
#include "proto/validate.h"
#include "svc/service.h"

/* Loaded once and kept for the process: the server does the same at start-up, and
 * reloading per input would make the fuzzer measure jansson, not the decoders. */
static model_set fuzz_models;
static validator *fuzz_validator;

static inline void fuzz_proto_init(void)
{
    char err[256];
    if (model_set_load(&fuzz_models, err, sizeof err)) {
        fprintf(stderr, "fuzz: %s\n", err);
        abort();
    }
    fuzz_validator = validator_new(&fuzz_models);
    if (!fuzz_validator) abort();
}

static inline const svc_model *fuzz_pick_service(const char *name, unsigned protocols)
{
    const svc_model *first = NULL;
    for (int i = 0; i < fuzz_models.n_services; i++) {
        const svc_model *m = &fuzz_models.services[i];
        if (!(protocols & (1u << m->protocol))) continue;
        if (!strcmp(m->signing_name, name)) return m;
        if (!first) first = m;
    }
    return first;
}

/* protocols: a mask of 1 << proto_kind. */
static inline void fuzz_proto_request(const uint8_t *data, size_t size, unsigned protocols)
{
    const uint8_t *p = data, *end = data + size, *line;
    size_t n = fuzz_line(&p, end, &line);
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(n < 63 ? n : 63), (const char *)line);
    const svc_model *m = fuzz_pick_service(name, protocols);
    if (!m) abort(); /* the target's protocols are not in the models: the target is wrong */
    const service_def *svc = service_lookup(m->signing_name);

    http_request r;
    fuzz_request(p, (size_t)(end - p), &r);
    aws_error err;
    aws_error_clear(&err);
    proto_call pc;
    if (proto_decode(m, &r, &pc, &err) == 0) {
        const char *in_shape = model_op_input(pc.op);
        char top[128] = "";
        validate_input(fuzz_validator, m, in_shape, pc.input, svc ? svc->style : VSTYLE_JSON, &err,
                       top, sizeof top);
        /* What the trail would record for this call, serialised as the journal does. */
        json_t *params = record_params_alloc(m, model_shape(m, in_shape), pc.input);
        char *text = params ? json_dumps(params, JSON_COMPACT) : NULL;
        free(text);
        json_decref(params);
    }
    http_response resp;
    http_response_init(&resp);
    if (aws_error_set(&err))
        proto_write_error(m, proto_family(m), proto_wire(m, &r), &err, "fuzz-request-id",
                          !strcmp(r.method, "HEAD"), &resp);
    else
        proto_write_output(m, &pc, NULL, NULL, "fuzz-request-id", !strcmp(r.method, "HEAD"), &resp);
    http_response_free(&resp);
    proto_call_free(&pc);
    http_request_free(&r);
}

#endif
