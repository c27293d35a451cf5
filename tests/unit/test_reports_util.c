/* Unit tests for reports/report_util.h: calendar arithmetic, week buckets,
 * text clipping, widths, file names and milestone variance. */
#include "test.h"

#include <stdlib.h>
#include <string.h>

#include "reports/report_util.h"

static long day(const char *s)
{
    long d = 0;
    ASSERT_EQ_INT(rpt_date_days(s, &d), 0);
    return d;
}

TEST(reports_date_days_round_trip)
{
    ASSERT_EQ_INT(day("1970-01-01"), 0);
    ASSERT_EQ_INT(day("1970-01-02"), 1);
    ASSERT_EQ_INT(day("1969-12-31"), -1);
    ASSERT_EQ_INT(day("2000-03-01") - day("2000-02-28"), 2); /* 2000 is a leap year */
    ASSERT_EQ_INT(day("1900-03-01") - day("1900-02-28"), 1); /* 1900 is not */
    ASSERT_EQ_INT(day("2027-01-01") - day("2026-01-01"), 365);
    char buf[11];
    static const char *const dates[] = {"2026-03-01", "2024-02-29", "1999-12-31", "2026-12-31",
                                        "1900-01-01"};
    for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
        rpt_days_date(day(dates[i]), buf);
        ASSERT_STREQ(buf, dates[i]);
    }
}

TEST(reports_date_days_rejects_invalid)
{
    long d;
    static const char *const bad[] = {
        "",           "2026-1-01", "2026-13-01",  "2026-02-29", "2026-04-31", "2026-00-10",
        "2026-01-00", "20260101",  "2026-01-01x", "abcd-ef-gh", "2026/01/01"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ASSERT_EQ_INT(rpt_date_days(bad[i], &d), -1);
    ASSERT_EQ_INT(rpt_date_days(NULL, &d), -1);
}

TEST(reports_weekday_and_iso_week)
{
    ASSERT_EQ_INT(rpt_weekday(day("2026-11-23")), 0); /* a Monday */
    ASSERT_EQ_INT(rpt_weekday(day("2026-11-26")), 3); /* a Thursday */
    ASSERT_EQ_INT(rpt_weekday(day("2026-03-01")), 6); /* a Sunday */
    ASSERT_EQ_INT(rpt_weekday(day("1969-12-29")), 0); /* before the epoch */
    char w[12];
    rpt_iso_week(day("2026-03-01"), w);
    ASSERT_STREQ(w, "2026-W09");
    rpt_iso_week(day("2026-01-01"), w); /* a Thursday: week 1 of 2026 */
    ASSERT_STREQ(w, "2026-W01");
    rpt_iso_week(day("2027-01-01"), w); /* a Friday: the last week of 2026 */
    ASSERT_STREQ(w, "2026-W53");
    rpt_iso_week(day("2024-12-30"), w); /* a Monday in week 1 of 2025 */
    ASSERT_STREQ(w, "2025-W01");
}

TEST(reports_weeks_span_and_buckets)
{
    struct rpt_weeks w;
    /* 2026-03-01 is a Sunday: its week starts on 2026-02-23. */
    ASSERT_EQ_INT(rpt_weeks_init(&w, "2026-03-01", "2026-03-18"), 0);
    ASSERT_EQ_UINT(w.n, 4);
    char buf[11];
    rpt_days_date(rpt_weeks_start(&w, 0), buf);
    ASSERT_STREQ(buf, "2026-02-23");
    rpt_days_date(rpt_weeks_end(&w, 0), buf);
    ASSERT_STREQ(buf, "2026-03-01");
    /* The last week ends on the as-of date, a Wednesday. */
    rpt_days_date(rpt_weeks_end(&w, 3), buf);
    ASSERT_STREQ(buf, "2026-03-18");
    ASSERT_EQ_INT(rpt_weeks_index(&w, "2026-03-01"), 0);
    ASSERT_EQ_INT(rpt_weeks_index(&w, "2026-03-02"), 1);
    ASSERT_EQ_INT(rpt_weeks_index(&w, "2026-03-15"), 2);
    ASSERT_EQ_INT(rpt_weeks_index(&w, "2026-03-16"), 3);
    /* Before the first week: counted in it; after the last: in the last. */
    ASSERT_EQ_INT(rpt_weeks_index(&w, "2025-12-24"), 0);
    ASSERT_EQ_INT(rpt_weeks_index(&w, "2027-01-01"), 3);
    ASSERT_EQ_INT(rpt_weeks_index(&w, "nonsense"), -1);
}

TEST(reports_weeks_single_and_reversed)
{
    struct rpt_weeks w;
    ASSERT_EQ_INT(rpt_weeks_init(&w, "2026-11-26", "2026-11-26"), 0);
    ASSERT_EQ_UINT(w.n, 1);
    /* A start after the as-of date is the as-of date. */
    ASSERT_EQ_INT(rpt_weeks_init(&w, "2027-05-01", "2026-11-26"), 0);
    ASSERT_EQ_UINT(w.n, 1);
    char buf[11];
    rpt_days_date(rpt_weeks_end(&w, 0), buf);
    ASSERT_STREQ(buf, "2026-11-26");
    ASSERT_EQ_INT(rpt_weeks_init(&w, "bad", "2026-11-26"), -1);
}

TEST(reports_weeks_capped)
{
    struct rpt_weeks w;
    ASSERT_EQ_INT(rpt_weeks_init(&w, "1950-01-01", "2026-11-26"), 0);
    ASSERT_EQ_UINT(w.n, RPT_MAX_WEEKS);
    char buf[11];
    rpt_days_date(rpt_weeks_end(&w, w.n - 1), buf);
    ASSERT_STREQ(buf, "2026-11-26");
    ASSERT_EQ_INT(rpt_weeks_index(&w, "1950-06-01"), 0);
}

TEST(reports_clip_keeps_short_text)
{
    char *buf = malloc(RPT_CELL_MAX + 1);
    const char *s = "=HYPERLINK(\"http://x\")";
    ASSERT_TRUE(rpt_clip(s, buf) == s);
    free(buf);
}

TEST(reports_clip_cuts_long_text_with_ellipsis)
{
    char *buf = malloc(RPT_CELL_MAX + 1);
    char *s = malloc(40001);
    memset(s, 'x', 40000);
    s[40000] = '\0';
    const char *c = rpt_clip(s, buf);
    ASSERT_TRUE(c == buf);
    ASSERT_LE_INT(strlen(c), RPT_CELL_MAX);
    ASSERT_STREQ(c + strlen(c) - 3, "\xe2\x80\xa6");
    ASSERT_EQ_INT(strncmp(c, s, 1000), 0);
    /* Multi-byte text is cut at a character boundary. */
    for (size_t i = 0; i + 2 <= 40000; i += 2) {
        s[i] = (char)0xC3;
        s[i + 1] = (char)0xBC; /* ü */
    }
    c = rpt_clip(s, buf);
    size_t n = strlen(c);
    ASSERT_LE_INT(n, RPT_CELL_MAX);
    ASSERT_STREQ(c + n - 3, "\xe2\x80\xa6");
    ASSERT_EQ_INT((n - 3) % 2, 0);
    ASSERT_EQ_INT((unsigned char)c[n - 4], 0xBC);
    /* Exactly at the limit: unchanged. */
    memset(s, 'y', RPT_CELL_MAX);
    s[RPT_CELL_MAX] = '\0';
    ASSERT_TRUE(rpt_clip(s, buf) == s);
    free(s);
    free(buf);
}

TEST(reports_text_width_counts_characters)
{
    ASSERT_EQ_UINT(rpt_text_width(""), 0);
    ASSERT_EQ_UINT(rpt_text_width(NULL), 0);
    ASSERT_EQ_UINT(rpt_text_width("Straße"), 6);
    ASSERT_EQ_UINT(rpt_text_width("ab\nlonger line\nc"), 11);
    ASSERT_EQ_UINT(rpt_text_width("\xf0\x9f\x9a\xa7 Baustelle"), 11);
}

TEST(reports_filename_part_is_safe)
{
    char out[64];
    rpt_filename_part("WF-MUSTER-2026", out, sizeof(out));
    ASSERT_STREQ(out, "WF-MUSTER-2026");
    rpt_filename_part("a/b\\c\"d;e f", out, sizeof(out));
    ASSERT_STREQ(out, "a_b_c_d_e_f");
    rpt_filename_part("Süd", out, sizeof(out));
    ASSERT_STREQ(out, "S_d");
    rpt_filename_part("../etc", out, sizeof(out));
    ASSERT_STREQ(out, "_._etc");
    rpt_filename_part("", out, sizeof(out));
    ASSERT_STREQ(out, "project");
    rpt_filename_part("abcdefghij", out, 5);
    ASSERT_STREQ(out, "abcd");
}

TEST(reports_milestone_variance)
{
    long v = 99;
    /* Done: actual - planned. */
    ASSERT_EQ_INT(rpt_milestone_variance("2026-11-20", "2026-03-20", NULL, "2026-03-24", &v), 0);
    ASSERT_EQ_INT(v, 4);
    ASSERT_EQ_INT(rpt_milestone_variance("2026-11-20", "2026-02-15", NULL, "2026-02-12", &v), 0);
    ASSERT_EQ_INT(v, -3);
    /* Late without forecast: the days it is overdue. */
    ASSERT_EQ_INT(rpt_milestone_variance("2026-11-20", "2026-10-31", NULL, NULL, &v), 0);
    ASSERT_EQ_INT(v, 20);
    /* Late with a later forecast: the forecast's slip. */
    ASSERT_EQ_INT(rpt_milestone_variance("2026-11-20", "2026-10-31", "2026-12-15", NULL, &v), 0);
    ASSERT_EQ_INT(v, 45);
    /* At risk: forecast - planned. */
    ASSERT_EQ_INT(rpt_milestone_variance("2026-11-20", "2027-06-30", "2027-08-31", NULL, &v), 0);
    ASSERT_EQ_INT(v, 62);
    /* On track. */
    ASSERT_EQ_INT(rpt_milestone_variance("2026-11-20", "2026-12-15", NULL, NULL, &v), 0);
    ASSERT_EQ_INT(v, 0);
    /* An actual date after the as-of date does not count yet. */
    ASSERT_EQ_INT(rpt_milestone_variance("2026-11-20", "2026-10-31", NULL, "2026-11-25", &v), 0);
    ASSERT_EQ_INT(v, 20);
    ASSERT_EQ_INT(rpt_milestone_variance("2026-11-20", "garbage", NULL, NULL, &v), -1);
}
