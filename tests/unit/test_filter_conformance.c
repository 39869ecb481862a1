/* The filter-pattern conformance suite: every case in the JSON files of tests/data/filter/
 * (their README has the format and the rule catalogue), run by this one loop through
 * filter/filter_pattern.h.
 *
 * A case is {name, rule, pattern, event, expect, extracted?}: event is the message text,
 * or "@name" for a member of the file's "events" (a JSON object there is the message
 * serialized compactly); expect is "match", "no-match" or "invalid" (fp_compile
 * refuses the pattern); extracted lists what fp_extracted_fields must report. Every
 * failing case is printed before the test fails, so one run shows them all. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter/filter_pattern.h"
#include "testenv.h"

typedef struct extract_check {
    const json_t *want;
    size_t seen, wrong;
    char first_wrong[400];
} extract_check;

static void on_field(const char *name, const char *value, size_t n, void *arg)
{
    extract_check *x = arg;
    const json_t *want = json_object_get(x->want, name);
    if (!want) return; /* a case lists the fields it pins, not necessarily all */
    x->seen++;
    const char *w = json_string_value(want);
    if (!w || strlen(w) != n || memcmp(w, value, n) != 0) {
        if (!x->wrong++)
            snprintf(x->first_wrong, sizeof x->first_wrong, "%s = \"%.*s\", want \"%s\"", name,
                     (int)(n > 200 ? 200 : n), value, w ? w : "?");
    }
}

/* Returns the message of a case (caller frees). */
static char *event_text(const json_t *events, const json_t *ev)
{
    const char *s = json_string_value(ev);
    if (s && s[0] == '@') {
        const json_t *named = json_object_get(events, s + 1);
        if (!named) return NULL;
        if (json_is_string(named)) return strdup(json_string_value(named));
        return json_dumps(named, JSON_COMPACT | JSON_PRESERVE_ORDER);
    }
    if (s) return strdup(s);
    return ev ? json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
}

/* Runs one case; returns 0 when it holds, or prints why and returns 1. */
/* The loop's figures: failures, and how many cases had a guard and how many of those it
 * ruled out (so that the guard check is seen to check something). */
typedef struct tally {
    size_t failed, guarded, ruled_out;
} tally;

static int run_case(const char *file, const json_t *events, const json_t *c, tally *t)
{
    const char *name = json_string_value(json_object_get(c, "name"));
    const char *rule = json_string_value(json_object_get(c, "rule"));
    const char *pattern = json_string_value(json_object_get(c, "pattern"));
    const char *expect = json_string_value(json_object_get(c, "expect"));
    if (!name || !rule || !*rule || !pattern || !expect) {
        print_error("%s: a case without name, rule, pattern or expect\n", file);
        return 1;
    }
    char err[300];
    fp_pattern *p = NULL;
    int rc = fp_compile(pattern, strlen(pattern), &p, err, sizeof err);
    if (!strcmp(expect, "invalid")) {
        fp_free(p);
        if (rc == 0) {
            print_error("%s: %s: [%s] compiled, expected invalid (%s)\n", file, name, pattern,
                        rule);
            return 1;
        }
        return 0;
    }
    if (rc) {
        print_error("%s: %s: [%s] refused: %s (%s)\n", file, name, pattern, err, rule);
        return 1;
    }
    char *msg = event_text(events, json_object_get(c, "event"));
    if (!msg) {
        fp_free(p);
        print_error("%s: %s: no event\n", file, name);
        return 1;
    }
    fp_event ev;
    fp_event_init(&ev, msg, strlen(msg));
    bool hit = fp_match(p, &ev);
    int bad = 0;
    bool want = !strcmp(expect, "match");
    if (hit != want) {
        print_error("%s: %s: [%s] %s, expected %s (%s)\n   event: %.300s\n", file, name, pattern,
                    hit ? "matched" : "did not match", expect, rule, msg);
        bad = 1;
    }
    /* A guard is a necessary condition: it never rules out an event the pattern matches. */
    if (fp_guard_key(p)) {
        t->guarded++;
        fp_text scratch = {0};
        const char *v;
        size_t vn;
        bool passes = fp_guard_value(p, &ev, &scratch, &v, &vn) && fp_guard_admits(p, v, vn);
        fp_text_free(&scratch);
        if (hit && !passes) {
            print_error("%s: %s: [%s] matched, but its guard (%s) rules the event out\n", file,
                        name, pattern, fp_guard_key(p));
            bad = 1;
        }
        t->ruled_out += !passes;
    }
    const json_t *extracted = json_object_get(c, "extracted");
    if (!bad && hit && extracted) {
        extract_check x = {.want = extracted};
        fp_extracted_fields(p, &ev, on_field, &x);
        if (x.wrong || x.seen != json_object_size(extracted)) {
            print_error("%s: %s: extracted %zu of %zu as given%s%s\n", file, name, x.seen - x.wrong,
                        json_object_size(extracted), x.wrong ? "; " : "", x.first_wrong);
            bad = 1;
        }
    }
    fp_event_release(&ev);
    fp_free(p);
    free(msg);
    return bad;
}

static void filter_case(const char *file, const json_t *doc, const json_t *c, void *arg)
{
    tally *t = arg;
    t->failed += (size_t)run_case(file, json_object_get(doc, "events"), c, t);
}

static void test_conformance(void **state)
{
    (void)state;
    tally t = {0};
    size_t cases = testenv_each_case("filter", filter_case, &t);
    print_message("filter conformance: %zu cases, %zu failed; %zu guarded, %zu of them ruled "
                  "out by the guard\n",
                  cases, t.failed, t.guarded, t.ruled_out);
    assert_true(cases >= 300);
    assert_int_equal(t.failed, 0);
    assert_true(t.guarded >= 50 && t.ruled_out >= 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conformance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
