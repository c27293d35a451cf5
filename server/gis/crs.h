/* crs.h — coordinate reference systems: what a name as GIS files write it
 * stands for, and moving positions between a system and WGS84 with GDAL
 * (which uses PROJ; fibertrack does no projection arithmetic itself). */
#ifndef FT_GIS_CRS_H
#define FT_GIS_CRS_H

#include <ogr_srs_api.h>
#include <stddef.h>

/* WGS84 longitude/latitude: what fibertrack stores. */
#define GIS_WGS84 4326
/* ETRS89 / UTM zone 32N: the German standard, and GIS-NBest's. */
#define GIS_ETRS89_UTM32 25832

/* The EPSG code a CRS name stands for, as GeoJSON and GIS tools write it:
 * "EPSG:25832", "urn:ogc:def:crs:EPSG::25832", "urn:ogc:def:crs:EPSG:9.8:25832",
 * "http://www.opengis.net/def/crs/EPSG/0/25832"; the longitude/latitude
 * names of WGS84 ("urn:ogc:def:crs:OGC:1.3:CRS84", "OGC:CRS84", "CRS84")
 * give 4326. Case does not matter. 0 for anything else. Pure: no file or
 * network is ever consulted for a name. */
int gis_crs_epsg(const char *name);

/* A transformation between a system and WGS84, always with x = easting or
 * longitude and y = northing or latitude (the order of GeoJSON and GIS
 * files, whatever the system's official axis order). */
struct gis_transform;

/* From the system with EPSG code epsg to WGS84; NULL with the reason in
 * err when GDAL does not know the code. The caller frees. */
struct gis_transform *gis_transform_from_epsg(int epsg, char *err, size_t errlen);
/* From the system of a file's layer to WGS84 (the layer's object is only
 * read). NULL with the reason in err. The caller frees. */
struct gis_transform *gis_transform_from_srs(OGRSpatialReferenceH srs, char *err, size_t errlen);
/* From WGS84 to the system with EPSG code epsg, for writing files. */
struct gis_transform *gis_transform_to_epsg(int epsg, char *err, size_t errlen);

/* Whether positions pass unchanged (the system is WGS84 itself). */
int gis_transform_identity(const struct gis_transform *t);
/* The source system's name for messages ("EPSG:25832"). */
const char *gis_transform_name(const struct gis_transform *t);
/* The target system (for writers): owned by t. */
OGRSpatialReferenceH gis_transform_target(const struct gis_transform *t);

/* Transforms n positions in place. Returns 0, or -1 when a position lies
 * outside what the systems can express (the arrays are then undefined). */
int gis_transform_apply(const struct gis_transform *t, double *x, double *y, size_t n);

void gis_transform_free(struct gis_transform *t);

#endif
