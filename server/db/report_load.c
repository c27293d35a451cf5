/* report_load.c — the queries behind the workbooks. Each reads history
 * rows before the cut-off (the start of the day after the report date)
 * and keeps, per object, the last one, exactly as summary_load does, so
 * the sheets add up to the summary. */
#include "db/report_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "domain/status.h"
#include "util/pool.h"

static void cutoff_of(const char *as_of, char out[20])
{
    /* "? + INTERVAL 1 DAY" in the queries makes it the next day's start. */
    snprintf(out, 20, "%.10s 00:00:00", as_of);
}

static long long to_ll(const char *s) { return s ? strtoll(s, NULL, 10) : 0; }

static double to_d(const char *s) { return s ? strtod(s, NULL) : 0; }

enum db_rc report_load_project(struct db *db, struct pool *pool, long long project_id,
                               struct rpt_project *p, int *found)
{
    memset(p, 0, sizeof(*p));
    *found = 0;
    struct db_param pid[] = {DB_INTP(project_id)};
    struct db_rows *rows;
    enum db_rc rc = db_exec(db, pool,
                            "SELECT code, name, municipality, funding_programme, grant_reference, "
                            "start_date, planned_end_date, budget_cents, federal_rate, state_rate "
                            "FROM projects WHERE id = ?",
                            pid, 1, &rows);
    if (rc != DB_OK || rows->nrows == 0)
        return rc;
    *found = 1;
    p->id = project_id;
    p->code = db_cell(rows, 0, 0);
    p->name = db_cell(rows, 0, 1);
    p->municipality = db_cell(rows, 0, 2);
    p->programme = db_cell(rows, 0, 3);
    p->grant_reference = db_cell(rows, 0, 4);
    p->start_date = db_cell(rows, 0, 5);
    p->planned_end_date = db_cell(rows, 0, 6);
    p->budget_cents = to_ll(db_cell(rows, 0, 7));
    p->federal_rate = to_d(db_cell(rows, 0, 8));
    p->state_rate = to_d(db_cell(rows, 0, 9));
    return DB_OK;
}

enum db_rc report_load_milestones(struct db *db, struct pool *pool, long long project_id,
                                  const char *as_of, struct rpt_milestone **out, size_t *n)
{
    char cutoff[20];
    cutoff_of(as_of, cutoff);
    struct db_param p[] = {DB_INTP(project_id), DB_TEXTP(cutoff)};
    struct db_rows *rows;
    *out = NULL;
    *n = 0;
    int rc =
        db_exec(db, pool,
                "SELECT h.milestone_id, m.name, m.kind, m.notes, h.planned_date, "
                "h.forecast_date, h.actual_date, m.funding_relevant, m.tranche_cents "
                "FROM (SELECT milestone_id, planned_date, forecast_date, actual_date, deleted, "
                "ROW_NUMBER() OVER (PARTITION BY milestone_id ORDER BY recorded_at DESC, "
                "id DESC) AS rn FROM milestone_history WHERE project_id = ? "
                "AND recorded_at < ? + INTERVAL 1 DAY) h "
                "LEFT JOIN milestones m ON m.id = h.milestone_id "
                "WHERE h.rn = 1 AND h.deleted = 0 ORDER BY h.planned_date, h.milestone_id",
                p, 2, &rows);
    if (rc != DB_OK)
        return rc;
    struct rpt_milestone *ms = pool_alloc(pool, sizeof(*ms) * (rows->nrows + 1));
    for (size_t i = 0; i < rows->nrows; i++) {
        ms[i].id = to_ll(db_cell(rows, i, 0));
        ms[i].name = db_cell(rows, i, 1);
        ms[i].kind = db_cell(rows, i, 2);
        ms[i].notes = db_cell(rows, i, 3);
        ms[i].planned = db_cell(rows, i, 4);
        ms[i].forecast = db_cell(rows, i, 5);
        ms[i].actual = db_cell(rows, i, 6);
        ms[i].funding_relevant = to_ll(db_cell(rows, i, 7)) != 0;
        ms[i].tranche_cents = to_ll(db_cell(rows, i, 8));
    }
    *out = ms;
    *n = rows->nrows;
    return DB_OK;
}

enum db_rc report_load_days(struct db *db, struct pool *pool, long long project_id,
                            const char *as_of, struct rpt_day **out, size_t *n)
{
    char cutoff[20];
    cutoff_of(as_of, cutoff);
    struct db_param p[] = {DB_INTP(project_id), DB_TEXTP(cutoff)};
    struct db_rows *rows;
    *out = NULL;
    *n = 0;
    /* Each history row's change against the segment's previous row; a
     * deleted segment's row takes its metres away. */
    enum db_rc rc =
        db_exec(db, pool,
                "SELECT DATE(d.recorded_at), COALESCE(l.contractor_id, 0), SUM(d.dp), "
                "SUM(d.db) FROM (SELECT recorded_at, lot_id, "
                "IF(deleted, 0, planned_length_m) - COALESCE(LAG(IF(deleted, 0, "
                "planned_length_m)) OVER w, 0) AS dp, "
                "IF(deleted, 0, built_length_m) - COALESCE(LAG(IF(deleted, 0, "
                "built_length_m)) OVER w, 0) AS db "
                "FROM segment_history WHERE project_id = ? "
                "AND recorded_at < ? + INTERVAL 1 DAY "
                "WINDOW w AS (PARTITION BY segment_id ORDER BY recorded_at, id)) d "
                "LEFT JOIN lots l ON l.id = d.lot_id "
                "GROUP BY DATE(d.recorded_at), COALESCE(l.contractor_id, 0) ORDER BY 1, 2",
                p, 2, &rows);
    if (rc != DB_OK)
        return rc;
    struct rpt_day *days = pool_alloc(pool, sizeof(*days) * (rows->nrows + 1));
    for (size_t i = 0; i < rows->nrows; i++) {
        snprintf(days[i].date, sizeof(days[i].date), "%s",
                 db_cell(rows, i, 0) ? db_cell(rows, i, 0) : "");
        days[i].contractor_id = to_ll(db_cell(rows, i, 1));
        days[i].planned_delta = to_d(db_cell(rows, i, 2));
        days[i].built_delta = to_d(db_cell(rows, i, 3));
    }
    *out = days;
    *n = rows->nrows;
    return DB_OK;
}

/* The row of contractor id in list (growing it when new). */
static struct rpt_contractor *contractor_row(struct pool *pool, struct rpt_contractor **list,
                                             size_t *n, size_t *cap, long long id)
{
    for (size_t i = 0; i < *n; i++)
        if ((*list)[i].id == id)
            return &(*list)[i];
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        struct rpt_contractor *grown = pool_alloc(pool, sizeof(**list) * ncap);
        if (*n)
            memcpy(grown, *list, sizeof(**list) * *n);
        *list = grown;
        *cap = ncap;
    }
    struct rpt_contractor *c = &(*list)[(*n)++];
    memset(c, 0, sizeof(*c));
    c->id = id;
    return c;
}

enum db_rc report_load_contractors(struct db *db, struct pool *pool, long long project_id,
                                   const char *as_of, struct rpt_contractor **out, size_t *n)
{
    char cutoff[20];
    cutoff_of(as_of, cutoff);
    struct rpt_contractor *list = NULL;
    size_t cnt = 0, cap = 0;
    struct db_rows *rows;
    *out = NULL;
    *n = 0;

    struct db_param pid[] = {DB_INTP(project_id)};
    enum db_rc rc =
        db_exec(db, pool,
                "SELECT c.id, c.name, GROUP_CONCAT(l.code ORDER BY l.code SEPARATOR ', ') "
                "FROM lots l JOIN contractors c ON c.id = l.contractor_id "
                "WHERE l.project_id = ? GROUP BY c.id, c.name ORDER BY c.name, c.id",
                pid, 1, &rows);
    if (rc != DB_OK)
        return rc;
    for (size_t i = 0; i < rows->nrows; i++) {
        struct rpt_contractor *c =
            contractor_row(pool, &list, &cnt, &cap, to_ll(db_cell(rows, i, 0)));
        c->name = db_cell(rows, i, 1);
        c->lots = db_cell(rows, i, 2);
    }

    struct db_param h[] = {DB_INTP(project_id), DB_TEXTP(cutoff)};
    rc = db_exec(db, pool,
                 "SELECT COALESCE(l.contractor_id, 0), COUNT(*), SUM(h.planned_length_m), "
                 "SUM(h.built_length_m) FROM (SELECT lot_id, planned_length_m, built_length_m, "
                 "deleted, ROW_NUMBER() OVER (PARTITION BY segment_id ORDER BY recorded_at DESC, "
                 "id DESC) AS rn FROM segment_history WHERE project_id = ? "
                 "AND recorded_at < ? + INTERVAL 1 DAY) h "
                 "LEFT JOIN lots l ON l.id = h.lot_id WHERE h.rn = 1 AND h.deleted = 0 "
                 "GROUP BY COALESCE(l.contractor_id, 0)",
                 h, 2, &rows);
    if (rc != DB_OK)
        return rc;
    for (size_t i = 0; i < rows->nrows; i++) {
        struct rpt_contractor *c =
            contractor_row(pool, &list, &cnt, &cap, to_ll(db_cell(rows, i, 0)));
        c->segments = to_ll(db_cell(rows, i, 1));
        c->planned_m = to_d(db_cell(rows, i, 2));
        c->built_m = to_d(db_cell(rows, i, 3));
    }

    /* Reports by their state at the end of the day: one decided later was
     * still pending then. */
    struct db_param r[] = {DB_TEXTP(cutoff), DB_TEXTP(cutoff), DB_TEXTP(cutoff),
                           DB_INTP(project_id), DB_TEXTP(cutoff)};
    rc = db_exec(db, pool,
                 "SELECT pr.contractor_id, "
                 "SUM(pr.state = 'approved' AND pr.reviewed_at < ? + INTERVAL 1 DAY), "
                 "SUM(pr.state = 'rejected' AND pr.reviewed_at < ? + INTERVAL 1 DAY), "
                 "SUM(pr.state = 'submitted' OR pr.reviewed_at IS NULL "
                 "OR pr.reviewed_at >= ? + INTERVAL 1 DAY) "
                 "FROM progress_reports pr JOIN segments s ON s.id = pr.segment_id "
                 "WHERE s.project_id = ? AND pr.created_at < ? + INTERVAL 1 DAY "
                 "GROUP BY pr.contractor_id",
                 r, 5, &rows);
    if (rc != DB_OK)
        return rc;
    for (size_t i = 0; i < rows->nrows; i++) {
        struct rpt_contractor *c =
            contractor_row(pool, &list, &cnt, &cap, to_ll(db_cell(rows, i, 0)));
        c->reports_approved = to_ll(db_cell(rows, i, 1));
        c->reports_rejected = to_ll(db_cell(rows, i, 2));
        c->reports_pending = to_ll(db_cell(rows, i, 3));
    }

    /* Names of contractors that have reports or segments but no lot now. */
    for (size_t i = 0; i < cnt; i++) {
        if (list[i].name || list[i].id == 0)
            continue;
        struct db_param cid[] = {DB_INTP(list[i].id)};
        rc = db_exec(db, pool, "SELECT name FROM contractors WHERE id = ?", cid, 1, &rows);
        if (rc != DB_OK)
            return rc;
        list[i].name = rows->nrows ? db_cell(rows, 0, 0) : pool_printf(pool, "#%lld", list[i].id);
    }
    *out = list;
    *n = cnt;
    return DB_OK;
}

enum db_rc report_load_costs(struct db *db, struct pool *pool, long long project_id,
                             const char *as_of, struct rpt_cost_line **out, size_t *n)
{
    char cutoff[20];
    cutoff_of(as_of, cutoff);
    struct db_param p[] = {DB_INTP(project_id), DB_TEXTP(cutoff)};
    struct db_rows *rows;
    *out = NULL;
    *n = 0;
    enum db_rc rc = db_exec(db, pool,
                            "SELECT COALESCE(i.category, 'other') AS cat, COUNT(*), "
                            "SUM(h.net_cents), SUM(h.eligible_cents), "
                            "SUM(IF(h.status = 'paid', h.net_cents, 0)) "
                            "FROM (SELECT invoice_id, net_cents, eligible_cents, status, deleted, "
                            "ROW_NUMBER() OVER (PARTITION BY invoice_id ORDER BY recorded_at DESC, "
                            "id DESC) AS rn FROM invoice_history WHERE project_id = ? "
                            "AND recorded_at < ? + INTERVAL 1 DAY) h "
                            "LEFT JOIN invoices i ON i.id = h.invoice_id "
                            "WHERE h.rn = 1 AND h.deleted = 0 GROUP BY cat ORDER BY cat",
                            p, 2, &rows);
    if (rc != DB_OK)
        return rc;
    struct rpt_cost_line *lines = pool_alloc(pool, sizeof(*lines) * (rows->nrows + 1));
    for (size_t i = 0; i < rows->nrows; i++) {
        lines[i].category = db_cell(rows, i, 0);
        lines[i].invoices = to_ll(db_cell(rows, i, 1));
        lines[i].invoiced_cents = to_ll(db_cell(rows, i, 2));
        lines[i].eligible_cents = to_ll(db_cell(rows, i, 3));
        lines[i].paid_cents = to_ll(db_cell(rows, i, 4));
    }
    *out = lines;
    *n = rows->nrows;
    return DB_OK;
}

enum db_rc report_load_invoices(struct db *db, struct pool *pool, long long project_id,
                                const char *from, const char *to, struct rpt_invoice **out,
                                size_t *n)
{
    char cutoff[20];
    cutoff_of(to, cutoff);
    struct db_param p[] = {DB_INTP(project_id), DB_TEXTP(cutoff), DB_TEXTP(from), DB_TEXTP(to)};
    struct db_rows *rows;
    *out = NULL;
    *n = 0;
    enum db_rc rc =
        db_exec(db, pool,
                "SELECT h.invoice_id, i.number, i.invoice_date, c.name, l.code, l.name, "
                "i.category, h.status, i.paid_date, h.net_cents, i.vat_cents, "
                "h.eligible_cents "
                "FROM (SELECT invoice_id, net_cents, eligible_cents, status, deleted, "
                "ROW_NUMBER() OVER (PARTITION BY invoice_id ORDER BY recorded_at DESC, "
                "id DESC) AS rn FROM invoice_history WHERE project_id = ? "
                "AND recorded_at < ? + INTERVAL 1 DAY) h "
                "JOIN invoices i ON i.id = h.invoice_id "
                "LEFT JOIN contractors c ON c.id = i.contractor_id "
                "LEFT JOIN lots l ON l.id = i.lot_id "
                "WHERE h.rn = 1 AND h.deleted = 0 AND i.invoice_date BETWEEN ? AND ? "
                "ORDER BY i.invoice_date, i.id",
                p, 4, &rows);
    if (rc != DB_OK)
        return rc;
    struct rpt_invoice *inv = pool_alloc(pool, sizeof(*inv) * (rows->nrows + 1));
    for (size_t i = 0; i < rows->nrows; i++) {
        inv[i].id = to_ll(db_cell(rows, i, 0));
        inv[i].number = db_cell(rows, i, 1);
        inv[i].invoice_date = db_cell(rows, i, 2);
        inv[i].contractor = db_cell(rows, i, 3);
        inv[i].lot_code = db_cell(rows, i, 4);
        inv[i].lot_name = db_cell(rows, i, 5);
        inv[i].category = db_cell(rows, i, 6);
        inv[i].status = db_cell(rows, i, 7);
        inv[i].paid_date = db_cell(rows, i, 8);
        inv[i].net_cents = to_ll(db_cell(rows, i, 9));
        inv[i].vat_cents = to_ll(db_cell(rows, i, 10));
        inv[i].eligible_cents = to_ll(db_cell(rows, i, 11));
    }
    *out = inv;
    *n = rows->nrows;
    return DB_OK;
}

/* ---- chunked cursors ---- */

/* The largest object id of the next chunk of up to max objects with
 * history before the cut-off, or 0 at the end. The queries name the
 * (object id, recorded_at) index: left alone, the optimizer prefers the
 * (project_id, recorded_at) one and sorts the whole project per chunk. */
static int chunk_bound(struct report_cursor *c, const char *sql, size_t max, long long *upper)
{
    struct db_param p[] = {DB_INTP(c->project_id), DB_INTP(c->after), DB_TEXTP(c->cutoff),
                           DB_INTP((long long)max)};
    struct db_rows *rows;
    enum db_rc rc = db_exec(c->db, c->chunk, sql, p, 4, &rows);
    if (rc != DB_OK)
        return rc;
    *upper = rows->nrows ? to_ll(db_cell(rows, 0, 0)) : 0;
    return DB_OK;
}

/* Starts a new chunk: frees the previous one's strings. */
static int chunk_begin(struct report_cursor *c)
{
    if (c->chunk)
        pool_free(c->chunk);
    c->chunk = pool_new();
    return c->chunk ? 0 : -1;
}

/* Reads the rows of the next chunk of up to max objects: bound_sql finds
 * where the chunk ends (see chunk_bound), rows_sql reads the objects in it
 * (parameters: project, after, upper, cut-off). Returns 1 with *rows (which
 * may be empty when the objects were deleted), 0 at the end, -1 on error
 * (c->rc says which). */
static int chunk_rows(struct report_cursor *c, size_t max, const char *bound_sql,
                      const char *rows_sql, struct db_rows **rows)
{
    long long upper = 0;
    int rc = chunk_bound(c, bound_sql, max, &upper);
    if (rc == DB_OK && upper == 0) {
        c->done = 1;
        return 0;
    }
    if (rc == DB_OK) {
        struct db_param p[] = {DB_INTP(c->project_id), DB_INTP(c->after), DB_INTP(upper),
                               DB_TEXTP(c->cutoff)};
        rc = db_exec(c->db, c->chunk, rows_sql, p, 4, rows);
    }
    if (rc != DB_OK) {
        c->rc = rc;
        return -1;
    }
    c->after = upper;
    return 1;
}

/* Common start of a cursor's next(): 1 to read on, 0 at the end, -1 on
 * error. */
static int chunk_start(struct report_cursor *c, size_t *max)
{
    if (c->done)
        return 0;
    if (*max > REPORT_CHUNK)
        *max = REPORT_CHUNK;
    if (chunk_begin(c)) {
        c->rc = DB_ERROR;
        return -1;
    }
    return 1;
}

static int segments_next(void *ctx, void *out, size_t max, size_t *n)
{
    struct report_cursor *c = ctx;
    struct rpt_segment *rows_out = out;
    *n = 0;
    int go = chunk_start(c, &max);
    if (go <= 0)
        return go;
    /* Deleted segments leave a chunk short: read on until one has rows. */
    while (*n == 0) {
        struct db_rows *rows = NULL;
        go = chunk_rows(c, max,
                        "SELECT MAX(segment_id) FROM (SELECT DISTINCT segment_id "
                        "FROM segment_history FORCE INDEX (segment_history_segment) "
                        "WHERE project_id = ? AND segment_id > ? "
                        "AND recorded_at < ? + INTERVAL 1 DAY ORDER BY segment_id "
                        "LIMIT ?) t",
                        "SELECT h.segment_id, h.status, h.method, h.planned_length_m, "
                        "h.built_length_m, s.code, s.kind, s.surface, l.code, ct.name, "
                        "s.planned_start, s.planned_end, s.actual_start, s.actual_end "
                        "FROM (SELECT segment_id, lot_id, status, method, planned_length_m, "
                        "built_length_m, deleted, ROW_NUMBER() OVER (PARTITION BY segment_id "
                        "ORDER BY recorded_at DESC, id DESC) AS rn FROM segment_history "
                        "FORCE INDEX (segment_history_segment) "
                        "WHERE project_id = ? AND segment_id > ? AND segment_id <= ? "
                        "AND recorded_at < ? + INTERVAL 1 DAY) h "
                        "LEFT JOIN segments s ON s.id = h.segment_id "
                        "LEFT JOIN lots l ON l.id = h.lot_id "
                        "LEFT JOIN contractors ct ON ct.id = l.contractor_id "
                        "WHERE h.rn = 1 AND h.deleted = 0 ORDER BY h.segment_id",
                        &rows);
        if (go <= 0)
            return go;
        for (size_t i = 0; i < rows->nrows && *n < max; i++) {
            struct rpt_segment *g = &rows_out[(*n)++];
            memset(g, 0, sizeof(*g));
            g->id = to_ll(db_cell(rows, i, 0));
            g->status = db_cell(rows, i, 1);
            g->method = db_cell(rows, i, 2);
            g->planned_m = to_d(db_cell(rows, i, 3));
            g->built_m = to_d(db_cell(rows, i, 4));
            g->code = db_cell(rows, i, 5);
            g->kind = db_cell(rows, i, 6);
            g->surface = db_cell(rows, i, 7);
            g->lot_code = db_cell(rows, i, 8);
            g->contractor = db_cell(rows, i, 9);
            g->planned_start = db_cell(rows, i, 10);
            g->planned_end = db_cell(rows, i, 11);
            /* The actual dates are set once, with the first move into
             * in_construction and into tested: shown when the segment had
             * made that move by the report date. */
            int st = segment_status_parse(g->status);
            g->actual_start = st >= SEG_IN_CONSTRUCTION ? db_cell(rows, i, 12) : NULL;
            g->actual_end = st >= SEG_TESTED ? db_cell(rows, i, 13) : NULL;
        }
    }
    return 0;
}

static int premises_next(void *ctx, void *out, size_t max, size_t *n)
{
    struct report_cursor *c = ctx;
    struct rpt_premise *rows_out = out;
    *n = 0;
    int go = chunk_start(c, &max);
    if (go <= 0)
        return go;
    while (*n == 0) {
        struct db_rows *rows = NULL;
        go = chunk_rows(c, max,
                        "SELECT MAX(premise_id) FROM (SELECT DISTINCT premise_id "
                        "FROM premise_history FORCE INDEX (premise_history_premise) "
                        "WHERE project_id = ? AND premise_id > ? "
                        "AND recorded_at < ? + INTERVAL 1 DAY ORDER BY premise_id "
                        "LIMIT ?) t",
                        "SELECT h.premise_id, h.status, h.white_spot, DATE(h.recorded_at), "
                        "p.code, p.street, p.house_number, p.postcode, p.city, p.kind, "
                        "CASE h.status WHEN 'passed' THEN p.passed_date "
                        "WHEN 'connected' THEN p.connected_date "
                        "WHEN 'activated' THEN p.activated_date "
                        "WHEN 'excluded' THEN p.excluded_date END, s.code "
                        "FROM (SELECT premise_id, status, white_spot, recorded_at, deleted, "
                        "ROW_NUMBER() OVER (PARTITION BY premise_id ORDER BY recorded_at DESC, "
                        "id DESC) AS rn FROM premise_history "
                        "FORCE INDEX (premise_history_premise) WHERE project_id = ? "
                        "AND premise_id > ? AND premise_id <= ? "
                        "AND recorded_at < ? + INTERVAL 1 DAY) h "
                        "LEFT JOIN premises p ON p.id = h.premise_id "
                        "LEFT JOIN segments s ON s.id = p.serving_segment_id "
                        "WHERE h.rn = 1 AND h.deleted = 0 ORDER BY h.premise_id",
                        &rows);
        if (go <= 0)
            return go;
        for (size_t i = 0; i < rows->nrows && *n < max; i++) {
            struct rpt_premise *q = &rows_out[(*n)++];
            memset(q, 0, sizeof(*q));
            q->id = to_ll(db_cell(rows, i, 0));
            q->status = db_cell(rows, i, 1);
            q->white_spot = to_ll(db_cell(rows, i, 2)) != 0;
            q->code = db_cell(rows, i, 4);
            q->street = db_cell(rows, i, 5);
            q->house_number = db_cell(rows, i, 6);
            q->postcode = db_cell(rows, i, 7);
            q->city = db_cell(rows, i, 8);
            q->kind = db_cell(rows, i, 9);
            /* The date the premise reached its status, when it is known
             * and not after the report date; else the day it was recorded. */
            const char *d = db_cell(rows, i, 10);
            q->status_date = d && strcmp(d, c->as_of) <= 0 ? d : db_cell(rows, i, 3);
            q->segment_code = db_cell(rows, i, 11);
        }
    }
    return 0;
}

static void cursor_init(struct report_cursor *c, struct db *db, long long project_id,
                        const char *as_of)
{
    memset(c, 0, sizeof(*c));
    c->db = db;
    c->project_id = project_id;
    snprintf(c->as_of, sizeof(c->as_of), "%.10s", as_of);
    cutoff_of(as_of, c->cutoff);
    c->rc = DB_OK;
}

void report_segments_open(struct report_cursor *c, struct db *db, long long project_id,
                          const char *as_of, struct rpt_source *src)
{
    cursor_init(c, db, project_id, as_of);
    src->next = segments_next;
    src->ctx = c;
}

void report_premises_open(struct report_cursor *c, struct db *db, long long project_id,
                          const char *as_of, struct rpt_source *src)
{
    cursor_init(c, db, project_id, as_of);
    src->next = premises_next;
    src->ctx = c;
}

void report_cursor_close(struct report_cursor *c)
{
    if (c->chunk)
        pool_free(c->chunk);
    c->chunk = NULL;
}
