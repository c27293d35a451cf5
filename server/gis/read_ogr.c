/* read_ogr.c — GeoPackages, zipped Shapefiles and CSV files through GDAL.
 * The upload is handed to GDAL as an in-memory file over the request's
 * own bytes (no copy), opened read-only with exactly one driver. */
#include "gis/read.h"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gis/crs.h"
#include "gis/runtime.h"
#include "util/pool.h"

/* Features read so far, in a growing array (the count of a layer is not
 * known before it is read through). */
struct sink {
    struct gis_feature *f;
    size_t n, cap;
    size_t max;
};

static int refuse(struct gis_failure *fail, int status, const char *pointer, const char *detail)
{
    fail->status = status;
    snprintf(fail->pointer, sizeof(fail->pointer), "%s", pointer ? pointer : "");
    snprintf(fail->detail, sizeof(fail->detail), "%s", detail);
    return -1;
}

static struct gis_feature *sink_add(struct sink *s)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 1024;
        struct gis_feature *f = realloc(s->f, cap * sizeof(*f));
        if (!f)
            return NULL;
        s->f = f;
        s->cap = cap;
    }
    memset(&s->f[s->n], 0, sizeof(s->f[0]));
    return &s->f[s->n++];
}

/* A JSON Pointer token for a layer name ("/" and "~" escaped). */
static const char *pointer_token(struct pool *pool, const char *name)
{
    size_t n = 0;
    for (const char *c = name; *c; c++)
        n += (*c == '/' || *c == '~') ? 2 : 1;
    char *out = pool_alloc(pool, n + 1), *o = out;
    for (const char *c = name; *c; c++) {
        if (*c == '/' || *c == '~') {
            *o++ = '~';
            *o++ = *c == '/' ? '1' : '0';
        } else {
            *o++ = *c;
        }
    }
    return out;
}

static void take_attrs(struct pool *pool, struct gis_feature *out, OGRFeatureH f,
                       OGRFeatureDefnH defn, const char *const *names)
{
    int n = OGR_FD_GetFieldCount(defn), given = 0;
    for (int i = 0; i < n; i++)
        given += OGR_F_IsFieldSetAndNotNull(f, i) ? 1 : 0;
    out->attrs = pool_alloc(pool, (size_t)(given ? given : 1) * sizeof(*out->attrs));
    for (int i = 0; i < n; i++) {
        if (!OGR_F_IsFieldSetAndNotNull(f, i))
            continue;
        OGRFieldDefnH fd = OGR_FD_GetFieldDefn(defn, i);
        struct gis_attr *a = &out->attrs[out->nattrs];
        a->name = names[i];
        switch (OGR_Fld_GetType(fd)) {
        case OFTInteger:
        case OFTInteger64:
            a->kind = OGR_Fld_GetSubType(fd) == OFSTBoolean ? GIS_BOOL : GIS_INT;
            a->i = OGR_F_GetFieldAsInteger64(f, i);
            a->d = (double)a->i;
            break;
        case OFTReal:
            a->kind = GIS_REAL;
            a->d = OGR_F_GetFieldAsDouble(f, i);
            break;
        case OFTDate:
        case OFTDateTime: {
            int y, m, d, h, mi, tz;
            float s;
            if (!OGR_F_GetFieldAsDateTimeEx(f, i, &y, &m, &d, &h, &mi, &s, &tz))
                continue;
            a->kind = GIS_TEXT;
            /* A date, or a date and time (which date fields refuse). */
            if (OGR_Fld_GetType(fd) == OFTDate || (h == 0 && mi == 0 && s == 0))
                a->text = pool_printf(pool, "%04d-%02d-%02d", y, m, d);
            else
                a->text =
                    pool_printf(pool, "%04d-%02d-%02dT%02d:%02d:%02.0f", y, m, d, h, mi, (double)s);
            break;
        }
        case OFTBinary:
        case OFTIntegerList:
        case OFTInteger64List:
        case OFTRealList:
        case OFTStringList:
        case OFTWideString:
        case OFTWideStringList:
            a->kind = GIS_NESTED;
            break;
        case OFTString:
        case OFTTime:
            a->kind = GIS_TEXT;
            a->text = OGR_F_GetFieldAsString(f, i);
            if (!a->text || !*a->text)
                continue; /* not given */
            a->text = pool_strdup(pool, a->text);
            break;
        }
        out->nattrs++;
    }
}

static void take_points(struct pool *pool, struct gis_feature *out, OGRGeometryH g,
                        enum gis_shape shape)
{
    int n = OGR_G_GetPointCount(g);
    if (n <= 0)
        return;
    out->x = pool_alloc(pool, (size_t)n * sizeof(double));
    out->y = pool_alloc(pool, (size_t)n * sizeof(double));
    out->npoints =
        (size_t)OGR_G_GetPoints(g, out->x, sizeof(double), out->y, sizeof(double), NULL, 0);
    out->shape = shape;
}

/* Takes f's geometry (a copy of the feature's own), or leaves a problem. */
static void take_geometry(struct pool *pool, struct gis_feature *out, OGRGeometryH g)
{
    if (!g || OGR_G_IsEmpty(g))
        return;
    out->problem_at = "geometry";
    if (OGR_G_Is3D(g) || OGR_G_IsMeasured(g)) {
        out->problem = "has heights (z) or measures (m), which fibertrack does not store: drop "
                       "them before the import (ogr2ogr -dim XY)";
        return;
    }
    OGRwkbGeometryType type = wkbFlatten(OGR_G_GetGeometryType(g));
    OGRGeometryH linear = NULL;
    if (type == wkbCircularString || type == wkbCompoundCurve || type == wkbMultiCurve) {
        /* Arcs become lines of short chords, as QGIS draws them. */
        linear = OGR_G_GetLinearGeometry(g, 0, NULL);
        if (!linear) {
            out->problem = "is a curve that cannot be turned into a line";
            return;
        }
        g = linear;
        type = wkbFlatten(OGR_G_GetGeometryType(g));
    }
    int parts =
        (type == wkbMultiPoint || type == wkbMultiLineString) ? OGR_G_GetGeometryCount(g) : 1;
    if (type == wkbPoint) {
        take_points(pool, out, g, GIS_POINT);
    } else if (type == wkbLineString) {
        take_points(pool, out, g, GIS_LINE);
    } else if (type == wkbMultiPoint && parts == 1) {
        take_points(pool, out, OGR_G_GetGeometryRef(g, 0), GIS_POINT);
    } else if (type == wkbMultiLineString && parts == 1) {
        /* QGIS keeps lines in GeoPackages and Shapefiles as
         * MultiLineStrings; one part is one line. */
        take_points(pool, out, OGR_G_GetGeometryRef(g, 0), GIS_LINE);
    } else if (type == wkbMultiLineString) {
        out->problem = pool_printf(
            pool,
            "is a MultiLineString of %d parts, and a segment is one line: split it into one "
            "segment per part, each with its own code (QGIS: Vector > Geometry Tools > "
            "Multipart to Singleparts), or join parts that touch into one line",
            parts);
    } else if (type == wkbMultiPoint) {
        out->problem = pool_printf(pool,
                                   "is a MultiPoint of %d points: a node or premise is one "
                                   "point (QGIS: Multipart to Singleparts)",
                                   parts);
    } else {
        out->problem = pool_printf(pool,
                                   "is a %s: nodes and premises are Points, segments are "
                                   "LineStrings (or MultiLineStrings of one part)",
                                   OGRGeometryTypeToName(type));
    }
    if (linear)
        OGR_G_DestroyGeometry(linear);
    if (!out->problem && out->shape == GIS_LINE && out->npoints < 2) {
        out->problem = "must be a line of at least 2 positions";
        out->shape = GIS_NO_GEOMETRY;
    }
    if (!out->problem)
        out->problem_at = NULL;
}

/* Whether a layer holds the network: it has geometry, a name the import
 * knows, or a layer attribute. Other tables (QGIS keeps its styles in a
 * GeoPackage's layer_styles) are left alone. */
static int is_network_layer(OGRLayerH layer)
{
    static const char *const names[] = {"nodes",    "node",    "segments", "segment",
                                        "premises", "premise", NULL};
    const char *name = OGR_L_GetName(layer);
    for (const char *const *n = names; *n; n++)
        if (strcasecmp(name, *n) == 0)
            return 1;
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    return OGR_L_GetGeomType(layer) != wkbNone || OGR_FD_GetFieldIndex(defn, "layer") >= 0;
}

static int read_layer(OGRLayerH layer, const struct gis_read_options *opt, struct pool *pool,
                      struct sink *sink, const char **crs, struct gis_failure *fail)
{
    const char *name = pool_strdup(pool, OGR_L_GetName(layer));
    const char *token = pointer_token(pool, name);
    char err[300];
    const char *where = pool_printf(pool, "/layers/%.80s/features", token);
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(layer);
    struct gis_transform *t = NULL;
    if (srs)
        t = gis_transform_from_srs(srs, err, sizeof(err));
    else if (opt->crs_epsg && opt->crs_epsg != 4326)
        t = gis_transform_from_epsg(opt->crs_epsg, err, sizeof(err));
    if ((srs || (opt->crs_epsg && opt->crs_epsg != 4326)) && !t) {
        char detail[400];
        snprintf(detail, sizeof(detail), "the layer's coordinate system: %s", err);
        char layer_ptr[96];
        snprintf(layer_ptr, sizeof(layer_ptr), "/layers/%.80s", token);
        return refuse(fail, 422, layer_ptr, detail);
    }
    if (t && !gis_transform_identity(t) && !*crs)
        *crs = pool_strdup(pool, gis_transform_name(t));

    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    int nfields = OGR_FD_GetFieldCount(defn);
    const char **names = pool_alloc(pool, (size_t)(nfields ? nfields : 1) * sizeof(*names));
    for (int i = 0; i < nfields; i++)
        names[i] = pool_strdup(pool, OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)));

    int rc = 0, index = 0;
    OGR_L_ResetReading(layer);
    OGRFeatureH f;
    while (rc == 0 && (f = OGR_L_GetNextFeature(layer)) != NULL) {
        struct gis_feature *out = sink->n < sink->max ? sink_add(sink) : NULL;
        if (!out) {
            char detail[120];
            snprintf(detail, sizeof(detail),
                     "the file has more features than the %zu one import takes", sink->max);
            rc = sink->n < sink->max ? refuse(fail, 503, NULL, "out of memory; retry shortly")
                                     : refuse(fail, 413, NULL, detail);
            OGR_F_Destroy(f);
            break;
        }
        out->layer = name;
        out->index = index;
        out->pointer = where;
        index++;
        take_attrs(pool, out, f, defn, names);
        take_geometry(pool, out, OGR_F_GetGeometryRef(f));
        if (!out->problem && t && out->npoints &&
            gis_transform_apply(t, out->x, out->y, out->npoints) < 0) {
            out->problem = pool_printf(pool, "has positions that %s cannot express in WGS84",
                                       gis_transform_name(t));
            out->problem_at = "geometry";
            out->shape = GIS_NO_GEOMETRY;
        }
        OGR_F_Destroy(f);
    }
    gis_transform_free(t);
    return rc;
}

static int read_dataset(const char *path, const char *driver, const char *const *open_options,
                        const struct gis_read_options *opt, struct pool *pool, struct sink *sink,
                        const char **crs, struct gis_failure *fail, const char *what)
{
    const char *const drivers[] = {driver, NULL};
    gis_clear_error();
    GDALDatasetH ds =
        GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, open_options, NULL);
    if (!ds)
        return refuse(fail, 400, NULL, what);
    int rc = 0;
    int n = GDALDatasetGetLayerCount(ds);
    for (int i = 0; i < n && rc == 0; i++) {
        OGRLayerH layer = GDALDatasetGetLayer(ds, i);
        if (layer && is_network_layer(layer))
            rc = read_layer(layer, opt, pool, sink, crs, fail);
    }
    GDALClose(ds);
    return rc;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* Every Shapefile in the zip, wherever it lies in it. */
static int read_zip(const char *mem, const struct gis_read_options *opt, struct pool *pool,
                    struct sink *sink, const char **crs, struct gis_failure *fail)
{
    char root[200];
    snprintf(root, sizeof(root), "/vsizip/%s", mem);
    char **entries = VSIReadDirRecursive(root);
    if (!entries)
        return refuse(fail, 400, NULL,
                      "the body is not a zip file GDAL can read (send the Shapefiles zipped)");
    /* A zip unpacks to much more than it weighs: its contents are measured
     * before any is read. */
    unsigned long long unpacked = 0;
    int shapefiles = 0, rc = 0;
    for (char **e = entries; *e; e++) {
        char path[1200];
        snprintf(path, sizeof(path), "%s/%s", root, *e);
        VSIStatBufL st;
        if (VSIStatL(path, &st) == 0 && !VSI_ISDIR(st.st_mode))
            unpacked += (unsigned long long)st.st_size;
    }
    if (opt->max_unpacked && unpacked > opt->max_unpacked) {
        char detail[120];
        snprintf(detail, sizeof(detail),
                 "the zip unpacks to more than the %llu MiB one import takes",
                 opt->max_unpacked / (1024 * 1024));
        rc = refuse(fail, 413, NULL, detail);
    }
    for (char **e = entries; *e && rc == 0; e++) {
        const char *base = strrchr(*e, '/') ? strrchr(*e, '/') + 1 : *e;
        /* macOS adds ._name.shp resource files under __MACOSX/. */
        if (!ends_with(*e, ".shp") || strncmp(base, "._", 2) == 0 || strstr(*e, "__MACOSX"))
            continue;
        char path[1200];
        snprintf(path, sizeof(path), "%s/%s", root, *e);
        shapefiles++;
        rc = read_dataset(path, "ESRI Shapefile", NULL, opt, pool, sink, crs, fail,
                          "a Shapefile in the zip cannot be read (each .shp needs its .shx and "
                          ".dbf beside it)");
    }
    CSLDestroy(entries);
    if (rc == 0 && shapefiles == 0)
        rc = refuse(fail, 422, NULL,
                    "the zip holds no Shapefile (.shp with its .shx and .dbf): name them nodes, "
                    "segments and premises, or give them a layer field");
    return rc;
}

int gis_read_ogr(const char *data, size_t len, enum gis_format fmt,
                 const struct gis_read_options *opt, struct pool *pool, struct gis_input *in,
                 struct gis_failure *fail)
{
    static const char *const csv_options[] = {
        "GEOM_POSSIBLE_NAMES=WKT,wkt,geometry,geom,the_geom",
        "X_POSSIBLE_NAMES=lon,longitude,x",
        "Y_POSSIBLE_NAMES=lat,latitude,y",
        "KEEP_GEOM_COLUMNS=NO",
        "EMPTY_STRING_AS_NULL=YES",
        /* Text stays text ("01234" is a postcode, not 1234); the import
         * reads numbers where its fields take numbers. */
        "AUTODETECT_TYPE=NO",
        "HEADERS=YES",
        NULL,
    };
    in->exact_names = 0;
    if (fmt == GIS_GPKG && (len < 16 || memcmp(data, "SQLite format 3", 16) != 0))
        return refuse(fail, 400, NULL, "the body is not a GeoPackage (an SQLite file)");
    if (fmt == GIS_SHAPEZIP && (len < 4 || memcmp(data, "PK", 2) != 0))
        return refuse(fail, 400, NULL, "the body is not a zip file");
    /* A CSV file's one layer takes the file's name: "upload". */
    char mem[128];
    gis_vsimem_name(mem, sizeof(mem),
                    fmt == GIS_GPKG  ? "upload.gpkg"
                    : fmt == GIS_CSV ? "upload.csv"
                                     : "upload.zip");
    /* GDAL only reads the bytes: the file is opened read-only. */
    VSILFILE *fp = VSIFileFromMemBuffer(mem, (GByte *)(uintptr_t)data, (vsi_l_offset)len, FALSE);
    if (!fp)
        return refuse(fail, 503, NULL, "the upload could not be handed to GDAL; retry shortly");
    VSIFCloseL(fp);

    struct sink sink = {NULL, 0, 0, opt->max_features ? opt->max_features : SIZE_MAX};
    int rc;
    const char *crs = NULL;
    if (fmt == GIS_GPKG)
        rc = read_dataset(mem, "GPKG", NULL, opt, pool, &sink, &crs, fail,
                          "the body is not a GeoPackage GDAL can read");
    else if (fmt == GIS_CSV)
        rc = read_dataset(mem, "CSV", csv_options, opt, pool, &sink, &crs, fail,
                          "the body is not a CSV file GDAL can read");
    else
        rc = read_zip(mem, opt, pool, &sink, &crs, fail);
    in->crs = crs ? crs : "EPSG:4326";
    VSIUnlink(mem);
    if (rc == 0) {
        in->features = pool_alloc(pool, (sink.n ? sink.n : 1) * sizeof(*in->features));
        if (sink.n)
            memcpy(in->features, sink.f, sink.n * sizeof(*in->features));
        in->n = sink.n;
    }
    free(sink.f);
    return rc;
}
