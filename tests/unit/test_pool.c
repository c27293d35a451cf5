/* Unit tests for server/util/pool.h and server/util/sbuf.h. */
#include "test.h"

#include <fcntl.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/pool.h"
#include "util/sbuf.h"

static int all_zero(const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        if (c[i])
            return 0;
    return 1;
}

TEST(pool_alloc_zeroed_and_aligned)
{
    struct pool *p = pool_new();
    ASSERT_NOT_NULL(p);
    for (size_t n = 1; n < 200; n += 7) {
        unsigned char *m = pool_alloc(p, n);
        ASSERT_NOT_NULL(m);
        ASSERT_EQ_UINT((uintptr_t)m % alignof(max_align_t), 0);
        ASSERT_TRUE(all_zero(m, n));
        memset(m, 0xab, n);
    }
    pool_free(p);
}

TEST(pool_allocations_do_not_overlap)
{
    struct pool *p = pool_new();
    ASSERT_NOT_NULL(p);
    enum { N = 3000 };
    static unsigned char *blocks[N];
    /* enough to span many 8 KiB chunks */
    for (int i = 0; i < N; i++) {
        size_t n = 1 + (size_t)(i % 97);
        blocks[i] = pool_alloc(p, n);
        memset(blocks[i], i & 0xff, n);
    }
    for (int i = 0; i < N; i++) {
        size_t n = 1 + (size_t)(i % 97);
        for (size_t k = 0; k < n; k++)
            if (blocks[i][k] != (unsigned char)(i & 0xff))
                FAIL("block %d byte %zu was overwritten", i, k);
    }
    pool_free(p);
}

TEST(pool_big_blocks)
{
    struct pool *p = pool_new();
    ASSERT_NOT_NULL(p);
    /* a block bigger than a chunk as the very first allocation */
    size_t big = 100000;
    unsigned char *b1 = pool_alloc(p, big);
    ASSERT_NOT_NULL(b1);
    ASSERT_TRUE(all_zero(b1, big));
    memset(b1, 1, big);
    /* and one after small ones */
    unsigned char *s0 = pool_alloc(p, 16);
    unsigned char *s1 = pool_alloc(p, 16);
    memset(s1, 2, 16);
    ptrdiff_t stride = s1 - s0; /* 16 rounded up to the pool's alignment */
    ASSERT_GE_INT(stride, 16);
    ASSERT_LE_INT(stride, 64);
    unsigned char *b2 = pool_alloc(p, 3 * big);
    ASSERT_NOT_NULL(b2);
    ASSERT_TRUE(all_zero(b2, 3 * big));
    memset(b2, 3, 3 * big);
    unsigned char *s2 = pool_alloc(p, 16);
    ASSERT_TRUE(all_zero(s2, 16));
    memset(s2, 4, 16);
    /* the big block went behind the current chunk: small allocations
     * continue where they left off */
    ASSERT(s2 == s1 + stride);
    for (size_t i = 0; i < big; i++)
        if (b1[i] != 1)
            FAIL("b1[%zu] overwritten", i);
    for (size_t i = 0; i < 3 * big; i++)
        if (b2[i] != 3)
            FAIL("b2[%zu] overwritten", i);
    ASSERT_EQ_INT(s1[15], 2);
    pool_free(p);
}

TEST(pool_exact_chunk_size_block)
{
    struct pool *p = pool_new();
    ASSERT_NOT_NULL(p);
    unsigned char *a = pool_alloc(p, 8192);
    memset(a, 7, 8192);
    unsigned char *b = pool_alloc(p, 8192);
    memset(b, 8, 8192);
    ASSERT_EQ_INT(a[8191], 7);
    ASSERT_EQ_INT(b[0], 8);
    pool_free(p);
}

TEST(pool_strings)
{
    struct pool *p = pool_new();
    ASSERT_NOT_NULL(p);
    const char *src = "fibertrack";
    char *d = pool_strdup(p, src);
    ASSERT_STREQ(d, "fibertrack");
    ASSERT(d != src);
    ASSERT_NULL(pool_strdup(p, NULL));
    char *n = pool_strndup(p, "abcdef", 3);
    ASSERT_STREQ(n, "abc");
    char *e = pool_strndup(p, "abc", 0);
    ASSERT_STREQ(e, "");
    char *f = pool_printf(p, "%s-%d-%05.1f", "seg", 42, 3.14159);
    ASSERT_STREQ(f, "seg-42-003.1");
    char longs[20000];
    memset(longs, 'q', sizeof longs - 1);
    longs[sizeof longs - 1] = '\0';
    char *g = pool_printf(p, "<%s>", longs);
    ASSERT_EQ_UINT(strlen(g), sizeof longs + 1);
    ASSERT_EQ_INT(g[0], '<');
    ASSERT_EQ_INT(g[sizeof longs], '>');
    pool_free(p);
}

static int order[8];
static int norder;
static void record(void *arg) { order[norder++] = *(int *)arg; }

TEST(pool_cleanups_run_newest_first)
{
    static int ids[4] = {1, 2, 3, 4};
    struct pool *p = pool_new();
    ASSERT_NOT_NULL(p);
    norder = 0;
    for (int i = 0; i < 4; i++) {
        pool_on_free(p, record, &ids[i]);
        pool_alloc(p, 5000); /* cleanups interleaved with allocations across chunks */
    }
    ASSERT_EQ_INT(norder, 0); /* nothing runs before the free */
    pool_free(p);
    ASSERT_EQ_INT(norder, 4);
    ASSERT_EQ_INT(order[0], 4);
    ASSERT_EQ_INT(order[1], 3);
    ASSERT_EQ_INT(order[2], 2);
    ASSERT_EQ_INT(order[3], 1);
}

TEST(pool_cleanup_frees_heap_memory)
{
    /* under LeakSanitizer a cleanup that did not run would leak */
    struct pool *p = pool_new();
    ASSERT_NOT_NULL(p);
    char *heap = malloc(64);
    ASSERT_NOT_NULL(heap);
    pool_on_free(p, free, heap);
    norder = 0;
    static int id = 9;
    pool_on_free(p, record, &id);
    pool_free(p);
    ASSERT_EQ_INT(norder, 1);
    ASSERT_EQ_INT(order[0], 9);
}

TEST(pool_free_null_is_harmless)
{
    pool_free(NULL);
    struct pool *p = pool_new();
    ASSERT_NOT_NULL(p);
    pool_free(p); /* an empty pool */
}

/* Runs pool_alloc(n) in a child; returns 1 if the child aborted (or died
 * under a sanitizer) instead of returning. */
static int alloc_aborts(size_t n)
{
    pid_t pid = fork();
    if (pid < 0)
        FAIL("fork failed");
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0)
            dup2(devnull, 2);
        struct pool *p = pool_new();
        void *m = pool_alloc(p, n);
        _exit(m ? 0 : 3);
    }
    int st;
    if (waitpid(pid, &st, 0) < 0)
        FAIL("waitpid failed");
    return !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

TEST(pool_alloc_impossible_size_aborts)
{
    /* no rounding overflow: malloc fails and pool_alloc aborts */
    ASSERT_TRUE(alloc_aborts(SIZE_MAX / 2));
}

/* pool.h: "aborts on out-of-memory". Rounding n up to the alignment wraps
 * around for n close to SIZE_MAX, so pool_alloc returns a block of 0 bytes
 * instead; pool_strndup(p, s, SIZE_MAX) likewise asks for n + 1 == 0. */
TEST(pool_alloc_size_overflow_aborts)
{
    EXPECT_TRUE(alloc_aborts(SIZE_MAX - 8));
    EXPECT_TRUE(alloc_aborts(SIZE_MAX));
}

/* ---- sbuf ---- */

TEST(sbuf_starts_empty)
{
    struct pool *p = pool_new();
    ASSERT_NOT_NULL(p);
    struct sbuf b;
    sbuf_init(&b, p);
    ASSERT_NOT_NULL(b.s);
    ASSERT_EQ_UINT(b.len, 0);
    ASSERT_STREQ(b.s, "");
    ASSERT(b.pool == p);
    pool_free(p);
}

TEST(sbuf_appends)
{
    struct pool *p = pool_new();
    ASSERT_NOT_NULL(p);
    struct sbuf b;
    sbuf_init(&b, p);
    sbuf_add(&b, "SELECT ");
    sbuf_add(&b, "");
    sbuf_addn(&b, "t.id, t.name XXX", 12);
    sbuf_add(&b, " FROM t");
    ASSERT_STREQ(b.s, "SELECT t.id, t.name FROM t");
    ASSERT_EQ_UINT(b.len, strlen("SELECT t.id, t.name FROM t"));
    pool_free(p);
}

TEST(sbuf_grows_and_keeps_content)
{
    struct pool *p = pool_new();
    ASSERT_NOT_NULL(p);
    struct sbuf b;
    sbuf_init(&b, p);
    size_t cap0 = b.cap;
    ASSERT_GT_INT(cap0, 1);
    /* cap0 - 1 characters still fit with the NUL */
    for (size_t i = 0; i < cap0 - 1; i++) {
        char c = (char)('a' + i % 26);
        sbuf_addn(&b, &c, 1);
    }
    ASSERT_EQ_UINT(b.cap, cap0);
    ASSERT_EQ_UINT(b.len, cap0 - 1);
    sbuf_add(&b, "!");
    ASSERT_GT_INT(b.cap, cap0);
    ASSERT_EQ_UINT(b.len, cap0);
    ASSERT_EQ_INT(b.s[cap0 - 1], '!');
    ASSERT_EQ_INT(b.s[cap0], '\0');
    for (size_t i = 0; i < cap0 - 1; i++)
        if (b.s[i] != (char)('a' + i % 26))
            FAIL("byte %zu lost when growing", i);
    /* one big append */
    static char big[50000];
    memset(big, 'z', sizeof big - 1);
    sbuf_add(&b, big);
    ASSERT_EQ_UINT(b.len, cap0 + sizeof big - 1);
    ASSERT_EQ_UINT(strlen(b.s), b.len);
    ASSERT_GE_INT(b.cap, b.len + 1);
    ASSERT_EQ_INT(b.s[cap0 - 1], '!');
    ASSERT_EQ_INT(b.s[b.len - 1], 'z');
    pool_free(p);
}
