/* thumbnail.c — previews with libvips: made once, then served from the
 * store. */
#include "media/thumbnail.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vips/vips.h>
/* vips.h leaves out its SIMD switch; vector.h needs what vips.h defines. */
#include <vips/vector.h>

#include "media/blobstore.h"
#include "util/log.h"

/* Images with more pixels than this are not decoded (a small file can
 * claim a huge image). 100 megapixels is more than any phone takes. */
#define MAX_PIXELS (100.0 * 1000 * 1000)

int thumbnail_init(const char *argv0)
{
    if (VIPS_INIT(argv0) != 0)
        return -1;
    vips_concurrency_set(1);
    vips_cache_set_max(0);
    /* No run-time generated SIMD code (liborc): one thumbnail at a time
     * does not need it, and it is code made from data at run time. */
    vips_vector_set_enabled(FALSE);
    /* Loaders libvips marks untrusted (ImageMagick, MATLAB, …) stay off. */
    vips_block_untrusted_set(TRUE);
    return 0;
}

int thumbnail_possible(enum media_kind kind) { return kind == MEDIA_JPEG || kind == MEDIA_PNG; }

static int make(const char *src, const char *dest)
{
    /* The header alone, to check the size before anything is decoded. */
    VipsImage *probe = vips_image_new_from_file(src, "access", VIPS_ACCESS_SEQUENTIAL, NULL);
    if (!probe)
        return -1;
    double pixels = (double)vips_image_get_width(probe) * vips_image_get_height(probe);
    g_object_unref(probe);
    if (pixels > MAX_PIXELS)
        return -1;
    VipsImage *thumb = NULL;
    if (vips_thumbnail(src, &thumb, THUMBNAIL_PX, "height", THUMBNAIL_PX, NULL) != 0)
        return -1;
    int rc = vips_jpegsave(thumb, dest, "Q", 80, "strip", TRUE, NULL);
    g_object_unref(thumb);
    return rc == 0 ? 0 : -2;
}

int thumbnail_get(const char *sha, char *path, size_t size)
{
    blob_thumb_path(sha, path, size);
    if (access(path, R_OK) == 0)
        return 0;
    char src[BLOB_PATH_MAX], dir[BLOB_PATH_MAX], tmp[BLOB_PATH_MAX];
    blob_path(sha, src, sizeof(src));
    snprintf(dir, sizeof(dir), "%s/thumbs/%.2s", blobstore_dir(), sha);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return -2;
    snprintf(tmp, sizeof(tmp), "%s/tmp/th-XXXXXX", blobstore_dir());
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        return -2;
    close(fd);
    int rc = make(src, tmp);
    if (rc != 0) {
        log_msg(LOG_WARN, "no thumbnail for %s: %s", sha, vips_error_buffer());
        vips_error_clear();
        unlink(tmp);
        return rc;
    }
    /* Two requests may make the same thumbnail at once: both rename, and
     * either file is right. */
    if (rename(tmp, path) != 0) {
        unlink(tmp);
        return -2;
    }
    return 0;
}
