/* progress.h — rules for a contractor's progress report against the
 * segment it is about. Pure. */
#ifndef FT_PROGRESS_H
#define FT_PROGRESS_H

#include <stddef.h>

struct segment_state {
    int status; /* enum segment_status */
    double planned_length_m;
    double built_length_m;
};

struct progress_report {
    int status;              /* target status */
    double built_length_m;   /* cumulative, as measured on site */
    const char *report_date; /* YYYY-MM-DD */
    int has_note;
};

/* A report may claim up to this factor of the planned length without a note. */
#define PROGRESS_LENGTH_FACTOR 1.5

/* Judges a report (by a contractor when staff is 0) against the segment as
 * it is now, with today's date (YYYY-MM-DD). Returns 0 when it may be
 * applied, else 409 (it contradicts the segment's state) or 422 (it is
 * implausible in itself), with the reason in why and the offending field in
 * *field. */
int progress_check(const struct segment_state *seg, const struct progress_report *rep,
                   const char *today, int staff, const char **field, char *why, size_t whylen);

#endif
