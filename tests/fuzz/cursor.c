/* cursor.c — fuzzes cursor_decode and cursor_decode_offset on what a
 * client sends as ?cursor=, and the round trips through the encoders (a
 * cursor is never both kinds).
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
    FUZZ_ASSERT(cursor_decode_offset(c) == -1);
    memset(c, 'Z', sizeof(c));
    cursor_encode_offset(id, c);
    FUZZ_ASSERT(memchr(c, '\0', sizeof(c)) != NULL);
    FUZZ_ASSERT(cursor_decode_offset(c) == (id >= 0 ? id : -1));
    FUZZ_ASSERT(cursor_decode(c) == -1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstring(data, size);
    long long id = cursor_decode(s);
    long long off = cursor_decode_offset(s);
    FUZZ_ASSERT(id >= -1 && off >= -1);
    FUZZ_ASSERT(id < 0 || off < 0);
    if (id >= 0)
        round_trip(id);
    if (off >= 0)
        round_trip(off);
    free(s);

    if (size >= sizeof(long long)) {
        long long raw;
        memcpy(&raw, data, sizeof(raw));
        round_trip(raw);
    }
    return 0;
}
