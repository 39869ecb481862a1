/* testenv: what the C unit tests share — a scratch directory per fixture and a migrated
 * state database in it.
 *
 * Every helper asserts (cmocka) instead of returning errors: a fixture that cannot be
 * built is a failed test. */
#ifndef ORGTRAIL_TESTENV_H
#define ORGTRAIL_TESTENV_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "state/db.h"

/* Creates a new directory /tmp/orgtrail-<tag>-XXXXXX and writes its path into dir. */
void testenv_mkdtemp(char *dir, size_t n, const char *tag);
/* Removes dir and everything below it. */
void testenv_rmtree(const char *dir);

/* Opens (migrating) dir/state.db into pool and returns one acquired connection. */
db_conn *testenv_db_open(const char *dir, db_pool *pool);
/* Releases db and closes pool. */
void testenv_db_close(db_pool *pool, db_conn *db);
/* A scratch directory with a migrated store open in it, where most state tests start. */
typedef struct testenv_store {
    char dir[64];
    db_pool pool;
    db_conn *db; /* a test that closes it itself sets it NULL */
} testenv_store;
void testenv_store_open(testenv_store *s, const char *tag);
/* Closes the store (unless db is NULL) and removes the directory. */
void testenv_store_close(testenv_store *s);

/* Inserts an account row (email <name>@example.com) created at now_ms. */
void testenv_add_account(db_conn *db, const char *id, const char *name, int64_t now_ms);

/* The conformance suites' data: the .json files of tests/data/<subdir>/ (the source tree
 * from $ORGTRAIL_SOURCE), sorted by name. Writes the directory into dir and returns the
 * number of names (strdup'd into names; the caller frees each). */
size_t testenv_data_files(const char *subdir, char *dir, size_t dir_n, char **names, size_t max);

/* Calls fn for every case of every file of tests/data/<subdir>/ in order, with the file's
 * name and its parsed document (borrowed for the call); returns how many cases there
 * were. A file that does not parse fails the test. */
typedef void (*testenv_case_fn)(const char *file, const json_t *doc, const json_t *c, void *arg);
size_t testenv_each_case(const char *subdir, testenv_case_fn fn, void *arg);

#endif
