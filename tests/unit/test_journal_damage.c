/* Journal damage against a torn tail (capture/journal_segment.h, journal_repair.h): a
 * flipped byte or a broken length field with whole frames after it, and any bad byte in an
 * older segment, make journal_open refuse with the file and offset instead of cutting
 * acknowledged records; salvage keeps every whole record with its sequence number, and
 * delivery's reader reports damage in an older segment instead of waiting forever. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/journal.h"
#include "capture/journal_repair.h"
#include "testenv.h"

#define RECORDS 6
#define PAYLOAD 22 /* bytes per record: every frame is FRAME bytes */
#define FRAME (JOURNAL_FRAME_HEADER + PAYLOAD)

typedef struct fixture {
    char dir[64];
    char seg[128]; /* the first segment */
} fixture;

static void record_text(char out[PAYLOAD + 1], uint64_t i)
{
    snprintf(out, PAYLOAD + 1, "{\"record\":%011" PRIu64 "}", i);
}

/* A journal with RECORDS records 1..RECORDS in one segment. */
static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    testenv_mkdtemp(f->dir, sizeof f->dir, "jdamage");
    journal j;
    char err[256];
    assert_int_equal(journal_open(&j, f->dir, 1, err, sizeof err), 0);
    for (uint64_t i = 1; i <= RECORDS; i++) {
        char rec[PAYLOAD + 1];
        record_text(rec, i);
        uint64_t seq;
        aws_error e;
        assert_int_equal(journal_append(&j, rec, PAYLOAD, &seq, &e), 0);
        assert_int_equal(seq, i);
    }
    journal_close(&j);
    snprintf(f->seg, sizeof f->seg, "%s/journal/%020d.jnl", f->dir, 1);
    struct stat st;
    assert_int_equal(stat(f->seg, &st), 0);
    assert_int_equal(st.st_size, RECORDS * FRAME);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    testenv_rmtree(f->dir);
    free(f);
    return 0;
}

static void flip_byte(const char *path, off_t at)
{
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    unsigned char b;
    assert_int_equal(pread(fd, &b, 1, at), 1);
    b ^= 0x10;
    assert_int_equal(pwrite(fd, &b, 1, at), 1);
    close(fd);
}

/* Moves the frames from record `from` on into a segment of their own, as rotation does. */
static void split_segment(fixture *f, uint64_t from)
{
    buf all = BUF_INIT;
    assert_int_equal(journal_segment_read(f->seg, &all), 0);
    size_t cut = (size_t)(from - 1) * FRAME;
    char newer[128];
    snprintf(newer, sizeof newer, "%s/journal/%020" PRIu64 ".jnl", f->dir, from);
    int fd = open(newer, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, all.data + cut, all.len - cut), (ssize_t)(all.len - cut));
    close(fd);
    assert_int_equal(truncate(f->seg, (off_t)cut), 0);
    buf_free(&all);
}

static void file_bytes(const char *path, buf *out)
{
    assert_int_equal(journal_segment_read(path, out), 0);
}

/* Reads every record from `from`: their seqs in order into seqs (returns how many), the
 * reader's last result in *last. */
static size_t read_all(const char *dir, uint64_t from, uint64_t *seqs, size_t max, int *last)
{
    journal_reader r;
    assert_int_equal(journal_reader_open(&r, dir, from), 0);
    size_t n = 0;
    const char *p;
    size_t len;
    uint64_t seq;
    while ((*last = journal_reader_next(&r, &p, &len, &seq)) == 1) {
        char want[PAYLOAD + 1];
        record_text(want, seq);
        assert_int_equal(len, PAYLOAD);
        assert_memory_equal(p, want, PAYLOAD);
        if (n < max) seqs[n] = seq;
        n++;
    }
    journal_reader_close(&r);
    return n;
}

static void assert_refused_naming(fixture *f, const char *path, uint64_t offset, uint64_t from)
{
    buf before = BUF_INIT, after = BUF_INIT;
    file_bytes(path, &before);
    journal j;
    char err[1024];
    assert_int_equal(journal_open(&j, f->dir, from, err, sizeof err), -1);
    char at[64];
    snprintf(at, sizeof at, "at offset %" PRIu64 " ", offset);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, at));
    assert_non_null(strstr(err, "orgtrail journal salvage"));
    file_bytes(path, &after); /* refusing changed nothing */
    assert_int_equal(before.len, after.len);
    assert_memory_equal(before.data, after.data, before.len);
    buf_free(&before);
    buf_free(&after);
}

/* After salvage: reopening works, appends go on after the last record, and a reader gives
 * every record but `lost`, then the new one. */
static void assert_salvaged(fixture *f, uint64_t lost)
{
    journal_report rep;
    char err[1024];
    assert_int_equal(journal_salvage(f->dir, &rep, err, sizeof err), 0);
    assert_int_equal(rep.salvaged, 1);
    assert_int_equal(rep.records, RECORDS - 1);
    size_t kept = 0;
    for (size_t i = 0; i < rep.n_segments; i++)
        if (rep.segments[i].kept_as) {
            struct stat st;
            assert_int_equal(stat(rep.segments[i].kept_as, &st), 0);
            kept++;
        }
    assert_int_equal(kept, 1);
    journal_report_free(&rep);
    assert_int_equal(journal_check(f->dir, &rep, err, sizeof err), 0);
    assert_int_equal(rep.damaged, 0);
    journal_report_free(&rep);

    journal j;
    assert_int_equal(journal_open(&j, f->dir, 1, err, sizeof err), 0);
    char rec[PAYLOAD + 1];
    record_text(rec, RECORDS + 1);
    uint64_t seq;
    aws_error e;
    assert_int_equal(journal_append(&j, rec, PAYLOAD, &seq, &e), 0);
    assert_int_equal(seq, RECORDS + 1); /* no number is given twice */
    journal_close(&j);
    uint64_t seqs[RECORDS + 2];
    int last;
    assert_int_equal(read_all(f->dir, 1, seqs, RECORDS + 2, &last), RECORDS);
    assert_int_equal(last, 0);
    for (uint64_t want = 1, i = 0; want <= RECORDS + 1; want++)
        if (want != lost) assert_int_equal(seqs[i++], want);
}

/* A flipped payload byte in record 3 of the newest segment, records 4..6 whole after it. */
static void flipped_byte_in_newest_is_damage(void **state)
{
    fixture *f = *state;
    off_t frame3 = 2 * FRAME;
    flip_byte(f->seg, frame3 + JOURNAL_FRAME_HEADER + 5);
    assert_refused_naming(f, f->seg, (uint64_t)frame3, 1);
    journal_damage d;
    assert_int_equal(journal_find_damage(f->dir, 1, true, &d), 1);
    assert_int_equal(d.offset, frame3);
    assert_int_equal(d.bytes, FRAME);
    assert_int_equal(d.after_seq, 2);
    assert_int_equal(d.before_seq, 4);
    journal_damage_clear(&d);
    assert_salvaged(f, 3);
}

/* A broken length field cannot hide the frames behind it: the scan finds record 3 again. */
static void broken_length_field_is_damage(void **state)
{
    fixture *f = *state;
    flip_byte(f->seg, FRAME + 2); /* record 2's length: 2^20 + 22 bytes, past the end */
    assert_refused_naming(f, f->seg, FRAME, 1);
    assert_salvaged(f, 2);
}

/* Bad bytes at the very end with nothing whole after them are a torn write: cut. */
static void bad_last_frame_is_a_torn_tail(void **state)
{
    fixture *f = *state;
    flip_byte(f->seg, (RECORDS - 1) * FRAME + JOURNAL_FRAME_HEADER + 1);
    journal_report rep;
    char err[256];
    assert_int_equal(journal_check(f->dir, &rep, err, sizeof err), 0);
    assert_int_equal(rep.damaged, 0);
    assert_int_equal(rep.segments[0].scan.n_gaps, 1);
    journal_report_free(&rep);
    journal j;
    assert_int_equal(journal_open(&j, f->dir, 1, err, sizeof err), 0);
    assert_int_equal(journal_position(&j), RECORDS);
    journal_close(&j);
    struct stat st;
    assert_int_equal(stat(f->seg, &st), 0);
    assert_int_equal(st.st_size, (RECORDS - 1) * FRAME);
}

/* Damage in an older segment: start-up refuses while delivery still needs it, a reader
 * says JOURNAL_READ_DAMAGED where it stops (not 0, "nothing yet"), salvage repairs it. */
static void damage_in_older_segment(void **state)
{
    fixture *f = *state;
    split_segment(f, 4);          /* 1..3 | 4..6 */
    flip_byte(f->seg, FRAME + 9); /* record 2's seq */
    assert_refused_naming(f, f->seg, FRAME, 1);
    assert_refused_naming(f, f->seg, FRAME, 3);

    uint64_t seqs[RECORDS];
    int last;
    assert_int_equal(read_all(f->dir, 1, seqs, RECORDS, &last), 1);
    assert_int_equal(last, JOURNAL_READ_DAMAGED);
    journal_reader r;
    assert_int_equal(journal_reader_open(&r, f->dir, 2), 0);
    const char *p;
    size_t len;
    uint64_t seq;
    assert_int_equal(journal_reader_next(&r, &p, &len, &seq), JOURNAL_READ_DAMAGED);
    journal_damage d;
    assert_int_equal(journal_reader_damage(&r, &d), 1);
    assert_string_equal(d.path, f->seg);
    assert_int_equal(d.offset, FRAME);
    journal_damage_clear(&d);
    journal_reader_close(&r);

    /* Once delivery is past the older segment, its damage no longer stops the server. */
    journal j;
    char err[1024];
    assert_int_equal(journal_open(&j, f->dir, 4, err, sizeof err), 0);
    journal_close(&j);
    assert_salvaged(f, 2);
}

/* Records lost at the end of the newest segment are never numbered again once a reader
 * was past them, and a second process cannot open a journal in use. */
static void numbers_never_reused_and_one_process(void **state)
{
    fixture *f = *state;
    assert_int_equal(truncate(f->seg, 3 * FRAME), 0);
    journal j, other;
    char err[256];
    assert_int_equal(journal_open(&j, f->dir, RECORDS + 1, err, sizeof err), 0);
    assert_int_equal(journal_position(&j), RECORDS + 1);
    assert_int_equal(journal_open(&other, f->dir, 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "in use by another orgtrail process"));
    journal_report rep;
    assert_int_equal(journal_check(f->dir, &rep, err, sizeof err), -1);
    journal_report_free(&rep);
    journal_close(&j);
    assert_int_equal(journal_check(f->dir, &rep, err, sizeof err), 0);
    assert_int_equal(rep.records, 3);
    journal_report_free(&rep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(flipped_byte_in_newest_is_damage, setup, teardown),
        cmocka_unit_test_setup_teardown(broken_length_field_is_damage, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_last_frame_is_a_torn_tail, setup, teardown),
        cmocka_unit_test_setup_teardown(damage_in_older_segment, setup, teardown),
        cmocka_unit_test_setup_teardown(numbers_never_reused_and_one_process, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
