/* berlin_time.h — Europe/Berlin local time, without touching TZ.
 *
 * glibc converts between zones only through the process-wide TZ setting,
 * which a threaded server cannot change per call. Germany's rule is fixed
 * by EU law since 1996 (CET, UTC+1; CEST, UTC+2, from the last Sunday of
 * March to the last Sunday of October, switching at 01:00 UTC), so it is
 * written out here; times before 1996 follow the same rule. */
#ifndef FT_BERLIN_TIME_H
#define FT_BERLIN_TIME_H

#include <time.h>

/* Seconds east of UTC in Germany at the instant t (3600 or 7200). */
int berlin_offset_at(time_t t);
/* The instant of a wall-clock time in Germany (fields as written, month
 * 1-12). The hour that occurs twice in October is read as summer time; a
 * time skipped in March as winter time. */
time_t berlin_to_utc(int year, int month, int day, int hour, int minute, int second);
/* The wall-clock time in Germany at the instant t. */
void berlin_local(time_t t, struct tm *out);
/* The same for a UTC time as the database writes it ("YYYY-MM-DD
 * HH:MM:SS"). Returns 0, or -1 when utc is NULL or not such a time. */
int berlin_local_of(const char *utc, struct tm *out);

#endif
