/* The journal: group commit under concurrency, reading back, torn-tail recovery, and a full
 * disk (a real one: a small tmpfs, ENOSPC from the kernel; skipped only where mounting is
 * not allowed). */
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
#include <errno.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/journal.h"
#include "core/hash.h"
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
    assert_int_equal(journal_open(&j, dir, 1, err, sizeof err), 0);
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

/* Reopening after three records and a bad tail cuts the segment back to `size` and goes
 * on with record 4. */
static void reopen_cuts_to(const char *dir, const char *seg, off_t size)
{
    journal j;
    char err[256];
    assert_int_equal(journal_open(&j, dir, 1, err, sizeof err), 0);
    struct stat after;
    assert_int_equal(stat(seg, &after), 0);
    assert_int_equal(after.st_size, size);
    uint64_t seq;
    aws_error e;
    assert_int_equal(journal_append(&j, "def", 3, &seq, &e), 0);
    assert_int_equal(seq, 4);
    journal_close(&j);
}

/* A crash mid-write leaves half a frame: reopening cuts it off, keeps every whole
 * record, and continues the sequence after the last one. */
static void torn_tail_is_cut(void **state)
{
    char *dir = make_dir();
    journal j;
    char err[256];
    assert_int_equal(journal_open(&j, dir, 1, err, sizeof err), 0);
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

    reopen_cuts_to(dir, seg, st.st_size);

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

/* A whole frame (its CRC right) claiming seq 2^64 - 1 was never written by the journal:
 * readers stop before it instead of wrapping to seq 0 and rereading the oldest segment
 * forever, and recovery cuts it like a torn tail (fuzz_journal found the loop). */
static void impossible_seq_is_corrupt(void **state)
{
    (void)state;
    char *dir = make_dir();
    journal j;
    char err[256];
    uint64_t seq;
    aws_error e;
    assert_int_equal(journal_open(&j, dir, 1, err, sizeof err), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(journal_append(&j, "abc", 3, &seq, &e), 0);
    journal_close(&j);
    char *seg = only_segment(dir);
    struct stat st;
    assert_int_equal(stat(seg, &st), 0);
    unsigned char frame[JOURNAL_FRAME_HEADER + 3] = {3, 0, 0, 0};
    memset(frame + 8, 0xff, 8); /* seq */
    memcpy(frame + JOURNAL_FRAME_HEADER, "xyz", 3);
    uint32_t crc = hash_crc32(hash_crc32(0, frame + 8, 8), "xyz", 3);
    for (int i = 0; i < 4; i++)
        frame[4 + i] = (unsigned char)(crc >> (8 * i));
    int fd = open(seg, O_WRONLY | O_APPEND);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, frame, sizeof frame), (ssize_t)sizeof frame);
    close(fd);

    journal_reader r;
    assert_int_equal(journal_reader_open(&r, dir, 1), 0);
    const char *p;
    size_t len;
    for (uint64_t want = 1; want <= 3; want++) {
        assert_int_equal(journal_reader_next(&r, &p, &len, &seq), 1);
        assert_int_equal(seq, want);
    }
    assert_int_equal(journal_reader_next(&r, &p, &len, &seq), 0);
    journal_reader_close(&r);

    reopen_cuts_to(dir, seg, st.st_size);
    free(seg);
    remove_dir(dir);
    free(dir);
}

/* The reader reads in chunks: records straddling chunk boundaries, a record larger than
 * a chunk, a torn frame at the end that is completed later, and records appended after the
 * reader reached the end all come out whole, in order, once. */
static void reader_chunks_and_growth(void **state)
{
    (void)state;
    char *dir = make_dir();
    journal j;
    char err[256];
    assert_int_equal(journal_open(&j, dir, 1, err, sizeof err), 0);
    aws_error e;
    uint64_t seq;
    size_t big = JOURNAL_READ_CHUNK + 12345;
    char *rec = malloc(big);
    assert_non_null(rec);
    size_t n = 0;
    size_t sizes[4000];
    for (; n < 3000; n++) {
        sizes[n] = n == 1500 ? big : 700 + n % 977; /* a chunk ends inside many frames */
        memset(rec, 'a' + (int)(n % 26), sizes[n]);
        assert_int_equal(journal_append(&j, rec, sizes[n], &seq, &e), 0);
        assert_int_equal(seq, n + 1);
    }
    journal_reader r;
    assert_int_equal(journal_reader_open(&r, dir, 1), 0);
    const char *p;
    size_t len;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(journal_reader_next(&r, &p, &len, &seq), 1);
        assert_int_equal(seq, i + 1);
        assert_int_equal(len, sizes[i]);
        assert_int_equal(p[0], 'a' + (int)(i % 26));
        assert_int_equal(p[len - 1], 'a' + (int)(i % 26));
        assert_int_equal(p[len], '\0');
    }
    assert_int_equal(journal_reader_next(&r, &p, &len, &seq), 0);

    /* A torn frame at the end: the reader's chunk now holds its first part. */
    char *seg = only_segment(dir);
    int fd = open(seg, O_WRONLY | O_APPEND);
    assert_true(fd >= 0);
    const unsigned char torn[10] = {3, 0, 0, 0, 1, 2, 3, 4, 0, 0};
    assert_int_equal(write(fd, torn, sizeof torn), (ssize_t)sizeof torn);
    close(fd);
    assert_int_equal(journal_reader_next(&r, &p, &len, &seq), 0);
    journal_close(&j); /* cuts the torn frame on the next open */
    assert_int_equal(journal_open(&j, dir, 1, err, sizeof err), 0);
    for (; n < 3100; n++) {
        sizes[n] = 100 + n;
        memset(rec, 'a' + (int)(n % 26), sizes[n]);
        assert_int_equal(journal_append(&j, rec, sizes[n], &seq, &e), 0);
    }
    for (size_t i = 3000; i < n; i++) {
        assert_int_equal(journal_reader_next(&r, &p, &len, &seq), 1);
        assert_int_equal(seq, i + 1);
        assert_int_equal(len, sizes[i]);
        assert_int_equal(p[len - 1], 'a' + (int)(i % 26));
    }
    assert_int_equal(journal_reader_next(&r, &p, &len, &seq), 0);
    journal_reader_close(&r);
    journal_close(&j);
    free(rec);
    free(seg);
    remove_dir(dir);
    free(dir);
}

static void oversized_record_refused(void **state)
{
    char *dir = make_dir();
    journal j;
    char err[256];
    assert_int_equal(journal_open(&j, dir, 1, err, sizeof err), 0);
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

/* ---- a full disk ----------------------------------------------------------------------- */

typedef struct tmpfs {
    char *dir;
    char filler[300];
    bool mounted;
} tmpfs;

/* Setup: a 16 MiB tmpfs of our own, unmounted by the teardown even when a test fails. */
static int tmpfs_setup(void **state)
{
    tmpfs *t = calloc(1, sizeof *t);
    t->dir = make_dir();
    if (mount("tmpfs", t->dir, "tmpfs", 0, "size=16m,mode=0700") == 0) t->mounted = true;
    snprintf(t->filler, sizeof t->filler, "%s/filler", t->dir);
    *state = t;
    return 0;
}

static int tmpfs_teardown(void **state)
{
    tmpfs *t = *state;
    if (t->mounted) umount2(t->dir, MNT_DETACH);
    remove_dir(t->dir);
    free(t->dir);
    free(t);
    return 0;
}

static void need_tmpfs(tmpfs *t)
{
    if (!t->mounted) {
        fprintf(stderr, "skipped: cannot mount a tmpfs here (%s): needs root\n", strerror(EPERM));
        skip();
    }
}

/* Writes into the filler file until the kernel says ENOSPC. */
static void fill(tmpfs *t)
{
    int fd = open(t->filler, O_WRONLY | O_CREAT | O_APPEND, 0600);
    assert_true(fd >= 0);
    static char chunk[65536];
    for (size_t n = sizeof chunk; n >= 512; n /= 2)
        while (write(fd, chunk, n) == (ssize_t)n) {
        }
    assert_int_equal(errno, ENOSPC);
    close(fd);
}

static void unfill(tmpfs *t)
{
    assert_int_equal(unlink(t->filler), 0);
}

/* Reads every record: seqs and first bytes into out (n at most); returns how many. */
static size_t read_all(const char *dir, uint64_t *seqs, char *firsts, size_t n)
{
    journal_reader r;
    assert_int_equal(journal_reader_open(&r, dir, 1), 0);
    const char *p;
    size_t len, k = 0;
    uint64_t seq;
    while (journal_reader_next(&r, &p, &len, &seq) == 1) {
        assert_true(k < n);
        seqs[k] = seq;
        firsts[k] = len ? p[0] : '\0';
        k++;
    }
    journal_reader_close(&r);
    return k;
}

/* The disk fills while orgtrail runs: the tick notices, changes are refused up front, a
 * change already made is written into the reserve, reads are held in memory; once space
 * returns the tick writes them and the journal takes changes again, with no gap in the
 * sequence and nothing acknowledged lost. */
static void full_disk_degrades_and_recovers(void **state)
{
    tmpfs *t = *state;
    need_tmpfs(t);
    journal j;
    char err[256];
    assert_int_equal(journal_open(&j, t->dir, 1, err, sizeof err), 0);
    assert_true(journal_tick(&j));
    uint64_t seq;
    aws_error e;
    assert_int_equal(journal_append(&j, "a1", 2, &seq, &e), 0);
    assert_int_equal(journal_append(&j, "a2", 2, &seq, &e), 0);

    fill(t);
    assert_false(journal_tick(&j));
    assert_false(journal_accepts_changes(&j, &e));
    assert_int_equal(e.status, 503);
    assert_string_equal(e.code, "ServiceUnavailable");
    assert_non_null(strstr(e.message, t->dir));
    assert_non_null(strstr(e.message, "Free disk space"));

    /* A change already made: into the reserve, durable at once. */
    assert_int_equal(journal_capture(&j, "k1", 2, JOURNAL_KEEP, &seq, &e), JOURNAL_DURABLE);
    assert_int_equal(seq, 3);
    /* A read: held. */
    assert_int_equal(journal_capture(&j, "r1", 2, JOURNAL_HOLD, &seq, &e), JOURNAL_HELD);
    /* Changes beyond the reserve wait in memory, never dropped; a strict append (bulk
     * ingestion) is refused instead of failing a write. */
    size_t big = 1u << 20;
    char *rec = malloc(big);
    memset(rec, 'K', big);
    int rc, rounds = 0;
    while ((rc = journal_capture(&j, rec, big, JOURNAL_KEEP, &seq, &e)) == JOURNAL_DURABLE)
        assert_true(++rounds < 8);
    assert_int_equal(rc, JOURNAL_HELD);
    assert_int_equal(journal_append(&j, rec, big, &seq, &e), -1);
    assert_string_equal(e.code, "ServiceUnavailable");
    journal_status st;
    journal_get_status(&j, &st);
    assert_true(st.degraded);
    assert_int_equal(st.held, 2);
    assert_int_equal(st.errnum, ENOSPC);

    /* Still full: no recovery. */
    assert_false(journal_tick(&j));
    unfill(t);
    assert_true(journal_tick(&j));
    journal_get_status(&j, &st);
    assert_false(st.degraded);
    assert_int_equal(st.held, 0);
    assert_true(journal_accepts_changes(&j, &e));
    assert_int_equal(journal_append(&j, "a3", 2, &seq, &e), 0);
    uint64_t last = seq;
    journal_close(&j);

    /* Everything, in one unbroken sequence: a1 a2 k1 K.. r1 K a3. */
    uint64_t seqs[32];
    char firsts[32];
    size_t n = read_all(t->dir, seqs, firsts, 32);
    assert_int_equal(n, last);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(seqs[i], i + 1);
    assert_int_equal(firsts[2], 'k');
    assert_int_equal(firsts[n - 3], 'r');
    assert_int_equal(firsts[n - 2], 'K');
    assert_int_equal(firsts[n - 1], 'a');
    free(rec);
}

/* A write that does not fit (the disk filled between two ticks and the batch is larger than
 * the reserve): the kernel's ENOSPC fails it, the partial frames are cut back out, its
 * appender gets 503, and the journal degrades; what was acknowledged stays readable and the
 * journal reopens cleanly. */
static void failed_write_rolls_back(void **state)
{
    tmpfs *t = *state;
    need_tmpfs(t);
    journal j;
    char err[256];
    assert_int_equal(journal_open(&j, t->dir, 1, err, sizeof err), 0);
    uint64_t seq;
    aws_error e;
    assert_int_equal(journal_append(&j, "a1", 2, &seq, &e), 0);
    fill(t);
    size_t big = 3u << 20;
    char *rec = calloc(1, big);
    journal_item items[2] = {{rec, big}, {rec, big}};
    assert_int_equal(journal_append_batch(&j, items, 2, &seq, &e), -1);
    assert_int_equal(e.status, 503);
    assert_string_equal(e.code, "ServiceUnavailable");
    /* Its appender was told: the failed range is forgotten (outages do not pile up). */
    assert_int_equal(j.n_failed, 0);
    journal_status st;
    journal_get_status(&j, &st);
    assert_true(st.degraded);
    assert_int_equal(st.errnum, ENOSPC);
    /* A read meanwhile is held; a change refused up front. */
    assert_int_equal(journal_capture(&j, "r1", 2, JOURNAL_HOLD, &seq, &e), JOURNAL_HELD);
    assert_false(journal_accepts_changes(&j, &e));
    unfill(t);
    assert_true(journal_tick(&j));
    journal_close(&j);

    uint64_t seqs[8];
    char firsts[8];
    assert_int_equal(read_all(t->dir, seqs, firsts, 8), 2);
    assert_int_equal(firsts[0], 'a');
    assert_int_equal(firsts[1], 'r');
    assert_int_equal(journal_open(&j, t->dir, 1, err, sizeof err), 0);
    assert_int_equal(journal_append(&j, "a2", 2, &seq, &e), 0);
    assert_int_equal(seq, seqs[1] + 1);
    journal_close(&j);
    free(rec);
}

/* Opening on a full disk is no error: the journal starts degraded and recovers. */
static void opens_degraded_on_full_disk(void **state)
{
    tmpfs *t = *state;
    need_tmpfs(t);
    journal j;
    char err[256];
    uint64_t seq;
    aws_error e;
    assert_int_equal(journal_open(&j, t->dir, 1, err, sizeof err), 0);
    assert_int_equal(journal_append(&j, "a1", 2, &seq, &e), 0);
    journal_close(&j);
    fill(t);
    assert_int_equal(journal_open(&j, t->dir, 1, err, sizeof err), 0);
    assert_false(journal_accepts_changes(&j, &e));
    assert_int_equal(journal_capture(&j, "r1", 2, JOURNAL_HOLD, &seq, &e), JOURNAL_HELD);
    unfill(t);
    assert_true(journal_tick(&j));
    assert_true(journal_accepts_changes(&j, &e));
    journal_close(&j);
    uint64_t seqs[4];
    char firsts[4];
    assert_int_equal(read_all(t->dir, seqs, firsts, 4), 2);
    assert_int_equal(seqs[1], 2);
}

/* Past JOURNAL_HELD_MAX bytes, records of reads are dropped and counted; changes are never
 * dropped. Shutting down while degraded makes a last attempt to write what is held. */
static void held_queue_overflow_drops_reads_only(void **state)
{
    char *dir = make_dir();
    journal j;
    char err[256];
    assert_int_equal(journal_open(&j, dir, 1, err, sizeof err), 0);
    journal_degrade(&j, ENOSPC, "test");
    size_t big = 1u << 20;
    char *rec = calloc(1, big);
    uint64_t seq;
    aws_error e;
    size_t held = 0;
    while (journal_capture(&j, rec, big, JOURNAL_HOLD, &seq, &e) == JOURNAL_HELD)
        assert_true(++held <= JOURNAL_HELD_MAX / big);
    assert_int_equal(held, JOURNAL_HELD_MAX / big);
    rec[0] = 'K';
    /* Beyond the reserve: held, though the queue is full. */
    for (int i = 0; i < 6; i++)
        assert_int_not_equal(journal_capture(&j, rec, big, JOURNAL_KEEP, &seq, &e),
                             JOURNAL_DROPPED);
    journal_status st;
    journal_get_status(&j, &st);
    assert_int_equal(st.held_dropped, 1);
    journal_close(&j); /* writes them: /tmp has room */
    uint64_t *seqs = calloc(64, sizeof *seqs);
    char firsts[64];
    size_t n = read_all(dir, seqs, firsts, 64);
    assert_int_equal(n, held + 6);
    free(seqs);
    free(rec);
    remove_dir(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(concurrent_appends_read_back),
        cmocka_unit_test(torn_tail_is_cut),
        cmocka_unit_test(impossible_seq_is_corrupt),
        cmocka_unit_test(reader_chunks_and_growth),
        cmocka_unit_test(oversized_record_refused),
        cmocka_unit_test_setup_teardown(full_disk_degrades_and_recovers, tmpfs_setup,
                                        tmpfs_teardown),
        cmocka_unit_test_setup_teardown(failed_write_rolls_back, tmpfs_setup, tmpfs_teardown),
        cmocka_unit_test_setup_teardown(opens_degraded_on_full_disk, tmpfs_setup, tmpfs_teardown),
        cmocka_unit_test(held_queue_overflow_drops_reads_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
