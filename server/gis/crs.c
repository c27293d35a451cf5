/* crs.c — CRS names and transformations through OGR/PROJ. */
#include "gis/crs.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cpl_conv.h>
#include <ogr_api.h>

struct gis_transform {
    OGRSpatialReferenceH source, target;
    OGRCoordinateTransformationH ct; /* NULL: identity */
    char name[64];
};

/* A decimal EPSG code filling all of s; 0 otherwise. */
static int code_of(const char *s)
{
    if (!*s || strlen(s) > 6)
        return 0;
    int v = 0;
    for (; *s; s++) {
        if (!isdigit((unsigned char)*s))
            return 0;
        v = v * 10 + (*s - '0');
    }
    return v;
}

int gis_crs_epsg(const char *name)
{
    static const char *const crs84[] = {"urn:ogc:def:crs:OGC:1.3:CRS84",
                                        "urn:ogc:def:crs:OGC::CRS84",
                                        "OGC:CRS84",
                                        "CRS84",
                                        "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
                                        NULL};
    if (!name)
        return 0;
    for (const char *const *c = crs84; *c; c++)
        if (strcasecmp(name, *c) == 0)
            return GIS_WGS84;
    if (strncasecmp(name, "EPSG:", 5) == 0)
        return code_of(name + 5);
    if (strncasecmp(name, "urn:ogc:def:crs:EPSG:", 21) == 0) {
        /* urn:ogc:def:crs:EPSG:{version}:{code}, the version may be empty. */
        const char *rest = name + 21;
        const char *colon = strchr(rest, ':');
        if (!colon)
            return 0;
        for (const char *v = rest; v < colon; v++)
            if (!isdigit((unsigned char)*v) && *v != '.')
                return 0;
        return code_of(colon + 1);
    }
    static const char *const http[] = {"http://www.opengis.net/def/crs/EPSG/0/",
                                       "https://www.opengis.net/def/crs/EPSG/0/", NULL};
    for (const char *const *h = http; *h; h++)
        if (strncasecmp(name, *h, strlen(*h)) == 0)
            return code_of(name + strlen(*h));
    return 0;
}

static OGRSpatialReferenceH srs_epsg(int epsg)
{
    OGRSpatialReferenceH s = OSRNewSpatialReference(NULL);
    if (!s)
        return NULL;
    if (epsg <= 0 || OSRImportFromEPSG(s, epsg) != OGRERR_NONE) {
        OSRDestroySpatialReference(s);
        return NULL;
    }
    OSRSetAxisMappingStrategy(s, OAMS_TRADITIONAL_GIS_ORDER);
    return s;
}

static void describe(OGRSpatialReferenceH s, char *out, size_t size)
{
    const char *auth = OSRGetAuthorityName(s, NULL);
    const char *code = OSRGetAuthorityCode(s, NULL);
    const char *name = OSRGetName(s);
    if (auth && code)
        snprintf(out, size, "%s:%s", auth, code);
    else
        snprintf(out, size, "%s", name ? name : "the file's coordinate system");
}

/* Completes t from its two systems. Returns t, or NULL (t freed). */
static struct gis_transform *finish(struct gis_transform *t, char *err, size_t errlen)
{
    describe(t->source, t->name, sizeof(t->name));
    const char *auth = OSRGetAuthorityName(t->source, NULL);
    const char *code = OSRGetAuthorityCode(t->source, NULL);
    const char *tauth = OSRGetAuthorityName(t->target, NULL);
    const char *tcode = OSRGetAuthorityCode(t->target, NULL);
    int same =
        auth && code && tauth && tcode && strcasecmp(auth, tauth) == 0 && strcmp(code, tcode) == 0;
    if (!same)
        same = OSRIsSame(t->source, t->target);
    if (!same) {
        t->ct = OCTNewCoordinateTransformation(t->source, t->target);
        if (!t->ct) {
            snprintf(err, errlen, "positions in %s cannot be transformed", t->name);
            gis_transform_free(t);
            return NULL;
        }
    }
    return t;
}

static struct gis_transform *make(OGRSpatialReferenceH source, OGRSpatialReferenceH target,
                                  char *err, size_t errlen)
{
    struct gis_transform *t = calloc(1, sizeof(*t));
    if (!t || !source || !target) {
        if (source)
            OSRDestroySpatialReference(source);
        if (target)
            OSRDestroySpatialReference(target);
        free(t);
        snprintf(err, errlen, "the coordinate system is not one GDAL knows");
        return NULL;
    }
    t->source = source;
    t->target = target;
    return finish(t, err, errlen);
}

struct gis_transform *gis_transform_from_epsg(int epsg, char *err, size_t errlen)
{
    OGRSpatialReferenceH s = srs_epsg(epsg);
    if (!s) {
        snprintf(err, errlen, "EPSG:%d is not a coordinate system GDAL knows", epsg);
        return NULL;
    }
    return make(s, srs_epsg(GIS_WGS84), err, errlen);
}

struct gis_transform *gis_transform_from_srs(OGRSpatialReferenceH srs, char *err, size_t errlen)
{
    OGRSpatialReferenceH s = srs ? OSRClone(srs) : NULL;
    if (s)
        OSRSetAxisMappingStrategy(s, OAMS_TRADITIONAL_GIS_ORDER);
    return make(s, srs_epsg(GIS_WGS84), err, errlen);
}

struct gis_transform *gis_transform_to_epsg(int epsg, char *err, size_t errlen)
{
    OGRSpatialReferenceH target = srs_epsg(epsg);
    if (!target) {
        snprintf(err, errlen, "EPSG:%d is not a coordinate system GDAL knows", epsg);
        return NULL;
    }
    return make(srs_epsg(GIS_WGS84), target, err, errlen);
}

int gis_transform_identity(const struct gis_transform *t) { return !t->ct; }

const char *gis_transform_name(const struct gis_transform *t) { return t->name; }

OGRSpatialReferenceH gis_transform_target(const struct gis_transform *t) { return t->target; }

int gis_transform_apply(const struct gis_transform *t, double *x, double *y, size_t n)
{
    if (!t->ct || n == 0)
        return 0;
    if (n > 0x7fffffff)
        return -1;
    int *ok = malloc(n * sizeof(*ok));
    if (!ok)
        return -1;
    int rc = OCTTransformEx(t->ct, (int)n, x, y, NULL, ok) ? 0 : -1;
    for (size_t i = 0; i < n && rc == 0; i++)
        if (!ok[i] || !isfinite(x[i]) || !isfinite(y[i]))
            rc = -1;
    free(ok);
    return rc;
}

void gis_transform_free(struct gis_transform *t)
{
    if (!t)
        return;
    if (t->ct)
        OCTDestroyCoordinateTransformation(t->ct);
    if (t->source)
        OSRDestroySpatialReference(t->source);
    if (t->target)
        OSRDestroySpatialReference(t->target);
    free(t);
}
