/* main.c — fibertrack, the command-line client of the fibertrack server.
 *
 * Reads the global options, picks the command from a table (git's
 * { "add", cmd_add } style) and returns its exit code. The commands live in
 * cmd_*.c; what they share is in api.h (requests), queue.h (offline
 * progress reports), config.h (login), output.h (tables, messages).
 */
#include "cli.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "http.h"
#include "output.h"

struct cli g_cli = {.retries = 5, .timeout_s = 60};

static const struct command commands[] = {
    {"login", cmd_login, "log in and remember the server and the token"},
    {"logout", cmd_logout, "end the session and forget the token"},
    {"whoami", cmd_whoami, "show who is logged in, where"},
    {"projects", cmd_projects, "list the projects you can see"},
    {"lots", cmd_lots, "list lots (Baulose) with their contractor"},
    {"segments", cmd_segments, "list segments; show one; accept one (Abnahme)"},
    {"premises", cmd_premises, "list premises (address points)"},
    {"milestones", cmd_milestones,
     "list milestones; show or update one (safe against lost updates)"},
    {"invoices", cmd_invoices, "list, add, edit and import invoices (amounts in euros)"},
    {"budget", cmd_budget, "list or set the budget plan (Finanzierungsplan)"},
    {"drawdowns", cmd_drawdowns, "drawdowns (Mittelabrufe): draft, submit, record payments"},
    {"notes", cmd_notes, "the Sachbericht: report notes per period"},
    {"progress", cmd_progress, "submit a progress report (works offline); list reports"},
    {"sync", cmd_sync, "send the progress reports waiting in the local queue"},
    {"queue", cmd_queue, "show the local queue; retry or drop failed reports"},
    {"attachments", cmd_attachments, "list and download the photos on a progress report"},
    {"reports", cmd_reports, "download the progress or costs workbook (xlsx)"},
    {"export", cmd_export, "download the network as GeoJSON"},
    {"import", cmd_import, "import nodes, segments and premises from a GeoJSON file"},
    {"completion", cmd_completion, "print the bash or zsh completion script"},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

const struct command *cli_commands(size_t *n)
{
    *n = NCOMMANDS;
    return commands;
}

/* "there is no command 'segmnts' (did you mean segments?)". */
static int unknown_command(const char *name)
{
    const char *names[NCOMMANDS + 2];
    for (size_t i = 0; i < NCOMMANDS; i++)
        names[i] = commands[i].name;
    names[NCOMMANDS] = "help";
    names[NCOMMANDS + 1] = NULL;
    return args_unknown_word(NULL, "command", name, names);
}

static const char exit_codes_help[] =
    "Exit codes:\n"
    "  0  success\n"
    "  1  other failure (local file, server error 500)\n"
    "  2  usage: wrong command line\n"
    "  3  authentication: not logged in, session expired, or not allowed (401, 403)\n"
    "  4  validation: the server refused the data (400, 413, 415, 422, 428)\n"
    "  5  conflict: changed by someone else, or contradicts the data (409, 412)\n"
    "  6  not found (404)\n"
    "  7  network: no connection, or the server stayed busy (429, 503) after retries;\n"
    "     also a code that, offline, is not in the local code cache\n"
    "  8  progress submit: not sent, but kept in the local queue (run: fibertrack sync)\n";

static void print_help(FILE *f)
{
    fprintf(f, "fibertrack — the command line of fibertrack (fiber rollout tracking)\n\n"
               "Usage: fibertrack [OPTIONS] COMMAND [ARGS]\n\n"
               "Commands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n%s", global_options_only);
    fprintf(f, "      --version        show the version\n\n");
    fprintf(f, "%s\n", exit_codes_help);
    fprintf(f, "Codes work wherever ids do (--segment S-000082, --lot LOS-1, --project CODE),\n"
               "also offline from a local cache; dates as 2026-11-25 or 25.11.2026.\n\n"
               "Files: $XDG_CONFIG_HOME/fibertrack (else ~/.config/fibertrack): config.json,\n"
               "token.json (mode 0600), codes.json (the code cache) and queue/ (reports not yet\n"
               "acknowledged by the server).\n\n"
               "EXAMPLES\n"
               "  fibertrack login --server https://fibertrack.example.org\n"
               "  fibertrack segments --lot LOS-1 --status in_construction\n"
               "  fibertrack progress submit --segment S-000082 --length 180 --status civil_done\n"
               "  fibertrack segments accept S-000082 --date 25.11.2026\n"
               "  source <(fibertrack completion bash)\n\n"
               "Help on a command:  fibertrack COMMAND --help\n");
}

int main(int argc, char **argv)
{
    setlocale(LC_CTYPE, "");
    const char *env = getenv("FIBERTRACK_SERVER");
    if (env && *env)
        g_cli.server = env;
    env = getenv("FIBERTRACK_PROJECT");
    if (env && *env)
        g_cli.project = env;

    static const struct option longopts[] = {
        GLOBAL_LONG_OPTIONS, {"version", no_argument, NULL, 'V'}, {NULL, 0, NULL, 0}};
    opterr = 0;
    int c;
    for (;;) {
        c = getopt_long(argc, argv, "+" GLOBAL_SHORT_OPTIONS, longopts, NULL);
        if (c == -1)
            break;
        if (c == 'h') {
            print_help(stdout);
            return EXIT_OK;
        }
        if (c == 'V') {
            printf("fibertrack %s\n", FT_CLI_VERSION);
            return EXIT_OK;
        }
        if (c == '?' || c == ':')
            return args_bad_option(NULL, argv, longopts);
        int g = args_global(c, optarg);
        if (g < 0)
            return EXIT_USAGE;
    }
    if (optind >= argc) {
        print_help(stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[optind];
    if (strcmp(name, "help") == 0) {
        if (optind + 1 < argc) {
            /* "fibertrack help segments" is "fibertrack segments --help". */
            char *hargv[] = {argv[optind + 1], "--help", NULL};
            name = argv[optind + 1];
            for (size_t i = 0; i < NCOMMANDS; i++)
                if (strcmp(commands[i].name, name) == 0)
                    return commands[i].run(2, hargv);
            return unknown_command(name);
        }
        print_help(stdout);
        return EXIT_OK;
    }
    const struct command *cmd = NULL;
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            cmd = &commands[i];
    if (!cmd)
        return unknown_command(name);

    if (http_global_init() != 0) {
        out_error("cannot initialise libcurl");
        return EXIT_OTHER;
    }
    /* The command parses its own arguments; argv[0] becomes its name. */
    int first = optind;
    optind = 0;
    int rc = cmd->run(argc - first, argv + first);
    http_global_cleanup();
    return rc;
}
