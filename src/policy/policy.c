#include "policy/policy.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/timeutil.h"
#include "policy/policy_eval.h"
#include "policy/policy_vars.h"

#define POLICY_MAX_BYTES (20 * 1024)

bool policy_wildcard(const char *p, const char *s, bool ic)
{
    return policy_wildcard_lit(p, NULL, s, ic);
}

/* ---- validation ---------------------------------------------------------------------- */

static json_t *fail(aws_error *e, const char *code, const char *msg)
{
    aws_fail(e, 400, code, "%s", msg);
    return NULL;
}

static bool string_or_strings(const json_t *v)
{
    if (json_is_string(v)) return true;
    if (!json_is_array(v) || json_array_size(v) == 0) return false;
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) if (!json_is_string(x)) return false;
    return true;
}

static bool valid_account_or_arn(const char *s)
{
    if (!strcmp(s, "*")) return true;
    size_t n = strlen(s);
    if (n == 12) {
        for (size_t i = 0; i < n; i++)
            if (!isdigit((unsigned char)s[i])) return false;
        return true;
    }
    /* arn:aws:iam::<12 digits>:(root|user/...|role/...) or an assumed-role ARN */
    if (!strncmp(s, "arn:aws:iam::", 13)) {
        const char *p = s + 13;
        for (int i = 0; i < 12; i++)
            if (!isdigit((unsigned char)p[i])) return false;
        p += 12;
        return !strcmp(p, ":root") || !strncmp(p, ":user/", 6) || !strncmp(p, ":role/", 6) ||
               !strncmp(p, ":group/", 7);
    }
    if (!strncmp(s, "arn:aws:sts::", 13)) return strstr(s, ":assumed-role/") != NULL;
    return false;
}

static bool valid_principal(const json_t *p)
{
    if (json_is_string(p)) return !strcmp(json_string_value(p), "*");
    if (!json_is_object(p) || json_object_size(p) == 0) return false;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)p, k, v)
    {
        if (!string_or_strings(v)) return false;
        size_t i;
        json_t *x;
        if (!strcmp(k, "AWS")) {
            if (json_is_string(v)) {
                if (!valid_account_or_arn(json_string_value(v))) return false;
            } else {
                json_array_foreach(v, i,
                                   x) if (!valid_account_or_arn(json_string_value(x))) return false;
            }
        } else if (!strcmp(k, "Service")) {
            if (json_is_string(v)) {
                if (!strstr(json_string_value(v), ".")) return false;
            } else {
                json_array_foreach(v, i, x) if (!strstr(json_string_value(x), ".")) return false;
            }
        } else if (strcmp(k, "Federated") && strcmp(k, "CanonicalUser")) {
            return false;
        }
    }
    return true;
}

static const char *const CONDITION_OPS[] = {
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
};

/* Splits "ForAnyValue:StringLikeIfExists" into base operator, set mode and IfExists. */
static const char *parse_op(const char *op, int *set_mode, bool *if_exists, char *base, size_t bl)
{
    *set_mode = 0;
    if (!strncmp(op, "ForAnyValue:", 12))
        *set_mode = 1, op += 12;
    else if (!strncmp(op, "ForAllValues:", 13))
        *set_mode = 2, op += 13;
    size_t n = strlen(op);
    *if_exists = n > 8 && !strcmp(op + n - 8, "IfExists");
    if (*if_exists) n -= 8;
    snprintf(base, bl, "%.*s", (int)n, op);
    for (size_t i = 0; i < sizeof CONDITION_OPS / sizeof *CONDITION_OPS; i++)
        if (!strcmp(base, CONDITION_OPS[i])) return CONDITION_OPS[i];
    return NULL;
}

static bool valid_condition(const json_t *c)
{
    if (!json_is_object(c)) return false;
    const char *op;
    json_t *block;
    json_object_foreach((json_t *)c, op, block)
    {
        int sm;
        bool ie;
        char base[64];
        if (!parse_op(op, &sm, &ie, base, sizeof base) || !json_is_object(block)) return false;
        const char *k;
        json_t *v;
        json_object_foreach(block, k, v)
        {
            if (!strchr(k, ':') && strcasecmp(k, "aws:SourceArn")) return false;
            if (json_is_array(v)) {
                size_t i;
                json_t *x;
                json_array_foreach(v, i, x) if (!json_is_string(x) && !json_is_boolean(x) &&
                                                !json_is_number(x)) return false;
            } else if (!json_is_string(v) && !json_is_boolean(v) && !json_is_number(v)) {
                return false;
            }
        }
    }
    return true;
}

static bool valid_resource(const char *r, const char *bucket_arn)
{
    if (!strcmp(r, "*")) return !bucket_arn;
    if (strncmp(r, "arn:", 4)) return false;
    if (!bucket_arn) return true;
    size_t n = strlen(bucket_arn);
    return !strncmp(r, bucket_arn, n) && (r[n] == '\0' || r[n] == '/' || r[n] == '*');
}

/* What an S3 action acts on: the bucket, its objects, or something we cannot tell
 * (wildcards, account-level or unknown actions), which is not checked. */
typedef enum s3_target { S3_TARGET_ANY, S3_TARGET_BUCKET, S3_TARGET_OBJECT } s3_target;

static s3_target s3_action_target(const char *action)
{
    static const char *const object_actions[] = {
        "AbortMultipartUpload", "ListMultipartUploadParts", "ReplicateDelete",
        "ReplicateTags",        "InitiateReplication",
    };
    if (strncasecmp(action, "s3:", 3) || strpbrk(action, "*?")) return S3_TARGET_ANY;
    const char *name = action + 3;
    if (strcasestr(name, "Bucket")) return S3_TARGET_BUCKET;
    if (strcasestr(name, "Object")) return S3_TARGET_OBJECT;
    for (size_t i = 0; i < sizeof object_actions / sizeof *object_actions; i++)
        if (!strcasecmp(name, object_actions[i])) return S3_TARGET_OBJECT;
    return S3_TARGET_ANY;
}

static bool each_string(const json_t *v, size_t i, const char **out)
{
    if (json_is_string(v)) {
        *out = i == 0 ? json_string_value(v) : NULL;
    } else {
        const json_t *x = json_array_get(v, i);
        *out = x ? json_string_value(x) : NULL;
    }
    return *out != NULL;
}

/* S3 refuses a statement none of whose actions can act on any of its resources, such as
 * s3:PutObject on the bucket ARN itself. */
static bool action_applies(const json_t *actions, const json_t *resources, const char *bucket_arn)
{
    size_t bucket_len = strlen(bucket_arn);
    const char *an;
    for (size_t i = 0; each_string(actions, i, &an); i++) {
        s3_target t = s3_action_target(an);
        if (t == S3_TARGET_ANY) return true;
        const char *rn;
        for (size_t k = 0; each_string(resources, k, &rn); k++) {
            bool names_objects =
                strlen(rn) > bucket_len && (rn[bucket_len] == '/' || strchr(rn + bucket_len, '*'));
            if (t == S3_TARGET_BUCKET && policy_wildcard(rn, bucket_arn, false)) return true;
            if (t == S3_TARGET_OBJECT && names_objects) return true;
        }
    }
    return false;
}

static json_t *check_document(json_t *doc, policy_kind kind, const char *code,
                              const char *bucket_arn, aws_error *e);

json_t *policy_parse(const char *text, policy_kind kind, const char *code, const char *bucket_arn,
                     aws_error *e)
{
    if (!text || strlen(text) > POLICY_MAX_BYTES)
        return fail(e, code, "Policies must be valid JSON and no larger than 20 KB.");
    json_error_t je;
    json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    if (!doc || !json_is_object(doc)) {
        json_decref(doc);
        return fail(e, code, "This policy contains invalid Json");
    }
    return check_document(doc, kind, code, bucket_arn, e);
}

json_t *policy_from_document(const json_t *document, policy_kind kind, const char *code,
                             aws_error *e)
{
    if (!json_is_object(document)) return fail(e, code, "This policy contains invalid Json");
    return check_document(json_deep_copy(document), kind, code, NULL, e);
}

/* Validates doc (stolen) as policy_parse does after reading it; returns it, normalized
 * (Statement always an array), or NULL with e set. */
static json_t *check_document(json_t *doc, policy_kind kind, const char *code,
                              const char *bucket_arn, aws_error *e)
{
    json_t *ver = json_object_get(doc, "Version");
    if (ver && (!json_is_string(ver) || (strcmp(json_string_value(ver), "2012-10-17") &&
                                         strcmp(json_string_value(ver), "2008-10-17")))) {
        json_decref(doc);
        return fail(e, code, "The policy failed legacy parsing");
    }
    const char *key;
    json_t *val;
    json_object_foreach(doc, key, val)
    {
        if (strcmp(key, "Version") && strcmp(key, "Id") && strcmp(key, "Statement")) {
            json_decref(doc);
            return fail(e, code, "Policy has an unknown top-level field");
        }
    }
    json_t *st = json_object_get(doc, "Statement");
    if (json_is_object(st)) {
        json_t *arr = json_array();
        json_array_append(arr, st);
        json_object_set_new(doc, "Statement", arr);
        st = arr;
    }
    if (!json_is_array(st) || json_array_size(st) == 0) {
        json_decref(doc);
        return fail(e, code, "Missing required field Statement");
    }
    size_t i;
    json_t *s;
    json_array_foreach(st, i, s)
    {
        const char *msg = NULL;
        if (!json_is_object(s)) {
            msg = "Statement is not an object";
        } else {
            json_object_foreach(s, key, val)
            {
                static const char *const known[] = {"Sid",          "Effect",      "Principal",
                                                    "NotPrincipal", "Action",      "NotAction",
                                                    "Resource",     "NotResource", "Condition"};
                bool ok = false;
                for (size_t k = 0; k < sizeof known / sizeof *known; k++)
                    ok |= !strcmp(key, known[k]);
                if (!ok) msg = "Policy statement has an unknown field";
            }
            const char *eff = json_string_value(json_object_get(s, "Effect"));
            json_t *pr = json_object_get(s, "Principal"), *npr = json_object_get(s, "NotPrincipal");
            json_t *ac = json_object_get(s, "Action"), *nac = json_object_get(s, "NotAction");
            json_t *rs = json_object_get(s, "Resource"), *nrs = json_object_get(s, "NotResource");
            json_t *cond = json_object_get(s, "Condition");
            bool has_principal = pr || npr;
            if (msg) {
            } else if (!eff)
                msg = "Missing required field Effect";
            else if (strcmp(eff, "Allow") && strcmp(eff, "Deny"))
                msg = "Invalid effect";
            else if (!ac && !nac)
                msg = "Missing required field Action";
            else if ((ac && nac) || (rs && nrs) || (pr && npr))
                msg = "Statement has conflicting elements";
            else if (!string_or_strings(ac ? ac : nac))
                msg = "Invalid Action";
            else if ((kind == POLICY_RESOURCE || kind == POLICY_TRUST) && !has_principal)
                msg = "Missing required field Principal";
            else if ((kind == POLICY_IDENTITY || kind == POLICY_SCP) && has_principal)
                msg = "Policy document should not specify a principal.";
            else if (has_principal && !valid_principal(pr ? pr : npr))
                msg = "Invalid principal in policy";
            else if (kind == POLICY_RESOURCE && !rs && !nrs)
                msg = "Missing required field Resource";
            else if (kind == POLICY_IDENTITY && !rs && !nrs)
                msg = "Policy statement must contain resources.";
            else if ((rs || nrs) && !string_or_strings(rs ? rs : nrs))
                msg = "Policy has invalid resource";
            else if (cond && !valid_condition(cond))
                msg = "Policy has an invalid condition key";
            if (!msg && (rs || nrs)) {
                json_t *r = rs ? rs : nrs;
                if (json_is_string(r)) {
                    if (!valid_resource(json_string_value(r),
                                        kind == POLICY_RESOURCE ? bucket_arn : NULL))
                        msg = "Policy has invalid resource";
                } else {
                    size_t k;
                    json_t *x;
                    json_array_foreach(r, k, x)
                    {
                        if (!valid_resource(json_string_value(x),
                                            kind == POLICY_RESOURCE ? bucket_arn : NULL))
                            msg = "Policy has invalid resource";
                    }
                }
            }
            if (!msg && kind == POLICY_RESOURCE && bucket_arn) {
                /* every action of a bucket policy must be an S3 action */
                json_t *a = ac ? ac : nac;
                json_t *one = json_is_string(a) ? json_pack("[O]", a) : json_incref(a);
                size_t k;
                json_t *x;
                json_array_foreach(one, k, x)
                {
                    const char *an = json_string_value(x);
                    if (strcmp(an, "*") && strncasecmp(an, "s3:", 3))
                        msg = "Policy has invalid action";
                }
                json_decref(one);
                if (!msg && ac && rs && !action_applies(ac, rs, bucket_arn))
                    msg = "Action does not apply to any resource(s) in statement";
            }
        }
        if (msg) {
            json_decref(doc);
            return fail(e, code, msg);
        }
    }
    return doc;
}

/* ---- evaluation ---------------------------------------------------------------------- */

static bool any_matches(const json_t *v, const char *s, bool ic)
{
    if (!s) return false;
    if (json_is_string(v)) return policy_wildcard(json_string_value(v), s, ic);
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) if (json_is_string(x) &&
                                    policy_wildcard(json_string_value(x), s, ic)) return true;
    return false;
}

static bool principal_value_matches(const char *type, const char *v, const policy_request *r)
{
    unsigned forms = r->principal_forms ? r->principal_forms : ~0u;
    if (!strcmp(v, "*")) return forms & PRINCIPAL_FORM_SELF;
    if (!strcmp(type, "Service"))
        return r->principal_service && !strcasecmp(v, r->principal_service);
    if (strcmp(type, "AWS") || !r->principal_account) return false;
    if (forms & PRINCIPAL_FORM_ACCOUNT) {
        if (strlen(v) == 12 && !strcmp(v, r->principal_account)) return true;
        char root[64];
        snprintf(root, sizeof root, "arn:aws:iam::%s:root", r->principal_account);
        if (!strcmp(v, root)) return true;
    }
    /* For a role session principal_arn is the role's ARN; for anyone else their own. */
    unsigned arn_form = r->principal_session_arn ? PRINCIPAL_FORM_ROLE : PRINCIPAL_FORM_SELF;
    if ((forms & arn_form) && r->principal_arn && !strcmp(v, r->principal_arn)) return true;
    if ((forms & PRINCIPAL_FORM_SELF) && r->principal_session_arn &&
        !strcmp(v, r->principal_session_arn))
        return true;
    return false;
}

static bool principal_matches(const json_t *p, const policy_request *r)
{
    if (json_is_string(p)) return !strcmp(json_string_value(p), "*");
    const char *type;
    json_t *v;
    json_object_foreach((json_t *)p, type, v)
    {
        if (json_is_string(v)) {
            if (principal_value_matches(type, json_string_value(v), r)) return true;
        } else {
            size_t i;
            json_t *x;
            json_array_foreach(
                v, i, x) if (principal_value_matches(type, json_string_value(x), r)) return true;
        }
    }
    return false;
}

bool policy_eval_principal(const json_t *principal, const json_t *not_principal,
                           const policy_request *r)
{
    if (principal && !principal_matches(principal, r)) return false;
    if (not_principal) {
        /* Everyone but those listed: whichever form of the principal is listed. */
        policy_request every_form = *r;
        every_form.principal_forms = 0;
        if (principal_matches(not_principal, &every_form)) return false;
    }
    return true;
}

/* A policy string as matched: expanded when it holds variables. False (and x->unresolved
 * set) when one cannot be; t->lit is NULL-equivalent (all false) for plain strings. */
static bool policy_string(policy_eval *x, const char *src, policy_text *t, const char **text,
                          const bool **lit)
{
    if (!x->vars || !policy_has_variables(src)) {
        *text = src;
        *lit = NULL;
        return true;
    }
    if (!policy_expand(src, x->r->context, t)) {
        x->unresolved = true;
        return false;
    }
    *text = t->s;
    *lit = t->lit;
    return true;
}

bool policy_eval_resource(policy_eval *x, const char *pattern)
{
    policy_text t;
    const char *text;
    const bool *lit;
    return policy_string(x, pattern, &t, &text, &lit) &&
           policy_wildcard_lit(text, lit, x->r->resource, false);
}

/* Whether a Resource or NotResource value matches the request's resource. */
static bool resource_matches(const json_t *v, policy_eval *x)
{
    size_t n = json_is_array(v) ? json_array_size(v) : 1;
    for (size_t i = 0; i < n; i++) {
        const char *src = json_string_value(json_is_array(v) ? json_array_get(v, i) : v);
        if (src && policy_eval_resource(x, src)) return true;
    }
    return false;
}

/* Collects the request's values for a condition key (case-insensitive key match). */
static size_t context_values(const policy_request *r, const char *key, const char **out, size_t max)
{
    size_t n = 0;
    for (const char *const *c = r->context; c && c[0]; c += 2)
        if (!strcasecmp(c[0], key) && n < max) out[n++] = c[1];
    return n;
}

static void scalar_text(const json_t *v, char *out, size_t n)
{
    if (json_is_string(v))
        snprintf(out, n, "%s", json_string_value(v));
    else if (json_is_boolean(v))
        snprintf(out, n, "%s", json_is_true(v) ? "true" : "false");
    else if (json_is_integer(v))
        snprintf(out, n, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(out, n, "%g", json_real_value(v));
    else
        out[0] = '\0';
}

static bool parse_number(const char *s, double *d)
{
    char *end;
    *d = strtod(s, &end);
    return *s && !*end;
}

static bool parse_date(const char *s, double *d)
{
    int64_t ms;
    if (!time_parse_iso8601(s, &ms)) {
        *d = (double)ms;
        return true;
    }
    if (parse_number(s, d)) {
        *d *= 1000.0;
        return true;
    }
    return false;
}

/* The address `ip` lies in `cidr` ("10.0.0.0/8", "2001:db8::/32", or a bare address for
 * exactly that address). */
static bool ip_in_cidr(const char *ip, const char *cidr)
{
    unsigned char a[16], net[16];
    char base[64];
    const char *slash = strchr(cidr, '/');
    size_t bl = slash ? (size_t)(slash - cidr) : strlen(cidr);
    if (bl >= sizeof base) return false;
    memcpy(base, cidr, bl);
    base[bl] = '\0';
    int family = strchr(base, ':') ? AF_INET6 : AF_INET;
    int bits_max = family == AF_INET6 ? 128 : 32;
    if (inet_pton(family, ip, a) != 1 || inet_pton(family, base, net) != 1) return false;
    long bits = bits_max;
    if (slash) {
        char *end;
        bits = strtol(slash + 1, &end, 10);
        if (!slash[1] || *end || bits < 0 || bits > bits_max) return false;
    }
    for (long i = 0; i < bits; i++) {
        unsigned char mask = (unsigned char)(0x80u >> (i % 8));
        if ((a[i / 8] & mask) != (net[i / 8] & mask)) return false;
    }
    return true;
}

/* ArnEquals / ArnLike: the six colon-separated parts are matched one by one, so that a
 * wildcard never spans a colon outside the resource part (which may itself hold colons). */
static bool arn_matches(const char *pattern, const bool *lit, const char *arn)
{
    const char *p = pattern, *a = arn;
    for (int part = 0; part < 6; part++) {
        const bool *plit = lit ? lit + (p - pattern) : NULL;
        if (part == 5) return policy_wildcard_lit(p, plit, a, false);
        const char *pe = strchr(p, ':'), *ae = strchr(a, ':');
        if (!pe || !ae) return false;
        char pp[256], ap[256];
        if ((size_t)(pe - p) >= sizeof pp || (size_t)(ae - a) >= sizeof ap) return false;
        memcpy(pp, p, (size_t)(pe - p));
        pp[pe - p] = '\0';
        memcpy(ap, a, (size_t)(ae - a));
        ap[ae - a] = '\0';
        if (!policy_wildcard_lit(pp, plit, ap, false)) return false;
        p = pe + 1;
        a = ae + 1;
    }
    return false;
}

/* One request value against one policy value under a base operator. "Not" operators are
 * handled by the caller as the negation of their positive form. */
static bool value_matches(const char *op, const char *req, const char *pol, const bool *lit)
{
    if (!strcmp(op, "StringEquals")) return !strcmp(req, pol);
    if (!strcmp(op, "StringEqualsIgnoreCase")) return !strcasecmp(req, pol);
    if (!strcmp(op, "StringLike")) return policy_wildcard_lit(pol, lit, req, false);
    if (!strcmp(op, "ArnEquals") || !strcmp(op, "ArnLike")) return arn_matches(pol, lit, req);
    if (!strcmp(op, "IpAddress")) return ip_in_cidr(req, pol);
    if (!strcmp(op, "Bool")) return !strcasecmp(req, pol);
    if (!strcmp(op, "BinaryEquals")) return !strcmp(req, pol);
    if (!strncmp(op, "Numeric", 7) || !strncmp(op, "Date", 4)) {
        double a, b;
        bool numeric = op[0] == 'N';
        if (numeric ? !(parse_number(req, &a) && parse_number(pol, &b))
                    : !(parse_date(req, &a) && parse_date(pol, &b)))
            return false;
        const char *cmp = op + (numeric ? 7 : 4);
        if (!strcmp(cmp, "Equals")) return a == b;
        if (!strcmp(cmp, "LessThan")) return a < b;
        if (!strcmp(cmp, "LessThanEquals")) return a <= b;
        if (!strcmp(cmp, "GreaterThan")) return a > b;
        if (!strcmp(cmp, "GreaterThanEquals")) return a >= b;
    }
    return false;
}

/* Maps a negated operator to its positive form; returns true when it was negated. */
static bool positive_form(const char *op, char *out, size_t n)
{
    static const char *const neg[][2] = {
        {"StringNotEquals", "StringEquals"},
        {"StringNotEqualsIgnoreCase", "StringEqualsIgnoreCase"},
        {"StringNotLike", "StringLike"},
        {"NumericNotEquals", "NumericEquals"},
        {"DateNotEquals", "DateEquals"},
        {"ArnNotEquals", "ArnEquals"},
        {"ArnNotLike", "ArnLike"},
        {"NotIpAddress", "IpAddress"},
    };
    for (size_t i = 0; i < sizeof neg / sizeof *neg; i++)
        if (!strcmp(op, neg[i][0])) {
            snprintf(out, n, "%s", neg[i][1]);
            return true;
        }
    snprintf(out, n, "%s", op);
    return false;
}

static bool condition_key_holds(const char *opname, const char *key, const json_t *vals,
                                policy_eval *x)
{
    const policy_request *r = x->r;
    int set_mode;
    bool if_exists;
    char base[64], pos[64];
    parse_op(opname, &set_mode, &if_exists, base, sizeof base);
    const char *reqv[16];
    size_t nreq = context_values(r, key, reqv, 16);
    if (!strcmp(base, "Null")) {
        char want[16];
        scalar_text(json_is_array(vals) ? json_array_get(vals, 0) : vals, want, sizeof want);
        bool absent = nreq == 0;
        return !strcasecmp(want, "true") ? absent : !absent;
    }
    if (nreq == 0) {
        if (if_exists) return true;
        /* A missing key fails positive operators and satisfies negated ones; with a set
         * operator, ForAllValues holds vacuously and ForAnyValue never holds. */
        if (set_mode == 2) return true;
        if (set_mode == 1) return false;
        return positive_form(base, pos, sizeof pos);
    }
    bool negated = positive_form(base, pos, sizeof pos);
    /* Variables stand in string and ARN values only. */
    bool textual = !strncmp(pos, "String", 6) || !strncmp(pos, "Arn", 3);
    size_t nvals = json_is_array(vals) ? json_array_size(vals) : 1;
    /* For each request value: does it match any policy value? */
    size_t matched = 0;
    for (size_t i = 0; i < nreq; i++) {
        bool m = false;
        for (size_t k = 0; k < nvals && !m; k++) {
            const json_t *v = json_is_array(vals) ? json_array_get(vals, k) : vals;
            char pv[64];
            const char *src = json_string_value(v);
            if (!src) { /* a number or boolean in the policy: compared as its text */
                scalar_text(v, pv, sizeof pv);
                src = pv;
            }
            policy_text t;
            const char *text = src;
            const bool *lit = NULL;
            if (textual && !policy_string(x, src, &t, &text, &lit)) continue;
            m = value_matches(pos, reqv[i], text, lit);
        }
        if (m) matched++;
    }
    if (set_mode == 2) /* ForAllValues: every request value matches (or none, negated) */
        return negated ? matched == 0 : matched == nreq;
    if (set_mode == 1) /* ForAnyValue: some request value matches (or fails to, negated) */
        return negated ? matched < nreq : matched > 0;
    bool any = matched > 0;
    return negated ? !any : any;
}

bool policy_eval_conditions(const json_t *cond, policy_eval *x)
{
    if (!cond) return true;
    const char *op;
    json_t *block;
    json_object_foreach((json_t *)cond, op, block)
    {
        const char *key;
        json_t *vals;
        json_object_foreach(block, key,
                            vals) if (!condition_key_holds(op, key, vals, x)) return false;
    }
    return true;
}

policy_decision policy_evaluate(const json_t *policy, const policy_request *r)
{
    policy_decision d = POLICY_NO_MATCH;
    /* Policy variables exist from the 2012-10-17 language on; older policies are literal. */
    const char *version = json_string_value(json_object_get(policy, "Version"));
    bool vars = version && !strcmp(version, "2012-10-17");
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(policy, "Statement"), i, s)
    {
        if (!policy_eval_principal(json_object_get(s, "Principal"),
                                   json_object_get(s, "NotPrincipal"), r))
            continue;
        json_t *ac = json_object_get(s, "Action"), *nac = json_object_get(s, "NotAction");
        if (ac && !any_matches(ac, r->action, true)) continue;
        if (nac && any_matches(nac, r->action, true)) continue;
        policy_eval x = {.r = r, .vars = vars};
        json_t *rs = json_object_get(s, "Resource"), *nrs = json_object_get(s, "NotResource");
        if (rs && r->resource && !resource_matches(rs, &x)) continue;
        if (nrs && r->resource && resource_matches(nrs, &x)) continue;
        if (!policy_eval_conditions(json_object_get(s, "Condition"), &x)) continue;
        if (x.unresolved) continue; /* a variable without a value voids the statement */
        if (!strcmp(json_string_value(json_object_get(s, "Effect")), "Deny")) return POLICY_DENY;
        d = POLICY_ALLOW;
    }
    return d;
}

size_t policy_missing_keys(const json_t *policy, const policy_request *r, const char **out,
                           size_t n, size_t max)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(policy, "Statement"), i, s)
    {
        json_t *pr = json_object_get(s, "Principal"), *npr = json_object_get(s, "NotPrincipal");
        if ((pr && !principal_matches(pr, r)) || (npr && principal_matches(npr, r))) continue;
        json_t *ac = json_object_get(s, "Action"), *nac = json_object_get(s, "NotAction");
        if ((ac && !any_matches(ac, r->action, true)) || (nac && any_matches(nac, r->action, true)))
            continue;
        policy_eval x = {.r = r, .vars = false};
        json_t *rs = json_object_get(s, "Resource"), *nrs = json_object_get(s, "NotResource");
        if (r->resource &&
            ((rs && !resource_matches(rs, &x)) || (nrs && resource_matches(nrs, &x))))
            continue;
        const char *op;
        json_t *block;
        json_object_foreach(json_object_get(s, "Condition"), op, block)
        {
            const char *key;
            json_t *vals;
            json_object_foreach(block, key, vals)
            {
                const char *have[1];
                if (context_values(r, key, have, 1)) continue;
                bool seen = false;
                for (size_t k = 0; k < n && !seen; k++)
                    seen = !strcasecmp(out[k], key);
                if (!seen && n < max) out[n++] = key;
            }
        }
    }
    return n;
}
