/* target.h — the request-target of an HTTP request: its path, percent-
 * decoded, and its query parameters. Pure; used by the http layer and its
 * fuzz driver.
 *
 * Strict where a lenient reading would let two layers see different
 * things: a NUL anywhere (raw or as %00), a control character in the path,
 * text that is not UTF-8, malformed percent-escapes, parameters without '='
 * and a parameter given twice are refused rather than truncated or
 * guessed. */
#ifndef FT_TARGET_H
#define FT_TARGET_H

#include <stddef.h>

#include "http/request.h"

struct pool;

#define TARGET_MAX_PATH 512
#define TARGET_MAX_PARAMS 64

struct target {
    const char *path; /* decoded, starts with '/' */
    struct kv *query; /* decoded keys and values */
    size_t nquery;
};

/* Parses an origin-form ("/a/b?x=1") or absolute-form
 * ("http://host/a/b?x=1") target into t, with strings in pool. Returns 0,
 * or -1 with a reason for the client in *err. */
int target_parse(const char *target, struct pool *pool, struct target *t, const char **err);

/* Whether a Host header value is well-formed: a name, IPv4 address or
 * bracketed IPv6 address, with an optional port (RFC 9112 3.2). The empty
 * value is allowed. */
int target_host_valid(const char *host);

/* Percent-decodes len bytes of s into out (room for len + 1 bytes); '+'
 * becomes a space when plus is set. Returns the decoded length, or -1 for a
 * malformed escape or a NUL. */
long target_decode(const char *s, size_t len, int plus, char *out);

#endif
