/* Unit tests for server/api/openapi.c: the document built from the real
 * route table says what the routes do. */
#include "test.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/openapi.h"
#include "api/routes.h"
#include "http/router.h"

#define KIB 1024
#define MIB (1024 * 1024)

static cJSON *document(void)
{
    char *text = openapi_build(api_routes, api_nroutes, MIB, 64 * KIB);
    ASSERT_NOT_NULL(text);
    cJSON *doc = cJSON_Parse(text);
    free(text);
    ASSERT_NOT_NULL(doc);
    return doc;
}

/* Follows a path of object members, separated by '>' (paths hold '/'). */
static cJSON *at(cJSON *node, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", path);
    char *save = NULL;
    for (char *part = strtok_r(buf, ">", &save); part && node; part = strtok_r(NULL, ">", &save))
        node = cJSON_GetObjectItemCaseSensitive(node, part);
    return node;
}

static int has_string(const cJSON *array, const char *s)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, array)
    {
        if (cJSON_IsString(e) && strcmp(e->valuestring, s) == 0)
            return 1;
    }
    return 0;
}

TEST(openapi_lists_every_route_with_its_success)
{
    cJSON *doc = document();
    ASSERT_STREQ(cJSON_GetObjectItemCaseSensitive(doc, "openapi")->valuestring, "3.1.0");
    for (size_t i = 0; i < api_nroutes; i++) {
        const struct route *rt = &api_routes[i];
        char path[256], method[16], status[8];
        size_t o = 0;
        for (const char *c = rt->pattern; *c; c++) {
            if (*c == ':') {
                path[o++] = '{';
                while (c[1] && c[1] != '/')
                    path[o++] = *++c;
                path[o++] = '}';
            } else {
                path[o++] = *c;
            }
        }
        path[o] = '\0';
        snprintf(method, sizeof(method), "%s", http_method_name(rt->method));
        for (char *c = method; *c; c++)
            *c = (char)(*c - 'A' + 'a');
        cJSON *op = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(at(doc, "paths"), path), method);
        if (!op)
            FAIL("%s %s is not in the document", method, path);
        snprintf(status, sizeof(status), "%d", rt->status);
        cJSON *responses = cJSON_GetObjectItemCaseSensitive(op, "responses");
        if (!cJSON_GetObjectItemCaseSensitive(responses, status))
            FAIL("%s %s does not document its %s", method, path, status);
        EXPECT_TRUE(cJSON_GetObjectItemCaseSensitive(responses, "default") == NULL);
        EXPECT_TRUE(cJSON_GetObjectItemCaseSensitive(responses, "503") != NULL);
    }
    cJSON_Delete(doc);
}

TEST(openapi_success_statuses_are_the_handlers)
{
    cJSON *doc = document();
    ASSERT_NOT_NULL(at(doc, "paths>/api/v1/auth/logout>post>responses>204"));
    ASSERT_NULL(at(doc, "paths>/api/v1/auth/logout>post>responses>201"));
    ASSERT_NOT_NULL(at(doc, "paths>/api/v1/progress-reports/{id}/approve>post>responses>200"));
    ASSERT_NOT_NULL(at(doc, "paths>/api/v1/progress-reports/{id}/reject>post>responses>200"));
    ASSERT_NOT_NULL(at(doc, "paths>/api/v1/projects/{id}/import>post>responses>200"));
    ASSERT_NOT_NULL(at(doc, "paths>/api/v1/segments/{id}>delete>responses>204"));
    ASSERT_NOT_NULL(at(doc, "paths>/api/v1/segments>post>responses>201"));
    cJSON_Delete(doc);
}

TEST(openapi_error_statuses_follow_roles_bodies_and_if_match)
{
    cJSON *doc = document();
    cJSON *patch = at(doc, "paths>/api/v1/segments/{id}>patch>responses");
    static const char *const want[] = {"400", "401", "403", "404", "409", "412",
                                       "413", "415", "422", "428", "503"};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (!cJSON_GetObjectItemCaseSensitive(patch, want[i]))
            FAIL("PATCH /api/v1/segments/{id} does not document %s", want[i]);
    /* Every role may read, and a list has no object to miss. */
    cJSON *list = at(doc, "paths>/api/v1/segments>get>responses");
    EXPECT_TRUE(cJSON_GetObjectItemCaseSensitive(list, "403") == NULL);
    EXPECT_TRUE(cJSON_GetObjectItemCaseSensitive(list, "404") == NULL);
    EXPECT_TRUE(cJSON_GetObjectItemCaseSensitive(list, "415") == NULL);
    EXPECT_TRUE(at(doc, "paths>/api/v1/auth/login>post>responses>429") != NULL);
    EXPECT_TRUE(at(doc, "paths>/api/v1/auth/login>post>responses>403") == NULL);
    EXPECT_TRUE(at(doc, "paths>/api/v1/invoices>get>responses>403") != NULL);
    EXPECT_TRUE(at(doc, "paths>/healthz>get>responses>401") == NULL);
    EXPECT_TRUE(at(doc, "components>responses>405>headers>Allow") != NULL);
    cJSON_Delete(doc);
}

TEST(openapi_bodies_follow_the_field_tables)
{
    cJSON *doc = document();
    cJSON *create = at(doc, "components>schemas>segments.create");
    ASSERT_NOT_NULL(create);
    EXPECT_TRUE(has_string(cJSON_GetObjectItemCaseSensitive(create, "required"), "code"));
    EXPECT_TRUE(at(create, "properties>id") == NULL);
    EXPECT_TRUE(at(create, "properties>progress") == NULL);
    EXPECT_TRUE(at(create, "properties>project_id") != NULL);
    cJSON *update = at(doc, "components>schemas>segments.update");
    ASSERT_NOT_NULL(update);
    EXPECT_TRUE(at(update, "properties>project_id") == NULL);
    EXPECT_TRUE(cJSON_GetObjectItemCaseSensitive(update, "required") == NULL);
    /* Derived fields are returned; nullable ones as a 3.1 type array. */
    cJSON *progress = at(doc, "components>schemas>segments>properties>progress>type");
    ASSERT_TRUE(cJSON_IsArray(progress));
    EXPECT_TRUE(has_string(progress, "null"));
    EXPECT_TRUE(at(doc, "components>schemas>milestones>properties>state") != NULL);
    /* The user's password is taken, never given. */
    EXPECT_TRUE(at(doc, "components>schemas>users.create>properties>password") != NULL);
    EXPECT_TRUE(at(doc, "components>schemas>users>properties>password") == NULL);
    /* Reject takes a comment, not a progress report. */
    const cJSON *ref = at(doc, "paths>/api/v1/progress-reports/{id}/reject>post>requestBody>"
                               "content>application/json>schema>$ref");
    ASSERT_TRUE(cJSON_IsString(ref));
    EXPECT_STREQ(ref->valuestring, "#/components/schemas/Rejection");
    cJSON *approval = at(doc, "paths>/api/v1/progress-reports/{id}/approve>post>requestBody");
    EXPECT_TRUE(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(approval, "required")));
    cJSON_Delete(doc);
}

TEST(openapi_lists_take_the_list_parameters)
{
    cJSON *doc = document();
    cJSON *params = at(doc, "paths>/api/v1/segments>get>parameters");
    ASSERT_TRUE(cJSON_IsArray(params));
    static const char *const want[] = {"limit", "cursor", "fields", "updated_since",
                                       "q",     "status", "lot_id", "project_id"};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        int found = 0;
        const cJSON *p;
        cJSON_ArrayForEach(p, params)
        {
            if (strcmp(cJSON_GetObjectItemCaseSensitive(p, "name")->valuestring, want[i]) == 0)
                found = 1;
        }
        if (!found)
            FAIL("GET /api/v1/segments lacks the parameter %s", want[i]);
    }
    const cJSON *items = at(doc, "components>schemas>segments.list>properties>items>items>$ref");
    ASSERT_TRUE(cJSON_IsString(items));
    EXPECT_STREQ(items->valuestring, "#/components/schemas/segments.selection");
    cJSON_Delete(doc);
}

TEST(openapi_body_limits_are_the_routes)
{
    cJSON *doc = document();
    const cJSON *d = at(doc, "paths>/api/v1/projects/{id}/import>post>requestBody>description");
    ASSERT_TRUE(cJSON_IsString(d));
    EXPECT_TRUE(strstr(d->valuestring, "67108864") != NULL);
    d = at(doc, "paths>/api/v1/auth/login>post>requestBody>description");
    ASSERT_TRUE(cJSON_IsString(d));
    EXPECT_TRUE(strstr(d->valuestring, "65536") != NULL);
    cJSON_Delete(doc);
}

TEST(openapi_refuses_a_route_the_document_cannot_describe)
{
    struct route bad = api_routes[0];
    bad.also = "40x";
    char *text = openapi_build(&bad, 1, MIB, 64 * KIB);
    EXPECT_TRUE(text == NULL);
    free(text);
    bad.also = "418";
    text = openapi_build(&bad, 1, MIB, 64 * KIB);
    EXPECT_TRUE(text == NULL);
    free(text);
    /* A list of nothing in particular. */
    bad = api_routes[0];
    bad.gives = &out_list;
    text = openapi_build(&bad, 1, MIB, 64 * KIB);
    EXPECT_TRUE(text == NULL);
    free(text);
}
