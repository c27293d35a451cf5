/* Unit tests for who may read /metrics (meta_metrics_allowed and
 * meta_metrics_configure in server/api/meta.h). The test server listens on
 * loopback only, so the refusal of other peers is shown here. */
#include "test.h"

#include <sodium.h>
#include <string.h>

#include "api/meta.h"

#define TOKEN "scrape-0123456789-abcdef"

TEST(metrics_open_on_loopback_only)
{
    ASSERT_EQ_INT(sodium_init() >= 0, 1);
    ASSERT_EQ_INT(meta_metrics_allowed("127.0.0.1", NULL, ""), 1);
    ASSERT_EQ_INT(meta_metrics_allowed("127.8.9.10", NULL, ""), 1);
    ASSERT_EQ_INT(meta_metrics_allowed("::1", NULL, ""), 1);
    ASSERT_EQ_INT(meta_metrics_allowed("::ffff:127.0.0.1", NULL, ""), 1);
    ASSERT_EQ_INT(meta_metrics_allowed("192.0.2.10", NULL, ""), 0);
    ASSERT_EQ_INT(meta_metrics_allowed("10.0.0.1", NULL, NULL), 0);
    ASSERT_EQ_INT(meta_metrics_allowed("2001:db8::1", NULL, ""), 0);
    ASSERT_EQ_INT(meta_metrics_allowed("::ffff:10.0.0.1", NULL, ""), 0);
    ASSERT_EQ_INT(meta_metrics_allowed(NULL, NULL, ""), 0);
    ASSERT_EQ_INT(meta_metrics_allowed("not-an-address", NULL, ""), 0);
    /* Without a configured token no header opens it. */
    ASSERT_EQ_INT(meta_metrics_allowed("192.0.2.10", "Bearer ", ""), 0);
    ASSERT_EQ_INT(meta_metrics_allowed("192.0.2.10", "Bearer x", NULL), 0);
}

TEST(metrics_token_opens_it_elsewhere)
{
    ASSERT_EQ_INT(sodium_init() >= 0, 1);
    ASSERT_EQ_INT(meta_metrics_allowed("192.0.2.10", "Bearer " TOKEN, TOKEN), 1);
    ASSERT_EQ_INT(meta_metrics_allowed("192.0.2.10", "bearer  " TOKEN, TOKEN), 1);
    ASSERT_EQ_INT(meta_metrics_allowed("2001:db8::1", "Bearer " TOKEN, TOKEN), 1);
    /* Wrong, longer, shorter, empty, another scheme: refused. */
    ASSERT_EQ_INT(meta_metrics_allowed("192.0.2.10", "Bearer " TOKEN "x", TOKEN), 0);
    ASSERT_EQ_INT(meta_metrics_allowed("192.0.2.10", "Bearer scrape-0123456789-abcde", TOKEN), 0);
    ASSERT_EQ_INT(meta_metrics_allowed("192.0.2.10", "Bearer scrape-0123456789-abcdeF", TOKEN), 0);
    ASSERT_EQ_INT(meta_metrics_allowed("192.0.2.10", "Bearer ", TOKEN), 0);
    ASSERT_EQ_INT(meta_metrics_allowed("192.0.2.10", "Basic " TOKEN, TOKEN), 0);
    ASSERT_EQ_INT(meta_metrics_allowed("192.0.2.10", TOKEN, TOKEN), 0);
    ASSERT_EQ_INT(meta_metrics_allowed("192.0.2.10", NULL, TOKEN), 0);
    /* A wrong token from loopback does not matter: loopback is open. */
    ASSERT_EQ_INT(meta_metrics_allowed("127.0.0.1", "Bearer wrong", TOKEN), 1);
}

TEST(metrics_token_configuration)
{
    char err[128] = "";
    ASSERT_EQ_INT(meta_metrics_configure("", err, sizeof(err)), 0);
    ASSERT_EQ_INT(meta_metrics_configure(NULL, err, sizeof(err)), 0);
    ASSERT_EQ_INT(meta_metrics_configure(TOKEN, err, sizeof(err)), 0);
    ASSERT_EQ_INT(meta_metrics_configure("short-token", err, sizeof(err)), -1);
    ASSERT(strstr(err, "at least 16 characters") != NULL);
}
