/* cmd_notes.c — `notes`: the Sachbericht, the narrative of the progress
 * report per period (report notes, SPEC 12). List them, print one, and set
 * one from a text or a file (which creates it, or changes the one there is
 * for that period).
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "args.h"
#include "finance.h"
#include "output.h"

#define MAX_NOTE_FILE (1024 * 1024) /* the server takes 20000 characters */

static const char notes_help[] =
    "Usage: fibertrack notes [list] [--project CODE]\n"
    "       fibertrack notes show --from DATE --to DATE\n"
    "       fibertrack notes set --from DATE --to DATE (--text TEXT | --file FILE)\n"
    "\n"
    "The Sachbericht: for each reporting period of the project (--project, or the only\n"
    "one you see), the narrative that the progress workbook prints. Managers and\n"
    "admins write it; everyone on the staff reads it.\n"
    "\n"
    "list  the periods with the start of their text.\n"
    "show  prints the text of the period --from to --to as it is (to edit it in a file).\n"
    "set   writes the text of the period: a new note, or the period's note changed\n"
    "      (with If-Match, so that a change made by someone else meanwhile is refused\n"
    "      rather than overwritten).\n"
    "  --from, --to DATE  the period, both days included (2026-07-01 or 01.07.2026)\n"
    "  --text TEXT        the text (up to 20000 characters, several lines allowed)\n"
    "  --file FILE        the text from a UTF-8 file (\"-\": stdin)\n"
    "\n"
    "EXAMPLES\n"
    "  fibertrack notes\n"
    "  fibertrack notes set --from 01.07.2026 --to 30.09.2026 --file sachbericht-q3.txt\n"
    "  fibertrack notes set --from 2026-10-01 --to 2026-12-31 --text \"Tiefbau Los 1 fertig.\"\n"
    "  fibertrack notes show --from 01.07.2026 --to 30.09.2026 > sachbericht-q3.txt\n"
    "\n";

static const struct fin_col note_cols[] = {
    {"FROM", "period_from", FIN_TEXT},
    {"TO", "period_to", FIN_TEXT},
    {"TEXT", "text", FIN_TEXT},
    {"UPDATED", "updated_at", FIN_DAY},
};

#define NCOLS(c) ((int)(sizeof(c) / sizeof((c)[0])))

static int by_period(const cJSON *x, const cJSON *y)
{
    int c = strcmp(fin_str(x, "period_from"), fin_str(y, "period_from"));
    return c ? c : strcmp(fin_str(x, "period_to"), fin_str(y, "period_to"));
}

/* Every note of the project pid into *items (the caller frees). */
static int read_notes(struct api *a, long long pid, cJSON **items)
{
    char path[96];
    snprintf(path, sizeof(path), "/report-notes?project_id=%lld", pid);
    int rc = api_list(a, path, 0, items, "reading the report notes");
    if (rc == EXIT_OK)
        fin_sort(*items, by_period);
    return rc;
}

/* The note of items for the period from–to, or NULL. */
static cJSON *note_of(cJSON *items, const char *from, const char *to)
{
    cJSON *it;
    cJSON_ArrayForEach(it, items)
    {
        if (strcmp(fin_str(it, "period_from"), from) == 0 &&
            strcmp(fin_str(it, "period_to"), to) == 0)
            return it;
    }
    return NULL;
}

static int notes_list(int argc, char **argv)
{
    int rc = args_only_global(argc, argv, "notes", notes_help);
    if (rc != ARGS_GO_ON)
        return rc;
    if (optind < argc && strcmp(argv[optind], "list") == 0)
        optind++;
    if (optind < argc)
        return args_usage("notes", "unexpected argument '%s'", argv[optind]);
    struct api a;
    long long pid;
    rc = api_open_project(&a, &pid);
    if (rc != EXIT_OK)
        return rc;
    cJSON *items;
    rc = read_notes(&a, pid, &items);
    if (rc != EXIT_OK)
        return rc;
    fin_table(items, note_cols, NCOLS(note_cols), NULL,
              "No report notes (write one with: fibertrack notes set).");
    cJSON_Delete(items);
    return EXIT_OK;
}

/* The options of show and set. Returns ARGS_GO_ON, or the exit code to
 * end with. */
static int note_options(int argc, char **argv, char *from, char *to, const char **text,
                        const char **file)
{
    enum { O_FROM = OPT_FIRST_COMMAND, O_TO, O_TEXT, O_FILE };
    static const struct option opts[] = {GLOBAL_LONG_OPTIONS,
                                         {"from", required_argument, NULL, O_FROM},
                                         {"to", required_argument, NULL, O_TO},
                                         {"text", required_argument, NULL, O_TEXT},
                                         {"file", required_argument, NULL, O_FILE},
                                         {NULL, 0, NULL, 0}};
    int c;
    while ((c = args_next(argc, argv, GLOBAL_SHORT_OPTIONS, opts, "notes")) != -1) {
        switch (c) {
        case 'h':
            return args_help(stdout, notes_help);
        case O_FROM:
            if (fin_date("notes", "--from", optarg, from) != 0)
                return EXIT_USAGE;
            break;
        case O_TO:
            if (fin_date("notes", "--to", optarg, to) != 0)
                return EXIT_USAGE;
            break;
        case O_TEXT:
        case O_FILE:
            if (!text)
                return args_usage("notes", "notes show takes --from and --to only");
            if (c == O_TEXT)
                *text = optarg;
            else
                *file = optarg;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (optind < argc)
        return args_usage("notes", "unexpected argument '%s'", argv[optind]);
    if (!from[0] || !to[0])
        return args_usage("notes", "give the period: --from DATE --to DATE");
    return ARGS_GO_ON;
}

static int notes_show(int argc, char **argv)
{
    char from[11] = "", to[11] = "";
    int rc = note_options(argc, argv, from, to, NULL, NULL);
    if (rc != ARGS_GO_ON)
        return rc;
    struct api a;
    long long pid;
    rc = api_open_project(&a, &pid);
    if (rc != EXIT_OK)
        return rc;
    cJSON *items;
    rc = read_notes(&a, pid, &items);
    if (rc != EXIT_OK)
        return rc;
    const cJSON *n = note_of(items, from, to);
    if (!n) {
        out_error("the project has no report note for %s to %s (see: fibertrack notes)", from, to);
        rc = EXIT_NOT_FOUND;
    } else if (g_cli.json) {
        out_json(n);
    } else {
        const char *text = fin_str(n, "text");
        size_t len = strlen(text);
        fputs(text, stdout);
        if (len && text[len - 1] != '\n')
            fputc('\n', stdout);
    }
    cJSON_Delete(items);
    return rc;
}

static int notes_set(int argc, char **argv)
{
    char from[11] = "", to[11] = "";
    const char *text = NULL, *file = NULL;
    int rc = note_options(argc, argv, from, to, &text, &file);
    if (rc != ARGS_GO_ON)
        return rc;
    if (!text == !file)
        return args_usage("notes", "give the text with --text TEXT or --file FILE (one of them)");
    if (strcmp(from, to) > 0)
        return args_usage("notes", "--from %s is after --to %s", from, to);
    char *owned = NULL;
    if (file) {
        owned = fin_read_text(file, MAX_NOTE_FILE);
        if (!owned)
            return EXIT_OTHER;
        /* An editor's last newline is no part of the text. */
        size_t len = strlen(owned);
        while (len > 0 && (owned[len - 1] == '\n' || owned[len - 1] == '\r'))
            owned[--len] = '\0';
        text = owned;
    }
    if (!*text) {
        free(owned);
        return args_usage("notes", "the text is empty");
    }
    struct api a;
    long long pid;
    rc = api_open_project(&a, &pid);
    cJSON *items = NULL, *body = NULL, *note = NULL;
    if (rc == EXIT_OK)
        rc = read_notes(&a, pid, &items);
    if (rc != EXIT_OK)
        goto out;
    const cJSON *have = note_of(items, from, to);
    body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "text", text);
    int changed = 1;
    if (have) {
        char path[64];
        snprintf(path, sizeof(path), "/report-notes/%lld", fin_num(have, "id"));
        rc = fin_patch(&a, path, body, &note, &changed, "changing the report note");
    } else {
        cJSON_AddNumberToObject(body, "project_id", (double)pid);
        cJSON_AddStringToObject(body, "period_from", from);
        cJSON_AddStringToObject(body, "period_to", to);
        rc = fin_send(&a, "POST", "/report-notes", body, NULL, &note, "writing the report note");
    }
    if (rc != EXIT_OK)
        goto out;
    if (g_cli.json)
        out_json(note);
    else if (!have)
        out_say("Report note for %s to %s written.", from, to);
    else if (changed)
        out_say("Report note for %s to %s changed.", from, to);
    else
        out_say("The report note for %s to %s has this text already; nothing changed.", from, to);
out:
    cJSON_Delete(note);
    cJSON_Delete(body);
    cJSON_Delete(items);
    free(owned);
    return rc;
}

int cmd_notes(int argc, char **argv)
{
    static const char *const subs[] = {"list", "show", "set", NULL};
    const char *sub = argc >= 2 ? argv[1] : "list";
    if (strcmp(sub, "list") == 0)
        return notes_list(argc - 1, argv + 1);
    if (strcmp(sub, "show") == 0)
        return notes_show(argc - 1, argv + 1);
    if (strcmp(sub, "set") == 0)
        return notes_set(argc - 1, argv + 1);
    if (strcmp(sub, "help") == 0)
        return args_help(stdout, notes_help);
    if (sub[0] != '-')
        return args_unknown_word("notes", "notes command", sub, subs);
    return notes_list(argc, argv);
}
