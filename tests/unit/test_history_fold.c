/* Unit tests for server/domain/history_fold.h: the as-of figures folded
 * from history rows in C must be what the window queries they replaced
 * gave (last row by recorded_at then id, deletions, LAG deltas). */
#include "test.h"

#include <stdlib.h>
#include <string.h>

#include "domain/history_fold.h"

TEST(fold_time_orders_like_the_time)
{
    ASSERT_EQ_UINT(fold_time("2026-05-01 10:00:00.123"), 20260501100000123ULL);
    ASSERT_EQ_UINT(fold_time("2026-05-01 10:00:00"), 20260501100000000ULL);
    ASSERT_EQ_UINT(fold_time("2026-05-01 10:00:00.5"), 20260501100000500ULL);
    ASSERT_EQ_UINT(fold_time("2026-05-01 10:00:00.123456"), 20260501100000123ULL);
    ASSERT_TRUE(fold_time("2026-05-01 09:59:59.999") < fold_time("2026-05-01 10:00:00"));
}

TEST(fold_hundredths_is_exact)
{
    ASSERT_EQ_INT(fold_hundredths("120.45"), 12045);
    ASSERT_EQ_INT(fold_hundredths("7"), 700);
    ASSERT_EQ_INT(fold_hundredths("-12.3"), -1230);
    ASSERT_EQ_INT(fold_hundredths("0.00"), 0);
    ASSERT_EQ_INT(fold_hundredths(NULL), 0);
}

static struct seg_hist_row seg(long long segment, long long id, const char *at, long long lot,
                               long long planned, long long built, int status, int method,
                               int deleted)
{
    struct seg_hist_row r = {segment, id,     fold_time(at), lot,    planned,
                             built,   status, method,        deleted};
    return r;
}

TEST(seg_fold_takes_the_last_row_and_the_daily_changes)
{
    struct fold_names names = {0};
    int planned = fold_name(&names, "planned");
    int built = fold_name(&names, "built");
    int trench = fold_name(&names, "open_trench");
    int unknown = fold_name(&names, "unknown");
    ASSERT_EQ_INT(fold_name(&names, "planned"), planned);
    /* Out of order on purpose: the fold sorts by segment, time, id. */
    struct seg_hist_row rows[] = {
        /* Segment 1 on lot 7: planned 100 m, then 60 m built, then 100 m
         * built; the last two recorded at the same moment (id decides). */
        seg(1, 30, "2026-03-02 08:00:00.000", 7, 10000, 10000, built, trench, 0),
        seg(1, 10, "2026-03-01 09:00:00.000", 7, 10000, 0, planned, trench, 0),
        seg(1, 20, "2026-03-02 08:00:00.000", 7, 10000, 6000, planned, trench, 0),
        /* Segment 2 on no lot, without a method, deleted on 3 March: it
         * counts nowhere but its metres leave the daily changes. */
        seg(2, 11, "2026-03-01 10:00:00.000", 0, 5050, 0, planned, unknown, 0),
        seg(2, 40, "2026-03-03 12:00:00.000", 0, 5050, 0, planned, unknown, 1),
        /* Segment 3 on lot 5, planned. */
        seg(3, 12, "2026-03-01 11:00:00.000", 5, 2525, 0, planned, unknown, 0),
    };
    struct seg_fold f;
    ASSERT_EQ_INT(seg_fold(rows, sizeof(rows) / sizeof(rows[0]), &names, 2, &f), 0);

    /* By status, then method text: built/open_trench, planned/unknown. */
    ASSERT_EQ_INT(f.ngroups, 2);
    ASSERT_STREQ(f.groups[0].status, "built");
    ASSERT_STREQ(f.groups[0].method, "open_trench");
    ASSERT_EQ_INT(f.groups[0].count, 1);
    ASSERT_EQ_INT(f.groups[0].planned, 10000);
    ASSERT_EQ_INT(f.groups[0].built, 10000);
    ASSERT_STREQ(f.groups[1].status, "planned");
    ASSERT_STREQ(f.groups[1].method, "unknown");
    ASSERT_EQ_INT(f.groups[1].count, 1);
    ASSERT_EQ_INT(f.groups[1].planned, 2525);

    /* By lot id; the deleted segment's "no lot" is gone. */
    ASSERT_EQ_INT(f.nlots, 2);
    ASSERT_EQ_INT(f.lots[0].lot_id, 5);
    ASSERT_EQ_INT(f.lots[0].planned, 2525);
    ASSERT_EQ_INT(f.lots[1].lot_id, 7);
    ASSERT_EQ_INT(f.lots[1].built, 10000);

    /* By day and lot: 1 March lots 0, 5, 7; 2 March lot 7 (both rows);
     * 3 March lot 0 (the deletion). */
    ASSERT_EQ_INT(f.ndays, 5);
    ASSERT_EQ_INT(f.days[0].date, 20260301);
    ASSERT_EQ_INT(f.days[0].lot_id, 0);
    ASSERT_EQ_INT(f.days[0].planned, 5050);
    ASSERT_EQ_INT(f.days[1].lot_id, 5);
    ASSERT_EQ_INT(f.days[2].lot_id, 7);
    ASSERT_EQ_INT(f.days[2].planned, 10000);
    ASSERT_EQ_INT(f.days[2].built, 0);
    ASSERT_EQ_INT(f.days[3].date, 20260302);
    ASSERT_EQ_INT(f.days[3].lot_id, 7);
    ASSERT_EQ_INT(f.days[3].planned, 0);
    ASSERT_EQ_INT(f.days[3].built, 10000);
    ASSERT_EQ_INT(f.days[4].date, 20260303);
    ASSERT_EQ_INT(f.days[4].planned, -5050);
    ASSERT_EQ_INT(f.days[4].built, 0);

    /* Chunks of two segments: 1-2, then 3. */
    ASSERT_EQ_INT(f.bounds.n, 2);
    ASSERT_EQ_INT(f.bounds.last[0], 2);
    ASSERT_EQ_INT(f.bounds.last[1], 3);

    f.names = names; /* the fold frees them */
    seg_fold_free(&f);
}

TEST(seg_fold_of_nothing_is_empty)
{
    struct fold_names names = {0};
    struct seg_fold f;
    ASSERT_EQ_INT(seg_fold(NULL, 0, &names, 2, &f), 0);
    ASSERT_EQ_INT(f.ngroups, 0);
    ASSERT_EQ_INT(f.nlots, 0);
    ASSERT_EQ_INT(f.ndays, 0);
    ASSERT_EQ_INT(f.bounds.n, 0);
    seg_fold_free(&f);
}

TEST(prem_fold_counts_the_last_row_of_each_premise)
{
    struct fold_names names = {0};
    int planned = fold_name(&names, "planned");
    int passed = fold_name(&names, "passed");
    struct prem_hist_row rows[] = {
        {2, 21, fold_time("2026-04-01 00:00:00"), passed, 1, 0},
        {1, 10, fold_time("2026-03-01 00:00:00"), planned, 1, 0},
        {2, 11, fold_time("2026-03-01 00:00:00"), planned, 1, 0},
        {3, 12, fold_time("2026-03-01 00:00:00"), planned, 0, 0},
        {3, 30, fold_time("2026-05-01 00:00:00"), planned, 0, 1}, /* deleted */
        {4, 13, fold_time("2026-03-01 00:00:00"), planned, 0, 0},
    };
    struct prem_group *g;
    size_t n;
    struct fold_bounds b;
    ASSERT_EQ_INT(prem_fold(rows, sizeof(rows) / sizeof(rows[0]), &names, 3, &g, &n, &b), 0);
    long long planned_white = 0, planned_other = 0, passed_white = 0, total = 0;
    for (size_t i = 0; i < n; i++) {
        total += g[i].count;
        if (strcmp(g[i].status, "planned") == 0)
            *(g[i].white_spot ? &planned_white : &planned_other) += g[i].count;
        else if (strcmp(g[i].status, "passed") == 0 && g[i].white_spot)
            passed_white += g[i].count;
    }
    ASSERT_EQ_INT(total, 3);
    ASSERT_EQ_INT(planned_white, 1);
    ASSERT_EQ_INT(planned_other, 1);
    ASSERT_EQ_INT(passed_white, 1);
    /* Every third premise with rows ends a chunk, and the last one. */
    ASSERT_EQ_INT(b.n, 2);
    ASSERT_EQ_INT(b.last[0], 3);
    ASSERT_EQ_INT(b.last[1], 4);
    fold_bounds_free(&b);
    free(g);
    fold_names_free(&names);
}
