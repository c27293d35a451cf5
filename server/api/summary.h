/* summary.h — GET /api/v1/projects/{id}/summary?as_of=DATE. */
#ifndef FT_API_SUMMARY_H
#define FT_API_SUMMARY_H

#include "http/request.h"

int summary_get(struct req *r);

/* Reads ?as_of= (default: today, UTC) into out; replies 400 for a bad or
 * future date and returns its status, else 0. */
int summary_as_of(struct req *r, const char *param, char out[11]);

#endif
