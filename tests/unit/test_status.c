/* Unit tests for server/domain/status.h: the segment status machine. */
#include "test.h"

#include <string.h>

#include "domain/status.h"

TEST(status_names_in_order)
{
    static const char *const want[] = {"planned",    "permitted",       "in_construction",
                                       "civil_done", "cable_installed", "spliced",
                                       "tested",     "accepted"};
    for (int i = 0; i < SEG_STATUS_COUNT; i++) {
        ASSERT_STREQ(segment_status_names[i], want[i]);
        ASSERT_EQ_INT(segment_status_parse(want[i]), i);
    }
    ASSERT_NULL(segment_status_names[SEG_STATUS_COUNT]);
    ASSERT_EQ_INT(segment_status_parse("planned"), SEG_PLANNED);
    ASSERT_EQ_INT(segment_status_parse("accepted"), SEG_ACCEPTED);
    ASSERT_EQ_INT(segment_status_parse("cable_installed"), SEG_CABLE_INSTALLED);
}

TEST(status_parse_rejects_unknown)
{
    ASSERT_EQ_INT(segment_status_parse(NULL), -1);
    ASSERT_EQ_INT(segment_status_parse(""), -1);
    ASSERT_EQ_INT(segment_status_parse("Planned"), -1);
    ASSERT_EQ_INT(segment_status_parse("planned "), -1);
    ASSERT_EQ_INT(segment_status_parse("in construction"), -1);
    ASSERT_EQ_INT(segment_status_parse("done"), -1);
}

/* The rule, written independently of status.c, for the exhaustive check. */
static enum move_verdict expected(int from, int to, int staff, int reason)
{
    if (to < from)
        return staff ? (reason ? MOVE_OK : MOVE_BACKWARD_NEEDS_REASON) : MOVE_BACKWARD_FORBIDDEN;
    if (!staff && to == SEG_ACCEPTED && from != SEG_ACCEPTED)
        return MOVE_ACCEPT_FORBIDDEN;
    return MOVE_OK;
}

TEST(status_move_every_combination)
{
    for (int from = 0; from < SEG_STATUS_COUNT; from++)
        for (int to = 0; to < SEG_STATUS_COUNT; to++)
            for (int staff = 0; staff <= 1; staff++)
                for (int reason = 0; reason <= 1; reason++) {
                    enum move_verdict got = segment_move_check(from, to, staff, reason);
                    enum move_verdict want = expected(from, to, staff, reason);
                    if (got != want)
                        FAIL("move %s -> %s staff=%d reason=%d: got %d, expected %d",
                             segment_status_names[from], segment_status_names[to], staff, reason,
                             (int)got, (int)want);
                }
}

TEST(status_contractor_moves_forward)
{
    ASSERT_EQ_INT(segment_move_check(SEG_PLANNED, SEG_PERMITTED, 0, 0), MOVE_OK);
    ASSERT_EQ_INT(segment_move_check(SEG_SPLICED, SEG_TESTED, 0, 1), MOVE_OK);
    /* skipping steps forward is a forward move */
    ASSERT_EQ_INT(segment_move_check(SEG_PLANNED, SEG_TESTED, 0, 0), MOVE_OK);
    /* staying is not backward */
    ASSERT_EQ_INT(segment_move_check(SEG_CIVIL_DONE, SEG_CIVIL_DONE, 0, 0), MOVE_OK);
}

TEST(status_contractor_backward_forbidden_even_with_reason)
{
    ASSERT_EQ_INT(segment_move_check(SEG_TESTED, SEG_SPLICED, 0, 0), MOVE_BACKWARD_FORBIDDEN);
    ASSERT_EQ_INT(segment_move_check(SEG_TESTED, SEG_SPLICED, 0, 1), MOVE_BACKWARD_FORBIDDEN);
    ASSERT_EQ_INT(segment_move_check(SEG_ACCEPTED, SEG_PLANNED, 0, 1), MOVE_BACKWARD_FORBIDDEN);
}

TEST(status_contractor_cannot_accept)
{
    ASSERT_EQ_INT(segment_move_check(SEG_TESTED, SEG_ACCEPTED, 0, 0), MOVE_ACCEPT_FORBIDDEN);
    ASSERT_EQ_INT(segment_move_check(SEG_PLANNED, SEG_ACCEPTED, 0, 1), MOVE_ACCEPT_FORBIDDEN);
    /* an accepted segment staying accepted is no acceptance */
    ASSERT_EQ_INT(segment_move_check(SEG_ACCEPTED, SEG_ACCEPTED, 0, 0), MOVE_OK);
}

TEST(status_staff_any_move_backward_needs_reason)
{
    ASSERT_EQ_INT(segment_move_check(SEG_TESTED, SEG_ACCEPTED, 1, 0), MOVE_OK);
    ASSERT_EQ_INT(segment_move_check(SEG_PLANNED, SEG_ACCEPTED, 1, 0), MOVE_OK);
    ASSERT_EQ_INT(segment_move_check(SEG_ACCEPTED, SEG_PLANNED, 1, 0), MOVE_BACKWARD_NEEDS_REASON);
    ASSERT_EQ_INT(segment_move_check(SEG_ACCEPTED, SEG_PLANNED, 1, 1), MOVE_OK);
    ASSERT_EQ_INT(segment_move_check(SEG_PERMITTED, SEG_PLANNED, 1, 0), MOVE_BACKWARD_NEEDS_REASON);
    ASSERT_EQ_INT(segment_move_check(SEG_SPLICED, SEG_SPLICED, 1, 0), MOVE_OK);
}

TEST(status_move_messages_distinct)
{
    const char *m[4] = {
        segment_move_message(MOVE_OK), segment_move_message(MOVE_BACKWARD_NEEDS_REASON),
        segment_move_message(MOVE_BACKWARD_FORBIDDEN), segment_move_message(MOVE_ACCEPT_FORBIDDEN)};
    for (int i = 0; i < 4; i++) {
        ASSERT_NOT_NULL(m[i]);
        ASSERT_STRNE(m[i], "unknown");
        for (int j = 0; j < i; j++)
            ASSERT_STRNE(m[i], m[j]);
    }
    ASSERT(strstr(m[1], "reason") != NULL);
    ASSERT(strstr(m[3], "accept") != NULL);
}
