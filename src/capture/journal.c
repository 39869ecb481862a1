#include "capture/journal.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "capture/journal_segment.h"
#include "core/fsync_dir.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/mutex.h"
#include "core/xalloc.h"

#define SEGMENT_LIMIT (64ull << 20)

/* What an errno says about the data directory, for messages. */
static const char *why(int err)
{
    switch (err) {
    case ENOSPC:
    case EDQUOT:
        return "is full";
    case EROFS:
        return "is read-only";
    case EACCES:
    case EPERM:
        return "is not writable";
    default:
        return "cannot be written";
    }
}

/* Called with the mutex held (journal_open holds it too). */
static void degrade_locked(journal *j, int err, const char *what)
{
    assert(mutex_held(&j->mu));
    if (j->degraded) return;
    j->degraded = true;
    j->degraded_errno = err;
    ot_log("the data directory %s %s (%s: %s): refusing changes with 503 "
           "ServiceUnavailable and holding the records of read-only calls in memory; free "
           "disk space in %s (or make it writable), orgtrail resumes by itself",
           j->data_dir, why(err), what, strerror(err), j->data_dir);
}

/* Allocates n bytes at `from` without changing the file's size: writes into them cannot run
 * out of space. 0, or -1 with errno. A file system without fallocate gets no reserve (best
 * effort: its writes can still fail, which degrades the journal as well). */
static int reserve_space(int fd, uint64_t from, uint64_t n)
{
    if (fallocate(fd, FALLOC_FL_KEEP_SIZE, (off_t)from, (off_t)n) == 0) return 0;
    if (errno == EOPNOTSUPP || errno == ENOSYS) return 0;
    return -1;
}

/* Makes `first` the current segment, which already holds `bytes` bytes, and reserves space
 * after them (failing to is no error: the journal is degraded instead). Called with the
 * mutex held (journal_open holds it too). */
static int open_segment(journal *j, uint64_t first, uint64_t bytes, char *err, size_t errlen)
{
    assert(mutex_held(&j->mu));
    char *path = journal_segment_path(j->dir, first);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        free(path);
        return -1;
    }
    free(path);
    if (j->fd >= 0) {
        /* The old segment's unused reserve goes back to the file system; failing to give it
         * back only wastes space. */
        if (ftruncate(j->fd, (off_t)j->segment_bytes)) {
        }
        close(j->fd);
    }
    j->fd = fd;
    j->segment_first = first;
    j->segment_bytes = bytes;
    j->alloc_end = bytes;
    fsync_dir(j->dir);
    if (reserve_space(fd, bytes, JOURNAL_RESERVE) == 0)
        j->alloc_end = bytes + JOURNAL_RESERVE;
    else
        degrade_locked(j, errno, "cannot reserve journal space");
    return 0;
}

/* 0 when the journal's file system is writable and has room, else an errno saying why. */
static int check_dir(const journal *j)
{
    struct statvfs v;
    if (statvfs(j->dir, &v)) return errno;
    if (v.f_flag & ST_RDONLY) return EROFS;
    if (access(j->dir, W_OK) || access(j->data_dir, W_OK)) return errno;
    if ((uint64_t)v.f_bavail * v.f_frsize < JOURNAL_MIN_FREE) return ENOSPC;
    return 0;
}

/* Gives up the directory (its lock, the paths) and leaves *j closed. */
static void release_dir(journal *j)
{
    if (j->lock_fd >= 0) close(j->lock_fd);
    free(j->dir);
    free(j->data_dir);
    memset(j, 0, sizeof *j);
    j->fd = -1;
    j->lock_fd = -1;
}

/* Recovers the newest segment: cuts a torn tail (never acknowledged), refuses damage.
 * Sets *next to the seq after its last whole frame. */
static int recover_newest(journal *j, uint64_t first, uint64_t *next, char *err, size_t errlen)
{
    char *path = journal_segment_path(j->dir, first);
    buf bytes = BUF_INIT;
    int rc = -1;
    if (journal_segment_read(path, &bytes)) {
        snprintf(err, errlen, "cannot read the journal segment %s: %s", path, strerror(errno));
        goto out;
    }
    journal_segment_scan scan;
    journal_segment_scan_bytes((const unsigned char *)bytes.data, bytes.len, first, true, NULL,
                               NULL, &scan);
    if (scan.damaged) {
        const journal_gap *g = &scan.gaps[0];
        journal_damage d = {path, g->offset, g->bytes, g->after_seq, g->before_seq};
        journal_damage_describe(&d, j->data_dir, err, errlen);
        journal_segment_scan_clear(&scan);
        goto out;
    }
    uint64_t good = scan.good_end;
    *next = scan.records ? scan.last_seq + 1 : first;
    journal_segment_scan_clear(&scan);
    if (bytes.len > good) {
        /* A crash cut the last batch short: it was never acknowledged, so drop it. */
        int fd = open(path, O_RDWR | O_CLOEXEC);
        if (fd < 0 || ftruncate(fd, (off_t)good) || fdatasync(fd)) {
            snprintf(err, errlen, "cannot repair the journal tail of %s: %s", path,
                     strerror(errno));
            if (fd >= 0) close(fd);
            goto out;
        }
        close(fd);
    }
    if (open_segment(j, first, good, err, errlen) == 0) rc = 0;
out:
    buf_free(&bytes);
    free(path);
    return rc;
}

int journal_open(journal *j, const char *data_dir, uint64_t from, char *err, size_t errlen)
{
    memset(j, 0, sizeof *j);
    j->fd = -1;
    j->lock_fd = -1;
    j->segment_limit = SEGMENT_LIMIT;
    /* Held while it recovers, so that what runs under it finds the mutex held as always. */
    mutex_init(&j->mu);
    pthread_cond_init(&j->cv, NULL);
    mutex_lock(&j->mu);
    if (asprintf(&j->dir, "%s/journal", data_dir) < 0) abort();
    j->data_dir = strdup(data_dir);
    if (!j->data_dir) abort();
    uint64_t *segs = NULL;
    size_t n = 0;
    uint64_t next = 1;
    if (mkdir(j->dir, 0700) && errno != EEXIST) {
        snprintf(err, errlen, "cannot create %s: %s", j->dir, strerror(errno));
        goto fail;
    }
    if (journal_lock_dir(j->dir, &j->lock_fd, err, errlen)) goto fail;
    journal_damage d;
    int found = journal_find_damage(data_dir, from ? from : 1, false, &d);
    if (found) {
        if (found > 0)
            journal_damage_describe(&d, data_dir, err, errlen);
        else
            snprintf(err, errlen, "cannot read the journal in %s: %s", j->dir, strerror(errno));
        journal_damage_clear(&d);
        goto fail;
    }
    n = journal_segment_list(j->dir, &segs);
    if (n ? recover_newest(j, segs[n - 1], &next, err, errlen) : open_segment(j, 1, 0, err, errlen))
        goto fail;
    free(segs);
    /* Records up to `from` were handed out before (a reader got that far): their numbers
     * are never given again, even if their frames are gone. */
    if (from > next) next = from;
    /* Starting on a full disk is no error: reads are served, changes refused. */
    int bad = check_dir(j);
    if (bad) degrade_locked(j, bad, "at start-up");
    j->next_seq = next;
    j->pending_first = next;
    j->durable_seq = next - 1;
    mutex_unlock(&j->mu);
    return 0;
fail:
    free(segs);
    if (j->fd >= 0) close(j->fd);
    mutex_unlock(&j->mu);
    mutex_destroy(&j->mu);
    pthread_cond_destroy(&j->cv);
    release_dir(j);
    return -1;
}

static void flush_batch(journal *j);

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Appends one frame (header with seq and CRC, then the payload) to b. */
static void frame_append(buf *b, uint64_t seq, const void *payload, size_t len)
{
    unsigned char hdr[JOURNAL_FRAME_HEADER];
    journal_put_u32(hdr, (uint32_t)len);
    journal_put_u64(hdr + 8, seq);
    journal_put_u32(hdr + 4, journal_frame_crc(hdr + 8, payload, len));
    buf_append(b, hdr, sizeof hdr);
    buf_append(b, payload, len);
}

/* Writes frames at the end of the current segment, makes them durable and tops the reserve
 * up. The caller owns the file: it is the leader, or recovers with the mutex held. Returns
 * 0 (*reserve_err set when no new reserve could be had: the caller degrades), -1 when the
 * write failed and was cut back out (*werr says why), -2 when even that failed. *alloc is
 * the segment's allocated end afterwards. */
static int write_frames(journal *j, const buf *b, uint64_t *alloc, int *werr, int *reserve_err)
{
    uint64_t before = j->segment_bytes, end = before + b->len;
    *werr = *reserve_err = 0;
    if (write_all(j->fd, b->data ? b->data : "", b->len) || fdatasync(j->fd)) {
        *werr = errno;
        /* Take the partial batch back out so the file holds only acknowledged frames. This
         * frees the reserve as well. */
        *alloc = before;
        if (ftruncate(j->fd, (off_t)before) || fdatasync(j->fd)) return -2;
        return -1;
    }
    *alloc = j->alloc_end > end ? j->alloc_end : end;
    if (*alloc - end < JOURNAL_RESERVE / 2) {
        if (reserve_space(j->fd, end, JOURNAL_RESERVE) == 0)
            *alloc = end + JOURNAL_RESERVE;
        else
            *reserve_err = errno;
    }
    return 0;
}

static void free_held(journal *j)
{
    for (size_t i = 0; i < j->n_held; i++)
        free(j->held[i].payload);
    j->n_held = 0;
    j->held_bytes = 0;
}

/* With the mutex held, no batch pending or being written: appends the held records (new
 * sequence numbers, after every record written so far) and tops the reserve up. Holding the
 * mutex keeps any other record from taking a number in between. 0 when they are durable
 * and a reserve is in place, -1 otherwise (records still held unless written). */
static int write_held_locked(journal *j)
{
    assert(mutex_held(&j->mu));
    buf frames = BUF_INIT;
    for (size_t i = 0; i < j->n_held; i++)
        frame_append(&frames, j->next_seq + i, j->held[i].payload, j->held[i].len);
    uint64_t alloc;
    int werr, rerr;
    int rc = write_frames(j, &frames, &alloc, &werr, &rerr);
    j->alloc_end = alloc;
    if (rc) {
        if (rc == -2) j->broken = true;
        buf_free(&frames);
        return -1;
    }
    j->segment_bytes += frames.len;
    buf_free(&frames);
    if (j->n_held) {
        j->next_seq += j->n_held;
        j->pending_first = j->next_seq;
        j->durable_seq = j->next_seq - 1;
        j->batches++;
        j->records += j->n_held;
    }
    free_held(j);
    if (j->segment_bytes >= j->segment_limit) {
        char err[256];
        if (open_segment(j, j->next_seq, 0, err, sizeof err)) j->broken = true;
    }
    return rerr || j->broken ? -1 : 0;
}

/* Lets a running batch and a pending one finish: the caller may then write itself. */
static void drain_locked(journal *j)
{
    assert(mutex_held(&j->mu));
    while (j->flushing || j->pending.len) {
        if (!j->flushing)
            flush_batch(j);
        else
            mutex_cond_wait(&j->cv, &j->mu);
    }
}

void journal_close(journal *j)
{
    if (!j->dir) return;
    mutex_lock(&j->mu);
    drain_locked(j);
    /* Shutting down while degraded: a last try, whatever the free-space margin. */
    if (j->n_held && (j->broken || write_held_locked(j)) && j->n_held)
        ot_log("%zu held record(s) could not be written to %s and are lost", j->n_held, j->dir);
    mutex_unlock(&j->mu);
    if (j->fd >= 0) {
        if (!j->broken && ftruncate(j->fd, (off_t)j->segment_bytes)) {
            /* The reserve stays allocated: harmless, the next open reuses it. */
        }
        fdatasync(j->fd);
        close(j->fd);
    }
    buf_free(&j->pending);
    free(j->failed);
    free_held(j);
    free(j->held);
    mutex_destroy(&j->mu);
    pthread_cond_destroy(&j->cv);
    release_dir(j);
}

/* Called by the leader with the mutex held; returns with it held. */
static void flush_batch(journal *j)
{
    assert(mutex_held(&j->mu));
    buf batch = j->pending;
    uint64_t first = j->pending_first, last = j->next_seq - 1;
    size_t appenders = j->pending_appenders;
    j->pending = (buf)BUF_INIT;
    j->pending_first = j->next_seq;
    j->pending_appenders = 0;
    j->flushing = true;
    mutex_unlock(&j->mu);

    uint64_t alloc;
    int werr, rerr;
    int rc = write_frames(j, &batch, &alloc, &werr, &rerr);
    size_t len = batch.len;
    buf_free(&batch);

    mutex_lock(&j->mu);
    j->queued_bytes -= len;
    j->alloc_end = alloc;
    if (rc) {
        bool broken = rc == -2;
        if (j->n_failed == JOURNAL_MAX_FAILED) {
            broken = true;
        } else if (appenders) {
            if (!j->failed) j->failed = calloc(JOURNAL_MAX_FAILED, sizeof *j->failed);
            if (!j->failed) abort();
            j->failed[j->n_failed++] = (journal_failed){first, last, appenders};
        }
        j->broken |= broken;
        degrade_locked(j, werr, "cannot write the journal");
    } else {
        j->segment_bytes += len;
        j->batches++;
        j->records += last - first + 1;
        if (rerr) degrade_locked(j, rerr, "cannot reserve journal space");
    }
    j->durable_seq = last;
    j->flushing = false;
    if (rc == 0 && j->segment_bytes >= j->segment_limit) {
        char err[256];
        if (open_segment(j, last + 1, 0, err, sizeof err)) j->broken = true;
    }
    pthread_cond_broadcast(&j->cv);
}

/* 503 for a record that cannot be stored; e names the directory and the way out. */
static int fail_unavailable(const journal *j, bool broken, int err, aws_error *e)
{
    if (broken)
        return aws_fail(e, 503, "ServiceUnavailable",
                        "orgtrail cannot store new records: a failed write to %s could not be "
                        "rolled back. Free disk space or fix the directory's permissions, then "
                        "restart orgtrail.",
                        j->dir);
    return aws_fail(e, 503, "ServiceUnavailable",
                    "orgtrail cannot store changes: its data directory %s %s (%s). Free disk "
                    "space in %s (or make it writable); orgtrail resumes by itself. Nothing was "
                    "changed.",
                    j->data_dir, why(err), strerror(err), j->data_dir);
}

/* Whether a write of `bytes` more fits into what the segment has allocated. */
static bool fits_reserve(const journal *j, uint64_t bytes)
{
    return j->segment_bytes + j->queued_bytes + bytes <= j->alloc_end;
}

int journal_append(journal *j, const void *payload, size_t len, uint64_t *seq, aws_error *e)
{
    journal_item it = {payload, len};
    return journal_append_batch(j, &it, 1, seq, e);
}

int journal_append_batch(journal *j, const journal_item *items, size_t n, uint64_t *first_seq,
                         aws_error *e)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (items[i].len > JOURNAL_MAX_RECORD)
            return aws_fail(e, 400, "ValidationException", "The record is larger than %u bytes.",
                            JOURNAL_MAX_RECORD);
        total += JOURNAL_FRAME_HEADER + items[i].len;
    }
    if (n == 0) {
        *first_seq = 0;
        return 0;
    }
    /* The frames are copied together outside the lock, so that other appenders are not
     * held up by a large batch; headers need the sequence numbers, known only under it. */
    buf frames = BUF_INIT;
    buf_reserve(&frames, total);
    for (size_t i = 0; i < n; i++) {
        unsigned char hdr[JOURNAL_FRAME_HEADER];
        journal_put_u32(hdr, (uint32_t)items[i].len);
        buf_append(&frames, hdr, sizeof hdr);
        buf_append(&frames, items[i].payload, items[i].len);
    }
    mutex_lock(&j->mu);
    /* Degraded, a write goes ahead only while it fits into the reserve (it cannot fail for
     * space then); beyond it, failing at once spares the disk and keeps sequence numbers
     * and the failed-batch list untouched. */
    if (j->broken || (j->degraded && !fits_reserve(j, total))) {
        bool broken = j->broken;
        int err = j->degraded_errno;
        mutex_unlock(&j->mu);
        buf_free(&frames);
        return fail_unavailable(j, broken, err, e);
    }
    uint64_t first = j->next_seq, last = first + n - 1;
    j->next_seq += n;
    j->queued_bytes += total;
    /* The CRC covers the sequence number, so it is computed here (CRC32 runs at many
     * GB/s: the lock is held for microseconds even for a large batch). */
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char *hdr = (unsigned char *)frames.data + off;
        journal_put_u64(hdr + 8, first + i);
        journal_put_u32(hdr + 4,
                        journal_frame_crc(hdr + 8, hdr + JOURNAL_FRAME_HEADER, items[i].len));
        off += JOURNAL_FRAME_HEADER + items[i].len;
    }
    if (j->pending.len == 0) {
        buf_free(&j->pending);
        j->pending = frames; /* no copy for the common case of an idle journal */
        frames = (buf)BUF_INIT;
    } else {
        buf_append(&j->pending, frames.data, frames.len);
    }
    j->pending_appenders++;
    while (j->durable_seq < last) {
        if (!j->flushing)
            flush_batch(j);
        else
            mutex_cond_wait(&j->cv, &j->mu);
    }
    bool failed = false;
    for (size_t i = 0; i < j->n_failed && !failed; i++) {
        journal_failed *f = &j->failed[i];
        if (last < f->first || first > f->last) continue;
        failed = true;
        if (--f->waiters == 0) j->failed[i] = j->failed[--j->n_failed]; /* told everyone */
    }
    bool broken = j->broken;
    int err = j->degraded_errno;
    mutex_unlock(&j->mu);
    buf_free(&frames);
    if (failed) return fail_unavailable(j, broken, err ? err : EIO, e);
    *first_seq = first;
    return 0;
}

/* ---- degraded mode ------------------------------------------------------------------- */

/* With the mutex held. */
static int hold_locked(journal *j, const void *payload, size_t len, bool keep)
{
    assert(mutex_held(&j->mu));
    j->held_total++;
    if (!keep && j->held_bytes + len > JOURNAL_HELD_MAX) {
        j->held_dropped++;
        /* The first drop and then every 1000th: an outage must not flood the log. */
        if (j->held_dropped % 1000 == 1)
            ot_log("%llu record(s) of read-only calls dropped: %llu MiB of records "
                   "already wait for space in %s",
                   (unsigned long long)j->held_dropped,
                   (unsigned long long)(JOURNAL_HELD_MAX >> 20), j->data_dir);
        return JOURNAL_DROPPED;
    }
    j->held = xgrow(j->held, &j->cap_held, j->n_held + 1, sizeof *j->held);
    journal_held *h = &j->held[j->n_held++];
    h->payload = malloc(len ? len : 1);
    if (!h->payload) abort();
    memcpy(h->payload, payload, len);
    h->len = len;
    h->keep = keep;
    if (!keep) j->held_bytes += len;
    return JOURNAL_HELD;
}

int journal_capture(journal *j, const void *payload, size_t len, journal_mode mode, uint64_t *seq,
                    aws_error *e)
{
    if (len > JOURNAL_MAX_RECORD)
        return aws_fail(e, 400, "ValidationException", "The record is larger than %u bytes.",
                        JOURNAL_MAX_RECORD);
    mutex_lock(&j->mu);
    /* Reads wait in memory at once (the reserve is for changes already made); a change is
     * written into the reserve while it fits. */
    bool hold =
        j->broken ||
        (j->degraded && (mode == JOURNAL_HOLD || !fits_reserve(j, JOURNAL_FRAME_HEADER + len)));
    if (hold) {
        int r = hold_locked(j, payload, len, mode == JOURNAL_KEEP);
        mutex_unlock(&j->mu);
        return r;
    }
    mutex_unlock(&j->mu);
    aws_error ignored;
    if (journal_append(j, payload, len, seq, &ignored) == 0) return JOURNAL_DURABLE;
    /* The write failed (and degraded the journal): the record waits for recovery. */
    mutex_lock(&j->mu);
    int r = hold_locked(j, payload, len, mode == JOURNAL_KEEP);
    mutex_unlock(&j->mu);
    return r;
}

bool journal_accepts_changes(journal *j, aws_error *e)
{
    mutex_lock(&j->mu);
    bool ok = !j->degraded && !j->broken, broken = j->broken;
    int err = j->degraded_errno;
    mutex_unlock(&j->mu);
    if (!ok) fail_unavailable(j, broken, err, e);
    return ok;
}

void journal_degrade(journal *j, int errnum, const char *what)
{
    mutex_lock(&j->mu);
    degrade_locked(j, errnum, what);
    mutex_unlock(&j->mu);
}

bool journal_tick(journal *j)
{
    int bad = check_dir(j);
    mutex_lock(&j->mu);
    if (j->broken || (j->degraded && bad)) {
        mutex_unlock(&j->mu);
        return false;
    }
    if (!j->degraded) {
        if (bad) degrade_locked(j, bad, "free-space check");
        mutex_unlock(&j->mu);
        return !bad;
    }
    /* Degraded, and the directory looks healthy again: recover. */
    drain_locked(j);
    size_t n = j->n_held;
    if (j->broken || write_held_locked(j)) {
        mutex_unlock(&j->mu);
        return false;
    }
    j->degraded = false;
    j->degraded_errno = 0;
    ot_log("the data directory %s is writable again: %zu held record(s) written, "
           "%llu dropped since start; accepting changes again",
           j->data_dir, n, (unsigned long long)j->held_dropped);
    pthread_cond_broadcast(&j->cv);
    mutex_unlock(&j->mu);
    return true;
}

void journal_get_status(journal *j, journal_status *st)
{
    mutex_lock(&j->mu);
    st->degraded = j->degraded;
    st->broken = j->broken;
    st->errnum = j->degraded_errno;
    st->held = j->n_held;
    st->held_dropped = j->held_dropped;
    mutex_unlock(&j->mu);
}

/* ---- reading ------------------------------------------------------------------------- */

int journal_reader_open(journal_reader *r, const char *data_dir, uint64_t from)
{
    memset(r, 0, sizeof *r);
    r->fd = -1;
    if (asprintf(&r->dir, "%s/journal", data_dir) < 0) abort();
    r->next_seq = from ? from : 1;
    return 0;
}

void journal_reader_close(journal_reader *r)
{
    if (r->fd >= 0) close(r->fd);
    buf_free(&r->frame);
    buf_free(&r->chunk);
    free(r->dir);
    memset(r, 0, sizeof *r);
    r->fd = -1;
}

static int reader_open_segment(journal_reader *r, uint64_t first)
{
    if (r->fd >= 0) close(r->fd);
    char *path = journal_segment_path(r->dir, first);
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    free(path);
    if (r->fd < 0) return -1;
    r->segment_first = first;
    r->offset = 0;
    r->chunk.len = 0; /* the chunk was the previous segment's */
    r->chunk_off = 0;
    return 1;
}

/* Opens the segment that holds r->next_seq (the last one starting at or before it). */
static int reader_seek(journal_reader *r)
{
    uint64_t *segs;
    size_t n = journal_segment_list(r->dir, &segs);
    if (!n) {
        free(segs);
        return 0;
    }
    uint64_t pick = segs[0];
    for (size_t i = 0; i < n; i++)
        if (segs[i] <= r->next_seq) pick = segs[i];
    free(segs);
    if (r->fd >= 0 && pick == r->segment_first) return 1;
    return reader_open_segment(r, pick);
}

/* The first segment after the reader's: 1 with its name, 0 when the reader's is the
 * newest. */
static int newer_segment(const journal_reader *r, uint64_t *first)
{
    uint64_t *segs;
    size_t n = journal_segment_list(r->dir, &segs);
    int found = 0;
    for (size_t i = 0; i < n && !found; i++)
        if (segs[i] > r->segment_first) {
            *first = segs[i];
            found = 1;
        }
    free(segs);
    return found;
}

/* Loads the chunk from r->offset: at least `need` bytes when the file has them. Returns
 * how many bytes the chunk holds from r->offset. */
static size_t chunk_load(journal_reader *r, size_t need)
{
    size_t want = need > JOURNAL_READ_CHUNK ? need : JOURNAL_READ_CHUNK;
    buf_reset(&r->chunk);
    buf_reserve(&r->chunk, want);
    r->chunk_off = r->offset;
    size_t got = 0;
    while (got < want) {
        ssize_t n = pread(r->fd, r->chunk.data + got, want - got, (off_t)(r->offset + got));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
    }
    r->chunk.len = got;
    return got;
}

/* Bytes the chunk holds from r->offset on. */
static size_t chunk_avail(const journal_reader *r)
{
    if (r->offset < r->chunk_off || r->offset > r->chunk_off + r->chunk.len) return 0;
    return (size_t)(r->chunk_off + r->chunk.len - r->offset);
}

/* The whole valid frame at r->offset, from the chunk or (`reread`, or the chunk ends
 * first) from the file. 1 with its parts (payload points into the chunk), or 0. */
static int chunk_frame(journal_reader *r, bool reread, uint32_t *len, uint64_t *seq,
                       const unsigned char **payload)
{
    if (reread || chunk_avail(r) < JOURNAL_FRAME_HEADER)
        if (chunk_load(r, JOURNAL_FRAME_HEADER) < JOURNAL_FRAME_HEADER) return 0;
    const unsigned char *h = (const unsigned char *)r->chunk.data + (r->offset - r->chunk_off);
    uint32_t l = journal_get_u32(h);
    if (l > JOURNAL_MAX_RECORD) return 0;
    if (chunk_avail(r) < JOURNAL_FRAME_HEADER + l) {
        if (chunk_load(r, JOURNAL_FRAME_HEADER + l) < JOURNAL_FRAME_HEADER + l) return 0;
        h = (const unsigned char *)r->chunk.data;
        l = journal_get_u32(h);
        if (l > JOURNAL_MAX_RECORD || chunk_avail(r) < JOURNAL_FRAME_HEADER + l) return 0;
    }
    if (journal_frame_crc(h + 8, h + JOURNAL_FRAME_HEADER, l) != journal_get_u32(h + 4))
        return 0;                                           /* still being written */
    if (journal_get_u64(h + 8) > JOURNAL_MAX_SEQ) return 0; /* corrupt, never written by us */
    *len = l;
    *seq = journal_get_u64(h + 8);
    *payload = h + JOURNAL_FRAME_HEADER;
    return 1;
}

int journal_reader_next(journal_reader *r, const char **out, size_t *len, uint64_t *seq)
{
    if (r->fd < 0) {
        int s = reader_seek(r);
        if (s <= 0) return s;
    }
    bool newer_seen = false;
    for (;;) {
        uint32_t l;
        uint64_t s;
        const unsigned char *payload;
        /* A chunk read earlier may hold a frame that was incomplete then. */
        if (chunk_frame(r, false, &l, &s, &payload) || chunk_frame(r, true, &l, &s, &payload)) {
            r->offset += JOURNAL_FRAME_HEADER + l;
            if (s < r->next_seq) continue;
            buf_reset(&r->frame);
            buf_append(&r->frame, payload, l);
            r->next_seq = s + 1;
            *out = r->frame.data;
            *len = l;
            *seq = s;
            return 1;
        }
        /* No whole frame here. In the newest segment that is its end for now (the rest may
         * still be being written). A newer segment is created only after this one's last
         * write, so once one exists, a second look at this one is final. */
        uint64_t next_first;
        if (!newer_segment(r, &next_first)) return 0;
        if (!newer_seen) {
            newer_seen = true;
            continue;
        }
        struct stat st;
        if (fstat(r->fd, &st)) return -1;
        if (r->offset < (uint64_t)st.st_size) return JOURNAL_READ_DAMAGED;
        if (reader_open_segment(r, next_first) < 0) return -1;
        newer_seen = false;
    }
}

int journal_reader_damage(const journal_reader *r, journal_damage *d)
{
    memset(d, 0, sizeof *d);
    char *path = journal_segment_path(r->dir, r->segment_first);
    buf bytes = BUF_INIT;
    if (journal_segment_read(path, &bytes)) {
        free(path);
        return -1;
    }
    journal_segment_scan scan;
    journal_segment_scan_bytes((const unsigned char *)bytes.data, bytes.len, r->segment_first,
                               false, NULL, NULL, &scan);
    buf_free(&bytes);
    int found = scan.damaged;
    if (found) {
        const journal_gap *g = &scan.gaps[0];
        *d = (journal_damage){path, g->offset, g->bytes, g->after_seq, g->before_seq};
    } else {
        free(path);
    }
    journal_segment_scan_clear(&scan);
    return found;
}

uint64_t journal_position(journal *j)
{
    mutex_lock(&j->mu);
    uint64_t v = j->next_seq;
    mutex_unlock(&j->mu);
    return v;
}

uint64_t journal_durable(journal *j)
{
    mutex_lock(&j->mu);
    uint64_t v = j->durable_seq;
    mutex_unlock(&j->mu);
    return v;
}
