/* Minimal unit test framework for fibertrack.
 *
 *   #include "test.h"
 *
 *   TEST(parses_empty_string)
 *   {
 *       ASSERT_EQ_INT(parse(""), -1);
 *       ASSERT_STREQ(name(), "x");
 *   }
 *
 * TEST() registers the test through a constructor, so a new test
 * file needs no edits elsewhere: the Makefile links every .c file in tests/unit with
 * all server objects except server/main.o into $(BINDIR)/unit-tests.
 *
 * ASSERT_* stop the current test on failure (also from helper functions: they
 * longjmp back to the runner); EXPECT_* record the failure and continue.
 * Every test runs in a forked child by default, so a crash (or a sanitizer
 * report) fails that test only. The runner ends with one line
 * "N passed, N failed". Run `unit-tests -h` for options.
 */
#ifndef FT_UNIT_TEST_H
#define FT_UNIT_TEST_H

#include <stddef.h>

struct unit_test {
    const char *name;
    const char *file;
    void (*fn)(void);
    struct unit_test *next;
};

void unit_register(struct unit_test *t);

/* Records a failure; if fatal, leaves the current test (longjmp). */
void unit_fail(int fatal, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Leaves the current test (longjmp back to the runner). */
void unit_leave(void) __attribute__((noreturn));

/* Comparison helpers behind the macros; return 1 if the check passed. */
int unit_check_int(int fatal, const char *file, int line, const char *expr, long long a,
                   long long b, const char *op);
int unit_check_uint(int fatal, const char *file, int line, const char *expr, unsigned long long a,
                    unsigned long long b, const char *op);
int unit_check_dbl(int fatal, const char *file, int line, const char *expr, double a, double b,
                   double eps);
int unit_check_str(int fatal, const char *file, int line, const char *expr, const char *a,
                   const char *b, int want_equal);
int unit_check_mem(int fatal, const char *file, int line, const char *expr, const void *a,
                   const void *b, size_t n);

/* For testing the framework itself: runs fn in-process with output
 * suppressed and returns how many failures it recorded (0 = it passed). */
int unit_run_capture(void (*fn)(void));

#define TEST(tname)                                                                                \
    static void unit_fn_##tname(void);                                                             \
    static struct unit_test unit_t_##tname = {#tname, __FILE__, unit_fn_##tname, NULL};            \
    __attribute__((constructor)) static void unit_reg_##tname(void)                                \
    {                                                                                              \
        unit_register(&unit_t_##tname);                                                            \
    }                                                                                              \
    static void unit_fn_##tname(void)

/* A failed ASSERT_* ends the test. unit_fail and the check helpers already
 * leave by longjmp; the unit_leave() after them never runs, but it shows
 * the compiler and cppcheck that no code after a failed ASSERT does (a
 * pointer that passed ASSERT_NOT_NULL is not NULL below it). */
#define UNIT_ASSERT_(check)                                                                        \
    do {                                                                                           \
        if (!(check))                                                                              \
            unit_leave();                                                                          \
    } while (0)

#define UNIT_CHECK_(fatal, cond, text)                                                             \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            unit_fail(fatal, __FILE__, __LINE__, "%s", text);                                      \
            if (fatal)                                                                             \
                unit_leave();                                                                      \
        }                                                                                          \
    } while (0)

#define ASSERT(cond) UNIT_CHECK_(1, cond, "ASSERT(" #cond ")")
#define ASSERT_TRUE(cond) UNIT_CHECK_(1, cond, "ASSERT_TRUE(" #cond ")")
#define ASSERT_FALSE(cond) UNIT_CHECK_(1, !(cond), "ASSERT_FALSE(" #cond ")")
#define ASSERT_NULL(p) UNIT_CHECK_(1, (p) == NULL, "ASSERT_NULL(" #p ")")
#define ASSERT_NOT_NULL(p) UNIT_CHECK_(1, (p) != NULL, "ASSERT_NOT_NULL(" #p ")")
#define FAIL(...)                                                                                  \
    do {                                                                                           \
        unit_fail(1, __FILE__, __LINE__, __VA_ARGS__);                                             \
        unit_leave();                                                                              \
    } while (0)

#define UNIT_INT_(f, a, b, op)                                                                     \
    unit_check_int(f, __FILE__, __LINE__, #a " " op " " #b, (long long)(a), (long long)(b), op)
#define UNIT_UINT_(f, a, b, op)                                                                    \
    unit_check_uint(f, __FILE__, __LINE__, #a " " op " " #b, (unsigned long long)(a),              \
                    (unsigned long long)(b), op)

#define ASSERT_EQ_INT(a, b) UNIT_ASSERT_(UNIT_INT_(1, a, b, "=="))
#define ASSERT_NE_INT(a, b) UNIT_ASSERT_(UNIT_INT_(1, a, b, "!="))
#define ASSERT_LT_INT(a, b) UNIT_ASSERT_(UNIT_INT_(1, a, b, "<"))
#define ASSERT_LE_INT(a, b) UNIT_ASSERT_(UNIT_INT_(1, a, b, "<="))
#define ASSERT_GT_INT(a, b) UNIT_ASSERT_(UNIT_INT_(1, a, b, ">"))
#define ASSERT_GE_INT(a, b) UNIT_ASSERT_(UNIT_INT_(1, a, b, ">="))
#define ASSERT_EQ_UINT(a, b) UNIT_ASSERT_(UNIT_UINT_(1, a, b, "=="))
#define ASSERT_NE_UINT(a, b) UNIT_ASSERT_(UNIT_UINT_(1, a, b, "!="))
#define ASSERT_EQ(a, b) ASSERT_EQ_INT(a, b)
#define ASSERT_NE(a, b) ASSERT_NE_INT(a, b)
#define ASSERT_NEAR(a, b, eps)                                                                     \
    UNIT_ASSERT_(                                                                                  \
        unit_check_dbl(1, __FILE__, __LINE__, "ASSERT_NEAR(" #a ", " #b ", " #eps ")", a, b, eps))
#define ASSERT_STREQ(a, b)                                                                         \
    UNIT_ASSERT_(unit_check_str(1, __FILE__, __LINE__, #a " == " #b, a, b, 1))
#define ASSERT_STRNE(a, b)                                                                         \
    UNIT_ASSERT_(unit_check_str(1, __FILE__, __LINE__, #a " != " #b, a, b, 0))
#define ASSERT_MEMEQ(a, b, n)                                                                      \
    UNIT_ASSERT_(unit_check_mem(1, __FILE__, __LINE__, "memeq(" #a ", " #b ")", a, b, n))

#define EXPECT(cond) UNIT_CHECK_(0, cond, "EXPECT(" #cond ")")
#define EXPECT_TRUE(cond) UNIT_CHECK_(0, cond, "EXPECT_TRUE(" #cond ")")
#define EXPECT_FALSE(cond) UNIT_CHECK_(0, !(cond), "EXPECT_FALSE(" #cond ")")
#define EXPECT_EQ_INT(a, b) UNIT_INT_(0, a, b, "==")
#define EXPECT_NE_INT(a, b) UNIT_INT_(0, a, b, "!=")
#define EXPECT_EQ_UINT(a, b) UNIT_UINT_(0, a, b, "==")
#define EXPECT_NEAR(a, b, eps)                                                                     \
    unit_check_dbl(0, __FILE__, __LINE__, "EXPECT_NEAR(" #a ", " #b ", " #eps ")", a, b, eps)
#define EXPECT_STREQ(a, b) unit_check_str(0, __FILE__, __LINE__, #a " == " #b, a, b, 1)
#define EXPECT_STRNE(a, b) unit_check_str(0, __FILE__, __LINE__, #a " != " #b, a, b, 0)

#endif
