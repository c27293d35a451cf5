/* Unit tests for server/api/resource.c: every resource of the route table
 * fits the parameter arrays its statements are built in. A description
 * that outgrows them answers 500 at run time; this test names it first. */
#include "test.h"

#include <stdio.h>

#include "api/resource.h"
#include "api/routes.h"
#include "domain/fields.h"

static int generic(route_handler h)
{
    return h == resource_list || h == resource_get || h == resource_create ||
           h == resource_update || h == resource_delete;
}

TEST(resource_params_every_route_fits)
{
    size_t checked = 0;
    for (size_t i = 0; i < api_nroutes; i++) {
        const struct route *rt = &api_routes[i];
        if (!generic(rt->handler))
            continue;
        const struct resource *res = rt->resource;
        ASSERT_NOT_NULL(res);
        if (!resource_params_fit(res))
            FAIL("%s: resource %s binds too many statement parameters", rt->pattern, res->name);
        checked++;
    }
    ASSERT_GT_INT(checked, 0);
}

TEST(resource_params_too_many_fields_do_not_fit)
{
    static struct field many[200];
    for (size_t i = 0; i < sizeof(many) / sizeof(many[0]); i++) {
        many[i].name = "f";
        many[i].type = FT_STRING;
        many[i].flags = F_FILTER;
    }
    struct resource res = {.name = "many", .entity = "many", .table = "many", .fields = many};
    res.nfields = 3;
    ASSERT_TRUE(resource_params_fit(&res));
    res.nfields = sizeof(many) / sizeof(many[0]);
    ASSERT_FALSE(resource_params_fit(&res));
}

TEST(resource_params_count_scope_and_search_marks)
{
    static const struct field one[] = {{.name = "id", .type = FT_ID}};
    struct resource res = {.name = "r", .entity = "r", .table = "r", .fields = one, .nfields = 1};
    char marks[101];
    size_t n = 0;
    for (; n < 100; n++)
        marks[n] = '?';
    marks[n] = '\0';
    res.search = marks;
    ASSERT_FALSE(resource_params_fit(&res));
    res.search = NULL;
    res.scope = marks;
    ASSERT_FALSE(resource_params_fit(&res));
    res.scope = "t.contractor_id = ?";
    ASSERT_TRUE(resource_params_fit(&res));
}
