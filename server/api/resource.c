/* resource.c — list, get, create, update and delete driven by a resource
 * description. */
#include "api/resource.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/audit.h"
#include "api/pipeline.h"
#include "db/db.h"
#include "domain/cursor.h"
#include "domain/etag.h"
#include "domain/validate.h"
#include "http/reply.h"
#include "identity/credentials.h"
#include "util/log.h"
#include "util/pool.h"
#include "util/sbuf.h"

#define MAX_PARAMS 48
#define LIST_DEFAULT 100
#define LIST_MAX 1000

static const struct resource *res_of(const struct req *r) { return r->match.route->resource; }

static int scoped(const struct req *r, const struct resource *res)
{
    return res->scope && (res->scope_roles & r->user.role);
}

static long long scope_value(const struct req *r, const struct resource *res)
{
    return res->scope_by == SCOPE_USER ? r->user.id : r->user.contractor_id;
}

static const char *column(const struct field *f) { return f->column ? f->column : f->name; }

/* How many '?' a fragment of SQL holds (none when it is NULL). */
static size_t marks(const char *sql)
{
    size_t n = 0;
    for (const char *c = sql; c && *c; c++)
        n += *c == '?';
    return n;
}

int resource_params_fit(const struct resource *res)
{
    size_t filters = 0;
    for (size_t i = 0; i < res->nfields; i++)
        filters += (res->fields[i].flags & F_FILTER) != 0;
    size_t scope = marks(res->scope);
    /* A list binds each filter, updated_since, the search, the scope, the
     * cursor and the limit; an update every field and the id (a create
     * binds fewer); a read the id and the scope. */
    size_t list = filters + 1 + marks(res->search) + scope + 2;
    size_t update = res->nfields + 1;
    size_t load = 1 + scope;
    return list <= MAX_PARAMS && update <= MAX_PARAMS && load <= MAX_PARAMS;
}

/* Checked before any statement of res is built, so that no description
 * can make one write past its parameter array. Returns DB_OK, or
 * DB_ERROR (logged). */
static enum db_rc params_guard(const struct resource *res)
{
    if (resource_params_fit(res))
        return DB_OK;
    log_msg(LOG_ERROR, "resource %s binds more than %d parameters", res->name, MAX_PARAMS);
    return DB_ERROR;
}

/* Adds the scope condition and one parameter per '?'. */
static void add_scope(struct req *r, const struct resource *res, struct sbuf *sql,
                      struct db_param *p, size_t *np)
{
    if (!scoped(r, res))
        return;
    sbuf_add(sql, " AND (");
    sbuf_add(sql, res->scope);
    sbuf_add(sql, ")");
    for (const char *c = res->scope; *c; c++)
        if (*c == '?')
            p[(*np)++] = DB_INTP(scope_value(r, res));
}

/* Whether field i is returned: write-only fields never are, and a list may
 * ask for some fields only (mask NULL: all). */
static int returned(const struct resource *res, size_t i, const unsigned char *mask)
{
    return !(res->fields[i].flags & F_WRITEONLY) && (!mask || mask[i]);
}

static void add_select(struct sbuf *b, const struct resource *res, const unsigned char *mask)
{
    sbuf_add(b, "SELECT ");
    int first = 1;
    for (size_t i = 0; i < res->nfields; i++) {
        const struct field *f = &res->fields[i];
        if (!returned(res, i, mask))
            continue;
        if (!first)
            sbuf_add(b, ", ");
        first = 0;
        if (f->expr) {
            sbuf_add(b, f->expr);
        } else if (f->type == FT_TIMESTAMP) {
            sbuf_add(b, "CONCAT(DATE_FORMAT(t.");
            sbuf_add(b, column(f));
            sbuf_add(b, ", '%Y-%m-%dT%H:%i:%s.'), LPAD(MICROSECOND(t.");
            sbuf_add(b, column(f));
            sbuf_add(b, ") DIV 1000, 3, '0'), 'Z')");
        } else if (f->type == FT_GEOMETRY) {
            sbuf_add(b, "ST_AsGeoJSON(t.");
            sbuf_add(b, column(f));
            sbuf_add(b, ", 7)");
        } else {
            sbuf_add(b, "t.");
            sbuf_add(b, column(f));
        }
    }
    sbuf_add(b, " FROM ");
    sbuf_add(b, res->table);
    sbuf_add(b, " t");
}

static cJSON *cell_json(const struct field *f, const char *cell)
{
    if (!cell)
        return cJSON_CreateNull();
    switch (f->type) {
    case FT_ID:
    case FT_INT:
    case FT_REF:
    case FT_MONEY:
    case FT_DECIMAL:
    case FT_RATE:
    case FT_LAT:
    case FT_LON:
        return cJSON_CreateNumber(strtod(cell, NULL));
    case FT_BOOL:
        return cJSON_CreateBool(strcmp(cell, "1") == 0);
    case FT_GEOMETRY:
    case FT_JSON:
        /* GeoJSON from ST_AsGeoJSON and audit JSON we wrote ourselves are
         * passed through as they are, not parsed and printed again. */
        return cJSON_CreateRaw(cell);
    default:
        return cJSON_CreateString(cell);
    }
}

static cJSON *row_json(const struct resource *res, const struct db_rows *rows, size_t row,
                       const unsigned char *mask)
{
    cJSON *o = cJSON_CreateObject();
    size_t col = 0;
    for (size_t i = 0; i < res->nfields; i++) {
        const struct field *f = &res->fields[i];
        if (!returned(res, i, mask))
            continue;
        cJSON_AddItemToObject(o, f->name, cell_json(f, db_cell(rows, row, col)));
        col++;
    }
    return o;
}

enum db_rc resource_load(struct req *r, const struct resource *res, long long id, int for_update,
                         cJSON **out)
{
    struct sbuf sql;
    struct db_param p[MAX_PARAMS];
    size_t np = 0;
    *out = NULL;
    if (params_guard(res) != DB_OK)
        return DB_ERROR;
    sbuf_init(&sql, r->pool);
    add_select(&sql, res, NULL);
    sbuf_add(&sql, " WHERE t.id = ?");
    p[np++] = DB_INTP(id);
    add_scope(r, res, &sql, p, &np);
    if (for_update)
        sbuf_add(&sql, " FOR UPDATE");
    struct db_rows *rows;
    enum db_rc rc = db_exec(r->db, r->pool, sql.s, p, np, &rows);
    if (rc == DB_OK && rows->nrows == 1)
        *out = req_json(r, row_json(res, rows, 0, NULL));
    return rc;
}

void resource_etag(struct req *r, const cJSON *obj)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "version");
    if (!cJSON_IsNumber(v))
        return;
    char etag[32];
    snprintf(etag, sizeof(etag), "\"%lld\"", (long long)v->valuedouble);
    req_add_header(r, "ETag", etag);
}

int resource_if_match(struct req *r, struct if_match *m)
{
    const char *h = r->if_match;
    if (!h || !h[strspn(h, " \t")])
        return reply_problem(r, 428,
                             "send If-Match with the ETag you last read, so that "
                             "nobody's change is overwritten unseen");
    /* A malformed value leaves m matching nothing: the change is refused
     * with 412 once the object is known to exist, like a stale ETag. */
    (void)etag_parse_if_match(h, m);
    return 0;
}

static int not_found(struct req *r, const struct resource *res, const char *id)
{
    return reply_problem(r, 404, "no %s with id %s", res->entity, id);
}

/* ---- list ---- */

static int bad_filter(struct req *r, const char *key, const char *why)
{
    return reply_problem(r, 400, "query parameter '%s' %s", key, why);
}

int resource_sortable(const struct field *f)
{
    return !(f->flags & (F_WRITEONLY | F_VIRTUAL)) && f->type != FT_GEOMETRY && f->type != FT_JSON;
}

int resource_list(struct req *r)
{
    const struct resource *res = res_of(r);
    struct sbuf sql;
    struct db_param p[MAX_PARAMS];
    size_t np = 0;
    long long limit = LIST_DEFAULT, after = 0;
    if (params_guard(res) != DB_OK)
        return reply_db(r, DB_ERROR);

    for (size_t i = 0; i < r->nquery; i++) {
        /* The http layer refuses a parameter given twice. */
        const char *k = r->query[i].key;
        const struct field *f = field_find(res->fields, res->nfields, k);
        int known = strcmp(k, "limit") == 0 || strcmp(k, "cursor") == 0 ||
                    strcmp(k, "fields") == 0 || strcmp(k, "updated_since") == 0 ||
                    strcmp(k, "updated_before") == 0 || strcmp(k, "sort") == 0 ||
                    (strcmp(k, "q") == 0 && res->search) || (f && (f->flags & F_FILTER));
        if (!known) {
            char names[512];
            size_t o = (size_t)snprintf(names, sizeof(names),
                                        "limit, cursor, sort, fields, updated_since%s",
                                        res->search ? ", q" : "");
            for (size_t j = 0; j < res->nfields && o < sizeof(names); j++)
                if (res->fields[j].flags & F_FILTER)
                    o +=
                        (size_t)snprintf(names + o, sizeof(names) - o, ", %s", res->fields[j].name);
            return reply_problem(r, 400, "unknown query parameter '%s'; this list takes %s", k,
                                 names);
        }
    }
    const char *v = req_query(r, "limit");
    if (v) {
        char *end;
        limit = strtoll(v, &end, 10);
        if (*end || end == v || limit < 1 || limit > LIST_MAX)
            return bad_filter(r, "limit", "must be an integer from 1 to 1000");
    }
    /* ?sort=name or -name: another order than the ids', paged by position. */
    const struct field *sort = NULL;
    int descending = 0;
    long long offset = 0;
    v = req_query(r, "sort");
    if (v) {
        descending = *v == '-';
        sort = field_find(res->fields, res->nfields, v + descending);
        if (!sort || !resource_sortable(sort))
            return bad_filter(r, "sort",
                              "must name a field of the list, with '-' before it for the "
                              "descending order");
    }
    v = req_query(r, "cursor");
    if (v && sort) {
        offset = cursor_decode_offset(v);
        if (offset < 0)
            return bad_filter(r, "cursor", "is not a cursor this server gave out for this order");
    } else if (v) {
        after = cursor_decode(v);
        if (after < 0)
            return bad_filter(r, "cursor", "is not a cursor this server gave out");
    }

    /* ?fields=a,b keeps big lists (a map's thousands of segments) small;
     * the id always comes first, for the cursor. */
    unsigned char *mask = NULL;
    v = req_query(r, "fields");
    if (v) {
        mask = pool_alloc(r->pool, res->nfields);
        mask[0] = 1;
        const char *name = v;
        while (*name) {
            size_t n = strcspn(name, ",");
            int found = 0;
            for (size_t i = 0; i < res->nfields; i++) {
                if (strlen(res->fields[i].name) == n &&
                    strncmp(res->fields[i].name, name, n) == 0 &&
                    !(res->fields[i].flags & F_WRITEONLY)) {
                    mask[i] = 1;
                    found = 1;
                }
            }
            if (!found)
                return reply_problem(r, 400,
                                     "query parameter 'fields' names '%.*s', which is not a "
                                     "field of %s",
                                     (int)(n > 64 ? 64 : n), name, res->name);
            name += n;
            if (*name == ',')
                name++;
        }
    }

    sbuf_init(&sql, r->pool);
    add_select(&sql, res, mask);
    sbuf_add(&sql, " WHERE 1 = 1");
    for (size_t i = 0; i < res->nfields; i++) {
        const struct field *f = &res->fields[i];
        if (!(f->flags & F_FILTER) || !(v = req_query(r, f->name)))
            continue;
        struct db_param val;
        if (f->type == FT_REF || f->type == FT_ID || f->type == FT_INT) {
            long long id = parse_id(v);
            if (!id)
                return bad_filter(r, f->name, "must be a positive integer");
            val = DB_INTP(id);
        } else if (f->type == FT_BOOL) {
            if (strcmp(v, "true") && strcmp(v, "false"))
                return bad_filter(r, f->name, "must be true or false");
            val = DB_INTP(strcmp(v, "true") == 0);
        } else if (f->type == FT_ENUM) {
            const char *const *e = f->values;
            while (*e && strcmp(*e, v))
                e++;
            if (!*e)
                return bad_filter(r, f->name, "is not one of the allowed values");
            val = DB_TEXTP(*e);
        } else if (f->type == FT_DATE) {
            if (!valid_date(v))
                return bad_filter(r, f->name, "must be a date (YYYY-MM-DD)");
            val = DB_TEXTP(v);
        } else {
            if (strlen(v) > 200 || !valid_utf8(v, strlen(v)))
                return bad_filter(r, f->name, "is too long or not UTF-8");
            val = DB_TEXTP(v);
        }
        if (f->expr) {
            sbuf_add(&sql, " AND (");
            sbuf_add(&sql, f->expr);
            sbuf_add(&sql, ") = ?");
        } else {
            sbuf_add(&sql, " AND t.");
            sbuf_add(&sql, column(f));
            sbuf_add(&sql, " = ?");
        }
        p[np++] = val;
    }
    /* A time window on the list's time column: from (inclusive), before
     * (exclusive). */
    static const struct {
        const char *param, *op;
    } window[] = {{"updated_since", " >= ?"}, {"updated_before", " < ?"}};
    for (size_t w = 0; w < sizeof(window) / sizeof(window[0]); w++) {
        v = req_query(r, window[w].param);
        if (!v)
            continue;
        char ts[32];
        if (parse_timestamp(v, ts) < 0)
            return bad_filter(r, window[w].param, "must be an RFC 3339 timestamp");
        sbuf_add(&sql, " AND t.");
        sbuf_add(&sql, res->time_column ? res->time_column : "updated_at");
        sbuf_add(&sql, window[w].op);
        p[np++] = DB_TEXTP(pool_strdup(r->pool, ts));
    }
    v = req_query(r, "q");
    if (v && res->search) {
        if (utf8_chars(v) > 100 || !valid_utf8(v, strlen(v)))
            return bad_filter(r, "q", "must be at most 100 characters of UTF-8");
        /* LIKE wildcards in the search text are matched literally. */
        struct sbuf pat;
        sbuf_init(&pat, r->pool);
        sbuf_add(&pat, "%");
        for (const char *c = v; *c; c++) {
            if (*c == '%' || *c == '_' || *c == '\\')
                sbuf_add(&pat, "\\");
            sbuf_addn(&pat, c, 1);
        }
        sbuf_add(&pat, "%");
        sbuf_add(&sql, " AND (");
        sbuf_add(&sql, res->search);
        sbuf_add(&sql, ")");
        for (const char *c = res->search; *c; c++)
            if (*c == '?')
                p[np++] = DB_TEXTP(pat.s);
    }
    add_scope(r, res, &sql, p, &np);
    if (sort) {
        /* The id breaks ties, so that pages neither repeat nor skip items
         * of equal value. */
        sbuf_add(&sql, " ORDER BY ");
        if (sort->expr) {
            sbuf_add(&sql, "(");
            sbuf_add(&sql, sort->expr);
            sbuf_add(&sql, ")");
        } else {
            sbuf_add(&sql, "t.");
            sbuf_add(&sql, column(sort));
        }
        sbuf_add(&sql, descending ? " DESC, t.id LIMIT ? OFFSET ?" : ", t.id LIMIT ? OFFSET ?");
        p[np++] = DB_INTP(limit + 1);
        p[np++] = DB_INTP(offset);
    } else {
        sbuf_add(&sql, " AND t.id > ? ORDER BY t.id LIMIT ?");
        p[np++] = DB_INTP(after);
        p[np++] = DB_INTP(limit + 1);
    }

    struct db_rows *rows;
    enum db_rc rc = db_exec(r->db, r->pool, sql.s, p, np, &rows);
    if (rc != DB_OK)
        return reply_db(r, rc);
    cJSON *out = req_json(r, cJSON_CreateObject());
    cJSON *items = cJSON_AddArrayToObject(out, "items");
    size_t n = rows->nrows > (size_t)limit ? (size_t)limit : rows->nrows;
    cJSON **objs = pool_alloc(r->pool, (n ? n : 1) * sizeof(*objs));
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(items, objs[i] = row_json(res, rows, i, mask));
    if (res->decorate && (rc = res->decorate(r, objs, n)) != DB_OK)
        return reply_db(r, rc);
    if (rows->nrows > (size_t)limit) {
        char cur[CURSOR_MAX];
        /* The id column comes first in every resource. */
        if (sort)
            cursor_encode_offset(offset + limit, cur);
        else
            cursor_encode(atoll(db_cell(rows, n - 1, 0)), cur);
        cJSON_AddStringToObject(out, "next_cursor", cur);
    } else {
        cJSON_AddNullToObject(out, "next_cursor");
    }
    return reply_json(r, 200, out);
}

/* ---- get ---- */

int resource_get(struct req *r)
{
    const struct resource *res = res_of(r);
    long long id = parse_id(req_param(r, 0));
    if (!id)
        return not_found(r, res, req_param(r, 0));
    cJSON *obj;
    int rc = resource_load(r, res, id, 0, &obj);
    if (rc != DB_OK)
        return reply_db(r, rc);
    if (!obj)
        return not_found(r, res, req_param(r, 0));
    if (res->decorate && (rc = res->decorate(r, &obj, 1)) != DB_OK)
        return reply_db(r, rc);
    if (!res->unversioned)
        resource_etag(r, obj);
    return reply_json(r, 200, obj);
}

/* ---- writes ---- */

/* Checks that referenced rows exist (and share the project where the field
 * says so). Only fields the body sets are checked. */
static int check_refs(struct req *r, const struct resource *res, const struct value *vals,
                      size_t nv, const cJSON *merged, cJSON *errors)
{
    const cJSON *proj = cJSON_GetObjectItemCaseSensitive(merged, "project_id");
    for (size_t i = 0; i < nv; i++) {
        const struct field *f = vals[i].field;
        if (f->type != FT_REF || vals[i].is_null || !f->ref_table)
            continue;
        struct sbuf sql;
        sbuf_init(&sql, r->pool);
        int same = (f->flags & F_SAME_PROJECT) && cJSON_IsNumber(proj);
        sbuf_add(&sql, same ? "SELECT project_id FROM " : "SELECT id FROM ");
        sbuf_add(&sql, f->ref_table);
        sbuf_add(&sql, " WHERE id = ?");
        struct db_rows *rows;
        struct db_param p[] = {DB_INTP(vals[i].i)};
        enum db_rc rc = db_exec(r->db, r->pool, sql.s, p, 1, &rows);
        if (rc != DB_OK)
            return rc;
        if (rows->nrows == 0)
            validation_error(errors, f->name, "names no existing object");
        else if (same && atoll(db_cell(rows, 0, 0)) != (long long)proj->valuedouble)
            validation_error(errors, f->name, "belongs to another project");
    }
    return DB_OK;
}

cJSON *resource_merge(const cJSON *before, const cJSON *body)
{
    cJSON *m = before ? cJSON_Duplicate(before, 1) : cJSON_CreateObject();
    for (const cJSON *c = body->child; c; c = c->next) {
        cJSON *dup = cJSON_Duplicate(c, 1);
        if (cJSON_GetObjectItemCaseSensitive(m, c->string))
            cJSON_ReplaceItemInObjectCaseSensitive(m, c->string, dup);
        else
            cJSON_AddItemToObject(m, c->string, dup);
    }
    return m;
}

int resource_bind(struct req *r, const struct value *v, struct db_param *p)
{
    if (v->is_null) {
        *p = DB_NULLP;
        return 0;
    }
    switch (v->field->type) {
    case FT_ID:
    case FT_INT:
    case FT_REF:
    case FT_MONEY:
    case FT_BOOL:
        *p = DB_INTP(v->i);
        return 0;
    case FT_DECIMAL:
        *p = DB_TEXTP(pool_printf(r->pool, "%.2f", v->num));
        return 0;
    case FT_RATE:
        *p = DB_TEXTP(pool_printf(r->pool, "%.4f", v->num));
        return 0;
    case FT_LAT:
    case FT_LON:
        /* Seven decimals are a centimetre: enough for a site, and stable
         * through GIS tools that print fewer digits. */
        *p = DB_DBLP(round(v->num * 1e7) / 1e7);
        return 0;
    case FT_PASSWORD: {
        char *hash = pool_alloc(r->pool, PASSWORD_HASH_LEN);
        if (cred_hash_password(v->text, hash) < 0)
            return -1;
        *p = DB_TEXTP(hash);
        return 0;
    }
    default:
        *p = DB_TEXTP(v->text);
        return 0;
    }
}

/* Moves virtual values behind the stored ones; returns how many are stored. */
static size_t drop_virtual(struct value *vals, size_t nv)
{
    size_t stored = 0;
    for (size_t i = 0; i < nv; i++) {
        if (!(vals[i].field->flags & F_VIRTUAL)) {
            struct value tmp = vals[stored];
            vals[stored++] = vals[i];
            vals[i] = tmp;
        }
    }
    return stored;
}

static const char *placeholder(const struct field *f)
{
    return f->type == FT_GEOMETRY ? "ST_GeomFromGeoJSON(?)" : "?";
}

/* The 422 for a body that validate_body refused with nerr problems, of
 * which errors lists the first VALIDATE_MAX_ERRORS. */
static int reply_body_invalid(struct req *r, int nerr, cJSON *errors)
{
    int listed = cJSON_GetArraySize(errors);
    if (nerr <= listed)
        return reply_invalid(r, errors);
    char detail[128];
    snprintf(detail, sizeof(detail),
             "%d fields of the request are invalid; the first %d are listed", nerr, listed);
    return reply_invalid_detail(r, detail, errors);
}

static int write_failed(struct req *r, const struct resource *res, int rc)
{
    if (rc == DB_DUPLICATE && res->duplicate)
        return reply_problem(r, 409, "%s", res->duplicate);
    if (rc == DB_DUPLICATE)
        return reply_problem(r, 409, "a %s with this code (or e-mail) exists already", res->entity);
    return reply_db(r, rc);
}

/* ---- writes that do not reply: the handlers below and the imports ---- */

/* Validates body as a create (before NULL) or as a change of before with
 * every rule of the resource. Returns a db result code; w->nerrors > 0 when
 * the body breaks a rule, else vals, *nv and *merged are filled. */
static enum db_rc validate_write(struct req *r, const struct resource *res, const cJSON *body,
                                 const cJSON *before, struct resource_write *w, struct value *vals,
                                 size_t *nv, cJSON **merged)
{
    w->nerrors = validate_body(res->fields, res->nfields, body, before == NULL, r->pool, w->errors,
                               vals, nv);
    if (w->nerrors)
        return DB_OK;
    *merged = req_json(r, resource_merge(before, body));
    enum db_rc rc = check_refs(r, res, vals, *nv, *merged, w->errors);
    if (rc == DB_OK && res->check)
        rc = res->check(r, before, *merged, w->errors);
    w->nerrors = cJSON_GetArraySize(w->errors);
    return rc;
}

enum db_rc resource_validate(struct req *r, const struct resource *res, const cJSON *body,
                             const cJSON *before, struct resource_write *w)
{
    struct value *vals = pool_alloc(r->pool, sizeof(struct value) * res->nfields);
    size_t nv;
    cJSON *merged;
    enum db_rc rc = params_guard(res);
    return rc == DB_OK ? validate_write(r, res, body, before, w, vals, &nv, &merged) : rc;
}

enum db_rc resource_write_create(struct req *r, const struct resource *res, const cJSON *body,
                                 const char *action, struct resource_write *w)
{
    struct value *vals = pool_alloc(r->pool, sizeof(struct value) * res->nfields);
    size_t nv;
    cJSON *merged;
    w->id = 0;
    w->after = NULL;
    w->hash_failed = 0;
    enum db_rc rc = params_guard(res);
    if (rc == DB_OK)
        rc = validate_write(r, res, body, NULL, w, vals, &nv, &merged);
    if (rc != DB_OK || w->nerrors)
        return rc;
    nv = drop_virtual(vals, nv);

    struct sbuf sql, ph;
    struct db_param p[MAX_PARAMS];
    sbuf_init(&sql, r->pool);
    sbuf_init(&ph, r->pool);
    sbuf_add(&sql, "INSERT INTO ");
    sbuf_add(&sql, res->table);
    sbuf_add(&sql, " (");
    for (size_t i = 0; i < nv; i++) {
        if (i) {
            sbuf_add(&sql, ", ");
            sbuf_add(&ph, ", ");
        }
        sbuf_add(&sql, column(vals[i].field));
        sbuf_add(&ph, placeholder(vals[i].field));
        if (resource_bind(r, &vals[i], &p[i]) < 0) {
            w->hash_failed = 1;
            return DB_ERROR;
        }
    }
    sbuf_add(&sql, ") VALUES (");
    sbuf_add(&sql, ph.s);
    sbuf_add(&sql, ")");
    struct db_rows *rows;
    rc = db_exec(r->db, r->pool, sql.s, p, nv, &rows);
    if (rc != DB_OK)
        return rc;
    w->id = (long long)rows->insert_id;
    if (res->after_write)
        rc = res->after_write(r, w->id, NULL);
    cJSON *after = NULL;
    if (rc == DB_OK)
        rc = resource_load(r, res, w->id, 0, &after);
    if (rc == DB_OK && !after)
        rc = DB_ERROR;
    if (rc == DB_OK)
        rc = audit_write(r, action, res->entity, w->id, NULL, after);
    w->after = after;
    return rc;
}

enum db_rc resource_write_update(struct req *r, const struct resource *res, long long id,
                                 const cJSON *before, const cJSON *body, const char *action,
                                 struct resource_write *w)
{
    struct value *vals = pool_alloc(r->pool, sizeof(struct value) * res->nfields);
    size_t nv;
    cJSON *merged;
    w->id = id;
    w->after = NULL;
    w->hash_failed = 0;
    enum db_rc rc = params_guard(res);
    if (rc == DB_OK)
        rc = validate_write(r, res, body, before, w, vals, &nv, &merged);
    if (rc != DB_OK || w->nerrors)
        return rc;
    size_t nall = nv;
    nv = drop_virtual(vals, nv);
    if (nv == 0) {
        w->after = before;
        return DB_OK;
    }

    struct sbuf sql;
    struct db_param p[MAX_PARAMS];
    sbuf_init(&sql, r->pool);
    sbuf_add(&sql, "UPDATE ");
    sbuf_add(&sql, res->table);
    sbuf_add(&sql, " SET ");
    for (size_t i = 0; i < nv; i++) {
        sbuf_add(&sql, column(vals[i].field));
        sbuf_add(&sql, " = ");
        sbuf_add(&sql, placeholder(vals[i].field));
        sbuf_add(&sql, ", ");
        if (resource_bind(r, &vals[i], &p[i]) < 0) {
            w->hash_failed = 1;
            return DB_ERROR;
        }
    }
    sbuf_add(&sql, "version = version + 1, updated_at = NOW(3) WHERE id = ?");
    p[nv] = DB_INTP(id);
    rc = db_exec(r->db, r->pool, sql.s, p, nv + 1, NULL);
    if (rc == DB_OK && res->after_write)
        rc = res->after_write(r, id, before);
    cJSON *after = NULL;
    if (rc == DB_OK)
        rc = resource_load(r, res, id, 0, &after);
    if (rc == DB_OK && !after)
        rc = DB_ERROR;
    w->after = after;
    if (rc == DB_OK) {
        /* Virtual fields (a reason for a change) go into the audit entry. */
        cJSON *audited = req_json(r, cJSON_Duplicate(after, 1));
        for (size_t i = nv; i < nall; i++)
            cJSON_AddItemToObject(
                audited, vals[i].field->name,
                cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(merged, vals[i].field->name), 1));
        rc = audit_write(r, action, res->entity, id, before, audited);
    }
    return rc;
}

/* The answer to a write that did not happen. */
static int write_refused(struct req *r, const struct resource *res, enum db_rc rc,
                         const struct resource_write *w)
{
    if (w->hash_failed)
        return reply_problem(r, 503, "the password could not be hashed; retry shortly");
    if (rc != DB_OK)
        return write_failed(r, res, rc);
    return reply_body_invalid(r, w->nerrors, w->errors);
}

int resource_create(struct req *r)
{
    const struct resource *res = res_of(r);
    struct resource_write w = {.errors = req_json(r, cJSON_CreateArray())};
    enum db_rc rc = resource_write_create(r, res, r->json, "create", &w);
    if (rc != DB_OK || w.nerrors)
        return write_refused(r, res, rc, &w);
    req_add_header(r, "Location", pool_printf(r->pool, "/api/v1/%s/%lld", res->name, w.id));
    resource_etag(r, w.after);
    return reply_json(r, 201, w.after);
}

int resource_load_for_change(struct req *r, const struct resource *res, long long *id,
                             cJSON **before)
{
    struct if_match m;
    *before = NULL;
    *id = parse_id(req_param(r, 0));
    int st = resource_if_match(r, &m);
    if (st)
        return st;
    if (!*id)
        return not_found(r, res, req_param(r, 0));
    int rc = resource_load(r, res, *id, 1, before);
    if (rc != DB_OK)
        return reply_db(r, rc);
    if (!*before)
        return not_found(r, res, req_param(r, 0));
    long long current =
        (long long)cJSON_GetObjectItemCaseSensitive(*before, "version")->valuedouble;
    if (!etag_matches(&m, current)) {
        *before = NULL;
        if (m.malformed)
            st = reply_problem(r, 412,
                               "If-Match is not an entity tag such as \"%lld\"; send the ETag "
                               "you last read",
                               current);
        else if (m.n == 0 && m.weak)
            st = reply_problem(r, 412,
                               "If-Match needs the strong ETag you last read, such as \"%lld\"; "
                               "a weak one (W/) never matches",
                               current);
        else
            st = reply_problem(r, 412,
                               "the %s was changed by someone else since you read it (now "
                               "version %lld); reload it and apply your change again",
                               res->entity, current);
        char etag[32];
        snprintf(etag, sizeof(etag), "\"%lld\"", current);
        req_add_header(r, "ETag", etag);
        return st;
    }
    return 0;
}

int resource_update(struct req *r)
{
    const struct resource *res = res_of(r);
    long long id;
    cJSON *before;
    int st = resource_load_for_change(r, res, &id, &before);
    if (st)
        return st;
    struct resource_write w = {.errors = req_json(r, cJSON_CreateArray())};
    enum db_rc rc = resource_write_update(r, res, id, before, r->json, "update", &w);
    if (rc != DB_OK || w.nerrors)
        return write_refused(r, res, rc, &w);
    resource_etag(r, w.after);
    return reply_json(r, 200, w.after);
}

int resource_delete(struct req *r)
{
    const struct resource *res = res_of(r);
    long long id;
    cJSON *before;
    int st = resource_load_for_change(r, res, &id, &before);
    if (st)
        return st;
    struct sbuf sql;
    sbuf_init(&sql, r->pool);
    sbuf_add(&sql, "DELETE FROM ");
    sbuf_add(&sql, res->table);
    sbuf_add(&sql, " WHERE id = ?");
    struct db_param p[] = {DB_INTP(id)};
    enum db_rc rc = db_exec(r->db, r->pool, sql.s, p, 1, NULL);
    if (rc == DB_FOREIGN_KEY) {
        return reply_problem(r, 409,
                             "the %s is still referenced by other objects; remove or "
                             "reassign them first",
                             res->entity);
    }
    if (rc == DB_OK)
        rc = audit_write(r, "delete", res->entity, id, before, NULL);
    if (rc != DB_OK)
        return reply_db(r, rc);
    return reply_raw(r, 204, NULL, NULL, 0);
}
