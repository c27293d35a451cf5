/* costs_receipts.c — the Belegliste (every invoice of the period with
 * its amounts, eligibility and payment) and the period's totals by
 * category and by lot, of costs.xlsx. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/costs_sheets.h"
#include "reports/report_labels.h"

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* ---- Invoices ---- */

static const char *eligibility(const struct costs_view *v, const struct rpt_invoice *inv)
{
    if (inv->eligible_cents <= 0)
        return costs_text(v, T_NOT_ELIGIBLE_VALUE);
    if (inv->eligible_cents < inv->net_cents)
        return costs_text(v, T_PARTLY_ELIGIBLE);
    return costs_text(v, T_FULLY_ELIGIBLE);
}

void costs_write_receipts(struct xs_sheet *s, const struct costs_view *v)
{
    enum rpt_lang lang = v->rep->meta.lang;
    const struct xs_style *y = &s->f->st[XS_NORMAL], *t = &s->f->st[XS_TOTAL];
    /* The Belegliste as agencies ask for it: a running number to cite,
     * then number, date, payee, purpose and the amounts. */
    const char *head[] = {costs_text(v, T_SERIAL),       costs_text(v, T_INVOICE_NUMBER),
                          costs_text(v, T_INVOICE_DATE), costs_text(v, T_CONTRACTOR),
                          costs_text(v, T_LOT),          costs_text(v, T_PURPOSE),
                          costs_text(v, T_NET),          costs_text(v, T_VAT),
                          costs_text(v, T_GROSS),        costs_text(v, T_ELIGIBLE),
                          costs_text(v, T_NOT_ELIGIBLE), costs_text(v, T_ELIGIBILITY),
                          costs_text(v, T_STATUS),       costs_text(v, T_PAID_ON)};
    xs_header(s, head, 14);
    xs_freeze_here(s);
    xs_autofilter(s, 13, v->nperiod);
    long long net = 0, vat = 0, elig = 0;
    for (size_t i = 0; i < v->nperiod; i++) {
        const struct rpt_invoice *inv = &v->period[i];
        int paid = inv->status && strcmp(inv->status, "paid") == 0;
        xs_int(s, 0, (long long)i + 1, y->integer);
        xs_text(s, 1, inv->number, y->text);
        xs_date(s, 2, inv->invoice_date, y->date);
        xs_text(s, 3, inv->contractor, y->text);
        xs_text(s, 4, inv->lot_code, y->text);
        xs_text(s, 5, rpt_value(lang, V_CATEGORY, inv->category), y->text);
        xs_cents(s, 6, inv->net_cents, y->money);
        xs_cents(s, 7, inv->vat_cents, y->money);
        xs_cents(s, 8, inv->net_cents + inv->vat_cents, y->money);
        xs_cents(s, 9, inv->eligible_cents, y->money);
        xs_cents(s, 10, inv->net_cents - inv->eligible_cents, y->money);
        xs_text(s, 11, eligibility(v, inv), y->text);
        xs_text(s, 12, rpt_value(lang, V_INVOICE_STATUS, inv->status), y->text);
        xs_date(s, 13, paid ? inv->paid_date : NULL, y->date);
        xs_next(s);
        net += inv->net_cents;
        vat += inv->vat_cents;
        elig += inv->eligible_cents;
    }
    xs_text(s, 0, costs_text(v, T_TOTAL), t->text);
    for (int c = 1; c <= 5; c++)
        xs_text(s, c, NULL, t->text);
    xs_cents(s, 6, net, t->money);
    xs_cents(s, 7, vat, t->money);
    xs_cents(s, 8, net + vat, t->money);
    xs_cents(s, 9, elig, t->money);
    xs_cents(s, 10, net - elig, t->money);
    for (int c = 11; c <= 13; c++)
        xs_text(s, c, NULL, t->text);
    xs_next(s);
    xs_print_setup(s, 1, 0, 0);
}

/* ---- Totals ---- */

static void totals_cells(struct xs_sheet *s, int col, const struct rpt_totals *t,
                         const struct xs_style *y)
{
    xs_int(s, col, t->invoices, y->integer);
    xs_cents(s, col + 1, t->net, y->money);
    xs_cents(s, col + 2, t->eligible, y->money);
    xs_cents(s, col + 3, t->paid, y->money);
}

/* Whether invoice j has a category the labels do not know and no earlier
 * invoice has. */
static int new_unknown_category(const struct costs_view *v, size_t j)
{
    const char *cat = v->period[j].category;
    for (size_t i = 0; rpt_vocab_value(V_CATEGORY, i); i++)
        if (same(cat, rpt_vocab_value(V_CATEGORY, i)))
            return 0;
    for (size_t k = 0; k < j; k++)
        if (same(cat, v->period[k].category))
            return 0;
    return 1;
}

int costs_write_totals(struct xs_sheet *s, const struct costs_view *v)
{
    enum rpt_lang lang = v->rep->meta.lang;
    const struct rpt_totals *period = &v->claim.period;
    const struct xs_style *y = &s->f->st[XS_NORMAL], *t = &s->f->st[XS_TOTAL];

    xs_title(s, 0, costs_text(v, T_BY_CATEGORY), s->f->section);
    xs_next(s);
    const char *chead[] = {costs_text(v, T_CATEGORY), costs_text(v, T_INVOICES),
                           costs_text(v, T_NET), costs_text(v, T_ELIGIBLE), costs_text(v, T_PAID)};
    xs_header(s, chead, 5);
    size_t ncat = 0;
    while (rpt_vocab_value(V_CATEGORY, ncat))
        ncat++;
    for (size_t j = 0; j < v->nperiod; j++)
        if (new_unknown_category(v, j))
            ncat++;
    xs_autofilter(s, 4, ncat);
    for (size_t i = 0;; i++) {
        const char *cat = rpt_vocab_value(V_CATEGORY, i);
        if (!cat)
            break;
        struct rpt_totals sum = {0};
        for (size_t j = 0; j < v->nperiod; j++)
            if (same(v->period[j].category, cat))
                rpt_totals_add(&sum, &v->period[j]);
        xs_text(s, 0, rpt_value(lang, V_CATEGORY, cat), y->text);
        totals_cells(s, 1, &sum, y);
        xs_next(s);
    }
    /* Categories the labels do not know, each once. */
    for (size_t j = 0; j < v->nperiod; j++) {
        const char *cat = v->period[j].category;
        if (!new_unknown_category(v, j))
            continue;
        struct rpt_totals sum = {0};
        for (size_t k = j; k < v->nperiod; k++)
            if (same(v->period[k].category, cat))
                rpt_totals_add(&sum, &v->period[k]);
        xs_text(s, 0, cat ? cat : "?", y->text);
        totals_cells(s, 1, &sum, y);
        xs_next(s);
    }
    xs_text(s, 0, costs_text(v, T_TOTAL), t->text);
    totals_cells(s, 1, period, t);
    xs_next(s);
    xs_skip(s, 2);

    xs_title(s, 0, costs_text(v, T_BY_LOT), s->f->section);
    xs_next(s);
    /* The amounts in the same columns as in the table above. */
    const char *lhead[] = {costs_text(v, T_LOT),       costs_text(v, T_INVOICES),
                           costs_text(v, T_NET),       costs_text(v, T_ELIGIBLE),
                           costs_text(v, T_PAID),      costs_text(v, T_LOT_NAME),
                           costs_text(v, T_CONTRACTOR)};
    xs_header(s, lhead, 7);
    /* Lots in order of their code; each listed once. */
    size_t n = v->nperiod;
    const struct rpt_invoice **lots = calloc(n ? n : 1, sizeof(*lots));
    if (!lots)
        return RPT_WRITE;
    size_t nlots = 0;
    for (size_t j = 0; j < n; j++) {
        const struct rpt_invoice *inv = &v->period[j];
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
        struct rpt_totals sum = {0};
        for (size_t j = 0; j < n; j++)
            if (same(v->period[j].lot_code, lots[k]->lot_code))
                rpt_totals_add(&sum, &v->period[j]);
        xs_text(s, 0, lots[k]->lot_code ? lots[k]->lot_code : costs_text(v, T_NO_LOT), y->text);
        totals_cells(s, 1, &sum, y);
        xs_text(s, 5, lots[k]->lot_code ? lots[k]->lot_name : NULL, y->text);
        xs_text(s, 6, lots[k]->lot_code ? lots[k]->contractor : NULL, y->text);
        xs_next(s);
    }
    free(lots);
    xs_text(s, 0, costs_text(v, T_TOTAL), t->text);
    totals_cells(s, 1, period, t);
    xs_text(s, 5, NULL, t->text);
    xs_text(s, 6, NULL, t->text);
    xs_next(s);
    xs_print_setup(s, 1, 0, 0);
    return s->error;
}
