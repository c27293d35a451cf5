/* features.h — what a GIS file holds, in a form that no longer depends on
 * its format: the import checks and stores these. Positions are WGS84
 * longitude/latitude by the time a reader hands them over. Everything
 * lives in the pool the reader was given. */
#ifndef FT_GIS_FEATURES_H
#define FT_GIS_FEATURES_H

#include <stddef.h>

enum gis_kind {
    GIS_TEXT,   /* text; dates as YYYY-MM-DD */
    GIS_INT,    /* a whole number */
    GIS_REAL,   /* any other number */
    GIS_BOOL,   /* i is 0 or 1 */
    GIS_NESTED, /* a JSON object or array, which no field takes */
};

/* One attribute as the file gives it. Null and empty attributes are not
 * kept: for GIS tools they mean "not given". Equal names share one
 * string within an input, so that users may remember things by its
 * address. */
struct gis_attr {
    const char *name;
    enum gis_kind kind;
    const char *text;
    long long i;
    double d;
};

enum gis_shape { GIS_NO_GEOMETRY, GIS_POINT, GIS_LINE };

struct gis_feature {
    const char *layer; /* the file's layer (GeoPackage table, shapefile, collection name) */
    int index;         /* the feature's position in that layer, from 0 */
    /* Where its layer's features are, as a JSON Pointer ("/features",
     * "/layers/segments/features"): the feature is at pointer/index. */
    const char *pointer;
    struct gis_attr *attrs;
    size_t nattrs;
    enum gis_shape shape;
    double *x, *y; /* longitude and latitude of each position */
    size_t npoints;
    /* Why the feature cannot be taken as it is (not a Feature, a geometry
     * of several parts, heights), or NULL; problem_at says where below
     * pointer ("geometry", "geometry/coordinates", "crs" or ""). */
    const char *problem;
    const char *problem_at;
};

struct gis_input {
    struct gis_feature *features;
    size_t n;
    /* 1: attribute names are taken exactly as written (GeoJSON); 0: case
     * does not matter and names cut to 10 characters (Shapefiles) stand
     * for the field they begin. */
    int exact_names;
    /* The coordinate system the positions came in, for the answer. */
    const char *crs;
};

#endif
