/* Unit tests for server/util/idmap.h and util/strhash.h. */
#include "test.h"

#include <stdio.h>
#include <string.h>

#include "util/idmap.h"
#include "util/strhash.h"

TEST(idmap_put_get_and_grow)
{
    struct idmap *m = idmap_new(1);
    ASSERT_NOT_NULL(m);
    char key[32];
    int bad = 0;
    for (int i = 1; i <= 50000; i++) {
        snprintf(key, sizeof key, "S-%06d", i);
        if (idmap_put(m, key, i) < 0)
            bad++;
    }
    for (int i = 1; i <= 50000; i++) {
        snprintf(key, sizeof key, "S-%06d", i);
        if (idmap_get(m, key) != i)
            bad++;
    }
    long long missing = idmap_get(m, "S-000000");
    ASSERT_EQ_INT(idmap_put(m, "S-000001", 7), 0); /* a second put replaces */
    long long replaced = idmap_get(m, "S-000001");
    idmap_free(m);
    ASSERT_EQ_INT(bad, 0);
    ASSERT_EQ_INT(missing, 0);
    ASSERT_EQ_INT(replaced, 7);
}

TEST(strhash_depends_on_all_bytes)
{
    ASSERT_EQ_UINT(strhash("abc", 3), strhash("abc", 3));
    ASSERT_NE_UINT(strhash("abc", 3), strhash("abd", 3));
    ASSERT_NE_UINT(strhash("abc", 3), strhash("abc", 2));
    ASSERT_NE_UINT(strhash("", 0), strhash("a", 1));
}
