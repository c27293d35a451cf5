/* Unit tests for file replies (server/http/reply.h): a temporary file goes
 * when the reply is replaced or cleared, a stored one stays. */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "http/reply.h"
#include "util/pool.h"

static char *temp_file(struct pool *p)
{
    char *path = pool_printf(p, "%s/ft-reply-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    int fd = mkstemp(path);
    ASSERT(fd >= 0);
    close(fd);
    return path;
}

TEST(a_temporary_file_reply_is_removed_when_an_error_replaces_it)
{
    struct req r = {0};
    r.pool = pool_new();
    char *path = temp_file(r.pool);
    ASSERT_EQ_INT(reply_file(&r, 200, "text/plain", path, 0), 200);
    ASSERT_EQ_INT(reply_problem(&r, 503, "the database went away"), 503);
    ASSERT(r.resp_file == NULL);
    ASSERT_EQ_INT(access(path, F_OK), -1);
    pool_free(r.pool);
}

TEST(a_temporary_file_reply_is_removed_when_the_reply_is_cleared)
{
    struct req r = {0};
    r.pool = pool_new();
    char *path = temp_file(r.pool);
    reply_file(&r, 200, "text/plain", path, 0);
    reply_clear(&r);
    ASSERT(r.resp_file == NULL && r.status == 0);
    ASSERT_EQ_INT(access(path, F_OK), -1);
    pool_free(r.pool);
}

TEST(a_stored_file_reply_stays)
{
    struct req r = {0};
    r.pool = pool_new();
    char *path = temp_file(r.pool);
    reply_file(&r, 200, "image/jpeg", path, 1);
    reply_problem(&r, 503, "try again");
    ASSERT_EQ_INT(access(path, F_OK), 0);
    unlink(path);
    pool_free(r.pool);
}
