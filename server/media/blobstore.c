/* blobstore.c — the content-addressed file store. */
#include "media/blobstore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
    char dir[BLOB_PATH_MAX];
    snprintf(dir, sizeof(dir), "%s/tmp", store_dir);
    s->size = 0;
    s->tmp[0] = '\0';
    /* An unnamed file vanishes by itself if the process dies; it gets a
     * name only when it is put in place. */
    s->fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    if (s->fd >= 0)
        return 0;
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
        return -1;
    /* File systems without O_TMPFILE (NFS): a named file the sweep
     * removes once it is old. */
    snprintf(s->tmp, sizeof(s->tmp), "%s/tmp/up-XXXXXX", store_dir);
    s->fd = mkostemp(s->tmp, O_CLOEXEC);
    if (s->fd < 0)
        s->tmp[0] = '\0';
    return s->fd < 0 ? -1 : 0;
}

int blob_stage_write(struct blob_stage *s, const void *buf, size_t n)
{
    const char *p = buf;
    while (n) {
        ssize_t w = write(s->fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
        s->size += (unsigned long long)w;
    }
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

/* Gives the staged file the name path; EEXIST when one is there. */
static int stage_link(struct blob_stage *s, const char *path)
{
    if (s->tmp[0])
        return link(s->tmp, path);
    char self[64];
    snprintf(self, sizeof(self), "/proc/self/fd/%d", s->fd);
    return linkat(AT_FDCWD, self, AT_FDCWD, path, AT_SYMLINK_FOLLOW);
}

int blob_stage_place(struct blob_stage *s, const char *sha)
{
    char dir[BLOB_PATH_MAX], path[BLOB_PATH_MAX];
    snprintf(dir, sizeof(dir), "%s/%.2s", store_dir, sha);
    blob_path(sha, path, sizeof(path));
    int rc = -1;
    if (fsync(s->fd) != 0)
        goto out;
    if (mkdir(dir, 0700) == 0) {
        if (sync_dir(store_dir) != 0)
            goto out;
    } else if (errno != EEXIST) {
        goto out;
    }
    if (stage_link(s, path) != 0) {
        struct stat st;
        if (errno != EEXIST || stat(path, &st) != 0)
            goto out;
        if ((unsigned long long)st.st_size != s->size) {
            /* Not the content its name promises: replace it. */
            if (unlink(path) != 0 || stage_link(s, path) != 0)
                goto out;
        }
    }
    rc = sync_dir(dir);
out:;
    int saved = errno;
    blob_stage_discard(s);
    errno = saved;
    return rc;
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
