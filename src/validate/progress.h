/* progress: a one-line progress bar on stderr for long validations.
 *
 * Shown only when stderr is a terminal (the caller decides with isatty), so logs and pipes
 * get exactly the AWS CLI's output. The bar is drawn at most ten times a second; any line
 * written to stderr or stdout in between must call progress_clear first so the bar never
 * mixes with output. Not thread-safe: only the emitting thread draws. */
#ifndef ORGTRAIL_VALIDATE_PROGRESS_H
#define ORGTRAIL_VALIDATE_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct progress {
    bool on;
    FILE *f;
    int64_t started_ns, last_draw_ns;
    bool drawn;
    /* what is shown */
    uint64_t digests_done, digests_total; /* total: digests listed in range */
    uint64_t logs_done, logs_queued;
    uint64_t bytes; /* inflated bytes hashed */
} progress;

void progress_init(progress *p, bool on, FILE *f);
/* Redraws when due (force: now). */
void progress_draw(progress *p, bool force);
/* Erases the bar (before other output on the terminal). */
void progress_clear(progress *p);
/* Erases the bar for good. */
void progress_end(progress *p);

#endif
