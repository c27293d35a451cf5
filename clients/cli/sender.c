/* sender.c — sends the pending progress reports, oldest first (see
 * sender.h and queue.h). */
#include "sender.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "codes.h"
#include "fsutil.h"
#include "output.h"
#include "queue.h"

/* How long the server surely keeps an Idempotency-Key (it promises 24 h). */
#define KEY_TRUST_S (20.0 * 3600)

const char *describe_submission(const char *server, const char *body, char *buf, size_t n)
{
    cJSON *j = body ? cJSON_Parse(body) : NULL;
    char num[32], segment[96];
    const cJSON *seg = cJSON_GetObjectItemCaseSensitive(j, "segment_id");
    const cJSON *date = cJSON_GetObjectItemCaseSensitive(j, "report_date");
    const cJSON *len = cJSON_GetObjectItemCaseSensitive(j, "built_length_m");
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(j, "status");
    if (cJSON_IsNumber(len))
        snprintf(num, sizeof(num), "%.2f m", len->valuedouble);
    else
        snprintf(num, sizeof(num), "? m");
    /* People know the segment by its code, when the code cache has it. */
    struct api a;
    memset(&a, 0, sizeof(a));
    snprintf(a.server, sizeof(a.server), "%s", server ? server : "");
    const char *code =
        cJSON_IsNumber(seg) ? codes_code_of(&a, CODE_SEGMENT, (long long)seg->valuedouble) : NULL;
    if (code)
        snprintf(segment, sizeof(segment), "%s", code);
    else
        snprintf(segment, sizeof(segment), "%.0f", cJSON_IsNumber(seg) ? seg->valuedouble : 0.0);
    snprintf(buf, n, "segment %s, %s, %s, %s", segment,
             cJSON_IsString(date) ? date->valuestring : "?", num,
             cJSON_IsString(st) ? st->valuestring : "?");
    cJSON_Delete(j);
    return buf;
}

/* A 4xx that will not change by sending the same request again. */
static int final_refusal(const struct http_response *res)
{
    long s = res->status;
    if (s == 409)
        return !http_is_inflight_409(res);
    return s >= 400 && s < 500 && s != 401 && s != 403 && s != 408 && s != 429;
}

struct skip {
    char **names;
    int n;
};

static int skipped(const struct skip *sk, const char *name)
{
    for (int i = 0; i < sk->n; i++)
        if (strcmp(sk->names[i], name) == 0)
            return 1;
    return 0;
}

static void skip_add(struct skip *sk, const char *name)
{
    char **nv = realloc(sk->names, (size_t)(sk->n + 1) * sizeof(char *));
    if (!nv)
        return;
    sk->names = nv;
    sk->names[sk->n] = strdup(name);
    if (sk->names[sk->n])
        sk->n++;
}

static void log_add(struct send_result *r, const struct queue_entry *e, const char *outcome,
                    long status, const char *body, size_t len)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", e->id);
    cJSON_AddStringToObject(o, "outcome", outcome);
    if (status)
        cJSON_AddNumberToObject(o, "status", (double)status);
    cJSON *b = body && len ? cJSON_ParseWithLength(body, len) : NULL;
    if (b)
        cJSON_AddItemToObject(o, status >= 200 && status < 300 ? "report" : "problem", b);
    cJSON *req = e->body ? cJSON_Parse(e->body) : NULL;
    if (req)
        cJSON_AddItemToObject(o, "submission", req);
    cJSON_AddItemToArray(r->log, o);
}

/* What the server said about an acknowledged report, for people. */
static void say_sent(const struct queue_entry *e, const cJSON *rep, int replayed)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(rep, "id");
    const cJSON *state = cJSON_GetObjectItemCaseSensitive(rep, "state");
    char what[256];
    describe_submission(e->server, e->body, what, sizeof(what));
    out_say("sent     %s  %s  -> report #%.0f (%s)%s", e->id, what,
            cJSON_IsNumber(id) ? id->valuedouble : 0.0,
            cJSON_IsString(state) ? state->valuestring : "?",
            replayed ? ", the server had it already" : "");
}

/* Seconds since an entry was queued (0 when unknown). */
static double entry_age(const struct queue_entry *e)
{
    struct tm tm = {0};
    if (!e->created_at)
        return 0;
    const char *rest = strptime(e->created_at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (!rest || *rest)
        return 0;
    return difftime(time(NULL), timegm(&tm));
}

static int same_number(const cJSON *a, const cJSON *b)
{
    return cJSON_IsNumber(a) && cJSON_IsNumber(b) && fabs(a->valuedouble - b->valuedouble) < 0.005;
}

static int same_string(const cJSON *a, const cJSON *b)
{
    if (!a || cJSON_IsNull(a))
        return !b || cJSON_IsNull(b) || (cJSON_IsString(b) && !*b->valuestring);
    return cJSON_IsString(a) && cJSON_IsString(b) && strcmp(a->valuestring, b->valuestring) == 0;
}

/* The server keeps an Idempotency-Key for at least a day. For an entry
 * older than that, a lost answer of an earlier attempt could not be told
 * by a replay any more, so look first for the very report: same segment,
 * date, length, status and note, by this user, created after the entry was
 * queued. Returns the report (caller frees) or NULL. */
static cJSON *already_recorded(struct api *a, const struct queue_entry *e)
{
    cJSON *body = cJSON_Parse(e->body);
    const cJSON *seg = cJSON_GetObjectItemCaseSensitive(body, "segment_id");
    const cJSON *date = cJSON_GetObjectItemCaseSensitive(body, "report_date");
    cJSON *found = NULL;
    if (!cJSON_IsNumber(seg) || !cJSON_IsString(date)) {
        cJSON_Delete(body);
        return NULL;
    }
    char path[256];
    snprintf(path, sizeof(path), "/progress-reports?segment_id=%.0f&report_date=%s",
             seg->valuedouble, date->valuestring);
    cJSON *items;
    int saved = g_cli.quiet;
    g_cli.quiet = 1;
    if (api_list(a, path, 0, &items, "looking for an earlier copy") != EXIT_OK) {
        g_cli.quiet = saved;
        cJSON_Delete(body);
        return NULL;
    }
    g_cli.quiet = saved;
    const cJSON *it;
    cJSON_ArrayForEach(it, items)
    {
        const cJSON *author = cJSON_GetObjectItemCaseSensitive(it, "author_id");
        const cJSON *created = cJSON_GetObjectItemCaseSensitive(it, "created_at");
        if (!cJSON_IsNumber(author) || (long long)author->valuedouble != a->tok.user_id ||
            !cJSON_IsString(created) || strncmp(created->valuestring, e->created_at, 19) < 0)
            continue;
        if (same_number(cJSON_GetObjectItemCaseSensitive(it, "built_length_m"),
                        cJSON_GetObjectItemCaseSensitive(body, "built_length_m")) &&
            same_string(cJSON_GetObjectItemCaseSensitive(body, "status"),
                        cJSON_GetObjectItemCaseSensitive(it, "status")) &&
            same_string(cJSON_GetObjectItemCaseSensitive(body, "note"),
                        cJSON_GetObjectItemCaseSensitive(it, "note"))) {
            found = cJSON_Duplicate(it, 1);
            break;
        }
    }
    cJSON_Delete(items);
    cJSON_Delete(body);
    return found;
}

/* Stops sending after a request got no answer. Returns 1. */
static int no_answer(struct api *a, struct send_result *r, const struct http_response *res,
                     const char *what)
{
    if (res->local_error) {
        out_error("sending %s: %s", what, res->error);
        r->stop_code = EXIT_OTHER;
    } else {
        out_note("No connection to %s (%s).", a->server, res->error);
        r->stop_code = EXIT_NETWORK;
    }
    return 1;
}

/* Stops sending after an answer that may be different later (busy, 500,
 * 401, 403). Returns 1. */
static int not_now(struct send_result *r, const struct http_response *res, const char *things,
                   const char *what)
{
    if (res->status == 409 || res->status == 429 || res->status == 502 || res->status == 503 ||
        res->status == 504 || res->status == 408) {
        out_note("The server cannot take %s right now (HTTP %ld).", things, res->status);
        r->stop_code = EXIT_NETWORK;
    } else {
        r->stop_code = out_problem_text(res->status, res->body, res->len, what);
    }
    return 1;
}

/* The report was acknowledged (rep: the server's report, may be NULL). An
 * entry without photos is done; one with photos records the report's id,
 * durably, before any photo goes. Returns 0 (done), 1 to stop, 2 to send
 * the photos now. */
static int report_acknowledged(struct send_result *r, struct queue_entry *e, cJSON *rep,
                               const char *answer, size_t len, long status, int replayed,
                               int watched, int print_entries, const char *what)
{
    const cJSON *rid = cJSON_GetObjectItemCaseSensitive(rep, "id");
    int photos = e->photos != NULL;
    if (photos && (!cJSON_IsNumber(rid) || rid->valuedouble < 1)) {
        out_error("%s was recorded, but the server's answer names no report id; its photos "
                  "stay queued",
                  what);
        cJSON_Delete(rep);
        r->stop_code = EXIT_OTHER;
        return 1;
    }
    if (photos) {
        fs_fault_point("report-sent-before-record");
        cJSON_DeleteItemFromObjectCaseSensitive(e->json, "report_id");
        cJSON_AddNumberToObject(e->json, "report_id", rid->valuedouble);
        e->report_id = (long long)rid->valuedouble;
        /* On disk before any photo goes: from now on only the photos are
         * sent, never the report again, however long they wait. */
        if (queue_update(e) != 0) {
            cJSON_Delete(rep);
            r->stop_code = EXIT_OTHER;
            return 1;
        }
    } else if (queue_done(e) != 0) {
        /* Acknowledged, but still on disk: the next sync sends it again and
         * gets a replay. Stop rather than risk more. */
        cJSON_Delete(rep);
        r->stop_code = EXIT_OTHER;
        return 1;
    }
    r->sent++;
    r->replayed += replayed;
    log_add(r, e, "sent", status, answer, len);
    if (watched) {
        r->watch_state = 1;
        r->watch_replayed = replayed;
        r->watch_report = rep;
        rep = NULL;
    } else if (print_entries) {
        say_sent(e, rep, replayed);
    } else {
        out_note("Also sent the earlier queued %s.", what);
    }
    cJSON_Delete(rep);
    return photos ? 2 : 0;
}

/* Sends the report of an entry. Returns 0 to go on with the next entry, 1
 * to stop, 2 to send the entry's photos now. */
static int send_report(struct api *a, struct send_result *r, struct queue_entry *e, int watched,
                       int print_entries)
{
    char url[4096], what[384], desc[256];
    int k = snprintf(url, sizeof(url), "%s%s", a->server, e->path);
    if (k < 0 || (size_t)k >= sizeof(url)) {
        out_error("queued report %s: its path is too long", e->id);
        r->stop_code = EXIT_OTHER;
        return 1;
    }
    describe_submission(e->server, e->body, desc, sizeof(desc));
    snprintf(what, sizeof(what), "report %s (%s)", e->id, desc);

    struct http_request req;
    api_request(a, &req, "POST", url, e->body, strlen(e->body));
    req.idempotency_key = e->key;
    req.retry_inflight_409 = 1;
    struct http_response res;

    if (entry_age(e) > KEY_TRUST_S && strcmp(e->path, "/api/v1/progress-reports") == 0) {
        cJSON *rep = already_recorded(a, e);
        if (rep) {
            char *text = cJSON_PrintUnformatted(rep);
            int rc = report_acknowledged(r, e, rep, text, text ? strlen(text) : 0, 200, 1, watched,
                                         print_entries, what);
            free(text);
            return rc;
        }
    }

    if (http_send(&req, &res) != 0) {
        no_answer(a, r, &res, what);
        http_response_free(&res);
        return 1;
    }

    if (res.status >= 200 && res.status < 300) {
        cJSON *rep = cJSON_ParseWithLength(res.body, res.len);
        int rc = report_acknowledged(r, e, rep, res.body, res.len, res.status, res.replayed,
                                     watched, print_entries, what);
        http_response_free(&res);
        return rc;
    }

    if (final_refusal(&res) && watched) {
        /* Refused the moment it was submitted: the person is told now and
         * submits a corrected report; nothing to keep. */
        int code = out_problem_text(res.status, res.body, res.len, "the report was refused");
        if (queue_done(e) != 0) {
            http_response_free(&res);
            r->stop_code = EXIT_OTHER;
            return 1;
        }
        out_note("Nothing was recorded%s. Correct the report and submit it again.",
                 e->photos ? " and no photo was sent" : "");
        r->failed++;
        log_add(r, e, "refused", res.status, res.body, res.len);
        r->watch_state = 2;
        r->watch_code = code;
        http_response_free(&res);
        return 0;
    }

    if (final_refusal(&res)) {
        int code = out_problem_text(res.status, res.body, res.len, what);
        if (queue_fail(e, res.status, res.body, NULL) != 0) {
            http_response_free(&res);
            r->stop_code = EXIT_OTHER;
            return 1;
        }
        out_note("  It was not recorded. It is kept with the failed reports (see: fibertrack "
                 "queue) and will not be sent again by itself.");
        r->failed++;
        if (r->fail_code == EXIT_OK)
            r->fail_code = code;
        log_add(r, e, "failed", res.status, res.body, res.len);
        http_response_free(&res);
        return 0;
    }

    /* Not acknowledged, and it may be fine later: keep it, stop here. */
    not_now(r, &res, "reports", what);
    http_response_free(&res);
    return 1;
}

/* ---- photos ---- */

enum photo_outcome { PHOTO_SENT, PHOTO_FAILED, PHOTO_STOP };

static const char *pstr(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void photo_log(struct send_result *r, const struct queue_entry *e, const char *name,
                      const char *outcome, long status, const cJSON *answer)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", e->id);
    cJSON_AddStringToObject(o, "photo", name);
    cJSON_AddNumberToObject(o, "report_id", (double)e->report_id);
    cJSON_AddStringToObject(o, "outcome", outcome);
    if (status)
        cJSON_AddNumberToObject(o, "status", (double)status);
    if (answer)
        cJSON_AddItemToObject(o, status >= 200 && status < 300 ? "attachment" : "problem",
                              cJSON_Duplicate(answer, 1));
    cJSON_AddItemToArray(r->log, o);
}

/* The photo was acknowledged (att: the server's attachment, may be NULL):
 * it leaves the entry, durably, then its copy goes. */
static enum photo_outcome photo_acknowledged(struct send_result *r, struct queue_entry *e, int idx,
                                             cJSON *att, long status, int replayed, int watched,
                                             int print_entries)
{
    cJSON *ph = cJSON_GetArrayItem(e->photos, idx);
    char name[256], file[64];
    snprintf(name, sizeof(name), "%s", pstr(ph, "file_name") ? pstr(ph, "file_name") : "?");
    snprintf(file, sizeof(file), "%s", pstr(ph, "file") ? pstr(ph, "file") : "");
    const char *sha = pstr(ph, "sha256");
    const char *got = pstr(att, "sha256");
    if (sha && got && strcmp(sha, got) != 0)
        out_warn("the server's copy of %s is not what was sent (SHA-256 %s, sent %s)", name, got,
                 sha);

    fs_fault_point("photo-sent-before-remove");
    cJSON_DeleteItemFromArray(e->photos, idx);
    if (queue_update(e) != 0) {
        /* Still named in the entry: the next sync sends it again and gets
         * a replay. */
        r->stop_code = EXIT_OTHER;
        return PHOTO_STOP;
    }
    queue_photo_remove(e, file);
    r->photos_sent++;
    r->photos_replayed += replayed;
    photo_log(r, e, name, "sent", status, att);

    const cJSON *id = cJSON_GetObjectItemCaseSensitive(att, "id");
    char flags[256];
    join_strings(cJSON_GetObjectItemCaseSensitive(att, "flags"), flags, sizeof(flags));
    if (watched) {
        cJSON *copy = att ? cJSON_Duplicate(att, 1) : cJSON_CreateObject();
        if (replayed)
            cJSON_AddBoolToObject(copy, "replayed", 1);
        if (!r->watch_attachments)
            r->watch_attachments = cJSON_CreateArray();
        cJSON_AddItemToArray(r->watch_attachments, copy);
    } else if (print_entries) {
        out_say("photo    %s  %s -> attachment #%.0f of report #%lld%s%s%s%s", e->id, name,
                cJSON_IsNumber(id) ? id->valuedouble : 0.0, e->report_id,
                *flags ? " (flagged: " : "", flags, *flags ? ")" : "",
                replayed ? ", the server had it already" : "");
    } else {
        out_note("Also sent photo %s of the earlier queued report %s.", name, e->id);
    }
    return PHOTO_SENT;
}

/* The photo was refused for good: it stays in the entry as failed, with
 * the reason (status 0: a local reason, the copy is gone). */
static enum photo_outcome photo_refused(struct send_result *r, struct queue_entry *e, int idx,
                                        long status, const char *body, size_t len, int watched)
{
    cJSON *ph = cJSON_GetArrayItem(e->photos, idx);
    char name[256], what[400];
    snprintf(name, sizeof(name), "%s", pstr(ph, "file_name") ? pstr(ph, "file_name") : "?");
    snprintf(what, sizeof(what), "photo %s of report #%lld (queue id %s) was refused", name,
             e->report_id, e->id);
    int code;
    cJSON *p;
    if (status) {
        code = out_problem_text(status, body, len, what);
        p = body && len ? cJSON_ParseWithLength(body, len) : NULL;
    } else {
        /* Told in our own words, kept in the shape of the server's. */
        out_error("%s: %s", what, body);
        code = EXIT_OTHER;
        p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "title", "Photo missing");
        cJSON_AddStringToObject(p, "detail", body);
    }
    cJSON *f = cJSON_CreateObject();
    char at[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
    cJSON_AddStringToObject(f, "at", at);
    cJSON_AddNumberToObject(f, "status", (double)status);
    if (p)
        cJSON_AddItemToObject(f, "problem", cJSON_Duplicate(p, 1));
    cJSON_DeleteItemFromObjectCaseSensitive(ph, "failed");
    cJSON_AddItemToObject(ph, "failed", f);
    cJSON_ReplaceItemInObjectCaseSensitive(ph, "state", cJSON_CreateString("failed"));
    if (queue_update(e) != 0) {
        cJSON_Delete(p);
        r->stop_code = EXIT_OTHER;
        return PHOTO_STOP;
    }
    out_note("  The report is recorded; this photo is kept with the failed ones (see: fibertrack "
             "queue) and will not be sent again by itself.");
    r->photos_failed++;
    if (r->fail_code == EXIT_OK)
        r->fail_code = code;
    photo_log(r, e, name, "failed", status, p);
    if (watched) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "file_name", name);
        cJSON_AddNumberToObject(o, "status", (double)status);
        if (p)
            cJSON_AddItemToObject(o, "problem", cJSON_Duplicate(p, 1));
        if (!r->watch_photo_failures)
            r->watch_photo_failures = cJSON_CreateArray();
        cJSON_AddItemToArray(r->watch_photo_failures, o);
        if (!r->watch_code)
            r->watch_code = code;
    }
    cJSON_Delete(p);
    return PHOTO_FAILED;
}

/* For an entry older than the server surely keeps keys: the attachment of
 * the report that is this very photo (same content and name, uploaded by
 * this user), if there is one. *known caches the report's attachments. */
static cJSON *already_attached(struct api *a, const struct queue_entry *e, const cJSON *ph,
                               cJSON **known)
{
    if (!*known) {
        char path[128];
        snprintf(path, sizeof(path), "/progress-reports/%lld/attachments", e->report_id);
        int saved = g_cli.quiet;
        g_cli.quiet = 1;
        cJSON *j;
        int rc = api_get_json(a, path, &j, NULL, "looking for photos sent before");
        g_cli.quiet = saved;
        if (rc != EXIT_OK)
            return NULL;
        *known = j;
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(*known, "items"))
    {
        const cJSON *by = cJSON_GetObjectItemCaseSensitive(it, "uploaded_by");
        const char *sha = pstr(it, "sha256"), *name = pstr(it, "file_name");
        if (cJSON_IsNumber(by) && (long long)by->valuedouble == a->tok.user_id && sha &&
            pstr(ph, "sha256") && strcmp(sha, pstr(ph, "sha256")) == 0 && name &&
            pstr(ph, "file_name") && strcmp(name, pstr(ph, "file_name")) == 0)
            return cJSON_Duplicate(it, 1);
    }
    return NULL;
}

/* Uploads photo idx of the entry, the nth of total in this run (for the
 * progress bar's label). */
static enum photo_outcome send_photo(struct api *a, struct send_result *r, struct queue_entry *e,
                                     int idx, int nth, int total, int watched, int print_entries,
                                     cJSON **known)
{
    cJSON *ph = cJSON_GetArrayItem(e->photos, idx);
    const char *file = pstr(ph, "file"), *name = pstr(ph, "file_name");
    const char *key = pstr(ph, "idempotency_key"), *type = pstr(ph, "media_type");
    const char *caption = pstr(ph, "caption");
    char path[4096], what[400];
    if (!name)
        name = "?";
    snprintf(what, sizeof(what), "photo %s of report #%lld (queue id %s)", name, e->report_id,
             e->id);
    if (!key || queue_photo_path(e, file, path, sizeof(path)) != 0 || access(path, R_OK) != 0) {
        char why[600];
        snprintf(why, sizeof(why), "its copy in the queue is gone or damaged (%s)",
                 file ? file : "no file");
        return photo_refused(r, e, idx, 0, why, strlen(why), watched);
    }

    if (entry_age(e) > KEY_TRUST_S) {
        cJSON *att = already_attached(a, e, ph, known);
        if (att) {
            enum photo_outcome o =
                photo_acknowledged(r, e, idx, att, 200, 1, watched, print_entries);
            cJSON_Delete(att);
            return o;
        }
    }

    char url[8192], esc[6400] = "", disp[1200], label[400];
    if ((caption && url_escape(caption, esc, sizeof(esc)) != 0) ||
        api_url(a, url, sizeof(url), "/progress-reports/%lld/attachments%s%s", e->report_id,
                esc[0] ? "?caption=" : "", esc) != 0 ||
        photo_disposition(name, disp, sizeof(disp)) != 0) {
        out_error("%s: the request does not fit", what);
        r->stop_code = EXIT_OTHER;
        return PHOTO_STOP;
    }
    if (total > 1)
        snprintf(label, sizeof(label), "Uploading %s (%d of %d)", name, nth, total);
    else
        snprintf(label, sizeof(label), "Uploading %s", name);

    struct http_request req;
    struct http_response res;
    api_request(a, &req, "POST", url, NULL, 0);
    req.upload_path = path;
    req.content_type = type ? type : "application/octet-stream";
    req.content_disposition = disp;
    req.idempotency_key = key;
    req.retry_inflight_409 = 1;
    req.expect_continue = 1;
    /* Scripts read --json; a bar is for people at a terminal. */
    req.progress_label = g_cli.json ? NULL : label;
    if (http_send(&req, &res) != 0) {
        no_answer(a, r, &res, what);
        http_response_free(&res);
        return PHOTO_STOP;
    }
    enum photo_outcome o;
    if (res.status >= 200 && res.status < 300) {
        cJSON *att = cJSON_ParseWithLength(res.body, res.len);
        o = photo_acknowledged(r, e, idx, att, res.status, res.replayed, watched, print_entries);
        cJSON_Delete(att);
    } else if (final_refusal(&res)) {
        o = photo_refused(r, e, idx, res.status, res.body, res.len, watched);
    } else {
        not_now(r, &res, "photos", what);
        o = PHOTO_STOP;
    }
    http_response_free(&res);
    return o;
}

static int count_state(const cJSON *photos, const char *state)
{
    int n = 0;
    const cJSON *ph;
    cJSON_ArrayForEach(ph, photos)
    {
        const char *s = pstr(ph, "state");
        n += s && strcmp(s, state) == 0;
    }
    return n;
}

/* Sends the photos of an entry whose report is recorded, then closes the
 * entry: done when all went, to failed/ when some were refused. Returns 0
 * to go on with the next entry, 1 to stop. */
static int send_photos(struct api *a, struct send_result *r, struct queue_entry *e, int watched,
                       int print_entries)
{
    cJSON *known = NULL;
    int total = count_state(e->photos, "pending"), nth = 0, stop = 0;
    for (int idx = 0; idx < cJSON_GetArraySize(e->photos);) {
        const char *state = pstr(cJSON_GetArrayItem(e->photos, idx), "state");
        if (!state || strcmp(state, "pending") != 0) {
            idx++;
            continue;
        }
        nth++;
        enum photo_outcome o = send_photo(a, r, e, idx, nth, total, watched, print_entries, &known);
        if (o == PHOTO_STOP) {
            stop = 1;
            break;
        }
        if (o == PHOTO_FAILED)
            idx++; /* a sent one left the array, a failed one stays */
    }
    cJSON_Delete(known);
    if (watched)
        r->watch_photos_left = count_state(e->photos, "pending");
    if (stop)
        return 1;

    /* Nothing pending: done, or only refused photos are left. */
    const cJSON *first = NULL, *ph;
    cJSON_ArrayForEach(ph, e->photos)
    {
        if (!first)
            first = ph;
    }
    if (!first) {
        if (queue_done(e) == 0)
            return 0;
        r->stop_code = EXIT_OTHER;
        return 1;
    }
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(first, "failed");
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(f, "status");
    char *problem = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(f, "problem"));
    int rc = queue_fail(e, cJSON_IsNumber(st) ? (long)st->valuedouble : 0, problem,
                        pstr(first, "file_name"));
    free(problem);
    if (rc != 0) {
        r->stop_code = EXIT_OTHER;
        return 1;
    }
    return 0;
}

/* Sends one entry: its report unless recorded already, then its photos.
 * Returns 0 to go on with the next one, 1 to stop. */
static int send_one(struct api *a, struct send_result *r, struct queue_entry *e, int print_entries)
{
    int watched = r->watch_id && strcmp(r->watch_id, e->id) == 0;
    if (e->report_id == 0) {
        int rc = send_report(a, r, e, watched, print_entries);
        if (rc != 2)
            return rc;
    } else if (watched) {
        r->watch_state = 1;
    }
    return send_photos(a, r, e, watched, print_entries);
}

int send_queue(struct api *a, struct send_result *r, double lock_wait_s, int print_entries)
{
    const char *watch = r->watch_id;
    memset(r, 0, sizeof(*r));
    r->watch_id = watch;
    r->log = cJSON_CreateArray();
    if (queue_open() != 0) {
        r->stop_code = EXIT_OTHER;
        return r->stop_code;
    }
    int fd = queue_lock(lock_wait_s);
    if (fd == -1) {
        r->stop_code = EXIT_OTHER;
        return r->stop_code;
    }
    if (fd >= 0)
        queue_sweep_files();
    struct skip sk = {0};
    if (fd == -2) {
        out_note("Another fibertrack is sending the queue right now; it sends these too.");
        r->stop_code = EXIT_NETWORK;
    }
    while (fd >= 0) {
        char **names;
        int n = queue_names(QUEUE_PENDING, &names);
        if (n < 0) {
            r->stop_code = EXIT_OTHER;
            break;
        }
        int i = 0;
        while (i < n && skipped(&sk, names[i]))
            i++;
        if (i == n) {
            queue_names_free(names, n);
            break;
        }
        struct queue_entry e;
        int loaded = queue_load(QUEUE_PENDING, names[i], &e);
        skip_add(&sk, names[i]);
        queue_names_free(names, n);
        if (loaded != 0) {
            if (r->fail_code == EXIT_OK)
                r->fail_code = EXIT_OTHER;
            continue;
        }
        char srv[1024];
        if (server_normalise(e.server, srv, sizeof(srv)) != 0 || strcmp(srv, a->server) != 0 ||
            e.user_id != a->tok.user_id) {
            r->other_user++;
            out_note("Queued report %s belongs to %s on %s; log in there as that user to send it.",
                     e.id, e.email && *e.email ? e.email : "another user", e.server);
            queue_entry_free(&e);
            continue;
        }
        int stop = send_one(a, r, &e, print_entries);
        queue_entry_free(&e);
        if (stop)
            break;
    }
    for (int i = 0; i < sk.n; i++)
        free(sk.names[i]);
    free(sk.names);

    int n = queue_count(QUEUE_PENDING);
    if (n >= 0)
        r->pending = n;
    queue_unlock(fd);
    return r->stop_code;
}
