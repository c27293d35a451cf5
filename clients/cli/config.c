/* config.c — the configuration directory, config.json and token.json. */
#include "config.h"

#include <cJSON.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "fsutil.h"
#include "output.h"

#define CONFIG_FILE "config.json"
#define TOKEN_FILE "token.json"
#define MAX_FILE (256 * 1024)

int config_dir(char *out, size_t n)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    struct passwd pwbuf, *pw = NULL;
    char strings[1024];
    int k;
    /* The XDG base directory spec: a relative XDG_CONFIG_HOME is invalid
     * and is ignored. */
    if (xdg && xdg[0] == '/') {
        k = snprintf(out, n, "%s/fibertrack", xdg);
    } else {
        const char *home = getenv("HOME");
        if (!home || !*home) {
            /* pw_dir points into strings, which lives to the end. */
            if (getpwuid_r(getuid(), &pwbuf, strings, sizeof(strings), &pw) != 0)
                pw = NULL;
            home = pw ? pw->pw_dir : NULL;
        }
        if (!home || !*home)
            return -1;
        k = snprintf(out, n, "%s/.config/fibertrack", home);
    }
    return (k < 0 || (size_t)k >= n) ? -1 : 0;
}

int config_dir_ensure(char *out, size_t n)
{
    if (config_dir(out, n) != 0) {
        out_error("cannot tell where to keep the configuration: set HOME or XDG_CONFIG_HOME");
        return -1;
    }
    if (fs_mkdirs(out, 0700) != 0) {
        out_error("cannot create %s: %s", out, strerror(errno));
        return -1;
    }
    return 0;
}

static void copy_str(char *dst, size_t n, const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    dst[0] = '\0';
    if (cJSON_IsString(v) && v->valuestring && strlen(v->valuestring) < n)
        memcpy(dst, v->valuestring, strlen(v->valuestring) + 1);
}

/* Reads dir/name as a JSON object. Returns 1 with *out set (caller frees),
 * 0 when the file does not exist, -1 with a message printed. */
static int load_json(const char *name, cJSON **out)
{
    char dir[4096], path[4096];
    *out = NULL;
    if (config_dir(dir, sizeof(dir)) != 0 || fs_join(path, sizeof(path), dir, name) != 0)
        return 0;
    size_t len;
    char *text = fs_read_file(path, MAX_FILE, &len);
    if (!text) {
        if (errno == ENOENT)
            return 0;
        out_error("cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    cJSON *json = cJSON_ParseWithLength(text, len);
    free(text);
    if (!cJSON_IsObject(json)) {
        cJSON_Delete(json);
        out_error("%s is damaged; remove it (and log in again)", path);
        return -1;
    }
    *out = json;
    return 1;
}

static int save_json(const char *name, cJSON *json)
{
    char dir[4096];
    if (config_dir_ensure(dir, sizeof(dir)) != 0)
        return -1;
    char *text = cJSON_Print(json);
    if (!text) {
        out_error("out of memory");
        return -1;
    }
    size_t len = strlen(text);
    /* A final newline, for people who look at the file. */
    char *nl = realloc(text, len + 2);
    if (!nl) {
        free(text);
        out_error("out of memory");
        return -1;
    }
    text = nl;
    text[len++] = '\n';
    text[len] = '\0';
    int rc = fs_write_atomic(dir, name, text, len, 0600);
    int saved = errno;
    free(text);
    if (rc != 0) {
        out_error("cannot write %s/%s: %s", dir, name, strerror(saved));
        return -1;
    }
    return 0;
}

int config_load(struct ft_config *c)
{
    memset(c, 0, sizeof(*c));
    cJSON *json;
    int rc = load_json(CONFIG_FILE, &json);
    if (rc <= 0)
        return rc;
    copy_str(c->server, sizeof(c->server), json, "server");
    copy_str(c->email, sizeof(c->email), json, "email");
    cJSON_Delete(json);
    return 0;
}

int config_save(const struct ft_config *c)
{
    cJSON *json = cJSON_CreateObject();
    if (c->server[0])
        cJSON_AddStringToObject(json, "server", c->server);
    if (c->email[0])
        cJSON_AddStringToObject(json, "email", c->email);
    int rc = save_json(CONFIG_FILE, json);
    cJSON_Delete(json);
    return rc;
}

int token_load(struct ft_token *t)
{
    memset(t, 0, sizeof(*t));
    char dir[4096], path[4096];
    if (config_dir(dir, sizeof(dir)) == 0 && fs_join(path, sizeof(path), dir, TOKEN_FILE) == 0) {
        struct stat st;
        if (stat(path, &st) == 0 && (st.st_mode & 077))
            out_warn("%s can be read by other users; run: chmod 600 %s", path, path);
    }
    cJSON *json;
    int rc = load_json(TOKEN_FILE, &json);
    if (rc <= 0)
        return rc;
    copy_str(t->token, sizeof(t->token), json, "token");
    copy_str(t->server, sizeof(t->server), json, "server");
    copy_str(t->email, sizeof(t->email), json, "email");
    copy_str(t->name, sizeof(t->name), json, "name");
    copy_str(t->role, sizeof(t->role), json, "role");
    copy_str(t->expires_at, sizeof(t->expires_at), json, "expires_at");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(json, "user_id");
    t->user_id = cJSON_IsNumber(id) && id->valuedouble >= 0 && id->valuedouble < 9e15
                     ? (long long)id->valuedouble
                     : 0;
    cJSON_Delete(json);
    return t->token[0] ? 1 : 0;
}

int token_save(const struct ft_token *t)
{
    cJSON *json = cJSON_CreateObject();
    cJSON_AddStringToObject(json, "server", t->server);
    cJSON_AddStringToObject(json, "token", t->token);
    cJSON_AddStringToObject(json, "email", t->email);
    cJSON_AddStringToObject(json, "name", t->name);
    cJSON_AddStringToObject(json, "role", t->role);
    cJSON_AddNumberToObject(json, "user_id", (double)t->user_id);
    cJSON_AddStringToObject(json, "expires_at", t->expires_at);
    int rc = save_json(TOKEN_FILE, json);
    cJSON_Delete(json);
    return rc;
}

int token_remove(void)
{
    char dir[4096];
    if (config_dir(dir, sizeof(dir)) != 0)
        return 0;
    if (fs_remove(dir, TOKEN_FILE) != 0 && errno != ENOENT) {
        out_error("cannot remove %s/%s: %s", dir, TOKEN_FILE, strerror(errno));
        return -1;
    }
    return 0;
}

static int is_local_host(const char *s)
{
    return strncmp(s, "localhost", 9) == 0 || strncmp(s, "127.", 4) == 0 ||
           strncmp(s, "[::1]", 5) == 0;
}

int server_normalise(const char *in, char *out, size_t n)
{
    while (*in == ' ' || *in == '\t')
        in++;
    if (!*in)
        return -1;
    const char *scheme = "";
    if (!strstr(in, "://"))
        scheme = is_local_host(in) ? "http://" : "https://";
    int k = snprintf(out, n, "%s%s", scheme, in);
    if (k < 0 || (size_t)k >= n)
        return -1;
    size_t len = (size_t)k;
    while (len > 0 && (out[len - 1] == '/' || out[len - 1] == ' ' || out[len - 1] == '\n'))
        out[--len] = '\0';
    if (len >= 7 && strcmp(out + len - 7, "/api/v1") == 0) {
        len -= 7;
        out[len] = '\0';
        while (len > 0 && out[len - 1] == '/')
            out[--len] = '\0';
    }
    return strstr(out, "://")[3] ? 0 : -1;
}

int server_effective(char *out, size_t n)
{
    if (g_cli.server) {
        if (server_normalise(g_cli.server, out, n) != 0) {
            out_error("'%s' is not a server address (example: https://fibertrack.example.org)",
                      g_cli.server);
            return -1;
        }
        return 0;
    }
    struct ft_config c;
    if (config_load(&c) == 0 && c.server[0] && server_normalise(c.server, out, n) == 0)
        return 0;
    return server_normalise(FT_DEFAULT_SERVER, out, n);
}
