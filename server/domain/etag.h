/* etag.h — fibertrack's entity tags. Every versioned object has the strong
 * ETag "<version>"; a change must name it in If-Match, which is evaluated
 * with the strong comparison of RFC 9110 (13.1.1): a weak tag (W/"3")
 * never matches. Pure; no I/O. */
#ifndef FT_ETAG_H
#define FT_ETAG_H

#include <stddef.h>

/* Versions kept from one If-Match list; further ones are ignored (a client
 * sends one, the ETag it last read). */
#define ETAG_MAX_TAGS 16

struct if_match {
    int any;       /* "*": any current representation matches */
    int malformed; /* not "*" and not a list of entity tags: nothing matches */
    size_t weak;   /* weak tags seen; they never match */
    size_t n;      /* strong tags that name a version */
    long long versions[ETAG_MAX_TAGS];
};

/* Parses an If-Match field value h (NUL-terminated): "*" or a
 * comma-separated list of entity tags ([W/]"opaque"). Fills *m and returns
 * 0, or returns -1 with m->malformed set when h is neither. Strong tags
 * whose text is not a version as fibertrack writes it ("7", never "07")
 * are well formed but match nothing and are not stored. */
int etag_parse_if_match(const char *h, struct if_match *m);

/* Whether the parsed If-Match is satisfied by an object at version. */
int etag_matches(const struct if_match *m, long long version);

#endif
