/* cmd_lists.c — `projects`, `segments`, `premises`: read-only lists as
 * tables (or --json), following the server's cursors.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "args.h"
#include "output.h"

/* A query string under construction. */
struct query {
    char buf[2048];
    size_t len;
    int overflow;
};

static void q_add(struct query *q, const char *name, const char *value)
{
    char esc[1024];
    if (url_escape(value, esc, sizeof(esc)) != 0) {
        q->overflow = 1;
        return;
    }
    int k = snprintf(q->buf + q->len, sizeof(q->buf) - q->len, "%s%s=%s", q->len ? "&" : "?", name,
                     esc);
    if (k < 0 || (size_t)k >= sizeof(q->buf) - q->len)
        q->overflow = 1;
    else
        q->len += (size_t)k;
}

static void q_add_id(struct query *q, const char *name, long long id)
{
    char v[32];
    snprintf(v, sizeof(v), "%lld", id);
    q_add(q, name, v);
}

/* What a list command needs to know. */
struct list_spec {
    const char *name;           /* the command */
    const char *path;           /* under /api/v1 */
    const char *help;           /* its usage text */
    const char **statuses;      /* allowed --status values, NULL-terminated; NULL: no --status */
    const char *segment_filter; /* query name for --segment, or NULL */
    int lot_filter;
    const struct column *cols;
    int ncols;
    const char *empty;
};

static int in_list(const char **v, const char *s)
{
    for (; *v; v++)
        if (strcmp(*v, s) == 0)
            return 1;
    return 0;
}

static int run_list(const struct list_spec *spec, int argc, char **argv)
{
    enum { O_LOT = OPT_FIRST_COMMAND, O_STATUS, O_SEARCH, O_LIMIT, O_SEGMENT, O_ALL };
    static const struct option opts[] = {GLOBAL_LONG_OPTIONS,
                                         {"lot", required_argument, NULL, O_LOT},
                                         {"status", required_argument, NULL, O_STATUS},
                                         {"search", required_argument, NULL, O_SEARCH},
                                         {"limit", required_argument, NULL, O_LIMIT},
                                         {"segment", required_argument, NULL, O_SEGMENT},
                                         {"all-projects", no_argument, NULL, O_ALL},
                                         {NULL, 0, NULL, 0}};
    struct query q = {0};
    long limit = 0;
    long long id;
    int all_projects = 0, c;
    while ((c = args_next(argc, argv, GLOBAL_SHORT_OPTIONS, opts, spec->name)) != -1) {
        switch (c) {
        case 'h':
            return args_help(stdout, spec->help);
        case O_LOT:
            if (!spec->lot_filter)
                return args_usage(spec->name, "%s has no --lot filter", spec->name);
            if (args_id(optarg, &id) != 0)
                return args_usage(spec->name, "--lot needs a lot id, not '%s'", optarg);
            q_add_id(&q, "lot_id", id);
            break;
        case O_STATUS:
            if (!spec->statuses)
                return args_usage(spec->name, "%s has no --status filter", spec->name);
            if (!in_list(spec->statuses, optarg))
                return args_usage(spec->name, "--status '%s' is not a status of %s", optarg,
                                  spec->name);
            q_add(&q, "status", optarg);
            break;
        case O_SEARCH:
            q_add(&q, "q", optarg);
            break;
        case O_SEGMENT:
            if (!spec->segment_filter)
                return args_usage(spec->name, "%s has no --segment filter", spec->name);
            if (args_id(optarg, &id) != 0)
                return args_usage(spec->name, "--segment needs a segment id, not '%s'", optarg);
            q_add_id(&q, spec->segment_filter, id);
            break;
        case O_LIMIT:
            if (args_long(optarg, 1, 10000000, &limit) != 0)
                return args_usage(spec->name, "--limit needs a number from 1, not '%s'", optarg);
            break;
        case O_ALL:
            all_projects = 1;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (optind < argc)
        return args_usage(spec->name, "unexpected argument '%s'", argv[optind]);
    struct api a;
    int rc = api_open(&a, 1);
    if (rc != EXIT_OK)
        return rc;
    /* Lists are per project only when one is asked for: without
     * --project, everything visible is listed. */
    if (g_cli.project && !all_projects && strcmp(spec->path, "/projects") != 0) {
        long long pid;
        rc = api_project(&a, &pid);
        if (rc != EXIT_OK)
            return rc;
        q_add_id(&q, "project_id", pid);
    }
    if (q.overflow)
        return args_usage(spec->name, "the filters are too long");
    char path[2300];
    snprintf(path, sizeof(path), "%s%s", spec->path, q.buf);
    cJSON *items;
    char what[64];
    snprintf(what, sizeof(what), "listing %s", spec->name);
    rc = api_list(&a, path, limit, &items, what);
    if (rc != EXIT_OK)
        return rc;
    out_items(items, spec->cols, spec->ncols, spec->empty);
    cJSON_Delete(items);
    return EXIT_OK;
}

/* ---- projects ---- */

static const struct column project_cols[] = {
    {"ID", "id", COL_NUM},
    {"CODE", "code", COL_TEXT},
    {"NAME", "name", COL_TEXT},
    {"STATUS", "status", COL_TEXT},
    {"START", "start_date", COL_TEXT},
    {"PLANNED END", "planned_end_date", COL_TEXT},
};

int cmd_projects(int argc, char **argv)
{
    static const struct list_spec spec = {
        "projects",
        "/projects",
        "Usage: fibertrack projects [--search TEXT] [--limit N]\n\n"
        "Lists the projects you can see. Their id or code goes in --project.\n\n",
        NULL,
        NULL,
        0,
        project_cols,
        6,
        "You see no project."};
    return run_list(&spec, argc, argv);
}

/* ---- segments ---- */

static const char *segment_statuses[] = {"planned",    "permitted",       "in_construction",
                                         "civil_done", "cable_installed", "spliced",
                                         "tested",     "accepted",        NULL};

static const struct column segment_cols[] = {
    {"ID", "id", COL_NUM},
    {"CODE", "code", COL_TEXT},
    {"LOT", "lot_id", COL_NUM},
    {"KIND", "kind", COL_TEXT},
    {"METHOD", "method", COL_TEXT},
    {"STATUS", "status", COL_TEXT},
    {"PLANNED M", "planned_length_m", COL_METRES},
    {"BUILT M", "built_length_m", COL_METRES},
    {"DONE", "progress", COL_PERCENT},
};

int cmd_segments(int argc, char **argv)
{
    static const struct list_spec spec = {
        "segments",
        "/segments",
        "Usage: fibertrack segments [--project ID] [--lot ID] [--status STATUS]\n"
        "                           [--search TEXT] [--limit N]\n\n"
        "Lists segments (trenches, ducts, cables) with their progress. A contractor sees\n"
        "the segments of its own lots. The ID is what `progress submit --segment` takes.\n\n"
        "  --lot ID          only this lot (Baulos)\n"
        "  --status STATUS   planned, permitted, in_construction, civil_done,\n"
        "                    cable_installed, spliced, tested or accepted\n"
        "  --search TEXT     text search (code and other text fields)\n"
        "  --limit N         at most N segments (default: all)\n\n",
        segment_statuses,
        NULL,
        1,
        segment_cols,
        9,
        "No segments."};
    return run_list(&spec, argc, argv);
}

/* ---- premises ---- */

static const char *premise_statuses[] = {"planned",   "passed",   "connected",
                                         "activated", "excluded", NULL};

static const struct column premise_cols[] = {
    {"ID", "id", COL_NUM},
    {"CODE", "code", COL_TEXT},
    {"ADDRESS", NULL, COL_ADDRESS},
    {"KIND", "kind", COL_TEXT},
    {"WHITE SPOT", "white_spot", COL_TEXT},
    {"STATUS", "status", COL_TEXT},
    {"SEGMENT", "serving_segment_id", COL_NUM},
};

int cmd_premises(int argc, char **argv)
{
    static const struct list_spec spec = {
        "premises",
        "/premises",
        "Usage: fibertrack premises [--project ID] [--status STATUS] [--segment ID]\n"
        "                           [--search TEXT] [--limit N]\n\n"
        "Lists premises (address points) and their connection status.\n\n"
        "  --status STATUS   planned, passed, connected, activated or excluded\n"
        "  --segment ID      served by this segment\n"
        "  --search TEXT     text search (street, code, ...)\n"
        "  --limit N         at most N premises (default: all)\n\n",
        premise_statuses,
        "serving_segment_id",
        0,
        premise_cols,
        7,
        "No premises."};
    return run_list(&spec, argc, argv);
}
