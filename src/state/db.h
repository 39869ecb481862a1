/* db: the SQLite state store (WAL), its migrations and a small connection pool.
 *
 * Every request thread checks a connection out of the pool for the length of a request
 * and returns it; a connection is never used by two threads at once. Prepared statements
 * are cached per connection, keyed by the SQL text's address, so callers pass string
 * literals. Write transactions use BEGIN IMMEDIATE so that concurrent writers never
 * deadlock on lock upgrades.
 *
 * The writer lock. SQLite admits one writer; one that finds another at work polls in
 * sleeps of 1, 2, 5, 10 ... 100 ms (its busy handler), so a thread queued behind a 10 ms
 * transaction typically waits 30 ms or more. The pool's connections therefore queue on
 * one mutex of their own (write_mu) for each write transaction and each write outside
 * one, and wake the moment the writer before them commits. Measured with
 * `make bench-detection` at 50,000 records/s: without it, ~300 waits in 50 s that slept
 * ~6 polls each. The busy handler stays, for writers of other processes (the CLI).
 * Lock order: write_mu comes after any lock a caller holds when it writes, and the pool's
 * mu is never taken while waiting for it. A thread holding write_mu must not wait for a
 * write on a second connection: that would be a self-deadlock. The wait is therefore
 * bounded (DB_WRITE_WAIT_MS) and fails as SQLITE_BUSY, as the busy timeout did.
 *
 * Binding format characters for db_exec / db_query:
 *   s  const char *  (NULL binds SQL NULL)
 *   i  int64_t
 *   d  int (widened)
 *   f  double
 *   b  const void *, size_t  (a blob: two arguments)
 */
#ifndef ORGTRAIL_DB_H
#define ORGTRAIL_DB_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Every SQL literal in the code base gets a slot per connection; the services together
 * use a few hundred. Running out aborts (see prepare() in db.c), so keep ample room. */
#define DB_STMT_CACHE 1024

#define DB_WRITE_WAIT_MS 10000

struct db_pool;
typedef struct db_conn {
    sqlite3 *h;
    struct db_pool *pool; /* its pool (whose write_mu it queues on), or NULL: standalone */
    int holds_write;      /* write_mu is held by this connection's open transaction */
    struct {
        const char *sql;
        sqlite3_stmt *st;
    } cache[DB_STMT_CACHE];
    int in_tx;
    int read_tx;    /* a read snapshot from db_read_begin is open */
    int disk_error; /* SQLITE_FULL, _IOERR, _READONLY or _CANTOPEN seen since db_acquire; 0 */
} db_conn;

typedef struct db_pool {
    char *path;
    db_conn **idle;
    size_t n_idle, cap_idle;
    size_t n_open;
    pthread_mutex_t mu;
    pthread_mutex_t write_mu; /* the writer lock: see the top of this file */
} db_pool;

/* Opens (creating when `create`) the database at path and brings its schema up to date.
 * Returns 0, or -1 with a message in err. */
int db_pool_open(db_pool *p, const char *path, bool create, char *err, size_t errlen);
void db_pool_close(db_pool *p);
db_conn *db_acquire(db_pool *p);
void db_release(db_pool *p, db_conn *c);

/* Opens one standalone connection (used by the CLI); closes with db_conn_close. */
db_conn *db_conn_open(const char *path, bool readonly, char *err, size_t errlen);
void db_conn_close(db_conn *c);

/* Runs a statement that returns no rows. Returns 0, or -1 (constraint violation etc.). */
__attribute__((warn_unused_result)) int db_exec(db_conn *c, const char *sql, const char *fmt, ...);
/* Prepares and binds a query; step it with db_row() and finish with db_done(). Returns
 * NULL on a preparation error (a bug: SQL is static). */
sqlite3_stmt *db_query(db_conn *c, const char *sql, const char *fmt, ...);
/* true while a row is available. */
bool db_row(sqlite3_stmt *st);
void db_done(sqlite3_stmt *st);
/* Column helpers; text is "" for NULL (valid until the next step). */
const char *db_text(sqlite3_stmt *st, int col);
int64_t db_int(sqlite3_stmt *st, int col);
double db_double(sqlite3_stmt *st, int col);
bool db_is_null(sqlite3_stmt *st, int col);
/* A blob column: its bytes (valid until the next step) and length. */
const void *db_blob(sqlite3_stmt *st, int col, size_t *len);
/* Reads every row of st into a malloc'd array of *n elements of `size` bytes (the caller
 * frees it; NULL when there is no row), each filled by fill from the current row.
 * Finishes st. */
typedef void (*db_row_fn)(sqlite3_stmt *st, void *row);
void *db_rows_alloc(sqlite3_stmt *st, size_t size, db_row_fn fill, size_t *n);
/* Reads st's first row with fill into row (when row is not NULL): 1 when there was one,
 * else 0. Finishes st. */
int db_row_get(sqlite3_stmt *st, db_row_fn fill, void *row);
/* Single-value queries: returns 1 when a row was found and copies column 0. */
int db_get_text(db_conn *c, char *out, size_t outlen, const char *sql, const char *fmt, ...);
int db_get_int(db_conn *c, int64_t *out, const char *sql, const char *fmt, ...);
int64_t db_changes(db_conn *c);
/* Whether a statement on this connection failed for want of disk space or write access
 * since it was checked out (db_acquire clears it): the primary SQLite code, or 0. A
 * handler's failure after one is the disk's fault, not a bug (503, not 500). Statements
 * stepped with db_row are not seen (reads do not fill a disk). */
int db_disk_error(const db_conn *c);
const char *db_errmsg(db_conn *c);

/* A read snapshot for a request's reads: one transaction instead of one per statement
 * (each costs a WAL read lock). Ended by db_read_end, and by db_begin, db_exec (a write
 * runs on its own, as without the snapshot) and db_release. No-op inside a transaction.
 * End it before a long wait (a journal fsync): a reader always present would keep SQLite
 * from checkpointing the WAL back to its start. */
__attribute__((warn_unused_result)) int db_read_begin(db_conn *c);
void db_read_end(db_conn *c);
/* Transactions do not nest: db_begin asserts none is open, db_commit that one is. */
__attribute__((warn_unused_result)) int db_begin(db_conn *c);
__attribute__((warn_unused_result)) int db_commit(db_conn *c);
void db_rollback(db_conn *c);
/* Runs fn(c, arg) inside the caller's transaction when one is open (its result is the
 * caller's to commit or roll back), else inside one of its own: committed when fn returns
 * 0, rolled back otherwise. Returns fn's result, or -1 when the own begin/commit fails.
 * The state modules' writers that "join the caller's transaction" use it. */
typedef int (*db_tx_fn)(db_conn *c, void *arg);
__attribute__((warn_unused_result)) int db_in_tx(db_conn *c, db_tx_fn fn, void *arg);
/* For the asserts of functions that must run inside (or outside) the caller's transaction. */
static inline bool db_in_transaction(const db_conn *c)
{
    return c->in_tx != 0;
}

/* The schema version the code expects (number of migrations). */
int db_schema_version(void);

#endif
