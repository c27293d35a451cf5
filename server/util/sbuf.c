/* sbuf.c — pool-backed growing strings. */
#include "util/sbuf.h"

#include <string.h>

#include "util/pool.h"

void sbuf_init(struct sbuf *b, struct pool *pool)
{
    b->pool = pool;
    b->cap = 256;
    b->len = 0;
    b->s = pool_alloc(pool, b->cap);
}

void sbuf_addn(struct sbuf *b, const char *text, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap * 2;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *s = pool_alloc(b->pool, cap);
        memcpy(s, b->s, b->len);
        b->s = s;
        b->cap = cap;
    }
    memcpy(b->s + b->len, text, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void sbuf_add(struct sbuf *b, const char *text) { sbuf_addn(b, text, strlen(text)); }
