/* router.c — fuzzes router_match over the real route table, as the server
 * runs it on every request line.
 *
 * Input: one byte that picks the method, then the path. The byte reads as
 * a digit: 0 GET, 1 POST, 2 PATCH, 3 DELETE, 4 PUT, 5 HEAD, 6 OPTIONS and
 * 7 a method the server does not know. */
#include "fuzz.h"

#include "api/routes.h"
#include "http/router.h"

/* Writes the pattern with its placeholders replaced by m's parameters:
 * what matched must be exactly the path. */
static void expand(const char *pat, const struct route_match *m, char *out, size_t size)
{
    size_t o = 0;
    int np = 0;
    while (*pat) {
        if (*pat == ':') {
            FUZZ_ASSERT(np < m->nparams);
            size_t len = strlen(m->params[np]);
            FUZZ_ASSERT(o + len < size);
            memcpy(out + o, m->params[np], len);
            o += len;
            np++;
            while (*pat && *pat != '/')
                pat++;
            continue;
        }
        FUZZ_ASSERT(o + 1 < size);
        out[o++] = *pat++;
    }
    FUZZ_ASSERT(np == m->nparams);
    out[o] = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned methods[] = {HTTP_GET, HTTP_POST, HTTP_PATCH,   HTTP_DELETE,
                                       HTTP_PUT, HTTP_HEAD, HTTP_OPTIONS, 0};
    if (size < 1)
        return 0;
    unsigned method = methods[data[0] % (sizeof(methods) / sizeof(methods[0]))];
    char *path = fuzz_cstring(data + 1, size - 1);
    struct route_match m;

    int st = router_match(api_routes, api_nroutes, method, path, &m);
    FUZZ_ASSERT(st == 200 || st == 404 || st == 405);
    FUZZ_ASSERT(m.nparams >= 0 && m.nparams <= ROUTE_MAX_PARAMS);
    if (st == 200) {
        unsigned want = method == HTTP_HEAD ? HTTP_GET : method;
        FUZZ_ASSERT(m.index < api_nroutes && m.route == &api_routes[m.index]);
        FUZZ_ASSERT(m.route->method == want);
        FUZZ_ASSERT(m.allowed & want);
        for (int i = 0; i < m.nparams; i++) {
            size_t len = strnlen(m.params[i], ROUTE_PARAM_MAX);
            FUZZ_ASSERT(len > 0 && len < ROUTE_PARAM_MAX);
            FUZZ_ASSERT(!strchr(m.params[i], '/'));
        }
        char again[1024];
        if (strlen(path) < sizeof(again)) {
            expand(m.route->pattern, &m, again, sizeof(again));
            FUZZ_ASSERT(strcmp(again, path) == 0);
        }
    } else {
        FUZZ_ASSERT(m.route == NULL);
        FUZZ_ASSERT((st == 405) == (m.allowed != 0));
    }
    /* The 405 reply names the method and the Allow header lists the rest. */
    char allow[128];
    http_methods_format(m.allowed, allow, sizeof(allow));
    FUZZ_ASSERT(strlen(allow) < sizeof(allow));
    FUZZ_ASSERT(http_method_name(method) != NULL);
    free(path);
    return 0;
}
