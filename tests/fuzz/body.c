/* body.c — fuzzes request bodies: json_parse_strict, then validate_body
 * over the field table of every resource, as the pipeline and the create
 * and update handlers run them.
 *
 * Input: one byte that picks the resource and create or update, then the
 * body. The byte reads as a letter: a lowercase one creates, an uppercase
 * one updates; a/A is the first resource of the route table (projects),
 * b/B the second, and so on. */
#include "fuzz.h"

#include <cJSON.h>

#include "api/resource.h"
#include "api/routes.h"
#include "domain/validate.h"
#include "util/pool.h"

#define MAX_RESOURCES 64

static const struct resource *resources[MAX_RESOURCES];
static size_t nresources;

/* Every resource has a list route, so the route table names them all and
 * a new resource is fuzzed without a change here. */
static void find_resources(void)
{
    for (size_t i = 0; i < api_nroutes; i++) {
        const struct resource *res = api_routes[i].resource;
        size_t k = 0;
        if (api_routes[i].handler != resource_list || !res)
            continue;
        while (k < nresources && resources[k] != res)
            k++;
        if (k == nresources && nresources < MAX_RESOURCES)
            resources[nresources++] = res;
    }
    FUZZ_ASSERT(nresources > 0);
}

/* Problem documents go out as JSON, which must be UTF-8. */
static void check_text(const char *s)
{
    FUZZ_ASSERT(s);
    FUZZ_ASSERT(valid_utf8(s, strlen(s)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!nresources)
        find_resources();
    if (size < 1)
        return 0;
    int creating = (data[0] & 0x20) != 0;
    const struct resource *res = resources[((data[0] & 0x1fu) + 31u) % 32u % nresources];
    const char *body = (const char *)data + 1;
    size_t len = size - 1;

    char err[160] = "";
    cJSON *json = json_parse_strict(body, len, err, sizeof(err));
    if (!json) {
        FUZZ_ASSERT(err[0] != '\0');
        check_text(err);
        return 0;
    }

    struct pool *pool = pool_new();
    FUZZ_ASSERT(pool);
    struct value *vals = pool_alloc(pool, sizeof(struct value) * res->nfields);
    size_t nv = 0;
    cJSON *errors = cJSON_CreateArray();
    int nerr = validate_body(res->fields, res->nfields, json, creating, pool, errors, vals, &nv);

    /* Every error is counted; a long list may be cut short, never empty. */
    int listed = cJSON_GetArraySize(errors);
    FUZZ_ASSERT(listed <= nerr && (listed == 0) == (nerr == 0));
    FUZZ_ASSERT(nv <= res->nfields);
    for (const cJSON *e = errors->child; e; e = e->next) {
        const cJSON *ptr = cJSON_GetObjectItemCaseSensitive(e, "pointer");
        const cJSON *detail = cJSON_GetObjectItemCaseSensitive(e, "detail");
        FUZZ_ASSERT(cJSON_IsString(ptr) && cJSON_IsString(detail));
        check_text(ptr->valuestring);
        check_text(detail->valuestring);
    }
    for (size_t i = 0; i < nv; i++) {
        const struct field *f = vals[i].field;
        FUZZ_ASSERT(f >= res->fields && f < res->fields + res->nfields);
        FUZZ_ASSERT(!(f->flags & F_READONLY));
        FUZZ_ASSERT(creating || !(f->flags & F_IMMUTABLE));
        FUZZ_ASSERT(!vals[i].is_null || (f->flags & F_NULLABLE));
        if (vals[i].text)
            check_text(vals[i].text);
    }
    /* A body accepted for a create names every required field. */
    for (size_t k = 0; creating && nerr == 0 && k < res->nfields; k++) {
        size_t i = 0;
        while (i < nv && vals[i].field != &res->fields[k])
            i++;
        FUZZ_ASSERT(!(res->fields[k].flags & F_REQUIRED) || i < nv);
    }
    /* What the server would send back must be printable. */
    char *out = cJSON_PrintUnformatted(errors);
    FUZZ_ASSERT(out);
    check_text(out);
    free(out);

    cJSON_Delete(errors);
    pool_free(pool);
    cJSON_Delete(json);
    return 0;
}
