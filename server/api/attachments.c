/* attachments.c — uploading, listing and serving the files of progress
 * reports. The upload is a raw body (ROUTE_RAW_BODY) kept in its spool
 * file: it is typed by its first bytes, read for EXIF, copied into the
 * store and put in place with its row in one transaction
 * (attachment_blobs.h). */
#include "api/attachments.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "api/attachment_blobs.h"
#include "api/audit.h"
#include "api/construction.h"
#include "api/pipeline.h"
#include "api/resource.h"
#include "domain/geo.h"
#include "domain/validate.h"
#include "http/reply.h"
#include "http/upload_headers.h"
#include "media/blobstore.h"
#include "media/exif.h"
#include "media/sniff.h"
#include "media/thumbnail.h"
#include "util/berlin_time.h"
#include "util/log.h"
#include "util/pool.h"
#include "util/sbuf.h"

#define CAPTION_MAX 500 /* characters */

const char attachment_select[] = "SELECT " ATTACHMENT_COLUMNS " " ATTACHMENT_FROM;

static void add_number_or_null(cJSON *o, const char *name, const char *v)
{
    if (v)
        cJSON_AddNumberToObject(o, name, strtod(v, NULL));
    else
        cJSON_AddNullToObject(o, name);
}

static void add_string_or_null(cJSON *o, const char *name, const char *v)
{
    if (v)
        cJSON_AddStringToObject(o, name, v);
    else
        cJSON_AddNullToObject(o, name);
}

cJSON *attachment_json(struct req *r, const struct db_rows *rows, size_t i)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", strtod(db_cell(rows, i, 0), NULL));
    cJSON_AddNumberToObject(o, "progress_report_id", strtod(db_cell(rows, i, 1), NULL));
    cJSON_AddStringToObject(o, "sha256", db_cell(rows, i, 2));
    cJSON_AddStringToObject(o, "media_type", db_cell(rows, i, 3));
    cJSON_AddNumberToObject(o, "size", strtod(db_cell(rows, i, 4), NULL));
    cJSON_AddStringToObject(o, "file_name", db_cell(rows, i, 5));
    add_string_or_null(o, "caption", db_cell(rows, i, 6));
    add_string_or_null(o, "taken_at", db_cell(rows, i, 7));
    add_number_or_null(o, "lat", db_cell(rows, i, 8));
    add_number_or_null(o, "lon", db_cell(rows, i, 9));
    add_number_or_null(o, "distance_m", db_cell(rows, i, 10));
    cJSON *flags = cJSON_AddArrayToObject(o, "flags");
    const char *dist = db_cell(rows, i, 10);
    if (dist && strtod(dist, NULL) > ATTACHMENT_FAR_M)
        cJSON_AddItemToArray(flags, cJSON_CreateString("far_from_segment"));
    /* Taken after the report's day, as a day in Germany. */
    char day[11];
    struct tm local;
    if (berlin_local_of(db_cell(rows, i, 14), &local) == 0 &&
        strftime(day, sizeof(day), "%Y-%m-%d", &local) && strcmp(day, db_cell(rows, i, 13)) > 0)
        cJSON_AddItemToArray(flags, cJSON_CreateString("taken_after_report"));
    if (!db_cell(rows, i, 8))
        cJSON_AddItemToArray(flags, cJSON_CreateString("no_position"));
    cJSON_AddNumberToObject(o, "uploaded_by", strtod(db_cell(rows, i, 11), NULL));
    cJSON_AddStringToObject(o, "created_at", db_cell(rows, i, 12));
    (void)r;
    return o;
}

/* ---- upload ---- */

struct report_row {
    long long id;
    char report_date[11];
    char *geometry; /* GeoJSON of the segment, or NULL */
};

/* A contractor reaches only its own reports and their files: the queries
 * below end their WHERE with OWN_REPORT, bound by scoped(). */
#define OWN_REPORT "(? = 0 OR p.contractor_id = ?)"

static void scoped(const struct req *r, long long id, struct db_param p[3])
{
    p[0] = DB_INTP(id);
    p[1] = DB_INTP(r->user.role == ROLE_CONTRACTOR);
    p[2] = DB_INTP(r->user.contractor_id);
}

/* The report a contractor adds to: its own only. */
static enum db_rc load_report(struct req *r, long long id, struct report_row *out, int *found)
{
    struct db_param p[3];
    scoped(r, id, p);
    struct db_rows *rows;
    enum db_rc rc = db_exec(r->db, r->pool,
                            "SELECT p.id, p.report_date, ST_AsGeoJSON(s.geometry) "
                            "FROM progress_reports p JOIN segments s ON s.id = p.segment_id "
                            "WHERE p.id = ? AND " OWN_REPORT " LOCK IN SHARE MODE",
                            p, 3, &rows);
    *found = rc == DB_OK && rows->nrows == 1;
    if (*found) {
        out->id = atoll(db_cell(rows, 0, 0));
        snprintf(out->report_date, sizeof(out->report_date), "%s", db_cell(rows, 0, 1));
        out->geometry = db_cell(rows, 0, 2) ? pool_strdup(r->pool, db_cell(rows, 0, 2)) : NULL;
    }
    return rc;
}

/* Metres from (lat, lon) to a GeoJSON LineString; -1 when unknown. */
static double distance_to(struct req *r, const char *geojson, double lat, double lon)
{
    if (!geojson)
        return -1;
    cJSON *g = pool_json(r->pool, cJSON_Parse(geojson));
    cJSON *coords = cJSON_GetObjectItemCaseSensitive(g, "coordinates");
    int n = cJSON_GetArraySize(coords);
    if (n <= 0)
        return -1;
    double *pts = pool_alloc(r->pool, (size_t)n * 2 * sizeof(double));
    int i = 0;
    for (cJSON *c = coords ? coords->child : NULL; c; c = c->next, i++) {
        cJSON *x = cJSON_GetArrayItem(c, 0), *y = cJSON_GetArrayItem(c, 1);
        if (!cJSON_IsNumber(x) || !cJSON_IsNumber(y))
            return -1;
        pts[2 * i] = x->valuedouble;
        pts[2 * i + 1] = y->valuedouble;
    }
    return geo_distance_to_line_m(lat, lon, pts, (size_t)n);
}

/* The caption from ?caption=: optional, one line of text. Returns 0, or
 * the status replied. */
static int read_caption(struct req *r, const char **caption)
{
    const char *c = req_query(r, "caption");
    *caption = NULL;
    if (!c || !*c)
        return 0;
    if (utf8_chars(c) > CAPTION_MAX)
        return reply_invalid_field(r, "caption", "must be at most 500 characters");
    for (const unsigned char *p = (const unsigned char *)c; *p; p++)
        if (*p < 0x20 || *p == 0x7F)
            return reply_invalid_field(r, "caption", "must be one line without control characters");
    *caption = c;
    return 0;
}

/* What the prepare step found and stored, for the handler. */
struct upload_prep {
    enum media_kind kind;
    char sha[65];
    char name[FILE_NAME_MAX + 1];
    const char *caption;
    struct photo_meta meta;
    struct blob_stage stage;
};

static void discard_stage(void *arg) { blob_stage_discard(arg); }

/* Copies the body into a new store file. Returns 0, or -1 (errno set). */
static int stage_body(struct req *r, struct blob_stage *st)
{
    unsigned char buf[64 * 1024];
    unsigned long long off = 0;
    while (off < r->body_len) {
        long long got = req_body_read(r, buf, sizeof(buf), off);
        if (got <= 0 || blob_stage_write(st, buf, (size_t)got) < 0) {
            if (got == 0)
                errno = EIO;
            return -1;
        }
        off += (unsigned long long)got;
    }
    return 0;
}

int attachments_prepare(struct req *r)
{
    struct upload_prep *u = pool_alloc(r->pool, sizeof(*u));
    if (read_caption(r, &u->caption))
        return r->status;
    if (r->body_len == 0)
        return reply_invalid_field(r, "", "the body is empty: send the file's bytes as the body");

    /* The type comes from the content. A declared type is only a hint (a
     * browser names it from the file's extension), but it must be one an
     * upload may have. */
    size_t headn = r->body_len < PHOTO_META_BYTES ? r->body_len : PHOTO_META_BYTES;
    unsigned char *head = pool_alloc(r->pool, headn);
    if (req_body_read(r, head, headn, 0) != (long long)headn)
        return reply_problem(r, 503, "the uploaded body could not be read; retry shortly");
    u->kind = media_sniff(head, headn);
    if (u->kind == MEDIA_UNKNOWN)
        return reply_problem(r, 415,
                             "the file is not a JPEG, PNG, HEIC or PDF (judged by its content, "
                             "not its name)");
    if (r->content_type && media_type_parse(r->content_type) == MEDIA_UNKNOWN &&
        strncasecmp(r->content_type, "application/octet-stream", 24) != 0)
        return reply_problem(r, 415,
                             "send the file as image/jpeg, image/png, image/heic, application/pdf "
                             "or application/octet-stream");
    photo_meta_read(u->kind, head, headn, &u->meta);

    unsigned char digest[32];
    if (req_body_sha256(r, digest) < 0)
        return reply_problem(r, 503, "the uploaded body could not be read; retry shortly");
    for (int i = 0; i < 32; i++)
        snprintf(u->sha + 2 * i, 3, "%02x", digest[i]);
    if (!disposition_file_name(r->content_disposition, u->name, sizeof(u->name)))
        snprintf(u->name, sizeof(u->name), "%.12s.%s", u->sha, media_extension(u->kind));

    /* A spooled body is already a file beside the store: it only needs a
     * name. Anything else (a small body in memory, a store on another file
     * system) is copied. */
    if (r->body_fd >= 0 && blob_stage_adopt(&u->stage, r->body_fd, r->body_len) == 0) {
        pool_on_free(r->pool, discard_stage, &u->stage);
    } else if (blob_stage_open(&u->stage) == 0) {
        pool_on_free(r->pool, discard_stage, &u->stage);
        if (stage_body(r, &u->stage) < 0)
            u->stage.size = 0;
    } else {
        log_msg(LOG_ERROR, "cannot write an upload into %s: %s", blobstore_dir(), strerror(errno));
        return reply_problem(r, 503, "the file could not be stored; retry shortly");
    }
    if (u->stage.size != r->body_len || blob_stage_sync(&u->stage) < 0) {
        log_msg(LOG_ERROR, "cannot write an upload into %s: %s", blobstore_dir(), strerror(errno));
        return reply_problem(r, 503, "the file could not be stored; retry shortly");
    }
    r->prep = u;
    return 0;
}

/* The instant a photo was taken, as "YYYY-MM-DD HH:MM:SS" UTC. */
static const char *taken_utc(struct req *r, const struct photo_meta *m)
{
    time_t t;
    if (m->has_offset) {
        struct tm tm = {.tm_year = m->year - 1900,
                        .tm_mon = m->month - 1,
                        .tm_mday = m->day,
                        .tm_hour = m->hour,
                        .tm_min = m->minute,
                        .tm_sec = m->second};
        t = timegm(&tm) - (time_t)m->offset_minutes * 60;
    } else {
        t = berlin_to_utc(m->year, m->month, m->day, m->hour, m->minute, m->second);
    }
    struct tm u;
    char *ts = pool_alloc(r->pool, 32);
    gmtime_r(&t, &u);
    strftime(ts, 32, "%Y-%m-%d %H:%M:%S", &u);
    return ts;
}

int attachments_upload(struct req *r)
{
    struct upload_prep *u = r->prep;
    if (!u)
        return reply_problem(r, 500, "internal error (request %s)", r->request_id);
    long long report_id = parse_id(req_param(r, 0));
    struct report_row rep;
    int found = 0;
    enum db_rc rc = report_id ? load_report(r, report_id, &rep, &found) : DB_OK;
    if (rc != DB_OK)
        return reply_db(r, rc);
    if (!found)
        return reply_problem(r, 404, "no progress report %s of yours", req_param(r, 0));

    struct db_param taken = DB_NULLP, lat = DB_NULLP, lon = DB_NULLP, dist = DB_NULLP;
    if (u->meta.has_time)
        taken = DB_TEXTP(taken_utc(r, &u->meta));
    if (u->meta.has_position) {
        lat = DB_TEXTP(pool_printf(r->pool, "%.7f", u->meta.lat));
        lon = DB_TEXTP(pool_printf(r->pool, "%.7f", u->meta.lon));
        double d = distance_to(r, rep.geometry, u->meta.lat, u->meta.lon);
        if (d >= 0)
            dist = DB_TEXTP(pool_printf(r->pool, "%.1f", d));
    }
    rc = attachment_blob_put(r, &u->stage, u->sha, r->body_len, media_type_name(u->kind));
    if (rc == DB_ERROR)
        return reply_problem(r, 503, "the file could not be stored; retry shortly");
    if (rc != DB_OK)
        return reply_db(r, rc);

    struct db_param p[] = {DB_INTP(report_id),
                           DB_TEXTP(u->sha),
                           DB_TEXTP(media_type_name(u->kind)),
                           DB_INTP(r->body_len),
                           DB_TEXTP(u->name),
                           DB_TEXTP(u->caption),
                           taken,
                           lat,
                           lon,
                           dist,
                           DB_INTP(r->user.id)};
    struct db_rows *rows;
    rc = db_exec(r->db, r->pool,
                 "INSERT INTO attachments (progress_report_id, sha256, media_type, size, "
                 "file_name, caption, taken_at, lat, lon, distance_m, uploaded_by) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 p, 11, &rows);
    if (rc != DB_OK)
        return reply_db(r, rc);
    long long id = (long long)rows->insert_id;
    struct db_param q[] = {DB_INTP(id)};
    rc = db_exec(r->db, r->pool, pool_printf(r->pool, "%s WHERE a.id = ?", attachment_select), q, 1,
                 &rows);
    if (rc != DB_OK)
        return reply_db(r, rc);
    cJSON *obj = req_json(r, attachment_json(r, rows, 0));
    rc = audit_write(r, "create", "attachment", id, NULL, obj);
    if (rc != DB_OK)
        return reply_db(r, rc);
    req_add_header(r, "Location", pool_printf(r->pool, "/api/v1/attachments/%lld", id));
    return reply_json(r, 201, obj);
}

/* ---- reading ---- */

int attachments_list(struct req *r)
{
    long long report_id = parse_id(req_param(r, 0));
    /* The report as its caller may see it (the resource's own scope). */
    cJSON *report = NULL;
    enum db_rc rc = report_id ? resource_load(r, &progress_resource, report_id, 0, &report) : DB_OK;
    if (rc != DB_OK)
        return reply_db(r, rc);
    if (!report)
        return reply_problem(r, 404, "no progress report %s", req_param(r, 0));
    struct db_param p[] = {DB_INTP(report_id)};
    struct db_rows *rows;
    rc = db_exec(
        r->db, r->pool,
        pool_printf(r->pool, "%s WHERE a.progress_report_id = ? ORDER BY a.id", attachment_select),
        p, 1, &rows);
    if (rc != DB_OK)
        return reply_db(r, rc);
    cJSON *out = req_json(r, cJSON_CreateObject());
    cJSON *items = cJSON_AddArrayToObject(out, "items");
    for (size_t i = 0; i < rows->nrows; i++)
        cJSON_AddItemToArray(items, attachment_json(r, rows, i));
    return reply_json(r, 200, out);
}

/* Reports whose attachments one statement reads: always this many
 * placeholders (unused ones bound to 0, which no report has), so that
 * every page of every list reuses one prepared statement. */
#define DECORATE_CHUNK 100

struct report_ref {
    long long id;
    cJSON *attachments;
};

static int by_report_id(const void *a, const void *b)
{
    long long x = ((const struct report_ref *)a)->id, y = ((const struct report_ref *)b)->id;
    return (x > y) - (x < y);
}

enum db_rc attachments_add_to_reports(struct req *r, cJSON *const *reports, size_t n)
{
    struct report_ref *refs = pool_alloc(r->pool, (n ? n : 1) * sizeof(*refs));
    for (size_t i = 0; i < n; i++) {
        cJSON *id = cJSON_GetObjectItemCaseSensitive(reports[i], "id");
        refs[i].id = cJSON_IsNumber(id) ? (long long)id->valuedouble : 0;
        refs[i].attachments = cJSON_AddArrayToObject(reports[i], "attachments");
    }
    qsort(refs, n, sizeof(*refs), by_report_id);

    struct sbuf sql;
    sbuf_init(&sql, r->pool);
    sbuf_add(&sql, attachment_select);
    sbuf_add(&sql, " WHERE a.progress_report_id IN (?");
    for (int k = 1; k < DECORATE_CHUNK; k++)
        sbuf_add(&sql, ",?");
    sbuf_add(&sql, ") ORDER BY a.id");
    struct db_param p[DECORATE_CHUNK];
    for (size_t at = 0; at < n; at += DECORATE_CHUNK) {
        for (size_t k = 0; k < DECORATE_CHUNK; k++)
            p[k] = DB_INTP(at + k < n ? refs[at + k].id : 0);
        struct db_rows *rows;
        enum db_rc rc = db_exec(r->db, r->pool, sql.s, p, DECORATE_CHUNK, &rows);
        if (rc != DB_OK)
            return rc;
        for (size_t k = 0; k < rows->nrows; k++) {
            struct report_ref key = {.id = atoll(db_cell(rows, k, 1))};
            struct report_ref *ref = bsearch(&key, refs, n, sizeof(*refs), by_report_id);
            if (ref)
                cJSON_AddItemToArray(ref->attachments, attachment_json(r, rows, k));
        }
    }
    return DB_OK;
}

struct stored {
    char sha[65];
    char type[65];
    char name[FILE_NAME_MAX + 1];
    char path[BLOB_PATH_MAX];
    unsigned long long size;
};

/* The attachment named by path parameter 0, as the caller may see it.
 * Returns 0, or the status replied. */
static int find_stored(struct req *r, struct stored *s)
{
    long long id = parse_id(req_param(r, 0));
    struct db_param p[3];
    scoped(r, id, p);
    struct db_rows *rows;
    enum db_rc rc = db_exec(r->db, r->pool,
                            "SELECT a.sha256, a.media_type, a.file_name, a.size FROM attachments a "
                            "JOIN progress_reports p ON p.id = a.progress_report_id "
                            "WHERE a.id = ? AND " OWN_REPORT,
                            p, 3, &rows);
    if (rc != DB_OK)
        return reply_db(r, rc);
    if (!id || rows->nrows == 0)
        return reply_problem(r, 404, "no attachment %s", req_param(r, 0));
    snprintf(s->sha, sizeof(s->sha), "%s", db_cell(rows, 0, 0));
    snprintf(s->type, sizeof(s->type), "%s", db_cell(rows, 0, 1));
    snprintf(s->name, sizeof(s->name), "%s", db_cell(rows, 0, 2));
    s->size = strtoull(db_cell(rows, 0, 3), NULL, 10);
    if (!blob_name_ok(s->sha))
        return reply_problem(r, 500, "internal error (request %s)", r->request_id);
    blob_path(s->sha, s->path, sizeof(s->path));
    return 0;
}

/* Answers 304 when the client has this version already. Content never
 * changes under its name, so the tag is the digest itself. */
static int not_modified(struct req *r, const char *etag)
{
    req_add_header(r, "ETag", etag);
    req_add_header(r, "Cache-Control", "private, no-cache");
    if (!r->if_none_match)
        return 0;
    if (strcmp(r->if_none_match, "*") == 0 || strstr(r->if_none_match, etag))
        return reply_raw(r, 304, NULL, "", 0);
    return 0;
}

int attachments_download(struct req *r)
{
    struct stored s;
    if (find_stored(r, &s))
        return r->status;
    struct stat st;
    if (stat(s.path, &st) != 0 || (unsigned long long)st.st_size != s.size) {
        log_msg(LOG_ERROR, "attachment file %s is missing or damaged in %s", s.sha,
                blobstore_dir());
        return reply_problem(r, 500, "the stored file is missing (request %s)", r->request_id);
    }
    const char *etag = pool_printf(r->pool, "\"%s\"", s.sha);
    if (not_modified(r, etag))
        return r->status;
    req_add_header(r, "Accept-Ranges", "bytes");
    reply_attachment(r, s.name);
    unsigned long long off, len;
    switch (range_parse(r->range, s.size, &off, &len)) {
    case RANGE_NONE:
        break;
    case RANGE_PART:
        req_add_header(r, "Content-Range",
                       pool_printf(r->pool, "bytes %llu-%llu/%llu", off, off + len - 1, s.size));
        return reply_file_range(r, 206, pool_strdup(r->pool, s.type), pool_strdup(r->pool, s.path),
                                (long long)off, (long long)len);
    case RANGE_UNSATISFIABLE:
        reply_problem(r, 416, "the file has %llu bytes", s.size);
        req_add_header(r, "Content-Range", pool_printf(r->pool, "bytes */%llu", s.size));
        return 416;
    }
    return reply_file(r, 200, pool_strdup(r->pool, s.type), pool_strdup(r->pool, s.path), 1);
}

int attachments_thumbnail(struct req *r)
{
    struct stored s;
    if (find_stored(r, &s))
        return r->status;
    if (!thumbnail_possible(media_type_parse(s.type)))
        return reply_problem_typed(r, 404, "no-thumbnail",
                                   "a %s file has no thumbnail; download it", s.type);
    const char *etag = pool_printf(r->pool, "\"%s-%d\"", s.sha, THUMBNAIL_PX);
    if (not_modified(r, etag))
        return r->status;
    char path[BLOB_PATH_MAX];
    int rc = thumbnail_get(s.sha, path, sizeof(path));
    if (rc == -1)
        return reply_problem_typed(r, 404, "no-thumbnail",
                                   "the image cannot be decoded for a thumbnail; download it");
    if (rc != 0)
        return reply_problem(r, 503, "the thumbnail could not be stored; retry shortly");
    return reply_file(r, 200, "image/jpeg", pool_strdup(r->pool, path), 1);
}
