/* etag.h — reading the If-Match header of a conditional change. An ETag
 * is the object's version in quotes ("3"). Pure. */
#ifndef FT_ETAG_H
#define FT_ETAG_H

/* Parses an If-Match header (NULL when absent). Returns -1 when it is
 * absent or empty; otherwise 0 with *version set to -1 for "*", to the
 * version the tag names, or to 0 when it names none (0 never matches, so
 * an unknown tag fails the precondition). */
int etag_parse_if_match(const char *header, long long *version);

#endif
