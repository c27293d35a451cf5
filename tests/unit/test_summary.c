/* Unit tests for server/domain/summary.h: cost shares and milestone state. */
#include "test.h"

#include <string.h>

#include "domain/summary.h"

TEST(summary_shares_add_up_to_eligible)
{
    struct summary s;
    memset(&s, 0, sizeof(s));
    s.federal_rate = 0.5;
    s.state_rate = 0.4;
    s.eligible_cents = 90415001; /* odd: the halves do not divide evenly */
    summary_split_costs(&s);
    ASSERT_EQ_INT(s.federal_cents, 45207501); /* 45207500.5 rounds away from zero */
    ASSERT_EQ_INT(s.state_cents, 36166000);   /* 36166000.4 */
    ASSERT_EQ_INT(s.federal_cents + s.state_cents + s.municipal_cents, s.eligible_cents);
}

TEST(summary_shares_never_exceed_eligible)
{
    struct summary s;
    memset(&s, 0, sizeof(s));
    s.federal_rate = 0.5;
    s.state_rate = 0.5;
    s.eligible_cents = 3; /* 1.5 + 1.5 would round to 2 + 2 */
    summary_split_costs(&s);
    ASSERT_EQ_INT(s.federal_cents + s.state_cents, 3);
    ASSERT_EQ_INT(s.municipal_cents, 0);
}

TEST(summary_milestone_state_as_of)
{
    /* done only once the actual date has come */
    ASSERT_EQ_INT(milestone_state_at("2026-10-01", "2026-09-30", NULL, "2026-09-29"), MS_DONE);
    ASSERT_EQ_INT(milestone_state_at("2026-09-28", "2026-09-30", NULL, "2026-09-29"), MS_ON_TRACK);
    /* late after the planned date without an actual one */
    ASSERT_EQ_INT(milestone_state_at("2026-10-01", "2026-09-30", NULL, NULL), MS_LATE);
    ASSERT_EQ_INT(milestone_state_at("2026-09-30", "2026-09-30", NULL, NULL), MS_ON_TRACK);
    /* at risk while the forecast lies beyond the plan */
    ASSERT_EQ_INT(milestone_state_at("2026-09-01", "2026-09-30", "2026-10-15", NULL), MS_AT_RISK);
    ASSERT_EQ_INT(milestone_state_at("2026-09-01", "2026-09-30", "2026-09-20", NULL), MS_ON_TRACK);
}

TEST(summary_name_index)
{
    ASSERT_EQ_INT(name_index(premise_status_names, "excluded"), PREM_EXCLUDED);
    ASSERT_EQ_INT(name_index(method_names, "hdd"), 2);
    ASSERT_EQ_INT(name_index(method_names, "teleport"), -1);
    ASSERT_EQ_INT(name_index(method_names, NULL), -1);
}
