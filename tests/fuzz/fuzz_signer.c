/* fuzz_signer: the signer's request parser and rules (digest/signer.h), fed what a
 * compromised serving process could send over the socketpair: any bytes.
 *
 * One signer for the whole run, in a temporary directory made once (its chain heads and
 * keys persist between inputs, as in the real process), with one key made at start so that
 * sign requests can reach the signing path. The input is the request itself.
 *
 * Properties besides memory safety and leaks: every answer is one JSON object with the
 * request's id (0 when it has none) and a boolean "ok"; an answer that is ok carries a
 * signature of 512 hex digits or a new key; a signature is never given twice for one chain
 * with different contents at the same or an earlier end time (a model of the heads the
 * signer confirmed kept here). */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "digest/signer.h"
#include "fuzz_target.h"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_signer: %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);  \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* Durability costs time and changes nothing this process can observe. */
int fsync(int fd)
{
    (void)fd;
    return 0;
}

typedef struct seen {
    char chain[1100];
    int64_t end_ms;
    char sha256[65];
    char previous[520];
} seen;

static signer *the_signer;
static char fingerprint[33];
static seen *heads;
static size_t n_heads;

static void at_exit_cleanup(void)
{
    signer_close(the_signer);
    free(heads);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    static char dir[] = "/tmp/fuzz_signer.XXXXXX";
    CHECK(mkdtemp(dir));
    char err[256];
    the_signer = signer_open(dir, err, sizeof err);
    CHECK(the_signer);
    buf reply = BUF_INIT;
    const char *nk = "{\"id\":7,\"op\":\"new_key\",\"region\":\"us-east-1\"}";
    signer_handle(the_signer, nk, strlen(nk), &reply);
    CHECK(strstr(reply.data, "\"ok\":true"));
    json_t *a = json_loadb(reply.data, reply.len, 0, NULL);
    CHECK(a);
    snprintf(fingerprint, sizeof fingerprint, "%s",
             json_string_value(json_object_get(a, "fingerprint")));
    CHECK(strlen(fingerprint) == 32);
    json_decref(a);
    buf_free(&reply);
    atexit(at_exit_cleanup);
    return 0;
}

static seen *head_of(const char *chain)
{
    for (size_t i = 0; i < n_heads; i++)
        if (!strcmp(heads[i].chain, chain)) return &heads[i];
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    char *data = malloc(size + 1);
    CHECK(data);
    memcpy(data, input, size);
    data[size] = '\0';
    char *zeros = memmem(data, size, "00000000000000000000000000000000", 32);
    if (zeros) memcpy(zeros, fingerprint, 32);
    buf reply = BUF_INIT;
    signer_handle(the_signer, data, size, &reply);
    json_t *a = json_loadb(reply.data, reply.len, 0, NULL);
    CHECK(json_is_object(a));
    CHECK(json_is_boolean(json_object_get(a, "ok")));
    json_t *req = json_loadb(data, size, JSON_REJECT_DUPLICATES, NULL);
    const json_t *id = json_is_object(req) ? json_object_get(req, "id") : NULL;
    CHECK(json_integer_value(json_object_get(a, "id")) ==
          (json_is_integer(id) ? json_integer_value(id) : 0));
    const char *op = json_is_object(req) ? json_string_value(json_object_get(req, "op")) : NULL;
    if (json_is_true(json_object_get(a, "ok"))) {
        CHECK(op && (!strcmp(op, "sign") || !strcmp(op, "new_key")));
        if (!strcmp(op, "sign")) {
            const char *sig = json_string_value(json_object_get(a, "signature"));
            CHECK(sig && strlen(sig) == 512);
            const char *chain = json_string_value(json_object_get(req, "chain"));
            int64_t end = json_integer_value(json_object_get(req, "end_ms"));
            const char *sha = json_string_value(json_object_get(req, "sha256"));
            const char *prev = json_string_value(json_object_get(req, "previous_signature"));
            CHECK(chain && sha && prev && strlen(chain) < sizeof heads->chain);
            seen *h = head_of(chain);
            if (h) {
                bool replay =
                    end == h->end_ms && !strcmp(sha, h->sha256) && !strcmp(prev, h->previous);
                CHECK(replay || end > h->end_ms); /* never the past again */
            } else {
                heads = realloc(heads, (n_heads + 1) * sizeof *heads);
                CHECK(heads);
                h = &heads[n_heads++];
                snprintf(h->chain, sizeof h->chain, "%s", chain);
            }
            h->end_ms = end;
            snprintf(h->sha256, sizeof h->sha256, "%s", sha);
            snprintf(h->previous, sizeof h->previous, "%s", prev);
        } else {
            CHECK(json_is_string(json_object_get(a, "fingerprint")));
        }
    }
    json_decref(req);
    json_decref(a);
    buf_free(&reply);
    free(data);
    return 0;
}
