/* Unit tests for the commit and rollback hooks of a request
 * (server/http/request.h). */
#include "test.h"

#include <string.h>
#include <strings.h>

#include "http/reply.h"
#include "http/request.h"
#include "util/pool.h"

static char order[16];

static void mark(struct req *r, void *arg)
{
    (void)r;
    strncat(order, arg, sizeof(order) - strlen(order) - 1);
}

static void add_more(struct req *r, void *arg)
{
    (void)arg;
    req_on_commit(r, mark, "x");
    strncat(order, "m", sizeof(order) - strlen(order) - 1);
}

TEST(hooks_run_for_their_outcome_newest_first_and_once)
{
    struct req r = {0};
    r.pool = pool_new();
    order[0] = '\0';
    req_on_commit(&r, mark, "a");
    req_on_rollback(&r, mark, "b");
    req_on_commit(&r, mark, "c");
    req_run_hooks(&r, 1);
    ASSERT_STREQ(order, "ca");
    ASSERT(r.hooks == NULL);
    req_run_hooks(&r, 1);
    ASSERT_STREQ(order, "ca");
    pool_free(r.pool);
}

TEST(hooks_of_a_rolled_back_attempt_are_gone_before_the_retry)
{
    struct req r = {0};
    r.pool = pool_new();
    order[0] = '\0';
    req_on_commit(&r, mark, "a");
    req_on_rollback(&r, mark, "b");
    req_run_hooks(&r, 0);
    ASSERT_STREQ(order, "b");
    /* The retry registers its own; the first attempt's commit hook never runs. */
    req_on_commit(&r, mark, "c");
    req_run_hooks(&r, 1);
    ASSERT_STREQ(order, "bc");
    pool_free(r.pool);
}

TEST(a_hook_that_registers_another_does_not_run_it_now)
{
    struct req r = {0};
    r.pool = pool_new();
    order[0] = '\0';
    req_on_commit(&r, add_more, NULL);
    req_run_hooks(&r, 1);
    ASSERT_STREQ(order, "m");
    ASSERT(r.hooks != NULL);
    req_run_hooks(&r, 1);
    ASSERT_STREQ(order, "mx");
    pool_free(r.pool);
}

static int headers_named(const struct req *r, const char *key, const char **value)
{
    int n = 0;
    for (int i = 0; i < r->nresp_headers; i++)
        if (strcasecmp(r->resp_headers[i].key, key) == 0) {
            *value = r->resp_headers[i].value;
            n++;
        }
    return n;
}

TEST(a_routes_own_retry_after_replaces_the_503_default)
{
    struct req r = {0};
    r.pool = pool_new();
    const char *v = NULL;
    reply_problem(&r, 503, "busy");
    ASSERT_EQ_INT(headers_named(&r, "Retry-After", &v), 1);
    req_set_header(&r, "Retry-After", "10");
    ASSERT_EQ_INT(headers_named(&r, "Retry-After", &v), 1);
    ASSERT_STREQ(v, "10");
    req_set_header(&r, "X-Other", "a");
    ASSERT_EQ_INT(headers_named(&r, "X-Other", &v), 1);
    pool_free(r.pool);
}
