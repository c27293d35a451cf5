/* nbest.c — GIS-NBest 5.1 as a table. Where the published text or a
 * public description of it gives a layer, an attribute or a code list,
 * that is used; where none could be found, the attribute carries
 * fibertrack's own value under a plain name, and docs/gis-nbest.md says
 * so for each. No code list is made up. */
#include "gis/nbest.h"

#include <string.h>

/* Leerrohre / LR_Art. Source: GIS-NBest BW 1.1 (2019), section 3.2.2,
 * which follows the federal GIS-NBest 4.0; see docs/gis-nbest.md. */
const struct nbest_code nbest_duct_types[] = {
    {1, "Kabelschutzrohr (KSR)"},
    {2, "16/12 (Einzelrohr)"},
    {3, "12/8 (Einzelrohr)"},
    {4, "14/10 (Einzelrohr)"},
    {5, "7/4 (Einzelrohr)"},
    {6, "10/6 (Einzelrohr)"},
    {11, "16/12 (Rohrverband)"},
    {12, "12/8 (Rohrverband)"},
    {13, "14/10 (Rohrverband)"},
    {14, "10/6 (Rohrverband)"},
    {15, "7/4 (Rohrverband)"},
    {16, "20/15 (Rohrverband)"},
    {21, "MR4 (PE-HD) 2x40/32 + 2x32/28"},
    {22, "Kabelschutzrohr (DN50)"},
    {23, "Kabelschutzrohr (DN40)"},
    {24, "Kabelschutzrohr (DN32)"},
    {25, "Kabelschutzrohr (DN100)"},
    {99, "Sonstige (im Feld daneben beschrieben)"},
    {0, NULL},
};

int nbest_duct_type_known(int code)
{
    for (const struct nbest_code *c = nbest_duct_types; c->label; c++)
        if (c->code == code)
            return 1;
    return 0;
}

int nbest_phase_parse(const char *s, enum nbest_phase *out)
{
    if (s && strcmp(s, "plan") == 0) {
        *out = NBEST_PLAN;
        return 0;
    }
    if (s && strcmp(s, "asbuilt") == 0) {
        *out = NBEST_ASBUILT;
        return 0;
    }
    return -1;
}

/* ---- which objects go where ---- */

static int is(const char *a, const char *b) { return a && strcmp(a, b) == 0; }

/* Built, for the as-built documentation: civil works done or further. */
static int built(const struct nbest_object *o)
{
    static const char *const done[] = {"civil_done", "cable_installed", "spliced",
                                       "tested",     "accepted",        NULL};
    for (int i = 0; done[i]; i++)
        if (is(o->status, done[i]))
            return 1;
    return 0;
}

static int in_phase(const struct nbest_object *o, enum nbest_phase phase)
{
    return phase == NBEST_PLAN || built(o);
}

/* Civil works: everything but a cable pulled into a duct, and a segment
 * laid in an existing duct. */
static int takes_civil(const struct nbest_object *o, enum nbest_phase phase)
{
    return in_phase(o, phase) && !is(o->kind, "cable") && !is(o->method, "existing_duct");
}

/* A duct, new or existing and used again. */
static int takes_duct(const struct nbest_object *o, enum nbest_phase phase)
{
    return in_phase(o, phase) &&
           (is(o->kind, "duct") || o->duct_code || o->duct_type || is(o->method, "existing_duct"));
}

/* A connection: a cable or a house connection, or anything with fibres. */
static int takes_cable(const struct nbest_object *o, enum nbest_phase phase)
{
    return in_phase(o, phase) &&
           (is(o->kind, "cable") || is(o->kind, "drop") || (o->has_fibers && o->fibers > 0));
}

/* Laid together with another network (Mitverlegung). */
static int takes_co_laid(const struct nbest_object *o, enum nbest_phase phase)
{
    return in_phase(o, phase) && (is(o->co_laying, "third_party") || is(o->co_laying, "own"));
}

/* Network technology: the PoP, cabinets and splice closures. */
static int takes_technology(const struct nbest_object *o, enum nbest_phase phase)
{
    (void)phase;
    return is(o->kind, "pop") || is(o->kind, "cabinet") || is(o->kind, "splice_closure");
}

/* End customers: every address planned for (not excluded); as built,
 * those the network has reached. */
static int takes_customer(const struct nbest_object *o, enum nbest_phase phase)
{
    if (phase == NBEST_PLAN)
        return !is(o->status, "excluded");
    return is(o->status, "passed") || is(o->status, "connected") || is(o->status, "activated");
}

/* ---- values ---- */

static void text(struct gis_cell *out, const char *s)
{
    out->null = !s;
    out->s = s;
}

static void real(struct gis_cell *out, int has, double v)
{
    out->null = !has;
    out->d = v;
}

static void integer(struct gis_cell *out, int has, long long v)
{
    out->null = !has;
    out->i = v;
}

/* trassenb: the surface the route runs under, 11 sealed, 12 unsealed.
 * Source: card_1 interAktiv 1/2025 p. 31 on GIS-NBest 5.1. Other surfaces
 * have no code found in a public source: left empty. */
static void v_trassenb(const struct nbest_object *o, enum nbest_phase p, struct gis_cell *out)
{
    (void)p;
    integer(out, is(o->surface, "sealed") || is(o->surface, "unsealed"),
            is(o->surface, "sealed") ? 11 : 12);
}

/* The length: planned in the network plan, as built in the documentation. */
static void v_length(const struct nbest_object *o, enum nbest_phase p, struct gis_cell *out)
{
    real(out, 1, p == NBEST_PLAN ? o->planned_m : o->built_m);
}

static void v_depth(const struct nbest_object *o, enum nbest_phase p, struct gis_cell *out)
{
    (void)p;
    real(out, o->has_depth, o->depth_m);
}

static void v_method(const struct nbest_object *o, enum nbest_phase p, struct gis_cell *out)
{
    (void)p;
    text(out, o->method);
}

static void v_duct_code(const struct nbest_object *o, enum nbest_phase p, struct gis_cell *out)
{
    (void)p;
    integer(out, o->duct_code != 0, o->duct_code);
}

/* The description a code 99 ("Sonstige") needs beside it. */
static void v_duct_other(const struct nbest_object *o, enum nbest_phase p, struct gis_cell *out)
{
    (void)p;
    text(out, o->duct_code == 99 || !o->duct_code ? o->duct_type : NULL);
}

static void v_fibers(const struct nbest_object *o, enum nbest_phase p, struct gis_cell *out)
{
    (void)p;
    integer(out, o->has_fibers, o->fibers);
}

static void v_co_laying(const struct nbest_object *o, enum nbest_phase p, struct gis_cell *out)
{
    (void)p;
    text(out, o->co_laying);
}

static void v_kind(const struct nbest_object *o, enum nbest_phase p, struct gis_cell *out)
{
    (void)p;
    text(out, o->kind);
}

static void v_name(const struct nbest_object *o, enum nbest_phase p, struct gis_cell *out)
{
    (void)p;
    text(out, o->name);
}

static void v_status(const struct nbest_object *o, enum nbest_phase p, struct gis_cell *out)
{
    (void)p;
    text(out, o->status);
}

static void v_street(const struct nbest_object *o, enum nbest_phase p, struct gis_cell *out)
{
    (void)p;
    text(out, o->street);
}

static void v_house(const struct nbest_object *o, enum nbest_phase p, struct gis_cell *out)
{
    (void)p;
    text(out, o->house_number);
}

static void v_postcode(const struct nbest_object *o, enum nbest_phase p, struct gis_cell *out)
{
    (void)p;
    text(out, o->postcode);
}

static void v_city(const struct nbest_object *o, enum nbest_phase p, struct gis_cell *out)
{
    (void)p;
    text(out, o->city);
}

static void v_units_res(const struct nbest_object *o, enum nbest_phase p, struct gis_cell *out)
{
    (void)p;
    integer(out, 1, o->units_residential);
}

static void v_units_bus(const struct nbest_object *o, enum nbest_phase p, struct gis_cell *out)
{
    (void)p;
    integer(out, 1, o->units_business);
}

/* fibertrack's code of the object, so that a reviewer's remark on a
 * feature can be traced back to it. */
static void v_code(const struct nbest_object *o, enum nbest_phase p, struct gis_cell *out)
{
    (void)p;
    text(out, o->code);
}

#define TEXT(n, w)                                                                                 \
    {                                                                                              \
        n, GIS_COL_TEXT, w, 0                                                                      \
    }
#define INT(n, w)                                                                                  \
    {                                                                                              \
        n, GIS_COL_INT, w, 0                                                                       \
    }
#define REAL(n, w, p)                                                                              \
    {                                                                                              \
        n, GIS_COL_REAL, w, p                                                                      \
    }
#define ID                                                                                         \
    {                                                                                              \
        {"ID", GIS_COL_INT, 9, 0}, NBEST_SEQUENCE, NULL                                            \
    }
#define CODE                                                                                       \
    {                                                                                              \
        TEXT("ft_code", 64), NBEST_VALUE, v_code                                                   \
    }

static const struct nbest_attr trassenbau[] = {
    {INT("trassenb", 2), NBEST_VALUE, v_trassenb},
    {TEXT("bauweise", 20), NBEST_VALUE, v_method},
    {REAL("verl_tiefe", 5, 2), NBEST_VALUE, v_depth},
    {REAL("laenge", 12, 2), NBEST_VALUE, v_length},
    CODE,
};

static const struct nbest_attr leerrohre[] = {
    ID,
    {INT("LR_Art", 2), NBEST_VALUE, v_duct_code},
    {TEXT("LR_sonst", 64), NBEST_VALUE, v_duct_other},
    {REAL("laenge", 12, 2), NBEST_VALUE, v_length},
    CODE,
};

static const struct nbest_attr verbindungen[] = {
    ID,
    {INT("fasern", 6), NBEST_VALUE, v_fibers},
    {REAL("laenge", 12, 2), NBEST_VALUE, v_length},
    CODE,
};

static const struct nbest_attr mitverlegung[] = {
    ID,
    {TEXT("art", 12), NBEST_VALUE, v_co_laying},
    {REAL("laenge", 12, 2), NBEST_VALUE, v_length},
    CODE,
};

static const struct nbest_attr netztechnik[] = {
    ID,
    {TEXT("art", 20), NBEST_VALUE, v_kind},
    {TEXT("bezeichn", 200), NBEST_VALUE, v_name},
    CODE,
};

static const struct nbest_attr endkunden[] = {
    ID,
    {INT("ID_Netze", 9), NBEST_NETWORK, NULL},
    {TEXT("strasse", 200), NBEST_VALUE, v_street},
    {TEXT("hausnr", 20), NBEST_VALUE, v_house},
    {TEXT("plz", 10), NBEST_VALUE, v_postcode},
    {TEXT("ort", 100), NBEST_VALUE, v_city},
    {INT("we_privat", 6), NBEST_VALUE, v_units_res},
    {INT("we_gewerbe", 6), NBEST_VALUE, v_units_bus},
    {TEXT("anschluss", 12), NBEST_VALUE, v_status},
    CODE,
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct nbest_layer layers_5_1[] = {
    {"Netztechnik", GIS_POINT, NBEST_NODE, takes_technology, netztechnik, N(netztechnik), 1},
    {"Trassenbau", GIS_LINE, NBEST_SEGMENT, takes_civil, trassenbau, N(trassenbau), 0},
    {"Leerrohre", GIS_LINE, NBEST_SEGMENT, takes_duct, leerrohre, N(leerrohre), 0},
    {"Verbindungen", GIS_LINE, NBEST_SEGMENT, takes_cable, verbindungen, N(verbindungen), 0},
    {"Mitverlegung", GIS_LINE, NBEST_SEGMENT, takes_co_laid, mitverlegung, N(mitverlegung), 0},
    {"Endkunden", GIS_POINT, NBEST_PREMISE, takes_customer, endkunden, N(endkunden), 0},
};

const struct nbest_layer *nbest_layers(const char *version, size_t *n)
{
    if (version && strcmp(version, "5.1") == 0) {
        *n = N(layers_5_1);
        return layers_5_1;
    }
    *n = 0;
    return NULL;
}
