/* paths.h — finding the files that ship beside the binary. */
#ifndef FT_PATHS_H
#define FT_PATHS_H

#include <stddef.h>

/* Writes to out the directory named by the environment variable env when
 * set, else rel (e.g. "schema") found one or two levels above the
 * executable's directory (bin/ or build-san/bin/ in the repository), else
 * rel itself (relative to the working directory). */
void path_beside_exe(const char *env, const char *rel, char *out, size_t size);

#endif
