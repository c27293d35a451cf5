/* read.h — reading an uploaded GIS file into features (features.h):
 * GeoJSON with cJSON, GeoPackage, zipped Shapefiles and CSV with GDAL.
 * Positions in any coordinate system GDAL knows come out in WGS84. */
#ifndef FT_GIS_READ_H
#define FT_GIS_READ_H

#include <stddef.h>

#include "gis/features.h"

struct pool;

enum gis_format { GIS_GEOJSON, GIS_GPKG, GIS_SHAPEZIP, GIS_CSV };

/* The format of a media type ("application/geopackage+sqlite3"; without
 * parameters, any case), or -1 when it is none the import reads. */
int gis_format_of_media(const char *media);

/* The media types the import reads, for messages and the API document. */
#define GIS_IMPORT_MEDIA                                                                           \
    "application/geo+json application/json application/geopackage+sqlite3 application/zip "        \
    "text/csv"

struct gis_read_options {
    /* The system of layers that name none (CSV, a Shapefile without .prj):
     * an EPSG code, or 0 for WGS84. */
    int crs_epsg;
    /* At most this many features in all, and this many bytes unpacked
     * from a zip; more is refused (413). */
    size_t max_features;
    unsigned long long max_unpacked;
};

/* Why a whole file was refused. */
struct gis_failure {
    int status;       /* 400: unreadable; 413: too large; 422: a member of the file is wrong */
    char pointer[96]; /* for 422: where ("/crs") */
    char detail[400];
};

/* Reads the len bytes at data (which stay unchanged and must live until
 * the call returns) as a file of format fmt into in, allocating in pool.
 * Feature problems (a wrong geometry, an unknown coordinate system on one
 * feature) are left on the features for the import to list; only what
 * spoils the whole file fails. Returns 0, or -1 with fail filled. */
int gis_read(const char *data, size_t len, enum gis_format fmt, const struct gis_read_options *opt,
             struct pool *pool, struct gis_input *in, struct gis_failure *fail);

/* The two readers behind gis_read. */
int gis_read_geojson(const char *data, size_t len, const struct gis_read_options *opt,
                     struct pool *pool, struct gis_input *in, struct gis_failure *fail);
int gis_read_ogr(const char *data, size_t len, enum gis_format fmt,
                 const struct gis_read_options *opt, struct pool *pool, struct gis_input *in,
                 struct gis_failure *fail);

#endif
