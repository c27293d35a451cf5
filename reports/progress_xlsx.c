/* progress_xlsx.c — progress.xlsx (SPEC 5), the progress report for the
 * funding agency: Cover, Summary (with two charts), Milestones, Segments,
 * Premises, Contractors and Costs, all as of one date.
 *
 * The workbook is written in constant-memory mode: every sheet's rows go
 * to disk in order, so 100,000 segments and 200,000 premises take no more
 * memory than one chunk of them. Every total is taken from the summary
 * struct (the same numbers GET /summary answers). The Segments sheet is
 * written first, though it is not the first tab: the plan curve of the
 * Summary is summed up from its rows as they stream past. */
#include "reports/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report_labels.h"
#include "reports/report_util.h"
#include "reports/xlsx_sheet.h"

#define CHUNK 2000

/* The weekly series: the plan (from the segments' planned dates) and the
 * built metres per week (cumulative), and the metres each contractor built
 * in each week. */
struct weekly {
    struct rpt_weeks w;
    double *plan, *built, *built_delta; /* [w.n] */
    double *by_contractor;              /* [ncontractors * w.n] */
};

static int weekly_build(struct weekly *wk, const struct progress_workbook *rep)
{
    memset(wk, 0, sizeof(*wk));
    const char *first = rep->as_of;
    long d;
    if (rep->project.start_date && rpt_date_days(rep->project.start_date, &d) == 0)
        first = rep->project.start_date;
    else if (rep->ndays)
        first = rep->days[0].date;
    if (rpt_weeks_init(&wk->w, first, rep->as_of))
        return -1;
    size_t n = wk->w.n, nc = rep->ncontractors;
    wk->plan = calloc(n, sizeof(double));
    wk->built = calloc(n, sizeof(double));
    wk->built_delta = calloc(n, sizeof(double));
    wk->by_contractor = calloc(n * (nc ? nc : 1), sizeof(double));
    if (!wk->plan || !wk->built || !wk->built_delta || !wk->by_contractor)
        return -1;
    for (size_t i = 0; i < rep->ndays; i++) {
        const struct rpt_day *day = &rep->days[i];
        long k = rpt_weeks_index(&wk->w, day->date);
        if (k < 0)
            continue;
        wk->built[k] += day->built_delta;
        wk->built_delta[k] += day->built_delta;
        for (size_t c = 0; c < nc; c++)
            if (rep->contractors[c].id == day->contractor_id) {
                wk->by_contractor[c * n + (size_t)k] += day->built_delta;
                break;
            }
    }
    for (size_t k = 1; k < n; k++) {
        wk->built[k] += wk->built[k - 1];
    }
    return 0;
}

static void weekly_free(struct weekly *wk)
{
    free(wk->plan);
    free(wk->built);
    free(wk->built_delta);
    free(wk->by_contractor);
}

static const char *T(const struct progress_workbook *rep, enum rpt_text t)
{
    return rpt_text(rep->meta.lang, t);
}

static const char *V(const struct progress_workbook *rep, enum rpt_vocab v, const char *value)
{
    return rpt_value(rep->meta.lang, v, value);
}

static double ratio(double a, double b) { return b > 0 ? a / b : 0; }

/* ---- Cover ---- */

static void label_text(struct xs_sheet *s, const char *label, const char *value)
{
    xs_text(s, 0, label, s->f->label);
    xs_text(s, 1, value, s->f->st[XS_NORMAL].text);
    xs_next(s);
}

static void label_date(struct xs_sheet *s, const char *label, const char *ymd)
{
    xs_text(s, 0, label, s->f->label);
    xs_date(s, 1, ymd, s->f->st[XS_NORMAL].date);
    xs_next(s);
}

static void write_cover(struct xs_sheet *s, const struct progress_workbook *rep)
{
    const struct rpt_project *p = &rep->project;
    const struct xs_style *n = &s->f->st[XS_NORMAL];
    xs_title(s, 0, T(rep, T_PROGRESS_TITLE), s->f->title);
    xs_next(s);
    xs_title(s, 0, p->name, s->f->subtitle);
    xs_next(s);
    if (rep->meta.preliminary) {
        xs_title(s, 0, T(rep, T_PRELIMINARY), s->f->warning);
        xs_title(s, 1, T(rep, T_PRELIMINARY_NOTE), s->f->note);
    }
    xs_skip(s, 1);
    label_text(s, T(rep, T_PROJECT), p->name);
    label_text(s, T(rep, T_PROJECT_CODE), p->code);
    label_text(s, T(rep, T_GRANT_REFERENCE), p->grant_reference);
    label_text(s, T(rep, T_RECIPIENT), p->municipality);
    label_text(s, T(rep, T_PROGRAMME), p->programme);
    label_date(s, T(rep, T_PROJECT_START), p->start_date);
    label_date(s, T(rep, T_PROJECT_END), p->planned_end_date);
    xs_text(s, 0, T(rep, T_BUDGET), s->f->label);
    xs_cents(s, 1, p->budget_cents, n->money);
    xs_next(s);
    xs_text(s, 0, T(rep, T_FEDERAL_RATE), s->f->label);
    xs_share(s, 1, p->federal_rate, n->rate);
    xs_next(s);
    xs_text(s, 0, T(rep, T_STATE_RATE), s->f->label);
    xs_share(s, 1, p->state_rate, n->rate);
    xs_next(s);
    xs_skip(s, 1);
    label_date(s, T(rep, T_AS_OF), rep->as_of);
    xs_text(s, 0, T(rep, T_GENERATED_AT), s->f->label);
    xs_datetime(s, 1, rep->meta.generated_at, s->f->datetime);
    xs_next(s);
    label_text(s, T(rep, T_GENERATED_BY), rep->meta.generated_by);
    xs_skip(s, 1);
    xs_text(s, 0, T(rep, T_CONTENTS), s->f->section);
    xs_next(s);
    static const enum rpt_text sheets[][2] = {
        {T_SHEET_SUMMARY, T_ABOUT_SUMMARY},       {T_SHEET_NARRATIVE, T_ABOUT_NARRATIVE},
        {T_SHEET_MILESTONES, T_ABOUT_MILESTONES}, {T_SHEET_SEGMENTS, T_ABOUT_SEGMENTS},
        {T_SHEET_PREMISES, T_ABOUT_PREMISES},     {T_SHEET_CONTRACTORS, T_ABOUT_CONTRACTORS},
        {T_SHEET_COSTS, T_ABOUT_COSTS},
    };
    for (size_t i = 0; i < sizeof(sheets) / sizeof(sheets[0]); i++) {
        xs_text(s, 0, T(rep, sheets[i][0]), n->text);
        xs_title(s, 1, T(rep, sheets[i][1]), n->text);
        xs_next(s);
    }
    xs_skip(s, 1);
    xs_title(s, 0, T(rep, T_ABOUT_HISTORY), s->f->note);
    xs_min_width(s, 1, 40);
    xs_print_setup(s, 0, 1, 0);
}

/* ---- Summary ---- */

static void kpi_int(struct xs_sheet *s, const char *label, long long v)
{
    xs_text(s, 0, label, s->f->st[XS_NORMAL].text);
    xs_int(s, 1, v, s->f->st[XS_NORMAL].integer);
    xs_next(s);
}

static void kpi_metres(struct xs_sheet *s, const char *label, double v)
{
    xs_text(s, 0, label, s->f->st[XS_NORMAL].text);
    xs_metres(s, 1, v, s->f->st[XS_NORMAL].metres);
    xs_next(s);
}

static void kpi_money(struct xs_sheet *s, const char *label, long long cents)
{
    xs_text(s, 0, label, s->f->st[XS_NORMAL].text);
    xs_cents(s, 1, cents, s->f->st[XS_NORMAL].money);
    xs_next(s);
}

static void kpi_share(struct xs_sheet *s, const char *label, double v)
{
    xs_text(s, 0, label, s->f->st[XS_NORMAL].text);
    xs_share(s, 1, v, s->f->st[XS_NORMAL].percent);
    xs_next(s);
}

static void section(struct xs_sheet *s, const char *title)
{
    xs_title(s, 0, title, s->f->section);
    xs_text(s, 1, NULL, s->f->section);
    xs_text(s, 2, NULL, s->f->section);
    xs_next(s);
}

static void write_summary(struct xs_sheet *s, lxw_workbook *wb, const char *sheetname,
                          const struct progress_workbook *rep, const struct weekly *wk)
{
    const struct summary *sm = rep->summary;
    const struct xs_style *n = &s->f->st[XS_NORMAL];
    xs_title(s, 0, T(rep, T_KEY_FIGURES), s->f->title);
    xs_date(s, 1, rep->as_of, s->f->date_bold);
    xs_next(s);
    xs_title(s, 0, rep->project.name, s->f->subtitle);
    xs_skip(s, 2);
    const char *head[] = {T(rep, T_KEY_FIGURE), T(rep, T_VALUE)};
    xs_header(s, head, 2);
    xs_freeze_here(s);

    section(s, T(rep, T_NETWORK));
    kpi_metres(s, T(rep, T_PLANNED_LENGTH), sm->planned_length_m);
    kpi_metres(s, T(rep, T_BUILT_LENGTH), sm->built_length_m);
    kpi_share(s, T(rep, T_PROGRESS), ratio(sm->built_length_m, sm->planned_length_m));
    xs_skip(s, 1);

    section(s, T(rep, T_SEGMENTS_BY_STATUS));
    long long nseg = 0;
    for (int i = 0; i < SEG_STATUS_COUNT; i++) {
        kpi_int(s, V(rep, V_SEGMENT_STATUS, segment_status_names[i]), sm->segments_by_status[i]);
        nseg += sm->segments_by_status[i];
    }
    xs_text(s, 0, T(rep, T_SEGMENTS_TOTAL), s->f->st[XS_TOTAL].text);
    xs_int(s, 1, nseg, s->f->st[XS_TOTAL].integer);
    xs_next(s);
    xs_skip(s, 1);

    section(s, T(rep, T_LENGTH_BY_METHOD));
    const char *mhead[] = {T(rep, T_METHOD), T(rep, T_PLANNED_M), T(rep, T_BUILT_M)};
    xs_header(s, mhead, 3);
    for (int m = 0; m < METHOD_COUNT; m++) {
        if (sm->planned_by_method[m] == 0 && sm->built_by_method[m] == 0)
            continue;
        xs_text(s, 0, V(rep, V_METHOD, method_names[m]), n->text);
        xs_metres(s, 1, sm->planned_by_method[m], n->metres);
        xs_metres(s, 2, sm->built_by_method[m], n->metres);
        xs_next(s);
    }
    xs_skip(s, 1);

    section(s, T(rep, T_PREMISES));
    kpi_int(s, T(rep, T_PREMISES_TOTAL), sm->premises_total);
    lxw_row_t prem_first = s->row;
    for (int i = 0; i < PREM_STATUS_COUNT; i++)
        kpi_int(s, V(rep, V_PREMISE_STATUS, premise_status_names[i]), sm->premises_by_status[i]);
    lxw_row_t prem_last = s->row - 1;
    kpi_int(s, T(rep, T_WHITE_SPOTS), sm->white_spots_total);
    kpi_int(s, T(rep, T_WHITE_SPOTS_PASSED), sm->white_spots_passed);
    kpi_share(s, T(rep, T_WHITE_SPOTS_SHARE),
              ratio((double)sm->white_spots_passed, (double)sm->white_spots_total));
    xs_skip(s, 1);

    section(s, T(rep, T_MILESTONES));
    for (int i = 0; i < MS_STATE_COUNT; i++)
        kpi_int(s, V(rep, V_MILESTONE_STATE, milestone_state_names[i]), sm->milestones[i]);
    xs_skip(s, 1);

    section(s, T(rep, T_COSTS));
    kpi_money(s, T(rep, T_BUDGET), sm->budget_cents);
    kpi_money(s, T(rep, T_INVOICED), sm->invoiced_cents);
    kpi_money(s, T(rep, T_ELIGIBLE), sm->eligible_cents);
    kpi_money(s, T(rep, T_PAID), sm->paid_cents);
    kpi_money(s, T(rep, T_FEDERAL_SHARE), sm->federal_cents);
    kpi_money(s, T(rep, T_STATE_SHARE), sm->state_cents);
    kpi_money(s, T(rep, T_MUNICIPAL_SHARE), sm->municipal_cents);
    kpi_share(s, T(rep, T_BUDGET_USED),
              ratio((double)sm->eligible_cents, (double)sm->budget_cents));
    xs_skip(s, 1);

    xs_title(s, 0, T(rep, T_PLAN_NOTE), s->f->note);
    xs_skip(s, 2);

    /* The charts below the key figures and above their data, no wider
     * than the tables: printed one page wide, the text keeps its size. */
    lxw_row_t line_row = s->row, bars_row = line_row + 20;
    xs_skip(s, 40);
    xs_reserve(s, s->row - 1, 4);

    /* The weekly series, the data of the first chart. */
    section(s, T(rep, T_WEEKLY_PROGRESS));
    const char *whead[] = {T(rep, T_WEEK), T(rep, T_WEEK_ENDING), T(rep, T_PLANNED_CUMULATIVE),
                           T(rep, T_BUILT_CUMULATIVE), T(rep, T_BUILT_IN_WEEK)};
    xs_header(s, whead, 5);
    lxw_row_t week_header = s->row - 1, week_first = s->row;
    for (size_t i = 0; i < wk->w.n; i++) {
        char label[12], end[11];
        rpt_iso_week(rpt_weeks_start(&wk->w, i), label);
        rpt_days_date(rpt_weeks_end(&wk->w, i), end);
        xs_text(s, 0, label, n->text);
        xs_date(s, 1, end, n->date);
        xs_metres(s, 2, wk->plan[i], n->metres);
        xs_metres(s, 3, wk->built[i], n->metres);
        xs_metres(s, 4, wk->built_delta[i], n->metres);
        xs_next(s);
    }
    lxw_row_t week_last = s->row - 1;
    for (int c = 1; c <= 4; c++)
        xs_min_width(s, c, 16);

    if (s->error || !s->ws)
        return;
    lxw_chart *line = workbook_add_chart(wb, LXW_CHART_LINE);
    lxw_chart *bars = workbook_add_chart(wb, LXW_CHART_COLUMN);
    if (!line || !bars) {
        s->error = RPT_WRITE;
        return;
    }
    for (int c = 2; c <= 3; c++) {
        lxw_chart_series *ser = chart_add_series(line, NULL, NULL);
        chart_series_set_categories(ser, sheetname, week_first, 1, week_last, 1);
        chart_series_set_values(ser, sheetname, week_first, (lxw_col_t)c, week_last, (lxw_col_t)c);
        chart_series_set_name_range(ser, sheetname, week_header, (lxw_col_t)c);
    }
    chart_title_set_name(line, T(rep, T_CHART_METRES));
    chart_axis_set_name(line->y_axis, T(rep, T_METRES));
    chart_axis_set_num_format(line->x_axis, rep->meta.lang == RPT_DE ? "dd.mm.yy" : "yyyy-mm-dd");
    chart_axis_set_num_format(line->y_axis, "#,##0");
    chart_legend_set_position(line, LXW_CHART_LEGEND_BOTTOM);
    lxw_chart_options big = {.x_offset = 4, .y_offset = 4, .x_scale = 1.45, .y_scale = 1.25};
    xs_check(s, worksheet_insert_chart_opt(s->ws, line_row, 0, line, &big));

    lxw_chart_series *ser = chart_add_series(bars, NULL, NULL);
    chart_series_set_categories(ser, sheetname, prem_first, 0, prem_last, 0);
    chart_series_set_values(ser, sheetname, prem_first, 1, prem_last, 1);
    chart_series_set_name(ser, T(rep, T_PREMISES));
    chart_series_set_labels(ser);
    chart_title_set_name(bars, T(rep, T_CHART_PREMISES));
    chart_axis_set_name(bars->y_axis, T(rep, T_COUNT));
    chart_legend_set_position(bars, LXW_CHART_LEGEND_NONE);
    lxw_chart_options mid = {.x_offset = 4, .y_offset = 4, .x_scale = 1.45, .y_scale = 1.2};
    xs_check(s, worksheet_insert_chart_opt(s->ws, bars_row, 0, bars, &mid));
    xs_print_setup(s, 0, 1, 0);
}

/* ---- Sachbericht ---- */

/* Writes one paragraph of running text into column 0, in a row tall enough
 * for its wrapped lines (about 95 characters each on a 100-wide column). */
static void paragraph(struct xs_sheet *s, const char *text, size_t len)
{
    char *line = malloc(len + 1);
    if (!line) {
        s->error = RPT_WRITE;
        return;
    }
    memcpy(line, text, len);
    line[len] = '\0';
    size_t chars = rpt_text_width(line);
    size_t lines = chars / 95 + 1;
    if (lines > 409 / 15)
        lines = 409 / 15; /* Excel's tallest row is 409 points */
    if (s->ws && !s->error)
        xs_check(s, worksheet_set_row(s->ws, s->row, 15.0 * (double)lines, NULL));
    xs_title(s, 0, line, s->f->wrap);
    xs_reserve(s, s->row, 0);
    xs_next(s);
    free(line);
}

static void write_narrative(struct xs_sheet *s, const struct progress_workbook *rep)
{
    int de = rep->meta.lang == RPT_DE;
    xs_title(s, 0, T(rep, T_NARRATIVE_TITLE), s->f->title);
    xs_next(s);
    xs_title(s, 0, rep->project.name, s->f->subtitle);
    xs_skip(s, 2);
    if (rep->nnotes == 0) {
        xs_title(s, 0, T(rep, T_NO_NARRATIVE), s->f->note);
        xs_next(s);
    }
    for (size_t i = 0; i < rep->nnotes && !s->error; i++) {
        const struct rpt_note *note = &rep->notes[i];
        char from[11], to[11], head[160];
        rpt_date_text(note->period_from, de, from);
        rpt_date_text(note->period_to, de, to);
        snprintf(head, sizeof(head), "%s %s \xe2\x80\x93 %s", T(rep, T_REPORT_PERIOD), from, to);
        xs_title(s, 0, head, s->f->section);
        xs_next(s);
        /* One row per paragraph, so that pages break between them. */
        const char *p = note->text ? note->text : "";
        while (*p) {
            size_t len = strcspn(p, "\n");
            if (len)
                paragraph(s, p, len);
            p += len;
            if (*p == '\n')
                p++;
        }
        xs_skip(s, 1);
    }
    if (s->ws && !s->error)
        xs_check(s, worksheet_set_column(s->ws, 0, 0, 100, NULL));
    xs_print_setup(s, 0, 1, 0);
}

/* ---- Milestones ---- */

static void write_milestones(struct xs_sheet *s, const struct progress_workbook *rep)
{
    const char *head[] = {T(rep, T_MILESTONE), T(rep, T_KIND),          T(rep, T_FUNDING_RELEVANT),
                          T(rep, T_TRANCHE),   T(rep, T_PLANNED),       T(rep, T_FORECAST),
                          T(rep, T_ACTUAL),    T(rep, T_VARIANCE_DAYS), T(rep, T_STATE),
                          T(rep, T_NOTES)};
    xs_header(s, head, 10);
    xs_freeze_here(s);
    xs_autofilter(s, 9, rep->nmilestones);
    for (size_t i = 0; i < rep->nmilestones; i++) {
        const struct rpt_milestone *m = &rep->milestones[i];
        enum milestone_state st =
            milestone_state_at(rep->as_of, m->planned, m->forecast, m->actual);
        const struct xs_style *y = &s->f->st[st == MS_LATE      ? XS_LATE
                                             : st == MS_AT_RISK ? XS_RISK
                                                                : XS_NORMAL];
        char fallback[40];
        snprintf(fallback, sizeof(fallback), "#%lld", m->id);
        xs_text(s, 0, m->name ? m->name : fallback, y->text);
        xs_text(s, 1, V(rep, V_MILESTONE_KIND, m->kind), y->text);
        xs_text(s, 2, T(rep, m->funding_relevant ? T_YES : T_NO), y->text);
        xs_cents(s, 3, m->tranche_cents, y->money);
        xs_date(s, 4, m->planned, y->date);
        xs_date(s, 5, m->forecast, y->date);
        xs_date(s, 6, st == MS_DONE ? m->actual : NULL, y->date);
        long var;
        if (rpt_milestone_variance(rep->as_of, m->planned, m->forecast, m->actual, &var) == 0)
            xs_int(s, 7, var, y->integer);
        else
            xs_text(s, 7, NULL, y->integer);
        xs_text(s, 8, V(rep, V_MILESTONE_STATE, milestone_state_names[st]), y->text);
        xs_text(s, 9, m->notes, y->text);
        xs_next(s);
    }
    xs_print_setup(s, 1, 0, 0);
}

/* ---- Segments and Premises: streamed in chunks ---- */

static int pull(struct xs_sheet *s, const struct rpt_source *src, void *rows, size_t *n)
{
    if (src->next(src->ctx, rows, CHUNK, n) != 0) {
        if (!s->error)
            s->error = RPT_SOURCE;
        return -1;
    }
    return 0;
}

static void write_segments(struct xs_sheet *s, const struct progress_workbook *rep,
                           struct weekly *wk)
{
    const char *head[] = {T(rep, T_SEGMENT),      T(rep, T_KIND),          T(rep, T_LOT),
                          T(rep, T_CONTRACTOR),   T(rep, T_METHOD),        T(rep, T_SURFACE),
                          T(rep, T_PLANNED_M),    T(rep, T_BUILT_M),       T(rep, T_PROGRESS),
                          T(rep, T_STATUS),       T(rep, T_PLANNED_START), T(rep, T_PLANNED_END),
                          T(rep, T_ACTUAL_START), T(rep, T_ACTUAL_END)};
    xs_header(s, head, 14);
    xs_freeze_here(s);
    /* As many rows as the summary counts segments: the same history, read
     * in the same snapshot. */
    long long nseg = 0;
    for (int i = 0; i < SEG_STATUS_COUNT; i++)
        nseg += rep->summary->segments_by_status[i];
    xs_autofilter(s, 13, (size_t)nseg);
    const struct xs_style *y = &s->f->st[XS_NORMAL];
    struct rpt_segment *rows = malloc(sizeof(*rows) * CHUNK);
    if (!rows) {
        s->error = RPT_WRITE;
        return;
    }
    for (;;) {
        size_t n = 0;
        if (s->error || pull(s, &rep->segments, rows, &n) || n == 0)
            break;
        for (size_t i = 0; i < n && !s->error; i++) {
            const struct rpt_segment *g = &rows[i];
            char fallback[40];
            snprintf(fallback, sizeof(fallback), "#%lld", g->id);
            xs_text(s, 0, g->code ? g->code : fallback, y->text);
            xs_text(s, 1, V(rep, V_SEGMENT_KIND, g->kind), y->text);
            xs_text(s, 2, g->lot_code, y->text);
            xs_text(s, 3, g->contractor, y->text);
            xs_text(s, 4, V(rep, V_METHOD, g->method), y->text);
            xs_text(s, 5, V(rep, V_SURFACE, g->surface), y->text);
            xs_metres(s, 6, g->planned_m, y->metres);
            xs_metres(s, 7, g->built_m, y->metres);
            if (g->planned_m > 0)
                xs_share(s, 8, g->built_m / g->planned_m, y->percent);
            xs_text(s, 9, V(rep, V_SEGMENT_STATUS, g->status), y->text);
            xs_date(s, 10, g->planned_start, y->date);
            xs_date(s, 11, g->planned_end, y->date);
            xs_date(s, 12, g->actual_start, y->date);
            xs_date(s, 13, g->actual_end, y->date);
            xs_next(s);
            rpt_plan_add(&wk->w, wk->plan, g->planned_start, g->planned_end, g->planned_m);
        }
    }
    free(rows);
    xs_print_setup(s, 1, 0, 0);
}

static void write_premises(struct xs_sheet *s, const struct progress_workbook *rep)
{
    const char *head[] = {T(rep, T_ADDRESS_ID),     T(rep, T_STREET), T(rep, T_HOUSE_NUMBER),
                          T(rep, T_POSTCODE),       T(rep, T_CITY),   T(rep, T_KIND),
                          T(rep, T_WHITE_SPOT),     T(rep, T_STATUS), T(rep, T_STATUS_DATE),
                          T(rep, T_SERVING_SEGMENT)};
    xs_header(s, head, 10);
    xs_freeze_here(s);
    xs_autofilter(s, 9, (size_t)rep->summary->premises_total);
    const struct xs_style *y = &s->f->st[XS_NORMAL];
    struct rpt_premise *rows = malloc(sizeof(*rows) * CHUNK);
    if (!rows) {
        s->error = RPT_WRITE;
        return;
    }
    const char *yes = T(rep, T_YES), *no = T(rep, T_NO);
    for (;;) {
        size_t n = 0;
        if (s->error || pull(s, &rep->premises, rows, &n) || n == 0)
            break;
        for (size_t i = 0; i < n && !s->error; i++) {
            const struct rpt_premise *p = &rows[i];
            char fallback[40];
            snprintf(fallback, sizeof(fallback), "#%lld", p->id);
            xs_text(s, 0, p->code ? p->code : fallback, y->text);
            xs_text(s, 1, p->street, y->text);
            xs_text(s, 2, p->house_number, y->text);
            xs_text(s, 3, p->postcode, y->text);
            xs_text(s, 4, p->city, y->text);
            xs_text(s, 5, V(rep, V_PREMISE_KIND, p->kind), y->text);
            xs_text(s, 6, p->white_spot ? yes : no, y->text);
            xs_text(s, 7, V(rep, V_PREMISE_STATUS, p->status), y->text);
            xs_date(s, 8, p->status_date, y->date);
            xs_text(s, 9, p->segment_code, y->text);
            xs_next(s);
        }
    }
    free(rows);
    xs_print_setup(s, 1, 0, 0);
}

/* ---- Contractors ---- */

static void write_contractors(struct xs_sheet *s, const struct progress_workbook *rep,
                              const struct weekly *wk)
{
    const struct xs_style *y = &s->f->st[XS_NORMAL], *t = &s->f->st[XS_TOTAL];
    const char *head[] = {T(rep, T_CONTRACTOR),       T(rep, T_LOTS),
                          T(rep, T_SEGMENTS),         T(rep, T_PLANNED_M),
                          T(rep, T_BUILT_M),          T(rep, T_PROGRESS),
                          T(rep, T_REPORTS_APPROVED), T(rep, T_REPORTS_REJECTED),
                          T(rep, T_REPORTS_PENDING),  T(rep, T_AVG_PER_WEEK)};
    xs_header(s, head, 10);
    xs_freeze_here(s);
    xs_autofilter(s, 9, rep->ncontractors);
    long long segs = 0, appr = 0, rej = 0, pend = 0;
    for (size_t i = 0; i < rep->ncontractors; i++) {
        const struct rpt_contractor *c = &rep->contractors[i];
        xs_text(s, 0, c->id ? c->name : T(rep, T_NO_CONTRACTOR), y->text);
        xs_text(s, 1, c->lots, y->text);
        xs_int(s, 2, c->segments, y->integer);
        xs_metres(s, 3, c->planned_m, y->metres);
        xs_metres(s, 4, c->built_m, y->metres);
        xs_share(s, 5, ratio(c->built_m, c->planned_m), y->percent);
        xs_int(s, 6, c->reports_approved, y->integer);
        xs_int(s, 7, c->reports_rejected, y->integer);
        xs_int(s, 8, c->reports_pending, y->integer);
        double sum = 0;
        for (size_t k = 0; k < wk->w.n; k++)
            sum += wk->by_contractor[i * wk->w.n + k];
        xs_metres(s, 9, sum / (double)wk->w.n, y->metres);
        xs_next(s);
        segs += c->segments;
        appr += c->reports_approved;
        rej += c->reports_rejected;
        pend += c->reports_pending;
    }
    const struct summary *sm = rep->summary;
    xs_text(s, 0, T(rep, T_TOTAL), t->text);
    xs_text(s, 1, NULL, t->text);
    xs_int(s, 2, segs, t->integer);
    xs_metres(s, 3, sm->planned_length_m, t->metres);
    xs_metres(s, 4, sm->built_length_m, t->metres);
    xs_share(s, 5, ratio(sm->built_length_m, sm->planned_length_m), t->percent);
    xs_int(s, 6, appr, t->integer);
    xs_int(s, 7, rej, t->integer);
    xs_int(s, 8, pend, t->integer);
    double total = 0;
    for (size_t k = 0; k < wk->w.n; k++)
        total += wk->built_delta[k];
    xs_metres(s, 9, total / (double)wk->w.n, t->metres);
    xs_next(s);
    xs_skip(s, 2);

    /* Metres built per week: one column per contractor. */
    xs_title(s, 0, T(rep, T_METRES_PER_WEEK), s->f->section);
    xs_next(s);
    int nc = (int)rep->ncontractors;
    if (nc > XS_MAX_COLS - 3)
        nc = XS_MAX_COLS - 3;
    xs_text(s, 0, T(rep, T_WEEK), s->f->header);
    xs_text(s, 1, T(rep, T_WEEK_STARTING), s->f->header);
    for (int c = 0; c < nc; c++) {
        const struct rpt_contractor *k = &rep->contractors[c];
        xs_text(s, 2 + c, k->id ? k->name : T(rep, T_NO_CONTRACTOR), s->f->header);
    }
    xs_text(s, 2 + nc, T(rep, T_TOTAL), s->f->header);
    xs_next(s);
    for (size_t k = 0; k < wk->w.n; k++) {
        char label[12], start[11];
        rpt_iso_week(rpt_weeks_start(&wk->w, k), label);
        rpt_days_date(rpt_weeks_start(&wk->w, k), start);
        xs_text(s, 0, label, y->text);
        xs_date(s, 1, start, y->date);
        for (int c = 0; c < nc; c++)
            xs_metres(s, 2 + c, wk->by_contractor[(size_t)c * wk->w.n + k], y->metres);
        xs_metres(s, 2 + nc, wk->built_delta[k], y->metres);
        xs_next(s);
    }
    xs_print_setup(s, 1, 0, 0);
}

/* ---- Costs ---- */

static int known_category(const char *cat)
{
    for (size_t i = 0; cat && rpt_vocab_value(V_CATEGORY, i); i++)
        if (strcmp(cat, rpt_vocab_value(V_CATEGORY, i)) == 0)
            return 1;
    return 0;
}

static void write_costs(struct xs_sheet *s, const struct progress_workbook *rep)
{
    const struct summary *sm = rep->summary;
    const struct xs_style *y = &s->f->st[XS_NORMAL], *t = &s->f->st[XS_TOTAL];
    const char *head[] = {T(rep, T_CATEGORY), T(rep, T_INVOICES), T(rep, T_INVOICED),
                          T(rep, T_ELIGIBLE), T(rep, T_PAID)};
    xs_header(s, head, 5);
    xs_freeze_here(s);
    size_t nrows = 0;
    while (rpt_vocab_value(V_CATEGORY, nrows))
        nrows++;
    for (size_t j = 0; j < rep->ncosts; j++)
        if (!known_category(rep->costs[j].category))
            nrows++;
    xs_autofilter(s, 4, nrows);
    long long count = 0;
    /* Every category in a fixed order, then any the labels do not know. */
    for (size_t i = 0;; i++) {
        const char *cat = rpt_vocab_value(V_CATEGORY, i);
        if (!cat)
            break;
        struct rpt_cost_line line = {cat, 0, 0, 0, 0};
        for (size_t j = 0; j < rep->ncosts; j++)
            if (rep->costs[j].category && strcmp(rep->costs[j].category, cat) == 0)
                line = rep->costs[j];
        xs_text(s, 0, V(rep, V_CATEGORY, cat), y->text);
        xs_int(s, 1, line.invoices, y->integer);
        xs_cents(s, 2, line.invoiced_cents, y->money);
        xs_cents(s, 3, line.eligible_cents, y->money);
        xs_cents(s, 4, line.paid_cents, y->money);
        xs_next(s);
        count += line.invoices;
    }
    for (size_t j = 0; j < rep->ncosts; j++) {
        const struct rpt_cost_line *c = &rep->costs[j];
        if (known_category(c->category))
            continue;
        xs_text(s, 0, c->category ? c->category : "?", y->text);
        xs_int(s, 1, c->invoices, y->integer);
        xs_cents(s, 2, c->invoiced_cents, y->money);
        xs_cents(s, 3, c->eligible_cents, y->money);
        xs_cents(s, 4, c->paid_cents, y->money);
        xs_next(s);
        count += c->invoices;
    }
    xs_text(s, 0, T(rep, T_TOTAL), t->text);
    xs_int(s, 1, count, t->integer);
    xs_cents(s, 2, sm->invoiced_cents, t->money);
    xs_cents(s, 3, sm->eligible_cents, t->money);
    xs_cents(s, 4, sm->paid_cents, t->money);
    xs_next(s);
    xs_skip(s, 2);

    xs_title(s, 0, T(rep, T_FUNDING), s->f->section);
    xs_next(s);
    const char *fhead[] = {T(rep, T_SHARE), T(rep, T_RATE), T(rep, T_AMOUNT)};
    xs_header(s, fhead, 3);
    double muni = 1.0 - sm->federal_rate - sm->state_rate;
    struct {
        enum rpt_text label;
        double rate;
        long long cents;
    } rows[] = {
        {T_FEDERAL, sm->federal_rate, sm->federal_cents},
        {T_STATE_PROGRAMME, sm->state_rate, sm->state_cents},
        {T_MUNICIPALITY, muni < 0 ? 0 : muni, sm->municipal_cents},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        xs_text(s, 0, T(rep, rows[i].label), y->text);
        xs_share(s, 1, rows[i].rate, y->rate);
        xs_cents(s, 2, rows[i].cents, y->money);
        xs_next(s);
    }
    xs_text(s, 0, T(rep, T_ELIGIBLE), t->text);
    xs_share(s, 1, 1.0, t->rate);
    xs_cents(s, 2, sm->eligible_cents, t->money);
    xs_next(s);
    xs_skip(s, 1);
    xs_text(s, 0, T(rep, T_BUDGET), y->text);
    xs_cents(s, 2, sm->budget_cents, y->money);
    xs_next(s);
    xs_text(s, 0, T(rep, T_BUDGET_USED), y->text);
    xs_share(s, 2, ratio((double)sm->eligible_cents, (double)sm->budget_cents), y->percent);
    xs_next(s);
    xs_print_setup(s, 1, 0, 0);
}

/* ---- the workbook ---- */

int report_progress_write(const char *path, const struct progress_workbook *rep)
{
    lxw_workbook *wb = xs_workbook_new(path, rep->meta.tmpdir);
    if (!wb)
        return RPT_WRITE;
    xs_properties(wb, &rep->meta, T(rep, T_PROGRESS_TITLE), &rep->project);
    struct xs_formats f;
    xs_formats_init(wb, rep->meta.lang, &f);
    char as_of[11];
    rpt_date_text(rep->as_of, rep->meta.lang == RPT_DE, as_of);
    xs_page_texts(&f, rep->project.name, T(rep, T_AS_OF), as_of, T(rep, T_PROGRESS_TITLE),
                  rep->meta.preliminary);
    struct weekly wk;
    int err = weekly_build(&wk, rep) ? RPT_WRITE : RPT_OK;

    /* The sheets in tab order; each is written whole, one after the other,
     * the Segments first (see the top of this file). */
    enum { COVER, SUMMARY, NARRATIVE, MILESTONES, SEGMENTS, PREMISES, CONTRACTORS, COSTS, NSHEETS };
    struct xs_sheet sh[NSHEETS];
    static const enum rpt_text names[NSHEETS] = {
        T_SHEET_COVER,    T_SHEET_SUMMARY,  T_SHEET_NARRATIVE,   T_SHEET_MILESTONES,
        T_SHEET_SEGMENTS, T_SHEET_PREMISES, T_SHEET_CONTRACTORS, T_SHEET_COSTS};
    for (int i = 0; i < NSHEETS; i++)
        xs_open(&sh[i], wb, &f, T(rep, names[i]));
    if (!err) {
        write_cover(&sh[COVER], rep);
        write_segments(&sh[SEGMENTS], rep, &wk);
        write_summary(&sh[SUMMARY], wb, T(rep, names[SUMMARY]), rep, &wk);
        write_narrative(&sh[NARRATIVE], rep);
        write_milestones(&sh[MILESTONES], rep);
        write_premises(&sh[PREMISES], rep);
        write_contractors(&sh[CONTRACTORS], rep, &wk);
        write_costs(&sh[COSTS], rep);
    }
    for (int i = 0; i < NSHEETS; i++) {
        int e = xs_close(&sh[i]);
        if (!err)
            err = e;
    }
    if (sh[0].ws)
        worksheet_activate(sh[0].ws);
    weekly_free(&wk);
    lxw_error e = xs_workbook_close(wb);
    if (!err && e != LXW_NO_ERROR)
        err = RPT_WRITE;
    return err;
}
