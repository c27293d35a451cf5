/* finance.h — what the finance commands (invoices, budget, drawdowns,
 * notes; SPEC 12) share: option values in euros and dates, tables with
 * amounts and a totals row, and writes that are safe to retry.
 *
 * Every write is safe to send again after a lost answer: a POST carries an
 * Idempotency-Key, a PATCH or DELETE the If-Match of a fresh GET (so a
 * change made by someone else in between is refused, not overwritten). A
 * refusal names the command's options (--net), not the API's fields
 * (/net_cents), unless --json asks for the server's problem document.
 */
#ifndef FT_CLI_FINANCE_H
#define FT_CLI_FINANCE_H

#include <cJSON.h>
#include <stddef.h>

#include "api.h"

/* ---- option values ---- */

/* The invoice (and budget line) categories, NULL-terminated. */
extern const char *const fin_categories[];

/* Each returns 0 with the value, or EXIT_USAGE after a message naming cmd
 * and the option opt. */
int fin_amount(const char *cmd, const char *opt, const char *s, long long *cents);
int fin_date(const char *cmd, const char *opt, const char *s, char iso[11]);
/* s must be one of words (NULL-terminated); what names them ("category"). */
int fin_word(const char *cmd, const char *what, const char *s, const char *const *words);
/* Reads text from file (at most max bytes; "-": stdin) into a string the
 * caller frees; NULL after a message. */
char *fin_read_text(const char *file, size_t max);

/* ---- queries ---- */

struct fin_query {
    char buf[2048];
    size_t len;
    int overflow;
};

/* Appends name=value (escaped) to q, or name=id. */
void fin_q_add(struct fin_query *q, const char *name, const char *value);
void fin_q_id(struct fin_query *q, const char *name, long long id);

/* ---- output ---- */

enum fin_kind {
    FIN_TEXT,  /* the value as it is */
    FIN_NUM,   /* right-aligned number */
    FIN_EUR,   /* cents as euros (money.h), right-aligned, summed in the totals row */
    FIN_EUR1,  /* the same, not summed */
    FIN_DAY,   /* the date of a date or a timestamp (YYYY-MM-DD) */
    FIN_LINES, /* text that may have several lines (shown in full by fin_print) */
};

struct fin_col {
    const char *header; /* of the column; the label in fin_print */
    const char *field;
    enum fin_kind kind;
};

/* Prints items (a JSON array of objects): with --json as JSON, else as a
 * table of cols followed, when total_label is not NULL, by a totals row
 * (total_label in the first column, the sums of the FIN_EUR columns); or
 * empty_msg when there are none. */
void fin_table(const cJSON *items, const struct fin_col *cols, int ncols, const char *total_label,
               const char *empty_msg);

/* Prints one object: with --json as JSON, else as "label  value" lines. */
void fin_print(const cJSON *obj, const struct fin_col *fields, int n);

/* Sorts the items of arr with cmp. */
void fin_sort(cJSON *arr, int (*cmp)(const cJSON *a, const cJSON *b));

/* Helpers for reading fields: "" / 0 when missing. */
const char *fin_str(const cJSON *o, const char *field);
long long fin_num(const cJSON *o, const char *field);

/* ---- list commands ---- */

/* A list of the project's objects: where they are, how they are shown. */
struct fin_listing {
    const char *cmd;      /* the command, for messages ("drawdowns") */
    const char *resource; /* the collection under /api/v1 ("/drawdowns") */
    const char *what;     /* what a failure was doing ("listing drawdowns") */
    int (*order)(const cJSON *a, const cJSON *b);
    const struct fin_col *cols;
    int ncols;
    const char *total_label; /* NULL: no totals row */
    const char *empty_msg;
};

/* The rest of a list command once its options are read (with their
 * filters in q): an optional word "list", then the project's objects as a
 * table. Returns an exit code. */
int fin_list(int argc, char **argv, struct fin_query *q, const struct fin_listing *l);

/* ---- requests ---- */

/* Sends method to path (under /api/v1) with body (JSON; NULL: none),
 * with if_match (the ETag; NULL: none) and, for a POST, an
 * Idempotency-Key. *out (may be NULL) gets the answer's JSON, which the
 * caller frees (NULL for an empty answer). A failure is explained (see
 * above) and its exit code returned. */
int fin_send(struct api *a, const char *method, const char *path, const cJSON *body,
             const char *if_match, cJSON **out, const char *what);

/* Changes the object at path by the fields of patch: reads it fresh for
 * its ETag and sends only what differs from it, with If-Match. *out gets
 * the object as it is afterwards (the caller frees); *changed says
 * whether anything had to change. Returns an exit code. */
int fin_patch(struct api *a, const char *path, const cJSON *patch, cJSON **out, int *changed,
              const char *what);

/* Deletes the object at path with the If-Match of a fresh GET. Returns an
 * exit code. */
int fin_delete(struct api *a, const char *path, const char *what);

#endif
