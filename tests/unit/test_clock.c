/* Unit tests for server/util/clock.h. */
#include "test.h"

#include <string.h>
#include <time.h>

#include "domain/validate.h"
#include "util/clock.h"

TEST(clock_utc_date_is_a_date_and_moves_by_days)
{
    char today[11], tomorrow[11], yesterday[11], want[11];
    clock_utc_date(today, 0);
    clock_utc_date(tomorrow, 1);
    clock_utc_date(yesterday, -1);
    ASSERT(valid_date(today));
    ASSERT(strcmp(yesterday, today) < 0);
    ASSERT(strcmp(today, tomorrow) < 0);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(want, sizeof(want), "%Y-%m-%d", &tm);
    ASSERT_STREQ(today, want);
}

TEST(clock_mono_does_not_go_back)
{
    double a = clock_mono();
    double b = clock_mono();
    ASSERT(b >= a);
    ASSERT(a > 0);
}
