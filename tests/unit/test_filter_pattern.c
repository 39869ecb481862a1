/* filter/: the pieces under the conformance suite — the event JSON tokenizer, the regex
 * dialect, metric value selectors, the sharing of one event's parse across patterns, and
 * which patterns get a guard (the conformance loop checks that guards never rule out a
 * match). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "filter/filter_pattern.h"
#include "filter/fp_json.h"
#include "filter/fp_regex.h"

static bool matches(const char *pattern, const char *msg)
{
    fp_pattern *p;
    char err[200];
    if (fp_compile(pattern, strlen(pattern), &p, err, sizeof err))
        fail_msg("refused [%s]: %s", pattern, err);
    fp_event ev;
    fp_event_init(&ev, msg, strlen(msg));
    bool hit = fp_match(p, &ev);
    fp_event_release(&ev);
    fp_free(p);
    return hit;
}

static void test_json_tokens(void **state)
{
    (void)state;
    static const char *good[] = {
        "{}",
        "[]",
        " {\"a\":1} ",
        "{\"a\":[1,2,{\"b\":null}],\"c\":\"x\\u00e9\\ud83d\\ude00\"}",
        "[true,false,null,-0.5e+3]",
    };
    static const char *bad[] = {
        "",          "1",           "\"s\"",      "{",     "{\"a\"}",
        "{\"a\":}",  "[1,]",        "{\"a\":1,}", "[01]",  "[1.]",
        "[\"\\x\"]", "[\"a\nb\"]",  "{}x",        "[tru]", "{\"a\":1 \"b\":2}",
        "[-]",       "[\"\\u12\"]",
    };
    fp_json_doc doc = {0};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        if (fp_json_parse(&doc, good[i], strlen(good[i]))) fail_msg("refused %s", good[i]);
    }
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (!fp_json_parse(&doc, bad[i], strlen(bad[i]))) fail_msg("accepted %s", bad[i]);
    }
    const char *t = "{\"a\":{\"k\\u0031\":[10,\"x\\\"y\"]},\"b\":2}";
    assert_int_equal(fp_json_parse(&doc, t, strlen(t)), 0);
    fp_text scratch = {0};
    int32_t a = fp_json_member(&doc, 0, "a", 1, &scratch);
    assert_true(a > 0);
    int32_t k1 = fp_json_member(&doc, (uint32_t)a, "k1", 2, &scratch);
    assert_true(k1 > 0);
    int32_t second = fp_json_element(&doc, (uint32_t)k1, 1);
    assert_true(second > 0);
    assert_int_equal(fp_json_element(&doc, (uint32_t)k1, 2), -1);
    const char *s;
    size_t n;
    fp_json_scalar_text(&doc, (uint32_t)second, &scratch, &s, &n);
    assert_int_equal(n, 3);
    assert_memory_equal(s, "x\"y", 3);
    int32_t b = fp_json_member(&doc, 0, "b", 1, &scratch);
    assert_true(b > 0);
    fp_json_scalar_text(&doc, (uint32_t)b, &scratch, &s, &n);
    assert_int_equal(n, 1);
    fp_text_free(&scratch);
    /* Nesting deeper than FP_JSON_DEPTH is refused, not a stack overflow. */
    char deep[FP_JSON_DEPTH * 2 + 8];
    memset(deep, '[', FP_JSON_DEPTH + 1);
    memset(deep + FP_JSON_DEPTH + 1, ']', FP_JSON_DEPTH + 1);
    assert_int_not_equal(fp_json_parse(&doc, deep, 2 * (FP_JSON_DEPTH + 1)), 0);
    fp_json_release(&doc);
}

static void test_regex_dialect(void **state)
{
    (void)state;
    char err[160];
    static const char *refused[] = {"a(b)", "something!", "caf\xc3\xa9", "a&b", "x\\", "[ab"};
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        fp_regex *r = fp_regex_compile(refused[i], strlen(refused[i]), err, sizeof err);
        if (r) fail_msg("accepted %s", refused[i]);
    }
    fp_regex *r = fp_regex_compile("^\\d{3}-\\w+\\.log$", 16, err, sizeof err);
    assert_non_null(r);
    assert_true(fp_regex_search(r, "404-app_1.log", 13));
    assert_false(fp_regex_search(r, "40a-app.log", 11));
    assert_false(fp_regex_search(r, "404-app.logs", 12));
    fp_regex_free(r);
    /* Searched in place: the byte after the subject does not count. */
    r = fp_regex_compile("ab$", 3, err, sizeof err);
    assert_non_null(r);
    assert_true(fp_regex_search(r, "xabc", 3));
    assert_false(fp_regex_search(r, "xabc", 4));
    fp_regex_free(r);
}

static void test_one_parse_for_many_patterns(void **state)
{
    (void)state;
    const char *rec = "{\"eventSource\":\"kms.amazonaws.com\",\"eventName\":\"DisableKey\"}";
    const char *patterns[] = {
        ("{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName="
         "ScheduleKeyDeletion)) }"),
        "{ $.eventName = \"Disable*\" }",
        "{ $.eventName = CreateTrail }",
    };
    fp_event ev;
    fp_event_init(&ev, rec, strlen(rec));
    bool want[] = {true, true, false};
    for (size_t i = 0; i < 3; i++) {
        fp_pattern *p;
        char err[200];
        assert_int_equal(fp_compile(patterns[i], strlen(patterns[i]), &p, err, sizeof err), 0);
        assert_int_equal(fp_match(p, &ev), want[i]);
        fp_free(p);
    }
    assert_int_equal(ev.json_state, 1);
    fp_event_release(&ev);
}

static void test_metric_values(void **state)
{
    (void)state;
    char err[200];
    fp_pattern *p;
    const char *pat = "{ $.latency = * }";
    assert_int_equal(fp_compile(pat, strlen(pat), &p, err, sizeof err), 0);
    fp_value_ref *v;
    assert_int_equal(fp_value_compile(p, "$.latency", &v, err, sizeof err), 0);
    const char *msg = "{\"latency\": 250.5}";
    fp_event ev;
    fp_event_init(&ev, msg, strlen(msg));
    fp_text scratch = {0};
    const char *s;
    size_t n;
    assert_true(fp_value_text(v, &ev, &scratch, &s, &n));
    assert_int_equal(n, 5);
    assert_memory_equal(s, "250.5", 5);
    fp_event_release(&ev);
    fp_value_free(v);
    assert_int_not_equal(fp_value_compile(p, "$.a[*]", &v, err, sizeof err), 0);
    assert_int_not_equal(fp_value_compile(p, "latency", &v, err, sizeof err), 0);
    fp_free(p);

    pat = "[ip, user, ..., status, bytes > 1000]";
    assert_int_equal(fp_compile(pat, strlen(pat), &p, err, sizeof err), 0);
    assert_int_equal(fp_value_compile(p, "$bytes", &v, err, sizeof err), 0);
    msg = "127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] \"GET /a HTTP/1.0\" 200 1534";
    fp_event_init(&ev, msg, strlen(msg));
    assert_true(fp_match(p, &ev));
    assert_true(fp_value_text(v, &ev, &scratch, &s, &n));
    assert_int_equal(n, 4);
    assert_memory_equal(s, "1534", 4);
    fp_value_free(v);
    assert_int_equal(fp_value_compile(p, "$4", &v, err, sizeof err), 0);
    assert_true(fp_value_text(v, &ev, &scratch, &s, &n));
    assert_int_equal(n, strlen("10/Oct/2000:13:25:15 -0700"));
    fp_value_free(v);
    assert_int_not_equal(fp_value_compile(p, "$nosuch", &v, err, sizeof err), 0);
    fp_event_release(&ev);
    fp_free(p);
    fp_text_free(&scratch);

    pat = "ERROR";
    assert_int_equal(fp_compile(pat, strlen(pat), &p, err, sizeof err), 0);
    assert_int_not_equal(fp_value_compile(p, "$.x", &v, err, sizeof err), 0);
    fp_free(p);
}

static void test_smoke(void **state)
{
    (void)state;
    assert_true(matches("", "anything"));
    assert_true(matches("ERROR", "[ERROR] A fatal exception"));
    assert_false(matches("ERROR -Exiting", "Exiting with ERRORCODE: -1"));
    assert_true(matches("?ERROR ?WARN", "WARN message"));
    assert_true(matches("{ $.a = 1 || $.b = 2 && $.c = 3 }", "{\"a\":1}"));
    assert_false(matches("{ ($.a = 1 || $.b = 2) && $.c = 3 }", "{\"a\":1}"));
    assert_true(matches("{ $.users[1].id >= 2e0 }", "{\"users\":[{\"id\":1},{\"id\":2}]}"));
    assert_false(matches("{ $.users != 1 }", "{\"users\":[1,2,3]}"));
    assert_true(matches("{ $.x NOT EXISTS }", "{\"users\":[1,2,3]}"));
    assert_true(matches("[w1 = ERROR || w1 = WARN, w2]", "WARN message"));
    assert_false(matches("[w1, w2]", "WARN message here"));
    assert_true(
        matches("{ $.eventName = %^Delete.*Policy$% }", "{\"eventName\":\"DeleteRolePolicy\"}"));
}

/* The guard of a pattern: its key (NULL: none) and whether it admits each value. */
static void check_guard(const char *pattern, const char *key, const char *admit, const char *reject)
{
    fp_pattern *p;
    char err[200];
    assert_int_equal(fp_compile(pattern, strlen(pattern), &p, err, sizeof err), 0);
    if (!key) {
        assert_null(fp_guard_key(p));
    } else {
        assert_non_null(fp_guard_key(p));
        assert_string_equal(fp_guard_key(p), key);
        assert_true(fp_guard_admits(p, admit, strlen(admit)));
        assert_false(fp_guard_admits(p, reject, strlen(reject)));
    }
    fp_free(p);
}

static void test_guards(void **state)
{
    (void)state;
    check_guard("{ $.eventName = \"A\" }", ".9:eventName", "A", "AB");
    check_guard("{ ($.eventName = \"A\") || ($.eventName = \"B\") }", ".9:eventName", "B", "C");
    /* A conjunction keeps the side that admits fewer values. */
    check_guard("{ ($.eventSource = \"s\") && (($.eventName = \"A\") || ($.eventName = \"B\")) }",
                ".11:eventSource", "s", "A");
    check_guard("{ ($.x = \"1\") && ($.a.b[2] = \"v\") }", ".1:x", "1", "v");
    check_guard("{ $.a.b[2] = \"v\" }", ".1:a.1:b[2]", "v", "w");
    /* No guard: alternatives on two selectors, wildcards, numbers, inequality, regex. */
    check_guard("{ ($.a = \"x\") || ($.b = \"y\") }", NULL, NULL, NULL);
    check_guard("{ $.eventName = \"Delete*\" }", NULL, NULL, NULL);
    check_guard("{ $.a[*].b = \"x\" }", NULL, NULL, NULL);
    check_guard("{ $.n = 1 }", NULL, NULL, NULL);
    check_guard("{ $.eventName != \"A\" }", NULL, NULL, NULL);
    check_guard("{ $.eventName = %Del.*% }", NULL, NULL, NULL);
    check_guard("{ ($.eventName = \"A\") || ($.errorCode = \"x\") }", NULL, NULL, NULL);
    check_guard("ERROR", NULL, NULL, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_tokens),
        cmocka_unit_test(test_regex_dialect),
        cmocka_unit_test(test_one_parse_for_many_patterns),
        cmocka_unit_test(test_metric_values),
        cmocka_unit_test(test_smoke),
        cmocka_unit_test(test_guards),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
