/* fuzz_journal: the journal's recovery and reading of segment files, as the server meets
 * them when it restarts on a data directory whose journal was torn by a crash mid-write or
 * damaged on disk: journal_open (the start-up path: torn-tail cut), journal_reader_open /
 * journal_reader_next (the chunked reader delivery and `orgtrail events` use),
 * journal_append after recovery, journal_close and reopening.
 *
 * Input: a fresh directory per input (mkdtemp under /tmp, removed at the end) gets
 * 1..4 segments DIR/journal/<first seq, 20 digits>.jnl built from the input:
 *   byte 0   bits 0-1: segments - 1; bits 2-3: naming (0, 3: each segment is named after
 *            the first sequence number its records would have, as the journal does;
 *            1: that name plus a signed per-segment delta; 2: an arbitrary name 1..256;
 *            names are never 0 and a taken name moves up by one)
 *   byte 1   bytes cut off the end of the newest segment (a crash mid-write)
 *   byte 2   the first record's sequence number - 1 (older segments removed)
 *   per segment: a name byte (delta or name), then, but for the last segment, a u16 LE
 *            length of its description; the last segment's description is the rest.
 * A description is a series of ops, c = op byte, n = c & 63:
 *   00nnnnnn  a whole frame with the next sequence number and n payload bytes
 *   01nnnnnn  v, then n payload bytes: an odd frame, by v & 7: 0 a sequence gap of
 *             1 + v/8, 1 a sequence number v/8 + 1 back (a duplicate), 2 a flipped CRC
 *             bit, 3 a length field too large, 4 too small, 5 above JOURNAL_MAX_RECORD,
 *             6 a sequence number near 2^64, 7 a large record (JOURNAL_READ_CHUNK - 256 +
 *             16 * (v / 8) bytes, so frames straddle the reader's chunks; one per input)
 *   10nnnnnn  k, then n payload bytes: the first k % (16 + n) bytes of a frame (torn)
 *   11nnnnnn  n raw bytes (n = 0: the rest of the description)
 * Frames get correct CRCs unless an op says otherwise, so mutations reach past the CRC
 * check; raw bytes let the fuzzer write anything. The durability syscalls (fsync,
 * fdatasync) are no-ops in this binary: no crash is simulated, and they would take about
 * 40% of the run time.
 *
 * Properties checked besides memory safety, leaks and bounded work (an independent walk of
 * each file, CRC-32 from zlib, says which frames are whole: from offset 0, frame after
 * frame, up to the first one that is short, longer than JOURNAL_MAX_RECORD or has a wrong
 * CRC):
 *  - every record a reader returns is a whole frame of a segment (so its CRC is correct
 *    and its length <= JOURNAL_MAX_RECORD), NUL-terminated, with sequence numbers >= 1,
 *    at most JOURNAL_MAX_SEQ (a frame claiming more is corrupt: readers stop before it
 *    rather than wrap to 0 and start over forever) and strictly increasing;
 *  - journal_open refuses exactly when the files are damaged rather than torn (a second,
 *    resynchronising model, below: an older segment with any bytes that are not whole frames
 *    in increasing order from its name, or a whole frame after such bytes in the newest one),
 *    and then changes no byte; a reader meets JOURNAL_READ_DAMAGED only on such files;
 *  - otherwise journal_open changes only the newest segment, cutting it to a prefix that
 *    ends at a frame boundary and holds whole frames only; its position is the sequence
 *    number after the newest segment's last kept frame (its name when none is kept), and
 *    every record up to it is durable;
 *  - recovery only removes: records read after it are a prefix of those read before;
 *  - recovery is idempotent: reopening changes no byte, gives the same position and
 *    records;
 *  - journal_append after recovery takes the position as its sequence number, and its frame
 *    is on disk (at the end of the newest segment, correct CRC) when it returns; readers
 *    then give the earlier records plus at most that one, a reader kept open across the
 *    append gives what a new one does, and a reader kept open across the restart and the
 *    append gives only whole frames in increasing order; all of it is the same after
 *    another close and reopen;
 *  - on a directory as the journal itself leaves it after a crash (segments contiguous and
 *    complete, consecutive sequence numbers below 2^62; the newest segment may end in
 *    anything without a whole frame after its first bad byte), recovery keeps every whole
 *    frame, every
 *    reader (before and after recovery, fresh or kept open) returns every whole frame in
 *    order, and the appended record comes back last, with the next sequence number. */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "capture/journal.h"
#include "core/buf.h"
#include "fuzz_target.h"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_journal: %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#define MAX_SEGS 4
#define MAX_BIG 1
/* Sequence numbers a journal can reach: at a million records a second, 2^62 takes 146,000
 * years. Only a forged CRC (it covers the number) puts a frame with a larger one on disk;
 * the appending properties are checked only while the position is below this. */
#define SEQ_SANE (1ull << 62)

static const char APPENDED[] = "{\"eventName\":\"FuzzJournalAppend\"}";

/* No crash is simulated, so durability syscalls change nothing this process can observe;
 * these definitions take the place of libc's in this binary only. */
int fsync(int fd)
{
    (void)fd;
    return 0;
}

int fdatasync(int fd)
{
    (void)fd;
    return 0;
}

/* ---- little helpers ---------------------------------------------------------------- */

static void le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void le64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const unsigned char *p)
{
    return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* The frame CRC, computed with zlib rather than the journal's own helper. */
static uint32_t crc_of(uint64_t seq, const void *payload, size_t len)
{
    unsigned char s[8];
    le64(s, seq);
    uLong c = crc32(0L, s, 8);
    return (uint32_t)crc32(c, payload, (uInt)len);
}

/* Frame header (len, crc, seq) as the contract lays it out. */
static void header(unsigned char *h, uint32_t len, uint32_t crc, uint64_t seq)
{
    le32(h, len);
    le32(h + 4, crc);
    le64(h + 8, seq);
}

/* ---- the files: snapshot and independent walk --------------------------------------- */

typedef struct frame {
    uint64_t seq;
    uint32_t len;
    size_t seg, off; /* payload at bytes[seg].data + off + 16 */
} frame;

typedef struct model {
    size_t n;
    uint64_t first[MAX_SEGS]; /* names, ascending */
    buf bytes[MAX_SEGS];
    size_t walk_end[MAX_SEGS];               /* end of the last whole frame from offset 0 */
    size_t fbeg[MAX_SEGS], fcount[MAX_SEGS]; /* its frames, in `frames` */
    frame *frames;
    size_t nframes, cap;
    size_t hint; /* where is_walk_frame looks first */
} model;

static void model_free(model *m)
{
    for (size_t i = 0; i < m->n; i++)
        buf_free(&m->bytes[i]);
    free(m->frames);
    memset(m, 0, sizeof *m);
}

static void walk(model *m, size_t s)
{
    const unsigned char *p = (const unsigned char *)m->bytes[s].data;
    size_t len = m->bytes[s].len, off = 0;
    m->fbeg[s] = m->nframes;
    while (len - off >= JOURNAL_FRAME_HEADER) {
        uint32_t l = rd32(p + off);
        if (l > JOURNAL_MAX_RECORD || len - off - JOURNAL_FRAME_HEADER < l) break;
        uint64_t seq = rd64(p + off + 8);
        if (crc_of(seq, p + off + JOURNAL_FRAME_HEADER, l) != rd32(p + off + 4)) break;
        if (m->nframes == m->cap) {
            m->cap = m->cap ? 2 * m->cap : 64;
            m->frames = realloc(m->frames, m->cap * sizeof *m->frames);
            CHECK(m->frames);
        }
        m->frames[m->nframes++] = (frame){seq, l, s, off};
        off += JOURNAL_FRAME_HEADER + l;
    }
    m->walk_end[s] = off;
    m->fcount[s] = m->nframes - m->fbeg[s];
}

static bool is_segment_name(const char *name, uint64_t *first)
{
    if (strlen(name) != 24 || strcmp(name + 20, ".jnl")) return false;
    uint64_t v = 0;
    for (int i = 0; i < 20; i++) {
        if (name[i] < '0' || name[i] > '9') return false;
        v = v * 10 + (uint64_t)(name[i] - '0');
    }
    *first = v;
    return true;
}

/* Reads every segment file of dir/journal; nothing else may be there. */
static void snapshot(const char *jdir, model *m)
{
    memset(m, 0, sizeof *m);
    DIR *d = opendir(jdir);
    CHECK(d);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        uint64_t first;
        CHECK(is_segment_name(de->d_name, &first));
        CHECK(m->n < MAX_SEGS);
        size_t k = m->n++;
        while (k > 0 && m->first[k - 1] > first) {
            m->first[k] = m->first[k - 1];
            k--;
        }
        m->first[k] = first;
    }
    closedir(d);
    for (size_t i = 0; i < m->n; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%020" PRIu64 ".jnl", jdir, m->first[i]);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        CHECK(fd >= 0);
        struct stat st;
        CHECK(fstat(fd, &st) == 0);
        size_t size = (size_t)st.st_size;
        m->bytes[i] = (buf)BUF_INIT;
        buf_reserve(&m->bytes[i], size); /* at once: never NULL, no regrowth */
        while (m->bytes[i].len < size) {
            ssize_t r = read(fd, m->bytes[i].data + m->bytes[i].len, size - m->bytes[i].len);
            CHECK(r > 0);
            m->bytes[i].len += (size_t)r;
        }
        close(fd);
        walk(m, i);
    }
}

static const unsigned char *payload_of(const model *m, const frame *f)
{
    return (const unsigned char *)m->bytes[f->seg].data + f->off + JOURNAL_FRAME_HEADER;
}

/* Whether the directory is one the journal itself could have left (see the header): then
 * the strong properties apply. */
static bool consistent(const model *m)
{
    if (m->n == 0) return false;
    uint64_t want = m->first[0];
    if (want == 0 || want >= SEQ_SANE) return false;
    for (size_t s = 0; s < m->n; s++) {
        if (m->first[s] != want) return false;
        bool newest = s + 1 == m->n;
        if (!newest && (m->fcount[s] == 0 || m->walk_end[s] != m->bytes[s].len)) return false;
        for (size_t i = 0; i < m->fcount[s]; i++) {
            const frame *f = &m->frames[m->fbeg[s] + i];
            if (f->seq != want || want >= SEQ_SANE) return false;
            want++;
        }
    }
    return true;
}

/* The whole frame at p (n bytes left) with seq in [min_seq, JOURNAL_MAX_SEQ]: its length
 * with its header, else 0. */
static size_t whole_from(const unsigned char *p, size_t n, uint64_t min_seq, uint64_t *seq)
{
    if (n < JOURNAL_FRAME_HEADER) return 0;
    uint32_t l = rd32(p);
    if (l > JOURNAL_MAX_RECORD || n - JOURNAL_FRAME_HEADER < l) return 0;
    uint64_t s = rd64(p + 8);
    if (s < min_seq || s > JOURNAL_MAX_SEQ) return 0;
    if (crc_of(s, p + JOURNAL_FRAME_HEADER, l) != rd32(p + 4)) return 0;
    *seq = s;
    return JOURNAL_FRAME_HEADER + l;
}

/* Whether segment s holds damage (journal_segment.h): bytes that are not whole frames with
 * increasing sequence numbers from its name, anywhere in an older segment, or followed by
 * a whole frame in the newest one. Steps one byte at a time through bad bytes. */
static bool segment_damaged(const model *m, size_t s)
{
    const unsigned char *p = (const unsigned char *)m->bytes[s].data;
    size_t n = m->bytes[s].len, off = 0;
    uint64_t min_seq = m->first[s] ? m->first[s] : 1, seq;
    bool bad = false, newest = s + 1 == m->n;
    while (off < n) {
        size_t f = whole_from(p + off, n - off, min_seq, &seq);
        if (!f) {
            if (!newest) return true;
            bad = true;
            off++;
            continue;
        }
        if (bad) return true;
        min_seq = seq + 1;
        off += f;
    }
    return false;
}

static bool damaged(const model *m)
{
    for (size_t s = 0; s < m->n; s++)
        if (segment_damaged(m, s)) return true;
    return false;
}

/* Where a reader may stop with JOURNAL_READ_DAMAGED: an older segment whose walk does not
 * reach its end, or holds a frame numbered above JOURNAL_MAX_SEQ. */
static bool older_unreadable(const model *m)
{
    for (size_t s = 0; s + 1 < m->n; s++) {
        if (m->walk_end[s] < m->bytes[s].len) return true;
        for (size_t i = 0; i < m->fcount[s]; i++)
            if (m->frames[m->fbeg[s] + i].seq > JOURNAL_MAX_SEQ) return true;
    }
    return false;
}

/* ---- records read back --------------------------------------------------------------- */

typedef struct recs {
    uint64_t *seq;
    size_t *len, *off; /* payload at data.data + off */
    size_t n, cap;
    buf data;
} recs;

static void recs_free(recs *r)
{
    free(r->seq);
    free(r->len);
    free(r->off);
    buf_free(&r->data);
    memset(r, 0, sizeof *r);
}

static void recs_add(recs *r, uint64_t seq, const void *p, size_t len)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 64;
        r->seq = realloc(r->seq, r->cap * sizeof *r->seq);
        r->len = realloc(r->len, r->cap * sizeof *r->len);
        r->off = realloc(r->off, r->cap * sizeof *r->off);
        CHECK(r->seq && r->len && r->off);
    }
    r->seq[r->n] = seq;
    r->len[r->n] = len;
    r->off[r->n] = r->data.len;
    buf_append(&r->data, p, len);
    r->n++;
}

static bool rec_eq(const recs *a, size_t i, const recs *b, size_t k)
{
    return a->seq[i] == b->seq[k] && a->len[i] == b->len[k] &&
           !memcmp(a->data.data + a->off[i], b->data.data + b->off[k], a->len[i]);
}

/* a's records are the first a->n of b's. */
static bool recs_prefix(const recs *a, const recs *b)
{
    if (a->n > b->n) return false;
    for (size_t i = 0; i < a->n; i++)
        if (!rec_eq(a, i, b, i)) return false;
    return true;
}

static bool recs_same(const recs *a, const recs *b)
{
    return a->n == b->n && recs_prefix(a, b);
}

/* Whether a record is a whole frame of the walk of m's files. Readers mostly go through
 * the frames in order, so the search starts after the frame found last time. */
static bool is_walk_frame(model *m, uint64_t seq, const char *p, size_t len)
{
    for (size_t k = 0; k < m->nframes; k++) {
        size_t i = (m->hint + k) % m->nframes;
        const frame *f = &m->frames[i];
        if (f->seq == seq && f->len == len && !memcmp(payload_of(m, f), p, len)) {
            m->hint = i + 1;
            return true;
        }
    }
    return false;
}

/* Whether a frame with this seq and payload and a correct CRC lies anywhere in m's files. */
static bool is_frame_anywhere(const model *m, uint64_t seq, const char *p, size_t len)
{
    unsigned char h[JOURNAL_FRAME_HEADER];
    header(h, (uint32_t)len, crc_of(seq, p, len), seq);
    for (size_t s = 0; s < m->n; s++) {
        const char *d = m->bytes[s].data, *end = d + m->bytes[s].len;
        while (d && (size_t)(end - d) >= sizeof h + len) {
            const char *at = memmem(d, (size_t)(end - d), h, sizeof h);
            if (!at || (size_t)(end - at) < sizeof h + len) break;
            if (!memcmp(at + sizeof h, p, len)) return true;
            d = at + 1;
        }
    }
    return false;
}

/* Reads with r until it has no further record. Records must be whole frames of m (`walk`)
 * or, for a reader whose files changed under it, whole frames anywhere in them. */
static void read_rest(journal_reader *r, model *m, bool walk_frames, recs *out)
{
    uint64_t last = out->n ? out->seq[out->n - 1] : 0;
    size_t had = out->n, bytes = 0;
    for (size_t s = 0; s < m->n; s++)
        bytes += m->bytes[s].len;
    for (;;) {
        const char *p;
        size_t len;
        uint64_t seq;
        int rc = journal_reader_next(r, &p, &len, &seq);
        CHECK(rc == 0 || rc == 1 || (rc == JOURNAL_READ_DAMAGED && older_unreadable(m)));
        if (rc != 1) break;
        CHECK(len <= JOURNAL_MAX_RECORD);
        CHECK(p[len] == '\0');
        CHECK(seq >= 1 && seq > last && seq <= JOURNAL_MAX_SEQ);
        CHECK(walk_frames ? is_walk_frame(m, seq, p, len) : is_frame_anywhere(m, seq, p, len));
        last = seq;
        recs_add(out, seq, p, len);
        /* Each record is a different frame of the files (16 bytes at least): no endless
         * reading. */
        CHECK(out->n - had <= bytes / JOURNAL_FRAME_HEADER);
    }
}

static void read_all(const char *dir, model *m, recs *out)
{
    journal_reader r;
    CHECK(journal_reader_open(&r, dir, 1) == 0);
    read_rest(&r, m, true, out);
    journal_reader_close(&r);
}

/* Every whole frame of m, in order, is exactly what was read. */
static bool is_every_frame(const model *m, const recs *r)
{
    if (r->n != m->nframes) return false;
    for (size_t i = 0; i < r->n; i++) {
        const frame *f = &m->frames[i];
        if (r->seq[i] != f->seq || r->len[i] != f->len ||
            memcmp(r->data.data + r->off[i], payload_of(m, f), f->len))
            return false;
    }
    return true;
}

static bool same_files(const model *a, const model *b)
{
    if (a->n != b->n) return false;
    for (size_t i = 0; i < a->n; i++)
        if (a->first[i] != b->first[i] || a->bytes[i].len != b->bytes[i].len ||
            memcmp(a->bytes[i].data, b->bytes[i].data, a->bytes[i].len))
            return false;
    return true;
}

/* ---- building the segments from the input ------------------------------------------- */

typedef struct input {
    const uint8_t *p, *end;
} input;

static unsigned take(input *in)
{
    return in->p < in->end ? *in->p++ : 0;
}

static size_t take_n(input *in, size_t n, const uint8_t **out)
{
    size_t avail = (size_t)(in->end - in->p);
    if (n > avail) n = avail;
    *out = in->p;
    in->p += n;
    return n;
}

static void put_frame(buf *b, uint32_t len_field, uint32_t crc, uint64_t seq, const void *p,
                      size_t len)
{
    unsigned char h[JOURNAL_FRAME_HEADER];
    header(h, len_field, crc, seq);
    buf_append(b, h, sizeof h);
    buf_append(b, p, len);
}

/* Builds one segment's bytes from its description; *next is the next sequence number. */
static void build_segment(input *in, uint64_t *next, int *big, buf *out)
{
    while (in->p < in->end) {
        unsigned c = take(in), kind = c >> 6, n = c & 63, v = 0, k = 0;
        const uint8_t *p;
        if (kind == 1) v = take(in);
        if (kind == 2) k = take(in);
        if (kind == 3) {
            size_t got = take_n(in, n ? n : (size_t)(in->end - in->p), &p);
            buf_append(out, p, got);
            continue;
        }
        size_t len = take_n(in, n, &p);
        uint64_t seq = *next;
        if (kind == 2) {
            buf frame = BUF_INIT;
            put_frame(&frame, (uint32_t)len, crc_of(seq, p, len), seq, p, len);
            buf_append(out, frame.data, k % frame.len);
            buf_free(&frame);
            continue;
        }
        uint32_t len_field = (uint32_t)len, flip = 0;
        unsigned char *bigp = NULL;
        if (kind == 1) {
            unsigned arg = v >> 3;
            switch (v & 7) {
            case 0:
                seq += 1 + arg;
                break;
            case 1:
                seq -= 1 + arg;
                break;
            case 2:
                flip = 1u << (arg & 31);
                break;
            case 3:
                len_field += 1 + arg;
                break;
            case 4:
                len_field -= (len_field > arg ? 1 + arg : len_field);
                break;
            case 5:
                len_field = JOURNAL_MAX_RECORD + 1 + arg;
                break;
            case 6:
                seq = UINT64_MAX - arg;
                break;
            case 7: {
                if (*big >= MAX_BIG) break;
                (*big)++;
                size_t given = len;
                len = JOURNAL_READ_CHUNK - 256 + 16 * (size_t)arg;
                bigp = malloc(len);
                CHECK(bigp);
                memset(bigp, (int)v, len);
                if (given) memcpy(bigp, p, given); /* its start from the input */
                p = bigp;
                len_field = (uint32_t)len;
                break;
            }
            }
        }
        put_frame(out, len_field, crc_of(seq, p, len) ^ flip, seq, p, len);
        free(bigp);
        if (kind == 0 || (kind == 1 && (v & 7) != 1)) *next = seq + 1;
    }
}

typedef struct built {
    size_t n;
    uint64_t first[MAX_SEGS];
    buf bytes[MAX_SEGS];
} built;

static void build(const uint8_t *data, size_t size, built *b)
{
    memset(b, 0, sizeof *b);
    input in = {data, data + size};
    unsigned b0 = take(&in), cut = take(&in), base = take(&in);
    size_t nseg = 1 + (b0 & 3);
    unsigned naming = (b0 >> 2) & 3;
    uint64_t next = 1 + (uint64_t)base;
    int big = 0;
    for (size_t i = 0; i < nseg; i++) {
        unsigned nb = take(&in);
        input desc = in;
        if (i + 1 < nseg) {
            size_t len = take(&in);
            len |= (size_t)take(&in) << 8;
            if (len > (size_t)(in.end - in.p)) len = (size_t)(in.end - in.p);
            desc = (input){in.p, in.p + len};
            in.p += len;
        } else {
            in.p = in.end;
        }
        uint64_t name = next;
        if (naming == 1) name += (uint64_t)(int64_t)(int8_t)nb;
        if (naming == 2) name = 1 + nb;
        if (name == 0) name = 1;
        for (bool clash = true; clash;) {
            clash = false;
            for (size_t k = 0; k < b->n; k++)
                if (b->first[k] == name) clash = true;
            if (clash) name = name == UINT64_MAX ? 1 : name + 1;
        }
        b->first[b->n] = name;
        b->bytes[b->n] = (buf)BUF_INIT;
        build_segment(&desc, &next, &big, &b->bytes[b->n]);
        b->n++;
    }
    /* The crash: the newest segment loses its last `cut` bytes. */
    size_t newest = 0;
    for (size_t k = 1; k < b->n; k++)
        if (b->first[k] > b->first[newest]) newest = k;
    buf *t = &b->bytes[newest];
    t->len -= cut < t->len ? cut : t->len;
}

static void write_file(const char *path, const buf *b)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    CHECK(fd >= 0);
    size_t done = 0;
    while (done < b->len) {
        ssize_t w = write(fd, b->data + done, b->len - done);
        CHECK(w > 0);
        done += (size_t)w;
    }
    close(fd);
}

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    return remove(path);
}

/* ---- the run ----------------------------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char dir[] = "/tmp/fuzz_journal.XXXXXX";
    CHECK(mkdtemp(dir));
    char jdir[64];
    snprintf(jdir, sizeof jdir, "%s/journal", dir);
    CHECK(mkdir(jdir, 0700) == 0);

    built b;
    build(data, size, &b);
    for (size_t i = 0; i < b.n; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/%020" PRIu64 ".jnl", jdir, b.first[i]);
        write_file(path, &b.bytes[i]);
        buf_free(&b.bytes[i]);
    }

    /* Before recovery: what a reader sees on the damaged files. It stays open across the
     * restart, as a reader of a running server's directory would. */
    model m0;
    snapshot(jdir, &m0);
    bool hurt = damaged(&m0);
    bool cons = !hurt && consistent(&m0);
    size_t newest = m0.n - 1;
    recs before = {0};
    journal_reader old_reader;
    CHECK(journal_reader_open(&old_reader, dir, 1) == 0);
    read_rest(&old_reader, &m0, true, &before);
    if (cons) CHECK(is_every_frame(&m0, &before));

    /* Recovery, as the server starts. */
    journal j;
    char err[1024];
    int opened = journal_open(&j, dir, 1, err, sizeof err);
    CHECK(opened == (hurt ? -1 : 0));
    if (hurt) {
        /* Refused, and nothing was cut or moved. */
        CHECK(strstr(err, "damaged") && strstr(err, "offset"));
        model mr;
        snapshot(jdir, &mr);
        CHECK(same_files(&m0, &mr));
        model_free(&mr);
        journal_reader_close(&old_reader);
        recs_free(&before);
        model_free(&m0);
        CHECK(nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS) == 0);
        return 0;
    }
    uint64_t pos = journal_position(&j);
    CHECK(journal_durable(&j) == pos - 1);
    journal_close(&j);

    model m1;
    snapshot(jdir, &m1);
    CHECK(m1.n == m0.n);
    for (size_t i = 0; i < m0.n; i++) {
        CHECK(m1.first[i] == m0.first[i]);
        if (i < newest) CHECK(m1.bytes[i].len == m0.bytes[i].len);
    }
    CHECK(same_files(&m0, &m1) || m1.bytes[newest].len < m0.bytes[newest].len);
    const buf *cut = &m1.bytes[newest];
    CHECK(!memcmp(cut->data, m0.bytes[newest].data, cut->len)); /* a prefix */
    for (size_t i = 0; i < newest; i++)
        CHECK(!memcmp(m1.bytes[i].data, m0.bytes[i].data, m0.bytes[i].len));
    CHECK(m1.walk_end[newest] == cut->len);           /* whole frames only, cut at a boundary */
    if (cons) CHECK(cut->len == m0.walk_end[newest]); /* ... every one of them kept */
    if (m1.fcount[newest]) {
        const frame *f = &m1.frames[m1.fbeg[newest] + m1.fcount[newest] - 1];
        CHECK(pos == f->seq + 1);
    } else {
        CHECK(pos == m1.first[newest]);
    }

    /* Idempotent: a second start finds nothing to repair (same bytes, so a reader gives
     * the same records as after the first). */
    CHECK(journal_open(&j, dir, 1, err, sizeof err) == 0);
    CHECK(journal_position(&j) == pos);
    model m2;
    snapshot(jdir, &m2);
    CHECK(same_files(&m1, &m2));

    /* Recovery only removed: a reader now gives a prefix of what it gave before. This
     * reader stays open across the append below. */
    recs after = {0};
    journal_reader reader;
    CHECK(journal_reader_open(&reader, dir, 1) == 0);
    read_rest(&reader, &m2, true, &after);
    CHECK(recs_prefix(&after, &before));
    if (cons) CHECK(recs_same(&after, &before));

    /* A new record after recovery: durable on return, read back after the others. Only
     * where the position lies in the sequence space a journal can reach: a frame that
     * puts it past 2^62 needs a forged CRC over an absurd sequence number, and at 2^64 the
     * numbers wrap (see the comment at SEQ_SANE). */
    model m3 = {0}, m4 = {0};
    recs appended = {0};
    if (pos >= 1 && pos < SEQ_SANE) {
        uint64_t seq = 0;
        aws_error e;
        CHECK(journal_append(&j, APPENDED, sizeof APPENDED - 1, &seq, &e) == 0);
        CHECK(seq == pos);
        CHECK(journal_position(&j) == seq + 1);
        CHECK(journal_durable(&j) >= seq);
        snapshot(jdir, &m3);
        CHECK(m3.n == m2.n);
        for (size_t i = 0; i < newest; i++)
            CHECK(m3.first[i] == m2.first[i] && m3.bytes[i].len == m2.bytes[i].len);
        buf want = BUF_INIT;
        buf_append(&want, m2.bytes[newest].data, m2.bytes[newest].len);
        put_frame(&want, sizeof APPENDED - 1, crc_of(seq, APPENDED, sizeof APPENDED - 1), seq,
                  APPENDED, sizeof APPENDED - 1);
        CHECK(m3.bytes[newest].len == want.len &&
              !memcmp(m3.bytes[newest].data, want.data, want.len));
        buf_free(&want);
        read_all(dir, &m3, &appended);
        CHECK(recs_prefix(&after, &appended));
        CHECK(appended.n == after.n || appended.n == after.n + 1);
        if (appended.n > after.n) CHECK(appended.seq[after.n] == seq);
        if (cons) CHECK(appended.n == after.n + 1);

        /* Readers kept open: the one from after recovery gives what a new one does. */
        read_rest(&reader, &m3, true, &after);
        CHECK(recs_same(&after, &appended));
        /* The one from before the restart: whole frames in order; on the journal's own
         * kind of directory exactly the new record. */
        size_t had = before.n;
        read_rest(&old_reader, &m3, false, &before);
        if (cons) CHECK(before.n == had + 1 && before.seq[had] == seq);
        journal_close(&j);

        /* Durable across another restart, which again repairs nothing (same bytes: the
         * same records). */
        CHECK(journal_open(&j, dir, 1, err, sizeof err) == 0);
        CHECK(journal_position(&j) == seq + 1);
        journal_close(&j);
        snapshot(jdir, &m4);
        CHECK(same_files(&m3, &m4));
    } else {
        journal_close(&j);
    }
    journal_reader_close(&reader);
    journal_reader_close(&old_reader);

    recs_free(&before);
    recs_free(&after);
    recs_free(&appended);
    model_free(&m0);
    model_free(&m1);
    model_free(&m2);
    model_free(&m3);
    model_free(&m4);
    CHECK(nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS) == 0);
    return 0;
}
