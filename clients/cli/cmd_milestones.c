/* cmd_milestones.c — `milestones`: list, show, and update with If-Match.
 *
 * An update never overwrites someone else's change unseen: it sends the
 * version it is based on (If-Match). When the server answers 412, the
 * milestone is read again and the fields that changed since that version
 * are shown; the change is applied to the new version only when the user
 * says so (a question on a terminal, or --force).
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "args.h"
#include "finance.h"
#include "output.h"

static const char milestones_help[] =
    "Usage: fibertrack milestones [list] [--project ID] [--state STATE]\n"
    "       fibertrack milestones show ID\n"
    "       fibertrack milestones update ID [--if-match VERSION] [--force] FIELDS...\n"
    "\n"
    "list    milestones with planned, forecast and actual dates and their state\n"
    "        (done, late, at_risk, on_track); --state shows only one state.\n"
    "show    one milestone, with its version.\n"
    "update  changes fields of one milestone (managers):\n"
    "  --name TEXT             --kind KIND\n"
    "  --planned-date DATE     --forecast-date DATE|none     --actual-date DATE|none\n"
    "  --notes TEXT (\"\" clears)  --tranche EUR              --funding-relevant yes|no\n"
    "  --if-match VERSION  the version you looked at (from list/show); default: the\n"
    "                      version read just before the change\n"
    "  --force             when someone else changed it meanwhile, apply your change on\n"
    "                      top of their version without asking\n"
    "\n"
    "  If the milestone changed since that version (HTTP 412), fibertrack reads it\n"
    "  again and shows what changed and who changed it. On a terminal it asks whether\n"
    "  to apply your change to the new version; otherwise it stops with exit code 5\n"
    "  (use --force to apply anyway).\n"
    "\n"
    "  Dates as 2026-11-25 or 25.11.2026. Milestones have no code: use the ID of\n"
    "  the list.\n"
    "\n"
    "EXAMPLES\n"
    "  fibertrack milestones --state late\n"
    "  fibertrack milestones show 7\n"
    "  fibertrack milestones update 7 --forecast-date 31.03.2027\n"
    "  fibertrack milestones update 7 --actual-date 2026-11-25 --if-match 3\n"
    "\n";

static const char *const compare_fields[] = {"name",          "kind",        "planned_date",
                                             "forecast_date", "actual_date", "funding_relevant",
                                             "tranche_cents", "notes"};
#define NFIELDS (sizeof(compare_fields) / sizeof(compare_fields[0]))

static const struct column milestone_cols[] = {
    {"ID", "id", COL_NUM},
    {"NAME", "name", COL_TEXT},
    {"KIND", "kind", COL_TEXT},
    {"PLANNED", "planned_date", COL_TEXT},
    {"FORECAST", "forecast_date", COL_TEXT},
    {"ACTUAL", "actual_date", COL_TEXT},
    {"STATE", "state", COL_TEXT},
    {"VARIANCE D", "variance_days", COL_NUM},
    {"VERSION", "version", COL_NUM},
};

static int milestones_list(int argc, char **argv)
{
    enum { O_STATE = OPT_FIRST_COMMAND };
    static const struct option opts[] = {
        GLOBAL_LONG_OPTIONS, {"state", required_argument, NULL, O_STATE}, {NULL, 0, NULL, 0}};
    const char *state = NULL;
    int c;
    while ((c = args_next(argc, argv, GLOBAL_SHORT_OPTIONS, opts, "milestones")) != -1) {
        switch (c) {
        case 'h':
            return args_help(stdout, milestones_help);
        case O_STATE:
            if (strcmp(optarg, "done") && strcmp(optarg, "late") && strcmp(optarg, "at_risk") &&
                strcmp(optarg, "on_track"))
                return args_usage("milestones", "--state must be done, late, at_risk or on_track");
            state = optarg;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (optind < argc && strcmp(argv[optind], "list") == 0)
        optind++;
    if (optind < argc)
        return args_usage("milestones", "unexpected argument '%s'", argv[optind]);
    struct api a;
    int rc = api_open(&a, 1);
    if (rc != EXIT_OK)
        return rc;
    char path[128] = "/milestones";
    if (g_cli.project) {
        long long pid;
        rc = api_project(&a, &pid);
        if (rc != EXIT_OK)
            return rc;
        snprintf(path, sizeof(path), "/milestones?project_id=%lld", pid);
    }
    cJSON *items;
    rc = api_list(&a, path, 0, &items, "listing milestones");
    if (rc != EXIT_OK)
        return rc;
    if (state) {
        /* The state is derived by the server; filter here. */
        for (int i = cJSON_GetArraySize(items) - 1; i >= 0; i--) {
            const cJSON *s =
                cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(items, i), "state");
            if (!cJSON_IsString(s) || strcmp(s->valuestring, state) != 0)
                cJSON_DeleteItemFromArray(items, i);
        }
    }
    out_items(items, milestone_cols, 9, "No milestones.");
    cJSON_Delete(items);
    return EXIT_OK;
}

/* Prints a milestone as "field: value" lines. */
static void print_milestone(const cJSON *m)
{
    if (g_cli.json) {
        out_json(m);
        return;
    }
    static const char *const fields[] = {"id",
                                         "project_id",
                                         "name",
                                         "kind",
                                         "planned_date",
                                         "forecast_date",
                                         "actual_date",
                                         "state",
                                         "variance_days",
                                         "funding_relevant",
                                         "tranche_cents",
                                         "notes",
                                         "version",
                                         "updated_at"};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        char buf[64];
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, fields[i]);
        if (strcmp(fields[i], "tranche_cents") == 0 && cJSON_IsNumber(v))
            out_say("  %-17s %.2f EUR", "tranche", v->valuedouble / 100);
        else
            out_say("  %-17s %s", fields[i], cell_text(v, buf, sizeof(buf)));
    }
}

/* "3" or "\"3\"" or W/"3" → 3; -1 when it is not a version. */
static long long version_of(const char *etag)
{
    const char *p = etag;
    if (strncmp(p, "W/", 2) == 0)
        p += 2;
    if (*p == '"')
        p++;
    char *end;
    long long v = strtoll(p, &end, 10);
    if (end == p || (*end && *end != '"') || v < 0)
        return -1;
    return v;
}

static long long json_version(const cJSON *m)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, "version");
    return cJSON_IsNumber(v) ? (long long)v->valuedouble : -1;
}

/* Reads milestone id into *m (the caller frees) and, when version is not
 * NULL, its version: the ETag tells it, else the body. Returns an exit
 * code. */
static int get_milestone(struct api *a, long long id, cJSON **m, long long *version,
                         const char *what)
{
    char path[64], etag[64];
    snprintf(path, sizeof(path), "/milestones/%lld", id);
    int rc = api_get_json(a, path, m, etag, what);
    if (rc == EXIT_OK && version) {
        *version = version_of(etag);
        if (*version < 0)
            *version = json_version(*m);
    }
    return rc;
}

static int milestones_show(int argc, char **argv)
{
    int rc = args_only_global(argc, argv, "milestones", milestones_help);
    if (rc != ARGS_GO_ON)
        return rc;
    long long id;
    if (optind + 1 != argc || args_id(argv[optind], &id) != 0)
        return args_usage("milestones", "milestones show needs one milestone id");
    struct api a;
    rc = api_open(&a, 1);
    if (rc != EXIT_OK)
        return rc;
    cJSON *m;
    rc = get_milestone(&a, id, &m, NULL, "reading the milestone");
    if (rc != EXIT_OK)
        return rc;
    print_milestone(m);
    cJSON_Delete(m);
    return EXIT_OK;
}

/* The milestone as it was at version v, from the audit log, and who
 * changed it since (into who). Returns the snapshot (caller frees) or NULL
 * when the log does not tell (or may not be read). */
static cJSON *snapshot_at(struct api *a, long long id, long long v, char *who, size_t n)
{
    char path[128];
    snprintf(path, sizeof(path), "/audit?entity=milestone&entity_id=%lld", id);
    cJSON *items;
    who[0] = '\0';
    int saved_quiet = g_cli.quiet;
    /* A refusal here is no error of the update: say nothing about it. */
    struct http_response res;
    char url[2048];
    cJSON *snap = NULL;
    if (api_url(a, url, sizeof(url), "%s&limit=1000", path) != 0)
        return NULL;
    struct http_request req;
    api_request(a, &req, "GET", url, NULL, 0);
    g_cli.quiet = 1;
    int sent = http_send(&req, &res);
    g_cli.quiet = saved_quiet;
    if (sent != 0 || res.status != 200) {
        http_response_free(&res);
        return NULL;
    }
    cJSON *j = cJSON_ParseWithLength(res.body, res.len);
    http_response_free(&res);
    items = cJSON_GetObjectItemCaseSensitive(j, "items");
    const cJSON *e;
    cJSON_ArrayForEach(e, items)
    {
        const cJSON *after = cJSON_GetObjectItemCaseSensitive(e, "after");
        const cJSON *before = cJSON_GetObjectItemCaseSensitive(e, "before");
        long long av = json_version(after), bv = json_version(before);
        if (av == v && !snap)
            snap = cJSON_Duplicate(after, 1);
        else if (bv == v && !snap)
            snap = cJSON_Duplicate(before, 1);
        if (av > v) {
            const cJSON *u = cJSON_GetObjectItemCaseSensitive(e, "user_name");
            const cJSON *at = cJSON_GetObjectItemCaseSensitive(e, "at");
            if (cJSON_IsString(u) && cJSON_IsString(at))
                snprintf(who, n, "%s at %s", u->valuestring, at->valuestring);
        }
    }
    cJSON_Delete(j);
    return snap;
}

static const char *show_value(const cJSON *v, char *buf, size_t n)
{
    if (!v || cJSON_IsNull(v))
        return "(empty)";
    if (cJSON_IsString(v)) {
        snprintf(buf, n, "\"%s\"", v->valuestring);
        return buf;
    }
    return cell_text(v, buf, n);
}

/* Whether cur already has every value of patch. */
static int already_applied(const cJSON *patch, const cJSON *cur)
{
    const cJSON *f;
    cJSON_ArrayForEach(f, patch)
    {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(cur, f->string);
        if (!v || !cJSON_Compare(f, v, 1))
            return 0;
    }
    return 1;
}

/* Tells what changed between seen (may be NULL) and cur; returns the
 * changes as a JSON array. */
static cJSON *explain_conflict(long long id, long long seen_v, const cJSON *seen, const cJSON *cur,
                               const cJSON *patch, const char *who)
{
    cJSON *changes = cJSON_CreateArray();
    fflush(stdout);
    fprintf(stderr,
            "Milestone %lld was changed by someone else since version %lld (now version "
            "%lld%s%s).\n",
            id, seen_v, json_version(cur), who[0] ? ", by " : "", who);
    int shown = 0;
    for (size_t i = 0; i < NFIELDS; i++) {
        const char *f = compare_fields[i];
        const cJSON *now = cJSON_GetObjectItemCaseSensitive(cur, f);
        const cJSON *was = seen ? cJSON_GetObjectItemCaseSensitive(seen, f) : NULL;
        const cJSON *mine = cJSON_GetObjectItemCaseSensitive(patch, f);
        if (seen && was && now && cJSON_Compare(was, now, 1))
            continue;
        if (!seen && !mine)
            continue;
        char a[256], b[256], c[256];
        if (seen) {
            fprintf(stderr, "  %-16s %s -> %s", f, show_value(was, a, sizeof(a)),
                    show_value(now, b, sizeof(b)));
        } else {
            fprintf(stderr, "  %-16s now %s", f, show_value(now, b, sizeof(b)));
        }
        if (mine)
            fprintf(stderr, "   (you want: %s)", show_value(mine, c, sizeof(c)));
        fputc('\n', stderr);
        shown++;
        cJSON *ch = cJSON_CreateObject();
        cJSON_AddStringToObject(ch, "field", f);
        if (seen)
            cJSON_AddItemToObject(ch, "seen", was ? cJSON_Duplicate(was, 1) : cJSON_CreateNull());
        cJSON_AddItemToObject(ch, "current", now ? cJSON_Duplicate(now, 1) : cJSON_CreateNull());
        if (mine)
            cJSON_AddItemToObject(ch, "yours", cJSON_Duplicate(mine, 1));
        cJSON_AddItemToArray(changes, ch);
    }
    if (seen && !shown)
        fprintf(stderr, "  (no field you can change differs; only its version moved on)\n");
    if (!seen)
        fprintf(stderr, "  (the version you saw is not in the audit log: these are the current "
                        "values of the fields you change)\n");
    return changes;
}

static int ask_yes(const char *question)
{
    if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO) || g_cli.json)
        return -1;
    fprintf(stderr, "%s [y/N] ", question);
    fflush(stderr);
    char line[32];
    if (!fgets(line, sizeof(line), stdin))
        return 0;
    return line[0] == 'y' || line[0] == 'Y' || line[0] == 'j' || line[0] == 'J';
}

/* The value of a date option (opt, e.g. --planned-date) for field: a
 * date, or when nullable "none" (or "") for null. Returns 0, or -1 after
 * the usage message. */
static int add_date(cJSON *patch, const char *field, const char *opt, const char *v, int nullable)
{
    if (nullable && (strcmp(v, "none") == 0 || strcmp(v, "") == 0)) {
        cJSON_AddNullToObject(patch, field);
        return 0;
    }
    char iso[11];
    if (args_date(v, iso) != 0) {
        args_usage("milestones", "%s needs a date as 2026-11-25 or 25.11.2026%s, not '%s'", opt,
                   nullable ? ", or none" : "", v);
        return -1;
    }
    cJSON_AddStringToObject(patch, field, iso);
    return 0;
}

static int milestones_update(int argc, char **argv)
{
    enum {
        O_NAME = OPT_FIRST_COMMAND,
        O_KIND,
        O_PLANNED,
        O_FORECAST,
        O_ACTUAL,
        O_NOTES,
        O_TRANCHE,
        O_FUNDING,
        O_IFMATCH,
        O_FORCE
    };
    static const struct option opts[] = {GLOBAL_LONG_OPTIONS,
                                         {"name", required_argument, NULL, O_NAME},
                                         {"kind", required_argument, NULL, O_KIND},
                                         {"planned-date", required_argument, NULL, O_PLANNED},
                                         {"forecast-date", required_argument, NULL, O_FORECAST},
                                         {"actual-date", required_argument, NULL, O_ACTUAL},
                                         {"notes", required_argument, NULL, O_NOTES},
                                         {"tranche", required_argument, NULL, O_TRANCHE},
                                         {"funding-relevant", required_argument, NULL, O_FUNDING},
                                         {"if-match", required_argument, NULL, O_IFMATCH},
                                         {"force", no_argument, NULL, O_FORCE},
                                         {NULL, 0, NULL, 0}};
    cJSON *patch = cJSON_CreateObject();
    const char *if_match = NULL;
    int force = 0, c, rc = EXIT_USAGE;
    while ((c = args_next(argc, argv, GLOBAL_SHORT_OPTIONS, opts, "milestones")) != -1) {
        switch (c) {
        case 'h':
            cJSON_Delete(patch);
            return args_help(stdout, milestones_help);
        case O_NAME:
            cJSON_AddStringToObject(patch, "name", optarg);
            break;
        case O_KIND:
            cJSON_AddStringToObject(patch, "kind", optarg);
            break;
        case O_PLANNED:
            if (add_date(patch, "planned_date", "--planned-date", optarg, 0) != 0)
                goto out;
            break;
        case O_FORECAST:
            if (add_date(patch, "forecast_date", "--forecast-date", optarg, 1) != 0)
                goto out;
            break;
        case O_ACTUAL:
            if (add_date(patch, "actual_date", "--actual-date", optarg, 1) != 0)
                goto out;
            break;
        case O_NOTES:
            if (*optarg)
                cJSON_AddStringToObject(patch, "notes", optarg);
            else
                cJSON_AddNullToObject(patch, "notes");
            break;
        case O_TRANCHE: {
            /* Euros as the finance commands take them: 1.234,56 or 1234.56. */
            long long cents;
            if (fin_amount("milestones", "--tranche", optarg, &cents) != 0)
                goto out;
            cJSON_AddNumberToObject(patch, "tranche_cents", (double)cents);
            break;
        }
        case O_FUNDING:
            if (strcmp(optarg, "yes") == 0 || strcmp(optarg, "true") == 0) {
                cJSON_AddBoolToObject(patch, "funding_relevant", 1);
            } else if (strcmp(optarg, "no") == 0 || strcmp(optarg, "false") == 0) {
                cJSON_AddBoolToObject(patch, "funding_relevant", 0);
            } else {
                args_usage("milestones", "--funding-relevant needs yes or no");
                goto out;
            }
            break;
        case O_IFMATCH:
            if_match = optarg;
            break;
        case O_FORCE:
            force = 1;
            break;
        default:
            goto out;
        }
    }
    long long id;
    if (optind + 1 != argc || args_id(argv[optind], &id) != 0) {
        args_usage("milestones", "milestones update needs one milestone id");
        goto out;
    }
    if (cJSON_GetArraySize(patch) == 0) {
        args_usage("milestones", "nothing to change: give at least one field (e.g. "
                                 "--forecast-date 2027-03-31)");
        goto out;
    }
    long long seen_v = -1;
    if (if_match)
        seen_v = version_of(if_match);
    if (if_match && seen_v < 0) {
        args_usage("milestones", "--if-match needs a version number, not '%s'", if_match);
        goto out;
    }

    struct api a;
    rc = api_open(&a, 1);
    if (rc != EXIT_OK)
        goto out;
    cJSON *seen = NULL;
    if (seen_v < 0) {
        rc = get_milestone(&a, id, &seen, &seen_v, "reading the milestone");
        if (rc != EXIT_OK)
            goto out;
    }
    char *body = cJSON_PrintUnformatted(patch);
    char url[2048];
    if (!body || api_url(&a, url, sizeof(url), "/milestones/%lld", id) != 0) {
        free(body);
        cJSON_Delete(seen);
        rc = EXIT_OTHER;
        goto out;
    }
    for (int round = 0;; round++) {
        char im[64];
        snprintf(im, sizeof(im), "\"%lld\"", seen_v);
        struct http_request req;
        api_request(&a, &req, "PATCH", url, body, strlen(body));
        req.if_match = im;
        struct http_response res;
        if (http_send(&req, &res) != 0) {
            rc = res.local_error ? EXIT_OTHER
                                 : out_network_error(a.server, res.error, "updating the milestone");
            http_response_free(&res);
            break;
        }
        if (res.status >= 200 && res.status < 300) {
            cJSON *m = api_parse(&res, "updating the milestone");
            http_response_free(&res);
            if (!m) {
                rc = EXIT_OTHER;
                break;
            }
            if (!g_cli.json)
                out_say("Milestone %lld updated (now version %lld).", id, json_version(m));
            print_milestone(m);
            cJSON_Delete(m);
            rc = EXIT_OK;
            break;
        }
        if (res.status != 412) {
            rc = out_problem(res.status, res.body, res.len, "updating the milestone");
            http_response_free(&res);
            break;
        }
        http_response_free(&res);

        /* 412: someone changed it since seen_v. Read it again, show the
         * difference, and apply only when told to. */
        cJSON *cur;
        long long cur_v;
        rc = get_milestone(&a, id, &cur, &cur_v, "reading the milestone again");
        if (rc != EXIT_OK)
            break;
        char who[300] = "";
        if (!seen || json_version(seen) != seen_v) {
            cJSON_Delete(seen);
            seen = snapshot_at(&a, id, seen_v, who, sizeof(who));
        } else {
            cJSON *tmp = snapshot_at(&a, id, seen_v, who, sizeof(who));
            cJSON_Delete(tmp);
        }
        if (already_applied(patch, cur)) {
            /* An earlier attempt of ours may have got through unseen, or
             * someone made the same change. */
            if (!g_cli.json)
                out_say("Milestone %lld already has the values you asked for (version %lld); "
                        "nothing to do.",
                        id, cur_v);
            print_milestone(cur);
            cJSON_Delete(cur);
            rc = EXIT_OK;
            break;
        }
        cJSON *changes = explain_conflict(id, seen_v, seen, cur, patch, who);
        int apply = force;
        if (!apply && round < 3) {
            char q[128];
            snprintf(q, sizeof(q), "Apply your change to version %lld anyway?", cur_v);
            int yes = ask_yes(q);
            apply = yes == 1;
            if (yes == -1) {
                fprintf(stderr,
                        "Nothing was changed. Check the values above, then run the "
                        "command again with --force to apply your change to version "
                        "%lld.\n",
                        cur_v);
            } else if (!apply) {
                fprintf(stderr, "Nothing was changed.\n");
            }
        }
        if (!apply || round >= 3) {
            if (g_cli.json) {
                cJSON *j = cJSON_CreateObject();
                cJSON_AddNumberToObject(j, "status", 412);
                cJSON_AddStringToObject(j, "detail", "the milestone was changed by someone else");
                cJSON_AddNumberToObject(j, "seen_version", (double)seen_v);
                cJSON_AddNumberToObject(j, "current_version", (double)cur_v);
                cJSON_AddItemToObject(j, "changes", changes);
                changes = NULL;
                cJSON_AddItemToObject(j, "current", cJSON_Duplicate(cur, 1));
                out_json(j);
                cJSON_Delete(j);
            }
            cJSON_Delete(changes);
            cJSON_Delete(cur);
            rc = EXIT_CONFLICT;
            break;
        }
        cJSON_Delete(changes);
        out_note("Applying your change to version %lld.", cur_v);
        cJSON_Delete(seen);
        seen = cur;
        seen_v = cur_v;
    }
    free(body);
    cJSON_Delete(seen);
out:
    cJSON_Delete(patch);
    return rc;
}

int cmd_milestones(int argc, char **argv)
{
    const char *sub = argc >= 2 ? argv[1] : "list";
    if (strcmp(sub, "show") == 0)
        return milestones_show(argc - 1, argv + 1);
    if (strcmp(sub, "update") == 0)
        return milestones_update(argc - 1, argv + 1);
    if (strcmp(sub, "help") == 0)
        return args_help(stdout, milestones_help);
    static const char *const subs[] = {"list", "show", "update", NULL};
    if (sub[0] != '-' && strcmp(sub, "list") != 0)
        return args_unknown_word("milestones", "milestones command", sub, subs);
    return milestones_list(argc, argv);
}
