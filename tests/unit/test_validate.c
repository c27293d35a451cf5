/* Unit tests for server/domain/validate.h: strict JSON parsing, field
 * validation against a field table, and the pure value checks. */
#include "test.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/validate.h"
#include "util/pool.h"

/* ---- json_parse_strict ---------------------------------------------------- */

static cJSON *parse(const char *text, char *err, size_t errlen)
{
    err[0] = '\0';
    return json_parse_strict(text, strlen(text), err, errlen);
}

/* Asserts text is rejected with a message containing want. */
static void expect_rejected(const char *text, const char *want)
{
    char err[160];
    cJSON *j = parse(text, err, sizeof err);
    if (j) {
        cJSON_Delete(j);
        FAIL("json_parse_strict accepted %s", text);
    }
    if (!strstr(err, want))
        FAIL("json_parse_strict(%s): message \"%s\" lacks \"%s\"", text, err, want);
}

TEST(json_strict_accepts_object)
{
    char err[160];
    cJSON *j =
        parse("  {\"a\": 1, \"b\": {\"c\": [1, \"x\", {\"d\": null}]}}\r\n\t ", err, sizeof err);
    ASSERT_NOT_NULL(j);
    ASSERT(cJSON_IsObject(j));
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(j, "b");
    ASSERT(cJSON_IsObject(b));
    ASSERT_EQ_INT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(b, "c")), 3);
    cJSON_Delete(j);
}

TEST(json_strict_accepts_valid_utf8)
{
    char err[160];
    cJSON *j = parse("{\"stra\xc3\x9f"
                     "e\": \"\xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80\"}",
                     err, sizeof err);
    ASSERT_NOT_NULL(j);
    cJSON_Delete(j);
}

TEST(json_strict_rejects_empty_body)
{
    char err[160] = "";
    ASSERT_NULL(json_parse_strict("", 0, err, sizeof err));
    ASSERT(strstr(err, "empty") != NULL);
}

TEST(json_strict_rejects_malformed)
{
    expect_rejected("{", "not valid JSON");
    expect_rejected("{\"a\":}", "not valid JSON");
    expect_rejected("{'a': 1}", "not valid JSON");
    expect_rejected("{\"a\": 1,}", "not valid JSON");
    expect_rejected("   ", "not valid JSON");
    expect_rejected("nul", "not valid JSON");
}

TEST(json_strict_rejects_trailing_data)
{
    expect_rejected("{} {}", "after the JSON value");
    expect_rejected("{\"a\":1}x", "after the JSON value");
    expect_rejected("[1]]", "after the JSON value");
}

TEST(json_strict_respects_length)
{
    /* only the first len bytes are the body */
    char err[160];
    const char *text = "{\"a\":1}GARBAGE";
    cJSON *j = json_parse_strict(text, 7, err, sizeof err);
    ASSERT_NOT_NULL(j);
    ASSERT_EQ_INT(cJSON_GetObjectItemCaseSensitive(j, "a")->valueint, 1);
    cJSON_Delete(j);
    /* an embedded NUL inside the length is data after the value */
    ASSERT_NULL(json_parse_strict("{}\0x", 4, err, sizeof err));
}

TEST(json_strict_rejects_duplicate_keys_top_level)
{
    expect_rejected("{\"a\": 1, \"b\": 2, \"a\": 3}", "duplicate key \"a\"");
}

TEST(json_strict_rejects_duplicate_keys_nested)
{
    expect_rejected("{\"x\": {\"k\": 1, \"k\": 1}}", "duplicate key \"k\"");
    expect_rejected("{\"x\": [{\"ok\": 1}, {\"k\": 1, \"k\": 2}]}", "duplicate key \"k\"");
}

TEST(json_strict_same_key_in_different_objects_is_fine)
{
    char err[160];
    cJSON *j = parse("{\"k\": {\"k\": 1}, \"o\": [{\"k\": 1}, {\"k\": 2}]}", err, sizeof err);
    ASSERT_NOT_NULL(j);
    cJSON_Delete(j);
    /* keys are case-sensitive */
    j = parse("{\"k\": 1, \"K\": 2}", err, sizeof err);
    ASSERT_NOT_NULL(j);
    cJSON_Delete(j);
}

TEST(json_strict_rejects_invalid_utf8_in_keys)
{
    expect_rejected("{\"a\xff\": 1}", "key is not valid UTF-8");
    expect_rejected("{\"o\": {\"\xc0\xaf\": 1}}", "key is not valid UTF-8");
}

TEST(json_strict_rejects_invalid_utf8_in_strings)
{
    expect_rejected("{\"a\": \"\xff\"}", "string is not valid UTF-8");
    expect_rejected("{\"a\": [\"ok\", \"\xed\xa0\x80\"]}", "string is not valid UTF-8");
    expect_rejected("{\"a\": {\"b\": \"\xe2\x82\"}}", "string is not valid UTF-8");
}

/* The contract: NULL for any body with invalid UTF-8, also when the body is
 * a bare string (check_tree only walks children of the root). */
TEST(json_strict_rejects_invalid_utf8_in_top_level_string)
{
    char err[160];
    cJSON *j = parse("\"\xff\xfe\"", err, sizeof err);
    int accepted = j != NULL;
    cJSON_Delete(j);
    ASSERT_FALSE(accepted);
}

/* ---- validate_body -------------------------------------------------------- */

static const char *const status_values[] = {"planned", "done", NULL};

enum {
    F_COUNT,
    F_REF_,
    F_PRICE,
    F_LENGTH,
    F_RATIO,
    F_ACTIVE,
    F_NAME,
    F_NOTE,
    F_EMAIL_,
    F_STATUS,
    F_DAY,
    F_AT,
    F_LAT_,
    F_LON_,
    F_ROUTE,
    F_ID_,
    F_CODE,
    F_ODD,
    NFIELDS
};

static const struct field fields[NFIELDS] = {
    [F_COUNT] = {.name = "count", .type = FT_INT, .min = 0, .max = 100},
    [F_REF_] = {.name = "ref", .type = FT_REF, .ref_table = "things"},
    [F_PRICE] = {.name = "price", .type = FT_MONEY, .min = 0, .max = 1000000},
    [F_LENGTH] = {.name = "length", .type = FT_DECIMAL, .min = 0, .max = 1000},
    [F_RATIO] = {.name = "ratio", .type = FT_RATE},
    [F_ACTIVE] = {.name = "active", .type = FT_BOOL},
    [F_NAME] = {.name = "name", .type = FT_STRING, .flags = F_REQUIRED, .max = 5},
    [F_NOTE] = {.name = "note", .type = FT_STRING, .flags = F_NULLABLE | F_MULTILINE},
    [F_EMAIL_] = {.name = "email", .type = FT_EMAIL, .max = 100},
    [F_STATUS] = {.name = "status", .type = FT_ENUM, .values = status_values},
    [F_DAY] = {.name = "day", .type = FT_DATE, .flags = F_NULLABLE},
    [F_AT] = {.name = "at", .type = FT_TIMESTAMP},
    [F_LAT_] = {.name = "lat", .type = FT_LAT},
    [F_LON_] = {.name = "lon", .type = FT_LON},
    [F_ROUTE] = {.name = "route", .type = FT_GEOMETRY},
    [F_ID_] = {.name = "id", .type = FT_ID, .flags = F_READONLY},
    [F_CODE] = {.name = "code", .type = FT_STRING, .flags = F_IMMUTABLE, .max = 20},
    [F_ODD] = {.name = "a/b~c", .type = FT_INT, .min = 0, .max = 1},
};

#define MAXERR 8

struct vres {
    int nerr;
    int nerrors; /* size of the errors array */
    size_t nout;
    struct value out[NFIELDS];
    char text[NFIELDS][512];
    int has_text[NFIELDS];
    char pointer[MAXERR][200];
    char detail[MAXERR][200];
};

/* Parses json strictly, validates it and copies everything out, freeing
 * the pool, the body and the errors. */
static void run(const char *json, int creating, struct vres *r)
{
    char err[160];
    memset(r, 0, sizeof *r);
    cJSON *body = json_parse_strict(json, strlen(json), err, sizeof err);
    if (!body)
        FAIL("test body does not parse: %s (%s)", json, err);
    struct pool *pool = pool_new();
    ASSERT_NOT_NULL(pool);
    cJSON *errors = cJSON_CreateArray();
    r->nerr = validate_body(fields, NFIELDS, body, creating, pool, errors, r->out, &r->nout);
    r->nerrors = cJSON_GetArraySize(errors);
    for (int i = 0; i < r->nerrors && i < MAXERR; i++) {
        const cJSON *e = cJSON_GetArrayItem(errors, i);
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "pointer");
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(e, "detail");
        snprintf(r->pointer[i], sizeof r->pointer[i], "%s",
                 cJSON_IsString(p) ? p->valuestring : "(missing)");
        snprintf(r->detail[i], sizeof r->detail[i], "%s",
                 cJSON_IsString(d) ? d->valuestring : "(missing)");
    }
    for (size_t i = 0; i < r->nout && i < NFIELDS; i++) {
        if (r->out[i].text) {
            snprintf(r->text[i], sizeof r->text[i], "%s", r->out[i].text);
            r->has_text[i] = 1;
        }
        r->out[i].text = NULL; /* pool memory is gone after this */
    }
    cJSON_Delete(errors);
    cJSON_Delete(body);
    pool_free(pool);
}

/* Asserts json validates without errors (update unless creating) into one value. */
static void expect_ok1(const char *json, struct vres *r)
{
    run(json, 0, r);
    if (r->nerr != 0)
        FAIL("%s: unexpected error %s: %s", json, r->pointer[0], r->detail[0]);
    if (r->nerrors != 0)
        FAIL("%s: errors array has %d entries", json, r->nerrors);
    if (r->nout != 1)
        FAIL("%s: nout is %zu, expected 1", json, r->nout);
}

/* Asserts json (an update) gives exactly one error at pointer whose detail
 * contains detail, and no value. */
static void expect_err1(const char *json, const char *pointer, const char *detail)
{
    static struct vres r;
    run(json, 0, &r);
    if (r.nerr != 1 || r.nerrors != 1)
        FAIL("%s: expected one error, got %d (array %d)", json, r.nerr, r.nerrors);
    if (strcmp(r.pointer[0], pointer) != 0)
        FAIL("%s: pointer \"%s\", expected \"%s\"", json, r.pointer[0], pointer);
    if (!strstr(r.detail[0], detail))
        FAIL("%s: detail \"%s\" lacks \"%s\"", json, r.detail[0], detail);
    if (r.nout != 0)
        FAIL("%s: nout is %zu, expected 0", json, r.nout);
}

TEST(validate_int_in_range)
{
    static struct vres r;
    expect_ok1("{\"count\": 42}", &r);
    ASSERT(r.out[0].field == &fields[F_COUNT]);
    ASSERT_EQ_INT(r.out[0].i, 42);
    ASSERT_NEAR(r.out[0].num, 42.0, 0);
    ASSERT_FALSE(r.out[0].is_null);
    expect_ok1("{\"count\": 0}", &r);
    ASSERT_EQ_INT(r.out[0].i, 0);
    expect_ok1("{\"count\": 100}", &r);
    ASSERT_EQ_INT(r.out[0].i, 100);
    expect_ok1("{\"count\": 7.0}", &r); /* integral value written as a float */
    ASSERT_EQ_INT(r.out[0].i, 7);
}

TEST(validate_int_range_and_integrality)
{
    expect_err1("{\"count\": 101}", "/count", "must be between 0 and 100");
    expect_err1("{\"count\": -1}", "/count", "must be between 0 and 100");
    expect_err1("{\"count\": 1.5}", "/count", "must be an integer");
    expect_err1("{\"count\": 1e300}", "/count", "must be an integer");
    expect_err1("{\"count\": -1e300}", "/count", "must be an integer");
    expect_err1("{\"count\": \"5\"}", "/count", "must be an integer");
    expect_err1("{\"count\": true}", "/count", "must be an integer");
    expect_err1("{\"count\": [1]}", "/count", "must be an integer");
}

TEST(validate_ref_is_positive_safe_integer)
{
    static struct vres r;
    expect_ok1("{\"ref\": 1}", &r);
    ASSERT_EQ_INT(r.out[0].i, 1);
    expect_ok1("{\"ref\": 9007199254740991}", &r);
    ASSERT_EQ_INT(r.out[0].i, 9007199254740991LL);
    expect_err1("{\"ref\": 0}", "/ref", "must be between 1 and 9007199254740991");
    expect_err1("{\"ref\": -4}", "/ref", "must be between 1");
    expect_err1("{\"ref\": 9007199254740992}", "/ref", "must be an integer");
    expect_err1("{\"ref\": 2.5}", "/ref", "must be an integer");
    expect_err1("{\"ref\": \"3\"}", "/ref", "must be an integer");
}

TEST(validate_money_is_integer_cents)
{
    static struct vres r;
    expect_ok1("{\"price\": 1999}", &r);
    ASSERT_EQ_INT(r.out[0].i, 1999);
    expect_ok1("{\"price\": 1000000}", &r);
    ASSERT_EQ_INT(r.out[0].i, 1000000);
    expect_err1("{\"price\": 19.99}", "/price", "must be an integer");
    expect_err1("{\"price\": -1}", "/price", "must be between 0 and 1000000");
    expect_err1("{\"price\": 1000001}", "/price", "must be between 0 and 1000000");
}

TEST(validate_decimal_two_places)
{
    static struct vres r;
    expect_ok1("{\"length\": 12.34}", &r);
    ASSERT_NEAR(r.out[0].num, 12.34, 1e-12);
    expect_ok1("{\"length\": 0.1}", &r);
    ASSERT_NEAR(r.out[0].num, 0.1, 1e-12);
    expect_ok1("{\"length\": 999.99}", &r);
    expect_ok1("{\"length\": 1000}", &r);
    expect_ok1("{\"length\": 0}", &r);
    expect_err1("{\"length\": 12.345}", "/length", "must have at most two decimals");
    expect_err1("{\"length\": 0.001}", "/length", "must have at most two decimals");
    expect_err1("{\"length\": 1000.01}", "/length", "must be between 0 and 1000");
    expect_err1("{\"length\": -0.01}", "/length", "must be between 0 and 1000");
    expect_err1("{\"length\": \"1.5\"}", "/length", "must be a number");
    expect_err1("{\"length\": false}", "/length", "must be a number");
}

TEST(validate_rate_fraction_four_places)
{
    static struct vres r;
    expect_ok1("{\"ratio\": 0.1234}", &r);
    ASSERT_NEAR(r.out[0].num, 0.1234, 1e-12);
    expect_ok1("{\"ratio\": 0}", &r);
    expect_ok1("{\"ratio\": 1}", &r);
    ASSERT_NEAR(r.out[0].num, 1.0, 0);
    expect_err1("{\"ratio\": 0.12345}", "/ratio", "must have at most four decimals");
    expect_err1("{\"ratio\": 1.0001}", "/ratio", "must be between 0 and 1");
    expect_err1("{\"ratio\": -0.0001}", "/ratio", "must be between 0 and 1");
    expect_err1("{\"ratio\": 50}", "/ratio", "must be between 0 and 1");
}

TEST(validate_bool)
{
    static struct vres r;
    expect_ok1("{\"active\": true}", &r);
    ASSERT_EQ_INT(r.out[0].i, 1);
    expect_ok1("{\"active\": false}", &r);
    ASSERT_EQ_INT(r.out[0].i, 0);
    expect_err1("{\"active\": 1}", "/active", "must be true or false");
    expect_err1("{\"active\": \"true\"}", "/active", "must be true or false");
}

TEST(validate_string_max_counts_characters_not_bytes)
{
    static struct vres r;
    expect_ok1("{\"name\": \"abcde\"}", &r);
    ASSERT_STREQ(r.text[0], "abcde");
    /* 5 characters, 6 bytes */
    expect_ok1("{\"name\": \"h\xc3\xa9llo\"}", &r);
    ASSERT_STREQ(r.text[0], "h\xc3\xa9llo");
    /* 5 characters, 15 bytes */
    expect_ok1("{\"name\": \"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xa7\xe3\x81\x99\"}", &r);
    /* an escaped non-ASCII character counts once too */
    expect_ok1("{\"name\": \"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\"}", &r);
    ASSERT_EQ_UINT(strlen(r.text[0]), 10);
    expect_err1("{\"name\": \"abcdef\"}", "/name", "must have at most 5 characters");
    expect_err1("{\"name\": \"h\xc3\xa9llo!\"}", "/name", "must have at most 5 characters");
}

TEST(validate_string_default_max_is_200)
{
    static struct vres r;
    char json[512];
    char s[202];
    memset(s, 'x', 200);
    s[200] = '\0';
    snprintf(json, sizeof json, "{\"note\": \"%s\"}", s);
    expect_ok1(json, &r);
    ASSERT_EQ_UINT(strlen(r.text[0]), 200);
    s[200] = 'x';
    s[201] = '\0';
    snprintf(json, sizeof json, "{\"note\": \"%s\"}", s);
    expect_err1(json, "/note", "must have at most 200 characters");
}

TEST(validate_string_required_not_empty)
{
    static struct vres r;
    expect_err1("{\"name\": \"\"}", "/name", "must not be empty");
    /* an optional string may be empty */
    expect_ok1("{\"note\": \"\"}", &r);
    ASSERT_TRUE(r.has_text[0]);
    ASSERT_STREQ(r.text[0], "");
}

TEST(validate_string_control_characters)
{
    static struct vres r;
    expect_err1("{\"note\": \"a\\u0001b\"}", "/note", "must not contain control characters");
    expect_err1("{\"note\": \"a\\u001fb\"}", "/note", "must not contain control characters");
    expect_err1("{\"note\": \"\\u001b[31m\"}", "/note", "must not contain control characters");
    /* newline, tab and CRLF are allowed in free text */
    expect_ok1("{\"note\": \"a\\nb\\tc\\r\\nd\"}", &r);
    ASSERT_STREQ(r.text[0], "a\nb\tc\r\nd");
    expect_err1("{\"note\": 5}", "/note", "must be a string");
}

/* A carriage return on its own rewrites what a terminal or log shows: only
 * CRLF is a line break. */
TEST(validate_string_lone_carriage_return)
{
    expect_err1("{\"note\": \"a\\rb\"}", "/note", "control characters");
    expect_err1("{\"note\": \"a\\r\"}", "/note", "control characters");
    expect_err1("{\"note\": \"a\\n\\rb\"}", "/note", "control characters");
    expect_err1("{\"name\": \"a\\r\\n\"}", "/name", "line breaks");
}

/* An escaped NUL reaches validation as a control character in the field
 * that holds it (422), never as a shorter string. */
TEST(validate_escaped_nul_names_the_field)
{
    static struct vres r;
    expect_err1("{\"note\": \"visible\\u0000hidden\"}", "/note", "control characters");
    expect_err1("{\"name\": \"a\\u0000\"}", "/name", "control characters");
    expect_err1("{\"status\": \"done\\u0000\"}", "/status", "must be one of");
    /* an escaped backslash before u0000 is text, not an escape */
    expect_ok1("{\"note\": \"C:\\\\u0000\"}", &r);
    ASSERT_STREQ(r.text[0], "C:\\u0000");
    /* a backslash, then an escaped NUL */
    expect_err1("{\"note\": \"\\\\\\u0000\"}", "/note", "control characters");
}

TEST(validate_email)
{
    static struct vres r;
    expect_ok1("{\"email\": \"ann@example.org\"}", &r);
    ASSERT_STREQ(r.text[0], "ann@example.org");
    expect_ok1("{\"email\": \"a.b+c@x.y.z\"}", &r);
    expect_err1("{\"email\": \"example.org\"}", "/email", "must be an e-mail address");
    expect_err1("{\"email\": \"@example.org\"}", "/email", "must be an e-mail address");
    expect_err1("{\"email\": \"ann@\"}", "/email", "must be an e-mail address");
    expect_err1("{\"email\": \"ann@localhost\"}", "/email", "must be an e-mail address");
    expect_err1("{\"email\": \"a@b@c.d\"}", "/email", "must be an e-mail address");
    expect_err1("{\"email\": \"an n@x.org\"}", "/email", "must be an e-mail address");
    expect_err1("{\"email\": \"ann@x.org\\n\"}", "/email", "must be an e-mail address");
    expect_err1("{\"email\": 1}", "/email", "must be a string");
}

TEST(validate_enum)
{
    static struct vres r;
    expect_ok1("{\"status\": \"done\"}", &r);
    ASSERT_STREQ(r.text[0], "done");
    expect_err1("{\"status\": \"Done\"}", "/status", "must be one of planned, done");
    expect_err1("{\"status\": \"\"}", "/status", "must be one of planned, done");
    expect_err1("{\"status\": 0}", "/status", "must be one of planned, done");
}

TEST(validate_date_field)
{
    static struct vres r;
    expect_ok1("{\"day\": \"2026-02-28\"}", &r);
    ASSERT_STREQ(r.text[0], "2026-02-28");
    expect_ok1("{\"day\": \"2028-02-29\"}", &r);
    ASSERT_STREQ(r.text[0], "2028-02-29");
    expect_err1("{\"day\": \"2026-02-29\"}", "/day", "must be a date (YYYY-MM-DD)");
    expect_err1("{\"day\": \"2026-2-28\"}", "/day", "must be a date");
    expect_err1("{\"day\": \"2026-02-28T00:00:00Z\"}", "/day", "must be a date");
    expect_err1("{\"day\": 20260228}", "/day", "must be a date");
}

TEST(validate_timestamp_field_converts_to_utc)
{
    static struct vres r;
    expect_ok1("{\"at\": \"2026-01-31T12:00:00Z\"}", &r);
    ASSERT_STREQ(r.text[0], "2026-01-31 12:00:00.000");
    expect_ok1("{\"at\": \"2026-01-01T01:30:00.25+02:00\"}", &r);
    ASSERT_STREQ(r.text[0], "2025-12-31 23:30:00.250");
    expect_err1("{\"at\": \"2026-01-31T12:00:00\"}", "/at", "must be an RFC 3339 timestamp");
    expect_err1("{\"at\": 1767225600}", "/at", "must be an RFC 3339 timestamp");
}

TEST(validate_lat_lon_bounds)
{
    static struct vres r;
    expect_ok1("{\"lat\": 90}", &r);
    ASSERT_NEAR(r.out[0].num, 90.0, 0);
    expect_ok1("{\"lat\": -90}", &r);
    expect_ok1("{\"lat\": 52.520008}", &r); /* no decimal limit on coordinates */
    ASSERT_NEAR(r.out[0].num, 52.520008, 1e-12);
    expect_err1("{\"lat\": 90.0001}", "/lat", "must be between -90 and 90");
    expect_err1("{\"lat\": -91}", "/lat", "must be between -90 and 90");
    expect_ok1("{\"lon\": 180}", &r);
    expect_ok1("{\"lon\": -180}", &r);
    expect_err1("{\"lon\": 180.5}", "/lon", "must be between -180 and 180");
    expect_err1("{\"lon\": -181}", "/lon", "must be between -180 and 180");
    expect_err1("{\"lon\": \"13.4\"}", "/lon", "must be a number");
}

TEST(validate_geometry_linestring_ok_and_cleaned)
{
    static struct vres r;
    expect_ok1("{\"route\": {\"type\": \"LineString\", \"coordinates\": [[13.4, 52.5], [13.5, "
               "52.6]], \"bbox\": [1, 2, 3, 4], \"crs\": {\"type\": \"name\", \"properties\": "
               "{\"name\": \"urn:ogc:def:crs:OGC:1.3:CRS84\"}}}}",
               &r);
    ASSERT_TRUE(r.has_text[0]);
    /* only type and coordinates are kept */
    ASSERT_STREQ(r.text[0], "{\"type\":\"LineString\",\"coordinates\":[[13.4,52.5],[13.5,52.6]]}");
}

/* Builds {"route": {"type": "LineString", "coordinates": [[13.4, 52.5],
 * [13.5, 52.6]], "crs": <crs>}}. */
static void route_with_crs(char *out, size_t n, const char *crs)
{
    snprintf(
        out, n,
        "{\"route\": {\"type\": \"LineString\", \"coordinates\": [[13.4, 52.5], [13.5, 52.6]], "
        "\"crs\": %s}}",
        crs);
}

TEST(validate_geometry_crs_must_be_wgs84)
{
    static struct vres r;
    static const char *const ok[] = {"EPSG:4326", "urn:ogc:def:crs:EPSG::4326",
                                     "urn:ogc:def:crs:OGC:1.3:CRS84", "epsg:4326"};
    char json[512], crs[200];
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        snprintf(crs, sizeof crs, "{\"type\": \"name\", \"properties\": {\"name\": \"%s\"}}",
                 ok[i]);
        route_with_crs(json, sizeof json, crs);
        expect_ok1(json, &r);
    }
    static const char *const bad[] = {
        "{\"type\": \"name\", \"properties\": {\"name\": \"EPSG:25832\"}}",
        "{\"type\": \"name\", \"properties\": {\"name\": \"urn:ogc:def:crs:EPSG::25832\"}}",
        "{\"type\": \"name\", \"properties\": {\"name\": \"EPSG:43260\"}}",
        "{\"type\": \"name\", \"properties\": {\"name\": \"CRS84x\"}}",
        "{\"type\": \"name\"}",
        "{\"type\": \"link\", \"properties\": {\"href\": \"http://x\", \"type\": \"proj4\"}}",
        "\"EPSG:4326\"",
        "null",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        route_with_crs(json, sizeof json, bad[i]);
        expect_err1(json, "/route", "crs");
    }
}

/* Heights are refused, not dropped on the way to the database. */
TEST(validate_geometry_refuses_z)
{
    expect_err1("{\"route\": {\"type\": \"LineString\", \"coordinates\": [[13.4, 52.5], [13.5, "
                "52.6, 34]]}}",
                "/route", "heights");
    expect_err1("{\"route\": {\"type\": \"LineString\", \"coordinates\": [[13.4, 52.5, 0], [13.5, "
                "52.6, 0]]}}",
                "/route", "heights");
}

TEST(geojson_position_problem_cases)
{
    char err[160];
    cJSON *j = parse("[[13.4, 52.5], [13.4, 52.5, 1], [13.4], [181, 0], [\"1\", 2], 5, [], "
                     "[0, 0, 0, 0]]",
                     err, sizeof err);
    ASSERT_NOT_NULL(j);
    const char *why[8];
    int i = 0;
    for (const cJSON *c = j->child; c && i < 8; c = c->next)
        why[i++] = geojson_position_problem(c);
    cJSON_Delete(j);
    ASSERT_EQ_INT(i, 8);
    ASSERT_NULL(why[0]);
    ASSERT(why[1] && strstr(why[1], "heights"));
    for (int k = 2; k < 8; k++)
        ASSERT(why[k] && strstr(why[k], "[longitude, latitude]") && !strstr(why[k], "heights"));
}

TEST(validate_geometry_rejections)
{
    expect_err1("{\"route\": {\"type\": \"Point\", \"coordinates\": [1, 2]}}", "/route",
                "must be a GeoJSON LineString");
    expect_err1("{\"route\": [[1, 2], [3, 4]]}", "/route", "must be a GeoJSON LineString");
    expect_err1("{\"route\": \"LINESTRING(1 2, 3 4)\"}", "/route", "must be a GeoJSON LineString");
    expect_err1("{\"route\": {\"coordinates\": [[1, 2], [3, 4]]}}", "/route",
                "must be a GeoJSON LineString");
    expect_err1("{\"route\": {\"type\": \"LineString\", \"coordinates\": [[1, 2]]}}", "/route",
                "must have between 2 and 10000 positions");
    expect_err1("{\"route\": {\"type\": \"LineString\", \"coordinates\": {\"a\": 1, \"b\": 2}}}",
                "/route", "must have between 2 and 10000 positions");
    expect_err1("{\"route\": {\"type\": \"LineString\", \"coordinates\": [[181, 0], [0, 0]]}}",
                "/route", "positions must be [longitude, latitude] in WGS84");
    expect_err1("{\"route\": {\"type\": \"LineString\", \"coordinates\": [[0, 0], [0, -90.5]]}}",
                "/route", "positions must be");
    expect_err1("{\"route\": {\"type\": \"LineString\", \"coordinates\": [[0, 0], [1]]}}", "/route",
                "positions must be");
    expect_err1("{\"route\": {\"type\": \"LineString\", \"coordinates\": [[0, 0], [1, 2, 3, 4]]}}",
                "/route", "positions must be");
    expect_err1("{\"route\": {\"type\": \"LineString\", \"coordinates\": [[0, 0], [\"1\", 2]]}}",
                "/route", "positions must be");
    expect_err1("{\"route\": {\"type\": \"LineString\", \"coordinates\": [[0, 0], 5]}}", "/route",
                "positions must be");
    expect_err1("{\"route\": {\"type\": \"LineString\", \"coordinates\": [[0, 0], [1, 1]], "
                "\"properties\": {}}}",
                "/route", "has an unknown member");
}

/* A number past the double range parses as infinity, which cJSON prints as
 * null: such a position must be refused, not stored as [lon, lat, null]. */
TEST(validate_geometry_rejects_infinite_positions)
{
    expect_err1("{\"route\": {\"type\": \"LineString\", "
                "\"coordinates\": [[0, 0], [1, 1, 1e999]]}}",
                "/route", "positions must be");
    expect_err1("{\"route\": {\"type\": \"LineString\", "
                "\"coordinates\": [[0, 0], [1e999, 1]]}}",
                "/route", "positions must be");
    expect_err1("{\"route\": {\"type\": \"LineString\", "
                "\"coordinates\": [[0, 0], [1, 1, -1e999]]}}",
                "/route", "positions must be");
}

/* Builds {"route": {"type": "LineString", "coordinates": [n positions]}}. */
static char *geometry_with(int n)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *g = cJSON_AddObjectToObject(root, "route");
    cJSON_AddStringToObject(g, "type", "LineString");
    cJSON *c = cJSON_AddArrayToObject(g, "coordinates");
    for (int i = 0; i < n; i++) {
        cJSON *pt = cJSON_CreateArray();
        cJSON_AddItemToArray(pt, cJSON_CreateNumber(i % 100));
        cJSON_AddItemToArray(pt, cJSON_CreateNumber(1));
        cJSON_AddItemToArray(c, pt);
    }
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return text;
}

TEST(validate_geometry_position_limit)
{
    static struct vres r;
    char *ok = geometry_with(10000);
    char *big = geometry_with(10001);
    ASSERT_NOT_NULL(ok);
    ASSERT_NOT_NULL(big);
    run(ok, 0, &r);
    int ok_errors = r.nerr;
    run(big, 0, &r);
    int big_errors = r.nerr;
    char big_detail[200];
    snprintf(big_detail, sizeof big_detail, "%s", r.detail[0]);
    free(ok);
    free(big);
    ASSERT_EQ_INT(ok_errors, 0);
    ASSERT_EQ_INT(big_errors, 1);
    ASSERT(strstr(big_detail, "between 2 and 10000") != NULL);
}

TEST(validate_null_needs_nullable)
{
    static struct vres r;
    expect_ok1("{\"note\": null}", &r);
    ASSERT_TRUE(r.out[0].is_null);
    ASSERT(r.out[0].field == &fields[F_NOTE]);
    expect_ok1("{\"day\": null}", &r);
    ASSERT_TRUE(r.out[0].is_null);
    expect_err1("{\"count\": null}", "/count", "must not be null");
    expect_err1("{\"name\": null}", "/name", "must not be null");
    expect_err1("{\"route\": null}", "/route", "must not be null");
}

TEST(validate_readonly_rejected_on_create_and_update)
{
    static struct vres r;
    expect_err1("{\"id\": 5}", "/id", "is read-only");
    run("{\"name\": \"x\", \"id\": 5}", 1, &r);
    ASSERT_EQ_INT(r.nerr, 1);
    ASSERT_STREQ(r.pointer[0], "/id");
    ASSERT_STREQ(r.detail[0], "is read-only");
    ASSERT_EQ_UINT(r.nout, 1);
}

TEST(validate_immutable_only_on_create)
{
    static struct vres r;
    expect_err1("{\"code\": \"K-1\"}", "/code", "cannot be changed after creation");
    run("{\"name\": \"x\", \"code\": \"K-1\"}", 1, &r);
    ASSERT_EQ_INT(r.nerr, 0);
    ASSERT_EQ_UINT(r.nout, 2);
    ASSERT(r.out[1].field == &fields[F_CODE]);
    ASSERT_STREQ(r.text[1], "K-1");
}

TEST(validate_unknown_field)
{
    expect_err1("{\"bogus\": 1}", "/bogus", "is not a known field");
    /* names are case-sensitive */
    expect_err1("{\"Count\": 1}", "/Count", "is not a known field");
}

TEST(validate_required_on_create_only)
{
    static struct vres r;
    run("{}", 1, &r);
    ASSERT_EQ_INT(r.nerr, 1);
    ASSERT_EQ_INT(r.nerrors, 1);
    ASSERT_STREQ(r.pointer[0], "/name");
    ASSERT_STREQ(r.detail[0], "is required");
    ASSERT_EQ_UINT(r.nout, 0);

    run("{\"count\": 3}", 1, &r);
    ASSERT_EQ_INT(r.nerr, 1);
    ASSERT_STREQ(r.pointer[0], "/name");
    ASSERT_EQ_UINT(r.nout, 1);

    run("{\"name\": \"Ann\"}", 1, &r);
    ASSERT_EQ_INT(r.nerr, 0);
    ASSERT_EQ_UINT(r.nout, 1);

    /* an update need not repeat required fields */
    run("{}", 0, &r);
    ASSERT_EQ_INT(r.nerr, 0);
    ASSERT_EQ_INT(r.nerrors, 0);
    ASSERT_EQ_UINT(r.nout, 0);
}

TEST(validate_collects_all_errors_and_values_in_order)
{
    static struct vres r;
    run("{\"count\": 1, \"bogus\": 1, \"active\": true, \"day\": \"x\", \"ratio\": 2}", 0, &r);
    ASSERT_EQ_INT(r.nerr, 3);
    ASSERT_EQ_INT(r.nerrors, 3);
    ASSERT_STREQ(r.pointer[0], "/bogus");
    ASSERT_STREQ(r.pointer[1], "/day");
    ASSERT_STREQ(r.pointer[2], "/ratio");
    ASSERT_EQ_UINT(r.nout, 2);
    ASSERT(r.out[0].field == &fields[F_COUNT]);
    ASSERT(r.out[1].field == &fields[F_ACTIVE]);
    ASSERT_EQ_INT(r.out[1].i, 1);
}

TEST(validate_body_must_be_object)
{
    static struct vres r;
    run("[1, 2]", 0, &r);
    ASSERT_EQ_INT(r.nerr, 1);
    ASSERT_STREQ(r.pointer[0], ""); /* the whole document */
    ASSERT(strstr(r.detail[0], "must be a JSON object") != NULL);
    ASSERT_EQ_UINT(r.nout, 0);
    run("\"text\"", 1, &r);
    ASSERT_EQ_INT(r.nerr, 1);
}

TEST(validate_error_pointer_escapes_tilde_and_slash)
{
    static struct vres r;
    /* a known field whose name needs escaping, with a bad value */
    expect_err1("{\"a/b~c\": 2}", "/a~1b~0c", "must be between 0 and 1");
    expect_ok1("{\"a/b~c\": 1}", &r);
    /* unknown names too */
    expect_err1("{\"~/\": 1}", "/~0~1", "is not a known field");
    expect_err1("{\"x~1\": 1}", "/x~01", "is not a known field");
}

TEST(validation_error_appends_pointer_and_detail)
{
    cJSON *errors = cJSON_CreateArray();
    validation_error(errors, "name", "is bad");
    validation_error(errors, "", "whole");
    validation_error(errors, "m~n/o", "esc");
    int n = cJSON_GetArraySize(errors);
    char p0[64], d0[64], p1[64], p2[64];
    snprintf(
        p0, sizeof p0, "%s",
        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(errors, 0), "pointer")->valuestring);
    snprintf(
        d0, sizeof d0, "%s",
        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(errors, 0), "detail")->valuestring);
    snprintf(
        p1, sizeof p1, "%s",
        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(errors, 1), "pointer")->valuestring);
    snprintf(
        p2, sizeof p2, "%s",
        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(errors, 2), "pointer")->valuestring);
    cJSON_Delete(errors);
    ASSERT_EQ_INT(n, 3);
    ASSERT_STREQ(p0, "/name");
    ASSERT_STREQ(d0, "is bad");
    ASSERT_STREQ(p1, "");
    ASSERT_STREQ(p2, "/m~0n~1o");
}

/* A name longer than the pointer holds is cut between characters: the
 * problem document goes out as JSON, which must be UTF-8. */
TEST(validation_error_cuts_long_names_between_characters)
{
    for (int lead = 0; lead < 4; lead++) {
        char name[400];
        size_t n = 0;
        for (int i = 0; i < lead; i++)
            name[n++] = 'a';
        for (int i = 0; i < 100; i++) {
            memcpy(name + n, "\xe2\x82\xac", 3); /* the euro sign */
            n += 3;
        }
        name[n] = '\0';
        cJSON *errors = cJSON_CreateArray();
        validation_error(errors, name, "is not a known field");
        char ptr[200];
        snprintf(ptr, sizeof ptr, "%s",
                 cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(errors, 0), "pointer")
                     ->valuestring);
        cJSON_Delete(errors);
        ASSERT(valid_utf8(ptr, strlen(ptr)));
        ASSERT_EQ_INT(ptr[0], '/');
        ASSERT_GT_INT(strlen(ptr), 150);
        ASSERT_EQ_INT(strncmp(ptr + 1, name, strlen(ptr) - 1), 0);
    }
}

/* The same for a long duplicate key named in the parse error. */
TEST(json_strict_duplicate_message_cuts_between_characters)
{
    for (int lead = 0; lead < 4; lead++) {
        char key[200], text[500], err[160];
        size_t n = 0;
        for (int i = 0; i < lead; i++)
            key[n++] = 'a';
        for (int i = 0; i < 40; i++) {
            memcpy(key + n, "\xe2\x82\xac", 3);
            n += 3;
        }
        key[n] = '\0';
        snprintf(text, sizeof text, "{\"%s\": 1, \"%s\": 2}", key, key);
        cJSON *j = parse(text, err, sizeof err);
        ASSERT_NULL(j);
        ASSERT(strstr(err, "duplicate key") != NULL);
        ASSERT(valid_utf8(err, strlen(err)));
    }
}

/* ---- valid_date ----------------------------------------------------------- */

TEST(valid_date_leap_years)
{
    ASSERT_TRUE(valid_date("2028-02-29"));
    ASSERT_FALSE(valid_date("2026-02-29"));
    ASSERT_TRUE(valid_date("2000-02-29"));  /* divisible by 400 */
    ASSERT_FALSE(valid_date("2100-02-29")); /* divisible by 100 only */
    ASSERT_TRUE(valid_date("2026-02-28"));
    ASSERT_FALSE(valid_date("2028-02-30"));
}

TEST(valid_date_month_lengths)
{
    ASSERT_TRUE(valid_date("2026-01-31"));
    ASSERT_FALSE(valid_date("2026-04-31"));
    ASSERT_TRUE(valid_date("2026-04-30"));
    ASSERT_TRUE(valid_date("2026-12-31"));
    ASSERT_FALSE(valid_date("2026-12-32"));
    ASSERT_FALSE(valid_date("2026-13-01"));
    ASSERT_FALSE(valid_date("2026-00-10"));
    ASSERT_FALSE(valid_date("2026-01-00"));
}

TEST(valid_date_format)
{
    ASSERT_FALSE(valid_date(""));
    ASSERT_FALSE(valid_date("2026-1-01"));
    ASSERT_FALSE(valid_date("2026-01-1"));
    ASSERT_FALSE(valid_date("2026/01/01"));
    ASSERT_FALSE(valid_date("2026-01-01 "));
    ASSERT_FALSE(valid_date(" 2026-01-01"));
    ASSERT_FALSE(valid_date("+026-01-01"));
    ASSERT_FALSE(valid_date("2026-+1-01"));
    ASSERT_FALSE(valid_date("2026-01-+1"));
    ASSERT_FALSE(valid_date("2026-01-0a"));
    ASSERT_FALSE(valid_date("20260101"));
}

TEST(valid_date_year_range)
{
    ASSERT_FALSE(valid_date("1899-12-31"));
    ASSERT_TRUE(valid_date("1900-01-01"));
    ASSERT_TRUE(valid_date("2999-12-31"));
    ASSERT_FALSE(valid_date("3000-01-01"));
}

/* ---- parse_timestamp ------------------------------------------------------ */

static void expect_ts(const char *in, const char *want)
{
    char out[32] = "untouched";
    if (parse_timestamp(in, out) != 0)
        FAIL("parse_timestamp(\"%s\") failed, expected %s", in, want);
    if (strcmp(out, want) != 0)
        FAIL("parse_timestamp(\"%s\") gave \"%s\", expected \"%s\"", in, out, want);
}

static void expect_ts_bad(const char *in)
{
    char out[32];
    if (parse_timestamp(in, out) != -1)
        FAIL("parse_timestamp(\"%s\") accepted, gave \"%s\"", in, out);
}

TEST(parse_timestamp_utc)
{
    expect_ts("2026-01-31T12:00:00Z", "2026-01-31 12:00:00.000");
    expect_ts("2026-01-31t12:00:00z", "2026-01-31 12:00:00.000");
    expect_ts("2026-01-31T12:00:00+00:00", "2026-01-31 12:00:00.000");
    expect_ts("2026-01-31T23:59:59Z", "2026-01-31 23:59:59.000");
}

TEST(parse_timestamp_fractions)
{
    expect_ts("2026-01-31T12:00:00.5Z", "2026-01-31 12:00:00.500");
    expect_ts("2026-01-31T12:00:00.05Z", "2026-01-31 12:00:00.050");
    expect_ts("2026-01-31T12:00:00.123Z", "2026-01-31 12:00:00.123");
    expect_ts("2026-01-31T12:00:00.123999Z", "2026-01-31 12:00:00.123"); /* truncated */
    expect_ts_bad("2026-01-31T12:00:00.Z");
}

TEST(parse_timestamp_offsets_convert_to_utc)
{
    expect_ts("2026-01-31T12:00:00+02:00", "2026-01-31 10:00:00.000");
    expect_ts("2026-01-31T12:00:00-05:30", "2026-01-31 17:30:00.000");
    /* crossing a day, a month and a year */
    expect_ts("2026-01-01T01:30:00+02:00", "2025-12-31 23:30:00.000");
    expect_ts("2026-02-28T23:00:00-01:30", "2026-03-01 00:30:00.000");
    /* crossing into a leap day */
    expect_ts("2028-02-28T23:30:00-01:00", "2028-02-29 00:30:00.000");
    expect_ts("2026-06-15T00:00:00.750+14:00", "2026-06-14 10:00:00.750");
}

TEST(parse_timestamp_rejects_bad_input)
{
    expect_ts_bad("");
    expect_ts_bad("2026-01-31");
    expect_ts_bad("2026-01-31T12:00:00");  /* no zone */
    expect_ts_bad("2026-01-31 12:00:00Z"); /* space separator */
    expect_ts_bad("2026-02-29T12:00:00Z"); /* no such day */
    expect_ts_bad("2026-01-31T24:00:00Z");
    expect_ts_bad("2026-01-31T12:60:00Z");
    expect_ts_bad("2026-01-31T12:00:60Z"); /* no leap seconds */
    expect_ts_bad("2026-01-31T12:00:00+24:00");
    expect_ts_bad("2026-01-31T12:00:00+02:60");
    expect_ts_bad("2026-01-31T12:00:00+0200");
    expect_ts_bad("2026-01-31T12:00:00ZZ");
    expect_ts_bad("2026-01-31T12:00:00+02:00x");
    expect_ts_bad("2026-01-31T12:00:00 UTC");
    expect_ts_bad("2026-01-31T12:00:00.000000000000000000Z"); /* longer than 35 */
}

/* RFC 3339 time fields are exactly two digits; sscanf's %2d also takes a
 * sign or a leading space, so negative hours, minutes and seconds pass
 * the "> 23" style checks and are normalised by timegm. */
TEST(parse_timestamp_rejects_signs_in_time_fields)
{
    char out[32];
    EXPECT_EQ_INT(parse_timestamp("2026-01-31T-1:00:00Z", out), -1);
    EXPECT_EQ_INT(parse_timestamp("2026-01-31T12:-5:00Z", out), -1);
    EXPECT_EQ_INT(parse_timestamp("2026-01-31T12:00:-1Z", out), -1);
    EXPECT_EQ_INT(parse_timestamp("2026-01-31T+1:00:00Z", out), -1);
    EXPECT_EQ_INT(parse_timestamp("2026-01-31T 1:00:00Z", out), -1);
    EXPECT_EQ_INT(parse_timestamp("2026-01-31T12:00:00+-1:00", out), -1);
}

/* A one-digit offset minute ("+01:0") is malformed. parse_timestamp skips
 * six characters for the offset regardless, so it reads the byte after the
 * terminating NUL; when that byte is 0 (as in zeroed pool memory) the
 * timestamp is accepted. */
TEST(parse_timestamp_rejects_short_offset)
{
    char buf[64];
    memset(buf, 0, sizeof buf);
    strcpy(buf, "2026-01-31T12:00:00+01:0");
    char out[32];
    ASSERT_EQ_INT(parse_timestamp(buf, out), -1);
}

/* The same input in an exactly sized heap block: under AddressSanitizer
 * this reports the heap-buffer-overflow read. */
TEST(parse_timestamp_short_offset_no_overread)
{
    const char *src = "2026-01-31T12:00:00+01:5";
    size_t n = strlen(src) + 1;
    char *buf = malloc(n);
    ASSERT_NOT_NULL(buf);
    memcpy(buf, src, n);
    char out[32];
    int rc = parse_timestamp(buf, out);
    free(buf);
    ASSERT_EQ_INT(rc, -1);
}

/* ---- valid_utf8 / utf8_chars --------------------------------------------- */

static int u8(const char *s) { return valid_utf8(s, strlen(s)); }

TEST(valid_utf8_accepts_well_formed)
{
    ASSERT_TRUE(u8(""));
    ASSERT_TRUE(u8("plain ascii"));
    ASSERT_TRUE(u8("\xc2\x80"));         /* U+0080, smallest two-byte */
    ASSERT_TRUE(u8("\xdf\xbf"));         /* U+07FF */
    ASSERT_TRUE(u8("\xe0\xa0\x80"));     /* U+0800 */
    ASSERT_TRUE(u8("\xed\x9f\xbf"));     /* U+D7FF, just below the surrogates */
    ASSERT_TRUE(u8("\xee\x80\x80"));     /* U+E000, just above */
    ASSERT_TRUE(u8("\xef\xbf\xbf"));     /* U+FFFF */
    ASSERT_TRUE(u8("\xf0\x90\x80\x80")); /* U+10000 */
    ASSERT_TRUE(u8("\xf4\x8f\xbf\xbf")); /* U+10FFFF */
    ASSERT_TRUE(u8("a\xc3\xa9z\xf0\x9f\x98\x80!"));
}

TEST(valid_utf8_rejects_overlong)
{
    ASSERT_FALSE(u8("\xc0\x80"));         /* NUL in two bytes */
    ASSERT_FALSE(u8("\xc1\xbf"));         /* U+007F in two bytes */
    ASSERT_FALSE(u8("\xe0\x9f\xbf"));     /* U+07FF in three bytes */
    ASSERT_FALSE(u8("\xf0\x8f\xbf\xbf")); /* U+FFFF in four bytes */
    ASSERT_FALSE(u8("\xe0\x80\xaf"));     /* '/' in three bytes */
}

TEST(valid_utf8_rejects_surrogates)
{
    ASSERT_FALSE(u8("\xed\xa0\x80"));             /* U+D800 */
    ASSERT_FALSE(u8("\xed\xbf\xbf"));             /* U+DFFF */
    ASSERT_FALSE(u8("\xed\xa0\xbd\xed\xb8\x80")); /* CESU-8 pair */
}

TEST(valid_utf8_rejects_beyond_max)
{
    ASSERT_FALSE(u8("\xf4\x90\x80\x80")); /* U+110000 */
    ASSERT_FALSE(u8("\xf7\xbf\xbf\xbf"));
    ASSERT_FALSE(u8("\xf8\x88\x80\x80\x80")); /* five-byte form */
    ASSERT_FALSE(u8("\xfc\x84\x80\x80\x80\x80"));
    ASSERT_FALSE(u8("\xff"));
    ASSERT_FALSE(u8("\xfe"));
}

TEST(valid_utf8_rejects_truncated_and_stray)
{
    ASSERT_FALSE(u8("\xc3"));
    ASSERT_FALSE(u8("abc\xe2\x82"));
    ASSERT_FALSE(u8("\xf0\x9f\x98"));
    ASSERT_FALSE(u8("\x80")); /* lone continuation byte */
    ASSERT_FALSE(u8("a\xbf"
                    "b"));
    ASSERT_FALSE(u8("\xc3"
                    "a")); /* lead byte followed by ASCII */
    ASSERT_FALSE(u8("\xe2\x82"
                    "a"));
}

TEST(valid_utf8_respects_length)
{
    /* a valid sequence cut by len is truncated; bytes past len are ignored */
    ASSERT_FALSE(valid_utf8("\xc3\xa9", 1));
    ASSERT_TRUE(valid_utf8("\xc3\xa9", 2));
    ASSERT_TRUE(valid_utf8("ab\xff", 2));
    ASSERT_FALSE(valid_utf8("ab\xff", 3));
    ASSERT_TRUE(valid_utf8("\xf0\x9f\x98\x80", 4));
    ASSERT_FALSE(valid_utf8("\xf0\x9f\x98\x80", 3));
}

TEST(utf8_chars_counts_code_points)
{
    ASSERT_EQ_UINT(utf8_chars(""), 0);
    ASSERT_EQ_UINT(utf8_chars("abc"), 3);
    ASSERT_EQ_UINT(utf8_chars("h\xc3\xa9llo"), 5);
    ASSERT_EQ_UINT(utf8_chars("\xe6\x97\xa5\xe6\x9c\xac"), 2);
    ASSERT_EQ_UINT(utf8_chars("\xf0\x9f\x98\x80x"), 2);
}

/* ---- parse_id ------------------------------------------------------------- */

TEST(parse_id_accepts_positive_decimal)
{
    ASSERT_EQ_INT(parse_id("1"), 1);
    ASSERT_EQ_INT(parse_id("42"), 42);
    ASSERT_EQ_INT(parse_id("123456789012345678"), 123456789012345678LL); /* 18 digits */
    ASSERT_EQ_INT(parse_id("999999999999999999"), 999999999999999999LL);
}

TEST(parse_id_rejects_everything_else)
{
    ASSERT_EQ_INT(parse_id(NULL), 0);
    ASSERT_EQ_INT(parse_id(""), 0);
    ASSERT_EQ_INT(parse_id("0"), 0);
    ASSERT_EQ_INT(parse_id("007"), 0); /* leading zeros */
    ASSERT_EQ_INT(parse_id("01"), 0);
    ASSERT_EQ_INT(parse_id("-1"), 0);
    ASSERT_EQ_INT(parse_id("+1"), 0);
    ASSERT_EQ_INT(parse_id(" 1"), 0);
    ASSERT_EQ_INT(parse_id("1 "), 0);
    ASSERT_EQ_INT(parse_id("1a"), 0);
    ASSERT_EQ_INT(parse_id("0x10"), 0);
    ASSERT_EQ_INT(parse_id("1.0"), 0);
    ASSERT_EQ_INT(parse_id("1e3"), 0);
    ASSERT_EQ_INT(parse_id("9223372036854775808"), 0);  /* 2^63 */
    ASSERT_EQ_INT(parse_id("99999999999999999999"), 0); /* 20 digits */
}

/* validate.h: "Parses a decimal id (1..2^63-1)". The 18-character length
 * limit rejects every 19-digit id, including 2^63-1 itself. */
TEST(parse_id_accepts_19_digit_ids_up_to_int64_max)
{
    EXPECT_EQ_INT(parse_id("1000000000000000000"), 1000000000000000000LL);
    EXPECT_EQ_INT(parse_id("9223372036854775807"), 9223372036854775807LL);
}

/* Codes and names are single lines: a line break in a code ends up in
 * file names and headers. Only F_MULTILINE fields take them. */
TEST(validate_single_line_strings)
{
    expect_err1("{\"name\": \"A\\nB\"}", "/name", "line breaks");
    expect_err1("{\"name\": \"A\\tB\"}", "/name", "line breaks");
    expect_err1("{\"name\": \"A\\u007fB\"}", "/name", "control characters");
    struct vres r;
    expect_ok1("{\"note\": \"line one\\nline two\"}", &r);
}

/* ---- strings are whole ---------------------------------------------------- */

/* Asserts the len bytes at text are refused with a message containing want. */
static void expect_rejected_n(const char *text, size_t len, const char *want)
{
    char err[160] = "";
    cJSON *j = json_parse_strict(text, len, err, sizeof err);
    if (j) {
        cJSON_Delete(j);
        FAIL("json_parse_strict accepted %zu bytes starting %.40s", len, text);
    }
    if (!strstr(err, want))
        FAIL("json_parse_strict(%.40s): message \"%s\" lacks \"%s\"", text, err, want);
}

/* A raw NUL inside a string used to be copied by cJSON and end the C
 * string there: "visible\0hidden" was stored as "visible". */
TEST(json_strict_rejects_raw_nul_in_string)
{
    static const char body[] = "{\"name\": \"visible\0hidden\"}";
    expect_rejected_n(body, sizeof(body) - 1, "control character 0x00");
    static const char key[] = "{\"na\0me\": \"x\"}";
    expect_rejected_n(key, sizeof(key) - 1, "control character 0x00");
}

/* The body is scanned in full: a NUL never makes it a shorter document. */
TEST(json_strict_rejects_nul_outside_strings)
{
    static const char after[] = "{\"a\": 1}\0{\"b\": 2}";
    expect_rejected_n(after, sizeof(after) - 1, "control character 0x00");
    static const char trailing[] = "{\"a\": 1}\0";
    expect_rejected_n(trailing, sizeof(trailing) - 1, "control character 0x00");
    static const char inside[] = "{\0\"a\": 1}";
    expect_rejected_n(inside, sizeof(inside) - 1, "control character 0x00");
}

TEST(json_strict_rejects_raw_control_characters)
{
    char text[64];
    for (int c = 1; c < 0x20; c++) {
        int n = snprintf(text, sizeof text, "{\"note\": \"a%cb\"}", c);
        expect_rejected_n(text, (size_t)n, "raw control character");
    }
    /* between tokens only JSON white space is allowed */
    expect_rejected("{\"a\":\x01 1}", "raw control character 0x01");
    expect_rejected("{\"a\": 1}\x1f", "raw control character 0x1f");
    expect_rejected("\x0b{\"a\": 1}", "raw control character 0x0b");
    /* an escaped quote or backslash does not end the string early */
    expect_rejected("{\"a\": \"\\\"\x02\"}", "raw control character 0x02");
    expect_rejected("{\"a\": \"\\\\\x03\"}", "raw control character 0x03");
    /* a backslash cannot escape a raw control character either */
    expect_rejected("{\"a\": \"\\\x04\"}", "raw control character 0x04");
}

TEST(json_strict_accepts_json_white_space_and_escapes)
{
    char err[160];
    cJSON *j =
        parse("\t{\r\n \"a\" :\t\"x\\ty\\nz\\r\\n\\u0001\\u001f\\\"\\\\\"\n}\r\n", err, sizeof err);
    ASSERT_NOT_NULL(j);
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "a");
    int same = cJSON_IsString(a) && strcmp(a->valuestring, "x\ty\nz\r\n\x01\x1f\"\\") == 0;
    cJSON_Delete(j);
    ASSERT_TRUE(same);
}

/* An escaped NUL is kept as a character (U+0001 stands in for it), so the
 * string keeps its full length and validation names the field. */
TEST(json_strict_keeps_escaped_nul_as_character)
{
    char err[160];
    cJSON *j = parse("{\"a\": \"visible\\u0000hidden\", \"k\\u0000\": 1}", err, sizeof err);
    ASSERT_NOT_NULL(j);
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "a");
    int whole = cJSON_IsString(a) && strcmp(a->valuestring, "visible\x01hidden") == 0;
    int key = cJSON_GetObjectItemCaseSensitive(j, "k\x01") != NULL;
    cJSON_Delete(j);
    ASSERT_TRUE(whole);
    ASSERT_TRUE(key);
}

/* ---- nesting -------------------------------------------------------------- */

static char *nested(int depth)
{
    char *s = malloc((size_t)depth * 2 + 1);
    for (int i = 0; i < depth; i++) {
        s[i] = '[';
        s[depth + i] = ']';
    }
    s[2 * depth] = '\0';
    return s;
}

TEST(json_strict_bounds_nesting)
{
    char err[160];
    char *ok = nested(JSON_MAX_DEPTH);
    cJSON *j = parse(ok, err, sizeof err);
    free(ok);
    ASSERT_NOT_NULL(j);
    cJSON_Delete(j);
    char *deep = nested(JSON_MAX_DEPTH + 1);
    j = parse(deep, err, sizeof err);
    free(deep);
    ASSERT_NULL(j);
    ASSERT(strstr(err, "nested deeper") != NULL);
    /* far deeper than cJSON's own limit: refused by the scan, quickly */
    char *huge = nested(500000);
    j = parse(huge, err, sizeof err);
    free(huge);
    ASSERT_NULL(j);
    ASSERT(strstr(err, "nested deeper") != NULL);
    /* brackets inside strings do not count */
    char text[300];
    memset(text, 0, sizeof text);
    strcpy(text, "{\"a\": \"");
    memset(text + 7, '[', 200);
    strcat(text, "\"}");
    j = parse(text, err, sizeof err);
    ASSERT_NOT_NULL(j);
    cJSON_Delete(j);
}

/* ---- linear time ---------------------------------------------------------- */

#include <time.h>

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* {"k0":0,...} with n distinct three-character keys (base 62) and, when
 * dup, the first key once more at the end. Under 1 MiB for 120,000. */
static char *many_keys(int n, int dup, size_t *len)
{
    static const char a[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    char *b = malloc((size_t)n * 9 + 16);
    size_t o = 0;
    b[o++] = '{';
    for (int i = 0; i < n + dup; i++) {
        int k = i < n ? i : 0;
        if (i)
            b[o++] = ',';
        b[o++] = '"';
        b[o++] = a[(k / 3844 + 36) % 62]; /* upper case: no field name */
        b[o++] = a[k / 62 % 62];
        b[o++] = a[k % 62];
        b[o++] = '"';
        b[o++] = ':';
        b[o++] = '0';
    }
    b[o++] = '}';
    *len = o;
    return b;
}

/* A 1 MiB body with 120,000 keys used to take seconds (the duplicate check
 * compared every key with every earlier one). Refusing it must stay far
 * below the 50 ms of the contract; the bound here leaves room for
 * sanitizers and a busy machine. */
TEST(json_strict_120k_keys_linear)
{
    size_t len;
    char *body = many_keys(120000, 0, &len);
    ASSERT(len <= 1024 * 1024);
    char err[160];
    double t0 = seconds();
    cJSON *j = json_parse_strict(body, len, err, sizeof err);
    struct pool *pool = pool_new();
    cJSON *errors = cJSON_CreateArray();
    struct value out[NFIELDS];
    size_t nout = 0;
    int nerr = j ? validate_body(fields, NFIELDS, j, 1, pool, errors, out, &nout) : -1;
    double unknown = seconds() - t0;
    int listed = cJSON_GetArraySize(errors);
    cJSON_Delete(errors);
    cJSON_Delete(j);
    pool_free(pool);
    free(body);

    body = many_keys(120000, 1, &len);
    t0 = seconds();
    cJSON *d = json_parse_strict(body, len, err, sizeof err);
    double duplicate = seconds() - t0;
    cJSON_Delete(d);
    free(body);

    printf("    120,000 keys: unknown fields refused in %.1f ms, duplicate key in %.1f ms\n",
           unknown * 1e3, duplicate * 1e3);
    /* every key is unknown, and the required name is missing */
    ASSERT_EQ_INT(nerr, 120001);
    ASSERT_EQ_INT(listed, VALIDATE_MAX_ERRORS);
    ASSERT_NULL(d);
    ASSERT(strstr(err, "duplicate key \"A00\"") != NULL);
    ASSERT(unknown < 0.2);
    ASSERT(duplicate < 0.2);
}

/* Many mid-sized objects (the GIS import's features) stay linear too. */
TEST(json_strict_many_objects_linear)
{
    size_t cap = 4000000, o = 0;
    char *b = malloc(cap);
    o += (size_t)snprintf(b + o, cap - o, "[");
    for (int i = 0; i < 10000; i++) {
        o += (size_t)snprintf(b + o, cap - o, "%s{", i ? "," : "");
        for (int k = 0; k < 20; k++)
            o += (size_t)snprintf(b + o, cap - o, "%s\"p%d\":%d", k ? "," : "", k, i);
        b[o++] = '}';
    }
    b[o++] = ']';
    char err[160];
    double t0 = seconds();
    cJSON *j = json_parse_strict(b, o, err, sizeof err);
    double dt = seconds() - t0;
    free(b);
    int ok = j != NULL;
    cJSON_Delete(j);
    ASSERT_TRUE(ok);
    ASSERT(dt < 0.5);
}

TEST(validate_lists_at_most_max_errors)
{
    char *body = malloc(4096);
    size_t o = (size_t)snprintf(body, 4096, "{\"name\": \"x\"");
    for (int i = 0; i < 150; i++)
        o += (size_t)snprintf(body + o, 4096 - o, ", \"u%d\": 1", i);
    snprintf(body + o, 4096 - o, "}");
    static struct vres r;
    run(body, 1, &r);
    free(body);
    ASSERT_EQ_INT(r.nerr, 150);
    ASSERT_EQ_INT(r.nerrors, VALIDATE_MAX_ERRORS);
    ASSERT_EQ_UINT(r.nout, 1);
}
