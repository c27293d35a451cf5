/* pool.c — a chunked arena with a cleanup list. */
#include "util/pool.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE 8192

struct chunk {
    struct chunk *next;
    size_t used, size;
    max_align_t data[];
};

struct cleanup {
    struct cleanup *next;
    void (*fn)(void *);
    void *arg;
};

struct pool {
    struct chunk *chunks;
    struct cleanup *cleanups;
};

struct pool *pool_new(void) { return calloc(1, sizeof(struct pool)); }

void pool_free(struct pool *p)
{
    if (!p)
        return;
    for (struct cleanup *c = p->cleanups; c;) {
        struct cleanup *next = c->next;
        c->fn(c->arg);
        c = next;
    }
    for (struct chunk *c = p->chunks; c;) {
        struct chunk *next = c->next;
        free(c);
        c = next;
    }
    free(p);
}

void *pool_alloc(struct pool *p, size_t n)
{
    size_t align = sizeof(max_align_t);
    if (n > SIZE_MAX / 2) {
        fprintf(stderr, "fibertrackd: allocation of %zu bytes refused\n", n);
        abort();
    }
    n = (n + align - 1) / align * align;
    struct chunk *c = p->chunks;
    if (!c || c->size - c->used < n) {
        size_t size = n > CHUNK_SIZE ? n : CHUNK_SIZE;
        c = malloc(sizeof(*c) + size);
        if (!c) {
            fprintf(stderr, "fibertrackd: out of memory\n");
            abort();
        }
        c->size = size;
        c->used = 0;
        /* A big one-off block goes behind the current chunk so the free
         * space of the current chunk stays usable. */
        if (p->chunks && size > CHUNK_SIZE) {
            c->next = p->chunks->next;
            p->chunks->next = c;
        } else {
            c->next = p->chunks;
            p->chunks = c;
        }
    }
    void *mem = (char *)c->data + c->used;
    c->used += n;
    memset(mem, 0, n);
    return mem;
}

char *pool_strndup(struct pool *p, const char *s, size_t n)
{
    char *d = pool_alloc(p, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *pool_strdup(struct pool *p, const char *s)
{
    return s ? pool_strndup(p, s, strlen(s)) : NULL;
}

char *pool_printf(struct pool *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return pool_strdup(p, "");
    char *s = pool_alloc(p, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

void pool_on_free(struct pool *p, void (*fn)(void *), void *arg)
{
    struct cleanup *c = pool_alloc(p, sizeof(*c));
    c->fn = fn;
    c->arg = arg;
    c->next = p->cleanups;
    p->cleanups = c;
}
