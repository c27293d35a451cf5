/* construction.h — progress reports from the field and their review. */
#ifndef FT_CONSTRUCTION_H
#define FT_CONSTRUCTION_H

#include <cJSON.h>

#include "db/db.h"
#include "http/request.h"

struct resource;
extern const struct resource progress_resource;

int progress_create(struct req *r);
int progress_approve(struct req *r);
int progress_reject(struct req *r);

#endif
