/* status.c — segment status order and move rules. */
#include "domain/status.h"

#include <string.h>

const char *const segment_status_names[] = {
    "planned", "permitted", "in_construction", "civil_done", "cable_installed",
    "spliced", "tested",    "accepted",        NULL,
};

int segment_status_parse(const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < SEG_STATUS_COUNT; i++)
        if (strcmp(segment_status_names[i], name) == 0)
            return i;
    return -1;
}

enum move_verdict segment_move_check(int from, int to, int staff, int has_reason)
{
    if (staff)
        return (to < from && !has_reason) ? MOVE_BACKWARD_NEEDS_REASON : MOVE_OK;
    if (to < from)
        return MOVE_BACKWARD_FORBIDDEN;
    if (to == SEG_ACCEPTED && from != SEG_ACCEPTED)
        return MOVE_ACCEPT_FORBIDDEN;
    return MOVE_OK;
}

const char *segment_move_message(enum move_verdict v)
{
    switch (v) {
    case MOVE_OK:
        return "the move is allowed";
    case MOVE_BACKWARD_NEEDS_REASON:
        return "moving a segment back to an earlier status needs a reason";
    case MOVE_BACKWARD_FORBIDDEN:
        return "a segment can only move forward; ask the project manager to correct it";
    case MOVE_ACCEPT_FORBIDDEN:
        return "only the project manager can accept a segment";
    }
    return "unknown";
}
