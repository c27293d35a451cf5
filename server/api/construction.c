/* construction.c — progress reports, review, and applying progress to
 * segments. */
#include "api/construction.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/attachments.h"
#include "api/audit.h"
#include "api/inventory.h"
#include "api/pipeline.h"
#include "api/resource.h"
#include "api/segment_effects.h"
#include "db/db.h"
#include "domain/progress.h"
#include "domain/status.h"
#include "domain/validate.h"
#include "http/reply.h"
#include "util/clock.h"
#include "util/pool.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const states[] = {"submitted", "approved", "rejected", NULL};

static const struct field progress_fields[] = {
    FIELD_ID,
    {"segment_id", FT_REF, F_REQUIRED | F_FILTER, NULL, NULL, NULL, 0, 0, "segments"},
    {"segment_code", FT_STRING, F_READONLY, "",
     "(SELECT code FROM segments WHERE id = t.segment_id)", NULL, 0, 0, NULL},
    {"lot_id", FT_REF, F_READONLY | F_NULLABLE, "",
     "(SELECT lot_id FROM segments WHERE id = t.segment_id)", NULL, 0, 0, NULL},
    {"contractor_id", FT_REF, F_READONLY | F_FILTER, NULL, NULL, NULL, 0, 0, NULL},
    {"author_id", FT_REF, F_READONLY, NULL, NULL, NULL, 0, 0, NULL},
    {"report_date", FT_DATE, F_REQUIRED | F_FILTER, NULL, NULL, NULL, 0, 0, NULL},
    {"built_length_m", FT_DECIMAL, F_REQUIRED, NULL, NULL, NULL, 0, 1e6, NULL},
    {"status", FT_ENUM, F_REQUIRED | F_FILTER, NULL, NULL, segment_status_names, 0, 0, NULL},
    {"note", FT_STRING, F_NULLABLE | F_MULTILINE, NULL, NULL, NULL, 0, 4000, NULL},
    {"state", FT_ENUM, F_READONLY | F_FILTER, NULL, NULL, states, 0, 0, NULL},
    {"reviewer_id", FT_REF, F_READONLY | F_NULLABLE, NULL, NULL, NULL, 0, 0, NULL},
    {"reviewed_at", FT_TIMESTAMP, F_READONLY | F_NULLABLE, NULL, NULL, NULL, 0, 0, NULL},
    {"review_comment", FT_STRING, F_READONLY | F_NULLABLE, NULL, NULL, NULL, 0, 1000, NULL},
    FIELDS_STAMPS,
};

/* A contractor reads only its own reports. */
const struct resource progress_resource = {
    .name = "progress-reports",
    .entity = "progress_report",
    .table = "progress_reports",
    .fields = progress_fields,
    .nfields = N(progress_fields),
    .scope_roles = ROLE_CONTRACTOR,
    .scope = "t.contractor_id = ?",
    .search = "t.note LIKE ?",
    .decorate = attachments_add_to_reports,
};

/* ---- reports ---- */

struct seg_row {
    long long id, lot_id, contractor_id;
    int auto_approve;
    struct segment_state state;
    const char *code;
    const char *now; /* the database's time at the lock, "YYYY-MM-DD hh:mm:ss.fff" */
};

/* Locks the segment a report is about, and only the segment: the lot is
 * read without a lock, so that reports on one lot do not wait for each
 * other. Contractors reach only their own lots' segments; the check is a
 * scalar subquery, not "lot_id IN (…)", which the optimizer may turn into
 * a scan of the lot's segments that locks every one of them. Returns a db
 * code; *found 0 when not visible. */
static int load_segment(struct req *r, long long id, struct seg_row *s, int *found)
{
    struct db_rows *rows;
    struct db_param p[] = {DB_INTP(id), DB_INTP(r->user.role == ROLE_CONTRACTOR),
                           DB_INTP(r->user.contractor_id)};
    enum db_rc rc = db_exec(
        r->db, r->pool,
        "SELECT s.id, s.status, s.planned_length_m, s.built_length_m, s.lot_id, "
        "(SELECT contractor_id FROM lots WHERE id = s.lot_id), "
        "COALESCE((SELECT auto_approve FROM lots WHERE id = s.lot_id), 0), s.code, "
        "CONCAT(DATE_FORMAT(NOW(3), '%Y-%m-%d %H:%i:%s.'), LPAD(MICROSECOND(NOW(3)) DIV 1000, 3, "
        "'0')) FROM segments s WHERE s.id = ? AND (? = 0 OR (SELECT contractor_id FROM lots "
        "WHERE id = s.lot_id) = ?) FOR UPDATE",
        p, 3, &rows);
    *found = 0;
    if (rc != DB_OK || rows->nrows == 0)
        return rc;
    *found = 1;
    s->id = atoll(db_cell(rows, 0, 0));
    s->state.status = segment_status_parse(db_cell(rows, 0, 1));
    s->state.planned_length_m = strtod(db_cell(rows, 0, 2), NULL);
    s->state.built_length_m = strtod(db_cell(rows, 0, 3), NULL);
    s->lot_id = db_cell(rows, 0, 4) ? atoll(db_cell(rows, 0, 4)) : 0;
    s->contractor_id = db_cell(rows, 0, 5) ? atoll(db_cell(rows, 0, 5)) : 0;
    s->auto_approve = strcmp(db_cell(rows, 0, 6), "1") == 0;
    s->code = db_cell(rows, 0, 7);
    s->now = db_cell(rows, 0, 8);
    return DB_OK;
}

static int refuse(struct req *r, int status, const char *field, const char *why)
{
    if (status == 422)
        return reply_invalid_field(r, field, why);
    return reply_problem(r, status, "%s", why);
}

/* Applies an approved report to its segment: built length, a forward
 * status move, actual dates, premises; with the segment's audit entry. */
static int apply_report(struct req *r, const struct seg_row *s, long long report_id, int status,
                        double built, const char *report_date)
{
    cJSON *before = NULL, *after = NULL;
    int rc = resource_load(r, &segments_resource, s->id, 0, &before);
    if (rc != DB_OK)
        return rc;
    int to = status > s->state.status ? status : s->state.status;
    struct db_param p[] = {DB_TEXTP(pool_printf(r->pool, "%.2f", built)),
                           DB_TEXTP(segment_status_names[to]), DB_INTP(s->id)};
    rc = db_exec(r->db, r->pool,
                 "UPDATE segments SET built_length_m = ?, status = ?, version = version + 1, "
                 "updated_at = NOW(3) WHERE id = ?",
                 p, 3, NULL);
    if (rc == DB_OK)
        rc = segment_effects_apply(r, s->id, report_date);
    if (rc == DB_OK)
        rc = resource_load(r, &segments_resource, s->id, 0, &after);
    if (rc == DB_OK && after) {
        cJSON_AddNumberToObject(after, "progress_report_id", (double)report_id);
        rc = audit_write(r, "update", "segment", s->id, before, after);
    }
    return rc;
}

/* Marks a report decided by reviewer (0: decided by the server itself);
 * returns a db code. comment may be NULL. */
static int decide(struct req *r, long long id, const char *state, long long reviewer,
                  const char *comment, const char *action, cJSON **decided)
{
    cJSON *before = NULL, *after = NULL;
    int rc = resource_load(r, &progress_resource, id, 0, &before);
    if (rc != DB_OK)
        return rc;
    struct db_param p[] = {DB_TEXTP(state), reviewer ? DB_INTP(reviewer) : DB_NULLP,
                           DB_TEXTP(comment), DB_INTP(id)};
    rc = db_exec(r->db, r->pool,
                 "UPDATE progress_reports SET state = ?, reviewer_id = ?, reviewed_at = NOW(3), "
                 "review_comment = ?, version = version + 1, updated_at = NOW(3) WHERE id = ?",
                 p, 4, NULL);
    if (rc == DB_OK)
        rc = resource_load(r, &progress_resource, id, 0, &after);
    if (rc == DB_OK)
        rc = audit_write(r, action, "progress_report", id, before, after);
    if (decided)
        *decided = after;
    return rc;
}

int progress_create(struct req *r)
{
    const struct resource *res = &progress_resource;
    struct value vals[N(progress_fields)];
    size_t nv;
    cJSON *errors = req_json(r, cJSON_CreateArray());
    if (validate_body(res->fields, res->nfields, r->json, 1, r->pool, errors, vals, &nv))
        return reply_invalid(r, errors);
    long long segment_id = 0;
    struct progress_report rep = {0};
    const char *note = NULL;
    for (size_t i = 0; i < nv; i++) {
        const char *name = vals[i].field->name;
        if (strcmp(name, "segment_id") == 0)
            segment_id = vals[i].i;
        else if (strcmp(name, "report_date") == 0)
            rep.report_date = vals[i].text;
        else if (strcmp(name, "built_length_m") == 0)
            rep.built_length_m = vals[i].num;
        else if (strcmp(name, "status") == 0)
            rep.status = segment_status_parse(vals[i].text);
        else if (strcmp(name, "note") == 0 && !vals[i].is_null)
            note = vals[i].text;
    }
    rep.has_note = note && *note;

    struct seg_row seg;
    int found;
    int rc = load_segment(r, segment_id, &seg, &found);
    if (rc != DB_OK)
        return reply_db(r, rc);
    if (!found)
        return reply_problem(r, 404, "no segment with id %lld", segment_id);
    if (!seg.contractor_id)
        return reply_invalid_field(r, "segment_id",
                                   "the segment is not in a lot with a contractor");
    char day[11], why[256];
    const char *field = NULL;
    /* The site's day may already be tomorrow in UTC terms (Germany is one
     * or two hours ahead), so the latest acceptable date is UTC tomorrow. */
    clock_utc_date(day, 1);
    int st = progress_check(&seg.state, &rep, day, 0, &field, why, sizeof(why));
    if (st)
        return refuse(r, st, field, why);

    const char *length = pool_printf(r->pool, "%.2f", rep.built_length_m);
    struct db_param p[] = {DB_INTP(segment_id), DB_INTP(seg.contractor_id),
                           DB_INTP(r->user.id), DB_TEXTP(rep.report_date),
                           DB_TEXTP(length),    DB_TEXTP(segment_status_names[rep.status]),
                           DB_TEXTP(note),      DB_TEXTP(seg.now),
                           DB_TEXTP(seg.now)};
    struct db_rows *rows;
    rc = db_exec(r->db, r->pool,
                 "INSERT INTO progress_reports (segment_id, contractor_id, author_id, report_date, "
                 "built_length_m, status, note, created_at, updated_at) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 p, 9, &rows);
    if (rc != DB_OK)
        return reply_db(r, rc);
    long long id = (long long)rows->insert_id;
    /* The new row is known whole: it is not read back. */
    const char *stamp = pool_printf(r->pool, "%.10sT%sZ", seg.now, seg.now + 11);
    cJSON *created = req_json(r, cJSON_CreateObject());
    cJSON_AddNumberToObject(created, "id", (double)id);
    cJSON_AddNumberToObject(created, "segment_id", (double)segment_id);
    cJSON_AddStringToObject(created, "segment_code", seg.code);
    if (seg.lot_id)
        cJSON_AddNumberToObject(created, "lot_id", (double)seg.lot_id);
    else
        cJSON_AddNullToObject(created, "lot_id");
    cJSON_AddNumberToObject(created, "contractor_id", (double)seg.contractor_id);
    cJSON_AddNumberToObject(created, "author_id", (double)r->user.id);
    cJSON_AddStringToObject(created, "report_date", rep.report_date);
    cJSON_AddNumberToObject(created, "built_length_m", strtod(length, NULL));
    cJSON_AddStringToObject(created, "status", segment_status_names[rep.status]);
    if (note)
        cJSON_AddStringToObject(created, "note", note);
    else
        cJSON_AddNullToObject(created, "note");
    cJSON_AddStringToObject(created, "state", "submitted");
    cJSON_AddNullToObject(created, "reviewer_id");
    cJSON_AddNullToObject(created, "reviewed_at");
    cJSON_AddNullToObject(created, "review_comment");
    cJSON_AddNumberToObject(created, "version", 1);
    cJSON_AddStringToObject(created, "created_at", stamp);
    cJSON_AddStringToObject(created, "updated_at", stamp);
    rc = audit_write(r, "create", "progress_report", id, NULL, created);
    cJSON *out = NULL;
    if (rc == DB_OK && seg.auto_approve) {
        /* The lot needs no review: the report applies at once. */
        rc = apply_report(r, &seg, id, rep.status, rep.built_length_m, rep.report_date);
        if (rc == DB_OK)
            rc = decide(r, id, "approved", 0, "approved automatically: the lot needs no review",
                        "approve", &out);
    } else if (rc == DB_OK) {
        out = created;
    }
    if (rc != DB_OK || !out)
        return reply_db(r, rc == DB_OK ? DB_ERROR : rc);
    /* A new report has no attachments yet. */
    cJSON_AddArrayToObject(out, "attachments");
    req_add_header(r, "Location", pool_printf(r->pool, "/api/v1/progress-reports/%lld", id));
    resource_etag(r, out);
    return reply_json(r, 201, out);
}

/* Reads the optional or required review comment; returns 0 or a status. */
static int review_comment(struct req *r, int required, const char **comment)
{
    *comment = NULL;
    if (r->json) {
        for (const cJSON *m = r->json->child; m; m = m->next) {
            if (strcmp(m->string, "comment") != 0)
                return reply_invalid_field(r, m->string, "is not a known field");
        }
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(r->json, "comment");
        if (c && !cJSON_IsNull(c)) {
            if (!cJSON_IsString(c) || utf8_chars(c->valuestring) > 1000)
                return reply_invalid_field(r, "comment",
                                           "must be a text of at most 1000 characters");
            const char *why = text_problem(c->valuestring, 1);
            if (why)
                return reply_invalid_field(r, "comment", why);
            *comment = c->valuestring;
        }
    }
    if (required && (!*comment || !**comment))
        return reply_invalid_field(r, "comment", "a rejection needs a comment for the contractor");
    return 0;
}

/* Locks a submitted report; returns 0 with its fields, or a status. */
static int load_submitted(struct req *r, long long *id, struct seg_row *seg,
                          struct progress_report *rep, char *date, size_t datelen)
{
    *id = parse_id(req_param(r, 0));
    struct db_rows *rows;
    struct db_param p[] = {DB_INTP(*id)};
    enum db_rc rc =
        db_exec(r->db, r->pool,
                "SELECT state, segment_id, status, built_length_m, report_date, "
                "note IS NOT NULL AND note <> '' FROM progress_reports WHERE id = ? FOR UPDATE",
                p, 1, &rows);
    if (rc != DB_OK)
        return reply_db(r, rc);
    if (!*id || rows->nrows == 0)
        return reply_problem(r, 404, "no progress report with id %s", req_param(r, 0));
    if (strcmp(db_cell(rows, 0, 0), "submitted") != 0)
        return reply_problem(r, 409, "this progress report was %s already", db_cell(rows, 0, 0));
    rep->status = segment_status_parse(db_cell(rows, 0, 2));
    rep->built_length_m = strtod(db_cell(rows, 0, 3), NULL);
    snprintf(date, datelen, "%s", db_cell(rows, 0, 4));
    rep->report_date = date;
    rep->has_note = strcmp(db_cell(rows, 0, 5), "1") == 0;
    int found;
    rc = load_segment(r, atoll(db_cell(rows, 0, 1)), seg, &found);
    if (rc != DB_OK)
        return reply_db(r, rc);
    if (!found)
        return reply_problem(r, 409, "the segment of this report no longer exists");
    return 0;
}

/* Approves (applying the report to its segment) or rejects a submitted
 * report. A rejection needs a comment for the contractor. */
static int review(struct req *r, int approve)
{
    const char *comment;
    int st = review_comment(r, !approve, &comment);
    if (st)
        return st;
    long long id;
    struct seg_row seg;
    struct progress_report rep;
    char date[11];
    st = load_submitted(r, &id, &seg, &rep, date, sizeof(date));
    if (st)
        return st;
    int rc = DB_OK;
    if (approve) {
        /* The segment may have moved since the report came in. */
        char why[256];
        const char *field;
        st = progress_check(&seg.state, &rep, "9999-12-31", 0, &field, why, sizeof(why));
        if (st)
            return reply_problem(r, 409, "the report no longer fits the segment: %s; reject it",
                                 why);
        rc = apply_report(r, &seg, id, rep.status, rep.built_length_m, rep.report_date);
    }
    cJSON *out = NULL;
    if (rc == DB_OK)
        rc = decide(r, id, approve ? "approved" : "rejected", r->user.id, comment,
                    approve ? "approve" : "reject", &out);
    if (rc == DB_OK && out)
        rc = attachments_add_to_reports(r, &out, 1);
    if (rc != DB_OK || !out)
        return reply_db(r, rc == DB_OK ? DB_ERROR : rc);
    resource_etag(r, out);
    return reply_json(r, 200, out);
}

int progress_approve(struct req *r) { return review(r, 1); }

int progress_reject(struct req *r) { return review(r, 0); }
