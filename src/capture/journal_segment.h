/* journal_segment: the journal's segment files as bytes on disk, and what a scan of one
 * says about them: its whole frames, a torn tail, or damage.
 *
 * Layout (capture/journal.h): DIR/journal/<first seq, 20 digits>.jnl, each a series of
 * frames  u32 payload length | u32 crc32(seq bytes + payload) | u64 seq | payload,
 * little-endian. A frame is whole when its length is at most JOURNAL_MAX_RECORD and fits
 * the file, its seq is above the previous whole frame's and at most JOURNAL_MAX_SEQ, and
 * its CRC matches.
 *
 * Torn tail or damage. The journal writes a batch of frames with one write, makes it
 * durable (fdatasync) before it writes the next batch, and starts a new segment only after
 * that. So a crash can leave only the end of the newest segment incomplete: bad bytes with
 * no whole frame after them, never acknowledged, safe to cut. Whole frames AFTER bad bytes,
 * or bad bytes anywhere in an older segment, mean that acknowledged bytes changed on disk
 * (a flipped bit, a bad sector, another program): damage, which must never be cut. To tell
 * the two apart a scan looks for the next whole frame after bad bytes at every offset, so a
 * damaged length field cannot hide the frames behind it.
 *
 * Ownership: scans own their gap lists (journal_segment_scan_clear); paths returned by
 * functions named *_path are malloc'd and owned by the caller. */
#ifndef ORGTRAIL_JOURNAL_SEGMENT_H
#define ORGTRAIL_JOURNAL_SEGMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* Frame header fields. */
uint32_t journal_get_u32(const unsigned char *p);
uint64_t journal_get_u64(const unsigned char *p);
void journal_put_u32(unsigned char *p, uint32_t v);
void journal_put_u64(unsigned char *p, uint64_t v);
uint32_t journal_frame_crc(const unsigned char *seq8, const void *payload, size_t len);

/* The whole frame at p (n bytes available) with seq >= min_seq: 1 with its payload length
 * and seq, else 0. */
int journal_frame_whole(const unsigned char *p, size_t n, uint64_t min_seq, uint32_t *len,
                        uint64_t *seq);

/* DIR/<first, 20 digits>.jnl; malloc'd, caller frees. */
char *journal_segment_path(const char *journal_dir, uint64_t first);
/* The first seqs of the segments in journal_dir, ascending, in *out (malloc'd, caller
 * frees; NULL when none). Returns how many. */
size_t journal_segment_list(const char *journal_dir, uint64_t **out);
/* Takes journal_dir for this process (flock, released when *fd is closed, also by a
 * crash): two processes writing one journal would hand out the same sequence numbers.
 * 0 with *fd set, or -1 with err saying who holds it or why it failed. */
int journal_lock_dir(const char *journal_dir, int *fd, char *err, size_t errlen);
/* Reads the whole file into out (reset first). 0, or -1 with errno set. */
int journal_segment_read(const char *path, buf *out);

/* Bytes a scan could not read as whole frames, in file order. */
typedef struct journal_gap {
    uint64_t offset, bytes;
    uint64_t after_seq;  /* seq of the last whole frame before it; 0 when none */
    uint64_t before_seq; /* seq of the first whole frame after it; 0 at the end (a tail) */
} journal_gap;

typedef struct journal_segment_scan {
    uint64_t first;               /* the segment's name */
    uint64_t size;                /* bytes scanned */
    uint64_t records;             /* whole frames */
    uint64_t first_seq, last_seq; /* of the whole frames; 0 when there are none */
    uint64_t good_end;            /* end of the whole frames before the first gap */
    journal_gap *gaps;            /* owned */
    size_t n_gaps;
    bool damaged; /* acknowledged bytes are unreadable (see the contract above) */
} journal_segment_scan;

/* Called for each whole frame (header included) in file order. */
typedef void journal_frame_fn(void *ctx, const unsigned char *frame, size_t frame_len,
                              uint64_t seq);

/* Scans the n bytes of the segment named `first`; `newest` says whether a tail gap is a
 * torn write (newest segment) or damage (older). on_frame may be NULL. */
void journal_segment_scan_bytes(const unsigned char *p, size_t n, uint64_t first, bool newest,
                                journal_frame_fn *on_frame, void *ctx, journal_segment_scan *out);
void journal_segment_scan_clear(journal_segment_scan *s);

/* Where a check found damage first, for messages. */
typedef struct journal_damage {
    char *path; /* owned: the segment file */
    uint64_t offset, bytes;
    uint64_t after_seq, before_seq; /* as in journal_gap */
} journal_damage;
void journal_damage_clear(journal_damage *d);

/* Checks every segment of data_dir/journal that may hold a record with seq >= from (1:
 * all) for damage; the newest one too when newest_too. 1 with *d filled at the first
 * damage, 0 when none, -1 with errno set when a segment cannot be read. */
int journal_find_damage(const char *data_dir, uint64_t from, bool newest_too, journal_damage *d);

/* The message serve and the journal command print for damage: the file, the offset, the
 * records around it, and what to do. */
void journal_damage_describe(const journal_damage *d, const char *data_dir, char *out,
                             size_t outlen);

#endif
