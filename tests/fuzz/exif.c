/* exif.c — fuzzes what an upload's bytes go through before they are
 * stored: the magic-byte sniffer (server/media/sniff.c) and the EXIF
 * reader (server/media/exif.c, libexif on a block found in a JPEG or PNG).
 *
 * Invariants: whatever the bytes, a time read has fields in range and an
 * offset within ±14 h, and a position read is a real place on the earth. */
#include "fuzz.h"

#include <math.h>

#include "media/exif.h"
#include "media/sniff.h"

static void check(enum media_kind kind, const uint8_t *data, size_t size)
{
    struct photo_meta m;
    photo_meta_read(kind, data, size, &m);
    if (m.has_time) {
        FUZZ_ASSERT(m.year >= 1900 && m.year <= 9999);
        FUZZ_ASSERT(m.month >= 1 && m.month <= 12 && m.day >= 1 && m.day <= 31);
        FUZZ_ASSERT(m.hour <= 23 && m.minute <= 59 && m.second <= 60);
    }
    if (m.has_offset)
        FUZZ_ASSERT(m.has_time && m.offset_minutes >= -14 * 60 && m.offset_minutes <= 14 * 60 + 59);
    if (m.has_position) {
        FUZZ_ASSERT(isfinite(m.lat) && isfinite(m.lon));
        FUZZ_ASSERT(fabs(m.lat) <= 90 && fabs(m.lon) <= 180);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum media_kind kind = media_sniff(data, size);
    FUZZ_ASSERT(kind >= MEDIA_UNKNOWN && kind <= MEDIA_PDF);
    FUZZ_ASSERT(strlen(media_type_name(kind)) > 0);
    /* As its own kind, and as the two kinds that carry EXIF whatever the
     * bytes say (the reader must not trust the sniffer). */
    check(kind, data, size);
    check(MEDIA_JPEG, data, size);
    check(MEDIA_PNG, data, size);
    return 0;
}
