/* photo.c — checks and names of report photos (see photo.h). */
#include "photo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *photo_sniff(const unsigned char *b, size_t n)
{
    if (n >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF)
        return "image/jpeg";
    if (n >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0)
        return "image/png";
    if (n >= 5 && memcmp(b, "%PDF-", 5) == 0)
        return "application/pdf";
    /* HEIC: an ISO base media file whose ftyp box names a HEVC brand, or
     * the generic image brand mif1/msf1 with heic among the compatible
     * ones (mif1 alone may be AVIF, which the server refuses). */
    if (n >= 16 && memcmp(b + 4, "ftyp", 4) == 0) {
        static const char *const major[] = {"heic", "heix", "heim", "heis", "hevc", "hevx"};
        for (size_t i = 0; i < sizeof(major) / sizeof(major[0]); i++)
            if (memcmp(b + 8, major[i], 4) == 0)
                return "image/heic";
        if (memcmp(b + 8, "mif1", 4) == 0 || memcmp(b + 8, "msf1", 4) == 0) {
            size_t box = (size_t)b[0] << 24 | (size_t)b[1] << 16 | (size_t)b[2] << 8 | b[3];
            if (box > n)
                box = n;
            for (size_t at = 16; at + 4 <= box; at += 4)
                if (memcmp(b + at, "heic", 4) == 0 || memcmp(b + at, "heix", 4) == 0)
                    return "image/heic";
        }
    }
    return NULL;
}

/* Length of the valid UTF-8 sequence at s (1 to 4), or 0 when it is not one. */
static size_t utf8_seq(const unsigned char *s)
{
    unsigned char c = s[0];
    size_t len;
    unsigned int cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    /* Overlong forms, surrogates and code points beyond Unicode. */
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

void photo_name(const char *path, char *out, size_t n)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t k = 0;
    const unsigned char *s = (const unsigned char *)base;
    while (*s && k + 1 < n) {
        size_t len = utf8_seq(s);
        if (len == 0 || *s < 0x20 || *s == 0x7F) {
            out[k++] = '_';
            s++;
            continue;
        }
        if (k + len >= n)
            break; /* never cut a character in two */
        memcpy(out + k, s, len);
        k += len;
        s += len;
    }
    out[k] = '\0';
}

int photo_disposition(const char *name, char *out, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    char ascii[256], ext[800];
    size_t k = 0, e = 0;
    int plain = 1;
    for (const unsigned char *s = (const unsigned char *)name; *s && k + 1 < sizeof(ascii); s++) {
        unsigned char c = *s;
        /* The stand-in keeps one '_' per character that is not plain ASCII. */
        if (c >= 0x80)
            plain = 0;
        if (c >= 0x80 && (c & 0xC0) == 0x80)
            continue;
        ascii[k++] = (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') ? '_' : (char)c;
    }
    ascii[k] = '\0';
    int w;
    if (plain) {
        w = snprintf(out, n, "attachment; filename=\"%s\"", ascii);
        return (w < 0 || (size_t)w >= n) ? -1 : 0;
    }
    /* RFC 5987 attr-char stays as it is; everything else is %XX. */
    for (const unsigned char *s = (const unsigned char *)name; *s; s++) {
        unsigned char c = *s;
        int keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   strchr("!#$&+-.^_`|~", c) != NULL;
        if (e + 4 >= sizeof(ext))
            return -1;
        if (keep) {
            ext[e++] = (char)c;
        } else {
            ext[e++] = '%';
            ext[e++] = hex[c >> 4];
            ext[e++] = hex[c & 15];
        }
    }
    ext[e] = '\0';
    w = snprintf(out, n, "attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii, ext);
    return (w < 0 || (size_t)w >= n) ? -1 : 0;
}

void photo_close(struct photo_src *p)
{
    if (p->fd >= 0)
        close(p->fd);
    p->fd = -1;
}

int photo_open(const char *path, struct photo_src *p, char *why, size_t n)
{
    memset(p, 0, sizeof(*p));
    p->path = path;
    p->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (p->fd < 0) {
        snprintf(why, n, "--photo %s: %s", path,
                 errno == ENOENT ? "there is no such file" : strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(p->fd, &st) != 0) {
        snprintf(why, n, "--photo %s: %s", path, strerror(errno));
        photo_close(p);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(why, n, "--photo %s: not a regular file%s", path,
                 S_ISDIR(st.st_mode) ? " but a directory" : "");
        photo_close(p);
        return -1;
    }
    if (st.st_size == 0) {
        snprintf(why, n, "--photo %s: the file is empty", path);
        photo_close(p);
        return -1;
    }
    if ((long long)st.st_size > PHOTO_MAX_BYTES) {
        snprintf(why, n, "--photo %s: %.1f MiB is more than the server accepts (25 MiB)", path,
                 (double)st.st_size / (1024.0 * 1024.0));
        photo_close(p);
        return -1;
    }
    unsigned char head[256];
    ssize_t k = pread(p->fd, head, sizeof(head), 0);
    if (k < 0) {
        snprintf(why, n, "--photo %s: %s", path, strerror(errno));
        photo_close(p);
        return -1;
    }
    p->size = (long long)st.st_size;
    p->dev = st.st_dev;
    p->ino = st.st_ino;
    photo_name(path, p->name, sizeof(p->name));
    p->media_type = photo_sniff(head, (size_t)k);
    if (!p->media_type)
        p->media_type = "application/octet-stream";
    return 0;
}
