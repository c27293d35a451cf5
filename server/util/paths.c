/* paths.c — locating schema/ and clients/web/ from the executable. */
#include "util/paths.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void path_beside_exe(const char *env, const char *rel, char *out, size_t size)
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
            for (int up = 1; up <= 2; up++) {
                char cand[PATH_MAX + 64];
                snprintf(cand, sizeof(cand), "%s/%s%s", exe, up == 1 ? "../" : "../../", rel);
                struct stat st;
                if (stat(cand, &st) == 0 && S_ISDIR(st.st_mode)) {
                    snprintf(out, size, "%s", cand);
                    return;
                }
            }
        }
    }
    snprintf(out, size, "%s", rel);
}
