/* request.c — accessors of the request context. */
#include "http/request.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util/pool.h"

const char *req_query(const struct req *r, const char *key)
{
    for (size_t i = 0; i < r->nquery; i++)
        if (strcmp(r->query[i].key, key) == 0)
            return r->query[i].value;
    return NULL;
}

int req_media_is(const struct req *r, const char *type)
{
    const char *ct = r->content_type;
    if (!ct)
        return 0;
    size_t n = strcspn(ct, ";");
    while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
        n--;
    return n == strlen(type) && strncasecmp(ct, type, n) == 0;
}

const char *req_param(const struct req *r, int i)
{
    return i < r->match.nparams ? r->match.params[i] : NULL;
}

long long req_body_read(const struct req *r, void *buf, size_t n, unsigned long long off)
{
    if (off >= r->body_len)
        return 0;
    if (n > r->body_len - off)
        n = (size_t)(r->body_len - off);
    if (r->body) {
        memcpy(buf, r->body + off, n);
        return (long long)n;
    }
    for (;;) {
        ssize_t got = pread(r->body_fd, buf, n, (off_t)off);
        if (got < 0 && errno == EINTR)
            continue;
        return got;
    }
}

int req_body_sha256(struct req *r, unsigned char out[32])
{
    if (!r->body_sha256_done) {
        crypto_hash_sha256_state st;
        crypto_hash_sha256_init(&st);
        if (r->body) {
            crypto_hash_sha256_update(&st, (const unsigned char *)r->body, r->body_len);
        } else {
            unsigned char buf[64 * 1024];
            unsigned long long off = 0;
            while (off < r->body_len) {
                long long got = req_body_read(r, buf, sizeof(buf), off);
                if (got <= 0)
                    return -1;
                crypto_hash_sha256_update(&st, buf, (unsigned long long)got);
                off += (unsigned long long)got;
            }
        }
        crypto_hash_sha256_final(&st, r->body_sha256);
        r->body_sha256_done = 1;
    }
    memcpy(out, r->body_sha256, 32);
    return 0;
}

void req_add_header(struct req *r, const char *key, const char *value)
{
    if (r->nresp_headers >= REQ_MAX_HEADERS)
        return;
    r->resp_headers[r->nresp_headers].key = pool_strdup(r->pool, key);
    r->resp_headers[r->nresp_headers].value = pool_strdup(r->pool, value);
    r->nresp_headers++;
}

void req_set_header(struct req *r, const char *key, const char *value)
{
    for (int i = 0; i < r->nresp_headers; i++)
        if (strcasecmp(r->resp_headers[i].key, key) == 0) {
            r->resp_headers[i].value = pool_strdup(r->pool, value);
            return;
        }
    req_add_header(r, key, value);
}

static void add_hook(struct req *r, void (*fn)(struct req *, void *), void *arg, int on_commit)
{
    struct req_hook *h = pool_alloc(r->pool, sizeof(*h));
    h->fn = fn;
    h->arg = arg;
    h->on_commit = on_commit;
    h->next = r->hooks;
    r->hooks = h;
}

void req_on_commit(struct req *r, void (*fn)(struct req *, void *), void *arg)
{
    add_hook(r, fn, arg, 1);
}

void req_on_rollback(struct req *r, void (*fn)(struct req *, void *), void *arg)
{
    add_hook(r, fn, arg, 0);
}

void req_run_hooks(struct req *r, int committed)
{
    /* Taken off first: a hook that registers another does not run it now. */
    struct req_hook *h = r->hooks;
    r->hooks = NULL;
    for (; h; h = h->next)
        if (h->on_commit == (committed != 0))
            h->fn(r, h->arg);
}

static const struct {
    unsigned bit;
    const char *name;
} roles[] = {
    {ROLE_ADMIN, "admin"},
    {ROLE_MANAGER, "manager"},
    {ROLE_FINANCE, "finance"},
    {ROLE_CONTRACTOR, "contractor"},
};

const char *role_name(unsigned role)
{
    for (size_t i = 0; i < 4; i++)
        if (roles[i].bit == role)
            return roles[i].name;
    return "none";
}

unsigned role_parse(const char *name)
{
    for (size_t i = 0; i < 4; i++)
        if (strcmp(roles[i].name, name) == 0)
            return roles[i].bit;
    return 0;
}
