/* nbest.h — the GIS-Nebenbestimmungen (GIS-NBest) delivery as data: the
 * layers a version asks for, their attributes with types and code lists,
 * and which fibertrack objects go into each. Pure: no GDAL, no database;
 * api/gis_export.c feeds it rows and hands the cells to gis/write.c.
 * docs/gis-nbest.md is this table in prose, with the source of each row. */
#ifndef FT_GIS_NBEST_H
#define FT_GIS_NBEST_H

#include <stddef.h>

#include "gis/write.h"

/* The versions written; others are refused until they are added here. */
#define NBEST_VERSIONS "5.1"

enum nbest_phase {
    NBEST_PLAN,    /* the network plan: every segment as planned */
    NBEST_ASBUILT, /* the as-built documentation: what is built, as built */
};

enum nbest_source { NBEST_NODE, NBEST_SEGMENT, NBEST_PREMISE };

/* A fibertrack object as the delivery reads it. Texts are NULL when not
 * set; the has_* flags tell a set number from none. */
struct nbest_object {
    enum nbest_source source;
    long long id;
    const char *code, *kind, *name, *status;
    /* segments */
    const char *method, *surface, *duct_type, *co_laying;
    double planned_m, built_m, depth_m;
    int has_depth, duct_code, fibers, has_fibers;
    /* premises */
    const char *street, *house_number, *postcode, *city;
    int units_residential, units_business;
    long long network_node; /* the node of network technology it hangs off, or 0 */
};

/* How an attribute gets its value. */
enum nbest_fill {
    NBEST_VALUE,    /* value() */
    NBEST_SEQUENCE, /* 1, 2, 3, ... within the layer */
    NBEST_NETWORK,  /* the sequence number the object's network_node got in the
                       layer of network technology */
};

struct nbest_attr {
    struct gis_column column; /* name (at most 10 characters), type, width */
    enum nbest_fill fill;
    void (*value)(const struct nbest_object *o, enum nbest_phase phase, struct gis_cell *out);
};

struct nbest_layer {
    const char *name; /* the file name: Trassenbau.shp */
    enum gis_shape shape;
    enum nbest_source source;
    /* Whether the object belongs in this layer in this phase. */
    int (*takes)(const struct nbest_object *o, enum nbest_phase phase);
    const struct nbest_attr *attrs;
    size_t nattrs;
    int network; /* 1: the layer of network technology, which NBEST_NETWORK refers to */
};

/* The layers of a version ("5.1"), in writing order (network technology
 * before what refers to it); NULL when the version is not supported. */
const struct nbest_layer *nbest_layers(const char *version, size_t *n);

/* Parses "plan" or "asbuilt"; returns 0, or -1. */
int nbest_phase_parse(const char *s, enum nbest_phase *out);

/* A code of a GIS-NBest list and what it means. */
struct nbest_code {
    int code;
    const char *label;
};

/* Leerrohre, LR_Art: the kinds of duct (ends with {0, NULL}). */
extern const struct nbest_code nbest_duct_types[];
/* Whether code is in nbest_duct_types. */
int nbest_duct_type_known(int code);

/* The system GIS-NBest deliveries are in: ETRS89 / UTM zone 32N. */
#define NBEST_EPSG 25832

#endif
