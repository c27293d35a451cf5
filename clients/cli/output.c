/* output.c — messages, tables, JSON, problem details and the progress bar. */
#include "output.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "money.h"

#define CELL_MAX 48 /* display columns; longer cells are cut with "…" */

static void vmsg(FILE *f, const char *prefix, const char *fmt, va_list ap)
{
    fflush(stdout);
    fputs(prefix, f);
    vfprintf(f, fmt, ap);
    fputc('\n', f);
    fflush(f);
}

void out_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(stderr, "error: ", fmt, ap);
    va_end(ap);
}

void out_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(stderr, "warning: ", fmt, ap);
    va_end(ap);
}

void out_note(const char *fmt, ...)
{
    if (g_cli.quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    vmsg(stderr, "", fmt, ap);
    va_end(ap);
}

void out_say(const char *fmt, ...)
{
    if (g_cli.json)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
}

void out_json(const cJSON *json)
{
    char *text = cJSON_Print(json);
    if (text) {
        fputs(text, stdout);
        fputc('\n', stdout);
        free(text);
    }
    fflush(stdout);
}

int exit_for_status(long status)
{
    switch (status) {
    case 401:
    case 403:
        return EXIT_AUTH;
    case 400:
    case 413:
    case 415:
    case 422:
    case 428:
        return EXIT_INVALID;
    case 409:
    case 412:
        return EXIT_CONFLICT;
    case 404:
        return EXIT_NOT_FOUND;
    case 429:
    case 502:
    case 503:
    case 504:
        return EXIT_NETWORK;
    default:
        return (status >= 200 && status < 300) ? EXIT_OK : EXIT_OTHER;
    }
}

static const char *str_field(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

#define MAX_ERRORS_SHOWN 50

static int problem(long status, const char *body, size_t len, const char *what, int json)
{
    cJSON *p = body && len ? cJSON_ParseWithLength(body, len) : NULL;
    if (!cJSON_IsObject(p)) {
        cJSON_Delete(p);
        p = NULL;
    }
    const char *detail = p ? str_field(p, "detail") : NULL;
    const char *title = p ? str_field(p, "title") : NULL;
    const char *rid = p ? str_field(p, "request_id") : NULL;
    char fallback[64];
    if (!detail) {
        snprintf(fallback, sizeof(fallback), "the server answered HTTP %ld", status);
        detail = title ? title : fallback;
    }

    fflush(stdout);
    if (status == 401) {
        fprintf(stderr, "error: %s: not logged in, or the session has expired (%s)\n", what,
                detail);
        fprintf(stderr, "  Log in with: fibertrack login\n");
    } else if (status == 403) {
        fprintf(stderr, "error: %s: your account may not do this (%s)\n", what, detail);
    } else {
        fprintf(stderr, "error: %s: %s\n", what, detail);
    }
    const cJSON *errs = p ? cJSON_GetObjectItemCaseSensitive(p, "errors") : NULL;
    if (cJSON_IsArray(errs)) {
        int n = cJSON_GetArraySize(errs), shown = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, errs)
        {
            if (shown == MAX_ERRORS_SHOWN && !g_cli.verbose) {
                fprintf(stderr, "  ... and %d more (all of them with --json or --verbose)\n",
                        n - shown);
                break;
            }
            const char *ptr = str_field(e, "pointer");
            const char *d = str_field(e, "detail");
            fprintf(stderr, "  %s: %s\n", ptr && *ptr ? ptr : "(body)", d ? d : "invalid");
            shown++;
        }
    }
    if (status >= 500 && rid)
        fprintf(stderr, "  (request id %s — quote it when you report this)\n", rid);
    fflush(stderr);

    if (json && g_cli.json) {
        if (!p) {
            p = cJSON_CreateObject();
            cJSON_AddStringToObject(p, "title", "HTTP error");
            cJSON_AddNumberToObject(p, "status", (double)status);
            cJSON_AddStringToObject(p, "detail", detail);
        }
        out_json(p);
    }
    cJSON_Delete(p);
    return exit_for_status(status);
}

int out_problem(long status, const char *body, size_t len, const char *what)
{
    return problem(status, body, len, what, 1);
}

int out_problem_text(long status, const char *body, size_t len, const char *what)
{
    return problem(status, body, len, what, 0);
}

int out_network_error(const char *server, const char *error, const char *what)
{
    fflush(stdout);
    fprintf(stderr, "error: %s: cannot reach %s (%s)\n", what, server, error);
    if (g_cli.json) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "title", "Network error");
        cJSON_AddNumberToObject(p, "status", 0);
        cJSON_AddStringToObject(p, "detail", error);
        out_json(p);
        cJSON_Delete(p);
    }
    return EXIT_NETWORK;
}

/* ---- tables ---- */

struct table {
    int ncols;
    char **headers;
    int *right;
    char **cells; /* rows * ncols */
    size_t rows, cap;
};

static char *dup_or_empty(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d) {
        fputs("fibertrack: out of memory\n", stderr);
        exit(EXIT_OTHER);
    }
    return d;
}

struct table *table_new(int ncols, const char *const *headers, const int *right)
{
    struct table *t = calloc(1, sizeof(*t));
    if (!t)
        exit(EXIT_OTHER);
    t->ncols = ncols;
    t->headers = calloc((size_t)ncols, sizeof(char *));
    t->right = calloc((size_t)ncols, sizeof(int));
    if (!t->headers || !t->right)
        exit(EXIT_OTHER);
    for (int i = 0; i < ncols; i++) {
        t->headers[i] = dup_or_empty(headers[i]);
        t->right[i] = right ? right[i] : 0;
    }
    return t;
}

void table_add(struct table *t, const char *const *cells)
{
    if (t->rows == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 64;
        char **nc = realloc(t->cells, ncap * (size_t)t->ncols * sizeof(char *));
        if (!nc)
            exit(EXIT_OTHER);
        t->cells = nc;
        t->cap = ncap;
    }
    for (int i = 0; i < t->ncols; i++) {
        /* A cell is one line: newlines and tabs in notes become spaces. */
        char *c = dup_or_empty(cells[i]);
        for (char *q = c; *q; q++)
            if (*q == '\n' || *q == '\r' || *q == '\t')
                *q = ' ';
        t->cells[t->rows * (size_t)t->ncols + (size_t)i] = c;
    }
    t->rows++;
}

size_t table_rows(const struct table *t) { return t->rows; }

/* Display width of UTF-8 text: one column per code point. */
static size_t width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            w++;
    return w;
}

/* Prints s in w columns, cut with "…" when longer. */
static void put_cell(FILE *f, const char *s, size_t w, int right, int last)
{
    size_t sw = width(s);
    if (sw > w) {
        size_t cols = 0;
        const char *p = s;
        for (; *p; p++) {
            if (((unsigned char)*p & 0xC0) != 0x80) {
                if (cols == w - 1)
                    break;
                cols++;
            }
        }
        fwrite(s, 1, (size_t)(p - s), f);
        fputs("…", f);
        return;
    }
    if (right)
        fprintf(f, "%*s", (int)(w - sw), "");
    fputs(s, f);
    if (!right && !last)
        fprintf(f, "%*s", (int)(w - sw), "");
}

/* Writes one table line, without trailing blanks. */
static void put_line(FILE *f, char *line, size_t len)
{
    while (len > 0 && line[len - 1] == ' ')
        len--;
    fwrite(line, 1, len, f);
    fputc('\n', f);
}

void table_print(const struct table *t, FILE *f)
{
    size_t *w = calloc((size_t)t->ncols, sizeof(size_t));
    if (!w)
        exit(EXIT_OTHER);
    for (int c = 0; c < t->ncols; c++) {
        w[c] = width(t->headers[c]);
        for (size_t r = 0; r < t->rows; r++) {
            size_t cw = width(t->cells[r * (size_t)t->ncols + (size_t)c]);
            if (cw > w[c])
                w[c] = cw;
        }
        if (w[c] > CELL_MAX)
            w[c] = CELL_MAX;
    }
    /* Each line is built in memory, so that trailing blanks can go. */
    char *line = NULL;
    size_t cap = 0;
    FILE *m = open_memstream(&line, &cap);
    if (!m)
        exit(EXIT_OTHER);
    for (size_t r = 0; r <= t->rows + 1; r++) {
        rewind(m);
        for (int c = 0; c < t->ncols; c++) {
            if (c)
                fputs("  ", m);
            if (r == 1) {
                for (size_t i = 0; i < w[c]; i++)
                    fputc('-', m);
                continue;
            }
            const char *cell =
                r == 0 ? t->headers[c] : t->cells[(r - 2) * (size_t)t->ncols + (size_t)c];
            put_cell(m, cell, w[c], t->right[c], c == t->ncols - 1);
        }
        long len = ftell(m);
        fflush(m);
        put_line(f, line, len > 0 ? (size_t)len : 0);
    }
    fclose(m);
    free(line);
    fflush(f);
    free(w);
}

void table_free(struct table *t)
{
    if (!t)
        return;
    for (int c = 0; c < t->ncols; c++)
        free(t->headers[c]);
    for (size_t i = 0; i < t->rows * (size_t)t->ncols; i++)
        free(t->cells[i]);
    free(t->headers);
    free(t->right);
    free(t->cells);
    free(t);
}

const char *cell_text(const cJSON *v, char *buf, size_t n)
{
    if (!v || cJSON_IsNull(v))
        return "";
    if (cJSON_IsString(v))
        return v->valuestring;
    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v) ? "yes" : "no";
    if (cJSON_IsNumber(v)) {
        if (!buf || n == 0)
            return "";
        double d = v->valuedouble;
        if (d == floor(d) && fabs(d) < 1e15)
            snprintf(buf, n, "%.0f", d);
        else
            snprintf(buf, n, "%.2f", d);
        return buf;
    }
    return "…";
}

const char *join_strings(const cJSON *arr, char *buf, size_t n)
{
    size_t k = 0;
    const cJSON *v;
    if (n == 0)
        return "";
    buf[0] = '\0';
    cJSON_ArrayForEach(v, arr)
    {
        if (!cJSON_IsString(v))
            continue;
        int w = snprintf(buf + k, n - k, "%s%s", k ? ", " : "", v->valuestring);
        if (w < 0 || (size_t)w >= n - k) {
            buf[k] = '\0';
            break;
        }
        k += (size_t)w;
    }
    return buf;
}

static const char *column_text(const cJSON *it, const struct column *c, char *buf, size_t n)
{
    const cJSON *v = c->field ? cJSON_GetObjectItemCaseSensitive(it, c->field) : NULL;
    switch (c->kind) {
    case COL_METRES:
        if (!cJSON_IsNumber(v))
            return "";
        snprintf(buf, n, "%.2f", v->valuedouble);
        return buf;
    case COL_PERCENT:
        if (!cJSON_IsNumber(v))
            return "";
        snprintf(buf, n, "%.0f%%", v->valuedouble * 100);
        return buf;
    case COL_EUR:
        if (!cJSON_IsNumber(v) || fabs(v->valuedouble) > 9e15)
            return "";
        return money_format((long long)v->valuedouble, buf, n);
    case COL_ADDRESS: {
        char a[4][128];
        static const char *const f[4] = {"street", "house_number", "postcode", "city"};
        for (int i = 0; i < 4; i++)
            snprintf(a[i], sizeof(a[i]), "%s",
                     cell_text(cJSON_GetObjectItemCaseSensitive(it, f[i]), NULL, 0));
        snprintf(buf, n, "%s %s, %s %s", a[0], a[1], a[2], a[3]);
        return buf;
    }
    default:
        return cell_text(v, buf, n);
    }
}

void out_items(const cJSON *items, const struct column *cols, int ncols, const char *empty_msg)
{
    if (g_cli.json) {
        out_json(items);
        return;
    }
    if (cJSON_GetArraySize(items) == 0) {
        out_say("%s", empty_msg);
        return;
    }
    const char *hdr[32];
    int right[32];
    if (ncols > 32)
        ncols = 32;
    for (int i = 0; i < ncols; i++) {
        hdr[i] = cols[i].header;
        right[i] = cols[i].kind == COL_NUM || cols[i].kind == COL_METRES ||
                   cols[i].kind == COL_PERCENT || cols[i].kind == COL_EUR;
    }
    struct table *t = table_new(ncols, hdr, right);
    const cJSON *it;
    static char bufs[32][600];
    cJSON_ArrayForEach(it, items)
    {
        const char *cells[32];
        for (int i = 0; i < ncols; i++)
            cells[i] = column_text(it, &cols[i], bufs[i], sizeof(bufs[i]));
        table_add(t, cells);
    }
    table_print(t, stdout);
    table_free(t);
}

/* ---- progress bar ---- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *human_bytes(double n, char *buf, size_t len)
{
    if (n < 1000)
        snprintf(buf, len, "%.0f B", n);
    else if (n < 1e6)
        snprintf(buf, len, "%.1f kB", n / 1e3);
    else if (n < 1e9)
        snprintf(buf, len, "%.1f MB", n / 1e6);
    else
        snprintf(buf, len, "%.2f GB", n / 1e9);
    return buf;
}

void progress_init(struct progress *p, const char *label)
{
    memset(p, 0, sizeof(*p));
    p->label = label;
    p->enabled = !g_cli.quiet && !g_cli.json && isatty(STDERR_FILENO);
    p->start = now_s();
}

void progress_update(struct progress *p, long long now, long long total)
{
    if (!p->enabled || p->waiting)
        return;
    double t = now_s();
    if (p->drawn && now == p->last_now && total == p->last_total)
        return;
    if (p->drawn && t - p->last < 0.1 && !(total > 0 && now >= total))
        return;
    p->last = t;
    p->last_now = now;
    p->last_total = total;
    p->drawn = 1;
    char a[32], b[32], rate[32] = "";
    double secs = t - p->start;
    if (secs > 0.2) {
        char r[24];
        snprintf(rate, sizeof(rate), "%s/s", human_bytes((double)now / secs, r, sizeof(r)));
    }
    if (total > 0) {
        int pct = (int)(100.0 * (double)now / (double)total);
        if (pct > 100)
            pct = 100;
        char bar[31];
        int fill = pct * 30 / 100;
        for (int i = 0; i < 30; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[30] = '\0';
        fprintf(stderr, "\r%s [%s] %3d%%  %s / %s  %s\033[K", p->label, bar, pct,
                human_bytes((double)now, a, sizeof(a)), human_bytes((double)total, b, sizeof(b)),
                rate);
    } else {
        fprintf(stderr, "\r%s  %s  %s\033[K", p->label, human_bytes((double)now, a, sizeof(a)),
                rate);
    }
    fflush(stderr);
}

void progress_waiting(struct progress *p, long long sent)
{
    if (!p->enabled || p->waiting)
        return;
    p->waiting = 1;
    p->drawn = 1;
    char a[32];
    fprintf(stderr, "\r%s: %s sent, waiting for the server ...\033[K", p->label,
            human_bytes((double)sent, a, sizeof(a)));
    fflush(stderr);
}

void progress_done(struct progress *p)
{
    if (p->enabled && p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    p->drawn = 0;
}
