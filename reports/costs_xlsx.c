/* costs_xlsx.c — costs.xlsx (SPEC 5 and 12), the payment request
 * ("Mittelabruf") as a funding agency takes it: the request itself with
 * its calculation and a signature block, the budget plan beside what was
 * spent (Finanzierungsplan), the earlier drawdowns, the Belegliste and the
 * period's totals.
 *
 * Everything is as recorded at one moment (the workbook's cut-off): the
 * invoices dated in the period are the period's, those dated up to its end
 * the cumulative figures. A drawdown's workbook shows its own amounts as
 * the request; costs.xlsx for a period requests the funding due less what
 * earlier drawdowns requested. */
#include "reports/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/costs_sheets.h"
#include "reports/report_labels.h"
#include "reports/report_util.h"
#include "reports/xlsx_sheet.h"
#include "util/berlin_time.h"

const char *costs_text(const struct costs_view *v, enum rpt_text t)
{
    return rpt_text(v->rep->meta.lang, t);
}

#define T(t) costs_text(v, t)

/* ---- the request ---- */

static void info_text(struct xs_sheet *s, const char *label, const char *value)
{
    xs_text(s, 0, label, s->f->label);
    /* Long values run over the empty columns beside them: not measured,
     * so that the amount columns stay narrow. */
    xs_title(s, 1, value, s->f->st[XS_NORMAL].text);
    xs_next(s);
}

static void info_date(struct xs_sheet *s, const char *label, const char *ymd)
{
    xs_text(s, 0, label, s->f->label);
    xs_date(s, 1, ymd, s->f->st[XS_NORMAL].date);
    xs_next(s);
}

static void section(struct xs_sheet *s, const char *title)
{
    xs_title(s, 0, title, s->f->section);
    for (int c = 1; c <= 3; c++)
        xs_text(s, c, NULL, s->f->section);
    xs_next(s);
}

/* A line of the request: federal, state and their sum. */
static void pair_row(struct xs_sheet *s, const char *label, struct rpt_pair p, int total)
{
    const struct xs_style *y = &s->f->st[total ? XS_TOTAL : XS_NORMAL];
    xs_text(s, 0, label, y->text);
    xs_cents(s, 1, p.federal, y->money);
    xs_cents(s, 2, p.state, y->money);
    xs_cents(s, 3, p.federal + p.state, y->money);
    xs_next(s);
}

/* A line with one amount, in the sum column. */
static void amount_row(struct xs_sheet *s, const char *label, long long cents)
{
    const struct xs_style *y = &s->f->st[XS_NORMAL];
    xs_text(s, 0, label, y->text);
    xs_cents(s, 3, cents, y->money);
    xs_next(s);
}

/* A long sentence in column A, wrapped over about 3 lines. */
static void sentence(struct xs_sheet *s, const char *text, lxw_format *fmt)
{
    if (s->ws && !s->error)
        xs_check(s, worksheet_set_row(s->ws, s->row, 48, NULL));
    xs_title(s, 0, text, fmt);
    xs_reserve(s, s->row, 3);
    xs_next(s);
}

static void write_request(struct xs_sheet *s, const struct costs_view *v, const char *title)
{
    const struct costs_workbook *rep = v->rep;
    const struct rpt_project *p = &rep->project;
    const struct rpt_claim *c = &v->claim;
    const struct xs_style *n = &s->f->st[XS_NORMAL];
    enum rpt_lang lang = rep->meta.lang;

    xs_title(s, 0, title, s->f->title);
    xs_next(s);
    xs_title(s, 0, p->name, s->f->subtitle);
    xs_next(s);
    if (rep->meta.preliminary) {
        xs_title(s, 0, T(T_PRELIMINARY), s->f->warning);
        xs_next(s);
        sentence(s, T(T_PRELIMINARY_NOTE), s->f->note);
    }
    xs_skip(s, 1);
    info_text(s, T(T_RECIPIENT), p->municipality);
    info_text(s, T(T_PROJECT), p->name);
    info_text(s, T(T_PROJECT_CODE), p->code);
    info_text(s, T(T_GRANT_REFERENCE), p->grant_reference);
    info_text(s, T(T_PROGRAMME), p->programme);
    xs_text(s, 0, T(T_BUDGET), s->f->label);
    xs_cents(s, 1, p->budget_cents, n->money);
    xs_next(s);
    xs_text(s, 0, T(T_FEDERAL_RATE), s->f->label);
    xs_share(s, 1, p->federal_rate, n->rate);
    xs_next(s);
    xs_text(s, 0, T(T_STATE_RATE), s->f->label);
    xs_share(s, 1, p->state_rate, n->rate);
    xs_next(s);
    info_date(s, T(T_PERIOD_FROM), rep->from);
    info_date(s, T(T_PERIOD_TO), rep->to);
    if (rep->request) {
        xs_text(s, 0, T(T_DRAWDOWN_NO), s->f->label);
        xs_int(s, 1, rep->request->number, n->integer);
        xs_next(s);
        info_text(s, T(T_DRAWDOWN_STATE), rpt_value(lang, V_DRAWDOWN_STATE, rep->request->state));
    }
    info_date(s, T(T_RECORDED_AS_OF), rep->as_of);
    xs_text(s, 0, T(T_GENERATED_AT), s->f->label);
    xs_datetime(s, 1, rep->meta.generated_at, s->f->datetime);
    xs_next(s);
    info_text(s, T(T_GENERATED_BY), rep->meta.generated_by);
    xs_skip(s, 1);

    /* What the period's invoices add up to. */
    section(s, T(T_PERIOD));
    xs_text(s, 0, T(T_INVOICES_IN_PERIOD), n->text);
    xs_int(s, 3, c->period.invoices, n->integer);
    xs_next(s);
    amount_row(s, T(T_INVOICED_IN_PERIOD), c->period.net);
    amount_row(s, T(T_ELIGIBLE_IN_PERIOD), c->period.eligible);
    amount_row(s, T(T_OF_WHICH_PAID), c->period.eligible_paid);
    xs_skip(s, 1);

    /* The calculation: what is due up to the end of the period, less what
     * was requested before, and what remains of the grant. */
    section(s, T(T_REQUEST));
    const char *head[] = {T(T_ITEM), T(T_FEDERAL), T(T_STATE_PROGRAMME), T(T_TOTAL)};
    xs_header(s, head, 4);
    pair_row(s, T(T_GRANT_APPROVED), c->grant, 0);
    amount_row(s, T(T_ELIGIBLE_TO_END), c->cumulative.eligible);
    pair_row(s, T(T_DUE_TO_DATE), c->due, 0);
    pair_row(s, T(T_REQUESTED_EARLIER), c->requested, 0);
    pair_row(s, T(T_RECEIVED_EARLIER), c->received, 0);
    pair_row(s, T(T_CALCULATED_REQUEST), c->calculated, 0);
    pair_row(s, T(T_THIS_REQUEST), c->now, 1);
    pair_row(s, T(T_GRANT_REMAINING), c->remaining, 0);
    sentence(s, T(rep->request ? T_DRAWDOWN_NOTE : T_REQUEST_NOTE), s->f->note);
    xs_skip(s, 1);

    /* The signature block: filled in as far as the data knows it, so that
     * nobody retypes anything; the signature itself is by hand. */
    section(s, T(T_SIGNATURE_BLOCK));
    sentence(s, T(T_CONFIRMATION), s->f->wrap);
    xs_skip(s, 1);
    char today[11];
    struct tm tm;
    berlin_local(rep->meta.generated_at, &tm);
    rpt_tm_date(&tm, today);
    info_text(s, T(T_PLACE), p->municipality);
    info_date(s, T(T_DATE), today);
    info_text(s, T(T_NAME), rep->meta.generated_by);
    info_text(s, T(T_FUNCTION), rep->signer_function);
    xs_skip(s, 2);
    xs_text(s, 0, T(T_SIGNATURE), s->f->label);
    for (int col = 1; col <= 3; col++)
        xs_text(s, col, NULL, s->f->signature);
    xs_next(s);

    xs_min_width(s, 0, 44);
    for (int col = 1; col <= 3; col++)
        xs_min_width(s, col, 15);
    xs_print_setup(s, 0, 1, 0);
}

/* ---- the workbook ---- */

int report_costs_write(const char *path, const struct costs_workbook *rep)
{
    struct costs_view view;
    struct costs_view *v = &view;
    memset(v, 0, sizeof(*v));
    v->rep = rep;
    rpt_claim_compute(rep, &v->claim);
    /* The period's invoices are a run of the date-ordered list. */
    size_t first = 0;
    while (first < rep->ninvoices && rep->invoices[first].invoice_date &&
           strcmp(rep->invoices[first].invoice_date, rep->from) < 0)
        first++;
    v->period = rep->invoices + first;
    v->nperiod = rep->ninvoices - first;

    char title[200];
    if (rep->request)
        snprintf(title, sizeof(title), "%s %d", T(T_DRAWDOWN_NO), rep->request->number);
    else
        snprintf(title, sizeof(title), "%s", T(T_COSTS_TITLE));

    lxw_workbook *wb = xs_workbook_new(path, rep->meta.tmpdir);
    if (!wb)
        return RPT_WRITE;
    xs_properties(wb, &rep->meta, title, &rep->project);
    struct xs_formats f;
    xs_formats_init(wb, rep->meta.lang, &f);
    int de = rep->meta.lang == RPT_DE;
    char from[11], to[11], period[40];
    rpt_date_text(rep->from, de, from);
    rpt_date_text(rep->to, de, to);
    snprintf(period, sizeof(period), "%s \xe2\x80\x93 %s", from, to);
    xs_page_texts(&f, rep->project.name, T(T_REPORT_PERIOD), period, title, rep->meta.preliminary);

    enum { REQUEST, BUDGET, DRAWDOWNS, RECEIPTS, TOTALS, NSHEETS };
    static const enum rpt_text names[NSHEETS] = {T_SHEET_CLAIM, T_SHEET_BUDGET, T_SHEET_DRAWDOWNS,
                                                 T_SHEET_INVOICES, T_SHEET_TOTALS};
    struct xs_sheet sh[NSHEETS];
    for (int i = 0; i < NSHEETS; i++)
        xs_open(&sh[i], wb, &f, T(names[i]));
    write_request(&sh[REQUEST], v, title);
    int err = costs_write_budget(&sh[BUDGET], v);
    costs_write_drawdowns(&sh[DRAWDOWNS], v);
    costs_write_receipts(&sh[RECEIPTS], v);
    int e = costs_write_totals(&sh[TOTALS], v);
    if (!err)
        err = e;
    for (int i = 0; i < NSHEETS; i++) {
        e = xs_close(&sh[i]);
        if (!err)
            err = e;
    }
    lxw_error le = xs_workbook_close(wb);
    if (!err && le != LXW_NO_ERROR)
        err = RPT_WRITE;
    return err;
}
