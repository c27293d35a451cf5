/* routes.h — the route table: every route of the API in one place, with
 * the roles that may use it and how the pipeline treats it. */
#ifndef FT_ROUTES_H
#define FT_ROUTES_H

#include <stddef.h>

#include "http/router.h"

extern const struct route api_routes[];
extern const size_t api_nroutes;

#endif
