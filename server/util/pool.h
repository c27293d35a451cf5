/* pool.h — per-request memory: everything a request allocates is owned by
 * its pool and released once, after the reply has been sent. */
#ifndef FT_POOL_H
#define FT_POOL_H

#include <stddef.h>

struct pool;

/* Returns a new empty pool, or NULL when out of memory. */
struct pool *pool_new(void);
/* Frees every allocation and runs every registered cleanup, newest first. */
void pool_free(struct pool *p);
/* Zeroed memory owned by the pool; aborts on out-of-memory (a request cannot
 * usefully continue without it). */
void *pool_alloc(struct pool *p, size_t n);
char *pool_strdup(struct pool *p, const char *s);
char *pool_strndup(struct pool *p, const char *s, size_t n);
/* printf into pool memory. */
char *pool_printf(struct pool *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Runs fn(arg) when the pool is freed (e.g. cJSON_Delete of a parsed body). */
void pool_on_free(struct pool *p, void (*fn)(void *), void *arg);

#endif
