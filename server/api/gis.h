/* gis.h — the GIS routes: import of a project's network from the files
 * GIS tools write, and its exports. */
#ifndef FT_GIS_H
#define FT_GIS_H

#include "http/request.h"

/* The exports: export.geojson, export.gpkg and exports/gis-nbest.zip. */
#include "api/gis_export.h"

/* POST /api/v1/projects/{id}/import[?dry_run=true][&crs=EPSG:n]: the
 * prepare step, on a file worker, reads the file (GeoJSON, GeoPackage,
 * zipped Shapefiles, CSV) into features in WGS84; the handler checks and
 * writes them in the transaction. */
int gis_import_prepare(struct req *r);
int gis_import(struct req *r);

#endif
