/* Regressions for what the fuzz targets (tests/fuzz/) found in the parsers: each test
 * replays the smallest input that showed the bug, through the same entry point. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proto/proto.h"
#include "proto/xml.h"

static model_set models;

static int load_models(void **state)
{
    (void)state;
    char err[256];
    return model_set_load(&models, err, sizeof err);
}

static int free_models(void **state)
{
    (void)state;
    model_set_free(&models);
    return 0;
}

/* fuzz_query_request: a Query request with neither query parameters nor a form body
 * copied its (absent) parameter arrays with memcpy(dst, NULL, 0), which is undefined. */
static void test_query_request_without_parameters(void **state)
{
    (void)state;
    http_request r;
    http_request_init(&r);
    strcpy(r.method, "GET");
    r.raw_path = strdup("/");
    r.raw_query = strdup("");
    http_request_parse_query(&r);
    proto_call pc;
    aws_error e;
    aws_error_clear(&e);
    assert_int_equal(proto_decode(model_service(&models, "iam"), &r, &pc, &e), -1);
    assert_string_equal(e.code, "MissingAction");
    proto_call_free(&pc);
    http_request_free(&r);
}

/* fuzz_xml: DOCTYPEs were accepted, and with them internal entities ("billion laughs"). */
static void test_xml_refuses_doctype(void **state)
{
    (void)state;
    static const char *const docs[] = {
        "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
        "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>\n<Delete><Object><Key>&lol2;</Key>"
        "</Object></Delete>",
        "<!DOCTYPE Delete><Delete/>",
        "<!DOCTYPE Delete SYSTEM \"file:///etc/passwd\"><Delete/>",
    };
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
        aws_error e;
        aws_error_clear(&e);
        xml_node *n = xml_parse(docs[i], strlen(docs[i]), &e);
        assert_null(n);
        assert_string_equal(e.code, "MalformedXML");
    }
    /* documents without a DTD still parse */
    aws_error e;
    aws_error_clear(&e);
    const char ok[] = "<?xml version=\"1.0\"?><Delete><Quiet>true</Quiet></Delete>";
    xml_node *n = xml_parse(ok, strlen(ok), &e);
    assert_non_null(n);
    assert_string_equal(n->name, "Delete");
    xml_free(n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query_request_without_parameters),
        cmocka_unit_test(test_xml_refuses_doctype),
    };
    return cmocka_run_group_tests(tests, load_models, free_models);
}
