/* write.c — GDAL's GPKG and Shapefile drivers behind a small API. */
#include "gis/write.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gis/crs.h"
#include "gis/runtime.h"

#define MAX_LAYERS 16

struct wlayer {
    OGRLayerH layer;
    OGRFeatureDefnH defn;
    enum gis_shape shape;
    const struct gis_column *cols;
    size_t ncols;
    struct gis_transform *to; /* from WGS84 to the layer's system */
};

struct gis_writer {
    GDALDatasetH ds;
    int gpkg;
    int in_transaction;
    struct wlayer layers[MAX_LAYERS];
    int nlayers;
    double *x, *y; /* scratch positions */
    size_t cap;
};

static void fail(char *err, size_t errlen, const char *what)
{
    const char *why = gis_last_error();
    snprintf(err, errlen, "%s%s%s", what, *why ? ": " : "", why);
}

struct gis_writer *gis_writer_create(const char *driver, const char *path, char *err, size_t errlen)
{
    GDALDriverH drv = GDALGetDriverByName(driver);
    if (!drv) {
        snprintf(err, errlen, "GDAL has no %s driver", driver);
        return NULL;
    }
    struct gis_writer *w = calloc(1, sizeof(*w));
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    gis_clear_error();
    w->ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
    if (!w->ds) {
        fail(err, errlen, "the file cannot be created");
        free(w);
        return NULL;
    }
    w->gpkg = strcmp(driver, "GPKG") == 0;
    /* One transaction for the whole GeoPackage: a commit per feature
     * would make a large export take minutes. */
    if (w->gpkg && GDALDatasetStartTransaction(w->ds, FALSE) == OGRERR_NONE)
        w->in_transaction = 1;
    return w;
}

static OGRFieldType field_type(enum gis_col_type t)
{
    switch (t) {
    case GIS_COL_TEXT:
        return OFTString;
    case GIS_COL_INT:
    case GIS_COL_BOOL:
        return OFTInteger;
    case GIS_COL_REAL:
        return OFTReal;
    case GIS_COL_DATE:
        return OFTDate;
    }
    return OFTString;
}

int gis_writer_layer(struct gis_writer *w, const char *name, enum gis_shape shape, int epsg,
                     const struct gis_column *cols, size_t ncols, char *err, size_t errlen)
{
    if (w->nlayers == MAX_LAYERS) {
        snprintf(err, errlen, "too many layers");
        return -1;
    }
    struct wlayer *l = &w->layers[w->nlayers];
    memset(l, 0, sizeof(*l));
    l->to = gis_transform_to_epsg(epsg, err, errlen);
    if (!l->to)
        return -1;
    /* Shapefiles get a .cpg saying UTF-8, so that umlauts in street names
     * survive in every GIS. */
    char **options = NULL;
    if (!w->gpkg)
        options = CSLSetNameValue(options, "ENCODING", "UTF-8");
    else
        options = CSLSetNameValue(options, "FID", "fid");
    gis_clear_error();
    l->layer = GDALDatasetCreateLayer(w->ds, name, gis_transform_target(l->to),
                                      shape == GIS_POINT ? wkbPoint : wkbLineString, options);
    CSLDestroy(options);
    if (!l->layer) {
        gis_transform_free(l->to);
        l->to = NULL;
        fail(err, errlen, "a layer cannot be created");
        return -1;
    }
    for (size_t c = 0; c < ncols; c++) {
        OGRFieldDefnH fd = OGR_Fld_Create(cols[c].name, field_type(cols[c].type));
        if (cols[c].type == GIS_COL_BOOL)
            OGR_Fld_SetSubType(fd, OFSTBoolean);
        if (cols[c].width)
            OGR_Fld_SetWidth(fd, cols[c].width);
        if (cols[c].precision)
            OGR_Fld_SetPrecision(fd, cols[c].precision);
        OGRErr e = OGR_L_CreateField(l->layer, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (e != OGRERR_NONE) {
            fail(err, errlen, "a field cannot be created");
            gis_transform_free(l->to);
            l->to = NULL;
            return -1;
        }
    }
    l->defn = OGR_L_GetLayerDefn(l->layer);
    l->shape = shape;
    l->cols = cols;
    l->ncols = ncols;
    return w->nlayers++;
}

static int set_cell(OGRFeatureH f, int i, const struct gis_column *col, const struct gis_cell *v)
{
    if (v->null) {
        OGR_F_SetFieldNull(f, i);
        return 0;
    }
    switch (col->type) {
    case GIS_COL_TEXT:
        OGR_F_SetFieldString(f, i, v->s ? v->s : "");
        break;
    case GIS_COL_INT:
    case GIS_COL_BOOL:
        OGR_F_SetFieldInteger64(f, i, v->i);
        break;
    case GIS_COL_REAL:
        OGR_F_SetFieldDouble(f, i, v->d);
        break;
    case GIS_COL_DATE: {
        int y, m, d;
        if (!v->s || sscanf(v->s, "%4d-%2d-%2d", &y, &m, &d) != 3)
            return -1;
        OGR_F_SetFieldDateTimeEx(f, i, y, m, d, 0, 0, 0, 0);
        break;
    }
    }
    return 0;
}

int gis_writer_add(struct gis_writer *w, int layer, const struct gis_cell *cells, const double *lon,
                   const double *lat, size_t n, char *err, size_t errlen)
{
    struct wlayer *l = &w->layers[layer];
    OGRFeatureH f = OGR_F_Create(l->defn);
    int rc = 0;
    for (size_t c = 0; c < l->ncols && rc == 0; c++)
        if (set_cell(f, (int)c, &l->cols[c], &cells[c]) < 0) {
            snprintf(err, errlen, "%s: not a date", l->cols[c].name);
            rc = -1;
        }
    if (rc == 0 && n > 0) {
        if (n > w->cap) {
            double *x = realloc(w->x, n * sizeof(double));
            double *y = x ? realloc(w->y, n * sizeof(double)) : NULL;
            if (x)
                w->x = x;
            if (y)
                w->y = y;
            if (!x || !y) {
                OGR_F_Destroy(f);
                snprintf(err, errlen, "out of memory");
                return -1;
            }
            w->cap = n;
        }
        memcpy(w->x, lon, n * sizeof(double));
        memcpy(w->y, lat, n * sizeof(double));
        if (gis_transform_apply(l->to, w->x, w->y, n) < 0) {
            OGR_F_Destroy(f);
            snprintf(err, errlen, "a position cannot be transformed");
            return -1;
        }
        OGRGeometryH g = OGR_G_CreateGeometry(l->shape == GIS_POINT ? wkbPoint : wkbLineString);
        if (l->shape == GIS_POINT) {
            OGR_G_SetPoint_2D(g, 0, w->x[0], w->y[0]);
        } else {
            OGR_G_SetPointCount(g, (int)n);
            for (size_t i = 0; i < n; i++)
                OGR_G_SetPoint_2D(g, (int)i, w->x[i], w->y[i]);
        }
        OGR_F_SetGeometryDirectly(f, g);
    }
    if (rc == 0) {
        gis_clear_error();
        if (OGR_L_CreateFeature(l->layer, f) != OGRERR_NONE) {
            fail(err, errlen, "a feature cannot be written");
            rc = -1;
        }
    }
    OGR_F_Destroy(f);
    return rc;
}

int gis_writer_close(struct gis_writer *w, char *err, size_t errlen)
{
    int rc = 0;
    gis_clear_error();
    if (w->in_transaction && GDALDatasetCommitTransaction(w->ds) != OGRERR_NONE) {
        fail(err, errlen, "the file cannot be completed");
        rc = -1;
    }
    /* GDAL 3.6's GDALClose says nothing; a failure shows as an error. */
    GDALClose(w->ds);
    if (rc == 0 && CPLGetLastErrorType() >= CE_Failure) {
        fail(err, errlen, "the file cannot be completed");
        rc = -1;
    }
    for (int i = 0; i < w->nlayers; i++)
        gis_transform_free(w->layers[i].to);
    free(w->x);
    free(w->y);
    free(w);
    return rc;
}
