/* api.c — requests under /api/v1 with the stored token (see api.h). */
#include "api.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "codes.h"
#include "output.h"

int api_open(struct api *a, int need_auth)
{
    memset(a, 0, sizeof(*a));
    if (server_effective(a->server, sizeof(a->server)) != 0)
        return EXIT_USAGE;
    struct ft_token t;
    int rc = token_load(&t);
    if (rc < 0)
        return EXIT_OTHER;
    if (rc == 1) {
        char issued[1024];
        if (server_normalise(t.server, issued, sizeof(issued)) == 0 &&
            strcmp(issued, a->server) == 0) {
            a->tok = t;
            a->logged_in = 1;
        } else if (need_auth) {
            out_error("you are logged in to %s, not to %s", t.server, a->server);
            fprintf(stderr, "  Log in there with: fibertrack login --server %s\n", a->server);
            return EXIT_AUTH;
        }
    }
    if (need_auth && !a->logged_in) {
        out_error("not logged in to %s", a->server);
        fprintf(stderr, "  Log in with: fibertrack login%s%s\n", g_cli.server ? " --server " : "",
                g_cli.server ? a->server : "");
        return EXIT_AUTH;
    }
    return EXIT_OK;
}

int api_open_project(struct api *a, long long *pid)
{
    int rc = api_open(a, 1);
    return rc == EXIT_OK ? api_project(a, pid) : rc;
}

int api_url(const struct api *a, char *out, size_t n, const char *fmt, ...)
{
    int k = snprintf(out, n, "%s/api/v1", a->server);
    if (k < 0 || (size_t)k >= n)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(out + k, n - (size_t)k, fmt, ap);
    va_end(ap);
    return (m < 0 || (size_t)m >= n - (size_t)k) ? -1 : 0;
}

void api_request(const struct api *a, struct http_request *req, const char *method, const char *url,
                 const char *body, size_t len)
{
    memset(req, 0, sizeof(*req));
    req->method = method;
    req->url = url;
    req->token = a->logged_in ? a->tok.token : NULL;
    req->body = body;
    req->body_len = len;
}

int api_do(struct api *a, const char *method, const char *path, const char *body,
           struct http_response *res, const char *what)
{
    char url[4096];
    if (api_url(a, url, sizeof(url), "%s", path) != 0) {
        memset(res, 0, sizeof(*res));
        out_error("%s: the address is too long", what);
        return EXIT_USAGE;
    }
    struct http_request req;
    api_request(a, &req, method, url, body, body ? strlen(body) : 0);
    if (http_send(&req, res) != 0)
        return api_no_answer(a, res, what);
    if (res->status >= 200 && res->status < 300)
        return EXIT_OK;
    return out_problem(res->status, res->body, res->len, what);
}

int api_no_answer(const struct api *a, const struct http_response *res, const char *what)
{
    if (!res->local_error)
        return out_network_error(a->server, res->error, what);
    out_error("%s: %s", what, res->error);
    return EXIT_OTHER;
}

cJSON *api_parse(const struct http_response *res, const char *what)
{
    cJSON *json = res->body ? cJSON_ParseWithLength(res->body, res->len) : NULL;
    if (!json)
        out_error("%s: the server's answer is not JSON", what);
    return json;
}

int api_get_json(struct api *a, const char *path, cJSON **out, char *etag, const char *what)
{
    struct http_response res;
    *out = NULL;
    int rc = api_do(a, "GET", path, NULL, &res, what);
    if (rc == EXIT_OK) {
        *out = api_parse(&res, what);
        if (!*out)
            rc = EXIT_OTHER;
        if (etag)
            snprintf(etag, 64, "%.63s", res.etag);
    }
    http_response_free(&res);
    return rc;
}

/* One page of a list: api_get_json, or when quiet the same without a word
 * on the terminal (see api_list_quiet). */
static int get_page(struct api *a, const char *path, cJSON **out, int quiet, const char *what)
{
    if (!quiet)
        return api_get_json(a, path, out, NULL, what);
    *out = NULL;
    char url[4096];
    if (api_url(a, url, sizeof(url), "%s", path) != 0)
        return EXIT_USAGE;
    struct http_request req;
    struct http_response res;
    api_request(a, &req, "GET", url, NULL, 0);
    int rc;
    if (http_send(&req, &res) != 0)
        rc = res.local_error ? EXIT_OTHER : EXIT_NETWORK;
    else if (res.status < 200 || res.status >= 300)
        rc = exit_for_status(res.status);
    else
        rc = (*out = cJSON_ParseWithLength(res.body, res.len)) ? EXIT_OK : EXIT_OTHER;
    http_response_free(&res);
    return rc;
}

static int list_pages(struct api *a, const char *path, long max, cJSON **items, int quiet,
                      const char *what)
{
    *items = cJSON_CreateArray();
    char cursor[512] = "";
    long got = 0;
    const char *sep = strchr(path, '?') ? "&" : "?";
    for (;;) {
        long page = max > 0 && max - got < 1000 ? max - got : 1000;
        char p[4096], esc[1024];
        if (url_escape(cursor, esc, sizeof(esc)) != 0)
            esc[0] = '\0';
        int k = snprintf(p, sizeof(p), "%s%slimit=%ld%s%s", path, sep, page,
                         cursor[0] ? "&cursor=" : "", cursor[0] ? esc : "");
        if (k < 0 || (size_t)k >= sizeof(p)) {
            if (!quiet)
                out_error("%s: the address is too long", what);
            cJSON_Delete(*items);
            *items = NULL;
            return EXIT_USAGE;
        }
        cJSON *json;
        int rc = get_page(a, p, &json, quiet, what);
        if (rc != EXIT_OK) {
            cJSON_Delete(*items);
            *items = NULL;
            return rc;
        }
        cJSON *list = cJSON_GetObjectItemCaseSensitive(json, "items");
        if (!cJSON_IsArray(list)) {
            cJSON_Delete(json);
            cJSON_Delete(*items);
            *items = NULL;
            if (!quiet)
                out_error("%s: the server's answer has no items", what);
            return EXIT_OTHER;
        }
        cJSON *it;
        for (;;) {
            it = cJSON_DetachItemFromArray(list, 0);
            if (!it)
                break;
            cJSON_AddItemToArray(*items, it);
            got++;
        }
        const cJSON *next = cJSON_GetObjectItemCaseSensitive(json, "next_cursor");
        int more = cJSON_IsString(next) && next->valuestring[0] &&
                   strlen(next->valuestring) < sizeof(cursor) && (max <= 0 || got < max);
        if (more)
            snprintf(cursor, sizeof(cursor), "%s", next->valuestring);
        cJSON_Delete(json);
        if (!more)
            return EXIT_OK;
    }
}

int api_list(struct api *a, const char *path, long max, cJSON **items, const char *what)
{
    return list_pages(a, path, max, items, 0, what);
}

int api_list_quiet(struct api *a, const char *path, long max, cJSON **items)
{
    return list_pages(a, path, max, items, 1, "");
}

int api_project(struct api *a, long long *id)
{
    const char *want = g_cli.project;
    if (want)
        return codes_resolve(a, CODE_PROJECT, want, 0, "--project", 0, id);
    cJSON *items;
    int rc = api_list(a, "/projects", 0, &items, "reading the projects");
    if (rc != EXIT_OK)
        return rc;
    codes_learn(a, CODE_PROJECT, items, 1);
    int n = cJSON_GetArraySize(items);
    *id = 0;
    if (n == 1) {
        const cJSON *pid = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(items, 0), "id");
        *id = cJSON_IsNumber(pid) ? (long long)pid->valuedouble : 0;
    }
    cJSON_Delete(items);
    if (*id > 0)
        return EXIT_OK;
    if (n == 0)
        out_error("your account sees no project");
    else
        out_error("you see %d projects: choose one with --project CODE (see: fibertrack projects)",
                  n);
    return EXIT_USAGE;
}
