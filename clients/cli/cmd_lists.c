/* cmd_lists.c — `projects`, `lots`, `segments`, `premises`: lists as
 * tables (or --json), following the server's cursors, with codes shown
 * for ids and remembered for offline use (codes.h).
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "args.h"
#include "codes.h"
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
    int segment_filters; /* --contractor and --method (segments) */
    enum code_kind kind; /* what its items are, for the code cache */
    /* Adds what the table shows besides the server's fields (codes for
     * ids); NULL: nothing. Never called with --json. */
    void (*annotate)(struct api *a, cJSON *items);
    /* The columns; wide_cols when any item has the field wide_if. */
    const struct column *cols;
    int ncols;
    const struct column *wide_cols;
    int nwide;
    const char *wide_if;
    const char *empty;
};

static int in_list(const char *const *v, const char *s)
{
    for (; *v; v++)
        if (strcmp(*v, s) == 0)
            return 1;
    return 0;
}

static int any_has(const cJSON *items, const char *field)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, items)
    {
        if (cJSON_GetObjectItemCaseSensitive(it, field))
            return 1;
    }
    return 0;
}

static int run_list(const struct list_spec *spec, int argc, char **argv)
{
    enum {
        O_LOT = OPT_FIRST_COMMAND,
        O_STATUS,
        O_SEARCH,
        O_LIMIT,
        O_SEGMENT,
        O_ALL,
        O_CONTRACTOR,
        O_METHOD
    };
    static const struct option opts[] = {GLOBAL_LONG_OPTIONS,
                                         {"lot", required_argument, NULL, O_LOT},
                                         {"status", required_argument, NULL, O_STATUS},
                                         {"search", required_argument, NULL, O_SEARCH},
                                         {"limit", required_argument, NULL, O_LIMIT},
                                         {"segment", required_argument, NULL, O_SEGMENT},
                                         {"all-projects", no_argument, NULL, O_ALL},
                                         {"contractor", required_argument, NULL, O_CONTRACTOR},
                                         {"method", required_argument, NULL, O_METHOD},
                                         {NULL, 0, NULL, 0}};
    static const char *const methods[] = {"open_trench", "micro_trench",  "hdd", "plough",
                                          "aerial",      "existing_duct", NULL};
    struct query q = {0};
    long limit = 0;
    const char *lot = NULL, *segment = NULL, *contractor = NULL;
    int all_projects = 0, filtered = 0, c;
    while ((c = args_next(argc, argv, GLOBAL_SHORT_OPTIONS, opts, spec->name)) != -1) {
        switch (c) {
        case 'h':
            return args_help(stdout, spec->help);
        case O_LOT:
            if (!spec->lot_filter)
                return args_usage(spec->name, "%s has no --lot filter", spec->name);
            lot = optarg;
            break;
        case O_STATUS:
            if (!spec->statuses)
                return args_usage(spec->name, "%s has no --status filter", spec->name);
            if (!in_list(spec->statuses, optarg))
                return args_usage(spec->name, "--status '%s' is not a status of %s", optarg,
                                  spec->name);
            q_add(&q, "status", optarg);
            filtered = 1;
            break;
        case O_SEARCH:
            q_add(&q, "q", optarg);
            filtered = 1;
            break;
        case O_SEGMENT:
            if (!spec->segment_filter)
                return args_usage(spec->name, "%s has no --segment filter", spec->name);
            segment = optarg;
            break;
        case O_LIMIT:
            if (args_long(optarg, 1, 10000000, &limit) != 0)
                return args_usage(spec->name, "--limit needs a number from 1, not '%s'", optarg);
            break;
        case O_ALL:
            all_projects = 1;
            break;
        case O_CONTRACTOR:
            if (!spec->segment_filters)
                return args_usage(spec->name, "%s has no --contractor filter", spec->name);
            contractor = optarg;
            break;
        case O_METHOD:
            if (!spec->segment_filters)
                return args_usage(spec->name, "%s has no --method filter", spec->name);
            if (!in_list(methods, optarg))
                return args_unknown_word(spec->name, "method", optarg, methods);
            q_add(&q, "method", optarg);
            filtered = 1;
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
    long long pid = 0, id;
    if (g_cli.project && !all_projects && strcmp(spec->path, "/projects") != 0) {
        rc = api_project(&a, &pid);
        if (rc != EXIT_OK)
            return rc;
        q_add_id(&q, "project_id", pid);
    }
    if (lot) {
        rc = codes_resolve(&a, CODE_LOT, lot, pid, "--lot", 0, &id);
        if (rc != EXIT_OK)
            return rc;
        q_add_id(&q, "lot_id", id);
    }
    if (contractor) {
        rc = codes_resolve(&a, CODE_CONTRACTOR, contractor, 0, "--contractor", 0, &id);
        if (rc != EXIT_OK)
            return rc;
        q_add_id(&q, "contractor_id", id);
        filtered = 1;
    }
    if (segment) {
        rc = codes_resolve(&a, CODE_SEGMENT, segment, pid, "--segment", 0, &id);
        if (rc != EXIT_OK)
            return rc;
        q_add_id(&q, spec->segment_filter, id);
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
    /* Every list keeps the code cache current; only a list of everything
     * the user sees may also forget codes. */
    codes_learn(&a, spec->kind, items, !filtered && !lot && !segment && !limit && !pid);
    if (!g_cli.json && spec->annotate)
        spec->annotate(&a, items);
    if (spec->wide_cols && any_has(items, spec->wide_if))
        out_items(items, spec->wide_cols, spec->nwide, spec->empty);
    else
        out_items(items, spec->cols, spec->ncols, spec->empty);
    cJSON_Delete(items);
    return EXIT_OK;
}

#define NCOLS(cols) ((int)(sizeof(cols) / sizeof((cols)[0])))

/* ---- projects ---- */

static const struct column project_cols[] = {
    {"CODE", "code", COL_TEXT},
    {"NAME", "name", COL_TEXT},
    {"STATUS", "status", COL_TEXT},
    {"START", "start_date", COL_TEXT},
    {"PLANNED END", "planned_end_date", COL_TEXT},
};

int cmd_projects(int argc, char **argv)
{
    static const struct list_spec spec = {
        .name = "projects",
        .path = "/projects",
        .help = "Usage: fibertrack projects [--search TEXT] [--limit N]\n\n"
                "Lists the projects you can see. Their code (or id, see --json) goes in\n"
                "--project.\n\n"
                "EXAMPLES\n"
                "  fibertrack projects\n"
                "  fibertrack projects --json | jq '.[] | {id, code}'\n\n",
        .kind = CODE_PROJECT,
        .cols = project_cols,
        .ncols = NCOLS(project_cols),
        .empty = "You see no project."};
    return run_list(&spec, argc, argv);
}

/* ---- lots ---- */

static void annotate_lots(struct api *a, cJSON *items)
{
    codes_annotate(a, CODE_CONTRACTOR, items, "contractor_id", "contractor_name");
}

static const struct column lot_cols[] = {
    {"CODE", "code", COL_TEXT},
    {"NAME", "name", COL_TEXT},
    {"CONTRACTOR", "contractor_name", COL_TEXT},
    {"CONTRACT EUR", "contract_value_cents", COL_EUR},
    {"AUTO APPROVE", "auto_approve", COL_TEXT},
};

int cmd_lots(int argc, char **argv)
{
    static const struct list_spec spec = {
        .name = "lots",
        .path = "/lots",
        .help = "Usage: fibertrack lots [--project CODE] [--search TEXT] [--limit N]\n\n"
                "Lists the lots (Baulose) you can see, with their contractor. A lot's code\n"
                "goes in `segments --lot`.\n\n"
                "  --search TEXT     text search (code and name)\n"
                "  --limit N         at most N lots (default: all)\n\n"
                "EXAMPLES\n"
                "  fibertrack lots\n"
                "  fibertrack segments --lot LOS-1\n\n",
        .kind = CODE_LOT,
        .annotate = annotate_lots,
        .cols = lot_cols,
        .ncols = NCOLS(lot_cols),
        .empty = "No lots."};
    return run_list(&spec, argc, argv);
}

/* ---- segments ---- */

static const char *segment_statuses[] = {"planned",    "permitted",       "in_construction",
                                         "civil_done", "cable_installed", "spliced",
                                         "tested",     "accepted",        NULL};

static void annotate_segments(struct api *a, cJSON *items)
{
    codes_annotate(a, CODE_LOT, items, "lot_id", "lot_code");
}

static const struct column segment_cols[] = {
    {"CODE", "code", COL_TEXT},
    {"LOT", "lot_code", COL_TEXT},
    {"KIND", "kind", COL_TEXT},
    {"METHOD", "method", COL_TEXT},
    {"STATUS", "status", COL_TEXT},
    {"PLANNED M", "planned_length_m", COL_METRES},
    {"BUILT M", "built_length_m", COL_METRES},
    {"DONE", "progress", COL_PERCENT},
};

/* With the street (a server that has the field). */
static const struct column segment_street_cols[] = {
    {"CODE", "code", COL_TEXT},
    {"LOT", "lot_code", COL_TEXT},
    {"STREET", "street", COL_TEXT},
    {"KIND", "kind", COL_TEXT},
    {"METHOD", "method", COL_TEXT},
    {"STATUS", "status", COL_TEXT},
    {"PLANNED M", "planned_length_m", COL_METRES},
    {"BUILT M", "built_length_m", COL_METRES},
    {"DONE", "progress", COL_PERCENT},
};

static const char segments_help[] =
    "Usage: fibertrack segments [list] [--project CODE] [--lot CODE] [--status STATUS]\n"
    "                           [--contractor NAME] [--method METHOD] [--search TEXT]\n"
    "                           [--limit N]\n"
    "       fibertrack segments show CODE\n"
    "       fibertrack segments accept CODE [--date DATE] [--note TEXT]\n"
    "\n"
    "list    segments (trenches, ducts, cables) with their progress. A contractor sees\n"
    "        the segments of its own lots. The CODE is what `progress submit --segment`\n"
    "        takes (the id, in --json, works too).\n"
    "  --lot CODE        only this lot (Baulos), by code (LOS-1) or id\n"
    "  --contractor NAME only the lots of this contractor: its name (or the start\n"
    "                    of it, when only one name starts so) or id\n"
    "  --method METHOD   open_trench, micro_trench, hdd, plough, aerial, existing_duct\n"
    "  --status STATUS   planned, permitted, in_construction, civil_done,\n"
    "                    cable_installed, spliced, tested or accepted\n"
    "  --search TEXT     text search (code, street, the codes of its end nodes)\n"
    "  --limit N         at most N segments (default: all)\n"
    "show    one segment with all its fields, its acceptance included.\n"
    "accept  records the acceptance (Abnahme) of a tested segment: its status becomes\n"
    "        accepted (project managers and admins).\n"
    "  --date DATE       the day of the acceptance, 2026-11-25 or 25.11.2026\n"
    "                    (default: today)\n"
    "  --note TEXT       the acceptance protocol note (at most 2000 characters)\n"
    "  A segment that is not `tested` is refused (exit 5). Sending it again after a\n"
    "  lost answer is safe: it carries an Idempotency-Key.\n"
    "\n"
    "EXAMPLES\n"
    "  fibertrack segments --lot LOS-1 --status in_construction\n"
    "  fibertrack segments --contractor \"Tiefbau Nord\" --method hdd\n"
    "  fibertrack segments --search Hauptstr --json\n"
    "  fibertrack segments show S-000082\n"
    "  fibertrack segments accept S-000082 --date 25.11.2026 --note \"Protokoll 17/2026\"\n"
    "\n";

static int segments_list(int argc, char **argv)
{
    static const struct list_spec spec = {.name = "segments",
                                          .path = "/segments",
                                          .help = segments_help,
                                          .statuses = segment_statuses,
                                          .lot_filter = 1,
                                          .segment_filters = 1,
                                          .kind = CODE_SEGMENT,
                                          .annotate = annotate_segments,
                                          .cols = segment_cols,
                                          .ncols = NCOLS(segment_cols),
                                          .wide_cols = segment_street_cols,
                                          .nwide = NCOLS(segment_street_cols),
                                          .wide_if = "street",
                                          .empty = "No segments."};
    return run_list(&spec, argc, argv);
}

int cmd_segments(int argc, char **argv)
{
    static const char *const subs[] = {"list", "show", "accept", NULL};
    const char *sub = argc >= 2 ? argv[1] : "list";
    if (strcmp(sub, "show") == 0)
        return cmd_segments_show(argc - 1, argv + 1);
    if (strcmp(sub, "accept") == 0)
        return cmd_segments_accept(argc - 1, argv + 1);
    if (strcmp(sub, "list") == 0)
        return segments_list(argc - 1, argv + 1);
    if (strcmp(sub, "help") == 0)
        return args_help(stdout, segments_help);
    if (sub[0] != '-')
        return args_unknown_word("segments", "segments command", sub, subs);
    return segments_list(argc, argv);
}

const char *segments_help_text(void) { return segments_help; }

/* ---- premises ---- */

static const char *premise_statuses[] = {"planned",   "passed",   "connected",
                                         "activated", "excluded", NULL};

static void annotate_premises(struct api *a, cJSON *items)
{
    codes_annotate(a, CODE_SEGMENT, items, "serving_segment_id", "serving_segment_code");
}

static const struct column premise_cols[] = {
    {"CODE", "code", COL_TEXT},     {"ADDRESS", NULL, COL_ADDRESS},
    {"KIND", "kind", COL_TEXT},     {"WHITE SPOT", "white_spot", COL_TEXT},
    {"STATUS", "status", COL_TEXT}, {"SEGMENT", "serving_segment_code", COL_TEXT},
};

int cmd_premises(int argc, char **argv)
{
    static const struct list_spec spec = {
        .name = "premises",
        .path = "/premises",
        .help = "Usage: fibertrack premises [--project CODE] [--status STATUS] [--segment CODE]\n"
                "                           [--search TEXT] [--limit N]\n\n"
                "Lists premises (address points) and their connection status.\n\n"
                "  --status STATUS   planned, passed, connected, activated or excluded\n"
                "  --segment CODE    served by this segment (code such as S-000082, or id)\n"
                "  --search TEXT     text search (street, code, ...)\n"
                "  --limit N         at most N premises (default: all)\n\n"
                "EXAMPLES\n"
                "  fibertrack premises --segment S-000082\n"
                "  fibertrack premises --status passed --search Hauptstr\n\n",
        .statuses = premise_statuses,
        .segment_filter = "serving_segment_id",
        .kind = CODE_PREMISE,
        .annotate = annotate_premises,
        .cols = premise_cols,
        .ncols = NCOLS(premise_cols),
        .empty = "No premises."};
    return run_list(&spec, argc, argv);
}
