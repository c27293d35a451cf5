/* paths.h — finding the files that ship beside the binary. */
#ifndef FT_PATHS_H
#define FT_PATHS_H

#include <stddef.h>

/* Writes to out the directory named by the environment variable env when
 * set, else rel (e.g. "schema") found one or two levels above the
 * executable's directory (bin/ or build-san/bin/ in the repository), else
 * ../share/fibertrack/installed beside it (the package's /usr/sbin and
 * /usr/share/fibertrack), else rel itself (relative to the working
 * directory). */
void path_beside_exe(const char *env, const char *rel, const char *installed, char *out,
                     size_t size);

/* mkdir -p: creates path and its missing parents with mode 0700 (they
 * hold the database and secrets). Returns 0, or -1 with errno set. */
int path_mkdir_p(const char *path);

#endif
