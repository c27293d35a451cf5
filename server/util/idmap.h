/* idmap.h — a string → id hash map for resolving codes during imports. */
#ifndef FT_IDMAP_H
#define FT_IDMAP_H

#include <stddef.h>

struct idmap;

struct idmap *idmap_new(size_t expected);
void idmap_free(struct idmap *m);
/* Sets key (copied) to id; returns 0, or -1 when out of memory. */
int idmap_put(struct idmap *m, const char *key, long long id);
/* Returns the id for key, or 0 when absent (ids are never 0). */
long long idmap_get(const struct idmap *m, const char *key);

#endif
