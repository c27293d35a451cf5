/* router.h — matching a method and path against the route table.
 *
 * Pure: no I/O, no libevent. Patterns are literal segments and ":name"
 * placeholders, e.g. "/api/v1/segments/:id". */
#ifndef FT_ROUTER_H
#define FT_ROUTER_H

#include <stddef.h>

enum http_method {
    HTTP_GET = 1 << 0,
    HTTP_POST = 1 << 1,
    HTTP_PATCH = 1 << 2,
    HTTP_DELETE = 1 << 3,
    HTTP_PUT = 1 << 4,
    HTTP_HEAD = 1 << 5,
    HTTP_OPTIONS = 1 << 6,
};

#define ROUTE_MAX_PARAMS 4
#define ROUTE_PARAM_MAX 64

struct req;
struct resource; /* what a CRUD route reads and writes (api/resource.h) */
struct shape;    /* what a request takes or an answer gives (api/openapi.h) */
typedef int (*route_handler)(struct req *r);

/* One route of the table. Everything the OpenAPI document says about a
 * route comes from here, so that the document cannot drift from the code. */
struct route {
    unsigned method;     /* one HTTP_* bit */
    const char *pattern; /* "/api/v1/segments/:id" */
    route_handler handler;
    unsigned roles;                  /* ROLE_* bits allowed; 0 = no authentication */
    unsigned flags;                  /* ROUTE_* bits */
    int status;                      /* the status of success */
    const char *also;                /* statuses the handler answers that the other
                                      * columns do not imply (api/openapi.c): "401 429" */
    size_t body_limit;               /* bytes a body may have; 0: the server's default */
    const struct resource *resource; /* whose objects the route reads or writes */
    const struct shape *takes;       /* query parameters and body; NULL: none */
    const struct shape *gives;       /* the body of success; NULL: none */
    const char *summary;             /* one line for the OpenAPI document */
    /* Work on the request's body that needs no database, run on a file
     * worker after the caller is authenticated and before the handler's
     * transaction (uploads: hashing, typing, storing a copy). Returns 0,
     * or the status it replied. NULL: none. */
    route_handler prepare;
};

struct route_match {
    const struct route *route;
    size_t index; /* position in the table, for metrics */
    int nparams;
    char params[ROUTE_MAX_PARAMS][ROUTE_PARAM_MAX];
    unsigned allowed; /* methods that match the path (for 405) */
};

/* Finds the route for method and path (path without query string).
 * Returns 200 when found, 405 when the path exists for other methods (see
 * m->allowed), 404 otherwise. HEAD matches GET routes. */
int router_match(const struct route *routes, size_t n, unsigned method, const char *path,
                 struct route_match *m);

/* Parses an HTTP method name; returns 0 for an unknown one. */
unsigned http_method_parse(const char *name);
const char *http_method_name(unsigned method);
/* Writes "GET, POST" for a method mask into buf. */
void http_methods_format(unsigned mask, char *buf, size_t size);

#endif
