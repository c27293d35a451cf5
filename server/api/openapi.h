/* openapi.h — the OpenAPI 3.1 document of GET /api/v1/openapi.json, built
 * once from the route table and the resources' field tables.
 *
 * A route names what it takes (query parameters and a request body) and
 * what it gives (the body of success) as one of the shapes below; shapes
 * about "the resource" mean the route's resource. */
#ifndef FT_OPENAPI_H
#define FT_OPENAPI_H

#include <stddef.h>

#include "http/request.h"

struct shape;

/* What a request takes. */
extern const struct shape in_list;            /* limit, cursor, fields, q, updated_since, filters */
extern const struct shape in_create;          /* the resource's fields a create accepts */
extern const struct shape in_update;          /* the resource's fields a change accepts */
extern const struct shape in_login;           /* {email, password} */
extern const struct shape in_approval;        /* {comment?}, or no body */
extern const struct shape in_rejection;       /* {comment} */
extern const struct shape in_acceptance;      /* {accepted_on?, note?}, or no body */
extern const struct shape in_submission;      /* no body, or {} */
extern const struct shape in_invoice_csv;     /* an invoice list as text/csv; ?dry_run */
extern const struct shape in_receipt;         /* {received_at, federal_received_cents, ...} */
extern const struct shape in_features;        /* a GeoJSON FeatureCollection; ?dry_run */
extern const struct shape in_as_of;           /* ?as_of */
extern const struct shape in_progress_report; /* ?as_of, ?lang */
extern const struct shape in_cost_report;     /* ?from, ?to, ?as_of, ?lang */
extern const struct shape in_lang;            /* ?lang */
extern const struct shape in_upload;          /* a file as the raw body; ?caption */
extern const struct shape in_period;          /* ?from, ?to */
extern const struct shape in_nbest;           /* ?version, ?phase of GIS-NBest */

/* What a success gives. */
extern const struct shape out_list;           /* {items: [the resource], next_cursor} */
extern const struct shape out_item;           /* the resource */
extern const struct shape out_token;          /* a token, with the plain token once */
extern const struct shape out_signin;         /* {token, expires_at, user} */
extern const struct shape out_imported;       /* what an import created, updated, left */
extern const struct shape out_invoice_import; /* the same for an invoice list, per line */
extern const struct shape out_summary;        /* a project's KPIs */
extern const struct shape out_geojson;        /* a project's network as GeoJSON */
extern const struct shape out_xlsx;           /* a workbook */
extern const struct shape out_health;         /* {status: "ok"} */
extern const struct shape out_ready;          /* {status: "ready", schema_version} */
extern const struct shape out_metrics;        /* Prometheus text */
extern const struct shape out_openapi;        /* this document */
extern const struct shape out_page;           /* the dashboard's HTML page */
extern const struct shape out_file;           /* a file of the dashboard */
extern const struct shape out_attachment;     /* a photo's or document's metadata */
extern const struct shape out_attachments;    /* {items: [attachment]} */
extern const struct shape out_download;       /* a stored photo or document */
extern const struct shape out_thumbnail;      /* a JPEG preview */
extern const struct shape out_zip;            /* a zip archive */
extern const struct shape out_gpkg;           /* a GeoPackage */
extern const struct shape out_facets;         /* the audit filters' choices */

/* Builds the document for the route table. body_default is the body limit
 * of a route whose body_limit is 0, body_anon the limit of a request without
 * a token. Returns the JSON text (the caller frees it), or NULL when a
 * route's `also` is not a list of statuses or a shape about the resource
 * comes without one. */
char *openapi_build(const struct route *routes, size_t nroutes, size_t body_default,
                    size_t body_anon);
/* Builds the document that openapi_document serves. Returns 0 or -1. */
int openapi_init(const struct route *routes, size_t nroutes, size_t body_default, size_t body_anon);
void openapi_free(void);

int openapi_document(struct req *r); /* loop */

#endif
