/* meta.h — health, readiness, metrics and the OpenAPI document. */
#ifndef FT_META_H
#define FT_META_H

#include <stddef.h>

#include "http/request.h"

/* Prepares metrics storage and the OpenAPI document for the route table. */
int meta_init(const struct route *routes, size_t nroutes, int schema_version);
void meta_free(void);
/* The http layer's done hook: counts a finished request. */
void meta_count(const struct req *r, size_t route_index, double seconds, size_t bytes);

int meta_healthz(struct req *r);  /* loop */
int meta_metrics(struct req *r);  /* loop */
int meta_openapi(struct req *r);  /* loop */
int meta_readyz(struct req *r);   /* DB worker */

#endif
