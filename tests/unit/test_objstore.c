/* The embedded object store without the server: puts and ranged reads, listing with
 * delimiters and continuation, versioning (Enabled, Suspended with "null" ids), delete
 * markers, Object Lock (compliance refuses everyone, governance bypass, legal hold),
 * multipart uploads and crash remains cleaned at open. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/timeutil.h"
#include "store/objstore.h"
#include "testenv.h"

#define OWNER "111111111111"
#define DAY 86400000LL

typedef struct fixture {
    char dir[64];
    db_pool pool;
    db_conn *db;
    objstore os;
} fixture;

static void add_bucket(fixture *f, const char *name, bool lock, const char *versioning)
{
    assert_int_equal(db_exec(f->db,
                             "INSERT INTO s3_buckets(name, account_id, region, created_ms, "
                             "object_lock, versioning) VALUES (?, ?, 'us-east-1', 0, ?, ?)",
                             "ssds", name, OWNER, lock ? 1 : 0, versioning),
                     0);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    testenv_mkdtemp(f->dir, sizeof f->dir, "objstore");
    f->db = testenv_db_open(f->dir, &f->pool);
    char err[256];
    assert_int_equal(objstore_open(&f->os, f->dir, f->db, err, sizeof err), 0);
    add_bucket(f, "plain", false, NULL);
    add_bucket(f, "versioned", false, "Enabled");
    add_bucket(f, "locked", true, "Enabled");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    objstore_close(&f->os);
    testenv_db_close(&f->pool, f->db);
    testenv_rmtree(f->dir);
    free(f);
    return 0;
}

static obj_put_opts opts(void)
{
    obj_put_opts o = {.owner = OWNER, .now_ms = time_now_ms()};
    return o;
}

static void put(fixture *f, const char *bucket, const char *key, const char *text, obj_info *out)
{
    obj_put_opts o = opts();
    aws_error e;
    aws_error_clear(&e);
    int rc = objstore_put(&f->os, f->db, bucket, key, text, strlen(text), &o, out, &e);
    if (rc) fail_msg("put %s/%s: %s %s", bucket, key, e.code, e.message);
}

/* The current (or given) version's bytes as a string; caller frees. */
static char *get(fixture *f, const char *bucket, const char *key, const char *version)
{
    obj_info v;
    int fd;
    aws_error e;
    if (objstore_open_version(&f->os, f->db, bucket, key, version, &v, &fd, &e)) return NULL;
    if (v.delete_marker) {
        obj_info_clear(&v);
        return NULL;
    }
    char *p = objstore_read_alloc(fd, 0, (size_t)v.size);
    char *s = calloc(1, (size_t)v.size + 1);
    memcpy(s, p, (size_t)v.size);
    free(p);
    close(fd);
    obj_info_clear(&v);
    return s;
}

static void test_put_get_range(void **state)
{
    fixture *f = *state;
    obj_info v;
    json_t *meta = json_pack("{s:s}", "purpose", "test");
    obj_put_opts o = opts();
    o.metadata = meta;
    o.content_type = "text/plain";
    o.checksum_alg = "crc32";
    aws_error e;
    assert_int_equal(objstore_put(&f->os, f->db, "plain", "a.txt", "hello world", 11, &o, &v, &e),
                     0);
    json_decref(meta);
    assert_string_equal(v.version_id, "null");
    assert_string_equal(v.etag, "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"");
    assert_string_equal(v.checksum, "DUoRhQ==");
    assert_string_equal(v.sse, "AES256");
    obj_info_clear(&v);

    int fd;
    assert_int_equal(objstore_open_version(&f->os, f->db, "plain", "a.txt", NULL, &v, &fd, &e), 0);
    assert_int_equal(v.size, 11);
    assert_string_equal(v.content_type, "text/plain");
    assert_string_equal(json_string_value(json_object_get(v.metadata, "purpose")), "test");
    char *p = objstore_read_alloc(fd, 6, 5);
    assert_memory_equal(p, "world", 5);
    free(p);
    close(fd);
    obj_info_clear(&v);

    /* Overwrite in an unversioned bucket replaces the null version. */
    put(f, "plain", "a.txt", "second", NULL);
    char *s = get(f, "plain", "a.txt", NULL);
    assert_string_equal(s, "second");
    free(s);
    int64_t n;
    db_get_int(f->db, &n, "SELECT COUNT(*) FROM s3_objects WHERE bucket = 'plain'", "");
    assert_int_equal(n, 1);

    assert_int_equal(objstore_head(f->db, "plain", "nope", NULL, &v, &e), -1);
    assert_string_equal(e.code, "NoSuchKey");
    assert_int_equal(objstore_head(f->db, "nobucket", "a", NULL, &v, &e), -1);
    assert_string_equal(e.code, "NoSuchBucket");
}

static void test_digests(void **state)
{
    fixture *f = *state;
    obj_put_opts o = opts();
    aws_error e;
    o.content_md5 = "XrY7u+Ae7tCTyyK7j1rNww=="; /* md5("hello world") */
    assert_int_equal(objstore_put(&f->os, f->db, "plain", "d", "hello world", 11, &o, NULL, &e), 0);
    assert_int_equal(objstore_put(&f->os, f->db, "plain", "d", "hello worle", 11, &o, NULL, &e),
                     -1);
    assert_string_equal(e.code, "BadDigest");
    o.content_md5 = "nonsense";
    assert_int_equal(objstore_put(&f->os, f->db, "plain", "d", "x", 1, &o, NULL, &e), -1);
    assert_string_equal(e.code, "InvalidDigest");
    o = opts();
    o.checksum_alg = "sha256";
    o.checksum_value = "AAAA";
    assert_int_equal(objstore_put(&f->os, f->db, "plain", "d", "x", 1, &o, NULL, &e), -1);
    assert_string_equal(e.code, "BadDigest");
    char *s = get(f, "plain", "d", NULL);
    assert_string_equal(s, "hello world"); /* the refused puts changed nothing */
    free(s);
}

static void test_list_delimiter_continuation(void **state)
{
    fixture *f = *state;
    const char *keys[] = {"a/1", "a/2", "b", "c/x/1", "c/y", "d", "e/1"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        put(f, "plain", keys[i], "x", NULL);
    aws_error e;
    obj_list l;
    obj_list_opts lo = {.delimiter = "/", .max_keys = 1000};
    assert_int_equal(objstore_list(f->db, "plain", &lo, &l, &e), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.items[0].key, "b");
    assert_string_equal(l.items[1].key, "d");
    assert_int_equal(l.n_prefixes, 3);
    assert_string_equal(l.prefixes[0], "a/");
    assert_string_equal(l.prefixes[2], "e/");
    assert_false(l.truncated);
    obj_list_free(&l);

    /* Pages of 2 walk through keys and prefixes alike. */
    const char *want[] = {"a/", "b", "c/", "d", "e/"};
    size_t seen = 0;
    char *after = NULL;
    for (int page = 0; page < 5; page++) {
        obj_list_opts po = {.delimiter = "/", .max_keys = 2, .after = after};
        assert_int_equal(objstore_list(f->db, "plain", &po, &l, &e), 0);
        size_t ki = 0, pi = 0;
        while (ki < l.n || pi < l.n_prefixes) {
            const char *k = ki < l.n ? l.items[ki].key : NULL;
            const char *p = pi < l.n_prefixes ? l.prefixes[pi] : NULL;
            const char *next = (k && (!p || strcmp(k, p) < 0)) ? (ki++, k) : (pi++, p);
            assert_string_equal(next, want[seen++]);
        }
        free(after);
        after = l.next_key ? strdup(l.next_key) : NULL;
        bool more = l.truncated;
        obj_list_free(&l);
        if (!more) break;
    }
    free(after);
    assert_int_equal(seen, 5);

    obj_list_opts pre = {.prefix = "c/", .delimiter = "/", .max_keys = 1000};
    assert_int_equal(objstore_list(f->db, "plain", &pre, &l, &e), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0].key, "c/y");
    assert_int_equal(l.n_prefixes, 1);
    assert_string_equal(l.prefixes[0], "c/x/");
    obj_list_free(&l);

    obj_list_opts sa = {.after = "c/x/1", .max_keys = 1000};
    assert_int_equal(objstore_list(f->db, "plain", &sa, &l, &e), 0);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.items[0].key, "c/y");
    obj_list_free(&l);
}

static void test_versioning_and_markers(void **state)
{
    fixture *f = *state;
    obj_info v1, v2;
    put(f, "versioned", "k", "one", &v1);
    put(f, "versioned", "k", "two", &v2);
    assert_string_not_equal(v1.version_id, "null");
    assert_string_not_equal(v1.version_id, v2.version_id);
    char *s = get(f, "versioned", "k", v1.version_id);
    assert_string_equal(s, "one");
    free(s);

    aws_error e;
    obj_delete_result r;
    assert_int_equal(
        objstore_delete(&f->os, f->db, "versioned", "k", NULL, false, time_now_ms(), OWNER, &r, &e),
        0);
    assert_true(r.delete_marker);
    obj_info h;
    assert_int_equal(objstore_head(f->db, "versioned", "k", NULL, &h, &e), 0);
    assert_true(h.delete_marker);
    obj_info_clear(&h);

    obj_list l;
    obj_list_opts lo = {.max_keys = 1000};
    assert_int_equal(objstore_list(f->db, "versioned", &lo, &l, &e), 0);
    assert_int_equal(l.n, 0); /* hidden behind the marker */
    obj_list_free(&l);
    obj_list_opts vo = {.max_keys = 1000, .versions = true};
    assert_int_equal(objstore_list(f->db, "versioned", &vo, &l, &e), 0);
    assert_int_equal(l.n, 3);
    assert_true(l.items[0].delete_marker && l.items[0].is_latest);
    assert_string_equal(l.items[1].version_id, v2.version_id);
    assert_string_equal(l.items[2].version_id, v1.version_id);
    obj_list_free(&l);

    /* Paging versions inside one key. */
    obj_list_opts p1 = {.max_keys = 2, .versions = true};
    assert_int_equal(objstore_list(f->db, "versioned", &p1, &l, &e), 0);
    assert_true(l.truncated);
    char key[16], ver[OBJ_VERSION_LEN];
    snprintf(key, sizeof key, "%s", l.next_key);
    snprintf(ver, sizeof ver, "%s", l.next_version);
    obj_list_free(&l);
    obj_list_opts p2 = {.max_keys = 2, .versions = true, .after = key, .version_marker = ver};
    assert_int_equal(objstore_list(f->db, "versioned", &p2, &l, &e), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0].version_id, v1.version_id);
    obj_list_free(&l);

    /* Removing the marker by its id brings v2 back. */
    char marker[OBJ_VERSION_LEN];
    snprintf(marker, sizeof marker, "%s", r.version_id);
    assert_int_equal(objstore_delete(&f->os, f->db, "versioned", "k", marker, false, time_now_ms(),
                                     OWNER, &r, &e),
                     0);
    s = get(f, "versioned", "k", NULL);
    assert_string_equal(s, "two");
    free(s);
    /* Removing the current version promotes the previous one. */
    assert_int_equal(objstore_delete(&f->os, f->db, "versioned", "k", v2.version_id, false,
                                     time_now_ms(), OWNER, &r, &e),
                     0);
    s = get(f, "versioned", "k", NULL);
    assert_string_equal(s, "one");
    free(s);
    assert_int_equal(objstore_head(f->db, "versioned", "k", v2.version_id, &h, &e), -1);
    assert_string_equal(e.code, "NoSuchVersion");
    obj_info_clear(&v1);
    obj_info_clear(&v2);
}

static void test_suspended_null_versions(void **state)
{
    fixture *f = *state;
    obj_info v1, n1, n2;
    put(f, "versioned", "s", "kept", &v1);
    aws_error e;
    assert_int_equal(objstore_set_versioning(f->db, "versioned", "Suspended", &e), 0);
    put(f, "versioned", "s", "null-1", &n1);
    assert_string_equal(n1.version_id, "null");
    put(f, "versioned", "s", "null-2", &n2);
    assert_string_equal(n2.version_id, "null");
    obj_list l;
    obj_list_opts vo = {.prefix = "s", .max_keys = 1000, .versions = true};
    assert_int_equal(objstore_list(f->db, "versioned", &vo, &l, &e), 0);
    assert_int_equal(l.n, 2); /* the null version was replaced, the old one kept */
    assert_string_equal(l.items[0].version_id, "null");
    assert_string_equal(l.items[1].version_id, v1.version_id);
    obj_list_free(&l);
    obj_delete_result r;
    assert_int_equal(
        objstore_delete(&f->os, f->db, "versioned", "s", NULL, false, time_now_ms(), OWNER, &r, &e),
        0);
    assert_true(r.delete_marker);
    assert_string_equal(r.version_id, "null");
    assert_int_equal(objstore_list(f->db, "versioned", &vo, &l, &e), 0);
    assert_int_equal(l.n, 2); /* the null marker replaced the null version */
    assert_true(l.items[0].delete_marker);
    obj_list_free(&l);
    char *s = get(f, "versioned", "s", v1.version_id);
    assert_string_equal(s, "kept");
    free(s);
    obj_info_clear(&v1);
    obj_info_clear(&n1);
    obj_info_clear(&n2);
}

static void test_compliance_lock(void **state)
{
    fixture *f = *state;
    aws_error e;
    obj_lock_default d = {.mode = "COMPLIANCE", .days = 1};
    assert_int_equal(objstore_lock_default_set(f->db, "locked", &d, &e), 0);
    assert_int_equal(objstore_lock_default_set(f->db, "plain", &d, &e), -1);
    obj_info v;
    put(f, "locked", "log.gz", "evidence", &v);
    assert_string_equal(v.lock_mode, "COMPLIANCE");
    assert_true(v.retain_until_ms > time_now_ms() + DAY - 60000);
    obj_delete_result r;
    /* Nobody deletes it, bypass or not. */
    assert_int_equal(objstore_delete(&f->os, f->db, "locked", "log.gz", v.version_id, true,
                                     time_now_ms(), OWNER, &r, &e),
                     -1);
    assert_string_equal(e.code, "AccessDenied");
    /* Shortening or weakening is refused; extending works. */
    assert_int_equal(objstore_set_retention(f->db, "locked", "log.gz", v.version_id, "COMPLIANCE",
                                            v.retain_until_ms - DAY / 2, true, time_now_ms(), NULL,
                                            &e),
                     -1);
    assert_string_equal(e.code, "AccessDenied");
    assert_int_equal(objstore_set_retention(f->db, "locked", "log.gz", v.version_id, "GOVERNANCE",
                                            v.retain_until_ms + DAY, true, time_now_ms(), NULL, &e),
                     -1);
    assert_int_equal(objstore_set_retention(f->db, "locked", "log.gz", v.version_id, "COMPLIANCE",
                                            v.retain_until_ms + DAY, false, time_now_ms(), NULL,
                                            &e),
                     0);
    /* A plain delete only adds a marker; the version stays. */
    assert_int_equal(objstore_delete(&f->os, f->db, "locked", "log.gz", NULL, false, time_now_ms(),
                                     OWNER, &r, &e),
                     0);
    assert_true(r.delete_marker);
    char *s = get(f, "locked", "log.gz", v.version_id);
    assert_string_equal(s, "evidence");
    free(s);
    /* ...and after the date has passed, deletion works. */
    assert_int_equal(objstore_delete(&f->os, f->db, "locked", "log.gz", v.version_id, false,
                                     v.retain_until_ms + 3 * DAY, OWNER, &r, &e),
                     0);
    /* Versioning cannot be suspended on a lock bucket. */
    assert_int_equal(objstore_set_versioning(f->db, "locked", "Suspended", &e), -1);
    assert_string_equal(e.code, "InvalidBucketState");
    obj_info_clear(&v);
}

static void test_governance_and_legal_hold(void **state)
{
    fixture *f = *state;
    aws_error e;
    obj_put_opts o = opts();
    o.lock_mode = "GOVERNANCE";
    o.retain_until_ms = time_now_ms() + DAY;
    obj_info v;
    assert_int_equal(objstore_put(&f->os, f->db, "locked", "g", "x", 1, &o, &v, &e), 0);
    obj_delete_result r;
    assert_int_equal(objstore_delete(&f->os, f->db, "locked", "g", v.version_id, false,
                                     time_now_ms(), OWNER, &r, &e),
                     -1);
    assert_string_equal(e.code, "AccessDenied");
    /* Shortening governance needs the bypass. */
    assert_int_equal(objstore_set_retention(f->db, "locked", "g", v.version_id, "GOVERNANCE",
                                            time_now_ms() + 1000, false, time_now_ms(), NULL, &e),
                     -1);
    /* Legal hold blocks even the bypass. */
    assert_int_equal(objstore_set_legal_hold(f->db, "locked", "g", v.version_id, true, NULL, &e),
                     0);
    assert_int_equal(objstore_delete(&f->os, f->db, "locked", "g", v.version_id, true,
                                     time_now_ms(), OWNER, &r, &e),
                     -1);
    assert_int_equal(objstore_set_legal_hold(f->db, "locked", "g", v.version_id, false, NULL, &e),
                     0);
    assert_int_equal(objstore_delete(&f->os, f->db, "locked", "g", v.version_id, true,
                                     time_now_ms(), OWNER, &r, &e),
                     0);
    /* Lock operations on a bucket without Object Lock. */
    put(f, "plain", "p", "x", NULL);
    assert_int_equal(objstore_set_legal_hold(f->db, "plain", "p", NULL, true, NULL, &e), -1);
    assert_string_equal(e.code, "InvalidRequest");
    o.lock_mode = "GOVERNANCE";
    assert_int_equal(objstore_put(&f->os, f->db, "plain", "p", "x", 1, &o, NULL, &e), -1);
    assert_string_equal(e.code, "InvalidRequest");
    obj_info_clear(&v);
}

static void test_multipart(void **state)
{
    fixture *f = *state;
    aws_error e;
    obj_put_opts o = opts();
    o.content_type = "application/gzip";
    char up[65];
    assert_int_equal(objstore_mpu_create(f->db, "plain", "big", &o, up, &e), 0);
    size_t n1 = OBJ_MIN_PART_SIZE;
    char *p1 = malloc(n1);
    for (size_t i = 0; i < n1; i++)
        p1[i] = (char)(i * 7);
    obj_part parts[2];
    memset(parts, 0, sizeof parts);
    obj_put_opts po = opts();
    assert_int_equal(
        objstore_mpu_put_part(&f->os, f->db, "plain", "big", up, 1, p1, n1, &po, parts[0].etag, &e),
        0);
    assert_int_equal(objstore_mpu_put_part(&f->os, f->db, "plain", "big", up, 2, "tail", 4, &po,
                                           parts[1].etag, &e),
                     0);
    parts[0].number = 1;
    parts[1].number = 2;
    obj_part *listed;
    size_t n;
    bool trunc;
    assert_int_equal(
        objstore_mpu_list_parts(f->db, "plain", "big", up, 0, 1, &listed, &n, &trunc, &e), 0);
    assert_int_equal(n, 1);
    assert_true(trunc);
    free(listed);
    obj_part bad[2] = {parts[1], parts[0]};
    assert_int_equal(
        objstore_mpu_complete(&f->os, f->db, "plain", "big", up, bad, 2, time_now_ms(), NULL, &e),
        -1);
    assert_string_equal(e.code, "InvalidPartOrder");
    obj_info v;
    assert_int_equal(
        objstore_mpu_complete(&f->os, f->db, "plain", "big", up, parts, 2, time_now_ms(), &v, &e),
        0);
    assert_int_equal(v.size, (int64_t)n1 + 4);
    assert_non_null(strstr(v.etag, "-2\""));
    assert_string_equal(v.content_type, "application/gzip");
    obj_info_clear(&v);
    int fd;
    assert_int_equal(objstore_open_version(&f->os, f->db, "plain", "big", NULL, &v, &fd, &e), 0);
    char *all = objstore_read_alloc(fd, 0, (size_t)v.size);
    assert_memory_equal(all, p1, n1);
    assert_memory_equal(all + n1, "tail", 4);
    free(all);
    close(fd);
    obj_info_clear(&v);
    free(p1);
    assert_int_equal(objstore_mpu_abort(&f->os, f->db, "plain", "big", up, &e), -1);
    assert_string_equal(e.code, "NoSuchUpload");

    /* Too small a middle part. */
    assert_int_equal(objstore_mpu_create(f->db, "plain", "small", &o, up, &e), 0);
    objstore_mpu_put_part(&f->os, f->db, "plain", "small", up, 1, "a", 1, &po, parts[0].etag, &e);
    objstore_mpu_put_part(&f->os, f->db, "plain", "small", up, 2, "b", 1, &po, parts[1].etag, &e);
    assert_int_equal(objstore_mpu_complete(&f->os, f->db, "plain", "small", up, parts, 2,
                                           time_now_ms(), NULL, &e),
                     -1);
    assert_string_equal(e.code, "EntityTooSmall");
    assert_false(objstore_bucket_empty(f->db, "plain"));
    assert_int_equal(objstore_mpu_abort(&f->os, f->db, "plain", "small", up, &e), 0);
}

static void test_crash_leftovers_removed_at_open(void **state)
{
    fixture *f = *state;
    put(f, "plain", "survivor", "still here", NULL);
    char tmp[256], orphan[256];
    snprintf(tmp, sizeof tmp, "%s/objects/tmp/deadbeef.tmp", f->dir);
    snprintf(orphan, sizeof orphan, "%s/objects/blobs/ab/ab00000000000000000000000000000000",
             f->dir);
    FILE *fp = fopen(tmp, "w");
    fputs("half an object", fp);
    fclose(fp);
    fp = fopen(orphan, "w");
    fputs("never committed", fp);
    fclose(fp);
    objstore_close(&f->os);
    char err[256];
    assert_int_equal(objstore_open(&f->os, f->dir, f->db, err, sizeof err), 0);
    assert_int_not_equal(access(tmp, F_OK), 0);
    assert_int_not_equal(access(orphan, F_OK), 0);
    char *s = get(f, "plain", "survivor", NULL);
    assert_string_equal(s, "still here");
    free(s);
}

static void test_copy(void **state)
{
    fixture *f = *state;
    json_t *meta = json_pack("{s:s}", "a", "1");
    obj_put_opts o = opts();
    o.metadata = meta;
    aws_error e;
    assert_int_equal(objstore_put(&f->os, f->db, "plain", "src", "copy me", 7, &o, NULL, &e), 0);
    obj_put_opts co = opts();
    obj_info v;
    assert_int_equal(
        objstore_copy(&f->os, f->db, "plain", "src", NULL, "versioned", "dst", &co, &v, &e), 0);
    assert_string_equal(json_string_value(json_object_get(v.metadata, "a")), "1");
    obj_info_clear(&v);
    char *s = get(f, "versioned", "dst", NULL);
    assert_string_equal(s, "copy me");
    free(s);
    json_decref(meta);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_put_get_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_digests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_delimiter_continuation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_versioning_and_markers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_suspended_null_versions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compliance_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_governance_and_legal_hold, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multipart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_leftovers_removed_at_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
