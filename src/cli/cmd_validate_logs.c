/* validate-logs: check a trail's digest chain and log files, as `aws cloudtrail
 * validate-logs` does and with the same output, through the S3 API or straight from a
 * local store. The work is in src/validate/; this file turns options into a run: it finds
 * the trail's bucket, prefix and organization, the public keys and the object source.
 *
 * Public keys: --public-keys FILE wins (logs written by AWS); else with --data the store's
 * own key table (digest/keystore.h: public halves only, the same rows ListPublicKeys
 * answers from), else ListPublicKeys at the endpoint. */
#include <curl/curl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/hash.h"
#include "core/timeutil.h"
#include "digest/keystore.h"
#include "state/db.h"
#include "state/org_state.h"
#include "state/trail_state.h"
#include "validate/awsclient.h"
#include "validate/awsconfig.h"
#include "validate/digest.h"
#include "validate/source_s3.h"
#include "validate/validator.h"
#include "cli/options.h"

static void usage(FILE *f)
{
    fputs(
        "usage: orgtrail validate-logs --trail-arn ARN --start-time TIME [--end-time TIME]\n"
        "                              [--account-id ID] [--s3-bucket B [--s3-prefix P]]\n"
        "                              [--region R] [--verbose] [--public-keys FILE]\n"
        "                              (--endpoint-url URL | --data DIR)\n"
        "\n"
        "Validates a trail's log files with its signed digest files: the same checks, verdicts\n"
        "and output as 'aws cloudtrail validate-logs', plus what that command does not check\n"
        "(log files no digest names, a previousDigestHashValue that does not match, an\n"
        "algorithm name that is not the one used). Works on logs written by orgtrail or by AWS.\n"
        "Exit status: 0 all valid, 1 something invalid, 255 the validation could not run.\n"
        "\n"
        "  --trail-arn ARN       the trail, e.g. "
        "arn:aws:cloudtrail:us-east-1:111111111111:trail/t\n"
        "  --start-time TIME     check log files delivered from TIME (UTC, e.g. "
        "2024-05-01T09:00:00Z;\n"
        "                        a time-zone offset is ignored, as the AWS CLI does)\n"
        "  --end-time TIME       ... up to TIME (default: now)\n"
        "  --account-id ID       whose logs (required for an organization trail: a member account\n"
        "                        or the management account); default: the trail's account\n"
        "  --s3-bucket B         read digests from B instead of the trail's bucket (the trail is\n"
        "                        then not looked up, so its prefix and organization are not "
        "known)\n"
        "  --s3-prefix P         the key prefix, with --s3-bucket\n"
        "  --organization-id ID  with --s3-bucket: the organization folder (AWSLogs/o-.../)\n"
        "  --region R            the region whose digests to check (default: AWS_REGION, the\n"
        "                        profile's region, else the trail's home region)\n"
        "  --verbose             print every valid digest and log file too\n"
        "  --public-keys FILE    the output of 'aws cloudtrail list-public-keys' to verify with\n"
        "                        (instead of the store's keys or ListPublicKeys at the\n"
        "                        endpoint): for logs written by AWS\n"
        "  --endpoint-url URL    read through the S3 API at URL (default: AWS_ENDPOINT_URL);\n"
        "                        credentials as the AWS CLI finds them (AWS_ACCESS_KEY_ID...,\n"
        "                        AWS_PROFILE, AWS_SHARED_CREDENTIALS_FILE, --profile NAME)\n"
        "  --data DIR            read an orgtrail store directly (read-only; safe while\n"
        "                        'orgtrail serve' runs)\n"
        "  --no-extra-checks     only the AWS CLI's checks (output identical to it)\n"
        "  --parallel N          hashing threads (default: CPUs for --data, 16 for S3)\n"
        "  --no-progress         no progress bar (it is only drawn when stderr is a terminal)\n",
        f);
}

/* Errors that stop the run print as the AWS CLI prints them: a blank line, the message. */
__attribute__((format(printf, 1, 2))) static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("\n", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\n", stderr);
    va_end(ap);
    return 255;
}

typedef struct opts {
    const char *arn, *start, *end, *account, *bucket, *prefix, *org_id, *region, *keys_file;
    const char *endpoint, *data, *profile;
    bool verbose, no_extras, no_progress;
    int parallel;
} opts;

/* ---- public keys ---- */

typedef struct keys_ctx {
    const char *file_text; /* --public-keys */
    size_t file_len;
    db_conn *db; /* else a store's signing_keys (--data), read-only */
    awsc *api;   /* else ListPublicKeys */
    const char *region;
} keys_ctx;

/* The store's keys of the region overlapping [start, end]: what ListPublicKeys would
 * return for the range, without making a current key (a read-only store never writes). */
static int load_store_keys(keys_ctx *k, int64_t start_ms, int64_t end_ms, pubkeys *into)
{
    public_key *keys;
    size_t n = keystore_list(k->db, k->region, start_ms, end_ms, &keys);
    for (size_t i = 0; i < n; i++) {
        char *b64 = base64_encode_alloc(keys[i].der, keys[i].der_len);
        if (!b64) abort();
        pubkeys_add(into, keys[i].fingerprint, b64);
        free(b64);
    }
    public_keys_free(keys, n);
    return 0;
}

static int load_keys(void *arg, int64_t start_ms, int64_t end_ms, pubkeys *into, char *err,
                     size_t errlen)
{
    keys_ctx *k = arg;
    if (k->file_text) {
        /* A file holds what the user saved: every key in it is a candidate. */
        return pubkeys_add_json(into, k->file_text, k->file_len, err, errlen) < 0 ? -1 : 0;
    }
    if (k->db) return load_store_keys(k, start_ms, end_ms, into);
    json_t *req = json_pack("{s:I,s:I}", "StartTime", (json_int_t)(start_ms / 1000), "EndTime",
                            (json_int_t)(end_ms / 1000));
    for (;;) {
        json_t *resp =
            awsc_json(k->api, "cloudtrail", k->region,
                      "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.ListPublicKeys", req,
                      err, errlen);
        if (!resp) {
            json_decref(req);
            return -1;
        }
        char *text = json_dumps(resp, 0);
        int rc = pubkeys_add_json(into, text, strlen(text), err, errlen);
        free(text);
        const char *next = json_string_value(json_object_get(resp, "NextToken"));
        if (rc < 0 || !next || !*next) {
            json_decref(resp);
            json_decref(req);
            return rc < 0 ? -1 : 0;
        }
        json_object_set_new(req, "NextToken", json_string(next));
        json_decref(resp);
    }
}

/* ---- the trail's bucket, prefix and organization ---- */

typedef struct where {
    char bucket[64];
    char prefix[256];
    char org_id[40];
    bool is_org;
} where;

static const char *str(json_t *j)
{
    return json_is_string(j) ? json_string_value(j) : "";
}

static int find_trail_api(awsc *api, const char *region, const char *arn, where *w, char *err,
                          size_t errlen)
{
    json_t *req = json_object();
    json_t *resp = awsc_json(
        api, "cloudtrail", region,
        "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails", req, err, errlen);
    json_decref(req);
    if (!resp) return -1;
    size_t i;
    json_t *t;
    int found = 0;
    json_array_foreach(json_object_get(resp, "trailList"), i, t)
    {
        const char *a = json_string_value(json_object_get(t, "TrailARN"));
        if (!a || strcmp(a, arn)) continue;
        snprintf(w->bucket, sizeof w->bucket, "%s", str(json_object_get(t, "S3BucketName")));
        snprintf(w->prefix, sizeof w->prefix, "%s", str(json_object_get(t, "S3KeyPrefix")));
        w->is_org = json_is_true(json_object_get(t, "IsOrganizationTrail"));
        found = 1;
        break;
    }
    json_decref(resp);
    if (!found) snprintf(err, errlen, "A trail could not be found for %s", arn);
    return found ? 0 : -1;
}

static int find_org_api(awsc *api, where *w, char *err, size_t errlen)
{
    json_t *req = json_object();
    json_t *resp = awsc_json(api, "organizations", "us-east-1",
                             "AWSOrganizationsV20161128.DescribeOrganization", req, err, errlen);
    json_decref(req);
    if (!resp) return -1;
    const char *id =
        json_string_value(json_object_get(json_object_get(resp, "Organization"), "Id"));
    snprintf(w->org_id, sizeof w->org_id, "%s", id ? id : "");
    json_decref(resp);
    return 0;
}

static int find_trail_store(const char *data, const char *arn, where *w, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/state.db", data);
    if (access(path, R_OK)) {
        snprintf(err, errlen, "no orgtrail store in %.900s (there is no state.db)", data);
        return -1;
    }
    db_conn *db = db_conn_open(path, true, err, errlen);
    if (!db) return -1;
    trail t;
    int rc = -1;
    if (trail_get(db, arn, &t) == 1) {
        snprintf(w->bucket, sizeof w->bucket, "%s", t.s3_bucket);
        snprintf(w->prefix, sizeof w->prefix, "%s", t.s3_prefix);
        w->is_org = t.is_org;
        org_info o;
        if (w->is_org && org_get(db, &o) == 1) snprintf(w->org_id, sizeof w->org_id, "%s", o.id);
        rc = 0;
    } else
        snprintf(err, errlen, "A trail could not be found for %s", arn);
    db_conn_close(db);
    return rc;
}

/* The AWS CLI's check: re.match(r'arn:.+:cloudtrail:.+:\d{12}:trail/.+'). */
static bool arn_ok(const char *arn, char *region, size_t rn, char *account, char *name, size_t nn)
{
    char parts[6][256];
    const char *p = arn;
    for (int i = 0; i < 5; i++) {
        const char *c = strchr(p, ':');
        if (!c || (size_t)(c - p) >= sizeof parts[i]) return false;
        snprintf(parts[i], sizeof parts[i], "%.*s", (int)(c - p), p);
        p = c + 1;
    }
    snprintf(parts[5], sizeof parts[5], "%s", p);
    if (strcmp(parts[0], "arn") || !parts[1][0] || strcmp(parts[2], "cloudtrail") || !parts[3][0] ||
        strlen(parts[4]) != 12 || strncmp(parts[5], "trail/", 6) || !parts[5][6])
        return false;
    for (int i = 0; i < 12; i++)
        if (parts[4][i] < '0' || parts[4][i] > '9') return false;
    if (strlen(parts[3]) >= rn) return false;
    memcpy(region, parts[3], strlen(parts[3]) + 1);
    memcpy(account, parts[4], 13);
    const char *slash = strrchr(arn, '/');
    snprintf(name, nn, "%s", slash + 1);
    return true;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    buf b = BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    fclose(f);
    *len = b.len;
    return buf_steal(&b);
}

int cmd_validate_logs(int argc, char **argv)
{
    opts o = {0};
    const char *parallel = NULL;
    const cli_option lo[] = {{"trail-arn", &o.arn, NULL},
                             {"start-time", &o.start, NULL},
                             {"end-time", &o.end, NULL},
                             {"account-id", &o.account, NULL},
                             {"s3-bucket", &o.bucket, NULL},
                             {"s3-prefix", &o.prefix, NULL},
                             {"organization-id", &o.org_id, NULL},
                             {"region", &o.region, NULL},
                             {"verbose", NULL, &o.verbose},
                             {"public-keys", &o.keys_file, NULL},
                             {"endpoint-url", &o.endpoint, NULL},
                             {"data", &o.data, NULL},
                             {"profile", &o.profile, NULL},
                             {"no-extra-checks", NULL, &o.no_extras},
                             {"parallel", &parallel, NULL},
                             {"no-progress", NULL, &o.no_progress},
                             {0}};
    int parsed = cli_parse_options(argc, argv, "validate-logs", lo, usage);
    if (parsed >= 0) return parsed;
    if (parallel) o.parallel = atoi(parallel);
    if (!o.arn || !o.start)
        return cli_usage_error("validate-logs", usage, "--trail-arn and --start-time are required");
    char home_region[64], account[13], name[256];
    if (!arn_ok(o.arn, home_region, sizeof home_region, account, name, sizeof name))
        return fail("Invalid trail ARN provided: %s", o.arn);
    int64_t start_ms, end_ms;
    if (digest_parse_time(o.start, &start_ms))
        return fail("Unable to parse date value: %s", o.start);
    if (o.end) {
        if (digest_parse_time(o.end, &end_ms)) return fail("Unable to parse date value: %s", o.end);
    } else
        end_ms = time_now_ms() / 1000 * 1000;
    if (start_ms > end_ms)
        return fail("%sInvalid time range specified: start-time must occur before end-time", "");

    aws_config cfg;
    char err[1024] = "";
    bool have_creds = aws_config_load(&cfg, o.profile, err, sizeof err) == 0;
    const char *endpoint = o.endpoint ? o.endpoint : cfg.endpoint[0] ? cfg.endpoint : NULL;
    if (!o.data && !endpoint) {
        fprintf(stderr, "orgtrail validate-logs: say where the logs are: --endpoint-url URL (or "
                        "AWS_ENDPOINT_URL) for the S3 API, or --data DIR for a local store\n");
        return 2;
    }
    if (!o.data && !have_creds) return fail("%s", err);
    const char *region = o.region ? o.region : cfg.region[0] ? cfg.region : home_region;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    int status = 255;
    awsc *api = NULL;
    char *keys_text = NULL;
    keys_ctx kc = {.region = region};
    vs_s3_ctx s3 = {.endpoint = endpoint, .cfg = &cfg, .region = region};
    vs_store_ctx store = {.data_dir = (char *)o.data};
    vsource src = {0};
    where w = {0};
    if (o.data) {
        src = (vsource){&VS_STORE_OPS, &store, o.data};
    } else {
        src = (vsource){&VS_S3_OPS, &s3, endpoint};
        api = awsc_open(endpoint, &cfg, err, sizeof err);
        if (!api) {
            status = fail("%s", err);
            goto out;
        }
    }
    if (o.bucket) {
        snprintf(w.bucket, sizeof w.bucket, "%s", o.bucket);
        snprintf(w.prefix, sizeof w.prefix, "%s", o.prefix ? o.prefix : "");
        if (o.org_id) snprintf(w.org_id, sizeof w.org_id, "%s", o.org_id);
    } else {
        /* As the AWS CLI: the trail's own prefix wins over --s3-prefix. */
        int rc = o.data ? find_trail_store(o.data, o.arn, &w, err, sizeof err)
                        : find_trail_api(api, region, o.arn, &w, err, sizeof err);
        if (rc) {
            status = fail("%s", err);
            goto out;
        }
        if (w.is_org) {
            if (!o.account) {
                status =
                    fail("%s", "Missing required parameter for organization trail: '--account-id'");
                goto out;
            }
            if (!o.data && find_org_api(api, &w, err, sizeof err)) {
                status = fail("%s", err);
                goto out;
            }
        }
    }
    if (o.keys_file) {
        size_t len;
        keys_text = read_file(o.keys_file, &len);
        if (!keys_text) {
            status = fail("cannot read --public-keys %s", o.keys_file);
            goto out;
        }
        kc.file_text = keys_text;
        kc.file_len = len;
        pubkeys probe;
        pubkeys_init(&probe);
        int n = pubkeys_add_json(&probe, keys_text, len, err, sizeof err);
        pubkeys_free(&probe);
        if (n < 0) {
            fprintf(stderr, "\n--public-keys %s: %s\n", o.keys_file, err);
            goto out;
        }
    } else if (o.data) {
        char path[4096];
        snprintf(path, sizeof path, "%s/state.db", o.data);
        kc.db = db_conn_open(path, true, err, sizeof err);
        if (!kc.db) {
            status = fail("%s", err);
            goto out;
        }
    } else
        kc.api = api;

    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    /* Through the S3 API a worker mostly waits: orgtrail's server makes every GetObject's
     * record durable (a shared fdatasync) before answering, so throughput is requests in
     * flight / that latency. 16 in flight measured 12% faster than 8 on 2 cores; 32 and 64
     * no faster (bench/validate_logs.py, 3,000 files). */
    int workers = o.parallel > 0 ? o.parallel : o.data ? (int)(cpus > 0 ? cpus : 2) : 16;
    vrun_opts ro = {
        .trail_arn = o.arn,
        .start_ms = start_ms,
        .end_ms = end_ms,
        .layout = {.prefix = w.prefix[0] ? w.prefix : NULL,
                   .org_id = w.org_id[0] ? w.org_id : NULL,
                   .account_id = o.account ? o.account : account,
                   .region = region,
                   .home_region = home_region,
                   .trail_name = name},
        .bucket = w.bucket,
        .verbose = o.verbose,
        .extras = !o.no_extras,
        .workers = workers,
        .progress = !o.no_progress && isatty(STDERR_FILENO),
        .out = stdout,
        .err = stderr,
        .load_keys = load_keys,
        .keys_ctx = &kc,
    };
    status = validate_run(&src, &ro, NULL);
out:
    if (kc.db) db_conn_close(kc.db);
    free(keys_text);
    awsc_close(api);
    curl_global_cleanup();
    return status;
}
