#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/journal.h"
#include "cli/cli.h"

static void usage(FILE *f)
{
    fputs("usage: orgtrail events --data DIR [--account ID] [--follow]\n"
          "\n"
          "Prints the captured CloudTrail records, oldest first, one JSON object per line.\n"
          "Safe to run while 'orgtrail serve' is running.\n"
          "\n"
          "  --data DIR    the store\n"
          "  --account ID  only records delivered to this account (recipientAccountId)\n"
          "  --follow      keep printing new records as they are captured (Ctrl-C stops)\n",
          f);
}

static int matches(const char *rec, size_t len, const char *account)
{
    if (!account) return 1;
    json_t *j = json_loadb(rec, len, 0, NULL);
    const char *r = json_string_value(json_object_get(j, "recipientAccountId"));
    int ok = r && !strcmp(r, account);
    json_decref(j);
    return ok;
}

int cmd_events(int argc, char **argv)
{
    static const struct option opts[] = {{"data", required_argument, NULL, 'd'},
                                         {"account", required_argument, NULL, 'a'},
                                         {"follow", no_argument, NULL, 'f'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *dir = NULL, *account = NULL;
    int follow = 0, o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'd':
            dir = optarg;
            break;
        case 'a':
            account = optarg;
            break;
        case 'f':
            follow = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (!dir) {
        fprintf(stderr, "orgtrail events: --data DIR is required\n\n");
        usage(stderr);
        return 2;
    }
    char probe[4096];
    snprintf(probe, sizeof probe, "%s/state.db", dir);
    if (access(probe, F_OK)) {
        fprintf(stderr, "orgtrail events: no orgtrail store in %s\n", dir);
        return 1;
    }
    journal_reader r;
    journal_reader_open(&r, dir, 1);
    for (;;) {
        const char *rec;
        size_t len;
        uint64_t seq;
        int got = journal_reader_next(&r, &rec, &len, &seq);
        if (got == JOURNAL_READ_DAMAGED) {
            journal_damage d;
            char msg[1024] = "an older segment is damaged";
            if (journal_reader_damage(&r, &d) == 1)
                journal_damage_describe(&d, dir, msg, sizeof msg);
            journal_damage_clear(&d);
            fprintf(stderr, "orgtrail events: %s\n", msg);
            journal_reader_close(&r);
            return 1;
        }
        if (got < 0) {
            fprintf(stderr, "orgtrail events: cannot read the journal\n");
            journal_reader_close(&r);
            return 1;
        }
        if (got == 1) {
            if (matches(rec, len, account)) {
                fwrite(rec, 1, len, stdout);
                fputc('\n', stdout);
            }
            continue;
        }
        if (!follow) break;
        fflush(stdout);
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    journal_reader_close(&r);
    return 0;
}
