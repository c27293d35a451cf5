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
    time_t generated_at;      /* shown in Europe/Berlin time; also the file's creation time */
    const char *tmpdir;       /* for libxlsxwriter's constant-memory files; NULL: /tmp */
    /* 1 when the period (or day) reported on had not ended when the data
     * was read: the figures are preliminary ("vorläufig"). */
    int preliminary;
};

/* A milestone as of the report date, every field from its recorded
 * history. */
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

/* An invoice as recorded at the cut-off, with the names of its lot and
 * contractor as recorded then. */
struct rpt_invoice {
    long long id;
    const char *number, *invoice_date, *contractor, *lot_code, *lot_name, *category, *status;
    const char *paid_date;
    long long net_cents, vat_cents, eligible_cents;
};

/* A line of the budget plan (Finanzierungsplan): the eligible cost planned
 * for a category in a year. */
struct rpt_budget_line {
    const char *category, *note;
    int year;
    long long planned_cents;
};

/* A drawdown (Mittelabruf) as recorded at the cut-off. requested_at is the
 * UTC time "YYYY-MM-DD HH:MM:SS[.fff]" of its submission (NULL for a
 * draft); the received amounts count only when received_at is set. */
struct rpt_drawdown {
    long long id;
    int number;
    const char *period_from, *period_to, *state, *requested_at, *received_at, *note;
    long long federal_requested_cents, state_requested_cents;
    long long federal_received_cents, state_received_cents;
};

/* The narrative of a period (Sachbericht), as recorded at the cut-off. */
struct rpt_note {
    const char *period_from, *period_to, *text;
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
    const struct rpt_note *notes; /* the periods begun by as_of, by period */
    size_t nnotes;
    /* struct rpt_segment rows, in id order; read whole before premises */
    struct rpt_source segments;
    struct rpt_source premises; /* struct rpt_premise rows, in id order */
};

/* costs.xlsx, the payment request (Mittelabruf) with its proof of the
 * costs: everything as recorded at one moment (the cut-off). */
struct costs_workbook {
    struct rpt_meta meta;
    struct rpt_project project;
    char from[11], to[11];
    char as_of[11]; /* the day whose records it shows */
    /* Every invoice dated up to `to`, by date: those from `from` on are the
     * period's, all of them the cumulative figures. */
    const struct rpt_invoice *invoices;
    size_t ninvoices;
    const struct rpt_budget_line *budget; /* by year, then category */
    size_t nbudget;
    /* The drawdowns submitted before this request, by number. */
    const struct rpt_drawdown *earlier;
    size_t nearlier;
    /* The drawdown this workbook is for, or NULL: then the request is the
     * funding due less what was requested before. */
    const struct rpt_drawdown *request;
    const char *signer_function; /* the signer's role, in words */
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
