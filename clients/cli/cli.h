/* cli.h — what every part of the fibertrack command-line client shares:
 * the exit codes, the global options and the command entry points.
 */
#ifndef FT_CLI_CLI_H
#define FT_CLI_CLI_H

#include <stddef.h>

#define FT_CLI_VERSION "1.0.0"

/* Exit codes: scripts tell failures apart by these (see `fibertrack --help`
 * and docs/cli.md). */
enum exit_code {
    EXIT_OK = 0,
    EXIT_OTHER = 1,     /* anything else: a local error, a server bug (500) */
    EXIT_USAGE = 2,     /* wrong command line */
    EXIT_AUTH = 3,      /* 401 or 403: not logged in, session expired, not allowed */
    EXIT_INVALID = 4,   /* 400, 413, 415, 422, 428: the server refused the data */
    EXIT_CONFLICT = 5,  /* 409, 412: changed by someone else, or contradicts the data */
    EXIT_NOT_FOUND = 6, /* 404 */
    EXIT_NETWORK = 7,   /* no connection, or 429/502/503/504 after all retries */
    EXIT_QUEUED = 8,    /* progress submit: not sent, but kept safely in the local queue */
};

/* Global options, set once in main() from the command line and the
 * environment. Strings point into argv or the environment. */
struct cli {
    const char *server;  /* --server or FIBERTRACK_SERVER; NULL: the remembered one */
    const char *project; /* --project or FIBERTRACK_PROJECT; NULL: the only one */
    int json;            /* --json: machine-readable output on stdout */
    int quiet;           /* --quiet: no progress bars and no retry notices */
    int verbose;         /* --verbose: each request on stderr */
    int retries;         /* --retries N: attempts after the first (default 5) */
    long timeout_s;      /* --timeout S: per request (default 60; 0 none) */
};

extern struct cli g_cli;

/* One command: its name, its entry point and a one-line summary for the
 * help page. run() gets argv with argv[0] the command name and returns an
 * exit code. */
struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

int cmd_login(int argc, char **argv);
int cmd_logout(int argc, char **argv);
int cmd_whoami(int argc, char **argv);
int cmd_projects(int argc, char **argv);
int cmd_lots(int argc, char **argv);
int cmd_segments(int argc, char **argv);
int cmd_segments_show(int argc, char **argv);
int cmd_segments_accept(int argc, char **argv);
const char *segments_help_text(void); /* for `segments show|accept --help` */
int cmd_premises(int argc, char **argv);
int cmd_milestones(int argc, char **argv);
int cmd_invoices(int argc, char **argv);
int cmd_budget(int argc, char **argv);
int cmd_drawdowns(int argc, char **argv);
int cmd_notes(int argc, char **argv);
int cmd_progress(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_queue(int argc, char **argv);
int cmd_reports(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_attachments(int argc, char **argv);
int cmd_completion(int argc, char **argv);

/* The command table of main.c, for the completion scripts. */
const struct command *cli_commands(size_t *n);

#endif
