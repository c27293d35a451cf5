/* gis_export.h — a project's network as GIS files. */
#ifndef FT_GIS_EXPORT_H
#define FT_GIS_EXPORT_H

#include "http/request.h"

/* GET /api/v1/projects/{id}/export.geojson: nodes, segments and premises in
 * one FeatureCollection with a layer property, streamed from a file. */
int gis_export_geojson(struct req *r);

/* GET /api/v1/projects/{id}/export.gpkg: a GeoPackage with the typed
 * layers nodes, segments and premises in EPSG:4326. */
int gis_export_gpkg(struct req *r);

/* GET /api/v1/projects/{id}/exports/gis-nbest.zip?version=5.1&phase=plan|asbuilt
 * (both may be left out: 5.1, plan):
 * the GIS-NBest delivery (gis/nbest.c) in EPSG:25832, as Shapefiles and
 * one GeoPackage of the same layers, zipped. */
int gis_export_nbest(struct req *r);

#endif
