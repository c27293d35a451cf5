/* meta.h — health, readiness and metrics. */
#ifndef FT_META_H
#define FT_META_H

#include <stddef.h>

#include "http/request.h"

/* Prepares metrics storage for the route table. */
int meta_init(const struct route *routes, size_t nroutes, int schema_version);
void meta_free(void);
/* Sets FT_METRICS_TOKEN (empty: /metrics only on loopback), once before
 * serving. Returns 0, or -1 with a message in err when it is too short to
 * be a secret. */
int meta_metrics_configure(const char *token, char *err, size_t errlen);
/* 1 when /metrics may be shown to a request from peer (the TCP peer's
 * address, never X-Forwarded-For: behind a proxy on this host every client
 * would look local) with the Authorization header authorization: the peer
 * is loopback, or token is not empty and the header is "Bearer <token>".
 * Pure. */
int meta_metrics_allowed(const char *peer, const char *authorization, const char *token);
/* The http layer's done hook: counts a finished request. */
void meta_count(const struct req *r, size_t route_index, double seconds, size_t bytes);

int meta_healthz(struct req *r); /* loop */
int meta_metrics(struct req *r); /* loop */
int meta_readyz(struct req *r);  /* DB worker */

/* Characters FT_METRICS_TOKEN needs at least. */
#define METRICS_TOKEN_MIN 16

#endif
