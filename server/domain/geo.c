/* geo.c — point-to-line distance in a local plane. */
#include "domain/geo.h"

#include <math.h>

#define EARTH_RADIUS_M 6371008.8 /* the mean radius (IUGG) */
#define DEG (M_PI / 180.0)

double geo_distance_to_line_m(double lat, double lon, const double *lonlat, size_t n)
{
    if (n == 0)
        return -1;
    double kx = cos(lat * DEG) * EARTH_RADIUS_M * DEG, ky = EARTH_RADIUS_M * DEG;
    double best = INFINITY;
    double ax = (lonlat[0] - lon) * kx, ay = (lonlat[1] - lat) * ky;
    if (n == 1)
        return hypot(ax, ay);
    for (size_t i = 1; i < n; i++) {
        double bx = (lonlat[2 * i] - lon) * kx, by = (lonlat[2 * i + 1] - lat) * ky;
        /* The point is the origin: project it onto the segment a-b. */
        double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
        double t = len2 > 0 ? -(ax * dx + ay * dy) / len2 : 0;
        if (t < 0)
            t = 0;
        else if (t > 1)
            t = 1;
        double d = hypot(ax + t * dx, ay + t * dy);
        if (d < best)
            best = d;
        ax = bx;
        ay = by;
    }
    return best;
}
