/* costs_xlsx.c — costs.xlsx (SPEC 5), the payment request ("Mittelabruf")
 * for finance: the amounts to claim for a period, the invoices of the
 * period, and their totals by category and by lot.
 *
 * Invoices count in the period by their invoice date; their amounts and
 * payment state are as recorded at the end of the period's last day, so a
 * request for last quarter can be produced again with the same numbers.
 * The cumulative figures are the summary's as of that day. */
#include "reports/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report_labels.h"
#include "reports/report_util.h"
#include "reports/xlsx_sheet.h"

struct totals {
    long long invoices, net, eligible, eligible_paid, paid;
};

static void add(struct totals *t, const struct rpt_invoice *inv)
{
    t->invoices++;
    t->net += inv->net_cents;
    t->eligible += inv->eligible_cents;
    if (inv->status && strcmp(inv->status, "paid") == 0) {
        t->paid += inv->net_cents;
        t->eligible_paid += inv->eligible_cents;
    }
}

static const char *T(const struct costs_workbook *rep, enum rpt_text t)
{
    return rpt_text(rep->meta.lang, t);
}

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* ---- Payment request ---- */

static void label_row(struct xs_sheet *s, const char *label)
{
    xs_text(s, 0, label, s->f->st[XS_NORMAL].text);
}

static void money_row(struct xs_sheet *s, const char *label, long long cents, int total)
{
    const struct xs_style *y = &s->f->st[total ? XS_TOTAL : XS_NORMAL];
    xs_text(s, 0, label, y->text);
    if (total)
        xs_text(s, 1, NULL, y->text);
    xs_cents(s, 2, cents, y->money);
    xs_next(s);
}

static void claim_row(struct xs_sheet *s, const char *label, double rate, long long cents,
                      int total)
{
    const struct xs_style *y = &s->f->st[total ? XS_TOTAL : XS_NORMAL];
    xs_text(s, 0, label, y->text);
    xs_share(s, 1, rate, y->rate);
    xs_cents(s, 2, cents, y->money);
    xs_next(s);
}

static void write_claim(struct xs_sheet *s, const struct costs_workbook *rep,
                        const struct totals *period)
{
    const struct rpt_project *p = &rep->project;
    const struct xs_style *n = &s->f->st[XS_NORMAL];
    xs_title(s, 0, T(rep, T_COSTS_TITLE), s->f->title);
    xs_next(s);
    xs_title(s, 0, p->name, s->f->subtitle);
    xs_skip(s, 2);
    const struct {
        enum rpt_text label;
        const char *value;
    } info[] = {
        {T_PROJECT, p->name},
        {T_PROJECT_CODE, p->code},
        {T_GRANT_REFERENCE, p->grant_reference},
        {T_RECIPIENT, p->municipality},
        {T_PROGRAMME, p->programme},
    };
    /* Long values run over the empty columns beside them: not measured,
     * so that the rate column stays narrow. */
    for (size_t i = 0; i < sizeof(info) / sizeof(info[0]); i++) {
        xs_text(s, 0, T(rep, info[i].label), s->f->label);
        xs_title(s, 1, info[i].value, n->text);
        xs_next(s);
    }
    xs_text(s, 0, T(rep, T_PERIOD_FROM), s->f->label);
    xs_date(s, 1, rep->from, n->date);
    xs_next(s);
    xs_text(s, 0, T(rep, T_PERIOD_TO), s->f->label);
    xs_date(s, 1, rep->to, n->date);
    xs_next(s);
    xs_text(s, 0, T(rep, T_GENERATED_AT), s->f->label);
    xs_datetime(s, 1, rep->meta.generated_at, s->f->datetime);
    xs_next(s);
    xs_text(s, 0, T(rep, T_GENERATED_BY), s->f->label);
    xs_title(s, 1, rep->meta.generated_by, n->text);
    xs_next(s);
    xs_skip(s, 1);

    /* The claim for the period. */
    struct summary split = {0};
    split.federal_rate = p->federal_rate;
    split.state_rate = p->state_rate;
    split.eligible_cents = period->eligible;
    summary_split_costs(&split);
    double muni = 1.0 - p->federal_rate - p->state_rate;
    if (muni < 0)
        muni = 0;

    xs_title(s, 0, T(rep, T_PERIOD), s->f->section);
    xs_text(s, 1, NULL, s->f->section);
    xs_text(s, 2, NULL, s->f->section);
    xs_next(s);
    const char *head[] = {T(rep, T_ITEM), T(rep, T_RATE), T(rep, T_AMOUNT)};
    xs_header(s, head, 3);
    label_row(s, T(rep, T_INVOICES_IN_PERIOD));
    xs_int(s, 2, period->invoices, n->integer);
    xs_next(s);
    money_row(s, T(rep, T_INVOICED_IN_PERIOD), period->net, 0);
    money_row(s, T(rep, T_ELIGIBLE_IN_PERIOD), period->eligible, 0);
    money_row(s, T(rep, T_OF_WHICH_PAID), period->eligible_paid, 0);
    claim_row(s, T(rep, T_CLAIM_FEDERAL), p->federal_rate, split.federal_cents, 1);
    claim_row(s, T(rep, T_CLAIM_STATE), p->state_rate, split.state_cents, 1);
    claim_row(s, T(rep, T_MUNICIPAL_PERIOD), muni, split.municipal_cents, 0);
    xs_skip(s, 1);

    /* Cumulative to the end of the period: the summary as of `to`. */
    const struct summary *c = rep->cumulative;
    xs_title(s, 0, T(rep, T_CUMULATIVE), s->f->section);
    xs_text(s, 1, NULL, s->f->section);
    xs_text(s, 2, NULL, s->f->section);
    xs_next(s);
    money_row(s, T(rep, T_BUDGET), c->budget_cents, 0);
    money_row(s, T(rep, T_CUMULATIVE_INVOICED), c->invoiced_cents, 0);
    money_row(s, T(rep, T_CUMULATIVE_ELIGIBLE), c->eligible_cents, 1);
    money_row(s, T(rep, T_CUMULATIVE_PAID), c->paid_cents, 0);
    label_row(s, T(rep, T_BUDGET_USED));
    xs_share(s, 2, c->budget_cents > 0 ? (double)c->eligible_cents / (double)c->budget_cents : 0,
             n->percent);
    xs_next(s);
    money_row(s, T(rep, T_REMAINING_BUDGET), c->budget_cents - c->eligible_cents, 0);
    claim_row(s, T(rep, T_CUMULATIVE_FEDERAL), c->federal_rate, c->federal_cents, 0);
    claim_row(s, T(rep, T_CUMULATIVE_STATE), c->state_rate, c->state_cents, 0);
    claim_row(s, T(rep, T_CUMULATIVE_MUNICIPAL), muni, c->municipal_cents, 0);
    xs_skip(s, 1);
    xs_title(s, 0, T(rep, T_CLAIM_NOTE), s->f->note);
    xs_min_width(s, 1, 14);
    xs_print_setup(s, 0, 1, 0, p->code);
}

/* ---- Invoices ---- */

static const char *eligibility(const struct costs_workbook *rep, const struct rpt_invoice *inv)
{
    if (inv->eligible_cents <= 0)
        return T(rep, T_NOT_ELIGIBLE_VALUE);
    if (inv->eligible_cents < inv->net_cents)
        return T(rep, T_PARTLY_ELIGIBLE);
    return T(rep, T_FULLY_ELIGIBLE);
}

static void write_invoices(struct xs_sheet *s, const struct costs_workbook *rep)
{
    enum rpt_lang lang = rep->meta.lang;
    const struct xs_style *y = &s->f->st[XS_NORMAL], *t = &s->f->st[XS_TOTAL];
    const char *head[] = {
        T(rep, T_INVOICE_NUMBER), T(rep, T_INVOICE_DATE), T(rep, T_CONTRACTOR),  T(rep, T_LOT),
        T(rep, T_CATEGORY),       T(rep, T_NET),          T(rep, T_VAT),         T(rep, T_GROSS),
        T(rep, T_ELIGIBLE),       T(rep, T_NOT_ELIGIBLE), T(rep, T_ELIGIBILITY), T(rep, T_STATUS),
        T(rep, T_PAID_ON)};
    xs_header(s, head, 13);
    xs_freeze_here(s);
    xs_autofilter(s, 12, rep->ninvoices);
    long long net = 0, vat = 0, elig = 0;
    for (size_t i = 0; i < rep->ninvoices; i++) {
        const struct rpt_invoice *inv = &rep->invoices[i];
        int paid = inv->status && strcmp(inv->status, "paid") == 0;
        xs_text(s, 0, inv->number, y->text);
        xs_date(s, 1, inv->invoice_date, y->date);
        xs_text(s, 2, inv->contractor, y->text);
        xs_text(s, 3, inv->lot_code, y->text);
        xs_text(s, 4, rpt_value(lang, V_CATEGORY, inv->category), y->text);
        xs_cents(s, 5, inv->net_cents, y->money);
        xs_cents(s, 6, inv->vat_cents, y->money);
        xs_cents(s, 7, inv->net_cents + inv->vat_cents, y->money);
        xs_cents(s, 8, inv->eligible_cents, y->money);
        xs_cents(s, 9, inv->net_cents - inv->eligible_cents, y->money);
        xs_text(s, 10, eligibility(rep, inv), y->text);
        xs_text(s, 11, rpt_value(lang, V_INVOICE_STATUS, inv->status), y->text);
        xs_date(s, 12, paid ? inv->paid_date : NULL, y->date);
        xs_next(s);
        net += inv->net_cents;
        vat += inv->vat_cents;
        elig += inv->eligible_cents;
    }
    xs_text(s, 0, T(rep, T_TOTAL), t->text);
    for (int c = 1; c <= 4; c++)
        xs_text(s, c, NULL, t->text);
    xs_cents(s, 5, net, t->money);
    xs_cents(s, 6, vat, t->money);
    xs_cents(s, 7, net + vat, t->money);
    xs_cents(s, 8, elig, t->money);
    xs_cents(s, 9, net - elig, t->money);
    for (int c = 10; c <= 12; c++)
        xs_text(s, c, NULL, t->text);
    xs_next(s);
    xs_print_setup(s, 1, 0, 0, rep->project.code);
}

/* ---- Totals ---- */

static void totals_cells(struct xs_sheet *s, int col, const struct totals *t,
                         const struct xs_style *y)
{
    xs_int(s, col, t->invoices, y->integer);
    xs_cents(s, col + 1, t->net, y->money);
    xs_cents(s, col + 2, t->eligible, y->money);
    xs_cents(s, col + 3, t->paid, y->money);
}

/* Whether invoice j has a category the labels do not know and no earlier
 * invoice has. */
static int new_unknown_category(const struct costs_workbook *rep, size_t j)
{
    const char *cat = rep->invoices[j].category;
    for (size_t i = 0; rpt_vocab_value(V_CATEGORY, i); i++)
        if (same(cat, rpt_vocab_value(V_CATEGORY, i)))
            return 0;
    for (size_t k = 0; k < j; k++)
        if (same(cat, rep->invoices[k].category))
            return 0;
    return 1;
}

static int write_totals(struct xs_sheet *s, const struct costs_workbook *rep,
                        const struct totals *period)
{
    enum rpt_lang lang = rep->meta.lang;
    const struct xs_style *y = &s->f->st[XS_NORMAL], *t = &s->f->st[XS_TOTAL];

    xs_title(s, 0, T(rep, T_BY_CATEGORY), s->f->section);
    xs_next(s);
    const char *chead[] = {T(rep, T_CATEGORY), T(rep, T_INVOICES), T(rep, T_NET),
                           T(rep, T_ELIGIBLE), T(rep, T_PAID)};
    xs_header(s, chead, 5);
    size_t ncat = 0;
    while (rpt_vocab_value(V_CATEGORY, ncat))
        ncat++;
    for (size_t j = 0; j < rep->ninvoices; j++)
        if (new_unknown_category(rep, j))
            ncat++;
    xs_autofilter(s, 4, ncat);
    for (size_t i = 0;; i++) {
        const char *cat = rpt_vocab_value(V_CATEGORY, i);
        if (!cat)
            break;
        struct totals sum = {0};
        for (size_t j = 0; j < rep->ninvoices; j++)
            if (same(rep->invoices[j].category, cat))
                add(&sum, &rep->invoices[j]);
        xs_text(s, 0, rpt_value(lang, V_CATEGORY, cat), y->text);
        totals_cells(s, 1, &sum, y);
        xs_next(s);
    }
    /* Categories the labels do not know, each once. */
    for (size_t j = 0; j < rep->ninvoices; j++) {
        const char *cat = rep->invoices[j].category;
        if (!new_unknown_category(rep, j))
            continue;
        struct totals sum = {0};
        for (size_t k = j; k < rep->ninvoices; k++)
            if (same(rep->invoices[k].category, cat))
                add(&sum, &rep->invoices[k]);
        xs_text(s, 0, cat ? cat : "?", y->text);
        totals_cells(s, 1, &sum, y);
        xs_next(s);
    }
    xs_text(s, 0, T(rep, T_TOTAL), t->text);
    totals_cells(s, 1, period, t);
    xs_next(s);
    xs_skip(s, 2);

    xs_title(s, 0, T(rep, T_BY_LOT), s->f->section);
    xs_next(s);
    /* The amounts in the same columns as in the table above. */
    const char *lhead[] = {T(rep, T_LOT),       T(rep, T_INVOICES), T(rep, T_NET),
                           T(rep, T_ELIGIBLE),  T(rep, T_PAID),     T(rep, T_LOT_NAME),
                           T(rep, T_CONTRACTOR)};
    xs_header(s, lhead, 7);
    /* Lots in order of their code; each listed once. */
    size_t n = rep->ninvoices;
    const struct rpt_invoice **lots = calloc(n ? n : 1, sizeof(*lots));
    if (!lots)
        return RPT_WRITE;
    size_t nlots = 0;
    for (size_t j = 0; j < n; j++) {
        const struct rpt_invoice *inv = &rep->invoices[j];
        size_t k = 0;
        while (k < nlots && !same(lots[k]->lot_code, inv->lot_code))
            k++;
        if (k < nlots)
            continue;
        /* Insertion by code; "no lot" last. */
        size_t at = nlots;
        while (at > 0 && inv->lot_code &&
               (!lots[at - 1]->lot_code || strcmp(lots[at - 1]->lot_code, inv->lot_code) > 0)) {
            lots[at] = lots[at - 1];
            at--;
        }
        lots[at] = inv;
        nlots++;
    }
    for (size_t k = 0; k < nlots; k++) {
        struct totals sum = {0};
        for (size_t j = 0; j < n; j++)
            if (same(rep->invoices[j].lot_code, lots[k]->lot_code))
                add(&sum, &rep->invoices[j]);
        xs_text(s, 0, lots[k]->lot_code ? lots[k]->lot_code : T(rep, T_NO_LOT), y->text);
        totals_cells(s, 1, &sum, y);
        xs_text(s, 5, lots[k]->lot_code ? lots[k]->lot_name : NULL, y->text);
        xs_text(s, 6, lots[k]->lot_code ? lots[k]->contractor : NULL, y->text);
        xs_next(s);
    }
    free(lots);
    xs_text(s, 0, T(rep, T_TOTAL), t->text);
    totals_cells(s, 1, period, t);
    xs_text(s, 5, NULL, t->text);
    xs_text(s, 6, NULL, t->text);
    xs_next(s);
    xs_print_setup(s, 1, 0, 0, rep->project.code);
    return RPT_OK;
}

int report_costs_write(const char *path, const struct costs_workbook *rep)
{
    lxw_workbook *wb = xs_workbook_new(path, rep->meta.tmpdir);
    if (!wb)
        return RPT_WRITE;
    xs_properties(wb, &rep->meta, T(rep, T_COSTS_TITLE), &rep->project);
    struct xs_formats f;
    xs_formats_init(wb, rep->meta.lang, &f);
    struct totals period = {0};
    for (size_t i = 0; i < rep->ninvoices; i++)
        add(&period, &rep->invoices[i]);

    struct xs_sheet sh[3];
    xs_open(&sh[0], wb, &f, T(rep, T_SHEET_CLAIM));
    xs_open(&sh[1], wb, &f, T(rep, T_SHEET_INVOICES));
    xs_open(&sh[2], wb, &f, T(rep, T_SHEET_TOTALS));
    write_claim(&sh[0], rep, &period);
    write_invoices(&sh[1], rep);
    int err = write_totals(&sh[2], rep, &period);
    for (int i = 0; i < 3; i++) {
        int e = xs_close(&sh[i]);
        if (!err)
            err = e;
    }
    lxw_error e = workbook_close(wb);
    if (!err && e != LXW_NO_ERROR)
        err = RPT_WRITE;
    return err;
}
