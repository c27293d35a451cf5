/* gis.c — GeoJSON import (validate everything, then upsert by code in
 * batches, all or nothing) and export (streamed to a file in chunks). */
#include "api/gis.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/audit.h"
#include "api/inventory.h"
#include "api/pipeline.h"
#include "api/resource.h"
#include "db/db.h"
#include "domain/validate.h"
#include "http/reply.h"
#include "util/idmap.h"
#include "util/pool.h"
#include "util/sbuf.h"

#define MAX_ERRORS 500

enum layer_id { L_NODE, L_SEGMENT, L_PREMISE, L_COUNT };

/* A reference written as a code in the file and stored as an id. */
struct layer_ref {
    const char *prop;   /* "lot" */
    const char *column; /* "lot_id" */
    int target;         /* -1: lots, else a layer */
};

struct layer {
    const char *name;
    const char *geometry; /* GeoJSON geometry type */
    const char *table;
    const struct resource *res;
    const char *const *props; /* properties taken from the file, by field name */
    const struct layer_ref *refs;
    const char *const *ignored; /* written by our export, not imported */
    /* Stored columns that the resource's cross-field rules read (JSON
     * names equal column names), so that an update in the file is checked
     * against the row as it would be after the change, as a PATCH is. */
    const char *const *rule_cols;
};

static const char *const node_props[] = {"code", "kind", "name", NULL};
static const char *const segment_props[] = {
    "code",        "street",    "kind",          "method",      "surface", "planned_length_m",
    "fiber_count", "duct_type", "planned_start", "planned_end", NULL};
/* Status and exclusion are the server's and the managers' business, not
 * planning data: an old export imported again must not undo progress. */
static const char *const premise_props[] = {"code",
                                            "street",
                                            "house_number",
                                            "postcode",
                                            "city",
                                            "kind",
                                            "units_residential",
                                            "units_business",
                                            "white_spot",
                                            "bandwidth_before_mbps",
                                            NULL};
static const struct layer_ref no_refs[] = {{NULL, NULL, 0}};
static const struct layer_ref segment_refs[] = {{"lot", "lot_id", -1},
                                                {"from_node", "from_node_id", L_NODE},
                                                {"to_node", "to_node_id", L_NODE},
                                                {NULL, NULL, 0}};
static const struct layer_ref premise_refs[] = {
    {"serving_segment", "serving_segment_id", L_SEGMENT}, {NULL, NULL, 0}};
static const char *const common_ignored[] = {"layer",
                                             "id",
                                             "fid",
                                             "object_id",
                                             "status",
                                             "exclusion_reason",
                                             "project_id",
                                             "version",
                                             "created_at",
                                             "updated_at",
                                             "status_reason",
                                             "built_length_m",
                                             "progress",
                                             "actual_start",
                                             "actual_end",
                                             "lot_id",
                                             "from_node_id",
                                             "to_node_id",
                                             "serving_segment_id",
                                             "passed_date",
                                             "connected_date",
                                             "activated_date",
                                             "excluded_date",
                                             "accepted_on",
                                             "accepted_by",
                                             "acceptance_note",
                                             NULL};
static const char *const segment_ignored_status[] = {"status", NULL};
static const char *const node_rule_cols[] = {"lat", "lon", NULL};
static const char *const segment_rule_cols[] = {"status",       "planned_start", "planned_end",
                                                "actual_start", "actual_end",    NULL};
static const char *const premise_rule_cols[] = {"lat", "lon", "status", "exclusion_reason", NULL};

static const struct layer layers[L_COUNT] = {
    {"node", "Point", "nodes", &nodes_resource, node_props, no_refs, NULL, node_rule_cols},
    {"segment", "LineString", "segments", &segments_resource, segment_props, segment_refs,
     segment_ignored_status, segment_rule_cols},
    {"premise", "Point", "premises", &premises_resource, premise_props, premise_refs, NULL,
     premise_rule_cols},
};

static int in_list(const char *const *list, const char *s)
{
    for (; list && *list; list++)
        if (strcmp(*list, s) == 0)
            return 1;
    return 0;
}

/* One feature, checked, waiting to be written. */
struct item {
    int index;
    int layer;
    const char *code;
    long long id; /* existing row, 0 for a new one */
    struct value *vals;
    size_t nvals;
    const char *ref_codes[3];
    double lat, lon;
    int has_point;
};

struct import {
    struct req *r;
    long long project_id;
    cJSON *errors;
    int nerrors;
    struct idmap *existing[L_COUNT]; /* code → id before the import */
    struct idmap *lots;
    struct idmap *seen[L_COUNT]; /* codes in this file */
    int updates[L_COUNT];        /* features in the file that change a stored row */
    struct pool *stored_pool;    /* stored rows' rule columns, for updates */
    struct db_rows *stored[L_COUNT];
    struct idmap *stored_row[L_COUNT]; /* code → row in stored + 1 */
    struct item *items;
    int nitems;
    long long created[L_COUNT], updated[L_COUNT], unchanged[L_COUNT];
};

static void add_error(struct import *im, int index, const char *where, const char *field,
                      const char *detail)
{
    im->nerrors++;
    if (im->nerrors > MAX_ERRORS)
        return;
    cJSON *e = cJSON_CreateObject();
    char ptr[200];
    if (field && *field)
        snprintf(ptr, sizeof(ptr), "/features/%d/%s/%s", index, where, field);
    else if (where)
        snprintf(ptr, sizeof(ptr), "/features/%d/%s", index, where);
    else
        snprintf(ptr, sizeof(ptr), "/features/%d", index);
    cJSON_AddStringToObject(e, "pointer", ptr);
    cJSON_AddStringToObject(e, "detail", detail);
    cJSON_AddNumberToObject(e, "index", index);
    cJSON_AddStringToObject(e, "field", field && *field ? field : (where ? where : ""));
    cJSON_AddItemToArray(im->errors, e);
}

/* Loads code → id of one table of the project. */
static int load_codes(struct import *im, const char *table, struct idmap **out)
{
    struct pool *pool = pool_new();
    struct sbuf sql;
    sbuf_init(&sql, pool);
    sbuf_add(&sql, "SELECT code, id FROM ");
    sbuf_add(&sql, table);
    sbuf_add(&sql, " WHERE project_id = ?");
    struct db_param p[] = {DB_INTP(im->project_id)};
    struct db_rows *rows;
    enum db_rc rc = db_exec(im->r->db, pool, sql.s, p, 1, &rows);
    if (rc == DB_OK) {
        idmap_free(*out);
        *out = idmap_new(rows->nrows);
        for (size_t i = 0; i < rows->nrows && *out; i++)
            if (idmap_put(*out, db_cell(rows, i, 0), atoll(db_cell(rows, i, 1))) < 0)
                rc = DB_ERROR;
        if (!*out)
            rc = DB_ERROR;
    }
    pool_free(pool);
    return rc;
}

/* Great-circle length of a LineString in metres. */
static double line_length(const cJSON *coords)
{
    double total = 0;
    const cJSON *prev = NULL;
    for (const cJSON *pt = coords->child; pt; pt = pt->next) {
        if (prev) {
            double lo1 = cJSON_GetArrayItem(prev, 0)->valuedouble * M_PI / 180;
            double la1 = cJSON_GetArrayItem(prev, 1)->valuedouble * M_PI / 180;
            double lo2 = cJSON_GetArrayItem(pt, 0)->valuedouble * M_PI / 180;
            double la2 = cJSON_GetArrayItem(pt, 1)->valuedouble * M_PI / 180;
            double a = sin((la2 - la1) / 2) * sin((la2 - la1) / 2) +
                       cos(la1) * cos(la2) * sin((lo2 - lo1) / 2) * sin((lo2 - lo1) / 2);
            total += 2 * 6371008.8 * asin(sqrt(a));
        }
        prev = pt;
    }
    return round(total * 100) / 100;
}

/* First pass: the layer and code of every feature, so that references to
 * objects created by the same file resolve. */
static void collect_codes(struct import *im, const cJSON *features)
{
    int i = 0;
    for (const cJSON *f = features->child; f; f = f->next, i++) {
        const cJSON *props = cJSON_GetObjectItemCaseSensitive(f, "properties");
        const cJSON *layer = cJSON_GetObjectItemCaseSensitive(props, "layer");
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(props, "code");
        if (!cJSON_IsString(layer) || !cJSON_IsString(code))
            continue;
        for (int l = 0; l < L_COUNT; l++) {
            if (strcmp(layer->valuestring, layers[l].name) != 0)
                continue;
            if (idmap_get(im->seen[l], code->valuestring)) {
                add_error(im, i, "properties", "code", "this code appears twice in the file");
            } else {
                idmap_put(im->seen[l], code->valuestring, i + 1);
                if (idmap_get(im->existing[l], code->valuestring))
                    im->updates[l]++;
            }
        }
    }
}

/* Loads the rule columns of a layer's stored rows, for the updates. */
static int load_stored(struct import *im, int l)
{
    const struct layer *ly = &layers[l];
    if (!im->stored_pool)
        im->stored_pool = pool_new();
    struct sbuf sql;
    sbuf_init(&sql, im->stored_pool);
    sbuf_add(&sql, "SELECT code");
    for (const char *const *c = ly->rule_cols; *c; c++) {
        sbuf_add(&sql, ", ");
        sbuf_add(&sql, *c);
    }
    sbuf_add(&sql, " FROM ");
    sbuf_add(&sql, ly->table);
    sbuf_add(&sql, " WHERE project_id = ?");
    struct db_param p[] = {DB_INTP(im->project_id)};
    enum db_rc rc = db_exec(im->r->db, im->stored_pool, sql.s, p, 1, &im->stored[l]);
    if (rc != DB_OK)
        return rc;
    im->stored_row[l] = idmap_new(im->stored[l]->nrows);
    if (!im->stored_row[l])
        return DB_ERROR;
    for (size_t i = 0; i < im->stored[l]->nrows; i++)
        if (idmap_put(im->stored_row[l], db_cell(im->stored[l], i, 0), (long long)i + 1) < 0)
            return DB_ERROR;
    return DB_OK;
}

/* The stored row of an existing feature as JSON with its rule columns, or
 * NULL when it is not loaded. The caller frees. */
static cJSON *stored_json(const struct import *im, int l, const char *code)
{
    long long row = im->stored_row[l] ? idmap_get(im->stored_row[l], code) : 0;
    if (!row)
        return NULL;
    const struct layer *ly = &layers[l];
    cJSON *o = cJSON_CreateObject();
    size_t col = 1;
    for (const char *const *c = ly->rule_cols; *c; c++, col++) {
        const char *cell = db_cell(im->stored[l], (size_t)row - 1, col);
        const struct field *f = field_find(ly->res->fields, ly->res->nfields, *c);
        if (!cell)
            cJSON_AddNullToObject(o, *c);
        else if (f && (f->type == FT_LAT || f->type == FT_LON || f->type == FT_DECIMAL))
            cJSON_AddNumberToObject(o, *c, strtod(cell, NULL));
        else
            cJSON_AddStringToObject(o, *c, cell);
    }
    return o;
}

static int ref_known(const struct import *im, const struct layer_ref *ref, const char *code)
{
    if (ref->target < 0)
        return idmap_get(im->lots, code) != 0;
    return idmap_get(im->existing[ref->target], code) || idmap_get(im->seen[ref->target], code);
}

static void check_feature(struct import *im, const cJSON *f, int index)
{
    struct req *r = im->r;
    if (!cJSON_IsObject(f) || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(f, "type")) ||
        strcmp(cJSON_GetObjectItemCaseSensitive(f, "type")->valuestring, "Feature") != 0) {
        add_error(im, index, NULL, NULL, "must be a GeoJSON Feature");
        return;
    }
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(f, "properties");
    const cJSON *geom = cJSON_GetObjectItemCaseSensitive(f, "geometry");
    if (!cJSON_IsObject(props)) {
        add_error(im, index, "properties", NULL, "must be an object");
        return;
    }
    const cJSON *lname = cJSON_GetObjectItemCaseSensitive(props, "layer");
    int l = -1;
    for (int k = 0; k < L_COUNT && cJSON_IsString(lname); k++)
        if (strcmp(lname->valuestring, layers[k].name) == 0)
            l = k;
    if (l < 0) {
        add_error(im, index, "properties", "layer", "must be node, segment or premise");
        return;
    }
    const struct layer *ly = &layers[l];
    const cJSON *gtype = cJSON_GetObjectItemCaseSensitive(geom, "type");
    /* A feature without a location is valid GeoJSON (geometry null). */
    int located = !cJSON_IsNull(geom);
    if (located && (!cJSON_IsObject(geom) || !cJSON_IsString(gtype) ||
                    strcmp(gtype->valuestring, ly->geometry) != 0)) {
        char msg[80];
        snprintf(msg, sizeof(msg), "a %s needs a %s geometry", ly->name, ly->geometry);
        add_error(im, index, "geometry", NULL, msg);
        return;
    }
    /* GeoJSON 2008 lets a crs member sit on a feature or a geometry too;
     * the segment below keeps only the coordinates, so it is checked
     * here. */
    const cJSON *crs = cJSON_GetObjectItemCaseSensitive(f, "crs");
    const char *why = crs ? geojson_crs_problem(crs) : NULL;
    if (why) {
        add_error(im, index, "crs", NULL, why);
        return;
    }
    crs = located ? cJSON_GetObjectItemCaseSensitive(geom, "crs") : NULL;
    why = crs ? geojson_crs_problem(crs) : NULL;
    if (why) {
        add_error(im, index, "geometry", "crs", why);
        return;
    }
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(props, "code");
    if (!cJSON_IsString(code) || !*code->valuestring) {
        add_error(im, index, "properties", "code", "is required: objects are matched by code");
        return;
    }
    struct item *it = &im->items[im->nitems];
    memset(it, 0, sizeof(*it));
    it->index = index;
    it->layer = l;
    it->code = code->valuestring;
    it->id = idmap_get(im->existing[l], code->valuestring);

    /* The properties as a body for the resource's own validation. This
     * feature's scratch JSON lives in its own pool, freed before the next
     * feature, so that memory does not grow with the size of the file. */
    struct pool *scratch = pool_new();
    cJSON *body = pool_json(scratch, cJSON_CreateObject());
    for (const cJSON *p = props->child; p; p = p->next) {
        int ref = -1;
        for (int k = 0; ly->refs[k].prop; k++)
            if (strcmp(ly->refs[k].prop, p->string) == 0)
                ref = k;
        if (ref >= 0) {
            if (cJSON_IsNull(p))
                continue;
            if (!cJSON_IsString(p))
                add_error(im, index, "properties", p->string, "must be the code of an object");
            else if (!ref_known(im, &ly->refs[ref], p->valuestring))
                add_error(im, index, "properties", p->string,
                          "names no object of this project or of this file");
            else
                it->ref_codes[ref] = p->valuestring;
            continue;
        }
        if (in_list(common_ignored, p->string) || in_list(ly->ignored, p->string) ||
            cJSON_IsNull(p))
            continue;
        if (!in_list(ly->props, p->string)) {
            add_error(im, index, "properties", p->string, "is not a property of this layer");
            continue;
        }
        const struct field *fd = field_find(ly->res->fields, ly->res->nfields, p->string);
        /* Shapefiles and some GIS tools write booleans as 0 and 1. */
        int bool01 = fd && fd->type == FT_BOOL && cJSON_IsNumber(p) &&
                     (p->valuedouble == 0 || p->valuedouble == 1);
        cJSON_AddItemToObject(body, p->string,
                              bool01 ? cJSON_CreateBool(p->valuedouble == 1)
                                     : cJSON_Duplicate(p, 1));
    }
    const cJSON *coords = cJSON_GetObjectItemCaseSensitive(geom, "coordinates");
    if (!located) {
        /* Nothing to take from the geometry. */
    } else if (l == L_SEGMENT) {
        cJSON *g = cJSON_CreateObject();
        cJSON_AddStringToObject(g, "type", "LineString");
        cJSON_AddItemToObject(g, "coordinates", cJSON_Duplicate(coords, 1));
        cJSON_AddItemToObject(body, "geometry", g);
        if (!cJSON_GetObjectItemCaseSensitive(body, "planned_length_m") && !it->id &&
            cJSON_IsArray(coords) && cJSON_GetArraySize(coords) >= 2) {
            int ok = 1;
            for (const cJSON *pt = coords->child; pt; pt = pt->next)
                ok = ok && cJSON_GetArraySize(pt) >= 2 &&
                     cJSON_IsNumber(cJSON_GetArrayItem(pt, 0)) &&
                     cJSON_IsNumber(cJSON_GetArrayItem(pt, 1));
            if (ok)
                cJSON_AddNumberToObject(body, "planned_length_m", line_length(coords));
        }
    } else {
        /* Two numbers go to lon and lat, whose fields check the range. */
        int n = 0, numbers = cJSON_IsArray(coords);
        for (const cJSON *c = numbers ? coords->child : NULL; c; c = c->next, n++)
            numbers = numbers && cJSON_IsNumber(c);
        if (numbers && n == 3) {
            add_error(im, index, "geometry", "coordinates",
                      "must be [longitude, latitude]: heights (a third value) are not stored, so "
                      "drop them before the import (ogr2ogr -dim XY)");
        } else if (!numbers || n != 2) {
            add_error(im, index, "geometry", "coordinates", "must be [longitude, latitude]");
        } else {
            cJSON_AddNumberToObject(body, "lon", coords->child->valuedouble);
            cJSON_AddNumberToObject(body, "lat", coords->child->next->valuedouble);
        }
    }

    cJSON *errs = pool_json(scratch, cJSON_CreateArray());
    it->vals = pool_alloc(r->pool, sizeof(struct value) * ly->res->nfields);
    validate_body(ly->res->fields, ly->res->nfields, body, !it->id, r->pool, errs, it->vals,
                  &it->nvals);
    /* project_id is set by the import itself, not the file. */
    for (cJSON *e = errs->child, *next; e && !it->id; e = next) {
        next = e->next;
        const char *ptr = cJSON_GetObjectItemCaseSensitive(e, "pointer")->valuestring;
        if (strcmp(ptr, "/project_id") == 0)
            pool_json(scratch, cJSON_DetachItemViaPointer(errs, e));
    }
    /* The cross-field rules, on a new object as on a change of a stored
     * one, where a value the file leaves out is the stored value. */
    if (ly->res->check && !errs->child && !it->id) {
        ly->res->check(r, NULL, body, errs);
    } else if (ly->res->check && !errs->child) {
        cJSON *before = pool_json(scratch, stored_json(im, l, it->code));
        if (before)
            ly->res->check(r, before, pool_json(scratch, resource_merge(before, body)), errs);
    }
    for (const cJSON *e = errs->child; e; e = e->next) {
        const char *ptr = cJSON_GetObjectItemCaseSensitive(e, "pointer")->valuestring;
        const char *field = ptr[0] == '/' ? ptr + 1 : ptr;
        int in_geom = strcmp(field, "geometry") == 0 || strcmp(field, "lat") == 0 ||
                      strcmp(field, "lon") == 0;
        add_error(im, index, in_geom ? "geometry" : "properties", in_geom ? "coordinates" : field,
                  cJSON_GetObjectItemCaseSensitive(e, "detail")->valuestring);
    }
    pool_free(scratch);
    im->nitems++;
}

/* ---- writing ---- */

/* The stored columns of a layer, in statement order. */
static const char *const node_cols[] = {"code", "kind", "name", "lat", "lon", NULL};
/* Premise columns whose database default applies when a new feature
 * leaves them out (DEFAULT(col) of a column without one is an error). */
static const char *const defaulted_premise_cols[] = {"kind", "units_residential", "units_business",
                                                     "white_spot", NULL};
static const char *const segment_cols[] = {"code",         "street",     "kind",
                                           "method",       "surface",    "planned_length_m",
                                           "fiber_count",  "duct_type",  "planned_start",
                                           "planned_end",  "geometry",   "lot_id",
                                           "from_node_id", "to_node_id", NULL};
static const char *const premise_cols[] = {"code",
                                           "street",
                                           "house_number",
                                           "postcode",
                                           "city",
                                           "lat",
                                           "lon",
                                           "kind",
                                           "units_residential",
                                           "units_business",
                                           "white_spot",
                                           "bandwidth_before_mbps",
                                           "serving_segment_id",
                                           NULL};
static const char *const *const layer_cols[L_COUNT] = {node_cols, segment_cols, premise_cols};

static int ncols(int l)
{
    int n = 0;
    while (layer_cols[l][n])
        n++;
    return n;
}

/* The value expression of a column: absent values keep the default (on
 * insert) or the stored value (on update). */
static void add_value_expr(struct sbuf *b, int layer, const char *col, int update)
{
    const char *value = strcmp(col, "geometry") == 0 ? "ST_GeomFromGeoJSON(?)" : "?";
    if (!update && !(layer == L_PREMISE && in_list(defaulted_premise_cols, col))) {
        sbuf_add(b, value);
        return;
    }
    sbuf_add(b, "COALESCE(");
    sbuf_add(b, value);
    sbuf_add(b, update ? ", " : ", DEFAULT(");
    sbuf_add(b, col);
    sbuf_add(b, update ? ")" : "))");
}

/* The parameters of one item in column order. */
static int item_params(struct import *im, struct item *it, struct db_param *p)
{
    int n = ncols(it->layer);
    const struct layer *ly = &layers[it->layer];
    for (int c = 0; c < n; c++)
        p[c] = DB_NULLP;
    for (size_t v = 0; v < it->nvals; v++) {
        for (int c = 0; c < n; c++) {
            if (strcmp(layer_cols[it->layer][c], it->vals[v].field->name) == 0) {
                if (resource_bind(im->r, &it->vals[v], &p[c]) < 0)
                    return -1;
            }
        }
    }
    for (int k = 0; ly->refs[k].prop; k++) {
        if (!it->ref_codes[k])
            continue;
        const struct layer_ref *ref = &ly->refs[k];
        long long id = ref->target < 0 ? idmap_get(im->lots, it->ref_codes[k])
                                       : idmap_get(im->existing[ref->target], it->ref_codes[k]);
        for (int c = 0; c < n; c++)
            if (strcmp(layer_cols[it->layer][c], ref->column) == 0)
                p[c] = DB_INTP(id);
    }
    return 0;
}

static int insert_batch(struct import *im, int l, struct item **batch, int count)
{
    int n = ncols(l);
    struct pool *pool = pool_new();
    struct sbuf sql, row;
    sbuf_init(&sql, pool);
    sbuf_init(&row, pool);
    sbuf_add(&sql, "INSERT INTO ");
    sbuf_add(&sql, layers[l].table);
    sbuf_add(&sql, " (project_id");
    sbuf_add(&row, "(?");
    for (int c = 0; c < n; c++) {
        sbuf_add(&sql, ", ");
        sbuf_add(&sql, layer_cols[l][c]);
        sbuf_add(&row, ", ");
        add_value_expr(&row, l, layer_cols[l][c], 0);
    }
    sbuf_add(&sql, ") VALUES ");
    sbuf_add(&row, ")");
    struct db_param *p =
        pool_alloc(pool, sizeof(struct db_param) * (size_t)count * (size_t)(n + 1));
    for (int i = 0; i < count; i++) {
        if (i)
            sbuf_add(&sql, ", ");
        sbuf_add(&sql, row.s);
        p[i * (n + 1)] = DB_INTP(im->project_id);
        if (item_params(im, batch[i], &p[i * (n + 1) + 1]) < 0) {
            pool_free(pool);
            return DB_ERROR;
        }
    }
    enum db_rc rc = db_exec(im->r->db, pool, sql.s, p, (size_t)count * (size_t)(n + 1), NULL);
    pool_free(pool);
    return rc;
}

static int update_item(struct import *im, struct item *it, int *changed)
{
    int l = it->layer, n = ncols(l);
    struct pool *pool = pool_new();
    struct sbuf sql;
    sbuf_init(&sql, pool);
    sbuf_add(&sql, "UPDATE ");
    sbuf_add(&sql, layers[l].table);
    sbuf_add(&sql, " SET ");
    for (int c = 0; c < n; c++) {
        sbuf_add(&sql, layer_cols[l][c]);
        sbuf_add(&sql, " = ");
        add_value_expr(&sql, l, layer_cols[l][c], 1);
        sbuf_add(&sql, ", ");
    }
    sbuf_add(&sql, "version = version + 1, updated_at = NOW(3) WHERE id = ? AND NOT (");
    for (int c = 0; c < n; c++) {
        if (c)
            sbuf_add(&sql, " AND ");
        sbuf_add(&sql, layer_cols[l][c]);
        sbuf_add(&sql, " <=> ");
        add_value_expr(&sql, l, layer_cols[l][c], 1);
    }
    sbuf_add(&sql, ")");
    struct db_param *p = pool_alloc(pool, sizeof(struct db_param) * (size_t)(2 * n + 1));
    if (item_params(im, it, p) < 0) {
        pool_free(pool);
        return DB_ERROR;
    }
    p[n] = DB_INTP(it->id);
    memcpy(&p[n + 1], p, sizeof(struct db_param) * (size_t)n);
    struct db_rows *rows;
    enum db_rc rc = db_exec(im->r->db, pool, sql.s, p, (size_t)(2 * n + 1), &rows);
    *changed = rc == DB_OK && rows->affected > 0;
    pool_free(pool);
    return rc;
}

static int write_layer(struct import *im, int l)
{
    struct item **batch = pool_alloc(im->r->pool, sizeof(struct item *) * GIS_BATCH);
    int count = 0, rc = DB_OK;
    for (int i = 0; i < im->nitems && rc == DB_OK; i++) {
        struct item *it = &im->items[i];
        if (it->layer != l)
            continue;
        if (it->id) {
            int changed = 0;
            rc = update_item(im, it, &changed);
            if (changed)
                im->updated[l]++;
            else
                im->unchanged[l]++;
            continue;
        }
        batch[count++] = it;
        im->created[l]++;
        if (count == GIS_BATCH) {
            rc = insert_batch(im, l, batch, count);
            count = 0;
        }
    }
    if (rc == DB_OK && count)
        rc = insert_batch(im, l, batch, count);
    /* Later layers refer to this one's new rows by code. */
    if (rc == DB_OK)
        rc = load_codes(im, layers[l].table, &im->existing[l]);
    return rc;
}

static cJSON *counts_json(const struct import *im)
{
    cJSON *o = cJSON_CreateObject();
    long long c = 0, u = 0, n = 0;
    cJSON *by = cJSON_CreateObject();
    for (int l = 0; l < L_COUNT; l++) {
        cJSON *e = cJSON_AddObjectToObject(by, layers[l].name);
        cJSON_AddNumberToObject(e, "created", (double)im->created[l]);
        cJSON_AddNumberToObject(e, "updated", (double)im->updated[l]);
        cJSON_AddNumberToObject(e, "unchanged", (double)im->unchanged[l]);
        c += im->created[l];
        u += im->updated[l];
        n += im->unchanged[l];
    }
    cJSON_AddNumberToObject(o, "features", im->nitems);
    cJSON_AddNumberToObject(o, "created", (double)c);
    cJSON_AddNumberToObject(o, "updated", (double)u);
    cJSON_AddNumberToObject(o, "unchanged", (double)n);
    cJSON_AddItemToObject(o, "by_layer", by);
    return o;
}

static void import_free(struct import *im)
{
    for (int l = 0; l < L_COUNT; l++) {
        idmap_free(im->existing[l]);
        idmap_free(im->seen[l]);
        idmap_free(im->stored_row[l]);
    }
    if (im->stored_pool)
        pool_free(im->stored_pool);
    idmap_free(im->lots);
}

static int project_exists(struct req *r, long long id, int *exists)
{
    struct db_rows *rows;
    struct db_param p[] = {DB_INTP(id)};
    enum db_rc rc =
        db_exec(r->db, r->pool, "SELECT code FROM projects WHERE id = ? FOR UPDATE", p, 1, &rows);
    *exists = rc == DB_OK && rows->nrows == 1;
    return rc;
}

int gis_import(struct req *r)
{
    const char *dry = req_query(r, "dry_run");
    for (size_t i = 0; i < r->nquery; i++)
        if (strcmp(r->query[i].key, "dry_run") != 0)
            return reply_problem(r, 400, "unknown query parameter '%s'; this takes dry_run",
                                 r->query[i].key);
    if (dry && strcmp(dry, "true") && strcmp(dry, "false"))
        return reply_problem(r, 400, "query parameter 'dry_run' must be true or false");
    int dry_run = dry && strcmp(dry, "true") == 0;

    struct import im = {.r = r, .project_id = parse_id(req_param(r, 0))};
    int exists = 0;
    int rc = im.project_id ? project_exists(r, im.project_id, &exists) : DB_OK;
    if (rc != DB_OK)
        return reply_db(r, rc);
    if (!exists)
        return reply_problem(r, 404, "no project with id %s", req_param(r, 0));

    const cJSON *type = cJSON_GetObjectItemCaseSensitive(r->json, "type");
    const cJSON *features = cJSON_GetObjectItemCaseSensitive(r->json, "features");
    if (!cJSON_IsString(type) || strcmp(type->valuestring, "FeatureCollection") != 0 ||
        !cJSON_IsArray(features))
        return reply_invalid_field(r, "type", "the body must be a GeoJSON FeatureCollection");
    for (const cJSON *m = r->json->child; m; m = m->next)
        if (!in_list((const char *const[]){"type", "features", "name", "crs", "bbox", NULL},
                     m->string))
            return reply_invalid_field(r, m->string, "is not a member of a FeatureCollection");
    const cJSON *crs = cJSON_GetObjectItemCaseSensitive(r->json, "crs");
    const char *why = crs ? geojson_crs_problem(crs) : NULL;
    if (why)
        return reply_invalid_field(r, "crs", why);

    int n = cJSON_GetArraySize(features);
    im.errors = req_json(r, cJSON_CreateArray());
    im.items = pool_alloc(r->pool, sizeof(struct item) * (size_t)(n ? n : 1));
    for (int l = 0; l < L_COUNT; l++) {
        im.seen[l] = idmap_new((size_t)n);
        rc = rc == DB_OK ? load_codes(&im, layers[l].table, &im.existing[l]) : rc;
    }
    if (rc == DB_OK)
        rc = load_codes(&im, "lots", &im.lots);
    if (rc != DB_OK) {
        import_free(&im);
        return reply_db(r, rc);
    }
    collect_codes(&im, features);
    for (int l = 0; l < L_COUNT && rc == DB_OK; l++)
        if (im.updates[l] && layers[l].res->check)
            rc = load_stored(&im, l);
    if (rc != DB_OK) {
        import_free(&im);
        return reply_db(r, rc);
    }
    int i = 0;
    for (const cJSON *f = features->child; f; f = f->next, i++)
        check_feature(&im, f, i);
    if (im.nerrors) {
        char detail[160];
        snprintf(detail, sizeof(detail), "%d problem%s in %d features; nothing was imported%s",
                 im.nerrors, im.nerrors == 1 ? "" : "s", n,
                 im.nerrors > MAX_ERRORS ? " (the first 500 are listed)" : "");
        import_free(&im);
        return reply_invalid_detail(r, detail, im.errors);
    }
    for (int l = 0; l < L_COUNT && rc == DB_OK; l++)
        rc = write_layer(&im, l);
    cJSON *out = rc == DB_OK ? req_json(r, counts_json(&im)) : NULL;
    if (rc == DB_OK && !dry_run)
        rc = audit_write(r, "import", "project", im.project_id, NULL, out);
    import_free(&im);
    if (rc != DB_OK)
        return reply_db(r, rc);
    cJSON_AddBoolToObject(out, "dry_run", dry_run);
    r->rollback_only = dry_run;
    return reply_json(r, 200, out);
}

/* ---- export ---- */

struct export_col {
    const char *name; /* property name; NULL ends the list */
    char type;        /* 'n' number, 's' string, 'b' boolean */
};

struct export_layer {
    const char *name;
    const char *sql; /* id first, then the columns below, then lon/lat or GeoJSON */
    const struct export_col *cols;
    int line; /* 1: the last column is a GeoJSON LineString */
};

static const struct export_col node_export[] = {
    {"code", 's'}, {"kind", 's'}, {"name", 's'}, {NULL, 0}};
static const struct export_col segment_export[] = {
    {"code", 's'},           {"street", 's'},        {"lot", 's'},
    {"from_node", 's'},      {"to_node", 's'},       {"kind", 's'},
    {"method", 's'},         {"surface", 's'},       {"planned_length_m", 'n'},
    {"built_length_m", 'n'}, {"fiber_count", 'n'},   {"duct_type", 's'},
    {"status", 's'},         {"planned_start", 's'}, {"planned_end", 's'},
    {"actual_start", 's'},   {"actual_end", 's'},    {NULL, 0}};
static const struct export_col premise_export[] = {{"code", 's'},
                                                   {"street", 's'},
                                                   {"house_number", 's'},
                                                   {"postcode", 's'},
                                                   {"city", 's'},
                                                   {"kind", 's'},
                                                   {"units_residential", 'n'},
                                                   {"units_business", 'n'},
                                                   {"white_spot", 'b'},
                                                   {"bandwidth_before_mbps", 'n'},
                                                   {"serving_segment", 's'},
                                                   {"status", 's'},
                                                   {"exclusion_reason", 's'},
                                                   {"passed_date", 's'},
                                                   {"connected_date", 's'},
                                                   {"activated_date", 's'},
                                                   {NULL, 0}};

static const struct export_layer export_layers[] = {
    {"node",
     "SELECT id, code, kind, name, lon, lat FROM nodes WHERE project_id = ? AND id > ? "
     "ORDER BY id LIMIT 5000",
     node_export, 0},
    {"segment",
     "SELECT s.id, s.code, s.street, l.code, fn.code, tn.code, s.kind, s.method, s.surface, "
     "s.planned_length_m, s.built_length_m, s.fiber_count, s.duct_type, s.status, s.planned_start, "
     "s.planned_end, s.actual_start, s.actual_end, ST_AsGeoJSON(s.geometry, 7) FROM segments s "
     "LEFT JOIN lots l ON l.id = s.lot_id LEFT JOIN nodes fn ON fn.id = s.from_node_id "
     "LEFT JOIN nodes tn ON tn.id = s.to_node_id WHERE s.project_id = ? AND s.id > ? "
     "ORDER BY s.id LIMIT 5000",
     segment_export, 1},
    {"premise",
     "SELECT p.id, p.code, p.street, p.house_number, p.postcode, p.city, p.kind, "
     "p.units_residential, p.units_business, p.white_spot, p.bandwidth_before_mbps, s.code, "
     "p.status, p.exclusion_reason, p.passed_date, p.connected_date, p.activated_date, p.lon, "
     "p.lat FROM premises p LEFT JOIN segments s ON s.id = p.serving_segment_id "
     "WHERE p.project_id = ? AND p.id > ? ORDER BY p.id LIMIT 5000",
     premise_export, 0},
};

static cJSON *export_feature(const struct export_layer *el, const struct db_rows *rows, size_t row)
{
    cJSON *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "type", "Feature");
    cJSON *props = cJSON_CreateObject();
    cJSON_AddStringToObject(props, "layer", el->name);
    /* Not "id": GIS tools take that as a feature id, which must be unique
     * across the layers of one file. */
    cJSON_AddNumberToObject(props, "object_id", strtod(db_cell(rows, row, 0), NULL));
    size_t c = 1;
    for (const struct export_col *col = el->cols; col->name; col++, c++) {
        const char *v = db_cell(rows, row, c);
        if (!v)
            cJSON_AddNullToObject(props, col->name);
        else if (col->type == 'n')
            cJSON_AddNumberToObject(props, col->name, strtod(v, NULL));
        else if (col->type == 'b')
            cJSON_AddBoolToObject(props, col->name, strcmp(v, "1") == 0);
        else
            cJSON_AddStringToObject(props, col->name, v);
    }
    cJSON *geom = NULL;
    if (el->line) {
        const char *g = db_cell(rows, row, c);
        geom = g ? cJSON_Parse(g) : NULL;
    } else if (db_cell(rows, row, c) && db_cell(rows, row, c + 1)) {
        geom = cJSON_CreateObject();
        cJSON_AddStringToObject(geom, "type", "Point");
        cJSON *coords = cJSON_AddArrayToObject(geom, "coordinates");
        cJSON_AddItemToArray(coords, cJSON_CreateNumber(strtod(db_cell(rows, row, c), NULL)));
        cJSON_AddItemToArray(coords, cJSON_CreateNumber(strtod(db_cell(rows, row, c + 1), NULL)));
    }
    cJSON_AddItemToObject(f, "geometry", geom ? geom : cJSON_CreateNull());
    cJSON_AddItemToObject(f, "properties", props);
    return f;
}

int gis_export(struct req *r)
{
    if (r->nquery)
        return reply_problem(r, 400, "unknown query parameter '%s'", r->query[0].key);
    long long id = parse_id(req_param(r, 0));
    struct db_rows *rows;
    struct db_param pid[] = {DB_INTP(id)};
    enum db_rc rc =
        db_exec(r->db, r->pool, "SELECT code FROM projects WHERE id = ?", pid, 1, &rows);
    if (rc != DB_OK)
        return reply_db(r, rc);
    if (!id || rows->nrows == 0)
        return reply_problem(r, 404, "no project with id %s", req_param(r, 0));
    const char *code = db_cell(rows, 0, 0);

    const char *tmp = getenv("TMPDIR");
    char *path = pool_printf(r->pool, "%s/fibertrack-export-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(path);
    FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!out) {
        if (fd >= 0) {
            close(fd);
            unlink(path);
        }
        return reply_problem(r, 503, "the export file could not be created; retry shortly");
    }
    char *name_text = cJSON_PrintUnformatted(req_json(r, cJSON_CreateString(code)));
    fprintf(out, "{\"type\":\"FeatureCollection\",\"name\":%s,\"features\":[\n",
            name_text ? name_text : "\"export\"");
    free(name_text);
    int first = 1;
    for (size_t l = 0; l < sizeof(export_layers) / sizeof(export_layers[0]) && rc == DB_OK; l++) {
        long long after = 0;
        for (;;) {
            /* Chunks of 5000 rows keep memory flat for large projects. */
            struct pool *chunk = pool_new();
            struct db_param p[] = {DB_INTP(id), DB_INTP(after)};
            rc = db_exec(r->db, chunk, export_layers[l].sql, p, 2, &rows);
            size_t n = rc == DB_OK ? rows->nrows : 0;
            for (size_t i = 0; i < n; i++) {
                char *text = cJSON_PrintUnformatted(
                    pool_json(chunk, export_feature(&export_layers[l], rows, i)));
                if (text) {
                    fputs(first ? "" : ",\n", out);
                    fputs(text, out);
                    free(text);
                    first = 0;
                }
            }
            if (n)
                after = atoll(db_cell(rows, n - 1, 0));
            pool_free(chunk);
            if (n < 5000)
                break;
        }
    }
    fputs("\n]}\n", out);
    int write_failed = ferror(out);
    if (fclose(out) != 0 || write_failed || rc != DB_OK) {
        unlink(path);
        return rc != DB_OK
                   ? reply_db(r, rc)
                   : reply_problem(r, 503, "the export could not be written; retry shortly");
    }
    reply_file(r, 200, "application/geo+json", path, 0);
    reply_attachment(r, pool_printf(r->pool, "%s.geojson", code));
    return 200;
}
