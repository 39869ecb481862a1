/* objstore_blob: the files behind versions and parts. A blob is written once, under a
 * random name, through a temp file that only becomes a blob after fsync + rename + fsync
 * of the directory, so a visible blob is always complete. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/hash.h"
#include "core/ids.h"
#include "store/objstore_internal.h"
#include "core/fsync_dir.h"

static const char HEX[] = "0123456789abcdef";

void blob_path(const objstore *os, const char *name, char *out, size_t n)
{
    /* 256 fan-out directories keep each directory small. */
    snprintf(out, n, "%s/blobs/%.2s/%s", os->root, name, name);
}

int blob_begin(objstore *os, blob_writer *w, const char *checksum_alg, aws_error *e)
{
    memset(w, 0, sizeof *w);
    w->fd = -1;
    if (checksum_alg) {
        if (checksum_init(&w->ck, checksum_alg))
            return aws_fail(e, 400, "InvalidRequest",
                            "Checksum algorithm provided is unsupported. Please try again with "
                            "any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]");
        w->ck_on = true;
    }
    ids_from_alphabet(w->name, 32, HEX);
    snprintf(w->tmp, sizeof w->tmp, "%s/tmp/%s.tmp", os->root, w->name);
    w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (w->fd < 0) {
        int err = errno;
        if (w->ck_on) {
            char junk[96];
            checksum_final(&w->ck, junk);
        }
        errno = err;
        return store_internal_error(e, "create a temp file");
    }
    w->md5 = EVP_MD_CTX_new();
    if (!w->md5 || !EVP_DigestInit_ex(w->md5, EVP_md5(), NULL)) abort();
    return 0;
}

int blob_write(blob_writer *w, const void *p, size_t n, aws_error *e)
{
    const char *c = p;
    EVP_DigestUpdate(w->md5, p, n);
    if (w->ck_on) checksum_update(&w->ck, p, n);
    w->size += (int64_t)n;
    while (n > 0) {
        ssize_t k = write(w->fd, c, n);
        if (k < 0) {
            if (errno == EINTR) continue;
            return store_internal_error(e, "write object bytes");
        }
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

static void release_digests(blob_writer *w, unsigned char md5[16], char checksum[96])
{
    unsigned char junk_md[EVP_MAX_MD_SIZE];
    char junk_ck[96];
    unsigned int len = 0;
    if (w->md5) {
        EVP_DigestFinal_ex(w->md5, md5 ? md5 : junk_md, &len);
        EVP_MD_CTX_free(w->md5);
        w->md5 = NULL;
    }
    if (w->ck_on) {
        checksum_final(&w->ck, checksum ? checksum : junk_ck);
        w->ck_on = false;
    } else if (checksum) {
        checksum[0] = '\0';
    }
}

int blob_finish(blob_writer *w, unsigned char md5[16], char checksum[96], aws_error *e)
{
    release_digests(w, md5, checksum);
    if (fsync(w->fd)) return store_internal_error(e, "flush object bytes");
    return 0;
}

int blob_publish(objstore *os, blob_writer *w, aws_error *e)
{
    char dst[PATH_MAX], dir[PATH_MAX];
    blob_path(os, w->name, dst, sizeof dst);
    snprintf(dir, sizeof dir, "%s/blobs/%.2s", os->root, w->name);
    close(w->fd);
    w->fd = -1;
    if (rename(w->tmp, dst)) {
        int err = errno;
        unlink(w->tmp);
        errno = err;
        return store_internal_error(e, "publish object bytes");
    }
    w->tmp[0] = '\0';
    if (fsync_dir(dir)) {
        int err = errno;
        unlink(dst);
        errno = err;
        return store_internal_error(e, "flush the object directory");
    }
    return 0;
}

void blob_abort(blob_writer *w)
{
    release_digests(w, NULL, NULL);
    if (w->fd >= 0) close(w->fd);
    w->fd = -1;
    if (w->tmp[0]) unlink(w->tmp);
    w->tmp[0] = '\0';
}

void blob_remove(const objstore *os, const char *name)
{
    if (!name || !name[0]) return;
    char path[PATH_MAX];
    blob_path(os, name, path, sizeof path);
    unlink(path);
}

static bool blob_named(db_conn *db, const char *name)
{
    int64_t one;
    return db_get_int(db, &one, "SELECT 1 FROM s3_objects WHERE blob = ? LIMIT 1", "s", name) ||
           db_get_int(db, &one, "SELECT 1 FROM s3_parts WHERE blob = ? LIMIT 1", "s", name);
}

int blob_sweep(objstore *os, db_conn *db, char *err, size_t errlen)
{
    char path[PATH_MAX];
    /* Temp files are uploads a crash interrupted: never acknowledged, never visible. */
    snprintf(path, sizeof path, "%s/tmp", os->root);
    DIR *d = opendir(path);
    if (!d) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        unlinkat(dirfd(d), de->d_name, 0);
    }
    closedir(d);
    /* Blobs published but never committed (crash between rename and COMMIT), or whose
     * row was deleted before the unlink happened. */
    for (int i = 0; i < 256; i++) {
        snprintf(path, sizeof path, "%s/blobs/%c%c", os->root, HEX[i >> 4], HEX[i & 15]);
        d = opendir(path);
        if (!d) continue;
        while ((de = readdir(d))) {
            if (de->d_name[0] == '.') continue;
            if (blob_named(db, de->d_name)) continue;
            unlinkat(dirfd(d), de->d_name, 0);
        }
        closedir(d);
    }
    return 0;
}

int digest_verify(const obj_put_opts *o, const unsigned char md5[16], const char *checksum,
                  aws_error *e)
{
    if (o->content_md5) {
        size_t n = 0;
        unsigned char *want = base64_decode_alloc(o->content_md5, strlen(o->content_md5), &n);
        bool valid = want && n == 16;
        bool same = valid && !memcmp(want, md5, 16);
        free(want);
        if (!valid)
            return aws_fail(e, 400, "InvalidDigest", "The Content-MD5 you specified was invalid.");
        if (!same)
            return aws_fail(e, 400, "BadDigest",
                            "The Content-MD5 you specified did not match what we received.");
    }
    if (o->checksum_alg && o->checksum_value && strcmp(o->checksum_value, checksum)) {
        char upper[16];
        size_t i = 0;
        for (; o->checksum_alg[i] && i < sizeof upper - 1; i++)
            upper[i] = (char)(o->checksum_alg[i] >= 'a' && o->checksum_alg[i] <= 'z'
                                  ? o->checksum_alg[i] - 32
                                  : o->checksum_alg[i]);
        upper[i] = '\0';
        return aws_fail(e, 400, "BadDigest",
                        "The %s you specified did not match the calculated checksum.", upper);
    }
    return 0;
}
