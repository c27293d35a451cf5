/* thumbnail.h — small JPEG previews of stored photos, made with libvips. */
#ifndef FT_THUMBNAIL_H
#define FT_THUMBNAIL_H

#include <stddef.h>

#include "media/sniff.h"

#define THUMBNAIL_PX 320

/* Starts libvips for a server: one thread per call, no operation cache,
 * and only the loaders that are safe for files from strangers. Once, at
 * start. Returns 0, or -1. */
int thumbnail_init(const char *argv0);
/* Whether kind can have a thumbnail (JPEG and PNG). */
int thumbnail_possible(enum media_kind kind);
/* Writes to path the thumbnail of stored file sha, making it on first use
 * (on the calling worker thread). Returns 0; -1 when the file cannot be
 * read as an image (or is too large to decode); -2 on a storage error. */
int thumbnail_get(const char *sha, char *path, size_t size);

#endif
