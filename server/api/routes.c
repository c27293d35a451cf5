/* routes.c — the route table: one row per route, with everything the
 * pipeline and the OpenAPI document (api/openapi.c) need to know of it. */
#include "api/routes.h"

#include "api/acceptance.h"
#include "api/attachments.h"
#include "api/audit.h"
#include "api/auth.h"
#include "api/construction.h"
#include "api/exports.h"
#include "api/finance.h"
#include "api/gis.h"
#include "api/inventory.h"
#include "api/invoice_import.h"
#include "api/meta.h"
#include "api/openapi.h"
#include "api/planning.h"
#include "api/reports.h"
#include "api/resource.h"
#include "api/summary.h"
#include "api/webapp.h"
#include "http/request.h"

#define MIB (1024 * 1024)

/* Who may use a route, besides ROLE_ANY and ROLE_STAFF. */
#define ADMIN ROLE_ADMIN
#define EDITORS (ROLE_ADMIN | ROLE_MANAGER)      /* the inventory; reviews and imports */
#define BOOKKEEPERS (ROLE_ADMIN | ROLE_FINANCE)  /* invoices */
#define REPORTERS (ROLE_ADMIN | ROLE_CONTRACTOR) /* progress reports */
#define ANY ROLE_ANY
#define STAFF ROLE_STAFF

/* How the pipeline treats a route. */
#define LOOP ROUTE_LOOP
#define JSON ROUTE_JSON
#define WRITE ROUTE_WRITE
#define CHANGE (ROUTE_WRITE | ROUTE_JSON)
#define KEYED (ROUTE_WRITE | ROUTE_JSON | ROUTE_IDEMPOTENCY_REQUIRED)
#define REVIEW (ROUTE_WRITE | ROUTE_JSON_OPTIONAL)
#define UPLOAD (ROUTE_WRITE | ROUTE_IDEMPOTENCY_REQUIRED | ROUTE_RAW_BODY)
#define UPLOADERS ROLE_CONTRACTOR /* photos come from the site */

/* `also` lists what a handler answers beyond what openapi.c derives from the
 * other columns. A change clashes (409) with a code or e-mail taken, or with
 * a referred object deleted meanwhile; a deletion with the objects that
 * still refer to it. Contractors and milestones have neither unique nor
 * referring fields to change, and nothing refers to a premise, milestone or
 * invoice. */

/* clang-format off */
const struct route api_routes[] = {
    /* method     pattern                                       handler           roles        flags   ok   also       limit     resource               takes                gives          summary (then prepare) */
    {HTTP_GET,    "/healthz",                                   meta_healthz,     0,           LOOP,   200, NULL,      0,        NULL,                  NULL,                &out_health,   "The process is alive", NULL},
    {HTTP_GET,    "/readyz",                                    meta_readyz,      0,           0,      200, NULL,      0,        NULL,                  NULL,                &out_ready,    "The database is reachable and current", NULL},
    {HTTP_GET,    "/metrics",                                   meta_metrics,     0,           LOOP,   200, "403",     0,        NULL,                  NULL,                &out_metrics,  "Prometheus metrics (loopback, or the metrics token)", NULL},
    {HTTP_GET,    "/api/v1/openapi.json",                       openapi_document, 0,           LOOP,   200, NULL,      0,        NULL,                  NULL,                &out_openapi,  "This document", NULL},

    {HTTP_POST,   "/api/v1/auth/login",                         auth_login,       0,           JSON,   201, "401 429", 0,        NULL,                  &in_login,           &out_signin,   "Sign in: returns a token", NULL},
    {HTTP_POST,   "/api/v1/auth/logout",                        auth_logout,      ANY,         WRITE,  204, NULL,      0,        NULL,                  NULL,                NULL,          "Sign out: revokes the token in use", NULL},
    {HTTP_GET,    "/api/v1/me",                                 auth_me,          ANY,         0,      200, NULL,      0,        &users_resource,       NULL,                &out_item,     "The signed-in user", NULL},

    {HTTP_GET,    "/api/v1/projects",                           resource_list,    ANY,         0,      200, NULL,      0,        &projects_resource,    &in_list,            &out_list,     "List projects", NULL},
    {HTTP_POST,   "/api/v1/projects",                           resource_create,  EDITORS,     CHANGE, 201, NULL,      0,        &projects_resource,    &in_create,          &out_item,     "Create a project", NULL},
    {HTTP_GET,    "/api/v1/projects/:id",                       resource_get,     ANY,         0,      200, NULL,      0,        &projects_resource,    NULL,                &out_item,     "Read a project", NULL},
    {HTTP_PATCH,  "/api/v1/projects/:id",                       resource_update,  EDITORS,     CHANGE, 200, "409",     0,        &projects_resource,    &in_update,          &out_item,     "Change a project", NULL},
    {HTTP_DELETE, "/api/v1/projects/:id",                       resource_delete,  EDITORS,     WRITE,  204, "409",     0,        &projects_resource,    NULL,                NULL,          "Delete a project", NULL},
    {HTTP_GET,    "/api/v1/projects/:id/summary",               summary_get,      STAFF,       0,      200, NULL,      0,        NULL,                  &in_as_of,           &out_summary,  "Project KPIs as of a date, from the recorded history", NULL},
    {HTTP_POST,   "/api/v1/projects/:id/import",                gis_import,       EDITORS,     WRITE,  200, "415 422", 64 * MIB, NULL,                  &in_features,        &out_imported, "Import nodes, segments and premises from GeoJSON, a GeoPackage, zipped Shapefiles or CSV with WKT (any coordinate system): upsert by code, all or nothing", gis_import_prepare},
    {HTTP_GET,    "/api/v1/projects/:id/export.geojson",        gis_export_geojson, STAFF,     0,      200, NULL,      0,        NULL,                  NULL,                &out_geojson,  "The project's network as GeoJSON with current status", NULL},
    {HTTP_GET,    "/api/v1/projects/:id/export.gpkg",           gis_export_gpkg,  STAFF,       0,      200, NULL,      0,        NULL,                  NULL,                &out_gpkg,     "The project's network as a GeoPackage: typed layers nodes, segments and premises in EPSG:4326", NULL},
    {HTTP_GET,    "/api/v1/projects/:id/exports/gis-nbest.zip", gis_export_nbest, STAFF,       0,      200, "422",     0,        NULL,                  &in_nbest,           &out_zip,      "The GIS-NBest delivery (version 5.1; phase plan or asbuilt) in EPSG:25832: Shapefiles and a GeoPackage of the same layers", NULL},
    {HTTP_GET,    "/api/v1/projects/:id/reports/progress.xlsx", reports_progress, STAFF,       0,      200, "422",     0,        NULL,                  &in_progress_report, &out_xlsx,     "Progress report workbook as of a date", NULL},
    {HTTP_GET,    "/api/v1/projects/:id/reports/costs.xlsx",    reports_costs,    STAFF,       0,      200, "422",     0,        NULL,                  &in_cost_report,     &out_xlsx,     "Cost statement and payment request workbook", NULL},
    {HTTP_GET,    "/api/v1/projects/:id/exports/photos.zip",    exports_photos,   STAFF,       0,      200, "422",     0,        NULL,                  &in_period,          &out_zip,      "The Fotodokumentation: the period's photos, named by segment and date, with an index", NULL},

    {HTTP_GET,    "/api/v1/contractors",                        resource_list,    ANY,         0,      200, NULL,      0,        &contractors_resource, &in_list,            &out_list,     "List contractors", NULL},
    {HTTP_POST,   "/api/v1/contractors",                        resource_create,  EDITORS,     CHANGE, 201, NULL,      0,        &contractors_resource, &in_create,          &out_item,     "Create a contractor", NULL},
    {HTTP_GET,    "/api/v1/contractors/:id",                    resource_get,     ANY,         0,      200, NULL,      0,        &contractors_resource, NULL,                &out_item,     "Read a contractor", NULL},
    {HTTP_PATCH,  "/api/v1/contractors/:id",                    resource_update,  EDITORS,     CHANGE, 200, NULL,      0,        &contractors_resource, &in_update,          &out_item,     "Change a contractor", NULL},
    {HTTP_DELETE, "/api/v1/contractors/:id",                    resource_delete,  EDITORS,     WRITE,  204, "409",     0,        &contractors_resource, NULL,                NULL,          "Delete a contractor", NULL},

    {HTTP_GET,    "/api/v1/lots",                               resource_list,    ANY,         0,      200, NULL,      0,        &lots_resource,        &in_list,            &out_list,     "List lots", NULL},
    {HTTP_POST,   "/api/v1/lots",                               resource_create,  EDITORS,     CHANGE, 201, NULL,      0,        &lots_resource,        &in_create,          &out_item,     "Create a lot", NULL},
    {HTTP_GET,    "/api/v1/lots/:id",                           resource_get,     ANY,         0,      200, NULL,      0,        &lots_resource,        NULL,                &out_item,     "Read a lot", NULL},
    {HTTP_PATCH,  "/api/v1/lots/:id",                           resource_update,  EDITORS,     CHANGE, 200, "409",     0,        &lots_resource,        &in_update,          &out_item,     "Change a lot", NULL},
    {HTTP_DELETE, "/api/v1/lots/:id",                           resource_delete,  EDITORS,     WRITE,  204, "409",     0,        &lots_resource,        NULL,                NULL,          "Delete a lot", NULL},

    {HTTP_GET,    "/api/v1/nodes",                              resource_list,    ANY,         0,      200, NULL,      0,        &nodes_resource,       &in_list,            &out_list,     "List nodes", NULL},
    {HTTP_POST,   "/api/v1/nodes",                              resource_create,  EDITORS,     CHANGE, 201, NULL,      0,        &nodes_resource,       &in_create,          &out_item,     "Create a node", NULL},
    {HTTP_GET,    "/api/v1/nodes/:id",                          resource_get,     ANY,         0,      200, NULL,      0,        &nodes_resource,       NULL,                &out_item,     "Read a node", NULL},
    {HTTP_PATCH,  "/api/v1/nodes/:id",                          resource_update,  EDITORS,     CHANGE, 200, "409",     0,        &nodes_resource,       &in_update,          &out_item,     "Change a node", NULL},
    {HTTP_DELETE, "/api/v1/nodes/:id",                          resource_delete,  EDITORS,     WRITE,  204, "409",     0,        &nodes_resource,       NULL,                NULL,          "Delete a node", NULL},

    {HTTP_GET,    "/api/v1/segments",                           resource_list,    ANY,         0,      200, NULL,      0,        &segments_resource,    &in_list,            &out_list,     "List segments", NULL},
    {HTTP_POST,   "/api/v1/segments",                           resource_create,  EDITORS,     CHANGE, 201, NULL,      0,        &segments_resource,    &in_create,          &out_item,     "Create a segment", NULL},
    {HTTP_GET,    "/api/v1/segments/:id",                       resource_get,     ANY,         0,      200, NULL,      0,        &segments_resource,    NULL,                &out_item,     "Read a segment", NULL},
    {HTTP_PATCH,  "/api/v1/segments/:id",                       resource_update,  EDITORS,     CHANGE, 200, "409",     0,        &segments_resource,    &in_update,          &out_item,     "Change a segment (moving back needs status_reason)", NULL},
    {HTTP_DELETE, "/api/v1/segments/:id",                       resource_delete,  EDITORS,     WRITE,  204, "409",     0,        &segments_resource,    NULL,                NULL,          "Delete a segment", NULL},
    {HTTP_POST,   "/api/v1/segments/:id/accept",                segments_accept,  EDITORS,     REVIEW, 200, "409",     0,        &segments_resource,    &in_acceptance,      &out_item,     "Accept a tested segment (Abnahme): day, who, protocol note", NULL},

    {HTTP_GET,    "/api/v1/premises",                           resource_list,    ANY,         0,      200, NULL,      0,        &premises_resource,    &in_list,            &out_list,     "List premises", NULL},
    {HTTP_POST,   "/api/v1/premises",                           resource_create,  EDITORS,     CHANGE, 201, NULL,      0,        &premises_resource,    &in_create,          &out_item,     "Create a premise", NULL},
    {HTTP_GET,    "/api/v1/premises/:id",                       resource_get,     ANY,         0,      200, NULL,      0,        &premises_resource,    NULL,                &out_item,     "Read a premise", NULL},
    {HTTP_PATCH,  "/api/v1/premises/:id",                       resource_update,  EDITORS,     CHANGE, 200, "409",     0,        &premises_resource,    &in_update,          &out_item,     "Change a premise", NULL},
    {HTTP_DELETE, "/api/v1/premises/:id",                       resource_delete,  EDITORS,     WRITE,  204, NULL,      0,        &premises_resource,    NULL,                NULL,          "Delete a premise", NULL},

    {HTTP_GET,    "/api/v1/milestones",                         resource_list,    ANY,         0,      200, NULL,      0,        &milestones_resource,  &in_list,            &out_list,     "List milestones", NULL},
    {HTTP_POST,   "/api/v1/milestones",                         resource_create,  EDITORS,     CHANGE, 201, NULL,      0,        &milestones_resource,  &in_create,          &out_item,     "Create a milestone", NULL},
    {HTTP_GET,    "/api/v1/milestones/:id",                     resource_get,     ANY,         0,      200, NULL,      0,        &milestones_resource,  NULL,                &out_item,     "Read a milestone", NULL},
    {HTTP_PATCH,  "/api/v1/milestones/:id",                     resource_update,  EDITORS,     CHANGE, 200, NULL,      0,        &milestones_resource,  &in_update,          &out_item,     "Change a milestone", NULL},
    {HTTP_DELETE, "/api/v1/milestones/:id",                     resource_delete,  EDITORS,     WRITE,  204, NULL,      0,        &milestones_resource,  NULL,                NULL,          "Delete a milestone", NULL},

    {HTTP_GET,    "/api/v1/invoices",                           resource_list,    STAFF,       0,      200, NULL,      0,        &invoices_resource,    &in_list,            &out_list,     "List invoices", NULL},
    {HTTP_POST,   "/api/v1/invoices",                           resource_create,  BOOKKEEPERS, CHANGE, 201, NULL,      0,        &invoices_resource,    &in_create,          &out_item,     "Record an invoice", NULL},
    {HTTP_GET,    "/api/v1/invoices/:id",                       resource_get,     STAFF,       0,      200, NULL,      0,        &invoices_resource,    NULL,                &out_item,     "Read an invoice", NULL},
    {HTTP_PATCH,  "/api/v1/invoices/:id",                       resource_update,  BOOKKEEPERS, CHANGE, 200, "409",     0,        &invoices_resource,    &in_update,          &out_item,     "Change an invoice", NULL},
    {HTTP_DELETE, "/api/v1/invoices/:id",                       resource_delete,  BOOKKEEPERS, WRITE,  204, NULL,      0,        &invoices_resource,    NULL,                NULL,          "Delete an invoice", NULL},

    {HTTP_POST,   "/api/v1/projects/:id/invoices/import",       invoices_import,  BOOKKEEPERS, WRITE,  200, "404 415", 8 * MIB,  NULL,                  &in_invoice_csv,     &out_invoice_import, "Import an invoice list from CSV: all or nothing; ?dry_run=true checks it only", invoices_import_prepare},

    {HTTP_GET,    "/api/v1/budget-lines",                       resource_list,    STAFF,       0,      200, NULL,      0,        &budget_lines_resource, &in_list,           &out_list,     "List budget lines (the Finanzierungsplan)", NULL},
    {HTTP_POST,   "/api/v1/budget-lines",                       resource_create,  BOOKKEEPERS, CHANGE, 201, "409",     0,        &budget_lines_resource, &in_create,         &out_item,     "Plan a category's eligible cost for a year", NULL},
    {HTTP_GET,    "/api/v1/budget-lines/:id",                   resource_get,     STAFF,       0,      200, NULL,      0,        &budget_lines_resource, NULL,               &out_item,     "Read a budget line", NULL},
    {HTTP_PATCH,  "/api/v1/budget-lines/:id",                   resource_update,  BOOKKEEPERS, CHANGE, 200, "409",     0,        &budget_lines_resource, &in_update,         &out_item,     "Change a budget line", NULL},
    {HTTP_DELETE, "/api/v1/budget-lines/:id",                   resource_delete,  BOOKKEEPERS, WRITE,  204, NULL,      0,        &budget_lines_resource, NULL,               NULL,          "Delete a budget line", NULL},

    {HTTP_GET,    "/api/v1/drawdowns",                          resource_list,    STAFF,       0,      200, NULL,      0,        &drawdowns_resource,   &in_list,            &out_list,     "List drawdowns (Mittelabrufe)", NULL},
    {HTTP_POST,   "/api/v1/drawdowns",                          resource_create,  BOOKKEEPERS, CHANGE, 201, NULL,      0,        &drawdowns_resource,   &in_create,          &out_item,     "Draft a drawdown; the server numbers it", NULL},
    {HTTP_GET,    "/api/v1/drawdowns/:id",                      resource_get,     STAFF,       0,      200, NULL,      0,        &drawdowns_resource,   NULL,                &out_item,     "Read a drawdown", NULL},
    {HTTP_PATCH,  "/api/v1/drawdowns/:id",                      drawdowns_update, BOOKKEEPERS, CHANGE, 200, "409",     0,        &drawdowns_resource,   &in_update,          &out_item,     "Change a draft drawdown", NULL},
    {HTTP_DELETE, "/api/v1/drawdowns/:id",                      drawdowns_delete, BOOKKEEPERS, WRITE,  204, "409",     0,        &drawdowns_resource,   NULL,                NULL,          "Delete a draft drawdown", NULL},
    {HTTP_POST,   "/api/v1/drawdowns/:id/submit",               drawdowns_submit, BOOKKEEPERS, REVIEW, 200, "409 412",   0,        &drawdowns_resource,   &in_submission,      &out_item,     "Submit a draft: freezes it and records requested_at", NULL},
    {HTTP_GET,    "/api/v1/drawdowns/:id/workbook.xlsx",        reports_drawdown, STAFF,       0,      200, "422",     0,        NULL,                  &in_lang,            &out_xlsx,     "The drawdown's Mittelabruf workbook; a submitted one as recorded at requested_at, the same file on every download", NULL},
    {HTTP_POST,   "/api/v1/drawdowns/:id/receive",              drawdowns_receive, BOOKKEEPERS, CHANGE, 200, "409 412",   0,        &drawdowns_resource,   &in_receipt,         &out_item,     "Record the agencies' payment of a submitted drawdown", NULL},

    {HTTP_GET,    "/api/v1/report-notes",                       resource_list,    STAFF,       0,      200, NULL,      0,        &report_notes_resource, &in_list,           &out_list,     "List report notes (the Sachbericht per period)", NULL},
    {HTTP_POST,   "/api/v1/report-notes",                       resource_create,  EDITORS,     CHANGE, 201, "409",     0,        &report_notes_resource, &in_create,         &out_item,     "Write the narrative of a period", NULL},
    {HTTP_GET,    "/api/v1/report-notes/:id",                   resource_get,     STAFF,       0,      200, NULL,      0,        &report_notes_resource, NULL,               &out_item,     "Read a report note", NULL},
    {HTTP_PATCH,  "/api/v1/report-notes/:id",                   resource_update,  EDITORS,     CHANGE, 200, "409",     0,        &report_notes_resource, &in_update,         &out_item,     "Change a report note", NULL},
    {HTTP_DELETE, "/api/v1/report-notes/:id",                   resource_delete,  EDITORS,     WRITE,  204, NULL,      0,        &report_notes_resource, NULL,               NULL,          "Delete a report note", NULL},

    {HTTP_GET,    "/api/v1/progress-reports",                   resource_list,    ANY,         0,      200, NULL,      0,        &progress_resource,    &in_list,            &out_list,     "List progress reports (to review: ?state=submitted)", NULL},
    {HTTP_POST,   "/api/v1/progress-reports",                   progress_create,  REPORTERS,   KEYED,  201, "404",     0,        &progress_resource,    &in_create,          &out_item,     "Report construction progress on a segment", NULL},
    {HTTP_GET,    "/api/v1/progress-reports/:id",               resource_get,     ANY,         0,      200, NULL,      0,        &progress_resource,    NULL,                &out_item,     "Read a progress report", NULL},
    {HTTP_POST,   "/api/v1/progress-reports/:id/approve",       progress_approve, EDITORS,     REVIEW, 200, NULL,      0,        &progress_resource,    &in_approval,        &out_item,     "Approve a report: applies it to its segment", NULL},
    {HTTP_POST,   "/api/v1/progress-reports/:id/reject",        progress_reject,  EDITORS,     CHANGE, 200, NULL,      0,        &progress_resource,    &in_rejection,       &out_item,     "Reject a report with a comment for the contractor", NULL},
    {HTTP_GET,    "/api/v1/progress-reports/:id/attachments",   attachments_list, ANY,        0,      200, NULL,      0,        NULL,                  NULL,                &out_attachments, "List a report's photos and documents", NULL},
    {HTTP_POST,   "/api/v1/progress-reports/:id/attachments",   attachments_upload, UPLOADERS, UPLOAD, 201, "415",   25 * MIB, NULL,                  &in_upload,          &out_attachment, "Attach a photo or document: the file's bytes as the body, its name in Content-Disposition", attachments_prepare},
    {HTTP_GET,    "/api/v1/attachments/:id",                    attachments_download, ANY,    0,      200, "206 304 416", 0,    NULL,                  NULL,                &out_download, "The stored file (ETag = SHA-256; Range)", NULL},
    {HTTP_GET,    "/api/v1/attachments/:id/thumbnail",          attachments_thumbnail, ANY,   0,      200, "304",     0,        NULL,                  NULL,                &out_thumbnail, "A JPEG preview of at most 320 px (JPEG and PNG photos)", NULL},

    {HTTP_GET,    "/api/v1/users",                              resource_list,    ADMIN,       0,      200, NULL,      0,        &users_resource,       &in_list,            &out_list,     "List users", NULL},
    {HTTP_POST,   "/api/v1/users",                              resource_create,  ADMIN,       CHANGE, 201, NULL,      0,        &users_resource,       &in_create,          &out_item,     "Create a user", NULL},
    {HTTP_GET,    "/api/v1/users/:id",                          resource_get,     ADMIN,       0,      200, NULL,      0,        &users_resource,       NULL,                &out_item,     "Read a user", NULL},
    {HTTP_PATCH,  "/api/v1/users/:id",                          resource_update,  ADMIN,       CHANGE, 200, "409",     0,        &users_resource,       &in_update,          &out_item,     "Change a user (active=false disables sign-in)", NULL},

    {HTTP_GET,    "/api/v1/tokens",                             resource_list,    ANY,         0,      200, NULL,      0,        &tokens_resource,      &in_list,            &out_list,     "List API tokens (admins: everyone's)", NULL},
    {HTTP_POST,   "/api/v1/tokens",                             tokens_create,    ANY,         CHANGE, 201, NULL,      0,        &tokens_resource,      &in_create,          &out_token,    "Issue an API token, shown in plain this once", NULL},
    {HTTP_GET,    "/api/v1/tokens/:id",                         resource_get,     ANY,         0,      200, NULL,      0,        &tokens_resource,      NULL,                &out_item,     "Read an API token", NULL},
    {HTTP_DELETE, "/api/v1/tokens/:id",                         tokens_revoke,    ANY,         WRITE,  204, NULL,      0,        &tokens_resource,      NULL,                NULL,          "Revoke an API token", NULL},

    {HTTP_GET,    "/api/v1/audit",                              resource_list,    STAFF,       0,      200, NULL,      0,        &audit_resource,       &in_list,            &out_list,     "List audit entries", NULL},
    {HTTP_GET,    "/api/v1/audit/facets",                       audit_facets,     STAFF,       0,      200, NULL,      0,        NULL,                  NULL,                &out_facets,   "The people and kinds of objects the audit log has entries of (for its filters)", NULL},
    {HTTP_GET,    "/api/v1/audit/:id",                          resource_get,     STAFF,       0,      200, NULL,      0,        &audit_resource,       NULL,                &out_item,     "Read an audit entry", NULL},

    /* The dashboard; last, so that every route above wins. */
    {HTTP_GET,    "/",                                          webapp_index,     0,           LOOP,   200, "304 404", 0,        NULL,                  NULL,                &out_page,     "The web dashboard", NULL},
    {HTTP_GET,    "/:file",                                     webapp_file,      0,           LOOP,   200, "304",     0,        NULL,                  NULL,                &out_file,     "A file of the web dashboard", NULL},
};
/* clang-format on */

const size_t api_nroutes = sizeof(api_routes) / sizeof(api_routes[0]);
