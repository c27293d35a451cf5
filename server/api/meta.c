/* meta.c — /healthz, /readyz and /metrics. */
#include "api/meta.h"

#include <cJSON.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/pipeline.h"
#include "db/db.h"
#include "http/reply.h"
#include "http/server.h"
#include "util/netaddr.h"
#include "util/pool.h"
#include "util/sbuf.h"

/* Statuses counted per route; anything else falls into the last slot. */
static const int counted[] = {200, 201, 204, 304, 400, 401, 403, 404, 405, 409,
                              412, 413, 415, 422, 428, 429, 500, 503, 0};
#define NSTATUS (sizeof(counted) / sizeof(counted[0]))
static const double buckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]))

static struct {
    const struct route *routes;
    size_t nroutes;
    int schema_version;
    atomic_ullong *requests;          /* (nroutes + 1) * NSTATUS; last row: unmatched */
    atomic_ullong hist[NBUCKETS + 1]; /* cumulative at render time */
    atomic_ullong sum_us, count;
    char metrics_token[256];
} M;

int meta_init(const struct route *routes, size_t nroutes, int schema_version)
{
    M.routes = routes;
    M.nroutes = nroutes;
    M.schema_version = schema_version;
    M.requests = calloc((nroutes + 1) * NSTATUS, sizeof(atomic_ullong));
    return M.requests ? 0 : -1;
}

void meta_free(void) { free(M.requests); }

void meta_count(const struct req *r, size_t route_index, double seconds, size_t bytes)
{
    (void)bytes;
    size_t row = route_index < M.nroutes ? route_index : M.nroutes;
    size_t col = NSTATUS - 1;
    for (size_t i = 0; i + 1 < NSTATUS; i++)
        if (counted[i] == r->status)
            col = i;
    atomic_fetch_add(&M.requests[row * NSTATUS + col], 1);
    size_t b = 0;
    while (b < NBUCKETS && seconds > buckets[b])
        b++;
    atomic_fetch_add(&M.hist[b], 1);
    atomic_fetch_add(&M.sum_us, (unsigned long long)(seconds * 1e6));
    atomic_fetch_add(&M.count, 1);
}

int meta_healthz(struct req *r)
{
    static const char ok[] = "{\"status\":\"ok\"}";
    req_add_header(r, "Cache-Control", "no-store");
    return reply_raw(r, 200, "application/json", ok, sizeof(ok) - 1);
}

int meta_readyz(struct req *r)
{
    struct db_rows *rows;
    enum db_rc rc = db_exec(
        r->db, r->pool, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", NULL, 0, &rows);
    if (rc != DB_OK)
        return reply_db(r, rc);
    int v = atoi(db_cell(rows, 0, 0));
    if (v < M.schema_version)
        return reply_problem(r, 503,
                             "the database schema is at version %d, this server needs %d; "
                             "run 'fibertrackd migrate'",
                             v, M.schema_version);
    cJSON *o = req_json(r, cJSON_CreateObject());
    cJSON_AddStringToObject(o, "status", "ready");
    cJSON_AddNumberToObject(o, "schema_version", v);
    req_add_header(r, "Cache-Control", "no-store");
    return reply_json(r, 200, o);
}

static void addf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void addf(struct sbuf *b, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    sbuf_add(b, line);
}

int meta_metrics_configure(const char *token, char *err, size_t errlen)
{
    size_t n = token ? strlen(token) : 0;
    if (n && n < METRICS_TOKEN_MIN) {
        snprintf(err, errlen, "FT_METRICS_TOKEN needs at least %d characters", METRICS_TOKEN_MIN);
        return -1;
    }
    if (n >= sizeof(M.metrics_token)) {
        snprintf(err, errlen, "FT_METRICS_TOKEN is too long");
        return -1;
    }
    memcpy(M.metrics_token, token ? token : "", n + 1);
    return 0;
}

int meta_metrics_allowed(const char *peer, const char *authorization, const char *token)
{
    struct netaddr a;
    if (peer && netaddr_parse(peer, &a) == 0 && netaddr_is_loopback(&a))
        return 1;
    if (!token || !*token || !authorization || strncasecmp(authorization, "Bearer ", 7) != 0)
        return 0;
    const char *given = authorization + 7;
    while (*given == ' ')
        given++;
    /* Compared as hashes, so that the time taken tells nothing about the
     * token's length or where the first difference is. */
    unsigned char h1[crypto_generichash_BYTES], h2[crypto_generichash_BYTES];
    crypto_generichash(h1, sizeof(h1), (const unsigned char *)given, strlen(given), NULL, 0);
    crypto_generichash(h2, sizeof(h2), (const unsigned char *)token, strlen(token), NULL, 0);
    return sodium_memcmp(h1, h2, sizeof(h1)) == 0;
}

int meta_metrics(struct req *r)
{
    /* 403 rather than 404: the route is in the OpenAPI document anyway, and
     * a scraper's operator should learn what is missing. */
    if (!meta_metrics_allowed(r->client_ip, r->authorization, M.metrics_token))
        return reply_problem(r, 403,
                             "metrics are shown to loopback clients and to requests with "
                             "Authorization: Bearer and the metrics token");
    struct sbuf b;
    sbuf_init(&b, r->pool);
    sbuf_add(&b, "# HELP fibertrack_http_requests_total Requests answered, by route and status.\n"
                 "# TYPE fibertrack_http_requests_total counter\n");
    for (size_t row = 0; row <= M.nroutes; row++) {
        for (size_t col = 0; col < NSTATUS; col++) {
            unsigned long long n = atomic_load(&M.requests[row * NSTATUS + col]);
            if (!n)
                continue;
            const char *route = row < M.nroutes ? M.routes[row].pattern : "unmatched";
            const char *method = row < M.nroutes ? http_method_name(M.routes[row].method) : "";
            char status[8];
            if (counted[col])
                snprintf(status, sizeof(status), "%d", counted[col]);
            else
                snprintf(status, sizeof(status), "other");
            addf(&b,
                 "fibertrack_http_requests_total{method=\"%s\",route=\"%s\",status=\"%s\"} %llu\n",
                 method, route, status, n);
        }
    }
    sbuf_add(&b, "# HELP fibertrack_http_request_duration_seconds Time from request to reply.\n"
                 "# TYPE fibertrack_http_request_duration_seconds histogram\n");
    unsigned long long cum = 0;
    for (size_t i = 0; i < NBUCKETS; i++) {
        cum += atomic_load(&M.hist[i]);
        addf(&b, "fibertrack_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n", buckets[i],
             cum);
    }
    cum += atomic_load(&M.hist[NBUCKETS]);
    addf(&b, "fibertrack_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n", cum);
    addf(&b, "fibertrack_http_request_duration_seconds_sum %.6f\n",
         (double)atomic_load(&M.sum_us) / 1e6);
    addf(&b, "fibertrack_http_request_duration_seconds_count %llu\n", atomic_load(&M.count));

    struct db_pool_stats s;
    db_pool_stats(&s);
    addf(&b, "# TYPE fibertrack_http_in_flight gauge\nfibertrack_http_in_flight %d\n",
         http_in_flight());
    addf(&b, "# TYPE fibertrack_http_connections gauge\nfibertrack_http_connections %d\n",
         http_connections());
    addf(&b, "# TYPE fibertrack_db_pool_size gauge\nfibertrack_db_pool_size %d\n", s.threads);
    struct pipeline_stats g;
    pipeline_stats(&g);
    addf(&b,
         "# TYPE fibertrack_db_group_commits_total counter\nfibertrack_db_group_commits_total "
         "%llu\n# TYPE fibertrack_db_grouped_requests_total counter\n"
         "fibertrack_db_grouped_requests_total %llu\n"
         "# TYPE fibertrack_db_group_reruns_total counter\nfibertrack_db_group_reruns_total %llu\n",
         g.group_commits, g.grouped_requests, g.group_reruns);
    addf(&b, "# TYPE fibertrack_db_pool_busy gauge\nfibertrack_db_pool_busy %d\n", s.busy);
    addf(&b, "# TYPE fibertrack_db_pool_connected gauge\nfibertrack_db_pool_connected %d\n",
         s.connected);
    addf(&b, "# TYPE fibertrack_db_queue_length gauge\nfibertrack_db_queue_length %d\n", s.queued);
    addf(&b, "# TYPE fibertrack_db_queue_capacity gauge\nfibertrack_db_queue_capacity %d\n",
         s.queue_max);
    addf(&b,
         "# TYPE fibertrack_db_queue_rejected_total counter\nfibertrack_db_queue_rejected_total "
         "%llu\n",
         s.rejected);
    addf(&b, "# TYPE fibertrack_db_connects_total counter\nfibertrack_db_connects_total %llu\n",
         s.reconnects);
    addf(&b, "# TYPE fibertrack_db_up gauge\nfibertrack_db_up %d\n", db_pool_down() ? 0 : 1);
    return reply_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8", b.s, b.len);
}
