/* Unit tests for server/domain/cursor.h: opaque keyset cursors. */
#include "test.h"

#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "domain/cursor.h"

/* "c1." + base64url(raw) without padding, as cursor.c builds it. */
static void make_cursor(const char *prefix, const void *raw, size_t n, char out[128])
{
    size_t p = strlen(prefix);
    memcpy(out, prefix, p);
    sodium_bin2base64(out + p, 128 - p, raw, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

TEST(cursor_round_trip)
{
    static const long long ids[] = {0, 1, 7, 42, 1000, 123456789, 9007199254740991LL, LLONG_MAX};
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        char c[CURSOR_MAX];
        memset(c, 'Z', sizeof c);
        cursor_encode(ids[i], c);
        ASSERT(memchr(c, '\0', sizeof c) != NULL);
        ASSERT_EQ_INT(strncmp(c, "c1.", 3), 0);
        ASSERT_EQ_INT(cursor_decode(c), ids[i]);
    }
}

TEST(cursor_is_opaque_urlsafe_text)
{
    char c[CURSOR_MAX];
    cursor_encode(12345, c);
    /* the id does not show in clear, and only URL-safe characters are used */
    ASSERT(strstr(c, "12345") == NULL);
    for (const char *p = c + 3; *p; p++)
        ASSERT(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", *p));
    /* the same id gives the same cursor, different ids different ones */
    char d[CURSOR_MAX], e[CURSOR_MAX];
    cursor_encode(12345, d);
    cursor_encode(12346, e);
    ASSERT_STREQ(c, d);
    ASSERT_STRNE(c, e);
}

TEST(cursor_rejects_garbage)
{
    ASSERT_EQ_INT(cursor_decode(NULL), -1);
    ASSERT_EQ_INT(cursor_decode(""), -1);
    ASSERT_EQ_INT(cursor_decode("c1."), -1);
    ASSERT_EQ_INT(cursor_decode("c1.!!!!"), -1);
    ASSERT_EQ_INT(cursor_decode("c1.aWQ6NQ=="), -1); /* padded: not our variant */
    ASSERT_EQ_INT(cursor_decode("c1.aWQ6N+=="), -1);
    ASSERT_EQ_INT(cursor_decode("42"), -1);
    ASSERT_EQ_INT(cursor_decode("hello world"), -1);
}

TEST(cursor_rejects_wrong_payload)
{
    char c[128];
    make_cursor("c1.", "id:", 3, c); /* no digits */
    ASSERT_EQ_INT(cursor_decode(c), -1);
    make_cursor("c1.", "xx:5", 4, c);
    ASSERT_EQ_INT(cursor_decode(c), -1);
    make_cursor("c1.", "id:5x", 5, c);
    ASSERT_EQ_INT(cursor_decode(c), -1);
    make_cursor("c1.", "id:0x10", 7, c);
    ASSERT_EQ_INT(cursor_decode(c), -1);
    make_cursor("c1.", "ID:5", 4, c);
    ASSERT_EQ_INT(cursor_decode(c), -1);
    /* the hand-made well-formed one is accepted: the helper is right */
    make_cursor("c1.", "id:5", 4, c);
    ASSERT_EQ_INT(cursor_decode(c), 5);
}

TEST(cursor_rejects_negative_ids)
{
    char c[CURSOR_MAX];
    cursor_encode(-1, c);
    ASSERT_EQ_INT(cursor_decode(c), -1);
    cursor_encode(-42, c);
    ASSERT_EQ_INT(cursor_decode(c), -1);
    cursor_encode(LLONG_MIN, c);
    ASSERT_EQ_INT(cursor_decode(c), -1);
    char h[128];
    make_cursor("c1.", "id:+5", 5, h);
    ASSERT_EQ_INT(cursor_decode(h), -1);
}

TEST(cursor_rejects_other_prefixes)
{
    char good[CURSOR_MAX];
    cursor_encode(99, good);
    ASSERT_EQ_INT(cursor_decode(good), 99);
    char c[CURSOR_MAX + 8];
    /* same payload, other versions or prefixes */
    static const char *const prefixes[] = {"c2.", "C1.", "c1:", "c1", "x1.", ".", ""};
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        snprintf(c, sizeof c, "%s%s", prefixes[i], good + 3);
        ASSERT_EQ_INT(cursor_decode(c), -1);
    }
    /* or anything around it */
    snprintf(c, sizeof c, " %s", good);
    ASSERT_EQ_INT(cursor_decode(c), -1);
    snprintf(c, sizeof c, "%s ", good);
    ASSERT_EQ_INT(cursor_decode(c), -1);
    snprintf(c, sizeof c, "%s=", good);
    ASSERT_EQ_INT(cursor_decode(c), -1);
}

TEST(cursor_rejects_too_long_input)
{
    /* a payload that decodes fine but makes the cursor longer than CURSOR_MAX */
    char raw[80];
    memcpy(raw, "id:", 3);
    memset(raw + 3, '0', 60);
    raw[63] = '7';
    char c[128];
    make_cursor("c1.", raw, 64, c);
    ASSERT_GT_INT(strlen(c), CURSOR_MAX);
    ASSERT_EQ_INT(cursor_decode(c), -1);

    /* a long string of valid base64 characters */
    char big[4096];
    memcpy(big, "c1.", 3);
    memset(big + 3, 'A', sizeof big - 4);
    big[sizeof big - 1] = '\0';
    ASSERT_EQ_INT(cursor_decode(big), -1);
}

/* Cursors this server makes have "id:" followed directly by digits. strtoll
 * skips leading white space, so "id: +5" decodes to 5 although cursor.c
 * explicitly refuses a sign right after "id:". */
TEST(cursor_rejects_whitespace_before_id)
{
    char c[128];
    make_cursor("c1.", "id: 5", 5, c);
    EXPECT_EQ_INT(cursor_decode(c), -1);
    make_cursor("c1.", "id: +5", 6, c);
    EXPECT_EQ_INT(cursor_decode(c), -1);
    make_cursor("c1.", "id:\t7", 5, c);
    EXPECT_EQ_INT(cursor_decode(c), -1);
}

/* A sorted list's cursor names a position; it never passes for an id
 * cursor, nor an id cursor for it. */
TEST(cursor_offsets_round_trip_and_stay_apart)
{
    char c[CURSOR_MAX];
    const long long offsets[] = {0, 1, 100, 123456789, 9223372036854775807LL};
    for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
        cursor_encode_offset(offsets[i], c);
        EXPECT_EQ_INT(cursor_decode_offset(c), offsets[i]);
        EXPECT_EQ_INT(cursor_decode(c), -1);
        cursor_encode(offsets[i], c);
        EXPECT_EQ_INT(cursor_decode_offset(c), -1);
    }
    char m[128];
    make_cursor("c1.", "off:-5", 6, m);
    EXPECT_EQ_INT(cursor_decode_offset(m), -1);
    make_cursor("c1.", "off:", 4, m);
    EXPECT_EQ_INT(cursor_decode_offset(m), -1);
    make_cursor("c1.", "offset:5", 8, m);
    EXPECT_EQ_INT(cursor_decode_offset(m), -1);
}
