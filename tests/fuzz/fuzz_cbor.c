/* fuzz_cbor: Smithy RPC v2 CBOR bodies (proto/cbor.h) decoded against CloudWatch's input
 * shapes, then written back and decoded again: the second decoding must give the same
 * JSON value, so the encoder and decoder agree on every value the decoder accepts.
 *
 * Input: the first byte picks the operation (its index among the model's operations,
 * modulo their count); the rest is the body. */
#include <stdlib.h>

#include "fuzz_target.h"
#include "proto/cbor.h"
#include "proto/model.h"

static model_set models;
static const svc_model *cw;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char err[256];
    if (model_set_load(&models, err, sizeof err)) abort();
    cw = model_service(&models, "monitoring");
    if (!cw) abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    size_t n_ops = json_object_size(cw->operations), pick = data[0] % n_ops, i = 0;
    const char *name;
    json_t *op, *chosen = NULL;
    json_object_foreach(cw->operations, name, op) if (i++ == pick) chosen = op;
    const json_t *shape = model_shape(cw, model_op_input(chosen));
    aws_error e;
    aws_error_clear(&e);
    json_t *v = cbor_decode_shape(cw, shape, data + 1, size - 1, &e);
    if (!v) {
        if (!aws_error_set(&e)) abort(); /* a refusal always says why */
        return 0;
    }
    buf out = BUF_INIT;
    cbor_encode_shape(cw, shape, v, &out);
    aws_error_clear(&e);
    json_t *again = cbor_decode_shape(cw, shape, (const uint8_t *)out.data, out.len, &e);
    if (!again || !json_equal(v, again)) abort();
    json_decref(again);
    json_decref(v);
    buf_free(&out);
    return 0;
}
