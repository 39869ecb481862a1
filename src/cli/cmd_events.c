#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/journal.h"
#include "cli/cli.h"
#include "cli/options.h"

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
    const char *dir = NULL, *account = NULL;
    bool follow = false;
    const cli_option opts[] = {
        {"data", &dir, NULL}, {"account", &account, NULL}, {"follow", NULL, &follow}, {0}};
    int parsed = cli_parse_options(argc, argv, "events", opts, usage);
    if (parsed >= 0) return parsed;
    if (!dir) return cli_usage_error("events", usage, "--data DIR is required");
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
