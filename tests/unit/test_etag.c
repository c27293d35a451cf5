/* Unit tests for server/domain/etag.h: If-Match parsing (RFC 9110 13.1.1)
 * and the strong comparison against fibertrack's ETags "<version>". */
#include "test.h"

#include <stdio.h>
#include <string.h>

#include "domain/etag.h"

/* Parses h and returns whether it matches version; -1 when malformed. */
static int match(const char *h, long long version)
{
    struct if_match m;
    if (etag_parse_if_match(h, &m) < 0) {
        if (!m.malformed || m.any || m.n)
            FAIL("If-Match %s: malformed, but the result is not empty", h);
        if (etag_matches(&m, version))
            FAIL("If-Match %s: malformed, yet it matches", h);
        return -1;
    }
    return etag_matches(&m, version);
}

TEST(etag_strong_tag_matches_its_version_only)
{
    ASSERT_EQ_INT(match("\"1\"", 1), 1);
    ASSERT_EQ_INT(match("\"1\"", 2), 0);
    ASSERT_EQ_INT(match("\"42\"", 42), 1);
    ASSERT_EQ_INT(match("  \"42\"\t", 42), 1);
    ASSERT_EQ_INT(match("\"9223372036854775807\"", 9223372036854775807LL), 1);
}

/* If-Match uses the strong comparison: a weak tag never matches, not even
 * with the current version. */
TEST(etag_weak_tag_never_matches)
{
    ASSERT_EQ_INT(match("W/\"1\"", 1), 0);
    ASSERT_EQ_INT(match("W/\"7\", W/\"8\"", 7), 0);
    ASSERT_EQ_INT(match("W/\"7\", \"8\"", 8), 1);
    struct if_match m;
    ASSERT_EQ_INT(etag_parse_if_match("W/\"3\"", &m), 0);
    ASSERT_EQ_UINT(m.weak, 1);
    ASSERT_EQ_UINT(m.n, 0);
    ASSERT_FALSE(m.malformed);
}

/* "*" matches any current representation (the row exists). */
TEST(etag_star_matches_any_version)
{
    ASSERT_EQ_INT(match("*", 1), 1);
    ASSERT_EQ_INT(match(" * ", 99), 1);
    ASSERT_EQ_INT(match("*, \"1\"", 1), -1);
    ASSERT_EQ_INT(match("**", 1), -1);
}

TEST(etag_lists)
{
    ASSERT_EQ_INT(match("\"1\", \"2\"", 2), 1);
    ASSERT_EQ_INT(match("\"1\",\"2\"", 1), 1);
    ASSERT_EQ_INT(match("\"1\", \"2\"", 3), 0);
    /* empty list elements are allowed */
    ASSERT_EQ_INT(match(", \"5\" ,, ", 5), 1);
    /* tags fibertrack never writes are well formed and match nothing */
    ASSERT_EQ_INT(match("\"abc\", \"5\"", 5), 1);
    ASSERT_EQ_INT(match("\"abc\"", 5), 0);
    ASSERT_EQ_INT(match("\"\"", 5), 0);
    ASSERT_EQ_INT(match("\"07\"", 7), 0); /* strong comparison is exact */
    ASSERT_EQ_INT(match("\"-1\"", -1), 0);
    ASSERT_EQ_INT(match("\"0\"", 0), 0);
    ASSERT_EQ_INT(match("\"99999999999999999999\"", 5), 0);
}

TEST(etag_malformed)
{
    ASSERT_EQ_INT(match("", 1), -1);
    ASSERT_EQ_INT(match("   ", 1), -1);
    ASSERT_EQ_INT(match(",", 1), -1);
    ASSERT_EQ_INT(match("1", 1), -1);
    ASSERT_EQ_INT(match("not-an-etag", 1), -1);
    ASSERT_EQ_INT(match("\"1", 1), -1);
    ASSERT_EQ_INT(match("1\"", 1), -1);
    ASSERT_EQ_INT(match("\"1\" \"2\"", 1), -1); /* no comma */
    ASSERT_EQ_INT(match("\"1\"x", 1), -1);
    ASSERT_EQ_INT(match("w/\"1\"", 1), -1); /* W/ is case-sensitive */
    ASSERT_EQ_INT(match("W/1", 1), -1);
    ASSERT_EQ_INT(match("W/ \"1\"", 1), -1);
    ASSERT_EQ_INT(match("\"a b\"", 1), -1); /* no space inside a tag */
    ASSERT_EQ_INT(match("\"a\x01\"", 1), -1);
    ASSERT_EQ_INT(match("\"1\", garbage", 1), -1);
}

/* A list longer than ETAG_MAX_TAGS is still parsed; later versions are
 * ignored, never written past the array. */
TEST(etag_long_list_is_bounded)
{
    char h[2048] = "";
    size_t o = 0;
    for (int i = 1; i <= 40; i++)
        o += (size_t)snprintf(h + o, sizeof h - o, "%s\"%d\"", i > 1 ? ", " : "", i);
    struct if_match m;
    ASSERT_EQ_INT(etag_parse_if_match(h, &m), 0);
    ASSERT_EQ_UINT(m.n, ETAG_MAX_TAGS);
    ASSERT_TRUE(etag_matches(&m, 1));
    ASSERT_TRUE(etag_matches(&m, ETAG_MAX_TAGS));
    ASSERT_FALSE(etag_matches(&m, 40));
}
