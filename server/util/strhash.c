/* strhash.c — SipHash (libsodium's crypto_shorthash) under a key drawn
 * once per process. */
#include "util/strhash.h"

#include <pthread.h>
#include <sodium.h>

static unsigned char key[crypto_shorthash_KEYBYTES];
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void key_init(void)
{
    /* sodium_init is idempotent and thread-safe; the server calls it at
     * start, tests and tools may not have. */
    if (sodium_init() < 0)
        return; /* randombytes_buf below still works on Linux. */
    randombytes_buf(key, sizeof(key));
}

uint64_t strhash(const char *s, size_t len)
{
    pthread_once(&key_once, key_init);
    unsigned char out[crypto_shorthash_BYTES];
    crypto_shorthash(out, (const unsigned char *)s, len, key);
    uint64_t h = 0;
    for (size_t i = 0; i < sizeof(out); i++)
        h = (h << 8) | out[i];
    return h;
}
