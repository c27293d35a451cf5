/* routes.c — the route table. */
#include "api/routes.h"

#include "api/audit.h"
#include "api/auth.h"
#include "api/construction.h"
#include "api/gis.h"
#include "api/planning.h"
#include "api/reports.h"
#include "api/inventory.h"
#include "api/meta.h"
#include "api/resource.h"
#include "api/summary.h"
#include "api/webapp.h"
#include "http/request.h"

#define INVENTORY_WRITE (ROLE_ADMIN | ROLE_MANAGER)
#define W (ROUTE_WRITE | ROUTE_JSON)

/* The five routes of a resource: read for `read`, write for `write`. */
#define CRUD(res, path, read, write)                                                           \
    {HTTP_GET, "/api/v1/" path, resource_list, read, 0, "List " path, &res},                   \
        {HTTP_POST, "/api/v1/" path, resource_create, write, W, "Create one of " path, &res},  \
        {HTTP_GET, "/api/v1/" path "/:id", resource_get, read, 0, "Read one of " path, &res},  \
        {HTTP_PATCH, "/api/v1/" path "/:id", resource_update, write, W, "Change one of " path, \
         &res},                                                                                \
        {HTTP_DELETE, "/api/v1/" path "/:id", resource_delete, write, ROUTE_WRITE,             \
         "Delete one of " path, &res}

const struct route api_routes[] = {
    {HTTP_GET, "/healthz", meta_healthz, 0, ROUTE_LOOP, "The process is alive", NULL},
    {HTTP_GET, "/readyz", meta_readyz, 0, 0, "The database is reachable and current", NULL},
    {HTTP_GET, "/metrics", meta_metrics, 0, ROUTE_LOOP, "Prometheus metrics", NULL},
    {HTTP_GET, "/api/v1/openapi.json", meta_openapi, 0, ROUTE_LOOP, "This document", NULL},

    {HTTP_POST, "/api/v1/auth/login", auth_login, 0, ROUTE_JSON, "Sign in: returns a token", NULL},
    {HTTP_POST, "/api/v1/auth/logout", auth_logout, ROLE_ANY, ROUTE_WRITE,
     "Sign out: revokes the token in use", NULL},
    {HTTP_GET, "/api/v1/me", auth_me, ROLE_ANY, 0, "The signed-in user", &users_resource},

    CRUD(projects_resource, "projects", ROLE_ANY, INVENTORY_WRITE),
    {HTTP_GET, "/api/v1/projects/:id/summary", summary_get, ROLE_STAFF, 0,
     "Project KPIs as of a date (?as_of=YYYY-MM-DD), from the recorded history", NULL},
    {HTTP_POST, "/api/v1/projects/:id/import", gis_import, ROLE_ADMIN | ROLE_MANAGER,
     ROUTE_WRITE | ROUTE_JSON | ROUTE_BIG_BODY,
     "Import nodes, segments and premises from a GeoJSON FeatureCollection (?dry_run=true)",
     NULL},
    {HTTP_GET, "/api/v1/projects/:id/export.geojson", gis_export, ROLE_STAFF, 0,
     "The project's network as GeoJSON with current status", NULL},
    {HTTP_GET, "/api/v1/projects/:id/reports/progress.xlsx", reports_progress, ROLE_STAFF, 0,
     "Progress report workbook as of a date (?as_of=YYYY-MM-DD&lang=en|de)", NULL},
    {HTTP_GET, "/api/v1/projects/:id/reports/costs.xlsx", reports_costs, ROLE_STAFF, 0,
     "Cost statement / payment request workbook (?from=&to=YYYY-MM-DD&lang=en|de)", NULL},
    CRUD(contractors_resource, "contractors", ROLE_ANY, INVENTORY_WRITE),
    CRUD(lots_resource, "lots", ROLE_ANY, INVENTORY_WRITE),
    CRUD(nodes_resource, "nodes", ROLE_ANY, INVENTORY_WRITE),
    CRUD(segments_resource, "segments", ROLE_ANY, INVENTORY_WRITE),
    CRUD(premises_resource, "premises", ROLE_ANY, INVENTORY_WRITE),

    CRUD(milestones_resource, "milestones", ROLE_ANY, INVENTORY_WRITE),
    CRUD(invoices_resource, "invoices", ROLE_ADMIN | ROLE_MANAGER | ROLE_FINANCE,
         ROLE_ADMIN | ROLE_FINANCE),

    {HTTP_GET, "/api/v1/progress-reports", resource_list, ROLE_ANY, 0,
     "List progress reports (the review queue: ?state=submitted)", &progress_resource},
    {HTTP_POST, "/api/v1/progress-reports", progress_create, ROLE_ADMIN | ROLE_CONTRACTOR,
     W | ROUTE_IDEMPOTENCY_REQUIRED, "Report construction progress on a segment",
     &progress_resource},
    {HTTP_GET, "/api/v1/progress-reports/:id", resource_get, ROLE_ANY, 0,
     "Read a progress report", &progress_resource},
    {HTTP_POST, "/api/v1/progress-reports/:id/approve", progress_approve,
     ROLE_ADMIN | ROLE_MANAGER, ROUTE_WRITE | ROUTE_JSON_OPTIONAL,
     "Approve a report: applies it to its segment", &progress_resource},
    {HTTP_POST, "/api/v1/progress-reports/:id/reject", progress_reject, ROLE_ADMIN | ROLE_MANAGER,
     W, "Reject a report with a comment", &progress_resource},

    {HTTP_GET, "/api/v1/users", resource_list, ROLE_ADMIN, 0, "List users", &users_resource},
    {HTTP_POST, "/api/v1/users", resource_create, ROLE_ADMIN, W, "Create a user", &users_resource},
    {HTTP_GET, "/api/v1/users/:id", resource_get, ROLE_ADMIN, 0, "Read a user", &users_resource},
    {HTTP_PATCH, "/api/v1/users/:id", resource_update, ROLE_ADMIN, W,
     "Change a user (active=false disables sign-in)", &users_resource},

    {HTTP_GET, "/api/v1/tokens", resource_list, ROLE_ANY, 0, "List API tokens (admins: all)",
     &tokens_resource},
    {HTTP_POST, "/api/v1/tokens", tokens_create, ROLE_ANY, W,
     "Issue an API token; the plain token is returned once", &tokens_resource},
    {HTTP_GET, "/api/v1/tokens/:id", resource_get, ROLE_ANY, 0, "Read an API token",
     &tokens_resource},
    {HTTP_DELETE, "/api/v1/tokens/:id", tokens_revoke, ROLE_ANY, ROUTE_WRITE,
     "Revoke an API token", &tokens_resource},

    {HTTP_GET, "/api/v1/audit", resource_list, ROLE_STAFF, 0, "List audit entries",
     &audit_resource},
    {HTTP_GET, "/api/v1/audit/:id", resource_get, ROLE_STAFF, 0, "Read an audit entry",
     &audit_resource},

    /* The dashboard; last, so that every route above wins. */
    {HTTP_GET, "/", webapp_index, 0, ROUTE_LOOP, "The web dashboard", NULL},
    {HTTP_GET, "/:file", webapp_file, 0, ROUTE_LOOP, "A file of the web dashboard", NULL},
};

const size_t api_nroutes = sizeof(api_routes) / sizeof(api_routes[0]);
