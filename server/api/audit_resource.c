/* audit_resource.c — the read-only audit resource (GET /api/v1/audit):
 * entries are listed and read like any resource, never changed. */
#include "api/audit.h"

#include "api/resource.h"

static const char *const actions[] = {"create", "update", "delete", "approve", "reject",
                                      "accept", "import", "login",  "logout",  NULL};

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
