/* blobstore.c — the content-addressed file store. */
#include "media/blobstore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/io.h"
#include "util/paths.h"

static char store_dir[BLOB_PATH_MAX - 200];

int blobstore_init(const char *dir, char *err, size_t errlen)
{
    if (strlen(dir) >= sizeof(store_dir)) {
        snprintf(err, errlen, "the attachment directory path is too long");
        return -1;
    }
    snprintf(store_dir, sizeof(store_dir), "%s", dir);
    static const char *const sub[] = {"", "/tmp", "/thumbs"};
    for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
        char path[BLOB_PATH_MAX];
        snprintf(path, sizeof(path), "%s%s", dir, sub[i]);
        if (path_mkdir_p(path) < 0) {
            snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
            return -1;
        }
    }
    return 0;
}

const char *blobstore_dir(void) { return store_dir; }

int blob_name_ok(const char *sha)
{
    size_t n = 0;
    for (; sha[n]; n++)
        if (!((sha[n] >= '0' && sha[n] <= '9') || (sha[n] >= 'a' && sha[n] <= 'f')))
            return 0;
    return n == 64;
}

void blob_path(const char *sha, char *out, size_t size)
{
    snprintf(out, size, "%s/%.2s/%s", store_dir, sha, sha);
}

void blob_thumb_path(const char *sha, char *out, size_t size)
{
    snprintf(out, size, "%s/thumbs/%.2s/%s.jpg", store_dir, sha, sha);
}

int blob_stage_open(struct blob_stage *s)
{
    s->size = 0;
    snprintf(s->tmp, sizeof(s->tmp), "%s/tmp/up-XXXXXX", store_dir);
    s->fd = mkostemp(s->tmp, O_CLOEXEC);
    if (s->fd < 0)
        s->tmp[0] = '\0';
    return s->fd < 0 ? -1 : 0;
}

int blob_stage_adopt(struct blob_stage *s, int fd, unsigned long long size)
{
    unsigned char rnd[8];
    char self[64];
    randombytes_buf(rnd, sizeof(rnd));
    snprintf(s->tmp, sizeof(s->tmp), "%s/tmp/up-%02x%02x%02x%02x%02x%02x%02x%02x", store_dir,
             rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
    snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
    s->fd = -1;
    if (linkat(AT_FDCWD, self, AT_FDCWD, s->tmp, AT_SYMLINK_FOLLOW) != 0) {
        s->tmp[0] = '\0';
        return -1;
    }
    s->fd = dup(fd);
    if (s->fd < 0) {
        unlink(s->tmp);
        s->tmp[0] = '\0';
        return -1;
    }
    s->size = size;
    return 0;
}

int blob_stage_write(struct blob_stage *s, const void *buf, size_t n)
{
    if (io_write_all(s->fd, buf, n) < 0)
        return -1;
    s->size += n;
    return 0;
}

void blob_stage_discard(struct blob_stage *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    if (s->tmp[0])
        unlink(s->tmp);
    s->tmp[0] = '\0';
}

static int sync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int blob_stage_sync(struct blob_stage *s) { return fsync(s->fd); }

int blob_stage_place(struct blob_stage *s, const char *sha)
{
    char dir[BLOB_PATH_MAX], path[BLOB_PATH_MAX];
    snprintf(dir, sizeof(dir), "%s/%.2s", store_dir, sha);
    blob_path(sha, path, sizeof(path));
    if (mkdir(dir, 0700) == 0) {
        if (sync_dir(store_dir) != 0)
            return -1;
    } else if (errno != EEXIST) {
        return -1;
    }
    if (link(s->tmp, path) != 0) {
        struct stat st;
        if (errno != EEXIST || stat(path, &st) != 0)
            return -1;
        /* Not the content its name promises: replace it. */
        if ((unsigned long long)st.st_size != s->size &&
            (unlink(path) != 0 || link(s->tmp, path) != 0))
            return -1;
    }
    return sync_dir(dir);
}

int blob_remove(const char *sha)
{
    char path[BLOB_PATH_MAX];
    blob_thumb_path(sha, path, sizeof(path));
    unlink(path);
    blob_path(sha, path, sizeof(path));
    return unlink(path);
}

static int hex2(const char *n) { return strlen(n) == 2 && strspn(n, "0123456789abcdef") == 2; }

void blob_each(void (*fn)(const char *sha, void *arg), void *arg, time_t max_tmp_age)
{
    DIR *top = opendir(store_dir);
    if (!top)
        return;
    struct dirent *d;
    while ((d = readdir(top)) != NULL) {
        if (!hex2(d->d_name))
            continue;
        char sub[BLOB_PATH_MAX];
        snprintf(sub, sizeof(sub), "%s/%s", store_dir, d->d_name);
        DIR *in = opendir(sub);
        if (!in)
            continue;
        struct dirent *f;
        while ((f = readdir(in)) != NULL)
            if (blob_name_ok(f->d_name) && strncmp(f->d_name, d->d_name, 2) == 0)
                fn(f->d_name, arg);
        closedir(in);
    }
    closedir(top);

    char tmp[BLOB_PATH_MAX];
    snprintf(tmp, sizeof(tmp), "%s/tmp", store_dir);
    DIR *t = opendir(tmp);
    if (!t)
        return;
    time_t now = time(NULL);
    while ((d = readdir(t)) != NULL) {
        /* Uploads, thumbnails, archives and their indexes being written
         * (or left by a crash). */
        if (strncmp(d->d_name, "up-", 3) != 0 && strncmp(d->d_name, "th-", 3) != 0 &&
            strncmp(d->d_name, "zip-", 4) != 0 && strncmp(d->d_name, "fibertrack-", 11) != 0)
            continue;
        char path[BLOB_PATH_MAX + 300];
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s", tmp, d->d_name);
        if (stat(path, &st) == 0 && st.st_mtime < now - max_tmp_age)
            unlink(path);
    }
    closedir(t);
}
