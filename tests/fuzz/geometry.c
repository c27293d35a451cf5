/* geometry.c — fuzzes GeoJSON segment geometry: a LineString given as a
 * segment's "geometry", as the segment handlers and the GIS import check it
 * (validate_body over the segments fields).
 *
 * Input: the geometry object as JSON text. */
#include "fuzz.h"

#include <cJSON.h>

#include "api/inventory.h"
#include "domain/validate.h"
#include "util/pool.h"

/* Validates {"geometry": geom} as a change to a segment; returns the text
 * to store (in pool), or NULL when it was refused or null. */
static const char *check(cJSON *geom, struct pool *pool)
{
    const struct resource *res = &segments_resource;
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "geometry", geom);
    struct value *vals = pool_alloc(pool, sizeof(struct value) * res->nfields);
    size_t nv = 0;
    cJSON *errors = cJSON_CreateArray();
    int nerr = validate_body(res->fields, res->nfields, body, 0, pool, errors, vals, &nv);
    FUZZ_ASSERT(nerr == cJSON_GetArraySize(errors));
    FUZZ_ASSERT((nerr == 0) == (nv == 1));
    /* null clears the geometry; anything else accepted is stored as text. */
    const char *text = nerr == 0 && !vals[0].is_null ? vals[0].text : NULL;
    FUZZ_ASSERT(nerr != 0 || vals[0].is_null || text);
    cJSON_Delete(errors);
    cJSON_Delete(body);
    return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[160];
    cJSON *geom = json_parse_strict((const char *)data, size, err, sizeof(err));
    if (!geom)
        return 0;
    struct pool *pool = pool_new();
    FUZZ_ASSERT(pool);
    const char *stored = check(geom, pool);
    if (stored) {
        /* What is stored is a LineString that passes again unchanged:
         * export and re-import must not drift. */
        cJSON *again = json_parse_strict(stored, strlen(stored), err, sizeof(err));
        FUZZ_ASSERT(again);
        const char *twice = check(again, pool);
        FUZZ_ASSERT(twice && strcmp(twice, stored) == 0);
    }
    pool_free(pool);
    return 0;
}
