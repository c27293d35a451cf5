/* audit.c — writing and listing audit entries. */
#include "api/audit.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "api/resource.h"
#include "api/pipeline.h"
#include "db/db.h"
#include "http/reply.h"
#include "util/pool.h"

static const char *json_text(struct req *r, const cJSON *j)
{
    if (!j)
        return NULL;
    char *text = cJSON_PrintUnformatted(j);
    if (!text)
        return NULL;
    char *copy = pool_strdup(r->pool, text);
    free(text);
    return copy;
}

enum db_rc audit_write(struct req *r, const char *action, const char *entity, long long entity_id,
                const cJSON *before, const cJSON *after)
{
    const char *b = json_text(r, before), *a = json_text(r, after);
    struct db_param p[] = {
        r->user.id ? DB_INTP(r->user.id) : DB_NULLP,
        r->user.id ? DB_TEXTP(r->user.name) : DB_NULLP,
        DB_TEXTP(r->request_id),
        DB_TEXTP(action),
        DB_TEXTP(entity),
        entity_id ? DB_INTP(entity_id) : DB_NULLP,
        b ? DB_TEXTP(b) : DB_NULLP,
        a ? DB_TEXTP(a) : DB_NULLP,
    };
    return db_exec(r->db, r->pool,
                   "INSERT INTO audit_log (user_id, user_name, request_id, action, entity, "
                   "entity_id, before_json, after_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   p, 8, NULL);
}

static const char *const actions[] = {"create", "update", "delete", "approve", "reject",
                                      "import", "login",  "logout", NULL};

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
