/* target.c — fuzzes the request-target (server/http/target.c): the
 * percent-decoded path and the query parameters every request carries,
 * and the Host header check.
 *
 * Invariants: an accepted path starts with '/', holds no control
 * character and is at most TARGET_MAX_PATH bytes; every parameter has a
 * name, no name appears twice, and nothing holds a NUL (each string is
 * exactly as long as its decoding). */
#include "fuzz.h"

#include "http/target.h"
#include "util/pool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstring(data, size);
    struct pool *pool = pool_new();
    struct target t;
    const char *err = NULL;
    if (target_parse(s, pool, &t, &err) == 0) {
        FUZZ_ASSERT(t.path[0] == '/');
        FUZZ_ASSERT(strlen(t.path) <= TARGET_MAX_PATH);
        for (const char *c = t.path; *c; c++)
            FUZZ_ASSERT((unsigned char)*c >= 0x20 && *c != 0x7f);
        FUZZ_ASSERT(t.nquery <= TARGET_MAX_PARAMS);
        for (size_t i = 0; i < t.nquery; i++) {
            FUZZ_ASSERT(t.query[i].key[0] != '\0');
            for (size_t j = 0; j < i; j++)
                FUZZ_ASSERT(strcmp(t.query[i].key, t.query[j].key) != 0);
        }
    } else {
        FUZZ_ASSERT(err != NULL && *err);
    }
    (void)target_host_valid(s);
    pool_free(pool);
    free(s);
    return 0;
}
