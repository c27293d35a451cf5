/* args.c — global options and strict value parsers (see args.h). */
#include "args.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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
            args_bad_option(cmd, argv, opts);
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

int args_close(size_t len, size_t d)
{
    size_t limit = len <= 4 ? 1 : len <= 8 ? 2 : 3;
    return d <= limit;
}

size_t args_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64)
        return n > m ? n : m;
    /* Three rows of the table are enough for neighbour swaps. */
    size_t rows[3][65];
    size_t *pp = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= m; j++)
        prev[j] = j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= m; j++) {
            int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
            size_t cost = ca != cb;
            size_t v = prev[j] + 1;
            if (cur[j - 1] + 1 < v)
                v = cur[j - 1] + 1;
            if (prev[j - 1] + cost < v)
                v = prev[j - 1] + cost;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && pp[j - 2] + 1 < v)
                v = pp[j - 2] + 1;
            cur[j] = v;
        }
        size_t *t = pp;
        pp = prev;
        prev = cur;
        cur = t;
    }
    return prev[m];
}

/* The closest of n words to word, or NULL when none is close. */
static const char *closest(const char *word, const char *const *words, size_t n)
{
    const char *best = NULL;
    size_t bd = (size_t)-1, len = strlen(word);
    for (size_t i = 0; i < n; i++) {
        size_t d = args_distance(word, words[i]);
        /* A word cut short ("segm") is as good as a typo. */
        if (len >= 3 && strncasecmp(words[i], word, len) == 0 && d > 1)
            d = 1;
        if (d < bd) {
            bd = d;
            best = words[i];
        }
    }
    return best && args_close(len, bd) ? best : NULL;
}

int args_unknown_word(const char *cmd, const char *what, const char *word, const char *const *words)
{
    size_t n = 0;
    while (words[n])
        n++;
    const char *best = closest(word, words, n);
    char all[1024];
    size_t k = 0;
    all[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(all + k, sizeof(all) - k, "%s%s", i ? ", " : "", words[i]);
        if (w < 0 || (size_t)w >= sizeof(all) - k)
            break;
        k += (size_t)w;
    }
    if (best)
        return args_usage(cmd, "unknown %s '%s' (did you mean %s?)", what, word, best);
    return args_usage(cmd, "unknown %s '%s' (one of: %s)", what, word, all);
}

int args_bad_option(const char *cmd, char **argv, const struct option *opts)
{
    const char *opt = argv[optind - 1];
    if (optopt && optopt < 256)
        return args_usage(cmd, "unknown option -%c, or it needs a value", optopt);
    /* getopt_long sets optopt to the value of a long option that lacks its
     * argument. */
    for (const struct option *o = opts; optopt && o && o->name; o++)
        if (o->val == optopt)
            return args_usage(cmd, "option --%s needs a value", o->name);
    if (!opt || strncmp(opt, "--", 2) != 0)
        return args_usage(cmd, "unknown option %s", opt ? opt : "?");
    char name[128];
    snprintf(name, sizeof(name), "%.*s", (int)strcspn(opt + 2, "="), opt + 2);
    const char *names[256];
    size_t n = 0;
    for (const struct option *o = opts; o && o->name && n < 256; o++)
        names[n++] = o->name;
    const char *best = closest(name, names, n);
    if (best)
        return args_usage(cmd, "unknown option %s (did you mean --%s?)", opt, best);
    return args_usage(cmd, "unknown option %s", opt);
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

/* n digits at s as a number, or -1 when one is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* One or two digits followed by a dot; advances *s past the dot. */
static int dotted_part(const char **s)
{
    const char *p = *s;
    size_t n = strspn(p, "0123456789");
    if (n < 1 || n > 2 || p[n] != '.')
        return -1;
    *s = p + n + 1;
    return digits(p, (int)n);
}

int args_date(const char *s, char *iso)
{
    int y, m, d;
    if (strlen(s) == 10 && s[4] == '-' && s[7] == '-') {
        y = digits(s, 4);
        m = digits(s + 5, 2);
        d = digits(s + 8, 2);
    } else {
        const char *p = s;
        d = dotted_part(&p);
        m = d < 0 ? -1 : dotted_part(&p);
        y = strlen(p) == 4 ? digits(p, 4) : -1;
    }
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || m < 1 || m > 12 || d < 1)
        return -1;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int max = mdays[m - 1] + (m == 2 && leap);
    if (d > max)
        return -1;
    if (iso) {
        /* y, m and d are in range by now; the room is for the compiler. */
        char buf[40];
        snprintf(buf, sizeof(buf), "%04d-%02d-%02d", y, m, d);
        memcpy(iso, buf, 11);
    }
    return 0;
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
