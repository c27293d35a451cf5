/* blobstore.h — files stored once per content, named by their SHA-256.
 *
 * Layout under the store's directory (FT_ATTACHMENT_DIR, default
 * $FT_DATA_DIR/attachments; shared storage when several instances run):
 *   ab/abcdef…   the file whose SHA-256 is abcdef… (hex)
 *   thumbs/ab/abcdef….jpg   its thumbnail, made on first request
 *   tmp/         files being written (up-XXXXXX; th- thumbnails, zip-
 *                archives), removed by the sweep when old
 * Nothing of a request names a path: only hex digests and fixed names. */
#ifndef FT_BLOBSTORE_H
#define FT_BLOBSTORE_H

#include <stddef.h>
#include <time.h>

#define BLOB_PATH_MAX 1200

/* A file being written before it is put in place: tmp/up-XXXXXX, named
 * so that it can be put in place again when a transaction is run again
 * (the sweep removes those a crash left). */
struct blob_stage {
    int fd;
    char tmp[BLOB_PATH_MAX];
    unsigned long long size;
};

/* Creates the store's directories. Returns 0, or -1 with a message. */
int blobstore_init(const char *dir, char *err, size_t errlen);
const char *blobstore_dir(void);

/* Whether sha is 64 lowercase hex digits (the only names the store uses). */
int blob_name_ok(const char *sha);
/* The path of a stored file and of its thumbnail. */
void blob_path(const char *sha, char *out, size_t size);
void blob_thumb_path(const char *sha, char *out, size_t size);

/* Starts a new file. Returns 0, or -1 with errno set. */
int blob_stage_open(struct blob_stage *s);
int blob_stage_write(struct blob_stage *s, const void *buf, size_t n);
/* Makes the unnamed file fd (size bytes, written in full: an upload's
 * spool file in the store's tmp/) the stage by giving it a name, without
 * a copy. Returns 0, or -1 with errno set when it cannot be named there
 * (another file system, or a file that had a name): then copy it. */
int blob_stage_adopt(struct blob_stage *s, int fd, unsigned long long size);
/* Flushes the whole file to disk. Returns 0, or -1 with errno set. */
int blob_stage_sync(struct blob_stage *s);
/* Puts a complete, synced file in place as sha, with its directory
 * synced. A file already there with the same size is the same content and
 * is kept; one with another size was damaged and is replaced. The stage
 * stays, so that it can be placed again. Returns 0, or -1 with errno
 * set. */
int blob_stage_place(struct blob_stage *s, const char *sha);
/* Closes and removes the staged file (idempotent). */
void blob_stage_discard(struct blob_stage *s);

/* Removes a stored file and its thumbnail. Returns 0, or -1 with errno
 * set (ENOENT when there was no file). */
int blob_remove(const char *sha);

/* Calls fn for every stored file's name (in no order), and removes named
 * temporary files older than max_tmp_age seconds. */
void blob_each(void (*fn)(const char *sha, void *arg), void *arg, time_t max_tmp_age);

#endif
