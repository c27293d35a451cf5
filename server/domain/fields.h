/* fields.h — the description of a resource's fields, shared by validation
 * (pure) and the generic resource handlers (SQL). One table per resource
 * says what each JSON field is, how it is stored and who may write it. */
#ifndef FT_FIELDS_H
#define FT_FIELDS_H

#include <stddef.h>

enum field_type {
    FT_ID,      /* integer primary key */
    FT_INT,     /* integer in [min, max] */
    FT_REF,     /* id of a row in ref_table */
    FT_MONEY,   /* integer euro cents in [min, max] */
    FT_DECIMAL, /* number with at most two decimals in [min, max] */
    FT_RATE,    /* fraction in [0, 1] with at most four decimals */
    FT_BOOL,
    FT_STRING, /* UTF-8 text of at most max characters */
    FT_EMAIL,
    FT_ENUM,      /* one of values */
    FT_DATE,      /* YYYY-MM-DD */
    FT_TIMESTAMP, /* RFC 3339, stored as UTC */
    FT_LAT,
    FT_LON,
    FT_GEOMETRY, /* GeoJSON LineString: WGS84 [longitude, latitude], no heights */
    FT_PASSWORD, /* write-only; stored as an argon2id hash */
    FT_JSON,     /* stored JSON text, returned as JSON (read-only) */
};

enum field_flag {
    F_REQUIRED = 1 << 0,     /* must be given on create */
    F_READONLY = 1 << 1,     /* never written through the API */
    F_NULLABLE = 1 << 2,     /* null is a valid value, in a body or as returned */
    F_FILTER = 1 << 3,       /* usable as a list filter ?name=value */
    F_IMMUTABLE = 1 << 4,    /* set on create, never changed */
    F_WRITEONLY = 1 << 5,    /* accepted, never returned */
    F_SAME_PROJECT = 1 << 6, /* FT_REF whose row must belong to the same project */
    F_VIRTUAL = 1 << 7,      /* accepted with a change and audited, not stored */
    F_MULTILINE = 1 << 8,    /* FT_STRING that may hold tabs and line breaks, CR only in CRLF */
};

struct field {
    const char *name; /* JSON name */
    enum field_type type;
    unsigned flags;
    const char *column;        /* stored column; NULL: same as name; "" for derived */
    const char *expr;          /* select expression for derived fields (alias t) */
    const char *const *values; /* FT_ENUM: NULL-terminated */
    double min, max;           /* numeric range, or max characters for strings */
    const char *ref_table;     /* FT_REF */
};

/* Looks a field up by exact (case-sensitive) name. */
const struct field *field_find(const struct field *fields, size_t n, const char *name);

#endif
