/* segment_effects.h — what a segment's progress changes elsewhere, in the
 * same transaction: its actual dates and the premises it passes. Used by
 * the segments resource (a manager's change) and by progress reports (a
 * contractor's approved report). */
#ifndef FT_SEGMENT_EFFECTS_H
#define FT_SEGMENT_EFFECTS_H

#include <cJSON.h>

#include "db/db.h"
#include "http/request.h"

/* Sets actual_start/actual_end on the first move into in_construction and
 * into tested, and passes the premises a tested or accepted segment serves
 * (each with its own audit entry). date is the day the change happened
 * (NULL: today). Returns a db result code. */
enum db_rc segment_effects_apply(struct req *r, long long id, const char *date);

/* The segments resource's after_write hook. */
enum db_rc segment_after_write(struct req *r, long long id, const cJSON *before);

#endif
