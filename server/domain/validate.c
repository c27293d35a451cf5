/* validate.c — strict JSON parsing and field checks. */
#include "domain/validate.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/pool.h"
#include "util/strhash.h"

const struct field *field_find(const struct field *fields, size_t n, const char *name)
{
    /* The first byte settles most comparisons: a body of many unknown
     * names costs a few byte compares per name, not a call per field. */
    for (size_t i = 0; i < n; i++)
        if (fields[i].name[0] == name[0] && strcmp(fields[i].name, name) == 0)
            return &fields[i];
    return NULL;
}

const char *text_problem(const char *s, int multiline)
{
    /* Free text may hold tabs and line breaks; a carriage return only as
     * part of CRLF, since a lone one rewrites what a terminal or a log
     * shows. Everything else is one line. An escaped \u0000 arrives here
     * as \u0001 (see scan_raw), so it is refused too. */
    for (const char *c = s; *c; c++) {
        unsigned char u = (unsigned char)*c;
        if (u >= 0x20 && u != 0x7f)
            continue;
        if (multiline && (u == '\n' || u == '\t' || (u == '\r' && c[1] == '\n')))
            continue;
        return multiline ? "must not contain control characters other than tab and line breaks"
                         : "must not contain control characters or line breaks";
    }
    return NULL;
}

int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int valid_utf8(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        unsigned char c = *p;
        size_t n;
        unsigned cp;
        if (c < 0x80) {
            p++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            n = 1;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if ((size_t)(end - p) <= n)
            return 0;
        for (size_t i = 1; i <= n; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i] & 0x3f);
        }
        /* Overlong forms, surrogates and values past U+10FFFF. */
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
            return 0;
        p += n + 1;
    }
    return 1;
}

size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

/* Raw bytes that JSON allows between tokens. */
static int json_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* The length of the longest prefix of s of at most max bytes that ends
 * between two characters, so that a name cut short for a message stays
 * valid UTF-8. */
static int utf8_prefix(const char *s, size_t max)
{
    size_t n = strnlen(s, max);
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    return (int)n;
}

/* Whether the digit at text[i] (outside strings) is the first digit of a
 * number's integer part, not one of its fraction or exponent. */
static int leading_digit(const char *text, size_t i)
{
    size_t k = i;
    if (k > 0 && text[k - 1] == '-')
        k--; /* a minus sign: look at what precedes it */
    if (k == 0)
        return 1;
    char p = text[k - 1];
    if (k < i && (p == 'e' || p == 'E'))
        return 0; /* the exponent's own sign */
    return !((p >= '0' && p <= '9') || p == '.' || p == 'e' || p == 'E' || p == '+');
}

/* One pass over the raw body before cJSON sees it, because cJSON is more
 * lenient than JSON in ways that lose data: it copies a raw NUL into a
 * string (which then ends there in C), takes control characters between
 * tokens for white space, and nests up to 1000 levels. This pass refuses
 * any raw byte below 0x20 inside a string, any raw control character other
 * than JSON white space outside one, numbers with leading zeros (which
 * cJSON reads as decimals) and nesting beyond JSON_MAX_DEPTH.
 *
 * It also finds \u0000 escapes: cJSON decodes them into a NUL that would
 * silently end the C string. They are turned into \u0001 in a copy, so the
 * string keeps its length and field validation refuses it as a control
 * character, naming the field. *copy is that copy (caller frees) or NULL
 * when the body has none. Returns 0, or -1 with a message in err. */
static int scan_raw(const char *text, size_t len, char **copy, char *err, size_t errlen)
{
    int in_string = 0;
    size_t depth = 0;
    *copy = NULL;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (in_string) {
            if (c == '"') {
                in_string = 0;
            } else if (c == '\\' && i + 1 < len) {
                if (text[i + 1] == 'u' && len - i >= 6 && memcmp(text + i + 2, "0000", 4) == 0) {
                    if (!*copy) {
                        *copy = malloc(len);
                        if (!*copy) {
                            snprintf(err, errlen, "the body could not be read; retry shortly");
                            return -1;
                        }
                        memcpy(*copy, text, len);
                    }
                    (*copy)[i + 5] = '1';
                }
                /* The escaped byte never ends the string, but it may still
                 * be a raw control character. */
                i++;
                c = (unsigned char)text[i];
            }
            if (c < 0x20) {
                snprintf(err, errlen,
                         "the body is not valid JSON: a string holds the raw control character "
                         "0x%02x (byte %zu); control characters must be escaped",
                         c, i);
                goto fail;
            }
        } else if (c == '"') {
            in_string = 1;
        } else if (c == '{' || c == '[') {
            if (++depth > JSON_MAX_DEPTH) {
                snprintf(err, errlen, "the body is nested deeper than %d levels", JSON_MAX_DEPTH);
                goto fail;
            }
        } else if (c == '}' || c == ']') {
            if (depth > 0)
                depth--;
        } else if (c < 0x20 && !json_space(c)) {
            snprintf(err, errlen,
                     "the body is not valid JSON: raw control character 0x%02x (byte %zu)", c, i);
            goto fail;
        } else if (c == '0' && i + 1 < len && text[i + 1] >= '0' && text[i + 1] <= '9' &&
                   leading_digit(text, i)) {
            /* cJSON reads 012 as 12; JSON has no leading zeros. */
            snprintf(err, errlen,
                     "the body is not valid JSON: a number has a leading zero (byte %zu)", i);
            goto fail;
        }
    }
    return 0;
fail:
    free(*copy);
    *copy = NULL;
    return -1;
}

/* Objects up to this many members are checked for duplicates pair by pair;
 * larger ones through a hash set under a keyed hash, so that no object
 * costs more than linear time whatever names it holds. */
#define SMALL_OBJECT 16

struct name_slot {
    const char *name;
    uint64_t hash;
};

/* Finds a name that occurs twice among the members of obj (n of them).
 * Returns it, NULL when there is none, or "" when memory ran out. */
static const char *duplicate_name(const cJSON *obj, size_t n)
{
    if (n <= SMALL_OBJECT) {
        for (const cJSON *c = obj->child; c; c = c->next)
            for (const cJSON *d = obj->child; d != c; d = d->next)
                if (strcmp(d->string, c->string) == 0)
                    return c->string;
        return NULL;
    }
    size_t cap = 32;
    while (cap < 2 * n)
        cap *= 2;
    struct name_slot *slots = calloc(cap, sizeof(*slots));
    if (!slots)
        return "";
    const char *dup = NULL;
    for (const cJSON *c = obj->child; c && !dup; c = c->next) {
        uint64_t h = strhash(c->string, strlen(c->string));
        size_t i = (size_t)h & (cap - 1);
        while (slots[i].name && (slots[i].hash != h || strcmp(slots[i].name, c->string) != 0))
            i = (i + 1) & (cap - 1);
        if (slots[i].name)
            dup = c->string;
        slots[i].name = c->string;
        slots[i].hash = h;
    }
    free(slots);
    return dup;
}

/* Walks the tree (at most JSON_MAX_DEPTH deep, see scan_raw): duplicate
 * keys in any object, or invalid UTF-8 in any key or string, make the
 * whole body malformed. Linear in the size of the tree. */
static int check_tree(const cJSON *node, char *err, size_t errlen)
{
    size_t members = 0;
    for (const cJSON *c = node->child; c; c = c->next) {
        members++;
        if (cJSON_IsObject(node) && c->string && !valid_utf8(c->string, strlen(c->string))) {
            snprintf(err, errlen, "a key is not valid UTF-8");
            return -1;
        }
        if (cJSON_IsString(c) && !valid_utf8(c->valuestring, strlen(c->valuestring))) {
            snprintf(err, errlen, "a string is not valid UTF-8");
            return -1;
        }
        if ((cJSON_IsObject(c) || cJSON_IsArray(c)) && check_tree(c, err, errlen) < 0)
            return -1;
    }
    if (cJSON_IsObject(node) && members > 1) {
        const char *dup = duplicate_name(node, members);
        if (dup && !*dup) {
            snprintf(err, errlen, "the body could not be read; retry shortly");
            return -1;
        }
        if (dup) {
            snprintf(err, errlen, "duplicate key \"%.*s\"", utf8_prefix(dup, 64), dup);
            return -1;
        }
    }
    return 0;
}

cJSON *json_parse_strict(const char *text, size_t len, char *err, size_t errlen)
{
    const char *end = NULL;
    if (len == 0) {
        snprintf(err, errlen, "the body is empty; a JSON object is expected");
        return NULL;
    }
    char *defused;
    if (scan_raw(text, len, &defused, err, errlen) < 0)
        return NULL;
    if (defused)
        text = defused;
    cJSON *json = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!json) {
        const char *at = cJSON_GetErrorPtr();
        long off = at && at >= text && at <= text + len ? (long)(at - text) : -1;
        snprintf(err, errlen, "the body is not valid JSON (near byte %ld)", off);
        free(defused);
        return NULL;
    }
    while (end && end < text + len && json_space((unsigned char)*end))
        end++;
    int trailing = end && end < text + len;
    free(defused);
    if (trailing) {
        snprintf(err, errlen, "the body has data after the JSON value");
        cJSON_Delete(json);
        return NULL;
    }
    if (cJSON_IsString(json) && !valid_utf8(json->valuestring, strlen(json->valuestring))) {
        snprintf(err, errlen, "a string is not valid UTF-8");
        cJSON_Delete(json);
        return NULL;
    }
    if (check_tree(json, err, errlen) < 0) {
        cJSON_Delete(json);
        return NULL;
    }
    return json;
}

void validation_error(cJSON *errors, const char *name, const char *detail)
{
    cJSON *e = cJSON_CreateObject();
    char ptr[160];
    /* JSON Pointer escaping (RFC 6901) of the member name. */
    size_t o = 0;
    const char *c;
    ptr[o++] = '/';
    for (c = name; *c && o < sizeof(ptr) - 3; c++) {
        if (*c == '~') {
            ptr[o++] = '~';
            ptr[o++] = '0';
        } else if (*c == '/') {
            ptr[o++] = '~';
            ptr[o++] = '1';
        } else {
            ptr[o++] = *c;
        }
    }
    /* A name too long for the pointer is cut before a whole character, so
     * that the problem document stays valid UTF-8. */
    while (*c && ((unsigned char)*c & 0xc0) == 0x80 && o > 1) {
        c--;
        o--;
    }
    ptr[o] = '\0';
    /* The empty name stands for the whole document, whose pointer is "". */
    cJSON_AddStringToObject(e, "pointer", *name ? ptr : "");
    cJSON_AddStringToObject(e, "detail", detail);
    cJSON_AddItemToArray(errors, e);
}

static int days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return d[m - 1];
}

int valid_date(const char *s)
{
    int y, m, d;
    char tail;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    return y >= 1900 && y <= 2999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

/* Reads exactly n digits at s; returns the value or -1. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int parse_timestamp(const char *s, char out[32])
{
    size_t n = strlen(s);
    if (n < 20 || n > 35 || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
        return -1;
    char day[11];
    memcpy(day, s, 10);
    day[10] = '\0';
    int h = digits(s + 11, 2), mi = digits(s + 14, 2), sec = digits(s + 17, 2);
    if (!valid_date(day) || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59)
        return -1;
    const char *p = s + 19;
    int ms = 0;
    if (*p == '.') {
        p++;
        int count = 0;
        while (*p >= '0' && *p <= '9') {
            if (count < 3)
                ms = ms * 10 + (*p - '0');
            count++;
            p++;
        }
        if (count == 0)
            return -1;
        for (; count < 3; count++)
            ms *= 10;
    }
    long offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        if (strlen(p) != 6 || p[3] != ':')
            return -1;
        int oh = digits(p + 1, 2), om = digits(p + 4, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59)
            return -1;
        offset = (oh * 3600L + om * 60L) * (*p == '+' ? 1 : -1);
        p += 6;
    } else {
        return -1;
    }
    if (*p)
        return -1;
    struct tm tm = {.tm_year = digits(s, 4) - 1900,
                    .tm_mon = digits(s + 5, 2) - 1,
                    .tm_mday = digits(s + 8, 2),
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = sec};
    time_t t = timegm(&tm) - offset;
    struct tm utc;
    gmtime_r(&t, &utc);
    char date[16];
    if (strftime(date, sizeof(date), "%Y-%m-%d", &utc) != 10)
        return -1;
    snprintf(out, 32, "%.10s %02d:%02d:%02d.%03d", date, utc.tm_hour % 24, utc.tm_min % 60,
             utc.tm_sec % 61, ms % 1000);
    return 0;
}

long long parse_id(const char *s)
{
    if (!s || !*s || strlen(s) > 19 || s[0] == '0')
        return 0;
    unsigned long long v = 0;
    for (const char *c = s; *c; c++) {
        if (*c < '0' || *c > '9')
            return 0;
        v = v * 10 + (unsigned long long)(*c - '0');
        if (v > 9223372036854775807ULL)
            return 0;
    }
    return (long long)v;
}

static int is_integral(double v)
{
    return isfinite(v) && v == floor(v) && fabs(v) <= 9007199254740991.0;
}

static int decimals_ok(double v, double scale)
{
    double x = v * scale;
    return fabs(x - round(x)) < 1e-6 * (fabs(x) > 1 ? fabs(x) : 1);
}

/* The names under which GeoJSON files (the 2008 "crs" member) announce
 * WGS84 longitude/latitude, the only coordinates fibertrack stores. */
static const char *const wgs84_names[] = {
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
    "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
    "EPSG:4326",
    "urn:ogc:def:crs:EPSG::4326",
    "http://www.opengis.net/def/crs/EPSG/0/4326",
    NULL,
};

const char *geojson_crs_problem(const cJSON *crs)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(crs, "type");
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(crs, "properties");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(props, "name");
    if (!cJSON_IsObject(crs) || !cJSON_IsString(type) || strcmp(type->valuestring, "name") != 0 ||
        !cJSON_IsString(name))
        return "the crs must name WGS84, as {\"type\": \"name\", \"properties\": {\"name\": "
               "\"EPSG:4326\"}}";
    for (const char *const *w = wgs84_names; *w; w++)
        if (strcasecmp(name->valuestring, *w) == 0)
            return NULL;
    return "the crs is not WGS84 (EPSG:4326): fibertrack stores WGS84 longitude and latitude; "
           "reproject the data first (ogr2ogr -t_srs EPSG:4326)";
}

const char *geojson_position_problem(const cJSON *pt)
{
    if (!cJSON_IsArray(pt))
        return "positions must be [longitude, latitude] in WGS84";
    int n = 0;
    for (const cJSON *c = pt->child; c; c = c->next) {
        if (!cJSON_IsNumber(c))
            return "positions must be [longitude, latitude] in WGS84";
        n++;
    }
    if (n == 3)
        return "positions must be [longitude, latitude]: heights (a third value) are not stored, "
               "so drop them before sending (ogr2ogr -dim XY)";
    if (n != 2)
        return "positions must be [longitude, latitude] in WGS84";
    double lon = pt->child->valuedouble, lat = pt->child->next->valuedouble;
    if (!(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90))
        return "positions must be [longitude, latitude] in WGS84";
    return NULL;
}

/* Checks one value; on success fills v and returns NULL, else the reason. */
static const char *check_value(const struct field *f, const cJSON *j, struct pool *pool,
                               struct value *v)
{
    /* Messages live in the request's pool: validation runs on many
     * threads at once. */
    char *buf = pool_alloc(pool, 160);
    const size_t bufsize = 160;
    v->field = f;
    if (cJSON_IsNull(j)) {
        if (!(f->flags & F_NULLABLE))
            return "must not be null";
        v->is_null = 1;
        return NULL;
    }
    switch (f->type) {
    case FT_ID:
    case FT_REF:
    case FT_INT:
    case FT_MONEY: {
        if (!cJSON_IsNumber(j) || !is_integral(j->valuedouble))
            return "must be an integer";
        double lo = f->type == FT_INT || f->type == FT_MONEY ? f->min : 1;
        double hi = f->type == FT_INT || f->type == FT_MONEY ? f->max : 9007199254740991.0;
        if (j->valuedouble < lo || j->valuedouble > hi) {
            snprintf(buf, bufsize, "must be between %.0f and %.0f", lo, hi);
            return buf;
        }
        v->i = (long long)j->valuedouble;
        v->num = j->valuedouble;
        return NULL;
    }
    case FT_DECIMAL:
    case FT_RATE:
    case FT_LAT:
    case FT_LON: {
        if (!cJSON_IsNumber(j) || !isfinite(j->valuedouble))
            return "must be a number";
        double lo = f->min, hi = f->max;
        if (f->type == FT_RATE) {
            lo = 0;
            hi = 1;
        } else if (f->type == FT_LAT) {
            lo = -90;
            hi = 90;
        } else if (f->type == FT_LON) {
            lo = -180;
            hi = 180;
        }
        if (j->valuedouble < lo || j->valuedouble > hi) {
            snprintf(buf, bufsize, "must be between %g and %g", lo, hi);
            return buf;
        }
        if (f->type == FT_DECIMAL && !decimals_ok(j->valuedouble, 100))
            return "must have at most two decimals";
        if (f->type == FT_RATE && !decimals_ok(j->valuedouble, 10000))
            return "must have at most four decimals";
        v->num = j->valuedouble;
        return NULL;
    }
    case FT_BOOL:
        if (!cJSON_IsBool(j))
            return "must be true or false";
        v->i = cJSON_IsTrue(j);
        return NULL;
    case FT_STRING:
    case FT_EMAIL:
    case FT_PASSWORD: {
        if (!cJSON_IsString(j))
            return "must be a string";
        size_t chars = utf8_chars(j->valuestring);
        double max = f->max > 0 ? f->max : 200;
        double min = f->type == FT_PASSWORD ? 10 : ((f->flags & F_REQUIRED) ? 1 : 0);
        if (chars > max) {
            snprintf(buf, bufsize, "must have at most %.0f characters", max);
            return buf;
        }
        if (chars < min) {
            if (min == 1)
                return "must not be empty";
            snprintf(buf, bufsize, "must have at least %.0f characters", min);
            return buf;
        }
        if (f->type == FT_EMAIL) {
            const char *at = strchr(j->valuestring, '@');
            if (!at || at == j->valuestring || !at[1] || strchr(at + 1, '@') ||
                strpbrk(j->valuestring, " \t\r\n") || !strchr(at + 1, '.'))
                return "must be an e-mail address";
        }
        const char *why = text_problem(j->valuestring, (f->flags & F_MULTILINE) != 0);
        if (why)
            return why;
        v->text = pool_strdup(pool, j->valuestring);
        return NULL;
    }
    case FT_ENUM:
        if (cJSON_IsString(j))
            for (const char *const *e = f->values; *e; e++)
                if (strcmp(*e, j->valuestring) == 0) {
                    v->text = *e;
                    return NULL;
                }
        {
            size_t o = (size_t)snprintf(buf, bufsize, "must be one of");
            for (const char *const *e = f->values; *e && o < bufsize; e++)
                o += (size_t)snprintf(buf + o, bufsize - o, "%s %s", e == f->values ? "" : ",", *e);
        }
        return buf;
    case FT_DATE:
        if (!cJSON_IsString(j) || !valid_date(j->valuestring))
            return "must be a date (YYYY-MM-DD)";
        v->text = pool_strdup(pool, j->valuestring);
        return NULL;
    case FT_TIMESTAMP: {
        char ts[32];
        if (!cJSON_IsString(j) || parse_timestamp(j->valuestring, ts) < 0)
            return "must be an RFC 3339 timestamp (2026-01-31T12:00:00Z)";
        v->text = pool_strdup(pool, ts);
        return NULL;
    }
    case FT_GEOMETRY: {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(j, "type");
        const cJSON *coords = cJSON_GetObjectItemCaseSensitive(j, "coordinates");
        if (!cJSON_IsObject(j) || !cJSON_IsString(type) || strcmp(type->valuestring, "LineString"))
            return "must be a GeoJSON LineString";
        if (!cJSON_IsArray(coords))
            return "must have between 2 and 10000 positions";
        int n = 0;
        for (const cJSON *pt = coords->child; pt && n <= 10000; pt = pt->next)
            n++;
        if (n < 2 || n > 10000)
            return "must have between 2 and 10000 positions";
        for (const cJSON *pt = coords->child; pt; pt = pt->next) {
            const char *why = geojson_position_problem(pt);
            if (why)
                return why;
        }
        for (const cJSON *m = j->child; m; m = m->next) {
            if (strcmp(m->string, "crs") == 0) {
                const char *why = geojson_crs_problem(m);
                if (why)
                    return why;
            } else if (strcmp(m->string, "type") && strcmp(m->string, "coordinates") &&
                       strcmp(m->string, "bbox")) {
                return "has an unknown member";
            }
        }
        /* Only type and coordinates go to the database. */
        cJSON *clean = cJSON_CreateObject();
        cJSON_AddStringToObject(clean, "type", "LineString");
        cJSON_AddItemToObject(clean, "coordinates", cJSON_Duplicate(coords, 1));
        char *text = cJSON_PrintUnformatted(clean);
        cJSON_Delete(clean);
        v->text = pool_strdup(pool, text);
        free(text);
        return NULL;
    }
    case FT_JSON:
        return "is read-only";
    }
    return "has an unsupported type";
}

int validate_body(const struct field *fields, size_t n, const cJSON *body, int creating,
                  struct pool *pool, cJSON *errors, struct value *out, size_t *nout)
{
    int nerr = 0;
    *nout = 0;
    if (!cJSON_IsObject(body)) {
        validation_error(errors, "", "the body must be a JSON object");
        return 1;
    }
    /* Which fields the body names, so that the required ones are found
     * without searching the body once per field. */
    unsigned char *seen = pool_alloc(pool, n ? n : 1);
    for (const cJSON *m = body->child; m; m = m->next) {
        const struct field *f = field_find(fields, n, m->string);
        const char *why = NULL;
        if (f)
            seen[f - fields] = 1;
        if (!f)
            why = "is not a known field";
        else if (f->flags & F_READONLY)
            why = "is read-only";
        else if ((f->flags & F_IMMUTABLE) && !creating)
            why = "cannot be changed after creation";
        else if (*nout < n) {
            memset(&out[*nout], 0, sizeof(out[*nout]));
            why = check_value(f, m, pool, &out[*nout]);
        }
        if (why) {
            if (nerr < VALIDATE_MAX_ERRORS)
                validation_error(errors, m->string, why);
            nerr++;
        } else {
            (*nout)++;
        }
    }
    if (creating) {
        for (size_t i = 0; i < n; i++) {
            if ((fields[i].flags & F_REQUIRED) && !seen[i]) {
                if (nerr < VALIDATE_MAX_ERRORS)
                    validation_error(errors, fields[i].name, "is required");
                nerr++;
            }
        }
    }
    return nerr;
}
