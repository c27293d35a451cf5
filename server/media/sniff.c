/* sniff.c — file types by their magic bytes. */
#include "media/sniff.h"

#include <string.h>
#include <strings.h>

static const struct {
    enum media_kind kind;
    const char *type, *ext;
} kinds[] = {
    {MEDIA_UNKNOWN, "application/octet-stream", "bin"},
    {MEDIA_JPEG, "image/jpeg", "jpg"},
    {MEDIA_PNG, "image/png", "png"},
    {MEDIA_HEIC, "image/heic", "heic"},
    {MEDIA_PDF, "application/pdf", "pdf"},
};

/* ISO base media files start with an ftyp box: size, "ftyp", the major
 * brand, a version, then compatible brands. HEIC photos name a HEVC brand
 * as major brand, or the generic image brand mif1/msf1 with heic among the
 * compatible ones (mif1 alone may be AVIF, which is not accepted). */
static int is_heic(const unsigned char *h, size_t n)
{
    if (n < 16 || memcmp(h + 4, "ftyp", 4) != 0)
        return 0;
    static const char *const major[] = {"heic", "heix", "heim", "heis", "hevc", "hevx"};
    for (size_t i = 0; i < sizeof(major) / sizeof(major[0]); i++)
        if (memcmp(h + 8, major[i], 4) == 0)
            return 1;
    if (memcmp(h + 8, "mif1", 4) != 0 && memcmp(h + 8, "msf1", 4) != 0)
        return 0;
    size_t box = (size_t)h[0] << 24 | (size_t)h[1] << 16 | (size_t)h[2] << 8 | h[3];
    if (box > n)
        box = n;
    for (size_t at = 16; at + 4 <= box; at += 4)
        if (memcmp(h + at, "heic", 4) == 0 || memcmp(h + at, "heix", 4) == 0)
            return 1;
    return 0;
}

enum media_kind media_sniff(const unsigned char *h, size_t n)
{
    if (n >= 3 && h[0] == 0xFF && h[1] == 0xD8 && h[2] == 0xFF)
        return MEDIA_JPEG;
    if (n >= 8 && memcmp(h, "\x89PNG\r\n\x1a\n", 8) == 0)
        return MEDIA_PNG;
    if (n >= 5 && memcmp(h, "%PDF-", 5) == 0)
        return MEDIA_PDF;
    if (is_heic(h, n))
        return MEDIA_HEIC;
    return MEDIA_UNKNOWN;
}

const char *media_type_name(enum media_kind k) { return kinds[k].type; }

const char *media_extension(enum media_kind k) { return kinds[k].ext; }

enum media_kind media_type_parse(const char *type)
{
    if (!type)
        return MEDIA_UNKNOWN;
    size_t n = strcspn(type, "; ");
    for (size_t i = 1; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strlen(kinds[i].type) == n && strncasecmp(type, kinds[i].type, n) == 0)
            return kinds[i].kind;
    return MEDIA_UNKNOWN;
}
