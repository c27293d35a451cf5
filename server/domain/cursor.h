/* cursor.h — opaque keyset cursors for lists. A cursor names the last id
 * a page returned; the next page starts after it, so rows inserted
 * meanwhile neither shift nor repeat items. Pure. */
#ifndef FT_CURSOR_H
#define FT_CURSOR_H

#include <stddef.h>

#define CURSOR_MAX 64

/* Writes the cursor for last_id into out (CURSOR_MAX bytes). */
void cursor_encode(long long last_id, char out[CURSOR_MAX]);
/* Returns the id a cursor names, or -1 when it is not a cursor we made
 * (or an offset cursor). */
long long cursor_decode(const char *cursor);

/* A list in another order than its ids' (?sort=) pages by position: its
 * cursor names how many items came before the next page. Such a page may
 * shift when rows are added meanwhile; a table a person sorts can live
 * with that. */
void cursor_encode_offset(long long offset, char out[CURSOR_MAX]);
/* The offset an offset cursor names, or -1. */
long long cursor_decode_offset(const char *cursor);

#endif
