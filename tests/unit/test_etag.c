/* Unit tests for server/domain/etag.h: If-Match parsing. */
#include "test.h"

#include "domain/etag.h"

TEST(etag_missing_or_empty)
{
    long long v = 99;
    ASSERT_EQ_INT(etag_parse_if_match(NULL, &v), -1);
    ASSERT_EQ_INT(etag_parse_if_match("", &v), -1);
    ASSERT_EQ_INT(v, 99);
}

TEST(etag_any)
{
    long long v = 0;
    ASSERT_EQ_INT(etag_parse_if_match("*", &v), 0);
    ASSERT_EQ_INT(v, -1);
    ASSERT_EQ_INT(etag_parse_if_match("  *", &v), 0);
    ASSERT_EQ_INT(v, -1);
}

TEST(etag_version)
{
    long long v = 0;
    ASSERT_EQ_INT(etag_parse_if_match("\"7\"", &v), 0);
    ASSERT_EQ_INT(v, 7);
    ASSERT_EQ_INT(etag_parse_if_match(" \"12\"", &v), 0);
    ASSERT_EQ_INT(v, 12);
    ASSERT_EQ_INT(etag_parse_if_match("3", &v), 0);
    ASSERT_EQ_INT(v, 3);
    ASSERT_EQ_INT(etag_parse_if_match("\"9223372036854775807\"", &v), 0);
    ASSERT_EQ_INT(v, 9223372036854775807LL);
}

TEST(etag_unknown_names_version_zero)
{
    static const char *const bad[] = {"\"\"",
                                      "\"0\"",
                                      "\"-1\"",
                                      "\"01\"",
                                      "\"1\", \"2\"",
                                      "\"x\"",
                                      "\"9223372036854775808\"",
                                      "\"",
                                      "\"1234567890123456789012345678901234\""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        long long v = 99;
        ASSERT_EQ_INT(etag_parse_if_match(bad[i], &v), 0);
        ASSERT_EQ_INT(v, 0);
    }
}
