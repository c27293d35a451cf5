/* wire.c — fuzzes the HTTP/1.1 framing of every connection (server/http/
 * wire.c): request lines, headers, Content-Length and chunked bodies,
 * pipelined messages.
 *
 * Input: the bytes a client sends. The first byte picks how they are cut
 * into reads (1 to 256 bytes each), because a parser that is right for one
 * read can be wrong where a read ends. Invariants: consumption never runs
 * past what was fed, a finished head has a method and target, the body
 * handed out never exceeds a declared Content-Length, and a refusal always
 * has a 4xx status (or 503 for memory). */
#include "fuzz.h"

#include "http/wire.h"

struct seen {
    long long declared;
    size_t body;
    int heads;
};

static int on_head(void *ctx, const struct wire_head *h)
{
    struct seen *s = ctx;
    FUZZ_ASSERT(h->method && *h->method);
    FUZZ_ASSERT(h->target && *h->target);
    FUZZ_ASSERT(h->http_major == 1 && h->http_minor <= 1);
    FUZZ_ASSERT(!(h->chunked && h->content_length >= 0));
    for (size_t i = 0; i < h->nheaders; i++)
        FUZZ_ASSERT(h->headers[i].name && h->headers[i].value);
    s->declared = h->content_length;
    s->body = 0;
    s->heads++;
    return 0;
}

static int on_body(void *ctx, const char *at, size_t n)
{
    struct seen *s = ctx;
    FUZZ_ASSERT(at != NULL && n > 0);
    s->body += n;
    if (s->declared >= 0)
        FUZZ_ASSERT(s->body <= (size_t)s->declared);
    return 0;
}

static const struct wire_hooks hooks = {on_head, on_body};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t step = (size_t)data[0] + 1;
    data++;
    size--;
    struct seen s = {.declared = -1};
    struct wire *w = wire_new(16 * 1024, &hooks, &s);
    if (!w)
        return 0;
    size_t off = 0;
    while (off < size) {
        size_t n = size - off < step ? size - off : step;
        enum wire_state st;
        size_t used = wire_feed(w, (const char *)data + off, n, &st);
        FUZZ_ASSERT(used <= n);
        off += used;
        if (st == WIRE_ERROR) {
            const char *detail = NULL;
            int status = wire_error(w, &detail);
            FUZZ_ASSERT((status >= 400 && status < 500) || status == 503);
            break;
        }
        if (st == WIRE_MESSAGE) {
            FUZZ_ASSERT(s.declared < 0 || s.body == (size_t)s.declared);
            wire_next(w);
        } else if (used == 0) {
            break;
        }
    }
    wire_free(w);
    return 0;
}
