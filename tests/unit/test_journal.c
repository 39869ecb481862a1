/* The journal: group commit under concurrency, reading back, torn-tail recovery. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/journal.h"
#include "testenv.h"

#define THREADS 8
#define PER_THREAD 500

typedef struct worker {
    journal *j;
    int id;
    uint64_t seqs[PER_THREAD];
    int failures;
} worker;

static char *make_dir(void)
{
    char *d = malloc(64);
    testenv_mkdtemp(d, 64, "journal");
    return d;
}

static void remove_dir(const char *d)
{
    testenv_rmtree(d);
}

static void *append_many(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        char rec[64];
        int n = snprintf(rec, sizeof rec, "{\"t\":%d,\"i\":%d}", w->id, i);
        aws_error e;
        if (journal_append(w->j, rec, (size_t)n, &w->seqs[i], &e)) w->failures++;
    }
    return NULL;
}

/* Every concurrent append is acknowledged with its own sequence number, and reading the
 * journal back gives each record once, in sequence order, byte-exact. */
static void concurrent_appends_read_back(void **state)
{
    char *dir = make_dir();
    journal j;
    char err[256];
    assert_int_equal(journal_open(&j, dir, err, sizeof err), 0);
    worker w[THREADS];
    pthread_t th[THREADS];
    for (int t = 0; t < THREADS; t++) {
        w[t] = (worker){.j = &j, .id = t};
        pthread_create(&th[t], NULL, append_many, &w[t]);
    }
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    static char seen[THREADS * PER_THREAD + 1];
    memset(seen, 0, sizeof seen);
    for (int t = 0; t < THREADS; t++) {
        assert_int_equal(w[t].failures, 0);
        for (int i = 0; i < PER_THREAD; i++) {
            uint64_t s = w[t].seqs[i];
            assert_true(s >= 1 && s <= THREADS * PER_THREAD);
            assert_int_equal(seen[s], 0);
            seen[s] = 1;
            /* A thread's own records are acknowledged in the order it made them. */
            if (i) assert_true(s > w[t].seqs[i - 1]);
        }
    }
    assert_true(j.batches < j.records); /* some appends shared a flush */
    journal_close(&j);

    journal_reader r;
    assert_int_equal(journal_reader_open(&r, dir, 1), 0);
    const char *p;
    size_t len;
    uint64_t seq, want = 1;
    int last_i[THREADS];
    for (int t = 0; t < THREADS; t++)
        last_i[t] = -1;
    while (journal_reader_next(&r, &p, &len, &seq) == 1) {
        assert_int_equal(seq, want++);
        int t, i;
        assert_int_equal(sscanf(p, "{\"t\":%d,\"i\":%d}", &t, &i), 2);
        assert_int_equal(i, last_i[t] + 1);
        last_i[t] = i;
    }
    assert_int_equal(want, THREADS * PER_THREAD + 1);
    journal_reader_close(&r);
    remove_dir(dir);
    free(dir);
}

static char *only_segment(const char *dir)
{
    char jd[256];
    snprintf(jd, sizeof jd, "%s/journal", dir);
    DIR *d = opendir(jd);
    assert_non_null(d);
    struct dirent *e;
    char *path = NULL;
    while ((e = readdir(d))) {
        if (!strstr(e->d_name, ".jnl")) continue;
        assert_null(path);
        path = malloc(strlen(jd) + strlen(e->d_name) + 2);
        sprintf(path, "%s/%s", jd, e->d_name);
    }
    closedir(d);
    assert_non_null(path);
    return path;
}

/* A crash mid-write leaves half a frame: reopening cuts it off, keeps every whole
 * record, and continues the sequence after the last one. */
static void torn_tail_is_cut(void **state)
{
    char *dir = make_dir();
    journal j;
    char err[256];
    assert_int_equal(journal_open(&j, dir, err, sizeof err), 0);
    uint64_t seq;
    aws_error e;
    for (int i = 0; i < 3; i++)
        assert_int_equal(journal_append(&j, "abc", 3, &seq, &e), 0);
    journal_close(&j);

    char *seg = only_segment(dir);
    struct stat st;
    assert_int_equal(stat(seg, &st), 0);
    int fd = open(seg, O_WRONLY | O_APPEND);
    assert_true(fd >= 0);
    const unsigned char torn[10] = {40, 0, 0, 0, 1, 2, 3, 4, 4, 0}; /* header, no payload */
    assert_int_equal(write(fd, torn, sizeof torn), (ssize_t)sizeof torn);
    close(fd);

    assert_int_equal(journal_open(&j, dir, err, sizeof err), 0);
    struct stat after;
    assert_int_equal(stat(seg, &after), 0);
    assert_int_equal(after.st_size, st.st_size);
    assert_int_equal(journal_append(&j, "def", 3, &seq, &e), 0);
    assert_int_equal(seq, 4);
    journal_close(&j);

    journal_reader r;
    assert_int_equal(journal_reader_open(&r, dir, 3), 0);
    const char *p;
    size_t len;
    assert_int_equal(journal_reader_next(&r, &p, &len, &seq), 1);
    assert_int_equal(seq, 3);
    assert_memory_equal(p, "abc", 3);
    assert_int_equal(journal_reader_next(&r, &p, &len, &seq), 1);
    assert_int_equal(seq, 4);
    assert_memory_equal(p, "def", 3);
    assert_int_equal(journal_reader_next(&r, &p, &len, &seq), 0);
    journal_reader_close(&r);
    free(seg);
    remove_dir(dir);
    free(dir);
}

static void oversized_record_refused(void **state)
{
    char *dir = make_dir();
    journal j;
    char err[256];
    assert_int_equal(journal_open(&j, dir, err, sizeof err), 0);
    size_t n = JOURNAL_MAX_RECORD + 1;
    char *big = calloc(1, n);
    uint64_t seq;
    aws_error e;
    assert_int_equal(journal_append(&j, big, n, &seq, &e), -1);
    assert_string_equal(e.code, "ValidationException");
    assert_int_equal(journal_append(&j, "x", 1, &seq, &e), 0);
    assert_int_equal(seq, 1);
    free(big);
    journal_close(&j);
    remove_dir(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(concurrent_appends_read_back),
        cmocka_unit_test(torn_tail_is_cut),
        cmocka_unit_test(oversized_record_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
