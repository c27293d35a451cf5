/* audit_resource.c — the read-only audit resource (GET /api/v1/audit):
 * entries are listed and read like any resource, never changed; and what
 * its filters can choose from (GET /api/v1/audit/facets). */
#include "api/audit.h"

#include <cJSON.h>
#include <stdlib.h>

#include "api/pipeline.h"
#include "api/resource.h"
#include "db/db.h"
#include "http/reply.h"

static const char *const actions[] = {"create", "update", "delete", "approve", "reject",  "accept",
                                      "import", "login",  "logout", "submit",  "receive", NULL};

static const struct field audit_fields[] = {
    FIELD_ID,
    {"at", FT_TIMESTAMP, F_READONLY, NULL, NULL, NULL, 0, 0, NULL},
    {"user_id", FT_REF, F_READONLY | F_NULLABLE | F_FILTER, NULL, NULL, NULL, 0, 0, "users"},
    {"user_name", FT_STRING, F_READONLY | F_NULLABLE, NULL, NULL, NULL, 0, 0, NULL},
    {"request_id", FT_STRING, F_READONLY | F_NULLABLE | F_FILTER, NULL, NULL, NULL, 0, 64, NULL},
    {"action", FT_ENUM, F_READONLY | F_FILTER, NULL, NULL, actions, 0, 0, NULL},
    {"entity", FT_STRING, F_READONLY | F_FILTER, NULL, NULL, NULL, 0, 32, NULL},
    {"entity_id", FT_REF, F_READONLY | F_NULLABLE | F_FILTER, NULL, NULL, NULL, 0, 0, NULL},
    {"before", FT_JSON, F_READONLY | F_NULLABLE, "before_json", NULL, NULL, 0, 0, NULL},
    {"after", FT_JSON, F_READONLY | F_NULLABLE, "after_json", NULL, NULL, 0, 0, NULL},
};

const struct resource audit_resource = {
    .name = "audit",
    .entity = "audit entry",
    .table = "audit_log",
    .fields = audit_fields,
    .nfields = sizeof(audit_fields) / sizeof(audit_fields[0]),
    .time_column = "at",
    .unversioned = 1,
};

/* The people who wrote entries, with their current names, and the kinds of
 * objects that have entries. Managers and finance may not list users, but
 * they read the names in the audit log anyway; a filter needs them all,
 * not just those on the page in view. Both statements read indexes only
 * (audit_user, audit_entity). */
int audit_facets(struct req *r)
{
    struct db_rows *users, *entities;
    enum db_rc rc = db_exec(r->db, r->pool,
                            "SELECT u.id, u.name FROM users u WHERE EXISTS "
                            "(SELECT 1 FROM audit_log a WHERE a.user_id = u.id) "
                            "ORDER BY u.name, u.id",
                            NULL, 0, &users);
    if (rc == DB_OK)
        rc = db_exec(r->db, r->pool, "SELECT entity FROM audit_log GROUP BY entity ORDER BY entity",
                     NULL, 0, &entities);
    if (rc != DB_OK)
        return reply_db(r, rc);
    cJSON *out = req_json(r, cJSON_CreateObject());
    cJSON *u = cJSON_AddArrayToObject(out, "users");
    for (size_t i = 0; i < users->nrows; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "id", strtod(db_cell(users, i, 0), NULL));
        cJSON_AddStringToObject(o, "name", db_cell(users, i, 1) ? db_cell(users, i, 1) : "");
        cJSON_AddItemToArray(u, o);
    }
    cJSON *e = cJSON_AddArrayToObject(out, "entities");
    for (size_t i = 0; i < entities->nrows; i++)
        cJSON_AddItemToArray(e, cJSON_CreateString(db_cell(entities, i, 0)));
    return reply_json(r, 200, out);
}
