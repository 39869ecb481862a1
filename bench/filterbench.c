/* orgtrail-filterbench: filter-pattern evaluations per second on one core, the way a log
 * group evaluates its metric filters: every pattern compiled once, each record wrapped in
 * one fp_event that all the patterns share (one tokenization per record), then matched
 * against each pattern. For comparison, in the same run, the cost of only parsing each
 * record with a general JSON library (jansson, building its tree): what any matcher
 * built on such a library pays before it evaluates anything.
 *
 * Prints one JSON line: {"evaluations_per_second": E, "records_per_second": R,
 * "jansson_parses_per_second": J, "matches": [per pattern over one pass]}.
 *
 * Usage: orgtrail-filterbench RECORDS.jsonl PATTERNS.txt SECONDS
 *   RECORDS.jsonl  one CloudTrail record per line; PATTERNS.txt  one pattern per line */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "filter/filter_pattern.h"

#define MAX_LINES 200000

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The non-empty lines of path (each strdup'd; the caller keeps them). */
static size_t read_lines(const char *path, char **lines, size_t *lens)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(2);
    }
    size_t n = 0, cap = 0;
    char *line = NULL;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0 && n < MAX_LINES) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        if (!len) continue;
        lines[n] = strdup(line);
        lens[n++] = (size_t)len;
    }
    free(line);
    fclose(f);
    return n;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: orgtrail-filterbench RECORDS.jsonl PATTERNS.txt SECONDS\n");
        return 2;
    }
    static char *recs[MAX_LINES], *pats[256];
    static size_t rlen[MAX_LINES], plen[256];
    size_t nr = read_lines(argv[1], recs, rlen);
    size_t np = read_lines(argv[2], pats, plen);
    double seconds = atof(argv[3]);
    if (!nr || !np || np > 256 || seconds <= 0) {
        fprintf(stderr, "filterbench: no records or patterns\n");
        return 2;
    }
    fp_pattern *compiled[256];
    for (size_t i = 0; i < np; i++) {
        char err[300];
        if (fp_compile(pats[i], plen[i], &compiled[i], err, sizeof err)) {
            fprintf(stderr, "filterbench: pattern %zu refused: %s\n", i + 1, err);
            return 2;
        }
    }
    long matches[256] = {0};
    for (size_t r = 0; r < nr; r++) {
        fp_event ev;
        fp_event_init(&ev, recs[r], rlen[r]);
        for (size_t i = 0; i < np; i++)
            matches[i] += fp_match(compiled[i], &ev);
        fp_event_release(&ev);
    }

    long evals = 0, records = 0, sink = 0;
    double start = now_s(), elapsed;
    do {
        for (size_t r = 0; r < nr; r++) {
            fp_event ev;
            fp_event_init(&ev, recs[r], rlen[r]);
            for (size_t i = 0; i < np; i++)
                sink += fp_match(compiled[i], &ev);
            fp_event_release(&ev);
        }
        evals += (long)(nr * np);
        records += (long)nr;
        elapsed = now_s() - start;
    } while (elapsed < seconds);
    double eval_rate = (double)evals / elapsed, rec_rate = (double)records / elapsed;

    long parses = 0;
    start = now_s();
    do {
        for (size_t r = 0; r < nr; r++) {
            json_error_t je;
            json_t *j = json_loadb(recs[r], rlen[r], 0, &je);
            sink += j != NULL;
            json_decref(j);
        }
        parses += (long)nr;
        elapsed = now_s() - start;
    } while (elapsed < seconds);

    printf("{\"evaluations_per_second\": %.0f, \"records_per_second\": %.0f, "
           "\"jansson_parses_per_second\": %.0f, \"records\": %zu, \"patterns\": %zu, "
           "\"sink\": %ld, \"matches\": [",
           eval_rate, rec_rate, (double)parses / elapsed, nr, np, sink % 2);
    for (size_t i = 0; i < np; i++)
        printf("%s%ld", i ? ", " : "", matches[i]);
    printf("]}\n");
    for (size_t i = 0; i < np; i++)
        fp_free(compiled[i]), free(pats[i]);
    for (size_t r = 0; r < nr; r++)
        free(recs[r]);
    return 0;
}
