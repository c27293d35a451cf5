/* cursor.h — opaque keyset cursors for lists. A cursor names the last id
 * a page returned; the next page starts after it, so rows inserted
 * meanwhile neither shift nor repeat items. Pure. */
#ifndef FT_CURSOR_H
#define FT_CURSOR_H

#include <stddef.h>

#define CURSOR_MAX 64

/* Writes the cursor for last_id into out (CURSOR_MAX bytes). */
void cursor_encode(long long last_id, char out[CURSOR_MAX]);
/* Returns the id a cursor names, or -1 when it is not a cursor we made. */
long long cursor_decode(const char *cursor);

#endif
