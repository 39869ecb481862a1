#include "capture/journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/hash.h"

#define SEGMENT_LIMIT (64ull << 20)

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static uint32_t frame_crc(const unsigned char *seq8, const void *payload, size_t len)
{
    uint32_t c = hash_crc32(0, seq8, 8);
    return hash_crc32(c, payload, len);
}

static char *segment_path(const char *dir, uint64_t first)
{
    char *p;
    if (asprintf(&p, "%s/%020" PRIu64 ".jnl", dir, first) < 0) abort();
    return p;
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* Sorted list of segment first-sequence numbers in dir. Caller frees. */
static size_t list_segments(const char *dir, uint64_t **out)
{
    DIR *d = opendir(dir);
    *out = NULL;
    if (!d) return 0;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (l != 24 || strcmp(de->d_name + 20, ".jnl")) continue;
        char *end;
        uint64_t v = strtoull(de->d_name, &end, 10);
        if (end != de->d_name + 20) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            *out = realloc(*out, cap * sizeof **out);
            if (!*out) abort();
        }
        (*out)[n++] = v;
    }
    closedir(d);
    for (size_t i = 1; i < n; i++)
        for (size_t k = i; k > 0 && (*out)[k - 1] > (*out)[k]; k--) {
            uint64_t t = (*out)[k];
            (*out)[k] = (*out)[k - 1];
            (*out)[k - 1] = t;
        }
    return n;
}

/* Scans a segment; returns the offset after the last whole frame and its last seq. */
static int scan_segment(int fd, uint64_t first, uint64_t *good_end, uint64_t *last_seq)
{
    unsigned char hdr[JOURNAL_FRAME_HEADER];
    uint64_t off = 0, expect = first;
    buf payload = BUF_INIT;
    *last_seq = first - 1;
    for (;;) {
        ssize_t r = pread(fd, hdr, sizeof hdr, (off_t)off);
        if (r != (ssize_t)sizeof hdr) break;
        uint32_t len = get_u32(hdr), crc = get_u32(hdr + 4);
        uint64_t seq = get_u64(hdr + 8);
        if (len > JOURNAL_MAX_RECORD || seq < expect) break;
        buf_reset(&payload);
        buf_reserve(&payload, len);
        if (pread(fd, payload.data, len, (off_t)(off + sizeof hdr)) != (ssize_t)len) break;
        if (frame_crc(hdr + 8, payload.data, len) != crc) break;
        off += sizeof hdr + len;
        *last_seq = seq;
        expect = seq + 1;
    }
    buf_free(&payload);
    *good_end = off;
    return 0;
}

static int open_segment(journal *j, uint64_t first, char *err, size_t errlen)
{
    char *path = segment_path(j->dir, first);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        free(path);
        return -1;
    }
    free(path);
    if (j->fd >= 0) close(j->fd);
    j->fd = fd;
    j->segment_first = first;
    j->segment_bytes = 0;
    fsync_dir(j->dir);
    return 0;
}

int journal_open(journal *j, const char *data_dir, char *err, size_t errlen)
{
    memset(j, 0, sizeof *j);
    j->fd = -1;
    j->segment_limit = SEGMENT_LIMIT;
    if (asprintf(&j->dir, "%s/journal", data_dir) < 0) abort();
    if (mkdir(j->dir, 0700) && errno != EEXIST) {
        snprintf(err, errlen, "cannot create %s: %s", j->dir, strerror(errno));
        free(j->dir);
        return -1;
    }
    uint64_t *segs;
    size_t n = list_segments(j->dir, &segs);
    uint64_t next = 1;
    if (n) {
        uint64_t first = segs[n - 1];
        char *path = segment_path(j->dir, first);
        int fd = open(path, O_RDWR | O_CLOEXEC);
        free(path);
        if (fd < 0) {
            snprintf(err, errlen, "cannot open the journal: %s", strerror(errno));
            free(segs);
            free(j->dir);
            return -1;
        }
        uint64_t good, last;
        scan_segment(fd, first, &good, &last);
        struct stat st;
        if (fstat(fd, &st) == 0 && (uint64_t)st.st_size > good) {
            /* A crash cut the last frame: it was never acknowledged, so drop it. */
            if (ftruncate(fd, (off_t)good) || fdatasync(fd)) {
                snprintf(err, errlen, "cannot repair the journal tail: %s", strerror(errno));
                close(fd);
                free(segs);
                free(j->dir);
                return -1;
            }
        }
        close(fd);
        next = last + 1;
        if (open_segment(j, first, err, errlen)) {
            free(segs);
            free(j->dir);
            return -1;
        }
        j->segment_bytes = good;
    } else if (open_segment(j, 1, err, errlen)) {
        free(j->dir);
        return -1;
    }
    free(segs);
    j->next_seq = next;
    j->pending_first = next;
    j->durable_seq = next - 1;
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->cv, NULL);
    return 0;
}

void journal_close(journal *j)
{
    if (!j->dir) return;
    if (j->fd >= 0) {
        fdatasync(j->fd);
        close(j->fd);
    }
    buf_free(&j->pending);
    free(j->failed);
    pthread_mutex_destroy(&j->mu);
    pthread_cond_destroy(&j->cv);
    free(j->dir);
    memset(j, 0, sizeof *j);
    j->fd = -1;
}

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

/* Called by the leader with the mutex held; returns with it held. */
static void flush_batch(journal *j)
{
    buf batch = j->pending;
    uint64_t first = j->pending_first, last = j->next_seq - 1;
    j->pending = (buf)BUF_INIT;
    j->pending_first = j->next_seq;
    j->flushing = true;
    pthread_mutex_unlock(&j->mu);

    uint64_t before = j->segment_bytes;
    bool ok = write_all(j->fd, batch.data, batch.len) == 0 && fdatasync(j->fd) == 0;
    bool broken = false;
    if (!ok) {
        /* Take the partial batch back out so the file holds only acknowledged frames. */
        if (ftruncate(j->fd, (off_t)before) || fdatasync(j->fd)) broken = true;
    } else {
        j->segment_bytes += batch.len;
    }
    buf_free(&batch);

    pthread_mutex_lock(&j->mu);
    if (!ok) {
        if (j->n_failed == JOURNAL_MAX_FAILED) {
            broken = true;
        } else {
            if (!j->failed) j->failed = calloc(JOURNAL_MAX_FAILED, sizeof *j->failed);
            if (!j->failed) abort();
            j->failed[j->n_failed][0] = first;
            j->failed[j->n_failed][1] = last;
            j->n_failed++;
        }
        j->broken |= broken;
    } else {
        j->batches++;
        j->records += last - first + 1;
    }
    j->durable_seq = last;
    j->flushing = false;
    if (ok && j->segment_bytes >= j->segment_limit) {
        char err[256];
        if (open_segment(j, last + 1, err, sizeof err)) j->broken = true;
    }
    pthread_cond_broadcast(&j->cv);
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
        put_u32(hdr, (uint32_t)items[i].len);
        buf_append(&frames, hdr, sizeof hdr);
        buf_append(&frames, items[i].payload, items[i].len);
    }
    pthread_mutex_lock(&j->mu);
    if (j->broken) {
        pthread_mutex_unlock(&j->mu);
        buf_free(&frames);
        return aws_fail(e, 503, "ServiceUnavailable",
                        "The service cannot store new records: its data directory is not "
                        "writable. Free disk space or fix the directory's permissions, then "
                        "restart orgtrail.");
    }
    uint64_t first = j->next_seq, last = first + n - 1;
    j->next_seq += n;
    /* The CRC covers the sequence number, so it is computed here (CRC32 runs at many
     * GB/s: the lock is held for microseconds even for a large batch). */
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char *hdr = (unsigned char *)frames.data + off;
        put_u64(hdr + 8, first + i);
        put_u32(hdr + 4, frame_crc(hdr + 8, hdr + JOURNAL_FRAME_HEADER, items[i].len));
        off += JOURNAL_FRAME_HEADER + items[i].len;
    }
    if (j->pending.len == 0) {
        buf_free(&j->pending);
        j->pending = frames; /* no copy for the common case of an idle journal */
        frames = (buf)BUF_INIT;
    } else {
        buf_append(&j->pending, frames.data, frames.len);
    }
    while (j->durable_seq < last) {
        if (!j->flushing)
            flush_batch(j);
        else
            pthread_cond_wait(&j->cv, &j->mu);
    }
    bool failed = false;
    for (size_t i = 0; i < j->n_failed; i++)
        failed |= last >= j->failed[i][0] && first <= j->failed[i][1];
    pthread_mutex_unlock(&j->mu);
    buf_free(&frames);
    if (failed)
        return aws_fail(e, 503, "ServiceUnavailable",
                        "The service could not store the request's record (disk full or not "
                        "writable); nothing was changed. Retry once space is available.");
    *first_seq = first;
    return 0;
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
    free(r->dir);
    memset(r, 0, sizeof *r);
    r->fd = -1;
}

/* Opens the segment that holds r->next_seq (the last one starting at or before it). */
static int reader_seek(journal_reader *r)
{
    uint64_t *segs;
    size_t n = list_segments(r->dir, &segs);
    if (!n) {
        free(segs);
        return 0;
    }
    uint64_t pick = segs[0];
    for (size_t i = 0; i < n; i++)
        if (segs[i] <= r->next_seq) pick = segs[i];
    free(segs);
    if (r->fd >= 0 && pick == r->segment_first) return 1;
    if (r->fd >= 0) close(r->fd);
    char *path = segment_path(r->dir, pick);
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    free(path);
    if (r->fd < 0) return -1;
    r->segment_first = pick;
    r->offset = 0;
    return 1;
}

int journal_reader_next(journal_reader *r, const char **out, size_t *len, uint64_t *seq)
{
    if (r->fd < 0) {
        int s = reader_seek(r);
        if (s <= 0) return s;
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        unsigned char hdr[JOURNAL_FRAME_HEADER];
        for (;;) {
            ssize_t got = pread(r->fd, hdr, sizeof hdr, (off_t)r->offset);
            if (got != (ssize_t)sizeof hdr) break;
            uint32_t l = get_u32(hdr), crc = get_u32(hdr + 4);
            uint64_t s = get_u64(hdr + 8);
            if (l > JOURNAL_MAX_RECORD) break;
            buf_reset(&r->frame);
            buf_reserve(&r->frame, l);
            if (pread(r->fd, r->frame.data, l, (off_t)(r->offset + sizeof hdr)) != (ssize_t)l)
                break;
            if (frame_crc(hdr + 8, r->frame.data, l) != crc) break; /* still being written */
            r->offset += sizeof hdr + l;
            if (s < r->next_seq) continue;
            r->frame.len = l;
            r->frame.data[l] = '\0';
            r->next_seq = s + 1;
            *out = r->frame.data;
            *len = l;
            *seq = s;
            return 1;
        }
        /* End of this segment: a newer one may start where we are. */
        uint64_t before = r->segment_first;
        if (reader_seek(r) < 0) return -1;
        if (r->segment_first == before) return 0;
    }
    return 0;
}

uint64_t journal_position(journal *j)
{
    pthread_mutex_lock(&j->mu);
    uint64_t v = j->next_seq;
    pthread_mutex_unlock(&j->mu);
    return v;
}

uint64_t journal_durable(journal *j)
{
    pthread_mutex_lock(&j->mu);
    uint64_t v = j->durable_seq;
    pthread_mutex_unlock(&j->mu);
    return v;
}
