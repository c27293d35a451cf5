/* output.h — everything the CLI shows: messages on stderr, tables and JSON
 * on stdout, server problems (RFC 9457) explained, and the progress bar.
 *
 * People get tables and sentences; with --json, stdout carries only JSON
 * (the data, or the problem document of a failure) and the sentences stay
 * on stderr.
 */
#ifndef FT_CLI_OUTPUT_H
#define FT_CLI_OUTPUT_H

#include <cJSON.h>
#include <stddef.h>
#include <stdio.h>

#define OUT_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* "error: ..." on stderr. */
void out_error(const char *fmt, ...) OUT_PRINTF(1, 2);
/* "warning: ..." on stderr. */
void out_warn(const char *fmt, ...) OUT_PRINTF(1, 2);
/* A sentence for people on stderr, unless --quiet. */
void out_note(const char *fmt, ...) OUT_PRINTF(1, 2);
/* A sentence for people on stdout (the result of a command) unless --json. */
void out_say(const char *fmt, ...) OUT_PRINTF(1, 2);

/* Prints json (formatted) and a newline on stdout. Does not consume it. */
void out_json(const cJSON *json);

/* The exit code for an HTTP status (cli.h). */
int exit_for_status(long status);

/* Explains a failed response on stderr: the problem's detail and each
 * error's pointer and detail, and for 401 how to log in again. what names
 * the action ("sending the report"). With --json the problem document (or
 * a made-up one when the body is not JSON) also goes to stdout. Returns
 * exit_for_status(status). */
int out_problem(long status, const char *body, size_t len, const char *what);

/* The same without the JSON on stdout (for commands that print one JSON
 * document of their own at the end). */
int out_problem_text(long status, const char *body, size_t len, const char *what);

/* Explains a network failure (no HTTP response) the same way; returns
 * EXIT_NETWORK. */
int out_network_error(const char *server, const char *error, const char *what);

/* ---- tables ---- */

struct table;

/* A table with ncols columns; right[i] non-zero right-aligns column i
 * (numbers). The caller frees with table_free. */
struct table *table_new(int ncols, const char *const *headers, const int *right);
/* Adds a row; cells are copied, NULL shows as empty. */
void table_add(struct table *t, const char *const *cells);
/* The number of rows added. */
size_t table_rows(const struct table *t);
/* Prints header, rule and rows to f. */
void table_print(const struct table *t, FILE *f);
void table_free(struct table *t);

/* Text for a JSON value in a table cell into buf: strings as they are,
 * numbers without needless decimals, true/false as yes/no, null as "". */
const char *cell_text(const cJSON *v, char *buf, size_t n);

/* The strings of a JSON array joined by ", " into buf ("" for none), such
 * as an attachment's flags. */
const char *join_strings(const cJSON *arr, char *buf, size_t n);

/* A list as a table: which field of each item goes in which column. */
enum col_kind {
    COL_TEXT,    /* the value as it is */
    COL_NUM,     /* right-aligned number */
    COL_METRES,  /* right-aligned, two decimals */
    COL_PERCENT, /* a fraction shown as percent */
    COL_EUR,     /* cents shown as euros */
    COL_ADDRESS, /* street house_number, postcode city (field unused) */
};

struct column {
    const char *header;
    const char *field;
    enum col_kind kind;
};

/* Prints items (a JSON array of objects): with --json as JSON, else as a
 * table of cols, or empty_msg when there are none. */
void out_items(const cJSON *items, const struct column *cols, int ncols, const char *empty_msg);

/* ---- progress bar ---- */

struct progress {
    int enabled; /* stderr is a terminal, and neither --quiet nor --json */
    int drawn;
    int waiting; /* the upload is done; the answer is awaited */
    double last;
    long long last_now, last_total;
    double start;
    const char *label;
};

/* Prepares a bar labelled label (kept by pointer). It draws only when
 * stderr is a terminal and neither --quiet nor --json is given. */
void progress_init(struct progress *p, const char *label);
/* Redraws (at most ten times a second) for now of total bytes; total 0
 * when unknown. */
void progress_update(struct progress *p, long long now, long long total);
/* After an upload: says that the server is working on it. */
void progress_waiting(struct progress *p, long long sent);
/* Clears the bar's line. */
void progress_done(struct progress *p);

/* Human-readable size: "812 B", "3.4 MB". */
const char *human_bytes(double n, char *buf, size_t len);

#endif
