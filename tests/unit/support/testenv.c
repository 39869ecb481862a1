#define _XOPEN_SOURCE 700
#include "testenv.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void testenv_mkdtemp(char *dir, size_t n, const char *tag)
{
    int len = snprintf(dir, n, "/tmp/orgtrail-%s-XXXXXX", tag);
    assert_true(len > 0 && (size_t)len < n);
    assert_non_null(mkdtemp(dir));
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

void testenv_rmtree(const char *dir)
{
    assert_int_equal(nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

db_conn *testenv_db_open(const char *dir, db_pool *pool)
{
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/state.db", dir);
    if (db_pool_open(pool, path, true, err, sizeof err)) fail_msg("state.db: %s", err);
    db_conn *db = db_acquire(pool);
    assert_non_null(db);
    return db;
}

void testenv_db_close(db_pool *pool, db_conn *db)
{
    db_release(pool, db);
    db_pool_close(pool);
}

void testenv_add_account(db_conn *db, const char *id, const char *name, int64_t now_ms)
{
    char email[160];
    snprintf(email, sizeof email, "%s@example.com", name);
    assert_int_equal(db_exec(db,
                             "INSERT INTO accounts(id, name, email, created_ms) VALUES(?, ?, ?, ?)",
                             "sssi", id, name, email, now_ms),
                     0);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t testenv_data_files(const char *subdir, char *dir, size_t dir_n, char **names, size_t max)
{
    const char *src = getenv("ORGTRAIL_SOURCE");
    assert_non_null(src);
    int len = snprintf(dir, dir_n, "%s/tests/data/%s", src, subdir);
    assert_true(len > 0 && (size_t)len < dir_n);
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t k = strlen(de->d_name);
        if (k > 5 && !strcmp(de->d_name + k - 5, ".json")) {
            assert_true(n < max);
            names[n++] = strdup(de->d_name);
        }
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    return n;
}

size_t testenv_each_case(const char *subdir, testenv_case_fn fn, void *arg)
{
    char dir[1024];
    char *names[256];
    size_t n = testenv_data_files(subdir, dir, sizeof dir, names, 256);
    assert_true(n > 0);
    size_t cases = 0;
    for (size_t f = 0; f < n; f++) {
        char path[1400];
        snprintf(path, sizeof path, "%s/%s", dir, names[f]);
        json_error_t je;
        json_t *doc = json_load_file(path, 0, &je);
        if (!doc) fail_msg("%s:%d: %s", names[f], je.line, je.text);
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(doc, "cases"), i, c)
        {
            fn(names[f], doc, c, arg);
            cases++;
        }
        json_decref(doc);
        free(names[f]);
    }
    return cases;
}

void testenv_store_open(testenv_store *s, const char *tag)
{
    testenv_mkdtemp(s->dir, sizeof s->dir, tag);
    s->db = testenv_db_open(s->dir, &s->pool);
}

void testenv_store_close(testenv_store *s)
{
    if (s->db) testenv_db_close(&s->pool, s->db);
    s->db = NULL;
    testenv_rmtree(s->dir);
}
