/* openapi.c — the OpenAPI 3.1 document, generated once from the route table
 * and the resources' field tables, so that it says what the server does.
 *
 * An operation lists its success (the route's status, with the body its
 * `gives` shape describes) and every error status it can answer:
 *   - any request: 400 (a malformed request, query or header, or an HTTP
 *     version other than 1.0 and 1.1), 408, 413, 417 and 431 from the http
 *     layer, 503 when the database is away, the queue is full or the
 *     connections are;
 *   - a route with roles: 401 without a valid token, 403 when some roles may
 *     not use it;
 *   - a path parameter: 404, for an object that does not exist or that lies
 *     outside the caller's scope;
 *   - a JSON body (ROUTE_JSON, ROUTE_JSON_OPTIONAL): 415 and 422;
 *   - a POST of a signed-in user: 409 and 422 of its Idempotency-Key;
 *   - PATCH and DELETE: 412 and 428 of If-Match;
 *   - and what the route's `also` adds for its handler.
 * A 404 for a path the table does not have and a 405 for a method a path
 * does not take belong to no operation; components/responses holds them. */
#include "api/openapi.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/finance.h"
#include "api/inventory.h"
#include "api/resource.h"
#include "domain/status.h"
#include "domain/summary.h"
#include "gis/read.h"
#include "http/reply.h"

/* ---- shapes ---- */

/* A query parameter: type is "date", "date-time", "boolean", or the values
 * it may take separated by '|'. */
struct param {
    const char *name;
    const char *type;
    const char *description;
};

struct doc;

struct shape {
    /* The body's schema in components/schemas: its name, or for a shape
     * about the resource the suffix to the resource's name ("" for the
     * resource itself); build makes it. NULL: a body without a schema. */
    const char *name;
    int of_resource;
    cJSON *(*build)(struct doc *d, const struct resource *res);
    const char *media;         /* media types of the body, separated by spaces */
    int optional;              /* a request body that may be left out */
    int list;                  /* takes the resource's list parameters */
    const struct param *query; /* other query parameters; NULL-terminated */
};

static cJSON *whole_schema(struct doc *d, const struct resource *res);
static cJSON *selection_schema(struct doc *d, const struct resource *res);
static cJSON *list_schema(struct doc *d, const struct resource *res);
static cJSON *create_schema(struct doc *d, const struct resource *res);
static cJSON *update_schema(struct doc *d, const struct resource *res);
static cJSON *issued_schema(struct doc *d, const struct resource *res);
static cJSON *login_schema(struct doc *d, const struct resource *res);
static cJSON *signin_schema(struct doc *d, const struct resource *res);
static cJSON *approval_schema(struct doc *d, const struct resource *res);
static cJSON *rejection_schema(struct doc *d, const struct resource *res);
static cJSON *features_schema(struct doc *d, const struct resource *res);
static cJSON *imported_schema(struct doc *d, const struct resource *res);
static cJSON *summary_schema(struct doc *d, const struct resource *res);
static cJSON *geojson_schema(struct doc *d, const struct resource *res);
static cJSON *health_schema(struct doc *d, const struct resource *res);
static cJSON *ready_schema(struct doc *d, const struct resource *res);
static cJSON *text_schema(struct doc *d, const struct resource *res);
static cJSON *openapi_schema(struct doc *d, const struct resource *res);
static cJSON *attachment_schema(struct doc *d, const struct resource *res);
static cJSON *acceptance_schema(struct doc *d, const struct resource *res);
static cJSON *attachments_schema(struct doc *d, const struct resource *res);
static cJSON *submission_schema(struct doc *d, const struct resource *res);
static cJSON *receipt_schema(struct doc *d, const struct resource *res);
static cJSON *invoice_import_schema(struct doc *d, const struct resource *res);
static cJSON *audit_facets_schema(struct doc *d, const struct resource *res);

#define JSON_MEDIA "application/json"
#define XLSX_MEDIA "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

static const struct param as_of_params[] = {
    {"as_of", "date",
     "The day whose end the figures describe; today (UTC) when left out, "
     "never a day to come"},
    {NULL, NULL, NULL},
};
static const struct param progress_report_params[] = {
    {"as_of", "date", "The day whose end the report describes; today (UTC) when left out"},
    {"lang", "en|de", "The language of the labels; en when left out"},
    {NULL, NULL, NULL},
};
static const struct param cost_report_params[] = {
    {"from", "date", "The first day of the period; the project's start when left out"},
    {"to", "date",
     "The last day of the period; today (UTC) when left out. A period that has not ended "
     "(this quarter, this year) shows what is recorded so far, marked preliminary"},
    {"as_of", "date",
     "The invoices, budget plan and drawdowns as recorded at the end of this day (never a day "
     "to come); everything recorded so far when left out"},
    {"lang", "en|de", "The language of the labels; en when left out"},
    {NULL, NULL, NULL},
};
static const struct param lang_params[] = {
    {"lang", "en|de", "The language of the labels; en when left out"},
    {NULL, NULL, NULL},
};
static const struct param upload_params[] = {
    {"caption", "text", "What the photo shows, one line of at most 500 characters"},
    {NULL, NULL, NULL},
};
static const struct param period_params[] = {
    {"from", "date", "The first report date of the period; the beginning when left out"},
    {"to", "date", "The last report date of the period; today when left out"},
    {NULL, NULL, NULL},
};
static const struct param import_params[] = {
    {"dry_run", "boolean", "true: check and count everything, change nothing"},
    {"crs", "text",
     "The coordinate system of layers that name none (CSV, a Shapefile without .prj), as "
     "EPSG:n; WGS84 when left out"},
    {NULL, NULL, NULL},
};
static const struct param nbest_params[] = {
    {"version", "5.1", "The GIS-NBest version; 5.1 when left out, and the only one written"},
    {"phase", "plan|asbuilt",
     "plan (when left out): every segment as planned, the network plan; asbuilt: what is built "
     "(civil works done or later) with as-built lengths"},
    {NULL, NULL, NULL},
};
static const struct param dry_run_params[] = {
    {"dry_run", "boolean", "true: check and count everything, change nothing"},
    {NULL, NULL, NULL},
};

#define RESOURCE(suffix, builder) .name = suffix, .of_resource = 1, .build = builder
#define NAMED(schema, builder) .name = schema, .build = builder

const struct shape in_list = {.list = 1};
const struct shape in_create = {RESOURCE(".create", create_schema), .media = JSON_MEDIA};
const struct shape in_update = {RESOURCE(".update", update_schema), .media = JSON_MEDIA};
const struct shape in_login = {NAMED("Login", login_schema), .media = JSON_MEDIA};
const struct shape in_approval = {NAMED("Approval", approval_schema), .media = JSON_MEDIA,
                                  .optional = 1};
const struct shape in_rejection = {NAMED("Rejection", rejection_schema), .media = JSON_MEDIA};
const struct shape in_acceptance = {NAMED("Acceptance", acceptance_schema), .media = JSON_MEDIA,
                                    .optional = 1};
const struct shape in_submission = {NAMED("Submission", submission_schema), .media = JSON_MEDIA,
                                    .optional = 1};
const struct shape in_invoice_csv = {.media = "text/csv text/plain", .query = dry_run_params};
const struct shape in_receipt = {NAMED("Receipt", receipt_schema), .media = JSON_MEDIA};
const struct shape in_features = {NAMED("FeatureCollection", features_schema),
                                  .media = GIS_IMPORT_MEDIA, .query = import_params};
const struct shape in_as_of = {.query = as_of_params};
const struct shape in_upload = {.media = "image/jpeg image/png image/heic application/pdf "
                                         "application/octet-stream",
                                .query = upload_params};
const struct shape in_period = {.query = period_params};
const struct shape in_nbest = {.query = nbest_params};
const struct shape in_progress_report = {.query = progress_report_params};
const struct shape in_cost_report = {.query = cost_report_params};
const struct shape in_lang = {.query = lang_params};

const struct shape out_list = {RESOURCE(".list", list_schema), .media = JSON_MEDIA};
const struct shape out_item = {RESOURCE("", whole_schema), .media = JSON_MEDIA};
const struct shape out_token = {RESOURCE(".issued", issued_schema), .media = JSON_MEDIA};
const struct shape out_signin = {NAMED("SignIn", signin_schema), .media = JSON_MEDIA};
const struct shape out_imported = {NAMED("ImportResult", imported_schema), .media = JSON_MEDIA};
const struct shape out_invoice_import = {NAMED("InvoiceImportResult", invoice_import_schema),
                                         .media = JSON_MEDIA};
const struct shape out_summary = {NAMED("Summary", summary_schema), .media = JSON_MEDIA};
const struct shape out_geojson = {NAMED("Network", geojson_schema),
                                  .media = "application/geo+json"};
const struct shape out_xlsx = {.media = XLSX_MEDIA};
const struct shape out_health = {NAMED("Health", health_schema), .media = JSON_MEDIA};
const struct shape out_ready = {NAMED("Ready", ready_schema), .media = JSON_MEDIA};
const struct shape out_metrics = {NAMED("Metrics", text_schema), .media = "text/plain"};
const struct shape out_openapi = {NAMED("OpenAPI", openapi_schema), .media = JSON_MEDIA};
const struct shape out_page = {.media = "text/html"};
const struct shape out_file = {.media = "*/*"};
const struct shape out_attachment = {NAMED("Attachment", attachment_schema), .media = JSON_MEDIA};
const struct shape out_attachments = {NAMED("AttachmentList", attachments_schema),
                                      .media = JSON_MEDIA};
const struct shape out_download = {.media = "image/jpeg image/png image/heic application/pdf"};
const struct shape out_thumbnail = {.media = "image/jpeg"};
const struct shape out_zip = {.media = "application/zip"};
const struct shape out_gpkg = {.media = "application/geopackage+sqlite3"};
const struct shape out_facets = {NAMED("AuditFacets", audit_facets_schema), .media = JSON_MEDIA};

/* Shapes that schemas build on. */
static const struct shape whole = {RESOURCE("", whole_schema)};
static const struct shape selection = {RESOURCE(".selection", selection_schema)};

/* ---- building blocks ---- */

struct doc {
    cJSON *root;
    cJSON *schemas;
    cJSON *responses;
    size_t body_default, body_anon;
};

static cJSON *typed(const char *type)
{
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "type", type);
    return s;
}

/* The type array of a type that also admits null, as JSON Schema writes it. */
static cJSON *or_null(const char *type)
{
    cJSON *t = cJSON_CreateArray();
    cJSON_AddItemToArray(t, cJSON_CreateString(type));
    cJSON_AddItemToArray(t, cJSON_CreateString("null"));
    return t;
}

static cJSON *typed_or_null(const char *type)
{
    cJSON *s = cJSON_CreateObject();
    cJSON_AddItemToObject(s, "type", or_null(type));
    return s;
}

static cJSON *described(cJSON *s, const char *text)
{
    cJSON_AddStringToObject(s, "description", text);
    return s;
}

static cJSON *formatted(const char *format)
{
    cJSON *s = typed("string");
    cJSON_AddStringToObject(s, "format", format);
    return s;
}

static cJSON *counted(void)
{
    cJSON *s = typed("integer");
    cJSON_AddNumberToObject(s, "minimum", 0);
    return s;
}

static cJSON *constant(const char *value)
{
    cJSON *s = typed("string");
    cJSON_AddStringToObject(s, "const", value);
    return s;
}

static cJSON *one_of(const char *const *values)
{
    cJSON *s = typed("string");
    cJSON *e = cJSON_AddArrayToObject(s, "enum");
    for (const char *const *v = values; *v; v++)
        cJSON_AddItemToArray(e, cJSON_CreateString(*v));
    return s;
}

static cJSON *array_of(cJSON *items)
{
    cJSON *s = typed("array");
    cJSON_AddItemToObject(s, "items", items);
    return s;
}

static cJSON *ref(const char *section, const char *name)
{
    char path[256];
    snprintf(path, sizeof(path), "#/components/%s/%s", section, name);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "$ref", path);
    return o;
}

/* An object whose members are the properties added with property(), and
 * nothing else: the server refuses unknown members and sends none. */
static cJSON *object(const char *description)
{
    cJSON *s = typed("object");
    if (description)
        cJSON_AddStringToObject(s, "description", description);
    cJSON_AddObjectToObject(s, "properties");
    cJSON_AddBoolToObject(s, "additionalProperties", 0);
    return s;
}

static void property(cJSON *obj, const char *name, cJSON *schema, int required)
{
    cJSON_AddItemToObject(cJSON_GetObjectItemCaseSensitive(obj, "properties"), name, schema);
    if (!required)
        return;
    cJSON *req = cJSON_GetObjectItemCaseSensitive(obj, "required");
    if (!req)
        req = cJSON_AddArrayToObject(obj, "required");
    cJSON_AddItemToArray(req, cJSON_CreateString(name));
}

/* An object of counts, one property for each of names, all present. */
static cJSON *counts(const char *const *names, const char *extra)
{
    cJSON *o = object(NULL);
    for (const char *const *n = names; *n; n++)
        property(o, *n, counted(), 1);
    if (extra)
        property(o, extra, counted(), 1);
    return o;
}

/* A $ref to the shape's schema, which is built into components/schemas the
 * first time it is named. NULL when the shape is about a resource and res
 * is NULL, or a schema it builds on is. */
static cJSON *schema_ref(struct doc *d, const struct shape *s, const struct resource *res)
{
    if (s->of_resource && !res)
        return NULL;
    char name[96];
    snprintf(name, sizeof(name), "%s%s", s->of_resource ? res->name : "", s->name);
    if (!cJSON_GetObjectItemCaseSensitive(d->schemas, name)) {
        /* Named before it is built, so that building it twice is never
         * tried. */
        cJSON_AddObjectToObject(d->schemas, name);
        cJSON *built = s->build(d, res);
        if (!built) {
            cJSON_DeleteItemFromObjectCaseSensitive(d->schemas, name);
            return NULL;
        }
        cJSON_ReplaceItemInObjectCaseSensitive(d->schemas, name, built);
    }
    return ref("schemas", name);
}

/* ---- fields ---- */

enum use { REPLY, REQUEST };

static int is_integer(enum field_type t)
{
    return t == FT_ID || t == FT_INT || t == FT_REF || t == FT_MONEY;
}

static int is_number(enum field_type t)
{
    return t == FT_DECIMAL || t == FT_RATE || t == FT_LAT || t == FT_LON;
}

/* A GeoJSON LineString as validate.c accepts it (request) and as MariaDB's
 * ST_AsGeoJSON writes it (reply). */
static cJSON *linestring(enum use use)
{
    cJSON *s = object("A GeoJSON LineString: WGS84 [longitude, latitude] positions, no heights");
    property(s, "type", constant("LineString"), 1);
    cJSON *pos = typed("array");
    cJSON *pair = cJSON_AddArrayToObject(pos, "prefixItems");
    cJSON *lon = typed("number"), *lat = typed("number");
    cJSON_AddNumberToObject(lon, "minimum", -180);
    cJSON_AddNumberToObject(lon, "maximum", 180);
    cJSON_AddNumberToObject(lat, "minimum", -90);
    cJSON_AddNumberToObject(lat, "maximum", 90);
    cJSON_AddItemToArray(pair, lon);
    cJSON_AddItemToArray(pair, lat);
    cJSON_AddBoolToObject(pos, "items", 0);
    cJSON_AddNumberToObject(pos, "minItems", 2);
    cJSON *coords = array_of(pos);
    cJSON_AddNumberToObject(coords, "minItems", 2);
    if (use == REQUEST)
        cJSON_AddNumberToObject(coords, "maxItems", 10000);
    property(s, "coordinates", coords, 1);
    if (use == REQUEST) {
        property(s, "crs", described(typed("object"), "Only WGS84 (EPSG:4326, CRS84) is taken"), 0);
        property(s, "bbox", array_of(typed("number")), 0);
    }
    return s;
}

/* The schema of one field, as a body may give it (REQUEST: with the rules
 * of domain/validate.c) or as the server returns it (REPLY). */
static cJSON *field_schema(const struct field *f, enum use use)
{
    int nullable = (f->flags & F_NULLABLE) != 0;
    const char *type = "string";
    if (is_integer(f->type))
        type = "integer";
    else if (is_number(f->type))
        type = "number";
    else if (f->type == FT_BOOL)
        type = "boolean";
    else if (f->type == FT_GEOMETRY || f->type == FT_JSON)
        type = "object";
    cJSON *s;
    if (f->type == FT_GEOMETRY) {
        s = linestring(use);
        /* An object's keywords leave null alone: the type array is enough. */
        if (nullable)
            cJSON_ReplaceItemInObjectCaseSensitive(s, "type", or_null("object"));
    } else {
        s = nullable ? typed_or_null(type) : typed(type);
    }

    double lo = f->min, hi = f->max;
    switch (f->type) {
    case FT_ID:
    case FT_REF:
        cJSON_AddNumberToObject(s, "minimum", 1);
        break;
    case FT_INT:
    case FT_MONEY:
    case FT_DECIMAL:
        /* Numbers nobody writes (versions, derived ones) have no range. */
        if (hi > 0) {
            cJSON_AddNumberToObject(s, "minimum", lo);
            cJSON_AddNumberToObject(s, "maximum", hi);
        }
        break;
    case FT_RATE:
        cJSON_AddNumberToObject(s, "minimum", 0);
        cJSON_AddNumberToObject(s, "maximum", 1);
        break;
    case FT_LAT:
        cJSON_AddNumberToObject(s, "minimum", -90);
        cJSON_AddNumberToObject(s, "maximum", 90);
        break;
    case FT_LON:
        cJSON_AddNumberToObject(s, "minimum", -180);
        cJSON_AddNumberToObject(s, "maximum", 180);
        break;
    case FT_STRING:
    case FT_EMAIL:
    case FT_PASSWORD:
        if (use == REQUEST) {
            double min = f->type == FT_PASSWORD ? 10 : (f->flags & F_REQUIRED) ? 1 : 0;
            if (min > 0)
                cJSON_AddNumberToObject(s, "minLength", min);
            cJSON_AddNumberToObject(s, "maxLength", hi > 0 ? hi : 200);
            /* Free text may hold tabs and line breaks (CR only in CRLF);
             * other text is one line without control characters. */
            cJSON_AddStringToObject(s, "pattern",
                                    (f->flags & F_MULTILINE)
                                        ? "^(?:[^\\u0000-\\u0008\\u000b-\\u001f\\u007f]|\\r\\n)*$"
                                        : "^[^\\u0000-\\u001f\\u007f]*$");
        } else if (hi > 0) {
            cJSON_AddNumberToObject(s, "maxLength", hi);
        }
        if (f->type == FT_EMAIL)
            cJSON_AddStringToObject(s, "format", "email");
        break;
    case FT_ENUM: {
        /* An enum that admits null lists null among its values. */
        cJSON *e = cJSON_AddArrayToObject(s, "enum");
        for (const char *const *v = f->values; *v; v++)
            cJSON_AddItemToArray(e, cJSON_CreateString(*v));
        if (nullable)
            cJSON_AddItemToArray(e, cJSON_CreateNull());
        break;
    }
    case FT_DATE:
        cJSON_AddStringToObject(s, "format", "date");
        break;
    case FT_TIMESTAMP:
        cJSON_AddStringToObject(s, "format", "date-time");
        break;
    case FT_BOOL:
    case FT_GEOMETRY:
    case FT_JSON:
        break;
    }
    if (f->type == FT_DECIMAL && use == REQUEST)
        cJSON_AddStringToObject(s, "description", "At most two decimals");
    if (f->type == FT_RATE && use == REQUEST)
        cJSON_AddStringToObject(s, "description", "A fraction with at most four decimals");
    if (f->flags & F_READONLY)
        cJSON_AddBoolToObject(s, "readOnly", 1);
    if (f->flags & F_WRITEONLY)
        cJSON_AddBoolToObject(s, "writeOnly", 1);
    return s;
}

/* ---- schemas of the resources ---- */

/* A sentence about one object of res: fmt has one %s for what it is. */
static void about(const struct resource *res, const char *fmt, char *out, size_t size)
{
    char what[64];
    snprintf(what, sizeof(what), "%s", res->entity);
    for (char *c = what; *c; c++)
        if (*c == '_')
            *c = ' ';
    snprintf(out, size, fmt, what);
}

/* The object as the server returns it: every field but the write-only
 * ones, always all of them. */
static cJSON *whole_schema(struct doc *d, const struct resource *res)
{
    char text[160];
    about(res, "One %s as stored, with its derived fields", text, sizeof(text));
    cJSON *s = object(text);
    for (size_t i = 0; i < res->nfields; i++) {
        const struct field *f = &res->fields[i];
        if (!(f->flags & F_WRITEONLY))
            property(s, f->name, field_schema(f, REPLY), 1);
    }
    if (res->decorate) {
        cJSON *items = schema_ref(d, &out_attachment, NULL);
        if (!items) {
            cJSON_Delete(s);
            return NULL;
        }
        property(s, "attachments", described(array_of(items), "Its photos and documents"), 1);
    }
    return s;
}

/* A list item: the whole object, or its id and the fields ?fields= names. */
static cJSON *selection_schema(struct doc *d, const struct resource *res)
{
    cJSON_Delete(schema_ref(d, &whole, res));
    char text[160];
    about(res, "One %s in a list: whole, or its id and the fields ?fields= names", text,
          sizeof(text));
    cJSON *s = object(text);
    for (size_t i = 0; i < res->nfields; i++) {
        const struct field *f = &res->fields[i];
        if (f->flags & F_WRITEONLY)
            continue;
        char path[160];
        snprintf(path, sizeof(path), "%s/properties/%s", res->name, f->name);
        property(s, f->name, ref("schemas", path), f->type == FT_ID);
    }
    if (res->decorate) {
        char path[160];
        snprintf(path, sizeof(path), "%s/properties/attachments", res->name);
        property(s, "attachments", ref("schemas", path), 0);
    }
    return s;
}

static cJSON *list_schema(struct doc *d, const struct resource *res)
{
    cJSON *items = schema_ref(d, &selection, res);
    if (!items)
        return NULL;
    cJSON *s = object("A page of a list, in the order of the ids");
    property(s, "items", array_of(items), 1);
    property(s, "next_cursor",
             described(typed_or_null("string"),
                       "The cursor of the next page (?cursor=), or null on the last page"),
             1);
    return s;
}

/* What a create accepts: every field that is not read-only. */
static cJSON *create_schema(struct doc *d, const struct resource *res)
{
    char text[160];
    about(res, "A new %s; read-only fields are refused (422)", text, sizeof(text));
    cJSON *s = object(text);
    for (size_t i = 0; i < res->nfields; i++) {
        const struct field *f = &res->fields[i];
        if (!(f->flags & F_READONLY))
            property(s, f->name, field_schema(f, REQUEST), (f->flags & F_REQUIRED) != 0);
    }
    return s;
}

/* What a change accepts: the fields a create takes, but those fixed at
 * creation; any of them. */
static cJSON *update_schema(struct doc *d, const struct resource *res)
{
    char text[160];
    about(res,
          "What to change in one %s; read-only fields and those set on creation are "
          "refused (422)",
          text, sizeof(text));
    cJSON *s = object(text);
    for (size_t i = 0; i < res->nfields; i++) {
        const struct field *f = &res->fields[i];
        if (!(f->flags & (F_READONLY | F_IMMUTABLE)))
            property(s, f->name, field_schema(f, REQUEST), 0);
    }
    return s;
}

/* A new token: the stored one and, this once, the plain token. */
static cJSON *issued_schema(struct doc *d, const struct resource *res)
{
    cJSON_Delete(schema_ref(d, &whole, res));
    cJSON *s = object("A new API token; a replay of the request (Idempotency-Key) answers "
                      "without the plain token, which is never stored");
    for (size_t i = 0; i < res->nfields; i++) {
        const struct field *f = &res->fields[i];
        if (f->flags & F_WRITEONLY)
            continue;
        char path[160];
        snprintf(path, sizeof(path), "%s/properties/%s", res->name, f->name);
        property(s, f->name, ref("schemas", path), 1);
    }
    property(s, "token", described(typed("string"), "The bearer token (ftk_…), shown here only"),
             0);
    return s;
}

/* ---- the other schemas ---- */

static cJSON *problem_schema(void)
{
    cJSON *s = object("An error (RFC 9457 problem details)");
    property(s, "type", described(formatted("uri"), "Tells errors of one status apart"), 1);
    property(s, "title", described(typed("string"), "The status in words"), 1);
    cJSON *status = typed("integer");
    cJSON_AddNumberToObject(status, "minimum", 400);
    cJSON_AddNumberToObject(status, "maximum", 599);
    property(s, "status", status, 1);
    property(s, "detail", described(typed("string"), "What went wrong, for a person"), 1);
    property(s, "request_id", described(typed("string"), "The X-Request-ID of the request"), 1);
    cJSON *e = object("One wrong value");
    property(e, "pointer",
             described(typed("string"), "A JSON Pointer to the value in the request body"), 1);
    property(e, "detail", typed("string"), 1);
    property(e, "index",
             described(counted(), "The feature of an import: its position in its layer"), 0);
    property(e, "layer",
             described(typed("string"), "The file's layer the feature of an import is in"), 0);
    property(
        e, "code",
        described(typed_or_null("string"), "The code of the feature of an import, if it has one"),
        0);
    property(e, "line", described(counted(), "The line of an imported file (the header is 1)"), 0);
    property(e, "field", described(typed("string"), "The member of the feature, or the column"), 0);
    property(s, "errors", described(array_of(e), "The values a 422 refuses"), 0);
    return s;
}

static cJSON *login_schema(struct doc *d, const struct resource *res)
{
    cJSON *s = object("Credentials; failed attempts are limited per account and address (429)");
    cJSON *email = typed("string");
    cJSON_AddNumberToObject(email, "maxLength", 254);
    property(s, "email", email, 1);
    cJSON *password = typed("string");
    cJSON_AddNumberToObject(password, "maxLength", 1024);
    cJSON_AddBoolToObject(password, "writeOnly", 1);
    property(s, "password", password, 1);
    return s;
}

static cJSON *signin_schema(struct doc *d, const struct resource *res)
{
    cJSON *user = schema_ref(d, &whole, &users_resource);
    cJSON *s = object("A sign-in: the bearer token and who it belongs to");
    property(s, "token", described(typed("string"), "The bearer token (ftk_…)"), 1);
    property(s, "expires_at", formatted("date-time"), 1);
    property(s, "user", user, 1);
    return s;
}

static cJSON *comment_schema(int required)
{
    cJSON *c = required ? typed("string") : typed_or_null("string");
    if (required)
        cJSON_AddNumberToObject(c, "minLength", 1);
    cJSON_AddNumberToObject(c, "maxLength", 1000);
    return c;
}

static cJSON *approval_schema(struct doc *d, const struct resource *res)
{
    cJSON *s = object("An approval, with an optional comment (the body may be left out)");
    property(s, "comment", comment_schema(0), 0);
    return s;
}

static cJSON *acceptance_schema(struct doc *d, const struct resource *res)
{
    cJSON *s = object("An acceptance (Abnahme) of a tested segment; the body may be left out");
    property(s, "accepted_on",
             described(formatted("date"), "The day of acceptance; today if left out"), 0);
    cJSON *note = typed_or_null("string");
    cJSON_AddNumberToObject(note, "maxLength", 2000);
    property(s, "note", described(note, "The acceptance protocol's note"), 0);
    return s;
}

static cJSON *submission_schema(struct doc *d, const struct resource *res)
{
    (void)d;
    (void)res;
    return object("A submission takes no body (or an empty object): it freezes the drawdown "
                  "as it is and records the time as requested_at");
}

static cJSON *receipt_schema(struct doc *d, const struct resource *res)
{
    (void)d;
    (void)res;
    cJSON *s = object("The funding agencies' payment of a submitted drawdown");
    for (size_t i = 0; i < drawdown_nreceipt_fields; i++)
        property(s, drawdown_receipt_fields[i].name,
                 field_schema(&drawdown_receipt_fields[i], REQUEST), 1);
    return s;
}

static cJSON *rejection_schema(struct doc *d, const struct resource *res)
{
    cJSON *s = object("A rejection, with a comment for the contractor");
    property(s, "comment", comment_schema(1), 1);
    return s;
}

static cJSON *features_schema(struct doc *d, const struct resource *res)
{
    static const char *const layers[] = {"node", "segment", "premise", NULL};
    cJSON *props = typed("object");
    described(props, "The layer, the code objects are matched by, and the layer's fields "
                     "(nodes, segments, premises); lot, from_node, to_node and serving_segment "
                     "name other objects by code");
    cJSON *known = cJSON_AddObjectToObject(props, "properties");
    cJSON_AddItemToObject(known, "layer", one_of(layers));
    cJSON *code = typed("string");
    cJSON_AddNumberToObject(code, "minLength", 1);
    cJSON_AddItemToObject(known, "code", code);
    const char *req[] = {"layer", "code"};
    cJSON_AddItemToObject(props, "required", cJSON_CreateStringArray(req, 2));

    cJSON *geometry = typed_or_null("object");
    described(geometry, "A Point for nodes and premises, a LineString for segments, or null");
    cJSON *feature = typed("object");
    cJSON *fp = cJSON_AddObjectToObject(feature, "properties");
    cJSON_AddItemToObject(fp, "type", constant("Feature"));
    cJSON_AddItemToObject(fp, "geometry", geometry);
    cJSON_AddItemToObject(fp, "properties", props);
    const char *freq[] = {"type", "properties"};
    cJSON_AddItemToObject(feature, "required", cJSON_CreateStringArray(freq, 2));

    cJSON *s = object("A GeoJSON FeatureCollection as GIS tools write it, in WGS84; objects are "
                      "matched by code, and nothing is imported unless everything is valid");
    property(s, "type", constant("FeatureCollection"), 1);
    property(s, "features", array_of(feature), 1);
    property(s, "name", typed("string"), 0);
    property(s, "crs", typed("object"), 0);
    property(s, "bbox", array_of(typed("number")), 0);
    return s;
}

static cJSON *attachment_schema(struct doc *d, const struct resource *res)
{
    static const char *const flags[] = {"far_from_segment", "taken_after_report", "no_position",
                                        NULL};
    static const char *const types[] = {"image/jpeg", "image/png", "image/heic", "application/pdf",
                                        NULL};
    (void)d;
    (void)res;
    cJSON *s = object("A photo or document of a progress report; the file itself is at "
                      "/api/v1/attachments/{id}");
    property(s, "id", typed("integer"), 1);
    property(s, "progress_report_id", typed("integer"), 1);
    property(s, "sha256", described(typed("string"), "SHA-256 of the file, hex; also its ETag"), 1);
    property(s, "media_type", one_of(types), 1);
    property(s, "size", described(counted(), "Bytes"), 1);
    property(s, "file_name", typed("string"), 1);
    property(s, "caption", typed_or_null("string"), 1);
    property(s, "taken_at",
             described(typed_or_null("string"),
                       "When it was taken (EXIF; local time read as Europe/Berlin unless the "
                       "camera gave its offset), RFC 3339 UTC"),
             1);
    property(s, "lat", typed_or_null("number"), 1);
    property(s, "lon", typed_or_null("number"), 1);
    property(s, "distance_m",
             described(typed_or_null("number"), "Metres from the segment's geometry"), 1);
    property(s, "flags",
             described(array_of(one_of(flags)),
                       "For review: more than 200 m from the segment, taken after the report "
                       "date (in Germany), or without a position"),
             1);
    property(s, "uploaded_by", typed("integer"), 1);
    property(s, "created_at", formatted("date-time"), 1);
    return s;
}

static cJSON *attachments_schema(struct doc *d, const struct resource *res)
{
    cJSON *items = schema_ref(d, &out_attachment, res);
    if (!items)
        return NULL;
    cJSON *s = object("A report's photos and documents, oldest first");
    property(s, "items", array_of(items), 1);
    return s;
}

static cJSON *audit_facets_schema(struct doc *d, const struct resource *res)
{
    cJSON *user = object(NULL);
    cJSON *id = typed("integer");
    cJSON_AddNumberToObject(id, "minimum", 1);
    property(user, "id", id, 1);
    property(user, "name", typed("string"), 1);
    cJSON *s = object("What the audit list's filters can choose from");
    property(
        s, "users",
        described(array_of(user), "Everyone with entries, by current name, with their user_id"), 1);
    property(s, "entities",
             described(array_of(typed("string")), "The kinds of objects with entries (entity)"), 1);
    return s;
}

static cJSON *imported_schema(struct doc *d, const struct resource *res)
{
    static const char *const layers[] = {"node", "segment", "premise", NULL};
    static const char *const outcomes[] = {"created", "updated", "unchanged", NULL};
    cJSON *s = object("What an import did, or would do (dry_run)");
    property(s, "features", counted(), 1);
    for (const char *const *o = outcomes; *o; o++)
        property(s, *o, counted(), 1);
    cJSON *by = object(NULL);
    for (const char *const *l = layers; *l; l++)
        property(by, *l, counts(outcomes, NULL), 1);
    property(s, "by_layer", by, 1);
    cJSON *crs = typed("string");
    described(crs, "The coordinate system the file's positions came in (they are stored in "
                   "WGS84)");
    property(s, "crs", crs, 1);
    property(s, "dry_run", typed("boolean"), 1);
    return s;
}

static cJSON *invoice_import_schema(struct doc *d, const struct resource *res)
{
    (void)d;
    (void)res;
    static const char *const outcomes[] = {"created", "updated", "unchanged", NULL};
    cJSON *s = object("What an invoice import did, or would do (dry_run)");
    property(s, "lines", counted(), 1);
    for (const char *const *o = outcomes; *o; o++)
        property(s, *o, counted(), 1);
    cJSON *result = object("One invoice of the list");
    property(result, "line", described(counted(), "Its line in the file (the header is line 1)"),
             1);
    property(result, "number", typed("string"), 1);
    property(result, "outcome", one_of(outcomes), 1);
    property(result, "id",
             described(typed_or_null("integer"), "null for one a dry run would create"), 1);
    cJSON *results = typed("array");
    cJSON_AddItemToObject(results, "items", result);
    property(s, "results", results, 1);
    property(s, "dry_run", typed("boolean"), 1);
    return s;
}

static cJSON *summary_schema(struct doc *d, const struct resource *res)
{
    static const char *const costs[] = {
        "budget_cents",  "invoiced_cents", "eligible_cents",  "paid_cents",
        "federal_cents", "state_cents",    "municipal_cents", NULL};
    static const char *const white_spots[] = {"total", "passed", NULL};
    cJSON *s = object("A project's KPIs as of the end of a day");
    cJSON *pid = typed("integer");
    cJSON_AddNumberToObject(pid, "minimum", 1);
    property(s, "project_id", pid, 1);
    property(s, "as_of", formatted("date"), 1);
    property(s, "planned_length_m", typed("number"), 1);
    property(s, "built_length_m", typed("number"), 1);
    property(s, "segments_by_status", counts(segment_status_names, NULL), 1);
    cJSON *lengths = object("Metres by construction method; methods without any are left out");
    property(lengths, "planned_m", typed("number"), 1);
    property(lengths, "built_m", typed("number"), 1);
    cJSON *by_method = typed("object");
    cJSON_AddItemToObject(by_method, "propertyNames", one_of(method_names));
    cJSON_AddItemToObject(by_method, "additionalProperties", lengths);
    property(s, "length_by_method", by_method, 1);
    property(s, "premises", counts(premise_status_names, "total"), 1);
    property(s, "white_spots", counts(white_spots, NULL), 1);
    property(s, "milestones", counts(milestone_state_names, NULL), 1);
    property(s, "costs", described(counts(costs, NULL), "Euro cents"), 1);
    return s;
}

static cJSON *geojson_schema(struct doc *d, const struct resource *res)
{
    static const char *const layers[] = {"node", "segment", "premise", NULL};
    cJSON *point = object(NULL);
    property(point, "type", constant("Point"), 1);
    cJSON *xy = array_of(typed("number"));
    cJSON_AddNumberToObject(xy, "minItems", 2);
    cJSON_AddNumberToObject(xy, "maxItems", 2);
    property(point, "coordinates", xy, 1);
    cJSON *geometry = cJSON_CreateObject();
    cJSON *any = cJSON_AddArrayToObject(geometry, "oneOf");
    cJSON_AddItemToArray(any, point);
    cJSON_AddItemToArray(any, linestring(REPLY));
    cJSON_AddItemToArray(any, typed("null"));

    cJSON *props = typed("object");
    described(props, "The layer, the object's id and its fields, with other objects named by "
                     "code (lot, from_node, to_node, serving_segment)");
    cJSON *known = cJSON_AddObjectToObject(props, "properties");
    cJSON_AddItemToObject(known, "layer", one_of(layers));
    cJSON *oid = typed("integer");
    cJSON_AddNumberToObject(oid, "minimum", 1);
    cJSON_AddItemToObject(known, "object_id", oid);
    const char *req[] = {"layer", "object_id"};
    cJSON_AddItemToObject(props, "required", cJSON_CreateStringArray(req, 2));
    cJSON *scalar = cJSON_CreateObject();
    const char *scalars[] = {"string", "number", "boolean", "null"};
    cJSON_AddItemToObject(scalar, "type", cJSON_CreateStringArray(scalars, 4));
    cJSON_AddItemToObject(props, "additionalProperties", scalar);

    cJSON *feature = object(NULL);
    property(feature, "type", constant("Feature"), 1);
    property(feature, "geometry", geometry, 1);
    property(feature, "properties", props, 1);

    cJSON *s = object("A project's nodes, segments and premises as a GeoJSON FeatureCollection "
                      "in WGS84, readable by ogr2ogr and importable again");
    property(s, "type", constant("FeatureCollection"), 1);
    property(s, "name", described(typed("string"), "The project's code"), 1);
    property(s, "features", array_of(feature), 1);
    return s;
}

static cJSON *health_schema(struct doc *d, const struct resource *res)
{
    cJSON *s = object(NULL);
    property(s, "status", constant("ok"), 1);
    return s;
}

static cJSON *ready_schema(struct doc *d, const struct resource *res)
{
    cJSON *s = object(NULL);
    property(s, "status", constant("ready"), 1);
    property(s, "schema_version", counted(), 1);
    return s;
}

static cJSON *text_schema(struct doc *d, const struct resource *res)
{
    return described(typed("string"), "The Prometheus text format 0.0.4");
}

static cJSON *openapi_schema(struct doc *d, const struct resource *res)
{
    cJSON *s = described(typed("object"), "An OpenAPI 3.1 document");
    const char *req[] = {"openapi", "info", "paths"};
    cJSON_AddItemToObject(s, "required", cJSON_CreateStringArray(req, 3));
    return s;
}

/* ---- responses ---- */

static const struct {
    const char *name, *description;
} headers[] = {
    {"X-Request-ID", "The request's id: the client's own when it sent a sane one"},
    {"ETag", "The version as a strong entity tag, for If-Match (If-None-Match for files)"},
    {"Location", "Where the new object is read"},
    {"Retry-After", "Seconds to wait before trying again"},
    {"WWW-Authenticate", "Bearer realm=\"fibertrack\""},
    {"Allow", "The methods the path takes"},
    {"Content-Disposition", "attachment, with a file name"},
    {"Content-Range", "The part of the file sent (206), or its size (416)"},
    {"Accept-Ranges", "bytes: the file may be read in parts with Range"},
    {"Idempotent-Replayed", "true: the answer to an earlier request with this Idempotency-Key, "
                            "given again"},
};

/* Adds a header that a response carries always (required) or at times. */
static void use_header(cJSON *response, const char *name, int required)
{
    cJSON *all = cJSON_GetObjectItemCaseSensitive(response, "headers");
    if (!all)
        all = cJSON_AddObjectToObject(response, "headers");
    cJSON *h = cJSON_AddObjectToObject(all, name);
    for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++)
        if (strcmp(headers[i].name, name) == 0)
            cJSON_AddStringToObject(h, "description", headers[i].description);
    if (required)
        cJSON_AddBoolToObject(h, "required", 1);
    cJSON_AddItemToObject(h, "schema", typed("string"));
}

/* The error statuses the server answers, each once in components/responses. */
static const struct {
    int status;
    const char *why;
    const char *header; /* a header it always carries */
} problems[] = {
    {400,
     "the request line, a header, the query or the JSON body is malformed, or a needed "
     "Idempotency-Key is missing",
     NULL},
    {401, "no valid bearer token (signing in: wrong credentials)", "WWW-Authenticate"},
    {403, "the caller's role may not use this route", NULL},
    {404,
     "no such object, or one outside the caller's scope (answered alike); also the "
     "answer for a path that no route has",
     NULL},
    {405, "the path does not take this method; Allow names those it takes (HEAD goes with GET)",
     "Allow"},
    {408, "the request did not arrive in time", NULL},
    {409,
     "a conflict with stored data (a code taken, objects that still refer to this one, a "
     "report decided already), or a request with this Idempotency-Key still running",
     NULL},
    {412, "If-Match does not name the current version (a weak tag never does); nothing changed",
     NULL},
    {413,
     "the body is larger than the route accepts (see its requestBody); refused before it "
     "is read",
     NULL},
    {415,
     "the body is not application/json; for an upload, its content is not a JPEG, PNG, HEIC "
     "or PDF, or not the type it was sent as",
     NULL},
    {416, "the Range asks for bytes past the end of the file", "Content-Range"},
    {417, "Expect names something other than 100-continue", NULL},
    {422,
     "values are invalid, and errors names each with a JSON Pointer; or the "
     "Idempotency-Key was used for another request",
     NULL},
    {428, "If-Match is missing", NULL},
    {429, "too many failed sign-ins from this address", "Retry-After"},
    {431, "the request line and headers are too large", NULL},
    {503, "the database is unavailable or busy, or the server is overloaded", "Retry-After"},
};

static const char *problem_why(int status)
{
    for (size_t i = 0; i < sizeof(problems) / sizeof(problems[0]); i++)
        if (problems[i].status == status)
            return problems[i].why;
    return NULL;
}

static void add_responses(struct doc *d)
{
    for (size_t i = 0; i < sizeof(problems) / sizeof(problems[0]); i++) {
        char code[8], text[400];
        snprintf(code, sizeof(code), "%d", problems[i].status);
        snprintf(text, sizeof(text), "%s: %s", status_title(problems[i].status), problems[i].why);
        cJSON *r = cJSON_AddObjectToObject(d->responses, code);
        cJSON_AddStringToObject(r, "description", text);
        use_header(r, "X-Request-ID", 1);
        if (problems[i].header)
            use_header(r, problems[i].header, 1);
        if (problems[i].status == 409)
            use_header(r, "Retry-After", 0);
        cJSON *schema = ref("schemas", "Problem");
        cJSON *status =
            cJSON_AddObjectToObject(cJSON_AddObjectToObject(schema, "properties"), "status");
        cJSON_AddNumberToObject(status, "const", problems[i].status);
        cJSON *media = cJSON_AddObjectToObject(cJSON_AddObjectToObject(r, "content"),
                                               "application/problem+json");
        cJSON_AddItemToObject(media, "schema", schema);
    }
}

/* ---- operations ---- */

#define MAX_STATUSES 24

static void add_status(int *list, int *n, int status)
{
    for (int i = 0; i < *n; i++)
        if (list[i] == status)
            return;
    if (*n < MAX_STATUSES)
        list[(*n)++] = status;
}

static int by_value(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

/* The statuses of a route besides its success, in order (see the top of
 * this file). Returns their number, or -1 when `also` is not a list of
 * statuses. */
static int error_statuses(const struct route *rt, int *list)
{
    static const int any[] = {400, 408, 413, 417, 431, 503};
    int n = 0;
    for (size_t i = 0; i < sizeof(any) / sizeof(any[0]); i++)
        add_status(list, &n, any[i]);
    if (rt->roles) {
        add_status(list, &n, 401);
        if ((rt->roles & ROLE_ANY) != ROLE_ANY)
            add_status(list, &n, 403);
    }
    if (strchr(rt->pattern, ':'))
        add_status(list, &n, 404);
    if (rt->flags & (ROUTE_JSON | ROUTE_JSON_OPTIONAL)) {
        add_status(list, &n, 415);
        add_status(list, &n, 422);
    }
    if (rt->method == HTTP_POST && rt->roles) {
        add_status(list, &n, 409);
        add_status(list, &n, 422);
    }
    if (rt->method == HTTP_PATCH || rt->method == HTTP_DELETE) {
        add_status(list, &n, 412);
        add_status(list, &n, 428);
    }
    for (const char *c = rt->also ? rt->also : ""; *c;) {
        char *end;
        long status = strtol(c, &end, 10);
        if (end == c || status < 200 || status > 599 || (*end && *end != ' '))
            return -1;
        if (status >= 400 && !problem_why((int)status))
            return -1;
        add_status(list, &n, (int)status);
        c = end;
        while (*c == ' ')
            c++;
    }
    qsort(list, (size_t)n, sizeof(int), by_value);
    return n;
}

static int has_status(const int *list, int n, int status)
{
    for (int i = 0; i < n; i++)
        if (list[i] == status)
            return 1;
    return 0;
}

static cJSON *parameter(const char *name, const char *in, int required, cJSON *schema,
                        const char *description)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "name", name);
    cJSON_AddStringToObject(p, "in", in);
    if (required)
        cJSON_AddBoolToObject(p, "required", 1);
    if (description)
        cJSON_AddStringToObject(p, "description", description);
    cJSON_AddItemToObject(p, "schema", schema);
    return p;
}

/* A query parameter's schema from its type (see struct param). */
static cJSON *param_schema(const char *type)
{
    if (strcmp(type, "date") == 0 || strcmp(type, "date-time") == 0)
        return formatted(type);
    if (strcmp(type, "boolean") == 0)
        return typed("boolean");
    if (strcmp(type, "text") == 0)
        return typed("string");
    cJSON *s = typed("string");
    cJSON *e = cJSON_AddArrayToObject(s, "enum");
    for (const char *c = type; *c;) {
        size_t n = strcspn(c, "|");
        char value[32];
        snprintf(value, sizeof(value), "%.*s", (int)n, c);
        cJSON_AddItemToArray(e, cJSON_CreateString(value));
        c += n;
        if (*c == '|')
            c++;
    }
    return s;
}

/* The query parameters of resource_list for res (api/resource.c). */
static void list_parameters(cJSON *params, const struct resource *res)
{
    cJSON *limit = typed("integer");
    cJSON_AddNumberToObject(limit, "minimum", 1);
    cJSON_AddNumberToObject(limit, "maximum", 1000);
    cJSON_AddNumberToObject(limit, "default", 100);
    cJSON_AddItemToArray(params, parameter("limit", "query", 0, limit, "Items per page"));
    cJSON_AddItemToArray(params, parameter("cursor", "query", 0, typed("string"),
                                           "The next_cursor of the page before"));
    cJSON *order = typed("string");
    cJSON *orders = cJSON_AddArrayToObject(order, "enum");
    for (int desc = 0; desc < 2; desc++)
        for (size_t i = 0; i < res->nfields; i++)
            if (resource_sortable(&res->fields[i])) {
                char name[80];
                snprintf(name, sizeof(name), "%s%s", desc ? "-" : "", res->fields[i].name);
                cJSON_AddItemToArray(orders, cJSON_CreateString(name));
            }
    cJSON_AddItemToArray(params, parameter("sort", "query", 0, order,
                                           "The order of the list: a field, '-' before it for "
                                           "descending; ties in the order of the ids. Without "
                                           "it, the order of the ids"));
    cJSON *names = cJSON_CreateObject();
    cJSON_AddStringToObject(names, "type", "string");
    cJSON *e = cJSON_AddArrayToObject(names, "enum");
    for (size_t i = 0; i < res->nfields; i++)
        if (!(res->fields[i].flags & F_WRITEONLY))
            cJSON_AddItemToArray(e, cJSON_CreateString(res->fields[i].name));
    cJSON *fields = parameter("fields", "query", 0, array_of(names),
                              "Only these fields of each item (and its id), separated by commas");
    cJSON_AddStringToObject(fields, "style", "form");
    cJSON_AddBoolToObject(fields, "explode", 0);
    cJSON_AddItemToArray(params, fields);
    char text[160];
    snprintf(text, sizeof(text), "Only items whose %s is at or after this time",
             res->time_column ? res->time_column : "updated_at");
    cJSON_AddItemToArray(params,
                         parameter("updated_since", "query", 0, formatted("date-time"), text));
    snprintf(text, sizeof(text), "Only items whose %s is before this time",
             res->time_column ? res->time_column : "updated_at");
    cJSON_AddItemToArray(params,
                         parameter("updated_before", "query", 0, formatted("date-time"), text));
    if (res->search) {
        cJSON *q = typed("string");
        cJSON_AddNumberToObject(q, "maxLength", 100);
        cJSON_AddItemToArray(params, parameter("q", "query", 0, q, "Text to search for"));
    }
    for (size_t i = 0; i < res->nfields; i++) {
        const struct field *f = &res->fields[i];
        if (!(f->flags & F_FILTER))
            continue;
        cJSON *s;
        if (f->type == FT_REF || f->type == FT_ID || f->type == FT_INT) {
            s = typed("integer");
            cJSON_AddNumberToObject(s, "minimum", 1);
        } else if (f->type == FT_BOOL) {
            s = typed("boolean");
        } else if (f->type == FT_ENUM) {
            s = one_of(f->values);
        } else if (f->type == FT_DATE) {
            s = formatted("date");
        } else {
            s = typed("string");
            cJSON_AddNumberToObject(s, "maxLength", 200);
        }
        snprintf(text, sizeof(text), "Only items whose %s is this", f->name);
        cJSON_AddItemToArray(params, parameter(f->name, "query", 0, s, text));
    }
}

/* The body limit of a route, and before a token is shown. */
static void describe_limit(const struct doc *d, const struct route *rt, char *out, size_t size)
{
    size_t limit = rt->body_limit ? rt->body_limit : d->body_default;
    if (!rt->roles && limit > d->body_anon)
        limit = d->body_anon;
    if (rt->roles && limit > d->body_anon)
        snprintf(out, size,
                 "At most %zu bytes (%zu before a token is shown); more is refused "
                 "(413) before it is read",
                 limit, d->body_anon);
    else
        snprintf(out, size, "At most %zu bytes; more is refused (413) before it is read", limit);
}

/* Writes "/api/v1/segments/{id}" for "/api/v1/segments/:id". */
static void openapi_path(const char *pattern, char *out, size_t size)
{
    size_t o = 0;
    for (const char *c = pattern; *c && o + 3 < size;) {
        if (*c == ':') {
            out[o++] = '{';
            c++;
            while (*c && *c != '/' && o + 2 < size)
                out[o++] = *c++;
            out[o++] = '}';
        } else {
            out[o++] = *c++;
        }
    }
    out[o] = '\0';
}

/* The content of a body: each of the shape's media types, with its schema. */
static cJSON *content(struct doc *d, const struct shape *s, const struct resource *res, int *failed)
{
    cJSON *c = cJSON_CreateObject();
    for (const char *m = s->media; *m;) {
        size_t n = strcspn(m, " ");
        char media[96];
        snprintf(media, sizeof(media), "%.*s", (int)n, m);
        cJSON *mt = cJSON_AddObjectToObject(c, media);
        /* A schema describes JSON; files of other types (a GeoPackage, a
         * zip) are described by their media type alone. */
        cJSON *schema = s->build && strstr(media, "json") ? schema_ref(d, s, res) : NULL;
        if (schema)
            cJSON_AddItemToObject(mt, "schema", schema);
        else if (s->build && strstr(media, "json"))
            *failed = 1;
        m += n;
        while (*m == ' ')
            m++;
    }
    return c;
}

/* The answer of success: its body, and the headers that come with it. */
static cJSON *success(struct doc *d, const struct route *rt, int *failed)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "description", status_title(rt->status));
    use_header(r, "X-Request-ID", 1);
    int versioned = rt->resource && !rt->resource->unversioned;
    int item = rt->gives == &out_item || rt->gives == &out_token;
    /* Objects read or written by id, and new ones, carry their version. */
    if (versioned && item && (strchr(rt->pattern, ':') || rt->status == 201))
        use_header(r, "ETag", 1);
    if (rt->resource && rt->status == 201)
        use_header(r, "Location", 1);
    if (rt->method == HTTP_POST && rt->roles)
        use_header(r, "Idempotent-Replayed", 0);
    if (rt->gives == &out_xlsx || rt->gives == &out_geojson || rt->gives == &out_download ||
        rt->gives == &out_zip || rt->gives == &out_gpkg)
        use_header(r, "Content-Disposition", 1);
    if (rt->gives == &out_page || rt->gives == &out_file || rt->gives == &out_download ||
        rt->gives == &out_thumbnail)
        use_header(r, "ETag", 1);
    if (rt->gives == &out_attachment)
        use_header(r, "Location", 1);
    if (rt->gives)
        cJSON_AddItemToObject(r, "content", content(d, rt->gives, rt->resource, failed));
    return r;
}

/* Whether a shape is about the route's resource. */
static int of_resource(const struct shape *s) { return s && (s->of_resource || s->list); }

static int add_operation(struct doc *d, cJSON *paths, const struct route *rt)
{
    if ((of_resource(rt->takes) || of_resource(rt->gives)) && !rt->resource)
        return -1;
    int statuses[MAX_STATUSES];
    int n = error_statuses(rt, statuses);
    if (n < 0)
        return -1;

    char path[256], method[16];
    openapi_path(rt->pattern, path, sizeof(path));
    snprintf(method, sizeof(method), "%s", http_method_name(rt->method));
    for (char *c = method; *c; c++)
        *c = (char)(*c - 'A' + 'a');
    cJSON *item = cJSON_GetObjectItemCaseSensitive(paths, path);
    if (!item)
        item = cJSON_AddObjectToObject(paths, path);
    cJSON *op = cJSON_AddObjectToObject(item, method);
    cJSON_AddStringToObject(op, "summary", rt->summary);
    if (rt->resource) {
        cJSON *tags = cJSON_AddArrayToObject(op, "tags");
        cJSON_AddItemToArray(tags, cJSON_CreateString(rt->resource->name));
    }
    if (rt->roles) {
        cJSON *security = cJSON_AddArrayToObject(op, "security");
        cJSON *bearer = cJSON_CreateObject();
        cJSON_AddArrayToObject(bearer, "bearer");
        cJSON_AddItemToArray(security, bearer);
        cJSON *roles = cJSON_AddArrayToObject(op, "x-roles");
        for (unsigned bit = 1; bit <= ROLE_CONTRACTOR; bit <<= 1)
            if (rt->roles & bit)
                cJSON_AddItemToArray(roles, cJSON_CreateString(role_name(bit)));
    }

    cJSON *params = cJSON_CreateArray();
    for (const char *c = strchr(rt->pattern, ':'); c; c = strchr(c + 1, ':')) {
        char name[32];
        snprintf(name, sizeof(name), "%.*s", (int)strcspn(c + 1, "/"), c + 1);
        cJSON *s = typed(strcmp(name, "id") == 0 ? "integer" : "string");
        if (strcmp(name, "id") == 0)
            cJSON_AddNumberToObject(s, "minimum", 1);
        cJSON_AddItemToArray(params, parameter(name, "path", 1, s, NULL));
    }
    if (rt->takes && rt->takes->list)
        list_parameters(params, rt->resource);
    for (const struct param *p = rt->takes ? rt->takes->query : NULL; p && p->name; p++)
        cJSON_AddItemToArray(params,
                             parameter(p->name, "query", 0, param_schema(p->type), p->description));
    if (rt->method == HTTP_POST && rt->roles) {
        cJSON *key = typed("string");
        cJSON_AddNumberToObject(key, "minLength", 1);
        cJSON_AddNumberToObject(key, "maxLength", 200);
        cJSON_AddStringToObject(key, "pattern", "^[!-~]+$");
        cJSON_AddItemToArray(params, parameter("Idempotency-Key", "header",
                                               (rt->flags & ROUTE_IDEMPOTENCY_REQUIRED) != 0, key,
                                               "The same key and body again answer as the "
                                               "first time; kept 24 hours per user"));
    }
    if (has_status(statuses, n, 428))
        cJSON_AddItemToArray(
            params, parameter("If-Match", "header", 1, typed("string"), "The ETag last read"));
    if (has_status(statuses, n, 304))
        cJSON_AddItemToArray(params, parameter("If-None-Match", "header", 0, typed("string"),
                                               "The ETag of the copy at hand"));
    if (has_status(statuses, n, 206))
        cJSON_AddItemToArray(params, parameter("Range", "header", 0, typed("string"),
                                               "One range of bytes: bytes=FIRST-[LAST] or "
                                               "bytes=-LENGTH"));
    if (cJSON_GetArraySize(params))
        cJSON_AddItemToObject(op, "parameters", params);
    else
        cJSON_Delete(params);

    int failed = 0;
    if (rt->takes && rt->takes->media) {
        cJSON *body = cJSON_AddObjectToObject(op, "requestBody");
        char limit[200];
        describe_limit(d, rt, limit, sizeof(limit));
        cJSON_AddStringToObject(body, "description", limit);
        cJSON_AddBoolToObject(body, "required", !rt->takes->optional);
        cJSON_AddItemToObject(body, "content", content(d, rt->takes, rt->resource, &failed));
    }

    cJSON *responses = cJSON_AddObjectToObject(op, "responses");
    char code[8];
    snprintf(code, sizeof(code), "%d", rt->status);
    cJSON_AddItemToObject(responses, code, success(d, rt, &failed));
    for (int i = 0; i < n; i++) {
        snprintf(code, sizeof(code), "%d", statuses[i]);
        if (statuses[i] >= 400) {
            cJSON_AddItemToObject(responses, code, ref("responses", code));
        } else {
            /* 304: the copy at hand is current; 206: the part of a file
             * that Range asked for. */
            cJSON *r = cJSON_AddObjectToObject(responses, code);
            cJSON_AddStringToObject(r, "description", status_title(statuses[i]));
            use_header(r, "X-Request-ID", 1);
            use_header(r, "ETag", 1);
            if (statuses[i] == 206) {
                use_header(r, "Content-Range", 1);
                cJSON_AddItemToObject(r, "content", content(d, rt->gives, rt->resource, &failed));
            }
        }
    }
    return failed ? -1 : 0;
}

char *openapi_build(const struct route *routes, size_t nroutes, size_t body_default,
                    size_t body_anon)
{
    struct doc d = {.body_default = body_default, .body_anon = body_anon};
    d.root = cJSON_CreateObject();
    cJSON_AddStringToObject(d.root, "openapi", "3.1.0");
    cJSON *info = cJSON_AddObjectToObject(d.root, "info");
    cJSON_AddStringToObject(info, "title", "fibertrack API");
    cJSON_AddStringToObject(info, "version", "1");
    cJSON_AddStringToObject(
        info, "description",
        "Municipal fiber rollout tracking: network inventory, construction progress, milestones, "
        "invoices and funding reports. Every answer carries X-Request-ID; every error is "
        "application/problem+json. A path no route has answers 404 and a method a path does "
        "not take 405 with Allow (components/responses). Every GET answers HEAD too. PATCH and "
        "DELETE need If-Match with the ETag last read.");
    cJSON *paths = cJSON_AddObjectToObject(d.root, "paths");
    cJSON *components = cJSON_AddObjectToObject(d.root, "components");
    d.schemas = cJSON_AddObjectToObject(components, "schemas");
    d.responses = cJSON_AddObjectToObject(components, "responses");
    cJSON *bearer =
        cJSON_AddObjectToObject(cJSON_AddObjectToObject(components, "securitySchemes"), "bearer");
    cJSON_AddStringToObject(bearer, "type", "http");
    cJSON_AddStringToObject(bearer, "scheme", "bearer");
    cJSON_AddItemToObject(d.schemas, "Problem", problem_schema());
    add_responses(&d);

    int failed = 0;
    for (size_t i = 0; i < nroutes && !failed; i++)
        failed = add_operation(&d, paths, &routes[i]) < 0;
    char *text = failed ? NULL : cJSON_PrintUnformatted(d.root);
    cJSON_Delete(d.root);
    return text;
}

/* ---- serving ---- */

static char *document;
static size_t document_len;

int openapi_init(const struct route *routes, size_t nroutes, size_t body_default, size_t body_anon)
{
    document = openapi_build(routes, nroutes, body_default, body_anon);
    if (!document)
        return -1;
    document_len = strlen(document);
    return 0;
}

void openapi_free(void)
{
    free(document);
    document = NULL;
}

int openapi_document(struct req *r)
{
    return reply_raw(r, 200, "application/json", document, document_len);
}
