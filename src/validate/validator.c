#include "validate/validator.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "validate/digest.h"
#include "validate/loghash.h"
#include "validate/pipe.h"
#include "validate/progress.h"

#define HOUR_MS (3600 * (int64_t)1000)

typedef struct keylist {
    char **k;
    size_t n, cap;
} keylist;

static void keylist_push(keylist *l, const char *s)
{
    l->k = xgrow(l->k, &l->cap, l->n + 1, sizeof l->k[0]);
    l->k[l->n] = strdup(s);
    if (!l->k[l->n]) abort();
    l->n++;
}

static void keylist_free(keylist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->k[i]);
    free(l->k);
    memset(l, 0, sizeof l[0]);
}

/* The keys of the log files the walked digests name (open addressing, FNV-1a). */
typedef struct strset {
    char **slot;
    size_t cap, n;
} strset;

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void strset_add(strset *s, const char *k);

static void strset_grow(strset *s)
{
    strset bigger = {calloc(s->cap ? s->cap * 2 : 1024, sizeof(char *)), s->cap ? s->cap * 2 : 1024,
                     0};
    if (!bigger.slot) abort();
    for (size_t i = 0; i < s->cap; i++)
        if (s->slot[i]) {
            strset_add(&bigger, s->slot[i]);
            free(s->slot[i]);
        }
    free(s->slot);
    *s = bigger;
}

static void strset_add(strset *s, const char *k)
{
    if ((s->n + 1) * 2 > s->cap) strset_grow(s);
    size_t i = fnv(k) & (s->cap - 1);
    while (s->slot[i]) {
        if (!strcmp(s->slot[i], k)) return;
        i = (i + 1) & (s->cap - 1);
    }
    s->slot[i] = strdup(k);
    if (!s->slot[i]) abort();
    s->n++;
}

static bool strset_has(const strset *s, const char *k)
{
    if (!s->cap) return false;
    size_t i = fnv(k) & (s->cap - 1);
    while (s->slot[i]) {
        if (!strcmp(s->slot[i], k)) return true;
        i = (i + 1) & (s->cap - 1);
    }
    return false;
}

static void strset_free(strset *s)
{
    for (size_t i = 0; i < s->cap; i++)
        free(s->slot[i]);
    free(s->slot);
    memset(s, 0, sizeof s[0]);
}

typedef struct span {
    int64_t start, end;
} span;

/* The previous-digest fields of the last valid digest, checked against the digest they
 * point to once it has been verified (a check the AWS CLI does not make). */
typedef struct link {
    bool on;
    char *from_bucket, *from_key, *bucket, *key, *hash, *sig;
} link;

typedef struct V {
    const vsource *src;
    const vrun_opts *o;
    vs_handle *h;
    vpipe *pipe;
    pubkeys keys, bf_keys;
    vrun_stats st;
    bool last_double; /* the AWS CLI's _is_last_status_double_space */
    bool have_found;
    int64_t found_start, found_end;
    bool fatal;
    char fatal_msg[1024];
    progress pr;
    strset named;
    span *spans;
    size_t n_spans, cap_spans;
    link lk;
} V;

enum { TAG_NONE, TAG_DIGEST };

static void write_status(V *v, const char *msg, bool is_error)
{
    if (is_error) {
        progress_clear(&v->pr);
        fprintf(v->o->err, v->last_double ? "%s\n\n" : "\n%s\n\n", msg);
        v->last_double = true;
    } else if (v->o->verbose) {
        progress_clear(&v->pr);
        v->last_double = false;
        fprintf(v->o->out, "%s\n", msg);
    }
}

static void set_fatal(V *v, const char *msg)
{
    if (v->fatal) return;
    v->fatal = true;
    snprintf(v->fatal_msg, sizeof v->fatal_msg, "%s", msg);
}

static void emit(void *ctx, pipe_item *it)
{
    V *v = ctx;
    if (v->fatal) return; /* the run stops: nothing more is reported */
    if (it->kind == PIPE_MSG) {
        write_status(v, it->text, it->is_error);
        if (it->tag == TAG_DIGEST) v->pr.digests_done++;
        progress_draw(&v->pr, false);
        return;
    }
    const char *b = it->bucket ? it->bucket : "None", *k = it->key ? it->key : "None";
    buf m = BUF_INIT;
    buf_printf(&m, "Log file\ts3://%s/%s\t", b, k);
    switch (it->result) {
    case LOG_VALID:
        v->st.valid_logs++;
        buf_puts(&m, "valid");
        write_status(v, buf_cstr(&m), false);
        break;
    case LOG_MISMATCH:
        v->st.invalid_logs++;
        buf_puts(&m, "INVALID: hash value doesn't match");
        write_status(v, buf_cstr(&m), true);
        break;
    case LOG_NOT_FOUND:
        v->st.invalid_logs++;
        buf_puts(&m, "INVALID: not found");
        write_status(v, buf_cstr(&m), true);
        break;
    case LOG_BAD_FORMAT:
        v->st.invalid_logs++;
        buf_puts(&m, "INVALID: invalid format");
        write_status(v, buf_cstr(&m), true);
        break;
    default:
        set_fatal(v, it->err);
        break;
    }
    buf_free(&m);
    v->st.bytes_stored += it->stored;
    v->st.bytes_inflated += it->inflated;
    v->pr.logs_done++;
    v->pr.bytes += it->inflated;
    progress_draw(&v->pr, false);
}

static void msg(V *v, bool is_error, int tag, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void msg(V *v, bool is_error, int tag, const char *fmt, ...)
{
    buf b = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    pipe_msg(v->pipe, buf_cstr(&b), is_error, tag);
    buf_free(&b);
}

static void display_time(int64_t ms, char out[21])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int64_t key_time_ms(const char *key)
{
    char ts[17];
    int64_t ms;
    layout_digest_key_time(key, ts);
    return layout_parse_compact(ts, &ms) ? INT64_MIN : ms;
}

/* DigestProvider.load_all_digest_keys_in_range: one listing from just before START,
 * stopping at the first key past END + 1 h. */
static int list_digests(V *v, const char *bucket, int64_t end_ms, keylist *std, keylist *bf)
{
    const vlayout *l = &v->o->layout;
    char prefix[2048], marker[2048], t_start[17], t_end[17];
    layout_digest_prefix(l, prefix, sizeof prefix);
    layout_digest_key(l, v->o->start_ms - 60000, marker, sizeof marker);
    layout_format_compact(v->o->start_ms, t_start);
    layout_format_compact(end_ms + HOUR_MS, t_end);
    char *after = strdup(marker);
    if (!after) abort();
    int rc = 0;
    for (bool done = false; !done;) {
        vs_page p;
        char err[1024];
        if (v->src->ops->list(v->h, bucket, prefix, after, &p, err, sizeof err) != VS_OK) {
            set_fatal(v, err);
            rc = -1;
            break;
        }
        for (size_t i = 0; i < p.n && !done; i++) {
            const char *k = p.keys[i];
            if (!layout_is_digest_key(l, k)) continue;
            char ts[17];
            layout_digest_key_time(k, ts);
            if (strcmp(ts, t_end) > 0) {
                done = true;
                break;
            }
            if (strcmp(ts, t_start) < 0) continue;
            keylist_push(layout_is_backfill_key(k) ? bf : std, k);
        }
        if (!p.truncated || !p.n) done = true;
        if (!done) {
            free(after);
            after = strdup(p.next_after ? p.next_after : p.keys[p.n - 1]);
            if (!after) abort();
        }
        vs_page_free(&p);
    }
    free(after);
    return rc;
}

static const char *meta_get(json_t *meta, const char *name)
{
    const char *k;
    json_t *val;
    json_object_foreach(meta, k, val)
    {
        if (!strcasecmp(k, name)) return json_string_value(val);
    }
    return NULL;
}

enum { LD_VALID, LD_MISSING, LD_INVALID, LD_FATAL };

typedef struct loaded {
    digest d;
    char *signature; /* x-amz-meta-signature */
    char *sig_meta_alg;
    const char *sig_hash; /* the hash the signature was made with */
    int64_t start_ms, end_ms;
} loaded;

static void loaded_free(loaded *L)
{
    digest_free(&L->d);
    free(L->signature);
    free(L->sig_meta_alg);
    memset(L, 0, sizeof L[0]);
}

static char *dupz(const char *s)
{
    if (!s) return NULL;
    char *d = strdup(s);
    if (!d) abort();
    return d;
}

/* DigestTraverser._load_and_validate_digest, with the same checks in the same order.
 * On LD_INVALID, why holds the whole status line. */
static int load_digest(V *v, const char *bucket, const char *key, bool backfill, loaded *L,
                       buf *why)
{
    memset(L, 0, sizeof L[0]);
    vs_object obj;
    char err[1024];
    int rc = v->src->ops->get(v->h, bucket, key, &obj, err, sizeof err);
    if (rc == VS_NOT_FOUND) return LD_MISSING;
    if (rc != VS_OK) {
        set_fatal(v, err);
        return LD_FATAL;
    }
    const char *pfx = backfill ? "(backfill) " : "";
#define INVALID(...)                                                                               \
    do {                                                                                           \
        buf_printf(why, "%sDigest file\ts3://%s/%s\tINVALID: ", pfx, bucket, key);                 \
        buf_printf(why, __VA_ARGS__);                                                              \
        vs_object_release(&obj);                                                                   \
        return LD_INVALID;                                                                         \
    } while (0)
    size_t n = 0;
    unsigned char *plain = loghash_gunzip_alloc(obj.data, obj.len, &n);
    if (!plain) INVALID("invalid format");
    digest_parse_rc pr = digest_parse(plain, n, &L->d);
    free(plain);
    if (pr == DIGEST_NOT_JSON) INVALID("invalid format");
    const char *sig = meta_get(obj.metadata, "signature");
    const char *alg = meta_get(obj.metadata, "signature-algorithm");
    if (!sig || !alg) INVALID("signature verification failed");
    L->signature = dupz(sig);
    L->sig_meta_alg = dupz(alg);
    const char *bf_ts = meta_get(obj.metadata, "backfill-generation-timestamp");
    if (backfill && !bf_ts) INVALID("invalid format");
    if (pr == DIGEST_MISSING_KEYS) INVALID("invalid format");
    if (!L->d.bucket || !L->d.object || strcmp(L->d.bucket, bucket) || strcmp(L->d.object, key))
        INVALID("has been moved from its original location");
    const char *fp = L->d.fingerprint;
    pubkeys *keys = backfill ? &v->bf_keys : &v->keys;
    if (backfill && !pubkeys_find(keys, fp)) {
        int64_t ts;
        if (digest_parse_time(bf_ts, &ts)) INVALID("Unable to parse date value: %s", bf_ts);
        char kerr[1024];
        size_t before = keys->n;
        if (v->o->load_keys(v->o->keys_ctx, ts - HOUR_MS, ts + HOUR_MS, keys, kerr, sizeof kerr))
            INVALID("%s", kerr);
        if (keys->n == before && !pubkeys_find(keys, fp)) {
            char a[21], b[21];
            display_time(ts - HOUR_MS, a);
            display_time(ts + HOUR_MS, b);
            INVALID("No public keys found between %s and %s", a, b);
        }
    }
    const char *b64 = pubkeys_find(keys, fp);
    if (!b64)
        INVALID("public key not found in region %s for fingerprint %s", v->o->layout.home_region,
                fp ? fp : "None");
    buf sts = BUF_INIT;
    digest_string_to_sign(&L->d, &sts);
    sig_verdict sv = pubkeys_verify(b64, sig, sts.data, sts.len, &L->sig_hash);
    buf_free(&sts);
    switch (sv) {
    case SIG_VALID:
        break;
    case SIG_BAD_KEY:
        INVALID("Unable to load PKCS #1 key with fingerprint %s", fp);
    case SIG_ODD_HEX:
        INVALID("Odd-length string");
    case SIG_BAD_HEX:
        INVALID("Non-hexadecimal digit found");
    default:
        INVALID("signature verification failed");
    }
    if (digest_parse_time(L->d.end_time, &L->end_ms))
        INVALID("Unable to parse date value: %s", L->d.end_time ? L->d.end_time : "None");
    if (digest_parse_time(L->d.start_time, &L->start_ms))
        INVALID("Unable to parse date value: %s", L->d.start_time ? L->d.start_time : "None");
#undef INVALID
    vs_object_release(&obj);
    return LD_VALID;
}

/* DigestTraverser._get_last_digest with before_key: the next older listed key. */
static const char *next_older(keylist *kl, size_t *top, const char *before, int64_t *t)
{
    int64_t bt = key_time_ms(before);
    while (*top) {
        const char *k = kl->k[--*top];
        *t = key_time_ms(k);
        if (*t < bt) return k;
    }
    return NULL;
}

static void link_clear(link *lk)
{
    free(lk->from_bucket);
    free(lk->from_key);
    free(lk->bucket);
    free(lk->key);
    free(lk->hash);
    free(lk->sig);
    memset(lk, 0, sizeof lk[0]);
}

static void add_span(V *v, int64_t s, int64_t e)
{
    v->spans = xgrow(v->spans, &v->cap_spans, v->n_spans + 1, sizeof v->spans[0]);
    v->spans[v->n_spans++] = (span){s, e};
}

/* Checks of a valid digest that the AWS CLI does not make: algorithm names. */
static void check_algorithms(V *v, const char *bucket, const char *key, const loaded *L)
{
    const char *why = NULL;
    char detail[512];
    if (L->sig_hash && strcmp(L->sig_hash, "SHA-256")) {
        snprintf(detail, sizeof detail, "signed with %s, not SHA256withRSA", L->sig_hash);
        why = detail;
    } else if (!L->d.sig_alg || strcmp(L->d.sig_alg, "SHA256withRSA")) {
        snprintf(detail, sizeof detail, "digestSignatureAlgorithm is %s, not SHA256withRSA",
                 L->d.sig_alg ? L->d.sig_alg : "missing");
        why = detail;
    } else if (strcmp(L->sig_meta_alg, "SHA256withRSA")) {
        snprintf(detail, sizeof detail, "x-amz-meta-signature-algorithm is %s, not SHA256withRSA",
                 L->sig_meta_alg);
        why = detail;
    } else if (L->d.prev_object && (!L->d.prev_hash_alg || strcmp(L->d.prev_hash_alg, "SHA-256"))) {
        snprintf(detail, sizeof detail, "previousDigestHashAlgorithm is %s, not SHA-256",
                 L->d.prev_hash_alg ? L->d.prev_hash_alg : "missing");
        why = detail;
    } else {
        for (size_t i = 0; i < L->d.n_logs && !why; i++) {
            const char *a = L->d.logs[i].hash_alg;
            if (a && !strcmp(a, "SHA-256")) continue;
            snprintf(detail, sizeof detail, "hashAlgorithm of s3://%s/%s is %s, not SHA-256",
                     L->d.logs[i].bucket ? L->d.logs[i].bucket : "None",
                     L->d.logs[i].key ? L->d.logs[i].key : "None", a ? a : "missing");
            why = detail;
        }
    }
    if (!why) return;
    v->st.wrong_algorithms++;
    msg(v, true, TAG_NONE, "Digest file\ts3://%s/%s\tINVALID: %s", bucket, key, why);
}

/* The previous digest was reached through the last valid digest's link and verified:
 * its hash and signature must be the ones the link names. */
static void check_link(V *v, const char *bucket, const char *key, const loaded *L)
{
    link *lk = &v->lk;
    if (!lk->on || strcmp(lk->bucket, bucket) || strcmp(lk->key, key)) return;
    const char *why = NULL;
    if (!lk->hash || strcmp(lk->hash, L->d.sha256_hex))
        why = "previousDigestHashValue does not match the SHA-256 of";
    else if (!lk->sig || strcmp(lk->sig, L->signature))
        why = "previousDigestSignature does not match the signature of";
    if (why) {
        v->st.broken_links++;
        msg(v, true, TAG_NONE, "Digest file\ts3://%s/%s\tINVALID: %s s3://%s/%s", lk->from_bucket,
            lk->from_key, why, bucket, key);
    }
}

static void walk(V *v, keylist *kl, bool backfill)
{
    const vrun_opts *o = v->o;
    const char *pfx = backfill ? "(backfill) " : "";
    if (!kl->n) return;
    size_t top = kl->n;
    char *bucket = dupz(o->bucket);
    char *key = dupz(kl->k[--top]);
    int64_t last_start = key_time_ms(key);
    link_clear(&v->lk);
    while (key && !v->fatal && o->start_ms <= last_start) {
        loaded L;
        buf why = BUF_INIT;
        int r = load_digest(v, bucket, key, backfill, &L, &why);
        const char *next = NULL;
        int64_t next_t = 0;
        if (r == LD_FATAL) {
            buf_free(&why);
            loaded_free(&L);
            break;
        }
        if (r == LD_MISSING || r == LD_INVALID) {
            if (backfill)
                v->st.invalid_backfill++;
            else
                v->st.invalid_digests++;
            if (r == LD_MISSING)
                msg(v, true, TAG_DIGEST, "%sDigest file\ts3://%s/%s\tINVALID: not found", pfx,
                    bucket, key);
            else
                pipe_msg(v->pipe, buf_cstr(&why), true, TAG_DIGEST);
            buf_free(&why);
            loaded_free(&L);
            link_clear(&v->lk);
            next = next_older(kl, &top, key, &next_t);
            free(key);
            key = dupz(next);
            continue;
        }
        buf_free(&why);
        last_start = L.start_ms;
        /* _track_found_times */
        int64_t s = L.start_ms > o->start_ms ? L.start_ms : o->start_ms;
        int64_t e = L.end_ms < o->end_ms ? L.end_ms : o->end_ms;
        if (!v->have_found || s < v->found_start) v->found_start = s;
        if (!v->have_found || e > v->found_end) v->found_end = e;
        v->have_found = true;
        if (backfill)
            v->st.valid_backfill++;
        else
            v->st.valid_digests++;
        msg(v, false, TAG_DIGEST, "%sDigest file\ts3://%s/%s\tvalid", pfx, L.d.bucket, L.d.object);
        if (o->extras) {
            check_link(v, bucket, key, &L);
            check_algorithms(v, bucket, key, &L);
        }
        if (!backfill) add_span(v, L.start_ms, L.end_ms);
        v->pr.logs_queued += L.d.n_logs;
        for (size_t i = 0; i < L.d.n_logs; i++) {
            const digest_log *lg = &L.d.logs[i];
            if (lg->bucket && lg->key && o->extras) strset_add(&v->named, lg->key);
            pipe_log(v->pipe, lg->bucket, lg->key, lg->hash);
        }
        link_clear(&v->lk);
        if (!L.d.prev_bucket || !L.d.prev_object) {
            next = next_older(kl, &top, key, &next_t);
            if (next) {
                char a[21], b[21];
                display_time(next_t, a);
                display_time(last_start, b);
                msg(v, true, TAG_NONE,
                    "%sNo log files were delivered by CloudTrail between %s and %s", pfx, a, b);
            }
            free(key);
            key = dupz(next);
        } else {
            v->lk = (link){true,
                           dupz(bucket),
                           dupz(key),
                           dupz(L.d.prev_bucket),
                           dupz(L.d.prev_object),
                           dupz(L.d.prev_hash),
                           dupz(L.d.prev_signature)};
            free(key);
            key = dupz(L.d.prev_object);
            if (strcmp(L.d.prev_bucket, bucket)) {
                free(bucket);
                bucket = dupz(L.d.prev_bucket);
                /* The bucket changed: the CLI lists that bucket's digests anew. */
                keylist std = {0}, bf = {0};
                list_digests(v, bucket, L.end_ms, &std, &bf);
                keylist_free(kl);
                *kl = backfill ? bf : std;
                keylist_free(backfill ? &std : &bf);
                top = kl->n;
            }
        }
        loaded_free(&L);
    }
    link_clear(&v->lk);
    free(key);
    free(bucket);
}

static int cmp_span(const void *a, const void *b)
{
    const span *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Log files in the windows of valid digests that no digest names (the AWS CLI never
 * lists log files). A log key carries its delivery minute, so only files whose whole
 * minute lies inside a window are judged. */
static void check_unnamed(V *v)
{
    if (!v->n_spans || v->fatal) return;
    qsort(v->spans, v->n_spans, sizeof v->spans[0], cmp_span);
    size_t m = 0;
    for (size_t i = 1; i < v->n_spans; i++) {
        if (v->spans[i].start <= v->spans[m].end) {
            if (v->spans[i].end > v->spans[m].end) v->spans[m].end = v->spans[i].end;
        } else
            v->spans[++m] = v->spans[i];
    }
    size_t n = m + 1;
    int64_t day = v->spans[0].start / (24 * HOUR_MS) * (24 * HOUR_MS);
    int64_t last = v->spans[n - 1].end;
    for (; day <= last && !v->fatal; day += 24 * HOUR_MS) {
        char prefix[2048];
        layout_log_day_prefix(&v->o->layout, day, prefix, sizeof prefix);
        char *after = NULL;
        for (;;) {
            vs_page p;
            char err[1024];
            if (v->src->ops->list(v->h, v->o->bucket, prefix, after, &p, err, sizeof err)) {
                set_fatal(v, err);
                break;
            }
            for (size_t i = 0; i < p.n; i++) {
                int64_t t = layout_log_key_time(p.keys[i]);
                if (t < 0) continue;
                bool inside = false;
                for (size_t j = 0; j < n && !inside; j++)
                    inside = t >= v->spans[j].start && t + 60000 <= v->spans[j].end;
                if (!inside || strset_has(&v->named, p.keys[i])) continue;
                v->st.unnamed_logs++;
                msg(v, true, TAG_NONE, "Log file\ts3://%s/%s\tINVALID: not named by any digest",
                    v->o->bucket, p.keys[i]);
            }
            bool more = p.truncated && p.n;
            free(after);
            after = more ? dupz(p.next_after ? p.next_after : p.keys[p.n - 1]) : NULL;
            vs_page_free(&p);
            if (!more) break;
        }
        free(after);
    }
}

static void ratio(FILE *f, uint64_t valid, uint64_t invalid, const char *name)
{
    uint64_t total = valid + invalid;
    if (!total) return;
    fprintf(f, "\n%llu/%llu %s files valid", (unsigned long long)valid, (unsigned long long)total,
            name);
    if (invalid)
        fprintf(f, ", %llu/%llu %s files INVALID", (unsigned long long)invalid,
                (unsigned long long)total, name);
}

static void summary(V *v)
{
    FILE *f = v->o->out;
    char a[21], b[21];
    if (!v->last_double) fputc('\n', f);
    display_time(v->o->start_ms, a);
    display_time(v->o->end_ms, b);
    fprintf(f, "Results requested for %s to %s\n", a, b);
    const vrun_stats *s = &v->st;
    if (s->valid_digests + s->valid_backfill + s->invalid_digests + s->invalid_backfill == 0) {
        fputs("No digests found\n", f);
        return;
    }
    if (!v->have_found)
        fputs("No valid digests found in range\n", f);
    else {
        display_time(v->found_start, a);
        display_time(v->found_end, b);
        fprintf(f, "Results found for %s to %s:\n", a, b);
    }
    ratio(f, s->valid_digests, s->invalid_digests, "digest");
    ratio(f, s->valid_backfill, s->invalid_backfill, "backfill digest");
    ratio(f, s->valid_logs, s->invalid_logs, "log");
    if (s->unnamed_logs)
        fprintf(f, "\n%llu log files not named by any digest (not checked by the AWS CLI)",
                (unsigned long long)s->unnamed_logs);
    if (s->broken_links)
        fprintf(f,
                "\n%llu digest files whose previous-digest hash or signature does not match "
                "(not checked by the AWS CLI)",
                (unsigned long long)s->broken_links);
    if (s->wrong_algorithms)
        fprintf(f,
                "\n%llu digest files naming an algorithm other than the one used (not checked "
                "by the AWS CLI)",
                (unsigned long long)s->wrong_algorithms);
    fputc('\n', f);
}

int validate_run(const vsource *src, const vrun_opts *o, vrun_stats *stats)
{
    V v;
    memset(&v, 0, sizeof v);
    v.src = src;
    v.o = o;
    v.last_double = true;
    pubkeys_init(&v.keys);
    pubkeys_init(&v.bf_keys);
    progress_init(&v.pr, o->progress, o->err);
    char err[1024] = "";
    int status = 0;
    char a[21], b[21];
    display_time(o->start_ms, a);
    display_time(o->end_ms, b);
    fprintf(o->out, "Validating log files for trail %s between %s and %s\n\n", o->trail_arn, a, b);
    fflush(o->out);
    keylist std = {0}, bf = {0};
    v.h = vs_open(src, err, sizeof err);
    if (!v.h) {
        set_fatal(&v, err);
        goto out;
    }
    if (list_digests(&v, o->bucket, o->end_ms, &std, &bf)) goto out;
    if (o->load_keys(o->keys_ctx, o->start_ms, o->end_ms + 2 * HOUR_MS, &v.keys, err, sizeof err)) {
        set_fatal(&v, err);
        goto out;
    }
    if (!v.keys.n) {
        display_time(o->end_ms + 2 * HOUR_MS, b);
        snprintf(err, sizeof err, "No public keys found between %s and %s", a, b);
        set_fatal(&v, err);
        goto out;
    }
    v.pr.digests_total = std.n + bf.n;
    v.pipe = pipe_start(src, o->workers, o->workers * 16, emit, &v, err, sizeof err);
    if (!v.pipe) {
        set_fatal(&v, err);
        goto out;
    }
    walk(&v, &std, false);
    if (!v.fatal) walk(&v, &bf, true);
    if (!v.fatal && o->extras) check_unnamed(&v);
    pipe_finish(v.pipe);
    v.pipe = NULL;
out:
    progress_end(&v.pr);
    if (v.fatal) {
        fflush(o->out);
        fprintf(o->err, "\n%s\n", v.fatal_msg);
        status = 255;
    } else {
        summary(&v);
        const vrun_stats *s = &v.st;
        status = s->invalid_digests || s->invalid_backfill || s->invalid_logs || s->unnamed_logs ||
                         s->broken_links || s->wrong_algorithms
                     ? 1
                     : 0;
    }
    fflush(o->out);
    fflush(o->err);
    if (stats) *stats = v.st;
    if (v.h) src->ops->close(v.h);
    keylist_free(&std);
    keylist_free(&bf);
    pubkeys_free(&v.keys);
    pubkeys_free(&v.bf_keys);
    strset_free(&v.named);
    free(v.spans);
    return status;
}
