/* zip_level.c — a faster deflate level for the large workbooks.
 *
 * libxlsxwriter 1.1.4 zips every part of a workbook at zlib's default
 * level (6) and has no option for it; for progress.xlsx of 100,000
 * segments that was a third of the CPU time of writing it. Level 2 deflates
 * the same XML in under a third of the time for a file about a fifth
 * larger, and the workbook's content is the same. So the process provides
 * zlib's deflateInit2_ itself: on a thread inside xs_zip_fast, a request
 * for the default level gets XS_ZIP_LEVEL; every other caller (and every
 * other thread: images, archives) gets exactly what it asked for. */
#include "reports/xlsx_sheet.h"

#include <dlfcn.h>
#include <pthread.h>
#include <zlib.h>

#define XS_ZIP_LEVEL 2

typedef int (*deflate_init2_fn)(z_streamp, int, int, int, int, int, const char *, int);

static _Thread_local int zip_fast;
static deflate_init2_fn real_init;
static pthread_once_t real_once = PTHREAD_ONCE_INIT;

static void find_real(void)
{
    /* The next definition after this executable's: zlib's. */
    real_init = (deflate_init2_fn)dlsym(RTLD_NEXT, "deflateInit2_");
}

int deflateInit2_(z_streamp strm, int level, int method, int windowBits, int memLevel, int strategy,
                  const char *version, int stream_size)
{
    pthread_once(&real_once, find_real);
    if (!real_init)
        return Z_STREAM_ERROR;
    if (zip_fast && level == Z_DEFAULT_COMPRESSION)
        level = XS_ZIP_LEVEL;
    return real_init(strm, level, method, windowBits, memLevel, strategy, version, stream_size);
}

lxw_error xs_workbook_close(lxw_workbook *wb)
{
    zip_fast = 1;
    lxw_error e = workbook_close(wb);
    zip_fast = 0;
    return e;
}
