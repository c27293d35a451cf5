/* exif.h — when and where a photo was taken, from its EXIF block. */
#ifndef FT_EXIF_H
#define FT_EXIF_H

#include <stddef.h>

#include "media/sniff.h"

/* How many leading bytes of a file photo_meta_read looks at: a JPEG's
 * EXIF segment is at most 64 KiB and comes before the image data. */
#define PHOTO_META_BYTES (256 * 1024)

struct photo_meta {
    int has_time; /* the wall-clock time the camera wrote */
    int year, month, day, hour, minute, second;
    int has_offset; /* the camera's UTC offset for that time */
    int offset_minutes;
    int has_position;
    double lat, lon; /* WGS84 degrees, north and east positive */
};

/* Reads the time and position of a photo from the first n bytes of its
 * file (a JPEG's APP1 segment or a PNG's eXIf chunk). Whatever is missing,
 * malformed or out of range is left unset; bytes of any kind are safe. */
void photo_meta_read(enum media_kind kind, const unsigned char *head, size_t n,
                     struct photo_meta *out);

#endif
