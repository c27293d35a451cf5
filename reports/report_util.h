/* report_util.h — pure helpers of the workbook writers: calendar
 * arithmetic and week buckets, text clipping, column widths, file names
 * and milestone variance. No I/O; unit-tested in tests/unit. */
#ifndef FT_REPORT_UTIL_H
#define FT_REPORT_UTIL_H

#include <stddef.h>

/* The longest text a cell holds, in bytes (libxlsxwriter counts bytes,
 * Excel counts characters; bytes are the stricter limit). */
#define RPT_CELL_MAX 32767

/* Days since 1970-01-01 of a "YYYY-MM-DD" date. Returns 0, or -1 when the
 * text is not a valid date. */
int rpt_date_days(const char *date, long *days);
/* The "YYYY-MM-DD" of a day number. */
void rpt_days_date(long days, char out[11]);
/* The day of the week, 0 = Monday .. 6 = Sunday. */
int rpt_weekday(long days);
/* ISO 8601 week label of the week containing days, e.g. "2026-W14". */
void rpt_iso_week(long days, char out[12]);

/* Weeks (Monday to Sunday) from the week containing first to the week
 * containing last (first <= last). The last week ends on `last` itself, so
 * that a report as of a Wednesday ends with the figures of that Wednesday.
 * At most RPT_MAX_WEEKS weeks: with a longer span the first weeks are
 * dropped and their changes counted in the first week kept. */
#define RPT_MAX_WEEKS 1000
struct rpt_weeks {
    long monday0; /* the Monday of week 0 */
    long last;
    size_t n;
};
/* Returns 0, or -1 for an invalid date. first after last is treated as
 * last. */
int rpt_weeks_init(struct rpt_weeks *w, const char *first, const char *last);
/* The index of the week a date falls into: dates before week 0 count in
 * week 0, dates after the last week in the last week; -1 for an invalid
 * date. */
long rpt_weeks_index(const struct rpt_weeks *w, const char *date);
/* The first and the last day of week i (the last is capped at w->last). */
long rpt_weeks_start(const struct rpt_weeks *w, size_t i);
long rpt_weeks_end(const struct rpt_weeks *w, size_t i);

/* Adds a segment's planned metres to the cumulative plan of each week
 * (plan[w->n]): spread evenly over the days from start to end, both
 * included, so that week i holds the part planned up to its last day.
 * Returns 0, or -1 (adding nothing) when a date is missing or invalid or
 * end is before start. */
int rpt_plan_add(const struct rpt_weeks *w, double *plan, const char *start, const char *end,
                 double metres);

/* A "YYYY-MM-DD" date as a person reads it in lang: "dd.mm.yyyy" for
 * German (lang 1), as it is otherwise. */
void rpt_date_text(const char *ymd, int german, char out[11]);

struct tm;
/* The "YYYY-MM-DD" of a broken-down time. */
void rpt_tm_date(const struct tm *tm, char out[11]);

/* Whether a period ending on `to` had not ended on `today` (both
 * "YYYY-MM-DD"): the figures for it are preliminary. */
int rpt_period_open(const char *to, const char *today);

/* Returns s when it fits in a cell; otherwise copies as much of it as fits
 * with "…" into buf (RPT_CELL_MAX + 1 bytes), cut at a character
 * boundary, and returns buf. */
const char *rpt_clip(const char *s, char *buf);

/* The display width of text in characters (the longest line). */
size_t rpt_text_width(const char *s);

/* Copies s into out (size n) keeping only characters that are safe in a
 * file name ([A-Za-z0-9._-]; others become '_'). */
void rpt_filename_part(const char *s, char *out, size_t n);

/* The variance of a milestone in days as of a date: actual - planned when
 * done, else forecast - planned, and at least the days it is overdue when
 * its planned date has passed. Returns 0 and sets *days, or -1 when the
 * planned date is invalid. forecast and actual may be NULL. */
int rpt_milestone_variance(const char *as_of, const char *planned, const char *forecast,
                           const char *actual, long *days);

#endif
