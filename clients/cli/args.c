/* args.c — global options and strict value parsers (see args.h). */
#include "args.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "output.h"

#define GLOBAL_OPTIONS_TEXT                                                                        \
    "Options for every command:\n"                                                                 \
    "      --server URL     the fibertrack server (default: the one of the last login;\n"          \
    "                       environment: FIBERTRACK_SERVER)\n"                                     \
    "      --project ID     a project id or code (default: the only one you see;\n"                \
    "                       environment: FIBERTRACK_PROJECT)\n"                                    \
    "      --json           machine-readable JSON on stdout\n"                                     \
    "  -q, --quiet          no progress bars, no retry notices\n"                                  \
    "  -v, --verbose        show each request on stderr\n"                                         \
    "      --retries N      attempts after the first on network trouble (default 5)\n"             \
    "      --timeout S      seconds per request (default 60; 0: no limit)\n"                       \
    "  -h, --help           this help\n"

const char global_options_only[] = GLOBAL_OPTIONS_TEXT;

const char global_options_help[] = GLOBAL_OPTIONS_TEXT
    "\n"
    "Exit codes: 0 ok, 1 other, 2 usage, 3 not logged in or not allowed, 4 invalid data,\n"
    "5 conflict, 6 not found, 7 no connection or server busy, 8 report kept in the queue\n"
    "(details: fibertrack --help).\n";

int args_global(int c, const char *arg)
{
    long v;
    switch (c) {
    case OPT_SERVER:
        g_cli.server = arg;
        return 1;
    case OPT_PROJECT:
        g_cli.project = arg;
        return 1;
    case OPT_JSON:
        g_cli.json = 1;
        return 1;
    case 'q':
        g_cli.quiet = 1;
        return 1;
    case 'v':
        g_cli.verbose = 1;
        return 1;
    case OPT_RETRIES:
        if (args_long(arg, 0, 100, &v) != 0) {
            out_error("--retries needs a number from 0 to 100, not '%s'", arg);
            return -1;
        }
        g_cli.retries = (int)v;
        return 1;
    case OPT_TIMEOUT:
        if (args_long(arg, 0, 86400, &v) != 0) {
            out_error("--timeout needs seconds from 0 to 86400, not '%s'", arg);
            return -1;
        }
        g_cli.timeout_s = v;
        return 1;
    default:
        return 0;
    }
}

int args_next(int argc, char **argv, const char *shortopts, const struct option *opts,
              const char *cmd)
{
    for (;;) {
        int c = getopt_long(argc, argv, shortopts, opts, NULL);
        if (c == -1)
            return -1;
        if (c == '?' || c == ':') {
            args_bad_option(cmd, argv);
            return '?';
        }
        int g = args_global(c, optarg);
        if (g < 0)
            return '?';
        if (g == 0)
            return c;
    }
}

int args_only_global(int argc, char **argv, const char *cmd, const char *help)
{
    static const struct option opts[] = {GLOBAL_LONG_OPTIONS, {NULL, 0, NULL, 0}};
    /* args_next consumes every global option, so only the end, the help
     * or an error can come back. */
    int c = args_next(argc, argv, GLOBAL_SHORT_OPTIONS, opts, cmd);
    if (c == -1)
        return ARGS_GO_ON;
    return c == 'h' ? args_help(stdout, help) : EXIT_USAGE;
}

int args_help(FILE *f, const char *help)
{
    fputs(help, f);
    fputs(global_options_help, f);
    return f == stdout ? EXIT_OK : EXIT_USAGE;
}

int args_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs("error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n  See: fibertrack %s%s--help\n", cmd ? cmd : "", cmd ? " " : "");
    return EXIT_USAGE;
}

int args_bad_option(const char *cmd, char **argv)
{
    const char *opt = argv[optind - 1];
    if (optopt && optopt < 256)
        return args_usage(cmd, "unknown option -%c, or it needs a value", optopt);
    return args_usage(cmd, "unknown option %s, or it needs a value", opt ? opt : "?");
}

int args_id(const char *s, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || errno || v <= 0 || v > (1LL << 53))
        return -1;
    *out = v;
    return 0;
}

int args_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int args_length(const char *s, double *out)
{
    char *end;
    errno = 0;
    /* A comma is what a German keyboard gives for decimals. */
    char buf[64];
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof(buf))
        return -1;
    memcpy(buf, s, n + 1);
    char *comma = strchr(buf, ',');
    if (comma)
        *comma = '.';
    double v = strtod(buf, &end);
    if (end == buf || *end || errno || !isfinite(v) || v < 0 || v > 1e6)
        return -1;
    *out = round(v * 100) / 100;
    return 0;
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

int args_date(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return -1;
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || m < 1 || m > 12 || d < 1)
        return -1;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int max = mdays[m - 1] + (m == 2 && leap);
    return d <= max ? 0 : -1;
}

void args_today(char *buf)
{
    /* The server refuses dates after its own today (UTC); just after local
     * midnight east of Greenwich the local date would be refused, so take
     * the earlier of the two. */
    time_t t = time(NULL);
    struct tm local, utc;
    char a[11], b[11];
    localtime_r(&t, &local);
    gmtime_r(&t, &utc);
    strftime(a, sizeof(a), "%Y-%m-%d", &local);
    strftime(b, sizeof(b), "%Y-%m-%d", &utc);
    memcpy(buf, strcmp(a, b) <= 0 ? a : b, 11);
}
