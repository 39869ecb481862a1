#include "digest/signer_client.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/hash.h"
#include "core/log.h"

static void init_common(signer_client *c)
{
    memset(c, 0, sizeof *c);
    c->fd = -1;
    c->supervisor = -1;
    pthread_mutex_init(&c->mu, NULL);
    c->request = (buf)BUF_INIT;
    c->reply = (buf)BUF_INIT;
}

int signer_client_open_local(signer_client *c, const char *data_dir, char *err, size_t errlen)
{
    init_common(c);
    c->local = signer_open(data_dir, err, errlen);
    if (!c->local) {
        pthread_mutex_destroy(&c->mu);
        return -1;
    }
    return 0;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) && errno == EINTR) {
    }
}

/* The supervisor: runs the signer on fd 3 until it ends cleanly (the server's end closed),
 * restarting it whenever it dies otherwise. Never returns. */
static void supervise(const char *exe, const char *data_dir, int sock)
{
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    long backoff = 100;
    for (;;) {
        pid_t pid = fork();
        if (pid == 0) {
            if (dup2(sock, 3) < 0) _exit(127);
            execl(exe, "orgtrail", "signer", "--data", data_dir, "--fd", "3", (char *)NULL);
            _exit(127);
        }
        if (pid < 0) {
            sleep_ms(1000);
            continue;
        }
        ot_log("signer running (pid %d)", (int)pid);
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
        }
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0) _exit(0);
        ot_log("the signer (pid %d) %s %d; restarting it", (int)pid,
               WIFSIGNALED(st) ? "was killed by signal" : "exited with",
               WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
        sleep_ms(backoff);
        backoff = backoff < 5000 ? backoff * 2 : 5000;
    }
}

int signer_client_start(signer_client *c, const char *exe, const char *data_dir, char *err,
                        size_t errlen)
{
    init_common(c);
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
        snprintf(err, errlen, "cannot make the signer's socket: %s", strerror(errno));
        pthread_mutex_destroy(&c->mu);
        return -1;
    }
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "cannot start the signer: %s", strerror(errno));
        close(sv[0]);
        close(sv[1]);
        pthread_mutex_destroy(&c->mu);
        return -1;
    }
    if (pid == 0) {
        close(sv[0]);
        supervise(exe, data_dir, sv[1]);
    }
    close(sv[1]);
    c->fd = sv[0];
    c->supervisor = pid;
    c->msg = malloc(SIGNER_MAX_MESSAGE);
    if (!c->msg) abort();
    return 0;
}

void signer_client_close(signer_client *c)
{
    if (c->local) signer_close(c->local);
    if (c->fd >= 0) close(c->fd);
    if (c->supervisor > 0)
        while (waitpid(c->supervisor, NULL, 0) < 0 && errno == EINTR) {
        }
    buf_free(&c->request);
    buf_free(&c->reply);
    free(c->msg);
    pthread_mutex_destroy(&c->mu);
    memset(c, 0, sizeof *c);
    c->fd = -1;
}

/* Sends c->request and waits for the answer with its id: 0 with *answer (parsed once,
 * here; NULL when not JSON; caller decrefs), or -1. */
static int exchange(signer_client *c, int64_t id, json_t **answer, aws_error *e)
{
    if (c->local) {
        buf_reset(&c->reply);
        signer_handle(c->local, c->request.data, c->request.len, &c->reply);
        *answer = json_loadb(c->reply.data, c->reply.len, 0, NULL);
        return 0;
    }
    for (int attempt = 0; attempt < SIGNER_ATTEMPTS; attempt++) {
        if (send(c->fd, c->request.data, c->request.len, MSG_NOSIGNAL) < 0 && errno != EINTR)
            return aws_fail(e, 500, "InternalError", "The signer is gone: %s", strerror(errno));
        for (;;) {
            struct pollfd p = {c->fd, POLLIN, 0};
            int r = poll(&p, 1, SIGNER_RETRY_MS);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) break; /* no answer: the signer died with it; ask again */
            ssize_t n = recv(c->fd, c->msg, SIGNER_MAX_MESSAGE, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0)
                return aws_fail(e, 500, "InternalError", "The signer is gone: %s",
                                n ? strerror(errno) : "connection closed");
            json_t *o = json_loadb(c->msg, (size_t)n, 0, NULL);
            const json_t *got = o ? json_object_get(o, "id") : NULL;
            if (!json_is_integer(got) || json_integer_value(got) != id) {
                json_decref(o);
                continue; /* the late answer to an earlier request */
            }
            *answer = o;
            return 0;
        }
    }
    return aws_fail(e, 500, "InternalError", "The signer does not answer.");
}

/* Runs the request in o (stolen) and parses the answer: 0 ok with *out (caller decrefs),
 * SIGNER_REFUSED or -1 with e. */
static int call(signer_client *c, json_t *o, json_t **out, aws_error *e)
{
    pthread_mutex_lock(&c->mu);
    int64_t id = ++c->next_id;
    json_object_set_new(o, "id", json_integer(id));
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!text) abort();
    buf_reset(&c->request);
    buf_puts(&c->request, text);
    free(text);
    json_t *a = NULL;
    int rc = exchange(c, id, &a, e);
    pthread_mutex_unlock(&c->mu);
    if (rc) return -1;
    if (!json_is_object(a)) {
        json_decref(a);
        return aws_fail(e, 500, "InternalError", "The signer's answer is not readable.");
    }
    if (!json_is_true(json_object_get(a, "ok"))) {
        const char *msg = json_string_value(json_object_get(a, "message"));
        rc = json_is_true(json_object_get(a, "refused")) ? SIGNER_REFUSED : -1;
        aws_fail(e, 500, "InternalError", "%s", msg ? msg : "the signer failed");
        json_decref(a);
        return rc;
    }
    *out = a;
    return 0;
}

int signer_new_key(signer_client *c, const char *region, unsigned char **der, size_t *der_len,
                   char fingerprint[SIGNKEY_FINGERPRINT_LEN + 1], aws_error *e)
{
    json_t *a;
    if (call(c, json_pack("{ss ss}", "op", "new_key", "region", region), &a, e)) return -1;
    const char *fp = json_string_value(json_object_get(a, "fingerprint"));
    const char *hex = json_string_value(json_object_get(a, "public_der"));
    size_t hex_len = hex ? strlen(hex) : 0;
    *der = malloc(hex_len / 2 + 1);
    if (!*der) abort();
    long n = hex ? hex_decode(hex, hex_len, *der, hex_len / 2 + 1) : -1;
    if (!fp || strlen(fp) != SIGNKEY_FINGERPRINT_LEN || n <= 0) {
        free(*der);
        *der = NULL;
        json_decref(a);
        return aws_fail(e, 500, "InternalError", "The signer's new key is not readable.");
    }
    *der_len = (size_t)n;
    snprintf(fingerprint, SIGNKEY_FINGERPRINT_LEN + 1, "%s", fp);
    json_decref(a);
    return 0;
}

int signer_sign(signer_client *c, const signer_request *r, char sig[SIGNKEY_SIG_HEX_LEN + 1],
                aws_error *e)
{
    char chain[1200];
    snprintf(chain, sizeof chain, "%s|%s|%s", r->trail_arn, r->account_id, r->region);
    json_t *a;
    int rc = call(c,
                  json_pack("{ss ss ss ss sI ss ss ss ss}", "op", "sign", "chain", chain, "region",
                            r->region, "fingerprint", r->fingerprint, "end_ms",
                            (json_int_t)r->end_ms, "bucket", r->bucket, "key", r->key, "sha256",
                            r->sha256, "previous_signature",
                            r->previous_signature ? r->previous_signature : "null"),
                  &a, e);
    if (rc) return rc;
    const char *s = json_string_value(json_object_get(a, "signature"));
    if (!s || strlen(s) != SIGNKEY_SIG_HEX_LEN) {
        json_decref(a);
        return aws_fail(e, 500, "InternalError", "The signer's signature is not readable.");
    }
    snprintf(sig, SIGNKEY_SIG_HEX_LEN + 1, "%s", s);
    json_decref(a);
    return 0;
}
