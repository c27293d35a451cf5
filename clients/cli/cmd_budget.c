/* cmd_budget.c — `budget` (the Finanzierungsplan, SPEC 12): the planned
 * eligible cost per category and year; list it, and set one line (which
 * creates it, or changes the one there is).
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "args.h"
#include "finance.h"
#include "money.h"
#include "output.h"

static const char budget_help[] =
    "Usage: fibertrack budget [list] [--project CODE] [--year YEAR] [--category C]\n"
    "       fibertrack budget set --category C --year YEAR --planned EUR [--note TEXT]\n"
    "\n"
    "The budget plan (Finanzierungsplan) of the project (--project, or the only one you\n"
    "see): the eligible cost planned per invoice category and year.\n"
    "\n"
    "list  the lines, by year and category, with their total.\n"
    "set   plans --planned euros for the category in the year: creates the line, or\n"
    "      changes the one there is (with If-Match, so that a change made by someone\n"
    "      else meanwhile is refused rather than overwritten). Finance and admins.\n"
    "  --category C     civil_works, cabling, splicing, planning, materials or other\n"
    "  --year YEAR      2000 to 2100\n"
    "  --planned EUR    1.000.000 or 1000000 or 1.000.000,00 (1.000 alone is ambiguous)\n"
    "  --note TEXT      a note on the line (\"\" clears it)\n"
    "\n"
    "EXAMPLES\n"
    "  fibertrack budget\n"
    "  fibertrack budget set --category civil_works --year 2027 --planned 1.000.000\n"
    "  fibertrack budget set --category planning --year 2027 --planned 85.000,00 \\\n"
    "      --note \"Planungsbuero, Los 1-3\"\n"
    "  fibertrack budget --year 2027 --json\n"
    "\n";

static const struct fin_col budget_cols[] = {
    {"YEAR", "year", FIN_NUM},
    {"CATEGORY", "category", FIN_TEXT},
    {"PLANNED EUR", "planned_cents", FIN_EUR},
    {"NOTE", "note", FIN_TEXT},
};

#define NCOLS(c) ((int)(sizeof(c) / sizeof((c)[0])))

static int category_rank(const char *c)
{
    for (int i = 0; fin_categories[i]; i++)
        if (strcmp(fin_categories[i], c) == 0)
            return i;
    return 99;
}

static int by_year(const cJSON *x, const cJSON *y)
{
    long long a = fin_num(x, "year"), b = fin_num(y, "year");
    if (a != b)
        return a < b ? -1 : 1;
    return category_rank(fin_str(x, "category")) - category_rank(fin_str(y, "category"));
}

/* --year and --category of list and set. Returns 0, or EXIT_USAGE. */
static int year_arg(const char *s, long *year)
{
    if (args_long(s, 2000, 2100, year) != 0)
        return args_usage("budget", "--year needs a year from 2000 to 2100, not '%s'", s);
    return 0;
}

static int budget_list(int argc, char **argv)
{
    enum { O_YEAR = OPT_FIRST_COMMAND, O_CATEGORY };
    static const struct option opts[] = {GLOBAL_LONG_OPTIONS,
                                         {"year", required_argument, NULL, O_YEAR},
                                         {"category", required_argument, NULL, O_CATEGORY},
                                         {NULL, 0, NULL, 0}};
    struct fin_query q = {0};
    long year;
    int c;
    while ((c = args_next(argc, argv, GLOBAL_SHORT_OPTIONS, opts, "budget")) != -1) {
        switch (c) {
        case 'h':
            return args_help(stdout, budget_help);
        case O_YEAR:
            if (year_arg(optarg, &year) != 0)
                return EXIT_USAGE;
            fin_q_id(&q, "year", year);
            break;
        case O_CATEGORY:
            if (fin_word("budget", "category", optarg, fin_categories) != 0)
                return EXIT_USAGE;
            fin_q_add(&q, "category", optarg);
            break;
        default:
            return EXIT_USAGE;
        }
    }
    static const struct fin_listing listing = {
        .cmd = "budget",
        .resource = "/budget-lines",
        .what = "listing the budget plan",
        .order = by_year,
        .cols = budget_cols,
        .ncols = NCOLS(budget_cols),
        .total_label = "total",
        .empty_msg = "No budget lines (plan one with: fibertrack budget set).",
    };
    return fin_list(argc, argv, &q, &listing);
}

static int budget_set(int argc, char **argv)
{
    enum { O_YEAR = OPT_FIRST_COMMAND, O_CATEGORY, O_PLANNED, O_NOTE };
    static const struct option opts[] = {GLOBAL_LONG_OPTIONS,
                                         {"year", required_argument, NULL, O_YEAR},
                                         {"category", required_argument, NULL, O_CATEGORY},
                                         {"planned", required_argument, NULL, O_PLANNED},
                                         {"note", required_argument, NULL, O_NOTE},
                                         {NULL, 0, NULL, 0}};
    long year = 0;
    long long planned = -1;
    const char *category = NULL, *note = NULL;
    int c;
    while ((c = args_next(argc, argv, GLOBAL_SHORT_OPTIONS, opts, "budget")) != -1) {
        switch (c) {
        case 'h':
            return args_help(stdout, budget_help);
        case O_YEAR:
            if (year_arg(optarg, &year) != 0)
                return EXIT_USAGE;
            break;
        case O_CATEGORY:
            if (fin_word("budget", "category", optarg, fin_categories) != 0)
                return EXIT_USAGE;
            category = optarg;
            break;
        case O_PLANNED:
            if (fin_amount("budget", "--planned", optarg, &planned) != 0)
                return EXIT_USAGE;
            break;
        case O_NOTE:
            note = optarg;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (optind < argc)
        return args_usage("budget", "unexpected argument '%s'", argv[optind]);
    if (!category || !year || planned < 0)
        return args_usage("budget", "budget set needs --category, --year and --planned");
    struct api a;
    long long pid;
    int rc = api_open_project(&a, &pid);
    if (rc != EXIT_OK)
        return rc;
    char path[256];
    snprintf(path, sizeof(path), "/budget-lines?project_id=%lld&category=%s&year=%ld", pid,
             category, year);
    cJSON *items;
    rc = api_list(&a, path, 0, &items, "reading the budget plan");
    if (rc != EXIT_OK)
        return rc;
    long long id = 0, before = 0;
    if (cJSON_GetArraySize(items) > 0) {
        id = fin_num(cJSON_GetArrayItem(items, 0), "id");
        before = fin_num(cJSON_GetArrayItem(items, 0), "planned_cents");
    }
    cJSON_Delete(items);

    cJSON *body = cJSON_CreateObject(), *line = NULL;
    cJSON_AddNumberToObject(body, "planned_cents", (double)planned);
    if (note && *note)
        cJSON_AddStringToObject(body, "note", note);
    else if (note && id)
        cJSON_AddNullToObject(body, "note");
    int changed = 1;
    if (id) {
        snprintf(path, sizeof(path), "/budget-lines/%lld", id);
        rc = fin_patch(&a, path, body, &line, &changed, "changing the budget line");
    } else {
        cJSON_AddNumberToObject(body, "project_id", (double)pid);
        cJSON_AddStringToObject(body, "category", category);
        cJSON_AddNumberToObject(body, "year", (double)year);
        rc = fin_send(&a, "POST", "/budget-lines", body, NULL, &line, "planning the budget line");
    }
    cJSON_Delete(body);
    if (rc != EXIT_OK)
        return rc;
    if (g_cli.json) {
        out_json(line);
    } else {
        char now[32], was[32];
        money_format(fin_num(line, "planned_cents"), now, sizeof(now));
        if (!id)
            out_say("Budget %ld %s: %s EUR planned (a new line).", year, category, now);
        else if (!changed)
            out_say("Budget %ld %s: %s EUR planned already; nothing changed.", year, category, now);
        else if (before != planned)
            out_say("Budget %ld %s: %s EUR planned (was %s EUR).", year, category, now,
                    money_format(before, was, sizeof(was)));
        else
            out_say("Budget %ld %s: the note changed; %s EUR planned.", year, category, now);
    }
    cJSON_Delete(line);
    return EXIT_OK;
}

int cmd_budget(int argc, char **argv)
{
    static const char *const subs[] = {"list", "set", NULL};
    const char *sub = argc >= 2 ? argv[1] : "list";
    if (strcmp(sub, "list") == 0)
        return budget_list(argc - 1, argv + 1);
    if (strcmp(sub, "set") == 0)
        return budget_set(argc - 1, argv + 1);
    if (strcmp(sub, "help") == 0)
        return args_help(stdout, budget_help);
    if (sub[0] != '-')
        return args_unknown_word("budget", "budget command", sub, subs);
    return budget_list(argc, argv);
}
