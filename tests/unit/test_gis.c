/* Unit tests for server/gis: CRS names, the formats of media types, the
 * GIS-NBest table, and the GeoJSON reader with transformations through
 * GDAL (which the unit tests link like the daemon). */
#include "test.h"

#include <math.h>
#include <string.h>

#include "gis/crs.h"
#include "gis/nbest.h"
#include "gis/read.h"
#include "gis/runtime.h"
#include "util/pool.h"

TEST(gis_crs_names)
{
    ASSERT_EQ_INT(gis_crs_epsg("EPSG:25832"), 25832);
    ASSERT_EQ_INT(gis_crs_epsg("epsg:4326"), 4326);
    ASSERT_EQ_INT(gis_crs_epsg("urn:ogc:def:crs:EPSG::25832"), 25832);
    ASSERT_EQ_INT(gis_crs_epsg("urn:ogc:def:crs:EPSG:9.8.15:31467"), 31467);
    ASSERT_EQ_INT(gis_crs_epsg("http://www.opengis.net/def/crs/EPSG/0/3857"), 3857);
    ASSERT_EQ_INT(gis_crs_epsg("urn:ogc:def:crs:OGC:1.3:CRS84"), 4326);
    ASSERT_EQ_INT(gis_crs_epsg("OGC:CRS84"), 4326);
    /* Nothing else: no file, URL or WKT reaches GDAL from a name. */
    ASSERT_EQ_INT(gis_crs_epsg(NULL), 0);
    ASSERT_EQ_INT(gis_crs_epsg(""), 0);
    ASSERT_EQ_INT(gis_crs_epsg("EPSG:"), 0);
    ASSERT_EQ_INT(gis_crs_epsg("EPSG:25832x"), 0);
    ASSERT_EQ_INT(gis_crs_epsg("EPSG:1234567"), 0);
    ASSERT_EQ_INT(gis_crs_epsg("urn:ogc:def:crs:OGC:1.3:CRS84x"), 0);
    ASSERT_EQ_INT(gis_crs_epsg("urn:ogc:def:crs:EPSG:a:4326"), 0);
    ASSERT_EQ_INT(gis_crs_epsg("/etc/passwd"), 0);
    ASSERT_EQ_INT(gis_crs_epsg("+proj=utm +zone=32"), 0);
}

TEST(gis_media_types)
{
    ASSERT_EQ_INT(gis_format_of_media("application/geo+json"), GIS_GEOJSON);
    ASSERT_EQ_INT(gis_format_of_media("application/json; charset=utf-8"), GIS_GEOJSON);
    ASSERT_EQ_INT(gis_format_of_media("Application/GeoPackage+SQLite3"), GIS_GPKG);
    ASSERT_EQ_INT(gis_format_of_media("application/zip"), GIS_SHAPEZIP);
    ASSERT_EQ_INT(gis_format_of_media("text/csv;charset=UTF-8"), GIS_CSV);
    ASSERT_EQ_INT(gis_format_of_media("text/csvx"), -1);
    ASSERT_EQ_INT(gis_format_of_media("application/octet-stream"), -1);
    ASSERT_EQ_INT(gis_format_of_media(NULL), -1);
}

TEST(nbest_code_lists)
{
    ASSERT_TRUE(nbest_duct_type_known(1));
    ASSERT_TRUE(nbest_duct_type_known(16));
    ASSERT_TRUE(nbest_duct_type_known(25));
    ASSERT_TRUE(nbest_duct_type_known(99));
    ASSERT_FALSE(nbest_duct_type_known(0));
    ASSERT_FALSE(nbest_duct_type_known(7));
    ASSERT_FALSE(nbest_duct_type_known(20));
    ASSERT_FALSE(nbest_duct_type_known(100));
    enum nbest_phase p;
    ASSERT_EQ_INT(nbest_phase_parse("plan", &p), 0);
    ASSERT_EQ_INT(p, NBEST_PLAN);
    ASSERT_EQ_INT(nbest_phase_parse("asbuilt", &p), 0);
    ASSERT_EQ_INT(p, NBEST_ASBUILT);
    ASSERT_EQ_INT(nbest_phase_parse("as-built", &p), -1);
    ASSERT_EQ_INT(nbest_phase_parse(NULL, &p), -1);
}

static const struct nbest_layer *layer_named(const struct nbest_layer *l, size_t n,
                                             const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(l[i].name, name) == 0)
            return &l[i];
    return NULL;
}

static const struct nbest_attr *attr_named(const struct nbest_layer *l, const char *name)
{
    for (size_t i = 0; i < l->nattrs; i++)
        if (strcmp(l->attrs[i].column.name, name) == 0)
            return &l->attrs[i];
    return NULL;
}

TEST(nbest_layers_of_5_1)
{
    size_t n = 0;
    ASSERT_NULL(nbest_layers("4.0", &n));
    ASSERT_NULL(nbest_layers(NULL, &n));
    const struct nbest_layer *l = nbest_layers("5.1", &n);
    ASSERT_NOT_NULL(l);
    ASSERT_EQ_INT(n, 6);
    /* Network technology comes before the end customers that refer to it,
     * and Shapefiles take names of 10 characters at most. */
    ASSERT_TRUE(l[0].network);
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < l[i].nattrs; a++)
            ASSERT_LE_INT(strlen(l[i].attrs[a].column.name), 10);
    const struct nbest_layer *tb = layer_named(l, n, "Trassenbau");
    ASSERT_NOT_NULL(tb);
    ASSERT_EQ_INT(tb->shape, GIS_LINE);

    struct nbest_object seg = {.source = NBEST_SEGMENT,
                               .kind = "trench",
                               .method = "open_trench",
                               .surface = "sealed",
                               .status = "planned",
                               .planned_m = 120.5,
                               .built_m = 0};
    ASSERT_TRUE(tb->takes(&seg, NBEST_PLAN));
    ASSERT_FALSE(tb->takes(&seg, NBEST_ASBUILT)); /* not built yet */
    struct gis_cell c;
    const struct nbest_attr *trassenb = attr_named(tb, "trassenb");
    ASSERT_NOT_NULL(trassenb);
    trassenb->value(&seg, NBEST_PLAN, &c);
    ASSERT_FALSE(c.null);
    ASSERT_EQ_INT(c.i, 11);
    seg.surface = "unsealed";
    trassenb->value(&seg, NBEST_PLAN, &c);
    ASSERT_EQ_INT(c.i, 12);
    seg.surface = "none"; /* no code known: left empty */
    trassenb->value(&seg, NBEST_PLAN, &c);
    ASSERT_TRUE(c.null);
    seg.status = "civil_done";
    seg.built_m = 118.25;
    ASSERT_TRUE(tb->takes(&seg, NBEST_ASBUILT));
    attr_named(tb, "laenge")->value(&seg, NBEST_ASBUILT, &c);
    ASSERT_NEAR(c.d, 118.25, 1e-9);
    attr_named(tb, "laenge")->value(&seg, NBEST_PLAN, &c);
    ASSERT_NEAR(c.d, 120.5, 1e-9);
    /* A cable pulled into an existing duct is no civil work. */
    seg.method = "existing_duct";
    ASSERT_FALSE(tb->takes(&seg, NBEST_PLAN));
    ASSERT_TRUE(layer_named(l, n, "Leerrohre")->takes(&seg, NBEST_PLAN));

    const struct nbest_layer *nt = layer_named(l, n, "Netztechnik");
    struct nbest_object node = {.source = NBEST_NODE, .kind = "cabinet"};
    ASSERT_TRUE(nt->takes(&node, NBEST_PLAN));
    node.kind = "handhole";
    ASSERT_FALSE(nt->takes(&node, NBEST_PLAN));

    const struct nbest_layer *ek = layer_named(l, n, "Endkunden");
    struct nbest_object prem = {.source = NBEST_PREMISE, .status = "excluded"};
    ASSERT_FALSE(ek->takes(&prem, NBEST_PLAN));
    prem.status = "planned";
    ASSERT_TRUE(ek->takes(&prem, NBEST_PLAN));
    ASSERT_FALSE(ek->takes(&prem, NBEST_ASBUILT));
    prem.status = "connected";
    ASSERT_TRUE(ek->takes(&prem, NBEST_ASBUILT));
    ASSERT_EQ_INT(attr_named(ek, "ID_Netze")->fill, NBEST_NETWORK);
}

TEST(gis_reads_geojson_in_utm)
{
    ASSERT_EQ_INT(gis_runtime_start(NULL), 0);
    /* 50.9777 N 11.0328 E, as gdaltransform gives it in EPSG:25832. */
    const char *doc =
        "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":"
        "\"urn:ogc:def:crs:EPSG::25832\"}},\"features\":["
        "{\"type\":\"Feature\",\"properties\":{\"layer\":\"node\",\"code\":\"N1\",\"postcode\":"
        "99084,\"name\":\"\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[642702.948,"
        "5649312.131]}},"
        "{\"type\":\"Feature\",\"properties\":{\"code\":\"S1\"},\"geometry\":{\"type\":"
        "\"MultiLineString\",\"coordinates\":[[[642702.948,5649312.131],[642802.948,"
        "5649312.131]]]}},"
        "{\"type\":\"Feature\",\"properties\":{\"code\":\"S2\"},\"geometry\":{\"type\":"
        "\"MultiLineString\",\"coordinates\":[[[0,0],[1,1]],[[2,2],[3,3]]]}},"
        "{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"Point\","
        "\"coordinates\":[1,2,3]}}]}";
    struct pool *pool = pool_new();
    struct gis_input in;
    struct gis_failure fail;
    struct gis_read_options opt = {.max_features = 10};
    ASSERT_EQ_INT(gis_read(doc, strlen(doc), GIS_GEOJSON, &opt, pool, &in, &fail), 0);
    ASSERT_EQ_UINT(in.n, 4);
    ASSERT_STREQ(in.crs, "EPSG:25832");
    const struct gis_feature *f = &in.features[0];
    ASSERT_EQ_INT(f->shape, GIS_POINT);
    ASSERT_NEAR(f->y[0], 50.9777, 1e-7);
    ASSERT_NEAR(f->x[0], 11.0328, 1e-7);
    /* An empty string is not given; a number stays a number here (the
     * import turns it into text for a text field). */
    ASSERT_EQ_UINT(f->nattrs, 3);
    ASSERT_STREQ(f->attrs[2].name, "postcode");
    ASSERT_EQ_INT(f->attrs[2].kind, GIS_INT);
    ASSERT_EQ_INT(in.features[1].shape, GIS_LINE);
    ASSERT_EQ_UINT(in.features[1].npoints, 2);
    ASSERT_NULL(in.features[1].problem);
    ASSERT_NOT_NULL(in.features[2].problem);
    ASSERT_TRUE(strstr(in.features[2].problem, "2 parts") != NULL);
    ASSERT_TRUE(strstr(in.features[3].problem, "height") != NULL);
    /* Equal names share one string. */
    ASSERT_TRUE(in.features[1].attrs[0].name == in.features[2].attrs[0].name);
    /* More features than allowed: 413 before anything is read. */
    opt.max_features = 3;
    ASSERT_EQ_INT(gis_read(doc, strlen(doc), GIS_GEOJSON, &opt, pool, &in, &fail), -1);
    ASSERT_EQ_INT(fail.status, 413);
    pool_free(pool);
}

TEST(gis_refuses_broken_files)
{
    ASSERT_EQ_INT(gis_runtime_start(NULL), 0);
    struct pool *pool = pool_new();
    struct gis_input in;
    struct gis_failure fail;
    struct gis_read_options opt = {.max_features = 10};
    static const struct {
        const char *body;
        enum gis_format fmt;
        int status;
    } cases[] = {
        {"{\"type\":\"FeatureCollection\",\"features\":[1,]}", GIS_GEOJSON, 400},
        {"{\"type\":\"FeatureCollection\",\"type\":\"x\",\"features\":[]}", GIS_GEOJSON, 400},
        {"{\"type\":\"FeatureCollection\",\"features\":[{\"a\":1,\"a\":2}]}", GIS_GEOJSON, 400},
        {"{\"type\":\"FeatureCollection\",\"features\":[]} x", GIS_GEOJSON, 400},
        {"{\"type\":\"Feature\",\"features\":[]}", GIS_GEOJSON, 422},
        {"{\"type\":\"FeatureCollection\",\"features\":[],\"crs\":{\"type\":\"name\","
         "\"properties\":{\"name\":\"EPSG:4326x\"}}}",
         GIS_GEOJSON, 422},
        {"[]", GIS_GEOJSON, 400},
        {"not a geopackage", GIS_GPKG, 400},
        {"PK\x03\x04 broken", GIS_SHAPEZIP, 400},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ASSERT_EQ_INT(
            gis_read(cases[i].body, strlen(cases[i].body), cases[i].fmt, &opt, pool, &in, &fail),
            -1);
        ASSERT_EQ_INT(fail.status, cases[i].status);
    }
    pool_free(pool);
}
