/* photo_archive.h — the Fotodokumentation: a zip of a period's photos and
 * documents, each named <segment code>_<report date>_<n>.<ext> with its
 * original bytes, plus index.html and index.xlsx describing each one. */
#ifndef FT_PHOTO_ARCHIVE_H
#define FT_PHOTO_ARCHIVE_H

#include <stddef.h>

#include "reports/report.h"

struct photo_entry {
    const char *path; /* the stored file */
    const char *ext;  /* "jpg" */
    const char *segment_code, *report_date, *media_type, *caption;
    const char *taken_at; /* local time in Germany, "YYYY-MM-DD HH:MM", or NULL */
    const char *uploaded_by, *reviewer, *state, *flags, *sha256;
    int has_position, has_distance;
    double lat, lon, distance_m;
    char name[160]; /* filled by photo_archive_write: the name in the archive */
};

struct photo_archive {
    enum rpt_lang lang;
    const char *project_code, *project_name;
    const char *from, *to; /* the period, "YYYY-MM-DD" or NULL */
    const char *generated; /* "YYYY-MM-DD HH:MM" in Germany */
    const char *tmpdir;    /* for the two index files */
};

/* Writes the archive to path. Returns 0, or -1 (a file could not be read
 * or written). */
int photo_archive_write(const char *path, const struct photo_archive *a, struct photo_entry *e,
                        size_t n);

#endif
