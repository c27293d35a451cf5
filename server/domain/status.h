/* status.h — the segment status machine of SPEC 3, in one place.
 *
 *   planned → permitted → in_construction → civil_done → cable_installed
 *           → spliced → tested → accepted
 *
 * Contractors move a segment only forward and never to accepted; managers
 * and admins may set any status, but a backward move needs a reason. Pure. */
#ifndef FT_STATUS_H
#define FT_STATUS_H

enum segment_status {
    SEG_PLANNED,
    SEG_PERMITTED,
    SEG_IN_CONSTRUCTION,
    SEG_CIVIL_DONE,
    SEG_CABLE_INSTALLED,
    SEG_SPLICED,
    SEG_TESTED,
    SEG_ACCEPTED,
    SEG_STATUS_COUNT,
};

/* NULL-terminated names in order, usable as an FT_ENUM value list. */
extern const char *const segment_status_names[];

/* Returns the status for a name, or -1. */
int segment_status_parse(const char *name);

enum move_verdict {
    MOVE_OK,
    MOVE_BACKWARD_NEEDS_REASON, /* staff moving backward without a reason */
    MOVE_BACKWARD_FORBIDDEN,    /* contractor moving backward */
    MOVE_ACCEPT_FORBIDDEN,      /* contractor moving to accepted */
};

/* Judges a move from one status to another by a caller; staff is 1 for
 * managers and admins, 0 for contractors. */
enum move_verdict segment_move_check(int from, int to, int staff, int has_reason);

/* A sentence for a verdict, for problem details. */
const char *segment_move_message(enum move_verdict v);

#endif
