/* sbuf.h — a growing string in a request pool, for assembling SQL from
 * static fragments and small texts. */
#ifndef FT_SBUF_H
#define FT_SBUF_H

#include <stddef.h>

struct pool;

struct sbuf {
    struct pool *pool;
    char *s;
    size_t len, cap;
};

void sbuf_init(struct sbuf *b, struct pool *pool);
void sbuf_add(struct sbuf *b, const char *text);
void sbuf_addn(struct sbuf *b, const char *text, size_t n);

#endif
