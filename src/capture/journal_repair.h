/* journal_repair: what `orgtrail journal check` and `orgtrail journal salvage` do with a
 * journal whose segments are damaged (capture/journal_segment.h says what damage is).
 *
 * check reads every segment and reports, per segment, its whole records and every stretch
 * of bad bytes; it changes nothing. salvage rewrites each damaged segment with exactly its
 * whole frames (bytes unchanged, sequence numbers kept, so delivery goes on where it was and
 * nothing is delivered twice) and keeps the original as DATA/journal-damaged/<name>.<UTC
 * time> for inspection. Each step is durable before the next: a crash during salvage leaves
 * either the original or the rewritten segment in place, never neither, and salvage can be
 * run again. A torn tail of the newest segment is not damage: salvage leaves it for serve to
 * cut. Both take the journal's lock, so they refuse to run beside a server on the same data
 * directory. */
#ifndef ORGTRAIL_JOURNAL_REPAIR_H
#define ORGTRAIL_JOURNAL_REPAIR_H

#include <stdbool.h>
#include <stddef.h>

#include "capture/journal_segment.h"

typedef struct journal_report_segment {
    char *path; /* owned */
    journal_segment_scan scan;
    bool newest;
    char *kept_as; /* owned: where salvage kept the damaged original, else NULL */
} journal_report_segment;

typedef struct journal_report {
    journal_report_segment *segments; /* owned, ascending */
    size_t n_segments;
    uint64_t records; /* whole records in all */
    size_t damaged;   /* segments with damage */
    size_t salvaged;  /* segments salvage rewrote */
} journal_report;

/* Fills rep with every segment of data_dir/journal. 0, or -1 with err (no journal, cannot
 * read, a server holds the lock). Free rep with journal_report_free either way. */
int journal_check(const char *data_dir, journal_report *rep, char *err, size_t errlen);
/* journal_check, then salvages each damaged segment (above). rep describes the segments as
 * they were found, with kept_as set on those salvaged. 0, or -1 with err. */
int journal_salvage(const char *data_dir, journal_report *rep, char *err, size_t errlen);
void journal_report_free(journal_report *rep);

#endif
