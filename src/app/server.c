#include "app/server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "state/delivery_state.h"

/* 0 when orgtrail may write in dir, else an errno saying why not. */
static int writable(const char *dir)
{
    struct statvfs v;
    if (statvfs(dir, &v)) return errno;
    if (v.f_flag & ST_RDONLY) return EROFS;
    if (access(dir, W_OK)) return errno;
    return 0;
}

int server_open(server *s, const char *data_dir, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->data_dir = strdup(data_dir);
    if (!s->data_dir) abort();
    s->delivery = (delivery_env){
        .data_dir = s->data_dir,
        .db = &s->db,
        .journal = &s->journal,
        .objects = &s->objects,
        .backlog = &s->backlog,
        .iam = &s->iam,
        .delivery_interval_s = 300,
        .digest_interval_s = 3600,
        .signing_key_period_s = 30 * 86400,
    };
    s->services = (svc_env){
        .data_dir = s->data_dir,
        .journal = &s->journal,
        .objects = &s->objects,
        .signing_key_period_s = s->delivery.signing_key_period_s,
    };
    char path[4096];
    snprintf(path, sizeof path, "%s/state.db", data_dir);
    if (access(path, F_OK)) {
        snprintf(err, errlen, "no orgtrail store in %s: run 'orgtrail init --data %s' first",
                 data_dir, data_dir);
        goto fail_data_dir;
    }
    /* Unwritable at start-up: orgtrail could not record a single request, so it does not
     * start (a directory that becomes unwritable while serving degrades instead, see
     * capture/journal.h). A full disk is no reason not to start. */
    int unwritable = writable(data_dir);
    if (unwritable) {
        snprintf(err, errlen,
                 "the data directory %s is not writable (%s): orgtrail records every request "
                 "there; make it writable (or remount it read-write) and start again",
                 data_dir, strerror(unwritable));
        goto fail_data_dir;
    }
    char dberr[256];
    if (db_pool_open(&s->db, path, false, dberr, sizeof dberr)) {
        snprintf(err, errlen, "cannot open the store in %s: %s", data_dir, dberr);
        goto fail_data_dir;
    }
    db_conn *c = db_acquire(&s->db);
    /* The journal checks what delivery has still to read, and never numbers below it. */
    uint64_t journal_from = delivery_cursor_get(c);
    int ok = db_get_text(c, s->owner_account, sizeof s->owner_account,
                         "SELECT value FROM meta WHERE key = 'owner_account'", "") &&
             db_get_text(c, s->default_region, sizeof s->default_region,
                         "SELECT value FROM meta WHERE key = 'default_region'", "");
    int objects_failed = ok && objstore_open(&s->objects, data_dir, c, err, errlen);
    db_release(&s->db, c);
    if (objects_failed) goto fail_db;
    if (!ok) {
        snprintf(err, errlen, "the store in %s is incomplete (no owner account)", data_dir);
        goto fail_objects;
    }
    if (model_set_load(&s->models, err, errlen)) goto fail_objects;
    s->validator = validator_new(&s->models);
    if (iam_data_load(&s->iam, err, errlen)) goto fail_models;
    s->services.iam = &s->iam;
    if (journal_open(&s->journal, data_dir, journal_from, err, errlen)) goto fail_iam;
    if (signer_client_open_local(&s->local_signer, data_dir, err, errlen)) goto fail_journal;
    s->signer = &s->local_signer;
    s->services.signer = s->signer;
    sigv4_keys_init(&s->signing_keys);
    delivery_backlog_init(&s->backlog, DELIVERY_BACKLOG_DEFAULT_LIMIT);
    s->services.subjects = authz_cache_new_alloc();
    return 0;

    /* Each label undoes what was opened before the step that jumps to it. */
fail_journal:
    journal_close(&s->journal);
fail_iam:
    iam_data_free(&s->iam);
fail_models:
    validator_free(s->validator);
    model_set_free(&s->models);
fail_objects:
    objstore_close(&s->objects);
fail_db:
    db_pool_close(&s->db);
fail_data_dir:
    free(s->data_dir);
    return -1;
}

void server_use_signer(server *s, signer_client *sg)
{
    if (s->signer == &s->local_signer) signer_client_close(&s->local_signer);
    s->signer = sg;
    s->services.signer = sg;
}

void server_close(server *s)
{
    if (s->signer == &s->local_signer) signer_client_close(&s->local_signer);
    journal_close(&s->journal);
    sigv4_keys_destroy(&s->signing_keys);
    delivery_backlog_destroy(&s->backlog);
    authz_cache_free(s->services.subjects);
    iam_data_free(&s->iam);
    validator_free(s->validator);
    model_set_free(&s->models);
    objstore_close(&s->objects);
    db_pool_close(&s->db);
    free(s->data_dir);
    memset(s, 0, sizeof *s);
}

void server_configure(server *s, int delivery_interval_s, int digest_interval_s,
                      int signing_key_period_s)
{
    s->delivery.delivery_interval_s = delivery_interval_s;
    s->delivery.digest_interval_s = digest_interval_s;
    s->delivery.signing_key_period_s = signing_key_period_s;
    s->services.signing_key_period_s = signing_key_period_s;
}
