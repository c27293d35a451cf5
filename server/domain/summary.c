/* summary.c — KPI arithmetic. */
#include "domain/summary.h"

#include <math.h>
#include <string.h>

const char *const premise_status_names[] = {"planned",   "passed",   "connected",
                                            "activated", "excluded", NULL};
const char *const milestone_state_names[] = {"done", "late", "at_risk", "on_track", NULL};
const char *const method_names[] = {"open_trench", "micro_trench",  "hdd",     "plough",
                                    "aerial",      "existing_duct", "unknown", NULL};

int name_index(const char *const *names, const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

void summary_split_costs(struct summary *s)
{
    s->federal_cents = llround((double)s->eligible_cents * s->federal_rate);
    s->state_cents = llround((double)s->eligible_cents * s->state_rate);
    if (s->federal_cents + s->state_cents > s->eligible_cents)
        s->state_cents = s->eligible_cents - s->federal_cents;
    s->municipal_cents = s->eligible_cents - s->federal_cents - s->state_cents;
}

enum milestone_state milestone_state_at(const char *as_of, const char *planned,
                                        const char *forecast, const char *actual)
{
    if (actual && strcmp(actual, as_of) <= 0)
        return MS_DONE;
    if (strcmp(planned, as_of) < 0)
        return MS_LATE;
    if (forecast && strcmp(forecast, planned) > 0)
        return MS_AT_RISK;
    return MS_ON_TRACK;
}
