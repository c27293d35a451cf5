/* read_geojson.c — a GeoJSON FeatureCollection, parsed strictly with
 * cJSON (duplicate keys, control characters and bad UTF-8 are refused as
 * in every other body), with positions in another system than WGS84 (a
 * "crs" member, as ogr2ogr writes it) transformed by GDAL. */
#include "gis/read.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "domain/validate.h"
#include "gis/crs.h"
#include "util/pool.h"

/* Transformations of one file, by EPSG code (a file names a few at most). */
#define MAX_SYSTEMS 8

struct systems {
    int epsg[MAX_SYSTEMS];
    struct gis_transform *t[MAX_SYSTEMS];
    int n;
};

static void systems_free(struct systems *s)
{
    for (int i = 0; i < s->n; i++)
        gis_transform_free(s->t[i]);
}

/* The transformation for a "crs" member, or NULL with why (static text,
 * or err) when it names no system GDAL knows. */
static struct gis_transform *system_of(struct systems *s, const cJSON *crs, char *err,
                                       size_t errlen, const char **why)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(crs, "type");
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(crs, "properties");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(props, "name");
    *why = NULL;
    if (!cJSON_IsObject(crs) || !cJSON_IsString(type) || strcmp(type->valuestring, "name") != 0 ||
        !cJSON_IsString(name)) {
        *why = "must name a coordinate system, as {\"type\": \"name\", \"properties\": "
               "{\"name\": \"urn:ogc:def:crs:EPSG::25832\"}}";
        return NULL;
    }
    int epsg = gis_crs_epsg(name->valuestring);
    if (!epsg) {
        snprintf(err, errlen,
                 "names no coordinate system fibertrack can use (%.80s): give an EPSG code, "
                 "such as EPSG:25832",
                 name->valuestring);
        *why = err;
        return NULL;
    }
    for (int i = 0; i < s->n; i++)
        if (s->epsg[i] == epsg)
            return s->t[i];
    if (s->n == MAX_SYSTEMS) {
        *why = "names too many coordinate systems in one file";
        return NULL;
    }
    struct gis_transform *t = gis_transform_from_epsg(epsg, err, errlen);
    if (!t) {
        *why = err;
        return NULL;
    }
    s->epsg[s->n] = epsg;
    s->t[s->n++] = t;
    return t;
}

static void take_attrs(struct pool *pool, struct gis_feature *f, const cJSON *props)
{
    size_t n = 0;
    for (const cJSON *p = props ? props->child : NULL; p; p = p->next)
        n++;
    f->attrs = pool_alloc(pool, (n ? n : 1) * sizeof(*f->attrs));
    for (const cJSON *p = props ? props->child : NULL; p; p = p->next) {
        struct gis_attr *a = &f->attrs[f->nattrs];
        if (cJSON_IsNull(p) || (cJSON_IsString(p) && !*p->valuestring))
            continue; /* not given */
        a->name = pool_strdup(pool, p->string);
        if (cJSON_IsString(p)) {
            a->kind = GIS_TEXT;
            a->text = pool_strdup(pool, p->valuestring);
        } else if (cJSON_IsBool(p)) {
            a->kind = GIS_BOOL;
            a->i = cJSON_IsTrue(p);
        } else if (cJSON_IsNumber(p)) {
            double v = p->valuedouble;
            if (v == floor(v) && fabs(v) < 9007199254740992.0) {
                a->kind = GIS_INT;
                a->i = (long long)v;
            } else
                a->kind = GIS_REAL;
            a->d = v;
        } else {
            a->kind = GIS_NESTED;
        }
        f->nattrs++;
    }
}

/* Reads a position into x, y; a message when it is not [x, y]. */
static const char *position(const cJSON *pt, double *x, double *y)
{
    int n = 0, numbers = cJSON_IsArray(pt);
    for (const cJSON *c = numbers ? pt->child : NULL; c; c = c->next, n++)
        numbers = numbers && cJSON_IsNumber(c);
    if (numbers && n >= 3)
        return "must be [longitude, latitude]: heights (a third value) are not stored, so drop "
               "them before the import (ogr2ogr -dim XY)";
    if (!numbers || n != 2)
        return "must be [longitude, latitude]";
    *x = pt->child->valuedouble;
    *y = pt->child->next->valuedouble;
    return NULL;
}

static const char *take_line(struct pool *pool, struct gis_feature *f, const cJSON *coords)
{
    size_t n = 0;
    for (const cJSON *pt = cJSON_IsArray(coords) ? coords->child : NULL; pt; pt = pt->next)
        n++;
    if (!cJSON_IsArray(coords) || n < 2)
        return "must be a line of at least 2 positions";
    f->x = pool_alloc(pool, n * sizeof(double));
    f->y = pool_alloc(pool, n * sizeof(double));
    for (const cJSON *pt = coords->child; pt; pt = pt->next) {
        const char *why = position(pt, &f->x[f->npoints], &f->y[f->npoints]);
        if (why)
            return why;
        f->npoints++;
    }
    f->shape = GIS_LINE;
    return NULL;
}

/* Takes a geometry, or leaves a problem on f. */
static void take_geometry(struct pool *pool, struct gis_feature *f, const cJSON *g)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(g, "type");
    const cJSON *coords = cJSON_GetObjectItemCaseSensitive(g, "coordinates");
    const char *why = NULL;
    f->problem_at = "geometry/coordinates";
    if (!cJSON_IsObject(g) || !cJSON_IsString(type)) {
        f->problem_at = "geometry";
        why = "must be a GeoJSON geometry or null";
    } else if (strcmp(type->valuestring, "Point") == 0) {
        f->x = pool_alloc(pool, sizeof(double));
        f->y = pool_alloc(pool, sizeof(double));
        why = position(coords, f->x, f->y);
        f->npoints = why ? 0 : 1;
        f->shape = GIS_POINT;
    } else if (strcmp(type->valuestring, "MultiPoint") == 0 && cJSON_GetArraySize(coords) == 1) {
        /* One point is a point. */
        f->x = pool_alloc(pool, sizeof(double));
        f->y = pool_alloc(pool, sizeof(double));
        why = position(coords->child, f->x, f->y);
        f->npoints = why ? 0 : 1;
        f->shape = GIS_POINT;
    } else if (strcmp(type->valuestring, "LineString") == 0) {
        why = take_line(pool, f, coords);
    } else if (strcmp(type->valuestring, "MultiLineString") == 0 && cJSON_IsArray(coords)) {
        int parts = cJSON_GetArraySize(coords);
        if (parts == 1) {
            /* QGIS keeps lines in GeoPackages as MultiLineStrings; one
             * part is one line. */
            why = take_line(pool, f, coords->child);
        } else {
            f->problem_at = "geometry";
            f->problem = pool_printf(
                pool,
                "is a MultiLineString of %d parts, and a segment is one line: split it into "
                "one segment per part, each with its own code (QGIS: Vector > Geometry Tools > "
                "Multipart to Singleparts), or join parts that touch into one line",
                parts);
            return;
        }
    } else {
        f->problem_at = "geometry";
        f->problem = pool_printf(pool,
                                 "is a %.40s: nodes and premises are Points, segments are "
                                 "LineStrings (or MultiLineStrings of one part)",
                                 type->valuestring);
        return;
    }
    if (why) {
        f->shape = GIS_NO_GEOMETRY;
        f->npoints = 0;
        f->problem = why;
    }
}

static int refuse(struct gis_failure *fail, int status, const char *pointer, const char *detail)
{
    fail->status = status;
    snprintf(fail->pointer, sizeof(fail->pointer), "%s", pointer ? pointer : "");
    snprintf(fail->detail, sizeof(fail->detail), "%s", detail);
    return -1;
}

static int read_collection(const cJSON *root, const struct gis_read_options *opt, struct pool *pool,
                           struct gis_input *in, struct gis_failure *fail)
{
    static const char *const members[] = {"type", "features", "name", "crs", "bbox",
                                          /* written by newer GDAL versions */
                                          "xy_coordinate_resolution", "z_coordinate_resolution",
                                          NULL};
    char err[300];
    if (!cJSON_IsObject(root))
        return refuse(fail, 400, NULL, "the body must be a JSON object");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(root, "type");
    const cJSON *features = cJSON_GetObjectItemCaseSensitive(root, "features");
    if (!cJSON_IsString(type) || strcmp(type->valuestring, "FeatureCollection") != 0 ||
        !cJSON_IsArray(features))
        return refuse(fail, 422, "/type", "the body must be a GeoJSON FeatureCollection");
    for (const cJSON *m = root->child; m; m = m->next) {
        int known = 0;
        for (const char *const *k = members; *k && !known; k++)
            known = strcmp(m->string, *k) == 0;
        if (!known) {
            char ptr[96];
            snprintf(ptr, sizeof(ptr), "/%.80s", m->string);
            return refuse(fail, 422, ptr, "is not a member of a FeatureCollection");
        }
    }
    size_t n = (size_t)cJSON_GetArraySize(features);
    if (opt->max_features && n > opt->max_features) {
        snprintf(err, sizeof(err), "the file has %zu features; one import takes at most %zu", n,
                 opt->max_features);
        return refuse(fail, 413, NULL, err);
    }

    struct systems sys = {{0}, {0}, 0};
    const char *why = NULL;
    struct gis_transform *all = NULL;
    const cJSON *crs = cJSON_GetObjectItemCaseSensitive(root, "crs");
    if (crs) {
        all = system_of(&sys, crs, err, sizeof(err), &why);
        if (!all) {
            refuse(fail, 422, "/crs", why);
            systems_free(&sys);
            return -1;
        }
    } else if (opt->crs_epsg && opt->crs_epsg != 4326) {
        char name[32];
        snprintf(name, sizeof(name), "EPSG:%d", opt->crs_epsg);
        cJSON *named = cJSON_CreateObject();
        cJSON_AddStringToObject(named, "type", "name");
        cJSON_AddStringToObject(cJSON_AddObjectToObject(named, "properties"), "name", name);
        all = system_of(&sys, named, err, sizeof(err), &why);
        cJSON_Delete(named);
        if (!all) {
            refuse(fail, 422, "/crs", why);
            systems_free(&sys);
            return -1;
        }
    }
    in->crs = all ? pool_strdup(pool, gis_transform_name(all)) : "EPSG:4326";
    in->exact_names = 1;
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(root, "name");
    const char *layer = cJSON_IsString(name) ? pool_strdup(pool, name->valuestring) : "features";
    in->features = pool_alloc(pool, (n ? n : 1) * sizeof(*in->features));
    int i = 0;
    for (const cJSON *f = features->child; f; f = f->next, i++) {
        struct gis_feature *out = &in->features[in->n++];
        out->layer = layer;
        out->index = i;
        out->pointer = pool_printf(pool, "/features/%d", i);
        const cJSON *ftype = cJSON_GetObjectItemCaseSensitive(f, "type");
        if (!cJSON_IsObject(f) || !cJSON_IsString(ftype) ||
            strcmp(ftype->valuestring, "Feature") != 0) {
            out->problem = "must be a GeoJSON Feature";
            out->problem_at = "";
            continue;
        }
        const cJSON *props = cJSON_GetObjectItemCaseSensitive(f, "properties");
        if (props && !cJSON_IsObject(props) && !cJSON_IsNull(props)) {
            out->problem = "must be an object";
            out->problem_at = "properties";
            continue;
        }
        take_attrs(pool, out, props);
        const cJSON *geom = cJSON_GetObjectItemCaseSensitive(f, "geometry");
        if (!geom || cJSON_IsNull(geom))
            continue; /* a feature without a location */
        take_geometry(pool, out, geom);
        if (out->problem)
            continue;
        /* GeoJSON 2008 lets a feature or its geometry name its own
         * system. */
        struct gis_transform *t = all;
        const cJSON *fcrs = cJSON_GetObjectItemCaseSensitive(f, "crs");
        const cJSON *gcrs = cJSON_GetObjectItemCaseSensitive(geom, "crs");
        if (fcrs || gcrs) {
            t = system_of(&sys, gcrs ? gcrs : fcrs, err, sizeof(err), &why);
            if (!t) {
                out->problem = pool_strdup(pool, why);
                out->problem_at = gcrs ? "geometry/crs" : "crs";
                out->shape = GIS_NO_GEOMETRY;
                continue;
            }
        }
        if (t && gis_transform_apply(t, out->x, out->y, out->npoints) < 0) {
            out->problem = pool_printf(pool, "has positions that %s cannot express in WGS84",
                                       gis_transform_name(t));
            out->problem_at = "geometry/coordinates";
            out->shape = GIS_NO_GEOMETRY;
        }
    }
    systems_free(&sys);
    return 0;
}

int gis_read_geojson(const char *data, size_t len, const struct gis_read_options *opt,
                     struct pool *pool, struct gis_input *in, struct gis_failure *fail)
{
    char err[300];
    cJSON *root = json_parse_strict(data, len, err, sizeof(err));
    if (!root)
        return refuse(fail, 400, NULL, err);
    /* The tree is several times the size of the file: it goes as soon as
     * the features are taken. */
    int rc = read_collection(root, opt, pool, in, fail);
    cJSON_Delete(root);
    return rc;
}
