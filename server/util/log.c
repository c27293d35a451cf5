/* log.c — logfmt output. stdio serialises whole fprintf calls between
 * threads, so each line is written with exactly one call. */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static enum log_level threshold = LOG_INFO;
static const char *names[] = {"debug", "info", "warn", "error"};

int log_set_level(const char *name)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(name, names[i]) == 0) {
            threshold = (enum log_level)i;
            return 0;
        }
    }
    return -1;
}

int log_enabled(enum log_level level) { return level >= threshold; }

static void now_rfc3339(char *buf, size_t size)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, size - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

void log_line(enum log_level level, const char *fields)
{
    if (!log_enabled(level))
        return;
    char ts[40];
    now_rfc3339(ts, sizeof(ts));
    fprintf(stderr, "time=%s level=%s %s\n", ts, names[level], fields);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    if (!log_enabled(level))
        return;
    char msg[1024], quoted[2100];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    size_t o = 0;
    quoted[o++] = '"';
    for (const char *c = msg; *c && o < sizeof(quoted) - 3; c++) {
        if (*c == '"' || *c == '\\')
            quoted[o++] = '\\';
        quoted[o++] = (*c == '\n') ? ' ' : *c;
    }
    quoted[o++] = '"';
    quoted[o] = '\0';
    char line[2200];
    snprintf(line, sizeof(line), "msg=%s", quoted);
    log_line(level, line);
}
