/* segment_effects.c — actual dates and premises passed (see segment_effects.h). */
#include "api/segment_effects.h"

#include <string.h>

#include "api/audit.h"
#include "util/clock.h"

enum db_rc segment_effects_apply(struct req *r, long long id, const char *date)
{
    char day[11];
    if (!date) {
        clock_utc_date(day, 0);
        date = day;
    }
    struct db_param p[] = {DB_TEXTP(date), DB_TEXTP(date), DB_INTP(id)};
    enum db_rc rc = db_exec(r->db, r->pool,
                            "UPDATE segments SET "
                            "actual_start = IF(status NOT IN ('planned', 'permitted'), "
                            "COALESCE(actual_start, ?), actual_start), "
                            "actual_end = IF(status IN ('tested', 'accepted'), "
                            "COALESCE(actual_end, ?), actual_end) WHERE id = ?",
                            p, 3, NULL);
    if (rc != DB_OK)
        return rc;
    /* The entries first, while the premises still show their old state. */
    struct db_param a[] = {DB_TEXTP(date), DB_INTP(id)};
    rc = audit_write_rows(r,
                          "SELECT 'update' AS action, 'premise' AS entity, p.id AS entity_id, "
                          "JSON_OBJECT('status', p.status, 'version', p.version) AS before_json, "
                          "JSON_OBJECT('status', 'passed', 'passed_date', ?, 'version', "
                          "p.version + 1, 'reason', 'serving segment reached tested') "
                          "AS after_json "
                          "FROM premises p JOIN segments s ON s.id = p.serving_segment_id "
                          "WHERE s.id = ? AND s.status IN ('tested', 'accepted') "
                          "AND p.status = 'planned'",
                          a, 2);
    if (rc != DB_OK)
        return rc;
    struct db_param u[] = {DB_TEXTP(date), DB_INTP(id)};
    return db_exec(r->db, r->pool,
                   "UPDATE premises p JOIN segments s ON s.id = p.serving_segment_id "
                   "SET p.status = 'passed', p.passed_date = COALESCE(p.passed_date, ?), "
                   "p.version = p.version + 1, p.updated_at = NOW(3) "
                   "WHERE s.id = ? AND s.status IN ('tested', 'accepted') AND p.status = 'planned'",
                   u, 2, NULL);
}

enum db_rc segment_after_write(struct req *r, long long id, const cJSON *before)
{
    const cJSON *was = before ? cJSON_GetObjectItemCaseSensitive(before, "status") : NULL;
    char today[11];
    clock_utc_date(today, 0);
    /* A move into accepted by a change records the day and the person (the
     * accept action also takes a protocol note); a move back out clears
     * them, since the acceptance no longer holds. */
    struct db_param p[] = {DB_TEXTP(today), DB_INTP(r->user.id), DB_INTP(id)};
    enum db_rc rc = DB_OK;
    if (!cJSON_IsString(was) || strcmp(was->valuestring, "accepted") != 0)
        rc = db_exec(r->db, r->pool,
                     "UPDATE segments SET accepted_on = ?, accepted_by = ?, acceptance_note = NULL "
                     "WHERE id = ? AND status = 'accepted'",
                     p, 3, NULL);
    else
        rc = db_exec(r->db, r->pool,
                     "UPDATE segments SET accepted_on = NULL, accepted_by = NULL, "
                     "acceptance_note = NULL WHERE id = ? AND status <> 'accepted'",
                     &p[2], 1, NULL);
    if (rc != DB_OK)
        return rc;
    return segment_effects_apply(r, id, NULL);
}
