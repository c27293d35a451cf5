/* wire.h — HTTP/1.1 request framing: turns the bytes a connection receives
 * into request heads and decoded bodies, one message at a time, within the
 * limits of the edge.
 *
 * It wraps Debian's http-parser (the only code that includes
 * http_parser.h) and adds what a server edge needs on top: a bound on the
 * request line and headers, refusal of control characters in header
 * values, and a readable request line for methods the parser does not
 * know (so that they get 405 rather than a bare 400). No I/O and no
 * libevent: the caller feeds what it has read, which keeps this testable
 * and fuzzable on its own. */
#ifndef FT_WIRE_H
#define FT_WIRE_H

#include <stddef.h>

#define WIRE_MAX_HEADERS 64

struct wire;

struct wire_header {
    const char *name; /* as sent; compare case-insensitively */
    const char *value;
};

/* A request head. Strings are NUL-terminated and live in the wire until
 * wire_next(). */
struct wire_head {
    const char *method; /* "GET"; for an unknown method the token as sent */
    const char *target; /* the request-target as sent */
    int http_major, http_minor;
    struct wire_header headers[WIRE_MAX_HEADERS];
    size_t nheaders;
    int chunked;              /* Transfer-Encoding: chunked */
    long long content_length; /* -1 when the head has none */
    int keep_alive;           /* another request may follow on the connection */
    int expect_continue;      /* Expect: 100-continue */
};

struct wire_hooks {
    /* The head is complete. Returns 0 to go on with the body, or an HTTP
     * status with which the message is refused. */
    int (*head)(void *ctx, const struct wire_head *h);
    /* A piece of the decoded body. Returns 0, or a status to refuse. */
    int (*body)(void *ctx, const char *at, size_t len);
};

enum wire_state {
    WIRE_MORE,    /* everything fed was consumed; the message goes on */
    WIRE_MESSAGE, /* a whole message was read; wire_next() before more */
    WIRE_ERROR,   /* the message is refused: see wire_error() */
};

/* A framer for one connection. max_head bounds the request line and headers
 * together. Returns NULL when out of memory. */
struct wire *wire_new(size_t max_head, const struct wire_hooks *hooks, void *ctx);
void wire_free(struct wire *w);

/* Feeds len bytes. Returns how many were consumed: all of them for
 * WIRE_MORE, up to the end of the message for WIRE_MESSAGE (the rest
 * belongs to the next one), and an unspecified count for WIRE_ERROR. */
size_t wire_feed(struct wire *w, const char *data, size_t len, enum wire_state *state);

/* Prepares for the next message on the same connection. */
void wire_next(struct wire *w);

/* After WIRE_ERROR: the status to answer with and a short detail. For an
 * unknown method (405), wire_head() holds the method and target. */
int wire_error(const struct wire *w, const char **detail);

/* The head of the current message (complete once the head hook ran). */
const struct wire_head *wire_head(const struct wire *w);

/* Whether the connection may carry another message after this one. */
int wire_keep_alive(const struct wire *w);

#endif
