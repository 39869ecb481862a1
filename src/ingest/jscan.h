/* jscan: a strict, allocation-light JSON validator for the bulk ingestion hot path.
 *
 * Why not jansson: building a tree for every record and freeing it again was 80% of the
 * bulk endpoint's CPU time (profiled at 2,000-record requests); the endpoint only needs
 * to know that a line is valid JSON and to read a few top-level members. jscan checks the
 * same things jansson's loader does with JSON_REJECT_DUPLICATES — RFC 8259 grammar, UTF-8
 * (no overlong forms, surrogates or code points past U+10FFFF), escapes (\u0000 and
 * unpaired surrogate escapes refused), no control characters in strings, no duplicate key
 * in any object, integers within int64 and reals within a double (jansson's limits: the
 * records are read with jansson again downstream), one value with only whitespace
 * around it, no NUL byte anywhere — and nests at most
 * JSCAN_MAX_DEPTH deep. It never allocates except for objects with many keys (the
 * duplicate check sorts them).
 *
 * It reports the values of chosen top-level members as spans into the text.
 *
 * jscan_fields reports the same spans without checking anything: for text that was
 * checked before (the journal holds only records jscan_object or jansson accepted), where
 * delivery needs a few members of every record and a check or a tree would cost more than
 * the rest of delivery together. */
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

/* Fills the wanted top-level members of the object in text, as jscan_object does (a key
 * written with escapes matches when it decodes to the name; of repeated keys the last
 * wins, as in jansson). Only for text known to be valid JSON: it validates nothing, but on
 * any text it reads only within [text, text + len) and returns 0 or -1 (not an object, or
 * cut short), and every span it reports lies within the text. */
int jscan_fields(const char *text, size_t len, jscan_member *want, size_t n_want);

/* Decodes a JSCAN_STRING member's value into out (NUL-terminated). Returns the decoded
 * length, or -1 when it does not fit in outsz - 1 bytes. */
long jscan_string(const jscan_member *m, char *out, size_t outsz);

#endif
