/* sniff.h — what a file is, from its first bytes (never from its name). */
#ifndef FT_SNIFF_H
#define FT_SNIFF_H

#include <stddef.h>

enum media_kind { MEDIA_UNKNOWN, MEDIA_JPEG, MEDIA_PNG, MEDIA_HEIC, MEDIA_PDF };

/* How many leading bytes media_sniff needs at most. */
#define MEDIA_SNIFF_BYTES 64

/* The kind of the content that starts with head (n bytes, fewer when the
 * file is shorter). */
enum media_kind media_sniff(const unsigned char *head, size_t n);
/* "image/jpeg", … ("application/octet-stream" for MEDIA_UNKNOWN). */
const char *media_type_name(enum media_kind k);
/* The file name extension for a kind, without the dot ("jpg"). */
const char *media_extension(enum media_kind k);
/* The kind named by a media type ("image/jpeg; x=y" counts), or
 * MEDIA_UNKNOWN. */
enum media_kind media_type_parse(const char *type);

#endif
