/* progress.c — progress report plausibility. */
#include "domain/progress.h"

#include <stdio.h>
#include <string.h>

#include "domain/status.h"

int progress_check(const struct segment_state *seg, const struct progress_report *rep,
                   const char *today, int staff, const char **field, char *why, size_t whylen)
{
    if (strcmp(rep->report_date, today) > 0) {
        *field = "report_date";
        snprintf(why, whylen,
                 "the report date %s is in the future (the latest date accepted today is %s)",
                 rep->report_date, today);
        return 422;
    }
    enum move_verdict v = segment_move_check(seg->status, rep->status, staff, 0);
    if (v == MOVE_ACCEPT_FORBIDDEN) {
        *field = "status";
        snprintf(why, whylen, "%s", segment_move_message(v));
        return 422;
    }
    if (v != MOVE_OK) {
        *field = "status";
        snprintf(why, whylen, "the segment is %s already; a report cannot move it back to %s",
                 segment_status_names[seg->status], segment_status_names[rep->status]);
        return 409;
    }
    if (rep->built_length_m + 0.005 < seg->built_length_m) {
        *field = "built_length_m";
        snprintf(why, whylen,
                 "%.2f m built is less than the %.2f m recorded already; lengths are cumulative",
                 rep->built_length_m, seg->built_length_m);
        return 409;
    }
    if (rep->built_length_m > seg->planned_length_m * PROGRESS_LENGTH_FACTOR + 0.005 &&
        !rep->has_note) {
        *field = "note";
        snprintf(why, whylen,
                 "%.2f m is more than 1.5 times the planned %.2f m; add a note that explains it",
                 rep->built_length_m, seg->planned_length_m);
        return 422;
    }
    return 0;
}
