/* Selection: which trails deliver which captured records. Logging spans, accounts
 * (own, organization members over time), regions and global services, basic selectors
 * (management, read/write, excluded sources, S3 data resources) and advanced selectors
 * (every field and operator the trails use). The database-backed loader is checked
 * against spans and the membership history the triggers keep. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/timeutil.h"
#include "delivery/select.h"
#include "testenv.h"

#define MGMT "111111111111"
#define MEMBER "222222222222"
#define OTHER "333333333333"
#define T0 1795300000000LL /* 2026-11-22T... */

/* A record: source, name, region, recipient, readOnly, category, resources JSON or NULL,
 * error code or NULL. Event time T0. */
static json_t *rec(const char *source, const char *name, const char *region, const char *recipient,
                   bool ro, const char *category, const char *resources, const char *error)
{
    json_t *r = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:{s:s, s:s}}", "eventVersion",
                          "1.11", "eventTime", "2026-11-22T12:00:00Z", "eventSource", source,
                          "eventName", name, "awsRegion", region, "readOnly", ro,
                          "recipientAccountId", recipient, "eventCategory", category,
                          "userIdentity", "type", "Root", "arn", "arn:aws:iam::111111111111:root");
    if (resources) json_object_set_new(r, "resources", json_loads(resources, 0, NULL));
    if (error) json_object_set_new(r, "errorCode", json_string(error));
    return r;
}

static json_t *mgmt(const char *name, const char *region, const char *recipient, bool ro)
{
    return rec("cloudtrail.amazonaws.com", name, region, recipient, ro, "Management", NULL, NULL);
}

static json_t *s3data(const char *name, const char *arn, bool ro)
{
    char res[512];
    snprintf(res, sizeof res,
             "[{\"type\":\"AWS::S3::Object\",\"ARN\":\"%s\"},"
             "{\"accountId\":\"" MGMT
             "\",\"type\":\"AWS::S3::Bucket\",\"ARN\":\"arn:aws:s3:::logs\"}]",
             arn);
    return rec("s3.amazonaws.com", name, "us-east-1", MGMT, ro, "Data", res, NULL);
}

/* Every test runs twice: with events read from the tree (select_event_parse), then from
 * the record's compact text (select_event_scan, delivery's path), which must decide alike.
 * Scanned events live in a ring of slots: a test holds a few at a time. */
static bool scan_mode;
#define RING 16
static struct {
    char *text;
    select_scratch sc;
} ring[RING];
static size_t ring_next;

static void ring_free(void)
{
    for (size_t i = 0; i < RING; i++) {
        free(ring[i].text);
        ring[i].text = NULL;
        select_scratch_free(&ring[i].sc);
    }
}

static void same_str(const char *a, const char *b)
{
    if (!a || !b)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

/* select_event_scan of text agrees with select_event_parse of its tree. */
static void assert_scan_agrees(const char *text, select_scratch *sc, select_event *e)
{
    json_t *tree = json_loads(text, 0, NULL);
    select_event p;
    int want = tree ? select_event_parse(tree, &p) : -1;
    assert_int_equal(select_event_scan(text, strlen(text), sc, e), want);
    if (!want) {
        same_str(e->source, p.source);
        same_str(e->name, p.name);
        same_str(e->region, p.region);
        same_str(e->recipient, p.recipient);
        same_str(e->category, p.category);
        same_str(e->error_code, p.error_code);
        assert_int_equal(e->read_only, p.read_only);
        assert_int_equal(e->has_read_only, p.has_read_only);
        assert_int_equal(e->event_ms, p.event_ms);
    }
    json_decref(tree);
}

static select_event ev(const json_t *r)
{
    select_event e;
    if (!scan_mode) {
        assert_int_equal(select_event_parse(r, &e), 0);
        return e;
    }
    size_t i = ring_next++ % RING;
    free(ring[i].text);
    ring[i].text = json_dumps(r, JSON_COMPACT);
    assert_non_null(ring[i].text);
    assert_scan_agrees(ring[i].text, &ring[i].sc, &e);
    assert_ptr_equal(e.raw, &ring[i].sc);
    return e;
}

static void base_trail(select_trail *st, bool org, bool multi)
{
    memset(st, 0, sizeof *st);
    snprintf(st->t.arn, sizeof st->t.arn, "arn:aws:cloudtrail:us-east-1:" MGMT ":trail/t");
    snprintf(st->t.account_id, sizeof st->t.account_id, MGMT);
    snprintf(st->t.home_region, sizeof st->t.home_region, "us-east-1");
    st->t.multi_region = multi;
    st->t.include_global = true;
    st->t.is_org = org;
    if (org) snprintf(st->org_id, sizeof st->org_id, "o-abcdefghij");
    st->spans = calloc(4, sizeof *st->spans);
    st->spans[0] = (logging_span){1, SPAN_OPEN};
    st->n_spans = 1;
}

static void free_trail(select_trail *st)
{
    free(st->spans);
    free(st->members);
    json_decref(st->basic);
    json_decref(st->advanced);
}

static bool selected(const select_trail *st, json_t *r, uint64_t seq)
{
    select_event e = ev(r);
    bool v = select_record(st, &e, seq);
    json_decref(r);
    return v;
}

static void test_parse(void **state)
{
    json_t *r = mgmt("DescribeTrails", "eu-west-1", MEMBER, true);
    select_event e = ev(r);
    assert_string_equal(e.region, "eu-west-1");
    assert_string_equal(e.recipient, MEMBER);
    assert_true(e.read_only && e.has_read_only);
    assert_int_equal(e.event_ms, 1795348800000LL);
    json_decref(r);
    r = json_pack("{s:s}", "eventName", "x");
    select_event e2;
    assert_int_equal(select_event_parse(r, &e2), -1);
    json_decref(r);
    assert_int_equal(select_event_parse(NULL, &e2), -1);
}

/* The scanner on texts the tree path sees differently than a compact dump: escaped keys
 * and values, whitespace, repeated keys (the last wins, as in jansson), wrong types,
 * non-objects and cut-off text. */
static void test_scan_texts(void **state)
{
    static const char *const texts[] = {
        "{\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\","
        "\"awsRegion\":\"us-east-1\",\"recipientAccountId\":\"111111111111\","
        "\"eventTime\":\"2026-11-22T12:00:00Z\",\"readOnly\":true,"
        "\"eventCategory\":\"Data\",\"resources\":[{\"ARN\":\"a\\\"}\"}]}",
        " { \"event\\u0053ource\" : \"iam.amazonaws.com\" , \"eventName\":\"Cr\\u00e9ate\\n\","
        "\"awsRegion\":\"us-east-1\",\"recipientAccountId\":\"111111111111\",\"x\":{\"eventName\":"
        "1},"
        "\"eventTime\":\"2026-11-22T12:00:00Z\",\"readOnly\":\"true\",\"errorCode\":null} ",
        "{\"eventSource\":\"a\",\"eventName\":\"b\",\"awsRegion\":\"c\","
        "\"recipientAccountId\":\"1\",\"eventTime\":\"2026-11-22T12:00:00Z\","
        "\"eventName\":\"second\",\"readOnly\":false,\"n\":-1.5e3,\"z\":[[],{}]}",
        "{\"eventSource\":1,\"eventName\":\"b\",\"awsRegion\":\"c\","
        "\"recipientAccountId\":\"1\",\"eventTime\":\"2026-11-22T12:00:00Z\"}",
        "{\"eventSource\":\"a\",\"eventName\":\"b\",\"awsRegion\":\"c\","
        "\"recipientAccountId\":\"1\",\"eventTime\":\"yesterday\"}",
        "{\"eventSource\":\"a\"}",
        "{}",
        "[1,2]",
        "\"x\"",
    };
    select_scratch sc = SELECT_SCRATCH_INIT;
    select_event e;
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        assert_scan_agrees(texts[i], &sc, &e);
    assert_scan_agrees(texts[1], &sc, &e);
    assert_string_equal(e.source, "iam.amazonaws.com");
    assert_string_equal(e.name, "Cr\xc3\xa9"
                                "ate\n");
    assert_false(e.has_read_only);
    assert_null(e.error_code);
    /* cut short anywhere: refused, never read past the end */
    const char *t = texts[0];
    for (size_t n = 0; n < strlen(t); n++) {
        char *cut = malloc(n ? n : 1);
        memcpy(cut, t, n);
        assert_int_equal(select_event_scan(cut, n, &sc, &e), -1);
        free(cut);
    }
    select_scratch_free(&sc);
}

/* Every record of the real CloudTrail dataset reads alike both ways, and so do the fields
 * only the tree has (advanced selectors on resources.ARN and userIdentity.arn). */
static void test_scan_dataset(void **state)
{
    const char *shared = getenv("ORGTRAIL_SHARED");
    if (!shared) skip();
    char path[512];
    snprintf(path, sizeof path, "%s/datasets/invictus-aws-dataset/CloudTrail", shared);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls %s/*.json 2>/dev/null", path);
    FILE *ls = popen(cmd, "r");
    assert_non_null(ls);
    json_t *adv = json_loads("[{\"FieldSelectors\":[{\"Field\":\"resources.ARN\","
                             "\"StartsWith\":[\"arn:aws:\"]}]},"
                             "{\"FieldSelectors\":[{\"Field\":\"userIdentity.arn\","
                             "\"EndsWith\":[\"/bob\",\":root\"]}]},"
                             "{\"FieldSelectors\":[{\"Field\":\"eventType\","
                             "\"Equals\":[\"AwsServiceEvent\"]}]}]",
                             0, NULL);
    assert_non_null(adv);
    select_scratch sc = SELECT_SCRATCH_INIT;
    char file[1024];
    size_t n = 0, hits = 0;
    while (fgets(file, sizeof file, ls)) {
        file[strcspn(file, "\n")] = '\0';
        json_t *doc = json_load_file(file, 0, NULL);
        assert_non_null(doc);
        size_t i;
        json_t *r;
        json_array_foreach(json_object_get(doc, "Records"), i, r)
        {
            char *text = json_dumps(r, JSON_COMPACT);
            select_event e, p;
            assert_scan_agrees(text, &sc, &e);
            if (!select_event_parse(r, &p)) {
                bool want = select_selectors_match(NULL, adv, &p);
                assert_int_equal(select_selectors_match(NULL, adv, &e), want);
                hits += want;
            }
            free(text);
            n++;
        }
        json_decref(doc);
    }
    pclose(ls);
    select_scratch_free(&sc);
    json_decref(adv);
    if (!n) skip();
    assert_true(hits > 0 && hits < n);
}

static void test_logging_spans(void **state)
{
    select_trail st;
    base_trail(&st, false, true);
    st.spans[0] = (logging_span){10, 20};
    st.spans[1] = (logging_span){30, SPAN_OPEN};
    st.n_spans = 2;
    assert_false(selected(&st, mgmt("ListTrails", "us-east-1", MGMT, true), 9));
    assert_true(selected(&st, mgmt("ListTrails", "us-east-1", MGMT, true), 10));
    assert_true(selected(&st, mgmt("ListTrails", "us-east-1", MGMT, true), 19));
    /* captured while stopped: never, even though logging started again later */
    assert_false(selected(&st, mgmt("ListTrails", "us-east-1", MGMT, true), 20));
    assert_false(selected(&st, mgmt("ListTrails", "us-east-1", MGMT, true), 29));
    assert_true(selected(&st, mgmt("ListTrails", "us-east-1", MGMT, true), 30));
    assert_true(selected(&st, mgmt("ListTrails", "us-east-1", MGMT, true), 1000000));
    /* never logged */
    st.n_spans = 0;
    assert_false(selected(&st, mgmt("ListTrails", "us-east-1", MGMT, true), 15));
    free_trail(&st);
}

static void test_stop_logging_record(void **state)
{
    select_trail st;
    base_trail(&st, false, true);
    st.spans[0] = (logging_span){10, 20};
    st.n_spans = 1;
    char res[512];
    snprintf(res, sizeof res,
             "[{\"accountId\":\"" MGMT "\",\"type\":\"AWS::CloudTrail::Trail\",\"ARN\":\"%s\"}]",
             st.t.arn);
    /* its own StopLogging (seq after the stop position) is delivered */
    assert_true(selected(&st,
                         rec("cloudtrail.amazonaws.com", "StopLogging", "us-east-1", MGMT, false,
                             "Management", res, NULL),
                         20));
    /* a failed one is not; nor one naming another trail; nor another event */
    assert_false(selected(&st,
                          rec("cloudtrail.amazonaws.com", "StopLogging", "us-east-1", MGMT, false,
                              "Management", res, "AccessDenied"),
                          20));
    assert_false(
        selected(&st,
                 rec("cloudtrail.amazonaws.com", "StopLogging", "us-east-1", MGMT, false,
                     "Management", "[{\"type\":\"AWS::CloudTrail::Trail\",\"ARN\":\"x\"}]", NULL),
                 20));
    assert_false(selected(&st,
                          rec("cloudtrail.amazonaws.com", "DeleteTrail", "us-east-1", MGMT, false,
                              "Management", res, NULL),
                          20));
    /* before the trail ever logged: no */
    assert_false(selected(&st,
                          rec("cloudtrail.amazonaws.com", "StopLogging", "us-east-1", MGMT, false,
                              "Management", res, NULL),
                          5));
    free_trail(&st);
}

static void test_accounts_single(void **state)
{
    select_trail st;
    base_trail(&st, false, true);
    assert_true(selected(&st, mgmt("ListTrails", "us-east-1", MGMT, true), 5));
    assert_false(selected(&st, mgmt("ListTrails", "us-east-1", MEMBER, true), 5));
    free_trail(&st);
}

static void test_accounts_org_history(void **state)
{
    select_trail st;
    base_trail(&st, true, true);
    st.members = calloc(3, sizeof *st.members);
    /* MEMBER: joined before T0+12h and is still in; OTHER: left at 2026-11-22T11:59:59.500Z */
    int64_t noon = 1795348800000LL;
    st.members[0] = (membership_span){MEMBER, noon - 3600000, MEMBERSHIP_OPEN};
    st.members[1] = (membership_span){OTHER, noon - 7200000, noon - 500};
    st.n_members = 2;
    assert_true(selected(&st, mgmt("ListTrails", "us-east-1", MGMT, true), 5));
    assert_true(selected(&st, mgmt("ListTrails", "us-east-1", MEMBER, true), 5));
    assert_false(selected(&st, mgmt("ListTrails", "us-east-1", OTHER, true), 5));
    assert_false(selected(&st, mgmt("ListTrails", "us-east-1", "444444444444", true), 5));
    /* joined within the event's second: covered */
    st.members[1] = (membership_span){OTHER, noon + 400, MEMBERSHIP_OPEN};
    assert_true(selected(&st, mgmt("ListTrails", "us-east-1", OTHER, true), 5));
    /* joined after the event: not */
    st.members[1] = (membership_span){OTHER, noon + 1000, MEMBERSHIP_OPEN};
    assert_false(selected(&st, mgmt("ListTrails", "us-east-1", OTHER, true), 5));
    /* left and came back: the second period counts */
    st.members[1] = (membership_span){OTHER, noon - 9000000, noon - 8000000};
    st.members[2] = (membership_span){OTHER, noon - 1000, MEMBERSHIP_OPEN};
    st.n_members = 3;
    assert_true(selected(&st, mgmt("ListTrails", "us-east-1", OTHER, true), 5));
    /* an organization trail that lost its organization covers its own account only */
    st.org_id[0] = '\0';
    assert_false(selected(&st, mgmt("ListTrails", "us-east-1", MEMBER, true), 5));
    assert_true(selected(&st, mgmt("ListTrails", "us-east-1", MGMT, true), 5));
    free_trail(&st);
}

static void test_regions(void **state)
{
    select_trail st;
    base_trail(&st, false, false); /* single-region, us-east-1 */
    assert_true(selected(&st, mgmt("ListTrails", "us-east-1", MGMT, true), 5));
    assert_false(selected(&st, mgmt("ListTrails", "eu-west-1", MGMT, true), 5));
    st.t.multi_region = true;
    assert_true(selected(&st, mgmt("ListTrails", "eu-west-1", MGMT, true), 5));
    assert_true(selected(&st, mgmt("ListTrails", "ap-southeast-2", MGMT, true), 5));
    /* single-region elsewhere */
    st.t.multi_region = false;
    snprintf(st.t.home_region, sizeof st.t.home_region, "eu-west-1");
    assert_true(selected(&st, mgmt("ListTrails", "eu-west-1", MGMT, true), 5));
    assert_false(selected(&st, mgmt("ListTrails", "us-east-1", MGMT, true), 5));
    free_trail(&st);
}

static void test_global_events(void **state)
{
    assert_true(select_global_source("iam.amazonaws.com"));
    assert_true(select_global_source("sts.amazonaws.com"));
    assert_true(select_global_source("cloudfront.amazonaws.com"));
    assert_false(select_global_source("cloudtrail.amazonaws.com"));
    assert_false(select_global_source("s3.amazonaws.com"));
    assert_false(select_global_source("iam.amazonaws.com.evil"));
    select_trail st;
    base_trail(&st, false, true);
    json_t *iam =
        rec("iam.amazonaws.com", "CreateUser", "us-east-1", MGMT, false, "Management", NULL, NULL);
    select_event e = ev(iam);
    assert_true(select_record(&st, &e, 5));
    st.t.include_global = false;
    assert_false(select_record(&st, &e, 5));
    /* regional events in us-east-1 do not need IncludeGlobalServiceEvents */
    assert_true(selected(&st, mgmt("ListTrails", "us-east-1", MGMT, true), 5));
    /* single-region trail outside us-east-1 with global events: none since 2021 */
    st.t.include_global = true;
    st.t.multi_region = false;
    snprintf(st.t.home_region, sizeof st.t.home_region, "eu-west-1");
    assert_false(select_record(&st, &e, 5));
    json_decref(iam);
    free_trail(&st);
}

static void test_default_selector(void **state)
{
    select_trail st;
    base_trail(&st, false, true);
    assert_true(selected(&st, mgmt("ListTrails", "us-east-1", MGMT, true), 5));
    assert_true(selected(&st, mgmt("CreateTrail", "us-east-1", MGMT, false), 5));
    assert_false(selected(&st, s3data("GetObject", "arn:aws:s3:::logs/a.txt", true), 5));
    free_trail(&st);
}

static void set_basic(select_trail *st, const char *text)
{
    json_decref(st->basic);
    st->basic = json_loads(text, 0, NULL);
    assert_non_null(st->basic);
}

static void set_advanced(select_trail *st, const char *text)
{
    json_decref(st->advanced);
    st->advanced = json_loads(text, 0, NULL);
    assert_non_null(st->advanced);
}

static void test_basic_read_write(void **state)
{
    select_trail st;
    base_trail(&st, false, true);
    set_basic(&st, "[{\"ReadWriteType\":\"ReadOnly\",\"IncludeManagementEvents\":true,"
                   "\"DataResources\":[],\"ExcludeManagementEventSources\":[]}]");
    assert_true(selected(&st, mgmt("ListTrails", "us-east-1", MGMT, true), 5));
    assert_false(selected(&st, mgmt("CreateTrail", "us-east-1", MGMT, false), 5));
    set_basic(&st, "[{\"ReadWriteType\":\"WriteOnly\",\"IncludeManagementEvents\":true,"
                   "\"DataResources\":[],\"ExcludeManagementEventSources\":[]}]");
    assert_false(selected(&st, mgmt("ListTrails", "us-east-1", MGMT, true), 5));
    assert_true(selected(&st, mgmt("CreateTrail", "us-east-1", MGMT, false), 5));
    /* two selectors: the union */
    set_basic(&st, "[{\"ReadWriteType\":\"WriteOnly\",\"IncludeManagementEvents\":true},"
                   "{\"ReadWriteType\":\"ReadOnly\",\"IncludeManagementEvents\":true}]");
    assert_true(selected(&st, mgmt("ListTrails", "us-east-1", MGMT, true), 5));
    assert_true(selected(&st, mgmt("CreateTrail", "us-east-1", MGMT, false), 5));
    free_trail(&st);
}

static void test_basic_management_off_and_excluded(void **state)
{
    select_trail st;
    base_trail(&st, false, true);
    set_basic(&st, "[{\"ReadWriteType\":\"All\",\"IncludeManagementEvents\":false,"
                   "\"DataResources\":[],\"ExcludeManagementEventSources\":[]}]");
    assert_false(selected(&st, mgmt("ListTrails", "us-east-1", MGMT, true), 5));
    set_basic(&st,
              "[{\"ReadWriteType\":\"All\",\"IncludeManagementEvents\":true,"
              "\"DataResources\":[],\"ExcludeManagementEventSources\":[\"kms.amazonaws.com\"]}]");
    assert_false(selected(
        &st, rec("kms.amazonaws.com", "Decrypt", "us-east-1", MGMT, true, "Management", NULL, NULL),
        5));
    assert_true(selected(&st, mgmt("ListTrails", "us-east-1", MGMT, true), 5));
    free_trail(&st);
}

static void test_basic_s3_data(void **state)
{
    select_trail st;
    base_trail(&st, false, true);
    set_basic(
        &st,
        "[{\"ReadWriteType\":\"All\",\"IncludeManagementEvents\":true,"
        "\"DataResources\":[{\"Type\":\"AWS::S3::Object\",\"Values\":[\"arn:aws:s3:::data/\"]}],"
        "\"ExcludeManagementEventSources\":[]}]");
    assert_true(selected(&st, s3data("PutObject", "arn:aws:s3:::data/x/y.txt", false), 5));
    assert_true(selected(&st, s3data("GetObject", "arn:aws:s3:::data/a", true), 5));
    assert_false(selected(&st, s3data("GetObject", "arn:aws:s3:::data2/a", true), 5));
    assert_false(selected(&st, s3data("GetObject", "arn:aws:s3:::other/a", true), 5));
    /* key prefix */
    set_basic(&st, "[{\"ReadWriteType\":\"All\",\"DataResources\":[{\"Type\":\"AWS::S3::Object\","
                   "\"Values\":[\"arn:aws:s3:::data/logs/\"]}]}]");
    assert_true(selected(&st, s3data("GetObject", "arn:aws:s3:::data/logs/1", true), 5));
    assert_false(selected(&st, s3data("GetObject", "arn:aws:s3:::data/other/1", true), 5));
    /* a bare bucket ARN means the bucket's objects, not buckets sharing the prefix */
    set_basic(&st, "[{\"ReadWriteType\":\"All\",\"DataResources\":[{\"Type\":\"AWS::S3::Object\","
                   "\"Values\":[\"arn:aws:s3:::data\"]}]}]");
    assert_true(selected(&st, s3data("GetObject", "arn:aws:s3:::data/k", true), 5));
    assert_false(selected(&st, s3data("GetObject", "arn:aws:s3:::data2/k", true), 5));
    /* all buckets */
    set_basic(&st, "[{\"ReadWriteType\":\"All\",\"DataResources\":[{\"Type\":\"AWS::S3::Object\","
                   "\"Values\":[\"arn:aws:s3\"]}]}]");
    assert_true(selected(&st, s3data("GetObject", "arn:aws:s3:::anything/k", true), 5));
    set_basic(&st, "[{\"ReadWriteType\":\"All\",\"DataResources\":[{\"Type\":\"AWS::S3::Object\","
                   "\"Values\":[\"arn:aws:s3:::\"]}]}]");
    assert_true(selected(&st, s3data("GetObject", "arn:aws:s3:::anything/k", true), 5));
    /* read/write applies to data events too */
    set_basic(&st,
              "[{\"ReadWriteType\":\"WriteOnly\",\"DataResources\":[{\"Type\":\"AWS::S3::Object\","
              "\"Values\":[\"arn:aws:s3\"]}]}]");
    assert_true(selected(&st, s3data("PutObject", "arn:aws:s3:::b/k", false), 5));
    assert_false(selected(&st, s3data("GetObject", "arn:aws:s3:::b/k", true), 5));
    /* another type does not select S3 objects */
    set_basic(&st,
              "[{\"ReadWriteType\":\"All\",\"DataResources\":[{\"Type\":\"AWS::Lambda::Function\","
              "\"Values\":[\"arn:aws:lambda\"]}]}]");
    assert_false(selected(&st, s3data("GetObject", "arn:aws:s3:::b/k", true), 5));
    /* data events still need the logging span, the account and the region */
    set_basic(&st, "[{\"ReadWriteType\":\"All\",\"DataResources\":[{\"Type\":\"AWS::S3::Object\","
                   "\"Values\":[\"arn:aws:s3\"]}]}]");
    st.spans[0].from = 10;
    assert_false(selected(&st, s3data("GetObject", "arn:aws:s3:::b/k", true), 5));
    free_trail(&st);
}

static void test_advanced_categories(void **state)
{
    select_trail st;
    base_trail(&st, false, true);
    set_advanced(
        &st, "[{\"FieldSelectors\":[{\"Field\":\"eventCategory\",\"Equals\":[\"Management\"]}]}]");
    assert_true(selected(&st, mgmt("ListTrails", "us-east-1", MGMT, true), 5));
    assert_false(selected(&st, s3data("GetObject", "arn:aws:s3:::b/k", true), 5));
    set_advanced(&st, "[{\"FieldSelectors\":[{\"Field\":\"eventCategory\",\"Equals\":[\"Data\"]},"
                      "{\"Field\":\"resources.type\",\"Equals\":[\"AWS::S3::Object\"]}]}]");
    assert_false(selected(&st, mgmt("ListTrails", "us-east-1", MGMT, true), 5));
    assert_true(selected(&st, s3data("GetObject", "arn:aws:s3:::b/k", true), 5));
    /* advanced replaces basic: basic selectors are ignored when advanced exist */
    set_basic(&st, "[{\"ReadWriteType\":\"All\",\"IncludeManagementEvents\":true}]");
    assert_false(selected(&st, mgmt("ListTrails", "us-east-1", MGMT, true), 5));
    /* an empty selector matches nothing */
    set_advanced(&st, "[{\"FieldSelectors\":[]}]");
    assert_false(selected(&st, mgmt("ListTrails", "us-east-1", MGMT, true), 5));
    free_trail(&st);
}

/* The capture-time question: could these selectors select any data event? */
static bool may_data(const char *basic, const char *advanced)
{
    json_t *b = basic ? json_loads(basic, 0, NULL) : NULL;
    json_t *a = advanced ? json_loads(advanced, 0, NULL) : NULL;
    assert_true(!basic || b);
    assert_true(!advanced || a);
    bool may = select_may_select_data(b, a);
    json_decref(b);
    json_decref(a);
    return may;
}

static void test_may_select_data(void **state)
{
    (void)state;
    assert_false(may_data(NULL, NULL)); /* the default: management events only */
    assert_false(may_data("[{\"ReadWriteType\":\"All\",\"IncludeManagementEvents\":true}]", NULL));
    assert_false(may_data("[{\"ReadWriteType\":\"All\",\"DataResources\":[]}]", NULL));
    assert_true(may_data("[{\"ReadWriteType\":\"All\"},{\"ReadWriteType\":\"ReadOnly\","
                         "\"DataResources\":[{\"Type\":\"AWS::S3::Object\",\"Values\":"
                         "[\"arn:aws:s3\"]}]}]",
                         NULL));
    assert_false(may_data(NULL, "[{\"FieldSelectors\":[{\"Field\":\"eventCategory\","
                                "\"Equals\":[\"Management\"]}]}]"));
    assert_false(may_data(NULL, "[{\"FieldSelectors\":[{\"Field\":\"eventCategory\","
                                "\"NotEquals\":[\"Data\"]}]}]"));
    assert_false(may_data(NULL, "[]"));
    assert_true(may_data(NULL, "[{\"FieldSelectors\":[{\"Field\":\"eventCategory\","
                               "\"Equals\":[\"Management\"]}]},{\"FieldSelectors\":[{\"Field\":"
                               "\"eventCategory\",\"Equals\":[\"Data\"]},{\"Field\":"
                               "\"resources.type\",\"Equals\":[\"AWS::S3::Object\"]}]}]"));
    /* Without an eventCategory field nothing rules data events out. */
    assert_true(may_data(NULL, "[{\"FieldSelectors\":[{\"Field\":\"eventName\","
                               "\"Equals\":[\"GetObject\"]}]}]"));
    assert_true(may_data(NULL, "[{\"FieldSelectors\":[{\"Field\":\"eventCategory\","
                               "\"StartsWith\":[\"Da\"]}]}]"));
}

static void test_advanced_arn_operators(void **state)
{
    select_trail st;
    base_trail(&st, false, true);
    const char *cat = "{\"Field\":\"eventCategory\",\"Equals\":[\"Data\"]},"
                      "{\"Field\":\"resources.type\",\"Equals\":[\"AWS::S3::Object\"]}";
    char text[1024];
    snprintf(text, sizeof text,
             "[{\"FieldSelectors\":[%s,{\"Field\":\"resources.ARN\",\"StartsWith\":[\"arn:aws:s3:::"
             "data/\"]}]}]",
             cat);
    set_advanced(&st, text);
    assert_true(selected(&st, s3data("GetObject", "arn:aws:s3:::data/k", true), 5));
    assert_false(selected(&st, s3data("GetObject", "arn:aws:s3:::other/k", true), 5));
    snprintf(text, sizeof text,
             "[{\"FieldSelectors\":[%s,{\"Field\":\"resources.ARN\",\"Equals\":[\"arn:aws:s3:::"
             "data/k\"]}]}]",
             cat);
    set_advanced(&st, text);
    assert_true(selected(&st, s3data("GetObject", "arn:aws:s3:::data/k", true), 5));
    assert_false(selected(&st, s3data("GetObject", "arn:aws:s3:::data/k2", true), 5));
    /* the container bucket resource does not count for NotStartsWith */
    snprintf(text, sizeof text,
             "[{\"FieldSelectors\":[%s,{\"Field\":\"resources.ARN\",\"NotStartsWith\":[\"arn:aws:"
             "s3:::logs/\"]}]}]",
             cat);
    set_advanced(&st, text);
    assert_true(selected(&st, s3data("GetObject", "arn:aws:s3:::data/k", true), 5));
    assert_false(selected(&st, s3data("GetObject", "arn:aws:s3:::logs/k", true), 5));
    snprintf(text, sizeof text,
             "[{\"FieldSelectors\":[%s,{\"Field\":\"resources.ARN\",\"NotEquals\":[\"arn:aws:s3:::"
             "data/k\"]}]}]",
             cat);
    set_advanced(&st, text);
    assert_false(selected(&st, s3data("GetObject", "arn:aws:s3:::data/k", true), 5));
    assert_true(selected(&st, s3data("GetObject", "arn:aws:s3:::data/k2", true), 5));
    snprintf(text, sizeof text,
             "[{\"FieldSelectors\":[%s,{\"Field\":\"resources.ARN\",\"EndsWith\":[\".csv\"],"
             "\"NotEndsWith\":[\"secret.csv\"]}]}]",
             cat);
    set_advanced(&st, text);
    assert_true(selected(&st, s3data("GetObject", "arn:aws:s3:::data/a.csv", true), 5));
    assert_false(selected(&st, s3data("GetObject", "arn:aws:s3:::data/secret.csv", true), 5));
    assert_false(selected(&st, s3data("GetObject", "arn:aws:s3:::data/a.txt", true), 5));
    /* one selector or the other */
    snprintf(text, sizeof text,
             "[{\"FieldSelectors\":[%s,{\"Field\":\"resources.ARN\",\"StartsWith\":[\"arn:aws:s3:::"
             "a/\"]}]},"
             "{\"FieldSelectors\":[%s,{\"Field\":\"resources.ARN\",\"StartsWith\":[\"arn:aws:s3:::"
             "b/\"]}]}]",
             cat, cat);
    set_advanced(&st, text);
    assert_true(selected(&st, s3data("GetObject", "arn:aws:s3:::a/k", true), 5));
    assert_true(selected(&st, s3data("GetObject", "arn:aws:s3:::b/k", true), 5));
    assert_false(selected(&st, s3data("GetObject", "arn:aws:s3:::c/k", true), 5));
    free_trail(&st);
}

static void test_advanced_read_only_and_names(void **state)
{
    select_trail st;
    base_trail(&st, false, true);
    set_advanced(&st, "[{\"FieldSelectors\":[{\"Field\":\"eventCategory\",\"Equals\":[\"Data\"]},"
                      "{\"Field\":\"resources.type\",\"Equals\":[\"AWS::S3::Object\"]},"
                      "{\"Field\":\"readOnly\",\"Equals\":[\"false\"]}]}]");
    assert_true(selected(&st, s3data("PutObject", "arn:aws:s3:::b/k", false), 5));
    assert_false(selected(&st, s3data("GetObject", "arn:aws:s3:::b/k", true), 5));
    set_advanced(&st, "[{\"FieldSelectors\":[{\"Field\":\"eventCategory\",\"Equals\":[\"Data\"]},"
                      "{\"Field\":\"eventName\",\"Equals\":[\"PutObject\",\"DeleteObject\"]}]}]");
    assert_true(selected(&st, s3data("PutObject", "arn:aws:s3:::b/k", false), 5));
    assert_true(selected(&st, s3data("DeleteObject", "arn:aws:s3:::b/k", false), 5));
    assert_false(selected(&st, s3data("GetObject", "arn:aws:s3:::b/k", true), 5));
    set_advanced(&st,
                 "[{\"FieldSelectors\":[{\"Field\":\"eventCategory\",\"Equals\":[\"Management\"]},"
                 "{\"Field\":\"eventSource\",\"NotEquals\":[\"kms.amazonaws.com\"]},"
                 "{\"Field\":\"readOnly\",\"Equals\":[\"true\"]}]}]");
    assert_true(selected(&st, mgmt("ListTrails", "us-east-1", MGMT, true), 5));
    assert_false(selected(&st, mgmt("CreateTrail", "us-east-1", MGMT, false), 5));
    assert_false(selected(
        &st, rec("kms.amazonaws.com", "Decrypt", "us-east-1", MGMT, true, "Management", NULL, NULL),
        5));
    set_advanced(&st,
                 "[{\"FieldSelectors\":[{\"Field\":\"eventCategory\",\"Equals\":[\"Management\"]},"
                 "{\"Field\":\"errorCode\",\"Equals\":[\"AccessDenied\"]}]}]");
    assert_true(selected(&st,
                         rec("cloudtrail.amazonaws.com", "CreateTrail", "us-east-1", MGMT, false,
                             "Management", NULL, "AccessDenied"),
                         5));
    assert_false(selected(&st, mgmt("CreateTrail", "us-east-1", MGMT, false), 5));
    set_advanced(
        &st, "[{\"FieldSelectors\":[{\"Field\":\"eventCategory\",\"Equals\":[\"Management\"]},"
             "{\"Field\":\"userIdentity.arn\",\"StartsWith\":[\"arn:aws:iam::111111111111:\"]}]}]");
    assert_true(selected(&st, mgmt("CreateTrail", "us-east-1", MGMT, false), 5));
    set_advanced(&st,
                 "[{\"FieldSelectors\":[{\"Field\":\"eventCategory\",\"Equals\":[\"Management\"]},"
                 "{\"Field\":\"vpcEndpointId\",\"Equals\":[\"vpce-1\"]}]}]");
    assert_false(selected(&st, mgmt("CreateTrail", "us-east-1", MGMT, false), 5));
    set_advanced(&st,
                 "[{\"FieldSelectors\":[{\"Field\":\"eventCategory\",\"Equals\":[\"Management\"]},"
                 "{\"Field\":\"vpcEndpointId\",\"NotEquals\":[\"vpce-1\"]}]}]");
    assert_true(selected(&st, mgmt("CreateTrail", "us-east-1", MGMT, false), 5));
    free_trail(&st);
}

static void test_selectors_as_of_capture(void **state)
{
    select_trail st;
    base_trail(&st, false, true);
    st.versions = calloc(2, sizeof *st.versions);
    /* from 10: write-only management events; from 20: S3 data events of bucket "data" */
    st.versions[0].from = 10;
    st.versions[0].basic =
        json_loads("[{\"ReadWriteType\":\"WriteOnly\",\"IncludeManagementEvents\":true}]", 0, NULL);
    st.versions[1].from = 20;
    st.versions[1].basic = json_loads(
        "[{\"ReadWriteType\":\"All\",\"IncludeManagementEvents\":false,"
        "\"DataResources\":[{\"Type\":\"AWS::S3::Object\",\"Values\":[\"arn:aws:s3:::data/\"]}]}]",
        0, NULL);
    st.n_versions = 2;
    /* the stored (current) selectors are not what decides once versions exist */
    set_basic(&st, "[{\"ReadWriteType\":\"ReadOnly\",\"IncludeManagementEvents\":true}]");
    /* before the first version: the default selector */
    assert_true(selected(&st, mgmt("ListTrails", "us-east-1", MGMT, true), 5));
    assert_false(selected(&st, s3data("GetObject", "arn:aws:s3:::data/k", true), 5));
    /* version 1 */
    assert_false(selected(&st, mgmt("ListTrails", "us-east-1", MGMT, true), 10));
    assert_true(selected(&st, mgmt("CreateTrail", "us-east-1", MGMT, false), 19));
    assert_false(selected(&st, s3data("GetObject", "arn:aws:s3:::data/k", true), 19));
    /* version 2 */
    assert_false(selected(&st, mgmt("CreateTrail", "us-east-1", MGMT, false), 20));
    assert_true(selected(&st, s3data("GetObject", "arn:aws:s3:::data/k", true), 20));
    assert_true(selected(&st, s3data("GetObject", "arn:aws:s3:::data/k", true), 999));
    for (size_t i = 0; i < st.n_versions; i++)
        json_decref(st.versions[i].basic);
    free(st.versions);
    free_trail(&st);
}

static void test_audit_events_count_as_management(void **state)
{
    select_trail st;
    base_trail(&st, true, true);
    json_t *r = rec("payments.example.com", "Transfer", "eu-west-1", MGMT, false,
                    "ActivityAuditLog", NULL, NULL);
    json_object_del(r, "readOnly");
    select_event e = ev(r);
    assert_true(select_record(&st, &e, 5)); /* the default selector */
    set_basic(&st, "[{\"ReadWriteType\":\"All\",\"IncludeManagementEvents\":false}]");
    assert_false(select_record(&st, &e, 5));
    set_basic(&st, "[{\"ReadWriteType\":\"ReadOnly\",\"IncludeManagementEvents\":true}]");
    assert_false(select_record(&st, &e, 5)); /* no readOnly: a write */
    set_basic(&st, "[{\"ReadWriteType\":\"WriteOnly\",\"IncludeManagementEvents\":true}]");
    assert_true(select_record(&st, &e, 5));
    set_advanced(
        &st, "[{\"FieldSelectors\":[{\"Field\":\"eventCategory\",\"Equals\":[\"Management\"]}]}]");
    assert_true(select_record(&st, &e, 5));
    set_advanced(&st,
                 "[{\"FieldSelectors\":[{\"Field\":\"eventCategory\",\"Equals\":[\"Data\"]}]}]");
    assert_false(select_record(&st, &e, 5));
    /* not a global service: a single-region trail elsewhere does not get it */
    json_decref(st.advanced);
    st.advanced = NULL;
    json_decref(st.basic);
    st.basic = NULL;
    st.t.multi_region = false;
    assert_false(select_record(&st, &e, 5));
    json_decref(r);
    free_trail(&st);
}

/* ---- the loader, against a real state database ---- */

static void test_loader_spans_and_membership(void **state)
{
    char dir[64];
    testenv_mkdtemp(dir, sizeof dir, "unit");
    db_pool pool;
    db_conn *db = testenv_db_open(dir, &pool);
    assert_int_equal(db_exec(db,
                             "INSERT INTO organization(id, feature_set, master_account_id, "
                             "master_email, root_id, created_ms) VALUES('o-abcdefghij', 'ALL', ?, "
                             "'m@x', 'r-abcd', 0)",
                             "s", MGMT),
                     0);
    assert_int_equal(db_exec(db,
                             "INSERT INTO accounts(id, name, email, org_id, created_ms) VALUES(?, "
                             "'m', 'm', 'o-abcdefghij', 0)",
                             "s", MGMT),
                     0);
    /* a member created inside the organization, and one that joins and leaves */
    assert_int_equal(db_exec(db,
                             "INSERT INTO accounts(id, name, email, org_id, created_ms) VALUES(?, "
                             "'a', 'a', 'o-abcdefghij', 0)",
                             "s", MEMBER),
                     0);
    assert_int_equal(
        db_exec(db, "INSERT INTO accounts(id, name, email, created_ms) VALUES(?, 'b', 'b', 0)", "s",
                OTHER),
        0);
    assert_int_equal(
        db_exec(db, "UPDATE accounts SET org_id = 'o-abcdefghij' WHERE id = ?", "s", OTHER), 0);
    assert_int_equal(db_exec(db, "UPDATE accounts SET org_id = NULL WHERE id = ?", "s", OTHER), 0);
    trail t;
    memset(&t, 0, sizeof t);
    snprintf(t.arn, sizeof t.arn, "arn:aws:cloudtrail:us-east-1:" MGMT ":trail/t");
    snprintf(t.account_id, sizeof t.account_id, MGMT);
    snprintf(t.name, sizeof t.name, "t");
    snprintf(t.home_region, sizeof t.home_region, "us-east-1");
    snprintf(t.s3_bucket, sizeof t.s3_bucket, "logs");
    snprintf(t.created_by, sizeof t.created_by, MGMT);
    t.multi_region = t.include_global = t.is_org = true;
    assert_int_equal(trail_insert(db, &t), 0);
    assert_int_equal(delivery_logging_changed(db, t.arn, true, 10), 0);
    assert_int_equal(delivery_logging_changed(db, t.arn, true, 12), 0); /* already logging */
    assert_int_equal(delivery_logging_changed(db, t.arn, false, 20), 0);
    assert_int_equal(delivery_logging_changed(db, t.arn, false, 25), 0); /* already stopped */
    assert_int_equal(delivery_logging_changed(db, t.arn, true, 30), 0);
    assert_int_equal(
        delivery_selectors_changed(db, t.arn, 15, "[{\"ReadWriteType\":\"ReadOnly\"}]", NULL), 0);
    assert_int_equal(
        delivery_selectors_changed(
            db, t.arn, 35, NULL,
            "[{\"FieldSelectors\":[{\"Field\":\"eventCategory\",\"Equals\":[\"Data\"]}]}]"),
        0);
    select_trail st;
    assert_int_equal(select_trail_load(db, &t, &st), 0);
    assert_string_equal(st.org_id, "o-abcdefghij");
    assert_int_equal(st.n_spans, 2);
    assert_true(st.spans[0].from == 10 && st.spans[0].to == 20);
    assert_true(st.spans[1].from == 30 && st.spans[1].to == SPAN_OPEN);
    assert_int_equal(st.n_versions, 2);
    assert_true(st.versions[0].from == 15 && st.versions[0].basic && !st.versions[0].advanced);
    assert_true(st.versions[1].from == 35 && !st.versions[1].basic && st.versions[1].advanced);
    /* MGMT, MEMBER open; OTHER closed */
    assert_int_equal(st.n_members, 3);
    int open = 0, closed = 0;
    for (size_t i = 0; i < st.n_members; i++) {
        if (st.members[i].to_ms == MEMBERSHIP_OPEN)
            open++;
        else {
            closed++;
            assert_string_equal(st.members[i].account_id, OTHER);
        }
    }
    assert_int_equal(open, 2);
    assert_int_equal(closed, 1);
    /* an event of OTHER now: it has left */
    char now_text[32];
    time_iso8601(time_now_ms() + 5000, now_text, sizeof now_text);
    json_t *r = mgmt("ListTrails", "us-east-1", OTHER, true);
    json_object_set_new(r, "eventTime", json_string(now_text));
    select_event e = ev(r);
    assert_false(select_account_covered(&st, &e));
    json_object_set_new(r, "recipientAccountId", json_string(MEMBER));
    e = ev(r);
    assert_true(select_account_covered(&st, &e));
    json_decref(r);
    select_trail_free(&st);
    /* forgetting a deleted trail removes its spans */
    assert_int_equal(delivery_forget_trail(db, t.arn), 0);
    logging_span *sp;
    assert_int_equal(delivery_logging_spans(db, t.arn, &sp), 0);
    free(sp);
    testenv_db_close(&pool, db);
    testenv_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_logging_spans),
        cmocka_unit_test(test_stop_logging_record),
        cmocka_unit_test(test_accounts_single),
        cmocka_unit_test(test_accounts_org_history),
        cmocka_unit_test(test_regions),
        cmocka_unit_test(test_global_events),
        cmocka_unit_test(test_default_selector),
        cmocka_unit_test(test_basic_read_write),
        cmocka_unit_test(test_basic_management_off_and_excluded),
        cmocka_unit_test(test_basic_s3_data),
        cmocka_unit_test(test_advanced_categories),
        cmocka_unit_test(test_may_select_data),
        cmocka_unit_test(test_advanced_arn_operators),
        cmocka_unit_test(test_advanced_read_only_and_names),
        cmocka_unit_test(test_selectors_as_of_capture),
        cmocka_unit_test(test_audit_events_count_as_management),
        cmocka_unit_test(test_loader_spans_and_membership),
    };
    int failed = cmocka_run_group_tests_name("tree", tests, NULL, NULL);
    scan_mode = true;
    failed += cmocka_run_group_tests_name("scan", tests, NULL, NULL);
    ring_free();
    const struct CMUnitTest scan_tests[] = {
        cmocka_unit_test(test_scan_texts),
        cmocka_unit_test(test_scan_dataset),
    };
    failed += cmocka_run_group_tests_name("scan texts", scan_tests, NULL, NULL);
    return failed;
}
