/* fsutil.c — crash-safe file writes, moves and reads (see fsutil.h). */
#include "fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

int fs_join(char *out, size_t n, const char *a, const char *b)
{
    int k = snprintf(out, n, "%s/%s", a, b);
    if (k < 0 || (size_t)k >= n) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

int fs_mkdirs(const char *dir, mode_t mode)
{
    char path[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof(path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(path, dir, n + 1);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, mode) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(path, mode) != 0 && errno != EEXIST)
        return -1;
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

int fs_sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

void fs_fault_point(const char *point)
{
    const char *f = getenv("FIBERTRACK_FAULT");
    if (f && strcmp(f, point) == 0) {
        fprintf(stderr, "fibertrack: FIBERTRACK_FAULT=%s: stopping here\n", point);
        abort();
    }
}

int fs_write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t k = write(fd, p, len);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += k;
        len -= (size_t)k;
    }
    return 0;
}

int fs_write_atomic(const char *dir, const char *name, const void *data, size_t len, mode_t mode)
{
    char tmp[4096], final[4096], tmpname[256];
    unsigned int r = 0;
    if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
        r = (unsigned int)getpid();
    /* A leading dot and a .tmp suffix: readers of the directory skip it. */
    int k = snprintf(tmpname, sizeof(tmpname), ".%s.%ld.%08x.tmp", name, (long)getpid(), r);
    if (k < 0 || (size_t)k >= sizeof(tmpname) || fs_join(tmp, sizeof(tmp), dir, tmpname) ||
        fs_join(final, sizeof(final), dir, name)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        return -1;
    int saved;
    /* The umask may have taken bits away; it must not add any either. */
    if (fchmod(fd, mode) != 0 || fs_write_all(fd, data, len) != 0)
        goto fail;
    fs_fault_point("write-before-fsync");
    if (fsync(fd) != 0)
        goto fail;
    if (close(fd) != 0) {
        fd = -1;
        goto fail;
    }
    fd = -1;
    fs_fault_point("write-before-rename");
    if (rename(tmp, final) != 0)
        goto fail;
    return fs_sync_dir(dir);

fail:
    saved = errno;
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    errno = saved;
    return -1;
}

int fs_remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 0 : -1;
    char path[4096];
    struct dirent *de;
    int rc = 0;
    for (;;) {
        de = readdir(d);
        if (!de)
            break;
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (fs_join(path, sizeof(path), dir, de->d_name) != 0 ||
            (unlink(path) != 0 && errno != ENOENT))
            rc = -1;
    }
    int saved = errno;
    closedir(d);
    if (rc != 0) {
        errno = saved;
        return -1;
    }
    if (rmdir(dir) != 0 && errno != ENOENT)
        return -1;
    char parent[4096];
    snprintf(parent, sizeof(parent), "%s", dir);
    return fs_sync_dir(dirname(parent));
}

int fs_move(const char *dir_from, const char *dir_to, const char *name)
{
    char from[4096], to[4096];
    if (fs_join(from, sizeof(from), dir_from, name) || fs_join(to, sizeof(to), dir_to, name))
        return -1;
    if (rename(from, to) != 0)
        return -1;
    if (fs_sync_dir(dir_to) != 0)
        return -1;
    return fs_sync_dir(dir_from);
}

int fs_remove(const char *dir, const char *name)
{
    char path[4096];
    if (fs_join(path, sizeof(path), dir, name))
        return -1;
    if (unlink(path) != 0 && errno != ENOENT)
        return -1;
    return fs_sync_dir(dir);
}

char *fs_read_file(const char *path, size_t max, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return NULL;
    }
    if (!S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
        close(fd);
        errno = S_ISREG(st.st_mode) ? EFBIG : EISDIR;
        return NULL;
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *buf = malloc(cap);
    if (!buf) {
        close(fd);
        errno = ENOMEM;
        return NULL;
    }
    for (;;) {
        if (n + 1 >= cap) {
            /* The file grew while we read it. */
            if (cap > max) {
                free(buf);
                close(fd);
                errno = EFBIG;
                return NULL;
            }
            size_t ncap = cap * 2;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                free(buf);
                close(fd);
                errno = ENOMEM;
                return NULL;
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t k = read(fd, buf + n, cap - 1 - n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            int saved = errno;
            free(buf);
            close(fd);
            errno = saved;
            return NULL;
        }
        if (k == 0)
            break;
        n += (size_t)k;
    }
    close(fd);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}
