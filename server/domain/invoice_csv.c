/* invoice_csv.c — reads an invoice list from CSV (libcsv does the quoting
 * rules; this file knows the columns and how people write euros and
 * dates). */
#include "domain/invoice_csv.h"

#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/validate.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_COLUMNS 32
#define MAX_CELL 4096 /* bytes: longer is no invoice field */

enum kind { K_TEXT, K_DATE, K_EUROS, K_VOCAB, K_ID };

struct column {
    const char *name; /* the column as the API documents it */
    const char *key;  /* the member it fills */
    enum kind kind;
    int required;           /* every invoice needs it */
    const char *aliases[6]; /* German and other names, normalised */
};

static const struct column columns[] = {
    {"number", "number", K_TEXT, 1, {"rechnungsnummer", "nummer", "rechnungsnr", "invoice_number"}},
    {"invoice_date", "invoice_date", K_DATE, 1, {"rechnungsdatum", "datum", "date"}},
    {"category", "category", K_VOCAB, 1, {"kategorie", "kostenart", "kostenkategorie"}},
    {"net", "net_cents", K_EUROS, 1, {"netto", "nettobetrag", "net_amount"}},
    {"vat", "vat_cents", K_EUROS, 0, {"ust", "mwst", "umsatzsteuer", "vat_amount"}},
    {"eligible",
     "eligible_cents",
     K_EUROS,
     0,
     {"förderfähig", "foerderfaehig", "zuwendungsfähig", "zuwendungsfaehig", "eligible_amount"}},
    {"status", "status", K_VOCAB, 0, {"zahlstatus"}},
    {"paid_date", "paid_date", K_DATE, 0, {"bezahlt_am", "zahlungsdatum", "paid_on"}},
    {"lot_code", "lot_code", K_TEXT, 0, {"los", "lot", "losnummer"}},
    {"contractor_id", "contractor_id", K_ID, 0, {"auftragnehmer_id"}},
    {"contractor", "contractor", K_TEXT, 0, {"auftragnehmer", "firma", "lieferant"}},
};

/* ---- amounts and dates ---- */

static int is_digit(char c) { return c >= '0' && c <= '9'; }

const char *invoice_csv_euros(const char *text, char decimal, long long *cents)
{
    /* Spaces (also no-break and narrow no-break ones) and the euro sign
     * around or inside the number are decoration. */
    char s[64];
    size_t n = 0;
    for (const char *p = text; *p; p++) {
        if (*p == ' ')
            continue;
        if (strncmp(p, "\xc2\xa0", 2) == 0 || strncmp(p, "\xe2\x80\xaf", 3) == 0 ||
            strncmp(p, "\xe2\x82\xac", 3) == 0) {
            p += (unsigned char)*p == 0xc2 ? 1 : 2;
            continue;
        }
        if (n + 1 >= sizeof(s))
            return "is too long for an amount";
        s[n++] = *p;
    }
    s[n] = '\0';
    if (strncasecmp(s, "EUR", 3) == 0)
        memmove(s, s + 3, strlen(s + 3) + 1);
    n = strlen(s);
    if (n >= 3 && strcasecmp(s + n - 3, "EUR") == 0)
        s[n -= 3] = '\0';
    if (n == 0)
        return "is empty";
    if (s[0] == '-')
        return "must not be negative (record a credit note as an invoice of its own)";
    /* The decimal separator: the last comma or point with 1 or 2 digits after it. */
    const char *dec = NULL, *last = NULL;
    for (const char *p = s; *p; p++)
        if (*p == ',' || *p == '.')
            last = p;
    if (last) {
        size_t after = strlen(last + 1);
        int single = strchr(s, *last) == last && !strchr(s, *last == ',' ? '.' : ',');
        if ((after >= 1 && after <= 2) || (after == 3 && single && *last == decimal))
            dec = last;
    }
    long long whole = 0, frac = 0;
    int digits = 0, group = -1; /* digits since the last thousands mark; -1: none yet */
    char mark = 0;
    for (const char *p = s; *p && p != dec; p++) {
        if (is_digit(*p)) {
            if (whole > 1000000000000LL)
                return "is too large";
            whole = whole * 10 + (*p - '0');
            digits++;
            if (group >= 0)
                group++;
        } else if (*p == ',' || *p == '.') {
            /* A thousands mark: after 1-3 digits, then groups of exactly 3. */
            if ((mark && *p != mark) || digits == 0 || (group < 0 && digits > 3) ||
                (group >= 0 && group != 3))
                return "is not an amount in euros such as 1.234,56 or 1234.56";
            if (dec && *dec == *p)
                return "uses the same mark for thousands and decimals";
            mark = *p;
            group = 0;
        } else {
            return "is not an amount in euros such as 1.234,56 or 1234.56";
        }
    }
    if (digits == 0 || (group >= 0 && group != 3))
        return "is not an amount in euros such as 1.234,56 or 1234.56";
    if (!dec && mark && strlen(s) - (size_t)(strrchr(s, mark) - s) - 1 != 3)
        return "is not an amount in euros such as 1.234,56 or 1234.56";
    if (dec) {
        const char *f = dec + 1;
        if (!is_digit(f[0]) || (f[1] && (!is_digit(f[1]) || (f[2] && is_digit(f[2])))))
            return "has more than two decimals";
        if (f[1] && f[2])
            return "is not an amount in euros such as 1.234,56 or 1234.56";
        frac = (f[0] - '0') * 10 + (f[1] ? f[1] - '0' : 0);
    }
    *cents = whole * 100 + frac;
    return NULL;
}

const char *invoice_csv_date(const char *text, char out[11])
{
    int y, m, d, used = 0;
    if (strlen(text) == 10 && valid_date(text)) {
        memcpy(out, text, 11);
        return NULL;
    }
    if (sscanf(text, "%2d.%2d.%4d%n", &d, &m, &y, &used) == 3 && used == (int)strlen(text) &&
        y >= 1000 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= 31 &&
        text[strlen(text) - 5] == '.') {
        snprintf(out, 11, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
        if (valid_date(out))
            return NULL;
    }
    return "is not a date such as 25.11.2026 or 2026-11-25";
}

/* ---- the file ---- */

struct parse {
    invoice_csv_vocab vocab;
    char decimal; /* the file's decimal mark, for amounts that could be either */
    cJSON *rows, *errors;
    int *nerrors, max_listed;
    char *why;
    size_t whylen;
    int failed; /* the file as a whole is refused */
    int line;   /* the physical line being fed, from 1 */
    int row;    /* records seen, the header included */
    char *cells[MAX_COLUMNS + 1];
    size_t ncells; /* cells of the current record (more are counted, not kept) */
    size_t extra;  /* non-empty cells beyond the header's */
    int nul;       /* a cell held a NUL byte */
    const struct column *map[MAX_COLUMNS]; /* header position → column */
    size_t ncols;
};

static void row_error(struct parse *p, int line, const char *field, const char *detail)
{
    (*p->nerrors)++;
    if (*p->nerrors > p->max_listed)
        return;
    cJSON *e = cJSON_CreateObject();
    char ptr[96];
    snprintf(ptr, sizeof(ptr), "/lines/%d%s%s", line, field ? "/" : "", field ? field : "");
    cJSON_AddStringToObject(e, "pointer", ptr);
    cJSON_AddStringToObject(e, "detail", detail);
    cJSON_AddNumberToObject(e, "line", line);
    cJSON_AddStringToObject(e, "field", field ? field : "");
    cJSON_AddItemToArray(p->errors, e);
}

static void refuse(struct parse *p, const char *column, const char *fmt, const char *arg)
{
    if (p->failed)
        return;
    p->failed = 1;
    snprintf(p->why, p->whylen, fmt, arg);
    if (column) {
        cJSON *e = cJSON_CreateObject();
        char ptr[96];
        snprintf(ptr, sizeof(ptr), "/header/%.80s", column);
        cJSON_AddStringToObject(e, "pointer", ptr);
        cJSON_AddStringToObject(e, "detail", p->why);
        cJSON_AddNumberToObject(e, "line", 1);
        cJSON_AddStringToObject(e, "field", column);
        cJSON_AddItemToArray(p->errors, e);
        (*p->nerrors)++;
    }
}

/* A header cell as the column tables spell names: trimmed, lower case
 * (German umlauts too), spaces and hyphens as underscores, a unit such as
 * "(€)" or "in EUR" left out. */
static void normalise(const char *in, char *out, size_t size)
{
    size_t n = 0;
    for (const char *s = in; *s && n + 2 < size; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '(')
            break;
        if (c == 0xc3 && s[1] && (unsigned char)s[1] >= 0x80 && (unsigned char)s[1] <= 0x9e &&
            (unsigned char)s[1] != 0x97) {
            out[n++] = (char)c;
            out[n++] = (char)((unsigned char)s[1] + 0x20);
            s++;
            continue;
        }
        out[n++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : (c == ' ' || c == '-') ? '_' : c);
    }
    out[n] = '\0';
    static const char *const units[] = {"_in_eur", "_in_€", "_eur", "_€", "€"};
    for (size_t u = 0; u < N(units); u++) {
        size_t l = strlen(units[u]);
        if (n >= l && strcmp(out + n - l, units[u]) == 0)
            out[n -= l] = '\0';
    }
    while (n && out[n - 1] == '_')
        out[--n] = '\0';
    size_t lead = strspn(out, "_");
    memmove(out, out + lead, n - lead + 1);
}

static const struct column *column_named(const char *header)
{
    char norm[128];
    normalise(header, norm, sizeof(norm));
    for (size_t i = 0; i < N(columns); i++) {
        if (strcmp(norm, columns[i].name) == 0)
            return &columns[i];
        for (size_t a = 0; a < N(columns[i].aliases) && columns[i].aliases[a]; a++)
            if (strcmp(norm, columns[i].aliases[a]) == 0)
                return &columns[i];
    }
    return NULL;
}

static void read_header(struct parse *p)
{
    if (p->ncells > MAX_COLUMNS) {
        refuse(p, NULL, "the header has more than %s columns", "32");
        return;
    }
    for (size_t i = 0; i < p->ncells; i++) {
        const struct column *c = column_named(p->cells[i]);
        if (!c && !*p->cells[i]) {
            p->map[i] = NULL; /* an empty column (Excel's trailing separator) is left alone */
            continue;
        }
        if (!c) {
            refuse(p, p->cells[i],
                   "unknown column '%s'; the columns are number, invoice_date, category, net, vat, "
                   "eligible, status, paid_date, lot_code, contractor_id and contractor",
                   p->cells[i]);
            return;
        }
        for (size_t j = 0; j < i; j++)
            if (p->map[j] == c) {
                refuse(p, p->cells[i], "the column '%s' is there twice", c->name);
                return;
            }
        p->map[i] = c;
    }
    p->ncols = p->ncells;
    /* What every invoice needs, and who sent it: by id, name or lot. */
    static const char *const needed[] = {"number", "invoice_date", "category", "net"};
    int has[N(columns)] = {0};
    for (size_t i = 0; i < p->ncols; i++)
        if (p->map[i])
            has[p->map[i] - columns] = 1;
    for (size_t k = 0; k < N(needed); k++) {
        const struct column *c = column_named(needed[k]);
        if (!has[c - columns]) {
            refuse(p, needed[k], "the column '%s' is missing", needed[k]);
            return;
        }
    }
    if (!has[column_named("contractor_id") - columns] &&
        !has[column_named("contractor") - columns] && !has[column_named("lot_code") - columns])
        refuse(p, "contractor",
               "name the contractor of each invoice: a column contractor (name or VAT id), "
               "contractor_id or lot_code is %s",
               "needed");
}

static void read_cell(struct parse *p, cJSON *values, int line, const struct column *c,
                      const char *cell)
{
    const char *bad = text_problem(cell, 0);
    if (bad) {
        row_error(p, line, c->name, bad);
        return;
    }
    char day[11];
    long long cents;
    switch (c->kind) {
    case K_TEXT:
        cJSON_AddStringToObject(values, c->key, cell);
        break;
    case K_DATE:
        bad = invoice_csv_date(cell, day);
        if (!bad)
            cJSON_AddStringToObject(values, c->key, day);
        break;
    case K_EUROS:
        bad = invoice_csv_euros(cell, p->decimal, &cents);
        if (!bad)
            cJSON_AddNumberToObject(values, c->key, (double)cents);
        break;
    case K_VOCAB: {
        const char *v = p->vocab(c->name, cell);
        if (v)
            cJSON_AddStringToObject(values, c->key, v);
        else
            bad = strcmp(c->name, "category") == 0
                      ? "is not a category: civil_works (Tiefbau), cabling (Verkabelung), "
                        "splicing (Spleißarbeiten), planning (Planung), materials (Material) or "
                        "other (Sonstiges)"
                      : "is not a status: received (eingegangen), approved (geprüft) or paid "
                        "(bezahlt)";
        break;
    }
    case K_ID: {
        long long id = parse_id(cell);
        if (id)
            cJSON_AddNumberToObject(values, c->key, (double)id);
        else
            bad = "is not an id";
        break;
    }
    }
    if (bad)
        row_error(p, line, c->name, bad);
}

static void read_row(struct parse *p)
{
    int line = p->line;
    if (p->nul) {
        row_error(p, line, NULL, "holds a NUL byte");
        return;
    }
    size_t kept = p->ncells < p->ncols ? p->ncells : p->ncols;
    int any = 0;
    for (size_t i = 0; i < kept && !any; i++)
        any = p->map[i] && *p->cells[i];
    if (!any && !p->extra)
        return; /* an empty row, as spreadsheets leave at the end */
    if ((int)cJSON_GetArraySize(p->rows) >= INVOICE_CSV_MAX_ROWS) {
        refuse(p, NULL, "the file has more than %s rows of invoices; split it", "20,000");
        return;
    }
    if (p->extra) {
        char d[96];
        snprintf(d, sizeof(d), "has more cells than the header has columns (%zu)", p->ncols);
        row_error(p, line, NULL, d);
    }
    cJSON *row = cJSON_CreateObject();
    cJSON_AddNumberToObject(row, "line", line);
    cJSON *values = cJSON_AddObjectToObject(row, "values");
    for (size_t i = 0; i < kept; i++)
        if (p->map[i] && *p->cells[i])
            read_cell(p, values, line, p->map[i], p->cells[i]);
    /* What every invoice needs may not be left empty. */
    for (size_t i = 0; i < p->ncols; i++) {
        const struct column *c = p->map[i];
        if (c && c->required && (i >= kept || !*p->cells[i]))
            row_error(p, line, c->name, "is empty; every invoice needs it");
    }
    cJSON_AddItemToArray(p->rows, row);
}

static void on_field(void *data, size_t len, void *arg)
{
    struct parse *p = arg;
    if (p->failed)
        return;
    const char *s = data ? data : "";
    if (data && strlen(s) != len)
        p->nul = 1;
    if (p->ncells < MAX_COLUMNS + 1) {
        size_t keep = len < MAX_CELL ? len : MAX_CELL;
        char *c = malloc(keep + 1);
        if (c) {
            memcpy(c, s, keep);
            c[keep] = '\0';
        }
        p->cells[p->ncells] = c;
    }
    if (p->ncols && p->ncells >= p->ncols && len > 0)
        p->extra++;
    p->ncells++;
}

static void clear_cells(struct parse *p)
{
    for (size_t i = 0; i < p->ncells && i < MAX_COLUMNS + 1; i++)
        free(p->cells[i]);
    p->ncells = 0;
    p->extra = 0;
    p->nul = 0;
}

static void on_row(int term, void *arg)
{
    (void)term;
    struct parse *p = arg;
    int oom = 0;
    for (size_t i = 0; i < p->ncells && i < MAX_COLUMNS + 1; i++)
        oom |= p->cells[i] == NULL;
    if (oom)
        refuse(p, NULL, "%s", "out of memory");
    if (!p->failed) {
        if (p->row++ == 0)
            read_header(p);
        else
            read_row(p);
    }
    clear_cells(p);
}

/* The length of the line at s (at most len bytes) without its end. */
static size_t strcspn_len(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && s[i] != '\n' && s[i] != '\r')
        i++;
    return i;
}

/* The separator of the header line: the one of ';', ',' and tab it uses
 * most outside quotes (';' on a tie: German Excel writes it). */
static unsigned char separator(const char *s, size_t len)
{
    size_t semi = 0, comma = 0, tab = 0;
    int quoted = 0;
    for (size_t i = 0; i < len && s[i] != '\n' && (s[i] != '\r' || quoted); i++) {
        if (s[i] == '"')
            quoted = !quoted;
        else if (!quoted)
            semi += s[i] == ';', comma += s[i] == ',', tab += s[i] == '\t';
    }
    if (tab > semi && tab > comma)
        return '\t';
    return comma > semi ? ',' : ';';
}

int invoice_csv_parse(const char *text, size_t len, invoice_csv_vocab vocab, cJSON **rows,
                      cJSON *errors, int *nerrors, int max_listed, char *why, size_t whylen)
{
    *rows = NULL;
    *nerrors = 0;
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        text += 3, len -= 3;
    if (!valid_utf8(text, len)) {
        snprintf(why, whylen,
                 "the file is not UTF-8 text; save it from the spreadsheet as \"CSV UTF-8\"");
        return -1;
    }
    struct parse p = {.vocab = vocab,
                      .rows = cJSON_CreateArray(),
                      .errors = errors,
                      .nerrors = nerrors,
                      .max_listed = max_listed,
                      .why = why,
                      .whylen = whylen,
                      .line = 1};
    struct csv_parser csv;
    if (!p.rows || csv_init(&csv, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        cJSON_Delete(p.rows);
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    unsigned char sep = separator(text, len);
    csv_set_delim(&csv, sep);
    p.decimal = sep == ';' ? ',' : '.';
    /* Fed line by line, so that a row's problems carry the line it ends on;
     * a line ends in LF, CR LF or a lone CR (as old spreadsheets write). */
    size_t off = 0;
    while (off < len && !p.failed) {
        size_t n = strcspn_len(text + off, len - off);
        const char *nl = n < len - off ? text + off + n : NULL;
        if (nl)
            n += (nl[0] == '\r' && off + n + 1 < len && nl[1] == '\n') ? 2 : 1;
        if (csv_parse(&csv, text + off, n, on_field, on_row, &p) != n) {
            char d[120];
            snprintf(d, sizeof(d), "is not valid CSV (%s)", csv_strerror(csv_error(&csv)));
            row_error(&p, p.line, NULL, d);
            p.failed = 1;
            snprintf(why, whylen, "line %d is not valid CSV: a quote is not closed or stray",
                     p.line);
            break;
        }
        off += n;
        if (nl)
            p.line++;
    }
    if (!p.failed && csv_fini(&csv, on_field, on_row, &p) != 0) {
        row_error(&p, p.line, NULL, "ends inside a quoted cell");
        p.failed = 1;
        snprintf(why, whylen, "line %d ends inside a quoted cell", p.line);
    }
    clear_cells(&p);
    csv_free(&csv);
    if (!p.failed && p.row == 0) {
        p.failed = 1;
        snprintf(why, whylen, "the file is empty; the first line names the columns");
    }
    if (p.failed) {
        cJSON_Delete(p.rows);
        return -1;
    }
    *rows = p.rows;
    return 0;
}
