/* config.h — where the CLI keeps its settings and its login.
 *
 * Directory: $XDG_CONFIG_HOME/fibertrack, else $HOME/.config/fibertrack
 * (created with mode 0700). In it:
 *   config.json  the remembered server URL and the last login e-mail (0600)
 *   token.json   the API token, the server that issued it, who it belongs to (0600)
 *   queue/       progress reports not yet acknowledged by the server (queue.h)
 * Both files are written atomically (fsutil.h).
 */
#ifndef FT_CLI_CONFIG_H
#define FT_CLI_CONFIG_H

#include <stddef.h>

#define FT_DEFAULT_SERVER "http://127.0.0.1:8080"

struct ft_config {
    char server[1024]; /* "" when none was remembered */
    char email[256];   /* the last e-mail used to log in, "" when none */
};

struct ft_token {
    char token[512];
    char server[1024]; /* the server that issued the token; it is sent nowhere else */
    char email[256];
    char name[256];
    char role[32];
    long long user_id;
    char expires_at[64];
};

/* The configuration directory (not created). Returns 0, or -1 when neither
 * XDG_CONFIG_HOME nor HOME tells where it is. */
int config_dir(char *out, size_t n);

/* The same, created (mode 0700) when missing. Returns 0, or -1 with a
 * message printed. */
int config_dir_ensure(char *out, size_t n);

/* Loads config.json; a missing file gives an empty config. Returns 0, or -1
 * with a message printed when the file exists but cannot be read. */
int config_load(struct ft_config *c);

/* Saves config.json. Returns 0, or -1 with a message printed. */
int config_save(const struct ft_config *c);

/* Loads token.json. Returns 1 when there is a token, 0 when there is none,
 * -1 with a message printed when it cannot be read. */
int token_load(struct ft_token *t);

/* Saves token.json with mode 0600. Returns 0, or -1 with a message printed. */
int token_save(const struct ft_token *t);

/* Removes token.json. Returns 0, or -1 with a message printed. */
int token_remove(void);

/* Normalises a server address as people type it into out: strips trailing
 * slashes and a trailing /api/v1, and adds http:// (local addresses) or
 * https:// when no scheme is given. Returns 0, or -1 when it is empty or
 * too long. */
int server_normalise(const char *in, char *out, size_t n);

/* The server to talk to: --server or FIBERTRACK_SERVER, else the one
 * remembered at login, else FT_DEFAULT_SERVER. Returns 0, or -1 (with a
 * message) when the given address is unusable. */
int server_effective(char *out, size_t n);

#endif
