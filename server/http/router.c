/* router.c — route table matching. */
#include "http/router.h"

#include <stdio.h>
#include <string.h>

static const struct {
    unsigned bit;
    const char *name;
} methods[] = {
    {HTTP_GET, "GET"}, {HTTP_POST, "POST"}, {HTTP_PATCH, "PATCH"},     {HTTP_DELETE, "DELETE"},
    {HTTP_PUT, "PUT"}, {HTTP_HEAD, "HEAD"}, {HTTP_OPTIONS, "OPTIONS"},
};

unsigned http_method_parse(const char *name)
{
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (strcmp(methods[i].name, name) == 0)
            return methods[i].bit;
    return 0;
}

const char *http_method_name(unsigned method)
{
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (methods[i].bit == method)
            return methods[i].name;
    return "?";
}

void http_methods_format(unsigned mask, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        if (!(mask & methods[i].bit))
            continue;
        int n = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", methods[i].name);
        if (n < 0 || (size_t)n >= size - used)
            return;
        used += (size_t)n;
    }
}

/* Matches one pattern against a path, filling params; returns 1 on match. */
static int pattern_match(const char *pat, const char *path, struct route_match *m)
{
    int np = 0;
    while (*pat && *path) {
        if (*pat == ':') {
            while (*pat && *pat != '/')
                pat++;
            const char *end = strchr(path, '/');
            size_t len = end ? (size_t)(end - path) : strlen(path);
            if (len == 0 || len >= ROUTE_PARAM_MAX || np >= ROUTE_MAX_PARAMS)
                return 0;
            memcpy(m->params[np], path, len);
            m->params[np][len] = '\0';
            np++;
            path += len;
            continue;
        }
        if (*pat != *path)
            return 0;
        pat++;
        path++;
    }
    if (*pat || *path)
        return 0;
    m->nparams = np;
    return 1;
}

int router_match(const struct route *routes, size_t n, unsigned method, const char *path,
                 struct route_match *m)
{
    struct route_match tmp;
    memset(m, 0, sizeof(*m));
    unsigned want = method == HTTP_HEAD ? HTTP_GET : method;
    for (size_t i = 0; i < n; i++) {
        memset(&tmp, 0, sizeof(tmp));
        if (!pattern_match(routes[i].pattern, path, &tmp))
            continue;
        m->allowed |= routes[i].method;
        if (routes[i].method == want && !m->route) {
            unsigned allowed = m->allowed;
            *m = tmp;
            m->allowed = allowed;
            m->route = &routes[i];
            m->index = i;
        }
    }
    if (m->allowed & HTTP_GET)
        m->allowed |= HTTP_HEAD;
    if (m->route)
        return 200;
    return m->allowed ? 405 : 404;
}
