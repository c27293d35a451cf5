/* if_match.c — fuzzes etag_parse_if_match on the If-Match header of a
 * change.
 *
 * Input: the header value. */
#include "fuzz.h"

#include "domain/etag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *h = fuzz_cstring(data, size);
    long long version = -2;
    int rc = etag_parse_if_match(h, &version);
    FUZZ_ASSERT(rc == 0 || rc == -1);
    if (rc < 0) {
        FUZZ_ASSERT(h[0] == '\0');
        FUZZ_ASSERT(version == -2);
    } else {
        FUZZ_ASSERT(version >= -1);
    }
    /* A version is only ever read from its own digits, at the end. */
    if (version > 0) {
        char digits[32];
        snprintf(digits, sizeof(digits), "%lld", version);
        size_t n = strlen(h), d = strlen(digits);
        size_t end = n > 0 && h[n - 1] == '"' ? n - 1 : n;
        FUZZ_ASSERT(end >= d && memcmp(h + end - d, digits, d) == 0);
    }
    free(h);
    return 0;
}
