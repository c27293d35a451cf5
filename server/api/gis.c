/* gis.c — the GIS routes. The reading of files (server/gis) runs on a
 * file worker before the transaction, the checks and writes on a database
 * worker (api/gis_import.c); exports are in api/gis_export.c. */
#include "api/gis.h"

#include <cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "api/gis_import.h"
#include "api/pipeline.h"
#include "db/db.h"
#include "domain/validate.h"
#include "gis/crs.h"
#include "gis/read.h"
#include "http/reply.h"
#include "util/pool.h"

/* At most this many features in one import, and this many bytes unpacked
 * from a zip: what a 64 MiB GeoJSON can hold, with room to spare. */
#define MAX_FEATURES 500000
#define MAX_UNPACKED (512ULL * 1024 * 1024)

/* Reads ?dry_run and ?crs; answers 400 for anything else. Returns 0, or
 * the status replied. */
/* Frees a pool on a thread of its own, so that the event loop that ends
 * the request does not spend a moment on it. */
static void *free_pool(void *p)
{
    pool_free(p);
    return NULL;
}

static void free_later(void *p)
{
    pthread_t t;
    pthread_attr_t attr;
    int started = 0;
    if (pthread_attr_init(&attr) == 0) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        started = pthread_create(&t, &attr, free_pool, p) == 0;
        pthread_attr_destroy(&attr);
    }
    if (!started)
        pool_free(p);
}

static int import_query(struct req *r, int *dry_run, int *epsg)
{
    static const char *const known[] = {"dry_run", "crs", NULL};
    if (reply_unknown_query(r, known, "dry_run and crs"))
        return r->status;
    const char *dry = req_query(r, "dry_run");
    if (dry && strcmp(dry, "true") && strcmp(dry, "false"))
        return reply_problem(r, 400, "query parameter 'dry_run' must be true or false");
    *dry_run = dry && strcmp(dry, "true") == 0;
    const char *crs = req_query(r, "crs");
    *epsg = crs ? gis_crs_epsg(crs) : 0;
    if (crs && !*epsg)
        return reply_problem(r, 400,
                             "query parameter 'crs' must name a coordinate system by its EPSG "
                             "code, such as EPSG:25832");
    return 0;
}

int gis_import_prepare(struct req *r)
{
    int dry_run, epsg;
    if (import_query(r, &dry_run, &epsg))
        return r->status;
    int fmt = gis_format_of_media(r->content_type);
    if (fmt < 0)
        return reply_problem(r, 415,
                             "send the file as application/geo+json (GeoJSON), "
                             "application/geopackage+sqlite3 (GeoPackage), application/zip "
                             "(Shapefiles) or text/csv (with a WKT column)");
    if (!r->body || r->body_len == 0)
        return reply_problem(r, 400, "the body is empty: send the file to import");
    struct gis_read_options opt = {
        .crs_epsg = epsg, .max_features = MAX_FEATURES, .max_unpacked = MAX_UNPACKED};
    struct gis_input *in = pool_alloc(r->pool, sizeof(*in));
    struct gis_failure fail;
    /* The features live in a pool of their own, freed off the event loop
     * when the request ends: a large import leaves hundreds of megabytes. */
    struct pool *ip = pool_new();
    if (!ip)
        return reply_problem(r, 503, "out of memory; retry shortly");
    pool_on_free(r->pool, free_later, ip);
    if (gis_read(r->body, r->body_len, (enum gis_format)fmt, &opt, ip, in, &fail) == 0) {
        r->prep = in;
        return 0;
    }
    if (fail.status == 422) {
        cJSON *errors = req_json(r, cJSON_CreateArray());
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "pointer", fail.pointer);
        cJSON_AddStringToObject(e, "detail", fail.detail);
        cJSON_AddItemToArray(errors, e);
        return reply_invalid_detail(r, fail.detail, errors);
    }
    /* A 503 gets its Retry-After from reply_problem. */
    return reply_problem(r, fail.status, "%s", fail.detail);
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
    int dry_run, epsg;
    if (import_query(r, &dry_run, &epsg))
        return r->status;
    long long id = parse_id(req_param(r, 0));
    int exists = 0;
    int rc = id ? project_exists(r, id, &exists) : DB_OK;
    if (rc != DB_OK)
        return reply_db(r, rc);
    if (!exists)
        return reply_problem(r, 404, "no project with id %s", req_param(r, 0));
    const struct gis_input *in = r->prep;
    if (!in)
        return reply_problem(r, 500, "internal error (request %s)", r->request_id);
    return gis_import_run(r, id, in, dry_run);
}
