#include "proto/validate.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/xalloc.h"

typedef struct pattern_entry {
    const char *source; /* borrowed from the model */
    pcre2_code *code;   /* NULL when PCRE2 could not compile it: treated as matching */
} pattern_entry;

struct validator {
    pattern_entry *entries;
    size_t n, cap;
};

/* AWS patterns are Java regexes: \uXXXX escapes, and supplementary planes written as
 * surrogate pairs or as \u10000. PCRE2 wants \x{...} and rejects surrogates. */
static long hex4(const char *p)
{
    char h[5] = {0};
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return -1;
        h[i] = c;
    }
    return strtol(h, NULL, 16);
}

static char *translate_pattern(const char *p)
{
    buf b = BUF_INIT;
    for (size_t i = 0; p[i];) {
        long cp;
        if (p[i] == '\\' && p[i + 1] == 'u') {
            size_t j = i + 2;
            if (!strncmp(p + j, "10FFFF", 6)) {
                cp = 0x10FFFF, j += 6;
            } else if (!strncmp(p + j, "10000", 5)) {
                cp = 0x10000, j += 5;
            } else if ((cp = hex4(p + j)) < 0) {
                buf_append(&b, p + i, 2);
                i += 2;
                continue;
            } else {
                j += 4;
                long lo;
                if (cp >= 0xD800 && cp <= 0xDBFF && p[j] == '\\' && p[j + 1] == 'u' &&
                    (lo = hex4(p + j + 2)) >= 0xDC00 && lo <= 0xDFFF) {
                    /* a surrogate pair stands for a code point above the BMP */
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    j += 6;
                } else if (cp >= 0xD800 && cp <= 0xDFFF) {
                    cp = cp <= 0xDBFF ? 0xD7FF : 0xE000; /* a lone surrogate bound */
                }
            }
            buf_printf(&b, "\\x{%lX}", cp);
            i = j;
        } else if (p[i] == '\\' && p[i + 1]) {
            buf_append(&b, p + i, 2);
            i += 2;
        } else {
            buf_putc(&b, p[i++]);
        }
    }
    return buf_steal(&b);
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const pattern_entry *)a)->source, ((const pattern_entry *)b)->source);
}

static void add_pattern(validator *v, const char *src)
{
    for (size_t i = 0; i < v->n; i++)
        if (!strcmp(v->entries[i].source, src)) return;
    v->entries = xgrow(v->entries, &v->cap, v->n + 1, sizeof *v->entries);
    char *tr = translate_pattern(src);
    int errcode;
    PCRE2_SIZE erroff;
    pcre2_code *code =
        pcre2_compile((PCRE2_SPTR)tr, PCRE2_ZERO_TERMINATED,
                      PCRE2_UTF | PCRE2_UCP | PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_DOTALL,
                      &errcode, &erroff, NULL);
    free(tr);
    if (code) pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    v->entries[v->n].source = src;
    v->entries[v->n].code = code;
    v->n++;
}

validator *validator_new(const model_set *ms)
{
    validator *v = calloc(1, sizeof *v);
    if (!v) abort();
    for (int s = 0; s < ms->n_services; s++) {
        const char *name;
        json_t *shape;
        json_object_foreach(ms->services[s].shapes, name, shape)
        {
            const char *p = json_string_value(json_object_get(shape, "pattern"));
            if (p) add_pattern(v, p);
        }
    }
    qsort(v->entries, v->n, sizeof *v->entries, entry_cmp);
    return v;
}

void validator_free(validator *v)
{
    if (!v) return;
    for (size_t i = 0; i < v->n; i++)
        pcre2_code_free(v->entries[i].code);
    free(v->entries);
    free(v);
}

bool validator_match(const validator *v, const char *pattern, const char *s, size_t len)
{
    pattern_entry key = {pattern, NULL};
    const pattern_entry *e = bsearch(&key, v->entries, v->n, sizeof *v->entries, entry_cmp);
    if (!e || !e->code) return true;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(e->code, NULL);
    int rc = pcre2_match(e->code, (PCRE2_SPTR)s, len, 0, 0, md, NULL);
    pcre2_match_data_free(md);
    return rc >= 0;
}

/* ---- walking ---------------------------------------------------------------------- */

enum vkind { V_NONE, V_TYPE, V_REQUIRED, V_MINLEN, V_MAXLEN, V_PATTERN, V_ENUM, V_MIN, V_MAX };

typedef struct walk {
    const validator *v;
    const svc_model *m;
    int count; /* violations found */
    enum vkind first_kind;
    char first_top[128];
    buf msg;            /* "Value ... at ... failed to satisfy constraint: ..." joined by "; " */
    char type_msg[256]; /* set when a type error was found (wins over constraints) */
} walk;

static size_t utf8_len(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) k++;
    return k;
}

static void describe_value(buf *b, const json_t *val, bool sensitive)
{
    if (sensitive) {
        buf_puts(b, "Value");
        return;
    }
    if (!val || json_is_null(val)) {
        buf_puts(b, "Value null");
        return;
    }
    buf_puts(b, "Value '");
    if (json_is_string(val)) {
        buf_append(b, json_string_value(val),
                   json_string_length(val) > 256 ? 256 : json_string_length(val));
    } else if (json_is_array(val)) {
        buf_putc(b, '[');
        size_t i;
        json_t *x;
        json_array_foreach(val, i, x)
        {
            if (i) buf_puts(b, ", ");
            if (json_is_string(x))
                buf_puts(b, json_string_value(x));
            else if (i > 8) {
                buf_puts(b, "...");
                break;
            }
        }
        buf_putc(b, ']');
    } else {
        char *t = json_dumps(val, JSON_ENCODE_ANY | JSON_COMPACT);
        if (t) buf_puts(b, t);
        free(t);
    }
    buf_putc(b, '\'');
}

static void violation(walk *w, enum vkind kind, const char *path, const json_t *val, bool sensitive,
                      const char *constraint_fmt, ...) __attribute__((format(printf, 6, 7)));

static void violation(walk *w, enum vkind kind, const char *path, const json_t *val, bool sensitive,
                      const char *constraint_fmt, ...)
{
    if (w->count == 0) {
        w->first_kind = kind;
        size_t k = strcspn(path, ".");
        snprintf(w->first_top, sizeof w->first_top, "%.*s", (int)k, path);
    }
    w->count++;
    if (w->count > 10) return;
    if (w->msg.len) buf_puts(&w->msg, "; ");
    describe_value(&w->msg, val, sensitive);
    buf_printf(&w->msg, " at '%s' failed to satisfy constraint: ", path);
    va_list ap;
    va_start(ap, constraint_fmt);
    buf_vprintf(&w->msg, constraint_fmt, ap);
    va_end(ap);
}

static void type_error(walk *w, const char *path, const char *want, const json_t *val)
{
    if (w->type_msg[0]) return;
    const char *got = json_is_object(val)    ? "Start of structure or map"
                      : json_is_array(val)   ? "Start of list"
                      : json_is_string(val)  ? "STRING_VALUE"
                      : json_is_boolean(val) ? "Boolean value"
                      : json_is_number(val)  ? "Number value"
                                             : "Value";
    snprintf(w->type_msg, sizeof w->type_msg, "%s can not be converted to %s (at '%s')", got, want,
             path);
    size_t k = strcspn(path, ".");
    if (w->count == 0 && !w->first_top[0])
        snprintf(w->first_top, sizeof w->first_top, "%.*s", (int)k, path);
}

static void check(walk *w, const json_t *shape, const json_t *val, const char *path, int depth);

static void member_path(char *out, size_t n, const char *parent, const char *name)
{
    char lower[128];
    snprintf(lower, sizeof lower, "%s", name);
    if (lower[0] >= 'A' && lower[0] <= 'Z') lower[0] = (char)(lower[0] - 'A' + 'a');
    if (parent[0])
        snprintf(out, n, "%s.%s", parent, lower);
    else
        snprintf(out, n, "%s", lower);
}

static void check_structure(walk *w, const json_t *shape, const json_t *val, const char *path,
                            int depth)
{
    if (!json_is_object(val)) {
        type_error(w, path, "a structure", val);
        return;
    }
    json_t *members = json_object_get(shape, "members");
    json_t *required = json_object_get(shape, "required");
    size_t i;
    json_t *r;
    json_array_foreach(required, i, r)
    {
        const json_t *mv = json_object_get(val, json_string_value(r));
        if (!mv || json_is_null(mv)) {
            char p[512];
            member_path(p, sizeof p, path, json_string_value(r));
            violation(w, V_REQUIRED, p, NULL, false, "Member must not be null");
        }
    }
    const char *name;
    json_t *ref;
    json_object_foreach(members, name, ref)
    {
        const json_t *mv = json_object_get(val, name);
        if (!mv || json_is_null(mv)) continue;
        char p[512];
        member_path(p, sizeof p, path, name);
        check(w, model_ref_shape(w->m, ref), mv, p, depth + 1);
    }
}

static void check_string(walk *w, const json_t *shape, const json_t *val, const char *path)
{
    if (!json_is_string(val)) {
        type_error(w, path, "String", val);
        return;
    }
    const char *s = json_string_value(val);
    size_t n = json_string_length(val);
    bool sens = json_is_true(json_object_get(shape, "sensitive"));
    size_t cps = utf8_len(s, n);
    json_t *mn = json_object_get(shape, "min"), *mx = json_object_get(shape, "max");
    if (mn && (json_int_t)cps < json_integer_value(mn))
        violation(w, V_MINLEN, path, val, sens,
                  "Member must have length greater than or equal to %lld",
                  (long long)json_integer_value(mn));
    if (mx && (json_int_t)cps > json_integer_value(mx))
        violation(w, V_MAXLEN, path, val, sens,
                  "Member must have length less than or equal to %lld",
                  (long long)json_integer_value(mx));
    const char *pat = json_string_value(json_object_get(shape, "pattern"));
    if (pat && !validator_match(w->v, pat, s, n))
        violation(w, V_PATTERN, path, val, sens,
                  "Member must satisfy regular expression pattern: %s", pat);
    json_t *en = json_object_get(shape, "enum");
    if (en) {
        size_t i;
        json_t *x;
        bool ok = false;
        json_array_foreach(en, i, x) if (!strcmp(json_string_value(x), s)) ok = true;
        if (!ok) {
            buf set = BUF_INIT;
            json_array_foreach(en, i, x)
            {
                if (i) buf_puts(&set, ", ");
                buf_puts(&set, json_string_value(x));
            }
            violation(w, V_ENUM, path, val, sens, "Member must satisfy enum value set: [%s]",
                      buf_cstr(&set));
            buf_free(&set);
        }
    }
}

static void check_number(walk *w, const json_t *shape, const json_t *val, const char *path,
                         bool integral)
{
    if (!json_is_number(val) ||
        (integral && json_is_real(val) &&
         json_real_value(val) != (double)(json_int_t)json_real_value(val))) {
        type_error(w, path, integral ? "Integer" : "Double", val);
        return;
    }
    double d = json_number_value(val);
    json_t *mn = json_object_get(shape, "min"), *mx = json_object_get(shape, "max");
    if (mn && d < json_number_value(mn))
        violation(w, V_MIN, path, val, false,
                  "Member must have value greater than or equal to %lld",
                  (long long)json_number_value(mn));
    if (mx && d > json_number_value(mx))
        violation(w, V_MAX, path, val, false, "Member must have value less than or equal to %lld",
                  (long long)json_number_value(mx));
}

static void check_count(walk *w, const json_t *shape, const json_t *val, const char *path, size_t n)
{
    json_t *mn = json_object_get(shape, "min"), *mx = json_object_get(shape, "max");
    if (mn && (json_int_t)n < json_integer_value(mn))
        violation(w, V_MINLEN, path, val, false,
                  "Member must have length greater than or equal to %lld",
                  (long long)json_integer_value(mn));
    if (mx && (json_int_t)n > json_integer_value(mx))
        violation(w, V_MAXLEN, path, val, false,
                  "Member must have length less than or equal to %lld",
                  (long long)json_integer_value(mx));
}

static void check(walk *w, const json_t *shape, const json_t *val, const char *path, int depth)
{
    if (!shape || depth > 32) return;
    const char *t = model_shape_type(shape);
    if (!strcmp(t, "structure")) {
        check_structure(w, shape, val, path, depth);
    } else if (!strcmp(t, "string")) {
        check_string(w, shape, val, path);
    } else if (!strcmp(t, "integer") || !strcmp(t, "long")) {
        check_number(w, shape, val, path, true);
    } else if (!strcmp(t, "float") || !strcmp(t, "double")) {
        check_number(w, shape, val, path, false);
    } else if (!strcmp(t, "boolean")) {
        if (!json_is_boolean(val)) type_error(w, path, "Boolean", val);
    } else if (!strcmp(t, "timestamp")) {
        if (!json_is_number(val)) type_error(w, path, "Timestamp", val);
    } else if (!strcmp(t, "blob")) {
        if (!json_is_string(val)) type_error(w, path, "Blob", val);
    } else if (!strcmp(t, "list")) {
        if (!json_is_array(val)) {
            type_error(w, path, "a list", val);
            return;
        }
        check_count(w, shape, val, path, json_array_size(val));
        const json_t *ms = model_ref_shape(w->m, json_object_get(shape, "member"));
        size_t i;
        json_t *x;
        json_array_foreach(val, i, x)
        {
            char p[512];
            snprintf(p, sizeof p, "%s.%zu.member", path, i + 1);
            if (json_is_null(x)) continue;
            check(w, ms, x, p, depth + 1);
        }
    } else if (!strcmp(t, "map")) {
        if (!json_is_object(val)) {
            type_error(w, path, "a map", val);
            return;
        }
        check_count(w, shape, val, path, json_object_size(val));
        const json_t *ks = model_ref_shape(w->m, json_object_get(shape, "key"));
        const json_t *vs = model_ref_shape(w->m, json_object_get(shape, "value"));
        const char *k;
        json_t *x;
        json_object_foreach((json_t *)val, k, x)
        {
            char p[512];
            snprintf(p, sizeof p, "%s.%s", path, k);
            json_t *kj = json_string(k);
            check(w, ks, kj, p, depth + 1);
            json_decref(kj);
            if (!json_is_null(x)) check(w, vs, x, p, depth + 1);
        }
    }
}

static const char *orgs_reason(enum vkind k, const char *top)
{
    switch (k) {
    case V_REQUIRED:
        return "INPUT_REQUIRED";
    case V_MINLEN:
        return "MIN_LENGTH_EXCEEDED";
    case V_MAXLEN:
        return "MAX_LENGTH_EXCEEDED";
    case V_PATTERN:
        return (!strcmp(top, "targetId") || !strcmp(top, "parentId") || !strcmp(top, "childId"))
                   ? "INVALID_PATTERN_TARGET_ID"
                   : "INVALID_PATTERN";
    case V_ENUM:
        return "INVALID_ENUM";
    case V_MIN:
        return "MIN_VALUE_EXCEEDED";
    case V_MAX:
        return "MAX_VALUE_EXCEEDED";
    default:
        return "INVALID_INPUT";
    }
}

static const char *orgs_message(enum vkind k)
{
    switch (k) {
    case V_REQUIRED:
        return "You must specify a value for a required parameter.";
    case V_MINLEN:
        return "You provided a string parameter that is shorter than allowed.";
    case V_MAXLEN:
        return "You provided a string parameter that is longer than allowed.";
    case V_PATTERN:
        return "You provided a value that does not match the required pattern.";
    case V_ENUM:
        return "You provided a value that is not valid for this parameter.";
    case V_MIN:
        return "You provided a numeric parameter that has a smaller value than allowed.";
    case V_MAX:
        return "You provided a numeric parameter that has a larger value than allowed.";
    default:
        return "The requested operation failed because you provided invalid values.";
    }
}

int validate_input(const validator *v, const svc_model *m, const char *shape_name,
                   const json_t *value, vstyle style, aws_error *e, char *top_member,
                   size_t top_len)
{
    walk w = {.v = v, .m = m};
    const json_t *shape = model_shape(m, shape_name);
    if (!shape) return 0;
    check(&w, shape, value, "", 0);
    int rc = 0;
    if (top_member) snprintf(top_member, top_len, "%s", w.first_top);
    if (w.type_msg[0]) {
        rc = aws_fail(e, 400, "SerializationException", "%s", w.type_msg);
    } else if (w.count) {
        if (style == VSTYLE_ORGS) {
            rc = aws_fail_reason(e, 400, "InvalidInputException",
                                 orgs_reason(w.first_kind, w.first_top), "%s",
                                 orgs_message(w.first_kind));
        } else {
            rc = aws_fail(e, 400,
                          style == VSTYLE_QUERY ? "ValidationError"
                          : style == VSTYLE_S3  ? "InvalidArgument"
                                                : "ValidationException",
                          "%d validation error%s detected: %s", w.count > 10 ? 10 : w.count,
                          w.count == 1 ? "" : "s", buf_cstr(&w.msg));
        }
    }
    buf_free(&w.msg);
    return rc;
}
