/* invoice_csv.h — an invoice list as finance offices keep it in a
 * spreadsheet, read from CSV: pure, no I/O.
 *
 * The file is UTF-8 (a byte order mark is skipped), separated by ';' or ','
 * (whichever the header line uses; a tab too), quoted as RFC 4180 says. The
 * header names the columns: the invoice fields with amounts in euros (net,
 * vat, eligible) and lot_code instead of lot_id, or their German names
 * (Rechnungsnummer, Netto, Los, ...). Each data row becomes an object in the
 * shape POST /invoices takes, plus "lot_code" and "contractor" (a name or
 * VAT id) when given, for the caller to resolve. */
#ifndef FT_INVOICE_CSV_H
#define FT_INVOICE_CSV_H

#include <cJSON.h>
#include <stddef.h>

/* At most this many data rows are read from one file. */
#define INVOICE_CSV_MAX_ROWS 20000

/* Maps a category or status as a person writes it (the stored value, or its
 * English or German label, in any case) to the stored value; NULL when it
 * is none of them. column is "category" or "status". */
typedef const char *(*invoice_csv_vocab)(const char *column, const char *text);

/* Parses len bytes of text. On success returns 0 and *rows (caller frees):
 * an array of {"line": n, "values": {...}} for every row with data, where n
 * is the row's line in the file (the header is line 1). A row's problems go
 * to errors as {pointer: "/lines/n/column", detail, line, field}, counted in
 * *nerrors (at most max_listed are listed); its values then hold what could
 * be read. Returns -1 when the file as a whole cannot be read (not UTF-8, no
 * header, an unknown or repeated column, too many rows), with the reason in
 * why (and the column in errors when one is to blame). */
int invoice_csv_parse(const char *text, size_t len, invoice_csv_vocab vocab, cJSON **rows,
                      cJSON *errors, int *nerrors, int max_listed, char *why, size_t whylen);

/* "1.234,56", "1234.56", "1 234,56 €", "12" → cents. A comma or a point
 * followed by one or two digits at the end is the decimal separator; the
 * other mark groups thousands. A single mark followed by three digits
 * ("1.234", "12,345") is read by the file's convention: decimal is the
 * mark it uses for decimals (',' in a list separated by ';', as German
 * spreadsheets write, else '.'). Returns NULL, or why the text is no amount
 * (negative, more than two decimals, bad grouping, too large). */
const char *invoice_csv_euros(const char *text, char decimal, long long *cents);

/* "2026-11-25" or "25.11.2026" (also 1.2.2026) → "YYYY-MM-DD" in out.
 * Returns NULL, or why the text is no date. */
const char *invoice_csv_date(const char *text, char out[11]);

#endif
