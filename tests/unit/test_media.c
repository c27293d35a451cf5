/* Unit tests for the evidence parsers: magic bytes (media/sniff.h), EXIF
 * time and position (media/exif.h), upload file names and download ranges
 * (http/upload_headers.h), Europe/Berlin time (util/berlin_time.h) and
 * point-to-line distance (domain/geo.h). */
#include "test.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/geo.h"
#include "http/upload_headers.h"
#include "media/exif.h"
#include "media/sniff.h"
#include "util/berlin_time.h"

/* ---- sniff ---- */

TEST(sniff_knows_jpeg_png_pdf_heic_by_content)
{
    const unsigned char jpeg[] = {0xFF, 0xD8, 0xFF, 0xE0, 0, 16};
    const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0};
    const unsigned char pdf[] = "%PDF-1.7\n";
    const unsigned char heic[] = {0, 0, 0, 24, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c',
                                  0, 0, 0, 0,  'm', 'i', 'f', '1', 'h', 'e', 'i', 'c'};
    const unsigned char mif1_heic[] = {0, 0, 0, 24, 'f', 't', 'y', 'p', 'm', 'i', 'f', '1',
                                       0, 0, 0, 0,  'm', 'i', 'f', '1', 'h', 'e', 'i', 'c'};
    const unsigned char avif[] = {0, 0, 0, 24, 'f', 't', 'y', 'p', 'm', 'i', 'f', '1',
                                  0, 0, 0, 0,  'm', 'i', 'f', '1', 'a', 'v', 'i', 'f'};
    ASSERT_EQ_INT(media_sniff(jpeg, sizeof(jpeg)), MEDIA_JPEG);
    ASSERT_EQ_INT(media_sniff(png, sizeof(png)), MEDIA_PNG);
    ASSERT_EQ_INT(media_sniff(pdf, 9), MEDIA_PDF);
    ASSERT_EQ_INT(media_sniff(heic, sizeof(heic)), MEDIA_HEIC);
    ASSERT_EQ_INT(media_sniff(mif1_heic, sizeof(mif1_heic)), MEDIA_HEIC);
    ASSERT_EQ_INT(media_sniff(avif, sizeof(avif)), MEDIA_UNKNOWN);
    ASSERT_EQ_INT(media_sniff((const unsigned char *)"<html>", 6), MEDIA_UNKNOWN);
    ASSERT_EQ_INT(media_sniff(jpeg, 2), MEDIA_UNKNOWN);
    ASSERT_EQ_INT(media_sniff(NULL, 0), MEDIA_UNKNOWN);
}

TEST(sniff_names_and_parses_types)
{
    ASSERT_STREQ(media_type_name(MEDIA_JPEG), "image/jpeg");
    ASSERT_STREQ(media_extension(MEDIA_PDF), "pdf");
    ASSERT_EQ_INT(media_type_parse("image/JPEG; q=1"), MEDIA_JPEG);
    ASSERT_EQ_INT(media_type_parse("application/pdf"), MEDIA_PDF);
    ASSERT_EQ_INT(media_type_parse("image/jpegx"), MEDIA_UNKNOWN);
    ASSERT_EQ_INT(media_type_parse("application/octet-stream"), MEDIA_UNKNOWN);
    ASSERT_EQ_INT(media_type_parse(NULL), MEDIA_UNKNOWN);
}

/* ---- EXIF ---- */

/* A little-endian TIFF block as tests/lib/photos.py writes it: IFD0 with
 * pointers to an Exif IFD (DateTimeOriginal, OffsetTimeOriginal) and a GPS
 * IFD (N 49°52'12", E 8°39'0"). */
static size_t exif_block(unsigned char *out, const char *taken, const char *offset, int gps,
                         const char *lat_ref)
{
    unsigned char *p = out;
    memcpy(p, "Exif\0\0II*\0\x08\0\0\0", 14);
    p += 14;
    unsigned char *tiff = out + 6;
#define W16(v) (*p++ = (unsigned char)((v)&0xFF), *p++ = (unsigned char)(((v) >> 8) & 0xFF))
#define W32(v) (W16((v)&0xFFFF), W16(((uint32_t)(v) >> 16) & 0xFFFF))
    /* IFD0 at 8: two entries. */
    uint32_t exif_at = 8 + 2 + 2 * 12 + 4, gps_at = exif_at + 2 + 2 * 12 + 4 + 20 + 8;
    W16(2);
    W16(0x8769), W16(4), W32(1), W32(exif_at);
    W16(0x8825), W16(4), W32(1), W32(gps_at);
    W32(0);
    /* Exif IFD: DateTimeOriginal (20 bytes after the IFD), OffsetTimeOriginal (7, inline? no: 8).
     */
    uint32_t strings = exif_at + 2 + 2 * 12 + 4;
    W16(2);
    W16(0x9003), W16(2), W32(20), W32(strings);
    W16(0x9011), W16(2), W32(7), W32(strings + 20);
    W32(0);
    memcpy(p, taken, 19);
    p[19] = 0;
    p += 20;
    memset(p, 0, 8);
    if (offset)
        memcpy(p, offset, 6);
    p += 8;
    /* GPS IFD: refs inline, rationals after it. */
    uint32_t rats = gps_at + 2 + 4 * 12 + 4;
    W16(gps ? 4 : 0);
    if (gps) {
        W16(1), W16(2), W32(2), *p++ = (unsigned char)lat_ref[0], *p++ = 0, *p++ = 0, *p++ = 0;
        W16(2), W16(5), W32(3), W32(rats);
        W16(3), W16(2), W32(2), *p++ = 'E', *p++ = 0, *p++ = 0, *p++ = 0;
        W16(4), W16(5), W32(3), W32(rats + 24);
    }
    W32(0);
    if (gps) {
        p = tiff + rats;
        W32(49), W32(1), W32(52), W32(1), W32(120000), W32(10000);
        W32(8), W32(1), W32(39), W32(1), W32(0), W32(1);
    }
#undef W16
#undef W32
    return (size_t)(p - out);
}

/* A JPEG: SOI, APP0, APP1 with the block, then a start of scan. */
static size_t jpeg_with(const unsigned char *app1, size_t n, unsigned char *out)
{
    size_t o = 0;
    const unsigned char head[] = {0xFF, 0xD8, 0xFF, 0xE0, 0, 6, 'J', 'F', 'I', 'F'};
    memcpy(out, head, sizeof(head));
    o += sizeof(head);
    out[o++] = 0xFF, out[o++] = 0xE1, out[o++] = (unsigned char)((n + 2) >> 8),
    out[o++] = (unsigned char)((n + 2) & 0xFF);
    memcpy(out + o, app1, n);
    o += n;
    const unsigned char sos[] = {0xFF, 0xDA, 0, 2, 0xFF, 0xD9};
    memcpy(out + o, sos, sizeof(sos));
    return o + sizeof(sos);
}

TEST(exif_reads_time_offset_and_position_from_a_jpeg)
{
    unsigned char block[1024], file[2048];
    size_t n = exif_block(block, "2026:11:20 10:15:07", "+01:00", 1, "N");
    size_t len = jpeg_with(block, n, file);
    struct photo_meta m;
    photo_meta_read(MEDIA_JPEG, file, len, &m);
    ASSERT_TRUE(m.has_time);
    ASSERT_EQ_INT(m.year, 2026);
    ASSERT_EQ_INT(m.month, 11);
    ASSERT_EQ_INT(m.second, 7);
    ASSERT_TRUE(m.has_offset);
    ASSERT_EQ_INT(m.offset_minutes, 60);
    ASSERT_TRUE(m.has_position);
    ASSERT_NEAR(m.lat, 49.87, 1e-9);
    ASSERT_NEAR(m.lon, 8.65, 1e-9);

    n = exif_block(block, "2026:11:20 10:15:07", NULL, 1, "S");
    len = jpeg_with(block, n, file);
    photo_meta_read(MEDIA_JPEG, file, len, &m);
    ASSERT_FALSE(m.has_offset);
    ASSERT_NEAR(m.lat, -49.87, 1e-9);
}

TEST(exif_leaves_out_what_is_malformed)
{
    unsigned char block[1024], file[2048];
    struct photo_meta m;
    const char *bad_times[] = {"0000:00:00 00:00:00", "2026:13:01 10:00:00", "2026:02:29 10:00:00",
                               "2026-11-20 10:00:00", "2026:11:20 24:00:00", "    :  :     :  :  "};
    for (size_t i = 0; i < sizeof(bad_times) / sizeof(bad_times[0]); i++) {
        size_t n = exif_block(block, bad_times[i], NULL, 0, "N");
        photo_meta_read(MEDIA_JPEG, file, jpeg_with(block, n, file), &m);
        if (m.has_time)
            FAIL("%s was read as a time", bad_times[i]);
    }
    size_t n = exif_block(block, "2024:02:29 10:00:00", "+25:00", 1, "X");
    photo_meta_read(MEDIA_JPEG, file, jpeg_with(block, n, file), &m);
    ASSERT_TRUE(m.has_time);      /* a leap day */
    ASSERT_FALSE(m.has_offset);   /* +25:00 is no offset */
    ASSERT_FALSE(m.has_position); /* X is no hemisphere */
    /* Cut anywhere, the file gives what is whole and never more. */
    n = exif_block(block, "2026:11:20 10:15:07", "+01:00", 1, "N");
    size_t len = jpeg_with(block, n, file);
    for (size_t cut = 0; cut < len; cut++)
        photo_meta_read(MEDIA_JPEG, file, cut, &m);
    /* A segment length pointing past the end, and no EXIF at all. */
    const unsigned char liar[] = {0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 'E', 'x', 'i', 'f', 0, 0};
    photo_meta_read(MEDIA_JPEG, liar, sizeof(liar), &m);
    ASSERT_FALSE(m.has_time || m.has_position);
    photo_meta_read(MEDIA_PDF, (const unsigned char *)"%PDF-1.4", 8, &m);
    ASSERT_FALSE(m.has_time || m.has_position);
}

/* ---- upload headers ---- */

static const char *fname(const char *h)
{
    static char out[FILE_NAME_MAX + 1];
    return disposition_file_name(h, out, sizeof(out)) ? out : NULL;
}

TEST(disposition_file_names)
{
    ASSERT_STREQ(fname("attachment; filename=\"a.jpg\""), "a.jpg");
    ASSERT_STREQ(fname("attachment; filename=a.jpg"), "a.jpg");
    ASSERT_STREQ(fname("attachment; FileName=\"a b.jpg\" ; x=1"), "a b.jpg");
    ASSERT_STREQ(fname("attachment; filename=\"x.jpg\"; filename*=UTF-8''Stra%C3%9Fe.jpg"),
                 "Straße.jpg");
    ASSERT_STREQ(fname("attachment; filename*=utf-8''a%2Fb%2F..%2Fc.jpg"), "c.jpg");
    ASSERT_STREQ(fname("attachment; filename=\"../../etc/passwd\""), "passwd");
    ASSERT_STREQ(fname("attachment; filename=\"C:\\\\x\\\\y.jpg\""), "y.jpg");
    ASSERT_STREQ(fname("attachment; filename=\"a\\\"b\""), "a\"b");
    ASSERT_STREQ(fname("attachment; filename=\"a\tb\""), "ab");
    ASSERT_STREQ(fname("attachment; x=\"; filename=evil\"; filename=good"), "good");
    ASSERT_NULL(fname("attachment; filename=\"..\""));
    ASSERT_NULL(fname("attachment; filename=\"\""));
    ASSERT_NULL(fname("attachment"));
    ASSERT_NULL(fname(NULL));
    ASSERT_NULL(fname("attachment; filename*=UTF-8''%FF%FE"));
    ASSERT_NULL(fname("attachment; filename*=UTF-8''bad%2"));
    /* Cut to 255 bytes at a character boundary. */
    char h[700] = "attachment; filename=\"";
    for (int i = 0; i < 200; i++)
        strcat(h, "ä");
    strcat(h, "\"");
    const char *n = fname(h);
    ASSERT_NOT_NULL(n);
    ASSERT_EQ_UINT(strlen(n), 254);
}

static int range(const char *h, unsigned long long size, unsigned long long *off,
                 unsigned long long *len)
{
    return (int)range_parse(h, size, off, len);
}

TEST(range_single_byte_ranges)
{
    unsigned long long off = 0, len = 0;
    ASSERT_EQ_INT(range("bytes=0-9", 100, &off, &len), RANGE_PART);
    ASSERT_EQ_UINT(off, 0);
    ASSERT_EQ_UINT(len, 10);
    ASSERT_EQ_INT(range("bytes=90-", 100, &off, &len), RANGE_PART);
    ASSERT_EQ_UINT(len, 10);
    ASSERT_EQ_INT(range("bytes=-30", 100, &off, &len), RANGE_PART);
    ASSERT_EQ_UINT(off, 70);
    ASSERT_EQ_INT(range("bytes=-300", 100, &off, &len), RANGE_PART);
    ASSERT_EQ_UINT(off, 0);
    ASSERT_EQ_UINT(len, 100);
    ASSERT_EQ_INT(range("bytes=95-200", 100, &off, &len), RANGE_PART);
    ASSERT_EQ_UINT(len, 5);
    ASSERT_EQ_INT(range("bytes=100-", 100, &off, &len), RANGE_UNSATISFIABLE);
    ASSERT_EQ_INT(range("bytes=-0", 100, &off, &len), RANGE_UNSATISFIABLE);
    ASSERT_EQ_INT(range("bytes=0-", 0, &off, &len), RANGE_UNSATISFIABLE);
    ASSERT_EQ_INT(range("bytes=5-1", 100, &off, &len), RANGE_NONE);
    ASSERT_EQ_INT(range("bytes=0-1,4-5", 100, &off, &len), RANGE_NONE);
    ASSERT_EQ_INT(range("items=0-1", 100, &off, &len), RANGE_NONE);
    ASSERT_EQ_INT(range("bytes=-", 100, &off, &len), RANGE_NONE);
    ASSERT_EQ_INT(range("bytes=99999999999999999999999-", 100, &off, &len), RANGE_NONE);
    ASSERT_EQ_INT(range(NULL, 100, &off, &len), RANGE_NONE);
}

/* ---- time and distance ---- */

static long long utc(int y, int mo, int d, int h, int mi)
{
    return (long long)berlin_to_utc(y, mo, d, h, mi, 0);
}

TEST(berlin_time_follows_the_eu_rule)
{
    /* 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC. */
    ASSERT_EQ_INT(berlin_offset_at(1774746000 - 1), 3600); /* 2026-03-29 00:59:59Z */
    ASSERT_EQ_INT(berlin_offset_at(1774746000), 7200);     /* 2026-03-29 01:00:00Z */
    ASSERT_EQ_INT(berlin_offset_at(1792890000 - 1), 7200); /* 2026-10-25 00:59:59Z */
    ASSERT_EQ_INT(berlin_offset_at(1792890000), 3600);
    ASSERT_EQ_INT(utc(2026, 1, 15, 12, 0), 1768474800);  /* 11:00Z */
    ASSERT_EQ_INT(utc(2026, 7, 1, 12, 0), 1782900000);   /* 10:00Z */
    ASSERT_EQ_INT(utc(2026, 3, 29, 3, 30), 1774747800);  /* 01:30Z, just after the switch */
    ASSERT_EQ_INT(utc(2026, 10, 25, 2, 30), 1792888200); /* the twice hour: summer, 00:30Z */
    ASSERT_EQ_INT(utc(2026, 10, 25, 3, 30), 1792895400); /* 02:30Z */
}

TEST(geo_distance_to_a_line)
{
    const double line[] = {13.4, 52.5, 13.401, 52.501};
    ASSERT_NEAR(geo_distance_to_line_m(52.5005, 13.4005, line, 2), 0, 0.01);
    /* 0.001° of latitude north of the start, beside a line going north-east. */
    double d = geo_distance_to_line_m(52.51, 13.4005, line, 2);
    ASSERT_TRUE(d > 1000 && d < 1030);
    /* Beyond an end: the distance to that end. */
    const double east[] = {13.4, 52.5, 13.41, 52.5};
    ASSERT_NEAR(geo_distance_to_line_m(52.5, 13.39, east, 2), 677.2, 1.0);
    ASSERT_NEAR(geo_distance_to_line_m(52.501, 13.405, east, 2), 111.2, 0.5);
    ASSERT_NEAR(geo_distance_to_line_m(52.5, 13.4, east, 1), 0, 1e-9);
    ASSERT_TRUE(geo_distance_to_line_m(52.5, 13.4, east, 0) < 0);
}
