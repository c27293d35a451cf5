/* summary.h — the KPIs of a project as of a date (SPEC 4 "Summary"), as a
 * plain struct that the db layer fills and the API and the workbooks
 * render. The arithmetic on it is pure. */
#ifndef FT_SUMMARY_H
#define FT_SUMMARY_H

#include "domain/status.h"

enum premise_status {
    PREM_PLANNED,
    PREM_PASSED,
    PREM_CONNECTED,
    PREM_ACTIVATED,
    PREM_EXCLUDED,
    PREM_STATUS_COUNT
};
enum milestone_state { MS_DONE, MS_LATE, MS_AT_RISK, MS_ON_TRACK, MS_STATE_COUNT };

#define METHOD_COUNT 7 /* the six methods of SPEC 3 and "unknown" */

extern const char *const premise_status_names[];  /* NULL-terminated */
extern const char *const milestone_state_names[]; /* NULL-terminated */
extern const char *const method_names[];          /* NULL-terminated; last is "unknown" */

struct summary {
    long long project_id;
    char as_of[11];
    double federal_rate, state_rate;
    long long budget_cents;

    double planned_length_m, built_length_m;
    long long segments_by_status[SEG_STATUS_COUNT];
    double planned_by_method[METHOD_COUNT], built_by_method[METHOD_COUNT];

    long long premises_by_status[PREM_STATUS_COUNT];
    long long premises_total;
    long long white_spots_total, white_spots_passed;

    long long milestones[MS_STATE_COUNT];

    long long invoiced_cents, eligible_cents, paid_cents;
    long long federal_cents, state_cents, municipal_cents;
};

/* Index of a name in a NULL-terminated list, or -1. */
int name_index(const char *const *names, const char *name);

/* Splits eligible cost into the federal, state and municipal shares: each
 * programme's share is rounded to the cent (half away from zero) and the
 * municipality carries the rest, so the three add up to eligible exactly. */
void summary_split_costs(struct summary *s);

/* The milestone state as of a date (YYYY-MM-DD); actual/forecast may be
 * NULL. */
enum milestone_state milestone_state_at(const char *as_of, const char *planned,
                                        const char *forecast, const char *actual);

#endif
