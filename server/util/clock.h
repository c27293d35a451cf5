/* clock.h — the two clocks the server reads: a monotonic one for
 * durations and deadlines, and the UTC calendar date. */
#ifndef FT_CLOCK_H
#define FT_CLOCK_H

/* Seconds on the monotonic clock (only differences mean anything). */
double clock_mono(void);
/* Today's date in UTC shifted by days, as YYYY-MM-DD into out. */
void clock_utc_date(char out[11], int days);

#endif
