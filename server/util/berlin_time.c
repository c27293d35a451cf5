/* berlin_time.c — the EU summer-time rule for Germany. */
#include "util/berlin_time.h"

#include <stdio.h>

/* The last Sunday of a month with 31 days, at 01:00 UTC. */
static time_t last_sunday_0100(int year, int month)
{
    struct tm tm = {.tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = 31, .tm_hour = 1};
    time_t t = timegm(&tm);
    struct tm now;
    gmtime_r(&t, &now);
    return t - (time_t)now.tm_wday * 86400;
}

int berlin_offset_at(time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    int year = tm.tm_year + 1900;
    return t >= last_sunday_0100(year, 3) && t < last_sunday_0100(year, 10) ? 7200 : 3600;
}

time_t berlin_to_utc(int year, int month, int day, int hour, int minute, int second)
{
    struct tm tm = {.tm_year = year - 1900,
                    .tm_mon = month - 1,
                    .tm_mday = day,
                    .tm_hour = hour,
                    .tm_min = minute,
                    .tm_sec = second};
    time_t wall = timegm(&tm);
    if (berlin_offset_at(wall - 7200) == 7200)
        return wall - 7200;
    return wall - 3600;
}

void berlin_local(time_t t, struct tm *out)
{
    t += berlin_offset_at(t);
    gmtime_r(&t, out);
}

int berlin_local_of(const char *utc, struct tm *out)
{
    struct tm tm = {0};
    if (!utc || sscanf(utc, "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                       &tm.tm_min, &tm.tm_sec) != 6)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    berlin_local(timegm(&tm), out);
    return 0;
}
