/* cursor.c — fuzzes cursor_decode on what a client sends as ?after=, and
 * the round trip through cursor_encode.
 *
 * Input: the cursor text; its first eight bytes are also an id to encode. */
#include "fuzz.h"

#include "domain/cursor.h"

static void round_trip(long long id)
{
    char c[CURSOR_MAX];
    memset(c, 'Z', sizeof(c));
    cursor_encode(id, c);
    FUZZ_ASSERT(memchr(c, '\0', sizeof(c)) != NULL);
    FUZZ_ASSERT(strncmp(c, "c1.", 3) == 0);
    /* A negative id is no row; its cursor must not name one. */
    FUZZ_ASSERT(cursor_decode(c) == (id >= 0 ? id : -1));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstring(data, size);
    long long id = cursor_decode(s);
    FUZZ_ASSERT(id >= -1);
    if (id >= 0)
        round_trip(id);
    free(s);

    if (size >= sizeof(long long)) {
        long long raw;
        memcpy(&raw, data, sizeof(raw));
        round_trip(raw);
    }
    return 0;
}
