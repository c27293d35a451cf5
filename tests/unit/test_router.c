/* Unit tests for server/http/router.h: route matching and method names. */
#include "test.h"

#include <string.h>

#include "http/router.h"

static int h_list(struct req *r)
{
    (void)r;
    return 1;
}
static int h_get(struct req *r)
{
    (void)r;
    return 2;
}
static int h_create(struct req *r)
{
    (void)r;
    return 3;
}
static int h_patch(struct req *r)
{
    (void)r;
    return 4;
}
static int h_two(struct req *r)
{
    (void)r;
    return 5;
}
static int h_head(struct req *r)
{
    (void)r;
    return 6;
}

static const struct route routes[] = {
    {.method = HTTP_GET, .pattern = "/api/v1/segments", .handler = h_list},
    {.method = HTTP_POST, .pattern = "/api/v1/segments", .handler = h_create},
    {.method = HTTP_GET, .pattern = "/api/v1/segments/:id", .handler = h_get},
    {.method = HTTP_PATCH, .pattern = "/api/v1/segments/:id", .handler = h_patch},
    {.method = HTTP_GET, .pattern = "/api/v1/projects/:pid/segments/:sid", .handler = h_two},
    {.method = HTTP_DELETE, .pattern = "/api/v1/tokens/:id", .handler = h_get},
    {.method = HTTP_GET, .pattern = "/a/:p1/:p2/:p3/:p4/:p5", .handler = h_get},
    {.method = HTTP_GET, .pattern = "/b/:p1/:p2/:p3/:p4", .handler = h_get},
    {.method = HTTP_GET, .pattern = "/healthz", .handler = h_head},
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

TEST(router_matches_literal_get)
{
    struct route_match m;
    ASSERT_EQ_INT(router_match(routes, NROUTES, HTTP_GET, "/api/v1/segments", &m), 200);
    ASSERT(m.route == &routes[0]);
    ASSERT_EQ_UINT(m.index, 0);
    ASSERT_EQ_INT(m.nparams, 0);
}

TEST(router_selects_route_by_method)
{
    struct route_match m;
    ASSERT_EQ_INT(router_match(routes, NROUTES, HTTP_POST, "/api/v1/segments", &m), 200);
    ASSERT(m.route == &routes[1]);
    ASSERT_EQ_UINT(m.index, 1);
    ASSERT(m.route->handler == h_create);
}

TEST(router_extracts_param)
{
    struct route_match m;
    ASSERT_EQ_INT(router_match(routes, NROUTES, HTTP_GET, "/api/v1/segments/42", &m), 200);
    ASSERT(m.route == &routes[2]);
    ASSERT_EQ_UINT(m.index, 2);
    ASSERT_EQ_INT(m.nparams, 1);
    ASSERT_STREQ(m.params[0], "42");
}

TEST(router_extracts_two_params_in_order)
{
    struct route_match m;
    ASSERT_EQ_INT(router_match(routes, NROUTES, HTTP_GET, "/api/v1/projects/p-7/segments/xyz", &m),
                  200);
    ASSERT(m.route == &routes[4]);
    ASSERT_EQ_INT(m.nparams, 2);
    ASSERT_STREQ(m.params[0], "p-7");
    ASSERT_STREQ(m.params[1], "xyz");
}

TEST(router_params_count_for_literal_route_is_zero)
{
    struct route_match m;
    ASSERT_EQ_INT(router_match(routes, NROUTES, HTTP_GET, "/healthz", &m), 200);
    ASSERT_EQ_INT(m.nparams, 0);
    ASSERT(m.route == &routes[8]);
}

TEST(router_four_params_is_the_maximum)
{
    struct route_match m;
    ASSERT_EQ_INT(router_match(routes, NROUTES, HTTP_GET, "/b/1/2/3/4", &m), 200);
    ASSERT_EQ_INT(m.nparams, 4);
    ASSERT_STREQ(m.params[0], "1");
    ASSERT_STREQ(m.params[3], "4");
    /* a fifth placeholder cannot be stored: the pattern never matches */
    ASSERT_EQ_INT(router_match(routes, NROUTES, HTTP_GET, "/a/1/2/3/4/5", &m), 404);
    ASSERT_NULL(m.route);
}

TEST(router_unknown_path_is_404)
{
    struct route_match m;
    ASSERT_EQ_INT(router_match(routes, NROUTES, HTTP_GET, "/api/v1/nothing", &m), 404);
    ASSERT_NULL(m.route);
    ASSERT_EQ_UINT(m.allowed, 0);
    ASSERT_EQ_INT(router_match(routes, NROUTES, HTTP_GET, "", &m), 404);
    ASSERT_EQ_INT(router_match(routes, NROUTES, HTTP_GET, "/", &m), 404);
    /* a prefix of a route is not the route */
    ASSERT_EQ_INT(router_match(routes, NROUTES, HTTP_GET, "/api/v1/segment", &m), 404);
    ASSERT_EQ_INT(router_match(routes, NROUTES, HTTP_GET, "/api/v1/segmentsX", &m), 404);
}

TEST(router_wrong_method_is_405_with_allowed_mask)
{
    struct route_match m;
    ASSERT_EQ_INT(router_match(routes, NROUTES, HTTP_DELETE, "/api/v1/segments/9", &m), 405);
    ASSERT_NULL(m.route);
    ASSERT_EQ_UINT(m.allowed, HTTP_GET | HTTP_PATCH | HTTP_HEAD);

    ASSERT_EQ_INT(router_match(routes, NROUTES, HTTP_PUT, "/api/v1/segments", &m), 405);
    ASSERT_EQ_UINT(m.allowed, HTTP_GET | HTTP_POST | HTTP_HEAD);
}

TEST(router_allowed_mask_without_get_has_no_head)
{
    struct route_match m;
    ASSERT_EQ_INT(router_match(routes, NROUTES, HTTP_GET, "/api/v1/tokens/3", &m), 405);
    ASSERT_EQ_UINT(m.allowed, HTTP_DELETE);
}

TEST(router_allowed_mask_is_set_on_success_too)
{
    struct route_match m;
    ASSERT_EQ_INT(router_match(routes, NROUTES, HTTP_PATCH, "/api/v1/segments/9", &m), 200);
    ASSERT(m.route == &routes[3]);
    ASSERT_EQ_UINT(m.allowed, HTTP_GET | HTTP_PATCH | HTTP_HEAD);
    ASSERT_STREQ(m.params[0], "9");
}

TEST(router_head_matches_get_route)
{
    struct route_match m;
    ASSERT_EQ_INT(router_match(routes, NROUTES, HTTP_HEAD, "/api/v1/segments/5", &m), 200);
    ASSERT(m.route == &routes[2]);
    ASSERT_STREQ(m.params[0], "5");
    /* HEAD on a path with no GET route is 405 */
    ASSERT_EQ_INT(router_match(routes, NROUTES, HTTP_HEAD, "/api/v1/tokens/5", &m), 405);
    ASSERT_NULL(m.route);
}

TEST(router_trailing_slash_does_not_match)
{
    struct route_match m;
    ASSERT_EQ_INT(router_match(routes, NROUTES, HTTP_GET, "/api/v1/segments/", &m), 404);
    ASSERT_EQ_INT(router_match(routes, NROUTES, HTTP_GET, "/api/v1/segments/7/", &m), 404);
    ASSERT_EQ_INT(router_match(routes, NROUTES, HTTP_GET, "/healthz/", &m), 404);
}

TEST(router_empty_param_segment_does_not_match)
{
    struct route_match m;
    ASSERT_EQ_INT(router_match(routes, NROUTES, HTTP_GET, "/api/v1/projects//segments/1", &m), 404);
    ASSERT_EQ_INT(router_match(routes, NROUTES, HTTP_GET, "/api/v1/segments//", &m), 404);
}

TEST(router_param_length_limit)
{
    struct route_match m;
    char path[256];
    char id[ROUTE_PARAM_MAX + 1];

    /* ROUTE_PARAM_MAX - 1 characters fit (plus the NUL) */
    memset(id, 'x', ROUTE_PARAM_MAX - 1);
    id[ROUTE_PARAM_MAX - 1] = '\0';
    strcpy(path, "/api/v1/segments/");
    strcat(path, id);
    ASSERT_EQ_INT(router_match(routes, NROUTES, HTTP_GET, path, &m), 200);
    ASSERT_EQ_UINT(strlen(m.params[0]), ROUTE_PARAM_MAX - 1);
    ASSERT_STREQ(m.params[0], id);

    /* one more does not */
    memset(id, 'x', ROUTE_PARAM_MAX);
    id[ROUTE_PARAM_MAX] = '\0';
    strcpy(path, "/api/v1/segments/");
    strcat(path, id);
    ASSERT_EQ_INT(router_match(routes, NROUTES, HTTP_GET, path, &m), 404);
    ASSERT_NULL(m.route);
}

TEST(router_first_matching_route_wins)
{
    static const struct route dup[] = {
        {.method = HTTP_GET, .pattern = "/x/:a", .handler = h_list},
        {.method = HTTP_GET, .pattern = "/x/:b", .handler = h_get},
    };
    struct route_match m;
    ASSERT_EQ_INT(router_match(dup, 2, HTTP_GET, "/x/1", &m), 200);
    ASSERT(m.route == &dup[0]);
    ASSERT_EQ_UINT(m.index, 0);
}

TEST(router_empty_table_is_404)
{
    struct route_match m;
    ASSERT_EQ_INT(router_match(routes, 0, HTTP_GET, "/api/v1/segments", &m), 404);
    ASSERT_NULL(m.route);
}

TEST(http_method_parse_known_and_unknown)
{
    ASSERT_EQ_UINT(http_method_parse("GET"), HTTP_GET);
    ASSERT_EQ_UINT(http_method_parse("POST"), HTTP_POST);
    ASSERT_EQ_UINT(http_method_parse("PATCH"), HTTP_PATCH);
    ASSERT_EQ_UINT(http_method_parse("DELETE"), HTTP_DELETE);
    ASSERT_EQ_UINT(http_method_parse("PUT"), HTTP_PUT);
    ASSERT_EQ_UINT(http_method_parse("HEAD"), HTTP_HEAD);
    ASSERT_EQ_UINT(http_method_parse("OPTIONS"), HTTP_OPTIONS);
    ASSERT_EQ_UINT(http_method_parse("get"), 0);
    ASSERT_EQ_UINT(http_method_parse("TRACE"), 0);
    ASSERT_EQ_UINT(http_method_parse(""), 0);
    ASSERT_EQ_UINT(http_method_parse("GETX"), 0);
}

TEST(http_method_name_round_trip)
{
    static const unsigned all[] = {HTTP_GET, HTTP_POST, HTTP_PATCH,  HTTP_DELETE,
                                   HTTP_PUT, HTTP_HEAD, HTTP_OPTIONS};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        ASSERT_EQ_UINT(http_method_parse(http_method_name(all[i])), all[i]);
    ASSERT_STREQ(http_method_name(HTTP_DELETE), "DELETE");
    ASSERT_STREQ(http_method_name(0), "?");
    ASSERT_STREQ(http_method_name(HTTP_GET | HTTP_POST), "?");
}

TEST(http_methods_format_mask)
{
    char buf[64];
    http_methods_format(HTTP_GET | HTTP_POST, buf, sizeof buf);
    ASSERT_STREQ(buf, "GET, POST");
    http_methods_format(HTTP_PATCH, buf, sizeof buf);
    ASSERT_STREQ(buf, "PATCH");
    http_methods_format(HTTP_OPTIONS | HTTP_GET | HTTP_HEAD | HTTP_DELETE, buf, sizeof buf);
    ASSERT_STREQ(buf, "GET, DELETE, HEAD, OPTIONS");
    http_methods_format(0, buf, sizeof buf);
    ASSERT_STREQ(buf, "");
}

TEST(http_methods_format_small_buffer_stays_terminated)
{
    char buf[12];
    memset(buf, 'Z', sizeof buf);
    http_methods_format(HTTP_GET | HTTP_POST | HTTP_DELETE, buf, 10);
    ASSERT_EQ_INT(buf[10], 'Z'); /* nothing written past size */
    ASSERT(memchr(buf, '\0', 10) != NULL);
    ASSERT_EQ_INT(strncmp(buf, "GET, POST", 9), 0);
}
