/* planning.c — milestones and invoices. */
#include "api/planning.h"

#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "domain/validate.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_MONEY 1e13

static const char *const milestone_kinds[] = {"funding_approval",
                                              "tender_award",
                                              "construction_start",
                                              "civil_works_complete",
                                              "network_ready",
                                              "interim_report",
                                              "payment_request",
                                              "completion_notice",
                                              "final_report",
                                              "custom",
                                              NULL};
static const char *const milestone_states[] = {"done", "late", "at_risk", "on_track", NULL};

static const struct field milestone_fields[] = {
    FIELD_ID,
    {"project_id", FT_REF, F_REQUIRED | F_FILTER | F_IMMUTABLE, NULL, NULL, NULL, 0, 0, "projects"},
    {"name", FT_STRING, F_REQUIRED, NULL, NULL, NULL, 0, 200, NULL},
    {"kind", FT_ENUM, F_FILTER, NULL, NULL, milestone_kinds, 0, 0, NULL},
    {"planned_date", FT_DATE, F_REQUIRED, NULL, NULL, NULL, 0, 0, NULL},
    {"forecast_date", FT_DATE, F_NULLABLE, NULL, NULL, NULL, 0, 0, NULL},
    {"actual_date", FT_DATE, F_NULLABLE, NULL, NULL, NULL, 0, 0, NULL},
    {"funding_relevant", FT_BOOL, F_FILTER, NULL, NULL, NULL, 0, 0, NULL},
    {"tranche_cents", FT_MONEY, 0, NULL, NULL, NULL, 0, MAX_MONEY, NULL},
    {"notes", FT_STRING, F_NULLABLE | F_MULTILINE, NULL, NULL, NULL, 0, 4000, NULL},
    /* Derived as of today; the summary derives it as of any date. */
    {"state", FT_ENUM, F_READONLY, "",
     "CASE WHEN t.actual_date IS NOT NULL THEN 'done' WHEN t.planned_date < UTC_DATE() THEN 'late' "
     "WHEN t.forecast_date IS NOT NULL AND t.forecast_date > t.planned_date THEN 'at_risk' "
     "ELSE 'on_track' END",
     milestone_states, 0, 0, NULL},
    {"variance_days", FT_INT, F_READONLY, "",
     "DATEDIFF(COALESCE(t.actual_date, t.forecast_date, t.planned_date), t.planned_date)", NULL, 0,
     0, NULL},
    FIELDS_STAMPS,
};

/* Contractors read the milestones of the projects they work in. */
const struct resource milestones_resource = {
    .name = "milestones",
    .entity = "milestone",
    .table = "milestones",
    .fields = milestone_fields,
    .nfields = N(milestone_fields),
    .scope_roles = ROLE_CONTRACTOR,
    .scope = "t.project_id IN (SELECT project_id FROM lots WHERE contractor_id = ?)",
    .search = "t.name LIKE ? OR t.notes LIKE ?",
    .deletable = 1,
};

static const char *const categories[] = {"civil_works", "cabling", "splicing", "planning",
                                         "materials",   "other",   NULL};
static const char *const invoice_status[] = {"received", "approved", "paid", NULL};

static const struct field invoice_fields[] = {
    FIELD_ID,
    {"project_id", FT_REF, F_REQUIRED | F_FILTER | F_IMMUTABLE, NULL, NULL, NULL, 0, 0, "projects"},
    {"lot_id", FT_REF, F_NULLABLE | F_FILTER | F_SAME_PROJECT, NULL, NULL, NULL, 0, 0, "lots"},
    {"contractor_id", FT_REF, F_REQUIRED | F_FILTER, NULL, NULL, NULL, 0, 0, "contractors"},
    {"number", FT_STRING, F_REQUIRED | F_FILTER, NULL, NULL, NULL, 0, 64, NULL},
    {"invoice_date", FT_DATE, F_REQUIRED, NULL, NULL, NULL, 0, 0, NULL},
    {"category", FT_ENUM, F_REQUIRED | F_FILTER, NULL, NULL, categories, 0, 0, NULL},
    {"net_cents", FT_MONEY, F_REQUIRED, NULL, NULL, NULL, 0, MAX_MONEY, NULL},
    {"vat_cents", FT_MONEY, 0, NULL, NULL, NULL, 0, MAX_MONEY, NULL},
    {"eligible_cents", FT_MONEY, 0, NULL, NULL, NULL, 0, MAX_MONEY, NULL},
    {"status", FT_ENUM, F_FILTER, NULL, NULL, invoice_status, 0, 0, NULL},
    {"paid_date", FT_DATE, F_NULLABLE, NULL, NULL, NULL, 0, 0, NULL},
    FIELDS_STAMPS,
};

static double num(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static enum db_rc invoice_check(struct req *r, const cJSON *before, const cJSON *m, cJSON *errors)
{
    (void)before;
    if (num(m, "eligible_cents") > num(m, "net_cents"))
        validation_error(errors, "eligible_cents", "must not exceed net_cents");
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(m, "status");
    const cJSON *paid = cJSON_GetObjectItemCaseSensitive(m, "paid_date");
    int is_paid = cJSON_IsString(st) && strcmp(st->valuestring, "paid") == 0;
    if (is_paid && !cJSON_IsString(paid))
        validation_error(errors, "paid_date", "is required when the status is paid");
    if (!is_paid && cJSON_IsString(paid))
        validation_error(errors, "paid_date", "is only set when the status is paid");
    /* An invoice for a lot comes from the contractor of that lot. */
    const cJSON *lot = cJSON_GetObjectItemCaseSensitive(m, "lot_id");
    const cJSON *contractor = cJSON_GetObjectItemCaseSensitive(m, "contractor_id");
    if (cJSON_IsNumber(lot) && cJSON_IsNumber(contractor)) {
        struct db_rows *rows;
        struct db_param p[] = {DB_INTP((long long)lot->valuedouble)};
        enum db_rc rc =
            db_exec(r->db, r->pool, "SELECT contractor_id FROM lots WHERE id = ?", p, 1, &rows);
        if (rc != DB_OK)
            return rc;
        if (rows->nrows == 1 && db_cell(rows, 0, 0) &&
            atoll(db_cell(rows, 0, 0)) != (long long)contractor->valuedouble)
            validation_error(errors, "lot_id", "is the lot of another contractor");
    }
    return DB_OK;
}

const struct resource invoices_resource = {
    .name = "invoices",
    .entity = "invoice",
    .table = "invoices",
    .fields = invoice_fields,
    .nfields = N(invoice_fields),
    .search = "t.number LIKE ?",
    .deletable = 1,
    .check = invoice_check,
    .duplicate = "the contractor has an invoice with this number already",
};
