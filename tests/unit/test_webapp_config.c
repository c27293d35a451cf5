/* Unit tests for api/webapp.h: the base map's tile URL check (only http(s)
 * templates with {z}, {x} and {y}, and an origin that can stand in a
 * Content-Security-Policy as it is) and the loading of the dashboard's files. */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

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

/* A directory of n small dashboard files; returns its path (static). */
static const char *web_dir_of(int n)
{
    static char dir[] = "/tmp/ftweb-unit-XXXXXX";
    ASSERT(mkdtemp(dir) != NULL);
    for (int i = 0; i < n; i++) {
        char path[64];
        snprintf(path, sizeof(path), "%s/m%03d.js", dir, i);
        FILE *f = fopen(path, "w");
        ASSERT(f != NULL);
        fputs("export {};\n", f);
        fclose(f);
    }
    return dir;
}

static void remove_dir(const char *dir, int n)
{
    for (int i = 0; i < n; i++) {
        char path[64];
        snprintf(path, sizeof(path), "%s/m%03d.js", dir, i);
        unlink(path);
    }
    rmdir(dir);
}

/* A dashboard with more files than the table holds is refused whole: served
 * without some of its modules, it would break in the browser. */
TEST(webapp_refuses_more_files_than_it_serves)
{
    const char *dir = web_dir_of(129);
    int n = webapp_load(dir);
    remove_dir(dir, 129);
    ASSERT_EQ_INT(n, -2);
}

TEST(webapp_loads_every_file)
{
    const char *dir = web_dir_of(128);
    int n = webapp_load(dir);
    remove_dir(dir, 128);
    ASSERT_EQ_INT(n, 128);
}
