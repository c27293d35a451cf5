/* summary_load.c — KPIs from the history tables. For every object the last
 * history row recorded before the end of the day counts (by recorded_at,
 * then id); a row marked deleted means the object no longer existed. */
#include "db/summary_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db/report_load.h"
#include "util/pool.h"

enum db_rc summary_load(struct db *db, struct pool *pool, long long project_id, const char *as_of,
                        struct summary *s, int *found)
{
    char cutoff[32];
    report_cutoff_of_day(as_of, cutoff);
    return summary_load_at(db, pool, project_id, as_of, cutoff, s, found);
}

enum db_rc summary_load_at(struct db *db, struct pool *pool, long long project_id,
                           const char *as_of, const char *cutoff, struct summary *s, int *found)
{
    memset(s, 0, sizeof(*s));
    *found = 0;
    s->project_id = project_id;
    snprintf(s->as_of, sizeof(s->as_of), "%s", as_of);

    /* The budget and the rates as recorded at the cut-off (the first
     * recorded ones for an earlier moment). */
    struct rpt_project proj;
    enum db_rc rc = report_load_project(db, pool, project_id, cutoff, &proj, found);
    if (rc != DB_OK || !*found)
        return rc;
    s->federal_rate = proj.federal_rate;
    s->state_rate = proj.state_rate;
    s->budget_cents = proj.budget_cents;

    struct db_rows *rows;
    struct db_param h[] = {DB_INTP(project_id), DB_TEXTP(cutoff)};
    rc = db_exec(db, pool,
                 "SELECT status, COALESCE(method, 'unknown'), COUNT(*), SUM(planned_length_m), "
                 "SUM(built_length_m) FROM (SELECT status, method, planned_length_m, "
                 "built_length_m, deleted, ROW_NUMBER() OVER (PARTITION BY segment_id "
                 "ORDER BY recorded_at DESC, id DESC) AS rn FROM segment_history "
                 "WHERE project_id = ? AND recorded_at < ?) h "
                 "WHERE rn = 1 AND deleted = 0 GROUP BY status, method",
                 h, 2, &rows);
    if (rc != DB_OK)
        return rc;
    for (size_t i = 0; i < rows->nrows; i++) {
        int st = segment_status_parse(db_cell(rows, i, 0));
        int m = name_index(method_names, db_cell(rows, i, 1));
        double planned = strtod(db_cell(rows, i, 3), NULL);
        double built = strtod(db_cell(rows, i, 4), NULL);
        if (m < 0)
            m = METHOD_COUNT - 1;
        if (st >= 0)
            s->segments_by_status[st] += atoll(db_cell(rows, i, 2));
        s->planned_by_method[m] += planned;
        s->built_by_method[m] += built;
        s->planned_length_m += planned;
        s->built_length_m += built;
    }

    rc = db_exec(db, pool,
                 "SELECT status, white_spot, COUNT(*) FROM (SELECT status, white_spot, deleted, "
                 "ROW_NUMBER() OVER (PARTITION BY premise_id ORDER BY recorded_at DESC, id DESC) "
                 "AS rn FROM premise_history WHERE project_id = ? "
                 "AND recorded_at < ?) h "
                 "WHERE rn = 1 AND deleted = 0 GROUP BY status, white_spot",
                 h, 2, &rows);
    if (rc != DB_OK)
        return rc;
    for (size_t i = 0; i < rows->nrows; i++) {
        int st = name_index(premise_status_names, db_cell(rows, i, 0));
        int white = strcmp(db_cell(rows, i, 1), "1") == 0;
        long long n = atoll(db_cell(rows, i, 2));
        if (st < 0)
            continue;
        s->premises_by_status[st] += n;
        s->premises_total += n;
        if (white && st != PREM_EXCLUDED) {
            s->white_spots_total += n;
            if (st != PREM_PLANNED)
                s->white_spots_passed += n;
        }
    }

    rc = db_exec(db, pool,
                 "SELECT planned_date, forecast_date, actual_date FROM (SELECT planned_date, "
                 "forecast_date, actual_date, deleted, ROW_NUMBER() OVER (PARTITION BY "
                 "milestone_id ORDER BY recorded_at DESC, id DESC) AS rn FROM milestone_history "
                 "WHERE project_id = ? AND recorded_at < ?) h "
                 "WHERE rn = 1 AND deleted = 0",
                 h, 2, &rows);
    if (rc != DB_OK)
        return rc;
    for (size_t i = 0; i < rows->nrows; i++)
        s->milestones[milestone_state_at(as_of, db_cell(rows, i, 0), db_cell(rows, i, 1),
                                         db_cell(rows, i, 2))]++;

    rc = db_exec(db, pool,
                 "SELECT COALESCE(SUM(h.net_cents), 0), COALESCE(SUM(h.eligible_cents), 0), "
                 "COALESCE(SUM(IF(h.status = 'paid', h.net_cents, 0)), 0) "
                 "FROM (SELECT net_cents, eligible_cents, status, deleted, ROW_NUMBER() OVER "
                 "(PARTITION BY invoice_id ORDER BY recorded_at DESC, id DESC) AS rn "
                 "FROM invoice_history WHERE project_id = ? "
                 "AND recorded_at < ?) h WHERE rn = 1 AND deleted = 0",
                 h, 2, &rows);
    if (rc != DB_OK)
        return rc;
    s->invoiced_cents = atoll(db_cell(rows, 0, 0));
    s->eligible_cents = atoll(db_cell(rows, 0, 1));
    s->paid_cents = atoll(db_cell(rows, 0, 2));
    summary_split_costs(s);
    return DB_OK;
}
