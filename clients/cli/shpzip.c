/* shpzip.c — a minimal zip writer (method "stored") for a Shapefile's
 * files: the layout of PKWARE's APPNOTE, sections 4.3.7 (local header),
 * 4.3.12 (central directory) and 4.3.16 (end record). */
#include "shpzip.h"

#include <errno.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"

static uint32_t crc32_of(const unsigned char *p, size_t n)
{
    static uint32_t table[256];
    if (!table[1])
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++)
        c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

struct out {
    char *buf;
    size_t len, cap, max;
};

static int put(struct out *o, const void *p, size_t n)
{
    if (o->len + n > o->max) {
        errno = EFBIG;
        return -1;
    }
    if (o->len + n > o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 65536;
        while (cap < o->len + n)
            cap *= 2;
        char *b = realloc(o->buf, cap);
        if (!b)
            return -1;
        o->buf = b;
        o->cap = cap;
    }
    memcpy(o->buf + o->len, p, n);
    o->len += n;
    return 0;
}

static int u16(struct out *o, unsigned v)
{
    unsigned char b[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
    return put(o, b, 2);
}

static int u32(struct out *o, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    return put(o, b, 4);
}

struct entry {
    char name[256];
    uint32_t crc, size, offset;
};

/* The fixed part of a local header or a central directory record. The
 * fields are written one statement at a time: their order is the format. */
static int header(struct out *o, const struct entry *e, int central)
{
    int rc = u32(o, central ? 0x02014b50u : 0x04034b50u);
    if (central)
        rc |= u16(o, 20); /* made by */
    rc |= u16(o, 20);     /* version needed */
    rc |= u16(o, 0x0800); /* names in UTF-8 */
    rc |= u16(o, 0);      /* stored */
    rc |= u16(o, 0);      /* time */
    rc |= u16(o, 0x21);   /* date: 1980-01-01 */
    rc |= u32(o, e->crc);
    rc |= u32(o, e->size); /* compressed */
    rc |= u32(o, e->size);
    rc |= u16(o, (unsigned)strlen(e->name));
    rc |= u16(o, 0); /* extra field */
    if (central) {
        rc |= u16(o, 0); /* comment */
        rc |= u16(o, 0); /* disk */
        rc |= u16(o, 0); /* internal attributes */
        rc |= u32(o, 0); /* external attributes */
        rc |= u32(o, e->offset);
    }
    rc |= put(o, e->name, strlen(e->name));
    return rc;
}

char *shpzip_pack(const char *path, size_t max, size_t *len)
{
    static const char *const exts[] = {".shp", ".shx", ".dbf", ".prj", ".cpg", NULL};
    size_t n = strlen(path);
    if (n < 5 || n > 900) {
        errno = EINVAL;
        return NULL;
    }
    char stem[1024], copy[1024];
    snprintf(stem, sizeof(stem), "%.*s", (int)(n - 4), path);
    snprintf(copy, sizeof(copy), "%s", stem);
    const char *base = basename(copy);
    struct out o = {NULL, 0, 0, max};
    struct entry entries[5];
    int count = 0, rc = 0;
    for (int i = 0; exts[i] && rc == 0; i++) {
        char file[1100];
        snprintf(file, sizeof(file), "%s%s", stem, exts[i]);
        size_t size;
        char *data = fs_read_file(file, max, &size);
        if (!data) {
            /* .prj and .cpg are optional; .shp, .shx and .dbf are the Shapefile. */
            if (i >= 3 && errno == ENOENT)
                continue;
            rc = -1;
            break;
        }
        struct entry *e = &entries[count++];
        snprintf(e->name, sizeof(e->name), "%s%s", base, exts[i]);
        e->crc = crc32_of((const unsigned char *)data, size);
        e->size = (uint32_t)size;
        e->offset = (uint32_t)o.len;
        rc = size > 0xffffffffu ? -1 : header(&o, e, 0);
        if (rc == 0)
            rc = put(&o, data, size);
        free(data);
    }
    uint32_t dir = (uint32_t)o.len;
    for (int i = 0; i < count && rc == 0; i++)
        rc = header(&o, &entries[i], 1);
    uint32_t dir_size = (uint32_t)o.len - dir;
    if (rc == 0) {
        rc |= u32(&o, 0x06054b50u);
        rc |= u16(&o, 0); /* this disk */
        rc |= u16(&o, 0); /* the directory's disk */
        rc |= u16(&o, (unsigned)count);
        rc |= u16(&o, (unsigned)count);
        rc |= u32(&o, dir_size);
        rc |= u32(&o, dir);
        rc |= u16(&o, 0); /* comment */
    }
    if (rc != 0) {
        int saved = errno;
        free(o.buf);
        errno = saved ? saved : EIO;
        return NULL;
    }
    *len = o.len;
    return o.buf;
}
