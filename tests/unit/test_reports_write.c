/* Unit tests for the workbook writers (reports/report.h) without a
 * database: plain structs and in-memory sources, written in
 * constant-memory mode to a temporary file. */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reports/report.h"

struct fake {
    size_t total, sent;
    int fail_at; /* call number that fails, 0: none */
    int calls;
};

static int fake_segments(void *ctx, void *out, size_t max, size_t *n)
{
    struct fake *f = ctx;
    struct rpt_segment *rows = out;
    f->calls++;
    if (f->fail_at && f->calls == f->fail_at)
        return -1;
    *n = 0;
    while (*n < max && f->sent < f->total) {
        struct rpt_segment *g = &rows[(*n)++];
        memset(g, 0, sizeof(*g));
        g->id = (long long)++f->sent;
        g->code = f->sent == 1 ? "=HYPERLINK(\"http://x\")" : "S-1";
        g->status = "tested";
        g->method = "hdd";
        g->planned_m = 100;
        g->built_m = 50.5;
        g->planned_start = "2026-04-01";
        g->actual_start = "2026-13-40"; /* invalid: written blank */
    }
    return 0;
}

static int fake_premises(void *ctx, void *out, size_t max, size_t *n)
{
    struct fake *f = ctx;
    struct rpt_premise *rows = out;
    *n = 0;
    while (*n < max && f->sent < f->total) {
        struct rpt_premise *p = &rows[(*n)++];
        memset(p, 0, sizeof(*p));
        p->id = (long long)++f->sent;
        p->code = "+1";
        p->street = "Straße \xf0\x9f\x9a\xa7";
        p->status = "passed";
        p->status_date = "2026-09-03";
        p->white_spot = 1;
    }
    return 0;
}

static char *temp_file(void)
{
    char *path = strdup("/tmp/ft-unit-report-XXXXXX");
    int fd = mkstemp(path);
    ASSERT_TRUE(fd >= 0);
    close(fd);
    return path;
}

static void fill(struct progress_workbook *rep, struct summary *sm, struct fake *segs,
                 struct fake *prems)
{
    static struct rpt_milestone ms[2];
    static struct rpt_day days[3];
    static struct rpt_contractor cons[1];
    static struct rpt_cost_line costs[2];
    memset(rep, 0, sizeof(*rep));
    memset(sm, 0, sizeof(*sm));
    rep->meta.lang = RPT_DE;
    rep->meta.generated_by = "@SUM(A1)";
    rep->meta.generated_at = 1795000000;
    rep->project = (struct rpt_project){
        1, "WF-1", "Weiße Flecken", "Stadt", NULL, "FKZ 1", "2026-03-01", NULL, 100000, 0.5, 0.4};
    snprintf(rep->as_of, sizeof(rep->as_of), "2026-11-20");
    sm->segments_by_status[SEG_TESTED] = (long long)segs->total;
    sm->premises_total = (long long)prems->total;
    sm->eligible_cents = 12345;
    summary_split_costs(sm);
    rep->summary = sm;
    ms[0] = (struct rpt_milestone){1, "-2", "custom", "note", "2026-10-01", NULL, NULL, 1, 5};
    ms[1] =
        (struct rpt_milestone){2, NULL, "mystery", NULL, "2027-01-01", "2027-02-01", NULL, 0, 0};
    rep->milestones = ms;
    rep->nmilestones = 2;
    days[0] = (struct rpt_day){"2026-03-01", 7, 100, 0};
    days[1] = (struct rpt_day){"2026-05-04", 7, 0, 40};
    days[2] = (struct rpt_day){"2026-05-05", 0, 0, 10.5};
    rep->days = days;
    rep->ndays = 3;
    cons[0] = (struct rpt_contractor){7, "Tiefbau", "LOS-1", 1, 100, 40, 2, 1, 0};
    rep->contractors = cons;
    rep->ncontractors = 1;
    costs[0] = (struct rpt_cost_line){"civil_works", 1, 20000, 12345, 0};
    costs[1] = (struct rpt_cost_line){"teleportation", 1, 1, 0, 0};
    rep->costs = costs;
    rep->ncosts = 2;
    rep->segments = (struct rpt_source){fake_segments, segs};
    rep->premises = (struct rpt_source){fake_premises, prems};
}

static off_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

TEST(reports_progress_writes_a_zip)
{
    struct fake segs = {.total = 4500}, prems = {.total = 9001};
    struct progress_workbook rep;
    struct summary sm;
    fill(&rep, &sm, &segs, &prems);
    char *path = temp_file();
    int rc = report_progress_write(path, &rep);
    ASSERT_EQ_INT(rc, RPT_OK);
    ASSERT_EQ_UINT(segs.sent, 4500);
    ASSERT_EQ_UINT(prems.sent, 9001);
    ASSERT_GT_INT(file_size(path), 1000);
    FILE *f = fopen(path, "rb");
    char magic[2] = {0};
    ASSERT_EQ_UINT(fread(magic, 1, 2, f), 2);
    fclose(f);
    ASSERT_TRUE(magic[0] == 'P' && magic[1] == 'K');
    unlink(path);
    free(path);
}

TEST(reports_progress_reports_a_failing_source)
{
    struct fake segs = {.total = 5000, .fail_at = 2}, prems = {.total = 3};
    struct progress_workbook rep;
    struct summary sm;
    fill(&rep, &sm, &segs, &prems);
    char *path = temp_file();
    ASSERT_EQ_INT(report_progress_write(path, &rep), RPT_SOURCE);
    unlink(path);
    free(path);
}

TEST(reports_progress_of_an_empty_project)
{
    struct fake segs = {0}, prems = {0};
    struct progress_workbook rep;
    struct summary sm;
    fill(&rep, &sm, &segs, &prems);
    rep.ndays = rep.nmilestones = rep.ncontractors = rep.ncosts = 0;
    rep.project.start_date = NULL;
    char *path = temp_file();
    ASSERT_EQ_INT(report_progress_write(path, &rep), RPT_OK);
    unlink(path);
    free(path);
}

TEST(reports_costs_writes_a_zip)
{
    struct rpt_invoice inv[3] = {
        {1, "=1+2", "2026-07-31", "Tiefbau", "LOS-1", "Nord", "civil_works", "paid", "2026-08-28",
         100000, 19000, 90000},
        {2, "R-2", "2026-08-14", NULL, NULL, NULL, "alchemy", "received", NULL, 5000, 950, 0},
        {3, "R-3", "2026-09-30", "Süd", "LOS-0", "Süd", "cabling", "approved", NULL, 7000, 0, 7000},
    };
    struct rpt_budget_line plan[] = {{"civil_works", NULL, 2026, 50000},
                                     {"cabling", "Kabel", 2026, 20000}};
    struct rpt_drawdown earlier[] = {{1, 1, "2026-03-01", "2026-06-30", "received",
                                      "2026-07-10 08:30:00", "2026-08-05", NULL, 1000, 800, 1000,
                                      800}};
    struct costs_workbook rep;
    memset(&rep, 0, sizeof(rep));
    rep.meta.lang = RPT_EN;
    rep.meta.generated_by = "Fiona";
    rep.project = (struct rpt_project){1,     "WF-1",       "Weiße Flecken", "Stadt",   "Gigabit",
                                       "FKZ", "2026-03-01", "2027-12-31",    100000000, 0.5,
                                       0.4};
    snprintf(rep.from, sizeof(rep.from), "2026-07-01");
    snprintf(rep.to, sizeof(rep.to), "2026-09-30");
    rep.invoices = inv;
    rep.ninvoices = 3;
    rep.budget = plan;
    rep.nbudget = 2;
    rep.earlier = earlier;
    rep.nearlier = 1;
    char *path = temp_file();
    ASSERT_EQ_INT(report_costs_write(path, &rep), RPT_OK);
    ASSERT_GT_INT(file_size(path), 1000);
    rep.ninvoices = 0;
    ASSERT_EQ_INT(report_costs_write(path, &rep), RPT_OK);
    unlink(path);
    free(path);
}

TEST(reports_write_to_an_impossible_path_fails)
{
    struct rpt_invoice none[1];
    struct costs_workbook rep;
    memset(&rep, 0, sizeof(rep));
    rep.project.code = "X";
    snprintf(rep.from, sizeof(rep.from), "2026-07-01");
    snprintf(rep.to, sizeof(rep.to), "2026-09-30");
    rep.invoices = none;
    ASSERT_EQ_INT(report_costs_write("/nonexistent-dir/x.xlsx", &rep), RPT_WRITE);
}
