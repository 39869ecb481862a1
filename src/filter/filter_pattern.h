/* filter_pattern: CloudWatch Logs filter patterns, compiled once and matched many times.
 *
 * One grammar serves metric filters, subscription filters and FilterLogEvents (AWS's
 * "Filter pattern syntax", restated in ../shared/reference/filter-patterns.md and pinned
 * case by case in tests/data/filter/):
 *   - ""                       every event
 *   - terms                    ERROR "exact phrase" ?alternative -exclusion %regex%
 *   - JSON                     { $.a.b[0] = "x*" && ($.n >= 10 || $.c IS NULL) }
 *   - space-delimited          [ip, user, ..., status = 4* && status != 403, bytes > 1000]
 *
 * fp_compile parses a pattern into an fp_pattern the caller owns (fp_free). Matching never
 * reparses the pattern. An fp_event wraps one message and caches what matching derives
 * from it (its JSON tokens, its space-delimited fields), so every filter of a log group
 * evaluated on the same event shares one parse: init it, match as many patterns as
 * needed, release it. Nothing here allocates per match beyond that cache, and nothing
 * holds global state, so separate threads may match with separate fp_events.
 *
 * Matching is case-sensitive everywhere, as AWS's is. */
#ifndef ORGTRAIL_FILTER_PATTERN_H
#define ORGTRAIL_FILTER_PATTERN_H

#include <stdbool.h>
#include <stddef.h>

#include "filter/fp_json.h"

/* AWS's limits (PutMetricFilter, FilterAndPatternSyntax). */
#define FP_PATTERN_MAX 1024
#define FP_REGEX_PER_PATTERN 2

typedef enum fp_kind {
    FP_KIND_ALL,       /* the empty pattern */
    FP_KIND_TERMS,     /* unstructured: terms, phrases, ?, -, %regex% */
    FP_KIND_JSON,      /* { ... } */
    FP_KIND_DELIMITED, /* [ ... ] */
} fp_kind;

typedef struct fp_pattern fp_pattern;

/* One field of a space-delimited event, as the message holds it (not NUL-terminated). */
typedef struct fp_span {
    const char *p;
    size_t n;
} fp_span;

typedef struct fp_event {
    const char *msg;
    size_t len;
    /* Derived on first use; private to the matcher. */
    int json_state; /* 0 not tried, 1 parsed, -1 not JSON */
    fp_json_doc json;
    int fields_state; /* 0 not split, 1 split */
    fp_span *fields;
    size_t n_fields, cap_fields;
} fp_event;

/* Compiles text[0..len). On a malformed pattern returns -1 and writes why to err (a
 * sentence for a log; AWS's own answer is only "Invalid metric filter pattern"). */
int fp_compile(const char *text, size_t len, fp_pattern **out, char *err, size_t errn);
void fp_free(fp_pattern *p);
fp_kind fp_pattern_kind(const fp_pattern *p);
/* How many %regex% the pattern holds: a log group allows five regex-bearing filters. */
int fp_pattern_regex_count(const fp_pattern *p);

void fp_event_init(fp_event *ev, const char *msg, size_t len);
void fp_event_release(fp_event *ev);

bool fp_match(const fp_pattern *p, fp_event *ev);

/* For a space-delimited pattern that matched ev: calls fn once per field of the event,
 * in order, with its name as TestMetricFilter reports it ("$status_code" for a named
 * field, "$4" for the fourth field otherwise) and its value without the brackets or
 * quotes that grouped it. Does nothing for other kinds. */
typedef void (*fp_field_fn)(const char *name, const char *value, size_t value_len, void *arg);
void fp_extracted_fields(const fp_pattern *p, fp_event *ev, fp_field_fn fn, void *arg);

/* A metric value or dimension selector: "$.a.b[0]" for JSON patterns, "$name" (or
 * "$3") for space-delimited ones. fp_value_text finds its text in an event the pattern
 * matched: a JSON string's content (unescaped) or a number's digits, or the field.
 * Returns false when the event has no such scalar. The text is valid until ev is
 * released or the next call with the same scratch buffer. */
typedef struct fp_value_ref fp_value_ref;
int fp_value_compile(const fp_pattern *p, const char *text, fp_value_ref **out, char *err,
                     size_t errn);
void fp_value_free(fp_value_ref *v);
bool fp_value_text(const fp_value_ref *v, fp_event *ev, fp_text *scratch, const char **s,
                   size_t *n);

/* Guards: a cheap necessary condition of a JSON pattern, for a set of filters evaluated
 * over one event (a log group's metric filters). Most real patterns name the call they
 * are about (`$.eventName = "X"`, or several ORed): the event's value at that selector,
 * looked up once and shared by every filter guarded by the same selector, rules out
 * all filters naming other values without evaluating them. A guard is exact equality
 * on a wildcard-free selector's string or number text, as the pattern itself compares;
 * an event that fails it cannot match the pattern.
 *
 * fp_guard_key: the guard selector's canonical text (filters whose keys are equal read
 * the same value), or NULL when the pattern has no guard (then it must be evaluated).
 * fp_guard_value: the guard selector's text in ev; false when ev has no string or
 * number there (then the pattern does not match ev). The text is valid until ev is
 * released or the next call with the same scratch.
 * fp_guard_admits: whether the value text s[0..n) passes the guard. */
const char *fp_guard_key(const fp_pattern *p);
bool fp_guard_value(const fp_pattern *p, fp_event *ev, fp_text *scratch, const char **s, size_t *n);
bool fp_guard_admits(const fp_pattern *p, const char *s, size_t n);

#endif
