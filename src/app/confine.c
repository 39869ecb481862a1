#include "app/confine.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/landlock.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KEYS_DIR "signing-keys"

/* Landlock ABI 3 (Linux 6.2); Debian 12's headers stop at ABI 2. The value is the
 * kernel's, and it is used only when the running kernel reports ABI 3 or later. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif

/* Rights that Landlock also accepts on a rule for a single file. */
#define FILE_RIGHTS                                                                                \
    (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE)

static uint64_t handled_rights(long abi)
{
    uint64_t r = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE |
                 LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_REMOVE_DIR |
                 LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |
                 LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
                 LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |
                 LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM;
    if (abi >= 2) r |= LANDLOCK_ACCESS_FS_REFER;
    if (abi >= 3) r |= LANDLOCK_ACCESS_FS_TRUNCATE;
    return r;
}

/* An O_PATH descriptor of path and whether it is a directory: 0, or -1 when it cannot be
 * opened (left out: the server could not use it anyway). */
static int open_path(const char *path, int *fd, bool *is_dir)
{
    *fd = open(path, O_PATH | O_CLOEXEC);
    if (*fd < 0) return -1;
    struct stat st;
    if (fstat(*fd, &st)) {
        close(*fd);
        return -1;
    }
    *is_dir = S_ISDIR(st.st_mode);
    return 0;
}

/* Allows everything beneath the open fd (a file: what a file rule may hold); closes fd. */
static int allow_fd(int ruleset, int fd, bool is_dir, uint64_t rights)
{
    struct landlock_path_beneath_attr pb = {
        .allowed_access = is_dir ? rights : rights & FILE_RIGHTS,
        .parent_fd = fd,
    };
    long rc = syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc ? -1 : 0;
}

/* Allows every directory in dir except `skip`, and the files whose names start with
 * files_prefix (NULL: none). A rule holds its inode for the process's lifetime, so a rule
 * on a file someone deletes later would keep its space allocated: only the files the
 * server needs get one (directories cost nothing). */
static int allow_entries_but(int ruleset, const char *dir, const char *skip,
                             const char *files_prefix, uint64_t rights)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") || !strcmp(de->d_name, skip))
            continue;
        char path[PATH_MAX];
        int n = snprintf(path, sizeof path, "%s/%s", strcmp(dir, "/") ? dir : "", de->d_name);
        if (n < 0 || (size_t)n >= sizeof path) continue;
        int fd;
        bool is_dir;
        if (open_path(path, &fd, &is_dir)) continue;
        if (!is_dir && (!files_prefix || strncmp(de->d_name, files_prefix, strlen(files_prefix)))) {
            close(fd);
            continue;
        }
        rc = allow_fd(ruleset, fd, is_dir, rights);
    }
    closedir(d);
    return rc;
}

int confine_serving_process(const char *data_dir, char *err, size_t errlen)
{
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi < 1) {
        snprintf(err, errlen,
                 "Landlock is not available (%s): the serving process can read the digest "
                 "signing keys",
                 strerror(errno));
        return 0;
    }
    char real[PATH_MAX];
    if (!realpath(data_dir, real)) {
        snprintf(err, errlen, "cannot resolve %s: %s", data_dir, strerror(errno));
        return -1;
    }
    uint64_t rights = handled_rights(abi);
    struct landlock_ruleset_attr attr = {.handled_access_fs = rights};
    int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
    if (ruleset < 0) {
        snprintf(err, errlen, "cannot make a Landlock ruleset: %s", strerror(errno));
        return -1;
    }
    /* Down from / to DATA, allowing each level's other entries, then DATA's but the keys. */
    int rc = 0;
    char dir[PATH_MAX] = "/";
    const char *p = real + 1;
    while (rc == 0 && *p) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        char next[NAME_MAX + 1];
        snprintf(next, sizeof next, "%.*s", (int)len, p);
        rc = allow_entries_but(ruleset, dir, next, NULL, rights);
        size_t dl = strlen(dir);
        snprintf(dir + dl, sizeof dir - dl, "%s%s", dl > 1 ? "/" : "", next);
        p += len;
        while (*p == '/')
            p++;
    }
    if (rc == 0) rc = allow_entries_but(ruleset, real, KEYS_DIR, "state.db", rights);
    if (rc) {
        snprintf(err, errlen, "cannot add a Landlock rule under %s: %s", dir, strerror(errno));
        close(ruleset);
        return -1;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || syscall(SYS_landlock_restrict_self, ruleset, 0)) {
        snprintf(err, errlen, "cannot confine the serving process: %s", strerror(errno));
        close(ruleset);
        return -1;
    }
    close(ruleset);
    return 1;
}
