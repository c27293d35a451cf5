/* attachments.h — photos and documents on progress reports (SPEC 10). */
#ifndef FT_ATTACHMENTS_H
#define FT_ATTACHMENTS_H

#include <cJSON.h>
#include <stddef.h>

#include "db/db.h"
#include "http/request.h"

/* A photo farther than this from its segment is flagged for review. */
#define ATTACHMENT_FAR_M 200.0

/* POST /progress-reports/:id/attachments: the raw file as the body.
 * attachments_prepare runs first, on a file worker: it types the file,
 * reads its EXIF, and stores a synced copy; the handler then checks the
 * report and puts the copy in place with its row. */
int attachments_prepare(struct req *r);
int attachments_upload(struct req *r);
/* GET /progress-reports/:id/attachments */
int attachments_list(struct req *r);
/* GET /attachments/:id: the file, with ETag and Range. */
int attachments_download(struct req *r);
/* GET /attachments/:id/thumbnail */
int attachments_thumbnail(struct req *r);

/* Adds `attachments` (an array) to each of n progress-report objects. */
enum db_rc attachments_add_to_reports(struct req *r, cJSON *const *reports, size_t n);

/* The columns and FROM clause of attachment rows as attachment_json
 * reads them (15 columns); alias a for attachments, p for their progress
 * reports. attachment_select is both, for a WHERE to follow. */
#define ATTACHMENT_TS(col)                                                                         \
    "CONCAT(DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%s.'), LPAD(MICROSECOND(" col                     \
    ") DIV 1000, 3, '0'), 'Z')"
#define ATTACHMENT_COLUMNS                                                                         \
    "a.id, a.progress_report_id, a.sha256, a.media_type, a.size, a.file_name, "                    \
    "a.caption, " ATTACHMENT_TS("a.taken_at") ", a.lat, a.lon, a.distance_m, "                     \
                                              "a.uploaded_by, " ATTACHMENT_TS(                     \
                                                  "a.created_at") ", p.report_date, "              \
                                                                  "DATE_FORMAT(a.taken_at, "       \
                                                                  "'%Y-%m-%d %H:%i:%s')"
#define ATTACHMENT_NCOLUMNS 15
#define ATTACHMENT_FROM "FROM attachments a JOIN progress_reports p ON p.id = a.progress_report_id "
extern const char attachment_select[];
/* One row of attachment_select as the API's attachment object (in r's pool). */
struct db_rows;
cJSON *attachment_json(struct req *r, const struct db_rows *rows, size_t i);

#endif
