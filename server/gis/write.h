/* write.h — writing GIS files with GDAL: a GeoPackage or a directory of
 * Shapefiles, with typed layers, positions given in WGS84 and written in
 * each layer's own coordinate system. */
#ifndef FT_GIS_WRITE_H
#define FT_GIS_WRITE_H

#include <stddef.h>

#include "gis/features.h"

enum gis_col_type { GIS_COL_TEXT, GIS_COL_INT, GIS_COL_REAL, GIS_COL_BOOL, GIS_COL_DATE };

/* A column of a layer. width and precision: characters of text, digits of
 * numbers (0: the format's default). */
struct gis_column {
    const char *name;
    enum gis_col_type type;
    int width, precision;
};

/* A value: null, or i (INT, BOOL), d (REAL), s (TEXT; DATE as YYYY-MM-DD). */
struct gis_cell {
    int null;
    long long i;
    double d;
    const char *s;
};

struct gis_writer;

/* Creates a GeoPackage at path (driver "GPKG"), or a directory of
 * Shapefiles (driver "ESRI Shapefile"; path is the directory, which must
 * not exist). NULL with why in err. Finish with gis_writer_close. */
struct gis_writer *gis_writer_create(const char *driver, const char *path, char *err,
                                     size_t errlen);

/* Adds a layer of points or lines in the system epsg. Returns its number,
 * or -1 with why in err. */
int gis_writer_layer(struct gis_writer *w, const char *name, enum gis_shape shape, int epsg,
                     const struct gis_column *cols, size_t ncols, char *err, size_t errlen);

/* Writes one feature: a cell per column, and n positions (WGS84 longitude
 * and latitude; n = 0 for none). Returns 0, or -1 with why in err. */
int gis_writer_add(struct gis_writer *w, int layer, const struct gis_cell *cells, const double *lon,
                   const double *lat, size_t n, char *err, size_t errlen);

/* Completes the file and frees w. Returns 0, or -1 with why in err (the
 * file is then incomplete: remove it). */
int gis_writer_close(struct gis_writer *w, char *err, size_t errlen);

#endif
