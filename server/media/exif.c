/* exif.c — finding and reading a photo's EXIF block with libexif.
 *
 * The block is located here (JPEG segments, PNG chunks) and handed to
 * libexif as the APP1 payload alone, so libexif never scans more than
 * that; every value it returns is checked for format, size and range
 * before it is believed. */
#include "media/exif.h"

#include <libexif/exif-data.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char exif_header[6] = {'E', 'x', 'i', 'f', 0, 0};

static unsigned be16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }

static unsigned long be32(const unsigned char *p)
{
    return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}

/* The APP1 "Exif" payload of a JPEG, found by walking its marker segments
 * up to the start of the image data. */
static const unsigned char *jpeg_exif(const unsigned char *p, size_t n, size_t *len)
{
    size_t at = 2; /* after SOI */
    while (at + 4 <= n) {
        if (p[at] != 0xFF)
            return NULL;
        unsigned char m = p[at + 1];
        if (m == 0xFF) { /* fill byte */
            at++;
            continue;
        }
        if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) { /* no length */
            at += 2;
            continue;
        }
        if (m == 0xD9 || m == 0xDA) /* end of image, start of scan */
            return NULL;
        size_t seg = be16(p + at + 2);
        if (seg < 2 || at + 2 + seg > n)
            return NULL;
        const unsigned char *data = p + at + 4;
        size_t dlen = seg - 2;
        if (m == 0xE1 && dlen > sizeof(exif_header) &&
            memcmp(data, exif_header, sizeof(exif_header)) == 0) {
            *len = dlen;
            return data;
        }
        at += 2 + seg;
    }
    return NULL;
}

/* A PNG's eXIf chunk holds the TIFF part without the "Exif" header. */
static const unsigned char *png_exif(const unsigned char *p, size_t n, size_t *len)
{
    size_t at = 8;
    while (at + 12 <= n) {
        unsigned long clen = be32(p + at);
        if (clen > n - at - 12)
            return NULL;
        if (memcmp(p + at + 4, "eXIf", 4) == 0) {
            *len = clen;
            return p + at + 8;
        }
        if (memcmp(p + at + 4, "IDAT", 4) == 0 || memcmp(p + at + 4, "IEND", 4) == 0)
            return NULL;
        at += 12 + clen;
    }
    return NULL;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

static ExifEntry *entry(ExifData *ed, ExifIfd ifd, unsigned tag)
{
    return exif_content_get_entry(ed->ifd[ifd], (ExifTag)tag);
}

/* An ASCII value of at least min characters, copied NUL-terminated. */
static int ascii(const ExifEntry *e, size_t min, char *out, size_t size)
{
    if (!e || e->format != EXIF_FORMAT_ASCII || !e->data || e->size < min)
        return 0;
    size_t n = e->size < size - 1 ? e->size : size - 1;
    memcpy(out, e->data, n);
    out[n] = '\0';
    return strlen(out) >= min;
}

/* "YYYY:MM:DD HH:MM:SS" */
static void read_time(ExifData *ed, struct photo_meta *m)
{
    char s[32];
    if (!ascii(entry(ed, EXIF_IFD_EXIF, 0x9003), 19, s, sizeof(s)) && /* DateTimeOriginal */
        !ascii(entry(ed, EXIF_IFD_EXIF, 0x9004), 19, s, sizeof(s)))   /* DateTimeDigitized */
        return;
    if (s[4] != ':' || s[7] != ':' || s[10] != ' ' || s[13] != ':' || s[16] != ':')
        return;
    if (!digits(s, 4, &m->year) || !digits(s + 5, 2, &m->month) || !digits(s + 8, 2, &m->day) ||
        !digits(s + 11, 2, &m->hour) || !digits(s + 14, 2, &m->minute) ||
        !digits(s + 17, 2, &m->second))
        return;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m->year < 1900 || m->month < 1 || m->month > 12 || m->day < 1 ||
        m->day > mdays[m->month - 1] || m->hour > 23 || m->minute > 59 || m->second > 60)
        return;
    if (m->month == 2 && m->day == 29 &&
        !(m->year % 4 == 0 && (m->year % 100 != 0 || m->year % 400 == 0)))
        return;
    m->has_time = 1;
    /* OffsetTimeOriginal "+01:00" */
    int hh, mm;
    if (ascii(entry(ed, EXIF_IFD_EXIF, 0x9011), 6, s, sizeof(s)) && (s[0] == '+' || s[0] == '-') &&
        s[3] == ':' && digits(s + 1, 2, &hh) && digits(s + 4, 2, &mm) && hh <= 14 && mm < 60) {
        m->has_offset = 1;
        m->offset_minutes = (s[0] == '-' ? -1 : 1) * (hh * 60 + mm);
    }
}

/* Degrees from three rationals (degrees, minutes, seconds) and a
 * hemisphere letter; NAN when any part is missing or out of range. */
static double coordinate(ExifData *ed, unsigned ref_tag, unsigned tag, char pos, char neg,
                         double max)
{
    char ref[4];
    ExifEntry *e = entry(ed, EXIF_IFD_GPS, tag);
    if (!ascii(entry(ed, EXIF_IFD_GPS, ref_tag), 1, ref, sizeof(ref)) || !e ||
        e->format != EXIF_FORMAT_RATIONAL || e->components < 3 || !e->data || e->size < 24)
        return NAN;
    ExifByteOrder order = exif_data_get_byte_order(ed);
    double part[3];
    for (int i = 0; i < 3; i++) {
        ExifRational q = exif_get_rational(e->data + 8 * i, order);
        if (q.denominator == 0)
            return NAN;
        part[i] = (double)q.numerator / (double)q.denominator;
    }
    if (part[1] >= 60 || part[2] > 60)
        return NAN;
    double v = part[0] + part[1] / 60 + part[2] / 3600;
    if (v > max)
        return NAN;
    if (ref[0] == neg)
        return -v;
    return ref[0] == pos ? v : NAN;
}

static void read_position(ExifData *ed, struct photo_meta *m)
{
    double lat = coordinate(ed, 0x0001, 0x0002, 'N', 'S', 90);
    double lon = coordinate(ed, 0x0003, 0x0004, 'E', 'W', 180);
    /* 0,0 is what cameras write when they had no fix. */
    if (isnan(lat) || isnan(lon) || (lat == 0 && lon == 0))
        return;
    m->has_position = 1;
    m->lat = lat;
    m->lon = lon;
}

void photo_meta_read(enum media_kind kind, const unsigned char *head, size_t n,
                     struct photo_meta *out)
{
    memset(out, 0, sizeof(*out));
    size_t len = 0;
    const unsigned char *block = NULL;
    unsigned char *copy = NULL;
    if (kind == MEDIA_JPEG)
        block = jpeg_exif(head, n, &len);
    else if (kind == MEDIA_PNG && (block = png_exif(head, n, &len)) != NULL) {
        /* libexif wants the "Exif" header in front of the TIFF part. */
        copy = malloc(len + sizeof(exif_header));
        if (!copy)
            return;
        memcpy(copy, exif_header, sizeof(exif_header));
        memcpy(copy + sizeof(exif_header), block, len);
        block = copy;
        len += sizeof(exif_header);
    }
    if (!block || len > 0xFFFF + sizeof(exif_header)) {
        free(copy);
        return;
    }
    ExifData *ed = exif_data_new();
    if (ed) {
        /* Read only: libexif must not add or repair tags. */
        exif_data_unset_option(ed, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
        exif_data_load_data(ed, block, (unsigned int)len);
        read_time(ed, out);
        read_position(ed, out);
        exif_data_unref(ed);
    }
    free(copy);
}
