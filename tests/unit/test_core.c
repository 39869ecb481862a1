/* core/arena: copies stay put and intact across blocks (a big one gets its own, the
 * block being filled keeps its room), and a freed arena is reusable.
 * core/log and core/xalloc: the one log line (prefix, one trailing newline, a long
 * message cut rather than overflowing) and array growth (room for `need`, untouched when
 * there is room, and an abort, not a wrapped size, when the byte count would overflow). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/arena.h"
#include "core/log.h"
#include "core/xalloc.h"

/* stderr goes to a pipe between capture_begin and capture_end_alloc, which returns what
 * was written (caller frees). */
typedef struct capture {
    int fds[2], saved;
} capture;

static void capture_begin(capture *c)
{
    assert_int_equal(pipe(c->fds), 0);
    c->saved = dup(STDERR_FILENO);
    assert_true(c->saved >= 0);
    assert_true(dup2(c->fds[1], STDERR_FILENO) >= 0);
}

static char *capture_end_alloc(capture *c)
{
    assert_true(dup2(c->saved, STDERR_FILENO) >= 0);
    close(c->saved);
    close(c->fds[1]);
    char *out = calloc(1, 8192);
    assert_non_null(out);
    size_t n = 0;
    ssize_t r;
    while ((r = read(c->fds[0], out + n, 8191 - n)) > 0)
        n += (size_t)r;
    close(c->fds[0]);
    return out;
}

static void test_log_line(void **state)
{
    (void)state;
    capture c;
    capture_begin(&c);
    ot_log("delivery is stopped: %s", "disk full");
    char *s = capture_end_alloc(&c);
    assert_string_equal(s, "orgtrail: delivery is stopped: disk full\n");
    free(s);
    /* A caller's own newline is not doubled. */
    capture_begin(&c);
    ot_log("signer running (pid %d)\n", 7);
    s = capture_end_alloc(&c);
    assert_string_equal(s, "orgtrail: signer running (pid 7)\n");
    free(s);
}

static void test_log_long_message_is_cut_to_one_line(void **state)
{
    (void)state;
    char *big = malloc(5000);
    assert_non_null(big);
    memset(big, 'x', 4999);
    big[4999] = '\0';
    capture c;
    capture_begin(&c);
    ot_log("%s", big);
    char *s = capture_end_alloc(&c);
    size_t n = strlen(s);
    assert_true(n > 1000 && n < 2048);
    assert_int_equal(s[n - 1], '\n');
    assert_ptr_equal(strchr(s, '\n'), s + n - 1); /* exactly one newline, at the end */
    assert_memory_equal(s, "orgtrail: xxx", 13);
    free(s);
    free(big);
}

static void test_xgrow_room(void **state)
{
    (void)state;
    size_t cap = 0;
    int *v = xgrow(NULL, &cap, 1, sizeof *v);
    assert_non_null(v);
    assert_true(cap >= 1);
    for (int i = 0; i < 1000; i++) {
        v = xgrow(v, &cap, (size_t)i + 1, sizeof *v);
        v[i] = i; /* ASan reports any write past the allocation */
    }
    assert_true(cap >= 1000);
    int *same = xgrow(v, &cap, 10, sizeof *v);
    assert_ptr_equal(same, v); /* room already: nothing moves */
    for (int i = 0; i < 1000; i++)
        assert_int_equal(v[i], i);
    free(v);
}

/* The size * count overflow must abort in the child, never return a short buffer. */
static void test_xgrow_overflow_aborts(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        size_t cap = 16;
        void *p = malloc(16 * 64);
        p = xgrow(p, &cap, SIZE_MAX / 64 + 2, 64);
        _exit(p ? 0 : 1); /* reached only when no abort: the test fails */
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGABRT);
}

static void test_arena_copies_stay_put(void **state)
{
    (void)state;
    arena a = ARENA_INIT;
    enum { N = 3000 };
    static const char *ptr[N];
    char text[1200];
    for (int round = 0; round < 2; round++) { /* the second after arena_free: reusable */
        for (int i = 0; i < N; i++) {
            size_t n = (size_t)(i * 7 % 1200); /* 0 included: a valid pointer all the same */
            memset(text, 'a' + i % 26, n);
            ptr[i] = arena_copy(&a, text, n);
            assert_non_null(ptr[i]);
        }
        /* Larger than a block: a block of its own, and the one being filled goes on. */
        char *big = malloc(ARENA_BLOCK + 10);
        assert_non_null(big);
        memset(big, 'Z', ARENA_BLOCK + 10);
        const char *b = arena_copy(&a, big, ARENA_BLOCK + 10);
        const char *after = arena_copy(&a, "tail", 4);
        assert_memory_equal(b, big, ARENA_BLOCK + 10);
        assert_memory_equal(after, "tail", 4);
        free(big);
        /* ~1.8 MB in all: copies span blocks, and none moved or was overwritten. */
        for (int i = 0; i < N; i++) {
            size_t n = (size_t)(i * 7 % 1200);
            for (size_t k = 0; k < n; k++)
                assert_int_equal(ptr[i][k], 'a' + i % 26);
        }
        arena_free(&a);
        assert_null(a.head);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_line),
        cmocka_unit_test(test_log_long_message_is_cut_to_one_line),
        cmocka_unit_test(test_xgrow_room),
        cmocka_unit_test(test_xgrow_overflow_aborts),
        cmocka_unit_test(test_arena_copies_stay_put),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
