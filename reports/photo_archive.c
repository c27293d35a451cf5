/* photo_archive.c — writing the Fotodokumentation with libzip. Photos are
 * stored uncompressed (JPEG, PNG and HEIC are compressed already) and
 * streamed from the store by libzip when the archive is closed, so memory
 * stays small however many photos there are. */
#include "reports/photo_archive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <zip.h>

#define N_COLS 14

static const char *const head_en[N_COLS] = {
    "File",    "Segment",     "Report date", "Taken at (Germany)",
    "Caption", "Latitude",    "Longitude",   "Distance from segment (m)",
    "Flags",   "Uploaded by", "Reviewer",    "Review state",
    "Type",    "SHA-256"};
static const char *const head_de[N_COLS] = {"Datei",
                                            "Abschnitt",
                                            "Berichtsdatum",
                                            "Aufgenommen (Ortszeit)",
                                            "Bildunterschrift",
                                            "Breite",
                                            "Länge",
                                            "Abstand zum Abschnitt (m)",
                                            "Hinweise",
                                            "Hochgeladen von",
                                            "Prüfer/in",
                                            "Prüfstatus",
                                            "Typ",
                                            "SHA-256"};

/* A segment code as a file name part: letters, digits, '-', '_', '.'
 * kept, anything else '_' (codes are the users' own text). */
static void name_part(const char *code, char *out, size_t size)
{
    size_t o = 0;
    for (const char *c = code; *c && o + 1 < size; c++) {
        int ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                 *c == '-' || *c == '_' || (*c == '.' && o > 0);
        out[o++] = ok ? *c : '_';
    }
    out[o] = '\0';
    if (o == 0)
        snprintf(out, size, "segment");
}

/* Numbers the files of each segment and day: _1, _2, … in the given
 * order (the caller sorts by segment, date and upload). */
static void name_entries(struct photo_entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int k = 1;
        if (i > 0 && strcmp(e[i].segment_code, e[i - 1].segment_code) == 0 &&
            strcmp(e[i].report_date, e[i - 1].report_date) == 0) {
            const char *prev = strrchr(e[i - 1].name, '_');
            k = prev ? atoi(prev + 1) + 1 : 1;
        }
        char part[100];
        name_part(e[i].segment_code, part, sizeof(part));
        snprintf(e[i].name, sizeof(e[i].name), "%s_%s_%d.%s", part, e[i].report_date, k, e[i].ext);
    }
}

static void html_text(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&#39;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

static void html_cell(FILE *f, const char *s)
{
    fputs("<td>", f);
    html_text(f, s);
    fputs("</td>", f);
}

static int write_html(const char *path, const struct photo_archive *a, const struct photo_entry *e,
                      size_t n)
{
    const char *const *head = a->lang == RPT_DE ? head_de : head_en;
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\"><title>",
            a->lang == RPT_DE ? "de" : "en");
    html_text(f, a->lang == RPT_DE ? "Fotodokumentation " : "Photo documentation ");
    html_text(f, a->project_code);
    fputs("</title><style>body{font:14px sans-serif;margin:2em}table{border-collapse:collapse}"
          "td,th{border:1px solid #999;padding:4px;vertical-align:top;text-align:left}"
          "img{max-width:240px;max-height:240px}</style></head><body><h1>",
          f);
    html_text(f, a->lang == RPT_DE ? "Fotodokumentation" : "Photo documentation");
    fputs("</h1><p>", f);
    html_text(f, a->project_code);
    fputs(" — ", f);
    html_text(f, a->project_name);
    fputs("<br>", f);
    html_text(f, a->lang == RPT_DE ? "Zeitraum: " : "Period: ");
    html_text(f, a->from ? a->from : "…");
    fputs(" – ", f);
    html_text(f, a->to ? a->to : "…");
    fputs("<br>", f);
    html_text(f, a->lang == RPT_DE ? "Erstellt: " : "Generated: ");
    html_text(f, a->generated);
    fprintf(f, " · %zu %s</p><table><tr><th></th>", n, a->lang == RPT_DE ? "Dateien" : "files");
    for (int c = 0; c < N_COLS; c++) {
        fputs("<th>", f);
        html_text(f, head[c]);
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
    for (size_t i = 0; i < n; i++) {
        char num[3][32] = {"", "", ""};
        if (e[i].has_position) {
            snprintf(num[0], sizeof(num[0]), "%.6f", e[i].lat);
            snprintf(num[1], sizeof(num[1]), "%.6f", e[i].lon);
        }
        if (e[i].has_distance)
            snprintf(num[2], sizeof(num[2]), "%.1f", e[i].distance_m);
        fputs("<tr><td>", f);
        if (strncmp(e[i].media_type, "image/", 6) == 0 && strcmp(e[i].ext, "heic") != 0) {
            fputs("<a href=\"", f);
            html_text(f, e[i].name);
            fputs("\"><img src=\"", f);
            html_text(f, e[i].name);
            fputs("\" alt=\"\"></a>", f);
        }
        fputs("</td><td><a href=\"", f);
        html_text(f, e[i].name);
        fputs("\">", f);
        html_text(f, e[i].name);
        fputs("</a></td>", f);
        const char *cells[] = {e[i].segment_code,
                               e[i].report_date,
                               e[i].taken_at,
                               e[i].caption,
                               num[0],
                               num[1],
                               num[2],
                               e[i].flags,
                               e[i].uploaded_by,
                               e[i].reviewer,
                               e[i].state,
                               e[i].media_type,
                               e[i].sha256};
        for (size_t c = 0; c < sizeof(cells) / sizeof(cells[0]); c++)
            html_cell(f, cells[c]);
        fputs("</tr>\n", f);
    }
    fputs("</table></body></html>\n", f);
    return fclose(f) == 0 ? 0 : -1;
}

static int write_xlsx(const char *path, const struct photo_archive *a, const struct photo_entry *e,
                      size_t n)
{
    const char *const *head = a->lang == RPT_DE ? head_de : head_en;
    char tmpdir[512];
    snprintf(tmpdir, sizeof(tmpdir), "%s", a->tmpdir ? a->tmpdir : "/tmp");
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = tmpdir};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    if (!wb)
        return -1;
    lxw_worksheet *ws = workbook_add_worksheet(wb, a->lang == RPT_DE ? "Fotos" : "Photos");
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    lxw_format *text = workbook_add_format(wb);
    format_set_num_format(text, "@");
    lxw_format *dec = workbook_add_format(wb);
    format_set_num_format(dec, "0.000000");
    lxw_format *metres = workbook_add_format(wb);
    format_set_num_format(metres, "0.0");
    worksheet_freeze_panes(ws, 1, 0);
    worksheet_autofilter(ws, 0, 0, (lxw_row_t)n, N_COLS - 1);
    for (int c = 0; c < N_COLS; c++)
        worksheet_write_string(ws, 0, (lxw_col_t)c, head[c], bold);
    for (size_t i = 0; i < n; i++) {
        lxw_row_t row = (lxw_row_t)(i + 1);
        const char *cells[] = {e[i].name, e[i].segment_code, e[i].report_date, e[i].taken_at,
                               e[i].caption};
        for (int c = 0; c < 5; c++)
            if (cells[c])
                worksheet_write_string(ws, row, (lxw_col_t)c, cells[c], text);
        if (e[i].has_position) {
            worksheet_write_number(ws, row, 5, e[i].lat, dec);
            worksheet_write_number(ws, row, 6, e[i].lon, dec);
        }
        if (e[i].has_distance)
            worksheet_write_number(ws, row, 7, e[i].distance_m, metres);
        const char *rest[] = {e[i].flags, e[i].uploaded_by, e[i].reviewer,
                              e[i].state, e[i].media_type,  e[i].sha256};
        for (int c = 0; c < 6; c++)
            if (rest[c] && *rest[c])
                worksheet_write_string(ws, row, (lxw_col_t)(8 + c), rest[c], text);
    }
    worksheet_set_column(ws, 0, 0, 32, NULL);
    worksheet_set_column(ws, 1, 3, 18, NULL);
    worksheet_set_column(ws, 4, 4, 40, NULL);
    worksheet_set_column(ws, 5, 12, 14, NULL);
    return workbook_close(wb) == LXW_NO_ERROR ? 0 : -1;
}

/* A temporary file for an index. */
static char *temp_file(const char *tmpdir, const char *kind)
{
    char *path = malloc(strlen(tmpdir) + 64);
    if (!path)
        return NULL;
    sprintf(path, "%s/fibertrack-%s-XXXXXX", tmpdir, kind);
    int fd = mkstemp(path);
    if (fd < 0) {
        free(path);
        return NULL;
    }
    close(fd);
    return path;
}

static int add_file(zip_t *z, const char *name, const char *path, int compress)
{
    zip_source_t *src = zip_source_file(z, path, 0, -1) /* to the end */;
    if (!src)
        return -1;
    zip_int64_t idx = zip_file_add(z, name, src, ZIP_FL_ENC_UTF_8);
    if (idx < 0) {
        zip_source_free(src);
        return -1;
    }
    return zip_set_file_compression(z, (zip_uint64_t)idx, compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE,
                                    0);
}

int photo_archive_write(const char *path, const struct photo_archive *a, struct photo_entry *e,
                        size_t n)
{
    name_entries(e, n);
    const char *tmpdir = a->tmpdir ? a->tmpdir : "/tmp";
    char *html = temp_file(tmpdir, "index-html");
    char *xlsx = temp_file(tmpdir, "index-xlsx");
    int rc = -1, err;
    zip_t *z = NULL;
    if (!html || !xlsx || write_html(html, a, e, n) != 0 || write_xlsx(xlsx, a, e, n) != 0)
        goto out;
    z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
    if (!z)
        goto out;
    if (add_file(z, "index.html", html, 1) != 0 || add_file(z, "index.xlsx", xlsx, 0) != 0)
        goto out;
    for (size_t i = 0; i < n; i++)
        if (add_file(z, e[i].name, e[i].path, strcmp(e[i].ext, "pdf") == 0) != 0)
            goto out;
    /* Reads every file and writes the archive. */
    rc = zip_close(z) == 0 ? 0 : -1;
    if (rc == 0)
        z = NULL;
out:
    if (z)
        zip_discard(z);
    if (html)
        unlink(html);
    if (xlsx)
        unlink(xlsx);
    free(html);
    free(xlsx);
    return rc;
}
