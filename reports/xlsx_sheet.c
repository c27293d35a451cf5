/* xlsx_sheet.c — shared writing helpers of the workbooks. */
#include "reports/xlsx_sheet.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report_labels.h"
#include "reports/report_util.h"
#include "util/berlin_time.h"

#define MONEY_FMT "#,##0.00 \"€\";[Red]-#,##0.00 \"€\""
#define MIN_COL 6.0
#define MAX_COL 60.0

static lxw_format *fmt(lxw_workbook *wb, const char *num, int bold, lxw_color_t bg, lxw_color_t fg)
{
    lxw_format *f = workbook_add_format(wb);
    if (!f)
        return NULL;
    if (num)
        format_set_num_format(f, num);
    if (bold)
        format_set_bold(f);
    if (bg) {
        format_set_pattern(f, LXW_PATTERN_SOLID);
        format_set_bg_color(f, bg);
    }
    if (fg)
        format_set_font_color(f, fg);
    return f;
}

static void style_init(lxw_workbook *wb, enum rpt_lang lang, struct xs_style *st, int bold,
                       lxw_color_t bg, lxw_color_t fg)
{
    /* "@" (Text) keeps a user's text text when someone edits the cell. */
    st->text = fmt(wb, "@", bold, bg, fg);
    st->integer = fmt(wb, "#,##0", bold, bg, fg);
    st->metres = fmt(wb, "#,##0.00", bold, bg, fg);
    st->percent = fmt(wb, "0.0%", bold, bg, fg);
    st->rate = fmt(wb, "0.00%", bold, bg, fg);
    st->money = fmt(wb, MONEY_FMT, bold, bg, fg);
    st->date = fmt(wb, lang == RPT_DE ? "dd.mm.yyyy" : "yyyy-mm-dd", bold, bg, fg);
}

void xs_formats_init(lxw_workbook *wb, enum rpt_lang lang, struct xs_formats *f)
{
    memset(f, 0, sizeof(*f));
    f->lang = lang;
    f->title = fmt(wb, "@", 1, 0, 0x1F3864);
    if (f->title)
        format_set_font_size(f->title, 16);
    f->subtitle = fmt(wb, "@", 1, 0, 0);
    if (f->subtitle)
        format_set_font_size(f->subtitle, 12);
    f->section = fmt(wb, "@", 1, 0, 0x1F3864);
    if (f->section) {
        format_set_font_size(f->section, 12);
        format_set_bottom(f->section, LXW_BORDER_THIN);
    }
    f->header = fmt(wb, "@", 1, 0xD9E1F2, 0);
    if (f->header)
        format_set_bottom(f->header, LXW_BORDER_THIN);
    f->label = fmt(wb, "@", 1, 0, 0);
    f->note = fmt(wb, "@", 0, 0, 0x595959);
    if (f->note)
        format_set_italic(f->note);
    f->datetime = fmt(wb, lang == RPT_DE ? "dd.mm.yyyy hh:mm" : "yyyy-mm-dd hh:mm", 0, 0, 0);
    f->date_bold = fmt(wb, lang == RPT_DE ? "dd.mm.yyyy" : "yyyy-mm-dd", 1, 0, 0x1F3864);
    if (f->date_bold)
        format_set_font_size(f->date_bold, 16);
    f->wrap = fmt(wb, "@", 0, 0, 0);
    if (f->wrap) {
        format_set_text_wrap(f->wrap);
        format_set_align(f->wrap, LXW_ALIGN_VERTICAL_TOP);
    }
    f->warning = fmt(wb, "@", 1, 0xFFEB9C, 0x9C5700);
    if (f->warning)
        format_set_font_size(f->warning, 12);
    f->signature = fmt(wb, "@", 0, 0, 0);
    if (f->signature)
        format_set_bottom(f->signature, LXW_BORDER_THIN);
    style_init(wb, lang, &f->st[XS_NORMAL], 0, 0, 0);
    /* Excel's own "bad" and "neutral" cell styles. */
    style_init(wb, lang, &f->st[XS_LATE], 0, 0xFFC7CE, 0x9C0006);
    style_init(wb, lang, &f->st[XS_RISK], 0, 0xFFEB9C, 0x9C5700);
    style_init(wb, lang, &f->st[XS_TOTAL], 1, 0xF2F2F2, 0);
    if (f->st[XS_TOTAL].text) {
        struct xs_style *t = &f->st[XS_TOTAL];
        lxw_format *all[] = {t->text, t->integer, t->metres, t->percent,
                             t->rate, t->money,   t->date};
        for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
            if (all[i])
                format_set_top(all[i], LXW_BORDER_THIN);
    }
}

void xs_check(struct xs_sheet *s, lxw_error e)
{
    if (e == LXW_NO_ERROR || s->error)
        return;
    s->error = e == LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE ? RPT_TOO_LARGE : RPT_WRITE;
}

void xs_open(struct xs_sheet *s, lxw_workbook *wb, const struct xs_formats *f, const char *name)
{
    memset(s, 0, sizeof(*s));
    s->f = f;
    s->ws = workbook_add_worksheet(wb, name);
    s->clip = malloc(RPT_CELL_MAX + 1);
    s->last_row = s->last_col = -1;
    if (!s->ws || !s->clip)
        s->error = RPT_WRITE;
}

int xs_close(struct xs_sheet *s)
{
    if (s->ws) {
        for (int c = 0; c < XS_MAX_COLS; c++) {
            double w = s->width[c] > s->min_width[c] ? s->width[c] : s->min_width[c];
            if (w <= 0)
                continue;
            w += 2;
            if (w < MIN_COL)
                w = MIN_COL;
            if (w > MAX_COL)
                w = MAX_COL;
            xs_check(s, worksheet_set_column(s->ws, (lxw_col_t)c, (lxw_col_t)c, w, NULL));
        }
        if (s->last_row >= 0 && s->last_col >= 0)
            xs_check(s, worksheet_print_area(s->ws, 0, 0, (lxw_row_t)s->last_row,
                                             (lxw_col_t)s->last_col));
    }
    free(s->clip);
    s->clip = NULL;
    return s->error;
}

void xs_next(struct xs_sheet *s) { s->row++; }

void xs_skip(struct xs_sheet *s, unsigned n) { s->row += n; }

static int writable(struct xs_sheet *s, int col)
{
    if (s->error)
        return 0;
    if (s->row >= LXW_ROW_MAX) {
        s->error = RPT_TOO_LARGE;
        return 0;
    }
    if (col < 0 || col >= XS_MAX_COLS)
        return 0;
    if ((long)s->row > s->last_row)
        s->last_row = (long)s->row;
    if (col > s->last_col)
        s->last_col = col;
    return 1;
}

void xs_reserve(struct xs_sheet *s, lxw_row_t last, int last_col)
{
    if ((long)last > s->last_row)
        s->last_row = (long)last;
    if (last_col > s->last_col && last_col < XS_MAX_COLS)
        s->last_col = last_col;
}

static void measure(struct xs_sheet *s, int col, double w)
{
    if (w > s->width[col])
        s->width[col] = w;
}

void xs_min_width(struct xs_sheet *s, int col, double w)
{
    if (col >= 0 && col < XS_MAX_COLS && w > s->min_width[col])
        s->min_width[col] = w;
}

void xs_text(struct xs_sheet *s, int col, const char *text, lxw_format *f)
{
    if (!writable(s, col))
        return;
    if (!text || !*text) {
        if (f)
            xs_check(s, worksheet_write_blank(s->ws, s->row, (lxw_col_t)col, f));
        return;
    }
    const char *t = rpt_clip(text, s->clip);
    xs_check(s, worksheet_write_string(s->ws, s->row, (lxw_col_t)col, t, f));
    measure(s, col, (double)rpt_text_width(t));
}

void xs_title(struct xs_sheet *s, int col, const char *text, lxw_format *f)
{
    if (!writable(s, col) || !text)
        return;
    xs_check(s, worksheet_write_string(s->ws, s->row, (lxw_col_t)col, rpt_clip(text, s->clip), f));
}

/* Characters of a number as shown with thousands separators. */
static double number_width(double v, int decimals)
{
    char buf[64];
    snprintf(buf, sizeof(buf), "%.*f", decimals, fabs(v));
    size_t intdigits = strcspn(buf, ".");
    return (double)strlen(buf) + (double)((intdigits - 1) / 3) + (v < 0);
}

void xs_number(struct xs_sheet *s, int col, double v, lxw_format *f)
{
    if (!writable(s, col))
        return;
    xs_check(s, worksheet_write_number(s->ws, s->row, (lxw_col_t)col, v, f));
    measure(s, col, number_width(v, 2));
}

void xs_int(struct xs_sheet *s, int col, long long v, lxw_format *f)
{
    if (!writable(s, col))
        return;
    xs_check(s, worksheet_write_number(s->ws, s->row, (lxw_col_t)col, (double)v, f));
    measure(s, col, number_width((double)v, 0));
}

void xs_metres(struct xs_sheet *s, int col, double v, lxw_format *f)
{
    if (!writable(s, col))
        return;
    /* Stored with two decimals: drop the binary noise of sums. */
    double m = round(v * 100.0) / 100.0;
    /* A small negative sum rounds to -0, which a spreadsheet shows as "-0.00". */
    if (m == 0 && signbit(m))
        m = 0.0;
    xs_check(s, worksheet_write_number(s->ws, s->row, (lxw_col_t)col, m, f));
    measure(s, col, number_width(m, 2));
}

void xs_cents(struct xs_sheet *s, int col, long long cents, lxw_format *f)
{
    if (!writable(s, col))
        return;
    xs_check(s, worksheet_write_number(s->ws, s->row, (lxw_col_t)col, (double)cents / 100.0, f));
    measure(s, col, number_width((double)cents / 100.0, 2) + 2);
}

void xs_share(struct xs_sheet *s, int col, double v, lxw_format *f)
{
    if (!writable(s, col))
        return;
    xs_check(s, worksheet_write_number(s->ws, s->row, (lxw_col_t)col, v, f));
    measure(s, col, 7);
}

void xs_date(struct xs_sheet *s, int col, const char *ymd, lxw_format *f)
{
    long days;
    if (!ymd || rpt_date_days(ymd, &days) || strncmp(ymd, "1900", 4) < 0) {
        xs_text(s, col, NULL, f);
        return;
    }
    if (!writable(s, col))
        return;
    lxw_datetime dt = {0};
    dt.year = atoi(ymd);
    dt.month = atoi(ymd + 5);
    dt.day = atoi(ymd + 8);
    xs_check(s, worksheet_write_datetime(s->ws, s->row, (lxw_col_t)col, &dt, f));
    measure(s, col, 10);
}

void xs_datetime(struct xs_sheet *s, int col, time_t t, lxw_format *f)
{
    if (!writable(s, col))
        return;
    struct tm tm;
    berlin_local(t, &tm);
    lxw_datetime dt = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                       tm.tm_hour,        tm.tm_min,     (double)tm.tm_sec};
    xs_check(s, worksheet_write_datetime(s->ws, s->row, (lxw_col_t)col, &dt, f));
    measure(s, col, 16);
}

void xs_header(struct xs_sheet *s, const char *const *labels, int n)
{
    for (int c = 0; c < n; c++)
        xs_text(s, c, labels[c], s->f->header);
    xs_next(s);
}

void xs_autofilter(struct xs_sheet *s, int last_col, size_t nrows)
{
    if (!s->ws || s->row == 0)
        return;
    lxw_row_t header = s->row - 1;
    size_t last = (size_t)header + nrows;
    if (last >= LXW_ROW_MAX)
        last = LXW_ROW_MAX - 1;
    xs_check(s, worksheet_autofilter(s->ws, header, 0, (lxw_row_t)last, (lxw_col_t)last_col));
}

void xs_freeze_here(struct xs_sheet *s)
{
    if (s->ws)
        worksheet_freeze_panes(s->ws, s->row, 0);
}

/* Appends text to a header/footer: '&' starts a control code there, so it
 * is doubled; at most max bytes of text are taken, cut at a character. */
static void page_add(char *out, size_t n, const char *text, size_t max)
{
    size_t j = strlen(out), taken = 0;
    for (const char *p = text ? text : ""; *p && j + 3 < n; p++, taken++) {
        if (taken >= max && ((unsigned char)*p & 0xC0) != 0x80)
            break;
        if (*p == '&')
            out[j++] = '&';
        out[j++] = *p;
    }
    out[j] = '\0';
}

void xs_page_texts(struct xs_formats *f, const char *project, const char *date_label,
                   const char *date_text, const char *title, int preliminary)
{
    /* libxlsxwriter takes at most 255 characters; the parts are capped so
     * that the control codes always fit. */
    snprintf(f->page_header, sizeof(f->page_header), "&L");
    page_add(f->page_header, sizeof(f->page_header), project, 120);
    snprintf(f->page_header + strlen(f->page_header),
             sizeof(f->page_header) - strlen(f->page_header), "&R");
    page_add(f->page_header, sizeof(f->page_header), date_label, 40);
    page_add(f->page_header, sizeof(f->page_header), " ", 1);
    page_add(f->page_header, sizeof(f->page_header), date_text, 40);
    snprintf(f->page_footer, sizeof(f->page_footer), "&L");
    page_add(f->page_footer, sizeof(f->page_footer), title, 100);
    if (preliminary) {
        snprintf(f->page_footer + strlen(f->page_footer),
                 sizeof(f->page_footer) - strlen(f->page_footer), "&C");
        page_add(f->page_footer, sizeof(f->page_footer), rpt_text(f->lang, T_PRELIMINARY), 40);
    }
    snprintf(f->page_footer + strlen(f->page_footer),
             sizeof(f->page_footer) - strlen(f->page_footer), "&R%s", rpt_text(f->lang, T_PAGE_OF));
}

void xs_print_setup(struct xs_sheet *s, int landscape, lxw_row_t repeat_first,
                    lxw_row_t repeat_last)
{
    if (!s->ws)
        return;
    if (landscape)
        worksheet_set_landscape(s->ws);
    else
        worksheet_set_portrait(s->ws);
    worksheet_set_paper(s->ws, 9); /* A4 */
    worksheet_fit_to_pages(s->ws, 1, 0);
    worksheet_set_margins(s->ws, 0.5, 0.5, 0.75, 0.75);
    if (repeat_last >= repeat_first)
        xs_check(s, worksheet_repeat_rows(s->ws, repeat_first, repeat_last));
    xs_check(s, worksheet_set_header(s->ws, s->f->page_header));
    xs_check(s, worksheet_set_footer(s->ws, s->f->page_footer));
}

lxw_workbook *xs_workbook_new(const char *path, const char *tmpdir)
{
    char dir[512] = "/tmp";
    if (tmpdir && *tmpdir && strlen(tmpdir) < sizeof(dir))
        snprintf(dir, sizeof(dir), "%s", tmpdir);
    /* workbook_new_opt keeps a copy of tmpdir. */
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = dir, .use_zip64 = LXW_FALSE};
    return workbook_new_opt(path, &opt);
}

void xs_properties(lxw_workbook *wb, const struct rpt_meta *meta, const char *title,
                   const struct rpt_project *p)
{
    char t[300], author[210], company[210];
    snprintf(t, sizeof(t), "%s %s", title, p->code ? p->code : "");
    snprintf(author, sizeof(author), "%s", meta->generated_by ? meta->generated_by : "");
    snprintf(company, sizeof(company), "%s", p->municipality ? p->municipality : "");
    lxw_doc_properties props = {0};
    props.title = t;
    props.author = author;
    props.company = company;
    props.created = meta->generated_at;
    workbook_set_properties(wb, &props);
}
