/* runtime.c — GDAL's global settings for the server. */
#include "gis/runtime.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "util/log.h"

#define BLOCK_CACHE (16 * 1024 * 1024)

/* GDAL reports problems of user files (a bad field, a broken geometry) as
 * errors; they reach the user through the import's own messages, so the
 * log gets them at debug level only. */
static void CPL_STDCALL quiet(CPLErr level, CPLErrorNum num, const char *msg)
{
    (void)num;
    if (level >= CE_Failure)
        log_msg(LOG_DEBUG, "gdal: %s", msg);
}

int gis_runtime_start(const char *tmpdir)
{
    CPLSetErrorHandler(quiet);
    /* Work stays on the calling worker thread. */
    CPLSetConfigOption("GDAL_NUM_THREADS", "1");
    CPLSetConfigOption("OGR_SQLITE_CACHE", "8");
    if (tmpdir && *tmpdir)
        CPLSetConfigOption("CPL_TMPDIR", tmpdir);
    /* GeoPackages written here are temporary files: a journal would only
     * double the writes. */
    CPLSetConfigOption("OGR_SQLITE_JOURNAL", "OFF");
    GDALAllRegister();
    GDALSetCacheMax64(BLOCK_CACHE);
    if (!GDALGetDriverByName("GPKG") || !GDALGetDriverByName("ESRI Shapefile") ||
        !GDALGetDriverByName("CSV")) {
        log_msg(LOG_ERROR, "GDAL lacks the GPKG, ESRI Shapefile or CSV driver");
        return -1;
    }
    return 0;
}

void gis_runtime_stop(void) { GDALDestroyDriverManager(); }

void gis_vsimem_name(char *out, size_t size, const char *base)
{
    static atomic_ulong next;
    unsigned long n = atomic_fetch_add(&next, 1);
    snprintf(out, size, "/vsimem/fibertrack-%ld-%lu/%s", (long)getpid(), n, base);
}

const char *gis_last_error(void)
{
    const char *m = CPLGetLastErrorMsg();
    return m ? m : "";
}

void gis_clear_error(void) { CPLErrorReset(); }
