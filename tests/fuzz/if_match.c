/* if_match.c — fuzzes etag_parse_if_match and etag_matches on the If-Match
 * header of a change.
 *
 * Input: the header value. */
#include "fuzz.h"

#include "domain/etag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *h = fuzz_cstring(data, size);
    struct if_match m;
    int rc = etag_parse_if_match(h, &m);
    FUZZ_ASSERT(rc == 0 || rc == -1);
    FUZZ_ASSERT((rc < 0) == (m.malformed != 0));
    FUZZ_ASSERT(m.n <= ETAG_MAX_TAGS);
    /* A malformed value and "*" name no version. */
    FUZZ_ASSERT(!(m.malformed || m.any) || m.n == 0);
    FUZZ_ASSERT(!m.malformed || (!m.any && !m.weak));

    for (size_t i = 0; i < m.n; i++) {
        long long v = m.versions[i];
        FUZZ_ASSERT(v > 0);
        FUZZ_ASSERT(etag_matches(&m, v));
        /* A version comes from a strong tag written exactly as the server
         * writes its ETags. */
        char tag[32];
        snprintf(tag, sizeof(tag), "\"%lld\"", v);
        FUZZ_ASSERT(strstr(h, tag) != NULL);
    }
    /* Only "*" matches a version no tag names; weak tags never match. */
    FUZZ_ASSERT(etag_matches(&m, 0) == (m.any != 0));
    FUZZ_ASSERT(etag_matches(&m, -1) == (m.any != 0));
    if (m.n == 0)
        FUZZ_ASSERT(etag_matches(&m, 1) == (m.any != 0));
    free(h);
    return 0;
}
