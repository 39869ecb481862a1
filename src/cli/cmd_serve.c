#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/confine.h"
#include "app/deliverer.h"
#include "app/streamer.h"
#include "app/frontend.h"
#include "app/server.h"
#include "app/sns_worker.h"
#include "cli/cli.h"
#include "http/server.h"
#include "cli/options.h"

static void handle(void *ctx, http_request *req, http_response *resp)
{
    frontend_handle(ctx, req, resp);
}

static void usage(FILE *f)
{
    fputs("usage: orgtrail serve --data DIR [--listen HOST:PORT] [--delivery-interval SEC]\n"
          "                      [--digest-interval SEC] [--signing-key-period SEC]\n"
          "                      [--ingest-backlog N] [--sns-delay-scale F]\n"
          "\n"
          "Serves every AWS API orgtrail speaks on one endpoint; the service is the one named\n"
          "in each request's SigV4 credential scope. SIGTERM or Ctrl-C shut down cleanly.\n"
          "\n"
          "  --data DIR               the store made by 'orgtrail init'\n"
          "  --listen HOST:PORT       address to listen on (default 127.0.0.1:4566)\n"
          "  --delivery-interval SEC  how often log files are delivered (default 300, >= 1)\n"
          "  --digest-interval SEC    how often digest files are signed (default 3600, >= 1)\n"
          "  --signing-key-period SEC how long each region's digest signing key is used\n"
          "                           before a new one is made (default 2592000 = 30 days)\n"
          "  --ingest-backlog N       bulk ingestion waits while more than N captured records\n"
          "                           are not yet planned into log files (default 200000;\n"
          "                           0 = never wait)\n"
          "  --sns-delay-scale F      multiplies every SNS delivery retry delay by F, 0 < F <= 1\n"
          "                           (default 1: SNS's own, 20 s apart; tests use 0.01)\n",
          f);
}

static int parse_listen(const char *s, char *host, size_t hl, int *port)
{
    const char *colon = strrchr(s, ':');
    if (!colon) return -1;
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end || p < 0 || p > 65535) return -1;
    size_t n = (size_t)(colon - s);
    if (n >= hl) return -1;
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
        memcpy(host, s + 1, n - 2);
        host[n - 2] = '\0';
    } else {
        memcpy(host, s, n);
        host[n] = '\0';
    }
    *port = (int)p;
    return 0;
}

static int parse_interval(const char *s, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || v < 1 || v > 86400) return -1;
    *out = (int)v;
    return 0;
}

int cmd_serve(int argc, char **argv)
{
    const char *dir = NULL, *listen_arg = NULL, *delivery_arg = NULL, *digest_arg = NULL,
               *key_period_arg = NULL, *backlog_arg = NULL, *sns_scale_arg = NULL;
    const cli_option opts[] = {{"data", &dir, NULL},
                               {"listen", &listen_arg, NULL},
                               {"delivery-interval", &delivery_arg, NULL},
                               {"digest-interval", &digest_arg, NULL},
                               {"signing-key-period", &key_period_arg, NULL},
                               {"ingest-backlog", &backlog_arg, NULL},
                               {"sns-delay-scale", &sns_scale_arg, NULL},
                               {0}};
    int parsed = cli_parse_options(argc, argv, "serve", opts, usage);
    if (parsed >= 0) return parsed;
    char host[256] = "127.0.0.1";
    int port = 4566, delivery = 300, digest = 3600, key_period = 30 * 86400;
    long long backlog = DELIVERY_BACKLOG_DEFAULT_LIMIT;
    if (listen_arg && parse_listen(listen_arg, host, sizeof host, &port)) {
        fprintf(stderr, "orgtrail serve: --listen wants HOST:PORT, got '%s'\n", listen_arg);
        return 2;
    }
    if (delivery_arg && parse_interval(delivery_arg, &delivery)) {
        fprintf(stderr, "orgtrail serve: --delivery-interval wants 1..86400 seconds\n");
        return 2;
    }
    if (digest_arg && parse_interval(digest_arg, &digest)) {
        fprintf(stderr, "orgtrail serve: --digest-interval wants 1..86400 seconds\n");
        return 2;
    }
    if (key_period_arg) {
        char *end;
        long v = strtol(key_period_arg, &end, 10);
        if (*end || !*key_period_arg || v < 1 || v > 10L * 366 * 86400) {
            fprintf(stderr, "orgtrail serve: --signing-key-period wants 1..316224000 seconds\n");
            return 2;
        }
        key_period = (int)v;
    }
    if (backlog_arg) {
        char *end;
        backlog = strtoll(backlog_arg, &end, 10);
        if (*end || !*backlog_arg || backlog < 0 || backlog > 1000000000LL) {
            fprintf(stderr, "orgtrail serve: --ingest-backlog wants 0..1000000000 records\n");
            return 2;
        }
    }
    double sns_scale = 1.0;
    if (sns_scale_arg) {
        char *end;
        sns_scale = strtod(sns_scale_arg, &end);
        if (*end || !*sns_scale_arg || !(sns_scale > 0 && sns_scale <= 1)) {
            fprintf(stderr, "orgtrail serve: --sns-delay-scale wants a number in (0, 1]\n");
            return 2;
        }
    }
    if (!dir) return cli_usage_error("serve", usage, "--data DIR is required");
    /* Block the shutdown signals in every thread; this one waits for them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    server s;
    char err[512];
    /* The signer first, while this process has no thread and nothing open: its supervisor
     * is a fork of this moment (digest/signer_client.h). */
    signer_client sg;
    bool have_signer = false;
    char exe[PATH_MAX], probe[PATH_MAX + 16];
    ssize_t exe_len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    snprintf(probe, sizeof probe, "%s/state.db", dir);
    if (exe_len > 0 && access(probe, F_OK) == 0) {
        exe[exe_len] = '\0';
        if (signer_client_start(&sg, exe, dir, err, sizeof err)) {
            fprintf(stderr, "orgtrail serve: %s\n", err);
            return 1;
        }
        have_signer = true;
    }
    if (server_open(&s, dir, err, sizeof err)) {
        fprintf(stderr, "orgtrail serve: %s\n", err);
        if (have_signer) signer_client_close(&sg);
        return 1;
    }
    if (have_signer) server_use_signer(&s, &sg);
    server_configure(&s, delivery, digest, key_period);
    s.backlog.limit = (uint64_t)backlog;
    /* Before the first thread: confinement binds only this thread and those it starts. */
    int confined = confine_serving_process(dir, err, sizeof err);
    if (confined < 0) {
        fprintf(stderr, "orgtrail serve: %s\n", err);
        server_close(&s);
        if (have_signer) signer_client_close(&sg);
        return 1;
    }
    if (confined == 0) fprintf(stderr, "orgtrail serve: warning: %s\n", err);
    /* Delivery first: its start-up check must see the journal before any new record. */
    deliverer dl;
    if (deliverer_start(&dl, &s.delivery, s.signer, err, sizeof err)) {
        fprintf(stderr, "orgtrail serve: %s\n", err);
        server_close(&s);
        if (have_signer) signer_client_close(&sg);
        return 1;
    }
    streamer sm;
    if (streamer_start(&sm, &s.delivery, err, sizeof err)) {
        fprintf(stderr, "orgtrail serve: %s\n", err);
        deliverer_stop(&dl);
        server_close(&s);
        if (have_signer) signer_client_close(&sg);
        return 1;
    }
    http_server hs;
    if (http_server_start(&hs, host, port, HTTP_DEFAULT_MAX_BODY, handle, &s, err, sizeof err)) {
        fprintf(stderr, "orgtrail serve: %s\n", err);
        streamer_stop(&sm);
        deliverer_stop(&dl);
        server_close(&s);
        if (have_signer) signer_client_close(&sg);
        return 1;
    }
    /* SNS's messages point back at this endpoint (SigningCertURL, SubscribeURL, ...). */
    char base_url[300];
    bool any = !strcmp(host, "0.0.0.0") || !strcmp(host, "::") || !*host;
    snprintf(base_url, sizeof base_url,
             strchr(host, ':') && !any ? "http://[%s]:%d" : "http://%s:%d",
             any ? "127.0.0.1" : host, hs.port);
    sns_worker sw;
    if (sns_worker_start(&sw, &s.db, base_url, sns_scale, err, sizeof err)) {
        fprintf(stderr, "orgtrail serve: %s\n", err);
        http_server_stop(&hs);
        streamer_stop(&sm);
        deliverer_stop(&dl);
        server_close(&s);
        if (have_signer) signer_client_close(&sg);
        return 1;
    }
    fprintf(stderr, "orgtrail: serving on http://%s:%d (store %s, management account %s)\n", host,
            hs.port, dir, s.owner_account);
    /* This thread is the housekeeper: once a second it lets the journal notice a full or
     * unwritable data directory, and recover by itself once there is room again. */
    for (;;) {
        struct timespec tick = {1, 0};
        if (sigtimedwait(&set, NULL, &tick) >= 0) break;
        journal_tick(&s.journal);
    }
    fprintf(stderr, "orgtrail: shutting down\n");
    /* Requests first, then delivery: whatever was acknowledged is in the journal and is
     * planned and delivered after the next start (deliver.h). */
    http_server_stop(&hs);
    sns_worker_stop(&sw);
    streamer_stop(&sm);
    deliverer_stop(&dl);
    server_close(&s);
    if (have_signer) signer_client_close(&sg);
    return 0;
}
