/* log.h — logfmt lines on stderr, one per event. */
#ifndef FT_LOG_H
#define FT_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Sets the threshold from "debug", "info", "warn" or "error"; returns -1 for
 * another name. */
int log_set_level(const char *name);
int log_enabled(enum log_level level);
/* A free-text event: level=... msg="...". */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes a complete logfmt line (without time and level) as given. */
void log_line(enum log_level level, const char *fields);

#endif
