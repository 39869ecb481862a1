#include "capture/journal_repair.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fsync_dir.h"

void journal_report_free(journal_report *rep)
{
    for (size_t i = 0; i < rep->n_segments; i++) {
        free(rep->segments[i].path);
        free(rep->segments[i].kept_as);
        journal_segment_scan_clear(&rep->segments[i].scan);
    }
    free(rep->segments);
    memset(rep, 0, sizeof *rep);
}

static void keep_frame(void *ctx, const unsigned char *frame, size_t frame_len, uint64_t seq)
{
    (void)seq;
    buf_append(ctx, frame, frame_len);
}

/* Scans every segment; when `frames` is given, the whole frames of segment i end up in
 * frames[i] (for salvage). */
static int scan_all(const char *journal_dir, journal_report *rep, buf *frames_of_damaged,
                    size_t *damaged_index, char *err, size_t errlen)
{
    uint64_t *segs;
    size_t n = journal_segment_list(journal_dir, &segs);
    rep->segments = calloc(n ? n : 1, sizeof *rep->segments);
    if (!rep->segments) abort();
    buf bytes = BUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        journal_report_segment *seg = &rep->segments[rep->n_segments++];
        seg->path = journal_segment_path(journal_dir, segs[i]);
        seg->newest = i + 1 == n;
        if (journal_segment_read(seg->path, &bytes)) {
            snprintf(err, errlen, "cannot read %s: %s", seg->path, strerror(errno));
            rc = -1;
            break;
        }
        buf kept = BUF_INIT;
        journal_segment_scan_bytes((const unsigned char *)bytes.data, bytes.len, segs[i],
                                   seg->newest, frames_of_damaged ? keep_frame : NULL, &kept,
                                   &seg->scan);
        rep->records += seg->scan.records;
        if (seg->scan.damaged && frames_of_damaged) {
            damaged_index[rep->damaged] = i;
            frames_of_damaged[rep->damaged] = kept;
        } else {
            buf_free(&kept);
        }
        if (seg->scan.damaged) rep->damaged++;
    }
    buf_free(&bytes);
    free(segs);
    return rc;
}

static int with_lock(const char *data_dir, char **journal_dir, int *lock_fd, char *err,
                     size_t errlen)
{
    if (asprintf(journal_dir, "%s/journal", data_dir) < 0) abort();
    struct stat st;
    if (stat(*journal_dir, &st) || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "no journal in %s (is it an orgtrail data directory?)", data_dir);
        free(*journal_dir);
        *journal_dir = NULL;
        return -1;
    }
    if (journal_lock_dir(*journal_dir, lock_fd, err, errlen)) {
        free(*journal_dir);
        *journal_dir = NULL;
        return -1;
    }
    return 0;
}

int journal_check(const char *data_dir, journal_report *rep, char *err, size_t errlen)
{
    memset(rep, 0, sizeof *rep);
    char *dir;
    int lock_fd;
    if (with_lock(data_dir, &dir, &lock_fd, err, errlen)) return -1;
    int rc = scan_all(dir, rep, NULL, NULL, err, errlen);
    close(lock_fd);
    free(dir);
    return rc;
}

static int write_file_durably(const char *path, const buf *b)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    size_t off = 0;
    while (off < b->len) {
        ssize_t w = write(fd, b->data + off, b->len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) {
            int saved = errno;
            close(fd);
            errno = saved;
            return -1;
        }
        off += (size_t)w;
    }
    if (fsync(fd)) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return close(fd);
}

/* Rewrites one damaged segment with its whole frames; the original stays, hard-linked, in
 * damaged_dir. Order: new bytes durable, original kept durably, then the atomic swap. */
static int salvage_segment(journal_report_segment *seg, const buf *frames, const char *journal_dir,
                           const char *damaged_dir, char *err, size_t errlen)
{
    const char *name = strrchr(seg->path, '/') + 1;
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    char *tmp;
    if (asprintf(&tmp, "%s.salvage", seg->path) < 0) abort();
    int rc = -1;
    if (write_file_durably(tmp, frames)) {
        snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
        goto out;
    }
    for (int attempt = 0; attempt < 100 && !seg->kept_as; attempt++) {
        char *kept;
        if (attempt)
            rc = asprintf(&kept, "%s/%s.%s.%d", damaged_dir, name, stamp, attempt);
        else
            rc = asprintf(&kept, "%s/%s.%s", damaged_dir, name, stamp);
        if (rc < 0) abort();
        rc = -1;
        if (link(seg->path, kept) == 0)
            seg->kept_as = kept;
        else if (errno != EEXIST) {
            snprintf(err, errlen, "cannot keep %s as %s: %s", seg->path, kept, strerror(errno));
            free(kept);
            goto out;
        } else {
            free(kept);
        }
    }
    if (!seg->kept_as || fsync_dir(damaged_dir)) {
        snprintf(err, errlen, "cannot keep %s in %s: %s", seg->path, damaged_dir, strerror(errno));
        goto out;
    }
    if (rename(tmp, seg->path) || fsync_dir(journal_dir)) {
        snprintf(err, errlen, "cannot replace %s: %s", seg->path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (rc) unlink(tmp);
    free(tmp);
    return rc;
}

int journal_salvage(const char *data_dir, journal_report *rep, char *err, size_t errlen)
{
    memset(rep, 0, sizeof *rep);
    char *dir;
    int lock_fd;
    if (with_lock(data_dir, &dir, &lock_fd, err, errlen)) return -1;
    uint64_t *segs;
    size_t n = journal_segment_list(dir, &segs);
    free(segs);
    buf *frames = calloc(n ? n : 1, sizeof *frames);
    size_t *which = calloc(n ? n : 1, sizeof *which);
    if (!frames || !which) abort();
    char *damaged_dir;
    if (asprintf(&damaged_dir, "%s/journal-damaged", data_dir) < 0) abort();
    int rc = scan_all(dir, rep, frames, which, err, errlen);
    if (rc == 0 && rep->damaged && mkdir(damaged_dir, 0700) && errno != EEXIST) {
        snprintf(err, errlen, "cannot create %s: %s", damaged_dir, strerror(errno));
        rc = -1;
    }
    for (size_t k = 0; rc == 0 && k < rep->damaged; k++) {
        rc = salvage_segment(&rep->segments[which[k]], &frames[k], dir, damaged_dir, err, errlen);
        if (rc == 0) rep->salvaged++;
    }
    for (size_t k = 0; k < n; k++)
        buf_free(&frames[k]);
    free(frames);
    free(which);
    free(damaged_dir);
    close(lock_fd);
    free(dir);
    return rc;
}
