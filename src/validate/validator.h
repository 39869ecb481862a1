/* validator: `validate-logs` itself — the digest chain walk, the verdicts and the report,
 * the same as `aws cloudtrail validate-logs` (awscli 1.45.11; cloudtrail-formats.md e),
 * plus the checks the AWS CLI does not make (cloudtrail-formats.md e, last paragraph).
 *
 * Flow: list the digest keys of the account and region from just before START (a page at
 * a time, stopping past END + 1 h), load the public keys, then walk the chain newest
 * first on the calling thread: fetch, verify, report each digest, and hand its log files
 * to the hashing pipeline (pipe.h), which checks them in parallel and reports them in
 * order. Then the backfill digests the same way, then the extra checks, then the summary.
 *
 * Output: exactly the AWS CLI's — status lines on stdout only with verbose, every INVALID
 * and gap line on stderr with its blank lines, the summary on stdout. The extra checks
 * add INVALID lines and summary lines of their own, only when they find something, so a
 * clean chain prints exactly what the AWS CLI prints.
 *
 * Exit status: 0 all valid, 1 anything invalid (extra findings included), 255 an error
 * that stops the run (what the AWS CLI does for the same errors). */
#ifndef ORGTRAIL_VALIDATE_VALIDATOR_H
#define ORGTRAIL_VALIDATE_VALIDATOR_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "validate/layout.h"
#include "validate/pubkeys.h"
#include "validate/source.h"

/* Loads the public keys for [start, end] into `into` (ListPublicKeys, or a file). Returns
 * 0, or -1 with err filled (an error that stops the run). */
typedef int (*vkeys_fn)(void *ctx, int64_t start_ms, int64_t end_ms, pubkeys *into, char *err,
                        size_t errlen);

typedef struct vrun_opts {
    const char *trail_arn;
    int64_t start_ms, end_ms;
    vlayout layout;
    const char *bucket;
    bool verbose;
    bool extras;   /* the checks the AWS CLI does not make */
    int workers;   /* hashing threads */
    bool progress; /* draw a progress bar on err */
    FILE *out, *err;
    vkeys_fn load_keys;
    void *keys_ctx;
} vrun_opts;

typedef struct vrun_stats {
    uint64_t valid_digests, invalid_digests, valid_backfill, invalid_backfill;
    uint64_t valid_logs, invalid_logs;
    uint64_t unnamed_logs, broken_links, wrong_algorithms; /* extra findings */
    uint64_t bytes_stored, bytes_inflated;
} vrun_stats;

/* Runs a validation. Returns the exit status; stats (may be NULL) filled. */
int validate_run(const vsource *src, const vrun_opts *o, vrun_stats *stats);

#endif
