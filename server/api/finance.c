/* finance.c — budget lines, drawdowns and report notes. */
#include "api/finance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/audit.h"
#include "api/pipeline.h"
#include "db/db.h"
#include "domain/validate.h"
#include "http/reply.h"
#include "util/clock.h"
#include "util/pool.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_MONEY 1e13

/* The invoice categories: a budget line plans one of them. */
static const char *const categories[] = {"civil_works", "cabling", "splicing", "planning",
                                         "materials",   "other",   NULL};

static const struct field budget_line_fields[] = {
    FIELD_ID,
    {"project_id", FT_REF, F_REQUIRED | F_FILTER | F_IMMUTABLE, NULL, NULL, NULL, 0, 0, "projects"},
    {"category", FT_ENUM, F_REQUIRED | F_FILTER, NULL, NULL, categories, 0, 0, NULL},
    {"year", FT_INT, F_REQUIRED | F_FILTER, NULL, NULL, NULL, 2000, 2100, NULL},
    {"planned_cents", FT_MONEY, F_REQUIRED, NULL, NULL, NULL, 0, MAX_MONEY, NULL},
    {"note", FT_STRING, F_NULLABLE | F_MULTILINE, NULL, NULL, NULL, 0, 2000, NULL},
    FIELDS_STAMPS,
};

const struct resource budget_lines_resource = {
    .name = "budget-lines",
    .entity = "budget_line",
    .table = "budget_lines",
    .fields = budget_line_fields,
    .nfields = N(budget_line_fields),
    .search = "t.note LIKE ?",
    .deletable = 1,
    .duplicate = "the project has a budget line for this category and year already",
};

static const char *const drawdown_states[] = {"draft", "submitted", "received", NULL};

static const struct field drawdown_fields[] = {
    FIELD_ID,
    {"project_id", FT_REF, F_REQUIRED | F_FILTER | F_IMMUTABLE, NULL, NULL, NULL, 0, 0, "projects"},
    {"number", FT_INT, F_READONLY | F_FILTER, NULL, NULL, NULL, 0, 0, NULL},
    {"period_from", FT_DATE, F_REQUIRED, NULL, NULL, NULL, 0, 0, NULL},
    {"period_to", FT_DATE, F_REQUIRED, NULL, NULL, NULL, 0, 0, NULL},
    {"federal_requested_cents", FT_MONEY, 0, NULL, NULL, NULL, 0, MAX_MONEY, NULL},
    {"state_requested_cents", FT_MONEY, 0, NULL, NULL, NULL, 0, MAX_MONEY, NULL},
    {"note", FT_STRING, F_NULLABLE | F_MULTILINE, NULL, NULL, NULL, 0, 2000, NULL},
    {"state", FT_ENUM, F_READONLY | F_FILTER, NULL, NULL, drawdown_states, 0, 0, NULL},
    {"requested_at", FT_TIMESTAMP, F_READONLY | F_NULLABLE, NULL, NULL, NULL, 0, 0, NULL},
    {"received_at", FT_DATE, F_READONLY | F_NULLABLE, NULL, NULL, NULL, 0, 0, NULL},
    {"federal_received_cents", FT_MONEY, F_READONLY | F_NULLABLE, NULL, NULL, NULL, 0, MAX_MONEY,
     NULL},
    {"state_received_cents", FT_MONEY, F_READONLY | F_NULLABLE, NULL, NULL, NULL, 0, MAX_MONEY,
     NULL},
    FIELDS_STAMPS,
};

static const char *text_of(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static long long int_of(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) ? (long long)v->valuedouble : 0;
}

/* A period runs forwards; checked on create and on every change. */
static void check_period(const cJSON *m, cJSON *errors)
{
    const char *from = text_of(m, "period_from"), *to = text_of(m, "period_to");
    if (from && to && strcmp(from, to) > 0)
        validation_error(errors, "period_to", "must not be before period_from");
}

/* Two drawdowns of a project never cover the same day: each invoice is
 * claimed once. Writes of a project's drawdowns take turns on its row, and
 * the overlap is looked for with a locking read, which sees what the one
 * before committed (a plain read would see the transaction's snapshot). */
static enum db_rc drawdown_check(struct req *r, const cJSON *before, const cJSON *m, cJSON *errors)
{
    check_period(m, errors);
    if (cJSON_GetArraySize(errors))
        return DB_OK;
    struct db_param proj[] = {DB_INTP(int_of(m, "project_id"))};
    struct db_rows *rows;
    enum db_rc rc =
        db_exec(r->db, r->pool, "SELECT id FROM projects WHERE id = ? FOR UPDATE", proj, 1, NULL);
    if (rc != DB_OK)
        return rc;
    struct db_param p[] = {DB_INTP(int_of(m, "project_id")), DB_TEXTP(text_of(m, "period_to")),
                           DB_TEXTP(text_of(m, "period_from")),
                           DB_INTP(before ? int_of(before, "id") : 0)};
    rc = db_exec(r->db, r->pool,
                 "SELECT number, period_from, period_to FROM drawdowns "
                 "WHERE project_id = ? AND period_from <= ? AND period_to >= ? "
                 "AND id <> ? ORDER BY period_from LIMIT 1 FOR UPDATE",
                 p, 4, &rows);
    if (rc != DB_OK)
        return rc;
    if (rows->nrows) {
        const char *num = db_cell(rows, 0, 0);
        validation_error(errors, "period_from",
                         pool_printf(r->pool, "overlaps drawdown %s (%s to %s)", num ? num : "?",
                                     db_cell(rows, 0, 1), db_cell(rows, 0, 2)));
    }
    return DB_OK;
}

/* Numbers a new drawdown 1, 2, ... per project. drawdown_check locked the
 * project's row, so concurrent creates take turns; the locking read sees
 * the numbers committed before. */
static enum db_rc drawdown_after_write(struct req *r, long long id, const cJSON *before)
{
    if (before)
        return DB_OK;
    struct db_param pid[] = {DB_INTP(id)};
    struct db_rows *rows;
    enum db_rc rc = db_exec(r->db, r->pool,
                            "SELECT COALESCE(MAX(number), 0) + 1 FROM drawdowns "
                            "WHERE project_id = (SELECT project_id FROM drawdowns WHERE id = ?) "
                            "FOR UPDATE",
                            pid, 1, &rows);
    if (rc != DB_OK)
        return rc;
    struct db_param pset[] = {DB_INTP(atoll(db_cell(rows, 0, 0))), DB_INTP(id)};
    return db_exec(r->db, r->pool, "UPDATE drawdowns SET number = ? WHERE id = ?", pset, 2, NULL);
}

const struct resource drawdowns_resource = {
    .name = "drawdowns",
    .entity = "drawdown",
    .table = "drawdowns",
    .fields = drawdown_fields,
    .nfields = N(drawdown_fields),
    .search = "t.note LIKE ?",
    .deletable = 1,
    .check = drawdown_check,
    .after_write = drawdown_after_write,
};

static const struct field report_note_fields[] = {
    FIELD_ID,
    {"project_id", FT_REF, F_REQUIRED | F_FILTER | F_IMMUTABLE, NULL, NULL, NULL, 0, 0, "projects"},
    {"period_from", FT_DATE, F_REQUIRED, NULL, NULL, NULL, 0, 0, NULL},
    {"period_to", FT_DATE, F_REQUIRED, NULL, NULL, NULL, 0, 0, NULL},
    {"text", FT_STRING, F_REQUIRED | F_MULTILINE, NULL, NULL, NULL, 1, 20000, NULL},
    FIELDS_STAMPS,
};

static enum db_rc report_note_check(struct req *r, const cJSON *before, const cJSON *m,
                                    cJSON *errors)
{
    (void)r;
    (void)before;
    check_period(m, errors);
    return DB_OK;
}

const struct resource report_notes_resource = {
    .name = "report-notes",
    .entity = "report_note",
    .table = "report_notes",
    .fields = report_note_fields,
    .nfields = N(report_note_fields),
    .search = "t.text LIKE ?",
    .deletable = 1,
    .check = report_note_check,
    .duplicate = "the project has a report note for this period already",
};

/* ---- the drawdown's life: draft → submitted → received ---- */

/* The state of the drawdown named by path parameter 0, its row locked for
 * the rest of the transaction. Returns 0 with state set, or the status
 * replied (404, 503). */
static int lock_state(struct req *r, char state[16])
{
    long long id = parse_id(req_param(r, 0));
    struct db_rows *rows = NULL;
    struct db_param p[] = {DB_INTP(id)};
    enum db_rc rc = id ? db_exec(r->db, r->pool,
                                 "SELECT state FROM drawdowns WHERE id = ? FOR UPDATE", p, 1, &rows)
                       : DB_OK;
    if (rc != DB_OK)
        return reply_db(r, rc);
    if (!rows || rows->nrows != 1)
        return reply_problem(r, 404, "no drawdown with id %s", req_param(r, 0));
    snprintf(state, 16, "%s", db_cell(rows, 0, 0));
    return 0;
}

static int frozen(struct req *r, const char *state)
{
    return reply_problem(r, 409,
                         "the drawdown is %s and therefore frozen; only a draft can be changed "
                         "or deleted",
                         state);
}

/* Runs handler on the drawdown of the path when it is a draft. */
static int draft_only(struct req *r, int (*handler)(struct req *r))
{
    char state[16];
    int st = lock_state(r, state);
    if (st)
        return st;
    if (strcmp(state, "draft") != 0)
        return frozen(r, state);
    return handler(r);
}

int drawdowns_update(struct req *r) { return draft_only(r, resource_update); }

int drawdowns_delete(struct req *r) { return draft_only(r, resource_delete); }

/* Loads the drawdown for a state change: with If-Match checked when the
 * caller sent one (a form that shows what is submitted sends it), locked
 * either way. Returns 0 with *before set, or the status replied. */
static int load_for_step(struct req *r, long long *id, cJSON **before)
{
    if (r->if_match)
        return resource_load_for_change(r, &drawdowns_resource, id, before);
    *id = parse_id(req_param(r, 0));
    *before = NULL;
    enum db_rc rc = *id ? resource_load(r, &drawdowns_resource, *id, 1, before) : DB_OK;
    if (rc != DB_OK)
        return reply_db(r, rc);
    if (!*before)
        return reply_problem(r, 404, "no drawdown with id %s", req_param(r, 0));
    return 0;
}

/* Runs the UPDATE of a step, reads the drawdown back, writes the audit
 * entry and replies. The JSON trees belong to the request. */
static int finish_step(struct req *r, const char *action, long long id, cJSON *before,
                       const char *sql, struct db_param *p, size_t np)
{
    cJSON *after = NULL;
    enum db_rc rc = db_exec(r->db, r->pool, sql, p, np, NULL);
    if (rc == DB_OK)
        rc = resource_load(r, &drawdowns_resource, id, 0, &after);
    if (rc == DB_OK && after) {
        /* The submission records who signs it in which function, as it is
         * now: the frozen workbook prints both however the user changes. */
        cJSON *audited = req_json(r, cJSON_Duplicate(after, 1));
        if (strcmp(action, "submit") == 0)
            cJSON_AddStringToObject(audited, "signer_role", role_name(r->user.role));
        rc = audit_write(r, action, "drawdown", id, before, audited);
    }
    if (rc != DB_OK || !after)
        return reply_db(r, rc == DB_OK ? DB_ERROR : rc);
    resource_etag(r, after);
    return reply_json(r, 200, after);
}

int drawdowns_submit(struct req *r)
{
    if (r->json && r->json->child) {
        cJSON *errors = req_json(r, cJSON_CreateArray());
        for (const cJSON *m = r->json->child; m; m = m->next)
            validation_error(errors, m->string, "is not a known field; submit takes no body");
        return reply_invalid(r, errors);
    }
    long long id;
    cJSON *before;
    int st = load_for_step(r, &id, &before);
    if (st)
        return st;
    const char *state = text_of(before, "state");
    if (!state || strcmp(state, "draft") != 0)
        return reply_problem(r, 409, "drawdown %lld is %s already; only a draft can be submitted",
                             int_of(before, "number"), state ? state : "unknown");
    if (int_of(before, "federal_requested_cents") + int_of(before, "state_requested_cents") <= 0)
        return reply_invalid_field(r, "federal_requested_cents",
                                   "request an amount (federal or state) before submitting");
    struct db_param p[] = {DB_INTP(id)};
    return finish_step(r, "submit", id, before,
                       "UPDATE drawdowns SET state = 'submitted', requested_at = NOW(3), "
                       "version = version + 1, updated_at = NOW(3) WHERE id = ?",
                       p, N(p));
}

const struct field drawdown_receipt_fields[] = {
    {"received_at", FT_DATE, F_REQUIRED, NULL, NULL, NULL, 0, 0, NULL},
    {"federal_received_cents", FT_MONEY, F_REQUIRED, NULL, NULL, NULL, 0, MAX_MONEY, NULL},
    {"state_received_cents", FT_MONEY, F_REQUIRED, NULL, NULL, NULL, 0, MAX_MONEY, NULL},
};
const size_t drawdown_nreceipt_fields = N(drawdown_receipt_fields);

int drawdowns_receive(struct req *r)
{
    struct value vals[N(drawdown_receipt_fields)];
    size_t nv;
    cJSON *errors = req_json(r, cJSON_CreateArray());
    int nerr = validate_body(drawdown_receipt_fields, N(drawdown_receipt_fields), r->json, 1,
                             r->pool, errors, vals, &nv);
    if (nerr)
        return reply_invalid(r, errors);
    const char *day = text_of(r->json, "received_at");
    char tomorrow[11];
    /* In Germany the day may already be tomorrow in UTC terms. */
    clock_utc_date(tomorrow, 1);
    if (strcmp(day, tomorrow) > 0)
        return reply_invalid_field(r, "received_at", "must not be in the future");

    long long id;
    cJSON *before;
    int st = load_for_step(r, &id, &before);
    if (st)
        return st;
    const char *state = text_of(before, "state");
    if (!state || strcmp(state, "submitted") != 0) {
        return reply_problem(r, 409,
                             "drawdown %lld is %s; a payment is recorded for a submitted one",
                             int_of(before, "number"), state ? state : "unknown");
    }
    const char *requested = text_of(before, "requested_at");
    if (requested && strncmp(day, requested, 10) < 0)
        return reply_invalid_field(r, "received_at",
                                   "must not be before the drawdown was submitted");
    struct db_param p[] = {DB_TEXTP(day), DB_INTP(int_of(r->json, "federal_received_cents")),
                           DB_INTP(int_of(r->json, "state_received_cents")), DB_INTP(id)};
    return finish_step(r, "receive", id, before,
                       "UPDATE drawdowns SET state = 'received', received_at = ?, "
                       "federal_received_cents = ?, state_received_cents = ?, "
                       "version = version + 1, updated_at = NOW(3) WHERE id = ?",
                       p, N(p));
}
