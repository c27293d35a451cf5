/* bigarray.h — a growable array of fixed-size elements in memory mapped
 * for it alone.
 *
 * For the tens of megabytes a report folds once and drops (history rows of
 * 100,000 segments): from malloc, glibc raises its mmap threshold after the
 * first such block is freed and serves the next ones from the DB worker's
 * arena, which keeps them resident afterwards, a few dozen MB per worker.
 * Mapped and unmapped, they go back to the system at once. */
#ifndef FT_BIGARRAY_H
#define FT_BIGARRAY_H

#include <stddef.h>

struct bigarray {
    void *data;
    size_t size;   /* bytes per element */
    size_t n, cap; /* elements used / mapped */
};

/* An empty array of elements of size bytes. */
void bigarray_init(struct bigarray *a, size_t size);
/* A pointer to a new zeroed element at the end; NULL when out of memory. */
void *bigarray_push(struct bigarray *a);
/* Makes room for cap elements (at least); 0, or -1 when out of memory. */
int bigarray_reserve(struct bigarray *a, size_t cap);
void bigarray_free(struct bigarray *a);

#endif
