/* Unit tests for the base map's tile URL check (api/webapp.h): only
 * http(s) templates with {z}, {x} and {y}, and an origin that can stand in
 * a Content-Security-Policy as it is. */
#include "test.h"

#include "api/webapp.h"

static const char *origin_of(const char *tiles)
{
    static char out[300];
    return webapp_map_origin(tiles, out, sizeof(out)) == 0 ? out : NULL;
}

TEST(map_tiles_origin)
{
    ASSERT_STREQ(origin_of("https://tile.example.org/{z}/{x}/{y}.png"), "https://tile.example.org");
    ASSERT_STREQ(origin_of("http://127.0.0.1:8081/tiles/{z}/{x}/{y}.png?key=1"),
                 "http://127.0.0.1:8081");
    ASSERT_STREQ(origin_of("https://[::1]:9000/{z}/{y}/{x}"), "https://[::1]:9000");
    ASSERT_NULL(origin_of("ftp://tile.example.org/{z}/{x}/{y}.png"));
    ASSERT_NULL(origin_of("https://tile.example.org/{z}/{x}.png"));
    ASSERT_NULL(origin_of("https://{s}.tile.example.org/{z}/{x}/{y}.png"));
    ASSERT_NULL(origin_of("https://a.example.org;script-src *;/{z}/{x}/{y}"));
    ASSERT_NULL(origin_of("https://a.example.org 'unsafe-inline'/{z}/{x}/{y}"));
    ASSERT_NULL(origin_of("https:///{z}/{x}/{y}"));
    ASSERT_NULL(origin_of("javascript:alert(1)//{z}{x}{y}"));
}
