/* Checks that the unit test framework itself works. */
#include "test.h"

#include <stdlib.h>
#include <string.h>

static int reached_after_assert;

static void failing_int(void)
{
    ASSERT_EQ_INT(1 + 1, 3);
    reached_after_assert = 1; /* must not run */
}

static void failing_str(void) { ASSERT_STREQ("abc", "abd"); }

static void failing_null(void)
{
    const char *p = "x";
    ASSERT_NULL(p);
}

static void failing_cond(void) { ASSERT(strlen("four") == 5); }

static void failing_near(void) { ASSERT_NEAR(0.1 + 0.2, 0.4, 1e-9); }

static void failing_mem(void) { ASSERT_MEMEQ("abcd", "abXd", 4); }

static void helper_that_asserts(int v) { ASSERT_GT_INT(v, 10); }

static void failing_in_helper(void)
{
    helper_that_asserts(3);
    reached_after_assert = 1; /* must not run: the helper's ASSERT leaves the test */
}

static void two_expects(void)
{
    EXPECT_EQ_INT(1, 2);
    EXPECT_STREQ("a", "b");
    reached_after_assert = 1; /* EXPECT continues */
}

static void passing(void)
{
    ASSERT(1);
    ASSERT_TRUE(2 > 1);
    ASSERT_FALSE(0);
    ASSERT_EQ_INT(-5, -5);
    ASSERT_NE_INT(1, 2);
    ASSERT_LT_INT(1, 2);
    ASSERT_LE_INT(2, 2);
    ASSERT_GE_INT(3, 2);
    ASSERT_EQ_UINT(18446744073709551615ULL, 18446744073709551615ULL);
    ASSERT_NEAR(0.1 + 0.2, 0.3, 1e-12);
    ASSERT_STREQ("abc", "abc");
    ASSERT_STRNE("abc", "abd");
    ASSERT_STREQ(NULL, NULL);
    ASSERT_STRNE("abc", NULL);
    ASSERT_MEMEQ("abcd", "abcd", 4);
    /* The framework's own check: a literal is compared with NULL on purpose. */
    // cppcheck-suppress literalWithCharPtrCompare
    ASSERT_NOT_NULL("x");
    ASSERT_NULL(NULL);
}

TEST(passing_asserts_pass) { ASSERT_EQ_INT(unit_run_capture(passing), 0); }

TEST(failing_asserts_fail_and_stop_the_test)
{
    reached_after_assert = 0;
    ASSERT_EQ_INT(unit_run_capture(failing_int), 1);
    ASSERT_EQ_INT(reached_after_assert, 0);
    ASSERT_EQ_INT(unit_run_capture(failing_str), 1);
    ASSERT_EQ_INT(unit_run_capture(failing_null), 1);
    ASSERT_EQ_INT(unit_run_capture(failing_cond), 1);
    ASSERT_EQ_INT(unit_run_capture(failing_near), 1);
    ASSERT_EQ_INT(unit_run_capture(failing_mem), 1);
}

TEST(assert_in_helper_leaves_the_test)
{
    reached_after_assert = 0;
    ASSERT_EQ_INT(unit_run_capture(failing_in_helper), 1);
    ASSERT_EQ_INT(reached_after_assert, 0);
}

TEST(expect_records_and_continues)
{
    reached_after_assert = 0;
    ASSERT_EQ_INT(unit_run_capture(two_expects), 2);
    ASSERT_EQ_INT(reached_after_assert, 1);
}

TEST(tests_run_isolated)
{
    /* each test runs in its own child (unless -n), so heap use is fine here */
    char *p = malloc(16);
    ASSERT_NOT_NULL(p);
    strcpy(p, "isolated");
    ASSERT_STREQ(p, "isolated");
    free(p);
}
