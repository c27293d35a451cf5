/* Runner for the unit tests registered with TEST() (see test.h).
 *
 *   unit-tests [-v] [-l] [-n] [-t SECONDS] [FILTER...]
 *
 * FILTERs are substrings matched against "file:name"; a test runs if any
 * matches (all tests when none is given). Ends with "N passed, N failed";
 * exit status 0 only if nothing failed.
 */
#include "test.h"

#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static struct unit_test *registered;
static size_t n_registered;

static jmp_buf *cur_jmp;
static const struct unit_test *cur_test;
static int cur_failures;
static int quiet;
/* exit status of a forked test that failed (and reported it); sanitizers use 1 and 23 */
#define FAILED_STATUS 99
/* global, so that LeakSanitizer in forked children sees it as reachable */
static struct unit_test **tests;

void unit_register(struct unit_test *t)
{
    t->next = registered;
    registered = t;
    n_registered++;
}

static void vreport(const char *file, int line, const char *fmt, va_list ap)
{
    if (quiet)
        return;
    fprintf(stdout, "FAIL  %s  %s:%d: ", cur_test ? cur_test->name : "?", file, line);
    vfprintf(stdout, fmt, ap);
    fputc('\n', stdout);
    fflush(stdout);
}

void unit_fail(int fatal, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(file, line, fmt, ap);
    va_end(ap);
    cur_failures++;
    if (fatal)
        unit_leave();
}

void unit_leave(void)
{
    if (!cur_jmp) {
        fprintf(stderr, "unit: fatal assertion outside of a test\n");
        abort();
    }
    longjmp(*cur_jmp, 1);
}

int unit_check_int(int fatal, const char *file, int line, const char *expr, long long a,
                   long long b, const char *op)
{
    int ok = strcmp(op, "==") == 0   ? a == b
             : strcmp(op, "!=") == 0 ? a != b
             : strcmp(op, "<") == 0  ? a < b
             : strcmp(op, "<=") == 0 ? a <= b
             : strcmp(op, ">") == 0  ? a > b
             : strcmp(op, ">=") == 0 ? a >= b
                                     : 0;
    if (!ok)
        unit_fail(fatal, file, line, "%s (got %lld and %lld)", expr, a, b);
    return ok;
}

int unit_check_uint(int fatal, const char *file, int line, const char *expr, unsigned long long a,
                    unsigned long long b, const char *op)
{
    int ok = strcmp(op, "==") == 0 ? a == b : strcmp(op, "!=") == 0 ? a != b : 0;
    if (!ok)
        unit_fail(fatal, file, line, "%s (got %llu and %llu)", expr, a, b);
    return ok;
}

int unit_check_dbl(int fatal, const char *file, int line, const char *expr, double a, double b,
                   double eps)
{
    int ok = fabs(a - b) <= eps;
    if (!ok)
        unit_fail(fatal, file, line, "%s (got %.17g and %.17g)", expr, a, b);
    return ok;
}

int unit_check_str(int fatal, const char *file, int line, const char *expr, const char *a,
                   const char *b, int want_equal)
{
    int equal = (a == NULL || b == NULL) ? a == b : strcmp(a, b) == 0;
    int ok = want_equal ? equal : !equal;
    if (!ok)
        unit_fail(fatal, file, line, "%s (got \"%s\" and \"%s\")", expr, a ? a : "(null)",
                  b ? b : "(null)");
    return ok;
}

int unit_check_mem(int fatal, const char *file, int line, const char *expr, const void *a,
                   const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    size_t i = 0;
    if (x && y)
        while (i < n && x[i] == y[i])
            i++;
    int ok = (x && y) ? i == n : x == y;
    if (!ok) {
        if (x && y)
            unit_fail(fatal, file, line, "%s: first difference at byte %zu (0x%02x vs 0x%02x)",
                      expr, i, x[i], y[i]);
        else
            unit_fail(fatal, file, line, "%s: NULL pointer", expr);
    }
    return ok;
}

/* Runs fn in this process; returns its number of failures. */
static int run_here(void (*fn)(void))
{
    jmp_buf jb;
    jmp_buf *saved_jmp = cur_jmp;
    int saved_failures = cur_failures;
    cur_failures = 0;
    cur_jmp = &jb;
    if (setjmp(jb) == 0)
        fn();
    int failures = cur_failures;
    cur_jmp = saved_jmp;
    cur_failures = saved_failures;
    return failures;
}

int unit_run_capture(void (*fn)(void))
{
    int saved_quiet = quiet;
    quiet = 1;
    int failures = run_here(fn);
    quiet = saved_quiet;
    return failures;
}

/* Runs one test in a child process; returns 1 if it passed. */
static int run_forked(const struct unit_test *t, unsigned timeout)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        perror("unit: fork");
        return 0;
    }
    if (pid == 0) {
        alarm(timeout);
        int failures = run_here(t->fn);
        fflush(stdout);
        exit(failures ? FAILED_STATUS : 0); /* exit(), not _exit(): LeakSanitizer runs at exit */
    }
    int st;
    while (waitpid(pid, &st, 0) < 0) {
        perror("unit: waitpid");
        return 0;
    }
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return 1;
    if (WIFEXITED(st) && WEXITSTATUS(st) == FAILED_STATUS)
        return 0; /* failures already reported by the child */
    if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM)
        printf("FAIL  %s  %s: timed out after %u s\n", t->name, t->file, timeout);
    else if (WIFSIGNALED(st))
        printf("FAIL  %s  %s: crashed with signal %d (%s)\n", t->name, t->file, WTERMSIG(st),
               strsignal(WTERMSIG(st)));
    else
        printf("FAIL  %s  %s: exited with status %d (sanitizer report above?)\n", t->name, t->file,
               WEXITSTATUS(st));
    return 0;
}

static int by_file(const void *a, const void *b)
{
    const struct unit_test *x = *(const struct unit_test *const *)a;
    const struct unit_test *y = *(const struct unit_test *const *)b;
    return strcmp(x->file, y->file);
}

static int selected(const struct unit_test *t, int nfilters, char **filters)
{
    if (nfilters == 0)
        return 1;
    char full[512];
    snprintf(full, sizeof full, "%s:%s", t->file, t->name);
    for (int i = 0; i < nfilters; i++)
        if (strstr(full, filters[i]))
            return 1;
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: unit-tests [-v] [-l] [-n] [-t SECONDS] [FILTER...]\n"
               "  -v  print every test, not only failures\n"
               "  -l  list the tests and exit\n"
               "  -n  run tests in this process (no fork; for gdb). Also UNIT_NOFORK=1\n"
               "  -t  per-test timeout in seconds (default 60, forked mode only)\n"
               "  FILTER  substring of \"file:name\"\n");
}

int main(int argc, char **argv)
{
    int verbose = 0, list = 0, nofork = getenv("UNIT_NOFORK") && *getenv("UNIT_NOFORK") == '1';
    unsigned timeout = 60;
    int opt;
    while ((opt = getopt(argc, argv, "vlnt:h")) != -1) {
        switch (opt) {
        case 'v':
            verbose = 1;
            break;
        case 'l':
            list = 1;
            break;
        case 'n':
            nofork = 1;
            break;
        case 't':
            timeout = (unsigned)strtoul(optarg, NULL, 10);
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0);

    /* registration order is reversed; sort by file, stable within a file */
    tests = calloc(n_registered ? n_registered : 1, sizeof *tests);
    if (!tests)
        return 2;
    size_t n = n_registered;
    struct unit_test *t = registered;
    for (size_t i = n; i-- > 0; t = t->next)
        tests[i] = t;
    for (size_t i = 1; i < n; i++) /* insertion sort: stable */
        for (size_t j = i; j > 0 && by_file(&tests[j - 1], &tests[j]) > 0; j--) {
            struct unit_test *tmp = tests[j];
            tests[j] = tests[j - 1];
            tests[j - 1] = tmp;
        }

    int nfilters = argc - optind;
    char **filters = argv + optind;
    int passed = 0, failed = 0, ran = 0;
    for (size_t i = 0; i < n; i++) {
        t = tests[i];
        if (!selected(t, nfilters, filters))
            continue;
        if (list) {
            printf("%s:%s\n", t->file, t->name);
            continue;
        }
        ran++;
        cur_test = t;
        int ok = nofork ? run_here(t->fn) == 0 : run_forked(t, timeout);
        cur_test = NULL;
        if (ok) {
            passed++;
            if (verbose)
                printf("ok    %s  %s\n", t->name, t->file);
        } else {
            failed++;
        }
    }
    free(tests);
    tests = NULL;
    if (list)
        return 0;
    if (ran == 0 && nfilters > 0)
        fprintf(stderr, "unit: no test matches the filter\n");
    printf("%d passed, %d failed\n", passed, failed);
    return failed || (ran == 0 && nfilters > 0) ? 1 : 0;
}
