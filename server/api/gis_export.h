/* gis_export.h — a project's network as GIS files. */
#ifndef FT_GIS_EXPORT_H
#define FT_GIS_EXPORT_H

#include "http/request.h"

/* GET /api/v1/projects/{id}/export.geojson: nodes, segments and premises in
 * one FeatureCollection with a layer property, streamed from a file. */
int gis_export_geojson(struct req *r);

#endif
