/* Unit tests for server/util/bigarray.h: a mapped array that grows. */
#include "test.h"

#include "util/bigarray.h"

TEST(bigarray_keeps_its_elements_as_it_grows)
{
    struct bigarray a;
    bigarray_init(&a, sizeof(long long));
    /* Past several doublings from the first 4096 elements. */
    for (long long i = 0; i < 100000; i++) {
        long long *e = bigarray_push(&a);
        ASSERT_NOT_NULL(e);
        ASSERT_EQ_INT(*e, 0);
        *e = i * 3;
    }
    ASSERT_EQ_UINT(a.n, 100000);
    ASSERT_TRUE(a.cap >= a.n);
    const long long *v = a.data;
    for (long long i = 0; i < 100000; i++)
        ASSERT_EQ_INT(v[i], i * 3);
    bigarray_free(&a);
    ASSERT_NULL(a.data);
    ASSERT_EQ_UINT(a.n, 0);
}

TEST(bigarray_reserve_makes_room_without_elements)
{
    struct bigarray a;
    bigarray_init(&a, 32);
    ASSERT_EQ_INT(bigarray_reserve(&a, 10), 0);
    ASSERT_EQ_UINT(a.n, 0);
    ASSERT_TRUE(a.cap >= 10);
    ASSERT_EQ_INT(bigarray_reserve(&a, (size_t)-1), -1);
    bigarray_free(&a);
}
