/* gis_import.c — fuzzes the GIS import's reader (server/gis/read.c): the
 * uploaded file as GeoJSON (strict JSON parsing, the collection scan,
 * geometries, coordinate systems) or, through GDAL, as a GeoPackage, a
 * zip of Shapefiles or a CSV file.
 *
 * Input: one byte choosing the format (its value modulo 4: GeoJSON,
 * GeoPackage, zip, CSV), then the file. */
#include "fuzz.h"

#include <math.h>

#include "gis/read.h"
#include "gis/runtime.h"
#include "util/pool.h"

#define MAX_FEATURES 2000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int started;
    if (!started) {
        FUZZ_ASSERT(gis_runtime_start(NULL) == 0);
        started = 1;
    }
    if (size < 1)
        return 0;
    static const enum gis_format formats[] = {GIS_GEOJSON, GIS_GPKG, GIS_SHAPEZIP, GIS_CSV};
    enum gis_format fmt = formats[data[0] % 4];
    struct pool *pool = pool_new();
    FUZZ_ASSERT(pool);
    struct gis_input in;
    struct gis_failure fail;
    struct gis_read_options opt = {.max_features = MAX_FEATURES, .max_unpacked = 16 * 1024 * 1024};
    int rc = gis_read((const char *)data + 1, size - 1, fmt, &opt, pool, &in, &fail);
    if (rc < 0) {
        /* A refusal says what kind of problem, and a 422 where. */
        FUZZ_ASSERT(fail.status == 400 || fail.status == 413 || fail.status == 422 ||
                    fail.status == 503);
        FUZZ_ASSERT(fail.detail[0]);
        FUZZ_ASSERT(fail.status != 422 || fail.pointer[0] == '/' || fail.pointer[0] == '\0');
    } else {
        FUZZ_ASSERT(in.n <= MAX_FEATURES);
        FUZZ_ASSERT(in.crs);
        for (size_t i = 0; i < in.n; i++) {
            const struct gis_feature *f = &in.features[i];
            FUZZ_ASSERT(f->layer && f->pointer && f->index >= 0);
            for (size_t a = 0; a < f->nattrs; a++) {
                const struct gis_attr *at = &f->attrs[a];
                FUZZ_ASSERT(at->name);
                /* Empty text is never kept: it means "not given". */
                FUZZ_ASSERT(at->kind != GIS_TEXT || (at->text && at->text[0]));
                FUZZ_ASSERT(at->kind != GIS_BOOL || at->i == 0 || at->i == 1);
            }
            if (f->problem) {
                FUZZ_ASSERT(f->problem_at);
                continue;
            }
            /* What is handed on is a point or a line of finite positions. */
            if (f->shape == GIS_POINT)
                FUZZ_ASSERT(f->npoints == 1);
            if (f->shape == GIS_LINE)
                FUZZ_ASSERT(f->npoints >= 2);
            if (f->shape == GIS_NO_GEOMETRY)
                FUZZ_ASSERT(f->npoints == 0);
            for (size_t p = 0; p < f->npoints; p++)
                FUZZ_ASSERT(isfinite(f->x[p]) && isfinite(f->y[p]));
        }
    }
    pool_free(pool);
    return 0;
}
