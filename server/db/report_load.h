/* report_load.h — reading what the workbooks show (SPEC 5) from the
 * database into the plain structs of reports/report.h.
 *
 * Everything is as of the end of a date (YYYY-MM-DD, UTC), from the
 * recorded history of schema 002, with the same rule as summary_load: for
 * every object the last history row recorded before the end of the day
 * counts (by recorded_at, then id), and a row marked deleted means the
 * object no longer existed. Descriptive fields that have no history (codes,
 * names, notes, categories) are taken as they are now.
 *
 * Every function returns a db result code (enum db_rc); strings and arrays
 * live in the pool passed in. */
#ifndef FT_REPORT_LOAD_H
#define FT_REPORT_LOAD_H

#include <stddef.h>

#include "db/db.h"
#include "reports/report.h"

struct db;
struct pool;

/* The project's descriptive fields; *found is 0 when there is no such
 * project. */
enum db_rc report_load_project(struct db *db, struct pool *pool, long long project_id,
                               struct rpt_project *p, int *found);

/* Milestones as of the date, by planned date. */
enum db_rc report_load_milestones(struct db *db, struct pool *pool, long long project_id,
                                  const char *as_of, struct rpt_milestone **out, size_t *n);

/* The daily changes of planned and built metres by contractor up to the
 * date, in date order (the weekly series). */
enum db_rc report_load_days(struct db *db, struct pool *pool, long long project_id,
                            const char *as_of, struct rpt_day **out, size_t *n);

/* The contractors of the project's lots (and of its progress reports),
 * with their segments, metres and reports as of the date. A row with id 0
 * stands for segments on lots without a contractor, when there are any. */
enum db_rc report_load_contractors(struct db *db, struct pool *pool, long long project_id,
                                   const char *as_of, struct rpt_contractor **out, size_t *n);

/* Invoiced, eligible and paid cents by invoice category as of the date;
 * the lines add up to summary_load's costs. */
enum db_rc report_load_costs(struct db *db, struct pool *pool, long long project_id,
                             const char *as_of, struct rpt_cost_line **out, size_t *n);

/* The invoices dated from..to (inclusive), with amounts and status as of
 * the end of `to`, by invoice date. */
enum db_rc report_load_invoices(struct db *db, struct pool *pool, long long project_id,
                                const char *from, const char *to, struct rpt_invoice **out,
                                size_t *n);

/* Segments or premises as of a date, read in id-keyset chunks of
 * REPORT_CHUNK objects so that memory stays flat however large the
 * project is. Fill one with report_*_open, hand src to the writer, and
 * call report_cursor_close afterwards; rc holds the db code of a failed
 * chunk (the source then returns -1). */
#define REPORT_CHUNK 2000

struct report_cursor {
    struct db *db;
    long long project_id;
    char as_of[11];
    char cutoff[20];
    long long after; /* the last id read */
    int done;
    int rc;
    struct pool *chunk; /* the strings of the current chunk */
};

void report_segments_open(struct report_cursor *c, struct db *db, long long project_id,
                          const char *as_of, struct rpt_source *src);
void report_premises_open(struct report_cursor *c, struct db *db, long long project_id,
                          const char *as_of, struct rpt_source *src);
void report_cursor_close(struct report_cursor *c);

#endif
