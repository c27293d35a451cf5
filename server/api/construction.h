/* construction.h — progress reports from the field and their review, and
 * what a segment's progress changes elsewhere (actual dates, premises
 * passed). */
#ifndef FT_CONSTRUCTION_H
#define FT_CONSTRUCTION_H

#include <cJSON.h>

#include "db/db.h"
#include "http/request.h"

struct resource;
extern const struct resource progress_resource;

int progress_create(struct req *r);
int progress_approve(struct req *r);
int progress_reject(struct req *r);

/* The segments resource's after_write hook. */
enum db_rc segment_after_write(struct req *r, long long id, const cJSON *before);

#endif
