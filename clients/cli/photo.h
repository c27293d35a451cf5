/* photo.h — photos and documents that go with a progress report
 * (`progress submit --photo FILE`): the checks made before anything is
 * queued, the media type told by the first bytes, and the file name as the
 * server gets it.
 *
 * The server accepts JPEG, PNG, HEIC and PDF up to 25 MiB and judges the
 * type by the content itself; the CLI refuses at once only what cannot be
 * sent at all (missing, unreadable, not a regular file, empty, too large),
 * and leaves the type to the server: a file it refuses (415) does not hold
 * up the report.
 */
#ifndef FT_CLI_PHOTO_H
#define FT_CLI_PHOTO_H

#include <stddef.h>
#include <sys/types.h>

#define PHOTO_MAX_BYTES (25LL * 1024 * 1024) /* the server's limit (413 above) */
#define PHOTO_CAPTION_MAX 500                /* characters, the server's column */

/* One photo given on the command line, checked and held open. */
struct photo_src {
    const char *path; /* as given */
    int fd;           /* open for reading; photo_close closes it */
    long long size;   /* bytes */
    dev_t dev;        /* to tell the same file given twice */
    ino_t ino;
    char name[256];         /* the file name the server gets (see photo_name) */
    const char *media_type; /* from the content: image/jpeg, image/png,
                               image/heic, application/pdf, or
                               application/octet-stream (the server decides) */
};

/* Opens and checks path: a readable regular file of 1 byte to 25 MiB.
 * Returns 0, or -1 with the reason in why (size n), for `error: <why>`. */
int photo_open(const char *path, struct photo_src *p, char *why, size_t n);
void photo_close(struct photo_src *p);

/* The media type of a file from its first bytes (n of them), or NULL when
 * it is none the server accepts. */
const char *photo_sniff(const unsigned char *b, size_t n);

/* The file name to send for path: its last component, with control
 * characters and bytes that are not UTF-8 replaced by '_'. */
void photo_name(const char *path, char *out, size_t n);

/* The Content-Disposition value for name: attachment; filename="…" with
 * an ASCII stand-in, plus filename*=UTF-8''… when the name is not ASCII
 * (RFC 6266). Returns 0, or -1 when it does not fit in out (size n). */
int photo_disposition(const char *name, char *out, size_t n);

/* Number of characters (code points) of UTF-8 text. */
size_t utf8_chars(const char *s);

#endif
