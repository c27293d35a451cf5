/* gis.h — GeoJSON import and export of a project's network (nodes,
 * segments, premises), as QGIS and ogr2ogr read and write it. */
#ifndef FT_GIS_H
#define FT_GIS_H

#include "http/request.h"

/* POST /api/v1/projects/{id}/import[?dry_run=true] */
int gis_import(struct req *r);
/* GET /api/v1/projects/{id}/export.geojson */
int gis_export(struct req *r);

/* Rows written per INSERT statement. */
#define GIS_BATCH 500

#endif
