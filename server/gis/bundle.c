/* bundle.c — zipping a directory of GIS files. */
#include "gis/bundle.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#define MAX_ENTRIES 256

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collects the regular files under dir/rel into names (relative paths,
 * malloc'ed). Returns the count, or -1. */
static int collect(const char *dir, const char *rel, char **names, int n)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s%s%s", dir, *rel ? "/" : "", rel);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    struct dirent *e;
    while (n >= 0 && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char sub[1024], full[2048];
        snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        snprintf(full, sizeof(full), "%s/%s", dir, sub);
        struct stat st;
        if (lstat(full, &st) < 0)
            n = -1;
        else if (S_ISDIR(st.st_mode))
            n = collect(dir, sub, names, n);
        else if (S_ISREG(st.st_mode) && n < MAX_ENTRIES && (names[n] = strdup(sub)) != NULL)
            n++;
        else if (S_ISREG(st.st_mode))
            n = -1;
    }
    closedir(d);
    return n;
}

int gis_bundle_zip(const char *dir, const char *zip_path)
{
    char *names[MAX_ENTRIES];
    int n = collect(dir, "", names, 0);
    if (n < 0)
        return -1;
    qsort(names, (size_t)n, sizeof(names[0]), by_name);
    int err = 0, rc = 0;
    zip_t *z = zip_open(zip_path, ZIP_CREATE | ZIP_TRUNCATE, &err);
    for (int i = 0; i < n && z && rc == 0; i++) {
        char full[2048];
        snprintf(full, sizeof(full), "%s/%s", dir, names[i]);
        zip_source_t *src = zip_source_file(z, full, 0, -1);
        zip_int64_t idx = src ? zip_file_add(z, names[i], src, ZIP_FL_ENC_UTF_8) : -1;
        if (idx < 0) {
            if (src)
                zip_source_free(src);
            rc = -1;
        }
    }
    if (!z)
        rc = -1;
    else if (rc == 0)
        rc = zip_close(z) == 0 ? 0 : -1;
    else
        zip_discard(z);
    for (int i = 0; i < n; i++)
        free(names[i]);
    return rc;
}

void gis_bundle_remove(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char full[1024];
            snprintf(full, sizeof(full), "%s/%s", dir, e->d_name);
            struct stat st;
            if (lstat(full, &st) == 0 && S_ISDIR(st.st_mode))
                gis_bundle_remove(full);
            else
                unlink(full);
        }
        closedir(d);
    }
    rmdir(dir);
}
