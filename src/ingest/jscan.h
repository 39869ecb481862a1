/* jscan: a strict, allocation-light JSON validator for the bulk ingestion hot path.
 *
 * Why not jansson: building a tree for every record and freeing it again was 80% of the
 * bulk endpoint's CPU time (profiled at 2,000-record requests); the endpoint only needs
 * to know that a line is valid JSON and to read a few top-level members. jscan checks the
 * same things jansson's loader does with JSON_REJECT_DUPLICATES — RFC 8259 grammar, UTF-8
 * (no overlong forms, surrogates or code points past U+10FFFF), escapes (\u0000 and
 * unpaired surrogate escapes refused), no control characters in strings, no duplicate key
 * in any object, one value with only whitespace around it — and nests at most
 * JSCAN_MAX_DEPTH deep. It never allocates except for objects with many keys (the
 * duplicate check sorts them).
 *
 * It reports the values of chosen top-level members as spans into the text. */
#ifndef ORGTRAIL_JSCAN_H
#define ORGTRAIL_JSCAN_H

#include <stdbool.h>
#include <stddef.h>

#define JSCAN_MAX_DEPTH 512

typedef enum jscan_type {
    JSCAN_ABSENT = 0,
    JSCAN_OBJECT,
    JSCAN_ARRAY,
    JSCAN_STRING,
    JSCAN_NUMBER,
    JSCAN_TRUE,
    JSCAN_FALSE,
    JSCAN_NULL,
} jscan_type;

typedef struct jscan_member {
    const char *name;  /* set by the caller: a top-level key without escapes */
    jscan_type type;   /* JSCAN_ABSENT when the object has no such member */
    const char *start; /* the value's text (strings with their quotes) */
    size_t len;
} jscan_member;

/* Checks that text is one JSON object and fills the wanted members. Returns 0, -1 when
 * the text is not valid JSON (err says where and why), -2 when it is valid but not an
 * object. */
int jscan_object(const char *text, size_t len, jscan_member *want, size_t n_want, char *err,
                 size_t errlen);

/* Decodes a JSCAN_STRING member's value into out (NUL-terminated). Returns the decoded
 * length, or -1 when it does not fit in outsz - 1 bytes. */
long jscan_string(const jscan_member *m, char *out, size_t outsz);

#endif
