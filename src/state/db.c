#include "state/db.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/xalloc.h"
#include "state/schema.h"

/* Remembers a failure that says the disk is full or not writable (see db_disk_error). */
static int note(db_conn *c, int rc)
{
    switch (rc & 0xff) {
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
        c->disk_error = rc & 0xff;
        break;
    default:
        break;
    }
    return rc;
}

int db_disk_error(const db_conn *c)
{
    return c->disk_error;
}

static int configure(sqlite3 *h, bool readonly)
{
    sqlite3_busy_timeout(h, 10000);
    const char *pragmas = readonly ? "PRAGMA foreign_keys=ON;"
                                   : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                                     "PRAGMA foreign_keys=ON;";
    return sqlite3_exec(h, pragmas, NULL, NULL, NULL);
}

db_conn *db_conn_open(const char *path, bool readonly, char *err, size_t errlen)
{
    sqlite3 *h = NULL;
    int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (sqlite3_open_v2(path, &h, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
        configure(h, readonly) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open %s: %s", path, h ? sqlite3_errmsg(h) : "out of memory");
        sqlite3_close(h);
        return NULL;
    }
    db_conn *c = calloc(1, sizeof *c);
    if (!c) abort();
    c->h = h;
    return c;
}

void db_conn_close(db_conn *c)
{
    if (!c) return;
    for (int i = 0; i < DB_STMT_CACHE; i++)
        sqlite3_finalize(c->cache[i].st);
    sqlite3_close(c->h);
    free(c);
}

static int migrate(db_conn *c, char *err, size_t errlen)
{
    int64_t version = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->h, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) version = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    int target = schema_migration_count();
    if (version > target) {
        snprintf(err, errlen,
                 "the store's schema (version %lld) is newer than this orgtrail "
                 "(version %d); upgrade orgtrail",
                 (long long)version, target);
        return -1;
    }
    for (int v = (int)version; v < target; v++) {
        char *msg = NULL;
        char set[64];
        snprintf(set, sizeof set, "PRAGMA user_version=%d;", v + 1);
        if (sqlite3_exec(c->h, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(c->h, schema_migration(v), NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(c->h, set, NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(c->h, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
            snprintf(err, errlen, "migration %d failed: %s", v + 1, msg ? msg : "?");
            sqlite3_free(msg);
            sqlite3_exec(c->h, "ROLLBACK", NULL, NULL, NULL);
            return -1;
        }
    }
    return 0;
}

int db_schema_version(void)
{
    return schema_migration_count();
}

int db_pool_open(db_pool *p, const char *path, bool create, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    if (!create && access(path, F_OK) != 0) {
        snprintf(err, errlen, "no store at %s", path);
        return -1;
    }
    sqlite3 *h = NULL;
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &h, flags, NULL) != SQLITE_OK || configure(h, false) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open %s: %s", path, h ? sqlite3_errmsg(h) : "out of memory");
        sqlite3_close(h);
        return -1;
    }
    db_conn *c = calloc(1, sizeof *c);
    if (!c) abort();
    c->h = h;
    if (migrate(c, err, errlen)) {
        db_conn_close(c);
        return -1;
    }
    p->path = strdup(path);
    if (!p->path) abort();
    pthread_mutex_init(&p->mu, NULL);
    pthread_mutex_init(&p->write_mu, NULL);
    c->pool = p;
    p->n_open = 1;
    db_release(p, c);
    return 0;
}

void db_pool_close(db_pool *p)
{
    if (!p->path) return;
    for (size_t i = 0; i < p->n_idle; i++)
        db_conn_close(p->idle[i]);
    free(p->idle);
    free(p->path);
    pthread_mutex_destroy(&p->mu);
    pthread_mutex_destroy(&p->write_mu);
    memset(p, 0, sizeof *p);
}

db_conn *db_acquire(db_pool *p)
{
    pthread_mutex_lock(&p->mu);
    if (p->n_idle) {
        db_conn *c = p->idle[--p->n_idle];
        pthread_mutex_unlock(&p->mu);
        c->disk_error = 0;
        return c;
    }
    p->n_open++;
    pthread_mutex_unlock(&p->mu);
    char err[256];
    db_conn *c = db_conn_open(p->path, false, err, sizeof err);
    if (!c) abort(); /* the store opened at start-up; failing now means the disk is gone */
    c->pool = p;
    return c;
}

void db_release(db_pool *p, db_conn *c)
{
    db_read_end(c);
    if (c->read_tx) { /* a statement left stepping (a bug): reset it, then end */
        for (sqlite3_stmt *st = sqlite3_next_stmt(c->h, NULL); st; st = sqlite3_next_stmt(c->h, st))
            if (sqlite3_stmt_busy(st)) sqlite3_reset(st);
        db_read_end(c);
    }
    if (c->in_tx) db_rollback(c);
    pthread_mutex_lock(&p->mu);
    p->idle = xgrow(p->idle, &p->cap_idle, p->n_idle + 1, sizeof *p->idle);
    p->idle[p->n_idle++] = c;
    pthread_mutex_unlock(&p->mu);
}

static sqlite3_stmt *prepare(db_conn *c, const char *sql)
{
    size_t h = ((uintptr_t)sql >> 3) % DB_STMT_CACHE;
    for (size_t k = 0; k < DB_STMT_CACHE; k++) {
        size_t i = (h + k) % DB_STMT_CACHE;
        if (c->cache[i].sql == sql) return c->cache[i].st;
        if (!c->cache[i].sql) {
            sqlite3_stmt *st;
            if (sqlite3_prepare_v3(c->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) !=
                SQLITE_OK) {
                ot_log("SQL error: %s in: %s", sqlite3_errmsg(c->h), sql);
                return NULL;
            }
            c->cache[i].sql = sql;
            c->cache[i].st = st;
            return st;
        }
    }
    /* Cache full: fall back to an uncached statement would leak; the cache is sized for
     * every statement in the code base. */
    ot_log("statement cache full");
    abort();
}

static void bind(sqlite3_stmt *st, const char *fmt, va_list ap)
{
    int i = 1;
    for (const char *f = fmt; f && *f; f++, i++) {
        switch (*f) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (s)
                sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
            else
                sqlite3_bind_null(st, i);
            break;
        }
        case 'i':
            sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
            break;
        case 'd':
            sqlite3_bind_int64(st, i, va_arg(ap, int));
            break;
        case 'f':
            sqlite3_bind_double(st, i, va_arg(ap, double));
            break;
        case 'b': {
            const void *p = va_arg(ap, const void *);
            size_t n = va_arg(ap, size_t);
            sqlite3_bind_blob64(st, i, p ? p : "", n, SQLITE_TRANSIENT);
            break;
        }
        default:
            abort();
        }
    }
}

/* Takes the pool's writer lock, waiting at most DB_WRITE_WAIT_MS. Returns 0 (held, or
 * a standalone connection, which has none) or -1: the wait ran out. */
static int write_lock(db_conn *c)
{
    if (!c->pool) return 0;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += DB_WRITE_WAIT_MS / 1000;
    if (pthread_mutex_timedlock(&c->pool->write_mu, &until)) {
        ot_log("the state store's writer lock was not free for %d ms", DB_WRITE_WAIT_MS);
        return -1;
    }
    return 0;
}

static void write_unlock(db_conn *c)
{
    if (c->pool) pthread_mutex_unlock(&c->pool->write_mu);
}

int db_exec(db_conn *c, const char *sql, const char *fmt, ...)
{
    /* A write ends the read snapshot first: it runs on its own as before, never as an
     * upgrade of a snapshot that may be stale (SQLITE_BUSY_SNAPSHOT). */
    if (c->read_tx) db_read_end(c);
    sqlite3_stmt *st = prepare(c, sql);
    if (!st) return -1;
    va_list ap;
    va_start(ap, fmt);
    bind(st, fmt, ap);
    va_end(ap);
    /* A write on its own is a transaction of its own: it queues like one. */
    bool queue = !c->in_tx && !sqlite3_stmt_readonly(st);
    int rc = SQLITE_BUSY;
    if (!queue || !write_lock(c)) {
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        }
        if (queue) write_unlock(c);
    }
    note(c, rc);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

sqlite3_stmt *db_query(db_conn *c, const char *sql, const char *fmt, ...)
{
    sqlite3_stmt *st = prepare(c, sql);
    if (!st) return NULL;
    va_list ap;
    va_start(ap, fmt);
    bind(st, fmt, ap);
    va_end(ap);
    return st;
}

bool db_row(sqlite3_stmt *st)
{
    return st && sqlite3_step(st) == SQLITE_ROW;
}

void db_done(sqlite3_stmt *st)
{
    if (!st) return;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

const char *db_text(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return t ? (const char *)t : "";
}

int64_t db_int(sqlite3_stmt *st, int col)
{
    return sqlite3_column_int64(st, col);
}

double db_double(sqlite3_stmt *st, int col)
{
    return sqlite3_column_double(st, col);
}

bool db_is_null(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL;
}

const void *db_blob(sqlite3_stmt *st, int col, size_t *len)
{
    const void *p = sqlite3_column_blob(st, col);
    *len = (size_t)sqlite3_column_bytes(st, col);
    return p;
}

void *db_rows_alloc(sqlite3_stmt *st, size_t size, db_row_fn fill, size_t *n)
{
    unsigned char *rows = NULL;
    size_t cap = 0;
    *n = 0;
    while (db_row(st)) {
        rows = xgrow(rows, &cap, *n + 1, size);
        fill(st, rows + (*n)++ * size);
    }
    db_done(st);
    return rows;
}

int db_row_get(sqlite3_stmt *st, db_row_fn fill, void *row)
{
    int found = db_row(st);
    if (found && row) fill(st, row);
    db_done(st);
    return found;
}

int db_get_text(db_conn *c, char *out, size_t outlen, const char *sql, const char *fmt, ...)
{
    sqlite3_stmt *st = prepare(c, sql);
    if (!st) return 0;
    va_list ap;
    va_start(ap, fmt);
    bind(st, fmt, ap);
    va_end(ap);
    int found = 0;
    int rc = note(c, sqlite3_step(st));
    if (rc == SQLITE_ROW) {
        snprintf(out, outlen, "%s", db_text(st, 0));
        found = 1;
    }
    db_done(st);
    return found;
}

int db_get_int(db_conn *c, int64_t *out, const char *sql, const char *fmt, ...)
{
    sqlite3_stmt *st = prepare(c, sql);
    if (!st) return 0;
    va_list ap;
    va_start(ap, fmt);
    bind(st, fmt, ap);
    va_end(ap);
    int found = 0;
    int rc = note(c, sqlite3_step(st));
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        found = 1;
    }
    db_done(st);
    return found;
}

int64_t db_changes(db_conn *c)
{
    return sqlite3_changes64(c->h);
}

const char *db_errmsg(db_conn *c)
{
    return sqlite3_errmsg(c->h);
}

/* Runs a parameterless statement from the cache (no sqlite3_exec parse per call). */
static int step_cached(db_conn *c, const char *sql)
{
    sqlite3_stmt *st = prepare(c, sql);
    if (!st) return -1;
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int db_read_begin(db_conn *c)
{
    if (c->in_tx || c->read_tx) return 0;
    if (step_cached(c, "BEGIN DEFERRED")) return -1;
    c->read_tx = 1;
    return 0;
}

/* Whether a statement of c is still stepping (a row loop not yet done). */
static bool statements_active(db_conn *c)
{
    for (sqlite3_stmt *st = sqlite3_next_stmt(c->h, NULL); st; st = sqlite3_next_stmt(c->h, st))
        if (sqlite3_stmt_busy(st)) return true;
    return false;
}

void db_read_end(db_conn *c)
{
    if (!c->read_tx) return;
    /* Inside a row loop the snapshot cannot end; a write there runs in it, as it would in
     * the implicit transaction of the loop's statement, and commits when it ends. */
    if (statements_active(c)) return;
    c->read_tx = 0;
    /* A read-only transaction: COMMIT only drops the snapshot, it cannot fail to write. */
    if (step_cached(c, "COMMIT")) sqlite3_exec(c->h, "ROLLBACK", NULL, NULL, NULL);
}

int db_begin(db_conn *c)
{
    assert(!c->in_tx);
    db_read_end(c);
    if (write_lock(c)) return -1;
    if (note(c, sqlite3_exec(c->h, "BEGIN IMMEDIATE", NULL, NULL, NULL)) != SQLITE_OK) {
        write_unlock(c);
        return -1;
    }
    c->in_tx = 1;
    c->holds_write = 1;
    return 0;
}

int db_commit(db_conn *c)
{
    assert(c->in_tx);
    int rc = note(c, sqlite3_exec(c->h, "COMMIT", NULL, NULL, NULL));
    if (rc != SQLITE_OK) {
        db_rollback(c);
        return -1;
    }
    c->in_tx = 0;
    if (c->holds_write) write_unlock(c);
    c->holds_write = 0;
    return 0;
}

int db_in_tx(db_conn *c, db_tx_fn fn, void *arg)
{
    bool own = !c->in_tx;
    if (own && db_begin(c)) return -1;
    int rc = fn(c, arg);
    if (own) {
        if (rc) {
            db_rollback(c);
            return rc;
        }
        if (db_commit(c)) return -1;
    }
    return rc;
}

void db_rollback(db_conn *c)
{
    sqlite3_exec(c->h, "ROLLBACK", NULL, NULL, NULL);
    c->in_tx = 0;
    if (c->holds_write) write_unlock(c);
    c->holds_write = 0;
}
