/* proto/cbor: CloudWatch bodies in Smithy RPC v2 CBOR, decoded by the model's shapes to
 * the JSON handlers see (tag-1 timestamps as seconds, floats and integers, nested lists
 * and structures, indefinite-length items, nulls and unmodelled members dropped) and
 * encoded back; refusals as SerializationException (wrong types, trailing bytes, counts
 * larger than the body, nesting too deep, simple values where libcbor would assert); and
 * the protocol detection and envelopes of proto.h for all three CloudWatch protocols. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "proto/cbor.h"
#include "proto/proto.h"

static model_set models;
static const svc_model *cw;

static int setup(void **state)
{
    char err[256];
    assert_int_equal(model_set_load(&models, err, sizeof err), 0);
    cw = model_service(&models, "monitoring");
    assert_non_null(cw);
    return 0;
}

static int teardown(void **state)
{
    model_set_free(&models);
    return 0;
}

static const json_t *input_of(const char *op)
{
    return model_shape(cw, model_op_input(model_op(cw, op)));
}

static json_t *decode_hex(const char *op, const char *hex, aws_error *e)
{
    size_t n = strlen(hex) / 2;
    uint8_t *bytes = malloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        bytes[i] = (uint8_t)v;
    }
    aws_error_clear(e);
    json_t *v = cbor_decode_shape(cw, input_of(op), bytes, n, e);
    free(bytes);
    return v;
}

static void test_put_metric_data(void **state)
{
    /* {"Namespace": "App", "MetricData": [{"MetricName": "L", "Timestamp": 1(1800000000),
     *  "Value": 1.5, "Dimensions": [{"Name": "H", "Value": "a"}], "Extra": 1}]} */
    const char *hex = "a2"
                      "694e616d657370616365"
                      "63417070"
                      "6a4d657472696344617461"
                      "81"
                      "a5"
                      "6a4d65747269634e616d65"
                      "614c"
                      "6954696d657374616d70"
                      "c11a6b49d200"
                      "6556616c7565"
                      "fb3ff8000000000000"
                      "6a44696d656e73696f6e73"
                      "81a2644e616d656148"
                      "6556616c75656161"
                      "654578747261"
                      "01";
    aws_error e;
    json_t *v = decode_hex("PutMetricData", hex, &e);
    assert_non_null(v);
    assert_string_equal(json_string_value(json_object_get(v, "Namespace")), "App");
    json_t *d = json_array_get(json_object_get(v, "MetricData"), 0);
    assert_true(json_is_real(json_object_get(d, "Timestamp")));
    assert_true(json_real_value(json_object_get(d, "Timestamp")) == 1800000000.0);
    assert_true(json_real_value(json_object_get(d, "Value")) == 1.5);
    assert_null(json_object_get(d, "Extra")); /* unmodelled: ignored */
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(d, "Dimensions"), 0), "Value")),
                        "a");
    /* and back: the same JSON after a round trip */
    buf out = BUF_INIT;
    cbor_encode_shape(cw, input_of("PutMetricData"), v, &out);
    json_t *again =
        cbor_decode_shape(cw, input_of("PutMetricData"), (const uint8_t *)out.data, out.len, &e);
    assert_true(json_equal(v, again));
    json_decref(again);
    buf_free(&out);
    json_decref(v);
}

static void test_indefinite_and_null(void **state)
{
    aws_error e;
    /* indefinite map {"Namespace": (_ "A", "pp"), "MetricName": null} */
    json_t *v = decode_hex("ListMetrics",
                           "bf694e616d6573706163657f6141627070ff"
                           "6a4d65747269634e616d65f6ff",
                           &e);
    assert_non_null(v);
    assert_string_equal(json_string_value(json_object_get(v, "Namespace")), "App");
    assert_null(json_object_get(v, "MetricName"));
    json_decref(v);
    /* an empty body is {} */
    v = decode_hex("ListMetrics", "", &e);
    assert_true(json_is_object(v) && json_object_size(v) == 0);
    json_decref(v);
}

static void test_refusals(void **state)
{
    aws_error e;
    static const char *const bad[] = {
        "a1694e616d65737061636501",         /* Namespace: an integer */
        "a1694e616d65737061636563417070ff", /* trailing byte */
        "9b0000010000000000",               /* an array of 2^40 items in 9 bytes */
        "bb0000010000000000",               /* a map of 2^40 pairs */
        "a1",                               /* truncated */
        "80",                               /* not a map */
        "a16e526563656e746c79416374697665fb3ff8000000000000", /* a float as a string */
        "a1694e616d65737061636562c328",                       /* invalid UTF-8 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        json_t *v = decode_hex("ListMetrics", bad[i], &e);
        if (v) fail_msg("case %zu decoded", i);
        assert_string_equal(e.code, "SerializationException");
    }
    /* A float where a boolean goes: libcbor's cbor_is_bool would assert. */
    json_t *v = decode_hex("PutMetricAlarm", "a16e416374696f6e73456e61626c6564f93c00", &e);
    assert_null(v);
    /* 200 nested arrays: deeper than CBOR_MAX_DEPTH, refused before libcbor builds them. */
    char deep[2 * 210 + 1] = "";
    for (int i = 0; i < 200; i++)
        strcat(deep, "81");
    strcat(deep, "00");
    v = decode_hex("ListMetrics", deep, &e);
    assert_null(v);
    assert_string_equal(e.code, "SerializationException");
}

static void test_encode_types(void **state)
{
    const json_t *shape = model_shape(cw, model_op_output(model_op(cw, "GetMetricStatistics")));
    json_t *out =
        json_pack("{s:s, s:[{s:f, s:f, s:s, s:{s:f}}]}", "Label", "L", "Datapoints", "Timestamp",
                  1800000000.0, "Maximum", 2.0, "Unit", "None", "ExtendedStatistics", "p99", 1.25);
    buf b = BUF_INIT;
    cbor_encode_shape(cw, shape, out, &b);
    /* the timestamp is tag 1 (0xc1) around an integer, the statistic a float64 (0xfb) */
    assert_non_null(memmem(b.data, b.len, "\xc1\x1a\x6b\x49\xd2\x00", 6));
    assert_non_null(memmem(b.data, b.len, "\xfb\x40\x00\x00\x00\x00\x00\x00\x00", 9));
    aws_error e;
    json_t *back = cbor_decode_shape(cw, shape, (const uint8_t *)b.data, b.len, &e);
    assert_true(json_equal(out, back));
    json_decref(back);
    json_decref(out);
    buf_free(&b);
    b = (buf)BUF_INIT;
    cbor_encode_shape(cw, shape, NULL, &b);
    assert_int_equal(b.len, 1);
    assert_int_equal((unsigned char)b.data[0], 0xa0);
    buf_free(&b);
}

static void test_wire_detection(void **state)
{
    assert_true(cw->wires & (1u << PROTO_CBOR));
    assert_true(cw->query_compatible);
    assert_int_equal(cw->protocol, PROTO_JSON);
    http_request r;
    memset(&r, 0, sizeof r);
    snprintf(r.method, sizeof r.method, "POST");
    char cbor_path[] = "/service/GraniteServiceVersion20100801/operation/ListMetrics", root[] = "/";
    r.raw_path = cbor_path;
    assert_int_equal(proto_wire(cw, &r), PROTO_CBOR);
    r.raw_path = root;
    assert_int_equal(proto_wire(cw, &r), PROTO_JSON); /* nothing says: the default */
    assert_string_equal(model_error_shape_of_code(cw, "InvalidParameterValue"),
                        "InvalidParameterValueException");
    const svc_model *logs = model_service(&models, "logs");
    assert_int_equal(proto_wire(logs, &r), PROTO_JSON);
    assert_false(logs->query_compatible);
}

static void test_error_envelopes(void **state)
{
    aws_error e;
    aws_fail(&e, 400, "InvalidParameterValue",
             "The value AWS/x for parameter Namespace is invalid.");
    http_response resp;
    http_response_init(&resp);
    proto_write_error(cw, FAMILY_JSON, PROTO_CBOR, &e, "rid", false, &resp);
    assert_int_equal(resp.status, 400);
    /* {"__type": "InvalidParameterValueException", ...} as CBOR */
    assert_non_null(memmem(resp.body.data, resp.body.len, "InvalidParameterValueException", 30));
    assert_int_equal((unsigned char)resp.body.data[0], 0xa2);
    http_response_free(&resp);
    http_response_init(&resp);
    proto_write_error(cw, FAMILY_JSON, PROTO_QUERY, &e, "rid", false, &resp);
    assert_non_null(strstr(resp.body.data, "<Code>InvalidParameterValue</Code>"));
    http_response_free(&resp);
    http_response_init(&resp);
    proto_write_error(cw, FAMILY_JSON, PROTO_JSON, &e, "rid", false, &resp);
    assert_non_null(strstr(resp.body.data, "\"__type\":\"InvalidParameterValueException\""));
    http_response_free(&resp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_metric_data), cmocka_unit_test(test_indefinite_and_null),
        cmocka_unit_test(test_refusals),        cmocka_unit_test(test_encode_types),
        cmocka_unit_test(test_wire_detection),  cmocka_unit_test(test_error_envelopes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
