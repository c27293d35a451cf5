/* summary_load.c — KPIs from the history tables. For every object the last
 * history row recorded before the end of the day counts (by recorded_at,
 * then id); a row marked deleted means the object no longer existed.
 * Segments and premises, the large tables, are read in one unsorted pass
 * each and folded in C (domain/history_fold.h): the window queries that
 * did it before sorted the whole history in MariaDB once per figure. */
#include "db/summary_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db/report_load.h"
#include "domain/history_fold.h"
#include "util/pool.h"

enum db_rc summary_load(struct db *db, struct pool *pool, long long project_id, const char *as_of,
                        struct summary *s, int *found)
{
    char cutoff[32];
    report_cutoff_of_day(as_of, cutoff);
    return summary_load_at(db, pool, project_id, as_of, cutoff, s, found);
}

/* History rows read per query while folding: the rows of a chunk are
 * held as text in a pool, so this bounds that pool. */
#define FOLD_CHUNK 5000

/* Reads the project's history rows recorded before the cut-off in primary
 * key order, FOLD_CHUNK at a time: a scan of the table without a sort
 * (the folds sort in C). sql takes (after id, project, cut-off, limit) and
 * returns the row id first; add is called for every row and returns 0, or
 * -1 when out of memory. */
static enum db_rc read_history(struct db *db, long long project_id, const char *cutoff,
                               const char *sql,
                               int (*add)(void *ctx, const struct db_rows *rows, size_t i),
                               void *ctx)
{
    long long after = 0;
    for (;;) {
        struct pool *chunk = pool_new();
        if (!chunk)
            return DB_ERROR;
        struct db_param p[] = {DB_INTP(after), DB_INTP(project_id), DB_TEXTP(cutoff),
                               DB_INTP(FOLD_CHUNK)};
        struct db_rows *rows;
        enum db_rc rc = db_exec(db, chunk, sql, p, 4, &rows);
        if (rc != DB_OK) {
            pool_free(chunk);
            return rc;
        }
        for (size_t i = 0; i < rows->nrows; i++)
            if (add(ctx, rows, i)) {
                pool_free(chunk);
                return DB_ERROR;
            }
        size_t n = rows->nrows;
        if (n)
            after = strtoll(db_cell(rows, n - 1, 0), NULL, 10);
        pool_free(chunk);
        if (n < FOLD_CHUNK)
            return DB_OK;
    }
}

/* The rows are mapped (util/bigarray.h): tens of MB for a large project,
 * given back as soon as they are folded. */
struct seg_reader {
    struct bigarray rows;
    struct fold_names names;
};

static int add_segment_row(void *ctx, const struct db_rows *rows, size_t i)
{
    struct seg_reader *r = ctx;
    struct seg_hist_row *h = bigarray_push(&r->rows);
    if (!h)
        return -1;
    const char *method = db_cell(rows, i, 5);
    h->id = strtoll(db_cell(rows, i, 0), NULL, 10);
    h->segment_id = strtoll(db_cell(rows, i, 1), NULL, 10);
    h->at = fold_time(db_cell(rows, i, 2));
    h->deleted = strcmp(db_cell(rows, i, 3), "0") != 0;
    h->status = fold_name(&r->names, db_cell(rows, i, 4));
    h->method = fold_name(&r->names, method ? method : "unknown");
    h->planned = fold_hundredths(db_cell(rows, i, 6));
    h->built = fold_hundredths(db_cell(rows, i, 7));
    h->lot_id = db_cell(rows, i, 8) ? strtoll(db_cell(rows, i, 8), NULL, 10) : 0;
    return h->status < 0 || h->method < 0 ? -1 : 0;
}

enum db_rc summary_fold_segments(struct db *db, long long project_id, const char *cutoff,
                                 struct seg_fold *out)
{
    memset(out, 0, sizeof(*out));
    struct seg_reader r = {0};
    bigarray_init(&r.rows, sizeof(struct seg_hist_row));
    enum db_rc rc = read_history(
        db, project_id, cutoff,
        "SELECT id, segment_id, recorded_at, deleted, status, method, planned_length_m, "
        "built_length_m, lot_id FROM segment_history FORCE INDEX (PRIMARY) "
        "WHERE id > ? AND project_id = ? AND recorded_at < ? ORDER BY id LIMIT ?",
        add_segment_row, &r);
    if (rc == DB_OK && seg_fold(r.rows.data, r.rows.n, &r.names, REPORT_CHUNK, out) != 0)
        rc = DB_ERROR;
    bigarray_free(&r.rows);
    if (rc == DB_OK) {
        out->names = r.names;
    } else {
        fold_names_free(&r.names);
        seg_fold_free(out);
    }
    return rc;
}

struct prem_reader {
    struct bigarray rows;
    struct fold_names names;
};

static int add_premise_row(void *ctx, const struct db_rows *rows, size_t i)
{
    struct prem_reader *r = ctx;
    struct prem_hist_row *h = bigarray_push(&r->rows);
    if (!h)
        return -1;
    h->id = strtoll(db_cell(rows, i, 0), NULL, 10);
    h->premise_id = strtoll(db_cell(rows, i, 1), NULL, 10);
    h->at = fold_time(db_cell(rows, i, 2));
    h->deleted = strcmp(db_cell(rows, i, 3), "0") != 0;
    h->status = fold_name(&r->names, db_cell(rows, i, 4));
    h->white_spot = strcmp(db_cell(rows, i, 5), "1") == 0;
    return h->status < 0 ? -1 : 0;
}

/* Adds the premises at the cut-off to s; bounds (unless NULL) gets the
 * chunk bounds of the premises. */
static enum db_rc load_premises(struct db *db, long long project_id, const char *cutoff,
                                struct summary *s, struct fold_bounds *bounds)
{
    struct fold_bounds own = {0};
    struct prem_reader r = {0};
    bigarray_init(&r.rows, sizeof(struct prem_hist_row));
    enum db_rc rc = read_history(db, project_id, cutoff,
                                 "SELECT id, premise_id, recorded_at, deleted, status, white_spot "
                                 "FROM premise_history FORCE INDEX (PRIMARY) WHERE id > ? AND "
                                 "project_id = ? AND recorded_at < ? ORDER BY id LIMIT ?",
                                 add_premise_row, &r);
    struct prem_group *g = NULL;
    size_t ng = 0;
    if (rc == DB_OK && prem_fold(r.rows.data, r.rows.n, &r.names, REPORT_CHUNK, &g, &ng,
                                 bounds ? bounds : &own) != 0)
        rc = DB_ERROR;
    fold_bounds_free(&own);
    bigarray_free(&r.rows);
    for (size_t i = 0; i < ng; i++) {
        int st = name_index(premise_status_names, g[i].status);
        long long n = g[i].count;
        if (st < 0)
            continue;
        s->premises_by_status[st] += n;
        s->premises_total += n;
        if (g[i].white_spot && st != PREM_EXCLUDED) {
            s->white_spots_total += n;
            if (st != PREM_PLANNED)
                s->white_spots_passed += n;
        }
    }
    free(g);
    fold_names_free(&r.names);
    return rc;
}

enum db_rc summary_load_at(struct db *db, struct pool *pool, long long project_id,
                           const char *as_of, const char *cutoff, struct summary *s, int *found)
{
    return summary_load_folded(db, pool, project_id, as_of, cutoff, NULL, NULL, s, found);
}

enum db_rc summary_load_folded(struct db *db, struct pool *pool, long long project_id,
                               const char *as_of, const char *cutoff, const struct seg_fold *segs,
                               struct fold_bounds *prem_bounds, struct summary *s, int *found)
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

    struct seg_fold own;
    if (!segs) {
        rc = summary_fold_segments(db, project_id, cutoff, &own);
        if (rc != DB_OK)
            return rc;
        segs = &own;
    }
    /* The groups come in the order of the GROUP BY this replaced, and each
     * group's exact sum becomes a double as its text did, so the doubles
     * add up exactly as before. */
    for (size_t i = 0; i < segs->ngroups; i++) {
        const struct seg_group *g = &segs->groups[i];
        int st = segment_status_parse(g->status);
        int m = name_index(method_names, g->method);
        double planned = (double)g->planned / 100.0;
        double built = (double)g->built / 100.0;
        if (m < 0)
            m = METHOD_COUNT - 1;
        if (st >= 0)
            s->segments_by_status[st] += g->count;
        s->planned_by_method[m] += planned;
        s->built_by_method[m] += built;
        s->planned_length_m += planned;
        s->built_length_m += built;
    }
    if (segs == &own)
        seg_fold_free(&own);

    rc = load_premises(db, project_id, cutoff, s, prem_bounds);
    if (rc != DB_OK)
        return rc;

    struct db_rows *rows;
    struct db_param h[] = {DB_INTP(project_id), DB_TEXTP(cutoff)};
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
