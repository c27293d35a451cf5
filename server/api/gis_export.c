/* gis_export.c — a project's network for GIS tools: GeoJSON (one file,
 * streamed), a GeoPackage of three typed layers, and the GIS-NBest
 * delivery. Rows come from the database in chunks, so memory stays flat
 * for large projects; GDAL writes the files (gis/write.c) on this worker
 * thread, into a private temporary directory beside the attachment store. */
#include "api/gis_export.h"

#include <cJSON.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/pipeline.h"
#include "db/db.h"
#include "domain/validate.h"
#include "gis/bundle.h"
#include "gis/crs.h"
#include "gis/nbest.h"
#include "gis/write.h"
#include "http/reply.h"
#include "media/blobstore.h"
#include "util/idmap.h"
#include "util/log.h"
#include "util/pool.h"

#define CHUNK 5000

/* ---- the layers ---- */

struct export_layer {
    const char *name;  /* "node": the layer property of GeoJSON */
    const char *table; /* "nodes": the GeoPackage layer */
    /* id first, then the columns below, then lon and lat, or the GeoJSON
     * of a line; two parameters: the project and the last id read. */
    const char *sql;
    const struct gis_column *cols;
    size_t ncols;
    enum gis_shape shape;
};

#define TEXT(n, w)                                                                                 \
    {                                                                                              \
        n, GIS_COL_TEXT, w, 0                                                                      \
    }
#define INT(n)                                                                                     \
    {                                                                                              \
        n, GIS_COL_INT, 0, 0                                                                       \
    }
#define REAL(n, w, p)                                                                              \
    {                                                                                              \
        n, GIS_COL_REAL, w, p                                                                      \
    }
#define BOOL(n)                                                                                    \
    {                                                                                              \
        n, GIS_COL_BOOL, 0, 0                                                                      \
    }
#define DATE(n)                                                                                    \
    {                                                                                              \
        n, GIS_COL_DATE, 0, 0                                                                      \
    }

/* object_id, not id: GIS tools take "id" as a feature id, which must be
 * unique across the layers of one file. */
static const struct gis_column node_cols[] = {INT("object_id"), TEXT("code", 64), TEXT("kind", 20),
                                              TEXT("name", 200)};
static const struct gis_column segment_cols[] = {INT("object_id"),
                                                 TEXT("code", 64),
                                                 TEXT("street", 200),
                                                 TEXT("lot", 64),
                                                 TEXT("from_node", 64),
                                                 TEXT("to_node", 64),
                                                 TEXT("kind", 10),
                                                 TEXT("method", 20),
                                                 TEXT("surface", 10),
                                                 REAL("planned_length_m", 12, 2),
                                                 REAL("built_length_m", 12, 2),
                                                 INT("fiber_count"),
                                                 TEXT("duct_type", 64),
                                                 INT("duct_type_code"),
                                                 REAL("laying_depth_m", 4, 2),
                                                 TEXT("co_laying", 12),
                                                 TEXT("status", 20),
                                                 DATE("planned_start"),
                                                 DATE("planned_end"),
                                                 DATE("actual_start"),
                                                 DATE("actual_end")};
static const struct gis_column premise_cols[] = {INT("object_id"),
                                                 TEXT("code", 64),
                                                 TEXT("street", 200),
                                                 TEXT("house_number", 20),
                                                 TEXT("postcode", 10),
                                                 TEXT("city", 100),
                                                 TEXT("kind", 12),
                                                 INT("units_residential"),
                                                 INT("units_business"),
                                                 BOOL("white_spot"),
                                                 REAL("bandwidth_before_mbps", 10, 2),
                                                 TEXT("serving_segment", 64),
                                                 TEXT("status", 10),
                                                 TEXT("exclusion_reason", 500),
                                                 DATE("passed_date"),
                                                 DATE("connected_date"),
                                                 DATE("activated_date")};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct export_layer export_layers[] = {
    {"node", "nodes",
     "SELECT id, id, code, kind, name, lon, lat FROM nodes WHERE project_id = ? AND id > ? "
     "ORDER BY id LIMIT 5000",
     node_cols, N(node_cols), GIS_POINT},
    {"segment", "segments",
     "SELECT s.id, s.id, s.code, s.street, l.code, fn.code, tn.code, s.kind, s.method, s.surface, "
     "s.planned_length_m, s.built_length_m, s.fiber_count, s.duct_type, s.duct_type_code, "
     "s.laying_depth_m, s.co_laying, s.status, s.planned_start, s.planned_end, s.actual_start, "
     "s.actual_end, ST_AsGeoJSON(s.geometry, 7) FROM segments s "
     "LEFT JOIN lots l ON l.id = s.lot_id LEFT JOIN nodes fn ON fn.id = s.from_node_id "
     "LEFT JOIN nodes tn ON tn.id = s.to_node_id WHERE s.project_id = ? AND s.id > ? "
     "ORDER BY s.id LIMIT 5000",
     segment_cols, N(segment_cols), GIS_LINE},
    {"premise", "premises",
     "SELECT p.id, p.id, p.code, p.street, p.house_number, p.postcode, p.city, p.kind, "
     "p.units_residential, p.units_business, p.white_spot, p.bandwidth_before_mbps, s.code, "
     "p.status, p.exclusion_reason, p.passed_date, p.connected_date, p.activated_date, p.lon, "
     "p.lat FROM premises p LEFT JOIN segments s ON s.id = p.serving_segment_id "
     "WHERE p.project_id = ? AND p.id > ? ORDER BY p.id LIMIT 5000",
     premise_cols, N(premise_cols), GIS_POINT},
};

#define NLAYERS N(export_layers)

/* The positions of row i, whose geometry begins at column c: lon and lat,
 * or a GeoJSON LineString. Allocated in pool; n = 0 when there are none. */
static void positions(struct pool *pool, const struct db_rows *rows, size_t i, size_t c,
                      enum gis_shape shape, double **x, double **y, size_t *n)
{
    *n = 0;
    if (shape == GIS_POINT) {
        if (!db_cell(rows, i, c) || !db_cell(rows, i, c + 1))
            return;
        *x = pool_alloc(pool, sizeof(double));
        *y = pool_alloc(pool, sizeof(double));
        **x = strtod(db_cell(rows, i, c), NULL);
        **y = strtod(db_cell(rows, i, c + 1), NULL);
        *n = 1;
        return;
    }
    const char *g = db_cell(rows, i, c);
    cJSON *json = g ? pool_json(pool, cJSON_Parse(g)) : NULL;
    const cJSON *coords = cJSON_GetObjectItemCaseSensitive(json, "coordinates");
    size_t count = (size_t)cJSON_GetArraySize(coords);
    if (!count)
        return;
    *x = pool_alloc(pool, count * sizeof(double));
    *y = pool_alloc(pool, count * sizeof(double));
    for (const cJSON *pt = coords->child; pt; pt = pt->next) {
        if (cJSON_GetArraySize(pt) < 2)
            continue;
        (*x)[*n] = cJSON_GetArrayItem(pt, 0)->valuedouble;
        (*y)[*n] = cJSON_GetArrayItem(pt, 1)->valuedouble;
        (*n)++;
    }
}

/* The cells of row i (its columns begin at 1). */
static void cells_of(const struct export_layer *el, const struct db_rows *rows, size_t i,
                     struct gis_cell *cells)
{
    for (size_t c = 0; c < el->ncols; c++) {
        const char *v = db_cell(rows, i, c + 1);
        struct gis_cell *cell = &cells[c];
        memset(cell, 0, sizeof(*cell));
        cell->null = !v;
        cell->s = v;
        if (v && (el->cols[c].type == GIS_COL_INT || el->cols[c].type == GIS_COL_BOOL))
            cell->i = atoll(v);
        else if (v && el->cols[c].type == GIS_COL_REAL)
            cell->d = strtod(v, NULL);
    }
}

/* Reads a project's code; 0 when the project exists, else the status
 * replied. */
static int project_code(struct req *r, long long id, const char **code)
{
    struct db_rows *rows;
    struct db_param pid[] = {DB_INTP(id)};
    enum db_rc rc =
        db_exec(r->db, r->pool, "SELECT code FROM projects WHERE id = ?", pid, 1, &rows);
    if (rc != DB_OK)
        return reply_db(r, rc);
    if (!id || rows->nrows == 0)
        return reply_problem(r, 404, "no project with id %s", req_param(r, 0));
    *code = db_cell(rows, 0, 0);
    return 0;
}

/* Calls fn for every row of a layer, CHUNK rows at a time (each chunk in
 * a pool of its own). Returns a db result code, or -1 when fn failed. */
static int each_row(struct req *r, long long project, const char *sql,
                    int (*fn)(void *arg, struct pool *chunk, const struct db_rows *rows, size_t i),
                    void *arg)
{
    long long after = 0;
    for (;;) {
        struct pool *chunk = pool_new();
        struct db_param p[] = {DB_INTP(project), DB_INTP(after)};
        struct db_rows *rows;
        enum db_rc rc = db_exec(r->db, chunk, sql, p, 2, &rows);
        if (rc != DB_OK) {
            pool_free(chunk);
            return rc;
        }
        size_t n = rows->nrows;
        for (size_t i = 0; i < n; i++) {
            if (fn(arg, chunk, rows, i) < 0) {
                pool_free(chunk);
                return -1;
            }
        }
        if (n)
            after = atoll(db_cell(rows, n - 1, 0));
        pool_free(chunk);
        if (n < CHUNK)
            return DB_OK;
    }
}

/* ---- files being written ---- */

/* Exports being written now: each holds a database worker while GDAL
 * writes. */
static atomic_int building;
#define MAX_BUILDING 2

static int claim_builder(struct req *r)
{
    if (atomic_fetch_add(&building, 1) < MAX_BUILDING)
        return 0;
    atomic_fetch_sub(&building, 1);
    reply_problem(r, 503, "%d GIS exports are being written; retry shortly", MAX_BUILDING);
    req_set_header(r, "Retry-After", "10");
    return 503;
}

static void release_builder(void) { atomic_fetch_sub(&building, 1); }

/* A new private directory for a file being written; NULL when none can be
 * made. The caller removes it (gis_bundle_remove). */
static char *work_dir(struct req *r)
{
    char *dir = pool_printf(r->pool, "%s/tmp/gis-XXXXXX", blobstore_dir());
    return mkdtemp(dir) ? dir : NULL;
}

/* Moves a finished file out of the work directory to a name of its own
 * beside it, which reply_file removes once sent. */
static char *take_file(struct req *r, const char *path)
{
    char *out = pool_printf(r->pool, "%s/tmp/gis-out-XXXXXX", blobstore_dir());
    int fd = mkstemp(out);
    if (fd < 0)
        return NULL;
    close(fd);
    return rename(path, out) == 0 ? out : NULL;
}

/* Answers an export once its writing ended: rc a db_rc (> 0) from reading
 * the rows, or 0 or -1 from writing; out the finished file, or NULL when it
 * could not be written (err says why, for the log). */
static int reply_export(struct req *r, int rc, char *out, const char *what, const char *err,
                        const char *type, const char *filename)
{
    if (rc > 0)
        return reply_db(r, (enum db_rc)rc);
    if (!out) {
        log_msg(LOG_ERROR, "%s could not be written (request %s): %s", what, r->request_id, err);
        return reply_problem(r, 503, "%s could not be written; retry shortly", what);
    }
    reply_file(r, 200, type, out, 0);
    reply_attachment(r, filename);
    return 200;
}

/* ---- GeoJSON ---- */

struct geojson_out {
    FILE *f;
    const struct export_layer *el;
    int first;
};

static int geojson_row(void *arg, struct pool *chunk, const struct db_rows *rows, size_t i)
{
    struct geojson_out *o = arg;
    const struct export_layer *el = o->el;
    cJSON *f = pool_json(chunk, cJSON_CreateObject());
    cJSON_AddStringToObject(f, "type", "Feature");
    cJSON *props = cJSON_CreateObject();
    cJSON_AddStringToObject(props, "layer", el->name);
    for (size_t c = 0; c < el->ncols; c++) {
        const char *v = db_cell(rows, i, c + 1);
        const char *name = el->cols[c].name;
        if (!v)
            cJSON_AddNullToObject(props, name);
        else if (el->cols[c].type == GIS_COL_INT || el->cols[c].type == GIS_COL_REAL)
            cJSON_AddNumberToObject(props, name, strtod(v, NULL));
        else if (el->cols[c].type == GIS_COL_BOOL)
            cJSON_AddBoolToObject(props, name, strcmp(v, "1") == 0);
        else
            cJSON_AddStringToObject(props, name, v);
    }
    cJSON *geom = NULL;
    size_t g = el->ncols + 1;
    if (el->shape == GIS_LINE) {
        const char *text = db_cell(rows, i, g);
        geom = text ? cJSON_Parse(text) : NULL;
    } else if (db_cell(rows, i, g) && db_cell(rows, i, g + 1)) {
        geom = cJSON_CreateObject();
        cJSON_AddStringToObject(geom, "type", "Point");
        cJSON *coords = cJSON_AddArrayToObject(geom, "coordinates");
        cJSON_AddItemToArray(coords, cJSON_CreateNumber(strtod(db_cell(rows, i, g), NULL)));
        cJSON_AddItemToArray(coords, cJSON_CreateNumber(strtod(db_cell(rows, i, g + 1), NULL)));
    }
    cJSON_AddItemToObject(f, "geometry", geom ? geom : cJSON_CreateNull());
    cJSON_AddItemToObject(f, "properties", props);
    char *text = cJSON_PrintUnformatted(f);
    if (!text)
        return -1;
    fputs(o->first ? "" : ",\n", o->f);
    fputs(text, o->f);
    free(text);
    o->first = 0;
    return 0;
}

int gis_export_geojson(struct req *r)
{
    if (r->nquery)
        return reply_problem(r, 400, "unknown query parameter '%s'", r->query[0].key);
    long long id = parse_id(req_param(r, 0));
    const char *code;
    if (project_code(r, id, &code))
        return r->status;
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
    struct geojson_out o = {out, NULL, 1};
    int rc = DB_OK;
    for (size_t l = 0; l < NLAYERS && rc == DB_OK; l++) {
        o.el = &export_layers[l];
        rc = each_row(r, id, export_layers[l].sql, geojson_row, &o);
    }
    fputs("\n]}\n", out);
    int write_failed = ferror(out);
    if (fclose(out) != 0 || write_failed || rc != DB_OK) {
        unlink(path);
        return rc > 0 ? reply_db(r, (enum db_rc)rc)
                      : reply_problem(r, 503, "the export could not be written; retry shortly");
    }
    reply_file(r, 200, "application/geo+json", path, 0);
    reply_attachment(r, pool_printf(r->pool, "%s.geojson", code));
    return 200;
}

/* ---- GeoPackage ---- */

struct gpkg_out {
    struct gis_writer *w;
    int layer;
    const struct export_layer *el;
    char err[300];
};

static int gpkg_row(void *arg, struct pool *chunk, const struct db_rows *rows, size_t i)
{
    struct gpkg_out *o = arg;
    struct gis_cell cells[32];
    cells_of(o->el, rows, i, cells);
    double *x = NULL, *y = NULL;
    size_t n;
    positions(chunk, rows, i, o->el->ncols + 1, o->el->shape, &x, &y, &n);
    return gis_writer_add(o->w, o->layer, cells, x, y, n, o->err, sizeof(o->err));
}

int gis_export_gpkg(struct req *r)
{
    if (r->nquery)
        return reply_problem(r, 400, "unknown query parameter '%s'", r->query[0].key);
    long long id = parse_id(req_param(r, 0));
    const char *code;
    if (project_code(r, id, &code) || claim_builder(r))
        return r->status;
    char *dir = work_dir(r);
    struct gpkg_out o = {.w = NULL};
    int rc = dir ? DB_OK : -1;
    char *file = dir ? pool_printf(r->pool, "%s/export.gpkg", dir) : NULL;
    if (rc == DB_OK)
        o.w = gis_writer_create("GPKG", file, o.err, sizeof(o.err));
    if (!o.w)
        rc = -1;
    for (size_t l = 0; l < NLAYERS && rc == DB_OK; l++) {
        const struct export_layer *el = &export_layers[l];
        o.el = el;
        o.layer = gis_writer_layer(o.w, el->table, el->shape, GIS_WGS84, el->cols, el->ncols, o.err,
                                   sizeof(o.err));
        rc = o.layer < 0 ? -1 : each_row(r, id, el->sql, gpkg_row, &o);
    }
    if (o.w && gis_writer_close(o.w, o.err, sizeof(o.err)) < 0 && rc == DB_OK)
        rc = -1;
    char *out = rc == DB_OK ? take_file(r, file) : NULL;
    if (dir)
        gis_bundle_remove(dir);
    release_builder();
    return reply_export(r, rc, out, "export.gpkg", o.err, "application/geopackage+sqlite3",
                        pool_printf(r->pool, "%s.gpkg", code));
}

/* ---- GIS-NBest ---- */

#define NBEST_SEGMENT_SQL                                                                          \
    "SELECT id, code, kind, method, surface, status, duct_type, duct_type_code, co_laying, "       \
    "planned_length_m, built_length_m, laying_depth_m, fiber_count, "                              \
    "ST_AsGeoJSON(geometry, 7) FROM segments WHERE project_id = ? AND id > ? "                     \
    "ORDER BY id LIMIT 5000"
#define NBEST_NODE_SQL                                                                             \
    "SELECT id, code, kind, name, lon, lat FROM nodes WHERE project_id = ? AND id > ? "            \
    "ORDER BY id LIMIT 5000"
/* A premise hangs off the network technology at either end of the
 * segment serving it, the start first. */
#define NBEST_TECHNOLOGY "('pop','cabinet','splice_closure')"
#define NBEST_PREMISE_SQL                                                                          \
    "SELECT p.id, p.code, p.kind, p.status, p.street, p.house_number, p.postcode, p.city, "        \
    "p.units_residential, p.units_business, COALESCE(fn.id, tn.id), p.lon, p.lat "                 \
    "FROM premises p LEFT JOIN segments s ON s.id = p.serving_segment_id "                         \
    "LEFT JOIN nodes fn ON fn.id = s.from_node_id AND fn.kind IN " NBEST_TECHNOLOGY " "            \
    "LEFT JOIN nodes tn ON tn.id = s.to_node_id AND tn.kind IN " NBEST_TECHNOLOGY " "              \
    "WHERE p.project_id = ? AND p.id > ? ORDER BY p.id LIMIT 5000"

/* The layers of one delivery, each written twice: as a Shapefile and as a
 * layer of the GeoPackage beside them. */
struct nbest_out {
    struct gis_writer *shp, *gpkg;
    const struct nbest_layer *layers;
    size_t nlayers;
    int shp_layer[8], gpkg_layer[8];
    long long next_id[8];
    long long count[8];
    enum nbest_phase phase;
    enum nbest_source source;
    struct idmap *technology; /* node id → its ID in the layer of network technology */
    char err[300];
};

static const char *opt_text(const struct db_rows *rows, size_t i, size_t c)
{
    return db_cell(rows, i, c);
}

static double num(const struct db_rows *rows, size_t i, size_t c, int *has)
{
    const char *v = db_cell(rows, i, c);
    if (has)
        *has = v != NULL;
    return v ? strtod(v, NULL) : 0;
}

static void nbest_object_of(enum nbest_source src, const struct db_rows *rows, size_t i,
                            struct nbest_object *o)
{
    memset(o, 0, sizeof(*o));
    o->source = src;
    o->id = atoll(db_cell(rows, i, 0));
    o->code = opt_text(rows, i, 1);
    o->kind = opt_text(rows, i, 2);
    if (src == NBEST_NODE) {
        o->name = opt_text(rows, i, 3);
    } else if (src == NBEST_SEGMENT) {
        int has;
        o->method = opt_text(rows, i, 3);
        o->surface = opt_text(rows, i, 4);
        o->status = opt_text(rows, i, 5);
        o->duct_type = opt_text(rows, i, 6);
        o->duct_code = (int)num(rows, i, 7, NULL);
        o->co_laying = opt_text(rows, i, 8);
        o->planned_m = num(rows, i, 9, NULL);
        o->built_m = num(rows, i, 10, NULL);
        o->depth_m = num(rows, i, 11, &o->has_depth);
        o->fibers = (int)num(rows, i, 12, &has);
        o->has_fibers = has;
    } else {
        o->status = opt_text(rows, i, 3);
        o->street = opt_text(rows, i, 4);
        o->house_number = opt_text(rows, i, 5);
        o->postcode = opt_text(rows, i, 6);
        o->city = opt_text(rows, i, 7);
        o->units_residential = (int)num(rows, i, 8, NULL);
        o->units_business = (int)num(rows, i, 9, NULL);
        o->network_node = (long long)num(rows, i, 10, NULL);
    }
}

static int nbest_row(void *arg, struct pool *chunk, const struct db_rows *rows, size_t i)
{
    struct nbest_out *o = arg;
    struct nbest_object obj;
    nbest_object_of(o->source, rows, i, &obj);
    double *x = NULL, *y = NULL;
    size_t n = 0;
    size_t geo = o->source == NBEST_SEGMENT ? 13 : o->source == NBEST_NODE ? 4 : 11;
    int positioned = 0;
    for (size_t l = 0; l < o->nlayers; l++) {
        const struct nbest_layer *ly = &o->layers[l];
        if (ly->source != o->source || !ly->takes(&obj, o->phase))
            continue;
        if (!positioned) {
            positions(chunk, rows, i, geo, ly->shape, &x, &y, &n);
            positioned = 1;
        }
        struct gis_cell cells[16];
        long long seq = ++o->next_id[l];
        for (size_t a = 0; a < ly->nattrs; a++) {
            const struct nbest_attr *at = &ly->attrs[a];
            memset(&cells[a], 0, sizeof(cells[a]));
            if (at->fill == NBEST_SEQUENCE) {
                cells[a].i = seq;
            } else if (at->fill == NBEST_NETWORK) {
                char key[32];
                snprintf(key, sizeof(key), "%lld", obj.network_node);
                cells[a].i = obj.network_node ? idmap_get(o->technology, key) : 0;
                cells[a].null = cells[a].i == 0;
            } else {
                at->value(&obj, o->phase, &cells[a]);
            }
        }
        if (ly->network) {
            char key[32];
            snprintf(key, sizeof(key), "%lld", obj.id);
            if (idmap_put(o->technology, key, seq) < 0)
                return -1;
        }
        if (gis_writer_add(o->shp, o->shp_layer[l], cells, x, y, n, o->err, sizeof(o->err)) < 0 ||
            gis_writer_add(o->gpkg, o->gpkg_layer[l], cells, x, y, n, o->err, sizeof(o->err)) < 0)
            return -1;
        o->count[l]++;
    }
    return 0;
}

/* Writes the delivery's files into dir (which GDAL creates for the
 * Shapefiles). Returns a db result code, or -1. */
static int nbest_write(struct req *r, long long project, struct nbest_out *o, const char *dir,
                       const char *gpkg_name)
{
    char *gpkg = pool_printf(r->pool, "%s/%s", dir, gpkg_name);
    o->shp = gis_writer_create("ESRI Shapefile", dir, o->err, sizeof(o->err));
    o->gpkg = o->shp ? gis_writer_create("GPKG", gpkg, o->err, sizeof(o->err)) : NULL;
    int rc = o->gpkg ? DB_OK : -1;
    for (size_t l = 0; l < o->nlayers && rc == DB_OK; l++) {
        const struct nbest_layer *ly = &o->layers[l];
        struct gis_column *cols = pool_alloc(r->pool, ly->nattrs * sizeof(*cols));
        for (size_t a = 0; a < ly->nattrs; a++)
            cols[a] = ly->attrs[a].column;
        o->shp_layer[l] = gis_writer_layer(o->shp, ly->name, ly->shape, NBEST_EPSG, cols,
                                           ly->nattrs, o->err, sizeof(o->err));
        o->gpkg_layer[l] = o->shp_layer[l] < 0
                               ? -1
                               : gis_writer_layer(o->gpkg, ly->name, ly->shape, NBEST_EPSG, cols,
                                                  ly->nattrs, o->err, sizeof(o->err));
        if (o->gpkg_layer[l] < 0)
            rc = -1;
    }
    /* Network technology first: end customers refer to its IDs. */
    static const struct {
        enum nbest_source source;
        const char *sql;
    } passes[] = {{NBEST_NODE, NBEST_NODE_SQL},
                  {NBEST_SEGMENT, NBEST_SEGMENT_SQL},
                  {NBEST_PREMISE, NBEST_PREMISE_SQL}};
    for (size_t p = 0; p < N(passes) && rc == DB_OK; p++) {
        o->source = passes[p].source;
        rc = each_row(r, project, passes[p].sql, nbest_row, o);
    }
    if (o->shp && gis_writer_close(o->shp, o->err, sizeof(o->err)) < 0 && rc == DB_OK)
        rc = -1;
    if (o->gpkg && gis_writer_close(o->gpkg, o->err, sizeof(o->err)) < 0 && rc == DB_OK)
        rc = -1;
    return rc;
}

int gis_export_nbest(struct req *r)
{
    static const char *const known[] = {"version", "phase", NULL};
    if (reply_unknown_query(r, known, "version and phase"))
        return r->status;
    /* A project that is not there is told before what the query lacks. */
    long long id = parse_id(req_param(r, 0));
    const char *code;
    if (project_code(r, id, &code))
        return r->status;
    const char *version = req_query(r, "version");
    /* The network plan is what a delivery is first asked for. */
    const char *phase_text = req_query(r, "phase") ? req_query(r, "phase") : "plan";
    size_t nlayers = 0;
    const struct nbest_layer *layers = nbest_layers(version ? version : "5.1", &nlayers);
    if (!layers)
        return reply_invalid_field(r, "version",
                                   "is not a GIS-NBest version fibertrack writes; it writes "
                                   "version " NBEST_VERSIONS);
    enum nbest_phase phase;
    if (nbest_phase_parse(phase_text, &phase) < 0)
        return reply_invalid_field(r, "phase",
                                   "must be plan (the network plan) or asbuilt (the as-built "
                                   "documentation)");
    if (claim_builder(r))
        return r->status;
    const char *v = version ? version : "5.1";
    struct nbest_out o = {.layers = layers, .nlayers = nlayers, .phase = phase};
    if (nlayers > N(o.shp_layer)) {
        release_builder();
        return reply_problem(r, 500, "internal error (request %s)", r->request_id);
    }
    o.technology = idmap_new(1024);
    char *dir = work_dir(r);
    int rc = dir && o.technology ? DB_OK : -1;
    /* The Shapefiles' directory, which GDAL makes, with the GeoPackage
     * beside them: what the zip holds. */
    char *files = dir ? pool_printf(r->pool, "%s/files", dir) : NULL;
    if (rc == DB_OK)
        rc = nbest_write(r, id, &o, files,
                         pool_printf(r->pool, "gis-nbest-%s-%s.gpkg", v, phase_text));
    char *zip = dir ? pool_printf(r->pool, "%s/delivery.zip", dir) : NULL;
    if (rc == DB_OK && gis_bundle_zip(files, zip) < 0) {
        snprintf(o.err, sizeof(o.err), "the zip could not be written");
        rc = -1;
    }
    char *out = rc == DB_OK ? take_file(r, zip) : NULL;
    if (dir)
        gis_bundle_remove(dir);
    idmap_free(o.technology);
    release_builder();
    return reply_export(r, rc, out, "gis-nbest.zip", o.err, "application/zip",
                        pool_printf(r->pool, "gis-nbest-%s-%s-%s.zip", v, phase_text, code));
}
