/* Unit tests for reports/claim.h (the arithmetic of a payment request)
 * and the plan curve and date helpers of reports/report_util.h. */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reports/claim.h"
#include "reports/report_util.h"

static struct rpt_invoice invoice(const char *date, const char *category, const char *status,
                                  long long net, long long eligible)
{
    struct rpt_invoice v;
    memset(&v, 0, sizeof(v));
    v.invoice_date = date;
    v.category = category;
    v.status = status;
    v.net_cents = net;
    v.vat_cents = net * 19 / 100;
    v.eligible_cents = eligible;
    return v;
}

static void workbook(struct costs_workbook *rep, const struct rpt_invoice *inv, size_t n)
{
    memset(rep, 0, sizeof(*rep));
    rep->project.budget_cents = 1000000;
    rep->project.federal_rate = 0.5;
    rep->project.state_rate = 0.4;
    snprintf(rep->from, sizeof(rep->from), "2026-07-01");
    snprintf(rep->to, sizeof(rep->to), "2026-09-30");
    rep->invoices = inv;
    rep->ninvoices = n;
}

TEST(claim_period_cumulative_and_request)
{
    struct rpt_invoice inv[] = {
        invoice("2026-05-02", "civil_works", "paid", 10000, 9000),
        invoice("2026-07-15", "civil_works", "approved", 20001, 20001),
        invoice("2026-09-30", "cabling", "paid", 5000, 4000),
    };
    struct rpt_drawdown earlier[] = {{.number = 1,
                                      .state = "received",
                                      .received_at = "2026-08-05",
                                      .federal_requested_cents = 4500,
                                      .state_requested_cents = 3600,
                                      .federal_received_cents = 4400,
                                      .state_received_cents = 3600}};
    struct costs_workbook rep;
    workbook(&rep, inv, 3);
    rep.earlier = earlier;
    rep.nearlier = 1;
    struct rpt_claim c;
    rpt_claim_compute(&rep, &c);
    ASSERT_EQ_INT(c.period.invoices, 2);
    ASSERT_EQ_INT(c.period.eligible, 24001);
    ASSERT_EQ_INT(c.period.eligible_paid, 4000);
    ASSERT_EQ_INT(c.cumulative.eligible, 33001);
    ASSERT_EQ_INT(c.cumulative.paid, 15000);
    /* 33001 × 0.5 = 16500.5 rounds up; × 0.4 = 13200.4 rounds down. */
    ASSERT_EQ_INT(c.due.federal, 16501);
    ASSERT_EQ_INT(c.due.state, 13200);
    ASSERT_EQ_INT(c.grant.federal, 500000);
    ASSERT_EQ_INT(c.grant.state, 400000);
    ASSERT_EQ_INT(c.received.federal, 4400);
    ASSERT_EQ_INT(c.calculated.federal, 16501 - 4500);
    ASSERT_EQ_INT(c.calculated.state, 13200 - 3600);
    ASSERT_EQ_INT(c.now.federal, c.calculated.federal);
    ASSERT_EQ_INT(c.remaining.federal, 500000 - 4500 - (16501 - 4500));
    ASSERT_EQ_INT(c.remaining.state, 400000 - 3600 - (13200 - 3600));
}

TEST(claim_of_a_drawdown_requests_its_own_amounts)
{
    struct rpt_invoice inv[] = {invoice("2026-07-15", "civil_works", "paid", 1000, 1000)};
    struct rpt_drawdown request = {.number = 2,
                                   .state = "submitted",
                                   .federal_requested_cents = 777,
                                   .state_requested_cents = 1};
    struct rpt_drawdown earlier[] = {{.number = 1,
                                      .state = "submitted",
                                      .federal_requested_cents = 900,
                                      .state_requested_cents = 900}};
    struct costs_workbook rep;
    workbook(&rep, inv, 1);
    rep.request = &request;
    rep.earlier = earlier;
    rep.nearlier = 1;
    struct rpt_claim c;
    rpt_claim_compute(&rep, &c);
    ASSERT_EQ_INT(c.now.federal, 777);
    ASSERT_EQ_INT(c.now.state, 1);
    /* More was requested before than is due now: nothing more is due, and
     * a receipt not yet recorded counts as nothing received. */
    ASSERT_EQ_INT(c.calculated.federal, 0);
    ASSERT_EQ_INT(c.calculated.state, 0);
    ASSERT_EQ_INT(c.received.federal, 0);
    ASSERT_EQ_INT(c.remaining.federal, 500000 - 900 - 777);
}

TEST(claim_budget_lines_beside_actuals)
{
    struct rpt_invoice inv[] = {
        invoice("2026-05-02", "civil_works", "paid", 10000, 9000),
        invoice("2026-07-15", "civil_works", "approved", 20000, 20000),
        invoice("2027-01-10", "civil_works", "approved", 1, 1), /* after the period */
        invoice("2026-08-01", "materials", "paid", 300, 300),   /* not planned */
    };
    struct rpt_budget_line plan[] = {{"civil_works", NULL, 2027, 70000},
                                     {"civil_works", "Tiefbau", 2026, 50000},
                                     {"cabling", NULL, 2026, 5000}};
    struct costs_workbook rep;
    /* The loader leaves out what is dated after `to`. */
    struct rpt_invoice all[] = {inv[0], inv[1], inv[3]};
    workbook(&rep, all, 3);
    rep.budget = plan;
    rep.nbudget = 3;
    struct rpt_budget_actual *rows;
    size_t n;
    ASSERT_EQ_INT(rpt_budget_actuals(&rep, &rows, &n), 0);
    ASSERT_EQ_UINT(n, 4);
    /* By year, then in the categories' order. */
    ASSERT_EQ_INT(rows[0].year, 2026);
    ASSERT_STREQ(rows[0].category, "civil_works");
    ASSERT_STREQ(rows[0].note, "Tiefbau");
    ASSERT_EQ_INT(rows[0].plan, 50000);
    ASSERT_EQ_INT(rows[0].cum_eligible, 29000);
    ASSERT_EQ_INT(rows[0].cum_paid, 9000);
    ASSERT_EQ_INT(rows[0].period_eligible, 20000);
    ASSERT_EQ_INT(rows[0].period_paid, 0);
    ASSERT_STREQ(rows[1].category, "cabling");
    ASSERT_EQ_INT(rows[1].cum_eligible, 0);
    ASSERT_STREQ(rows[2].category, "materials");
    ASSERT_EQ_INT(rows[2].planned, 0);
    ASSERT_EQ_INT(rows[2].period_eligible, 300);
    ASSERT_EQ_INT(rows[3].year, 2027);
    ASSERT_EQ_INT(rows[3].cum_eligible, 0);
    free(rows);
}

TEST(plan_curve_spreads_metres_over_the_planned_days)
{
    struct rpt_weeks w;
    /* Monday 2026-03-02 to Sunday 2026-03-29: four weeks. */
    ASSERT_EQ_INT(rpt_weeks_init(&w, "2026-03-02", "2026-03-29"), 0);
    ASSERT_EQ_UINT(w.n, 4);
    double plan[4] = {0};
    /* 14 days from Monday of week 1: half by its Sunday, all a week later. */
    ASSERT_EQ_INT(rpt_plan_add(&w, plan, "2026-03-09", "2026-03-22", 140), 0);
    ASSERT_NEAR(plan[0], 0, 1e-9);
    ASSERT_NEAR(plan[1], 70, 1e-9);
    ASSERT_NEAR(plan[2], 140, 1e-9);
    ASSERT_NEAR(plan[3], 140, 1e-9);
    /* One day; before the first week; beyond the last. */
    ASSERT_EQ_INT(rpt_plan_add(&w, plan, "2026-03-04", "2026-03-04", 10), 0);
    ASSERT_EQ_INT(rpt_plan_add(&w, plan, "2025-12-01", "2026-01-31", 5), 0);
    ASSERT_EQ_INT(rpt_plan_add(&w, plan, "2026-03-23", "2026-04-19", 28), 0);
    ASSERT_NEAR(plan[0], 15, 1e-9);
    ASSERT_NEAR(plan[3], 140 + 10 + 5 + 7, 1e-9);
    /* No dates, bad dates, backwards: not in the plan. */
    ASSERT_EQ_INT(rpt_plan_add(&w, plan, NULL, "2026-03-04", 99), -1);
    ASSERT_EQ_INT(rpt_plan_add(&w, plan, "2026-02-30", "2026-03-04", 99), -1);
    ASSERT_EQ_INT(rpt_plan_add(&w, plan, "2026-03-10", "2026-03-04", 99), -1);
    ASSERT_NEAR(plan[3], 162, 1e-9);
}

TEST(reports_date_text_and_open_periods)
{
    char out[11];
    rpt_date_text("2026-11-20", 1, out);
    ASSERT_STREQ(out, "20.11.2026");
    rpt_date_text("2026-11-20", 0, out);
    ASSERT_STREQ(out, "2026-11-20");
    rpt_date_text("2026-13-01", 1, out);
    ASSERT_STREQ(out, "");
    rpt_date_text(NULL, 1, out);
    ASSERT_STREQ(out, "");
    ASSERT_TRUE(rpt_period_open("2026-12-31", "2026-11-27"));
    ASSERT_TRUE(rpt_period_open("2026-11-27", "2026-11-27"));
    ASSERT_FALSE(rpt_period_open("2026-11-26", "2026-11-27"));
    struct tm tm = {0};
    tm.tm_year = 126;
    tm.tm_mon = 0;
    tm.tm_mday = 5;
    rpt_tm_date(&tm, out);
    ASSERT_STREQ(out, "2026-01-05");
}
