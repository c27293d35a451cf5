/* costs_sheets.h — the sheets of costs.xlsx (the Mittelabruf), internal to
 * reports/: costs_xlsx.c writes the request itself and assembles the
 * workbook, costs_ledger.c the budget plan and the drawdowns, and
 * costs_receipts.c the Belegliste and the totals. */
#ifndef FT_COSTS_SHEETS_H
#define FT_COSTS_SHEETS_H

#include "reports/claim.h"
#include "reports/report.h"
#include "reports/report_labels.h"
#include "reports/xlsx_sheet.h"

/* A workbook with what its sheets share: the invoices of the period (a
 * run of rep->invoices, which are in date order) and the request's
 * figures. */
struct costs_view {
    const struct costs_workbook *rep;
    const struct rpt_invoice *period; /* invoices dated from..to */
    size_t nperiod;
    struct rpt_claim claim;
};

const char *costs_text(const struct costs_view *v, enum rpt_text t);

/* Each writes one sheet; errors are kept in s->error (and returned). */
int costs_write_budget(struct xs_sheet *s, const struct costs_view *v);
void costs_write_drawdowns(struct xs_sheet *s, const struct costs_view *v);
void costs_write_receipts(struct xs_sheet *s, const struct costs_view *v);
int costs_write_totals(struct xs_sheet *s, const struct costs_view *v);

/* The "YYYY-MM-DD" in Germany of a UTC time "YYYY-MM-DD HH:MM:SS";
 * out is empty when utc is not such a time. */
void costs_local_date(const char *utc, char out[11]);

#endif
