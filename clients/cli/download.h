/* download.h — a file from the server onto the disk, safely.
 *
 * The bytes go to a temporary file next to the target, which is renamed
 * to its name only when complete, so an interrupted transfer never leaves
 * half a file under the real name. A name the server gives is used only as
 * a plain file name in the current directory, never as a path.
 */
#ifndef FT_CLI_DOWNLOAD_H
#define FT_CLI_DOWNLOAD_H

#include <stddef.h>

#include "api.h"

struct download {
    const char *path;     /* under /api/v1 */
    const char *out_path; /* "-": stdout; NULL: the name the server gives, else fallback */
    const char *fallback; /* the name when the server gives none */
    const char *label;    /* of the progress bar on a terminal */
    const char *what;     /* for messages: "downloading the costs report" */
    int binary;           /* refuse to write it to a terminal */
    int no_clobber;       /* never replace an existing file (no --force) */
    int strict_name;      /* a server name that cannot be used is an error, not the fallback */
    int verify_sha256;    /* the ETag is the SHA-256 of the bytes: check them */
};

/* Downloads as d says. Returns an exit code. */
int download_file(struct api *a, const struct download *d);

/* The file name in a Content-Disposition value (filename*=UTF-8''… before
 * filename=…), as a plain name: any directory part is cut off. Returns 0
 * with the name in out (size n), -1 when there is none, -2 when it cannot
 * be used as a file name here (empty, ".", "..", hidden, control
 * characters), with the name as given in out. */
int disposition_name(const char *cd, char *out, size_t n);

#endif
