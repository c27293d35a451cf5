/* clock.c — monotonic seconds and UTC dates. */
#include "util/clock.h"

#include <time.h>

double clock_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void clock_utc_date(char out[11], int days)
{
    time_t now = time(NULL) + (time_t)days * 86400;
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}
