#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "capture/journal_repair.h"
#include "cli/cli.h"
#include "cli/options.h"

static void usage(FILE *f)
{
    fputs("usage: orgtrail journal check --data DIR\n"
          "       orgtrail journal salvage --data DIR\n"
          "\n"
          "The journal (DIR/journal) holds every captured record until it is delivered.\n"
          "'orgtrail serve' refuses to start when bytes of it that were acknowledged cannot\n"
          "be read any more (a flipped bit, a bad sector), instead of losing records.\n"
          "\n"
          "  check    reports every segment: its records and any damage (file, offset,\n"
          "           the records around it). Changes nothing. Exit 0 when no segment is\n"
          "           damaged, 1 when one is.\n"
          "  salvage  rewrites each damaged segment with every record that is still whole\n"
          "           (sequence numbers kept, so nothing is delivered twice) and keeps the\n"
          "           original in DIR/journal-damaged/. Records in the damaged bytes are\n"
          "           lost; the rest is delivered when 'orgtrail serve' starts again.\n"
          "\n"
          "Both need the server stopped.\n"
          "\n"
          "  --data DIR  the store\n",
          f);
}

static void print_segment(const journal_report_segment *s)
{
    const journal_segment_scan *sc = &s->scan;
    const char *name = strrchr(s->path, '/') ? strrchr(s->path, '/') + 1 : s->path;
    if (sc->records)
        printf("%s  %" PRIu64 " records (%" PRIu64 "..%" PRIu64 "), %" PRIu64 " bytes", name,
               sc->records, sc->first_seq, sc->last_seq, sc->size);
    else
        printf("%s  no records, %" PRIu64 " bytes", name, sc->size);
    printf("%s\n", sc->damaged ? "  DAMAGED" : sc->n_gaps ? "  torn tail" : "  ok");
    for (size_t i = 0; i < sc->n_gaps; i++) {
        const journal_gap *g = &sc->gaps[i];
        if (g->before_seq)
            printf("    %" PRIu64 " unreadable bytes at offset %" PRIu64 ", between record %" PRIu64
                   " and record %" PRIu64 "\n",
                   g->bytes, g->offset, g->after_seq, g->before_seq);
        else if (s->newest && !sc->damaged)
            printf("    %" PRIu64 " bytes at offset %" PRIu64 " after record %" PRIu64
                   ": a write cut short by a crash, never acknowledged"
                   " (serve drops it)\n",
                   g->bytes, g->offset, g->after_seq);
        else
            printf("    %" PRIu64 " unreadable bytes at offset %" PRIu64 " after record %" PRIu64
                   "\n",
                   g->bytes, g->offset, g->after_seq);
    }
    if (s->kept_as) printf("    salvaged: the original is kept as %s\n", s->kept_as);
}

int cmd_journal(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "check") && strcmp(argv[1], "salvage"))) {
        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
            usage(stdout);
            return 0;
        }
        usage(stderr);
        return 2;
    }
    bool salvage = !strcmp(argv[1], "salvage");
    const char *dir = NULL;
    const cli_option opts[] = {{"data", &dir, NULL}, {0}};
    int parsed = cli_parse_options(argc - 1, argv + 1, "journal", opts, usage);
    if (parsed >= 0) return parsed;
    if (!dir) return cli_usage_error("journal", usage, "--data DIR is required");
    journal_report rep;
    char err[1024];
    int rc = salvage ? journal_salvage(dir, &rep, err, sizeof err)
                     : journal_check(dir, &rep, err, sizeof err);
    for (size_t i = 0; i < rep.n_segments; i++)
        print_segment(&rep.segments[i]);
    if (rc) {
        fprintf(stderr, "orgtrail journal %s: %s\n", argv[1], err);
        journal_report_free(&rep);
        return 1;
    }
    int status = 0;
    if (salvage && rep.salvaged)
        printf("salvaged %zu damaged segment(s); %" PRIu64
               " whole records kept. Start 'orgtrail serve --data %s' again.\n",
               rep.salvaged, rep.records, dir);
    else if (salvage)
        printf("no damaged segment: nothing to salvage (%" PRIu64 " records)\n", rep.records);
    else if (rep.damaged) {
        printf("%zu damaged segment(s). 'orgtrail journal salvage --data %s' keeps every whole "
               "record and moves the damaged segments aside.\n",
               rep.damaged, dir);
        status = 1;
    } else
        printf("journal ok: %zu segment(s), %" PRIu64 " records\n", rep.n_segments, rep.records);
    journal_report_free(&rep);
    return status;
}
