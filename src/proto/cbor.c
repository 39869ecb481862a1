#include "proto/cbor.h"

#include <cbor.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"

/* ---- decoding ------------------------------------------------------------------------ */

/* libcbor allocates a definite array or map whole when it reads its head, so a few bytes
 * claiming 2^40 items would ask for terabytes; and it frees a tree recursively, so a body
 * of 100,000 nested arrays would overflow the stack. A streaming pass first refuses both:
 * a count larger than the bytes left (every item takes at least one), and nesting deeper
 * than CBOR_MAX_DEPTH. It keeps, per open collection, how many items it still expects
 * (-1: indefinite, until a break). */
typedef struct prescan {
    size_t left; /* bytes from the current item on */
    int64_t open[CBOR_MAX_DEPTH + 2];
    int depth;
    bool bad;
} prescan;

/* One item of the innermost collection is complete: close what it completes. */
static void ps_done(prescan *p)
{
    while (p->depth > 0 && p->open[p->depth - 1] > 0 && --p->open[p->depth - 1] == 0)
        p->depth--;
}

static void ps_open(prescan *p, int64_t n)
{
    if (n == 0) {
        ps_done(p);
        return;
    }
    if (p->depth > CBOR_MAX_DEPTH || (n > 0 && (uint64_t)n > p->left)) {
        p->bad = true;
        return;
    }
    p->open[p->depth++] = n;
}

static void ps_simple(void *ctx)
{
    ps_done(ctx);
}
static void ps_u8(void *ctx, uint8_t v)
{
    ps_done(ctx);
}
static void ps_u16(void *ctx, uint16_t v)
{
    ps_done(ctx);
}
static void ps_u32(void *ctx, uint32_t v)
{
    ps_done(ctx);
}
static void ps_u64(void *ctx, uint64_t v)
{
    ps_done(ctx);
}
static void ps_str(void *ctx, cbor_data d, size_t n)
{
    ps_done(ctx);
}
static void ps_f(void *ctx, float v)
{
    ps_done(ctx);
}
static void ps_d(void *ctx, double v)
{
    ps_done(ctx);
}
static void ps_b(void *ctx, bool v)
{
    ps_done(ctx);
}
static void ps_indef(void *ctx)
{
    ps_open(ctx, -1);
}
static void ps_array(void *ctx, size_t n)
{
    ps_open(ctx, n > (size_t)INT64_MAX ? INT64_MAX : (int64_t)n);
}
static void ps_map(void *ctx, size_t n)
{
    ps_open(ctx, n > (size_t)INT64_MAX / 2 ? INT64_MAX : (int64_t)n * 2);
}
static void ps_tag(void *ctx, uint64_t v)
{
    ps_open(ctx, 1);
}
static void ps_break(void *ctx)
{
    prescan *p = ctx;
    if (p->depth == 0 || p->open[p->depth - 1] != -1) {
        p->bad = true;
        return;
    }
    p->depth--;
    ps_done(p);
}

static bool prescan_ok(const uint8_t *data, size_t len)
{
    const struct cbor_callbacks cb = {
        .uint8 = ps_u8,
        .uint16 = ps_u16,
        .uint32 = ps_u32,
        .uint64 = ps_u64,
        .negint8 = ps_u8,
        .negint16 = ps_u16,
        .negint32 = ps_u32,
        .negint64 = ps_u64,
        .byte_string_start = ps_indef,
        .byte_string = ps_str,
        .string = ps_str,
        .string_start = ps_indef,
        .indef_array_start = ps_indef,
        .array_start = ps_array,
        .indef_map_start = ps_indef,
        .map_start = ps_map,
        .tag = ps_tag,
        .float2 = ps_f,
        .float4 = ps_f,
        .float8 = ps_d,
        .undefined = ps_simple,
        .null = ps_simple,
        .boolean = ps_b,
        .indef_break = ps_break,
    };
    prescan p;
    memset(&p, 0, sizeof p);
    size_t off = 0;
    while (off < len) {
        p.left = len - off;
        struct cbor_decoder_result r = cbor_stream_decode(data + off, len - off, &cb, &p);
        if (r.status != CBOR_DECODER_FINISHED || p.bad) return false;
        off += r.read;
    }
    return true;
}

/* libcbor's cbor_is_null, cbor_is_bool and cbor_get_bool assert (abort) on a float:
 * a client's body must never reach them. These check that the item is a simple value
 * first. */
static bool ctrl_is(const cbor_item_t *it, uint8_t v)
{
    return cbor_isa_float_ctrl(it) && cbor_float_ctrl_is_ctrl(it) && cbor_ctrl_value(it) == v;
}

static bool is_nullish(const cbor_item_t *it)
{
    return ctrl_is(it, CBOR_CTRL_NULL) || ctrl_is(it, CBOR_CTRL_UNDEF);
}

static int bad(aws_error *e, const char *what, const char *path)
{
    return aws_fail(e, 400, "SerializationException", "%s at %.200s", what,
                    path[0] ? path : "the top level");
}

/* A text or byte string's bytes (definite or chunked) into a new malloc'd buffer. */
static char *string_bytes(const cbor_item_t *it, size_t *len)
{
    bool text = cbor_isa_string(it);
    bool definite = text ? cbor_string_is_definite(it) : cbor_bytestring_is_definite(it);
    if (definite) {
        *len = text ? cbor_string_length(it) : cbor_bytestring_length(it);
        char *out = malloc(*len + 1);
        if (!out) abort();
        if (*len) memcpy(out, text ? cbor_string_handle(it) : cbor_bytestring_handle(it), *len);
        out[*len] = '\0';
        return out;
    }
    size_t n = text ? cbor_string_chunk_count(it) : cbor_bytestring_chunk_count(it);
    cbor_item_t **ch = text ? cbor_string_chunks_handle(it) : cbor_bytestring_chunks_handle(it);
    buf b = BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        size_t l = text ? cbor_string_length(ch[i]) : cbor_bytestring_length(ch[i]);
        if (l) buf_append(&b, text ? cbor_string_handle(ch[i]) : cbor_bytestring_handle(ch[i]), l);
    }
    *len = b.len;
    buf_reserve(&b, 1);
    b.data[b.len] = '\0'; /* zero chunks leave the buffer unwritten */
    return buf_steal(&b);
}

/* A CBOR integer as int64: 0, or -1 when out of range. */
static int int_value(const cbor_item_t *it, int64_t *out)
{
    uint64_t u = cbor_get_int(it);
    if (u > (uint64_t)INT64_MAX) return -1;
    *out = cbor_isa_uint(it) ? (int64_t)u : -1 - (int64_t)u;
    return 0;
}

static json_t *decode_value(const svc_model *m, const json_t *shape, const cbor_item_t *it,
                            const char *path, int depth, aws_error *e);

static json_t *decode_struct(const svc_model *m, const json_t *shape, const cbor_item_t *it,
                             const char *path, int depth, aws_error *e)
{
    if (!cbor_isa_map(it)) {
        bad(e, "Expected a map", path);
        return NULL;
    }
    const json_t *members = json_object_get(shape, "members");
    bool is_map = !strcmp(model_shape_type(shape), "map");
    const json_t *vref = json_object_get(shape, "value");
    json_t *obj = json_object();
    struct cbor_pair *pairs = cbor_map_handle(it);
    for (size_t i = 0; i < cbor_map_size(it); i++) {
        if (!cbor_isa_string(pairs[i].key)) {
            json_decref(obj);
            bad(e, "Expected a text key", path);
            return NULL;
        }
        size_t kl;
        char *key = string_bytes(pairs[i].key, &kl);
        const json_t *ref = is_map ? vref : json_object_get(members, key);
        if (!ref || strlen(key) != kl || is_nullish(pairs[i].value)) {
            free(key); /* unmodelled members and nulls: absent */
            continue;
        }
        char sub[512];
        snprintf(sub, sizeof sub, "%s%s%.64s", path, path[0] ? "." : "", key);
        json_t *v = decode_value(m, model_ref_shape(m, ref), pairs[i].value, sub, depth + 1, e);
        if (!v) {
            free(key);
            json_decref(obj);
            return NULL;
        }
        json_t *k = json_stringn(key, kl);
        free(key);
        if (!k) {
            json_decref(v);
            json_decref(obj);
            bad(e, "Invalid UTF-8 in a key", path);
            return NULL;
        }
        json_object_set_new(obj, json_string_value(k), v);
        json_decref(k);
    }
    return obj;
}

static json_t *decode_value(const svc_model *m, const json_t *shape, const cbor_item_t *it,
                            const char *path, int depth, aws_error *e)
{
    if (depth > CBOR_MAX_DEPTH) {
        bad(e, "Nesting too deep", path);
        return NULL;
    }
    if (!shape) {
        bad(e, "Unknown shape", path);
        return NULL;
    }
    const char *t = model_shape_type(shape);
    if (!strcmp(t, "timestamp")) {
        cbor_item_t *inner = NULL;
        if (cbor_isa_tag(it)) {
            if (cbor_tag_value(it) != 1) {
                bad(e, "Expected tag 1 (epoch seconds)", path);
                return NULL;
            }
            inner = cbor_tag_item(it); /* a new reference */
            it = inner;
        }
        json_t *v = NULL;
        int64_t x;
        if (cbor_is_int(it) && !int_value(it, &x))
            v = json_real((double)x);
        else if (cbor_is_float(it) && isfinite(cbor_float_get_float(it)))
            v = json_real(cbor_float_get_float(it));
        if (inner) cbor_decref(&inner);
        if (!v) bad(e, "Expected a timestamp", path);
        return v;
    }
    if (cbor_isa_tag(it)) {
        bad(e, "Unexpected tag", path);
        return NULL;
    }
    if (!strcmp(t, "structure") || !strcmp(t, "map"))
        return decode_struct(m, shape, it, path, depth, e);
    if (!strcmp(t, "list")) {
        if (!cbor_isa_array(it)) {
            bad(e, "Expected an array", path);
            return NULL;
        }
        const json_t *ms = model_ref_shape(m, json_object_get(shape, "member"));
        json_t *arr = json_array();
        cbor_item_t **items = cbor_array_handle(it);
        for (size_t i = 0; i < cbor_array_size(it); i++) {
            if (is_nullish(items[i])) continue;
            char sub[512];
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            json_t *v = decode_value(m, ms, items[i], sub, depth + 1, e);
            if (!v) {
                json_decref(arr);
                return NULL;
            }
            json_array_append_new(arr, v);
        }
        return arr;
    }
    if (!strcmp(t, "string")) {
        if (!cbor_isa_string(it)) {
            bad(e, "Expected a text string", path);
            return NULL;
        }
        size_t l;
        char *s = string_bytes(it, &l);
        json_t *v = json_stringn(s, l);
        free(s);
        if (!v) bad(e, "Invalid UTF-8", path);
        return v;
    }
    if (!strcmp(t, "blob")) {
        if (!cbor_isa_bytestring(it)) {
            bad(e, "Expected a byte string", path);
            return NULL;
        }
        size_t l;
        char *s = string_bytes(it, &l);
        char *b64 = base64_encode_alloc(s, l);
        free(s);
        json_t *v = json_string(b64);
        free(b64);
        return v;
    }
    if (!strcmp(t, "boolean")) {
        if (ctrl_is(it, CBOR_CTRL_TRUE)) return json_true();
        if (ctrl_is(it, CBOR_CTRL_FALSE)) return json_false();
        bad(e, "Expected a boolean", path);
        return NULL;
    }
    if (!strcmp(t, "integer") || !strcmp(t, "long")) {
        int64_t x;
        if (!cbor_is_int(it) || int_value(it, &x)) {
            bad(e, "Expected an integer", path);
            return NULL;
        }
        return json_integer(x);
    }
    if (!strcmp(t, "float") || !strcmp(t, "double")) {
        int64_t x;
        if (cbor_is_int(it) && !int_value(it, &x)) return json_real((double)x);
        if (cbor_is_float(it) && isfinite(cbor_float_get_float(it)))
            return json_real(cbor_float_get_float(it));
        bad(e, "Expected a finite number", path);
        return NULL;
    }
    bad(e, "Unsupported shape", path);
    return NULL;
}

json_t *cbor_decode_shape(const svc_model *m, const json_t *shape, const uint8_t *data, size_t len,
                          aws_error *e)
{
    if (len == 0) return json_object();
    if (!prescan_ok(data, len)) {
        aws_fail(e, 400, "SerializationException", "Malformed CBOR body.");
        return NULL;
    }
    struct cbor_load_result res;
    cbor_item_t *root = cbor_load(data, len, &res);
    if (!root || res.error.code != CBOR_ERR_NONE || res.read != len) {
        if (root) cbor_decref(&root);
        aws_fail(e, 400, "SerializationException", "Malformed CBOR body (at byte %zu).",
                 res.error.position);
        return NULL;
    }
    json_t *v = NULL;
    if (!shape)
        v = cbor_isa_map(root) ? json_object() : NULL;
    else
        v = decode_struct(m, shape, root, "", 0, e);
    if (!v && !aws_error_set(e)) bad(e, "Expected a map", "");
    cbor_decref(&root);
    return v;
}

/* ---- encoding ------------------------------------------------------------------------ */

typedef size_t (*head_fn)(size_t, unsigned char *, size_t);

static void put_head(buf *out, head_fn fn, size_t n)
{
    buf_reserve(out, 9);
    out->len += fn(n, (unsigned char *)out->data + out->len, 9);
}

static void put_int(buf *out, int64_t x)
{
    buf_reserve(out, 9);
    unsigned char *p = (unsigned char *)out->data + out->len;
    out->len +=
        x >= 0 ? cbor_encode_uint((uint64_t)x, p, 9) : cbor_encode_negint((uint64_t)(-1 - x), p, 9);
}

static void put_double(buf *out, double d)
{
    buf_reserve(out, 9);
    out->len += cbor_encode_double(d, (unsigned char *)out->data + out->len, 9);
}

static void put_text(buf *out, const char *s, size_t n)
{
    put_head(out, cbor_encode_string_start, n);
    buf_append(out, s, n);
}

static void put_bytes(buf *out, const void *p, size_t n)
{
    put_head(out, cbor_encode_bytestring_start, n);
    if (n) buf_append(out, p, n);
}

static void put_bool(buf *out, bool v)
{
    buf_reserve(out, 1);
    out->len += cbor_encode_bool(v, (unsigned char *)out->data + out->len, 1);
}

static void encode_value(const svc_model *m, const json_t *shape, const json_t *v, buf *out,
                         int depth);

static void encode_object(const svc_model *m, const json_t *shape, const json_t *v, buf *out,
                          int depth)
{
    const char *t = model_shape_type(shape);
    bool is_struct = !strcmp(t, "structure");
    const json_t *members = json_object_get(shape, "members");
    const json_t *vref = json_object_get(shape, "value");
    size_t n = 0;
    const char *k;
    json_t *x;
    json_object_foreach((json_t *)v, k,
                        x) if (!json_is_null(x) && (!is_struct || json_object_get(members, k))) n++;
    put_head(out, cbor_encode_map_start, n);
    json_object_foreach((json_t *)v, k, x)
    {
        if (json_is_null(x)) continue;
        const json_t *ref = is_struct ? json_object_get(members, k) : vref;
        if (is_struct && !ref) continue;
        put_text(out, k, strlen(k));
        encode_value(m, model_ref_shape(m, ref), x, out, depth + 1);
    }
}

static void encode_value(const svc_model *m, const json_t *shape, const json_t *v, buf *out,
                         int depth)
{
    const char *t = model_shape_type(shape);
    if (depth > CBOR_MAX_DEPTH) t = "";
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        encode_object(m, shape, v, out, depth);
        return;
    case JSON_ARRAY: {
        const json_t *ms = model_ref_shape(m, json_object_get(shape, "member"));
        put_head(out, cbor_encode_array_start, json_array_size(v));
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) encode_value(m, ms, x, out, depth + 1);
        return;
    }
    case JSON_STRING:
        if (!strcmp(t, "blob")) {
            size_t n;
            unsigned char *bytes =
                base64_decode_alloc(json_string_value(v), json_string_length(v), &n);
            if (bytes) {
                put_bytes(out, bytes, n);
                free(bytes);
                return;
            }
        }
        put_text(out, json_string_value(v), json_string_length(v));
        return;
    case JSON_INTEGER:
    case JSON_REAL:
        if (!strcmp(t, "timestamp")) {
            buf_reserve(out, 9);
            out->len += cbor_encode_tag(1, (unsigned char *)out->data + out->len, 9);
            double d = json_number_value(v);
            if (d == floor(d) && fabs(d) < 9e15)
                put_int(out, (int64_t)d);
            else
                put_double(out, d);
        } else if (json_is_integer(v) && strcmp(t, "double") && strcmp(t, "float")) {
            put_int(out, (int64_t)json_integer_value(v));
        } else {
            put_double(out, json_number_value(v));
        }
        return;
    case JSON_TRUE:
    case JSON_FALSE:
        put_bool(out, json_is_true(v));
        return;
    default:
        buf_reserve(out, 1);
        out->len += cbor_encode_null((unsigned char *)out->data + out->len, 1);
        return;
    }
}

void cbor_encode_shape(const svc_model *m, const json_t *shape, const json_t *v, buf *out)
{
    if (!v || !json_is_object(v)) {
        put_head(out, cbor_encode_map_start, 0);
        return;
    }
    encode_object(m, shape ? shape : json_object_get(m->shapes, ""), v, out, 0);
}

void cbor_encode_text_map(const char *const *pairs, size_t n, buf *out)
{
    put_head(out, cbor_encode_map_start, n);
    for (size_t i = 0; i < 2 * n; i++)
        put_text(out, pairs[i], strlen(pairs[i]));
}
