/* cursor.c — "c1." + base64url("id:<n>") or ("off:<n>"): opaque to
 * clients, versioned so the format can change without breaking saved
 * cursors silently. */
#include "domain/cursor.h"

#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void encode(const char *tag, long long n, char out[CURSOR_MAX])
{
    char raw[32];
    int len = snprintf(raw, sizeof(raw), "%s:%lld", tag, n);
    memcpy(out, "c1.", 3);
    sodium_bin2base64(out + 3, CURSOR_MAX - 3, (const unsigned char *)raw, (size_t)len,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* The number after tag ("id" or "off") in a cursor, or -1. */
static long long decode(const char *cursor, const char *tag)
{
    unsigned char raw[33];
    size_t len = 0, t = strlen(tag);
    if (!cursor || strncmp(cursor, "c1.", 3) != 0 || strlen(cursor) > CURSOR_MAX)
        return -1;
    if (sodium_base642bin(raw, sizeof(raw) - 1, cursor + 3, strlen(cursor + 3), NULL, &len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return -1;
    raw[len] = '\0';
    if (len < t + 2 || memcmp(raw, tag, t) != 0 || raw[t] != ':')
        return -1;
    long long n = 0;
    for (size_t i = t + 1; i < len; i++) {
        if (raw[i] < '0' || raw[i] > '9' || n > (LLONG_MAX - (raw[i] - '0')) / 10)
            return -1;
        n = n * 10 + (raw[i] - '0');
    }
    return n;
}

void cursor_encode(long long last_id, char out[CURSOR_MAX]) { encode("id", last_id, out); }

long long cursor_decode(const char *cursor) { return decode(cursor, "id"); }

void cursor_encode_offset(long long offset, char out[CURSOR_MAX]) { encode("off", offset, out); }

long long cursor_decode_offset(const char *cursor) { return decode(cursor, "off"); }
