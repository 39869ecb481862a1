/* fp_internal: the compiled form of a filter pattern, shared by its parser (fp_parse.c)
 * and its matcher (fp_match.c). Not for use outside src/filter/.
 *
 * Everything a pattern owns hangs off struct fp_pattern in flat arrays that index each
 * other (nodes name comparisons by index, comparisons name selectors or fields by
 * index), so freeing is one walk and matching touches no allocator. */
#ifndef ORGTRAIL_FP_INTERNAL_H
#define ORGTRAIL_FP_INTERNAL_H

#include <stdint.h>

#include "filter/filter_pattern.h"
#include "filter/fp_regex.h"

/* A literal compared as AWS compares values: exactly, or with a '*' at its start and/or
 * end standing for any text ("*Denied*"); a '*' inside is literal. */
typedef struct fp_lit {
    char *s; /* owned, unescaped, without the wildcard stars; NUL-terminated */
    size_t n;
    bool lead, trail; /* a '*' at the start, at the end */
    bool any;         /* the value is '*' alone: anything (the "exists" idiom) */
    bool is_num;      /* written as a number, so compared numerically with numbers */
    double num;
} fp_lit;

typedef enum fp_op {
    FPO_EQ,
    FPO_NE,
    FPO_LT,
    FPO_GT,
    FPO_LE,
    FPO_GE,
    FPO_IS_NULL,
    FPO_NOT_EXISTS,
    FPO_IS_TRUE,
    FPO_IS_FALSE,
} fp_op;

typedef struct fp_cmp {
    fp_op op;
    uint32_t target; /* a selector (JSON) or a pattern field (space-delimited) */
    fp_lit lit;
    fp_regex *re; /* the value was %regex% (then lit is empty) */
} fp_cmp;

typedef enum fp_node_kind { FPN_AND, FPN_OR, FPN_CMP } fp_node_kind;

typedef struct fp_node {
    fp_node_kind kind;
    uint32_t a, b; /* children for AND/OR; a = the comparison for CMP */
} fp_node;

#define FP_STEP_KEY (-1)
#define FP_STEP_ANY (-2) /* .* or [*]: any member or element */

typedef struct fp_step {
    int32_t index; /* an array index, FP_STEP_KEY or FP_STEP_ANY */
    char *key;     /* owned, for FP_STEP_KEY */
    size_t n;
} fp_step;

typedef struct fp_selector {
    fp_step *steps; /* owned */
    size_t n;
    int wildcards;
} fp_selector;

/* AWS's quota: a compound JSON pattern holds at most three selectors with a wildcard. */
#define FP_WILD_SELECTORS_MAX 3

/* One term of an unstructured pattern: a literal (phrase or word) or a regex. */
typedef struct fp_term {
    fp_lit lit;
    fp_regex *re;
    bool negated; /* -term: the event must not contain it */
} fp_term;

/* Consecutive terms ANDed together; a pattern's groups are ORed (each ?term starts one). */
typedef struct fp_group {
    size_t first, n;
} fp_group;

/* One position of a space-delimited pattern. */
typedef struct fp_field {
    char *name;   /* owned; NULL for an unnamed position */
    int32_t root; /* its condition's node, or -1 */
} fp_field;

/* A JSON pattern's guard (fp_guard.c): a necessary condition, the scalar at one
 * wildcard-free selector equal to one of at most FP_GUARD_LITS exact texts. */
#define FP_GUARD_LITS 16
typedef struct fp_guard {
    int32_t sel; /* the selector, or -1: no guard */
    size_t n;
    uint32_t cmps[FP_GUARD_LITS]; /* the comparisons whose literals it admits */
    char *key;                    /* owned: the selector's canonical text */
} fp_guard;

struct fp_pattern {
    fp_kind kind;
    fp_guard guard;
    int n_regex;
    fp_term *terms;
    size_t n_terms;
    fp_group *groups;
    size_t n_groups;
    fp_node *nodes;
    size_t n_nodes, cap_nodes;
    int32_t root; /* JSON: the expression's node */
    fp_cmp *cmps;
    size_t n_cmps, cap_cmps;
    fp_selector *sels;
    size_t n_sels, cap_sels;
    fp_field *fields; /* space-delimited positions, without the ellipsis */
    size_t n_fields, cap_fields;
    int32_t ellipsis; /* how many fields precede "...", or -1 without one */
    int n_wild_selectors;
};

struct fp_value_ref {
    const fp_pattern *pattern; /* not owned: the filter's pattern, for field positions */
    bool json;
    fp_selector sel; /* json */
    int32_t field;   /* a pattern field (>= 0), or -(N) for the event's Nth field */
};

/* fp_match.c, for fp_value_text */
bool fp_lit_glob(const fp_lit *lit, const char *s, size_t n);
bool fp_parse_number(const char *s, size_t n, double *out);
/* Splits ev into its space-delimited fields (once). */
void fp_event_split(fp_event *ev);
/* The event field a pattern field lands on, or -1 when the counts do not fit. */
int32_t fp_field_position(const fp_pattern *p, const fp_event *ev, size_t field);
int32_t fp_json_resolve_first(const fp_json_doc *doc, const fp_selector *sel, fp_text *scratch);
bool fp_event_json(fp_event *ev);
/* fp_guard.c: sets p->guard (sel -1 when the pattern has none). */
void fp_guard_build(fp_pattern *p);
/* fp_parse.c */
int fp_selector_parse(const char *s, size_t n, size_t *used, fp_selector *out, char *err,
                      size_t errn);
void fp_selector_release(fp_selector *sel);

#endif
