/* reports.c — the workbook downloads: progress.xlsx, costs.xlsx and a
 * drawdown's Mittelabruf. The handler checks the query, loads the small
 * parts of a report (project, summary, milestones, weekly changes,
 * contractors, invoices, budget, drawdowns, notes) into plain structs as
 * recorded before the report's cut-off, opens chunked cursors for the
 * large parts (segments, premises) and lets reports/ write the file. All
 * reads run in one transaction, so every sheet sees the same snapshot even
 * while others keep reporting progress. */
#include "api/reports.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "api/pipeline.h"
#include "api/summary.h"
#include "db/db.h"
#include "db/report_load.h"
#include "db/summary_load.h"
#include "domain/validate.h"
#include "http/reply.h"
#include "reports/report.h"
#include "reports/report_labels.h"
#include "reports/report_util.h"
#include "util/berlin_time.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/pool.h"

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
/* The cut-off of a report of everything recorded so far: within the
 * report's snapshot, nothing is recorded later. */
#define CUTOFF_NOW "9999-12-31 23:59:59"

static atomic_int building;

int reports_parse_lang(struct req *r, enum rpt_lang *lang)
{
    const char *v = req_query(r, "lang");
    int l = v ? rpt_lang_parse(v) : RPT_EN;
    if (l < 0)
        return reply_problem(r, 400, "query parameter 'lang' must be en or de");
    *lang = (enum rpt_lang)l;
    return 0;
}

static const char *tmp_dir(void)
{
    const char *t = getenv("TMPDIR");
    return t && *t ? t : "/tmp";
}

/* A new empty file for the workbook; NULL when none can be made. */
static char *temp_path(struct req *r, const char *kind)
{
    char *path = pool_printf(r->pool, "%s/fibertrack-%s-XXXXXX", tmp_dir(), kind);
    int fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    close(fd);
    return path;
}

static void meta_init(struct req *r, struct rpt_meta *m, enum rpt_lang lang)
{
    memset(m, 0, sizeof(*m));
    m->lang = lang;
    m->generated_by = r->user.name;
    m->generated_at = time(NULL);
    m->tmpdir = tmp_dir();
}

/* Answers a failed write; rc is the db code of a failed cursor. */
static int reply_write_error(struct req *r, int err, int rc, const char *what)
{
    if (err == RPT_SOURCE)
        return reply_db(r, rc != DB_OK ? rc : DB_ERROR);
    if (err == RPT_TOO_LARGE)
        return reply_problem(r, 422,
                             "the project has more rows than one worksheet holds "
                             "(1,048,576); %s cannot be written",
                             what);
    log_msg(LOG_WARN, "report %s could not be written (request %s)", what, r->request_id);
    return reply_problem(r, 503, "the report could not be written; retry shortly");
}

/* ---- writing at a lower CPU priority ---- */

struct niced {
    int (*fn)(void *arg);
    void *arg;
    int rc;
};

static void *niced_main(void *arg)
{
    struct niced *n = arg;
    /* Only this thread: Linux keeps the nice value per thread. Raising it
     * needs no privilege, and the thread ends with the report. */
    if (setpriority(PRIO_PROCESS, (id_t)gettid(), REPORTS_NICE) != 0)
        log_msg(LOG_DEBUG, "report writer keeps its CPU priority");
    n->rc = n->fn(n->arg);
    return NULL;
}

/* Runs fn (reading and writing a workbook) on a helper thread with nice
 * +REPORTS_NICE while this DB worker waits for it, so that folding,
 * formatting and compressing a large workbook yield the CPU to every
 * other request. The helper uses this worker's connection and request
 * pool; the two never use them at the same time. Falls back to running
 * fn here when no thread can be started. */
static int run_niced(int (*fn)(void *), void *arg)
{
    struct niced n = {fn, arg, RPT_WRITE};
    pthread_t t;
    if (pthread_create(&t, NULL, niced_main, &n) != 0)
        return fn(arg);
    pthread_join(t, NULL);
    return n.rc;
}

struct write_job {
    int (*write)(const char *path, const void *rep);
    const char *path;
    const void *rep;
};

static int write_job_run(void *arg)
{
    const struct write_job *j = arg;
    return j->write(j->path, j->rep);
}

static int write_niced(int (*write)(const char *, const void *), const char *path, const void *rep)
{
    struct write_job j = {write, path, rep};
    return run_niced(write_job_run, &j);
}

static int write_costs(const char *path, const void *rep) { return report_costs_write(path, rep); }

static void attach(struct req *r, const char *path, const char *filename)
{
    reply_file(r, 200, XLSX_TYPE, path, 0);
    req_add_header(r, "Content-Disposition",
                   pool_printf(r->pool, "attachment; filename=\"%s\"", filename));
    req_add_header(r, "Cache-Control", "no-store");
}

/* ---- progress.xlsx ---- */

/* What a request asked for, once its parameters are checked. */
struct report_args {
    const char *as_of; /* progress.xlsx; costs.xlsx: NULL for everything recorded */
    const char *from;  /* costs.xlsx; NULL: from the project's start */
    const char *to;    /* costs.xlsx */
    enum rpt_lang lang;
};

/* What the niced helper of progress.xlsx reads and writes. */
struct progress_job {
    struct req *r;
    long long id;
    const char *as_of, *cutoff, *path;
    struct progress_workbook *rep;
    int rc; /* the db code of a failed read */
};

/* Reads what the workbook shows and writes it to j->path; returns an RPT_
 * code (RPT_SOURCE with j->rc when a read failed). */
static int progress_make(void *arg)
{
    struct progress_job *j = arg;
    struct req *r = j->r;
    struct progress_workbook *rep = j->rep;
    long long id = j->id;
    const char *as_of = j->as_of, *cutoff = j->cutoff;
    struct summary *sm = pool_alloc(r->pool, sizeof(*sm));
    struct report_names *names = pool_alloc(r->pool, sizeof(*names));
    struct rpt_milestone *ms;
    struct rpt_day *days;
    struct rpt_contractor *cons;
    struct rpt_invoice *inv;
    struct rpt_cost_line *costs;
    struct rpt_note *notes;
    size_t ninv = 0;
    int found = 0;
    /* One pass over the segment history gives the summary's segment
     * figures, the daily changes and the contractors' metres. */
    struct seg_fold segs_fold;
    j->rc = summary_fold_segments(r->db, id, cutoff, &segs_fold);
    if (j->rc != DB_OK)
        return RPT_SOURCE;
    struct fold_bounds prem_bounds = {0};
    int rc = summary_load_folded(r->db, r->pool, id, as_of, cutoff, &segs_fold, &prem_bounds, sm,
                                 &found);
    if (rc == DB_OK)
        rc = report_load_names(r->db, r->pool, id, cutoff, names);
    if (rc == DB_OK)
        rc = report_load_milestones(r->db, r->pool, id, cutoff, &ms, &rep->nmilestones);
    if (rc == DB_OK) {
        report_load_days(r->pool, &segs_fold, names, &days, &rep->ndays);
        rc = report_load_contractors(r->db, r->pool, id, cutoff, names, &segs_fold, &cons,
                                     &rep->ncontractors);
    }
    if (rc == DB_OK)
        rc = report_load_invoices(r->db, r->pool, id, cutoff, NULL, names, &inv, &ninv);
    if (rc == DB_OK)
        rc = report_load_notes(r->db, r->pool, id, cutoff, as_of, &notes, &rep->nnotes);
    if (rc != DB_OK) {
        seg_fold_free(&segs_fold);
        fold_bounds_free(&prem_bounds);
        j->rc = rc;
        return RPT_SOURCE;
    }
    report_cost_lines(r->pool, inv, ninv, &costs, &rep->ncosts);
    rep->summary = sm;
    rep->milestones = ms;
    rep->days = days;
    rep->contractors = cons;
    rep->costs = costs;
    rep->notes = notes;

    /* The folds know where every chunk of 2,000 objects ends: the cursors
     * need not ask MariaDB for it. */
    struct report_cursor segs, prems;
    report_segments_open(&segs, r->db, id, as_of, cutoff, names, &rep->segments);
    report_cursor_bounds(&segs, &segs_fold.bounds);
    report_premises_open(&prems, r->db, id, as_of, cutoff, &segs, &rep->premises);
    report_cursor_bounds(&prems, &prem_bounds);
    int err = report_progress_write(j->path, rep);
    j->rc = segs.rc != DB_OK ? segs.rc : prems.rc;
    report_cursor_close(&prems);
    report_cursor_close(&segs);
    seg_fold_free(&segs_fold);
    fold_bounds_free(&prem_bounds);
    return err;
}

static int build_progress(struct req *r, long long id, const struct report_args *a)
{
    const char *as_of = a->as_of;
    enum rpt_lang lang = a->lang;
    struct progress_workbook rep;
    memset(&rep, 0, sizeof(rep));
    meta_init(r, &rep.meta, lang);
    snprintf(rep.as_of, sizeof(rep.as_of), "%s", as_of);
    char cutoff[32], today[11];
    report_cutoff_of_day(as_of, cutoff);
    clock_utc_date(today, 0);
    /* The report date itself has not ended yet. */
    rep.meta.preliminary = rpt_period_open(as_of, today);
    int found = 0;
    int rc = report_load_project(r->db, r->pool, id, cutoff, &rep.project, &found);
    if (rc != DB_OK)
        return reply_db(r, rc);
    if (!found)
        return reply_problem(r, 404, "no project with id %s", req_param(r, 0));

    char *path = temp_path(r, "progress");
    if (!path)
        return reply_problem(r, 503, "the report file could not be created; retry shortly");
    /* The reads too run niced: folding the history of a large project is
     * a good part of the work. */
    struct progress_job job = {r, id, as_of, cutoff, path, &rep, DB_OK};
    int err = run_niced(progress_make, &job);
    if (err != RPT_OK) {
        unlink(path);
        return reply_write_error(r, err, job.rc, "progress.xlsx");
    }
    char code[80];
    rpt_filename_part(rep.project.code, code, sizeof(code));
    attach(r, path,
           pool_printf(r->pool, "progress_%s_%s_%s.xlsx", code, as_of, rpt_lang_name(lang)));
    return 200;
}

static int build_drawdown(struct req *r, long long id, const struct report_args *a);

/* Builds a report in one read-only snapshot of the database (everything
 * it shows is consistent), at most REPORTS_MAX_BUILDING at once. */
static int build_bounded(struct req *r, const char *name,
                         int (*build)(struct req *, long long, const struct report_args *),
                         const struct report_args *a)
{
    long long id = parse_id(req_param(r, 0));
    if (!id)
        return reply_problem(r, 404, "no %s with id %s",
                             build == build_drawdown ? "drawdown" : "project", req_param(r, 0));
    if (atomic_fetch_add(&building, 1) >= REPORTS_MAX_BUILDING) {
        atomic_fetch_sub(&building, 1);
        return reply_problem(r, 503, "%d reports are being built; retry shortly",
                             REPORTS_MAX_BUILDING);
    }
    double t0 = clock_mono();
    int st;
    enum db_rc rc = db_begin(r->db);
    if (rc == DB_OK) {
        st = build(r, id, a);
        db_rollback(r->db);
    } else {
        st = reply_db(r, rc);
    }
    atomic_fetch_sub(&building, 1);
    if (st == 200)
        log_msg(LOG_INFO, "report=%s id=%lld as_of=%s from=%s to=%s lang=%s seconds=%.2f", name, id,
                a->as_of ? a->as_of : "-", a->from ? a->from : "-", a->to ? a->to : "-",
                rpt_lang_name(a->lang), clock_mono() - t0);
    return st;
}

int reports_progress(struct req *r)
{
    static const char *const allowed[] = {"as_of", "lang", NULL};
    int st = reply_unknown_query(r, allowed, "as_of and lang");
    char as_of[11];
    enum rpt_lang lang = RPT_EN;
    if (!st)
        st = summary_as_of(r, "as_of", as_of);
    if (!st)
        st = reports_parse_lang(r, &lang);
    if (st)
        return st;
    struct report_args a = {.as_of = as_of, .lang = lang};
    return build_bounded(r, "progress.xlsx", build_progress, &a);
}

/* ---- costs.xlsx and a drawdown's workbook ---- */

/* Loads what a payment request shows as recorded before cutoff: the
 * project, the invoices dated up to rep->to, the budget plan and the
 * drawdowns submitted before the request (number below it, when there is
 * one). Returns 0, or the status replied. */
static int load_claim(struct req *r, long long project_id, const char *cutoff, long long request_id,
                      struct costs_workbook *rep)
{
    int found = 0;
    struct report_names *names = pool_alloc(r->pool, sizeof(*names));
    struct rpt_invoice *inv;
    struct rpt_budget_line *budget;
    struct rpt_drawdown *dd;
    size_t ndd = 0;
    int rc = report_load_project(r->db, r->pool, project_id, cutoff, &rep->project, &found);
    if (rc == DB_OK && found)
        rc = report_load_names(r->db, r->pool, project_id, cutoff, names);
    if (rc == DB_OK && found)
        rc = report_load_invoices(r->db, r->pool, project_id, cutoff, rep->to, names, &inv,
                                  &rep->ninvoices);
    if (rc == DB_OK && found)
        rc = report_load_budget(r->db, r->pool, project_id, cutoff, &budget, &rep->nbudget);
    if (rc == DB_OK && found)
        rc = report_load_drawdowns(r->db, r->pool, project_id, cutoff, &dd, &ndd);
    if (rc != DB_OK)
        return reply_db(r, rc);
    if (!found)
        return reply_problem(r, 404, "no project with id %lld", project_id);
    rep->invoices = inv;
    rep->budget = budget;
    const struct rpt_drawdown *request = NULL;
    for (size_t i = 0; i < ndd; i++)
        if (dd[i].id == request_id)
            request = &dd[i];
    if (request_id && !request)
        return reply_problem(r, 404, "no drawdown with id %lld", request_id);
    struct rpt_drawdown *earlier = pool_alloc(r->pool, sizeof(*earlier) * (ndd + 1));
    size_t n = 0;
    for (size_t i = 0; i < ndd; i++) {
        if (!dd[i].state || strcmp(dd[i].state, "draft") == 0 || dd[i].id == request_id)
            continue;
        if (request && dd[i].number >= request->number)
            continue;
        earlier[n++] = dd[i];
    }
    rep->earlier = earlier;
    rep->nearlier = n;
    rep->request = request;
    return 0;
}

static int write_claim(struct req *r, struct costs_workbook *rep, const char *filename)
{
    char *path = temp_path(r, "costs");
    if (!path)
        return reply_problem(r, 503, "the report file could not be created; retry shortly");
    int err = write_niced(write_costs, path, rep);
    if (err != RPT_OK) {
        unlink(path);
        return reply_write_error(r, err, DB_OK, filename);
    }
    attach(r, path, filename);
    return 200;
}

static int build_costs(struct req *r, long long id, const struct report_args *a)
{
    const char *to = a->to;
    enum rpt_lang lang = a->lang;
    struct costs_workbook rep;
    memset(&rep, 0, sizeof(rep));
    meta_init(r, &rep.meta, lang);
    rep.signer_function = rpt_value(lang, V_ROLE, role_name(r->user.role));
    char cutoff[32], today[11];
    clock_utc_date(today, 0);
    if (a->as_of)
        report_cutoff_of_day(a->as_of, cutoff);
    else
        snprintf(cutoff, sizeof(cutoff), "%s", CUTOFF_NOW);
    snprintf(rep.as_of, sizeof(rep.as_of), "%s", a->as_of ? a->as_of : today);
    /* A period that had not ended when its records were read: until the
     * end of as_of, or today's records when none was asked for. */
    rep.meta.preliminary = a->as_of ? strcmp(to, a->as_of) > 0 : rpt_period_open(to, today);
    snprintf(rep.to, sizeof(rep.to), "%s", to);
    snprintf(rep.from, sizeof(rep.from), "%s", a->from ? a->from : "0000-01-01");
    int st = load_claim(r, id, cutoff, 0, &rep);
    if (st)
        return st;
    /* Without a start, the period starts with the project (or the year). */
    if (!a->from) {
        const char *start = rep.project.start_date;
        snprintf(rep.from, sizeof(rep.from), "%s",
                 start && strcmp(start, to) <= 0 ? start : pool_printf(r->pool, "%.4s-01-01", to));
    }
    char code[80];
    rpt_filename_part(rep.project.code, code, sizeof(code));
    return write_claim(
        r, &rep,
        pool_printf(r->pool, "costs_%s_%s_%s_%s.xlsx", code, rep.from, to, rpt_lang_name(lang)));
}

int reports_costs(struct req *r)
{
    static const char *const allowed[] = {"from", "to", "as_of", "lang", NULL};
    int st = reply_unknown_query(r, allowed, "from, to, as_of and lang");
    char to[11] = "", as_of[11] = "";
    enum rpt_lang lang = RPT_EN;
    const char *to_param = req_query(r, "to");
    const char *from = req_query(r, "from");
    /* The period may not have ended (this quarter, this year): what is
     * recorded so far is shown, marked preliminary. */
    if (!st && to_param && !valid_date(to_param))
        st = reply_problem(r, 400, "query parameter 'to' must be a date (YYYY-MM-DD)");
    if (!st)
        clock_utc_date(to, 0);
    if (!st && to_param)
        snprintf(to, sizeof(to), "%s", to_param);
    if (!st && req_query(r, "as_of"))
        st = summary_as_of(r, "as_of", as_of);
    if (!st && from && !valid_date(from))
        st = reply_problem(r, 400, "query parameter 'from' must be a date (YYYY-MM-DD)");
    if (!st && from && strcmp(from, to) > 0)
        st = reply_problem(r, 400, "the period is empty: from (%s) is after to (%s)", from, to);
    if (!st)
        st = reports_parse_lang(r, &lang);
    if (st)
        return st;
    struct report_args a = {.from = from, .to = to, .as_of = as_of[0] ? as_of : NULL, .lang = lang};
    return build_bounded(r, "costs.xlsx", build_costs, &a);
}

/* The name and the role (in words) of whoever submitted drawdown id, from
 * the audit entry written with the submission (its signer_role; the user's
 * role now for a submission recorded without one): both stay what they
 * were on every download. */
static int submitter(struct req *r, long long id, enum rpt_lang lang, const char **name,
                     const char **function)
{
    struct db_param p[] = {DB_INTP(id)};
    struct db_rows *rows;
    enum db_rc rc = db_exec(r->db, r->pool,
                            "SELECT a.user_name, COALESCE(JSON_VALUE(a.after_json, "
                            "'$.signer_role'), u.role) FROM audit_log a "
                            "LEFT JOIN users u ON u.id = a.user_id WHERE a.entity = 'drawdown' "
                            "AND a.entity_id = ? AND a.action = 'submit' ORDER BY a.id LIMIT 1",
                            p, 1, &rows);
    if (rc != DB_OK)
        return reply_db(r, rc);
    *name = rows->nrows ? db_cell(rows, 0, 0) : NULL;
    *function = rows->nrows ? rpt_value(lang, V_ROLE, db_cell(rows, 0, 1)) : NULL;
    return 0;
}

static int build_drawdown(struct req *r, long long id, const struct report_args *a)
{
    enum rpt_lang lang = a->lang;
    struct db_param p[] = {DB_INTP(id)};
    struct db_rows *rows;
    enum db_rc rc = db_exec(r->db, r->pool,
                            "SELECT project_id, state, period_from, period_to, "
                            "DATE_FORMAT(requested_at, '%Y-%m-%d %H:%i:%s'), "
                            "DATE_FORMAT(requested_at + INTERVAL 1 MICROSECOND, "
                            "'%Y-%m-%d %H:%i:%s.%f'), number FROM drawdowns WHERE id = ?",
                            p, 1, &rows);
    if (rc != DB_OK)
        return reply_db(r, rc);
    if (rows->nrows == 0)
        return reply_problem(r, 404, "no drawdown with id %s", req_param(r, 0));
    long long project_id = strtoll(db_cell(rows, 0, 0), NULL, 10);
    const char *requested = db_cell(rows, 0, 4);
    struct costs_workbook rep;
    memset(&rep, 0, sizeof(rep));
    meta_init(r, &rep.meta, lang);
    snprintf(rep.from, sizeof(rep.from), "%s", db_cell(rows, 0, 2));
    snprintf(rep.to, sizeof(rep.to), "%s", db_cell(rows, 0, 3));
    char cutoff[32], day[11];
    if (requested) {
        /* Submitted: as recorded at its submission, generated then, by
         * whoever submitted it, so every download is the same file. */
        struct tm tm = {0};
        if (sscanf(requested, "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                   &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
            return reply_db(r, DB_ERROR);
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        rep.meta.generated_at = timegm(&tm);
        snprintf(cutoff, sizeof(cutoff), "%s", db_cell(rows, 0, 5));
        int st = submitter(r, id, lang, &rep.meta.generated_by, &rep.signer_function);
        if (st)
            return st;
        struct tm local;
        berlin_local(rep.meta.generated_at, &local);
        rpt_tm_date(&local, day);
    } else {
        snprintf(cutoff, sizeof(cutoff), "%s", CUTOFF_NOW);
        rep.signer_function = rpt_value(lang, V_ROLE, role_name(r->user.role));
        clock_utc_date(day, 0);
    }
    snprintf(rep.as_of, sizeof(rep.as_of), "%s", day);
    rep.meta.preliminary = rpt_period_open(rep.to, day);
    int st = load_claim(r, project_id, cutoff, id, &rep);
    if (st)
        return st;
    char code[80];
    rpt_filename_part(rep.project.code, code, sizeof(code));
    return write_claim(r, &rep,
                       pool_printf(r->pool, "drawdown_%s_%d_%s.xlsx", code, rep.request->number,
                                   rpt_lang_name(lang)));
}

int reports_drawdown(struct req *r)
{
    static const char *const allowed[] = {"lang", NULL};
    int st = reply_unknown_query(r, allowed, "lang");
    enum rpt_lang lang = RPT_EN;
    if (!st)
        st = reports_parse_lang(r, &lang);
    if (st)
        return st;
    struct report_args a = {.lang = lang};
    return build_bounded(r, "drawdown.xlsx", build_drawdown, &a);
}
