/* summary_load.h — reading a project's KPIs as of a date from the
 * recorded history (schemas 002 and 010), into the plain struct of
 * domain/summary.h. */
#ifndef FT_SUMMARY_LOAD_H
#define FT_SUMMARY_LOAD_H

#include "db/db.h"
#include "domain/history_fold.h"
#include "domain/summary.h"

struct db;
struct pool;

/* Fills s for project_id as of the end of as_of (YYYY-MM-DD, UTC). Returns
 * a db result code; *found is 0 when there is no such project. */
enum db_rc summary_load(struct db *db, struct pool *pool, long long project_id, const char *as_of,
                        struct summary *s, int *found);
/* The same with the history recorded before cutoff (an exclusive UTC time
 * "YYYY-MM-DD HH:MM:SS[.ffffff]", see report_cutoff_of_day); as_of is the
 * day the milestone states are judged on. */
enum db_rc summary_load_at(struct db *db, struct pool *pool, long long project_id,
                           const char *as_of, const char *cutoff, struct summary *s, int *found);

/* Reads the segment history recorded before cutoff in one pass and folds
 * it (the summary's segment figures, the lot totals and the daily changes
 * of report_load.h come from it). Free out with seg_fold_free. */
enum db_rc summary_fold_segments(struct db *db, long long project_id, const char *cutoff,
                                 struct seg_fold *out);
/* summary_load_at with the segments already folded (NULL: folded here);
 * prem_bounds (unless NULL) gets where the premise cursor's chunks end
 * (free it with fold_bounds_free). */
enum db_rc summary_load_folded(struct db *db, struct pool *pool, long long project_id,
                               const char *as_of, const char *cutoff, const struct seg_fold *segs,
                               struct fold_bounds *prem_bounds, struct summary *s, int *found);

#endif
