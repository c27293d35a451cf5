/* Unit tests for server/domain/progress.h: is a progress report plausible
 * against its segment? */
#include "test.h"

#include <string.h>

#include "domain/progress.h"
#include "domain/status.h"

static int judge(int seg_status, double planned, double built, int rep_status, double rep_built,
                 const char *date, int note, const char **field)
{
    struct segment_state seg = {seg_status, planned, built};
    struct progress_report rep = {rep_status, rep_built, date, note};
    char why[256];
    *field = NULL;
    return progress_check(&seg, &rep, "2026-11-26", 0, field, why, sizeof(why));
}

TEST(progress_forward_report_is_accepted)
{
    const char *field;
    ASSERT_EQ_INT(judge(SEG_PERMITTED, 100, 0, SEG_IN_CONSTRUCTION, 40, "2026-11-26", 0, &field),
                  0);
    /* The same status with more metres is progress too. */
    ASSERT_EQ_INT(
        judge(SEG_IN_CONSTRUCTION, 100, 40, SEG_IN_CONSTRUCTION, 80, "2026-11-01", 0, &field), 0);
    /* Exactly 1.5 times the plan needs no note. */
    ASSERT_EQ_INT(judge(SEG_CIVIL_DONE, 100, 100, SEG_CIVIL_DONE, 150, "2026-11-26", 0, &field), 0);
}

TEST(progress_future_date_is_422)
{
    const char *field;
    ASSERT_EQ_INT(judge(SEG_PERMITTED, 100, 0, SEG_IN_CONSTRUCTION, 10, "2026-11-27", 0, &field),
                  422);
    ASSERT_STREQ(field, "report_date");
}

TEST(progress_backward_move_is_409)
{
    const char *field;
    ASSERT_EQ_INT(judge(SEG_SPLICED, 100, 100, SEG_CIVIL_DONE, 100, "2026-11-20", 0, &field), 409);
    ASSERT_STREQ(field, "status");
}

TEST(progress_contractor_cannot_accept)
{
    const char *field;
    ASSERT_EQ_INT(judge(SEG_TESTED, 100, 100, SEG_ACCEPTED, 100, "2026-11-20", 0, &field), 422);
    ASSERT_STREQ(field, "status");
}

TEST(progress_length_below_recorded_is_409)
{
    const char *field;
    ASSERT_EQ_INT(
        judge(SEG_IN_CONSTRUCTION, 100, 60, SEG_IN_CONSTRUCTION, 59.5, "2026-11-20", 0, &field),
        409);
    ASSERT_STREQ(field, "built_length_m");
}

TEST(progress_overlong_needs_a_note)
{
    const char *field;
    ASSERT_EQ_INT(
        judge(SEG_IN_CONSTRUCTION, 100, 60, SEG_CIVIL_DONE, 150.5, "2026-11-20", 0, &field), 422);
    ASSERT_STREQ(field, "note");
    ASSERT_EQ_INT(
        judge(SEG_IN_CONSTRUCTION, 100, 60, SEG_CIVIL_DONE, 150.5, "2026-11-20", 1, &field), 0);
}
