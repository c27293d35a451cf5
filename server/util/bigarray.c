/* bigarray.c — see bigarray.h. */
#include "util/bigarray.h"

#include <string.h>
#include <sys/mman.h>

void bigarray_init(struct bigarray *a, size_t size)
{
    memset(a, 0, sizeof(*a));
    a->size = size;
}

int bigarray_reserve(struct bigarray *a, size_t cap)
{
    if (cap <= a->cap)
        return 0;
    if (a->size && cap > ((size_t)-1) / 2 / a->size)
        return -1;
    size_t bytes = cap * a->size, old = a->cap * a->size;
    /* mremap moves the pages instead of copying them. An anonymous
     * mapping takes fd -1, which cppcheck's POSIX list does not allow. */
    void *p;
    if (a->data)
        p = mremap(a->data, old, bytes, MREMAP_MAYMOVE);
    else
        // cppcheck-suppress invalidFunctionArg
        p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return -1;
    a->data = p;
    a->cap = cap;
    return 0;
}

void *bigarray_push(struct bigarray *a)
{
    if (a->n == a->cap && bigarray_reserve(a, a->cap ? a->cap * 2 : 4096) != 0)
        return NULL;
    char *e = (char *)a->data + a->n++ * a->size;
    memset(e, 0, a->size);
    return e;
}

void bigarray_free(struct bigarray *a)
{
    if (a->data)
        munmap(a->data, a->cap * a->size);
    a->data = NULL;
    a->n = a->cap = 0;
}
