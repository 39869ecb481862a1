#include "capture/journal_segment.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/journal.h"
#include "core/hash.h"
#include "core/xalloc.h"

void journal_put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

void journal_put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

uint32_t journal_get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t journal_get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

uint32_t journal_frame_crc(const unsigned char *seq8, const void *payload, size_t len)
{
    uint32_t c = hash_crc32(0, seq8, 8);
    return hash_crc32(c, payload, len);
}

int journal_frame_whole(const unsigned char *p, size_t n, uint64_t min_seq, uint32_t *len,
                        uint64_t *seq)
{
    if (n < JOURNAL_FRAME_HEADER) return 0;
    uint32_t l = journal_get_u32(p);
    uint64_t s = journal_get_u64(p + 8);
    /* Cheap tests first: the resynchronising scan calls this at every offset. */
    if (l > JOURNAL_MAX_RECORD || l > n - JOURNAL_FRAME_HEADER) return 0;
    if (s < min_seq || s > JOURNAL_MAX_SEQ) return 0;
    if (journal_frame_crc(p + 8, p + JOURNAL_FRAME_HEADER, l) != journal_get_u32(p + 4)) return 0;
    *len = l;
    *seq = s;
    return 1;
}

char *journal_segment_path(const char *journal_dir, uint64_t first)
{
    char *p;
    if (asprintf(&p, "%s/%020" PRIu64 ".jnl", journal_dir, first) < 0) abort();
    return p;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

size_t journal_segment_list(const char *journal_dir, uint64_t **out)
{
    DIR *d = opendir(journal_dir);
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
        *out = xgrow(*out, &cap, n + 1, sizeof **out);
        (*out)[n++] = v;
    }
    closedir(d);
    if (n > 1) qsort(*out, n, sizeof **out, cmp_u64);
    return n;
}

int journal_lock_dir(const char *journal_dir, int *fd, char *err, size_t errlen)
{
    *fd = open(journal_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (*fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", journal_dir, strerror(errno));
        return -1;
    }
    if (flock(*fd, LOCK_EX | LOCK_NB)) {
        if (errno == EWOULDBLOCK)
            snprintf(err, errlen,
                     "the journal %s is in use by another orgtrail process (orgtrail serve?): "
                     "stop it first",
                     journal_dir);
        else
            snprintf(err, errlen, "cannot lock the journal %s: %s", journal_dir, strerror(errno));
        close(*fd);
        *fd = -1;
        return -1;
    }
    return 0;
}

int journal_segment_read(const char *path, buf *out)
{
    buf_reset(out);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat st;
    if (fstat(fd, &st)) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    buf_reserve(out, (size_t)st.st_size);
    for (;;) {
        if (out->cap - out->len < 4096) buf_reserve(out, 1 << 20);
        ssize_t r = read(fd, out->data + out->len, out->cap - out->len - 1);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            int saved = errno;
            close(fd);
            errno = saved;
            return -1;
        }
        if (r == 0) break;
        out->len += (size_t)r;
    }
    out->data[out->len] = '\0';
    close(fd);
    return 0;
}

static void add_gap(journal_segment_scan *s, uint64_t offset, uint64_t bytes, uint64_t after,
                    uint64_t before)
{
    s->gaps = realloc(s->gaps, (s->n_gaps + 1) * sizeof *s->gaps);
    if (!s->gaps) abort();
    s->gaps[s->n_gaps++] = (journal_gap){offset, bytes, after, before};
}

void journal_segment_scan_bytes(const unsigned char *p, size_t n, uint64_t first, bool newest,
                                journal_frame_fn *on_frame, void *ctx, journal_segment_scan *out)
{
    memset(out, 0, sizeof *out);
    out->first = first;
    out->size = n;
    uint64_t min_seq = first ? first : 1, last = 0;
    size_t off = 0;
    bool gap_seen = false;
    while (off < n) {
        uint32_t len;
        uint64_t seq;
        if (journal_frame_whole(p + off, n - off, min_seq, &len, &seq)) {
            size_t frame = JOURNAL_FRAME_HEADER + (size_t)len;
            if (on_frame) on_frame(ctx, p + off, frame, seq);
            if (!out->records++) out->first_seq = seq;
            out->last_seq = last = seq;
            min_seq = seq + 1;
            off += frame;
            if (!gap_seen) out->good_end = off;
            continue;
        }
        /* Bad bytes: look for the next whole frame at every later offset. */
        size_t next = off + 1;
        uint32_t l2;
        uint64_t s2;
        while (next < n && !journal_frame_whole(p + next, n - next, min_seq, &l2, &s2))
            next++;
        add_gap(out, off, next - off, last, next < n ? s2 : 0);
        gap_seen = true;
        off = next;
    }
    if (!gap_seen) out->good_end = n;
    for (size_t i = 0; i < out->n_gaps; i++)
        if (!newest || out->gaps[i].before_seq) out->damaged = true;
}

void journal_segment_scan_clear(journal_segment_scan *s)
{
    free(s->gaps);
    memset(s, 0, sizeof *s);
}

void journal_damage_clear(journal_damage *d)
{
    free(d->path);
    memset(d, 0, sizeof *d);
}

int journal_find_damage(const char *data_dir, uint64_t from, bool newest_too, journal_damage *d)
{
    memset(d, 0, sizeof *d);
    char *dir;
    if (asprintf(&dir, "%s/journal", data_dir) < 0) abort();
    uint64_t *segs;
    size_t n = journal_segment_list(dir, &segs);
    buf bytes = BUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        /* A segment's records end before the next one's name: all of them are below
         * `from` when that name is. */
        if (i + 1 < n && segs[i + 1] <= from) continue;
        if (i + 1 == n && !newest_too) break;
        char *path = journal_segment_path(dir, segs[i]);
        if (journal_segment_read(path, &bytes)) {
            free(path);
            rc = -1;
            break;
        }
        journal_segment_scan scan;
        journal_segment_scan_bytes((const unsigned char *)bytes.data, bytes.len, segs[i],
                                   i + 1 == n, NULL, NULL, &scan);
        if (scan.damaged) {
            const journal_gap *g = &scan.gaps[0];
            *d = (journal_damage){path, g->offset, g->bytes, g->after_seq, g->before_seq};
            path = NULL;
            rc = 1;
        }
        journal_segment_scan_clear(&scan);
        free(path);
    }
    buf_free(&bytes);
    free(segs);
    free(dir);
    return rc;
}

void journal_damage_describe(const journal_damage *d, const char *data_dir, char *out,
                             size_t outlen)
{
    char around[160];
    if (d->before_seq)
        snprintf(around, sizeof around, "between record %" PRIu64 " and record %" PRIu64,
                 d->after_seq, d->before_seq);
    else
        snprintf(around, sizeof around, "after record %" PRIu64 ", in a segment that was complete",
                 d->after_seq);
    snprintf(out, outlen,
             "the journal is damaged: %s has %" PRIu64 " unreadable bytes at offset %" PRIu64
             " (%s). Acknowledged records may be lost there, so orgtrail does not start "
             "rather than cut or skip them. See the damage with 'orgtrail journal check --data "
             "%s'; 'orgtrail journal salvage --data %s' moves the damaged segment aside, keeps "
             "every readable record, and then orgtrail starts again",
             d->path, d->bytes, d->offset, around, data_dir, data_dir);
}
