/* costs_ledger.c — the budget plan beside what was spent on it
 * (Finanzierungsplan: Soll und Ist) and the earlier drawdowns
 * (Mittelabrufe) of costs.xlsx. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/costs_sheets.h"
#include "reports/report_labels.h"
#include "reports/report_util.h"
#include "util/berlin_time.h"

void costs_local_date(const char *utc, char out[11])
{
    struct tm tm;
    out[0] = '\0';
    if (berlin_local_of(utc, &tm) == 0)
        rpt_tm_date(&tm, out);
}

static double share(long long part, long long whole)
{
    return whole > 0 ? (double)part / (double)whole : 0;
}

int costs_write_budget(struct xs_sheet *s, const struct costs_view *v)
{
    const struct costs_workbook *rep = v->rep;
    enum rpt_lang lang = rep->meta.lang;
    const struct xs_style *y = &s->f->st[XS_NORMAL], *t = &s->f->st[XS_TOTAL];
    struct rpt_budget_actual *rows;
    size_t n;
    if (rpt_budget_actuals(rep, &rows, &n))
        return s->error = RPT_WRITE;
    const char *head[] = {costs_text(v, T_YEAR),        costs_text(v, T_CATEGORY),
                          costs_text(v, T_PLAN),        costs_text(v, T_ELIGIBLE_PERIOD_SHORT),
                          costs_text(v, T_PAID_PERIOD), costs_text(v, T_ELIGIBLE_CUM),
                          costs_text(v, T_PAID_CUM),    costs_text(v, T_PLAN_REMAINING),
                          costs_text(v, T_PLAN_USED),   costs_text(v, T_NOTE)};
    xs_header(s, head, 10);
    xs_freeze_here(s);
    xs_autofilter(s, 9, n);
    struct rpt_budget_actual sum = {0};
    for (size_t i = 0; i < n; i++) {
        const struct rpt_budget_actual *r = &rows[i];
        xs_int(s, 0, r->year, y->text);
        xs_text(s, 1, rpt_value(lang, V_CATEGORY, r->category), y->text);
        xs_cents(s, 2, r->plan, y->money);
        xs_cents(s, 3, r->period_eligible, y->money);
        xs_cents(s, 4, r->period_paid, y->money);
        xs_cents(s, 5, r->cum_eligible, y->money);
        xs_cents(s, 6, r->cum_paid, y->money);
        if (r->planned) {
            xs_cents(s, 7, r->plan - r->cum_eligible, y->money);
            xs_share(s, 8, share(r->cum_eligible, r->plan), y->percent);
        }
        xs_text(s, 9, r->planned ? r->note : costs_text(v, T_NOT_PLANNED), y->text);
        xs_next(s);
        sum.plan += r->plan;
        sum.period_eligible += r->period_eligible;
        sum.period_paid += r->period_paid;
        sum.cum_eligible += r->cum_eligible;
        sum.cum_paid += r->cum_paid;
    }
    free(rows);
    xs_text(s, 0, costs_text(v, T_TOTAL), t->text);
    xs_text(s, 1, NULL, t->text);
    xs_cents(s, 2, sum.plan, t->money);
    xs_cents(s, 3, sum.period_eligible, t->money);
    xs_cents(s, 4, sum.period_paid, t->money);
    xs_cents(s, 5, sum.cum_eligible, t->money);
    xs_cents(s, 6, sum.cum_paid, t->money);
    xs_cents(s, 7, sum.plan - sum.cum_eligible, t->money);
    xs_share(s, 8, share(sum.cum_eligible, sum.plan), t->percent);
    xs_text(s, 9, NULL, t->text);
    xs_next(s);
    xs_skip(s, 1);
    /* The plan against the approved eligible cost it should add up to. */
    xs_text(s, 0, costs_text(v, T_BUDGET), y->text);
    xs_cents(s, 2, rep->project.budget_cents, y->money);
    xs_next(s);
    xs_text(s, 0, costs_text(v, T_BUDGET_UNPLANNED), y->text);
    xs_cents(s, 2, rep->project.budget_cents - sum.plan, y->money);
    xs_next(s);
    xs_min_width(s, 0, 8);
    xs_print_setup(s, 1, 0, 0);
    return s->error;
}

void costs_write_drawdowns(struct xs_sheet *s, const struct costs_view *v)
{
    const struct costs_workbook *rep = v->rep;
    enum rpt_lang lang = rep->meta.lang;
    const struct xs_style *y = &s->f->st[XS_NORMAL], *t = &s->f->st[XS_TOTAL];
    const char *head[] = {costs_text(v, T_NUMBER),
                          costs_text(v, T_PERIOD_FROM),
                          costs_text(v, T_PERIOD_TO),
                          costs_text(v, T_REQUESTED_ON),
                          costs_text(v, T_FEDERAL_REQUESTED),
                          costs_text(v, T_STATE_REQUESTED),
                          costs_text(v, T_DRAWDOWN_STATE),
                          costs_text(v, T_RECEIVED_ON),
                          costs_text(v, T_FEDERAL_RECEIVED),
                          costs_text(v, T_STATE_RECEIVED),
                          costs_text(v, T_NOTE)};
    xs_header(s, head, 11);
    xs_freeze_here(s);
    xs_autofilter(s, 10, rep->nearlier);
    for (size_t i = 0; i < rep->nearlier; i++) {
        const struct rpt_drawdown *d = &rep->earlier[i];
        char requested[11];
        costs_local_date(d->requested_at, requested);
        xs_int(s, 0, d->number, y->integer);
        xs_date(s, 1, d->period_from, y->date);
        xs_date(s, 2, d->period_to, y->date);
        xs_date(s, 3, requested[0] ? requested : NULL, y->date);
        xs_cents(s, 4, d->federal_requested_cents, y->money);
        xs_cents(s, 5, d->state_requested_cents, y->money);
        xs_text(s, 6, rpt_value(lang, V_DRAWDOWN_STATE, d->state), y->text);
        xs_date(s, 7, d->received_at, y->date);
        if (d->received_at) {
            xs_cents(s, 8, d->federal_received_cents, y->money);
            xs_cents(s, 9, d->state_received_cents, y->money);
        }
        xs_text(s, 10, d->note, y->text);
        xs_next(s);
    }
    const struct rpt_claim *c = &v->claim;
    xs_text(s, 0, costs_text(v, T_TOTAL), t->text);
    for (int col = 1; col <= 3; col++)
        xs_text(s, col, NULL, t->text);
    xs_cents(s, 4, c->requested.federal, t->money);
    xs_cents(s, 5, c->requested.state, t->money);
    xs_text(s, 6, NULL, t->text);
    xs_text(s, 7, NULL, t->text);
    xs_cents(s, 8, c->received.federal, t->money);
    xs_cents(s, 9, c->received.state, t->money);
    xs_text(s, 10, NULL, t->text);
    xs_next(s);
    if (rep->nearlier == 0) {
        xs_skip(s, 1);
        xs_title(s, 0, costs_text(v, T_NO_DRAWDOWNS), s->f->note);
        xs_next(s);
    }
    xs_print_setup(s, 1, 0, 0);
}
