/* gis_import.c — the import of a project's network from a GIS file: every
 * feature checked first (all or nothing), then created and updated by code
 * in multi-row statements. */
#include "api/gis_import.h"

#include <cJSON.h>
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/audit.h"
#include "api/inventory.h"
#include "api/pipeline.h"
#include "api/resource.h"
#include "db/db.h"
#include "domain/validate.h"
#include "gis/features.h"
#include "http/reply.h"
#include "util/clock.h"
#include "util/idmap.h"
#include "util/log.h"
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
    const char *name;   /* "segment": the layer attribute's value */
    const char *plural; /* "segments": a file layer of this name holds them */
    enum gis_shape shape;
    const char *geometry; /* for messages */
    const char *table;
    const struct resource *res;
    const char *const *props; /* properties taken from the file, by field name */
    const struct layer_ref *refs;
    /* Stored columns that the resource's cross-field rules read (JSON
     * names equal column names), so that an update in the file is checked
     * against the row as it would be after the change, as a PATCH is. */
    const char *const *rule_cols;
};

static const char *const node_props[] = {"code", "kind", "name", NULL};
static const char *const segment_props[] = {
    "code",        "street",    "kind",           "method",         "surface",   "planned_length_m",
    "fiber_count", "duct_type", "duct_type_code", "laying_depth_m", "co_laying", "planned_start",
    "planned_end", NULL};
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
/* What our exports and common GIS tools add beside the data: ids of their
 * own, lengths and areas they compute, a geometry column kept as text. */
static const char *const common_ignored[] = {"layer",
                                             "id",
                                             "fid",
                                             "object_id",
                                             "ogc_fid",
                                             "objectid",
                                             "shape_leng",
                                             "shape_length",
                                             "shape_area",
                                             "wkt",
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
                                             "contractor_id",
                                             NULL};
static const char *const node_rule_cols[] = {"lat", "lon", NULL};
static const char *const segment_rule_cols[] = {"status",       "planned_start", "planned_end",
                                                "actual_start", "actual_end",    NULL};
static const char *const premise_rule_cols[] = {"lat", "lon", "status", "exclusion_reason", NULL};

static const struct layer layers[L_COUNT] = {
    {"node", "nodes", GIS_POINT, "Point", "nodes", &nodes_resource, node_props, no_refs,
     node_rule_cols},
    {"segment", "segments", GIS_LINE, "LineString", "segments", &segments_resource, segment_props,
     segment_refs, segment_rule_cols},
    {"premise", "premises", GIS_POINT, "Point", "premises", &premises_resource, premise_props,
     premise_refs, premise_rule_cols},
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
    int valid; /* checked without a problem */
    const struct gis_feature *f;
    int layer;
    const char *code;
    long long id; /* existing row, 0 for a new one */
    struct value *vals;
    size_t nvals;
    const char *ref_codes[3];
};

/* What a file's attribute name stands for: its canonical name (exact for
 * GeoJSON; for other files case-insensitive, and a Shapefile's
 * 10-character cut of a longer name), and what each layer makes of it.
 * Worked out once per name and remembered by the name's address, which
 * readers share between features. */
struct name_info {
    const char *canonical;
    signed char ref[L_COUNT]; /* a reference of the layer (index in refs), or -1 */
    unsigned char skip;       /* the code, or a name every layer ignores */
    unsigned char prop[L_COUNT];
    const struct field *field[L_COUNT];
};

#define NAME_MEMO 512
struct name_memo {
    const char *from[NAME_MEMO];
    struct name_info info[NAME_MEMO];
};

struct import {
    struct req *r;
    long long project_id;
    const struct gis_input *in;
    cJSON *errors;
    int nerrors;
    struct idmap *existing[L_COUNT]; /* code → id before the import */
    struct idmap *written[L_COUNT];  /* code → id once a layer is written */
    struct idmap *lots;
    struct idmap *seen[L_COUNT]; /* codes in this file */
    int updates[L_COUNT];        /* features in the file that change a stored row */
    struct pool *stored_pool;    /* stored rows' rule columns, for updates */
    struct db_rows *stored[L_COUNT];
    struct idmap *stored_row[L_COUNT]; /* code → row in stored + 1 */
    struct item *items;                /* one per feature */
    int nitems;                        /* valid ones */
    signed char *flayer;               /* each feature's layer, or -1 */
    long long created[L_COUNT], updated[L_COUNT], unchanged[L_COUNT];
    struct name_memo names;
    /* The statement column of each of a layer's fields (-1: none), and
     * the statements of full batches, made once. */
    int *field_col[L_COUNT];
    char *insert_sql[L_COUNT], *update_sql[L_COUNT];

    /* The checks run on a thread of their own while this one writes what
     * is checked (in the transaction, so that a problem found later still
     * leaves nothing behind). The checker allocates in cpool only. */
    struct pool *cpool;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t checked;    /* features [0, checked) are checked */
    int failed;        /* a problem was found */
    double exec_total; /* seconds in statements, for the log */
};

/* ---- names ---- */

static const char *const ref_names[] = {"lot", "from_node", "to_node", "serving_segment", NULL};

static const char *canonical_loose(const char *name)
{
    const char *const *lists[6] = {node_props, segment_props,  premise_props,
                                   ref_names,  common_ignored, NULL};
    for (int l = 0; lists[l]; l++)
        for (const char *const *c = lists[l]; *c; c++)
            if (strcasecmp(*c, name) == 0)
                return *c;
    if (strlen(name) != 10)
        return name;
    /* A Shapefile's cut of a longer name. When a field and a name the
     * import ignores begin alike (serving_segment, serving_segment_id),
     * the field wins; two fields alike leave the name as it is. */
    const char *cut = NULL, *ignored = NULL;
    int cuts = 0;
    for (int l = 0; lists[l]; l++) {
        for (const char *const *c = lists[l]; *c; c++) {
            if (strlen(*c) <= 10 || strncasecmp(*c, name, 10) != 0)
                continue;
            if (lists[l] == common_ignored)
                ignored = *c;
            else if (!cut || strcmp(cut, *c) != 0) {
                cut = *c;
                cuts++;
            }
        }
    }
    if (cuts == 1)
        return cut;
    return cuts == 0 && ignored ? ignored : name;
}

static void name_classify(struct import *im, const char *name, struct name_info *ni)
{
    ni->canonical = im->in->exact_names ? name : canonical_loose(name);
    ni->skip = strcmp(ni->canonical, "code") == 0 || in_list(common_ignored, ni->canonical);
    for (int l = 0; l < L_COUNT; l++) {
        const struct layer *ly = &layers[l];
        ni->ref[l] = -1;
        for (int k = 0; ly->refs[k].prop; k++)
            if (strcmp(ly->refs[k].prop, ni->canonical) == 0)
                ni->ref[l] = (signed char)k;
        ni->prop[l] = (unsigned char)in_list(ly->props, ni->canonical);
        ni->field[l] =
            ni->prop[l] ? field_find(ly->res->fields, ly->res->nfields, ni->canonical) : NULL;
    }
}

static const struct name_info *name_info(struct import *im, const char *name)
{
    uintptr_t h = ((uintptr_t)name >> 4) % NAME_MEMO;
    for (int probe = 0; probe < NAME_MEMO; probe++) {
        size_t k = (h + (uintptr_t)probe) % NAME_MEMO;
        if (im->names.from[k] == name)
            return &im->names.info[k];
        if (!im->names.from[k]) {
            im->names.from[k] = name;
            name_classify(im, name, &im->names.info[k]);
            return &im->names.info[k];
        }
    }
    /* More names than the memo holds: worked out each time. */
    struct name_info *ni = pool_alloc(im->cpool, sizeof(*ni));
    name_classify(im, name, ni);
    return ni;
}

static const char *canonical(struct import *im, const char *name)
{
    return name_info(im, name)->canonical;
}

static const struct gis_attr *attr_named(struct import *im, const struct gis_feature *f,
                                         const char *want)
{
    for (size_t i = 0; i < f->nattrs; i++)
        if (strcmp(canonical(im, f->attrs[i].name), want) == 0)
            return &f->attrs[i];
    return NULL;
}

/* ---- errors ---- */

/* A JSON Pointer token (RFC 6901: "~" and "/" escaped). */
static void pointer_append(char *out, size_t size, const char *token)
{
    size_t o = strlen(out);
    if (o + 1 < size)
        out[o++] = '/';
    for (const char *c = token; *c && o + 2 < size; c++) {
        if (*c == '~' || *c == '/') {
            out[o++] = '~';
            out[o++] = *c == '~' ? '0' : '1';
        } else {
            out[o++] = *c;
        }
    }
    out[o] = '\0';
}

/* Lists a problem of feature f: at where ("properties", "geometry", or
 * NULL for the feature), in the file's attribute attr (NULL: none), of the
 * fibertrack field field. */
static void add_error(struct import *im, const struct gis_feature *f, const char *code,
                      const char *where, const char *attr, const char *field, const char *detail)
{
    im->nerrors++;
    if (im->nerrors > MAX_ERRORS)
        return;
    cJSON *e = cJSON_CreateObject();
    char ptr[300];
    snprintf(ptr, sizeof(ptr), "%s/%d", f->pointer, f->index);
    if (where) {
        /* where may hold several tokens ("geometry/coordinates"). */
        char tokens[64];
        snprintf(tokens, sizeof(tokens), "%s", where);
        for (char *save = NULL, *t = strtok_r(tokens, "/", &save); t;
             t = strtok_r(NULL, "/", &save))
            pointer_append(ptr, sizeof(ptr), t);
    }
    if (attr && *attr)
        pointer_append(ptr, sizeof(ptr), attr);
    cJSON_AddStringToObject(e, "pointer", ptr);
    cJSON_AddStringToObject(e, "detail", detail);
    cJSON_AddNumberToObject(e, "index", f->index);
    cJSON_AddStringToObject(e, "layer", f->layer);
    if (code)
        cJSON_AddStringToObject(e, "code", code);
    else
        cJSON_AddNullToObject(e, "code");
    cJSON_AddStringToObject(e, "field", field && *field ? field : (where ? where : ""));
    cJSON_AddItemToArray(im->errors, e);
}

/* ---- codes ---- */

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

/* A code written as text, or as a number by a tool that took it for one. */
static const char *code_text(struct pool *pool, const struct gis_attr *a)
{
    if (!a)
        return NULL;
    if (a->kind == GIS_TEXT)
        return a->text;
    if (a->kind == GIS_INT)
        return pool_printf(pool, "%lld", a->i);
    return NULL;
}

/* The layer a feature belongs to: its layer attribute, else the name of
 * the file's layer ("segments"). -1 when neither says. */
static int layer_of(struct import *im, const struct gis_feature *f, const char **given)
{
    const struct gis_attr *a = attr_named(im, f, "layer");
    *given = a && a->kind == GIS_TEXT ? a->text : NULL;
    const char *name = a ? *given : f->layer;
    for (int l = 0; name && l < L_COUNT; l++)
        if (strcasecmp(name, layers[l].name) == 0 || strcasecmp(name, layers[l].plural) == 0)
            return l;
    return a ? -2 : -1;
}

/* First pass: the layer and code of every feature, so that references to
 * objects created by the same file resolve. */
static void collect_codes(struct import *im)
{
    for (size_t i = 0; i < im->in->n; i++) {
        const struct gis_feature *f = &im->in->features[i];
        const char *given;
        int l = layer_of(im, f, &given);
        const char *code = code_text(im->r->pool, attr_named(im, f, "code"));
        im->flayer[i] = (signed char)(l < 0 ? -1 : l);
        if (l < 0 || !code || f->problem)
            continue;
        if (idmap_get(im->seen[l], code)) {
            add_error(im, f, code, "properties", "code", "code",
                      "this code appears twice in the file");
        } else {
            idmap_put(im->seen[l], code, (long long)i + 1);
            if (idmap_get(im->existing[l], code))
                im->updates[l]++;
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

/* ---- values ---- */

/* A number written as text ("96", " 120.5", "120,5"); 0 when s is none. */
static int parse_number(const char *s, double *out)
{
    char buf[64];
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof(buf))
        return 0;
    memcpy(buf, s, n + 1);
    /* A decimal comma, as German spreadsheets write it, when there is no
     * point. */
    char *comma = strchr(buf, ',');
    if (comma && !strchr(buf, '.') && !strchr(comma + 1, ','))
        *comma = '.';
    if (strpbrk(buf, "xX"))
        return 0; /* no hexadecimal */
    char *end;
    double v = strtod(buf, &end);
    if (end == buf)
        return 0;
    while (*end == ' ')
        end++;
    if (*end || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

static int parse_bool(const char *s, int *out)
{
    static const char *const yes[] = {"true", "t", "yes", "y", "1", "ja", "wahr", NULL};
    static const char *const no[] = {"false", "f", "no", "n", "0", "nein", "falsch", NULL};
    for (int i = 0; yes[i]; i++)
        if (strcasecmp(s, yes[i]) == 0) {
            *out = 1;
            return 1;
        }
    for (int i = 0; no[i]; i++)
        if (strcasecmp(s, no[i]) == 0) {
            *out = 0;
            return 1;
        }
    return 0;
}

/* A date as GDAL writes it in CSV files (2026/05/01) or as German
 * spreadsheets do (01.05.2026), as YYYY-MM-DD in out; 0 when s is
 * neither. */
static int other_date(const char *s, char out[11])
{
    int y, m, d;
    char tail;
    if (strlen(s) != 10)
        return 0;
    if (sscanf(s, "%4d/%2d/%2d%c", &y, &m, &d, &tail) == 3 && s[4] == '/')
        snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
    else if (sscanf(s, "%2d.%2d.%4d%c", &d, &m, &y, &tail) == 3 && s[2] == '.')
        snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
    else
        return 0;
    return 1;
}

/* The JSON value of an attribute for field fd, the way GIS files write
 * values: text fields take numbers (postcode 1234, house number 5), number
 * fields take numbers written as text (CSV), booleans come as 0/1 or words.
 * What does not fit is passed on as it is, for the field's own message. */
static cJSON *json_value(const struct gis_attr *a, const struct field *fd)
{
    int numeric = fd->type == FT_INT || fd->type == FT_DECIMAL || fd->type == FT_MONEY ||
                  fd->type == FT_RATE || fd->type == FT_LAT || fd->type == FT_LON;
    char text[40];
    switch (a->kind) {
    case GIS_TEXT: {
        double v;
        int b;
        if (numeric && parse_number(a->text, &v))
            return cJSON_CreateNumber(v);
        if (fd->type == FT_BOOL && parse_bool(a->text, &b))
            return cJSON_CreateBool(b);
        if (fd->type == FT_DATE && other_date(a->text, text))
            return cJSON_CreateString(text);
        return cJSON_CreateString(a->text);
    }
    case GIS_INT:
        if (fd->type == FT_BOOL && (a->i == 0 || a->i == 1))
            return cJSON_CreateBool(a->i == 1);
        if (numeric || fd->type == FT_BOOL)
            return cJSON_CreateNumber((double)a->i);
        snprintf(text, sizeof(text), "%lld", a->i);
        return cJSON_CreateString(text);
    case GIS_REAL:
        if (numeric || fd->type == FT_BOOL)
            return cJSON_CreateNumber(a->d);
        snprintf(text, sizeof(text), "%.15g", a->d);
        return cJSON_CreateString(text);
    case GIS_BOOL:
        return cJSON_CreateBool(a->i != 0);
    case GIS_NESTED:
        break;
    }
    return cJSON_CreateObject();
}

/* Great-circle length of a line in metres. */
static double line_length(const double *x, const double *y, size_t n)
{
    double total = 0;
    for (size_t i = 1; i < n; i++) {
        double lo1 = x[i - 1] * M_PI / 180, la1 = y[i - 1] * M_PI / 180;
        double lo2 = x[i] * M_PI / 180, la2 = y[i] * M_PI / 180;
        double a = sin((la2 - la1) / 2) * sin((la2 - la1) / 2) +
                   cos(la1) * cos(la2) * sin((lo2 - lo1) / 2) * sin((lo2 - lo1) / 2);
        total += 2 * 6371008.8 * asin(sqrt(a));
    }
    return round(total * 100) / 100;
}

/* Positions are kept to 7 decimals (about 1 cm), as exports write them, so
 * that a file exported and imported again is unchanged. */
static double seven(double v) { return round(v * 1e7) / 1e7; }

/* ---- checking ---- */

static void take_properties(struct import *im, struct item *it, const struct layer *ly, cJSON *body)
{
    const struct gis_feature *f = it->f;
    /* The code as text, also where a tool wrote it as a number. */
    cJSON_AddStringToObject(body, "code", it->code);
    for (size_t i = 0; i < f->nattrs; i++) {
        const struct gis_attr *a = &f->attrs[i];
        const struct name_info *ni = name_info(im, a->name);
        const char *name = ni->canonical;
        int ref = ni->ref[it->layer];
        if (ref >= 0) {
            const char *code = code_text(im->cpool, a);
            if (!code)
                add_error(im, f, it->code, "properties", a->name, name,
                          "must be the code of an object");
            else if (!ref_known(im, &ly->refs[ref], code))
                add_error(im, f, it->code, "properties", a->name, name,
                          "names no object of this project or of this file");
            else
                it->ref_codes[ref] = code;
            continue;
        }
        if (ni->skip)
            continue;
        if (!ni->prop[it->layer]) {
            add_error(im, f, it->code, "properties", a->name, name,
                      "is not a property of this layer");
            continue;
        }
        if (ni->field[it->layer])
            cJSON_AddItemToObject(body, name, json_value(a, ni->field[it->layer]));
    }
}

/* The feature's geometry as the resource's fields take it. Returns 0, or
 * -1 after listing a problem. */
static int take_geometry(struct import *im, struct item *it, const struct layer *ly, cJSON *body)
{
    const struct gis_feature *f = it->f;
    if (f->shape == GIS_NO_GEOMETRY)
        return 0; /* a feature without a location */
    if (f->shape != ly->shape) {
        char msg[80];
        snprintf(msg, sizeof(msg), "a %s needs a %s geometry", ly->name, ly->geometry);
        add_error(im, f, it->code, "geometry", NULL, "geometry", msg);
        return -1;
    }
    if (f->shape == GIS_POINT) {
        /* lon and lat, whose fields check the range. */
        cJSON_AddNumberToObject(body, "lon", seven(f->x[0]));
        cJSON_AddNumberToObject(body, "lat", seven(f->y[0]));
        return 0;
    }
    cJSON *g = cJSON_AddObjectToObject(body, "geometry");
    cJSON_AddStringToObject(g, "type", "LineString");
    cJSON *coords = cJSON_AddArrayToObject(g, "coordinates");
    for (size_t i = 0; i < f->npoints; i++) {
        cJSON *pt = cJSON_CreateArray();
        cJSON_AddItemToArray(pt, cJSON_CreateNumber(seven(f->x[i])));
        cJSON_AddItemToArray(pt, cJSON_CreateNumber(seven(f->y[i])));
        cJSON_AddItemToArray(coords, pt);
    }
    if (!cJSON_GetObjectItemCaseSensitive(body, "planned_length_m") && !it->id)
        cJSON_AddNumberToObject(body, "planned_length_m", line_length(f->x, f->y, f->npoints));
    return 0;
}

/* Projected coordinates read as if they were degrees are far out of
 * range: the message then names the fix. */
static const char *range_hint(const struct gis_feature *f)
{
    for (size_t i = 0; i < f->npoints; i++)
        if (fabs(f->x[i]) > 180 || fabs(f->y[i]) > 90)
            return "; the file looks projected (metres, not degrees): name its coordinate "
                   "system, e.g. ?crs=EPSG:25832 for ETRS89 / UTM 32N";
    return "";
}

static void check_feature(struct import *im, size_t index)
{
    struct req *r = im->r;
    const struct gis_feature *f = &im->in->features[index];
    const char *code = code_text(im->cpool, attr_named(im, f, "code"));
    if (f->problem && !*f->problem_at) {
        add_error(im, f, code, NULL, NULL, NULL, f->problem);
        return;
    }
    const char *given;
    int l = layer_of(im, f, &given);
    if (l < 0) {
        add_error(im, f, code, "properties", "layer", "layer",
                  l == -2 ? "must be node, segment or premise"
                          : "is required: give each feature a layer (node, segment or premise), "
                            "or name the file's layers nodes, segments and premises");
        return;
    }
    const struct layer *ly = &layers[l];
    if (f->problem) {
        add_error(im, f, code, f->problem_at, NULL, f->problem_at, f->problem);
        return;
    }
    if (!code || !*code) {
        add_error(im, f, NULL, "properties", "code", "code",
                  "is required: objects are matched by code");
        return;
    }
    struct item *it = &im->items[index];
    memset(it, 0, sizeof(*it));
    it->f = f;
    it->layer = l;
    it->code = code;
    it->id = idmap_get(im->existing[l], code);

    /* The properties as a body for the resource's own validation. This
     * feature's scratch JSON lives in its own pool, freed before the next
     * feature, so that memory does not grow with the size of the file. */
    struct pool *scratch = pool_new();
    cJSON *body = pool_json(scratch, cJSON_CreateObject());
    int before = im->nerrors;
    take_properties(im, it, ly, body);
    if (take_geometry(im, it, ly, body) < 0) {
        pool_free(scratch);
        return;
    }
    cJSON *errs = pool_json(scratch, cJSON_CreateArray());
    struct value *vals = pool_alloc(scratch, sizeof(struct value) * ly->res->nfields);
    size_t nvals = 0;
    validate_body(ly->res->fields, ly->res->nfields, body, !it->id, im->cpool, errs, vals, &nvals);
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
        cJSON *stored = pool_json(scratch, stored_json(im, l, it->code));
        if (stored)
            ly->res->check(r, stored, pool_json(scratch, resource_merge(stored, body)), errs);
    }
    for (const cJSON *e = errs->child; e; e = e->next) {
        const char *ptr = cJSON_GetObjectItemCaseSensitive(e, "pointer")->valuestring;
        const char *field = ptr[0] == '/' ? ptr + 1 : ptr;
        const char *detail = cJSON_GetObjectItemCaseSensitive(e, "detail")->valuestring;
        int in_geom = strcmp(field, "geometry") == 0 || strcmp(field, "lat") == 0 ||
                      strcmp(field, "lon") == 0;
        if (in_geom) {
            char msg[400];
            snprintf(msg, sizeof(msg), "%s%s", detail, range_hint(f));
            add_error(im, f, code, "geometry", NULL, "geometry", msg);
        } else {
            /* The attribute as the file names it, for the pointer. */
            const struct gis_attr *a = attr_named(im, f, field);
            add_error(im, f, code, "properties", a ? a->name : field, field, detail);
        }
    }
    if (im->nerrors == before) {
        it->vals = pool_alloc(im->cpool, sizeof(struct value) * (nvals ? nvals : 1));
        memcpy(it->vals, vals, sizeof(struct value) * nvals);
        it->nvals = nvals;
        it->valid = 1;
        im->nitems++;
    }
    pool_free(scratch);
}

/* ---- writing ---- */

/* The stored columns of a layer, in statement order. */
static const char *const node_cols[] = {"code", "kind", "name", "lat", "lon", NULL};
/* Premise columns whose database default applies when a new feature
 * leaves them out (DEFAULT(col) of a column without one is an error). */
static const char *const defaulted_premise_cols[] = {"kind", "units_residential", "units_business",
                                                     "white_spot", NULL};
static const char *const segment_cols[] = {"code",           "street",     "kind",
                                           "method",         "surface",    "planned_length_m",
                                           "fiber_count",    "duct_type",  "duct_type_code",
                                           "laying_depth_m", "co_laying",  "planned_start",
                                           "planned_end",    "geometry",   "lot_id",
                                           "from_node_id",   "to_node_id", NULL};
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

/* The value expression of a column on insert: a value the file leaves out
 * keeps the column's default. */
static void add_insert_expr(struct sbuf *b, int layer, const char *col)
{
    const char *value = strcmp(col, "geometry") == 0 ? "ST_GeomFromGeoJSON(?)" : "?";
    if (!(layer == L_PREMISE && in_list(defaulted_premise_cols, col))) {
        sbuf_add(b, value);
        return;
    }
    sbuf_add(b, "COALESCE(");
    sbuf_add(b, value);
    sbuf_add(b, ", DEFAULT(");
    sbuf_add(b, col);
    sbuf_add(b, "))");
}

/* The statement column of each field of layer l, made once. */
static const int *field_cols(struct import *im, int l)
{
    if (im->field_col[l])
        return im->field_col[l];
    const struct resource *res = layers[l].res;
    int *map = pool_alloc(im->r->pool, sizeof(int) * res->nfields);
    for (size_t f = 0; f < res->nfields; f++) {
        map[f] = -1;
        for (int c = 0; layer_cols[l][c]; c++)
            if (strcmp(layer_cols[l][c], res->fields[f].name) == 0)
                map[f] = c;
    }
    im->field_col[l] = map;
    return map;
}

/* The parameters of one item in column order. */
static int item_params(struct import *im, struct item *it, struct db_param *p)
{
    int n = ncols(it->layer);
    const struct layer *ly = &layers[it->layer];
    const int *map = field_cols(im, it->layer);
    for (int c = 0; c < n; c++)
        p[c] = DB_NULLP;
    for (size_t v = 0; v < it->nvals; v++) {
        int c = map[it->vals[v].field - ly->res->fields];
        if (c >= 0 && resource_bind(im->r, &it->vals[v], &p[c]) < 0)
            return -1;
    }
    for (int k = 0; ly->refs[k].prop; k++) {
        if (!it->ref_codes[k])
            continue;
        const struct layer_ref *ref = &ly->refs[k];
        long long id = ref->target < 0 ? idmap_get(im->lots, it->ref_codes[k])
                       : im->written[ref->target]
                           ? idmap_get(im->written[ref->target], it->ref_codes[k])
                           : idmap_get(im->existing[ref->target], it->ref_codes[k]);
        for (int c = 0; c < n; c++)
            if (strcmp(layer_cols[it->layer][c], ref->column) == 0)
                p[c] = DB_INTP(id);
    }
    return 0;
}

/* The INSERT of count new rows of layer l. */
static char *insert_sql(struct pool *pool, int l, int count)
{
    int n = ncols(l);
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
        add_insert_expr(&row, l, layer_cols[l][c]);
    }
    sbuf_add(&sql, ") VALUES ");
    sbuf_add(&row, ")");
    for (int i = 0; i < count; i++) {
        if (i)
            sbuf_add(&sql, ", ");
        sbuf_add(&sql, row.s);
    }
    return sql.s;
}

/* New rows: one INSERT of count rows. */
static int insert_batch(struct import *im, int l, struct item **batch, int count)
{
    int n = ncols(l);
    struct pool *pool = pool_new();
    const char *sql;
    if (count == GIS_BATCH) {
        if (!im->insert_sql[l])
            im->insert_sql[l] = insert_sql(im->r->pool, l, count);
        sql = im->insert_sql[l];
    } else {
        sql = insert_sql(pool, l, count);
    }
    struct db_param *p =
        pool_alloc(pool, sizeof(struct db_param) * (size_t)count * (size_t)(n + 1));
    for (int i = 0; i < count; i++) {
        p[i * (n + 1)] = DB_INTP(im->project_id);
        if (item_params(im, batch[i], &p[i * (n + 1) + 1]) < 0) {
            pool_free(pool);
            return DB_ERROR;
        }
    }
    double t0 = clock_mono();
    enum db_rc rc = db_exec(im->r->db, pool, sql, p, (size_t)count * (size_t)(n + 1), NULL);
    im->exec_total += clock_mono() - t0;
    pool_free(pool);
    return rc;
}

/* The SQL type a column's values take in JSON_TABLE. */
static const char *column_type(int l, const char *col, char *buf, size_t size)
{
    if (strcmp(col, "geometry") == 0)
        return "LONGTEXT";
    const struct field *f = field_find(layers[l].res->fields, layers[l].res->nfields, col);
    switch (f ? f->type : FT_REF) {
    case FT_ID:
    case FT_INT:
    case FT_REF:
    case FT_MONEY:
    case FT_BOOL:
        return "BIGINT";
    case FT_DECIMAL:
        return "DECIMAL(14,2)";
    case FT_RATE:
        return "DECIMAL(8,4)";
    case FT_LAT:
    case FT_LON:
        return "DOUBLE";
    case FT_DATE:
        return "DATE";
    case FT_STRING:
    case FT_EMAIL:
        snprintf(buf, size, "VARCHAR(%d)", (int)f->max);
        return buf;
    case FT_ENUM:
    case FT_TIMESTAMP:
    case FT_GEOMETRY:
    case FT_PASSWORD:
    case FT_JSON:
        break;
    }
    return "VARCHAR(64)";
}

/* The UPDATE of stored rows of layer l from a JSON array of rows [id,
 * value, ...]. A value the file leaves out (null) keeps the stored one; a
 * row whose values all equal the stored ones is not touched, so its
 * version stays and it counts as unchanged. */
static char *update_sql(struct pool *pool, int l)
{
    int n = ncols(l);
    struct sbuf sql;
    sbuf_init(&sql, pool);
    sbuf_add(&sql, "UPDATE ");
    sbuf_add(&sql, layers[l].table);
    sbuf_add(&sql, " t JOIN JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$[0]'");
    char expr[200], type[32];
    for (int c = 0; c < n; c++) {
        snprintf(expr, sizeof(expr), ", v%d %s PATH '$[%d]'", c,
                 column_type(l, layer_cols[l][c], type, sizeof(type)), c + 1);
        sbuf_add(&sql, expr);
    }
    sbuf_add(&sql, ")) v ON t.id = v.id SET ");
    for (int c = 0; c < n; c++) {
        const char *col = layer_cols[l][c];
        if (strcmp(col, "geometry") == 0)
            snprintf(expr, sizeof(expr), "t.%s = COALESCE(ST_GeomFromGeoJSON(v.v%d), t.%s), ", col,
                     c, col);
        else
            snprintf(expr, sizeof(expr), "t.%s = COALESCE(v.v%d, t.%s), ", col, c, col);
        sbuf_add(&sql, expr);
    }
    sbuf_add(&sql,
             "t.version = t.version + 1, t.updated_at = NOW(3) WHERE t.project_id = ? AND NOT (");
    for (int c = 0; c < n; c++) {
        const char *col = layer_cols[l][c];
        if (strcmp(col, "geometry") == 0)
            snprintf(expr, sizeof(expr), "%st.%s <=> COALESCE(ST_GeomFromGeoJSON(v.v%d), t.%s)",
                     c ? " AND " : "", col, c, col);
        else
            snprintf(expr, sizeof(expr), "%st.%s <=> COALESCE(v.v%d, t.%s)", c ? " AND " : "", col,
                     c, col);
        sbuf_add(&sql, expr);
    }
    sbuf_add(&sql, ")");
    return sql.s;
}

/* Appends a parameter as a JSON value. */
static void json_param(struct sbuf *b, const struct db_param *p)
{
    char num[40];
    switch (p->type) {
    case DBT_NULL:
        sbuf_add(b, "null");
        return;
    case DBT_INT:
        snprintf(num, sizeof(num), "%lld", p->i);
        sbuf_add(b, num);
        return;
    case DBT_DOUBLE:
        snprintf(num, sizeof(num), "%.17g", p->d);
        sbuf_add(b, num);
        return;
    case DBT_TEXT:
        break;
    }
    sbuf_add(b, "\"");
    const char *start = p->s;
    for (size_t i = 0; i < p->len; i++) {
        unsigned char c = (unsigned char)p->s[i];
        if (c != '"' && c != '\\' && c >= 0x20)
            continue;
        sbuf_addn(b, start, (size_t)(p->s + i - start));
        if (c == '"' || c == '\\') {
            char esc[3] = {'\\', (char)c, 0};
            sbuf_add(b, esc);
        } else {
            snprintf(num, sizeof(num), "\\u%04x", c);
            sbuf_add(b, num);
        }
        start = p->s + i + 1;
    }
    sbuf_addn(b, start, (size_t)(p->s + p->len - start));
    sbuf_add(b, "\"");
}

/* Stored rows: one UPDATE of count rows joined to their new values (one
 * JSON parameter). Sets *changed to the rows changed. */
static int update_batch(struct import *im, int l, struct item **batch, int count,
                        long long *changed)
{
    int n = ncols(l);
    struct pool *pool = pool_new();
    if (!im->update_sql[l])
        im->update_sql[l] = update_sql(im->r->pool, l);
    struct db_param *row = pool_alloc(pool, sizeof(struct db_param) * (size_t)n);
    struct sbuf json;
    sbuf_init(&json, pool);
    sbuf_add(&json, "[");
    for (int i = 0; i < count; i++) {
        if (item_params(im, batch[i], row) < 0) {
            pool_free(pool);
            return DB_ERROR;
        }
        char id[32];
        snprintf(id, sizeof(id), "%s[%lld", i ? "," : "", batch[i]->id);
        sbuf_add(&json, id);
        for (int c = 0; c < n; c++) {
            sbuf_add(&json, ",");
            json_param(&json, &row[c]);
        }
        sbuf_add(&json, "]");
    }
    sbuf_add(&json, "]");
    struct db_param p[] = {DB_BLOBP(json.s, json.len), DB_INTP(im->project_id)};
    struct db_rows *rows = NULL;
    double t0 = clock_mono();
    enum db_rc rc = db_exec(im->r->db, pool, im->update_sql[l], p, 2, &rows);
    im->exec_total += clock_mono() - t0;
    *changed = rc == DB_OK && rows ? (long long)rows->affected : 0;
    pool_free(pool);
    return rc;
}

/* Waits until feature i is checked. Returns 1 when a problem has been
 * found meanwhile (nothing more is written), else 0. */
static int wait_checked(struct import *im, size_t i)
{
    pthread_mutex_lock(&im->mu);
    while (im->checked <= i && !im->failed)
        pthread_cond_wait(&im->cv, &im->mu);
    int failed = im->failed;
    pthread_mutex_unlock(&im->mu);
    return failed;
}

/* Writes layer l's features as they are checked. Returns a db result
 * code, or -1 when the checker found a problem. */
static int write_layer(struct import *im, int l)
{
    struct item **created = pool_alloc(im->r->pool, sizeof(struct item *) * GIS_BATCH);
    struct item **updated = pool_alloc(im->r->pool, sizeof(struct item *) * GIS_BATCH);
    int nc = 0, nu = 0, rc = DB_OK;
    size_t n = im->in->n;
    for (size_t i = 0; i <= n && rc == DB_OK; i++) {
        if (i < n && im->flayer[i] != l)
            continue;
        if (i < n && wait_checked(im, i))
            return -1;
        struct item *it = i < n ? &im->items[i] : NULL;
        if (it && !it->valid)
            continue;
        if (it && !it->id)
            created[nc++] = it;
        else if (it)
            updated[nu++] = it;
        if (nc && (nc == GIS_BATCH || !it)) {
            rc = insert_batch(im, l, created, nc);
            im->created[l] += nc;
            nc = 0;
        }
        if (rc == DB_OK && nu && (nu == GIS_BATCH || !it)) {
            long long changed = 0;
            rc = update_batch(im, l, updated, nu, &changed);
            im->updated[l] += changed;
            im->unchanged[l] += nu - changed;
            nu = 0;
        }
    }
    /* Later layers refer to this one's new rows by code. */
    if (rc == DB_OK && im->created[l])
        rc = load_codes(im, layers[l].table, &im->written[l]);
    return rc;
}

/* The checker: every feature in file order, its progress published every
 * few hundred features. */
static void *checker(void *arg)
{
    struct import *im = arg;
    size_t n = im->in->n;
    for (size_t i = 0; i < n; i++) {
        check_feature(im, i);
        if ((i & 255) == 255 || i + 1 == n) {
            pthread_mutex_lock(&im->mu);
            im->checked = i + 1;
            im->failed = im->nerrors > 0;
            pthread_cond_broadcast(&im->cv);
            pthread_mutex_unlock(&im->mu);
        }
    }
    return NULL;
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
    cJSON_AddStringToObject(o, "crs", im->in->crs ? im->in->crs : "EPSG:4326");
    return o;
}

static void import_free(struct import *im)
{
    pool_free(im->cpool);
    for (int l = 0; l < L_COUNT; l++) {
        idmap_free(im->written[l]);
        idmap_free(im->existing[l]);
        idmap_free(im->seen[l]);
        idmap_free(im->stored_row[l]);
    }
    if (im->stored_pool)
        pool_free(im->stored_pool);
    idmap_free(im->lots);
}

int gis_import_run(struct req *r, long long project_id, const struct gis_input *in, int dry_run)
{
    struct import im = {.r = r, .project_id = project_id, .in = in};
    size_t n = in->n;
    im.errors = req_json(r, cJSON_CreateArray());
    /* What the checks leave (values, texts) is needed until the rows are
     * written: it goes at the end of this attempt, on this thread. */
    im.cpool = pool_new();
    if (!im.cpool)
        return reply_problem(r, 503, "out of memory; retry shortly");
    im.items = pool_alloc(im.cpool, sizeof(struct item) * (n ? n : 1));
    im.flayer = pool_alloc(im.cpool, n ? n : 1);
    int rc = DB_OK;
    for (int l = 0; l < L_COUNT; l++) {
        im.seen[l] = idmap_new(n);
        rc = rc == DB_OK ? load_codes(&im, layers[l].table, &im.existing[l]) : rc;
    }
    if (rc == DB_OK)
        rc = load_codes(&im, "lots", &im.lots);
    if (rc == DB_OK)
        collect_codes(&im);
    for (int l = 0; l < L_COUNT && rc == DB_OK; l++)
        if (im.updates[l] && layers[l].res->check)
            rc = load_stored(&im, l);
    if (rc != DB_OK) {
        import_free(&im);
        return reply_db(r, rc);
    }
    im.failed = im.nerrors > 0; /* codes twice in the file */
    pthread_mutex_init(&im.mu, NULL);
    pthread_cond_init(&im.cv, NULL);
    pthread_t thread;
    int threaded = n > GIS_BATCH && pthread_create(&thread, NULL, checker, &im) == 0;
    if (!threaded)
        checker(&im);
    for (int l = 0; l < L_COUNT && rc == DB_OK; l++)
        rc = write_layer(&im, l);
    if (threaded)
        pthread_join(thread, NULL);
    pthread_cond_destroy(&im.cv);
    pthread_mutex_destroy(&im.mu);
    if (im.nerrors) {
        char detail[200];
        snprintf(detail, sizeof(detail), "%d problem%s in %zu features; nothing was imported%s",
                 im.nerrors, im.nerrors == 1 ? "" : "s", n,
                 im.nerrors > MAX_ERRORS ? " (the first 500 are listed)" : "");
        import_free(&im);
        return reply_invalid_detail(r, detail, im.errors);
    }
    cJSON *out = rc == DB_OK ? req_json(r, counts_json(&im)) : NULL;
    if (rc == DB_OK && !dry_run)
        rc = audit_write(r, "import", "project", project_id, NULL, out);
    import_free(&im);
    if (rc != DB_OK)
        return reply_db(r, rc);
    cJSON_AddBoolToObject(out, "dry_run", dry_run);
    log_msg(LOG_DEBUG, "import of %zu features: %.3f s after the request arrived, %.3f s in writes",
            n, clock_mono() - r->received_at, im.exec_total);
    r->rollback_only = dry_run;
    return reply_json(r, 200, out);
}
