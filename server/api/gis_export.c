/* gis_export.c — a project's network for GIS tools: GeoJSON (streamed),
 * a GeoPackage of three typed layers, and the GIS-NBest delivery. The rows
 * come from the database in chunks; GDAL writes the files (gis/write.c). */
#include "api/gis_export.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/pipeline.h"
#include "db/db.h"
#include "domain/validate.h"
#include "http/reply.h"
#include "util/pool.h"

/* ---- GeoJSON ---- */

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

int gis_export_geojson(struct req *r)
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
