/* sender.c — sends the pending progress reports, oldest first (see
 * sender.h and queue.h). */
#include "sender.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "output.h"
#include "queue.h"

/* How long the server surely keeps an Idempotency-Key (it promises 24 h). */
#define KEY_TRUST_S (20.0 * 3600)

const char *describe_submission(const char *body, char *buf, size_t n)
{
    cJSON *j = body ? cJSON_Parse(body) : NULL;
    char num[32];
    const cJSON *seg = cJSON_GetObjectItemCaseSensitive(j, "segment_id");
    const cJSON *date = cJSON_GetObjectItemCaseSensitive(j, "report_date");
    const cJSON *len = cJSON_GetObjectItemCaseSensitive(j, "built_length_m");
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(j, "status");
    if (cJSON_IsNumber(len))
        snprintf(num, sizeof(num), "%.2f m", len->valuedouble);
    else
        snprintf(num, sizeof(num), "? m");
    snprintf(buf, n, "segment %.0f, %s, %s, %s", cJSON_IsNumber(seg) ? seg->valuedouble : 0.0,
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
    describe_submission(e->body, what, sizeof(what));
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

/* Sends one entry. Returns 0 to go on with the next one, 1 to stop. */
static int send_one(struct api *a, struct send_result *r, const struct queue_entry *e,
                    int print_entries)
{
    char url[4096], what[384], desc[256];
    int k = snprintf(url, sizeof(url), "%s%s", a->server, e->path);
    if (k < 0 || (size_t)k >= sizeof(url)) {
        out_error("queued report %s: its path is too long", e->id);
        r->stop_code = EXIT_OTHER;
        return 1;
    }
    describe_submission(e->body, desc, sizeof(desc));
    snprintf(what, sizeof(what), "report %s (%s)", e->id, desc);

    struct http_request req;
    api_request(a, &req, "POST", url, e->body, strlen(e->body));
    req.idempotency_key = e->key;
    req.retry_inflight_409 = 1;
    struct http_response res;
    int watched = r->watch_id && strcmp(r->watch_id, e->id) == 0;

    if (entry_age(e) > KEY_TRUST_S && strcmp(e->path, "/api/v1/progress-reports") == 0) {
        cJSON *rep = already_recorded(a, e);
        if (rep) {
            if (queue_done(e) != 0) {
                cJSON_Delete(rep);
                r->stop_code = EXIT_OTHER;
                return 1;
            }
            r->sent++;
            r->replayed++;
            char *text = cJSON_PrintUnformatted(rep);
            log_add(r, e, "sent", 200, text, text ? strlen(text) : 0);
            free(text);
            if (print_entries)
                say_sent(e, rep, 1);
            cJSON_Delete(rep);
            return 0;
        }
    }

    if (http_send(&req, &res) != 0) {
        if (res.local_error) {
            out_error("sending %s: %s", what, res.error);
            r->stop_code = EXIT_OTHER;
        } else {
            out_note("No connection to %s (%s).", a->server, res.error);
            r->stop_code = EXIT_NETWORK;
        }
        http_response_free(&res);
        return 1;
    }

    if (res.status >= 200 && res.status < 300) {
        cJSON *rep = cJSON_ParseWithLength(res.body, res.len);
        if (queue_done(e) != 0) {
            /* Acknowledged, but still on disk: the next sync sends it
             * again and gets a replay. Stop rather than risk more. */
            cJSON_Delete(rep);
            http_response_free(&res);
            r->stop_code = EXIT_OTHER;
            return 1;
        }
        r->sent++;
        r->replayed += res.replayed;
        log_add(r, e, "sent", res.status, res.body, res.len);
        if (watched) {
            r->watch_state = 1;
            r->watch_replayed = res.replayed;
            r->watch_report = rep;
            rep = NULL;
        } else if (print_entries) {
            say_sent(e, rep, res.replayed);
        } else {
            out_note("Also sent the earlier queued %s.", what);
        }
        cJSON_Delete(rep);
        http_response_free(&res);
        return 0;
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
        out_note("Nothing was recorded. Correct the report and submit it again.");
        r->failed++;
        log_add(r, e, "refused", res.status, res.body, res.len);
        r->watch_state = 2;
        r->watch_code = code;
        http_response_free(&res);
        return 0;
    }

    if (final_refusal(&res)) {
        int code = out_problem_text(res.status, res.body, res.len, what);
        if (queue_fail(e, res.status, res.body) != 0) {
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
    if (res.status == 409 || res.status == 429 || res.status == 502 || res.status == 503 ||
        res.status == 504 || res.status == 408) {
        out_note("The server cannot take reports right now (HTTP %ld).", res.status);
        r->stop_code = EXIT_NETWORK;
    } else {
        r->stop_code = out_problem_text(res.status, res.body, res.len, what);
    }
    http_response_free(&res);
    return 1;
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
