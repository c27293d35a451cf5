/* reply.c — JSON and problem+json responses. */
#include "http/reply.h"

#include <cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain/validate.h"
#include "util/pool.h"

const char *status_title(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 206:
        return "Partial Content";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 412:
        return "Precondition Failed";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 415:
        return "Unsupported Media Type";
    case 416:
        return "Range Not Satisfiable";
    case 417:
        return "Expectation Failed";
    case 422:
        return "Unprocessable Content";
    case 428:
        return "Precondition Required";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Error";
    }
}

int reply_unknown_query(struct req *r, const char *const *allowed, const char *usage)
{
    for (size_t i = 0; i < r->nquery; i++) {
        const char *const *a = allowed;
        while (*a && strcmp(*a, r->query[i].key) != 0)
            a++;
        if (!*a)
            return reply_problem(r, 400, "unknown query parameter '%s'; this takes %s",
                                 r->query[i].key, usage);
    }
    return 0;
}

void reply_attachment(struct req *r, const char *filename)
{
    size_t n = strlen(filename);
    char *ascii = pool_alloc(r->pool, n + 1);
    char *encoded = pool_alloc(r->pool, 3 * n + 1);
    size_t e = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)filename[i];
        int plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_';
        ascii[i] = plain ? (char)c : '_';
        if (plain) {
            encoded[e++] = (char)c;
        } else {
            snprintf(encoded + e, 4, "%%%02X", c);
            e += 3;
        }
    }
    ascii[n] = '\0';
    encoded[e] = '\0';
    req_add_header(
        r, "Content-Disposition",
        pool_printf(r->pool, "attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii, encoded));
}

/* Forgets the file of a reply, removing it when it was a temporary one. */
static void drop_file(struct req *r)
{
    if (r->resp_file && !r->resp_file_keep)
        unlink(r->resp_file);
    r->resp_file = NULL;
    r->resp_file_keep = 0;
}

int reply_file(struct req *r, int status, const char *type, const char *path, int keep)
{
    drop_file(r);
    r->resp_file = path;
    r->resp_file_keep = keep;
    r->resp_file_off = 0;
    r->resp_file_len = -1;
    r->status = status;
    r->resp_type = type;
    r->resp_body = NULL;
    r->resp_len = 0;
    return status;
}

int reply_file_range(struct req *r, int status, const char *type, const char *path, long long off,
                     long long len)
{
    reply_file(r, status, type, path, 1);
    r->resp_file_off = off;
    r->resp_file_len = len;
    return status;
}

void reply_clear(struct req *r)
{
    drop_file(r);
    r->status = 0;
    r->resp_body = NULL;
    r->resp_len = 0;
    r->resp_type = NULL;
    r->nresp_headers = 0;
    r->retry = 0;
    r->rollback_only = 0;
    r->replay_body = NULL;
}

int reply_raw(struct req *r, int status, const char *type, const char *body, size_t len)
{
    r->status = status;
    r->resp_type = type;
    r->resp_body = body;
    r->resp_len = len;
    return status;
}

static void json_free(void *json) { cJSON_Delete(json); }

cJSON *pool_json(struct pool *pool, cJSON *json)
{
    if (json)
        pool_on_free(pool, json_free, json);
    return json;
}

cJSON *req_json(struct req *r, cJSON *json) { return pool_json(r->pool, json); }

int reply_json(struct req *r, int status, const cJSON *json)
{
    char *text = json ? cJSON_PrintUnformatted(json) : NULL;
    if (!text)
        return reply_problem(r, 500, "the response could not be encoded");
    pool_on_free(r->pool, free, text);
    return reply_raw(r, status, "application/json", text, strlen(text));
}

static int problem_typed(struct req *r, int status, const char *slug, const char *detail,
                         cJSON *errors)
{
    /* errors belongs to the request: the problem refers to it, so freeing
     * the problem leaves it alone. */
    cJSON *p = cJSON_CreateObject();
    char type[96];
    if (slug)
        snprintf(type, sizeof(type), "https://fibertrack.invalid/problems/%s", slug);
    else if (status == 422)
        snprintf(type, sizeof(type), "https://fibertrack.invalid/problems/validation");
    else
        snprintf(type, sizeof(type), "https://fibertrack.invalid/problems/%d", status);
    cJSON_AddStringToObject(p, "type", type);
    cJSON_AddStringToObject(p, "title", status_title(status));
    cJSON_AddNumberToObject(p, "status", status);
    /* A detail may quote the request (a path, a parameter): invalid UTF-8
     * from there would make the answer invalid JSON. */
    char clean[1024];
    if (!valid_utf8(detail, strlen(detail))) {
        snprintf(clean, sizeof(clean), "%s", detail);
        for (char *c = clean; *c; c++)
            if ((unsigned char)*c >= 0x80)
                *c = '?';
        detail = clean;
    }
    cJSON_AddStringToObject(p, "detail", detail);
    cJSON_AddStringToObject(p, "request_id", r->request_id);
    if (errors)
        cJSON_AddItemReferenceToObject(p, "errors", errors);
    char *text = cJSON_PrintUnformatted(p);
    cJSON_Delete(p);
    if (!text)
        abort();
    pool_on_free(r->pool, free, text);
    r->nresp_headers = 0;
    drop_file(r);
    if (status == 503)
        req_add_header(r, "Retry-After", "2");
    if (status == 401)
        req_add_header(r, "WWW-Authenticate", "Bearer realm=\"fibertrack\"");
    return reply_raw(r, status, "application/problem+json", text, strlen(text));
}

static int problem(struct req *r, int status, const char *detail, cJSON *errors)
{
    return problem_typed(r, status, NULL, detail, errors);
}

int reply_problem_typed(struct req *r, int status, const char *slug, const char *fmt, ...)
{
    char detail[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    return problem_typed(r, status, slug, detail, NULL);
}

int reply_problem(struct req *r, int status, const char *fmt, ...)
{
    char detail[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    return problem(r, status, detail, NULL);
}

int reply_invalid(struct req *r, cJSON *errors)
{
    int n = cJSON_GetArraySize(errors);
    char detail[128];
    snprintf(detail, sizeof(detail), "%d field%s of the request %s invalid", n, n == 1 ? "" : "s",
             n == 1 ? "is" : "are");
    return problem(r, 422, detail, errors);
}

int reply_invalid_detail(struct req *r, const char *detail, cJSON *errors)
{
    return problem(r, 422, detail, errors);
}

int reply_invalid_field(struct req *r, const char *field, const char *detail)
{
    cJSON *errors = req_json(r, cJSON_CreateArray());
    validation_error(errors, field, detail);
    return problem(r, 422, detail, errors);
}
