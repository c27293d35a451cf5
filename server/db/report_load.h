/* report_load.h — reading what the workbooks show (SPEC 5 and 12) from
 * the database into the plain structs of reports/report.h.
 *
 * Everything is as recorded before a cut-off: a UTC time "YYYY-MM-DD
 * HH:MM:SS[.ffffff]", exclusive — the start of the day after a report date
 * (report_cutoff_of_day), or just after a drawdown's submission. Every
 * value comes from the history tables of schemas 002, 009 and 010: for
 * every object the last row recorded before the cut-off counts (by
 * recorded_at, then id), and a row marked deleted means the object no
 * longer existed. Nothing is read from the current rows, so a workbook for
 * a past moment is the same whatever was edited since.
 *
 * The queries read history rows in (object, recorded_at, id) order and
 * keep the last row per object in C: no window functions, one ordered
 * index scan.
 *
 * Every function returns a db result code (enum db_rc); strings and arrays
 * live in the pool passed in. */
#ifndef FT_REPORT_LOAD_H
#define FT_REPORT_LOAD_H

#include <pthread.h>
#include <stddef.h>

#include "db/db.h"
#include "domain/history_fold.h"
#include "reports/report.h"

struct db;
struct pool;

/* The exclusive cut-off of a report date: the next day's start. */
void report_cutoff_of_day(const char *as_of, char out[32]);

/* Lots and contractors as recorded at the cut-off, for naming what other
 * rows refer to. An object first recorded after the cut-off is named as it
 * was first recorded (the best there is for an earlier moment). */
struct report_lot {
    long long id, contractor_id;
    const char *code, *name;
};
struct report_contractor {
    long long id;
    const char *name;
};
struct report_names {
    struct report_lot *lots; /* the project's, by id */
    size_t nlots;
    struct report_contractor *contractors; /* all, by id */
    size_t ncontractors;
};

enum db_rc report_load_names(struct db *db, struct pool *pool, long long project_id,
                             const char *cutoff, struct report_names *out);
/* Lookups; NULL for an id not known. */
const struct report_lot *report_lot_of(const struct report_names *n, long long id);
const char *report_contractor_name(const struct report_names *n, long long id);

/* The project's descriptive fields as recorded at the cut-off; *found is 0
 * when there is no such project. */
enum db_rc report_load_project(struct db *db, struct pool *pool, long long project_id,
                               const char *cutoff, struct rpt_project *p, int *found);

/* Milestones as recorded at the cut-off, by planned date. */
enum db_rc report_load_milestones(struct db *db, struct pool *pool, long long project_id,
                                  const char *cutoff, struct rpt_milestone **out, size_t *n);

/* The daily changes of planned and built metres by contractor (the lot's
 * contractor at the cut-off) up to the cut-off, in date order, from the
 * segment history folded by summary_fold_segments. */
void report_load_days(struct pool *pool, const struct seg_fold *segs,
                      const struct report_names *names, struct rpt_day **out, size_t *n);

/* The contractors of the project's lots (and of its progress reports),
 * with their segments, metres (from segs) and reports at the cut-off, by
 * name. A row
 * with id 0 stands for segments on lots without a contractor. */
enum db_rc report_load_contractors(struct db *db, struct pool *pool, long long project_id,
                                   const char *cutoff, const struct report_names *names,
                                   const struct seg_fold *segs, struct rpt_contractor **out,
                                   size_t *n);

/* The invoices recorded at the cut-off and dated up to `to` (NULL: any
 * date), by invoice date and id. */
enum db_rc report_load_invoices(struct db *db, struct pool *pool, long long project_id,
                                const char *cutoff, const char *to,
                                const struct report_names *names, struct rpt_invoice **out,
                                size_t *n);

/* Invoiced, eligible and paid cents by category of the invoices given. */
void report_cost_lines(struct pool *pool, const struct rpt_invoice *inv, size_t ninv,
                       struct rpt_cost_line **out, size_t *n);

/* The budget plan at the cut-off, by year and category. */
enum db_rc report_load_budget(struct db *db, struct pool *pool, long long project_id,
                              const char *cutoff, struct rpt_budget_line **out, size_t *n);

/* The project's drawdowns at the cut-off, by number. */
enum db_rc report_load_drawdowns(struct db *db, struct pool *pool, long long project_id,
                                 const char *cutoff, struct rpt_drawdown **out, size_t *n);

/* The report notes at the cut-off whose period began by `as_of`, by
 * period. */
enum db_rc report_load_notes(struct db *db, struct pool *pool, long long project_id,
                             const char *cutoff, const char *as_of, struct rpt_note **out,
                             size_t *n);

/* Segments or premises at the cut-off, read in id-keyset chunks of
 * REPORT_CHUNK objects so that memory stays flat however large the
 * project is. Fill one with report_*_open, hand src to the writer, and
 * call report_cursor_close afterwards; rc holds the db code of a failed
 * chunk (the source then returns -1). The segment cursor keeps each
 * segment's code for the premise cursor given it, which names the serving
 * segment by it: read the segments whole before the premises. */
#define REPORT_CHUNK 2000

/* One chunk's read (report_load.c): its input and its result. */
struct chunk_fetch {
    struct db *db;
    long long project_id;
    const char *cutoff;
    const char *bound_sql, *rows_sql;
    size_t max;
    long long after;
    /* Where the chunks end when known (the folds of summary_load.h):
     * bound_sql is then not asked. */
    const struct fold_bounds *bounds;
    size_t bound_ix;   /* the chunk's entry in bounds */
    struct pool *pool; /* the rows' strings */
    struct db_rows *rows;
    long long upper; /* the chunk's last object id; 0 at the end */
    int rc;
};

struct report_cursor {
    struct db *db;
    long long project_id;
    char as_of[11];
    char cutoff[32];
    const struct report_names *names;
    long long after; /* the last id read */
    int done;
    int rc;
    struct pool *chunk; /* the strings of the current chunk */
    /* The next chunk, read on a thread of its own while the writer formats
     * the current one; the connection is the thread's until it is joined. */
    struct chunk_fetch ahead;
    pthread_t ahead_thread;
    int ahead_running;
    const struct fold_bounds *bounds; /* NULL: asked per chunk */
    size_t bound_ix;
    /* Segments: id -> code of every segment read, in id order. */
    long long *seg_ids;
    char **seg_codes;
    size_t nseg, capseg;
    struct report_cursor *segments; /* premises: the segment cursor */
};

void report_segments_open(struct report_cursor *c, struct db *db, long long project_id,
                          const char *as_of, const char *cutoff, const struct report_names *names,
                          struct rpt_source *src);
void report_premises_open(struct report_cursor *c, struct db *db, long long project_id,
                          const char *as_of, const char *cutoff, struct report_cursor *segments,
                          struct rpt_source *src);
/* Lets an opened cursor take its chunk bounds from a fold of the same
 * snapshot and cut-off (every REPORT_CHUNK objects) instead of asking
 * MariaDB for each; bounds must outlive the cursor. */
void report_cursor_bounds(struct report_cursor *c, const struct fold_bounds *bounds);
void report_cursor_close(struct report_cursor *c);

#endif
