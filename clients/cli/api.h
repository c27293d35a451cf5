/* api.h — the fibertrack API as the commands use it: the server and token
 * in effect, URLs under /api/v1, JSON answers, lists followed across
 * pages, and failures turned into messages and exit codes.
 */
#ifndef FT_CLI_API_H
#define FT_CLI_API_H

#include <cJSON.h>
#include <stddef.h>

#include "config.h"
#include "http.h"

struct api {
    char server[1024];   /* base URL, without /api/v1 */
    struct ft_token tok; /* valid when logged_in */
    int logged_in;       /* a token issued by this very server */
};

/* Resolves the server and loads the token. With need_auth and no token for
 * this server, prints how to log in and returns EXIT_AUTH. Returns an exit
 * code (EXIT_OK when ready). */
int api_open(struct api *a, int need_auth);

/* api_open with a login, then api_project: how the commands that work on
 * one project start. Returns an exit code. */
int api_open_project(struct api *a, long long *pid);

/* server + "/api/v1" + the formatted path into out. Returns 0, or -1 when
 * it does not fit. */
int api_url(const struct api *a, char *out, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Prepares req for method on the absolute url, with the token when logged
 * in and body (len bytes) when not NULL; every other field is zero, for
 * the caller to set. */
void api_request(const struct api *a, struct http_request *req, const char *method, const char *url,
                 const char *body, size_t len);

/* Sends a request to path (under /api/v1) with the token. body may be NULL.
 * Returns EXIT_OK for a 2xx answer; otherwise explains the failure (see
 * output.h) and returns its exit code. The caller frees res. */
int api_do(struct api *a, const char *method, const char *path, const char *body,
           struct http_response *res, const char *what);

/* Explains why http_send got no answer (res->error) and returns its exit
 * code: EXIT_OTHER for a failure on our side, EXIT_NETWORK otherwise. */
int api_no_answer(const struct api *a, const struct http_response *res, const char *what);

/* GET path and parse the answer: *out is the JSON (caller frees with
 * cJSON_Delete). Returns an exit code; *out is NULL unless EXIT_OK. etag,
 * when not NULL, gets the ETag header (size 64). */
int api_get_json(struct api *a, const char *path, cJSON **out, char *etag, const char *what);

/* GET a list at path (which may carry a query) and follow next_cursor until
 * max items (0: all) are read. *items is a JSON array (caller frees).
 * Returns an exit code. */
int api_list(struct api *a, const char *path, long max, cJSON **items, const char *what);

/* The same without a word on the terminal and without asking the user
 * anything: EXIT_NETWORK when no answer came (retries as g_cli says), the
 * exit code of the status otherwise. For lookups that have a fallback. */
int api_list_quiet(struct api *a, const char *path, long max, cJSON **items);

/* The project to work on: --project / FIBERTRACK_PROJECT (an id or a
 * project code, also offline from the code cache), else the only project
 * the user can see. Writes the id to
 * *id. Returns an exit code (EXIT_USAGE when it is not clear which). */
int api_project(struct api *a, long long *id);

/* Parses a JSON answer body; prints a message and returns NULL when it is
 * not JSON. The caller frees. */
cJSON *api_parse(const struct http_response *res, const char *what);

#endif
