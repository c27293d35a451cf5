/* cmd_auth.c — `login`, `logout`, `whoami`: the session with the server. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "api.h"
#include "args.h"
#include "codes.h"
#include "config.h"
#include "output.h"
#include "queue.h"

static const char login_help[] =
    "Usage: fibertrack login [--server URL] [--email EMAIL] [--password-stdin]\n"
    "\n"
    "Logs in and keeps the token in ~/.config/fibertrack/token.json (mode 0600;\n"
    "$XDG_CONFIG_HOME/fibertrack when set). The server is remembered for the next\n"
    "commands; give it once with --server (or FIBERTRACK_SERVER).\n"
    "\n"
    "  --email EMAIL      the login e-mail (asked for on a terminal; default: the last one)\n"
    "  --password-stdin   read the password from the first line of stdin\n"
    "\n"
    "On a terminal the password is asked for without echo; when stdin is not a\n"
    "terminal, its first line is the password (for scripts). After the login the\n"
    "codes of your projects, lots and segments are read into the local code cache,\n"
    "so that they work offline too.\n"
    "\n"
    "EXAMPLES\n"
    "  fibertrack login --server https://fibertrack.example.org\n"
    "  fibertrack login --server localhost:8080 --email manager@musterstadt.example\n"
    "  pass show fibertrack | fibertrack login --email me@example.org --password-stdin\n"
    "\n";

/* Reads one line from f into buf without the newline. Returns 0, or -1 at
 * end of input. */
static int read_line(FILE *f, char *buf, size_t n)
{
    if (!fgets(buf, (int)n, f))
        return -1;
    size_t len = strlen(buf);
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
        buf[--len] = '\0';
    return 0;
}

/* The terminal settings to restore when Ctrl-C ends a password prompt. */
static struct termios tty_saved;
static volatile sig_atomic_t tty_saved_fd = -1;

static void restore_tty(int sig)
{
    if (tty_saved_fd >= 0)
        tcsetattr(tty_saved_fd, TCSANOW, &tty_saved);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Asks on the terminal; echo off for secrets (switched off before the
 * prompt appears, so that nothing typed early is shown). Returns 0, or -1. */
static int ask_tty(const char *prompt, char *buf, size_t n, int secret)
{
    FILE *tty = fopen("/dev/tty", "r+");
    if (!tty)
        return -1;
    struct termios old, quiet;
    int fd = fileno(tty), restore = 0;
    if (secret && tcgetattr(fd, &old) == 0) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        quiet.c_lflag |= ECHONL;
        tty_saved = old;
        tty_saved_fd = fd;
        signal(SIGINT, restore_tty);
        signal(SIGTERM, restore_tty);
        signal(SIGHUP, restore_tty);
        restore = tcsetattr(fd, TCSADRAIN, &quiet) == 0;
    }
    fputs(prompt, tty);
    fflush(tty);
    int rc = read_line(tty, buf, n);
    if (restore)
        tcsetattr(fd, TCSADRAIN, &old);
    if (secret) {
        tty_saved_fd = -1;
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
    }
    fclose(tty);
    return rc;
}

static const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

int cmd_login(int argc, char **argv)
{
    enum { O_EMAIL = OPT_FIRST_COMMAND, O_PWSTDIN };
    static const struct option opts[] = {GLOBAL_LONG_OPTIONS,
                                         {"email", required_argument, NULL, O_EMAIL},
                                         {"password-stdin", no_argument, NULL, O_PWSTDIN},
                                         {NULL, 0, NULL, 0}};
    const char *email_opt = NULL;
    int pw_stdin = 0, c;
    while ((c = args_next(argc, argv, GLOBAL_SHORT_OPTIONS, opts, "login")) != -1) {
        switch (c) {
        case 'h':
            return args_help(stdout, login_help);
        case O_EMAIL:
            email_opt = optarg;
            break;
        case O_PWSTDIN:
            pw_stdin = 1;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (optind < argc)
        return args_usage("login", "unexpected argument '%s'", argv[optind]);

    struct api a;
    int rc = api_open(&a, 0);
    if (rc != EXIT_OK)
        return rc;
    struct ft_config cfg;
    if (config_load(&cfg) != 0)
        memset(&cfg, 0, sizeof(cfg));

    int interactive = isatty(STDIN_FILENO) && !pw_stdin;
    char email[256], password[1024];
    if (email_opt) {
        snprintf(email, sizeof(email), "%s", email_opt);
    } else if (interactive) {
        char prompt[320];
        snprintf(prompt, sizeof(prompt), "E-mail%s%s%s: ", cfg.email[0] ? " [" : "", cfg.email,
                 cfg.email[0] ? "]" : "");
        if (ask_tty(prompt, email, sizeof(email), 0) != 0)
            return args_usage("login", "no e-mail given");
        if (!email[0])
            snprintf(email, sizeof(email), "%s", cfg.email);
    } else if (cfg.email[0]) {
        snprintf(email, sizeof(email), "%s", cfg.email);
    } else {
        return args_usage("login", "give --email when stdin is not a terminal");
    }
    if (!email[0] || !strchr(email, '@'))
        return args_usage("login", "'%s' is not an e-mail address", email);

    if (interactive) {
        char prompt[1400];
        snprintf(prompt, sizeof(prompt), "Password for %s at %s: ", email, a.server);
        if (ask_tty(prompt, password, sizeof(password), 1) != 0)
            return args_usage("login", "no password given");
    } else if (read_line(stdin, password, sizeof(password)) != 0) {
        return args_usage("login", "no password on stdin");
    }
    if (!password[0])
        return args_usage("login", "the password is empty");

    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "email", email);
    cJSON_AddStringToObject(b, "password", password);
    char *body = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    explicit_bzero(password, sizeof(password));
    if (!body) {
        out_error("out of memory");
        return EXIT_OTHER;
    }

    char url[2048];
    if (api_url(&a, url, sizeof(url), "/auth/login") != 0) {
        free(body);
        return args_usage("login", "the server address is too long");
    }
    struct http_request req = {0};
    req.method = "POST";
    req.url = url;
    req.body = body;
    req.body_len = strlen(body);
    req.no_retry_429 = 1;
    struct http_response res;
    int sent = http_send(&req, &res);
    explicit_bzero(body, strlen(body));
    free(body);
    if (sent != 0) {
        rc = api_no_answer(&a, &res, "logging in");
        http_response_free(&res);
        return rc;
    }
    if (res.status == 401) {
        out_error("logging in to %s: wrong e-mail or password", a.server);
        http_response_free(&res);
        return EXIT_AUTH;
    }
    if (res.status == 429) {
        out_problem(res.status, res.body, res.len, "logging in");
        fprintf(stderr, "  Too many failed logins: wait %s before trying again.\n",
                res.retry_after >= 0 ? "the time the server asks for" : "a minute");
        http_response_free(&res);
        return EXIT_AUTH;
    }
    if (res.status != 201 && res.status != 200) {
        rc = out_problem(res.status, res.body, res.len, "logging in");
        http_response_free(&res);
        return rc;
    }
    cJSON *j = api_parse(&res, "logging in");
    http_response_free(&res);
    if (!j)
        return EXIT_OTHER;
    const cJSON *user = cJSON_GetObjectItemCaseSensitive(j, "user");
    struct ft_token t = {0};
    snprintf(t.server, sizeof(t.server), "%s", a.server);
    snprintf(t.token, sizeof(t.token), "%s", jstr(j, "token"));
    snprintf(t.expires_at, sizeof(t.expires_at), "%s", jstr(j, "expires_at"));
    snprintf(t.email, sizeof(t.email), "%s", jstr(user, "email")[0] ? jstr(user, "email") : email);
    snprintf(t.name, sizeof(t.name), "%s", jstr(user, "name"));
    snprintf(t.role, sizeof(t.role), "%s", jstr(user, "role"));
    const cJSON *uid = cJSON_GetObjectItemCaseSensitive(user, "id");
    t.user_id = cJSON_IsNumber(uid) ? (long long)uid->valuedouble : 0;
    if (!t.token[0]) {
        cJSON_Delete(j);
        out_error("logging in: the server sent no token");
        return EXIT_OTHER;
    }
    snprintf(cfg.server, sizeof(cfg.server), "%s", a.server);
    snprintf(cfg.email, sizeof(cfg.email), "%s", t.email);
    if (token_save(&t) != 0 || config_save(&cfg) != 0) {
        cJSON_Delete(j);
        explicit_bzero(&t, sizeof(t));
        return EXIT_OTHER;
    }
    if (g_cli.json) {
        /* The token itself stays in the file. */
        cJSON_DeleteItemFromObjectCaseSensitive(j, "token");
        cJSON_AddStringToObject(j, "server", a.server);
        out_json(j);
    }
    out_say("Logged in to %s as %s <%s> (%s).", a.server, t.name, t.email, t.role);
    if (t.expires_at[0])
        out_say("The session lasts until %s.", t.expires_at);
    cJSON_Delete(j);
    /* Codes of projects, lots and segments for the next time without a
     * connection; the login stands whether or not this works. */
    a.tok = t;
    a.logged_in = 1;
    (void)codes_refresh(&a);
    explicit_bzero(&a.tok, sizeof(a.tok));
    explicit_bzero(&t, sizeof(t));
    return EXIT_OK;
}

static const char logout_help[] =
    "Usage: fibertrack logout\n\nRevokes the token on the server and deletes it "
    "from this computer.\nReports waiting in the queue stay; they are sent after "
    "the next login as the same user.\n\n"
    "EXAMPLES\n"
    "  fibertrack logout\n"
    "  fibertrack logout --server https://fibertrack.example.org\n\n";

int cmd_logout(int argc, char **argv)
{
    int rc = args_only_global(argc, argv, "logout", logout_help);
    if (rc != ARGS_GO_ON)
        return rc;
    struct api a;
    rc = api_open(&a, 0);
    if (rc != EXIT_OK)
        return rc;
    if (!a.logged_in) {
        out_say("Not logged in to %s.", a.server);
        return EXIT_OK;
    }
    struct http_response res;
    char url[2048];
    struct http_request req;
    if (api_url(&a, url, sizeof(url), "/auth/logout") == 0) {
        api_request(&a, &req, "POST", url, NULL, 0);
        if (http_send(&req, &res) != 0)
            out_warn("the server could not be told (%s); the token stays valid until %s", res.error,
                     a.tok.expires_at);
        http_response_free(&res);
    }
    if (token_remove() != 0)
        return EXIT_OTHER;
    out_say("Logged out of %s.", a.server);
    int n = queue_count(QUEUE_PENDING);
    if (n > 0)
        out_note("%d progress report%s still queued; log in again as %s to send them.", n,
                 n == 1 ? " is" : "s are", a.tok.email);
    return EXIT_OK;
}

static const char whoami_help[] =
    "Usage: fibertrack whoami\n\nShows the server and the user logged in "
    "(asks the server, so it also checks the session).\n\n"
    "EXAMPLES\n"
    "  fibertrack whoami\n"
    "  fibertrack whoami --json | jq -r .role\n\n";

int cmd_whoami(int argc, char **argv)
{
    int rc = args_only_global(argc, argv, "whoami", whoami_help);
    if (rc != ARGS_GO_ON)
        return rc;
    struct api a;
    rc = api_open(&a, 1);
    if (rc != EXIT_OK)
        return rc;
    cJSON *me;
    rc = api_get_json(&a, "/me", &me, NULL, "asking who you are");
    if (rc != EXIT_OK)
        return rc;
    if (g_cli.json) {
        cJSON_AddStringToObject(me, "server", a.server);
        out_json(me);
    } else {
        out_say("%s <%s>, %s, on %s", jstr(me, "name"), jstr(me, "email"), jstr(me, "role"),
                a.server);
        if (a.tok.expires_at[0])
            out_say("Session valid until %s.", a.tok.expires_at);
    }
    cJSON_Delete(me);
    return EXIT_OK;
}
