/* cmd_progress.c — `progress submit`, `progress list`, `sync` and `queue`:
 * construction progress that survives a bad connection (queue.h, sender.h).
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "args.h"
#include "codes.h"
#include "fsutil.h"
#include "output.h"
#include "photo.h"
#include "queue.h"
#include "sender.h"

#define MAX_PHOTOS 100 /* per report; each is one upload and one line in its entry */

static const char *const statuses[] = {"planned",    "permitted",       "in_construction",
                                       "civil_done", "cable_installed", "spliced",
                                       "tested",     "accepted"};

static const char progress_help[] =
    "Usage: fibertrack progress submit --segment ID|CODE --length METRES --status STATUS\n"
    "                                  [--date DATE] [--note TEXT] [--queue]\n"
    "                                  [--photo FILE]... [--caption TEXT]\n"
    "       fibertrack progress list [--state STATE] [--segment CODE] [--limit N]\n"
    "\n"
    "submit  reports construction progress on one of your segments.\n"
    "  --segment CODE|ID  the segment: its code such as S-000123 (or its id). Offline,\n"
    "                     the code comes from the local code cache, which every\n"
    "                     online list, `login` and `sync` fill\n"
    "  --length METRES    built length in metres, cumulative as measured on site\n"
    "                     (\"250\", \"250.5\" or \"250,5\")\n"
    "  --status STATUS    the status the segment has reached: planned, permitted,\n"
    "                     in_construction, civil_done, cable_installed, spliced, tested\n"
    "  --date DATE        the day of the report, 2026-11-25 or 25.11.2026 (default: today)\n"
    "  --note TEXT        a note for the reviewer (needed above 1.5 x planned length)\n"
    "  --photo FILE       a photo or document for the report (JPEG, PNG, HEIC or PDF,\n"
    "                     at most 25 MiB); give it once per file. The files are copied\n"
    "                     into the local queue at once (you may move or delete them\n"
    "                     afterwards) and sent after the report, each exactly once\n"
    "  --caption TEXT     a caption for all photos of this report (at most 500 characters)\n"
    "  --queue            do not send now: keep it in the local queue for `fibertrack sync`\n"
    "  --no-queue         when the server cannot be reached, fail (exit 7) instead of\n"
    "                     keeping the report in the queue\n"
    "  --idempotency-key K  use this key instead of a new random one (for scripts that\n"
    "                     keep their own keys; the same key and body is never recorded twice)\n"
    "\n"
    "  Nothing is lost and nothing is sent twice: the report is first written to the\n"
    "  local queue with a new random Idempotency-Key, then sent, retried with backoff\n"
    "  when the connection fails or the server is busy, and removed from the queue only\n"
    "  when the server has acknowledged it. If the server cannot be reached, it stays\n"
    "  queued (exit 8); `fibertrack sync` sends it later with the same key. Reports\n"
    "  queued earlier are sent first, in order.\n"
    "\n"
    "  Photos go after their report, each with its own Idempotency-Key. One the server\n"
    "  refuses (not an image 415, too large 413) does not hold up the report or the\n"
    "  other photos: it is shown, kept with the failed ones in `fibertrack queue`, and\n"
    "  the command ends with the refusal's exit code. A missing or unreadable file, a\n"
    "  directory, an empty file or one over 25 MiB is refused before anything is\n"
    "  queued (exit 2).\n"
    "\n"
    "list    the progress reports you can see, oldest first.\n"
    "  --state STATE      submitted, approved or rejected\n"
    "  --segment CODE     of one segment (code or id)\n"
    "  --limit N          at most N reports (default: all)\n"
    "\n"
    "EXAMPLES\n"
    "  fibertrack progress submit --segment S-000123 --length 180 --status in_construction\n"
    "  fibertrack progress submit --segment S-000123 --length 250,5 --status civil_done \\\n"
    "      --date 20.11.2026 \\\n"
    "      --photo trench.jpg --photo tape.jpg --caption \"Trench with duct, km 0.25\"\n"
    "  fibertrack progress submit --segment S-000123 --length 260 --status civil_done \\\n"
    "      --photo IMG_0042.HEIC --queue          # no connection on site: sync later\n"
    "  fibertrack progress list --segment S-000123 --state submitted\n"
    "  fibertrack attachments list --report 42    # what the server has, with flags\n"
    "\n";

static int known_status(const char *s)
{
    for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
        if (strcmp(statuses[i], s) == 0)
            return 1;
    return 0;
}

/* The photos of the watched submission, for people: what went, what was
 * refused (told already on stderr), what waits. */
static void print_photo_results(const struct send_result *r, const char *qid)
{
    const cJSON *att;
    cJSON_ArrayForEach(att, r->watch_attachments)
    {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(att, "id");
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(att, "file_name");
        const cJSON *size = cJSON_GetObjectItemCaseSensitive(att, "size");
        char flags[256], sz[32];
        join_strings(cJSON_GetObjectItemCaseSensitive(att, "flags"), flags, sizeof(flags));
        out_say("Photo %s (%s) attached as #%.0f%s%s%s%s.",
                cJSON_IsString(name) ? name->valuestring : "?",
                human_bytes(cJSON_IsNumber(size) ? size->valuedouble : 0, sz, sizeof(sz)),
                cJSON_IsNumber(id) ? id->valuedouble : 0.0, *flags ? " (flagged: " : "", flags,
                *flags ? ")" : "",
                cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(att, "replayed"))
                    ? "; the server had it already"
                    : "");
    }
    int nfailed = cJSON_GetArraySize(r->watch_photo_failures);
    if (nfailed)
        out_say("%d photo%s refused (see above); kept in the local queue as %s "
                "(fibertrack queue).",
                nfailed, nfailed == 1 ? " was" : "s were", qid);
    if (r->watch_photos_left > 0) {
        fflush(stdout);
        fprintf(stderr,
                "%d photo%s NOT sent yet, but saved on this computer (queue id %s).\n"
                "Send %s when you have a connection: fibertrack sync\n"
                "Do not submit the report again: it is recorded, and sync sends each photo "
                "exactly once.\n",
                r->watch_photos_left, r->watch_photos_left == 1 ? " is" : "s are", qid,
                r->watch_photos_left == 1 ? "it" : "them");
    }
}

static void print_report_result(const struct send_result *r, const char *qid)
{
    const cJSON *rep = r->watch_report;
    if (g_cli.json) {
        int photos = r->watch_attachments || r->watch_photo_failures || r->watch_photos_left;
        if (!photos) {
            out_json(rep);
            return;
        }
        /* The report as the server gave it, and what became of its photos. */
        cJSON *j = rep ? cJSON_Duplicate(rep, 1) : cJSON_CreateObject();
        cJSON_AddItemToObject(j, "attachments",
                              r->watch_attachments ? cJSON_Duplicate(r->watch_attachments, 1)
                                                   : cJSON_CreateArray());
        if (r->watch_photo_failures)
            cJSON_AddItemToObject(j, "photos_failed", cJSON_Duplicate(r->watch_photo_failures, 1));
        if (r->watch_photo_failures || r->watch_photos_left) {
            cJSON_AddNumberToObject(j, "photos_queued", r->watch_photos_left);
            cJSON_AddStringToObject(j, "queue_id", qid);
        }
        out_json(j);
        cJSON_Delete(j);
        return;
    }
    if (rep) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(rep, "id");
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(rep, "segment_code");
        const cJSON *state = cJSON_GetObjectItemCaseSensitive(rep, "state");
        const cJSON *len = cJSON_GetObjectItemCaseSensitive(rep, "built_length_m");
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(rep, "status");
        const cJSON *date = cJSON_GetObjectItemCaseSensitive(rep, "report_date");
        const char *s = cJSON_IsString(state) ? state->valuestring : "?";
        out_say("Report #%.0f recorded: segment %s, %s, %.2f m, %s.",
                cJSON_IsNumber(id) ? id->valuedouble : 0.0,
                cJSON_IsString(code) ? code->valuestring : "?",
                cJSON_IsString(date) ? date->valuestring : "?",
                cJSON_IsNumber(len) ? len->valuedouble : 0.0,
                cJSON_IsString(st) ? st->valuestring : "?");
        if (strcmp(s, "submitted") == 0)
            out_say("It waits for review by the project manager.");
        else if (strcmp(s, "approved") == 0)
            out_say("It was approved and applied to the segment.");
        else
            out_say("State: %s.", s);
        if (r->watch_replayed)
            out_say("(The server had received it already: it was recorded once.)");
    }
    print_photo_results(r, qid);
}

static void close_photos(struct photo_src *photos, int n)
{
    for (int i = 0; i < n; i++)
        photo_close(&photos[i]);
}

/* Opens and checks the photos of a submission. Returns EXIT_OK with all of
 * them open (close_photos), or EXIT_USAGE with none. */
static int open_photos(const char *const *paths, int n, struct photo_src *photos)
{
    char why[600];
    for (int i = 0; i < n; i++) {
        if (photo_open(paths[i], &photos[i], why, sizeof(why)) != 0) {
            close_photos(photos, i);
            out_error("%s", why);
            fprintf(stderr, "  Nothing was queued or sent.\n");
            return EXIT_USAGE;
        }
        for (int j = 0; j < i; j++) {
            if (photos[j].dev == photos[i].dev && photos[j].ino == photos[i].ino) {
                close_photos(photos, i + 1);
                out_error("--photo %s is the same file as --photo %s", paths[i], paths[j]);
                fprintf(stderr, "  Nothing was queued or sent.\n");
                return EXIT_USAGE;
            }
        }
        if (strcmp(photos[i].media_type, "application/octet-stream") == 0)
            out_warn("%s does not look like a JPEG, PNG, HEIC or PDF file; the server will "
                     "probably refuse it (the report goes anyway)",
                     paths[i]);
    }
    return EXIT_OK;
}

/* With --json, where a report that was not sent waits: scripts keep the
 * key to resubmit safely. */
static void print_queued_json(const char *qid, const char *key)
{
    if (!g_cli.json)
        return;
    cJSON *j = cJSON_CreateObject();
    cJSON_AddBoolToObject(j, "queued", 1);
    cJSON_AddStringToObject(j, "queue_id", qid);
    cJSON_AddStringToObject(j, "idempotency_key", key);
    out_json(j);
    cJSON_Delete(j);
}

static int progress_submit(int argc, char **argv)
{
    enum {
        O_SEGMENT = OPT_FIRST_COMMAND,
        O_LENGTH,
        O_STATUS,
        O_DATE,
        O_NOTE,
        O_QUEUE,
        O_NO_QUEUE,
        O_KEY,
        O_PHOTO,
        O_CAPTION
    };
    static const struct option opts[] = {GLOBAL_LONG_OPTIONS,
                                         {"segment", required_argument, NULL, O_SEGMENT},
                                         {"length", required_argument, NULL, O_LENGTH},
                                         {"built-length", required_argument, NULL, O_LENGTH},
                                         {"status", required_argument, NULL, O_STATUS},
                                         {"date", required_argument, NULL, O_DATE},
                                         {"note", required_argument, NULL, O_NOTE},
                                         {"queue", no_argument, NULL, O_QUEUE},
                                         {"no-queue", no_argument, NULL, O_NO_QUEUE},
                                         {"idempotency-key", required_argument, NULL, O_KEY},
                                         {"photo", required_argument, NULL, O_PHOTO},
                                         {"caption", required_argument, NULL, O_CAPTION},
                                         {NULL, 0, NULL, 0}};
    const char *segment = NULL, *length = NULL, *status = NULL, *date = NULL, *note = NULL;
    const char *key_opt = NULL, *caption = NULL;
    const char *photo_paths[MAX_PHOTOS];
    int nphotos = 0, queue_only = 0, no_queue = 0, c;
    while ((c = args_next(argc, argv, GLOBAL_SHORT_OPTIONS, opts, "progress")) != -1) {
        switch (c) {
        case 'h':
            return args_help(stdout, progress_help);
        case O_SEGMENT:
            segment = optarg;
            break;
        case O_LENGTH:
            length = optarg;
            break;
        case O_STATUS:
            status = optarg;
            break;
        case O_DATE:
            date = optarg;
            break;
        case O_NOTE:
            note = optarg;
            break;
        case O_QUEUE:
            queue_only = 1;
            break;
        case O_NO_QUEUE:
            no_queue = 1;
            break;
        case O_KEY:
            key_opt = optarg;
            break;
        case O_PHOTO:
            if (nphotos == MAX_PHOTOS)
                return args_usage("progress", "at most %d photos per report", MAX_PHOTOS);
            photo_paths[nphotos++] = optarg;
            break;
        case O_CAPTION:
            caption = optarg;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (optind < argc)
        return args_usage("progress", "unexpected argument '%s'", argv[optind]);
    if (!segment || !length || !status)
        return args_usage("progress", "progress submit needs --segment, --length and --status");
    if (queue_only && no_queue)
        return args_usage("progress", "--queue and --no-queue contradict each other");
    double metres;
    if (args_length(length, &metres) != 0)
        return args_usage("progress", "--length needs metres from 0 to 1000000, not '%s'", length);
    if (!known_status(status))
        return args_usage("progress",
                          "--status must be one of planned, permitted, in_construction, "
                          "civil_done, cable_installed, spliced, tested (not '%s')",
                          status);
    char today[11], day[11];
    args_today(today);
    if (date && args_date(date, day) != 0)
        return args_usage("progress", "--date needs a date as 2026-11-25 or 25.11.2026, not '%s'",
                          date);
    if (date)
        date = day;
    if (date && strcmp(date, today) > 0)
        return args_usage("progress", "--date %s is in the future (today is %s)", date, today);
    if (note && strlen(note) > 4000)
        return args_usage("progress", "--note is longer than 4000 characters");
    if (key_opt && (strlen(key_opt) == 0 || strlen(key_opt) > 200))
        return args_usage("progress", "--idempotency-key needs 1 to 200 characters");
    if (key_opt)
        for (const char *p = key_opt; *p; p++)
            if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
                return args_usage("progress",
                                  "--idempotency-key must be visible ASCII without spaces");
    if (caption && nphotos == 0)
        return args_usage("progress", "--caption is for photos: give --photo FILE too");
    if (caption && utf8_chars(caption) > PHOTO_CAPTION_MAX)
        return args_usage("progress", "--caption is longer than %d characters", PHOTO_CAPTION_MAX);
    if (caption)
        for (const unsigned char *p = (const unsigned char *)caption; *p; p++)
            if (*p < 0x20 || *p == 0x7F)
                return args_usage("progress", "--caption must be one line, without tabs or "
                                              "other control characters");
    if (nphotos > 0 && no_queue)
        return args_usage("progress", "--no-queue cannot be used with --photo: photos are sent "
                                      "after their report, from the local queue");

    /* Every photo is checked, and held open, before anything is queued:
     * a wrong path is told now, not after the report went. */
    struct photo_src photos[MAX_PHOTOS];
    int rc = open_photos(photo_paths, nphotos, photos);
    if (rc != EXIT_OK)
        return rc;

    struct api a;
    rc = api_open(&a, 1);
    long long segment_id = 0, pid = 0;
    if (rc == EXIT_OK && g_cli.project)
        rc = api_project(&a, &pid);
    /* A code is resolved by the server, or offline from the code cache;
     * with --queue the cache is asked first, since no connection is
     * expected. */
    if (rc == EXIT_OK)
        rc = codes_resolve(&a, CODE_SEGMENT, segment, pid, "--segment", queue_only, &segment_id);
    if (rc != EXIT_OK) {
        close_photos(photos, nphotos);
        return rc;
    }

    /* The body is fixed now and stored as text: a resend must carry the
     * very same bytes, or the server would see another request. */
    cJSON *b = cJSON_CreateObject();
    cJSON_AddNumberToObject(b, "segment_id", (double)segment_id);
    cJSON_AddStringToObject(b, "report_date", date ? date : today);
    cJSON_AddNumberToObject(b, "built_length_m", metres);
    cJSON_AddStringToObject(b, "status", status);
    if (note && *note)
        cJSON_AddStringToObject(b, "note", note);
    char *body = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    char key[256];
    if (key_opt) {
        snprintf(key, sizeof(key), "%s", key_opt);
    } else if (queue_new_key(key) != 0) {
        free(body);
        close_photos(photos, nphotos);
        out_error("the system gives no random numbers for the Idempotency-Key");
        return EXIT_OTHER;
    }
    char qid[16];
    rc = body ? queue_add(a.server, a.tok.user_id, a.tok.email, key, "/api/v1/progress-reports",
                          body, photos, nphotos, caption, qid)
              : -1;
    free(body);
    close_photos(photos, nphotos);
    if (rc != 0) {
        out_error("the report was not stored and not sent");
        return EXIT_OTHER;
    }
    fs_fault_point("queued-before-send");

    if (queue_only) {
        print_queued_json(qid, key);
        if (nphotos)
            out_say("Saved in the local queue as %s, with %d photo%s. Send it with: fibertrack "
                    "sync",
                    qid, nphotos, nphotos == 1 ? "" : "s");
        else
            out_say("Saved in the local queue as %s. Send it with: fibertrack sync", qid);
        return EXIT_OK;
    }

    struct send_result r = {0};
    r.watch_id = qid;
    send_queue(&a, &r, 30, 0);
    int code;
    if (r.watch_state == 1) {
        print_report_result(&r, qid);
        code = EXIT_OK;
        if (r.watch_photo_failures)
            code = r.watch_code;
        else if (r.watch_photos_left > 0)
            code = r.stop_code == EXIT_AUTH ? EXIT_AUTH : EXIT_QUEUED;
    } else if (r.watch_state == 2) {
        if (g_cli.json) {
            /* The refusal, as the server wrote it. */
            const cJSON *last = cJSON_GetArrayItem(r.log, cJSON_GetArraySize(r.log) - 1);
            const cJSON *p = cJSON_GetObjectItemCaseSensitive(last, "problem");
            if (p)
                out_json(p);
        }
        code = r.watch_code;
    } else if (no_queue && r.stop_code == EXIT_NETWORK) {
        /* The caller wants no queue: take it out again. Sent or not is
         * unknown only if an attempt got no answer; its key tells. */
        char name[128];
        if (queue_find(QUEUE_PENDING, qid, name, sizeof(name)) == 1) {
            struct queue_entry e;
            if (queue_load(QUEUE_PENDING, name, &e) == 0) {
                if (queue_done(&e) != 0)
                    out_warn("the report stays in the queue");
                queue_entry_free(&e);
            }
        }
        out_error("the report could not be confirmed and is not kept (--no-queue). If you "
                  "try again, pass --idempotency-key %s so that it is recorded at most once.",
                  key);
        code = EXIT_NETWORK;
    } else {
        print_queued_json(qid, key);
        fprintf(stderr,
                "The report is NOT sent yet, but it is saved on this computer (queue id %s)%s.\n"
                "Send it when you have a connection: fibertrack sync\n"
                "Do not submit it again: sync sends it exactly once.\n",
                qid, nphotos ? ", with its photos" : "");
        code = r.stop_code == EXIT_AUTH ? EXIT_AUTH : EXIT_QUEUED;
    }
    cJSON_Delete(r.watch_report);
    cJSON_Delete(r.watch_attachments);
    cJSON_Delete(r.watch_photo_failures);
    cJSON_Delete(r.log);
    return code;
}

static int progress_list(int argc, char **argv)
{
    enum { O_STATE = OPT_FIRST_COMMAND, O_SEGMENT, O_LIMIT };
    static const struct option opts[] = {GLOBAL_LONG_OPTIONS,
                                         {"state", required_argument, NULL, O_STATE},
                                         {"segment", required_argument, NULL, O_SEGMENT},
                                         {"limit", required_argument, NULL, O_LIMIT},
                                         {NULL, 0, NULL, 0}};
    const char *state = NULL, *segment_arg = NULL;
    long long segment = 0;
    long limit = 0;
    int c;
    while ((c = args_next(argc, argv, GLOBAL_SHORT_OPTIONS, opts, "progress")) != -1) {
        switch (c) {
        case 'h':
            return args_help(stdout, progress_help);
        case O_STATE:
            if (strcmp(optarg, "submitted") && strcmp(optarg, "approved") &&
                strcmp(optarg, "rejected"))
                return args_usage("progress", "--state must be submitted, approved or rejected");
            state = optarg;
            break;
        case O_SEGMENT:
            segment_arg = optarg;
            break;
        case O_LIMIT:
            if (args_long(optarg, 1, 1000000, &limit) != 0)
                return args_usage("progress", "--limit needs a number from 1, not '%s'", optarg);
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (optind < argc)
        return args_usage("progress", "unexpected argument '%s'", argv[optind]);
    struct api a;
    int rc = api_open(&a, 1);
    if (rc != EXIT_OK)
        return rc;
    if (segment_arg) {
        long long pid = 0;
        if (g_cli.project)
            rc = api_project(&a, &pid);
        if (rc == EXIT_OK)
            rc = codes_resolve(&a, CODE_SEGMENT, segment_arg, pid, "--segment", 0, &segment);
        if (rc != EXIT_OK)
            return rc;
    }
    char path[512];
    int k = snprintf(path, sizeof(path), "/progress-reports");
    const char *sep = "?";
    if (state) {
        k += snprintf(path + k, sizeof(path) - (size_t)k, "%sstate=%s", sep, state);
        sep = "&";
    }
    if (segment)
        snprintf(path + k, sizeof(path) - (size_t)k, "%ssegment_id=%lld", sep, segment);
    cJSON *items;
    rc = api_list(&a, path, limit, &items, "listing progress reports");
    if (rc != EXIT_OK)
        return rc;
    if (g_cli.json) {
        out_json(items);
    } else {
        static const char *const hdr[] = {"ID",     "DATE",  "SEGMENT", "BUILT M",
                                          "STATUS", "STATE", "NOTE",    "REVIEW"};
        static const int right[] = {1, 0, 0, 1, 0, 0, 0, 0};
        struct table *t = table_new(8, hdr, right);
        const cJSON *it;
        cJSON_ArrayForEach(it, items)
        {
            char b0[32], b3[32];
            const char *cells[8] = {
                cell_text(cJSON_GetObjectItemCaseSensitive(it, "id"), b0, sizeof(b0)),
                cell_text(cJSON_GetObjectItemCaseSensitive(it, "report_date"), NULL, 0),
                cell_text(cJSON_GetObjectItemCaseSensitive(it, "segment_code"), NULL, 0),
                NULL,
                cell_text(cJSON_GetObjectItemCaseSensitive(it, "status"), NULL, 0),
                cell_text(cJSON_GetObjectItemCaseSensitive(it, "state"), NULL, 0),
                cell_text(cJSON_GetObjectItemCaseSensitive(it, "note"), NULL, 0),
                cell_text(cJSON_GetObjectItemCaseSensitive(it, "review_comment"), NULL, 0)};
            const cJSON *len = cJSON_GetObjectItemCaseSensitive(it, "built_length_m");
            snprintf(b3, sizeof(b3), "%.2f", cJSON_IsNumber(len) ? len->valuedouble : 0.0);
            cells[3] = b3;
            table_add(t, cells);
        }
        if (table_rows(t))
            table_print(t, stdout);
        else
            out_say("No progress reports.");
        table_free(t);
    }
    cJSON_Delete(items);

    /* People should not wonder where a report went that is still local. */
    int n = queue_count(QUEUE_PENDING);
    if (n > 0)
        out_note("%d report%s not sent yet (see: fibertrack queue; send: fibertrack sync).", n,
                 n == 1 ? " is" : "s are");
    return EXIT_OK;
}

int cmd_progress(int argc, char **argv)
{
    static const char *const subs[] = {"submit", "list", NULL};
    if (argc < 2)
        return args_help(stderr, progress_help);
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0)
        return args_help(stdout, progress_help);
    if (strcmp(sub, "submit") == 0)
        return progress_submit(argc - 1, argv + 1);
    if (strcmp(sub, "list") == 0)
        return progress_list(argc - 1, argv + 1);
    return args_unknown_word("progress", "progress command", sub, subs);
}

/* ---- sync ---- */

static const char sync_help[] =
    "Usage: fibertrack sync\n"
    "\n"
    "Sends the progress reports waiting in the local queue, oldest first, each with\n"
    "the Idempotency-Key it got when it was submitted, so that none is recorded twice.\n"
    "A report leaves the queue only when the server has acknowledged it. One the\n"
    "server refuses for good (unknown segment 404, invalid 422, conflict 409) is moved\n"
    "to the failed reports and reported; see and handle them with `fibertrack queue`.\n"
    "Without a connection, everything stays queued (exit 7); run sync again later.\n"
    "Reports queued under another login (keys belong to a user) wait for a login as\n"
    "that user (exit 3 while they wait).\n"
    "\n"
    "Photos go after their report, each once: also those of a report that was sent\n"
    "before and whose photos had to wait. A photo the server refuses (415 not an\n"
    "image, 413 too large, 404) is reported, the others still go, and it is kept\n"
    "with the failed ones.\n"
    "\n"
    "When the queue went through, sync also reads the codes of your projects, lots\n"
    "and segments into the local code cache, so that `progress submit --segment CODE`\n"
    "works offline afterwards.\n"
    "\n"
    "EXAMPLES\n"
    "  fibertrack sync\n"
    "  fibertrack sync --json | jq .results\n"
    "\n";

int cmd_sync(int argc, char **argv)
{
    int rc = args_only_global(argc, argv, "sync", sync_help);
    if (rc != ARGS_GO_ON)
        return rc;
    if (optind < argc)
        return args_usage("sync", "unexpected argument '%s'", argv[optind]);
    struct api a;
    rc = api_open(&a, 1);
    if (rc != EXIT_OK)
        return rc;
    struct send_result r = {0};
    send_queue(&a, &r, 60, 1);
    if (g_cli.json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, "sent", r.sent);
        cJSON_AddNumberToObject(j, "replayed", r.replayed);
        cJSON_AddNumberToObject(j, "failed", r.failed);
        cJSON_AddNumberToObject(j, "pending", r.pending);
        cJSON_AddNumberToObject(j, "other_user", r.other_user);
        cJSON_AddNumberToObject(j, "photos_sent", r.photos_sent);
        cJSON_AddNumberToObject(j, "photos_replayed", r.photos_replayed);
        cJSON_AddNumberToObject(j, "photos_failed", r.photos_failed);
        cJSON_AddItemToObject(j, "results", r.log);
        r.log = NULL;
        out_json(j);
        cJSON_Delete(j);
    } else if (r.sent == 0 && r.failed == 0 && r.pending == 0 && r.photos_sent == 0 &&
               r.photos_failed == 0) {
        out_say("Nothing to send: the queue is empty.");
    } else if (r.photos_sent || r.photos_failed) {
        out_say("%d sent, %d failed, %d still queued; photos: %d sent, %d failed.", r.sent,
                r.failed, r.pending, r.photos_sent, r.photos_failed);
    } else {
        out_say("%d sent, %d failed, %d still queued.", r.sent, r.failed, r.pending);
    }
    cJSON_Delete(r.log);
    cJSON_Delete(r.watch_report);
    /* Online with nothing left to wait for: a good moment to fill the code
     * cache for the next time without a connection. */
    if (r.stop_code == EXIT_OK && codes_refresh(&a) != EXIT_OK && g_cli.verbose)
        out_note("The local code cache could not be refreshed.");
    if (r.stop_code != EXIT_OK) {
        if (r.stop_code == EXIT_NETWORK)
            out_note("Run `fibertrack sync` again when the connection is back.");
        return r.stop_code;
    }
    if (r.fail_code == EXIT_OK && r.other_user > 0)
        return EXIT_AUTH; /* they wait for a login as their user */
    return r.fail_code;
}

/* ---- queue ---- */

static const char queue_help[] =
    "Usage: fibertrack queue [list]\n"
    "       fibertrack queue retry ID\n"
    "       fibertrack queue drop ID\n"
    "\n"
    "list   the progress reports on this computer that are not recorded yet:\n"
    "       waiting to be sent (sent by `fibertrack sync`), and failed ones that the\n"
    "       server refused, with its reason; then each photo that waits or was\n"
    "       refused, with its report once that is recorded.\n"
    "retry  put a failed report back in the queue (after the reason is fixed, e.g. the\n"
    "       segment was assigned to your lot); the next sync sends it again. For a\n"
    "       recorded report whose photos were refused, only those photos go again.\n"
    "drop   delete a failed report, or the refused photos of a recorded one, for good\n"
    "       (with the copies of its photos).\n"
    "\n"
    "EXAMPLES\n"
    "  fibertrack queue\n"
    "  fibertrack queue retry 3f9a01c2\n"
    "  fibertrack queue drop 3f9a01c2\n"
    "\n";

/* "415 the file is not …" from a failed object, into buf. */
static const char *reason_text(const cJSON *failed, char *buf, size_t n)
{
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(failed, "problem");
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(p, "detail");
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(failed, "status");
    buf[0] = '\0';
    if (!failed)
        return buf;
    if (cJSON_IsNumber(st) && st->valuedouble > 0)
        snprintf(buf, n, "%.0f %s", st->valuedouble, cJSON_IsString(d) ? d->valuestring : "");
    else
        snprintf(buf, n, "%s", cJSON_IsString(d) ? d->valuestring : "");
    return buf;
}

/* The PHOTOS cell of an entry: how many wait, and whether its report is
 * recorded already. */
static const char *photos_cell(const struct queue_entry *e, char *buf, size_t n)
{
    int waiting = 0, failed = 0;
    const cJSON *ph;
    cJSON_ArrayForEach(ph, e->photos)
    {
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(ph, "state");
        if (cJSON_IsString(st) && strcmp(st->valuestring, "failed") == 0)
            failed++;
        else
            waiting++;
    }
    int k = 0;
    buf[0] = '\0';
    if (waiting)
        k = snprintf(buf, n, "%d waiting", waiting);
    if (failed && k >= 0 && (size_t)k < n)
        k += snprintf(buf + k, n - (size_t)k, "%s%d failed", k ? ", " : "", failed);
    if (e->report_id && k >= 0 && (size_t)k < n)
        snprintf(buf + k, n - (size_t)k, "%sreport #%lld sent", k ? "; " : "", e->report_id);
    return buf;
}

/* The SEGMENT cell of a queued report: its code from the cache of the
 * entry's server, else its id. */
static const char *segment_cell(const cJSON *id, const char *server, char *buf, size_t n)
{
    struct api a;
    memset(&a, 0, sizeof(a));
    snprintf(a.server, sizeof(a.server), "%s", server ? server : "");
    const char *code =
        cJSON_IsNumber(id) ? codes_code_of(&a, CODE_SEGMENT, (long long)id->valuedouble) : NULL;
    if (code) {
        snprintf(buf, n, "%s", code);
        return buf;
    }
    return cell_text(id, buf, n);
}

static int queue_list_cmd(void)
{
    if (queue_open() != 0)
        return EXIT_OTHER;
    cJSON *all = g_cli.json ? cJSON_CreateObject() : NULL;
    static const char *const which[2] = {QUEUE_PENDING, QUEUE_FAILED};
    static const char *const phdr[] = {"ENTRY", "REPORT", "FILE", "SIZE", "STATE", "REASON"};
    static const int pright[] = {0, 1, 0, 1, 0, 0};
    struct table *pt = table_new(6, phdr, pright);
    for (int w = 0; w < 2; w++) {
        char **names;
        int n = queue_names(which[w], &names);
        if (n < 0) {
            cJSON_Delete(all);
            table_free(pt);
            return EXIT_OTHER;
        }
        cJSON *arr = all ? cJSON_AddArrayToObject(all, which[w]) : NULL;
        static const char *const hdr[] = {"ID",     "CREATED", "SEGMENT", "DATE",  "BUILT M",
                                          "STATUS", "USER",    "PHOTOS",  "REASON"};
        static const int right[] = {0, 0, 0, 0, 1, 0, 0, 0, 0};
        struct table *t = table_new(w == 0 ? 8 : 9, hdr, right);
        for (int i = 0; i < n; i++) {
            struct queue_entry e;
            if (queue_load(which[w], names[i], &e) != 0)
                continue;
            cJSON *body = cJSON_Parse(e.body);
            const cJSON *f = cJSON_GetObjectItemCaseSensitive(e.json, "failed");
            if (arr) {
                cJSON *o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "id", e.id);
                cJSON_AddStringToObject(o, "file", e.name);
                cJSON_AddStringToObject(o, "created_at", e.created_at ? e.created_at : "");
                cJSON_AddStringToObject(o, "server", e.server);
                cJSON_AddStringToObject(o, "user_email", e.email ? e.email : "");
                cJSON_AddStringToObject(o, "idempotency_key", e.key);
                if (body)
                    cJSON_AddItemToObject(o, "submission", cJSON_Duplicate(body, 1));
                if (e.report_id)
                    cJSON_AddNumberToObject(o, "report_id", (double)e.report_id);
                if (e.photos)
                    cJSON_AddItemToObject(o, "photos", cJSON_Duplicate(e.photos, 1));
                if (f)
                    cJSON_AddItemToObject(o, "failed", cJSON_Duplicate(f, 1));
                cJSON_AddItemToArray(arr, o);
            } else {
                char seg[256], len[32], reason[700] = "", why[600], photos[96];
                const cJSON *photo = cJSON_GetObjectItemCaseSensitive(f, "photo");
                reason_text(f, why, sizeof(why));
                if (cJSON_IsString(photo))
                    snprintf(reason, sizeof(reason), "photo %s: %s", photo->valuestring, why);
                else
                    snprintf(reason, sizeof(reason), "%s", why);
                const cJSON *bl = cJSON_GetObjectItemCaseSensitive(body, "built_length_m");
                snprintf(len, sizeof(len), "%.2f", cJSON_IsNumber(bl) ? bl->valuedouble : 0.0);
                const char *cells[9] = {
                    e.id,
                    e.created_at,
                    segment_cell(cJSON_GetObjectItemCaseSensitive(body, "segment_id"), e.server,
                                 seg, sizeof(seg)),
                    cell_text(cJSON_GetObjectItemCaseSensitive(body, "report_date"), NULL, 0),
                    len,
                    cell_text(cJSON_GetObjectItemCaseSensitive(body, "status"), NULL, 0),
                    e.email,
                    photos_cell(&e, photos, sizeof(photos)),
                    reason};
                table_add(t, cells);
                const cJSON *ph;
                cJSON_ArrayForEach(ph, e.photos)
                {
                    char rid[32] = "", size[32], pwhy[600];
                    const cJSON *sz = cJSON_GetObjectItemCaseSensitive(ph, "size");
                    if (e.report_id)
                        snprintf(rid, sizeof(rid), "%lld", e.report_id);
                    const char *pcells[6] = {
                        e.id,
                        rid,
                        cell_text(cJSON_GetObjectItemCaseSensitive(ph, "file_name"), NULL, 0),
                        human_bytes(cJSON_IsNumber(sz) ? sz->valuedouble : 0, size, sizeof(size)),
                        cell_text(cJSON_GetObjectItemCaseSensitive(ph, "state"), NULL, 0),
                        reason_text(cJSON_GetObjectItemCaseSensitive(ph, "failed"), pwhy,
                                    sizeof(pwhy))};
                    table_add(pt, pcells);
                }
            }
            cJSON_Delete(body);
            queue_entry_free(&e);
        }
        if (!all) {
            if (w == 0)
                out_say(n ? "Waiting to be sent (fibertrack sync):" : "Nothing waits to be sent.");
            else if (n)
                out_say("\nFailed (refused by the server; fibertrack queue retry|drop ID):");
            if (table_rows(t))
                table_print(t, stdout);
        }
        table_free(t);
        queue_names_free(names, n);
    }
    if (all) {
        out_json(all);
        cJSON_Delete(all);
    } else if (table_rows(pt)) {
        out_say("\nPhotos:");
        table_print(pt, stdout);
    }
    table_free(pt);
    return EXIT_OK;
}

int cmd_queue(int argc, char **argv)
{
    int rc = args_only_global(argc, argv, "queue", queue_help);
    if (rc != ARGS_GO_ON)
        return rc;
    const char *sub = optind < argc ? argv[optind] : "list";
    if (strcmp(sub, "list") == 0) {
        if (optind + 1 < argc)
            return args_usage("queue", "unexpected argument '%s'", argv[optind + 1]);
        return queue_list_cmd();
    }
    static const char *const subs[] = {"list", "retry", "drop", NULL};
    if (strcmp(sub, "retry") != 0 && strcmp(sub, "drop") != 0)
        return args_unknown_word("queue", "queue command", sub, subs);
    if (optind + 2 != argc)
        return args_usage("queue", "queue %s needs one ID (see: fibertrack queue)", sub);
    if (queue_open() != 0)
        return EXIT_OTHER;
    char name[128];
    int found = queue_find(QUEUE_FAILED, argv[optind + 1], name, sizeof(name));
    if (found < 0)
        return EXIT_OTHER;
    if (found == 0) {
        out_error("there is no failed report %s (see: fibertrack queue)", argv[optind + 1]);
        return EXIT_NOT_FOUND;
    }
    int fd = queue_lock(30);
    if (fd < 0) {
        if (fd == -2)
            out_error("another fibertrack is sending the queue; try again in a moment");
        return EXIT_OTHER;
    }
    rc = strcmp(sub, "retry") == 0 ? queue_retry(name) : queue_drop(name);
    queue_unlock(fd);
    if (rc != 0)
        return EXIT_OTHER;
    if (strcmp(sub, "retry") == 0)
        out_say("Report %s is queued again; send it with: fibertrack sync", argv[optind + 1]);
    else
        out_say("Queue entry %s was deleted.", argv[optind + 1]);
    return EXIT_OK;
}
