/* gis_import.h — checking features read from a GIS file (gis/features.h)
 * against a project's stored network, and writing them: upsert by code,
 * all or nothing, in the request's transaction. */
#ifndef FT_GIS_IMPORT_H
#define FT_GIS_IMPORT_H

#include "http/request.h"

struct gis_input;

/* Checks every feature of in (nodes, segments, premises) with the fields
 * and cross-field rules of their resources, on a new object as on a change
 * of a stored one, and resolves codes (lot, from_node, to_node,
 * serving_segment) against the project and the file. When all is valid,
 * creates and updates the rows in multi-row statements and answers 200
 * with the counts (r->rollback_only for a dry run); else answers 422
 * listing every problem with its feature's index, layer and code. Returns
 * the status. */
int gis_import_run(struct req *r, long long project_id, const struct gis_input *in, int dry_run);

/* Rows written per statement. */
#define GIS_BATCH 500

#endif
