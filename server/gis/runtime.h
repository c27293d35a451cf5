/* runtime.h — GDAL inside fibertrackd: started once, with bounds on what
 * it may use, and its error messages read per thread. */
#ifndef FT_GIS_RUNTIME_H
#define FT_GIS_RUNTIME_H

#include <stddef.h>

/* Registers GDAL's drivers and limits GDAL to what a server can afford:
 * one thread per call, a 16 MiB block cache, an 8 MiB SQLite page cache
 * per open GeoPackage, temporary files in tmpdir, and
 * errors kept for the caller instead of printed. Call once, before any
 * thread uses GDAL. Uploads reach GDAL only as in-memory files opened
 * with a fixed list of drivers, so nothing in them can make GDAL read other
 * files or the network. Returns 0, or -1 when GDAL has no vector drivers. */
int gis_runtime_start(const char *tmpdir);

/* Releases GDAL's global state at exit. */
void gis_runtime_stop(void);

/* A path under /vsimem/ (GDAL's in-memory files) that no other call uses,
 * ending in the file name base ("upload.gpkg"); written into out. */
void gis_vsimem_name(char *out, size_t size, const char *base);

/* The last error GDAL reported on this thread, or "" (GDAL's own storage:
 * copy it before the next GDAL call). */
const char *gis_last_error(void);

/* Forgets this thread's last GDAL error, before a call whose error is
 * wanted. */
void gis_clear_error(void);

#endif
