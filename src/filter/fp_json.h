/* fp_json: the JSON of one log event, tokenized once for every filter that reads it.
 *
 * A filter needs a handful of scalars out of a CloudTrail record, often several filters
 * the same record, so the record is not built into a tree of allocated values (what a
 * general JSON library does): one pass validates it (RFC 8259, depth at most
 * FP_JSON_DEPTH) and records a flat array of tokens, each knowing where its subtree
 * ends, so a selector walks siblings by jumping. Strings stay escaped in the message;
 * fp_json_string unescapes one only when a comparison needs it.
 *
 * fp_json_parse returns 0 and fills doc (release with fp_json_release), or -1 when the
 * text is not one JSON object or array (then doc holds nothing). */
#ifndef ORGTRAIL_FP_JSON_H
#define ORGTRAIL_FP_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FP_JSON_DEPTH 256

typedef enum fp_json_type {
    FPJ_OBJECT,
    FPJ_ARRAY,
    FPJ_STRING,
    FPJ_NUMBER,
    FPJ_TRUE,
    FPJ_FALSE,
    FPJ_NULL,
} fp_json_type;

typedef struct fp_json_tok {
    uint32_t start;  /* offset of the first byte; for a string, just after the quote */
    uint32_t len;    /* bytes; for a string, up to the closing quote */
    uint32_t next;   /* index of the token after this one's subtree */
    uint8_t type;    /* fp_json_type */
    uint8_t escaped; /* a string holding a backslash */
} fp_json_tok;

typedef struct fp_json_doc {
    const char *text;
    fp_json_tok *toks; /* owned */
    uint32_t n, cap;
} fp_json_doc;

/* A scratch buffer for unescaped strings, owned by its user (fp_text_free). */
typedef struct fp_text {
    char *p;
    size_t cap;
} fp_text;

int fp_json_parse(fp_json_doc *doc, const char *text, size_t len);
void fp_json_release(fp_json_doc *doc);
void fp_text_free(fp_text *t);

/* The value of member key[0..n) of object token obj, or -1. The key compares after
 * unescaping, so "a\u0062" is the member "ab". */
int32_t fp_json_member(const fp_json_doc *doc, uint32_t obj, const char *key, size_t n,
                       fp_text *scratch);
/* Element i of array token arr, or -1. */
int32_t fp_json_element(const fp_json_doc *doc, uint32_t arr, uint32_t i);
/* The text of a string token (unescaped, in scratch when it has escapes) or of a
 * number token (its digits as written). */
void fp_json_scalar_text(const fp_json_doc *doc, uint32_t tok, fp_text *scratch, const char **s,
                         size_t *n);

#endif
