/* strhash.h — a keyed hash of strings for in-memory hash tables filled
 * with request data. The key is random per process, so that nobody can
 * choose names that all land in one bucket and make lookups quadratic. */
#ifndef FT_STRHASH_H
#define FT_STRHASH_H

#include <stddef.h>
#include <stdint.h>

/* SipHash-2-4 of the len bytes at s under the process's key. Thread-safe. */
uint64_t strhash(const char *s, size_t len);

#endif
