/* cmd_drawdowns.c — `drawdowns` (Mittelabrufe, SPEC 12): list, show, add,
 * edit and delete a draft, submit it (which freezes it), record the
 * agencies' payment, and download its workbook.
 *
 * A drawdown is named by its number within the project (1, 2, ...), as
 * the funding agency knows it; its id works too.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "args.h"
#include "download.h"
#include "finance.h"
#include "money.h"
#include "output.h"

static const char *const drawdown_states[] = {"draft", "submitted", "received", NULL};

static const char drawdowns_help[] =
    "Usage: fibertrack drawdowns [list] [--project CODE] [--state draft|submitted|received]\n"
    "       fibertrack drawdowns show N\n"
    "       fibertrack drawdowns add --from DATE --to DATE [--federal EUR] [--state EUR]\n"
    "                                [--note TEXT]\n"
    "       fibertrack drawdowns edit N [--from DATE] [--to DATE] [--federal EUR]\n"
    "                                   [--state EUR] [--note TEXT]\n"
    "       fibertrack drawdowns submit N\n"
    "       fibertrack drawdowns receive N --date DATE --federal EUR --state EUR\n"
    "       fibertrack drawdowns workbook N [-o FILE]\n"
    "       fibertrack drawdowns delete N\n"
    "\n"
    "Drawdowns (Mittelabrufe) request the grant's money for a period, from the federal\n"
    "programme and from the state (Land). Finance and admins write them; managers read.\n"
    "\n"
    "list      the project's drawdowns with what was requested and received, and totals;\n"
    "          --state shows only drafts, submitted or received ones.\n"
    "show      one drawdown with all its fields.\n"
    "add       drafts the next drawdown (the server numbers it 1, 2, ...) for the period\n"
    "          --from to --to, requesting --federal and --state euros (default 0).\n"
    "edit      changes a draft: the fields given (--note \"\" clears the note). It sends\n"
    "          the version it has just read (If-Match). A submitted drawdown is frozen:\n"
    "          the server refuses the change (exit 5).\n"
    "submit    submits a draft to the agencies: it is frozen from now on and its\n"
    "          workbook stays as it is at this moment.\n"
    "receive   records the agencies' payment of a submitted drawdown: the day it came\n"
    "          (--date) and the federal and state amounts received.\n"
    "workbook  downloads the drawdown's Mittelabruf workbook (xlsx) to FILE (\"-\":\n"
    "          stdout; default: the name the server gives).\n"
    "delete    removes a draft.\n"
    "\n"
    "  N: the drawdown's number within the project (--project, or the only one you\n"
    "  see), or its id. Amounts in euros as you write them (250.000,00 or 250000 or\n"
    "  250,000.00; 1.234 alone is ambiguous and refused). Dates as 2026-11-25 or\n"
    "  25.11.2026.\n"
    "\n"
    "EXAMPLES\n"
    "  fibertrack drawdowns\n"
    "  fibertrack drawdowns add --from 01.07.2026 --to 30.09.2026 --federal 250.000,00 \\\n"
    "      --state 200.000,00 --note \"Q3 2026\"\n"
    "  fibertrack drawdowns edit 3 --federal 260.000,00\n"
    "  fibertrack drawdowns workbook 3 -o mittelabruf-3.xlsx\n"
    "  fibertrack drawdowns submit 3\n"
    "  fibertrack drawdowns receive 3 --date 15.12.2026 --federal 260.000,00 --state 200.000,00\n"
    "\n";

static const struct fin_col drawdown_cols[] = {
    {"NO", "number", FIN_NUM},
    {"FROM", "period_from", FIN_TEXT},
    {"TO", "period_to", FIN_TEXT},
    {"FEDERAL EUR", "federal_requested_cents", FIN_EUR},
    {"STATE EUR", "state_requested_cents", FIN_EUR},
    {"STATUS", "state", FIN_TEXT},
    {"REQUESTED", "requested_at", FIN_DAY},
    {"RECEIVED", "received_at", FIN_DAY},
    {"FEDERAL RCVD EUR", "federal_received_cents", FIN_EUR},
    {"STATE RCVD EUR", "state_received_cents", FIN_EUR},
    {"NOTE", "note", FIN_TEXT},
};

static const struct fin_col drawdown_fields[] = {
    {"number", "number", FIN_NUM},
    {"id", "id", FIN_NUM},
    {"period from", "period_from", FIN_TEXT},
    {"period to", "period_to", FIN_TEXT},
    {"federal requested", "federal_requested_cents", FIN_EUR1},
    {"state requested", "state_requested_cents", FIN_EUR1},
    {"status", "state", FIN_TEXT},
    {"requested at", "requested_at", FIN_TEXT},
    {"received on", "received_at", FIN_TEXT},
    {"federal received", "federal_received_cents", FIN_EUR1},
    {"state received", "state_received_cents", FIN_EUR1},
    {"note", "note", FIN_LINES},
    {"version", "version", FIN_NUM},
    {"updated", "updated_at", FIN_TEXT},
};

#define NCOLS(c) ((int)(sizeof(c) / sizeof((c)[0])))

static int by_number(const cJSON *x, const cJSON *y)
{
    long long a = fin_num(x, "number"), b = fin_num(y, "number");
    return a < b ? -1 : a > b;
}

static int drawdowns_list(int argc, char **argv)
{
    enum { O_STATE = OPT_FIRST_COMMAND };
    static const struct option opts[] = {
        GLOBAL_LONG_OPTIONS, {"state", required_argument, NULL, O_STATE}, {NULL, 0, NULL, 0}};
    struct fin_query q = {0};
    int c;
    while ((c = args_next(argc, argv, GLOBAL_SHORT_OPTIONS, opts, "drawdowns")) != -1) {
        switch (c) {
        case 'h':
            return args_help(stdout, drawdowns_help);
        case O_STATE:
            if (fin_word("drawdowns", "state", optarg, drawdown_states) != 0)
                return EXIT_USAGE;
            fin_q_add(&q, "state", optarg);
            break;
        default:
            return EXIT_USAGE;
        }
    }
    static const struct fin_listing listing = {
        .cmd = "drawdowns",
        .resource = "/drawdowns",
        .what = "listing drawdowns",
        .order = by_number,
        .cols = drawdown_cols,
        .ncols = NCOLS(drawdown_cols),
        .total_label = "total",
        .empty_msg = "No drawdowns yet (draft one with: fibertrack drawdowns add).",
    };
    return fin_list(argc, argv, &q, &listing);
}

/* The drawdown N of the project into *d (the caller frees), read fresh,
 * with its ETag in etag (size 64). Returns an exit code. */
static int find_drawdown(struct api *a, const char *text, cJSON **d, char *etag)
{
    long long n, pid, id = 0;
    *d = NULL;
    if (args_id(text, &n) != 0)
        return args_usage("drawdowns", "'%s' is no drawdown number (1, 2, ...) or id", text);
    int rc = api_project(a, &pid);
    if (rc != EXIT_OK)
        return rc;
    char path[128];
    snprintf(path, sizeof(path), "/drawdowns?project_id=%lld&number=%lld", pid, n);
    cJSON *items;
    rc = api_list(a, path, 0, &items, "looking up the drawdown");
    if (rc != EXIT_OK)
        return rc;
    if (cJSON_GetArraySize(items) == 1)
        id = fin_num(cJSON_GetArrayItem(items, 0), "id");
    cJSON_Delete(items);
    int by_id = !id;
    snprintf(path, sizeof(path), "/drawdowns/%lld", id ? id : n);
    if (by_id) {
        /* No such number: perhaps an id, but only one of this project. */
        cJSON *list;
        char p2[128];
        snprintf(p2, sizeof(p2), "/drawdowns?project_id=%lld&fields=id,number", pid);
        rc = api_list(a, p2, 0, &list, "looking up the drawdown");
        if (rc != EXIT_OK)
            return rc;
        const cJSON *it;
        cJSON_ArrayForEach(it, list)
        {
            if (fin_num(it, "id") == n)
                id = n;
        }
        int count = cJSON_GetArraySize(list);
        cJSON_Delete(list);
        if (!id) {
            out_error("the project has no drawdown %lld (%s)", n,
                      count ? "see: fibertrack drawdowns" : "it has none yet");
            return EXIT_NOT_FOUND;
        }
    }
    rc = api_get_json(a, path, d, etag, "reading the drawdown");
    if (rc == EXIT_OK && by_id)
        out_note("(The project has no drawdown number %lld: taking the drawdown with id %lld, "
                 "number %lld.)",
                 n, n, fin_num(*d, "number"));
    return rc;
}

/* The one N argument of a subcommand: opens the connection a and reads
 * its drawdown fresh. */
static int drawdown_arg(struct api *a, int argc, char **argv, const char *sub, cJSON **d,
                        char *etag)
{
    *d = NULL;
    if (optind >= argc)
        return args_usage("drawdowns", "drawdowns %s needs the drawdown's number (or id)", sub);
    if (optind + 1 < argc)
        return args_usage("drawdowns", "unexpected argument '%s'", argv[optind + 1]);
    int rc = api_open(a, 1);
    return rc == EXIT_OK ? find_drawdown(a, argv[optind], d, etag) : rc;
}

static int drawdowns_show(int argc, char **argv)
{
    int rc = args_only_global(argc, argv, "drawdowns", drawdowns_help);
    if (rc != ARGS_GO_ON)
        return rc;
    struct api a;
    cJSON *d;
    char etag[64];
    rc = drawdown_arg(&a, argc, argv, "show", &d, etag);
    if (rc != EXIT_OK)
        return rc;
    fin_print(d, drawdown_fields, NCOLS(drawdown_fields));
    cJSON_Delete(d);
    return EXIT_OK;
}

/* The options of add and edit into body. Returns ARGS_GO_ON, or the exit
 * code to end with. */
static int drawdown_options(int argc, char **argv, cJSON *body)
{
    enum { O_FROM = OPT_FIRST_COMMAND, O_TO, O_FEDERAL, O_STATE, O_NOTE };
    static const struct option opts[] = {GLOBAL_LONG_OPTIONS,
                                         {"from", required_argument, NULL, O_FROM},
                                         {"to", required_argument, NULL, O_TO},
                                         {"federal", required_argument, NULL, O_FEDERAL},
                                         {"state", required_argument, NULL, O_STATE},
                                         {"note", required_argument, NULL, O_NOTE},
                                         {NULL, 0, NULL, 0}};
    static const char *const fields[] = {"period_from", "period_to", "federal_requested_cents",
                                         "state_requested_cents", "note"};
    static const char *const names[] = {"--from", "--to", "--federal", "--state", "--note"};
    char iso[11];
    long long cents;
    int c;
    while ((c = args_next(argc, argv, GLOBAL_SHORT_OPTIONS, opts, "drawdowns")) != -1) {
        if (c == 'h')
            return args_help(stdout, drawdowns_help);
        if (c < O_FROM || c > O_NOTE)
            return EXIT_USAGE;
        const char *field = fields[c - O_FROM], *name = names[c - O_FROM];
        cJSON_DeleteItemFromObjectCaseSensitive(body, field);
        if (c == O_FROM || c == O_TO) {
            if (fin_date("drawdowns", name, optarg, iso) != 0)
                return EXIT_USAGE;
            cJSON_AddStringToObject(body, field, iso);
        } else if (c == O_FEDERAL || c == O_STATE) {
            if (fin_amount("drawdowns", name, optarg, &cents) != 0)
                return EXIT_USAGE;
            cJSON_AddNumberToObject(body, field, (double)cents);
        } else if (*optarg) {
            cJSON_AddStringToObject(body, field, optarg);
        } else {
            cJSON_AddNullToObject(body, field);
        }
    }
    return ARGS_GO_ON;
}

/* "Drawdown 3 (01.07.2026 to 30.09.2026): federal 1,00 EUR, state 2,00 EUR". */
static void say_drawdown(const char *verb, const cJSON *d)
{
    char f[32], s[32];
    out_say("Drawdown %lld %s (%s to %s): federal %s EUR, state %s EUR requested.",
            fin_num(d, "number"), verb, fin_str(d, "period_from"), fin_str(d, "period_to"),
            money_format(fin_num(d, "federal_requested_cents"), f, sizeof(f)),
            money_format(fin_num(d, "state_requested_cents"), s, sizeof(s)));
}

static int drawdowns_add(int argc, char **argv)
{
    cJSON *body = cJSON_CreateObject();
    int rc = drawdown_options(argc, argv, body);
    if (rc != ARGS_GO_ON)
        goto out;
    rc = EXIT_USAGE;
    if (optind < argc) {
        args_usage("drawdowns", "unexpected argument '%s'", argv[optind]);
        goto out;
    }
    if (!cJSON_GetObjectItemCaseSensitive(body, "period_from") ||
        !cJSON_GetObjectItemCaseSensitive(body, "period_to")) {
        args_usage("drawdowns", "drawdowns add needs the period: --from DATE --to DATE");
        goto out;
    }
    if (cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(body, "note")))
        cJSON_DeleteItemFromObjectCaseSensitive(body, "note");
    struct api a;
    long long pid;
    rc = api_open_project(&a, &pid);
    if (rc != EXIT_OK)
        goto out;
    cJSON_AddNumberToObject(body, "project_id", (double)pid);
    cJSON *d;
    rc = fin_send(&a, "POST", "/drawdowns", body, NULL, &d, "drafting the drawdown");
    if (rc != EXIT_OK)
        goto out;
    if (g_cli.json) {
        out_json(d);
    } else {
        say_drawdown("drafted", d);
        out_say("Submit it with: fibertrack drawdowns submit %lld", fin_num(d, "number"));
    }
    cJSON_Delete(d);
out:
    cJSON_Delete(body);
    return rc;
}

static int drawdowns_edit(int argc, char **argv)
{
    cJSON *body = cJSON_CreateObject();
    int rc = drawdown_options(argc, argv, body);
    if (rc != ARGS_GO_ON)
        goto out;
    rc = EXIT_USAGE;
    if (cJSON_GetArraySize(body) == 0) {
        args_usage("drawdowns", "nothing to change: give at least one field (e.g. --federal "
                                "250.000,00)");
        goto out;
    }
    struct api a;
    cJSON *d;
    char etag[64];
    rc = drawdown_arg(&a, argc, argv, "edit", &d, etag);
    if (rc != EXIT_OK)
        goto out;
    char path[64];
    snprintf(path, sizeof(path), "/drawdowns/%lld", fin_num(d, "id"));
    cJSON_Delete(d);
    int changed;
    rc = fin_patch(&a, path, body, &d, &changed, "changing the drawdown");
    if (rc != EXIT_OK)
        goto out;
    if (g_cli.json)
        out_json(d);
    else if (changed)
        say_drawdown("changed", d);
    else
        out_say("Drawdown %lld has these values already; nothing changed.", fin_num(d, "number"));
    cJSON_Delete(d);
out:
    cJSON_Delete(body);
    return rc;
}

/* POST /drawdowns/{id}/<step> with body, after a fresh read: submit and
 * receive. */
static int step(int argc, char **argv, const char *sub, const cJSON *body, cJSON **out)
{
    struct api a;
    *out = NULL;
    cJSON *d;
    char etag[64], path[96], what[64];
    int rc = drawdown_arg(&a, argc, argv, sub, &d, etag);
    if (rc != EXIT_OK)
        return rc;
    snprintf(path, sizeof(path), "/drawdowns/%lld/%s", fin_num(d, "id"), sub);
    snprintf(what, sizeof(what), "%s drawdown %lld",
             strcmp(sub, "submit") == 0 ? "submitting" : "recording the payment of",
             fin_num(d, "number"));
    cJSON_Delete(d);
    /* The version just read: what is submitted is what was seen. */
    return fin_send(&a, "POST", path, body, etag, out, what);
}

static int drawdowns_submit(int argc, char **argv)
{
    int rc = args_only_global(argc, argv, "drawdowns", drawdowns_help);
    if (rc != ARGS_GO_ON)
        return rc;
    cJSON *d;
    rc = step(argc, argv, "submit", NULL, &d);
    if (rc != EXIT_OK)
        return rc;
    if (g_cli.json) {
        out_json(d);
    } else {
        say_drawdown("submitted", d);
        out_say("Requested at %s; the drawdown is frozen now.", fin_str(d, "requested_at"));
    }
    cJSON_Delete(d);
    return EXIT_OK;
}

static int drawdowns_receive(int argc, char **argv)
{
    enum { O_DATE = OPT_FIRST_COMMAND, O_FEDERAL, O_STATE };
    static const struct option opts[] = {GLOBAL_LONG_OPTIONS,
                                         {"date", required_argument, NULL, O_DATE},
                                         {"federal", required_argument, NULL, O_FEDERAL},
                                         {"state", required_argument, NULL, O_STATE},
                                         {NULL, 0, NULL, 0}};
    char date[11] = "";
    long long federal = -1, state = -1;
    int c;
    while ((c = args_next(argc, argv, GLOBAL_SHORT_OPTIONS, opts, "drawdowns")) != -1) {
        switch (c) {
        case 'h':
            return args_help(stdout, drawdowns_help);
        case O_DATE:
            if (fin_date("drawdowns", "--date", optarg, date) != 0)
                return EXIT_USAGE;
            break;
        case O_FEDERAL:
            if (fin_amount("drawdowns", "--federal", optarg, &federal) != 0)
                return EXIT_USAGE;
            break;
        case O_STATE:
            if (fin_amount("drawdowns", "--state", optarg, &state) != 0)
                return EXIT_USAGE;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (!date[0] || federal < 0 || state < 0)
        return args_usage("drawdowns", "drawdowns receive needs --date, --federal and --state "
                                       "(the amounts received, 0 for none)");
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "received_at", date);
    cJSON_AddNumberToObject(body, "federal_received_cents", (double)federal);
    cJSON_AddNumberToObject(body, "state_received_cents", (double)state);
    cJSON *d;
    int rc = step(argc, argv, "receive", body, &d);
    cJSON_Delete(body);
    if (rc != EXIT_OK)
        return rc;
    if (g_cli.json) {
        out_json(d);
    } else {
        char f[32], s[32];
        out_say("Drawdown %lld: received on %s: federal %s EUR, state %s EUR.",
                fin_num(d, "number"), fin_str(d, "received_at"),
                money_format(fin_num(d, "federal_received_cents"), f, sizeof(f)),
                money_format(fin_num(d, "state_received_cents"), s, sizeof(s)));
    }
    cJSON_Delete(d);
    return EXIT_OK;
}

static int drawdowns_workbook(int argc, char **argv)
{
    static const struct option opts[] = {
        GLOBAL_LONG_OPTIONS, {"output", required_argument, NULL, 'o'}, {NULL, 0, NULL, 0}};
    const char *out = NULL;
    int c;
    while ((c = args_next(argc, argv, GLOBAL_SHORT_OPTIONS "o:", opts, "drawdowns")) != -1) {
        switch (c) {
        case 'h':
            return args_help(stdout, drawdowns_help);
        case 'o':
            out = optarg;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (out && !*out)
        return args_usage("drawdowns", "-o needs a file name");
    struct api a;
    cJSON *d;
    char etag[64];
    int rc = drawdown_arg(&a, argc, argv, "workbook", &d, etag);
    if (rc != EXIT_OK)
        return rc;
    char path[96], fallback[64], label[64];
    snprintf(path, sizeof(path), "/drawdowns/%lld/workbook.xlsx", fin_num(d, "id"));
    snprintf(fallback, sizeof(fallback), "mittelabruf-%lld.xlsx", fin_num(d, "number"));
    snprintf(label, sizeof(label), "Downloading drawdown %lld", fin_num(d, "number"));
    cJSON_Delete(d);
    struct download dl = {.path = path,
                          .out_path = out,
                          .fallback = fallback,
                          .label = label,
                          .what = "downloading the drawdown's workbook",
                          .binary = 1};
    return download_file(&a, &dl);
}

static int drawdowns_delete(int argc, char **argv)
{
    int rc = args_only_global(argc, argv, "drawdowns", drawdowns_help);
    if (rc != ARGS_GO_ON)
        return rc;
    struct api a;
    cJSON *d;
    char etag[64], path[64];
    rc = drawdown_arg(&a, argc, argv, "delete", &d, etag);
    if (rc != EXIT_OK)
        return rc;
    long long number = fin_num(d, "number"), id = fin_num(d, "id");
    cJSON_Delete(d);
    snprintf(path, sizeof(path), "/drawdowns/%lld", id);
    rc = fin_send(&a, "DELETE", path, NULL, etag, NULL, "deleting the drawdown");
    if (rc != EXIT_OK)
        return rc;
    if (g_cli.json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, "deleted", (double)id);
        out_json(j);
        cJSON_Delete(j);
    } else {
        out_say("Drawdown %lld (id %lld) deleted.", number, id);
    }
    return EXIT_OK;
}

int cmd_drawdowns(int argc, char **argv)
{
    static const char *const subs[] = {"list",    "show",     "add",    "edit", "submit",
                                       "receive", "workbook", "delete", NULL};
    static int (*const runs[])(int, char **) = {
        drawdowns_list,   drawdowns_show,    drawdowns_add,      drawdowns_edit,
        drawdowns_submit, drawdowns_receive, drawdowns_workbook, drawdowns_delete};
    const char *sub = argc >= 2 ? argv[1] : "list";
    for (size_t i = 0; subs[i]; i++)
        if (strcmp(sub, subs[i]) == 0)
            return runs[i](argc - 1, argv + 1);
    if (strcmp(sub, "help") == 0)
        return args_help(stdout, drawdowns_help);
    if (sub[0] != '-')
        return args_unknown_word("drawdowns", "drawdowns command", sub, subs);
    return drawdowns_list(argc, argv);
}
