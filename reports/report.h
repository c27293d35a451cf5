/* report.h — the Excel reports of SPEC 5 (progress.xlsx and costs.xlsx),
 * as seen from the rest of the server.
 *
 * The writers take plain structs filled by the db layer (db/report_load.c),
 * never result sets, and write a workbook to a file path. Large tables
 * (segments, premises) are not held in memory: the writer pulls them in
 * chunks from a struct rpt_source, and writes them in libxlsxwriter's
 * constant-memory mode, row after row. This header does not include
 * xlsxwriter.h: only the .c files of reports/ do. */
#ifndef FT_REPORT_H
#define FT_REPORT_H

#include <stddef.h>
#include <time.h>

#include "domain/summary.h"

enum rpt_lang { RPT_EN, RPT_DE };

/* Returns the language for "en" or "de", or -1. */
int rpt_lang_parse(const char *s);
const char *rpt_lang_name(enum rpt_lang lang);

/* Strings are UTF-8, owned by whoever filled the struct; NULL means
 * "none" and is written as an empty cell. Dates are "YYYY-MM-DD". */

struct rpt_project {
    long long id;
    const char *code, *name, *municipality, *programme, *grant_reference;
    const char *start_date, *planned_end_date;
    long long budget_cents;
    double federal_rate, state_rate;
};

/* What every workbook says about itself on its first sheet. */
struct rpt_meta {
    enum rpt_lang lang;
    const char *generated_by; /* the signed-in user's name */
    time_t generated_at;
    const char *tmpdir; /* for libxlsxwriter's constant-memory files; NULL: /tmp */
};

/* A milestone as of the report date: dates from its recorded history,
 * the descriptive fields as they are now. */
struct rpt_milestone {
    long long id;
    const char *name, *kind, *notes;
    const char *planned, *forecast, *actual;
    int funding_relevant;
    long long tranche_cents;
};

/* A segment as of the report date. */
struct rpt_segment {
    long long id;
    const char *code, *kind, *lot_code, *contractor, *method, *surface, *status;
    double planned_m, built_m;
    const char *planned_start, *planned_end, *actual_start, *actual_end;
};

/* A premise (address) as of the report date. */
struct rpt_premise {
    long long id;
    const char *code, *street, *house_number, *postcode, *city, *kind, *status, *status_date;
    const char *segment_code;
    int white_spot;
};

/* The change of planned and built metres recorded on one day on the lots
 * of one contractor (0: lots without a contractor). The sum of all changes
 * up to a date is the length as of that date. */
struct rpt_day {
    char date[11];
    long long contractor_id;
    double planned_delta, built_delta;
};

/* A contractor working in the project, with figures as of the date. */
struct rpt_contractor {
    long long id; /* 0: segments on lots without a contractor */
    const char *name, *lots;
    long long segments;
    double planned_m, built_m;
    long long reports_approved, reports_rejected, reports_pending;
};

/* Invoiced, eligible and paid (net) cents of one invoice category. */
struct rpt_cost_line {
    const char *category;
    long long invoices, invoiced_cents, eligible_cents, paid_cents;
};

/* An invoice as of the report date: amounts and status from its history,
 * the rest as it is now. */
struct rpt_invoice {
    long long id;
    const char *number, *invoice_date, *contractor, *lot_code, *lot_name, *category, *status;
    const char *paid_date;
    long long net_cents, vat_cents, eligible_cents;
};

/* Rows pulled in chunks. next() fills up to max rows into rows (an array
 * of the row type the source is for) and sets *n; *n = 0 at the end.
 * Returns 0, or -1 on an error that the source keeps for its owner. The
 * strings of a chunk stay valid until the next call. */
struct rpt_source {
    int (*next)(void *ctx, void *rows, size_t max, size_t *n);
    void *ctx;
};

struct progress_workbook {
    struct rpt_meta meta;
    struct rpt_project project;
    char as_of[11];
    const struct summary *summary; /* summary_load() for as_of */
    const struct rpt_milestone *milestones;
    size_t nmilestones;
    const struct rpt_day *days; /* in date order */
    size_t ndays;
    const struct rpt_contractor *contractors;
    size_t ncontractors;
    const struct rpt_cost_line *costs; /* by category */
    size_t ncosts;
    struct rpt_source segments; /* struct rpt_segment rows, in id order */
    struct rpt_source premises; /* struct rpt_premise rows, in id order */
};

struct costs_workbook {
    struct rpt_meta meta;
    struct rpt_project project;
    char from[11], to[11];
    const struct summary *cumulative;   /* summary_load() for `to` */
    const struct rpt_invoice *invoices; /* invoice_date in [from, to], by date */
    size_t ninvoices;
};

enum rpt_error {
    RPT_OK = 0,
    RPT_SOURCE,    /* a source failed: its owner knows why */
    RPT_TOO_LARGE, /* more rows than a worksheet holds */
    RPT_WRITE,     /* libxlsxwriter could not create or write the file */
};

/* Writes the workbook to path (created or replaced). Returns an rpt_error;
 * on error the file may be left behind for the caller to unlink. */
int report_progress_write(const char *path, const struct progress_workbook *rep);
int report_costs_write(const char *path, const struct costs_workbook *rep);

#endif
