/* args.h — command-line parsing shared by all commands.
 *
 * Each command runs getopt_long over its own arguments with its options
 * plus GLOBAL_LONG_OPTIONS, so that global options (--server, --json, …)
 * work before and after the command name alike.
 */
#ifndef FT_CLI_ARGS_H
#define FT_CLI_ARGS_H

#include <getopt.h>
#include <stdio.h>

enum {
    OPT_SERVER = 1000,
    OPT_PROJECT,
    OPT_JSON,
    OPT_RETRIES,
    OPT_TIMEOUT,
    OPT_FIRST_COMMAND = 1100 /* commands number their own options from here */
};

#define GLOBAL_LONG_OPTIONS                                                                        \
    {"server", required_argument, NULL, OPT_SERVER},                                               \
        {"project", required_argument, NULL, OPT_PROJECT}, {"json", no_argument, NULL, OPT_JSON},  \
        {"quiet", no_argument, NULL, 'q'}, {"verbose", no_argument, NULL, 'v'},                    \
        {"retries", required_argument, NULL, OPT_RETRIES},                                         \
        {"timeout", required_argument, NULL, OPT_TIMEOUT},                                         \
    {                                                                                              \
        "help", no_argument, NULL, 'h'                                                             \
    }

/* Short options every command takes (append the command's own). */
#define GLOBAL_SHORT_OPTIONS "hqv"

/* The text of the global options for help pages, with a line on the exit
 * codes (global_options_help) or without (global_options_only). */
extern const char global_options_help[];
extern const char global_options_only[];

/* Handles a global option returned by getopt_long. Returns 1 when it was
 * one, 0 when it is not global, -1 when its value is bad (message
 * printed). 'h' is not handled here: each command prints its own help. */
int args_global(int c, const char *arg);

/* getopt_long for a command (cmd names it in messages), with the global
 * options handled on the way so that each command sees only its own.
 * Returns the next option of the command ('h' included), -1 after the
 * last, or '?' when the command line is wrong (the message is printed:
 * end with EXIT_USAGE). */
int args_next(int argc, char **argv, const char *shortopts, const struct option *opts,
              const char *cmd);

/* The same for a command without options of its own. Returns ARGS_GO_ON,
 * or the exit code to end with: EXIT_OK after the help, EXIT_USAGE after
 * a bad option. */
#define ARGS_GO_ON (-1)
int args_only_global(int argc, char **argv, const char *cmd, const char *help);

/* Prints a command's help and the global options to f. Returns EXIT_OK
 * for stdout (asked for) and EXIT_USAGE otherwise (a wrong command line). */
int args_help(FILE *f, const char *help);

/* Prints "error: <message>" and a pointer to `fibertrack CMD --help`;
 * returns EXIT_USAGE. */
int args_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The message for an unknown option (with the closest known ones of opts,
 * "did you mean --segment?") or a missing value after getopt_long returned
 * '?' or ':'; returns EXIT_USAGE. */
int args_bad_option(const char *cmd, char **argv, const struct option *opts);

/* "error: unknown <what> '<word>'" with the closest of words (a
 * NULL-terminated list) as "did you mean" and the list of all; returns
 * EXIT_USAGE. */
int args_unknown_word(const char *cmd, const char *what, const char *word,
                      const char *const *words);

/* The edit distance of a and b ignoring case, a swap of two neighbours
 * counting as one edit (optimal string alignment). */
size_t args_distance(const char *a, const char *b);

/* Whether a word at distance d from one of length len is a likely typo. */
int args_close(size_t len, size_t d);

/* Strict parsers; each returns 0, or -1 when s is not valid. */
int args_id(const char *s, long long *out);                /* 1 .. 2^53 */
int args_long(const char *s, long lo, long hi, long *out); /* lo .. hi */
int args_length(const char *s, double *out);               /* metres: 0 .. 1e6, two decimals */

/* A real date as YYYY-MM-DD or as Germans write it, DD.MM.YYYY (also
 * D.M.YYYY); iso (size >= 11, may be NULL) gets it as YYYY-MM-DD. */
int args_date(const char *s, char *iso);

/* Today as YYYY-MM-DD into buf (size >= 11): the local date, or the UTC
 * date when that is earlier (the server refuses report dates after its
 * today in UTC). */
void args_today(char *buf);

#endif
