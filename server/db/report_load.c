/* report_load.c — the queries behind the workbooks. Each reads history
 * rows recorded before the cut-off in (object, recorded_at, id) order and
 * keeps, per object, the last one, exactly the row summary_load counts, so
 * the sheets add up to the summary. */
#include "db/report_load.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db.h"
#include "domain/status.h"
#include "util/pool.h"

static long long to_ll(const char *s) { return s ? strtoll(s, NULL, 10) : 0; }

static double to_d(const char *s) { return s ? strtod(s, NULL) : 0; }

void report_cutoff_of_day(const char *as_of, char out[32])
{
    struct tm tm = {0};
    int y = 0, m = 0, d = 0;
    if (!as_of || sscanf(as_of, "%4d-%2d-%2d", &y, &m, &d) != 3) {
        snprintf(out, 32, "9999-12-31 23:59:59");
        return;
    }
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d + 1;
    time_t t = timegm(&tm);
    gmtime_r(&t, &tm);
    char buf[64];
    snprintf(buf, sizeof(buf), "%04d-%02d-%02d 00:00:00", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday);
    snprintf(out, 32, "%.19s", buf);
}

/* Picks the row that holds at the cut-off for every object of rows, which
 * are ordered by object id (column 0), recorded_at and id, with column 1
 * "recorded before the cut-off" (0/1) and column 2 "deleted". An object
 * whose holding row is a deletion is left out; one recorded only after the
 * cut-off is left out, or with first_if_none counted with its first row.
 * Returns the chosen row indexes in pool, *n of them, in object order. */
static size_t *pick_latest(struct pool *pool, const struct db_rows *rows, int first_if_none,
                           size_t *n)
{
    size_t *out = pool_alloc(pool, sizeof(*out) * (rows->nrows + 1));
    *n = 0;
    size_t i = 0;
    while (i < rows->nrows) {
        const char *obj = db_cell(rows, i, 0);
        size_t first = i, pick = (size_t)-1;
        for (; i < rows->nrows && strcmp(db_cell(rows, i, 0), obj) == 0; i++)
            if (to_ll(db_cell(rows, i, 1)))
                pick = i;
        if (pick == (size_t)-1 && first_if_none)
            pick = first;
        if (pick != (size_t)-1 && !to_ll(db_cell(rows, pick, 2)))
            out[(*n)++] = pick;
    }
    return out;
}

/* ---- names ---- */

enum db_rc report_load_names(struct db *db, struct pool *pool, long long project_id,
                             const char *cutoff, struct report_names *out)
{
    memset(out, 0, sizeof(*out));
    struct db_param p[] = {DB_TEXTP(cutoff), DB_INTP(project_id)};
    struct db_rows *rows;
    enum db_rc rc = db_exec(db, pool,
                            "SELECT lot_id, recorded_at < ?, deleted, code, name, contractor_id "
                            "FROM lot_history WHERE project_id = ? "
                            "ORDER BY lot_id, recorded_at, id",
                            p, 2, &rows);
    if (rc != DB_OK)
        return rc;
    size_t n;
    size_t *pick = pick_latest(pool, rows, 1, &n);
    out->lots = pool_alloc(pool, sizeof(*out->lots) * (n + 1));
    for (size_t k = 0; k < n; k++) {
        size_t i = pick[k];
        struct report_lot *l = &out->lots[k];
        l->id = to_ll(db_cell(rows, i, 0));
        l->code = db_cell(rows, i, 3);
        l->name = db_cell(rows, i, 4);
        l->contractor_id = to_ll(db_cell(rows, i, 5));
    }
    out->nlots = n;

    struct db_param c[] = {DB_TEXTP(cutoff)};
    rc = db_exec(db, pool,
                 "SELECT contractor_id, recorded_at < ?, deleted, name FROM contractor_history "
                 "ORDER BY contractor_id, recorded_at, id",
                 c, 1, &rows);
    if (rc != DB_OK)
        return rc;
    pick = pick_latest(pool, rows, 1, &n);
    out->contractors = pool_alloc(pool, sizeof(*out->contractors) * (n + 1));
    for (size_t k = 0; k < n; k++) {
        out->contractors[k].id = to_ll(db_cell(rows, pick[k], 0));
        out->contractors[k].name = db_cell(rows, pick[k], 3);
    }
    out->ncontractors = n;
    return DB_OK;
}

const struct report_lot *report_lot_of(const struct report_names *n, long long id)
{
    size_t lo = 0, hi = n->nlots;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (n->lots[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n->nlots && n->lots[lo].id == id ? &n->lots[lo] : NULL;
}

const char *report_contractor_name(const struct report_names *n, long long id)
{
    size_t lo = 0, hi = n->ncontractors;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (n->contractors[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n->ncontractors && n->contractors[lo].id == id ? n->contractors[lo].name : NULL;
}

/* ---- the project ---- */

enum db_rc report_load_project(struct db *db, struct pool *pool, long long project_id,
                               const char *cutoff, struct rpt_project *p, int *found)
{
    memset(p, 0, sizeof(*p));
    *found = 0;
    struct db_param pid[] = {DB_TEXTP(cutoff), DB_INTP(project_id)};
    struct db_rows *rows;
    enum db_rc rc =
        db_exec(db, pool,
                "SELECT project_id, recorded_at < ?, deleted, code, name, municipality, "
                "funding_programme, grant_reference, start_date, planned_end_date, budget_cents, "
                "federal_rate, state_rate FROM project_history WHERE project_id = ? "
                "ORDER BY project_id, recorded_at, id",
                pid, 2, &rows);
    if (rc != DB_OK)
        return rc;
    size_t n;
    size_t *pick = pick_latest(pool, rows, 1, &n);
    if (n == 0) {
        /* A project deleted by the cut-off: only its current row could name
         * it, and there is none. */
        return DB_OK;
    }
    size_t i = pick[0];
    *found = 1;
    p->id = project_id;
    p->code = db_cell(rows, i, 3);
    p->name = db_cell(rows, i, 4);
    p->municipality = db_cell(rows, i, 5);
    p->programme = db_cell(rows, i, 6);
    p->grant_reference = db_cell(rows, i, 7);
    p->start_date = db_cell(rows, i, 8);
    p->planned_end_date = db_cell(rows, i, 9);
    p->budget_cents = to_ll(db_cell(rows, i, 10));
    p->federal_rate = to_d(db_cell(rows, i, 11));
    p->state_rate = to_d(db_cell(rows, i, 12));
    return DB_OK;
}

/* ---- milestones ---- */

static int cmp_text(const char *a, const char *b)
{
    if (!a || !b)
        return a ? -1 : (b ? 1 : 0);
    return strcmp(a, b);
}

static int milestone_order(const void *a, const void *b)
{
    const struct rpt_milestone *x = a, *y = b;
    int c = cmp_text(x->planned, y->planned);
    if (c)
        return c;
    return x->id < y->id ? -1 : x->id > y->id;
}

enum db_rc report_load_milestones(struct db *db, struct pool *pool, long long project_id,
                                  const char *cutoff, struct rpt_milestone **out, size_t *n)
{
    struct db_param p[] = {DB_INTP(project_id), DB_TEXTP(cutoff)};
    struct db_rows *rows;
    *out = NULL;
    *n = 0;
    enum db_rc rc = db_exec(db, pool,
                            "SELECT milestone_id, 1, deleted, name, kind, notes, planned_date, "
                            "forecast_date, actual_date, funding_relevant, tranche_cents "
                            "FROM milestone_history WHERE project_id = ? AND recorded_at < ? "
                            "ORDER BY milestone_id, recorded_at, id",
                            p, 2, &rows);
    if (rc != DB_OK)
        return rc;
    size_t cnt;
    size_t *pick = pick_latest(pool, rows, 0, &cnt);
    struct rpt_milestone *ms = pool_alloc(pool, sizeof(*ms) * (cnt + 1));
    for (size_t k = 0; k < cnt; k++) {
        size_t i = pick[k];
        ms[k].id = to_ll(db_cell(rows, i, 0));
        ms[k].name = db_cell(rows, i, 3);
        ms[k].kind = db_cell(rows, i, 4);
        ms[k].notes = db_cell(rows, i, 5);
        ms[k].planned = db_cell(rows, i, 6);
        ms[k].forecast = db_cell(rows, i, 7);
        ms[k].actual = db_cell(rows, i, 8);
        ms[k].funding_relevant = to_ll(db_cell(rows, i, 9)) != 0;
        ms[k].tranche_cents = to_ll(db_cell(rows, i, 10));
    }
    qsort(ms, cnt, sizeof(*ms), milestone_order);
    *out = ms;
    *n = cnt;
    return DB_OK;
}

/* ---- weekly changes and contractors ---- */

static long long contractor_of_lot(const struct report_names *names, long long lot_id)
{
    const struct report_lot *l = lot_id ? report_lot_of(names, lot_id) : NULL;
    return l ? l->contractor_id : 0;
}

void report_load_days(struct pool *pool, const struct seg_fold *segs,
                      const struct report_names *names, struct rpt_day **out, size_t *n)
{
    struct rpt_day *days = pool_alloc(pool, sizeof(*days) * (segs->ndays + 1));
    for (size_t i = 0; i < segs->ndays; i++) {
        const struct seg_day *d = &segs->days[i];
        unsigned ymd = (unsigned)d->date;
        snprintf(days[i].date, sizeof(days[i].date), "%04u-%02u-%02u", ymd / 10000 % 10000,
                 ymd / 100 % 100, ymd % 100);
        days[i].contractor_id = contractor_of_lot(names, d->lot_id);
        /* Hundredths to a double as the SQL sum's text became one. */
        days[i].planned_delta = (double)d->planned / 100.0;
        days[i].built_delta = (double)d->built / 100.0;
    }
    *out = days;
    *n = segs->ndays;
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

static int contractor_order(const void *a, const void *b)
{
    const struct rpt_contractor *x = a, *y = b;
    if (!x->id || !y->id)
        return !x->id - !y->id; /* "no contractor" last */
    int c = cmp_text(x->name, y->name);
    if (c)
        return c;
    return x->id < y->id ? -1 : x->id > y->id;
}

static int text_order(const void *a, const void *b)
{
    return cmp_text(*(const char *const *)a, *(const char *const *)b);
}

enum db_rc report_load_contractors(struct db *db, struct pool *pool, long long project_id,
                                   const char *cutoff, const struct report_names *names,
                                   const struct seg_fold *segs, struct rpt_contractor **out,
                                   size_t *n)
{
    struct rpt_contractor *list = NULL;
    size_t cnt = 0, cap = 0;
    struct db_rows *rows;
    *out = NULL;
    *n = 0;

    /* The contractors of the lots, each with its lot codes in order. */
    const char **codes = pool_alloc(pool, sizeof(*codes) * (names->nlots + 1));
    for (size_t i = 0; i < names->nlots; i++) {
        long long cid = names->lots[i].contractor_id;
        if (!cid)
            continue;
        struct rpt_contractor *c = contractor_row(pool, &list, &cnt, &cap, cid);
        size_t k = 0;
        for (size_t j = 0; j < names->nlots; j++)
            if (names->lots[j].contractor_id == cid)
                codes[k++] = names->lots[j].code;
        qsort(codes, k, sizeof(*codes), text_order);
        size_t len = 1;
        for (size_t j = 0; j < k; j++)
            len += strlen(codes[j] ? codes[j] : "") + 2;
        char *s = pool_alloc(pool, len);
        for (size_t j = 0; j < k; j++) {
            if (j)
                strcat(s, ", ");
            strcat(s, codes[j] ? codes[j] : "");
        }
        c->lots = s;
    }

    /* The lots come by id, as the GROUP BY this replaced gave them, so a
     * contractor's doubles add up in the same order. */
    for (size_t i = 0; i < segs->nlots; i++) {
        const struct seg_lot *l = &segs->lots[i];
        long long cid = contractor_of_lot(names, l->lot_id);
        struct rpt_contractor *c = contractor_row(pool, &list, &cnt, &cap, cid);
        c->segments += l->count;
        c->planned_m += (double)l->planned / 100.0;
        c->built_m += (double)l->built / 100.0;
    }

    /* Reports by their state at the cut-off: one decided later was still
     * pending then. */
    struct db_param r[] = {DB_TEXTP(cutoff), DB_TEXTP(cutoff), DB_TEXTP(cutoff),
                           DB_INTP(project_id), DB_TEXTP(cutoff)};
    enum db_rc rc =
        db_exec(db, pool,
                "SELECT pr.contractor_id, "
                "SUM(pr.state = 'approved' AND pr.reviewed_at < ?), "
                "SUM(pr.state = 'rejected' AND pr.reviewed_at < ?), "
                "SUM(pr.state = 'submitted' OR pr.reviewed_at IS NULL OR pr.reviewed_at >= ?) "
                "FROM progress_reports pr JOIN segments s ON s.id = pr.segment_id "
                "WHERE s.project_id = ? AND pr.created_at < ? GROUP BY pr.contractor_id",
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

    for (size_t i = 0; i < cnt; i++) {
        if (list[i].id == 0)
            continue;
        const char *name = report_contractor_name(names, list[i].id);
        list[i].name = name ? name : pool_printf(pool, "#%lld", list[i].id);
    }
    if (cnt)
        qsort(list, cnt, sizeof(*list), contractor_order);
    *out = list;
    *n = cnt;
    return DB_OK;
}

/* ---- invoices ---- */

static int invoice_order(const void *a, const void *b)
{
    const struct rpt_invoice *x = a, *y = b;
    int c = cmp_text(x->invoice_date, y->invoice_date);
    if (c)
        return c;
    return x->id < y->id ? -1 : x->id > y->id;
}

enum db_rc report_load_invoices(struct db *db, struct pool *pool, long long project_id,
                                const char *cutoff, const char *to,
                                const struct report_names *names, struct rpt_invoice **out,
                                size_t *n)
{
    struct db_param p[] = {DB_INTP(project_id), DB_TEXTP(cutoff)};
    struct db_rows *rows;
    *out = NULL;
    *n = 0;
    enum db_rc rc =
        db_exec(db, pool,
                "SELECT invoice_id, 1, deleted, number, invoice_date, contractor_id, lot_id, "
                "category, status, paid_date, net_cents, vat_cents, eligible_cents "
                "FROM invoice_history WHERE project_id = ? AND recorded_at < ? "
                "ORDER BY invoice_id, recorded_at, id",
                p, 2, &rows);
    if (rc != DB_OK)
        return rc;
    size_t cnt, k = 0;
    size_t *pick = pick_latest(pool, rows, 0, &cnt);
    struct rpt_invoice *inv = pool_alloc(pool, sizeof(*inv) * (cnt + 1));
    for (size_t j = 0; j < cnt; j++) {
        size_t i = pick[j];
        const char *date = db_cell(rows, i, 4);
        if (to && date && strcmp(date, to) > 0)
            continue;
        struct rpt_invoice *v = &inv[k++];
        v->id = to_ll(db_cell(rows, i, 0));
        v->number = db_cell(rows, i, 3);
        v->invoice_date = date;
        v->contractor = report_contractor_name(names, to_ll(db_cell(rows, i, 5)));
        const struct report_lot *lot = report_lot_of(names, to_ll(db_cell(rows, i, 6)));
        v->lot_code = lot ? lot->code : NULL;
        v->lot_name = lot ? lot->name : NULL;
        v->category = db_cell(rows, i, 7);
        v->status = db_cell(rows, i, 8);
        v->paid_date = db_cell(rows, i, 9);
        v->net_cents = to_ll(db_cell(rows, i, 10));
        v->vat_cents = to_ll(db_cell(rows, i, 11));
        v->eligible_cents = to_ll(db_cell(rows, i, 12));
    }
    qsort(inv, k, sizeof(*inv), invoice_order);
    *out = inv;
    *n = k;
    return DB_OK;
}

void report_cost_lines(struct pool *pool, const struct rpt_invoice *inv, size_t ninv,
                       struct rpt_cost_line **out, size_t *n)
{
    struct rpt_cost_line *lines = pool_alloc(pool, sizeof(*lines) * (ninv + 1));
    size_t cnt = 0;
    for (size_t i = 0; i < ninv; i++) {
        const char *cat = inv[i].category ? inv[i].category : "other";
        size_t k = 0;
        while (k < cnt && strcmp(lines[k].category, cat) != 0)
            k++;
        if (k == cnt)
            lines[cnt++].category = cat;
        lines[k].invoices++;
        lines[k].invoiced_cents += inv[i].net_cents;
        lines[k].eligible_cents += inv[i].eligible_cents;
        if (inv[i].status && strcmp(inv[i].status, "paid") == 0)
            lines[k].paid_cents += inv[i].net_cents;
    }
    *out = lines;
    *n = cnt;
}

/* ---- budget plan, drawdowns and notes ---- */

static int budget_order(const void *a, const void *b)
{
    const struct rpt_budget_line *x = a, *y = b;
    if (x->year != y->year)
        return x->year < y->year ? -1 : 1;
    static const char *const order[] = {"civil_works", "cabling",   "splicing",
                                        "planning",    "materials", "other"};
    int ix = 6, iy = 6;
    for (int i = 0; i < 6; i++) {
        if (x->category && strcmp(x->category, order[i]) == 0)
            ix = i;
        if (y->category && strcmp(y->category, order[i]) == 0)
            iy = i;
    }
    return ix - iy;
}

enum db_rc report_load_budget(struct db *db, struct pool *pool, long long project_id,
                              const char *cutoff, struct rpt_budget_line **out, size_t *n)
{
    struct db_param p[] = {DB_INTP(project_id), DB_TEXTP(cutoff)};
    struct db_rows *rows;
    *out = NULL;
    *n = 0;
    enum db_rc rc = db_exec(db, pool,
                            "SELECT budget_line_id, 1, deleted, category, year, planned_cents, "
                            "note FROM budget_line_history WHERE project_id = ? "
                            "AND recorded_at < ? ORDER BY budget_line_id, recorded_at, id",
                            p, 2, &rows);
    if (rc != DB_OK)
        return rc;
    size_t cnt;
    size_t *pick = pick_latest(pool, rows, 0, &cnt);
    struct rpt_budget_line *b = pool_alloc(pool, sizeof(*b) * (cnt + 1));
    for (size_t k = 0; k < cnt; k++) {
        size_t i = pick[k];
        b[k].category = db_cell(rows, i, 3);
        b[k].year = (int)to_ll(db_cell(rows, i, 4));
        b[k].planned_cents = to_ll(db_cell(rows, i, 5));
        b[k].note = db_cell(rows, i, 6);
    }
    qsort(b, cnt, sizeof(*b), budget_order);
    *out = b;
    *n = cnt;
    return DB_OK;
}

static int drawdown_order(const void *a, const void *b)
{
    const struct rpt_drawdown *x = a, *y = b;
    if (x->number != y->number)
        return x->number < y->number ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

enum db_rc report_load_drawdowns(struct db *db, struct pool *pool, long long project_id,
                                 const char *cutoff, struct rpt_drawdown **out, size_t *n)
{
    struct db_param p[] = {DB_INTP(project_id), DB_TEXTP(cutoff)};
    struct db_rows *rows;
    *out = NULL;
    *n = 0;
    enum db_rc rc = db_exec(
        db, pool,
        "SELECT drawdown_id, 1, deleted, number, period_from, period_to, state, "
        "DATE_FORMAT(requested_at, '%Y-%m-%d %H:%i:%s'), received_at, note, "
        "federal_requested_cents, state_requested_cents, federal_received_cents, "
        "state_received_cents FROM drawdown_history WHERE project_id = ? AND recorded_at < ? "
        "ORDER BY drawdown_id, recorded_at, id",
        p, 2, &rows);
    if (rc != DB_OK)
        return rc;
    size_t cnt;
    size_t *pick = pick_latest(pool, rows, 0, &cnt);
    struct rpt_drawdown *d = pool_alloc(pool, sizeof(*d) * (cnt + 1));
    for (size_t k = 0; k < cnt; k++) {
        size_t i = pick[k];
        d[k].id = to_ll(db_cell(rows, i, 0));
        d[k].number = (int)to_ll(db_cell(rows, i, 3));
        d[k].period_from = db_cell(rows, i, 4);
        d[k].period_to = db_cell(rows, i, 5);
        d[k].state = db_cell(rows, i, 6);
        d[k].requested_at = db_cell(rows, i, 7);
        d[k].received_at = db_cell(rows, i, 8);
        d[k].note = db_cell(rows, i, 9);
        d[k].federal_requested_cents = to_ll(db_cell(rows, i, 10));
        d[k].state_requested_cents = to_ll(db_cell(rows, i, 11));
        d[k].federal_received_cents = to_ll(db_cell(rows, i, 12));
        d[k].state_received_cents = to_ll(db_cell(rows, i, 13));
    }
    qsort(d, cnt, sizeof(*d), drawdown_order);
    *out = d;
    *n = cnt;
    return DB_OK;
}

static int note_order(const void *a, const void *b)
{
    const struct rpt_note *x = a, *y = b;
    int c = cmp_text(x->period_from, y->period_from);
    return c ? c : cmp_text(x->period_to, y->period_to);
}

enum db_rc report_load_notes(struct db *db, struct pool *pool, long long project_id,
                             const char *cutoff, const char *as_of, struct rpt_note **out,
                             size_t *n)
{
    struct db_param p[] = {DB_INTP(project_id), DB_TEXTP(cutoff)};
    struct db_rows *rows;
    *out = NULL;
    *n = 0;
    enum db_rc rc = db_exec(db, pool,
                            "SELECT report_note_id, 1, deleted, period_from, period_to, text "
                            "FROM report_note_history WHERE project_id = ? AND recorded_at < ? "
                            "ORDER BY report_note_id, recorded_at, id",
                            p, 2, &rows);
    if (rc != DB_OK)
        return rc;
    size_t cnt, k = 0;
    size_t *pick = pick_latest(pool, rows, 0, &cnt);
    struct rpt_note *notes = pool_alloc(pool, sizeof(*notes) * (cnt + 1));
    for (size_t j = 0; j < cnt; j++) {
        size_t i = pick[j];
        const char *from = db_cell(rows, i, 3);
        if (as_of && from && strcmp(from, as_of) > 0)
            continue;
        notes[k].period_from = from;
        notes[k].period_to = db_cell(rows, i, 4);
        notes[k].text = db_cell(rows, i, 5);
        k++;
    }
    qsort(notes, k, sizeof(*notes), note_order);
    *out = notes;
    *n = k;
    return DB_OK;
}

/* ---- chunked cursors ---- */

/* Reads one chunk: bound_sql finds the largest object id of the next
 * chunk of up to max objects with history before the cut-off (parameters:
 * project, after, cut-off, max), rows_sql reads their rows in (object,
 * recorded_at, id) order (parameters: project, after, upper, cut-off).
 * The queries name the (object id, recorded_at) index: left alone, the
 * optimizer prefers the (project_id, recorded_at) one and sorts the whole
 * project per chunk. Runs on the caller's thread or on a read-ahead
 * thread, never on both at once. */
static void fetch_run(struct chunk_fetch *f)
{
    f->rows = NULL;
    f->upper = 0;
    f->pool = pool_new();
    if (!f->pool) {
        f->rc = DB_ERROR;
        return;
    }
    if (f->bounds) {
        f->rc = DB_OK;
        if (f->bound_ix >= f->bounds->n)
            return;
        f->upper = f->bounds->last[f->bound_ix];
    } else {
        struct db_param b[] = {DB_INTP(f->project_id), DB_INTP(f->after), DB_TEXTP(f->cutoff),
                               DB_INTP((long long)f->max)};
        struct db_rows *bound;
        f->rc = db_exec(f->db, f->pool, f->bound_sql, b, 4, &bound);
        if (f->rc != DB_OK || bound->nrows == 0 || !db_cell(bound, 0, 0))
            return;
        f->upper = to_ll(db_cell(bound, 0, 0));
        if (f->upper == 0)
            return;
    }
    struct db_param p[] = {DB_INTP(f->project_id), DB_INTP(f->after), DB_INTP(f->upper),
                           DB_TEXTP(f->cutoff)};
    f->rc = db_exec(f->db, f->pool, f->rows_sql, p, 4, &f->rows);
}

static void *fetch_main(void *arg)
{
    fetch_run(arg);
    return NULL;
}

/* Waits for the chunk being read ahead, if any: after this nothing but
 * the caller uses the cursor's connection. */
static void cursor_settle(struct report_cursor *c)
{
    if (!c->ahead_running)
        return;
    pthread_join(c->ahead_thread, NULL);
    c->ahead_running = 0;
}

/* Reads the history rows of the next chunk of up to max objects (see
 * fetch_run) and starts reading the chunk after it on a thread of its own,
 * so that MariaDB works on that one while the writer formats this one.
 * The previous chunk's strings are freed: the writer is done with them.
 * Returns 1 with *rows, 0 at the end, -1 on error (c->rc says which). */
static int chunk_rows(struct report_cursor *c, size_t max, const char *bound_sql,
                      const char *rows_sql, struct db_rows **rows)
{
    struct chunk_fetch f;
    if (c->ahead_running) {
        cursor_settle(c);
        f = c->ahead;
        c->ahead.pool = NULL; /* now f's */
    } else {
        /* The fold's bounds are of REPORT_CHUNK objects: for another size
         * MariaDB says where a chunk ends. */
        f = (struct chunk_fetch){.db = c->db,
                                 .project_id = c->project_id,
                                 .cutoff = c->cutoff,
                                 .bound_sql = bound_sql,
                                 .rows_sql = rows_sql,
                                 .max = max,
                                 .after = c->after,
                                 .bounds = max == REPORT_CHUNK ? c->bounds : NULL,
                                 .bound_ix = c->bound_ix};
        fetch_run(&f);
    }
    if (c->chunk)
        pool_free(c->chunk);
    c->chunk = f.pool;
    if (f.rc != DB_OK) {
        c->rc = f.rc;
        return -1;
    }
    if (f.upper == 0) {
        c->done = 1;
        return 0;
    }
    c->after = f.upper;
    c->bound_ix = f.bound_ix + 1;
    c->ahead = f;
    c->ahead.after = f.upper;
    c->ahead.bound_ix = f.bound_ix + 1;
    c->ahead.pool = NULL;
    c->ahead.rows = NULL;
    /* Without a thread the next chunk is simply read when it is asked for. */
    if (pthread_create(&c->ahead_thread, NULL, fetch_main, &c->ahead) == 0)
        c->ahead_running = 1;
    *rows = f.rows;
    return 1;
}

/* Common start of a cursor's next(): 1 to read on, 0 at the end. */
static int chunk_start(struct report_cursor *c, size_t *max)
{
    if (c->done)
        return 0;
    if (*max > REPORT_CHUNK)
        *max = REPORT_CHUNK;
    return 1;
}

/* Remembers a segment's code for the premises. Returns 0, or -1 when out
 * of memory. */
static int keep_code(struct report_cursor *c, long long id, const char *code)
{
    if (c->nseg == c->capseg) {
        size_t ncap = c->capseg ? c->capseg * 2 : 1024;
        long long *ids = realloc(c->seg_ids, sizeof(*ids) * ncap);
        if (!ids)
            return -1;
        c->seg_ids = ids;
        char **codes = realloc(c->seg_codes, sizeof(*codes) * ncap);
        if (!codes)
            return -1;
        c->seg_codes = codes;
        c->capseg = ncap;
    }
    char *copy = code ? strdup(code) : NULL;
    if (code && !copy)
        return -1;
    c->seg_ids[c->nseg] = id;
    c->seg_codes[c->nseg] = copy;
    c->nseg++;
    return 0;
}

static const char *segment_code(const struct report_cursor *segs, long long id)
{
    if (!segs || !id)
        return NULL;
    size_t lo = 0, hi = segs->nseg;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (segs->seg_ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < segs->nseg && segs->seg_ids[lo] == id ? segs->seg_codes[lo] : NULL;
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
                        "AND recorded_at < ? ORDER BY segment_id LIMIT ?) t",
                        "SELECT segment_id, 1, deleted, status, method, planned_length_m, "
                        "built_length_m, code, kind, surface, lot_id, planned_start, "
                        "planned_end, actual_start, actual_end FROM segment_history "
                        "FORCE INDEX (segment_history_segment) "
                        "WHERE project_id = ? AND segment_id > ? AND segment_id <= ? "
                        "AND recorded_at < ? ORDER BY segment_id, recorded_at, id",
                        &rows);
        if (go <= 0)
            return go;
        size_t cnt;
        size_t *pick = pick_latest(c->chunk, rows, 0, &cnt);
        for (size_t k = 0; k < cnt && *n < max; k++) {
            size_t i = pick[k];
            struct rpt_segment *g = &rows_out[(*n)++];
            memset(g, 0, sizeof(*g));
            g->id = to_ll(db_cell(rows, i, 0));
            g->status = db_cell(rows, i, 3);
            g->method = db_cell(rows, i, 4);
            g->planned_m = to_d(db_cell(rows, i, 5));
            g->built_m = to_d(db_cell(rows, i, 6));
            g->code = db_cell(rows, i, 7);
            g->kind = db_cell(rows, i, 8);
            g->surface = db_cell(rows, i, 9);
            const struct report_lot *lot = report_lot_of(c->names, to_ll(db_cell(rows, i, 10)));
            g->lot_code = lot ? lot->code : NULL;
            g->contractor = lot && lot->contractor_id
                                ? report_contractor_name(c->names, lot->contractor_id)
                                : NULL;
            g->planned_start = db_cell(rows, i, 11);
            g->planned_end = db_cell(rows, i, 12);
            g->actual_start = db_cell(rows, i, 13);
            g->actual_end = db_cell(rows, i, 14);
            if (keep_code(c, g->id, g->code)) {
                c->rc = DB_ERROR;
                return -1;
            }
        }
    }
    return 0;
}

static int premises_next(void *ctx, void *out, size_t max, size_t *n)
{
    struct report_cursor *c = ctx;
    struct rpt_premise *rows_out = out;
    *n = 0;
    /* The segment cursor may still be reading ahead when the writer gave
     * up on its sheet early. */
    if (c->segments)
        cursor_settle(c->segments);
    int go = chunk_start(c, &max);
    if (go <= 0)
        return go;
    while (*n == 0) {
        struct db_rows *rows = NULL;
        go = chunk_rows(c, max,
                        "SELECT MAX(premise_id) FROM (SELECT DISTINCT premise_id "
                        "FROM premise_history FORCE INDEX (premise_history_premise) "
                        "WHERE project_id = ? AND premise_id > ? "
                        "AND recorded_at < ? ORDER BY premise_id LIMIT ?) t",
                        "SELECT premise_id, 1, deleted, status, white_spot, DATE(recorded_at), "
                        "code, street, house_number, postcode, city, kind, serving_segment_id, "
                        "CASE status WHEN 'passed' THEN passed_date "
                        "WHEN 'connected' THEN connected_date "
                        "WHEN 'activated' THEN activated_date "
                        "WHEN 'excluded' THEN excluded_date END "
                        "FROM premise_history FORCE INDEX (premise_history_premise) "
                        "WHERE project_id = ? AND premise_id > ? AND premise_id <= ? "
                        "AND recorded_at < ? ORDER BY premise_id, recorded_at, id",
                        &rows);
        if (go <= 0)
            return go;
        size_t cnt;
        size_t *pick = pick_latest(c->chunk, rows, 0, &cnt);
        for (size_t k = 0; k < cnt && *n < max; k++) {
            size_t i = pick[k];
            struct rpt_premise *q = &rows_out[(*n)++];
            memset(q, 0, sizeof(*q));
            q->id = to_ll(db_cell(rows, i, 0));
            q->status = db_cell(rows, i, 3);
            q->white_spot = to_ll(db_cell(rows, i, 4)) != 0;
            q->code = db_cell(rows, i, 6);
            q->street = db_cell(rows, i, 7);
            q->house_number = db_cell(rows, i, 8);
            q->postcode = db_cell(rows, i, 9);
            q->city = db_cell(rows, i, 10);
            q->kind = db_cell(rows, i, 11);
            q->segment_code = segment_code(c->segments, to_ll(db_cell(rows, i, 12)));
            /* The date the premise reached its status, when it is known
             * and not after the report date; else the day it was recorded. */
            const char *d = db_cell(rows, i, 13);
            q->status_date = d && strcmp(d, c->as_of) <= 0 ? d : db_cell(rows, i, 5);
        }
    }
    return 0;
}

static void cursor_init(struct report_cursor *c, struct db *db, long long project_id,
                        const char *as_of, const char *cutoff)
{
    memset(c, 0, sizeof(*c));
    c->db = db;
    c->project_id = project_id;
    snprintf(c->as_of, sizeof(c->as_of), "%.10s", as_of);
    snprintf(c->cutoff, sizeof(c->cutoff), "%s", cutoff);
    c->rc = DB_OK;
}

void report_segments_open(struct report_cursor *c, struct db *db, long long project_id,
                          const char *as_of, const char *cutoff, const struct report_names *names,
                          struct rpt_source *src)
{
    cursor_init(c, db, project_id, as_of, cutoff);
    c->names = names;
    src->next = segments_next;
    src->ctx = c;
}

void report_premises_open(struct report_cursor *c, struct db *db, long long project_id,
                          const char *as_of, const char *cutoff, struct report_cursor *segments,
                          struct rpt_source *src)
{
    cursor_init(c, db, project_id, as_of, cutoff);
    c->segments = segments;
    src->next = premises_next;
    src->ctx = c;
}

void report_cursor_bounds(struct report_cursor *c, const struct fold_bounds *bounds)
{
    c->bounds = bounds;
    c->bound_ix = 0;
}

void report_cursor_close(struct report_cursor *c)
{
    cursor_settle(c);
    if (c->ahead.pool)
        pool_free(c->ahead.pool);
    c->ahead.pool = NULL;
    if (c->chunk)
        pool_free(c->chunk);
    c->chunk = NULL;
    for (size_t i = 0; i < c->nseg; i++)
        free(c->seg_codes[i]);
    free(c->seg_codes);
    free(c->seg_ids);
    c->seg_codes = NULL;
    c->seg_ids = NULL;
    c->nseg = c->capseg = 0;
}
