/* inventory.c — projects, contractors, lots, nodes, segments, premises and
 * users: their fields, who sees what, and their cross-field rules. */
#include "api/inventory.h"

#include <string.h>

#include "api/segment_effects.h"
#include "api/token_cache.h"
#include "db/db.h"
#include "domain/status.h"
#include "domain/validate.h"
#include "gis/nbest.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_MONEY 1e13 /* 100 billion euros, in cents */

static const char *const project_status[] = {"planning", "construction", "completed", "closed",
                                             NULL};
static const char *const node_kinds[] = {"pop",      "cabinet",        "splice_closure",
                                         "handhole", "building_entry", NULL};
static const char *const segment_kinds[] = {"trench", "duct", "cable", "drop", NULL};
static const char *const methods[] = {"open_trench", "micro_trench",  "hdd", "plough",
                                      "aerial",      "existing_duct", NULL};
static const char *const surfaces[] = {"sealed", "unsealed", "none", NULL};
/* Laid together with another network: not, by a third party, or by the
 * funded company itself (Eigenmitverlegung). */
static const char *const co_laying_values[] = {"none", "third_party", "own", NULL};
static const char *const premise_kinds[] = {"residential", "business", "school", "hospital",
                                            "public",      "other",    NULL};
static const char *const premise_status[] = {"planned",   "passed",   "connected",
                                             "activated", "excluded", NULL};
static const char *const roles[] = {"admin", "manager", "contractor", "finance", NULL};

/* Contractors see the projects they have a lot in, their own contractor
 * record, their lots, and what lies in those lots. */
#define OWN_LOTS "SELECT id FROM lots WHERE contractor_id = ?"

static const struct field project_fields[] = {
    FIELD_ID,
    {"code", FT_STRING, F_REQUIRED | F_FILTER, NULL, NULL, NULL, 0, 64, NULL},
    {"name", FT_STRING, F_REQUIRED, NULL, NULL, NULL, 0, 200, NULL},
    {"municipality", FT_STRING, F_REQUIRED, NULL, NULL, NULL, 0, 200, NULL},
    {"funding_programme", FT_STRING, F_NULLABLE, NULL, NULL, NULL, 0, 200, NULL},
    {"grant_reference", FT_STRING, F_NULLABLE, NULL, NULL, NULL, 0, 100, NULL},
    {"budget_cents", FT_MONEY, 0, NULL, NULL, NULL, 0, MAX_MONEY, NULL},
    {"federal_rate", FT_RATE, 0, NULL, NULL, NULL, 0, 1, NULL},
    {"state_rate", FT_RATE, 0, NULL, NULL, NULL, 0, 1, NULL},
    {"start_date", FT_DATE, F_NULLABLE, NULL, NULL, NULL, 0, 0, NULL},
    {"planned_end_date", FT_DATE, F_NULLABLE, NULL, NULL, NULL, 0, 0, NULL},
    {"status", FT_ENUM, F_FILTER, NULL, NULL, project_status, 0, 0, NULL},
    FIELDS_STAMPS,
};

static double num(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static const char *str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Dates are YYYY-MM-DD, so text order is date order. */
static void check_order(const cJSON *m, const char *first, const char *second, cJSON *errors)
{
    const char *a = str(m, first), *b = str(m, second);
    if (a && b && strcmp(a, b) > 0)
        validation_error(errors, second, "must not be before the start date");
}

static enum db_rc project_check(struct req *r, const cJSON *before, const cJSON *m, cJSON *errors)
{
    (void)r;
    (void)before;
    if (num(m, "federal_rate") + num(m, "state_rate") > 1.00001)
        validation_error(errors, "state_rate", "federal_rate and state_rate together exceed 1");
    check_order(m, "start_date", "planned_end_date", errors);
    return DB_OK;
}

const struct resource projects_resource = {
    .name = "projects",
    .entity = "project",
    .table = "projects",
    .fields = project_fields,
    .nfields = N(project_fields),
    .scope_roles = ROLE_CONTRACTOR,
    .scope = "t.id IN (SELECT project_id FROM lots WHERE contractor_id = ?)",
    .search = "t.code LIKE ? OR t.name LIKE ? OR t.municipality LIKE ?",
    .deletable = 1,
    .check = project_check,
};

static const struct field contractor_fields[] = {
    FIELD_ID,
    {"name", FT_STRING, F_REQUIRED, NULL, NULL, NULL, 0, 200, NULL},
    {"vat_id", FT_STRING, F_NULLABLE, NULL, NULL, NULL, 0, 32, NULL},
    {"email", FT_EMAIL, F_NULLABLE, NULL, NULL, NULL, 0, 254, NULL},
    {"phone", FT_STRING, F_NULLABLE, NULL, NULL, NULL, 0, 64, NULL},
    FIELDS_STAMPS,
};

const struct resource contractors_resource = {
    .name = "contractors",
    .entity = "contractor",
    .table = "contractors",
    .fields = contractor_fields,
    .nfields = N(contractor_fields),
    .scope_roles = ROLE_CONTRACTOR,
    .scope = "t.id = ?",
    .search = "t.name LIKE ? OR t.vat_id LIKE ?",
    .deletable = 1,
};

static const struct field lot_fields[] = {
    FIELD_ID,
    {"project_id", FT_REF, F_REQUIRED | F_FILTER | F_IMMUTABLE, NULL, NULL, NULL, 0, 0, "projects"},
    {"code", FT_STRING, F_REQUIRED | F_FILTER, NULL, NULL, NULL, 0, 64, NULL},
    {"name", FT_STRING, F_REQUIRED, NULL, NULL, NULL, 0, 200, NULL},
    {"contractor_id", FT_REF, F_NULLABLE | F_FILTER, NULL, NULL, NULL, 0, 0, "contractors"},
    {"contract_value_cents", FT_MONEY, 0, NULL, NULL, NULL, 0, MAX_MONEY, NULL},
    {"auto_approve", FT_BOOL, 0, NULL, NULL, NULL, 0, 0, NULL},
    FIELDS_STAMPS,
};

const struct resource lots_resource = {
    .name = "lots",
    .entity = "lot",
    .table = "lots",
    .fields = lot_fields,
    .nfields = N(lot_fields),
    .scope_roles = ROLE_CONTRACTOR,
    .scope = "t.contractor_id = ?",
    .search = "t.code LIKE ? OR t.name LIKE ?",
    .deletable = 1,
};

static const struct field node_fields[] = {
    FIELD_ID,
    {"project_id", FT_REF, F_REQUIRED | F_FILTER | F_IMMUTABLE, NULL, NULL, NULL, 0, 0, "projects"},
    {"code", FT_STRING, F_REQUIRED | F_FILTER, NULL, NULL, NULL, 0, 64, NULL},
    {"kind", FT_ENUM, F_REQUIRED | F_FILTER, NULL, NULL, node_kinds, 0, 0, NULL},
    {"name", FT_STRING, F_NULLABLE, NULL, NULL, NULL, 0, 200, NULL},
    {"lat", FT_LAT, F_NULLABLE, NULL, NULL, NULL, 0, 0, NULL},
    {"lon", FT_LON, F_NULLABLE, NULL, NULL, NULL, 0, 0, NULL},
    FIELDS_STAMPS,
};

static enum db_rc location_check(struct req *r, const cJSON *before, const cJSON *m, cJSON *errors)
{
    (void)r;
    (void)before;
    const cJSON *lat = cJSON_GetObjectItemCaseSensitive(m, "lat");
    const cJSON *lon = cJSON_GetObjectItemCaseSensitive(m, "lon");
    if (cJSON_IsNumber(lat) != cJSON_IsNumber(lon))
        validation_error(errors, cJSON_IsNumber(lat) ? "lon" : "lat",
                         "lat and lon must be given together");
    return DB_OK;
}

const struct resource nodes_resource = {
    .name = "nodes",
    .entity = "node",
    .table = "nodes",
    .fields = node_fields,
    .nfields = N(node_fields),
    .scope_roles = ROLE_CONTRACTOR,
    .scope = "t.id IN (SELECT from_node_id FROM segments WHERE lot_id IN (" OWN_LOTS ")) "
             "OR t.id IN (SELECT to_node_id FROM segments WHERE lot_id IN (" OWN_LOTS "))",
    .search = "t.code LIKE ? OR t.name LIKE ?",
    .deletable = 1,
    .check = location_check,
};

static const struct field segment_fields[] = {
    FIELD_ID,
    {"project_id", FT_REF, F_REQUIRED | F_FILTER | F_IMMUTABLE, NULL, NULL, NULL, 0, 0, "projects"},
    {"lot_id", FT_REF, F_NULLABLE | F_FILTER | F_SAME_PROJECT, NULL, NULL, NULL, 0, 0, "lots"},
    {"contractor_id", FT_REF, F_READONLY | F_NULLABLE | F_FILTER, "",
     "(SELECT contractor_id FROM lots WHERE id = t.lot_id)", NULL, 0, 0, NULL},
    {"code", FT_STRING, F_REQUIRED | F_FILTER, NULL, NULL, NULL, 0, 64, NULL},
    {"street", FT_STRING, F_NULLABLE, NULL, NULL, NULL, 0, 200, NULL},
    {"from_node_id", FT_REF, F_NULLABLE | F_FILTER | F_SAME_PROJECT, NULL, NULL, NULL, 0, 0,
     "nodes"},
    {"to_node_id", FT_REF, F_NULLABLE | F_FILTER | F_SAME_PROJECT, NULL, NULL, NULL, 0, 0, "nodes"},
    {"kind", FT_ENUM, F_REQUIRED | F_FILTER, NULL, NULL, segment_kinds, 0, 0, NULL},
    {"method", FT_ENUM, F_NULLABLE | F_FILTER, NULL, NULL, methods, 0, 0, NULL},
    {"surface", FT_ENUM, F_NULLABLE | F_FILTER, NULL, NULL, surfaces, 0, 0, NULL},
    {"planned_length_m", FT_DECIMAL, F_REQUIRED, NULL, NULL, NULL, 0, 1e6, NULL},
    {"built_length_m", FT_DECIMAL, 0, NULL, NULL, NULL, 0, 1e6, NULL},
    {"progress", FT_DECIMAL, F_READONLY | F_NULLABLE, "",
     "CASE WHEN t.planned_length_m > 0 THEN ROUND(t.built_length_m / t.planned_length_m, 4) END",
     NULL, 0, 0, NULL},
    {"fiber_count", FT_INT, F_NULLABLE, NULL, NULL, NULL, 0, 10000, NULL},
    {"duct_type", FT_STRING, F_NULLABLE, NULL, NULL, NULL, 0, 64, NULL},
    /* What the GIS-NBest delivery asks for (docs/gis-nbest.md): the duct
     * type as a code of its list, the laying depth, and co-laying. */
    {"duct_type_code", FT_INT, F_NULLABLE, NULL, NULL, NULL, 1, 99, NULL},
    {"laying_depth_m", FT_DECIMAL, F_NULLABLE, NULL, NULL, NULL, 0, 9.99, NULL},
    {"co_laying", FT_ENUM, F_NULLABLE | F_FILTER, NULL, NULL, co_laying_values, 0, 0, NULL},
    {"geometry", FT_GEOMETRY, F_NULLABLE, NULL, NULL, NULL, 0, 0, NULL},
    {"status", FT_ENUM, F_FILTER, NULL, NULL, segment_status_names, 0, 0, NULL},
    {"planned_start", FT_DATE, F_NULLABLE, NULL, NULL, NULL, 0, 0, NULL},
    {"planned_end", FT_DATE, F_NULLABLE, NULL, NULL, NULL, 0, 0, NULL},
    {"actual_start", FT_DATE, F_NULLABLE, NULL, NULL, NULL, 0, 0, NULL},
    {"actual_end", FT_DATE, F_NULLABLE, NULL, NULL, NULL, 0, 0, NULL},
    {"status_reason", FT_STRING, F_VIRTUAL | F_WRITEONLY | F_MULTILINE, NULL, NULL, NULL, 0, 500,
     NULL},
    /* Set by POST /segments/:id/accept; a PATCH to accepted records the
     * day and the person without a note. */
    {"accepted_on", FT_DATE, F_READONLY | F_NULLABLE, NULL, NULL, NULL, 0, 0, NULL},
    {"accepted_by", FT_REF, F_READONLY | F_NULLABLE, NULL, NULL, NULL, 0, 0, NULL},
    {"acceptance_note", FT_STRING, F_READONLY | F_NULLABLE | F_MULTILINE, NULL, NULL, NULL, 0, 2000,
     NULL},
    FIELDS_STAMPS,
};

static enum db_rc segment_check(struct req *r, const cJSON *before, const cJSON *m, cJSON *errors)
{
    (void)r;
    check_order(m, "planned_start", "planned_end", errors);
    check_order(m, "actual_start", "actual_end", errors);
    const cJSON *duct = cJSON_GetObjectItemCaseSensitive(m, "duct_type_code");
    if (cJSON_IsNumber(duct) && !nbest_duct_type_known((int)duct->valuedouble))
        validation_error(errors, "duct_type_code",
                         "is not a duct type of GIS-NBest's list (1-6, 11-16, 21-25, or 99 with "
                         "duct_type describing it)");
    if (before) {
        int from = segment_status_parse(str(before, "status"));
        int to = segment_status_parse(str(m, "status"));
        const char *reason = str(m, "status_reason");
        enum move_verdict v = segment_move_check(from, to, 1, reason && *reason);
        if (v != MOVE_OK)
            validation_error(errors, "status_reason", segment_move_message(v));
    }
    return DB_OK;
}

const struct resource segments_resource = {
    .name = "segments",
    .entity = "segment",
    .table = "segments",
    .fields = segment_fields,
    .nfields = N(segment_fields),
    .scope_roles = ROLE_CONTRACTOR,
    .scope = "t.lot_id IN (" OWN_LOTS ")",
    /* Its code, its street, or the code of a node at either end. */
    .search = "t.code LIKE ? OR t.street LIKE ? OR EXISTS (SELECT 1 FROM nodes n WHERE n.id IN "
              "(t.from_node_id, t.to_node_id) AND n.code LIKE ?)",
    .deletable = 1,
    .check = segment_check,
    .after_write = segment_after_write,
};

static const struct field premise_fields[] = {
    FIELD_ID,
    {"project_id", FT_REF, F_REQUIRED | F_FILTER | F_IMMUTABLE, NULL, NULL, NULL, 0, 0, "projects"},
    {"code", FT_STRING, F_REQUIRED | F_FILTER, NULL, NULL, NULL, 0, 64, NULL},
    {"street", FT_STRING, F_REQUIRED, NULL, NULL, NULL, 0, 200, NULL},
    {"house_number", FT_STRING, F_REQUIRED, NULL, NULL, NULL, 0, 20, NULL},
    {"postcode", FT_STRING, F_REQUIRED | F_FILTER, NULL, NULL, NULL, 0, 10, NULL},
    {"city", FT_STRING, F_REQUIRED, NULL, NULL, NULL, 0, 100, NULL},
    {"lat", FT_LAT, F_NULLABLE, NULL, NULL, NULL, 0, 0, NULL},
    {"lon", FT_LON, F_NULLABLE, NULL, NULL, NULL, 0, 0, NULL},
    {"kind", FT_ENUM, F_FILTER, NULL, NULL, premise_kinds, 0, 0, NULL},
    {"units_residential", FT_INT, 0, NULL, NULL, NULL, 0, 10000, NULL},
    {"units_business", FT_INT, 0, NULL, NULL, NULL, 0, 10000, NULL},
    {"white_spot", FT_BOOL, F_FILTER, NULL, NULL, NULL, 0, 0, NULL},
    {"bandwidth_before_mbps", FT_DECIMAL, F_NULLABLE, NULL, NULL, NULL, 0, 100000, NULL},
    {"serving_segment_id", FT_REF, F_NULLABLE | F_FILTER | F_SAME_PROJECT, NULL, NULL, NULL, 0, 0,
     "segments"},
    {"status", FT_ENUM, F_FILTER, NULL, NULL, premise_status, 0, 0, NULL},
    {"passed_date", FT_DATE, F_NULLABLE, NULL, NULL, NULL, 0, 0, NULL},
    {"connected_date", FT_DATE, F_NULLABLE, NULL, NULL, NULL, 0, 0, NULL},
    {"activated_date", FT_DATE, F_NULLABLE, NULL, NULL, NULL, 0, 0, NULL},
    {"excluded_date", FT_DATE, F_NULLABLE, NULL, NULL, NULL, 0, 0, NULL},
    {"exclusion_reason", FT_STRING, F_NULLABLE | F_MULTILINE, NULL, NULL, NULL, 0, 500, NULL},
    FIELDS_STAMPS,
};

static enum db_rc premise_check(struct req *r, const cJSON *before, const cJSON *m, cJSON *errors)
{
    const char *st = str(m, "status");
    const char *reason = str(m, "exclusion_reason");
    if (st && strcmp(st, "excluded") == 0 && (!reason || !*reason))
        validation_error(errors, "exclusion_reason", "is required when the status is excluded");
    return location_check(r, before, m, errors);
}

const struct resource premises_resource = {
    .name = "premises",
    .entity = "premise",
    .table = "premises",
    .fields = premise_fields,
    .nfields = N(premise_fields),
    .scope_roles = ROLE_CONTRACTOR,
    .scope = "t.serving_segment_id IN (SELECT id FROM segments WHERE lot_id IN (" OWN_LOTS "))",
    .search = "t.code LIKE ? OR t.street LIKE ? OR t.city LIKE ?",
    .deletable = 1,
    .check = premise_check,
};

static const struct field user_fields[] = {
    FIELD_ID,
    {"email", FT_EMAIL, F_REQUIRED | F_FILTER, NULL, NULL, NULL, 0, 254, NULL},
    {"name", FT_STRING, F_REQUIRED, NULL, NULL, NULL, 0, 200, NULL},
    {"role", FT_ENUM, F_REQUIRED | F_FILTER, NULL, NULL, roles, 0, 0, NULL},
    {"contractor_id", FT_REF, F_NULLABLE | F_FILTER, NULL, NULL, NULL, 0, 0, "contractors"},
    {"active", FT_BOOL, F_FILTER, NULL, NULL, NULL, 0, 0, NULL},
    {"password", FT_PASSWORD, F_WRITEONLY, "password_hash", NULL, NULL, 0, 200, NULL},
    FIELDS_STAMPS,
};

static enum db_rc user_check(struct req *r, const cJSON *before, const cJSON *m, cJSON *errors)
{
    (void)r;
    (void)before;
    const char *role = str(m, "role");
    int has = cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(m, "contractor_id"));
    if (role && strcmp(role, "contractor") == 0 && !has)
        validation_error(errors, "contractor_id", "is required for the role contractor");
    if (role && strcmp(role, "contractor") != 0 && has)
        validation_error(errors, "contractor_id", "is only allowed for the role contractor");
    return DB_OK;
}

/* A changed user (role, company, deactivated) is no longer who the
 * remembered tokens say. */
static enum db_rc user_after_write(struct req *r, long long id, const cJSON *before)
{
    (void)id;
    if (before)
        token_cache_forget_on_commit(r);
    return DB_OK;
}

const struct resource users_resource = {
    .name = "users",
    .entity = "user",
    .table = "users",
    .fields = user_fields,
    .nfields = N(user_fields),
    .search = "t.email LIKE ? OR t.name LIKE ?",
    .check = user_check,
    .after_write = user_after_write,
};
