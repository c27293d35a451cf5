/* report_util.c — pure helpers of the workbook writers. */
#include "reports/report_util.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "domain/summary.h"

/* Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian). */
static long days_from_civil(long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long)doe - 719468;
}

static void civil_from_days(long z, long *y, unsigned *m, unsigned *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (long)yoe + era * 400 + (*m <= 2);
}

static int digits(const char *s, int n, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return 0;
}

int rpt_date_days(const char *date, long *days)
{
    unsigned y, m, d;
    if (!date || strlen(date) != 10 || date[4] != '-' || date[7] != '-' || digits(date, 4, &y) ||
        digits(date + 5, 2, &m) || digits(date + 8, 2, &d))
        return -1;
    static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && leap))
        return -1;
    *days = days_from_civil((long)y, m, d);
    return 0;
}

void rpt_days_date(long days, char out[11])
{
    long y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999)
        y = m = d = 0;
    snprintf(out, 11, "%04d-%02d-%02d", (int)y, (int)(m % 100), (int)(d % 100));
}

int rpt_weekday(long days)
{
    /* 1970-01-01 was a Thursday (3). */
    long w = (days + 3) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

void rpt_iso_week(long days, char out[12])
{
    /* The ISO year is the year of the week's Thursday. */
    long thursday = days - rpt_weekday(days) + 3;
    long y;
    unsigned m, d;
    civil_from_days(thursday, &y, &m, &d);
    long jan1 = days_from_civil(y, 1, 1);
    long week = (thursday - jan1) / 7 + 1;
    if (y < 0 || y > 9999 || week < 1 || week > 53) {
        y = 0;
        week = 0;
    }
    snprintf(out, 12, "%04d-W%02d", (int)y, (int)week);
}

int rpt_weeks_init(struct rpt_weeks *w, const char *first, const char *last)
{
    long f, l;
    if (rpt_date_days(first, &f) || rpt_date_days(last, &l))
        return -1;
    if (f > l)
        f = l;
    long m0 = f - rpt_weekday(f);
    long ml = l - rpt_weekday(l);
    long n = (ml - m0) / 7 + 1;
    if (n > RPT_MAX_WEEKS) {
        m0 = ml - (long)(RPT_MAX_WEEKS - 1) * 7;
        n = RPT_MAX_WEEKS;
    }
    w->monday0 = m0;
    w->last = l;
    w->n = (size_t)n;
    return 0;
}

long rpt_weeks_index(const struct rpt_weeks *w, const char *date)
{
    long d;
    if (rpt_date_days(date, &d))
        return -1;
    if (d < w->monday0)
        return 0;
    long i = (d - w->monday0) / 7;
    return i >= (long)w->n ? (long)w->n - 1 : i;
}

long rpt_weeks_start(const struct rpt_weeks *w, size_t i) { return w->monday0 + (long)i * 7; }

long rpt_weeks_end(const struct rpt_weeks *w, size_t i)
{
    long end = rpt_weeks_start(w, i) + 6;
    return end > w->last ? w->last : end;
}

int rpt_plan_add(const struct rpt_weeks *w, double *plan, const char *start, const char *end,
                 double metres)
{
    long s, e;
    if (rpt_date_days(start, &s) || rpt_date_days(end, &e) || e < s)
        return -1;
    double days = (double)(e - s + 1);
    for (size_t i = 0; i < w->n; i++) {
        long d = rpt_weeks_end(w, i);
        if (d < s)
            continue;
        plan[i] += d >= e ? metres : metres * (double)(d - s + 1) / days;
    }
    return 0;
}

void rpt_date_text(const char *ymd, int german, char out[11])
{
    long d;
    if (!ymd || rpt_date_days(ymd, &d)) {
        out[0] = '\0';
        return;
    }
    if (german)
        snprintf(out, 11, "%.2s.%.2s.%.4s", ymd + 8, ymd + 5, ymd);
    else
        snprintf(out, 11, "%.10s", ymd);
}

void rpt_tm_date(const struct tm *tm, char out[11])
{
    char buf[48];
    snprintf(buf, sizeof(buf), "%04d-%02d-%02d", tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday);
    snprintf(out, 11, "%.10s", buf);
}

int rpt_period_open(const char *to, const char *today) { return strcmp(to, today) >= 0; }

const char *rpt_clip(const char *s, char *buf)
{
    static const char ellipsis[] = "\xe2\x80\xa6"; /* … */
    size_t len = strlen(s);
    if (len <= RPT_CELL_MAX)
        return s;
    size_t keep = RPT_CELL_MAX - (sizeof(ellipsis) - 1);
    /* Step back over continuation bytes to a character boundary. */
    while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80)
        keep--;
    memcpy(buf, s, keep);
    memcpy(buf + keep, ellipsis, sizeof(ellipsis));
    return buf;
}

size_t rpt_text_width(const char *s)
{
    size_t best = 0, cur = 0;
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
        if (*p == '\n') {
            cur = 0;
            continue;
        }
        if ((*p & 0xC0) != 0x80)
            cur++;
        if (cur > best)
            best = cur;
    }
    return best;
}

void rpt_filename_part(const char *s, char *out, size_t n)
{
    size_t j = 0;
    if (n == 0)
        return;
    for (const char *p = s ? s : ""; *p && j + 1 < n; p++) {
        char c = *p;
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || (c == '.' && j > 0);
        if (((unsigned char)c & 0xC0) == 0x80)
            continue; /* one '_' for a multi-byte character */
        out[j++] = ok ? c : '_';
    }
    out[j] = '\0';
    if (j == 0 && n > 1)
        snprintf(out, n, "project");
}

int rpt_milestone_variance(const char *as_of, const char *planned, const char *forecast,
                           const char *actual, long *days)
{
    long p, a, ref;
    if (rpt_date_days(planned, &p) || rpt_date_days(as_of, &a))
        return -1;
    enum milestone_state st = milestone_state_at(as_of, planned, forecast, actual);
    if (st == MS_DONE && rpt_date_days(actual, &ref) == 0) {
        *days = ref - p;
        return 0;
    }
    if (!forecast || rpt_date_days(forecast, &ref))
        ref = p;
    long v = ref - p;
    if (st == MS_LATE && a - p > v)
        v = a - p;
    *days = v;
    return 0;
}
