/* invoice_import.c — an invoice list from CSV into a project.
 *
 * Each row is matched to an invoice by contractor and number: a new one is
 * created, a known one changed where the row differs, an equal one left
 * alone, so importing the same list twice changes nothing. Every row is
 * held to the rules of POST and PATCH /invoices (domain/validate.c and the
 * invoice check); one bad row and nothing is stored, and the answer lists
 * every bad row by its line and column. The file is read on a file worker
 * (the route's prepare step), so no database worker waits for it. */
#include "api/invoice_import.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/pipeline.h"
#include "api/planning.h"
#include "api/resource.h"
#include "db/db.h"
#include "domain/invoice_csv.h"
#include "domain/validate.h"
#include "http/reply.h"
#include "reports/report_labels.h"
#include "util/pool.h"

#define MAX_LISTED 500 /* problems listed in one answer */

struct import {
    struct req *r;
    long long project;
    cJSON *errors;
    int nerrors;
    cJSON *lots;        /* code → [id, contractor id or 0], or null: none */
    cJSON *contractors; /* name or VAT id → id, 0: none, -1: several */
    cJSON *seen;        /* "contractor/number" → line */
    int created, updated, unchanged;
    cJSON *results;
};

static const char *vocab(const char *column, const char *text)
{
    return rpt_value_named(strcmp(column, "category") == 0 ? V_CATEGORY : V_INVOICE_STATUS, text);
}

static void line_error(struct import *im, int line, const char *column, const char *detail)
{
    im->nerrors++;
    if (im->nerrors > MAX_LISTED)
        return;
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "pointer", pool_printf(im->r->pool, "/lines/%d/%s", line, column));
    cJSON_AddStringToObject(e, "detail", detail);
    cJSON_AddNumberToObject(e, "line", line);
    cJSON_AddStringToObject(e, "field", column);
    cJSON_AddItemToArray(im->errors, e);
}

/* The CSV column a field of the invoice comes from. */
static const char *column_of(const char *field, const cJSON *values)
{
    static const char *const names[][2] = {{"net_cents", "net"},
                                           {"vat_cents", "vat"},
                                           {"eligible_cents", "eligible"},
                                           {"lot_id", "lot_code"}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(field, names[i][0]) == 0)
            return names[i][1];
    if (strcmp(field, "contractor_id") == 0 &&
        cJSON_GetObjectItemCaseSensitive(values, "contractor"))
        return "contractor";
    return field;
}

/* The rules a row breaks, from the generic validation ({pointer: "/field"}),
 * as problems of its line; without_contractor leaves out the contractor's
 * (reported already). */
static void rule_errors(struct import *im, int line, const cJSON *errors, const cJSON *values,
                        int without_contractor)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, errors)
    {
        const cJSON *ptr = cJSON_GetObjectItemCaseSensitive(e, "pointer");
        const cJSON *detail = cJSON_GetObjectItemCaseSensitive(e, "detail");
        const char *field =
            cJSON_IsString(ptr) && ptr->valuestring[0] == '/' ? ptr->valuestring + 1 : "";
        if (without_contractor && strcmp(field, "contractor_id") == 0)
            continue;
        line_error(im, line, column_of(field, values),
                   cJSON_IsString(detail) ? detail->valuestring : "is not valid");
    }
}

/* The id and contractor of the project's lot with this code. Returns a db
 * result code; *id is 0 when there is no such lot. */
static enum db_rc find_lot(struct import *im, const char *code, long long *id,
                           long long *contractor)
{
    const cJSON *hit = cJSON_GetObjectItemCaseSensitive(im->lots, code);
    if (!hit) {
        struct db_param p[] = {DB_INTP(im->project), DB_TEXTP(code)};
        struct db_rows *rows;
        enum db_rc rc = db_exec(im->r->db, im->r->pool,
                                "SELECT id, COALESCE(contractor_id, 0) FROM lots "
                                "WHERE project_id = ? AND code = ?",
                                p, 2, &rows);
        if (rc != DB_OK)
            return rc;
        double pair[2] = {0, 0};
        if (rows->nrows == 1) {
            pair[0] = (double)atoll(db_cell(rows, 0, 0));
            pair[1] = (double)atoll(db_cell(rows, 0, 1));
        }
        hit = cJSON_AddItemToObject(im->lots, code, cJSON_CreateDoubleArray(pair, 2))
                  ? cJSON_GetObjectItemCaseSensitive(im->lots, code)
                  : NULL;
        if (!hit)
            return DB_ERROR;
    }
    *id = (long long)cJSON_GetArrayItem(hit, 0)->valuedouble;
    *contractor = (long long)cJSON_GetArrayItem(hit, 1)->valuedouble;
    return DB_OK;
}

/* The contractor named by its name or VAT id: its id, 0 for none, -1 when
 * several match. */
static enum db_rc find_contractor(struct import *im, const char *name, long long *id)
{
    const cJSON *hit = cJSON_GetObjectItemCaseSensitive(im->contractors, name);
    if (!hit) {
        struct db_param p[] = {DB_TEXTP(name), DB_TEXTP(name)};
        struct db_rows *rows;
        enum db_rc rc =
            db_exec(im->r->db, im->r->pool,
                    "SELECT id FROM contractors WHERE name = ? OR vat_id = ? LIMIT 2", p, 2, &rows);
        if (rc != DB_OK)
            return rc;
        double v = rows->nrows == 1 ? (double)atoll(db_cell(rows, 0, 0)) : rows->nrows ? -1 : 0;
        hit = cJSON_AddNumberToObject(im->contractors, name, v);
        if (!hit)
            return DB_ERROR;
    }
    *id = (long long)hit->valuedouble;
    return DB_OK;
}

static int same_value(const cJSON *a, const cJSON *b)
{
    if (cJSON_IsNumber(a) && cJSON_IsNumber(b))
        return a->valuedouble == b->valuedouble;
    if (cJSON_IsString(a) && cJSON_IsString(b))
        return strcmp(a->valuestring, b->valuestring) == 0;
    return cJSON_IsNull(a) && cJSON_IsNull(b);
}

static void add_result(struct import *im, int line, const char *number, const char *outcome,
                       long long id)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "line", line);
    cJSON_AddStringToObject(o, "number", number ? number : "");
    cJSON_AddStringToObject(o, "outcome", outcome);
    cJSON_AddNumberToObject(o, "id", (double)id);
    cJSON_AddItemToArray(im->results, o);
}

/* Writes one row (or finds it equal). Returns a db result code; the row's
 * problems go to im->errors. */
static enum db_rc import_row(struct import *im, int line, const cJSON *values)
{
    struct req *r = im->r;
    int known = im->nerrors;
    cJSON *body = req_json(r, cJSON_Duplicate(values, 1));
    cJSON_AddNumberToObject(body, "project_id", (double)im->project);
    long long contractor = 0;
    const cJSON *cid = cJSON_GetObjectItemCaseSensitive(values, "contractor_id");
    const cJSON *cname = cJSON_GetObjectItemCaseSensitive(values, "contractor");
    const cJSON *lot = cJSON_GetObjectItemCaseSensitive(values, "lot_code");
    enum db_rc rc = DB_OK;
    if (cJSON_IsNumber(cid))
        contractor = (long long)cid->valuedouble;
    if (cJSON_IsString(cname)) {
        long long by_name;
        rc = find_contractor(im, cname->valuestring, &by_name);
        if (rc != DB_OK)
            return rc;
        if (by_name == 0)
            line_error(im, line, "contractor", "names no contractor (by name or VAT id)");
        else if (by_name < 0)
            line_error(im, line, "contractor",
                       "names several contractors; give the VAT id or contractor_id");
        else if (contractor && contractor != by_name)
            line_error(im, line, "contractor", "is another contractor than contractor_id");
        else
            contractor = by_name;
        cJSON_DeleteItemFromObjectCaseSensitive(body, "contractor");
    }
    if (cJSON_IsString(lot)) {
        long long lot_id, lot_contractor;
        rc = find_lot(im, lot->valuestring, &lot_id, &lot_contractor);
        if (rc != DB_OK)
            return rc;
        cJSON_DeleteItemFromObjectCaseSensitive(body, "lot_code");
        if (!lot_id) {
            line_error(im, line, "lot_code", "is no lot of this project");
        } else {
            cJSON_AddNumberToObject(body, "lot_id", (double)lot_id);
            if (!contractor && !cJSON_IsString(cname))
                contractor = lot_contractor;
            if (!contractor)
                line_error(im, line, "lot_code",
                           "is a lot without a contractor; name the contractor of the invoice");
        }
    }
    if (!contractor && !cJSON_IsString(cname) && !cJSON_IsString(lot))
        line_error(im, line, "contractor", "is missing: name the contractor or the lot");
    if (contractor && !cJSON_GetObjectItemCaseSensitive(body, "contractor_id"))
        cJSON_AddNumberToObject(body, "contractor_id", (double)contractor);
    const cJSON *number = cJSON_GetObjectItemCaseSensitive(values, "number");
    if (!contractor || !cJSON_IsString(number) || im->nerrors > known) {
        /* Nothing is written, but the row is held to the other rules, so
         * that every problem of it is listed at once. */
        struct resource_write w = {.errors = req_json(r, cJSON_CreateArray())};
        rc = resource_validate(r, &invoices_resource, body, NULL, &w);
        rule_errors(im, line, w.errors, values, !contractor);
        return rc;
    }

    /* The same invoice twice in one list is a mistake in the list. */
    const char *key = pool_printf(r->pool, "%lld/%s", contractor, number->valuestring);
    const cJSON *first = cJSON_GetObjectItemCaseSensitive(im->seen, key);
    if (first) {
        line_error(im, line, "number",
                   pool_printf(r->pool, "repeats the invoice of line %d", (int)first->valuedouble));
        return DB_OK;
    }
    cJSON_AddNumberToObject(im->seen, key, line);

    struct db_param p[] = {DB_INTP(contractor), DB_TEXTP(number->valuestring)};
    struct db_rows *rows;
    rc = db_exec(r->db, r->pool,
                 "SELECT id, project_id FROM invoices WHERE contractor_id = ? AND number = ? "
                 "FOR UPDATE",
                 p, 2, &rows);
    if (rc != DB_OK)
        return rc;
    struct resource_write w = {.errors = req_json(r, cJSON_CreateArray())};
    if (rows->nrows == 0) {
        rc = resource_write_create(r, &invoices_resource, body, "import", &w);
        if (rc == DB_OK && !w.nerrors) {
            im->created++;
            add_result(im, line, number->valuestring, "created", w.id);
        }
    } else {
        long long id = atoll(db_cell(rows, 0, 0));
        if (atoll(db_cell(rows, 0, 1)) != im->project) {
            line_error(im, line, "number",
                       "is an invoice of this contractor in another project already");
            return DB_OK;
        }
        cJSON *before;
        rc = resource_load(r, &invoices_resource, id, 1, &before);
        if (rc != DB_OK || !before)
            return rc != DB_OK ? rc : DB_ERROR;
        /* Only what differs is changed, so an equal row writes nothing. */
        cJSON_DeleteItemFromObjectCaseSensitive(body, "project_id");
        for (cJSON *m = body->child; m;) {
            cJSON *next = m->next;
            if (same_value(m, cJSON_GetObjectItemCaseSensitive(before, m->string)))
                cJSON_Delete(cJSON_DetachItemViaPointer(body, m));
            m = next;
        }
        if (!body->child) {
            im->unchanged++;
            add_result(im, line, number->valuestring, "unchanged", id);
            return DB_OK;
        }
        rc = resource_write_update(r, &invoices_resource, id, before, body, "import", &w);
        if (rc == DB_OK && !w.nerrors) {
            im->updated++;
            add_result(im, line, number->valuestring, "updated", id);
        }
    }
    if (w.hash_failed)
        return DB_ERROR;
    if (rc == DB_DUPLICATE) {
        line_error(im, line, "number", "is taken by another invoice of this contractor");
        return DB_OK;
    }
    if (rc == DB_OK && w.nerrors)
        rule_errors(im, line, w.errors, values, 0);
    return rc;
}

static int csv_media(const struct req *r)
{
    return req_media_is(r, "text/csv") || req_media_is(r, "text/plain");
}

/* What the file worker read of the list, for the handler. */
struct csv_prep {
    int failed;    /* the file as a whole cannot be read: why says why */
    cJSON *lines;  /* else the rows (request-owned) */
    cJSON *errors; /* the problems found so far (request-owned) */
    int nerrors;
    char why[256];
};

int invoices_import_prepare(struct req *r)
{
    struct csv_prep *p = pool_alloc(r->pool, sizeof(*p));
    memset(p, 0, sizeof(*p));
    r->prep = p;
    /* A body of another type is refused by the handler, after it has
     * checked that the project exists. */
    if (!csv_media(r))
        return 0;
    p->errors = req_json(r, cJSON_CreateArray());
    p->failed = invoice_csv_parse(r->body ? r->body : "", r->body_len, vocab, &p->lines, p->errors,
                                  &p->nerrors, MAX_LISTED, p->why, sizeof(p->why)) < 0;
    if (!p->failed)
        req_json(r, p->lines);
    return 0;
}

int invoices_import(struct req *r)
{
    static const char *const params[] = {"dry_run", NULL};
    if (reply_unknown_query(r, params, "dry_run"))
        return r->status;
    const char *dry = req_query(r, "dry_run");
    if (dry && strcmp(dry, "true") != 0 && strcmp(dry, "false") != 0)
        return reply_problem(r, 400, "query parameter 'dry_run' must be true or false");
    int dry_run = dry && strcmp(dry, "true") == 0;

    struct import im = {.r = r};
    im.project = parse_id(req_param(r, 0));
    struct db_param p[] = {DB_INTP(im.project)};
    struct db_rows *rows = NULL;
    /* Imports into one project take turns: two lists with the same new
     * invoice must not both see it missing. */
    enum db_rc rc = im.project
                        ? db_exec(r->db, r->pool, "SELECT id FROM projects WHERE id = ? FOR UPDATE",
                                  p, 1, &rows)
                        : DB_OK;
    if (rc != DB_OK)
        return reply_db(r, rc);
    if (!rows || rows->nrows != 1)
        return reply_problem(r, 404, "no project with id %s", req_param(r, 0));
    const struct csv_prep *prep = r->prep;
    if (!csv_media(r) || !prep || !prep->errors)
        return reply_problem(r, 415, "send the invoice list as text/csv (UTF-8)");
    im.errors = prep->errors;
    im.nerrors = prep->nerrors;
    if (prep->failed)
        return reply_invalid_detail(r, prep->why, im.errors);
    const cJSON *lines = prep->lines;
    im.lots = req_json(r, cJSON_CreateObject());
    im.contractors = req_json(r, cJSON_CreateObject());
    im.seen = req_json(r, cJSON_CreateObject());
    im.results = cJSON_CreateArray();
    cJSON *out = req_json(r, cJSON_CreateObject());
    cJSON_AddItemToObject(out, "results", im.results);

    /* A row whose cells could not be read is not held to the rules: its
     * problems are listed already, and the missing cells would add more. */
    cJSON *unread = req_json(r, cJSON_CreateObject());
    const cJSON *e;
    cJSON_ArrayForEach(e, im.errors)
    {
        char key[16];
        snprintf(key, sizeof(key), "%d",
                 (int)cJSON_GetObjectItemCaseSensitive(e, "line")->valuedouble);
        if (!cJSON_GetObjectItemCaseSensitive(unread, key))
            cJSON_AddTrueToObject(unread, key);
    }
    const cJSON *row;
    cJSON_ArrayForEach(row, lines)
    {
        int line = (int)cJSON_GetObjectItemCaseSensitive(row, "line")->valuedouble;
        char key[16];
        snprintf(key, sizeof(key), "%d", line);
        if (cJSON_GetObjectItemCaseSensitive(unread, key))
            continue;
        rc = import_row(&im, line, cJSON_GetObjectItemCaseSensitive(row, "values"));
        if (rc != DB_OK)
            return reply_db(r, rc);
    }
    int n = cJSON_GetArraySize(lines);
    if (im.nerrors) {
        char detail[200];
        snprintf(detail, sizeof(detail), "%d problem%s in %d invoice%s; nothing was imported%s",
                 im.nerrors, im.nerrors == 1 ? "" : "s", n, n == 1 ? "" : "s",
                 im.nerrors > MAX_LISTED ? " (the first 500 are listed)" : "");
        return reply_invalid_detail(r, detail, im.errors);
    }
    if (n == 0)
        return reply_invalid_detail(r, "the file holds no invoice, only the header", im.errors);
    cJSON_AddNumberToObject(out, "lines", n);
    cJSON_AddNumberToObject(out, "created", im.created);
    cJSON_AddNumberToObject(out, "updated", im.updated);
    cJSON_AddNumberToObject(out, "unchanged", im.unchanged);
    cJSON_AddBoolToObject(out, "dry_run", dry_run);
    /* A dry run does everything, then rolls back: the ids it saw are nobody's. */
    r->rollback_only = dry_run;
    cJSON *res;
    cJSON_ArrayForEach(res, im.results)
    {
        if (dry_run &&
            strcmp(cJSON_GetObjectItemCaseSensitive(res, "outcome")->valuestring, "created") == 0)
            cJSON_ReplaceItemInObjectCaseSensitive(res, "id", cJSON_CreateNull());
    }
    return reply_json(r, 200, out);
}
