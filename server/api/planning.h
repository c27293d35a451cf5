/* planning.h — milestones (the schedule the funding agency watches) and
 * invoices (what the rollout costs). */
#ifndef FT_PLANNING_H
#define FT_PLANNING_H

#include "api/resource.h"

extern const struct resource milestones_resource;
extern const struct resource invoices_resource;

/* The derived milestone state of SPEC 3 as SQL over alias t, as of the date
 * bound to each '?'. */
#define MILESTONE_STATE_SQL                                                                        \
    "CASE WHEN t.actual_date IS NOT NULL AND t.actual_date <= ? THEN 'done' "                      \
    "WHEN t.planned_date < ? THEN 'late' "                                                         \
    "WHEN t.forecast_date IS NOT NULL AND t.forecast_date > t.planned_date THEN 'at_risk' "        \
    "ELSE 'on_track' END"

#endif
