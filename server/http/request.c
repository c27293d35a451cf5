/* request.c — accessors of the request context. */
#include "http/request.h"

#include <string.h>

#include "util/pool.h"

const char *req_query(const struct req *r, const char *key)
{
    for (size_t i = 0; i < r->nquery; i++)
        if (strcmp(r->query[i].key, key) == 0)
            return r->query[i].value;
    return NULL;
}

const char *req_param(const struct req *r, int i)
{
    return i < r->match.nparams ? r->match.params[i] : NULL;
}

void req_add_header(struct req *r, const char *key, const char *value)
{
    if (r->nresp_headers >= REQ_MAX_HEADERS)
        return;
    r->resp_headers[r->nresp_headers].key = pool_strdup(r->pool, key);
    r->resp_headers[r->nresp_headers].value = pool_strdup(r->pool, value);
    r->nresp_headers++;
}

static const struct {
    unsigned bit;
    const char *name;
} roles[] = {
    {ROLE_ADMIN, "admin"},
    {ROLE_MANAGER, "manager"},
    {ROLE_FINANCE, "finance"},
    {ROLE_CONTRACTOR, "contractor"},
};

const char *role_name(unsigned role)
{
    for (size_t i = 0; i < 4; i++)
        if (roles[i].bit == role)
            return roles[i].name;
    return "none";
}

unsigned role_parse(const char *name)
{
    for (size_t i = 0; i < 4; i++)
        if (strcmp(roles[i].name, name) == 0)
            return roles[i].bit;
    return 0;
}
