/* claim.c — the arithmetic of a payment request. */
#include "reports/claim.h"

#include <stdlib.h>
#include <string.h>

#include "domain/summary.h"

void rpt_totals_add(struct rpt_totals *t, const struct rpt_invoice *inv)
{
    t->invoices++;
    t->net += inv->net_cents;
    t->vat += inv->vat_cents;
    t->eligible += inv->eligible_cents;
    if (inv->status && strcmp(inv->status, "paid") == 0) {
        t->paid += inv->net_cents;
        t->eligible_paid += inv->eligible_cents;
    }
}

/* The federal and state shares of cents, rounded as GET /summary rounds
 * them. */
static struct rpt_pair shares(long long cents, double federal_rate, double state_rate)
{
    struct summary s;
    memset(&s, 0, sizeof(s));
    s.eligible_cents = cents;
    s.federal_rate = federal_rate;
    s.state_rate = state_rate;
    summary_split_costs(&s);
    struct rpt_pair p = {s.federal_cents, s.state_cents};
    return p;
}

static long long at_least_0(long long v) { return v < 0 ? 0 : v; }

void rpt_claim_compute(const struct costs_workbook *rep, struct rpt_claim *c)
{
    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < rep->ninvoices; i++) {
        const struct rpt_invoice *inv = &rep->invoices[i];
        rpt_totals_add(&c->cumulative, inv);
        if (inv->invoice_date && strcmp(inv->invoice_date, rep->from) >= 0 &&
            strcmp(inv->invoice_date, rep->to) <= 0)
            rpt_totals_add(&c->period, inv);
    }
    const struct rpt_project *p = &rep->project;
    c->grant = shares(p->budget_cents, p->federal_rate, p->state_rate);
    c->due = shares(c->cumulative.eligible, p->federal_rate, p->state_rate);
    for (size_t i = 0; i < rep->nearlier; i++) {
        const struct rpt_drawdown *d = &rep->earlier[i];
        c->requested.federal += d->federal_requested_cents;
        c->requested.state += d->state_requested_cents;
        if (d->received_at) {
            c->received.federal += d->federal_received_cents;
            c->received.state += d->state_received_cents;
        }
    }
    c->calculated.federal = at_least_0(c->due.federal - c->requested.federal);
    c->calculated.state = at_least_0(c->due.state - c->requested.state);
    if (rep->request) {
        c->now.federal = rep->request->federal_requested_cents;
        c->now.state = rep->request->state_requested_cents;
    } else {
        c->now = c->calculated;
    }
    c->remaining.federal = c->grant.federal - c->requested.federal - c->now.federal;
    c->remaining.state = c->grant.state - c->requested.state - c->now.state;
}

/* The place of a category in the labels' order (unknown ones last). */
static int category_rank(const char *cat)
{
    static const char *const order[] = {"civil_works", "cabling",   "splicing",
                                        "planning",    "materials", "other"};
    for (int i = 0; i < 6; i++)
        if (cat && strcmp(cat, order[i]) == 0)
            return i;
    return 6;
}

static int actual_order(const void *a, const void *b)
{
    const struct rpt_budget_actual *x = a, *y = b;
    if (x->year != y->year)
        return x->year < y->year ? -1 : 1;
    int rx = category_rank(x->category), ry = category_rank(y->category);
    if (rx != ry)
        return rx - ry;
    return strcmp(x->category ? x->category : "", y->category ? y->category : "");
}

static int same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int rpt_budget_actuals(const struct costs_workbook *rep, struct rpt_budget_actual **out, size_t *n)
{
    size_t cap = rep->nbudget + rep->ninvoices + 1, cnt = 0;
    struct rpt_budget_actual *rows = calloc(cap, sizeof(*rows));
    *out = NULL;
    *n = 0;
    if (!rows)
        return -1;
    for (size_t i = 0; i < rep->nbudget; i++) {
        rows[cnt].year = rep->budget[i].year;
        rows[cnt].category = rep->budget[i].category;
        rows[cnt].note = rep->budget[i].note;
        rows[cnt].plan = rep->budget[i].planned_cents;
        rows[cnt].planned = 1;
        cnt++;
    }
    for (size_t i = 0; i < rep->ninvoices; i++) {
        const struct rpt_invoice *inv = &rep->invoices[i];
        if (!inv->invoice_date || strlen(inv->invoice_date) < 4)
            continue;
        int year = (int)strtol(inv->invoice_date, NULL, 10);
        size_t k = 0;
        while (k < cnt && !(rows[k].year == year && same_text(rows[k].category, inv->category)))
            k++;
        if (k == cnt) {
            rows[cnt].year = year;
            rows[cnt].category = inv->category;
            cnt++;
        }
        int paid = inv->status && strcmp(inv->status, "paid") == 0;
        rows[k].cum_eligible += inv->eligible_cents;
        rows[k].cum_paid += paid ? inv->eligible_cents : 0;
        if (strcmp(inv->invoice_date, rep->from) >= 0 && strcmp(inv->invoice_date, rep->to) <= 0) {
            rows[k].period_eligible += inv->eligible_cents;
            rows[k].period_paid += paid ? inv->eligible_cents : 0;
        }
    }
    qsort(rows, cnt, sizeof(*rows), actual_order);
    *out = rows;
    *n = cnt;
    return 0;
}
