/* read_geojson.c — a GeoJSON FeatureCollection, parsed strictly with
 * cJSON (duplicate keys, control characters and bad UTF-8 are refused as
 * in every other body), with positions in another system than WGS84 (a
 * "crs" member, as ogr2ogr writes it) transformed by GDAL. */
#include "gis/read.h"

#include <cJSON.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Attribute names, each kept once: a file repeats the same few names on
 * every feature. */
#define INTERNED 1024
struct names {
    const char *slot[INTERNED];
    int used;
};

static const char *intern(struct pool *pool, struct names *names, const char *name)
{
    unsigned long h = 5381;
    for (const char *c = name; *c; c++)
        h = h * 33 + (unsigned char)*c;
    for (int probe = 0; probe < INTERNED; probe++) {
        const char **s = &names->slot[(h + (unsigned long)probe) % INTERNED];
        if (!*s && names->used < INTERNED / 2) {
            names->used++;
            *s = pool_strdup(pool, name);
            return *s;
        }
        if (!*s)
            break;
        if (strcmp(*s, name) == 0)
            return *s;
    }
    /* A file with a thousand different names gets copies. */
    return pool_strdup(pool, name);
}

static void take_attrs(struct pool *pool, struct names *names, struct gis_feature *f,
                       const cJSON *props)
{
    size_t n = 0;
    for (const cJSON *p = props ? props->child : NULL; p; p = p->next)
        n++;
    f->attrs = pool_alloc(pool, (n ? n : 1) * sizeof(*f->attrs));
    for (const cJSON *p = props ? props->child : NULL; p; p = p->next) {
        struct gis_attr *a = &f->attrs[f->nattrs];
        if (cJSON_IsNull(p) || (cJSON_IsString(p) && !*p->valuestring))
            continue; /* not given */
        a->name = intern(pool, names, p->string);
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

/* ---- the collection, one feature at a time ----
 *
 * A large import is one FeatureCollection of many small features. Parsing
 * it as one tree would hold several times the file in memory and parse on
 * one thread; instead the collection's structure is scanned (only white
 * space, brackets, commas and colons lie between its values), and every
 * member and every feature is parsed on its own by the same strict parser
 * as any other body. A file whose structure the scan does not follow is
 * parsed whole, so that its error message is the parser's. */

struct span {
    const char *p;
    size_t n;
};

static int space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static size_t skip_space(const char *s, size_t len, size_t i)
{
    while (i < len && space(s[i]))
        i++;
    return i;
}

/* The index after the string that begins at s[i] ('"'), or 0. */
static size_t string_end(const char *s, size_t len, size_t i)
{
    for (i++; i < len; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '"')
            return i + 1;
    }
    return 0;
}

/* The index after the value that begins at s[i], or 0. Brackets are only
 * counted: the value's own parse checks everything else. */
static size_t value_end(const char *s, size_t len, size_t i)
{
    if (i >= len)
        return 0;
    if (s[i] == '"')
        return string_end(s, len, i);
    if (s[i] == '{' || s[i] == '[') {
        size_t depth = 0;
        for (; i < len; i++) {
            char c = s[i];
            if (c == '"') {
                size_t e = string_end(s, len, i);
                if (!e)
                    return 0;
                i = e - 1;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (--depth == 0)
                    return i + 1;
            }
        }
        return 0;
    }
    size_t start = i;
    while (i < len && !space(s[i]) && s[i] != ',' && s[i] != '}' && s[i] != ']')
        i++;
    return i > start ? i : 0;
}

#define MAX_MEMBERS 16

struct collection {
    const char *names[MAX_MEMBERS];
    struct span values[MAX_MEMBERS];
    int n;
    struct span *features;
    size_t nfeatures, cap;
};

/* Scans the members of the top-level object. Returns 0, or -1 when the
 * body is not an object this scan follows. Member names are parsed (and
 * so checked) strictly; they live in pool. */
static int scan_members(const char *s, size_t len, struct pool *pool, struct collection *c)
{
    size_t i = skip_space(s, len, 0);
    if (i >= len || s[i] != '{')
        return -1;
    i = skip_space(s, len, i + 1);
    if (i < len && s[i] == '}')
        return skip_space(s, len, i + 1) == len ? 0 : -1;
    for (;;) {
        if (i >= len || s[i] != '"' || c->n == MAX_MEMBERS)
            return -1;
        size_t ke = string_end(s, len, i);
        char err[160];
        cJSON *key = ke ? json_parse_strict(s + i, ke - i, err, sizeof(err)) : NULL;
        if (!key)
            return -1;
        c->names[c->n] = pool_strdup(pool, key->valuestring);
        cJSON_Delete(key);
        for (int k = 0; k < c->n; k++)
            if (strcmp(c->names[k], c->names[c->n]) == 0)
                return -1; /* a duplicate: the parser names it */
        i = skip_space(s, len, ke);
        if (i >= len || s[i] != ':')
            return -1;
        i = skip_space(s, len, i + 1);
        size_t ve = value_end(s, len, i);
        if (!ve)
            return -1;
        c->values[c->n].p = s + i;
        c->values[c->n].n = ve - i;
        c->n++;
        i = skip_space(s, len, ve);
        if (i < len && s[i] == ',') {
            i = skip_space(s, len, i + 1);
            continue;
        }
        if (i < len && s[i] == '}')
            return skip_space(s, len, i + 1) == len ? 0 : -1;
        return -1;
    }
}

/* Scans the elements of the features array. Returns 0, or -1. */
static int scan_features(struct span arr, struct collection *c)
{
    const char *s = arr.p;
    size_t len = arr.n;
    size_t i = skip_space(s, len, 0);
    if (i >= len || s[i] != '[')
        return -1;
    i = skip_space(s, len, i + 1);
    if (i < len && s[i] == ']')
        return skip_space(s, len, i + 1) == len ? 0 : -1;
    for (;;) {
        size_t ve = value_end(s, len, i);
        if (!ve)
            return -1;
        if (c->nfeatures == c->cap) {
            size_t cap = c->cap ? 2 * c->cap : 1024;
            struct span *f = realloc(c->features, cap * sizeof(*f));
            if (!f)
                return -1;
            c->features = f;
            c->cap = cap;
        }
        c->features[c->nfeatures].p = s + i;
        c->features[c->nfeatures].n = ve - i;
        c->nfeatures++;
        i = skip_space(s, len, ve);
        if (i < len && s[i] == ',') {
            i = skip_space(s, len, i + 1);
            continue;
        }
        if (i < len && s[i] == ']')
            return skip_space(s, len, i + 1) == len ? 0 : -1;
        return -1;
    }
}

static const struct span *member(const struct collection *c, const char *name)
{
    for (int k = 0; k < c->n; k++)
        if (strcmp(c->names[k], name) == 0)
            return &c->values[k];
    return NULL;
}

/* Takes one parsed feature into out (its problems stay on it). */
static void take_feature(struct pool *pool, struct names *names, struct systems *sys,
                         struct gis_transform *all, const cJSON *f, struct gis_feature *out)
{
    char err[300];
    const char *why = NULL;
    const cJSON *ftype = cJSON_GetObjectItemCaseSensitive(f, "type");
    if (!cJSON_IsObject(f) || !cJSON_IsString(ftype) ||
        strcmp(ftype->valuestring, "Feature") != 0) {
        out->problem = "must be a GeoJSON Feature";
        out->problem_at = "";
        return;
    }
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(f, "properties");
    if (props && !cJSON_IsObject(props) && !cJSON_IsNull(props)) {
        out->problem = "must be an object";
        out->problem_at = "properties";
        return;
    }
    take_attrs(pool, names, out, props);
    const cJSON *geom = cJSON_GetObjectItemCaseSensitive(f, "geometry");
    if (!geom || cJSON_IsNull(geom))
        return; /* a feature without a location */
    take_geometry(pool, out, geom);
    if (out->problem)
        return;
    /* GeoJSON 2008 lets a feature or its geometry name its own system. */
    struct gis_transform *t = all;
    const cJSON *fcrs = cJSON_GetObjectItemCaseSensitive(f, "crs");
    const cJSON *gcrs = cJSON_GetObjectItemCaseSensitive(geom, "crs");
    if (fcrs || gcrs) {
        t = system_of(sys, gcrs ? gcrs : fcrs, err, sizeof(err), &why);
        if (!t) {
            out->problem = pool_strdup(pool, why);
            out->problem_at = gcrs ? "geometry/crs" : "crs";
            out->shape = GIS_NO_GEOMETRY;
            return;
        }
    }
    if (t && gis_transform_apply(t, out->x, out->y, out->npoints) < 0) {
        out->problem = pool_printf(pool, "has positions that %s cannot express in WGS84",
                                   gis_transform_name(t));
        out->problem_at = "geometry/coordinates";
        out->shape = GIS_NO_GEOMETRY;
    }
}

/* One share of the features, read on a thread with its own pool and
 * transformations. */
struct share {
    const struct span *spans;
    struct gis_feature *out;
    size_t from, to;
    const char *layer;
    int epsg; /* the collection's system, 0 for WGS84 */
    struct pool *pool;
    int failed;
    char err[300];
};

static void *read_share(void *arg)
{
    struct share *sh = arg;
    struct systems sys = {{0}, {0}, 0};
    struct names *names = pool_alloc(sh->pool, sizeof(*names));
    struct gis_transform *all = NULL;
    if (sh->epsg && sh->epsg != 4326) {
        all = gis_transform_from_epsg(sh->epsg, sh->err, sizeof(sh->err));
        if (!all) {
            sh->failed = 422;
            return NULL;
        }
        sys.epsg[0] = sh->epsg;
        sys.t[0] = all;
        sys.n = 1;
    }
    for (size_t i = sh->from; i < sh->to; i++) {
        struct gis_feature *out = &sh->out[i];
        out->layer = sh->layer;
        out->index = (int)i;
        out->pointer = "/features";
        char err[200];
        cJSON *f = json_parse_strict(sh->spans[i].p, sh->spans[i].n, err, sizeof(err));
        if (!f) {
            snprintf(sh->err, sizeof(sh->err), "feature %zu: %s", i, err);
            sh->failed = 400;
            break;
        }
        take_feature(sh->pool, names, &sys, all, f, out);
        cJSON_Delete(f);
    }
    systems_free(&sys);
    return NULL;
}

/* Refuses a member of the collection, named by a JSON Pointer (RFC 6901:
 * "~" as "~0", "/" as "~1"). */
static int refuse_member(struct gis_failure *fail, const char *name, const char *detail)
{
    char ptr[96];
    size_t o = 0;
    ptr[o++] = '/';
    for (const char *c = name; *c && o + 3 < sizeof(ptr); c++) {
        if (*c == '~' || *c == '/') {
            ptr[o++] = '~';
            ptr[o++] = *c == '~' ? '0' : '1';
        } else {
            ptr[o++] = *c;
        }
    }
    ptr[o] = '\0';
    return refuse(fail, 422, ptr, detail);
}

static void free_pool(void *p) { pool_free(p); }

/* Reads a collection the scan followed. Returns 0 or -1 (fail filled). */
static int read_scanned(const struct collection *c, const struct gis_read_options *opt,
                        struct pool *pool, struct gis_input *in, struct gis_failure *fail)
{
    static const char *const members[] = {"type", "features", "name", "crs", "bbox",
                                          /* written by newer GDAL versions */
                                          "xy_coordinate_resolution", "z_coordinate_resolution",
                                          NULL};
    char err[300];
    const struct span *type = member(c, "type");
    cJSON *tj = type ? json_parse_strict(type->p, type->n, err, sizeof(err)) : NULL;
    int is_fc = cJSON_IsString(tj) && strcmp(tj->valuestring, "FeatureCollection") == 0;
    cJSON_Delete(tj);
    const struct span *features = member(c, "features");
    if (!is_fc || !features || features->p[0] != '[')
        return refuse(fail, 422, "/type", "the body must be a GeoJSON FeatureCollection");
    for (int k = 0; k < c->n; k++) {
        int known = 0;
        for (const char *const *m = members; *m && !known; m++)
            known = strcmp(c->names[k], *m) == 0;
        if (!known)
            return refuse_member(fail, c->names[k], "is not a member of a FeatureCollection");
    }
    size_t n = c->nfeatures;
    if (opt->max_features && n > opt->max_features) {
        snprintf(err, sizeof(err), "the file has %zu features; one import takes at most %zu", n,
                 opt->max_features);
        return refuse(fail, 413, NULL, err);
    }
    /* The collection's system: named in the file, or by the caller. */
    int epsg = opt->crs_epsg;
    const struct span *crs = member(c, "crs");
    if (crs) {
        cJSON *cj = json_parse_strict(crs->p, crs->n, err, sizeof(err));
        if (!cj)
            return refuse(fail, 400, NULL, err);
        struct systems sys = {{0}, {0}, 0};
        const char *why = NULL;
        struct gis_transform *t = system_of(&sys, cj, err, sizeof(err), &why);
        epsg = t ? sys.epsg[0] : 0;
        if (!t)
            refuse(fail, 422, "/crs", why);
        cJSON_Delete(cj);
        systems_free(&sys);
        if (!t)
            return -1;
    } else if (epsg && epsg != 4326) {
        struct gis_transform *t = gis_transform_from_epsg(epsg, err, sizeof(err));
        if (!t)
            return refuse(fail, 422, "/crs", err);
        gis_transform_free(t);
    }
    in->crs = epsg && epsg != 4326 ? pool_printf(pool, "EPSG:%d", epsg) : "EPSG:4326";
    in->exact_names = 1;
    const char *layer = "features";
    const struct span *name = member(c, "name");
    if (name) {
        cJSON *nj = json_parse_strict(name->p, name->n, err, sizeof(err));
        if (!nj)
            return refuse(fail, 400, NULL, err);
        if (cJSON_IsString(nj))
            layer = pool_strdup(pool, nj->valuestring);
        cJSON_Delete(nj);
    }
    const struct span *bbox = member(c, "bbox");
    if (bbox) {
        cJSON *bj = json_parse_strict(bbox->p, bbox->n, err, sizeof(err));
        if (!bj)
            return refuse(fail, 400, NULL, err);
        cJSON_Delete(bj);
    }

    in->features = pool_alloc(pool, (n ? n : 1) * sizeof(*in->features));
    in->n = n;
    /* Two shares on two threads for a large file (the machine's other
     * core, when it has one); each share keeps its own pool. */
    struct share sh[2];
    memset(sh, 0, sizeof(sh));
    int shares = n > 4000 ? 2 : 1;
    for (int k = 0; k < shares; k++) {
        sh[k].spans = c->features;
        sh[k].out = in->features;
        sh[k].from = n * (size_t)k / (size_t)shares;
        sh[k].to = n * (size_t)(k + 1) / (size_t)shares;
        sh[k].layer = layer;
        sh[k].epsg = epsg;
        sh[k].pool = k == 0 ? pool : pool_new();
        if (!sh[k].pool)
            return refuse(fail, 503, NULL, "out of memory; retry shortly");
        if (k > 0)
            pool_on_free(pool, free_pool, sh[k].pool);
    }
    pthread_t thread;
    int threaded = shares == 2 && pthread_create(&thread, NULL, read_share, &sh[1]) == 0;
    read_share(&sh[0]);
    if (threaded)
        pthread_join(thread, NULL);
    else if (shares == 2)
        read_share(&sh[1]);
    for (int k = 0; k < shares; k++)
        if (sh[k].failed == 422)
            return refuse(fail, 422, "/crs", sh[k].err);
        else if (sh[k].failed)
            return refuse(fail, 400, NULL, sh[k].err);
    return 0;
}

/* ---- a body the scan does not follow: parsed whole ---- */

static int read_tree(const cJSON *root, const struct gis_read_options *opt, struct pool *pool,
                     struct gis_input *in, struct gis_failure *fail)
{
    if (!cJSON_IsObject(root))
        return refuse(fail, 400, NULL, "the body must be a JSON object");
    /* The scan follows every object of JSON; what it refused and the
     * parser took is a collection of another shape: its members are
     * printed back and read as scanned. */
    struct collection c = {{0}, {{0}}, 0, NULL, 0, 0};
    int rc = 0;
    char **texts = calloc(MAX_MEMBERS, sizeof(char *));
    if (!texts)
        return refuse(fail, 503, NULL, "out of memory; retry shortly");
    for (const cJSON *m = root->child; m && rc == 0; m = m->next) {
        if (c.n == MAX_MEMBERS) {
            rc = refuse_member(fail, m->string, "is not a member of a FeatureCollection");
            break;
        }
        texts[c.n] = cJSON_PrintUnformatted(m);
        if (!texts[c.n]) {
            rc = refuse(fail, 503, NULL, "out of memory; retry shortly");
            break;
        }
        c.names[c.n] = m->string;
        c.values[c.n].p = texts[c.n];
        c.values[c.n].n = strlen(texts[c.n]);
        c.n++;
    }
    const struct span *features = rc == 0 ? member(&c, "features") : NULL;
    if (features && features->p[0] == '[' && scan_features(*features, &c) < 0)
        rc = refuse(fail, 400, NULL, "the features could not be read");
    if (rc == 0)
        rc = read_scanned(&c, opt, pool, in, fail);
    /* The names came from root: keep what points into the texts out. */
    for (int k = 0; k < MAX_MEMBERS; k++)
        free(texts[k]);
    free(texts);
    free(c.features);
    return rc;
}

int gis_read_geojson(const char *data, size_t len, const struct gis_read_options *opt,
                     struct pool *pool, struct gis_input *in, struct gis_failure *fail)
{
    struct collection c = {{0}, {{0}}, 0, NULL, 0, 0};
    int rc;
    const struct span *features;
    if (scan_members(data, len, pool, &c) == 0 && (features = member(&c, "features")) != NULL &&
        (features->p[0] != '[' || scan_features(*features, &c) == 0)) {
        rc = read_scanned(&c, opt, pool, in, fail);
    } else {
        char err[300];
        cJSON *root = json_parse_strict(data, len, err, sizeof(err));
        if (!root) {
            free(c.features);
            return refuse(fail, 400, NULL, err);
        }
        free(c.features);
        c.features = NULL;
        rc = read_tree(root, opt, pool, in, fail);
        cJSON_Delete(root);
    }
    free(c.features);
    return rc;
}
