/* fuzz_select_scan: delivery's unchecked record reader — jscan_fields and
 * select_event_scan on top of it.
 *
 * The input is one record's text. Properties checked besides memory safety (on any bytes:
 * the scanner trusts the journal, but must never read outside the text):
 *  - on text jscan_object accepts as an object, jscan_fields reports the same members
 *    (type, span) for keys without escapes;
 *  - on such text, select_event_scan succeeds exactly when select_event_parse of jansson's
 *    tree does, with the same fields, and an advanced selector on a field only the tree has
 *    (resources.ARN, userIdentity.arn) decides alike. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "delivery/select.h"
#include "fuzz_target.h"
#include "ingest/jscan.h"

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy of exactly size bytes, so that ASan sees any read past the end. */
    char *text = malloc(size ? size : 1);
    if (!text) abort();
    memcpy(text, data, size);

    select_scratch sc = SELECT_SCRATCH_INIT;
    select_event e;
    int scanned = select_event_scan(text, size, &sc, &e);

    enum { N = 5 };
    jscan_member a[N] = {{.name = "eventSource"},
                         {.name = "eventName"},
                         {.name = "a"},
                         {.name = "resources"},
                         {.name = "readOnly"}};
    jscan_member b[N];
    memcpy(b, a, sizeof a);
    if (jscan_object(text, size, a, N, NULL, 0) == 0) {
        if (jscan_fields(text, size, b, N)) abort();
        for (int i = 0; i < N; i++) {
            if (a[i].type == JSCAN_ABSENT) continue; /* jscan_fields also decodes keys */
            if (a[i].type != b[i].type || a[i].start != b[i].start || a[i].len != b[i].len) abort();
        }
        json_t *tree = json_loadb(text, size, 0, NULL);
        if (!tree) abort();
        select_event p;
        int parsed = select_event_parse(tree, &p);
        if (parsed != scanned) abort();
        if (!parsed) {
            if (!same(e.source, p.source) || !same(e.name, p.name) || !same(e.region, p.region) ||
                !same(e.recipient, p.recipient) || !same(e.category, p.category) ||
                !same(e.error_code, p.error_code) || e.read_only != p.read_only ||
                e.has_read_only != p.has_read_only || e.event_ms != p.event_ms)
                abort();
            json_t *adv = json_loads(
                "[{\"FieldSelectors\":[{\"Field\":\"resources.ARN\",\"StartsWith\":[\"a\"]}]},"
                "{\"FieldSelectors\":[{\"Field\":\"userIdentity.arn\",\"EndsWith\":[\"b\"]}]}]",
                0, NULL);
            if (select_selectors_match(NULL, adv, &e) != select_selectors_match(NULL, adv, &p))
                abort();
            json_decref(adv);
        }
        json_decref(tree);
    }
    select_scratch_free(&sc);
    free(text);
    return 0;
}
