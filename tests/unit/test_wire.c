/* Unit tests for server/http/wire.h (request framing) and
 * server/http/target.h (paths and query strings). */
#include "test.h"

#include <stdio.h>
#include <string.h>

#include "http/target.h"
#include "http/wire.h"
#include "util/pool.h"

struct seen {
    int heads;
    char method[32];
    char target[256];
    long long content_length;
    int chunked, keep_alive, expect;
    char body[4096];
    size_t body_len;
    int refuse_head; /* status the head hook answers */
    size_t body_limit;
};

static int on_head(void *ctx, const struct wire_head *h)
{
    struct seen *s = ctx;
    s->heads++;
    snprintf(s->method, sizeof(s->method), "%s", h->method);
    snprintf(s->target, sizeof(s->target), "%s", h->target);
    s->content_length = h->content_length;
    s->chunked = h->chunked;
    s->keep_alive = h->keep_alive;
    s->expect = h->expect_continue;
    return s->refuse_head;
}

static int on_body(void *ctx, const char *at, size_t n)
{
    struct seen *s = ctx;
    if (s->body_limit && s->body_len + n > s->body_limit)
        return 413;
    if (s->body_len + n < sizeof(s->body)) {
        memcpy(s->body + s->body_len, at, n);
        s->body_len += n;
    }
    return 0;
}

static const struct wire_hooks hooks = {on_head, on_body};

/* Feeds text in one piece (or byte by byte); returns the final state and
 * how many bytes were consumed. */
static enum wire_state feed(struct wire *w, const char *text, int bytewise, size_t *used)
{
    size_t len = strlen(text), off = 0;
    enum wire_state st = WIRE_MORE;
    while (off < len) {
        size_t n = bytewise ? 1 : len - off;
        size_t u = wire_feed(w, text + off, n, &st);
        off += u;
        if (st != WIRE_MORE)
            break;
        if (u == 0)
            break;
    }
    *used = off;
    return st;
}

static int status_of(const char *text, size_t max_head)
{
    struct seen s = {0};
    struct wire *w = wire_new(max_head, &hooks, &s);
    size_t used;
    enum wire_state st = feed(w, text, 0, &used);
    int status = st == WIRE_ERROR ? wire_error(w, NULL) : st == WIRE_MESSAGE ? 200 : 0;
    wire_free(w);
    return status;
}

TEST(wire_reads_a_request_whole_and_bytewise)
{
    const char *req = "POST /api/v1/x?a=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
                      "Content-Type: application/json\r\n\r\nhello";
    for (int bytewise = 0; bytewise < 2; bytewise++) {
        struct seen s = {0};
        struct wire *w = wire_new(16384, &hooks, &s);
        size_t used;
        ASSERT_EQ_INT(feed(w, req, bytewise, &used), WIRE_MESSAGE);
        ASSERT_EQ_UINT(used, strlen(req));
        ASSERT_STREQ(s.method, "POST");
        ASSERT_STREQ(s.target, "/api/v1/x?a=1");
        ASSERT_EQ_INT(s.content_length, 5);
        ASSERT_EQ_INT(s.keep_alive, 1);
        ASSERT_EQ_UINT(s.body_len, 5);
        ASSERT(memcmp(s.body, "hello", 5) == 0);
        const struct wire_head *h = wire_head(w);
        ASSERT_EQ_UINT(h->nheaders, 3);
        ASSERT_STREQ(h->headers[2].name, "Content-Type");
        ASSERT_STREQ(h->headers[2].value, "application/json");
        wire_free(w);
    }
}

TEST(wire_stops_after_each_pipelined_message)
{
    const char *two = "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\nConnection: close\r\n\r\n";
    struct seen s = {0};
    struct wire *w = wire_new(16384, &hooks, &s);
    enum wire_state st;
    size_t u = wire_feed(w, two, strlen(two), &st);
    ASSERT_EQ_INT(st, WIRE_MESSAGE);
    ASSERT_EQ_UINT(u, strlen("GET /a HTTP/1.1\r\n\r\n"));
    ASSERT_STREQ(s.target, "/a");
    wire_next(w);
    size_t u2 = wire_feed(w, two + u, strlen(two) - u, &st);
    ASSERT_EQ_INT(st, WIRE_MESSAGE);
    ASSERT_EQ_UINT(u + u2, strlen(two));
    ASSERT_STREQ(s.target, "/b");
    ASSERT_EQ_INT(wire_keep_alive(w), 0);
    wire_free(w);
}

TEST(wire_decodes_chunked_bodies_and_refuses_bad_ones)
{
    struct seen s = {0};
    struct wire *w = wire_new(16384, &hooks, &s);
    size_t used;
    ASSERT_EQ_INT(feed(w,
                       "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
                       1, &used),
                  WIRE_MESSAGE);
    ASSERT_EQ_INT(s.chunked, 1);
    ASSERT_EQ_UINT(s.body_len, 5);
    ASSERT(memcmp(s.body, "abcde", 5) == 0);
    wire_free(w);
    ASSERT_EQ_INT(status_of("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 16384),
                  400);
}

TEST(wire_refuses_request_smuggling_shapes)
{
    /* Two Content-Length headers, even equal ones, and Content-Length
     * with chunked encoding: a proxy and this server could disagree on
     * where the body ends. */
    ASSERT_EQ_INT(
        status_of("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 16384),
        400);
    ASSERT_EQ_INT(
        status_of("POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab", 16384),
        400);
    ASSERT_EQ_INT(status_of("POST / HTTP/1.1\r\nContent-Length: 2\r\nTransfer-Encoding: "
                            "chunked\r\n\r\n0\r\n\r\n",
                            16384),
                  400);
    ASSERT_EQ_INT(status_of("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 16384), 400);
}

TEST(wire_limits_the_head)
{
    char big[4000];
    snprintf(big, sizeof(big), "GET / HTTP/1.1\r\nX-Big: %03000d\r\n\r\n", 0);
    ASSERT_EQ_INT(status_of(big, 1024), 431);
    ASSERT_EQ_INT(status_of(big, 16384), 200);
    char many[8192] = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < WIRE_MAX_HEADERS + 1; i++)
        snprintf(many + strlen(many), sizeof(many) - strlen(many), "X-%d: a\r\n", i);
    strcat(many, "\r\n");
    ASSERT_EQ_INT(status_of(many, 16384), 431);
}

TEST(wire_refuses_control_characters_in_header_values)
{
    char req[64] = "GET / HTTP/1.1\r\nX-A: a\x01"
                   "b\r\n\r\n";
    ASSERT_EQ_INT(status_of(req, 16384), 400);
    ASSERT_EQ_INT(status_of("GET / HTTP/1.1\r\nX-A: a\tb\r\n\r\n", 16384), 200);
    ASSERT_EQ_INT(status_of("GET / HTTP/1.1\r\nX A: b\r\n\r\n", 16384), 400);
}

TEST(wire_tells_unknown_methods_from_garbage)
{
    struct seen s = {0};
    struct wire *w = wire_new(16384, &hooks, &s);
    size_t used;
    ASSERT_EQ_INT(feed(w, "FOO /api/v1/segments HTTP/1.1\r\nHost: x\r\n\r\n", 1, &used),
                  WIRE_ERROR);
    ASSERT_EQ_INT(wire_error(w, NULL), 405);
    ASSERT_STREQ(wire_head(w)->method, "FOO");
    ASSERT_STREQ(wire_head(w)->target, "/api/v1/segments");
    wire_free(w);
    ASSERT_EQ_INT(status_of("get / HTTP/1.1\r\n\r\n", 16384), 405);
    ASSERT_EQ_INT(status_of("\x01\x02 garbage\r\n\r\n", 16384), 400);
    ASSERT_EQ_INT(status_of("GET /\r\n\r\n", 16384), 400); /* HTTP/0.9 */
    ASSERT_EQ_INT(status_of("GET / HTTP/2.0\r\n\r\n", 16384), 400);
    ASSERT_EQ_INT(status_of("GET / HTTX/1.1\r\n\r\n", 16384), 400);
    ASSERT_EQ_INT(
        status_of("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 16384), 400);
    ASSERT_EQ_INT(status_of("\x16\x03\x01\x02\x00\x01", 16384), 400); /* TLS, no line end */
}

TEST(wire_passes_refusals_of_the_hooks_through)
{
    struct seen s = {.refuse_head = 413};
    struct wire *w = wire_new(16384, &hooks, &s);
    size_t used;
    ASSERT_EQ_INT(feed(w, "POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\n", 0, &used), WIRE_ERROR);
    ASSERT_EQ_INT(wire_error(w, NULL), 413);
    wire_free(w);

    struct seen t = {.body_limit = 4};
    w = wire_new(16384, &hooks, &t);
    ASSERT_EQ_INT(feed(w,
                       "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n",
                       0, &used),
                  WIRE_ERROR);
    ASSERT_EQ_INT(wire_error(w, NULL), 413);
    wire_free(w);
}

TEST(wire_reads_expect_continue_and_http10_keep_alive)
{
    struct seen s = {0};
    struct wire *w = wire_new(16384, &hooks, &s);
    size_t used;
    feed(w, "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx", 0, &used);
    ASSERT_EQ_INT(s.expect, 1);
    wire_free(w);
    ASSERT_EQ_INT(status_of("POST / HTTP/1.1\r\nExpect: something\r\n\r\n", 16384), 417);
    struct seen t = {0};
    w = wire_new(16384, &hooks, &t);
    feed(w, "GET / HTTP/1.0\r\n\r\n", 0, &used);
    ASSERT_EQ_INT(t.keep_alive, 0);
    wire_free(w);
}

TEST(target_decodes_path_and_query)
{
    struct pool *p = pool_new();
    struct target t;
    const char *err = NULL;
    ASSERT_EQ_INT(target_parse("/api/v1/segments%2Fx?q=a+b&status=planned&empty=", p, &t, &err), 0);
    ASSERT_STREQ(t.path, "/api/v1/segments/x");
    ASSERT_EQ_UINT(t.nquery, 3);
    ASSERT_STREQ(t.query[0].key, "q");
    ASSERT_STREQ(t.query[0].value, "a b");
    ASSERT_STREQ(t.query[2].value, "");
    ASSERT_EQ_INT(target_parse("http://example.org:8080/healthz?x=1", p, &t, &err), 0);
    ASSERT_STREQ(t.path, "/healthz");
    ASSERT_EQ_UINT(t.nquery, 1);
    pool_free(p);
}

TEST(target_refuses_nul_and_malformed_escapes)
{
    struct pool *p = pool_new();
    struct target t;
    const char *err = NULL;
    ASSERT_EQ_INT(target_parse("/api/v1/milestones/1%00", p, &t, &err), -1);
    ASSERT_EQ_INT(target_parse("/app.js%00.html", p, &t, &err), -1);
    ASSERT_EQ_INT(target_parse("/a?x=1%00", p, &t, &err), -1);
    ASSERT_EQ_INT(target_parse("/a?x%00=1", p, &t, &err), -1);
    ASSERT_EQ_INT(target_parse("/a%0a", p, &t, &err), -1);
    ASSERT_EQ_INT(target_parse("/a%zz", p, &t, &err), -1);
    ASSERT_EQ_INT(target_parse("/a%4", p, &t, &err), -1);
    ASSERT_EQ_INT(target_parse("/a?novalue", p, &t, &err), -1);
    ASSERT_EQ_INT(target_parse("/a?=1", p, &t, &err), -1);
    ASSERT_EQ_INT(target_parse("*", p, &t, &err), -1);
    ASSERT_EQ_INT(target_parse("http://host", p, &t, &err), -1);
    ASSERT(err != NULL);
    char longpath[2048] = "/";
    memset(longpath + 1, 'a', 600);
    ASSERT_EQ_INT(target_parse(longpath, p, &t, &err), -1);
    pool_free(p);
}
