/* fsutil.h — small file-system helpers for durable local state.
 *
 * The CLI keeps a token, a config file and a queue of unsent progress
 * reports on the laptop. Each of them is written the same crash-safe way:
 * a temporary name in the same directory, fsync, rename over the final
 * name, fsync of the directory. A reader therefore sees either the old file
 * or the new one, never half of one, even after a power cut.
 */
#ifndef FT_CLI_FSUTIL_H
#define FT_CLI_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

#define FS_WARN_UNUSED __attribute__((warn_unused_result))

/* Creates dir and any missing parents with the given mode (existing ones
 * keep theirs). Returns 0, or -1 with errno set. */
int fs_mkdirs(const char *dir, mode_t mode) FS_WARN_UNUSED;

/* Writes data to dir/name atomically and durably (see above), creating the
 * file with mode. Returns 0, or -1 with errno set; on failure dir/name is
 * untouched and no temporary file is left behind. */
int fs_write_atomic(const char *dir, const char *name, const void *data, size_t len,
                    mode_t mode) FS_WARN_UNUSED;

/* Writes all of data to fd, going on after interruptions. Returns 0, or
 * -1 with errno set. */
int fs_write_all(int fd, const void *data, size_t len) FS_WARN_UNUSED;

/* Removes dir with the files in it (it holds no subdirectories) and fsyncs
 * its parent. Returns 0 (also when it was gone already), or -1 with errno
 * set. */
int fs_remove_dir(const char *dir) FS_WARN_UNUSED;

/* Renames dir_from/name to dir_to/name and fsyncs both directories.
 * Returns 0, or -1 with errno set. */
int fs_move(const char *dir_from, const char *dir_to, const char *name) FS_WARN_UNUSED;

/* Removes dir/name and fsyncs dir. Returns 0 (also when it was gone
 * already), or -1 with errno set. */
int fs_remove(const char *dir, const char *name) FS_WARN_UNUSED;

/* fsyncs a directory, so that renames and unlinks in it are on disk. */
int fs_sync_dir(const char *dir) FS_WARN_UNUSED;

/* Reads a whole file of at most max bytes into a NUL-terminated buffer the
 * caller frees. Returns NULL with errno set (EFBIG when larger than max). */
char *fs_read_file(const char *path, size_t max, size_t *len);

/* Joins a and b with one '/' into out (size n). Returns 0, or -1 when it
 * does not fit. */
int fs_join(char *out, size_t n, const char *a, const char *b) FS_WARN_UNUSED;

/* A test hook: when the environment variable FIBERTRACK_FAULT equals point,
 * the process aborts here, as a crash or a power cut would stop it. */
void fs_fault_point(const char *point);

#endif
