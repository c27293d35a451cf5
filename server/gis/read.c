/* read.c — the import's reader: picks the format's reader. */
#include "gis/read.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

int gis_format_of_media(const char *media)
{
    static const struct {
        const char *media;
        enum gis_format fmt;
    } known[] = {
        {"application/geo+json", GIS_GEOJSON},
        {"application/json", GIS_GEOJSON},
        {"application/geopackage+sqlite3", GIS_GPKG},
        {"application/zip", GIS_SHAPEZIP},
        /* What browsers on Windows call a zip. */
        {"application/x-zip-compressed", GIS_SHAPEZIP},
        {"text/csv", GIS_CSV},
    };
    if (!media)
        return -1;
    size_t n = strcspn(media, "; \t");
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strlen(known[i].media) == n && strncasecmp(media, known[i].media, n) == 0)
            return (int)known[i].fmt;
    return -1;
}

int gis_read(const char *data, size_t len, enum gis_format fmt, const struct gis_read_options *opt,
             struct pool *pool, struct gis_input *in, struct gis_failure *fail)
{
    memset(in, 0, sizeof(*in));
    memset(fail, 0, sizeof(*fail));
    if (fmt == GIS_GEOJSON)
        return gis_read_geojson(data, len, opt, pool, in, fail);
    return gis_read_ogr(data, len, fmt, opt, pool, in, fail);
}
