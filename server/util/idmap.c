/* idmap.c — open addressing with linear probing; grows at 50 % load. */
#include "util/idmap.h"

#include <stdlib.h>
#include <string.h>

#include "util/strhash.h"

struct slot {
    char *key;
    long long id;
};

struct idmap {
    struct slot *slots;
    size_t cap, used;
};

/* Codes come from uploaded files: a keyed hash keeps anyone from choosing
 * codes that pile up in one probe sequence. */
static size_t hash(const char *s) { return (size_t)strhash(s, strlen(s)); }

struct idmap *idmap_new(size_t expected)
{
    struct idmap *m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    m->cap = 64;
    while (m->cap < expected * 2)
        m->cap *= 2;
    m->slots = calloc(m->cap, sizeof(struct slot));
    if (!m->slots) {
        free(m);
        return NULL;
    }
    return m;
}

void idmap_free(struct idmap *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].key);
    free(m->slots);
    free(m);
}

static struct slot *find(const struct idmap *m, const char *key)
{
    size_t i = hash(key) & (m->cap - 1);
    while (m->slots[i].key && strcmp(m->slots[i].key, key) != 0)
        i = (i + 1) & (m->cap - 1);
    return &m->slots[i];
}

int idmap_put(struct idmap *m, const char *key, long long id)
{
    if ((m->used + 1) * 2 > m->cap) {
        struct idmap bigger = {calloc(m->cap * 2, sizeof(struct slot)), m->cap * 2, 0};
        if (!bigger.slots)
            return -1;
        for (size_t i = 0; i < m->cap; i++)
            if (m->slots[i].key)
                *find(&bigger, m->slots[i].key) = m->slots[i];
        free(m->slots);
        m->slots = bigger.slots;
        m->cap = bigger.cap;
    }
    struct slot *s = find(m, key);
    if (!s->key) {
        s->key = strdup(key);
        if (!s->key)
            return -1;
        m->used++;
    }
    s->id = id;
    return 0;
}

long long idmap_get(const struct idmap *m, const char *key)
{
    const struct slot *s = find(m, key);
    return s->key ? s->id : 0;
}
