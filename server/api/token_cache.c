/* token_cache.c — a small direct-mapped table per thread: the token hashes
 * are uniformly random, so their first bytes pick the slot, and no lock is
 * needed. A global generation counter invalidates every thread's table at
 * once. */
#include "api/token_cache.h"

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "util/clock.h"

#define SLOTS 256 /* per thread: a worker serves far fewer tokens per second */

struct slot {
    unsigned char hash[TOKEN_HASH_LEN];
    unsigned long gen;
    double until; /* monotonic seconds; 0: empty */
    struct user user;
};

static atomic_ulong generation = 1;
static _Thread_local struct slot slots[SLOTS];

static struct slot *slot_of(const unsigned char hash[TOKEN_HASH_LEN])
{
    uint32_t i;
    memcpy(&i, hash, sizeof(i));
    return &slots[i % SLOTS];
}

unsigned long token_cache_generation(void)
{
    return atomic_load_explicit(&generation, memory_order_acquire);
}

int token_cache_get(const unsigned char hash[TOKEN_HASH_LEN], struct user *u)
{
    struct slot *s = slot_of(hash);
    if (s->until == 0 || memcmp(s->hash, hash, TOKEN_HASH_LEN) != 0)
        return 0;
    if (s->gen != token_cache_generation() || clock_mono() >= s->until) {
        s->until = 0;
        return 0;
    }
    *u = s->user;
    return 1;
}

void token_cache_put(const unsigned char hash[TOKEN_HASH_LEN], const struct user *u,
                     unsigned long gen, double expires_in)
{
    struct slot *s = slot_of(hash);
    double ttl = TOKEN_CACHE_TTL;
    if (expires_in >= 0 && expires_in < ttl)
        ttl = expires_in;
    if (ttl <= 0)
        return;
    memcpy(s->hash, hash, TOKEN_HASH_LEN);
    s->gen = gen;
    s->user = *u;
    s->until = clock_mono() + ttl;
}

void token_cache_forget_all(void)
{
    atomic_fetch_add_explicit(&generation, 1, memory_order_acq_rel);
}

static void forget_hook(struct req *r, void *arg)
{
    (void)r;
    (void)arg;
    token_cache_forget_all();
}

void token_cache_forget_on_commit(struct req *r) { req_on_commit(r, forget_hook, NULL); }
