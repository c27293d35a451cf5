/* history_fold.h — the as-of figures of segments and premises, folded in C
 * from their history rows in one pass instead of a window query per figure
 * (the window queries sorted the whole history in MariaDB, once each).
 *
 * The rule is the one of report_load.h: for every object the last row
 * recorded before the cut-off counts (by recorded_at, then id), and a row
 * marked deleted means the object no longer existed. The folds are pure:
 * the rows arrive in any order and are sorted here. Lengths are exact
 * hundredths (the DECIMAL(12,2) columns), so sums are exact and turn into
 * the same doubles as the SQL sums did. */
#ifndef FT_HISTORY_FOLD_H
#define FT_HISTORY_FOLD_H

#include <stddef.h>

#include "util/bigarray.h"

/* Interned texts (statuses, methods): rows carry indexes into it. */
struct fold_names {
    char **s;
    size_t n, cap;
};
/* The index of text in names, added when new; -1 when out of memory. */
int fold_name(struct fold_names *names, const char *text);
void fold_names_free(struct fold_names *names);

/* A recorded_at text ("YYYY-MM-DD HH:MM:SS[.fff]") as a number that sorts
 * like the time: YYYYMMDDHHMMSSmmm. */
unsigned long long fold_time(const char *text);
/* A DECIMAL text ("-12.3", "120.45") in hundredths. */
long long fold_hundredths(const char *text);

/* The last object id of every run of `per` objects in id order, the last
 * run maybe shorter: where the chunks of report_load.h's cursors end, so
 * that they need not ask MariaDB. */
struct fold_bounds {
    long long *last;
    size_t n;
};
void fold_bounds_free(struct fold_bounds *b);

struct seg_hist_row {
    long long segment_id, id;
    unsigned long long at;    /* fold_time */
    long long lot_id;         /* 0: none */
    long long planned, built; /* hundredths of a metre */
    int status, method;       /* fold_names indexes; method of a NULL is "unknown" */
    int deleted;
};

/* Segments at the cut-off by status and method, in (status, method) text
 * order — the order MariaDB's GROUP BY gave, so that doubles are added up
 * in the same order as before. */
struct seg_group {
    const char *status, *method;
    long long count, planned, built;
};
/* Segments at the cut-off by lot (0: none), by lot id. */
struct seg_lot {
    long long lot_id, count, planned, built;
};
/* The change of planned and built metres on one day (YYYYMMDD) on one lot
 * against each segment's previous row (a deleted segment's row takes its
 * metres away), by day and lot. */
struct seg_day {
    int date;
    long long lot_id, planned, built;
};

struct seg_fold {
    struct fold_names names; /* the texts groups point into, when given to the fold */
    struct seg_group *groups;
    size_t ngroups;
    struct seg_lot *lots;
    size_t nlots;
    struct seg_day *days; /* in day_store */
    size_t ndays;
    struct bigarray day_store;
    struct fold_bounds bounds; /* of the segments with rows, every `per` */
};

/* Folds rows (sorted in place). Returns 0, or -1 when out of memory. Free
 * with seg_fold_free, which frees out->names too (the fold leaves it empty:
 * a caller may move its names there). */
int seg_fold(struct seg_hist_row *rows, size_t n, const struct fold_names *names, size_t per,
             struct seg_fold *out);
void seg_fold_free(struct seg_fold *f);

struct prem_hist_row {
    long long premise_id, id;
    unsigned long long at;
    int status; /* fold_names index */
    int white_spot, deleted;
};

/* Premises at the cut-off by status and white spot. */
struct prem_group {
    const char *status;
    int white_spot;
    long long count;
};

/* Folds rows (sorted in place) into *out (malloc'd, *n of them) and the
 * bounds of every `per` premises with rows. Returns 0, or -1 when out of
 * memory. */
int prem_fold(struct prem_hist_row *rows, size_t n, const struct fold_names *names, size_t per,
              struct prem_group **out, size_t *nout, struct fold_bounds *bounds);

#endif
