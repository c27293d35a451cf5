/* io.h — writing to files whatever the kernel takes per call. */
#ifndef FT_IO_H
#define FT_IO_H

#include <stddef.h>

/* Writes all n bytes of p to fd, again after a short write or EINTR.
 * Returns 0, or -1 with errno set. */
int io_write_all(int fd, const void *p, size_t n);

#endif
