/* reports.c — the two workbook downloads. The handler checks the query,
 * loads the small parts of a report (project, summary, milestones, weekly
 * changes, contractors, costs) into plain structs, opens chunked cursors
 * for the large parts (segments, premises) and lets reports/ write the
 * file. All reads run in one transaction, so every sheet sees the same
 * snapshot even while others keep reporting progress. */
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
#include "reports/report_util.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/pool.h"

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

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

struct writer {
    int (*write)(const char *path, const void *rep);
    const char *path;
    const void *rep;
    int rc;
};

static void *writer_main(void *arg)
{
    struct writer *w = arg;
    /* Only this thread: Linux keeps the nice value per thread. Raising it
     * needs no privilege, and the thread ends with the report. */
    if (setpriority(PRIO_PROCESS, (id_t)gettid(), REPORTS_NICE) != 0)
        log_msg(LOG_DEBUG, "report writer keeps its CPU priority");
    w->rc = w->write(w->path, w->rep);
    return NULL;
}

/* Writes the workbook on a helper thread with nice +REPORTS_NICE while this
 * DB worker waits for it, so that compressing and formatting a large
 * workbook yields the CPU to every other request. The helper runs the
 * chunk queries on this worker's connection; the two never use it at the
 * same time. Falls back to writing here when no thread can be started. */
static int write_niced(int (*write)(const char *, const void *), const char *path, const void *rep)
{
    struct writer w = {write, path, rep, RPT_WRITE};
    pthread_t t;
    if (pthread_create(&t, NULL, writer_main, &w) != 0)
        return write(path, rep);
    pthread_join(t, NULL);
    return w.rc;
}

static int write_progress(const char *path, const void *rep)
{
    return report_progress_write(path, rep);
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
    const char *as_of; /* progress.xlsx */
    const char *from;  /* costs.xlsx; NULL: from the project's start */
    const char *to;    /* costs.xlsx */
    enum rpt_lang lang;
};

static int build_progress(struct req *r, long long id, const struct report_args *a)
{
    const char *as_of = a->as_of;
    enum rpt_lang lang = a->lang;
    struct progress_workbook rep;
    memset(&rep, 0, sizeof(rep));
    meta_init(r, &rep.meta, lang);
    snprintf(rep.as_of, sizeof(rep.as_of), "%s", as_of);
    int found = 0;
    int rc = report_load_project(r->db, r->pool, id, &rep.project, &found);
    if (rc != DB_OK)
        return reply_db(r, rc);
    if (!found)
        return reply_problem(r, 404, "no project with id %s", req_param(r, 0));

    struct summary *sm = pool_alloc(r->pool, sizeof(*sm));
    struct rpt_milestone *ms;
    struct rpt_day *days;
    struct rpt_contractor *cons;
    struct rpt_cost_line *costs;
    rc = summary_load(r->db, r->pool, id, as_of, sm, &found);
    if (rc == DB_OK)
        rc = report_load_milestones(r->db, r->pool, id, as_of, &ms, &rep.nmilestones);
    if (rc == DB_OK)
        rc = report_load_days(r->db, r->pool, id, as_of, &days, &rep.ndays);
    if (rc == DB_OK)
        rc = report_load_contractors(r->db, r->pool, id, as_of, &cons, &rep.ncontractors);
    if (rc == DB_OK)
        rc = report_load_costs(r->db, r->pool, id, as_of, &costs, &rep.ncosts);
    if (rc != DB_OK)
        return reply_db(r, rc);
    rep.summary = sm;
    rep.milestones = ms;
    rep.days = days;
    rep.contractors = cons;
    rep.costs = costs;

    char *path = temp_path(r, "progress");
    if (!path)
        return reply_problem(r, 503, "the report file could not be created; retry shortly");
    struct report_cursor segs, prems;
    report_segments_open(&segs, r->db, id, as_of, &rep.segments);
    report_premises_open(&prems, r->db, id, as_of, &rep.premises);
    int err = write_niced(write_progress, path, &rep);
    int src_rc = segs.rc != DB_OK ? segs.rc : prems.rc;
    report_cursor_close(&segs);
    report_cursor_close(&prems);
    if (err != RPT_OK) {
        unlink(path);
        return reply_write_error(r, err, src_rc, "progress.xlsx");
    }
    char code[80];
    rpt_filename_part(rep.project.code, code, sizeof(code));
    attach(r, path,
           pool_printf(r->pool, "progress_%s_%s_%s.xlsx", code, as_of, rpt_lang_name(lang)));
    return 200;
}

/* Builds a report in one read-only snapshot of the database (everything
 * it shows is consistent), at most REPORTS_MAX_BUILDING at once. */
static int build_bounded(struct req *r, const char *name,
                         int (*build)(struct req *, long long, const struct report_args *),
                         const struct report_args *a)
{
    long long id = parse_id(req_param(r, 0));
    if (!id)
        return reply_problem(r, 404, "no project with id %s", req_param(r, 0));
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
        log_msg(LOG_INFO, "report=%s project=%lld as_of=%s from=%s to=%s lang=%s seconds=%.2f",
                name, id, a->as_of ? a->as_of : "-", a->from ? a->from : "-", a->to ? a->to : "-",
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

/* ---- costs.xlsx ---- */

static int build_costs(struct req *r, long long id, const struct report_args *a)
{
    const char *from_param = a->from, *to = a->to;
    enum rpt_lang lang = a->lang;
    struct costs_workbook rep;
    memset(&rep, 0, sizeof(rep));
    meta_init(r, &rep.meta, lang);
    int found = 0;
    int rc = report_load_project(r->db, r->pool, id, &rep.project, &found);
    if (rc != DB_OK)
        return reply_db(r, rc);
    if (!found)
        return reply_problem(r, 404, "no project with id %s", req_param(r, 0));
    /* Without a start, the period starts with the project (or the year). */
    const char *from = from_param;
    if (!from) {
        const char *start = rep.project.start_date;
        from = start && strcmp(start, to) <= 0 ? start : pool_printf(r->pool, "%.4s-01-01", to);
    }
    snprintf(rep.from, sizeof(rep.from), "%s", from);
    snprintf(rep.to, sizeof(rep.to), "%s", to);

    struct summary *sm = pool_alloc(r->pool, sizeof(*sm));
    struct rpt_invoice *inv;
    rc = summary_load(r->db, r->pool, id, to, sm, &found);
    if (rc == DB_OK)
        rc = report_load_invoices(r->db, r->pool, id, from, to, &inv, &rep.ninvoices);
    if (rc != DB_OK)
        return reply_db(r, rc);
    rep.cumulative = sm;
    rep.invoices = inv;

    char *path = temp_path(r, "costs");
    if (!path)
        return reply_problem(r, 503, "the report file could not be created; retry shortly");
    int err = write_niced(write_costs, path, &rep);
    if (err != RPT_OK) {
        unlink(path);
        return reply_write_error(r, err, DB_OK, "costs.xlsx");
    }
    char code[80];
    rpt_filename_part(rep.project.code, code, sizeof(code));
    attach(r, path,
           pool_printf(r->pool, "costs_%s_%s_%s_%s.xlsx", code, from, to, rpt_lang_name(lang)));
    return 200;
}

int reports_costs(struct req *r)
{
    static const char *const allowed[] = {"from", "to", "lang", NULL};
    int st = reply_unknown_query(r, allowed, "from, to and lang");
    char to[11] = "";
    enum rpt_lang lang = RPT_EN;
    if (!st)
        st = summary_as_of(r, "to", to);
    const char *from = req_query(r, "from");
    if (!st && from && !valid_date(from))
        st = reply_problem(r, 400, "query parameter 'from' must be a date (YYYY-MM-DD)");
    if (!st && from && strcmp(from, to) > 0)
        st = reply_problem(r, 400, "the period is empty: from (%s) is after to (%s)", from, to);
    if (!st)
        st = reports_parse_lang(r, &lang);
    if (st)
        return st;
    struct report_args a = {.from = from, .to = to, .lang = lang};
    return build_bounded(r, "costs.xlsx", build_costs, &a);
}
