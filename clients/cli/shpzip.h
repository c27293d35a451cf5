/* shpzip.h — a Shapefile and its sidecar files (.shx, .dbf, .prj, .cpg)
 * packed into a zip in memory, as the server's import takes Shapefiles. */
#ifndef FT_CLI_SHPZIP_H
#define FT_CLI_SHPZIP_H

#include <stddef.h>

/* Packs path (a .shp) with the files of the same name beside it into a
 * zip of at most max bytes (stored, not compressed). Returns the zip (the
 * caller frees) with its length in *len, or NULL with errno set (ENOENT:
 * the .shx or .dbf is missing; EFBIG: too large). */
char *shpzip_pack(const char *path, size_t max, size_t *len);

#endif
