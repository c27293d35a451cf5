/* xlsx_sheet.h — the writing helpers the two workbooks share, on top of
 * libxlsxwriter: one set of formats per workbook, and a worksheet cursor
 * that writes rows strictly in order (as constant-memory mode needs),
 * measures every column for its width, writes user text only as text, and
 * keeps the first error. Internal to reports/: only the .c files there
 * include this header (and with it xlsxwriter.h). */
#ifndef FT_XLSX_SHEET_H
#define FT_XLSX_SHEET_H

#include <xlsxwriter.h>

#include "reports/report.h"

/* The formats of one style of row (normal, late, at risk, total). */
struct xs_style {
    lxw_format *text, *integer, *metres, *percent, *money, *date, *rate;
};

enum { XS_NORMAL, XS_LATE, XS_RISK, XS_TOTAL, XS_STYLES };

struct xs_formats {
    enum rpt_lang lang;
    lxw_format *title, *subtitle, *section, *header, *label, *note, *datetime, *date_bold;
    lxw_format *wrap;      /* running text (the Sachbericht), wrapped, top-aligned */
    lxw_format *warning;   /* the "preliminary" mark */
    lxw_format *signature; /* a line to sign or write on */
    struct xs_style st[XS_STYLES];
    /* What every printed page shows at its top and bottom (see
     * xs_page_texts); set before the first xs_print_setup. */
    char page_header[256], page_footer[256];
};

/* Creates the formats in wb for lang. */
void xs_formats_init(lxw_workbook *wb, enum rpt_lang lang, struct xs_formats *f);

#define XS_MAX_COLS 64

struct xs_sheet {
    lxw_worksheet *ws;
    const struct xs_formats *f;
    lxw_row_t row; /* the row being written */
    double width[XS_MAX_COLS];
    double min_width[XS_MAX_COLS];
    int error;  /* the first enum rpt_error */
    char *clip; /* RPT_CELL_MAX + 1 bytes for long texts */
    /* The last row and column written (or reserved, see xs_reserve): the
     * print area xs_close sets; -1 while nothing is. */
    long last_row, last_col;
};

/* Adds a worksheet; sets s->error when that fails. */
void xs_open(struct xs_sheet *s, lxw_workbook *wb, const struct xs_formats *f, const char *name);
/* Sets the column widths measured, frees the buffers. Returns s->error. */
int xs_close(struct xs_sheet *s);

/* Moves to the next row (rows are only ever written in order). */
void xs_next(struct xs_sheet *s);
/* Skips n rows. */
void xs_skip(struct xs_sheet *s, unsigned n);

/* Cells of the current row. Text (ours or a user's) is always written as
 * a string, never as a formula, clipped to what a cell holds; NULL writes
 * a blank cell in fmt. */
void xs_text(struct xs_sheet *s, int col, const char *text, lxw_format *fmt);
void xs_number(struct xs_sheet *s, int col, double v, lxw_format *fmt);
/* Integer counts, metres (two decimals), euros from cents, a share (0..1). */
void xs_int(struct xs_sheet *s, int col, long long v, lxw_format *fmt);
void xs_metres(struct xs_sheet *s, int col, double v, lxw_format *fmt);
void xs_cents(struct xs_sheet *s, int col, long long cents, lxw_format *fmt);
void xs_share(struct xs_sheet *s, int col, double v, lxw_format *fmt);
/* A date cell from "YYYY-MM-DD"; NULL or invalid writes a blank cell. */
void xs_date(struct xs_sheet *s, int col, const char *ymd, lxw_format *fmt);
/* A date and time cell of the instant t in Europe/Berlin local time. */
void xs_datetime(struct xs_sheet *s, int col, time_t t, lxw_format *fmt);

/* Writes n column headers into the current row and moves on. */
void xs_header(struct xs_sheet *s, const char *const *labels, int n);
/* An autofilter on the header row just written (the row above the
 * current one) and the nrows rows that will follow it, columns 0..last_col.
 * Constant-memory mode only accepts it before those rows are written. */
void xs_autofilter(struct xs_sheet *s, int last_col, size_t nrows);
/* Freezes the rows above the current one (table headers). */
void xs_freeze_here(struct xs_sheet *s);

/* The page header and footer of every sheet of the workbook: the project
 * on the left and the date (as-of or period) on the right at the top; the
 * document title on the left, "preliminary" in the middle when it is, and
 * "page x of y" on the right at the bottom. */
void xs_page_texts(struct xs_formats *f, const char *project, const char *date_label,
                   const char *date_text, const char *title, int preliminary);

/* Page set-up for printing: landscape or portrait, A4, one page wide, the
 * rows first..last repeated on every page (last < first: none), the page
 * header and footer of xs_page_texts. xs_close sets the print area to
 * what was written. */
void xs_print_setup(struct xs_sheet *s, int landscape, lxw_row_t repeat_first,
                    lxw_row_t repeat_last);

/* Counts rows up to last and columns up to last_col as used (a chart drawn
 * over empty cells), for the print area. */
void xs_reserve(struct xs_sheet *s, lxw_row_t last, int last_col);

/* Widens col to at least w characters (titles excluded from measuring). */
void xs_min_width(struct xs_sheet *s, int col, double w);
/* Stops measuring col (a long title cell in it must not widen it). */
void xs_title(struct xs_sheet *s, int col, const char *text, lxw_format *fmt);

/* A new workbook in constant-memory mode, its temporary files in tmpdir
 * (NULL: /tmp). Returns NULL when the file cannot be created. */
lxw_workbook *xs_workbook_new(const char *path, const char *tmpdir);
/* workbook_close with the parts deflated at a faster zlib level than
 * libxlsxwriter's default (see zip_level.c): the same content, a somewhat
 * larger file. */
lxw_error xs_workbook_close(lxw_workbook *wb);
/* Title, author, company and creation time of the document. */
void xs_properties(lxw_workbook *wb, const struct rpt_meta *meta, const char *title,
                   const struct rpt_project *p);

/* Maps a libxlsxwriter error into s->error. */
void xs_check(struct xs_sheet *s, lxw_error e);

#endif
