/* cursor.c — "c1." + base64url("id:<n>"): opaque to clients, versioned
 * so the format can change without breaking saved cursors silently. */
#include "domain/cursor.h"

#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cursor_encode(long long last_id, char out[CURSOR_MAX])
{
    char raw[32];
    int n = snprintf(raw, sizeof(raw), "id:%lld", last_id);
    memcpy(out, "c1.", 3);
    sodium_bin2base64(out + 3, CURSOR_MAX - 3, (const unsigned char *)raw, (size_t)n,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

long long cursor_decode(const char *cursor)
{
    unsigned char raw[33];
    size_t len = 0;
    if (!cursor || strncmp(cursor, "c1.", 3) != 0 || strlen(cursor) > CURSOR_MAX)
        return -1;
    if (sodium_base642bin(raw, sizeof(raw) - 1, cursor + 3, strlen(cursor + 3), NULL, &len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return -1;
    raw[len] = '\0';
    if (len < 4 || memcmp(raw, "id:", 3) != 0)
        return -1;
    long long id = 0;
    for (size_t i = 3; i < len; i++) {
        if (raw[i] < '0' || raw[i] > '9' || id > (LLONG_MAX - (raw[i] - '0')) / 10)
            return -1;
        id = id * 10 + (raw[i] - '0');
    }
    return id;
}
