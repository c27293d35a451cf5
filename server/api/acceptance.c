/* acceptance.c — accepting a tested segment. */
#include "api/acceptance.h"

#include <cJSON.h>
#include <string.h>

#include "api/audit.h"
#include "api/inventory.h"
#include "api/pipeline.h"
#include "api/resource.h"
#include "db/db.h"
#include "domain/validate.h"
#include "http/reply.h"
#include "util/clock.h"
#include "util/pool.h"

#define NOTE_MAX 2000 /* characters */

/* Reads {accepted_on?, note?}. Returns 0, or the status replied. */
static int read_body(struct req *r, const char **day, const char **note)
{
    cJSON *errors = req_json(r, cJSON_CreateArray());
    *day = NULL;
    *note = NULL;
    for (const cJSON *m = r->json ? r->json->child : NULL; m; m = m->next) {
        if (strcmp(m->string, "accepted_on") == 0) {
            if (!cJSON_IsString(m) || !valid_date(m->valuestring))
                validation_error(errors, "accepted_on", "must be a date (YYYY-MM-DD)");
            else
                *day = m->valuestring;
        } else if (strcmp(m->string, "note") == 0) {
            if (cJSON_IsNull(m))
                continue;
            if (!cJSON_IsString(m) || utf8_chars(m->valuestring) > NOTE_MAX)
                validation_error(errors, "note", "must be text of at most 2000 characters");
            else
                *note = *m->valuestring ? m->valuestring : NULL;
        } else {
            validation_error(errors, m->string, "is not a known field");
        }
    }
    char tomorrow[11];
    /* The site's day may already be tomorrow in UTC terms. */
    clock_utc_date(tomorrow, 1);
    if (*day && strcmp(*day, tomorrow) > 0)
        validation_error(errors, "accepted_on", "must not be in the future");
    if (cJSON_GetArraySize(errors))
        return reply_invalid(r, errors);
    return 0;
}

int segments_accept(struct req *r)
{
    const char *day, *note;
    if (read_body(r, &day, &note))
        return r->status;
    char today[11];
    clock_utc_date(today, 0);
    long long id = parse_id(req_param(r, 0));
    cJSON *before = NULL, *after = NULL;
    int rc = id ? resource_load(r, &segments_resource, id, 1, &before) : DB_OK;
    if (rc != DB_OK)
        return reply_db(r, rc);
    if (!before)
        return reply_problem(r, 404, "no segment %s", req_param(r, 0));
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(before, "status");
    if (!cJSON_IsString(status) || strcmp(status->valuestring, "tested") != 0)
        return reply_problem(r, 409, "only a tested segment can be accepted; this one is %s",
                             cJSON_IsString(status) ? status->valuestring : "unknown");
    struct db_param p[] = {DB_TEXTP(day ? day : today), DB_INTP(r->user.id), DB_TEXTP(note),
                           DB_INTP(id)};
    rc = db_exec(r->db, r->pool,
                 "UPDATE segments SET status = 'accepted', accepted_on = ?, accepted_by = ?, "
                 "acceptance_note = ?, version = version + 1, updated_at = NOW(3) WHERE id = ?",
                 p, 4, NULL);
    if (rc == DB_OK)
        rc = resource_load(r, &segments_resource, id, 0, &after);
    if (rc == DB_OK && after)
        rc = audit_write(r, "accept", "segment", id, before, after);
    if (rc != DB_OK || !after)
        return reply_db(r, rc == DB_OK ? DB_ERROR : rc);
    resource_etag(r, after);
    return reply_json(r, 200, after);
}
