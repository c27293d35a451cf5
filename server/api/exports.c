/* exports.c — the Fotodokumentation download: the period's photos and
 * documents of a project's progress reports (rejected ones left out),
 * written by reports/photo_archive.c into a temporary zip. */
#include "api/exports.h"

#include <cJSON.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/attachments.h"
#include "api/pipeline.h"
#include "api/reports.h"
#include "db/db.h"
#include "domain/validate.h"
#include "http/reply.h"
#include "media/blobstore.h"
#include "media/sniff.h"
#include "reports/photo_archive.h"
#include "util/berlin_time.h"
#include "util/log.h"
#include "util/pool.h"

/* "YYYY-MM-DD HH:MM" in Germany. */
static char *local_text(struct req *r, const struct tm *local)
{
    char *s = pool_alloc(r->pool, 20);
    strftime(s, 20, "%Y-%m-%d %H:%M", local);
    return s;
}

static int check_query(struct req *r, const char **from, const char **to, enum rpt_lang *lang)
{
    static const char *const known[] = {"from", "to", "lang", NULL};
    if (reply_unknown_query(r, known, "from, to and lang") || reports_parse_lang(r, lang))
        return r->status;
    *from = req_query(r, "from");
    *to = req_query(r, "to");
    if (*from && !valid_date(*from))
        return reply_invalid_field(r, "from", "must be a date (YYYY-MM-DD)");
    if (*to && !valid_date(*to))
        return reply_invalid_field(r, "to", "must be a date (YYYY-MM-DD)");
    if (*from && *to && strcmp(*from, *to) > 0)
        return reply_invalid_field(r, "to", "must not be before from");
    return 0;
}

static char *flags_text(struct req *r, const cJSON *flags)
{
    char *s = pool_alloc(r->pool, 128);
    s[0] = '\0';
    for (const cJSON *f = flags ? flags->child : NULL; f; f = f->next) {
        if (s[0])
            strcat(s, ", ");
        strncat(s, f->valuestring, 40);
    }
    return s;
}

/* Archives being written now: each holds a database worker while it
 * reads every file of the period. */
static atomic_int building;
#define MAX_BUILDING 2

static int write_archive(struct req *r, const char *path, const struct photo_archive *a,
                         struct photo_entry *e, size_t n)
{
    if (atomic_fetch_add(&building, 1) >= MAX_BUILDING) {
        atomic_fetch_sub(&building, 1);
        unlink(path);
        reply_problem(r, 503, "%d photo archives are being written; retry shortly", MAX_BUILDING);
        req_set_header(r, "Retry-After", "10");
        return 503;
    }
    int rc = photo_archive_write(path, a, e, n);
    atomic_fetch_sub(&building, 1);
    if (rc != 0) {
        unlink(path);
        log_msg(LOG_ERROR, "photos.zip could not be written (request %s)", r->request_id);
        return reply_problem(r, 503, "the archive could not be written; retry shortly");
    }
    return 0;
}

int exports_photos(struct req *r)
{
    const char *from = NULL, *to = NULL;
    enum rpt_lang lang = RPT_EN;
    if (check_query(r, &from, &to, &lang))
        return r->status;
    long long project = parse_id(req_param(r, 0));
    struct db_param pp[] = {DB_INTP(project)};
    struct db_rows *prow;
    enum db_rc rc =
        db_exec(r->db, r->pool, "SELECT code, name FROM projects WHERE id = ?", pp, 1, &prow);
    if (rc != DB_OK)
        return reply_db(r, rc);
    if (!project || prow->nrows == 0)
        return reply_problem(r, 404, "no project %s", req_param(r, 0));

    struct db_param p[] = {DB_INTP(project), DB_TEXTP(from ? from : "0001-01-01"),
                           DB_TEXTP(to ? to : "9999-12-31")};
    struct db_rows *rows;
    rc = db_exec(r->db, r->pool,
                 "SELECT " ATTACHMENT_COLUMNS ", s.code, up.name, rv.name, p.state " ATTACHMENT_FROM
                 "JOIN segments s ON s.id = p.segment_id "
                 "JOIN users up ON up.id = a.uploaded_by "
                 "LEFT JOIN users rv ON rv.id = p.reviewer_id "
                 "WHERE s.project_id = ? AND p.state <> 'rejected' "
                 "AND p.report_date >= ? AND p.report_date <= ? "
                 "ORDER BY s.code, p.report_date, a.id",
                 p, 3, &rows);
    if (rc != DB_OK)
        return reply_db(r, rc);

    struct photo_entry *e = pool_alloc(r->pool, (rows->nrows + 1) * sizeof(*e));
    size_t n = 0;
    for (size_t i = 0; i < rows->nrows; i++) {
        const char *sha = db_cell(rows, i, 2);
        if (!blob_name_ok(sha))
            continue;
        cJSON *a = pool_json(r->pool, attachment_json(r, rows, i));
        struct photo_entry *x = &e[n++];
        char path[BLOB_PATH_MAX];
        blob_path(sha, path, sizeof(path));
        x->path = pool_strdup(r->pool, path);
        x->ext = media_extension(media_type_parse(db_cell(rows, i, 3)));
        x->media_type = db_cell(rows, i, 3);
        x->sha256 = sha;
        x->caption = db_cell(rows, i, 6);
        x->report_date = db_cell(rows, i, 13);
        struct tm taken;
        x->taken_at =
            berlin_local_of(db_cell(rows, i, 14), &taken) == 0 ? local_text(r, &taken) : NULL;
        x->segment_code = db_cell(rows, i, ATTACHMENT_NCOLUMNS);
        x->uploaded_by = db_cell(rows, i, ATTACHMENT_NCOLUMNS + 1);
        x->reviewer = db_cell(rows, i, ATTACHMENT_NCOLUMNS + 2);
        x->state = db_cell(rows, i, ATTACHMENT_NCOLUMNS + 3);
        x->flags = flags_text(r, cJSON_GetObjectItemCaseSensitive(a, "flags"));
        if ((x->has_position = db_cell(rows, i, 8) != NULL)) {
            x->lat = strtod(db_cell(rows, i, 8), NULL);
            x->lon = strtod(db_cell(rows, i, 9), NULL);
        }
        if ((x->has_distance = db_cell(rows, i, 10) != NULL))
            x->distance_m = strtod(db_cell(rows, i, 10), NULL);
    }

    /* The archive may be large: it is written beside the store, on disk,
     * not in TMPDIR (often memory). */
    char *path = pool_printf(r->pool, "%s/tmp/zip-XXXXXX", blobstore_dir());
    int fd = mkstemp(path);
    if (fd < 0)
        return reply_problem(r, 503, "the archive could not be written; retry shortly");
    close(fd);
    struct tm now;
    berlin_local(time(NULL), &now);
    struct photo_archive arch = {.lang = lang,
                                 .project_code = db_cell(prow, 0, 0),
                                 .project_name = db_cell(prow, 0, 1),
                                 .from = from,
                                 .to = to,
                                 .generated = local_text(r, &now),
                                 .tmpdir = pool_printf(r->pool, "%s/tmp", blobstore_dir())};
    if (write_archive(r, path, &arch, e, n))
        return r->status;
    reply_attachment(r, pool_printf(r->pool, "%s-%s-%s-%s.zip",
                                    lang == RPT_DE ? "fotodokumentation" : "photo-documentation",
                                    db_cell(prow, 0, 0), from ? from : "start", to ? to : "today"));
    return reply_file(r, 200, "application/zip", path, 0);
}
