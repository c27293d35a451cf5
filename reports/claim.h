/* claim.h — the arithmetic of a payment request (Mittelabruf): what the
 * invoices of a period and up to its end add up to, the funding due on
 * them, what earlier drawdowns requested and received, what is requested
 * now and what remains of the grant. Pure; unit-tested in tests/unit. */
#ifndef FT_CLAIM_H
#define FT_CLAIM_H

#include "reports/report.h"

/* Sums over invoices: eligible_paid is the eligible cost of the paid ones,
 * paid their net amount. */
struct rpt_totals {
    long long invoices, net, vat, eligible, eligible_paid, paid;
};

/* Federal and state amounts of one line of the request. */
struct rpt_pair {
    long long federal, state;
};

struct rpt_claim {
    struct rpt_totals period;     /* invoices dated from..to */
    struct rpt_totals cumulative; /* invoices dated up to `to` */
    struct rpt_pair grant;        /* budget × rates */
    struct rpt_pair due;          /* cumulative eligible × rates */
    struct rpt_pair requested;    /* by the earlier drawdowns */
    struct rpt_pair received;     /* for the earlier drawdowns */
    struct rpt_pair calculated;   /* due less requested, never below 0 */
    struct rpt_pair now;          /* the request's own amounts, or calculated */
    struct rpt_pair remaining;    /* grant less requested less now */
};

/* Adds one invoice to t. */
void rpt_totals_add(struct rpt_totals *t, const struct rpt_invoice *inv);

/* Fills c from the workbook's invoices, budget, drawdowns and request. */
void rpt_claim_compute(const struct costs_workbook *rep, struct rpt_claim *c);

/* A line of the budget plan beside what was spent on it: the eligible
 * cost of the invoices of its category dated in its year, in the period
 * and up to its end. Invoices of a year and category without a line get a
 * line of their own with no plan (planned = 0). */
struct rpt_budget_actual {
    int year, planned;
    const char *category, *note;
    long long plan, period_eligible, period_paid, cum_eligible, cum_paid;
};

/* The lines, by year and category, in *out (malloc'ed; the caller frees).
 * Returns 0, or -1 when out of memory. */
int rpt_budget_actuals(const struct costs_workbook *rep, struct rpt_budget_actual **out, size_t *n);

#endif
