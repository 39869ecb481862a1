/* fuzz_filter: the filter-pattern compiler and matcher (filter/filter_pattern.h).
 *
 * Input: the pattern on the first line, the log event message after it. Properties
 * checked besides memory safety:
 *  - a pattern either compiles or is refused with a reason, never half-built (leaks);
 *  - matching the same event twice gives the same answer, with a fresh event cache and
 *    with the one the first match filled (the cache must not change outcomes);
 *  - every message jansson reads as a JSON object or array, the event tokenizer reads
 *    too (messages without a NUL: jansson stops at one, the tokenizer refuses it);
 *  - extracted fields and metric value selectors work on whatever matched. */
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "filter/filter_pattern.h"
#include "filter/fp_json.h"
#include "fuzz_target.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static void count_field(const char *name, const char *value, size_t n, void *arg)
{
    size_t *total = arg;
    *total += strlen(name) + n + (value ? 0 : 1);
}

static void check_json(const char *msg, size_t len)
{
    /* jansson ends a buffer at a NUL (a message holding one is not JSON here). */
    if (memchr(msg, 0, len)) return;
    json_error_t je;
    json_t *j = json_loadb(msg, len, 0, &je);
    if (!j) return;
    fp_json_doc doc = {0};
    if ((json_is_object(j) || json_is_array(j)) && fp_json_parse(&doc, msg, len) != 0) abort();
    fp_json_release(&doc);
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *nl = memchr(s, '\n', size);
    size_t plen = nl ? (size_t)(nl - s) : size;
    const char *msg = nl ? nl + 1 : s + size;
    size_t mlen = size - (size_t)(msg - s);
    check_json(msg, mlen);

    fp_pattern *p = NULL;
    char err[256];
    if (fp_compile(s, plen, &p, err, sizeof err) != 0) {
        if (p || !err[0]) abort();
        return 0;
    }
    fp_event ev;
    fp_event_init(&ev, msg, mlen);
    bool first = fp_match(p, &ev);
    if (fp_match(p, &ev) != first) abort();
    fp_event fresh;
    fp_event_init(&fresh, msg, mlen);
    if (fp_match(p, &fresh) != first) abort();
    fp_event_release(&fresh);
    if (first && fp_guard_key(p)) { /* a guard never rules out a match */
        fp_text scratch = {0};
        const char *v;
        size_t vn;
        if (!fp_guard_value(p, &ev, &scratch, &v, &vn) || !fp_guard_admits(p, v, vn)) abort();
        fp_text_free(&scratch);
    }
    if (first) {
        size_t total = 0;
        fp_extracted_fields(p, &ev, count_field, &total);
        static const char *values[] = {"$.a", "$.a.b[0]", "$1", "$2", "$x"};
        for (size_t k = 0; k < sizeof values / sizeof *values; k++) {
            fp_value_ref *v;
            if (fp_value_compile(p, values[k], &v, err, sizeof err)) continue;
            fp_text scratch = {0};
            const char *t;
            size_t n;
            if (fp_value_text(v, &ev, &scratch, &t, &n) && n > mlen * 4 + 8) abort();
            fp_text_free(&scratch);
            fp_value_free(v);
        }
    }
    fp_event_release(&ev);
    fp_free(p);
    return 0;
}
