/* summary.c — the project KPIs as JSON. */
#include "api/summary.h"

#include <cJSON.h>
#include <string.h>
#include <time.h>

#include "api/pipeline.h"
#include "db/db.h"
#include "db/summary_load.h"
#include "domain/validate.h"
#include "http/reply.h"
#include "util/clock.h"

int summary_as_of(struct req *r, const char *param, char out[11])
{
    char today[11];
    clock_utc_date(today, 0);
    const char *v = req_query(r, param);
    if (!v) {
        memcpy(out, today, 11);
        return 0;
    }
    if (!valid_date(v))
        return reply_problem(r, 400, "query parameter '%s' must be a date (YYYY-MM-DD)", param);
    if (strcmp(v, today) > 0)
        return reply_problem(r, 400,
                             "query parameter '%s' is in the future; the figures of a day "
                             "are known once it has passed",
                             param);
    memcpy(out, v, 11);
    return 0;
}

static cJSON *counts(const long long *values, const char *const *names)
{
    cJSON *o = cJSON_CreateObject();
    for (int i = 0; names[i]; i++)
        cJSON_AddNumberToObject(o, names[i], (double)values[i]);
    return o;
}

/* Metres with two decimals, as stored. */
static double metres(double v)
{
    return (double)(long long)(v * 100.0 + (v >= 0 ? 0.5 : -0.5)) / 100.0;
}

int summary_get(struct req *r)
{
    for (size_t i = 0; i < r->nquery; i++)
        if (strcmp(r->query[i].key, "as_of") != 0)
            return reply_problem(r, 400, "unknown query parameter '%s'; this takes as_of",
                                 r->query[i].key);
    char as_of[11];
    int st = summary_as_of(r, "as_of", as_of);
    if (st)
        return st;
    long long id = parse_id(req_param(r, 0));
    struct summary s;
    int found = 0;
    int rc = id ? summary_load(r->db, r->pool, id, as_of, &s, &found) : DB_OK;
    if (rc != DB_OK)
        return reply_db(r, rc);
    if (!found)
        return reply_problem(r, 404, "no project with id %s", req_param(r, 0));

    cJSON *o = req_json(r, cJSON_CreateObject());
    cJSON_AddNumberToObject(o, "project_id", (double)s.project_id);
    cJSON_AddStringToObject(o, "as_of", s.as_of);
    cJSON_AddNumberToObject(o, "planned_length_m", metres(s.planned_length_m));
    cJSON_AddNumberToObject(o, "built_length_m", metres(s.built_length_m));
    cJSON_AddItemToObject(o, "segments_by_status",
                          counts(s.segments_by_status, segment_status_names));
    cJSON *bym = cJSON_AddObjectToObject(o, "length_by_method");
    for (int m = 0; method_names[m]; m++) {
        if (s.planned_by_method[m] == 0 && s.built_by_method[m] == 0)
            continue;
        cJSON *e = cJSON_AddObjectToObject(bym, method_names[m]);
        cJSON_AddNumberToObject(e, "planned_m", metres(s.planned_by_method[m]));
        cJSON_AddNumberToObject(e, "built_m", metres(s.built_by_method[m]));
    }
    cJSON *prem = counts(s.premises_by_status, premise_status_names);
    cJSON_AddNumberToObject(prem, "total", (double)s.premises_total);
    cJSON_AddItemToObject(o, "premises", prem);
    cJSON *ws = cJSON_AddObjectToObject(o, "white_spots");
    cJSON_AddNumberToObject(ws, "total", (double)s.white_spots_total);
    cJSON_AddNumberToObject(ws, "passed", (double)s.white_spots_passed);
    cJSON_AddItemToObject(o, "milestones", counts(s.milestones, milestone_state_names));
    cJSON *c = cJSON_AddObjectToObject(o, "costs");
    cJSON_AddNumberToObject(c, "budget_cents", (double)s.budget_cents);
    cJSON_AddNumberToObject(c, "invoiced_cents", (double)s.invoiced_cents);
    cJSON_AddNumberToObject(c, "eligible_cents", (double)s.eligible_cents);
    cJSON_AddNumberToObject(c, "paid_cents", (double)s.paid_cents);
    cJSON_AddNumberToObject(c, "federal_cents", (double)s.federal_cents);
    cJSON_AddNumberToObject(c, "state_cents", (double)s.state_cents);
    cJSON_AddNumberToObject(c, "municipal_cents", (double)s.municipal_cents);
    return reply_json(r, 200, o);
}
