/* validate.h — strict request bodies: pure checks of JSON against a
 * resource's fields, producing either values to store or a list of
 * {pointer, detail} errors. No I/O. */
#ifndef FT_VALIDATE_H
#define FT_VALIDATE_H

#include <cJSON.h>
#include <stddef.h>

#include "domain/fields.h"

struct pool;

/* A checked value, ready to bind. text holds strings, dates, timestamps
 * (as "YYYY-MM-DD HH:MM:SS.fff") and geometry (GeoJSON text); num holds
 * numbers; is_null for JSON null. */
struct value {
    const struct field *field;
    int is_null;
    double num;
    long long i;
    const char *text;
};

/* How deeply a request body may nest objects and arrays (a GeoJSON
 * FeatureCollection needs 6 levels). */
#define JSON_MAX_DEPTH 64

/* At most this many {pointer, detail} entries are listed for one body. */
#define VALIDATE_MAX_ERRORS 100

/* Parses the len bytes at text (no NUL terminator needed); returns NULL and
 * a message in err when they are not one JSON value: malformed, data after
 * the value, a raw control character (NUL included) anywhere but JSON white
 * space, nesting deeper than JSON_MAX_DEPTH, duplicate keys or invalid
 * UTF-8. An escaped \u0000 is read as U+0001, so that field validation
 * refuses it rather than a C string ending early. Time is linear in len
 * (expected: duplicate keys are found through a keyed hash). The caller
 * frees with cJSON_Delete. */
cJSON *json_parse_strict(const char *text, size_t len, char *err, size_t errlen);

/* Checks body (an object) against fields. creating: required fields must be
 * present and immutable ones may be set. Appends {pointer, detail} objects
 * to errors, at most VALIDATE_MAX_ERRORS of them; fills out[] (capacity n
 * fields) and *nout. Returns the number of errors found, which may exceed
 * the number listed. Strings and texts are allocated in pool. */
int validate_body(const struct field *fields, size_t n, const cJSON *body, int creating,
                  struct pool *pool, cJSON *errors, struct value *out, size_t *nout);

/* GeoJSON rules shared by segment writes and the GIS import. Each returns
 * NULL when the member is fine, else the reason (static text).
 * A "crs" member (GeoJSON 2008) must name WGS84 longitude/latitude. */
const char *geojson_crs_problem(const cJSON *crs);
/* A position is [longitude, latitude] in range; a height is refused, not
 * silently dropped. */
const char *geojson_position_problem(const cJSON *pt);

/* Appends one {pointer, detail} to errors; pointer is "/name". */
void validation_error(cJSON *errors, const char *name, const char *detail);

/* Pure value checks, also used for query parameters. */
int valid_date(const char *s);
/* RFC 3339 → "YYYY-MM-DD HH:MM:SS.fff" in UTC; returns 0 or -1. */
int parse_timestamp(const char *s, char out[32]);
int valid_utf8(const char *s, size_t len);
/* The value of a hexadecimal digit (either case), or -1. */
int hex_digit(char c);
/* Why a string from a body is not acceptable text, or NULL: control
 * characters (and, unless multiline, line breaks and tabs). */
const char *text_problem(const char *s, int multiline);
size_t utf8_chars(const char *s);
/* Parses a decimal id (1..2^63-1); returns 0 for anything else. */
long long parse_id(const char *s);

#endif
