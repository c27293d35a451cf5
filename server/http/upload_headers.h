/* upload_headers.h — the headers of file transfers: the file name an
 * upload gives in Content-Disposition, and the byte range a download asks
 * for in Range. Both read bytes a client chose; both are fuzzed. */
#ifndef FT_UPLOAD_HEADERS_H
#define FT_UPLOAD_HEADERS_H

#include <stddef.h>

#define FILE_NAME_MAX 255 /* bytes of UTF-8 */

/* The file name of `attachment; filename="a.jpg"; filename*=UTF-8''%C3%A4.jpg`
 * (filename* wins): only its last path component, without control
 * characters, cut to FILE_NAME_MAX bytes at a character boundary, valid
 * UTF-8. Returns 1 with the name in out (size > FILE_NAME_MAX), or 0 when
 * the header gives no usable name. */
int disposition_file_name(const char *header, char *out, size_t size);

/* A Range header against a file of size bytes. Only a single range of
 * bytes is honoured (RFC 9110 14.2 lets a server ignore the rest). */
enum range_result {
    RANGE_NONE,          /* no usable Range: send the whole file */
    RANGE_PART,          /* send *len bytes from *off (206) */
    RANGE_UNSATISFIABLE, /* 416 */
};
enum range_result range_parse(const char *header, unsigned long long size, unsigned long long *off,
                              unsigned long long *len);

#endif
