/* reports.h — the Excel reports of SPEC 5 and 12:
 *
 *   GET /api/v1/projects/{id}/reports/progress.xlsx?as_of=DATE&lang=en|de
 *   GET /api/v1/projects/{id}/reports/costs.xlsx?from=DATE&to=DATE&as_of=DATE&lang=en|de
 *   GET /api/v1/drawdowns/{id}/workbook.xlsx?lang=en|de
 *
 * All run on a DB worker thread (never on an event loop), read the
 * project as of a date in one consistent snapshot, write the workbook to a
 * temporary file in constant-memory mode and hand it to the http layer
 * (r->resp_file), which sends it with sendfile and unlinks it. */
#ifndef FT_API_REPORTS_H
#define FT_API_REPORTS_H

#include "http/request.h"

int reports_progress(struct req *r);
int reports_costs(struct req *r);
/* A drawdown's Mittelabruf: a draft's as recorded now; a submitted one's
 * as recorded at its requested_at, generated then, by its submitter, so
 * that every download is byte for byte the same file. */
int reports_drawdown(struct req *r);

/* ?lang=en|de (en when left out) into *lang. Returns 0, or 400 replied. */
enum rpt_lang;
int reports_parse_lang(struct req *r, enum rpt_lang *lang);

/* Workbooks built at the same time; more wait for a retry (503). Keeps
 * most DB workers free for ordinary requests. */
#define REPORTS_MAX_BUILDING 2

/* The nice value of the thread that writes a workbook (see reports.c). */
#define REPORTS_NICE 10

#endif
