/* geo.h — short distances on the earth, in metres. */
#ifndef FT_GEO_H
#define FT_GEO_H

#include <stddef.h>

/* The distance in metres from the point (lat, lon) to the nearest point of
 * the line through n positions given as lon,lat pairs (GeoJSON order);
 * -1 when n is 0. Computed in a local plane around the point (an
 * equirectangular projection): within 0.5 % up to a few kilometres, which
 * is what a flag at 200 m needs; farther distances are only ever "far". */
double geo_distance_to_line_m(double lat, double lon, const double *lonlat, size_t n);

#endif
