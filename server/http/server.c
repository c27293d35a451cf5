/* server.c — the HTTP/1.1 edge: one libevent loop per worker thread, each
 * with its own SO_REUSEPORT listener; connections, limits and replies.
 *
 * Bytes go from each connection's bufferevent through wire.c (framing)
 * rather than through libevent's evhttp. evhttp 2.1 reads a whole body
 * before any of our code runs, with one body limit for the whole server,
 * answers malformed requests with its own HTML pages, and has no hook to
 * cap or evict connections. Here the route is known as soon as the head is
 * complete, so its body limit applies before the body is read (413 at once
 * on Content-Length, or as a chunked body passes the limit), every refusal
 * is problem+json with X-Request-ID, and an idle connection can be closed
 * to admit a new client, as nginx and h2o do at their edge.
 *
 * A connection carries one request at a time. Its states:
 *   IDLE     waiting for a request (idle timeout; may be evicted at the cap)
 *   READING  a request is arriving (request deadline from its first byte)
 *   BUSY     its handler runs; the connection's input waits
 *   WRITING  a large reply drains before the next request is read
 *   CLOSING  the last reply drains, then the connection ends
 *   LINGER   write side shut after a refusal; what the client still sends
 *            is read and dropped for a moment, so that the reply is not
 *            lost to a TCP reset */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http/reply.h"
#include "http/target.h"
#include "http/wire.h"
#include "util/clock.h"
#include "util/io.h"
#include "util/log.h"
#include "util/pool.h"

/* Bodies up to this size are kept in memory; larger ones go to a file in
 * the spool directory, so memory stays bounded whatever clients send. */
#define BODY_IN_MEMORY (64 * 1024)
/* A spooled body is written in blocks of this size. */
#define SPOOL_BUFFER (256 * 1024)
/* A reply larger than this is written out before the next request of the
 * connection is read (a client that pipelines but does not read). */
#define WRITE_HIGH (256 * 1024)
#define LINGER_SECONDS 2
#define ACCEPT_BACKOFF_MS 100
/* The slowest upload rate a large body is given time for (32 KiB/s, a poor
 * mobile link): a 25 MiB photo may take up to 800 s beyond the request
 * timeout. */
#define SLOW_UPLOAD_BYTES_PER_S (32.0 * 1024)

struct loop;

enum conn_state { C_IDLE, C_READING, C_BUSY, C_WRITING, C_CLOSING, C_LINGER };

struct conn {
    struct loop *loop;
    struct bufferevent *bev; /* NULL once the socket is closed */
    struct wire *wire;
    struct event *timer;  /* idle timeout, request deadline or linger */
    struct event *resume; /* reads the next pipelined request from the loop */
    enum conn_state state;
    TAILQ_ENTRY(conn) link; /* in loop->idle (IDLE), loop->dead (dead) or loop->active */
    char peer[INET6_ADDRSTRLEN];

    struct req *req; /* being read, or handled (BUSY) */
    int http_minor;
    int keep_alive; /* another request may follow this one */
    int linger;     /* close through LINGER: input may be unread */
    int eof;        /* the client has sent all it will */
    int dead;       /* the socket is gone while the handler runs */

    /* The body of the request being read. */
    size_t limit;
    size_t len;
    int discard; /* the request is answered already: the body is dropped */
    char *mem;
    size_t cap;
    int spool;      /* file descriptor, or -1 */
    size_t pending; /* bytes in mem not yet written to spool */
    int limited;    /* in the loop's upload rate group */
};

TAILQ_HEAD(conn_list, conn);

/* Per-request state of the http layer. */
struct http_state {
    struct conn *conn;
    struct loop *loop;
    struct req *next; /* completion queue link */
};

struct loop {
    int index;
    pthread_t thread;
    struct event_base *base;
    struct evconnlistener *listener;
    struct event *backoff; /* re-enables accepting after a failure */
    struct event *wake;
    pthread_mutex_t lock;
    struct req *done_head, *done_tail;
    struct conn_list idle;   /* oldest first */
    struct conn_list active; /* every other open connection */
    struct conn_list dead;   /* sockets closed while their handler runs */
    int draining;
    /* The connections reading a large file upload share this loop's part
     * of upload_rate (NULL: no limit). */
    struct bufferevent_rate_limit_group *uploads;
    struct ev_token_bucket_cfg *upload_cfg;
};

static struct {
    struct http_config cfg;
    struct http_app app;
    struct loop *loops;
    int nloops;
    atomic_int in_flight;
    atomic_int connections;
    unsigned long long boot;    /* start time: the first part of generated request ids */
    atomic_llong accept_log_ms; /* when a failed accept was last logged (monotonic ms) */
    atomic_ulong accept_errors; /* failed accepts since then */
    pthread_mutex_t stop_lock;  /* orders http_complete against http_stop */
    int stopped;
} S = {.stop_lock = PTHREAD_MUTEX_INITIALIZER};

static const struct wire_hooks hooks;
static void send_reply(struct req *r);
static void read_input(struct conn *c);

int http_in_flight(void) { return atomic_load(&S.in_flight); }

int http_connections(void) { return atomic_load(&S.connections); }

/* ---- connections ---- */

static void arm(struct conn *c, double seconds)
{
    struct timeval tv = {(time_t)seconds, (suseconds_t)((seconds - (time_t)seconds) * 1e6)};
    event_add(c->timer, &tv);
}

static void body_reset(struct conn *c)
{
    free(c->mem);
    c->mem = NULL;
    c->cap = c->len = c->pending = 0;
    if (c->spool >= 0)
        close(c->spool);
    c->spool = -1;
    c->discard = 0;
    c->limit = 0;
}

/* Closes the socket; the connection object lives on while a handler still
 * owns its request. */
static void close_socket(struct conn *c)
{
    if (!c->bev)
        return;
    bufferevent_free(c->bev);
    c->bev = NULL;
    atomic_fetch_sub(&S.connections, 1);
}

static void conn_destroy(struct conn *c)
{
    if (c->state == C_IDLE)
        TAILQ_REMOVE(&c->loop->idle, c, link);
    else if (c->dead)
        TAILQ_REMOVE(&c->loop->dead, c, link);
    else
        TAILQ_REMOVE(&c->loop->active, c, link);
    close_socket(c);
    if (c->req && c->state != C_BUSY)
        pool_free(c->req->pool);
    body_reset(c);
    wire_free(c->wire);
    event_free(c->timer);
    event_free(c->resume);
    free(c);
}

/* Ends a connection. One whose request is with a handler is only marked:
 * the reply, when it comes, finds the socket gone and frees it. */
static void conn_close(struct conn *c)
{
    if (c->state == C_BUSY) {
        close_socket(c);
        event_del(c->timer);
        TAILQ_REMOVE(&c->loop->active, c, link);
        TAILQ_INSERT_TAIL(&c->loop->dead, c, link);
        c->dead = 1;
        return;
    }
    conn_destroy(c);
}

static void set_state(struct conn *c, enum conn_state s)
{
    if (c->state == C_IDLE && s != C_IDLE) {
        TAILQ_REMOVE(&c->loop->idle, c, link);
        TAILQ_INSERT_TAIL(&c->loop->active, c, link);
    } else if (c->state != C_IDLE && s == C_IDLE) {
        TAILQ_REMOVE(&c->loop->active, c, link);
        TAILQ_INSERT_TAIL(&c->loop->idle, c, link);
    }
    c->state = s;
}

/* Ready for the next request: the idle timeout runs until its first byte. */
static void go_idle(struct conn *c)
{
    set_state(c, C_IDLE);
    c->req = NULL;
    body_reset(c);
    wire_next(c->wire);
    arm(c, S.cfg.idle_timeout);
    bufferevent_enable(c->bev, EV_READ);
    /* Bytes of a pipelined request may be waiting already. */
    if (evbuffer_get_length(bufferevent_get_input(c->bev)))
        event_active(c->resume, EV_READ, 0);
}

static void start_linger(struct conn *c)
{
    set_state(c, C_LINGER);
    shutdown(bufferevent_getfd(c->bev), SHUT_WR);
    evbuffer_drain(bufferevent_get_input(c->bev),
                   evbuffer_get_length(bufferevent_get_input(c->bev)));
    bufferevent_enable(c->bev, EV_READ);
    arm(c, LINGER_SECONDS);
}

static void on_timer(evutil_socket_t fd, short what, void *arg);
static void on_resume(evutil_socket_t fd, short what, void *arg);
static void on_read(struct bufferevent *bev, void *arg);
static void on_write(struct bufferevent *bev, void *arg);
static void on_event(struct bufferevent *bev, short what, void *arg);

static struct conn *conn_new(struct loop *lp, evutil_socket_t fd, const struct sockaddr *sa)
{
    struct conn *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->loop = lp;
    c->spool = -1;
    c->bev = bufferevent_socket_new(lp->base, fd, BEV_OPT_CLOSE_ON_FREE);
    c->wire = wire_new(S.cfg.max_headers, &hooks, c);
    c->timer = evtimer_new(lp->base, on_timer, c);
    c->resume = event_new(lp->base, -1, 0, on_resume, c);
    if (!c->bev || !c->wire || !c->timer || !c->resume) {
        if (c->bev)
            bufferevent_free(c->bev);
        else
            evutil_closesocket(fd);
        wire_free(c->wire);
        if (c->timer)
            event_free(c->timer);
        if (c->resume)
            event_free(c->resume);
        free(c);
        return NULL;
    }
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, c->peer, sizeof(c->peer));
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, c->peer,
                  sizeof(c->peer));
    /* Replies leave in more than one write; without TCP_NODELAY the tail
     * of a larger one waits for the client's delayed ACK (40 ms on Linux). */
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    struct timeval wt = {S.cfg.request_timeout, 0};
    bufferevent_set_timeouts(c->bev, NULL, &wt);
    bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
    c->state = C_IDLE;
    TAILQ_INSERT_TAIL(&lp->idle, c, link);
    arm(c, S.cfg.idle_timeout);
    bufferevent_enable(c->bev, EV_READ);
    return c;
}

/* ---- requests ---- */

/* An incoming X-Request-ID is echoed when it is short and harmless. */
static int sane_request_id(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > 64)
        return 0;
    for (const char *c = id; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '-' || *c == '_' || *c == '.'))
            return 0;
    return 1;
}

static void new_request_id(char *out, size_t size)
{
    static atomic_ullong counter;
    snprintf(out, size, "%llx-%06llx", S.boot, atomic_fetch_add(&counter, 1) & 0xffffffULL);
}

/* A fresh request for connection c, or NULL when out of memory. */
static struct req *req_new(struct conn *c)
{
    struct pool *pool = pool_new();
    if (!pool)
        return NULL;
    struct req *r = pool_alloc(pool, sizeof(*r));
    struct http_state *hs = pool_alloc(pool, sizeof(*hs));
    r->pool = pool;
    r->http = hs;
    r->path = "/";
    r->client_ip = pool_strdup(pool, c->peer);
    r->received_at = clock_mono();
    r->body_fd = -1;
    hs->conn = c;
    hs->loop = c->loop;
    new_request_id(r->request_id, sizeof(r->request_id));
    return r;
}

/* The value of a header the server reads; *dup is set when it appears more
 * than once (two Authorization headers are ambiguous, not a choice). */
static const char *header(const struct wire_head *h, const char *name, int *dup)
{
    const char *v = NULL;
    for (size_t i = 0; i < h->nheaders; i++) {
        if (strcasecmp(h->headers[i].name, name) != 0)
            continue;
        if (v)
            *dup = 1;
        else
            v = h->headers[i].value;
    }
    return v;
}

/* Fills r from the head and routes it. Answers r itself (r->status set)
 * when the target or route is wrong; the body is then read and dropped. */
static void req_from_head(struct conn *c, struct req *r, const struct wire_head *h)
{
    static const struct {
        const char *name;
        size_t offset;
    } copied[] = {
        {"Authorization", offsetof(struct req, authorization)},
        {"If-Match", offsetof(struct req, if_match)},
        {"If-None-Match", offsetof(struct req, if_none_match)},
        {"Idempotency-Key", offsetof(struct req, idempotency_key)},
        {"Content-Type", offsetof(struct req, content_type)},
        {"Content-Disposition", offsetof(struct req, content_disposition)},
        {"Range", offsetof(struct req, range)},
    };
    int dup = 0;
    const char *rid = header(h, "X-Request-ID", &dup);
    if (rid && sane_request_id(rid))
        snprintf(r->request_id, sizeof(r->request_id), "%s", rid);
    /* Methods the parser knows but the routes do not use (TRACE, CONNECT,
     * PROPFIND …) parse as 0 and are answered 405 by the router. */
    r->method = http_method_parse(h->method);
    for (size_t i = 0; i < sizeof(copied) / sizeof(copied[0]); i++) {
        int d = 0;
        const char *v = header(h, copied[i].name, &d);
        if (d) {
            reply_problem(r, 400, "the %s header appears more than once", copied[i].name);
            return;
        }
        *(const char **)(void *)((char *)r + copied[i].offset) = v ? pool_strdup(r->pool, v) : NULL;
    }
    /* RFC 9112 3.2: an HTTP/1.1 request names its host exactly once; two
     * Host lines (or a malformed one) could route differently at a proxy. */
    dup = 0;
    const char *host = header(h, "Host", &dup);
    if (dup || (host && !target_host_valid(host)) || (!host && h->http_minor == 1)) {
        reply_problem(r, 400, "an HTTP/1.1 request needs exactly one valid Host header");
        return;
    }
    /* A proxy may add its own X-Forwarded-For line after the client's: the
     * lines together are one list, in order. */
    for (size_t i = 0; i < h->nheaders; i++) {
        if (strcasecmp(h->headers[i].name, "X-Forwarded-For") != 0)
            continue;
        r->forwarded_for =
            r->forwarded_for ? pool_printf(r->pool, "%s, %s", r->forwarded_for, h->headers[i].value)
                             : pool_strdup(r->pool, h->headers[i].value);
    }
    struct target t;
    const char *err = NULL;
    if (target_parse(h->target, r->pool, &t, &err) < 0) {
        reply_problem(r, 400, "%s", err);
        return;
    }
    r->path = t.path;
    r->query = t.query;
    r->nquery = t.nquery;
    int found = router_match(S.app.routes, S.app.nroutes, r->method, r->path, &r->match);
    if (found == 404) {
        reply_problem(r, 404, "no resource at %s", r->path);
    } else if (found == 405) {
        char allow[128];
        http_methods_format(r->match.allowed, allow, sizeof(allow));
        reply_problem(r, 405, "%s is not allowed here; use %s", h->method, allow);
        req_add_header(r, "Allow", allow);
    }
}

/* The body a request may carry: its route's limit, and no more than the
 * small anonymous limit before anyone has shown a token. */
static size_t body_limit(const struct req *r)
{
    if (r->status)
        return S.cfg.max_anon_body;
    const struct route *route = r->match.route;
    size_t limit = route->body_limit ? route->body_limit : S.cfg.max_body;
    if ((!route->roles || !r->authorization) && limit > S.cfg.max_anon_body)
        limit = S.cfg.max_anon_body;
    return limit;
}

/* A large file upload is read at the loop's share of the upload rate. */
static void limit_upload(struct conn *c)
{
    if (c->loop->uploads && !c->limited &&
        bufferevent_add_to_rate_limit_group(c->bev, c->loop->uploads) == 0)
        c->limited = 1;
    /* Larger reads: fewer system calls for the same bytes. */
    bufferevent_set_max_single_read(c->bev, SPOOL_BUFFER);
}

static void unlimit_upload(struct conn *c)
{
    if (c->limited && c->bev)
        bufferevent_remove_from_rate_limit_group(c->bev);
    if (c->bev)
        bufferevent_set_max_single_read(c->bev, 0); /* the default again */
    c->limited = 0;
}

static int hook_head(void *arg, const struct wire_head *h)
{
    struct conn *c = arg;
    struct req *r = req_new(c);
    if (!r)
        return 503;
    c->req = r;
    c->http_minor = h->http_minor;
    req_from_head(c, r, h);
    c->discard = r->status != 0;
    c->limit = body_limit(r);
    int has_body = h->chunked || h->content_length > 0;
    if (h->content_length > 0 && (unsigned long long)h->content_length > c->limit) {
        reply_problem(r, 413, "the body has %lld bytes; at most %zu are accepted here",
                      h->content_length, c->limit);
        return 413;
    }
    if (!r->status && (r->match.route->flags & ROUTE_RAW_BODY) &&
        (h->chunked || h->content_length > BODY_IN_MEMORY))
        limit_upload(c);
    if (!r->status && h->content_length > (long long)S.cfg.max_anon_body) {
        /* A large upload from a building site may be slow: it gets the
         * request timeout plus the time its size takes at a poor mobile
         * link's rate, and no longer. */
        arm(c, S.cfg.request_timeout + (double)h->content_length / SLOW_UPLOAD_BYTES_PER_S);
    }
    if (has_body && h->expect_continue) {
        /* The client waits for a word before sending the body: a request
         * answered already is answered now, without it. */
        if (r->status)
            return r->status;
        evbuffer_add_printf(bufferevent_get_output(c->bev), "HTTP/1.1 100 Continue\r\n\r\n");
    }
    return 0;
}

/* Moves the body to a file once it outgrows memory: an unnamed one where
 * the file system allows (nothing is left if the process dies), else one
 * removed at once. */
static int spool_open(struct conn *c)
{
    const char *dir = S.cfg.spool_dir;
    if (S.cfg.raw_spool_dir && (c->req->match.route->flags & ROUTE_RAW_BODY))
        dir = S.cfg.raw_spool_dir;
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
        char path[1100];
        snprintf(path, sizeof(path), "%s/body-XXXXXX", dir);
        fd = mkostemp(path, O_CLOEXEC);
        if (fd >= 0)
            unlink(path);
    }
    if (fd < 0) {
        log_msg(LOG_ERROR, "cannot spool a request body in %s: %s", dir, strerror(errno));
        return -1;
    }
    c->spool = fd;
    return 0;
}

/* Writes the buffered part of a spooled body. Returns 0, or -1 (logged). */
static int spool_flush(struct conn *c)
{
    if (c->pending && io_write_all(c->spool, c->mem, c->pending) < 0) {
        log_msg(LOG_ERROR, "cannot spool a request body: %s", strerror(errno));
        return -1;
    }
    c->pending = 0;
    return 0;
}

static int hook_body(void *arg, const char *at, size_t n)
{
    struct conn *c = arg;
    if (c->len + n > c->limit) {
        reply_problem(c->req, 413, "the body is larger than the %zu bytes accepted here", c->limit);
        return 413;
    }
    if (c->discard) {
        c->len += n;
        return 0;
    }
    if (c->spool < 0 && c->len + n > BODY_IN_MEMORY) {
        if (spool_open(c) < 0)
            return 503;
        /* What is in memory becomes the first of the buffered writes. */
        char *m = c->cap < SPOOL_BUFFER ? realloc(c->mem, SPOOL_BUFFER) : c->mem;
        if (!m)
            return 503;
        c->mem = m;
        c->cap = SPOOL_BUFFER;
        c->pending = c->len;
    }
    if (c->spool >= 0) {
        /* The pieces the parser hands over are a few KiB each: they are
         * written in SPOOL_BUFFER blocks, not a system call each. */
        if (c->pending + n > SPOOL_BUFFER && spool_flush(c) < 0)
            return 503;
        if (n >= SPOOL_BUFFER) {
            if (io_write_all(c->spool, at, n) < 0) {
                log_msg(LOG_ERROR, "cannot spool a request body: %s", strerror(errno));
                return 503;
            }
        } else {
            memcpy(c->mem + c->pending, at, n);
            c->pending += n;
        }
    } else {
        if (c->len + n + 1 > c->cap) {
            size_t cap = c->cap ? c->cap : 4096;
            while (cap < c->len + n + 1)
                cap *= 2;
            char *m = realloc(c->mem, cap);
            if (!m)
                return 503;
            c->mem = m;
            c->cap = cap;
        }
        memcpy(c->mem + c->len, at, n);
    }
    c->len += n;
    return 0;
}

static const struct wire_hooks hooks = {.head = hook_head, .body = hook_body};

struct mapped {
    void *addr;
    size_t len;
    int fd;
};

static void unmap_body(void *arg)
{
    struct mapped *m = arg;
    munmap(m->addr, m->len);
    close(m->fd);
}

static void close_fd(void *arg) { close(*(int *)arg); }

/* Hands the body read so far to the request (pool-owned from now on). Returns 0, or -1. */
static int attach_body(struct conn *c, struct req *r)
{
    r->body_fd = -1;
    if (c->len == 0)
        return 0;
    if (c->spool >= 0 && spool_flush(c) < 0)
        return -1;
    if (c->spool >= 0 && (r->match.route->flags & ROUTE_RAW_BODY)) {
        int *fd = pool_alloc(r->pool, sizeof(*fd));
        *fd = c->spool;
        r->body = NULL;
        r->body_len = c->len;
        r->body_fd = c->spool;
        c->spool = -1;
        pool_on_free(r->pool, close_fd, fd);
    } else if (c->spool >= 0) {
        /* One NUL after the body, so that it reads as a C string too. */
        if (io_write_all(c->spool, "", 1) < 0)
            return -1;
        void *m = mmap(NULL, c->len + 1, PROT_READ, MAP_PRIVATE, c->spool, 0);
        if (m == MAP_FAILED)
            return -1;
        struct mapped *mp = pool_alloc(r->pool, sizeof(*mp));
        mp->addr = m;
        mp->len = c->len + 1;
        mp->fd = c->spool;
        r->body = m;
        r->body_len = c->len;
        r->body_fd = c->spool;
        c->spool = -1;
        pool_on_free(r->pool, unmap_body, mp);
    } else {
        c->mem[c->len] = '\0';
        r->body = c->mem;
        r->body_len = c->len;
        pool_on_free(r->pool, free, c->mem);
        c->mem = NULL;
        c->cap = 0;
    }
    c->len = 0;
    return 0;
}

/* A whole request has arrived: answer it, run it on the loop, or hand it
 * to the workers. */
static void message_done(struct conn *c)
{
    struct req *r = c->req;
    unlimit_upload(c);
    c->keep_alive = wire_keep_alive(c->wire) && !c->loop->draining;
    set_state(c, C_BUSY);
    event_del(c->timer);
    bufferevent_disable(c->bev, EV_READ);
    r->received_at = clock_mono();
    atomic_fetch_add(&S.in_flight, 1);
    if (!r->status && attach_body(c, r) < 0)
        reply_problem(r, 503, "the request body could not be stored; retry shortly");
    if (r->status) {
        send_reply(r);
        return;
    }
    const struct route *route = r->match.route;
    if (route->flags & ROUTE_LOOP) {
        route->handler(r);
        send_reply(r);
        return;
    }
    if (S.app.submit(r) != 0) {
        reply_problem(r, 503, "the server is busy; retry shortly");
        send_reply(r);
    }
}

/* Answers status and ends the connection: for a message that cannot be
 * read on (malformed, too large, too slow) or a client over the cap. */
static void refuse(struct conn *c, int status, const char *detail)
{
    unlimit_upload(c);
    struct req *r = c->req;
    if (!r) {
        r = req_new(c);
        if (!r) {
            conn_close(c);
            return;
        }
        c->req = r;
    }
    if (r->status != status) {
        const struct wire_head *h = wire_head(c->wire);
        r->nresp_headers = 0;
        if (status == 405 && h->target) {
            /* A method this server does not know: Allow names what the
             * target does take, if it exists. */
            struct target t;
            const char *err = NULL;
            int found = 400;
            if (target_parse(h->target, r->pool, &t, &err) == 0) {
                r->path = t.path;
                found = router_match(S.app.routes, S.app.nroutes, 0, t.path, &r->match);
            }
            r->match.route = NULL;
            if (found == 405) {
                char allow[128];
                http_methods_format(r->match.allowed, allow, sizeof(allow));
                reply_problem(r, 405, "%.32s is not allowed here; use %s", h->method, allow);
                req_add_header(r, "Allow", allow);
            } else if (found == 404) {
                reply_problem(r, 404, "no resource at %s", r->path);
            } else {
                reply_problem(r, 400, "%s", err);
            }
        } else {
            reply_problem(r, status, "%s", detail ? detail : status_title(status));
        }
    }
    c->keep_alive = 0;
    c->linger = 1;
    if (c->state == C_IDLE)
        set_state(c, C_READING);
    set_state(c, C_BUSY);
    event_del(c->timer);
    bufferevent_disable(c->bev, EV_READ);
    atomic_fetch_add(&S.in_flight, 1);
    send_reply(r);
}

/* Feeds what the connection has received to its framer, one request at a
 * time. */
static void read_input(struct conn *c)
{
    while (c->state == C_IDLE || c->state == C_READING) {
        struct evbuffer *in = bufferevent_get_input(c->bev);
        if (evbuffer_get_length(in) == 0)
            return;
        if (c->state == C_IDLE) {
            set_state(c, C_READING);
            arm(c, S.cfg.request_timeout);
        }
        struct evbuffer_iovec v;
        if (evbuffer_peek(in, -1, NULL, &v, 1) < 1)
            return;
        enum wire_state ws;
        size_t used = wire_feed(c->wire, v.iov_base, v.iov_len, &ws);
        evbuffer_drain(in, used);
        if (ws == WIRE_ERROR) {
            const char *detail;
            int st = wire_error(c->wire, &detail);
            refuse(c, st, detail);
            return;
        }
        if (ws == WIRE_MESSAGE)
            message_done(c);
        else if (used == 0)
            return;
    }
}

static void on_read(struct bufferevent *bev, void *arg)
{
    struct conn *c = arg;
    if (c->state == C_LINGER) {
        struct evbuffer *in = bufferevent_get_input(bev);
        evbuffer_drain(in, evbuffer_get_length(in));
        return;
    }
    read_input(c);
}

static void on_resume(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    read_input(arg);
}

/* The output has drained. */
static void on_write(struct bufferevent *bev, void *arg)
{
    struct conn *c = arg;
    (void)bev;
    if (c->state == C_WRITING) {
        go_idle(c);
    } else if (c->state == C_CLOSING) {
        if (c->linger && !c->eof)
            start_linger(c);
        else
            conn_close(c);
    }
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
    struct conn *c = arg;
    (void)bev;
    if ((what & BEV_EVENT_EOF) && (what & BEV_EVENT_READING) &&
        (c->state == C_BUSY || c->state == C_WRITING)) {
        /* A client may half-close after its request and still read the
         * reply: finish it, then close. */
        c->eof = 1;
        c->keep_alive = 0;
        return;
    }
    conn_close(c);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    struct conn *c = arg;
    (void)fd;
    (void)what;
    switch (c->state) {
    case C_READING:
        refuse(c, 408, "the request did not arrive in time");
        break;
    case C_IDLE:
    case C_LINGER:
        conn_close(c);
        break;
    case C_BUSY:
    case C_WRITING:
    case C_CLOSING:
        break; /* the bufferevent's write timeout covers these */
    }
}

/* ---- sending ---- */

static int api_path(const char *path) { return strncmp(path, "/api/", 5) == 0; }

static int has_header(const struct req *r, const char *key)
{
    for (int i = 0; i < r->nresp_headers; i++)
        if (strcasecmp(r->resp_headers[i].key, key) == 0)
            return 1;
    return 0;
}

static int header_safe(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 && *s != '\t')
            return 0;
    return 1;
}

static void write_head(struct evbuffer *out, const struct conn *c, const struct req *r,
                       size_t length)
{
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\nDate: %s\r\nX-Request-ID: %s\r\n", r->status,
                        status_title(r->status), date, r->request_id);
    if (r->resp_type)
        evbuffer_add_printf(out, "Content-Type: %s\r\n", r->resp_type);
    if (r->status != 204 && r->status != 304)
        evbuffer_add_printf(out, "Content-Length: %zu\r\n", length);
    if (!c->keep_alive)
        evbuffer_add_printf(out, "Connection: close\r\n");
    else if (c->http_minor == 0)
        evbuffer_add_printf(out, "Connection: keep-alive\r\n");
    evbuffer_add_printf(out, "X-Content-Type-Options: nosniff\r\n");
    if (api_path(r->path) && !has_header(r, "Cache-Control"))
        evbuffer_add_printf(out, "Cache-Control: no-store\r\n");
    for (int i = 0; i < r->nresp_headers; i++)
        if (header_safe(r->resp_headers[i].key) && header_safe(r->resp_headers[i].value))
            evbuffer_add_printf(out, "%s: %s\r\n", r->resp_headers[i].key,
                                r->resp_headers[i].value);
    evbuffer_add(out, "\r\n", 2);
}

static void finish(struct req *r, size_t bytes)
{
    double secs = clock_mono() - r->received_at;
    if (S.app.done)
        S.app.done(r, r->match.route ? r->match.index : (size_t)-1, secs, bytes);
    char line[1024];
    snprintf(line, sizeof(line),
             "request_id=%s user=%lld method=%s route=\"%s\" status=%d bytes=%zu duration_ms=%.1f",
             r->request_id, r->user.id, r->method ? http_method_name(r->method) : "-",
             r->match.route ? r->match.route->pattern : "-", r->status, bytes, secs * 1000.0);
    log_line(r->status >= 500 ? LOG_WARN : LOG_INFO, line);
    pool_free(r->pool);
    atomic_fetch_sub(&S.in_flight, 1);
}

/* Writes the reply of r on its connection's loop, exactly once. */
static void send_reply(struct req *r)
{
    struct http_state *hs = r->http;
    struct conn *c = hs->conn;
    if (r->status == 0)
        reply_problem(r, 500, "the request was not answered");
    if (c->dead) {
        if (r->resp_file && !r->resp_file_keep)
            unlink(r->resp_file);
        c->req = NULL;
        finish(r, 0);
        conn_destroy(c);
        return;
    }
    struct evbuffer *out = bufferevent_get_output(c->bev);
    size_t bytes = 0;
    if (r->resp_file) {
        int fd = open(r->resp_file, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (!r->resp_file_keep)
            unlink(r->resp_file); /* the open descriptor keeps it readable */
        if (fd < 0 || fstat(fd, &st) != 0) {
            if (fd >= 0)
                close(fd);
            r->resp_file = NULL;
            reply_problem(r, 503, "the file could not be read; retry shortly");
        } else {
            /* A range the handler checked; the file is immutable, but a
             * shorter one than it saw is cut, never read past. */
            off_t off = r->resp_file_off < st.st_size ? (off_t)r->resp_file_off : st.st_size;
            off_t len = st.st_size - off;
            if (r->resp_file_len >= 0 && r->resp_file_len < len)
                len = (off_t)r->resp_file_len;
            write_head(out, c, r, (size_t)len);
            if (r->method == HTTP_HEAD || len == 0) {
                close(fd);
            } else {
                bytes = (size_t)len;
                evbuffer_add_file(out, fd, off, len); /* takes the fd */
            }
        }
    }
    if (!r->resp_file) {
        size_t len = r->resp_body ? r->resp_len : 0;
        write_head(out, c, r, len);
        if (len && r->method != HTTP_HEAD) {
            evbuffer_add(out, r->resp_body, len);
            bytes = len;
        }
    }
    c->req = NULL;
    finish(r, bytes);

    if (!c->keep_alive || c->loop->draining) {
        c->keep_alive = 0;
        set_state(c, C_CLOSING);
    } else if (evbuffer_get_length(out) > WRITE_HIGH) {
        set_state(c, C_WRITING);
    } else {
        go_idle(c);
    }
}

void http_complete(struct req *r)
{
    struct http_state *hs = r->http;
    struct loop *lp = hs->loop;
    /* After http_stop the loops are gone: a request that finishes that
     * late cannot be answered any more, only released. */
    pthread_mutex_lock(&S.stop_lock);
    if (S.stopped) {
        pthread_mutex_unlock(&S.stop_lock);
        log_msg(LOG_WARN, "request %s finished after shutdown; not answered", r->request_id);
        if (r->resp_file && !r->resp_file_keep)
            unlink(r->resp_file);
        pool_free(r->pool);
        atomic_fetch_sub(&S.in_flight, 1);
        return;
    }
    pthread_mutex_lock(&lp->lock);
    hs->next = NULL;
    if (lp->done_tail)
        ((struct http_state *)lp->done_tail->http)->next = r;
    else
        lp->done_head = r;
    lp->done_tail = r;
    pthread_mutex_unlock(&lp->lock);
    event_active(lp->wake, EV_READ, 0);
    pthread_mutex_unlock(&S.stop_lock);
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
    struct loop *lp = arg;
    (void)fd;
    (void)what;
    pthread_mutex_lock(&lp->lock);
    struct req *r = lp->done_head;
    lp->done_head = lp->done_tail = NULL;
    pthread_mutex_unlock(&lp->lock);
    while (r) {
        struct req *next = ((struct http_state *)r->http)->next;
        send_reply(r);
        r = next;
    }
}

/* ---- accepting ---- */

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen,
                      void *arg)
{
    struct loop *lp = arg;
    (void)l;
    (void)salen;
    if (lp->draining) {
        evutil_closesocket(fd);
        return;
    }
    int n = atomic_fetch_add(&S.connections, 1) + 1;
    struct conn *c = conn_new(lp, fd, sa);
    if (!c) {
        atomic_fetch_sub(&S.connections, 1);
        return;
    }
    if (n <= S.cfg.max_connections)
        return;
    /* At the cap the oldest idle connection makes room: idle keep-alive
     * connections must not lock new clients out. */
    struct conn *oldest = TAILQ_FIRST(&lp->idle);
    if (oldest && oldest != c)
        conn_close(oldest);
    else
        refuse(c, 503, "the server has too many connections; retry shortly");
}

static void on_backoff(evutil_socket_t fd, short what, void *arg)
{
    struct loop *lp = arg;
    (void)fd;
    (void)what;
    if (lp->listener && !lp->draining)
        evconnlistener_enable(lp->listener);
}

/* accept failed, typically for want of descriptors: pause accepting
 * instead of spinning on a listener that stays readable, and say so at
 * most once a second. */
static void on_accept_error(struct evconnlistener *l, void *arg)
{
    struct loop *lp = arg;
    int e = EVUTIL_SOCKET_ERROR();
    evconnlistener_disable(l);
    struct timeval tv = {0, ACCEPT_BACKOFF_MS * 1000};
    evtimer_add(lp->backoff, &tv);
    if (e == EMFILE || e == ENFILE) {
        struct conn *oldest = TAILQ_FIRST(&lp->idle);
        if (oldest)
            conn_close(oldest);
    }
    /* One line a second for the whole process, whichever loop logs it. */
    unsigned long n = atomic_fetch_add(&S.accept_errors, 1) + 1;
    long long now = (long long)(clock_mono() * 1000.0);
    long long last = atomic_load(&S.accept_log_ms);
    if (now - last >= 1000 && atomic_compare_exchange_strong(&S.accept_log_ms, &last, now)) {
        atomic_fetch_sub(&S.accept_errors, n);
        log_msg(LOG_WARN, "cannot accept connections: %s (%lu times); pausing %d ms",
                evutil_socket_error_to_string(e), n, ACCEPT_BACKOFF_MS);
    }
}

/* ---- loops ---- */

static int parse_listen(const char *listen, struct sockaddr_storage *ss, int *len)
{
    int l = (int)sizeof(*ss);
    memset(ss, 0, sizeof(*ss));
    if (evutil_parse_sockaddr_port(listen, (struct sockaddr *)ss, &l) != 0)
        return -1;
    *len = l;
    return 0;
}

static void *loop_main(void *arg)
{
    struct loop *lp = arg;
    /* Keep running when the listener is gone during shutdown: requests in
     * flight still come back through lp->wake, which is only activated. */
    event_base_loop(lp->base, EVLOOP_NO_EXIT_ON_EMPTY);
    return NULL;
}

/* One listening socket per loop on the same port: the kernel spreads new
 * connections over the loops (SO_REUSEPORT). */
static evutil_socket_t listen_socket(const struct sockaddr_storage *ss, int len)
{
    evutil_socket_t fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (evutil_make_listen_socket_reuseable(fd) < 0 ||
        evutil_make_listen_socket_reuseable_port(fd) < 0 ||
        bind(fd, (const struct sockaddr *)ss, (socklen_t)len) < 0 || listen(fd, 1024) < 0) {
        int e = errno;
        evutil_closesocket(fd);
        errno = e;
        return -1;
    }
    return fd;
}

int http_check_fd_limit(const struct http_config *cfg)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 0;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            getrlimit(RLIMIT_NOFILE, &rl);
    }
    unsigned long long need =
        (unsigned long long)cfg->max_connections + (unsigned long long)cfg->fd_reserve;
    if (rl.rlim_cur != RLIM_INFINITY && need > rl.rlim_cur) {
        log_msg(LOG_ERROR,
                "--max-connections %d needs about %llu open files, but the limit is %llu: raise "
                "it (ulimit -n) or lower FT_MAX_CONNECTIONS to %lld at most",
                cfg->max_connections, need, (unsigned long long)rl.rlim_cur,
                (long long)rl.rlim_cur - cfg->fd_reserve);
        return -1;
    }
    return 0;
}

int http_start(const struct http_config *cfg, const struct http_app *app)
{
    S.cfg = *cfg;
    S.app = *app;
    S.boot = (unsigned long long)time(NULL);
    evthread_use_pthreads();
    struct sockaddr_storage ss;
    int sslen;
    if (parse_listen(cfg->listen, &ss, &sslen) < 0) {
        log_msg(LOG_ERROR, "cannot parse listen address '%s' (want HOST:PORT)", cfg->listen);
        return -1;
    }
    /* SO_REUSEPORT would let a second server share the port silently, each
     * getting some of the connections: make sure nobody else has it. */
    evutil_socket_t probe = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int in_use = probe >= 0 && (evutil_make_listen_socket_reuseable(probe) < 0 ||
                                bind(probe, (struct sockaddr *)&ss, (socklen_t)sslen) < 0);
    int probe_errno = errno;
    if (probe >= 0)
        evutil_closesocket(probe);
    if (probe < 0 || in_use) {
        log_msg(LOG_ERROR, "cannot listen on %s: %s", cfg->listen, strerror(probe_errno));
        return -1;
    }
    S.nloops = cfg->threads;
    S.loops = calloc((size_t)S.nloops, sizeof(struct loop));
    for (int i = 0; i < S.nloops; i++) {
        struct loop *lp = &S.loops[i];
        lp->index = i;
        pthread_mutex_init(&lp->lock, NULL);
        TAILQ_INIT(&lp->idle);
        TAILQ_INIT(&lp->active);
        TAILQ_INIT(&lp->dead);
        lp->base = event_base_new();
        lp->wake = event_new(lp->base, -1, EV_PERSIST, on_wake, lp);
        lp->backoff = evtimer_new(lp->base, on_backoff, lp);
        if (cfg->upload_rate > 0) {
            /* Refilled every 20 ms, so that reading stays smooth. */
            struct timeval tick = {0, 20000};
            size_t per_tick = (size_t)(cfg->upload_rate / S.nloops * 0.02);
            if (per_tick < 4096)
                per_tick = 4096;
            lp->upload_cfg = ev_token_bucket_cfg_new(per_tick, per_tick, EV_RATE_LIMIT_MAX,
                                                     EV_RATE_LIMIT_MAX, &tick);
            lp->uploads =
                lp->upload_cfg ? bufferevent_rate_limit_group_new(lp->base, lp->upload_cfg) : NULL;
        }
        evutil_socket_t fd = listen_socket(&ss, sslen);
        if (fd < 0) {
            log_msg(LOG_ERROR, "cannot listen on %s: %s", cfg->listen, strerror(errno));
            return -1;
        }
        lp->listener = evconnlistener_new(lp->base, on_accept, lp, LEV_OPT_CLOSE_ON_FREE, -1, fd);
        if (!lp->listener) {
            evutil_closesocket(fd);
            log_msg(LOG_ERROR, "cannot listen on %s", cfg->listen);
            return -1;
        }
        evconnlistener_set_error_cb(lp->listener, on_accept_error);
    }
    for (int i = 0; i < S.nloops; i++)
        pthread_create(&S.loops[i].thread, NULL, loop_main, &S.loops[i]);
    return 0;
}

/* On each loop: no new connections, idle ones closed, busy ones closed
 * after their reply. */
static void drain_loop(evutil_socket_t fd, short what, void *arg)
{
    struct loop *lp = arg;
    (void)fd;
    (void)what;
    lp->draining = 1;
    if (lp->listener) {
        evconnlistener_free(lp->listener);
        lp->listener = NULL;
    }
    struct conn *c;
    while ((c = TAILQ_FIRST(&lp->idle)))
        conn_close(c);
}

void http_stop_accepting(void)
{
    for (int i = 0; i < S.nloops; i++)
        event_base_once(S.loops[i].base, -1, EV_TIMEOUT, drain_loop, &S.loops[i], NULL);
}

void http_stop(void)
{
    pthread_mutex_lock(&S.stop_lock);
    S.stopped = 1;
    pthread_mutex_unlock(&S.stop_lock);
    for (int i = 0; i < S.nloops; i++)
        event_base_loopexit(S.loops[i].base, NULL);
    for (int i = 0; i < S.nloops; i++) {
        struct loop *lp = &S.loops[i];
        pthread_join(lp->thread, NULL);
        struct conn *c;
        while ((c = TAILQ_FIRST(&lp->idle)))
            conn_destroy(c);
        /* A request still with a handler is released by http_complete. */
        while ((c = TAILQ_FIRST(&lp->dead))) {
            c->req = NULL;
            conn_destroy(c);
        }
        while ((c = TAILQ_FIRST(&lp->active))) {
            if (c->state == C_BUSY)
                c->req = NULL;
            conn_destroy(c);
        }
        if (lp->listener)
            evconnlistener_free(lp->listener);
        event_free(lp->wake);
        event_free(lp->backoff);
        if (lp->uploads)
            bufferevent_rate_limit_group_free(lp->uploads);
        if (lp->upload_cfg)
            ev_token_bucket_cfg_free(lp->upload_cfg);
        event_base_free(lp->base);
        pthread_mutex_destroy(&lp->lock);
    }
    free(S.loops);
    S.loops = NULL;
}
