/* Ingestion without a server: eventData checks and the record made from it
 * (ingest/audit_event), NDJSON lines and record checks (ingest/ndjson), batch appends to
 * the journal read back in order (capture/journal), recipient rules (ingest/recipients),
 * and the channel handlers of the CloudTrail service called directly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "auth/identity.h"
#include "capture/journal.h"
#include "core/hash.h"
#include "ingest/audit_event.h"
#include "ingest/jscan.h"
#include "ingest/ndjson.h"
#include "ingest/recipients.h"
#include "state/channel_state.h"
#include "state/db.h"
#include "app/registry.h"
#include "svc/service.h"
#include "testenv.h"

#define ACCT "111111111111"
#define OTHER "222222222222"
#define REGION "us-east-1"

static const char GOOD[] =
    "{\"version\":\"1.0\",\"userIdentity\":{\"type\":\"User\",\"principalId\":\"alice\","
    "\"details\":{\"team\":\"ops\"}},\"userAgent\":\"app/1\",\"eventSource\":\"app.example\","
    "\"eventName\":\"Login\",\"eventTime\":\"2026-01-02T03:04:05Z\",\"UID\":\"u-1\","
    "\"requestParameters\":{\"a\":1},\"sourceIPAddress\":\"10.0.0.1\","
    "\"additionalEventData\":{\"k\":\"v\"}}";

/* GOOD with member `name` replaced by raw JSON `value` (NULL removes it). */
static char *with(const char *name, const char *value)
{
    json_t *o = json_loads(GOOD, 0, NULL);
    if (value)
        json_object_set_new(o, name, json_loads(value, JSON_DECODE_ANY, NULL));
    else
        json_object_del(o, name);
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

static const char *check_code(const char *text, const char *checksum)
{
    static ingest_fault f;
    json_t *ed = audit_event_check(text, strlen(text), checksum, &f);
    if (ed) {
        json_decref(ed);
        return "";
    }
    return f.code;
}

static void expect(const char *name, const char *value, const char *code)
{
    char *t = with(name, value);
    assert_string_equal(check_code(t, NULL), code);
    free(t);
}

static void test_event_data_checks(void **state)
{
    (void)state;
    assert_string_equal(check_code(GOOD, NULL), "");
    /* required members */
    const char *required[] = {"version",   "userIdentity", "eventSource",
                              "eventName", "eventTime",    "UID"};
    for (size_t i = 0; i < 6; i++)
        expect(required[i], NULL, "FieldNotFound");
    expect("userIdentity", "{\"type\":\"User\"}", "FieldNotFound");
    expect("userIdentity", "{\"principalId\":\"p\"}", "FieldNotFound");
    expect("userIdentity", "{\"type\":\"U\",\"principalId\":\"p\",\"x\":1}", "InvalidData");
    expect("userIdentity", "\"alice\"", "InvalidData");
    expect("eventName", "\"\"", "FieldNotFound");
    /* types and formats */
    expect("eventName", "42", "InvalidData");
    expect("requestParameters", "[1]", "InvalidData");
    expect("responseElements", "null", "");
    expect("eventTime", "\"yesterday\"", "InvalidData");
    expect("eventTime", "\"2026-01-02T03:04:05\"", "");
    expect("recipientAccountId", "\"12345\"", "InvalidData");
    expect("recipientAccountId", "\"" OTHER "\"", "");
    expect("unknownField", "1", "InvalidData");
    /* lengths */
    char big[1100];
    memset(big, 'a', sizeof big);
    big[0] = '"';
    big[1026] = '"';
    big[1027] = '\0';
    expect("eventName", big, "FieldTooLong");
    big[258] = '"';
    big[259] = '\0';
    expect("version", big, "FieldTooLong");
    expect("eventName", "\"x\"", "");
    /* an AWS service name is not a source outside AWS */
    expect("eventSource", "\"iam.amazonaws.com\"", "InvalidEventSource");
    /* not JSON / not an object / too large */
    assert_string_equal(check_code("{", NULL), "InvalidData");
    assert_string_equal(check_code("[]", NULL), "InvalidData");
    assert_string_equal(check_code("{\"version\":\"1\",\"version\":\"2\"}", NULL), "InvalidData");
    size_t n = AUDIT_EVENT_MAX_DATA + 1;
    char *huge = malloc(n + 1);
    memset(huge, ' ', n);
    huge[n] = '\0';
    assert_string_equal(check_code(huge, NULL), "FieldTooLong");
    free(huge);
}

static void test_event_data_checksum(void **state)
{
    (void)state;
    unsigned char d[SHA256_LEN];
    hash_sha256(GOOD, strlen(GOOD), d);
    char *b64 = base64_encode_alloc(d, sizeof d);
    char hex[65];
    hex_encode(d, sizeof d, hex);
    assert_string_equal(check_code(GOOD, b64), "");
    assert_string_equal(check_code(GOOD, hex), "");
    b64[3] = b64[3] == 'A' ? 'B' : 'A';
    assert_string_equal(check_code(GOOD, b64), "InvalidChecksum");
    assert_string_equal(check_code(GOOD, "not-a-checksum"), "InvalidChecksum");
    free(b64);
}

static void test_event_record(void **state)
{
    (void)state;
    ingest_fault f;
    json_t *ed = audit_event_check(GOOD, strlen(GOOD), NULL, &f);
    assert_non_null(ed);
    assert_null(audit_event_recipient(ed));
    audit_record_ctx ctx = {.event_id = "11111111-2222-3333-4444-555555555555",
                            .region = "eu-west-1",
                            .recipient = OTHER,
                            .channel_arn = "arn:aws:cloudtrail:eu-west-1:" ACCT ":channel/x",
                            .request_id = "req-1",
                            .ingestion_ms = 1700000000000LL};
    size_t len;
    char *text = audit_event_record_alloc(ed, &ctx, &len);
    assert_int_equal(strlen(text), len);
    json_t *r = json_loads(text, 0, NULL);
    assert_non_null(r);
#define S(k) json_string_value(json_object_get(r, k))
    assert_string_equal(S("eventVersion"), "1.11");
    assert_string_equal(S("eventCategory"), "ActivityAuditLog");
    assert_string_equal(S("eventType"), "ActivityLog");
    assert_string_equal(S("eventTime"), "2026-01-02T03:04:05Z");
    assert_string_equal(S("eventSource"), "app.example");
    assert_string_equal(S("eventName"), "Login");
    assert_string_equal(S("awsRegion"), "eu-west-1");
    assert_string_equal(S("recipientAccountId"), OTHER);
    assert_string_equal(S("eventID"), ctx.event_id);
    assert_string_equal(S("requestID"), "req-1");
    assert_string_equal(S("sourceIPAddress"), "10.0.0.1");
    assert_string_equal(S("userAgent"), "app/1");
    assert_null(json_object_get(r, "errorCode"));
    assert_true(json_is_null(json_object_get(r, "responseElements")));
    json_t *u = json_object_get(r, "userIdentity");
    assert_string_equal(json_string_value(json_object_get(u, "principalId")), "alice");
    assert_string_equal(json_string_value(json_object_get(json_object_get(u, "details"), "team")),
                        "ops");
    json_t *extra = json_object_get(r, "eventData");
    assert_string_equal(json_string_value(json_object_get(extra, "UID")), "u-1");
    assert_string_equal(json_string_value(json_object_get(extra, "version")), "1.0");
    json_t *meta = json_object_get(r, "metadata");
    assert_string_equal(json_string_value(json_object_get(meta, "channelARN")), ctx.channel_arn);
    assert_string_equal(json_string_value(json_object_get(meta, "ingestionTime")),
                        "2023-11-14T22:13:20Z");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r, "additionalEventData"), "k")), "v");
#undef S
    json_decref(r);
    free(text);
    json_decref(ed);
}

static void test_ndjson_lines(void **state)
{
    (void)state;
    const char body[] = "{\"a\":1}\r\n\n   \n{\"b\":2}\n{\"c\":3}";
    ndjson_cursor c;
    ndjson_init(&c, body, strlen(body));
    const char *line;
    size_t len;
    assert_int_equal(ndjson_next(&c, &line, &len), 1);
    assert_int_equal(c.line_no, 1);
    assert_int_equal(len, 7); /* the \r is not part of the line */
    assert_int_equal(ndjson_next(&c, &line, &len), 1);
    assert_int_equal(c.line_no, 4);
    assert_memory_equal(line, "{\"b\":2}", 7);
    assert_int_equal(ndjson_next(&c, &line, &len), 1);
    assert_int_equal(c.line_no, 5);
    assert_int_equal(len, 7);
    assert_int_equal(ndjson_next(&c, &line, &len), 0);
    ndjson_init(&c, "", 0);
    assert_int_equal(ndjson_next(&c, &line, &len), 0);
}

static const char RECORD[] =
    "{\"eventVersion\":\"1.11\",\"userIdentity\":{\"type\":\"IAMUser\"},"
    "\"eventTime\":\"2026-05-01T09:35:00Z\",\"eventSource\":\"app.example\",\"eventName\":\"Op\","
    "\"awsRegion\":\"us-east-1\",\"eventID\":\"e-1\",\"recipientAccountId\":\"" ACCT "\"}";

static const char *record_code(const char *name, const char *value)
{
    static ingest_fault f;
    json_t *o = json_loads(RECORD, 0, NULL);
    if (value)
        json_object_set_new(o, name, json_loads(value, JSON_DECODE_ANY, NULL));
    else if (name)
        json_object_del(o, name);
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    ndjson_record_info info;
    int rc = ndjson_check_record(s, strlen(s), &info, &f);
    if (!rc) {
        assert_string_equal(info.recipient, ACCT);
        assert_string_equal(info.event_id, "e-1");
    }
    free(s);
    return rc ? f.code : "";
}

/* A real AWS service event (invictus dataset): its userIdentity has accountId and
 * invokedBy, no type. The bulk endpoint must take it as AWS wrote it. */
static void test_ndjson_service_event(void **state)
{
    (void)state;
    static const char rec[] =
        "{\"eventVersion\":\"1.08\",\"userIdentity\":{\"accountId\":\"123837392027\","
        "\"invokedBy\":\"ec2.amazonaws.com\"},\"eventTime\":\"2023-07-10T11:55:23Z\","
        "\"eventSource\":\"ec2.amazonaws.com\",\"eventName\":\"SharedSnapshotVolumeCreated\","
        "\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"ec2.amazonaws.com\","
        "\"userAgent\":\"ec2.amazonaws.com\",\"requestParameters\":null,"
        "\"responseElements\":null,\"eventID\":\"895dc875-cb08-45a5-b8c2-9158838741c0\","
        "\"readOnly\":false,\"eventType\":\"AwsServiceEvent\",\"managementEvent\":true,"
        "\"recipientAccountId\":\"123837392027\","
        "\"sharedEventID\":\"b81f7fe5-36b5-49ea-bbc9-6a9007e733c0\","
        "\"serviceEventDetails\":{\"snapshotId\":\"snap-0e83092ae538da583\"},"
        "\"eventCategory\":\"Management\"}";
    ndjson_record_info info;
    ingest_fault f;
    if (ndjson_check_record(rec, strlen(rec), &info, &f)) fail_msg("%s: %s", f.code, f.message);
    assert_string_equal(info.recipient, "123837392027");
    assert_string_equal(info.event_id, "895dc875-cb08-45a5-b8c2-9158838741c0");
}

static void test_ndjson_records(void **state)
{
    (void)state;
    assert_string_equal(record_code(NULL, NULL), "");
    const char *required[] = {"eventVersion", "eventTime", "eventSource",  "eventName",
                              "awsRegion",    "eventID",   "userIdentity", "recipientAccountId"};
    for (size_t i = 0; i < 8; i++)
        assert_string_equal(record_code(required[i], NULL), "FieldNotFound");
    assert_string_equal(record_code("eventVersion", "\"1.x\""), "InvalidData");
    assert_string_equal(record_code("eventVersion", "1.11"), "InvalidData");
    assert_string_equal(record_code("eventTime", "\"2026-05-01\""), "InvalidData");
    assert_string_equal(record_code("awsRegion", "\"US East\""), "InvalidData");
    assert_string_equal(record_code("recipientAccountId", "\"1234\""), "InvalidData");
    assert_string_equal(record_code("userIdentity", "{}"), "");
    assert_string_equal(record_code("userIdentity", "{\"type\":\"\"}"), "InvalidData");
    assert_string_equal(record_code("userIdentity", "{\"type\":null}"), "InvalidData");
    assert_string_equal(record_code("userIdentity", "{\"type\":1}"), "InvalidData");
    assert_string_equal(record_code("userIdentity", "[]"), "InvalidData");
    assert_string_equal(record_code("eventID", "\"\""), "FieldNotFound");
    ingest_fault f;
    ndjson_record_info info;
    assert_int_equal(ndjson_check_record("{", 1, &info, &f), -1);
    assert_string_equal(f.code, "InvalidJson");
    assert_int_equal(ndjson_check_record("[1]", 3, &info, &f), -1);
    assert_string_equal(f.code, "InvalidJson");
    const char dup[] = "{\"eventID\":\"a\",\"eventID\":\"b\"}";
    assert_int_equal(ndjson_check_record(dup, strlen(dup), &info, &f), -1);
    assert_string_equal(f.code, "InvalidJson");
    assert_int_equal(ndjson_check_record(RECORD, NDJSON_MAX_RECORD + 1, &info, &f), -1);
    assert_string_equal(f.code, "FieldTooLong");
}

/* jscan accepts exactly what jansson's strict loader accepts, on inputs chosen to probe
 * every rule (grammar, numbers, escapes, UTF-8, duplicates, nesting). */
static void test_jscan_parity(void **state)
{
    (void)state;
    static const char *const inputs[] = {
        "{}",
        " {\"a\":1} ",
        "{\"a\":[1,2,{\"b\":null}],\"c\":true,\"d\":false}",
        "[]",
        "1",
        "\"s\"",
        "{",
        "}",
        "{\"a\"}",
        "{\"a\":}",
        "{\"a\":1,}",
        "{\"a\":1 \"b\":2}",
        "{a:1}",
        "{'a':1}",
        "{\"a\":1}x",
        "{\"a\":1}{}",
        "{\"a\":01}",
        "{\"a\":-}",
        "{\"a\":1.}",
        "{\"a\":.5}",
        "{\"a\":1e}",
        "{\"a\":-0.5e+3}",
        "{\"a\":tru}",
        "{\"a\":nul}",
        "{\"a\":\"\\x\"}",
        "{\"a\":\"\\u00e9\\n\\/\"}",
        "{\"a\":\"\\u0000\"}",
        "{\"a\":\"\\ud83d\\ude00\"}",
        "{\"a\":\"\\ud83d\"}",
        "{\"a\":\"\\ude00\"}",
        "{\"a\":\"\\u12\"}",
        "{\"a\":\"\x01\"}",
        "{\"a\":\"\xc3\xa9\"}",
        "{\"a\":\"\xc3\"}",
        "{\"a\":\"\xc0\xaf\"}",
        "{\"a\":\"\xed\xa0\x80\"}",
        "{\"a\":\"\xf4\x90\x80\x80\"}",
        "{\"a\":\"\xf0\x9f\x98\x80\"}",
        "{\"a\":1,\"a\":2}",
        "{\"a\":1,\"\\u0061\":2}",
        "{\"x\\ty\":1,\"ux\\ty\":2}",
        "{\"x\\ty\":1,\"x\\u0009y\":2}",
        "{\"x\":{\"a\":1,\"a\":2}}",
        "{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,\"h\":8,\"i\":9,\"a\":0}",
        "{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,\"h\":8,\"i\":9,\"j\":0}",
        "{\"a\":9223372036854775807}",
        "{\"a\":9223372036854775808}",
        "{\"a\":-9223372036854775809}",
        "{\"a\":1e400}",
        "{\"a\":1e-400}",
        "{\"a\":1.5e308}",
        "{\"a\":[1,]}",
        "{\"a\":[,1]}",
        "{\"a\":\"unterminated}",
        "\t{\"a\":\r\n1}\n",
        "",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
        const char *in = inputs[i];
        json_t *j = json_loadb(in, strlen(in), JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
        int want = !j ? -1 : json_is_object(j) ? 0 : -2;
        json_decref(j);
        char err[128];
        int got = jscan_object(in, strlen(in), NULL, 0, err, sizeof err);
        if (got != want) fail_msg("input %zu (%s): jscan %d, jansson %d", i, in, got, want);
        /* jscan_fields reports what jscan_object reports, on what it accepts */
        jscan_member a[] = {{.name = "a"}, {.name = "b"}, {.name = "x\ty"}, {.name = "i"}};
        jscan_member b[] = {{.name = "a"}, {.name = "b"}, {.name = "x\ty"}, {.name = "i"}};
        int checked = jscan_object(in, strlen(in), a, 4, NULL, 0);
        int fields = jscan_fields(in, strlen(in), b, 4);
        if (checked == 0) {
            assert_int_equal(fields, 0);
            for (size_t k = 0; k < 4; k++) {
                /* jscan_object skips escaped keys; jscan_fields decodes them */
                if (a[k].type == JSCAN_ABSENT && b[k].type != JSCAN_ABSENT) continue;
                assert_int_equal(a[k].type, b[k].type);
                assert_ptr_equal(a[k].start, b[k].start);
                assert_int_equal(a[k].len, b[k].len);
            }
        } else if (checked == -2) {
            assert_int_equal(fields, -1);
        }
    }
    /* jscan_fields: escaped keys match, the last of repeated keys wins, nested members are
     * not top-level ones, and cut-off text is refused */
    const char ft[] = "{\"\\u0061\":[1,{\"b\":\"}\"}],\"b\":\"x\\\"y\",\"c\":\"1\" ,\"c\": 2 }";
    jscan_member f[] = {{.name = "a"}, {.name = "b"}, {.name = "c"}, {.name = "d"}};
    assert_int_equal(jscan_fields(ft, strlen(ft), f, 4), 0);
    assert_int_equal(f[0].type, JSCAN_ARRAY);
    assert_int_equal(f[0].len, strlen("[1,{\"b\":\"}\"}]"));
    assert_int_equal(f[1].type, JSCAN_STRING);
    char fb[16];
    assert_int_equal(jscan_string(&f[1], fb, sizeof fb), 3);
    assert_string_equal(fb, "x\"y");
    assert_int_equal(f[2].type, JSCAN_NUMBER);
    assert_int_equal(f[2].len, 1);
    assert_int_equal(f[3].type, JSCAN_ABSENT);
    for (size_t n = 0; n < strlen(ft) - 1; n++) {
        char *cut = malloc(n ? n : 1);
        memcpy(cut, ft, n);
        assert_int_equal(jscan_fields(cut, n, f, 4), -1);
        free(cut);
    }
    assert_int_equal(jscan_fields("[]", 2, f, 4), -1);
    /* a key holding NUL bytes after a wanted name is another key (fuzz_select_scan) */
    static const char nul_key[] = "{\"a\0\0\0\":1}";
    assert_int_equal(jscan_fields(nul_key, sizeof nul_key - 1, f, 4), 0);
    assert_int_equal(f[0].type, JSCAN_ABSENT);
    /* a \u escape cut off by the end of its string decodes to an error, not past it */
    jscan_member bad = {"s", JSCAN_STRING, "\"\\u12\"", 6};
    assert_int_equal(jscan_string(&bad, fb, sizeof fb), -1);
    /* members and decoding */
    const char text[] = "{\"n\":1,\"s\":\"a\\u00e9\\\"b\",\"o\":{\"s\":2},\"t\":null}";
    jscan_member m[] = {{.name = "s"}, {.name = "o"}, {.name = "t"}, {.name = "missing"}};
    assert_int_equal(jscan_object(text, strlen(text), m, 4, NULL, 0), 0);
    assert_int_equal(m[0].type, JSCAN_STRING);
    char out[16];
    assert_int_equal(jscan_string(&m[0], out, sizeof out), 5);
    assert_string_equal(out, "a\xc3\xa9\"b");
    assert_int_equal(jscan_string(&m[0], out, 4), -1);
    assert_int_equal(m[1].type, JSCAN_OBJECT);
    assert_int_equal(m[1].len, 7);
    assert_int_equal(m[2].type, JSCAN_NULL);
    assert_int_equal(m[3].type, JSCAN_ABSENT);
    /* deep nesting is refused (-1: invalid), not a stack overflow; shallow is fine (-2:
     * valid but not an object) */
    size_t depth = JSCAN_MAX_DEPTH + 10;
    char *deep = malloc(2 * depth);
    memset(deep, '[', depth);
    memset(deep + depth, ']', depth);
    assert_int_equal(jscan_object(deep, 2 * depth, NULL, 0, NULL, 0), -1);
    assert_int_equal(jscan_object(deep + 20, 2 * depth - 40, NULL, 0, NULL, 0), -2);
    free(deep);
}

static void test_journal_batch(void **state)
{
    (void)state;
    char dir[64];
    testenv_mkdtemp(dir, sizeof dir, "ingest");
    journal j;
    char err[256];
    assert_int_equal(journal_open(&j, dir, 1, err, sizeof err), 0);
    aws_error e;
    aws_error_clear(&e);
    uint64_t seq;
    assert_int_equal(journal_append(&j, "zero", 4, &seq, &e), 0);
    assert_int_equal(seq, 1);
    journal_item items[3] = {{"one", 3}, {"two", 3}, {"three", 5}};
    uint64_t first;
    assert_int_equal(journal_append_batch(&j, items, 3, &first, &e), 0);
    assert_int_equal(first, 2);
    assert_int_equal(journal_append_batch(&j, items, 0, &first, &e), 0);
    journal_close(&j);
    /* reopened: the sequence continues after the batch */
    assert_int_equal(journal_open(&j, dir, 1, err, sizeof err), 0);
    assert_int_equal(journal_append(&j, "four", 4, &seq, &e), 0);
    assert_int_equal(seq, 5);
    journal_close(&j);
    journal_reader r;
    journal_reader_open(&r, dir, 1);
    const char *want[] = {"zero", "one", "two", "three", "four"};
    const char *p;
    size_t len;
    for (uint64_t i = 0; i < 5; i++) {
        assert_int_equal(journal_reader_next(&r, &p, &len, &seq), 1);
        assert_int_equal(seq, i + 1);
        assert_int_equal(len, strlen(want[i]));
        assert_memory_equal(p, want[i], len);
    }
    assert_int_equal(journal_reader_next(&r, &p, &len, &seq), 0);
    journal_reader_close(&r);
    testenv_rmtree(dir);
}

/* ---- channels and recipients, against a store --------------------------------------- */

typedef struct fixture {
    char dir[64];
    db_pool pool;
    db_conn *db;
    char code[96];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    testenv_mkdtemp(f->dir, sizeof f->dir, "unit");
    f->db = testenv_db_open(f->dir, &f->pool);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    testenv_db_close(&f->pool, f->db);
    testenv_rmtree(f->dir);
    free(f);
    return 0;
}

static const char *ct(fixture *f, const char *account, const char *region, const char *op,
                      json_t *in, json_t **out)
{
    const op_def *def = service_op(service_lookup("cloudtrail"), op);
    assert_non_null(def);
    principal p;
    identity_root(&p, account, "AKIAUNITTESTEXAMPLE");
    call_ctx c;
    memset(&c, 0, sizeof c);
    c.db = f->db;
    c.caller = &p;
    c.region = region;
    c.service = "cloudtrail";
    c.op = op;
    c.in = in ? in : json_object();
    c.now_ms = 1795300000000LL;
    int rc = call_run(&c, service_lookup("cloudtrail"), def);
    snprintf(f->code, sizeof f->code, "%s", rc ? c.err.code : "");
    if (out)
        *out = c.out;
    else
        json_decref(c.out);
    json_decref((json_t *)c.in);
    json_decref(c.resources);
    call_release(&c);
    return f->code;
}

static json_t *create_in(const char *name)
{
    return json_pack("{s:s, s:s, s:[{s:s, s:s}]}", "Name", name, "Source", "Custom", "Destinations",
                     "Type", "EVENT_DATA_STORE", "Location",
                     "arn:aws:cloudtrail:us-east-1:" ACCT ":eventdatastore/eds-1");
}

static void test_channels(void **state)
{
    fixture *f = *state;
    json_t *out;
    assert_string_equal(ct(f, ACCT, REGION, "CreateChannel", create_in("app"), &out), "");
    char arn[256];
    snprintf(arn, sizeof arn, "%s", json_string_value(json_object_get(out, "ChannelArn")));
    json_decref(out);
    assert_int_equal(strncmp(arn, "arn:aws:cloudtrail:us-east-1:" ACCT ":channel/", 50), 0);
    assert_int_equal(strlen(arn), 50 + 36);
    /* the name is taken; other sources and destination kinds are refused */
    assert_string_equal(ct(f, ACCT, REGION, "CreateChannel", create_in("app"), NULL),
                        "ChannelAlreadyExistsException");
    json_t *in = create_in("partner");
    json_object_set_new(in, "Source", json_string("SomePartner"));
    assert_string_equal(ct(f, ACCT, REGION, "CreateChannel", in, NULL), "InvalidSourceException");
    in = create_in("svc");
    json_object_set_new(json_array_get(json_object_get(in, "Destinations"), 0), "Type",
                        json_string("AWS_SERVICE"));
    assert_string_equal(ct(f, ACCT, REGION, "CreateChannel", in, NULL),
                        "InvalidParameterException");
    in = create_in("eds");
    json_object_set_new(json_array_get(json_object_get(in, "Destinations"), 0), "Location",
                        json_string("arn:aws:s3:::bucket"));
    assert_string_equal(ct(f, ACCT, REGION, "CreateChannel", in, NULL),
                        "EventDataStoreARNInvalidException");
    /* by ARN and by id; unseen from another account or region */
    assert_string_equal(ct(f, ACCT, REGION, "GetChannel", json_pack("{s:s}", "Channel", arn), &out),
                        "");
    assert_string_equal(json_string_value(json_object_get(out, "Name")), "app");
    assert_string_equal(json_string_value(json_object_get(out, "Source")), "Custom");
    json_decref(out);
    assert_string_equal(
        ct(f, ACCT, REGION, "GetChannel", json_pack("{s:s}", "Channel", arn + 50), NULL), "");
    assert_string_equal(
        ct(f, OTHER, REGION, "GetChannel", json_pack("{s:s}", "Channel", arn), NULL),
        "ChannelNotFoundException");
    assert_string_equal(
        ct(f, ACCT, "eu-west-1", "GetChannel", json_pack("{s:s}", "Channel", arn), NULL),
        "ChannelNotFoundException");
    assert_string_equal(
        ct(f, ACCT, REGION, "GetChannel",
           json_pack("{s:s}", "Channel", "arn:aws:cloudtrail:us-east-1:" ACCT ":trail/t"), NULL),
        "ChannelARNInvalidException");
    /* update: rename, and a clash */
    assert_string_equal(ct(f, ACCT, REGION, "CreateChannel", create_in("second"), NULL), "");
    assert_string_equal(ct(f, ACCT, REGION, "UpdateChannel",
                           json_pack("{s:s, s:s}", "Channel", arn, "Name", "second"), NULL),
                        "ChannelAlreadyExistsException");
    assert_string_equal(ct(f, ACCT, REGION, "UpdateChannel",
                           json_pack("{s:s, s:s}", "Channel", arn, "Name", "renamed"), &out),
                        "");
    assert_string_equal(json_string_value(json_object_get(out, "Name")), "renamed");
    json_decref(out);
    /* list pages through every channel */
    assert_string_equal(
        ct(f, ACCT, REGION, "ListChannels", json_pack("{s:i}", "MaxResults", 1), &out), "");
    assert_int_equal(json_array_size(json_object_get(out, "Channels")), 1);
    const char *token = json_string_value(json_object_get(out, "NextToken"));
    assert_non_null(token);
    json_t *out2;
    assert_string_equal(ct(f, ACCT, REGION, "ListChannels",
                           json_pack("{s:i, s:s}", "MaxResults", 1, "NextToken", token), &out2),
                        "");
    assert_int_equal(json_array_size(json_object_get(out2, "Channels")), 1);
    assert_null(json_object_get(out2, "NextToken"));
    json_decref(out);
    json_decref(out2);
    assert_string_equal(
        ct(f, ACCT, REGION, "ListChannels", json_pack("{s:s}", "NextToken", "garbage"), NULL),
        "InvalidNextTokenException");
    assert_string_equal(ct(f, OTHER, REGION, "ListChannels", NULL, &out), "");
    assert_int_equal(json_array_size(json_object_get(out, "Channels")), 0);
    json_decref(out);
    /* delete */
    assert_string_equal(
        ct(f, ACCT, REGION, "DeleteChannel", json_pack("{s:s}", "Channel", arn), NULL), "");
    assert_string_equal(ct(f, ACCT, REGION, "GetChannel", json_pack("{s:s}", "Channel", arn), NULL),
                        "ChannelNotFoundException");
    /* the per-region limit */
    for (int i = 1; i < CHANNEL_MAX_PER_REGION; i++) {
        char name[32];
        snprintf(name, sizeof name, "ch-%d", i);
        assert_string_equal(ct(f, ACCT, REGION, "CreateChannel", create_in(name), NULL), "");
    }
    assert_string_equal(ct(f, ACCT, REGION, "CreateChannel", create_in("one-too-many"), NULL),
                        "ChannelMaxLimitExceededException");
    assert_string_equal(ct(f, ACCT, "eu-west-1", "CreateChannel", create_in("elsewhere"), NULL),
                        "");
}

static void test_recipients(void **state)
{
    fixture *f = *state;
    const char *accts[] = {ACCT, OTHER, "333333333333"};
    for (int i = 0; i < 3; i++)
        assert_int_equal(db_exec(f->db,
                                 "INSERT INTO accounts(id, name, email, created_ms, org_id) "
                                 "VALUES(?, ?, ?, 0, ?)",
                                 "ssss", accts[i], accts[i], accts[i], i < 2 ? "o-test" : NULL),
                         0);
    recipients r;
    /* no organization yet: only oneself */
    recipients_init(&r, f->db, ACCT);
    assert_true(recipients_allowed(&r, ACCT));
    assert_false(recipients_allowed(&r, OTHER));
    assert_int_equal(db_exec(f->db,
                             "INSERT INTO organization(id, feature_set, master_account_id, "
                             "master_email, root_id, created_ms) VALUES('o-test', 'ALL', ?, "
                             "'m@example.com', 'r-test', 0)",
                             "s", ACCT),
                     0);
    recipients_init(&r, f->db, ACCT);
    assert_true(recipients_allowed(&r, OTHER));
    assert_true(recipients_allowed(&r, OTHER)); /* cached */
    assert_false(recipients_allowed(&r, "333333333333"));
    /* a member writes for itself only */
    recipients_init(&r, f->db, OTHER);
    assert_true(recipients_allowed(&r, OTHER));
    assert_false(recipients_allowed(&r, ACCT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_data_checks),
        cmocka_unit_test(test_event_data_checksum),
        cmocka_unit_test(test_event_record),
        cmocka_unit_test(test_ndjson_lines),
        cmocka_unit_test(test_ndjson_records),
        cmocka_unit_test(test_jscan_parity),
        cmocka_unit_test(test_ndjson_service_event),
        cmocka_unit_test(test_journal_batch),
        cmocka_unit_test_setup_teardown(test_channels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recipients, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
