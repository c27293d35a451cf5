/* cmd_segments.c — `segments show` and `segments accept` (Abnahme): one
 * segment, by code or id. The list is in cmd_lists.c.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "args.h"
#include "codes.h"
#include "output.h"
#include "photo.h"
#include "queue.h"

#define ACCEPT_NOTE_MAX 2000 /* characters, as the server allows */

static const char *jstr(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Prints a segment as "field  value" lines, its lot by code. */
static void print_segment(const struct api *a, const cJSON *seg)
{
    if (g_cli.json) {
        out_json(seg);
        return;
    }
    const cJSON *f;
    cJSON_ArrayForEach(f, seg)
    {
        char buf[64];
        if (strcmp(f->string, "geometry") == 0) {
            const cJSON *coords = cJSON_GetObjectItemCaseSensitive(f, "coordinates");
            if (cJSON_IsArray(coords))
                out_say("  %-18s LineString, %d points (--json shows them)", f->string,
                        cJSON_GetArraySize(coords));
            else
                out_say("  %-18s", f->string);
            continue;
        }
        if (cJSON_IsObject(f) || cJSON_IsArray(f))
            continue;
        out_say("  %-18s %s", f->string, cell_text(f, buf, sizeof(buf)));
        /* The lot as people know it, right under its id. */
        const char *lot = strcmp(f->string, "lot_id") == 0 && cJSON_IsNumber(f)
                              ? codes_code_of(a, CODE_LOT, (long long)f->valuedouble)
                              : NULL;
        if (lot)
            out_say("  %-18s %s", "lot_code", lot);
    }
}

/* The one CODE (or id) argument of show and accept into *id. */
static int segment_arg(struct api *a, int argc, char **argv, const char *sub, long long *id)
{
    if (optind >= argc)
        return args_usage("segments", "segments %s needs a segment code (or id)", sub);
    if (optind + 1 < argc)
        return args_usage("segments", "unexpected argument '%s'", argv[optind + 1]);
    long long pid = 0;
    if (g_cli.project) {
        int rc = api_project(a, &pid);
        if (rc != EXIT_OK)
            return rc;
    }
    return codes_resolve(a, CODE_SEGMENT, argv[optind], pid, "segment", 0, id);
}

static int get_segment(struct api *a, long long id, cJSON **seg, const char *what)
{
    char path[64];
    snprintf(path, sizeof(path), "/segments/%lld", id);
    int rc = api_get_json(a, path, seg, NULL, what);
    if (rc == EXIT_OK) {
        cJSON *one = cJSON_CreateArray();
        cJSON_AddItemReferenceToArray(one, *seg);
        codes_learn(a, CODE_SEGMENT, one, 0);
        cJSON_Delete(one);
    }
    return rc;
}

int cmd_segments_show(int argc, char **argv)
{
    int rc = args_only_global(argc, argv, "segments", segments_help_text());
    if (rc != ARGS_GO_ON)
        return rc;
    struct api a;
    rc = api_open(&a, 1);
    if (rc != EXIT_OK)
        return rc;
    long long id;
    rc = segment_arg(&a, argc, argv, "show", &id);
    if (rc != EXIT_OK)
        return rc;
    cJSON *seg;
    rc = get_segment(&a, id, &seg, "reading the segment");
    if (rc != EXIT_OK)
        return rc;
    print_segment(&a, seg);
    cJSON_Delete(seg);
    return EXIT_OK;
}

/* After a 409: a segment accepted already as asked (an earlier attempt
 * whose answer was lost, or a colleague) needs nothing more. Returns 1
 * when so (told), else 0 with *why (size n) saying what the segment is. */
static int accepted_already(struct api *a, long long id, const char *code, const char *date,
                            char *why, size_t n)
{
    cJSON *seg;
    why[0] = '\0';
    int saved = g_cli.quiet;
    g_cli.quiet = 1;
    int rc = get_segment(a, id, &seg, "reading the segment");
    g_cli.quiet = saved;
    if (rc != EXIT_OK)
        return 0;
    const char *status = jstr(seg, "status"), *on = jstr(seg, "accepted_on");
    int done = 0;
    if (status && strcmp(status, "accepted") == 0 && on && (!date || strcmp(date, on) == 0)) {
        if (g_cli.json)
            out_json(seg);
        else
            out_say("Segment %s is accepted already (on %s).", code, on);
        done = 1;
    } else if (status && strcmp(status, "accepted") == 0) {
        snprintf(why, n, "Segment %s was accepted on %s already.", code, on ? on : "?");
    } else if (status) {
        snprintf(why, n, "Segment %s is %s; only a tested segment can be accepted.", code, status);
    }
    cJSON_Delete(seg);
    return done;
}

int cmd_segments_accept(int argc, char **argv)
{
    enum { O_DATE = OPT_FIRST_COMMAND, O_NOTE };
    static const struct option opts[] = {GLOBAL_LONG_OPTIONS,
                                         {"date", required_argument, NULL, O_DATE},
                                         {"note", required_argument, NULL, O_NOTE},
                                         {NULL, 0, NULL, 0}};
    const char *date_arg = NULL, *note = NULL;
    char date[11] = "";
    int c;
    while ((c = args_next(argc, argv, GLOBAL_SHORT_OPTIONS, opts, "segments")) != -1) {
        switch (c) {
        case 'h':
            return args_help(stdout, segments_help_text());
        case O_DATE:
            date_arg = optarg;
            break;
        case O_NOTE:
            note = optarg;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (date_arg && args_date(date_arg, date) != 0)
        return args_usage("segments", "--date needs a date as 2026-11-25 or 25.11.2026, not '%s'",
                          date_arg);
    if (note && utf8_chars(note) > ACCEPT_NOTE_MAX)
        return args_usage("segments", "--note is longer than %d characters", ACCEPT_NOTE_MAX);
    struct api a;
    int rc = api_open(&a, 1);
    if (rc != EXIT_OK)
        return rc;
    long long id;
    rc = segment_arg(&a, argc, argv, "accept", &id);
    if (rc != EXIT_OK)
        return rc;
    const char *known = codes_code_of(&a, CODE_SEGMENT, id);
    char code[256];
    snprintf(code, sizeof(code), "%s", known ? known : argv[optind]);

    cJSON *b = cJSON_CreateObject();
    if (date[0])
        cJSON_AddStringToObject(b, "accepted_on", date);
    if (note && *note)
        cJSON_AddStringToObject(b, "note", note);
    char *body = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    char key[64], url[2048];
    if (!body || queue_new_key(key) != 0 ||
        api_url(&a, url, sizeof(url), "/segments/%lld/accept", id) != 0) {
        free(body);
        out_error("cannot prepare the request");
        return EXIT_OTHER;
    }
    /* One key for every attempt: a retry after a lost answer is the same
     * acceptance, not a second one. */
    struct http_request req;
    struct http_response res;
    api_request(&a, &req, "POST", url, body, strlen(body));
    req.idempotency_key = key;
    req.retry_inflight_409 = 1;
    if (http_send(&req, &res) != 0) {
        rc = api_no_answer(&a, &res, "accepting the segment");
        if (rc == EXIT_NETWORK)
            fprintf(stderr, "  Nothing is kept for later: run the command again when you have a "
                            "connection.\n");
    } else if (res.status >= 200 && res.status < 300) {
        cJSON *seg = api_parse(&res, "accepting the segment");
        rc = seg ? EXIT_OK : EXIT_OTHER;
        if (seg && g_cli.json) {
            out_json(seg);
        } else if (seg) {
            const char *on = jstr(seg, "accepted_on"), *st = jstr(seg, "status");
            out_say("Segment %s accepted on %s (status %s)%s.", code, on ? on : "?", st ? st : "?",
                    res.replayed ? "; the server had it already" : "");
            const char *n = jstr(seg, "acceptance_note");
            if (n && *n)
                out_say("Note: %s", n);
        }
        cJSON_Delete(seg);
    } else if (res.status == 409) {
        char why[512];
        if (accepted_already(&a, id, code, date[0] ? date : NULL, why, sizeof(why))) {
            rc = EXIT_OK;
        } else {
            rc = out_problem(res.status, res.body, res.len, "accepting the segment");
            if (why[0])
                fprintf(stderr, "  %s\n", why);
        }
    } else {
        rc = out_problem(res.status, res.body, res.len, "accepting the segment");
    }
    http_response_free(&res);
    free(body);
    return rc;
}
