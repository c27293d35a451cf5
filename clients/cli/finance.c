/* finance.c — what the finance commands share (see finance.h). */
#include "finance.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "fsutil.h"
#include "money.h"
#include "output.h"
#include "queue.h"

#define MAX_COLS 16

const char *const fin_categories[] = {"civil_works", "cabling", "splicing", "planning",
                                      "materials",   "other",   NULL};

/* ---- option values ---- */

int fin_amount(const char *cmd, const char *opt, const char *s, long long *cents)
{
    char why[256];
    if (money_parse(s, cents, why, sizeof(why)) != 0)
        return args_usage(cmd, "%s '%s' %s", opt, s, why);
    return 0;
}

int fin_date(const char *cmd, const char *opt, const char *s, char iso[11])
{
    if (args_date(s, iso) != 0)
        return args_usage(cmd, "%s needs a date as 2026-11-25 or 25.11.2026, not '%s'", opt, s);
    return 0;
}

int fin_word(const char *cmd, const char *what, const char *s, const char *const *words)
{
    for (const char *const *w = words; *w; w++)
        if (strcmp(*w, s) == 0)
            return 0;
    return args_unknown_word(cmd, what, s, words);
}

char *fin_read_text(const char *file, size_t max)
{
    if (strcmp(file, "-") != 0) {
        size_t len;
        char *text = fs_read_file(file, max, &len);
        if (!text) {
            if (errno == EFBIG)
                out_error("%s is larger than %zu bytes", file, max);
            else
                out_error("cannot read %s: %s", file, strerror(errno));
        }
        return text;
    }
    size_t cap = 4096, len = 0;
    char *text = malloc(cap);
    if (!text) {
        out_error("out of memory");
        return NULL;
    }
    for (;;) {
        if (len + 1 >= cap) {
            char *bigger = cap > max ? NULL : realloc(text, cap * 2);
            if (!bigger) {
                out_error("the text on stdin is larger than %zu bytes", max);
                free(text);
                return NULL;
            }
            text = bigger;
            cap *= 2;
        }
        size_t got = fread(text + len, 1, cap - len - 1, stdin);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(stdin) || len > max) {
        out_error(ferror(stdin) ? "cannot read stdin" : "the text on stdin is too large");
        free(text);
        return NULL;
    }
    text[len] = '\0';
    return text;
}

/* ---- queries ---- */

void fin_q_add(struct fin_query *q, const char *name, const char *value)
{
    char esc[1024];
    if (url_escape(value, esc, sizeof(esc)) != 0) {
        q->overflow = 1;
        return;
    }
    int k = snprintf(q->buf + q->len, sizeof(q->buf) - q->len, "%s%s=%s", q->len ? "&" : "?", name,
                     esc);
    if (k < 0 || (size_t)k >= sizeof(q->buf) - q->len)
        q->overflow = 1;
    else
        q->len += (size_t)k;
}

void fin_q_id(struct fin_query *q, const char *name, long long id)
{
    char v[32];
    snprintf(v, sizeof(v), "%lld", id);
    fin_q_add(q, name, v);
}

/* ---- output ---- */

const char *fin_str(const cJSON *o, const char *field)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, field);
    return cJSON_IsString(v) ? v->valuestring : "";
}

long long fin_num(const cJSON *o, const char *field)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, field);
    return cJSON_IsNumber(v) && v->valuedouble > -9e15 && v->valuedouble < 9e15
               ? (long long)v->valuedouble
               : 0;
}

static int is_money(enum fin_kind k) { return k == FIN_EUR || k == FIN_EUR1; }

/* The text of field c of o into buf. */
static const char *fin_cell(const cJSON *o, const struct fin_col *c, char *buf, size_t n)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, c->field);
    switch (c->kind) {
    case FIN_EUR:
    case FIN_EUR1:
        return cJSON_IsNumber(v) ? money_format(fin_num(o, c->field), buf, n) : "";
    case FIN_DAY:
        if (!cJSON_IsString(v))
            return "";
        snprintf(buf, n, "%.10s", v->valuestring);
        return buf;
    case FIN_TEXT:
    case FIN_NUM:
    case FIN_LINES:
        return cell_text(v, buf, n);
    }
    return "";
}

/* Display columns of UTF-8 text: one per code point. */
static size_t text_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            w++;
    return w;
}

void fin_table(const cJSON *items, const struct fin_col *cols, int ncols, const char *total_label,
               const char *empty_msg)
{
    if (g_cli.json) {
        out_json(items);
        return;
    }
    if (cJSON_GetArraySize(items) == 0) {
        out_say("%s", empty_msg);
        return;
    }
    if (ncols > MAX_COLS)
        ncols = MAX_COLS;
    const char *hdr[MAX_COLS];
    int right[MAX_COLS];
    long long sum[MAX_COLS] = {0};
    size_t width[MAX_COLS];
    for (int i = 0; i < ncols; i++) {
        hdr[i] = cols[i].header;
        right[i] = cols[i].kind == FIN_NUM || is_money(cols[i].kind);
        width[i] = text_width(hdr[i]);
    }
    struct table *t = table_new(ncols, hdr, right);
    const cJSON *it;
    static char bufs[MAX_COLS][600];
    cJSON_ArrayForEach(it, items)
    {
        const char *cells[MAX_COLS];
        for (int i = 0; i < ncols; i++) {
            cells[i] = fin_cell(it, &cols[i], bufs[i], sizeof(bufs[i]));
            if (text_width(cells[i]) > width[i])
                width[i] = text_width(cells[i]);
            if (cols[i].kind == FIN_EUR)
                sum[i] += fin_num(it, cols[i].field);
        }
        table_add(t, cells);
    }
    if (total_label) {
        /* A rule over the sums, then the sums. */
        const char *rule[MAX_COLS], *total[MAX_COLS];
        for (int i = 0; i < ncols; i++) {
            rule[i] = "";
            total[i] = "";
            if (cols[i].kind == FIN_EUR) {
                money_format(sum[i], bufs[i], sizeof(bufs[i]));
                if (text_width(bufs[i]) > width[i])
                    width[i] = text_width(bufs[i]);
                total[i] = bufs[i];
            }
        }
        static char rules[MAX_COLS][64];
        for (int i = 0; i < ncols; i++) {
            if (cols[i].kind != FIN_EUR)
                continue;
            size_t w = width[i] < sizeof(rules[i]) - 1 ? width[i] : sizeof(rules[i]) - 1;
            memset(rules[i], '-', w);
            rules[i][w] = '\0';
            rule[i] = rules[i];
        }
        total[0] = total_label;
        table_add(t, rule);
        table_add(t, total);
    }
    table_print(t, stdout);
    table_free(t);
}

void fin_print(const cJSON *obj, const struct fin_col *fields, int n)
{
    if (g_cli.json) {
        out_json(obj);
        return;
    }
    for (int i = 0; i < n; i++) {
        char buf[600];
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, fields[i].field);
        if (fields[i].kind == FIN_LINES && cJSON_IsString(v)) {
            /* Each line of a long text under its label, indented. */
            out_say("  %-22s", fields[i].header);
            const char *p = v->valuestring;
            while (*p) {
                size_t len = strcspn(p, "\n");
                out_say("    %.*s", (int)len, p);
                p += len + (p[len] == '\n');
            }
            continue;
        }
        const char *text = fin_cell(obj, &fields[i], buf, sizeof(buf));
        out_say("  %-22s %s%s", fields[i].header, text,
                is_money(fields[i].kind) && *text ? " EUR" : "");
    }
}

int fin_list(int argc, char **argv, struct fin_query *q, const struct fin_listing *l)
{
    if (optind < argc && strcmp(argv[optind], "list") == 0)
        optind++;
    if (optind < argc)
        return args_usage(l->cmd, "unexpected argument '%s'", argv[optind]);
    struct api a;
    long long pid;
    int rc = api_open_project(&a, &pid);
    if (rc != EXIT_OK)
        return rc;
    fin_q_id(q, "project_id", pid);
    char path[2200];
    snprintf(path, sizeof(path), "%s%s", l->resource, q->buf);
    cJSON *items;
    rc = api_list(&a, path, 0, &items, l->what);
    if (rc != EXIT_OK)
        return rc;
    fin_sort(items, l->order);
    fin_table(items, l->cols, l->ncols, l->total_label, l->empty_msg);
    cJSON_Delete(items);
    return EXIT_OK;
}

void fin_sort(cJSON *arr, int (*cmp)(const cJSON *a, const cJSON *b))
{
    /* Insertion into a new order: lists are short (hundreds), and cJSON
     * arrays are linked lists. */
    int n = cJSON_GetArraySize(arr);
    if (n < 2)
        return;
    cJSON **v = calloc((size_t)n, sizeof(*v));
    if (!v)
        return;
    for (int i = 0; i < n; i++)
        v[i] = cJSON_DetachItemFromArray(arr, 0);
    for (int i = 1; i < n; i++) {
        cJSON *x = v[i];
        int j = i;
        while (j > 0 && cmp(v[j - 1], x) > 0) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(arr, v[i]);
    free(v);
}

/* ---- requests ---- */

/* The option of a finance command that sets the field at pointer. */
static const char *option_of(const char *pointer)
{
    static const char *const map[][2] = {
        {"/net_cents", "--net"},
        {"/vat_cents", "--vat"},
        {"/eligible_cents", "--eligible"},
        {"/invoice_date", "--date"},
        {"/paid_date", "--paid-date"},
        {"/lot_id", "--lot"},
        {"/contractor_id", "--contractor"},
        {"/number", "--number"},
        {"/category", "--category"},
        {"/status", "--status"},
        {"/project_id", "--project"},
        {"/planned_cents", "--planned"},
        {"/year", "--year"},
        {"/note", "--note"},
        {"/period_from", "--from"},
        {"/period_to", "--to"},
        {"/federal_requested_cents", "--federal"},
        {"/state_requested_cents", "--state"},
        {"/received_at", "--date"},
        {"/federal_received_cents", "--federal"},
        {"/state_received_cents", "--state"},
        {"/text", "--text"},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(pointer, map[i][0]) == 0)
            return map[i][1];
    return NULL;
}

/* Explains a refusal with the options' names (the server's document as
 * it is with --json). */
static int refused(const struct http_response *res, const char *what)
{
    if (g_cli.json)
        return out_problem(res->status, res->body, res->len, what);
    cJSON *p = res->body && res->len ? cJSON_ParseWithLength(res->body, res->len) : NULL;
    cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(p, "errors"))
    {
        const cJSON *ptr = cJSON_GetObjectItemCaseSensitive(e, "pointer");
        const char *opt = cJSON_IsString(ptr) ? option_of(ptr->valuestring) : NULL;
        if (opt)
            cJSON_ReplaceItemInObjectCaseSensitive(e, "pointer", cJSON_CreateString(opt));
    }
    char *text = p ? cJSON_PrintUnformatted(p) : NULL;
    int rc = text ? out_problem_text(res->status, text, strlen(text), what)
                  : out_problem_text(res->status, res->body, res->len, what);
    free(text);
    cJSON_Delete(p);
    return rc;
}

int fin_send(struct api *a, const char *method, const char *path, const cJSON *body,
             const char *if_match, cJSON **out, const char *what)
{
    if (out)
        *out = NULL;
    char url[4096], key[64];
    char *text = body ? cJSON_PrintUnformatted(body) : NULL;
    int post = strcmp(method, "POST") == 0;
    if ((body && !text) || api_url(a, url, sizeof(url), "%s", path) != 0 ||
        (post && queue_new_key(key) != 0)) {
        free(text);
        out_error("%s: cannot prepare the request", what);
        return EXIT_OTHER;
    }
    struct http_request req;
    struct http_response res;
    api_request(a, &req, method, url, text, text ? strlen(text) : 0);
    req.if_match = if_match && *if_match ? if_match : NULL;
    if (post) {
        /* One key for every attempt: a retry after a lost answer is the
         * same request, not a second one. */
        req.idempotency_key = key;
        req.retry_inflight_409 = 1;
    }
    int rc;
    if (http_send(&req, &res) != 0) {
        rc = api_no_answer(a, &res, what);
    } else if (res.status >= 200 && res.status < 300) {
        rc = EXIT_OK;
        if (out && res.len > 0) {
            *out = api_parse(&res, what);
            if (!*out)
                rc = EXIT_OTHER;
        }
    } else {
        rc = refused(&res, what);
    }
    http_response_free(&res);
    free(text);
    return rc;
}

int fin_patch(struct api *a, const char *path, const cJSON *patch, cJSON **out, int *changed,
              const char *what)
{
    char etag[64];
    cJSON *cur;
    *out = NULL;
    *changed = 0;
    int rc = api_get_json(a, path, &cur, etag, what);
    if (rc != EXIT_OK)
        return rc;
    cJSON *diff = cJSON_CreateObject();
    const cJSON *f;
    cJSON_ArrayForEach(f, patch)
    {
        const cJSON *now = cJSON_GetObjectItemCaseSensitive(cur, f->string);
        int same = now ? cJSON_Compare(f, now, 1) : cJSON_IsNull(f);
        if (!same)
            cJSON_AddItemToObject(diff, f->string, cJSON_Duplicate(f, 1));
    }
    if (cJSON_GetArraySize(diff) == 0) {
        cJSON_Delete(diff);
        *out = cur;
        return EXIT_OK;
    }
    char im[80];
    if (etag[0])
        snprintf(im, sizeof(im), "%s", etag);
    else
        snprintf(im, sizeof(im), "\"%lld\"", fin_num(cur, "version"));
    cJSON_Delete(cur);
    rc = fin_send(a, "PATCH", path, diff, im, out, what);
    cJSON_Delete(diff);
    *changed = rc == EXIT_OK;
    return rc;
}

int fin_delete(struct api *a, const char *path, const char *what)
{
    char etag[64];
    cJSON *cur;
    int rc = api_get_json(a, path, &cur, etag, what);
    if (rc != EXIT_OK)
        return rc;
    char im[80];
    if (etag[0])
        snprintf(im, sizeof(im), "%s", etag);
    else
        snprintf(im, sizeof(im), "\"%lld\"", fin_num(cur, "version"));
    cJSON_Delete(cur);
    return fin_send(a, "DELETE", path, NULL, im, NULL, what);
}
