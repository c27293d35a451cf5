/* paths.c — locating schema/ and clients/web/ from the executable, and
 * making directories. */
#include "util/paths.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

void path_beside_exe(const char *env, const char *rel, const char *installed, char *out,
                     size_t size)
{
    const char *value = getenv(env);
    if (value && *value) {
        snprintf(out, size, "%s", value);
        return;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            char cand[PATH_MAX + 64];
            for (int up = 1; up <= 2; up++) {
                snprintf(cand, sizeof(cand), "%s/%s%s", exe, up == 1 ? "../" : "../../", rel);
                if (is_dir(cand)) {
                    snprintf(out, size, "%s", cand);
                    return;
                }
            }
            snprintf(cand, sizeof(cand), "%s/../share/fibertrack/%s", exe, installed);
            if (is_dir(cand)) {
                snprintf(out, size, "%s", cand);
                return;
            }
        }
    }
    snprintf(out, size, "%s", rel);
}

int path_mkdir_p(const char *path)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(buf, 0700) != 0 && errno != EEXIST)
        return -1;
    struct stat st;
    if (stat(buf, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}
